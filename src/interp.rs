//! The interpreter: a wide instruction is decoded once into a `Prepared` form (cached
//! per address), then executed in two phases. First every ALU operation and every
//! control operation runs its generated semantics against the state as it was before
//! the instruction, recording what it changes; then the changes land together, in
//! architectural order (window, ALU results, %ctpr/predicate/state writes, rotations,
//! transfer). Nothing here knows individual operations: they come from
//! `crate::semantics` (ALU) and `isa::CTLS` (control), both generated from `isa/`.

use crate::chain::{self, ChainError};
use crate::cpu::{Cpu, Rotation, Window, WindowBounds};
use crate::decode::{self, Condition, DecodeError, Decoded};
use crate::isa::{self, CtlInfo, KindClass, Role};
use crate::memory::{perm, Access, Fault, GuestMemory};
use crate::semantics::{Exec, OpVals, SemFn, Trap, SEMANTICS};
use crate::window::{ProcStackFault, Reg};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// The value a faulting speculative operation produces (with tags `DIAG_TAG`).
pub const DIAG_VALUE: u64 = 0x4afa_fafa_4afa_fafa;
const DIAG_TAG: u8 = 0x5;
/// The longest wide instruction.
const MAX_BUNDLE: usize = 64;

/// Where an operand's value comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// `%rN` of the current window.
    Reg(u32),
    /// `%b[N]`.
    Based(u32),
    Global(u32),
    /// A number carried in the instruction (short immediate or literal).
    Const(u128),
    Pred(u32),
    Ctpr(u32),
    /// `%empty`, `%tst` and the like: reads give 0, writes vanish.
    Nowhere,
}

#[derive(Clone, Debug)]
pub(crate) struct PreparedOp {
    /// Index into `isa::OPS`.
    pub(crate) op: u16,
    pub(crate) sem: SemFn,
    pub(crate) sm: bool,
    /// (value slot, place, type letter) of each source.
    pub(crate) srcs: Vec<(usize, Place, u8)>,
    /// (value slot, place, type letter) of the destination.
    pub(crate) dst: Option<(usize, Place, u8)>,
    /// Value slot and predicate number of a compare's result.
    pub(crate) pdst: Option<(usize, u32)>,
    /// Slots given as plain numbers (state register number, MAS, channel, ...).
    pub(crate) fixed: Vec<(usize, u128)>,
    pub(crate) rlp: Vec<Condition>,
    pub(crate) mrgc: Option<Condition>,
    pub(crate) cond_slot: Option<usize>,
}

/// A decoded wide instruction, ready to execute.
pub struct Prepared {
    pub decoded: Decoded,
    pub len: u64,
    pub(crate) ops: Vec<PreparedOp>,
    pub(crate) ctls: Vec<(&'static CtlInfo, usize)>,
}

/// Why execution left the normal flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A system call through an sdisp entry; the machine answers it, then continues.
    Syscall { entry: u64, wbs: u32 },
    /// A guest fault: the signal the kernel would send and why.
    Fault {
        signal: i32,
        code: i32,
        addr: u64,
        why: String,
    },
}

fn fault(signal: i32, why: impl Into<String>) -> Event {
    Event::Fault {
        signal,
        code: 0,
        addr: 0,
        why: why.into(),
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Syscall { entry, .. } => write!(f, "system call through entry {entry}"),
            Event::Fault { why, .. } => write!(f, "{why}"),
        }
    }
}

pub fn trap_event(t: Trap) -> Event {
    use nix::libc::{SIGBUS, SIGFPE, SIGILL, SIGSEGV};
    let (signal, code, addr, why) = match t {
        Trap::DivByZero => (SIGFPE, 1, 0, "integer division by zero".to_string()),
        Trap::IllegalOperand => (
            SIGILL,
            2,
            0,
            "illegal operand (a tagged value consumed)".into(),
        ),
        Trap::IllegalOpcode => (SIGILL, 1, 0, "illegal operation".into()),
        Trap::Unaligned => (SIGBUS, 1, 0, "misaligned memory access".into()),
        Trap::Privileged => (SIGILL, 5, 0, "privileged operation".into()),
        Trap::Unimplemented => (SIGILL, 1, 0, "operation not implemented by e2k-emu".into()),
        Trap::MemoryFault(a) => (
            SIGSEGV,
            1,
            a,
            format!("memory access at {a:#x} outside mapped memory"),
        ),
    };
    Event::Fault {
        signal,
        code,
        addr,
        why,
    }
}

fn mem_fault(f: Fault) -> Event {
    Event::Fault {
        signal: nix::libc::SIGSEGV,
        code: if f.mapped { 2 } else { 1 },
        addr: f.addr,
        why: f.to_string(),
    }
}

fn bounds(b: WindowBounds) -> Event {
    fault(nix::libc::SIGSEGV, b.to_string())
}

fn stack_fault(e: ProcStackFault) -> Event {
    fault(nix::libc::SIGSEGV, e.to_string())
}

fn chain_fault(e: ChainError) -> Event {
    fault(nix::libc::SIGSEGV, e.to_string())
}

/// Effects recorded during the first phase, applied in the second.
#[derive(Default)]
struct Pending {
    window: Option<(u32, bool, bool)>,
    results: Vec<(Place, u8, u128, u8)>,
    preds: Vec<(u32, bool)>,
    ctprs: Vec<(u32, u64)>,
    states: Vec<(u8, u64)>,
    sp: Option<u64>,
    reg_rotation: Option<(u32, u32, u32)>,
    pred_rotation: Option<u32>,
    rotate_regs: bool,
    rotate_preds: bool,
    transfer: Option<Transfer>,
    local_preds: [bool; 7],
}

/// Where control goes after a wide instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    Jump(u64),
    Call(u64, u32),
    Syscall(u64, u32),
    Return,
}

/// The machine as one wide instruction's semantics see it.
struct Cx<'a> {
    cpu: &'a Cpu,
    mem: &'a mut GuestMemory,
    p: Pending,
    /// Tags of the current operation's sources, by value, and whether it dealt with them.
    src_tags: [(u128, u8); 4],
    tags_handled: bool,
    result_tag: Option<u8>,
    /// A store went to a page holding code.
    code_written: bool,
    /// The last memory fault, with its cause.
    fault: Option<Fault>,
}

impl Cx<'_> {
    fn tagged_sources(&self) -> bool {
        self.src_tags.iter().any(|t| t.1 != 0)
    }
}

fn u8_arg(v: u128) -> u32 {
    (v & 0xff) as u32
}

impl Exec for Cx<'_> {
    fn load(&mut self, addr: u64, bits: u32) -> Result<u128, Trap> {
        self.mem.load(addr, bits).map_err(|f| {
            self.fault = Some(f);
            Trap::MemoryFault(f.addr)
        })
    }
    fn store(&mut self, addr: u64, bits: u32, value: u128) -> Result<u128, Trap> {
        if self.tagged_sources() && !self.tags_handled {
            return Err(Trap::IllegalOperand);
        }
        self.mem.store(addr, bits, value).map_err(|f| {
            self.fault = Some(f);
            Trap::MemoryFault(f.addr)
        })?;
        if self.mem.page_perm(addr) & perm::EXEC != 0
            || self.mem.page_perm(addr + (bits / 8) as u64 - 1) & perm::EXEC != 0
        {
            self.code_written = true;
        }
        Ok(0)
    }
    fn seg_base(&mut self, a0: u128) -> Result<u128, Trap> {
        // Linux user mode: every segment base is 0 except none; cs..ss are flat.
        match a0 {
            0..=5 => Ok(0),
            _ => Err(Trap::Unimplemented),
        }
    }
    fn ap_address(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn od_address(&mut self, _: u128, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn load_reg_space(&mut self, _: u128) -> Result<u128, Trap> {
        Err(Trap::Privileged)
    }
    fn store_reg_space(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Privileged)
    }
    fn load_reg_space_q(&mut self, _: u128) -> Result<u128, Trap> {
        Err(Trap::Privileged)
    }
    fn store_reg_space_q(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Privileged)
    }
    fn store_masked(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn x_exponent(&mut self, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn x_compose(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn x_move(&mut self, _: u128, a1: u128) -> Result<u128, Trap> {
        Ok(a1)
    }
    fn procedure_label(&mut self, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn getsp(&mut self, a0: u128) -> Result<u128, Trap> {
        let delta = a0 as u32 as i32 as i64;
        let sp = self.p.sp.unwrap_or(self.cpu.stack.sp);
        let new = (sp as i64).wrapping_add(delta) as u64 & !15;
        if new < self.cpu.stack.limit || new > self.cpu.stack.top {
            return Err(Trap::MemoryFault(new));
        }
        self.p.sp = Some(new);
        Ok(new as u128)
    }
    fn get_tag(&mut self, a0: u128) -> Result<u128, Trap> {
        self.tags_handled = true;
        Ok(self
            .src_tags
            .iter()
            .find(|t| t.0 == a0 && t.1 != 0)
            .map_or(0, |t| t.1 as u128))
    }
    fn put_tag(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.tags_handled = true;
        self.result_tag = Some((a1 & 0xf) as u8);
        Ok(a0)
    }
    fn carry_tag(&mut self) -> Result<u128, Trap> {
        self.tags_handled = true;
        self.result_tag = Some(self.src_tags.iter().fold(0, |a, t| a | t.1));
        Ok(0)
    }
    fn state_read(&mut self, a0: u128) -> Result<u128, Trap> {
        state_read(self.cpu, u8_arg(a0) as u8).map(u128::from)
    }
    fn state_write(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let n = u8_arg(a0) as u8;
        if !state_writable(n) {
            return Err(Trap::Privileged);
        }
        self.p.states.push((n, a1 as u64));
        Ok(0)
    }
    fn cctop(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn fadd_s(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        Ok((f32::from_bits(a0 as u32) + f32::from_bits(a1 as u32)).to_bits() as u128)
    }
    fn fadd_d(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        Ok((f64::from_bits(a0 as u64) + f64::from_bits(a1 as u64)).to_bits() as u128)
    }
    fn fcmp_s(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        fcmp(
            a0,
            f32::from_bits(a1 as u32) as f64,
            f32::from_bits(a2 as u32) as f64,
        )
    }
    fn fcmp_d(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        fcmp(a0, f64::from_bits(a1 as u64), f64::from_bits(a2 as u64))
    }
    fn packed_max_u8(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let (x, y) = ((a0 as u64).to_le_bytes(), (a1 as u64).to_le_bytes());
        let mut out = [0u8; 8];
        for k in 0..8 {
            out[k] = x[k].max(y[k]);
        }
        Ok(u64::from_le_bytes(out) as u128)
    }
    fn pred(&mut self, a0: u128) -> Result<u128, Trap> {
        let n = u8_arg(a0);
        if self.cpu.pred_tags >> self.cpu.pred_index(n) & 1 != 0 {
            return Err(Trap::IllegalOperand);
        }
        Ok(self.cpu.pred(n) as u128)
    }
    fn pred_write(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.p.preds.push((u8_arg(a0), a1 != 0));
        Ok(0)
    }
    fn local_pred(&mut self, a0: u128) -> Result<u128, Trap> {
        Ok(self
            .p
            .local_preds
            .get(u8_arg(a0) as usize)
            .copied()
            .unwrap_or(false) as u128)
    }
    fn local_pred_write(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        if let Some(p) = self.p.local_preds.get_mut(u8_arg(a0) as usize) {
            *p = a1 != 0;
        }
        Ok(0)
    }
    fn ctpr(&mut self, a0: u128) -> Result<u128, Trap> {
        Ok(self.cpu.ctpr.get(u8_arg(a0) as usize).copied().unwrap_or(0) as u128)
    }
    fn ctpr_write(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.p.ctprs.push((u8_arg(a0), a1 as u64));
        Ok(0)
    }
    fn jump(&mut self, a0: u128) -> Result<u128, Trap> {
        self.p.transfer = Some(Transfer::Jump(a0 as u64));
        Ok(0)
    }
    fn call_to(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.p.transfer = Some(Transfer::Call(a0 as u64, u8_arg(a1)));
        Ok(0)
    }
    fn syscall(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.p.transfer = Some(Transfer::Syscall(a0 as u64, u8_arg(a1)));
        Ok(0)
    }
    fn return_to_caller(&mut self) -> Result<u128, Trap> {
        self.p.transfer = Some(Transfer::Return);
        Ok(0)
    }
    fn set_window(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        self.p.window = Some((u8_arg(a0), a1 != 0, a2 != 0));
        Ok(0)
    }
    fn set_reg_rotation(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        self.p.reg_rotation = Some((u8_arg(a0), u8_arg(a1), u8_arg(a2)));
        Ok(0)
    }
    fn set_pred_rotation(&mut self, a0: u128) -> Result<u128, Trap> {
        self.p.pred_rotation = Some(u8_arg(a0));
        Ok(0)
    }
    fn rotate_regs(&mut self) -> Result<u128, Trap> {
        self.p.rotate_regs = true;
        Ok(0)
    }
    fn rotate_preds(&mut self) -> Result<u128, Trap> {
        self.p.rotate_preds = true;
        Ok(0)
    }
}

/// IEEE comparisons by the fcmp code: eq, lt, le, unord, ne, nlt, nle, ord.
fn fcmp(code: u128, a: f64, b: f64) -> Result<u128, Trap> {
    let r = match code & 7 {
        0 => a == b,
        1 => a < b,
        2 => a <= b,
        3 => a.is_nan() || b.is_nan(),
        4 => a != b,
        // "Not less": true for unordered operands too.
        5 => a.partial_cmp(&b).is_none_or(|o| o.is_ge()),
        6 => a.partial_cmp(&b).is_none_or(|o| o.is_gt()),
        _ => !(a.is_nan() || b.is_nan()),
    };
    Ok(r as u128)
}

// State register numbers, named in isa/state.isa.
use isa::consts::{
    SR_BR, SR_CLKR, SR_CTPR1, SR_CTPR3, SR_FPCR, SR_FPSR, SR_IDR, SR_ILCR, SR_LSR, SR_PCSP_HI,
    SR_PCSP_LO, SR_PFPFR, SR_PSP_HI, SR_PSP_LO, SR_PSR, SR_SBR, SR_UPSR, SR_USD_HI, SR_USD_LO,
    SR_WD,
};

fn state_read(cpu: &Cpu, n: u8) -> Result<u64, Trap> {
    Ok(match n as u32 {
        SR_PSR => 0x31,
        SR_WD => cpu.packed_wd(),
        SR_PSP_LO => cpu.ps.base,
        SR_PSP_HI => cpu.ps.size << 32 | cpu.ps.ind,
        SR_PCSP_LO => cpu.pcs.base,
        SR_PCSP_HI => cpu.pcs.size << 32 | cpu.pcs.ind,
        SR_CTPR1..=SR_CTPR3 => cpu.ctpr[(n as u32 - SR_CTPR1 + 1) as usize],
        SR_SBR => cpu.stack.top,
        SR_USD_LO => cpu.stack.sp,
        SR_USD_HI => (cpu.stack.sp - cpu.stack.limit) << 32,
        SR_UPSR => cpu.upsr,
        SR_LSR => cpu.lsr,
        SR_ILCR => cpu.ilcr,
        SR_PFPFR => cpu.pfpfr,
        SR_FPCR => cpu.fpcr,
        SR_FPSR => cpu.fpsr,
        SR_BR => cpu.br.pack(),
        SR_IDR => (cpu.iset.number() as u64) << 8,
        SR_CLKR => cpu.executed,
        _ => return Err(Trap::Privileged),
    })
}

fn state_writable(n: u8) -> bool {
    matches!(
        n as u32,
        SR_UPSR | SR_LSR | SR_ILCR | SR_PFPFR | SR_FPCR | SR_FPSR
    )
}

fn state_write(cpu: &mut Cpu, n: u8, v: u64) {
    match n as u32 {
        SR_UPSR => cpu.upsr = v,
        SR_LSR => cpu.lsr = v,
        SR_ILCR => cpu.ilcr = v,
        SR_PFPFR => cpu.pfpfr = v,
        SR_FPCR => cpu.fpcr = v,
        SR_FPSR => cpu.fpsr = v,
        _ => {}
    }
}

fn slot_of(name: &str) -> Option<usize> {
    OpVals::SLOTS.iter().position(|s| *s == name)
}

fn place(o: &decode::Operand) -> Place {
    let k = o.kind_info();
    match k.class {
        KindClass::Based => Place::Based(o.n as u32),
        KindClass::Reg => Place::Reg(o.n as u32),
        KindClass::Global => Place::Global(o.n as u32),
        KindClass::Imm => Place::Const(o.n as u128),
        KindClass::Lit { bits, .. } => {
            let v = o.value as u128;
            // Literals shorter than 64 bits are signed.
            Place::Const(if bits < 64 {
                crate::bits::sext(v, bits, 64)
            } else {
                v
            })
        }
        KindClass::Pred => Place::Pred(o.n as u32),
        KindClass::Ctpr => Place::Ctpr(o.n as u32),
        KindClass::Special | KindClass::Invalid => Place::Nowhere,
    }
}

/// Decodes and prepares the wide instruction at `addr`.
pub fn prepare(
    mem: &GuestMemory,
    addr: u64,
    iset: crate::version::Iset,
) -> Result<Prepared, Event> {
    let bytes = mem.fetch(addr, MAX_BUNDLE).map_err(|f| Event::Fault {
        signal: nix::libc::SIGSEGV,
        code: 2,
        addr: f.addr,
        why: format!("instruction fetch: {f}"),
    })?;
    let d = decode::decode(bytes, addr, iset).map_err(|e| {
        let signal = match e {
            DecodeError::Misaligned(_) => nix::libc::SIGBUS,
            DecodeError::Layout(_) if bytes.len() < MAX_BUNDLE => nix::libc::SIGSEGV,
            _ => nix::libc::SIGILL,
        };
        Event::Fault {
            signal,
            code: 1,
            addr,
            why: format!("undecodable wide instruction: {e}"),
        }
    })?;
    let mut ops = Vec::new();
    for op in d.alu.iter().flatten() {
        let enc = op.encoding();
        if enc.second & (1 << op.channel) != 0 {
            continue;
        }
        let fmt = op.format();
        let mut p = PreparedOp {
            op: op.op,
            sem: SEMANTICS[op.op as usize],
            sm: op.speculative,
            srcs: vec![],
            dst: None,
            pdst: None,
            fixed: vec![],
            rlp: decode::conditions(&d.bundle, op.channel, false).collect(),
            mrgc: decode::conditions(&d.bundle, op.channel, true).next(),
            cond_slot: slot_of("cond"),
        };
        for o in &op.operands {
            let f = &fmt.fields[o.field as usize];
            let Some(slot) = slot_of(f.name) else {
                continue;
            };
            match f.role {
                Role::Src => p.srcs.push((slot, place(o), o.ty)),
                Role::Dst => p.dst = Some((slot, place(o), o.ty)),
                Role::Pred => p.pdst = Some((slot, o.n as u32)),
                Role::None => {
                    let als = d.bundle.als[op.channel as usize].map_or(0, |a| a.0);
                    let word = if f.in_ales {
                        d.bundle.ales[op.channel as usize].map_or(0, |a| a.0 as u32)
                    } else {
                        als
                    };
                    p.fixed
                        .push((slot, ((word >> f.lo) & ((1u32 << f.width) - 1)) as u128));
                }
            }
        }
        for (name, v) in [
            ("sm", op.speculative as u128),
            ("ch", op.channel as u128),
            ("pc", addr as u128),
            ("mas", crate::disasm::mas(&d, op.channel) as u128),
        ] {
            if let Some(s) = slot_of(name) {
                p.fixed.push((s, v));
            }
        }
        ops.push(p);
    }
    let mut ctls = Vec::new();
    for c in isa::CTLS.iter() {
        if c.versions & iset.mask() == 0 {
            continue;
        }
        for i in 0..c.instances {
            if (c.matches)(&d.bundle, addr, i) {
                ctls.push((c, i));
            }
        }
    }
    let len = d.len() as u64;
    Ok(Prepared {
        decoded: d,
        len,
        ops,
        ctls,
    })
}

fn width_of(ty: u8) -> u32 {
    match ty {
        b'S' => 32,
        b'X' => 80,
        b'Q' | b'P' => 128,
        _ => 64,
    }
}

fn tag_mask(ty: u8) -> u8 {
    if ty == b'S' {
        0x3
    } else {
        0xf
    }
}

/// Reads an operand: value and tags.
fn read(cpu: &Cpu, place: Place, ty: u8) -> Result<(u128, u8), Event> {
    let r = match place {
        Place::Const(v) => return Ok((v & crate::bits::mask(width_of(ty)), 0)),
        Place::Reg(n) => cpu.regs.get(cpu.reg_pos(n).map_err(bounds)?),
        Place::Based(n) => cpu
            .regs
            .get(cpu.reg_pos(cpu.based_index(n)).map_err(bounds)?),
        Place::Global(n) => Reg {
            lo: cpu.globals[n as usize & 31],
            hi: 0,
            tag: cpu.global_tags[n as usize & 31],
        },
        Place::Pred(n) => return Ok((cpu.pred(n) as u128, 0)),
        Place::Ctpr(n) => return Ok((cpu.ctpr[n as usize & 3] as u128, 0)),
        Place::Nowhere => return Ok((0, 0)),
    };
    let v = match ty {
        b'S' => r.lo as u32 as u128,
        b'X' => r.lo as u128 | ((r.hi & 0xffff) as u128) << 64,
        b'Q' | b'P' => r.lo as u128 | (r.hi as u128) << 64,
        _ => r.lo as u128,
    };
    Ok((v, r.tag & tag_mask(ty)))
}

fn condition_holds(cpu: &Cpu, c: Condition) -> Result<bool, Event> {
    let v = match (c.pred(), c.pcnt()) {
        (Some(p), _) => cpu.pred(p as u32),
        // %pcntN: the loop's prologue counter has reached N.
        (_, Some(n)) => (cpu.lsr >> 48 & 0x1f) <= n as u64,
        _ => return Err(fault(nix::libc::SIGILL, "invalid predicate in a condition")),
    };
    Ok(v != c.negated)
}

/// What `step` asks of its caller.
pub enum Step {
    /// The instruction completed; continue.
    Next,
    /// Stop here: a system call to serve (then call `finish_syscall`) or a fault.
    Event(Event),
}

/// Executes one prepared wide instruction.
pub fn step(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    prep: &Prepared,
    code_written: &mut bool,
) -> Step {
    match run(cpu, mem, prep, code_written) {
        Ok(None) => Step::Next,
        Ok(Some(e)) | Err(e) => Step::Event(e),
    }
}

fn run(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    prep: &Prepared,
    code_written: &mut bool,
) -> Result<Option<Event>, Event> {
    let mut cx = Cx {
        cpu,
        mem,
        p: Pending::default(),
        src_tags: [(0, 0); 4],
        tags_handled: false,
        result_tag: None,
        code_written: false,
        fault: None,
    };
    // Phase 1: every operation reads the old state.
    for op in &prep.ops {
        let mut run_it = true;
        for c in &op.rlp {
            run_it &= condition_holds(cx.cpu, *c)?;
        }
        if !run_it {
            continue;
        }
        let mut v = OpVals::default();
        for (s, x) in &op.fixed {
            *v.slot_mut(*s) = *x;
        }
        if let (Some(c), Some(s)) = (op.mrgc, op.cond_slot) {
            *v.slot_mut(s) = condition_holds(cx.cpu, c)? as u128;
        }
        cx.src_tags = [(0, 0); 4];
        cx.tags_handled = false;
        cx.result_tag = None;
        for (k, (s, place, ty)) in op.srcs.iter().enumerate() {
            let (val, tag) = read(cx.cpu, *place, *ty)?;
            *v.slot_mut(*s) = val;
            if k < 4 {
                cx.src_tags[k] = (val, tag);
            }
        }
        let outcome = (op.sem)(&mut cx, &mut v);
        let tagged_input = cx.tagged_sources() && !cx.tags_handled;
        let (tag, failed) = match outcome {
            Ok(()) if tagged_input && op.sm => (DIAG_TAG, true),
            Ok(()) if tagged_input => return Err(trap_event(Trap::IllegalOperand)),
            Ok(()) => (cx.result_tag.unwrap_or(0), false),
            Err(_) if op.sm => (DIAG_TAG, true),
            Err(Trap::MemoryFault(_)) if cx.fault.is_some() => {
                return Err(cx
                    .fault
                    .map(mem_fault)
                    .unwrap_or_else(|| trap_event(Trap::IllegalOpcode)))
            }
            Err(t) => return Err(trap_event(t)),
        };
        if let Some((s, place, ty)) = op.dst {
            let value = if failed {
                DIAG_VALUE as u128
            } else {
                v.slot(s)
            };
            cx.p.results.push((place, ty, value, tag & tag_mask(ty)));
        }
        if let Some((s, n)) = op.pdst {
            cx.p.preds.push((n, v.slot(s) & 1 != 0));
        }
    }
    for (c, i) in &prep.ctls {
        let Some(exec) = c.exec else {
            return Err(fault(
                nix::libc::SIGILL,
                format!(
                    "`{}` is not implemented by e2k-emu (no semantics in {})",
                    c.name, c.src
                ),
            ));
        };
        if let Err(t) = exec(&prep.decoded.bundle, prep.decoded.addr, *i, &mut cx) {
            return Err(trap_event(t));
        }
    }
    *code_written |= cx.code_written;
    let p = cx.p;
    commit(cpu, mem, prep, p)
}

/// Phase 2: the changes land in architectural order.
fn commit(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    prep: &Prepared,
    p: Pending,
) -> Result<Option<Event>, Event> {
    if let Some((wsz, nfx, dbl)) = p.window {
        set_window(cpu, mem, wsz, nfx, dbl)?;
    }
    for (place, ty, value, tag) in p.results {
        write(cpu, place, ty, value, tag)?;
    }
    for (n, v) in p.preds {
        cpu.set_pred(n, v);
    }
    for (n, v) in p.ctprs {
        if let Some(c) = cpu.ctpr.get_mut(n as usize) {
            *c = v;
        }
    }
    for (n, v) in p.states {
        state_write(cpu, n, v);
    }
    if let Some(sp) = p.sp {
        cpu.stack.sp = sp;
    }
    let control = Control {
        window: None,
        reg_rotation: p.reg_rotation,
        pred_rotation: p.pred_rotation,
        rotate_regs: p.rotate_regs,
        rotate_preds: p.rotate_preds,
        transfer: p.transfer,
    };
    cpu.executed += 1;
    finish_control(cpu, mem, prep.decoded.addr + prep.len, &control)
}

/// The changes of a wide instruction to the window, the rotation and the flow of
/// control, which compiled code leaves to this module as well.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Control {
    pub window: Option<(u32, bool, bool)>,
    pub reg_rotation: Option<(u32, u32, u32)>,
    pub pred_rotation: Option<u32>,
    pub rotate_regs: bool,
    pub rotate_preds: bool,
    pub transfer: Option<Transfer>,
}

fn set_window(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    wsz: u32,
    nfx: bool,
    dbl: bool,
) -> Result<(), Event> {
    {
        let size = 2 * wsz;
        if size < cpu.wd.psize {
            return Err(fault(
                nix::libc::SIGSEGV,
                format!(
                    "setwd: window of {size} registers is smaller than the {} parameters",
                    cpu.wd.psize
                ),
            ));
        }
        cpu.wd = Window {
            size,
            fx: nfx,
            dbl,
            ..cpu.wd
        };
        cpu.regs
            .frame(cpu.wd.base, cpu.wd.base + size as u64, mem, &mut cpu.ps)
            .map_err(stack_fault)?;
    }
    Ok(())
}

/// Applies `c` after the rest of a wide instruction has landed (compiled code wrote
/// its registers already): window, rotations, then the transfer; `next` is the
/// address after the instruction. A system call comes back as an event to serve.
pub fn apply_control(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    next: u64,
    c: &Control,
) -> Result<Option<Event>, Event> {
    if let Some((wsz, nfx, dbl)) = c.window {
        set_window(cpu, mem, wsz, nfx, dbl)?;
    }
    finish_control(cpu, mem, next, c)
}

fn finish_control(
    cpu: &mut Cpu,
    mem: &mut GuestMemory,
    next: u64,
    c: &Control,
) -> Result<Option<Event>, Event> {
    if let Some((rbs, rsz, rcur)) = c.reg_rotation {
        cpu.br = Rotation {
            rbs,
            rsz,
            rcur,
            ..cpu.br
        };
    }
    if let Some(psz) = c.pred_rotation {
        cpu.br = Rotation {
            psz,
            pcur: 0,
            ..cpu.br
        };
    }
    if c.rotate_regs {
        cpu.br.rcur = (cpu.br.rcur + cpu.br.rsz) % (cpu.br.rsz + 1);
    }
    if c.rotate_preds {
        cpu.br.pcur = (cpu.br.pcur + cpu.br.psz) % (cpu.br.psz + 1);
    }
    match c.transfer {
        None => cpu.ip = next,
        Some(Transfer::Jump(t)) => cpu.ip = t,
        Some(Transfer::Call(target, wbs)) => {
            enter(cpu, mem, next, wbs)?;
            cpu.ip = target;
        }
        Some(Transfer::Syscall(entry, wbs)) => {
            if 2 * wbs > cpu.wd.size {
                return Err(bounds(WindowBounds {
                    index: 2 * wbs,
                    size: cpu.wd.size,
                }));
            }
            cpu.ip = next;
            cpu.ctpr = [0; 4];
            return Ok(Some(Event::Syscall { entry, wbs }));
        }
        Some(Transfer::Return) => {
            let f = chain::pop(cpu, mem).map_err(chain_fault)?;
            let wd = chain::return_window(cpu, &f);
            cpu.wd = wd;
            cpu.regs
                .frame(wd.base, wd.base + wd.size as u64, mem, &mut cpu.ps)
                .map_err(stack_fault)?;
            cpu.br = f.br;
            cpu.unpack_preds(f.preds);
            cpu.stack.sp = cpu.stack.limit + (f.ussz << 4);
            cpu.ctpr = [0; 4];
            cpu.ip = f.return_ip;
        }
    }
    Ok(None)
}

/// The call half of `call`: save the caller, open the callee's window.
fn enter(cpu: &mut Cpu, mem: &mut GuestMemory, return_ip: u64, wbs: u32) -> Result<(), Event> {
    if 2 * wbs > cpu.wd.size {
        return Err(bounds(WindowBounds {
            index: 2 * wbs,
            size: cpu.wd.size,
        }));
    }
    let (frame, wd) = chain::call_frame(cpu, return_ip, wbs);
    chain::push(cpu, mem, &frame).map_err(chain_fault)?;
    cpu.wd = wd;
    cpu.regs
        .frame(wd.base, wd.base + wd.size as u64, mem, &mut cpu.ps)
        .map_err(stack_fault)?;
    cpu.br = Rotation::default();
    cpu.ctpr = [0; 4];
    Ok(())
}

fn write(cpu: &mut Cpu, place: Place, ty: u8, value: u128, tag: u8) -> Result<(), Event> {
    let reg = || -> Reg {
        match ty {
            b'S' => Reg {
                lo: value as u32 as u64,
                hi: 0,
                tag,
            },
            b'X' => Reg {
                lo: value as u64,
                hi: (value >> 64) as u64 & 0xffff,
                tag,
            },
            b'Q' | b'P' => Reg {
                lo: value as u64,
                hi: (value >> 64) as u64,
                tag,
            },
            _ => Reg {
                lo: value as u64,
                hi: 0,
                tag,
            },
        }
    };
    match place {
        Place::Reg(n) => {
            let pos = cpu.reg_pos(n).map_err(bounds)?;
            cpu.regs.set(pos, reg());
        }
        Place::Based(n) => {
            let pos = cpu.reg_pos(cpu.based_index(n)).map_err(bounds)?;
            cpu.regs.set(pos, reg());
        }
        Place::Global(n) => {
            let r = reg();
            cpu.globals[n as usize & 31] = r.lo;
            cpu.global_tags[n as usize & 31] = r.tag;
        }
        // A %ctpr written by an ALU operation (movtd) holds a plain branch target.
        Place::Ctpr(n) => cpu.ctpr[n as usize & 3] = (value as u64 & 0xffff_ffff_ffff) | 3 << 54,
        Place::Pred(n) => cpu.set_pred(n, value & 1 != 0),
        Place::Const(_) | Place::Nowhere => {}
    }
    Ok(())
}

/// Per-address cache of prepared wide instructions.
#[derive(Default)]
pub struct Cache {
    map: HashMap<u64, Rc<Prepared>>,
    pub hits: u64,
    pub misses: u64,
}

impl Cache {
    pub fn get(
        &mut self,
        mem: &GuestMemory,
        addr: u64,
        iset: crate::version::Iset,
    ) -> Result<(Rc<Prepared>, bool), Event> {
        if let Some(p) = self.map.get(&addr) {
            self.hits += 1;
            return Ok((p.clone(), false));
        }
        self.misses += 1;
        let p = Rc::new(prepare(mem, addr, iset)?);
        self.map.insert(addr, p.clone());
        Ok((p, true))
    }

    /// Forgets everything (code was written, remapped or unmapped).
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// Reads and writes of `%rN` for the syscall layer and tests (window-relative).
pub fn reg(cpu: &Cpu, n: u32) -> Option<u64> {
    cpu.reg_pos(n).ok().map(|p| cpu.regs.get(p).lo)
}

pub fn set_reg(cpu: &mut Cpu, n: u32, v: u64) {
    if let Ok(p) = cpu.reg_pos(n) {
        cpu.regs.set(
            p,
            Reg {
                lo: v,
                hi: 0,
                tag: 0,
            },
        );
    }
}

pub fn mem_event(f: Fault) -> Event {
    mem_fault(f)
}

pub fn access_fault(addr: u64) -> Event {
    mem_fault(Fault {
        addr,
        access: Access::Read,
        mapped: false,
    })
}
