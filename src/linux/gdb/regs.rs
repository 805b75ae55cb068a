//! The registers as MCST's E2K gdb numbers them (its `e2k-regs.inc` order, built with
//! the new call support that its gdbserver also uses), with their sizes, and how each
//! reads from and writes to the emulated CPU.
//!
//! MCST's gdb takes registers 0..=585 and 654..=655 from the `g` packet (the others
//! by `p`, or not at all) and computes the window registers, based registers and
//! predicates itself from memory and from `%cr0`/`%cr1`, as the kernel presents a
//! stopped process: the current procedure looks as if a trap had just saved it, so
//! `%cr0.hi` is its ip, `%cr1.lo.wbs` its window size, `%cr0.lo` its predicates, and
//! `%psp.hi.ind` points past its window on the procedure stack. The stub serves
//! those in that convention and the procedure stack through memory reads
//! (`gdb::ProcStack`). Our target description also names `%r0..%r63` and the
//! predicates directly, at the numbers MCST's gdb keeps for them without ever asking
//! a remote, so that a client following the description alone sees them too.

use crate::engine::interp::state_read;
use crate::guest::chain;
use crate::guest::cpu::{Cpu, Window};
use crate::guest::memory::GuestMemory;
use crate::guest::window::Reg;
use crate::isa::consts::{
    SR_BGR, SR_BR, SR_CLKR, SR_CTPR1, SR_CUIR, SR_CWD, SR_FPCR, SR_FPSR, SR_ILCR, SR_LSR,
    SR_PCSHTP, SR_PCSP_HI, SR_PCSP_LO, SR_PFPFR, SR_PSHTP, SR_PSP_LO, SR_PSR, SR_SBR, SR_UPSR,
    SR_USD_HI, SR_USD_LO,
};
use std::fmt::Write;
use std::sync::OnceLock;

/// Runs of registers in MCST's numbering: name (`#` stands for the index, counted
/// from `first`), how many, bits each.
const GROUPS: &[(&str, u32, u32, u32)] = &[
    ("_sizeof", 0, 1, 64),
    ("_sys_rnum", 0, 1, 64),
    ("_pcsp_offset", 0, 1, 64),
    ("_g#", 0, 32, 64),
    ("psr", 0, 1, 64),
    ("upsr", 0, 1, 64),
    ("oscud_lo", 0, 1, 64),
    ("oscud_hi", 0, 1, 64),
    ("osgd_lo", 0, 1, 64),
    ("osgd_hi", 0, 1, 64),
    ("osem", 0, 1, 64),
    ("osr0", 0, 1, 64),
    ("pfpfr", 0, 1, 64),
    ("fpcr", 0, 1, 64),
    ("fpsr", 0, 1, 64),
    ("usbr", 0, 1, 64),
    ("usd_lo", 0, 1, 64),
    ("usd_hi", 0, 1, 64),
    ("_psp_lo", 0, 1, 64),
    ("_psp_hi", 0, 1, 64),
    ("pshtp", 0, 1, 64),
    ("_cr0_lo", 0, 1, 64),
    ("_cr0_hi", 0, 1, 64),
    ("_cr1_lo", 0, 1, 64),
    ("_cr1_hi", 0, 1, 64),
    ("cwd", 0, 1, 64),
    ("_pcsp_lo", 0, 1, 64),
    ("_pcsp_hi", 0, 1, 64),
    ("pcshtp", 0, 1, 64),
    ("cud_lo", 0, 1, 64),
    ("cud_hi", 0, 1, 64),
    ("gd_lo", 0, 1, 64),
    ("gd_hi", 0, 1, 64),
    ("cs_lo", 0, 1, 64),
    ("cs_hi", 0, 1, 64),
    ("ds_lo", 0, 1, 64),
    ("ds_hi", 0, 1, 64),
    ("es_lo", 0, 1, 64),
    ("es_hi", 0, 1, 64),
    ("fs_lo", 0, 1, 64),
    ("fs_hi", 0, 1, 64),
    ("gs_lo", 0, 1, 64),
    ("gs_hi", 0, 1, 64),
    ("ss_lo", 0, 1, 64),
    ("ss_hi", 0, 1, 64),
    // aad0_lo, aad0_hi, aad1_lo, ...: expanded in `table`.
    ("aad#", 0, 32, 128),
    ("aaind#", 0, 16, 64),
    ("aaincr#", 0, 8, 64),
    ("aaldi#", 0, 64, 64),
    ("aaldv", 0, 1, 64),
    ("aalda#", 0, 64, 64),
    ("aaldm", 0, 1, 64),
    ("aasr", 0, 1, 64),
    ("aafstr", 0, 1, 64),
    ("aasti#", 0, 16, 64),
    ("clkr", 0, 1, 64),
    ("dibcr", 0, 1, 64),
    ("ddbcr", 0, 1, 64),
    ("dibar#", 0, 4, 64),
    ("ddbar#", 0, 4, 64),
    ("dimcr", 0, 1, 64),
    ("ddmcr", 0, 1, 64),
    ("dimar#", 0, 2, 64),
    ("ddmar#", 0, 2, 64),
    ("dibsr", 0, 1, 64),
    ("ddbsr", 0, 1, 64),
    ("dtcr", 0, 1, 64),
    ("dtarf", 0, 1, 64),
    ("dtart", 0, 1, 64),
    ("_wd", 0, 1, 64),
    ("_br", 0, 1, 64),
    ("bgr", 0, 1, 64),
    ("_ip", 0, 1, 64),
    ("nip", 0, 1, 64),
    ("ctpr#", 1, 3, 64),
    ("eir", 0, 1, 64),
    ("tr", 0, 1, 64),
    ("cutd", 0, 1, 64),
    ("cuir", 0, 1, 64),
    ("tsd", 0, 1, 64),
    ("lsr", 0, 1, 64),
    ("ilcr", 0, 1, 64),
    ("_sys_rval", 0, 1, 64),
    ("_arg#", 1, 6, 64),
    ("_gtag#", 0, 32, 8),
    ("_gext#", 0, 32, 16),
    ("rpr_hi", 0, 1, 64),
    ("rpr_lo", 0, 1, 64),
    ("tir_#_lo", 0, 19, 64),
    ("tir_#_hi", 0, 19, 64),
    ("trap_cell_addr_#", 0, 10, 64),
    ("trap_cell_val_#", 0, 10, 64),
    ("trap_cell_tag_#", 0, 10, 8),
    ("_dummy_#", 1, 6, 8),
    ("trap_cell_info_#", 0, 10, 64),
    ("dam_#", 0, 32, 64),
    ("sbbp_#", 0, 32, 64),
    ("mlt_#", 0, 16, 64),
    ("idr", 0, 1, 64),
    ("core_mode", 0, 1, 64),
    ("lsr1", 0, 1, 64),
    ("ilcr1", 0, 1, 64),
    ("_gext_v5_#", 0, 32, 16),
    ("_gtag_v5_#", 0, 32, 8),
    ("pcsp_base", 0, 1, 64),
    ("psp_base", 0, 1, 64),
    ("dimtp_lo", 0, 1, 64),
    ("dimtp_hi", 0, 1, 64),
    ("ctpr#_hi", 1, 3, 64),
    ("_e2k_arch_idx", 0, 1, 64),
    ("_e2k_entry_point", 0, 1, 64),
    ("_e2k_call_dummy", 0, 1, 64),
    ("_e2k_prologue", 0, 1, 64),
    ("_e2k_call_target", 0, 1, 64),
    ("_e2k_dbl_reg", 0, 1, 64),
    ("_e2k_dbl_stack", 0, 1, 64),
    ("_e2k_quad_reg", 0, 1, 64),
    ("_e2k_quad_stack", 0, 1, 64),
    // Never sent by MCST's gdbserver: its gdb reads them from memory.
    ("r#", 0, 64, 64),
    ("b#", 0, 128, 64),
    ("pred#", 0, 32, 64),
];

// Numbers the stub reads or writes (positions in `table()`).
pub const G0: usize = 3;
const PSR: usize = 35;
const UPSR: usize = 36;
const PFPFR: usize = 43;
const FPCR: usize = 44;
const FPSR: usize = 45;
const USBR: usize = 46;
const USD_LO: usize = 47;
const USD_HI: usize = 48;
const PSP_LO: usize = 49;
const PSP_HI: usize = 50;
const PSHTP: usize = 51;
pub const CR0_LO: usize = 52;
pub const CR0_HI: usize = 53;
pub const CR1_LO: usize = 54;
pub const CR1_HI: usize = 55;
const CWD: usize = 56;
const PCSP_LO: usize = 57;
const PCSP_HI: usize = 58;
const PCSHTP: usize = 59;
const CLKR: usize = 312;
pub const WD: usize = 334;
const BR: usize = 335;
const BGR: usize = 336;
pub const IP: usize = 337;
const CTPR1: usize = 339;
const CUIR: usize = 345;
const LSR: usize = 347;
const ILCR: usize = 348;
const GTAG0: usize = 356;
/// Last register of the `g` packet's first run (`mlt_15`).
const G_LAST: usize = 585;
const LSR1: usize = 588;
const ILCR1: usize = 589;
const GTAG_V5_0: usize = 622;
pub const PCSP_BASE: usize = 654;
pub const PSP_BASE: usize = 655;
/// `%r0`: MCST's `_r0`.
pub const R0: usize = 670;
const B0: usize = 734;
pub const PRED0: usize = 862;
/// Registers in the numbering (through the predicates).
pub const COUNT: usize = PRED0 + 32;

pub struct Def {
    pub name: String,
    pub bits: u32,
}

/// Every register, by number.
pub fn table() -> &'static [Def] {
    static T: OnceLock<Vec<Def>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = vec![];
        for &(name, first, count, bits) in GROUPS {
            for k in first..first + count {
                let n = name.replace('#', &k.to_string());
                if bits == 128 {
                    // Descriptor pairs: lo, hi.
                    t.push(Def {
                        name: format!("{n}_lo"),
                        bits: 64,
                    });
                    t.push(Def {
                        name: format!("{n}_hi"),
                        bits: 64,
                    });
                } else {
                    t.push(Def { name: n, bits });
                }
            }
        }
        debug_assert_eq!(t.len(), COUNT);
        t
    })
}

/// Bytes of register `n` on the wire.
pub fn size(n: usize) -> usize {
    table().get(n).map_or(0, |d| d.bits as usize / 8)
}

/// The registers of the `g` packet, in order: what MCST's gdb lays out there.
pub fn g_packet() -> impl Iterator<Item = usize> {
    (0..=G_LAST).chain([PCSP_BASE, PSP_BASE])
}

/// The target description: MCST's numbers, names and sizes for what the `g`
/// packet holds, and the window registers and predicates under their plain names.
pub fn target_xml(cpu: &Cpu) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n",
    );
    let _ = writeln!(
        s,
        "  <architecture>elbrus-v{}:any</architecture>\n  <osabi>GNU/Linux</osabi>\n  <feature name=\"org.e2k-emu.e2k.linux\">",
        cpu.iset.number()
    );
    let t = table();
    let listed = g_packet().chain(R0..R0 + 64).chain(PRED0..PRED0 + 32);
    for n in listed {
        let d = &t[n];
        let ty = match n {
            IP | CR0_HI => "code_ptr",
            _ if d.bits == 64 => "uint64",
            _ if d.bits == 16 => "uint16",
            _ => "uint8",
        };
        let _ = writeln!(
            s,
            "    <reg name=\"{}\" bitsize=\"{}\" type=\"{ty}\" regnum=\"{n}\"/>",
            d.name, d.bits
        );
    }
    s.push_str("  </feature>\n</target>\n");
    s
}

/// The current procedure as the chain frame a trap would save of it (CR0, CR1).
fn trap_frame(cpu: &Cpu) -> [u64; 4] {
    chain::call_frame(cpu, cpu.ip, cpu.wd.size.div_ceil(2))
        .0
        .words()
}

/// The window register `%rN` at the stop.
fn window_reg(cpu: &Cpu, mem: &GuestMemory, n: u32) -> Option<Reg> {
    let pos = cpu.reg_pos(n).ok()?;
    cpu.regs.read_any(pos, mem, &cpu.ps).ok()
}

/// Register `n`'s value; `None` where the emulator has no such state (gdb shows it
/// as unavailable).
pub fn read(cpu: &Cpu, mem: &GuestMemory, n: usize) -> Option<u64> {
    let sr = |r: u32| state_read(cpu, mem, r as u8).ok();
    Some(match n {
        _ if (G0..G0 + 32).contains(&n) => cpu.globals[n - G0],
        PSR => sr(SR_PSR)?,
        UPSR => sr(SR_UPSR)?,
        PFPFR => sr(SR_PFPFR)?,
        FPCR => sr(SR_FPCR)?,
        FPSR => sr(SR_FPSR)?,
        USBR => sr(SR_SBR)?,
        USD_LO => sr(SR_USD_LO)?,
        USD_HI => sr(SR_USD_HI)?,
        PSP_LO => sr(SR_PSP_LO)?,
        // Past the current window, which the stop "spilled".
        PSP_HI => (cpu.ps.size << 32) | ((cpu.wd.base + cpu.wd.size as u64) * 16),
        PSHTP => sr(SR_PSHTP)?,
        CR0_LO..=CR1_HI => trap_frame(cpu)[n - CR0_LO],
        CWD => sr(SR_CWD)?,
        PCSP_LO => sr(SR_PCSP_LO)?,
        PCSP_HI => sr(SR_PCSP_HI)?,
        PCSHTP => sr(SR_PCSHTP)?,
        CLKR => sr(SR_CLKR)?,
        // The window of the trap handler the stop stands for: it starts where the
        // current one ends and has no size of its own.
        WD => Window {
            base: cpu.wd.base + cpu.wd.size as u64,
            size: 0,
            psize: 0,
            ..cpu.wd
        }
        .pack(),
        BR => sr(SR_BR)?,
        BGR => sr(SR_BGR)?,
        IP => cpu.ip,
        _ if (CTPR1..CTPR1 + 3).contains(&n) => sr(SR_CTPR1 + (n - CTPR1) as u32)?,
        CUIR => sr(SR_CUIR)?,
        LSR | LSR1 => sr(SR_LSR)?,
        ILCR | ILCR1 => sr(SR_ILCR)?,
        _ if (GTAG0..GTAG0 + 32).contains(&n) => cpu.global_tags[n - GTAG0] as u64,
        _ if (GTAG_V5_0..GTAG_V5_0 + 32).contains(&n) => cpu.global_tags[n - GTAG_V5_0] as u64,
        PCSP_BASE => cpu.pcs.base,
        PSP_BASE => cpu.ps.base,
        _ if (R0..R0 + 64).contains(&n) => window_reg(cpu, mem, (n - R0) as u32)?.lo,
        _ if (B0..B0 + 128).contains(&n) => {
            let k = (n - B0) as u32;
            if k >= 2 * (cpu.br.rsz + 1) {
                return None;
            }
            window_reg(cpu, mem, cpu.based_index(k))?.lo
        }
        // Value in bit 0, tag in bit 1 (MCST's predicate type).
        _ if (PRED0..PRED0 + 32).contains(&n) => {
            let p = cpu.pred_index((n - PRED0) as u32);
            (cpu.preds >> p & 1 | (cpu.pred_tags >> p & 1) << 1) as u64
        }
        _ => return None,
    })
}

/// Sets register `n`; false for registers that cannot be changed here.
pub fn write(cpu: &mut Cpu, mem: &GuestMemory, n: usize, v: u64) -> bool {
    match n {
        _ if (G0..G0 + 32).contains(&n) => {
            cpu.globals[n - G0] = v;
            cpu.global_tags[n - G0] = 0;
        }
        UPSR => cpu.upsr = v,
        PFPFR => cpu.pfpfr = v,
        FPCR => cpu.fpcr = v,
        FPSR => cpu.fpsr = v,
        IP | CR0_HI => cpu.ip = v,
        CR0_LO => cpu.unpack_preds(v),
        _ if (CTPR1..CTPR1 + 3).contains(&n) => cpu.ctpr[n - CTPR1 + 1] = v,
        LSR | LSR1 => cpu.lsr = v,
        ILCR | ILCR1 => cpu.ilcr = v,
        _ if (R0..R0 + 64).contains(&n) || (B0..B0 + 128).contains(&n) => {
            let k = if n < B0 {
                (n - R0) as u32
            } else {
                cpu.based_index((n - B0) as u32)
            };
            let Ok(pos) = cpu.reg_pos(k) else {
                return false;
            };
            let r = Reg {
                lo: v,
                hi: 0,
                tag: 0,
            };
            let ps = cpu.ps;
            return cpu.regs.write_any(pos, r, mem, &ps).is_ok();
        }
        // Value in bit 0, tag (D) in bit 1, as read.
        _ if (PRED0..PRED0 + 32).contains(&n) => {
            cpu.set_pred_state((n - PRED0) as u32, v & 1 != 0, v & 2 != 0)
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod numbering {
    use super::*;

    #[test]
    fn matches_mcst_numbers() {
        let t = table();
        assert_eq!(t.len(), COUNT);
        for (n, name) in [
            (G0, "_g0"),
            (PSR, "psr"),
            (PSP_HI, "_psp_hi"),
            (CR0_HI, "_cr0_hi"),
            (76, "aad0_lo"),
            (139, "aad31_hi"),
            (140, "aaind0"),
            (CLKR, "clkr"),
            (WD, "_wd"),
            (IP, "_ip"),
            (CTPR1, "ctpr1"),
            (LSR, "lsr"),
            (GTAG0, "_gtag0"),
            (388, "_gext0"),
            (441, "tir_0_hi"),
            (490, "_dummy_1"),
            (G_LAST, "mlt_15"),
            (586, "idr"),
            (LSR1, "lsr1"),
            (GTAG_V5_0, "_gtag_v5_0"),
            (PCSP_BASE, "pcsp_base"),
            (658, "ctpr1_hi"),
            (669, "_e2k_quad_stack"),
            (R0, "r0"),
            (B0, "b0"),
            (PRED0, "pred0"),
        ] {
            assert_eq!(t[n].name, name, "register {n}");
        }
        let g: usize = g_packet().map(size).sum();
        // 586 registers through mlt_15 less the 8- and 16-bit ones, and two more.
        assert_eq!(g, (586 - 32 - 32 - 10 - 6 + 2) * 8 + 32 + 32 * 2 + 10 + 6);
    }
}
