//! Phase 2 of a wide instruction: the recorded changes land in architectural order,
//! then the control changes (window, rotations, transfer), which compiled code also
//! hands to this module.

use super::prepare::{Place, Prepared};
use super::state_regs::state_write;
use crate::engine::event::{bounds, chain_fault, fault, mem_fault, stack_fault, Event};
use crate::guest::chain;
use crate::guest::cpu::{Cpu, Rotation, WaitLock, Window, WindowBounds};
use crate::guest::memory::GuestMemory;
use crate::guest::window::Reg;
use smallvec::SmallVec;

/// The type letter of a 32-bit result that replaces only the low half of its register
/// whatever WD.dbl (`movts`...): `S` results do so only while the effective dbl is 0.
pub(super) const LOW_HALF: u8 = b's';

/// Effects recorded during the first phase, applied in the second.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) window: Option<(u32, bool, bool)>,
    pub(super) results: SmallVec<[(Place, u8, u128, u8); 6]>,
    /// %pred writes: number, value, D.
    pub(super) preds: SmallVec<[(u32, bool, bool); 8]>,
    pub(super) ctprs: SmallVec<[(u32, u64); 3]>,
    pub(super) states: SmallVec<[(u8, u64); 2]>,
    pub(super) sp: Option<u64>,
    pub(super) reg_rotation: Option<(u32, u32, u32)>,
    pub(super) pred_rotation: Option<u32>,
    pub(super) rotate_regs: bool,
    pub(super) rotate_preds: bool,
    pub(super) transfer: Option<Transfer>,
    /// @p0..@p6 of the predicate logic: value, D.
    pub(super) local_preds: [(bool, bool); 7],
    /// Floating-point exception flags raised, ORed into `%pfpfr`.
    pub(super) fp_flags: u32,
    /// 80-bit exception flags raised, ORed into `%fpsr`.
    pub(super) fpx_flags: u32,
    /// AAU register writes: (kind, number, value).
    pub(super) aau: SmallVec<[(u8, u8, u64); 2]>,
    /// Array prefetch areas advanced (`mova` with `am`): side, area, step.
    pub(super) apb_steps: SmallVec<[(u8, u8, u32); 4]>,
    /// `bap`: the prefetch program to load, at this address.
    pub(super) apb_load: Option<u64>,
    /// The wait lock taken (`Some(Some)`) or released (`Some(None)`).
    pub(super) wait_lock: Option<Option<WaitLock>>,
    /// The loop-mode stores ran at the loop's end: `LSR.strmd` goes down by one.
    pub(super) strmd_dec: bool,
}

/// Where control goes after a wide instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    Jump(u64),
    Call(u64, u32),
    Syscall(u64, u32),
    Return,
}

/// Phase 2: the changes land in architectural order.
pub(super) fn commit(
    cpu: &mut Cpu,
    mem: &GuestMemory,
    prep: &Prepared,
    p: &Pending,
) -> Result<Option<Event>, Event> {
    if let Some((wsz, nfx, dbl)) = p.window {
        set_window(cpu, mem, wsz, nfx, dbl)?;
    }
    for &(place, ty, value, tag) in &p.results {
        write(cpu, place, ty, value, tag)?;
    }
    cpu.raise_pfpfr(p.fp_flags);
    for &(k, n, v) in &p.aau {
        cpu.aau.write(k, n, v);
    }
    for &(side, area, step) in &p.apb_steps {
        if let Some(c) = cpu.aau.cdi[side as usize & 1].get_mut(area as usize) {
            *c = c.wrapping_add(step);
        }
    }
    if let Some(addr) = p.apb_load {
        cpu.aau.load_program(mem, addr).map_err(mem_fault)?;
    }
    if let Some(l) = p.wait_lock {
        cpu.wait_lock = l;
    }
    cpu.raise_fpsr(p.fpx_flags);
    for &(n, v, d) in &p.preds {
        cpu.set_pred_state(n, v, d);
    }
    for &(n, v) in &p.ctprs {
        if let Some(c) = cpu.ctpr.get_mut(n as usize) {
            *c = v;
        }
    }
    for &(n, v) in &p.states {
        state_write(cpu, n, v);
    }
    if p.strmd_dec {
        cpu.lsr = strmd_decremented(cpu.lsr);
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

/// LSR with its `strmd` field (bits 59:53) one less, not below 0.
pub fn strmd_decremented(lsr: u64) -> u64 {
    let strmd = lsr >> 53 & 0x7f;
    lsr & !(0x7f << 53) | strmd.saturating_sub(1) << 53
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
    mem: &GuestMemory,
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
    mem: &GuestMemory,
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
    mem: &GuestMemory,
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
        Some(Transfer::Call(target, wbs)) => call(cpu, mem, next, target, wbs)?,
        Some(Transfer::Syscall(entry, wbs)) => {
            if 2 * wbs > cpu.wd.size {
                return Err(bounds(WindowBounds {
                    index: 2 * wbs,
                    size: cpu.wd.size,
                    based: false,
                }));
            }
            cpu.ip = next;
            cpu.ctpr = [0; 4];
            return Ok(Some(Event::Syscall { entry, wbs }));
        }
        Some(Transfer::Return) => return_to_caller(cpu, mem)?,
    }
    Ok(None)
}

/// `return`: pops the caller's frame and goes back to it.
pub fn return_to_caller(cpu: &mut Cpu, mem: &GuestMemory) -> Result<(), Event> {
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
    Ok(())
}

/// `call` of `target` with `wbs`, returning to `return_ip`: saves the caller, opens
/// the callee's window.
pub fn call(
    cpu: &mut Cpu,
    mem: &GuestMemory,
    return_ip: u64,
    target: u64,
    wbs: u32,
) -> Result<(), Event> {
    if 2 * wbs > cpu.wd.size {
        return Err(bounds(WindowBounds {
            index: 2 * wbs,
            size: cpu.wd.size,
            based: false,
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
    cpu.ip = target;
    Ok(())
}

fn write(cpu: &mut Cpu, place: Place, ty: u8, value: u128, tag: u8) -> Result<(), Event> {
    // A 32-bit result with dbl = 0 replaces bits 31:0 and the low-half tag only.
    let ty = match ty {
        b'S' if !cpu.dbl_extends() => LOW_HALF,
        t => t,
    };
    let low = |old: Reg| Reg {
        lo: old.lo & !0xffff_ffff | value as u32 as u64,
        hi: old.hi,
        tag: old.tag & !0x3 | tag & 0x3,
    };
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
        Place::Reg(_) | Place::Based(_) => {
            let pos = match place {
                Place::Based(n) => cpu.based_pos(n),
                Place::Reg(n) => cpu.reg_pos(n),
                _ => return Ok(()),
            }
            .map_err(bounds)?;
            let r = if ty == LOW_HALF {
                low(cpu.regs.get(pos))
            } else {
                reg()
            };
            cpu.regs.set(pos, r);
        }
        Place::Global(n) => {
            let k = n as usize & 31;
            let r = if ty == LOW_HALF {
                low(Reg {
                    lo: cpu.globals[k],
                    hi: 0,
                    tag: cpu.global_tags[k],
                })
            } else {
                reg()
            };
            cpu.globals[k] = r.lo;
            cpu.global_tags[k] = r.tag;
        }
        // A %ctpr written by an ALU operation (movtd) holds a plain branch target.
        Place::Ctpr(n) => cpu.ctpr[n as usize & 3] = (value as u64 & 0xffff_ffff_ffff) | 3 << 54,
        Place::Pred(n) => cpu.set_pred_state(n, value & 1 != 0, tag != 0),
        Place::Const(_) | Place::Nowhere => {}
    }
    Ok(())
}
