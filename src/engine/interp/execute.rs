//! Phase 1 of a wide instruction: every operation runs its generated semantics against
//! the state from before the instruction, through `Cx`, the machine as semantics see
//! it; what they change is recorded in `Pending` for the commit.

use super::commit::{commit, Pending, Transfer};
use super::prepare::{Place, Prepared};
use super::state_regs::{state_read, state_writable};
use crate::engine::event::{bounds, fault, mem_fault, trap_event, Event};
use crate::guest::cpu::Cpu;
use crate::guest::cpu::WaitLock;
use crate::guest::memory::{perm, Fault, GuestMemory};
use crate::guest::window::Reg;
use crate::isa;
use crate::isa::decode::Condition;
use crate::isa::mas::{self, Access};
use crate::isa::semantics::{Exec, OpVals, Trap};

/// The value a faulting speculative operation produces (with tags `DIAG_TAG`).
pub const DIAG_VALUE: u64 = 0x4afa_fafa_4afa_fafa;
const DIAG_TAG: u8 = 0x5;

/// The machine as one wide instruction's semantics see it.
struct Cx<'a> {
    cpu: &'a Cpu,
    mem: &'a GuestMemory,
    p: &'a mut Pending,
    /// Tags of the current operation's sources, by value, and whether it dealt with them.
    src_tags: [(u128, u8); 4],
    tags_handled: bool,
    result_tag: Option<u8>,
    /// A store went to a page holding code.
    code_written: bool,
    /// The last memory fault, with its cause.
    fault: Option<Fault>,
    /// MAS and channel of the operation running.
    mas: u8,
    ch: u8,
    /// `%MLOCK` of this instruction: a conditional store failed or a check load ran.
    mlock: bool,
}

impl Cx<'_> {
    fn tagged_sources(&self) -> bool {
        self.src_tags.iter().any(|t| t.1 != 0)
    }

    fn note_code_store(&mut self, addr: u64, bits: u32) {
        if self.mem.page_perm(addr) & perm::CODE != 0
            || self.mem.page_perm(addr + (bits / 8) as u64 - 1) & perm::CODE != 0
        {
            self.code_written = true;
        }
    }
}

/// A value in the byte order the access asks for.
fn ordered(access: Access, v: u128, bits: u32) -> u128 {
    match access {
        Access::Plain { big_endian: true }
        | Access::WaitLock { big_endian: true }
        | Access::WaitUnlock { big_endian: true }
        | Access::DamCheck { big_endian: true } => v.swap_bytes() >> (128 - bits),
        _ => v,
    }
}

fn u8_arg(v: u128) -> u32 {
    (v & 0xff) as u32
}

impl Exec for Cx<'_> {
    fn load(&mut self, addr: u64, bits: u32) -> Result<u128, Trap> {
        let access = mas::load(self.mas, self.ch);
        let raw = match access {
            Access::Privileged => return Err(Trap::Privileged),
            Access::NoOp => return Ok(0),
            _ => self.mem.load(addr, bits).map_err(|f| {
                self.fault = Some(f);
                Trap::MemoryFault(f.addr)
            })?,
        };
        match access {
            Access::WaitLock { .. } => {
                self.p.wait_lock = Some(Some(WaitLock {
                    addr,
                    bits,
                    value: raw,
                }))
            }
            // Conservative disambiguation: always take the compensation path.
            Access::DamCheck { .. } => self.mlock = true,
            _ => {}
        }
        Ok(ordered(access, raw, bits))
    }
    fn store(&mut self, addr: u64, bits: u32, value: u128) -> Result<u128, Trap> {
        if self.tagged_sources() && !self.tags_handled {
            return Err(Trap::IllegalOperand);
        }
        let access = mas::store(self.mas);
        match access {
            Access::Privileged => return Err(Trap::Privileged),
            Access::NoOp => return Ok(0),
            Access::WaitUnlock { .. } => {
                // Lands only if the location still holds what the lock load read: a
                // host compare-and-swap, so that it is atomic against other threads.
                self.p.wait_lock = Some(None);
                let held = self
                    .cpu
                    .wait_lock
                    .filter(|l| l.addr == addr && l.bits == bits);
                let landed = match held {
                    None => false,
                    Some(l) => self
                        .mem
                        .compare_store(addr, bits, l.value, ordered(access, value, bits))
                        .map_err(|f| {
                            self.fault = Some(f);
                            Trap::MemoryFault(f.addr)
                        })?,
                };
                if !landed {
                    self.mlock = true;
                    return Ok(0);
                }
                self.note_code_store(addr, bits);
                return Ok(0);
            }
            _ => {}
        }
        let value = ordered(access, value, bits);
        self.mem.store(addr, bits, value).map_err(|f| {
            self.fault = Some(f);
            Trap::MemoryFault(f.addr)
        })?;
        self.note_code_store(addr, bits);
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
        state_read(self.cpu, self.mem, u8_arg(a0) as u8).map(u128::from)
    }
    fn state_write(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let n = u8_arg(a0) as u8;
        if !state_writable(n) {
            return Err(Trap::Privileged);
        }
        self.p.states.push((n, a1 as u64));
        Ok(0)
    }
    fn mlock(&mut self) -> Result<u128, Trap> {
        Ok(self.mlock as u128)
    }
    fn cctop(&mut self, _: u128, _: u128) -> Result<u128, Trap> {
        Err(Trap::Unimplemented)
    }
    fn pfpfr(&self) -> u32 {
        self.cpu.pfpfr as u32
    }
    fn raise_pfpfr(&mut self, flags: u32) {
        self.p.fp_flags |= flags;
    }
    fn aau_read(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        self.cpu
            .aau
            .read(a0 as u8, a1 as u8)
            .map(u128::from)
            .ok_or(Trap::IllegalOperand)
    }
    fn aau_write(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        self.p.aau.push((a0 as u8, a1 as u8, a2 as u64));
        Ok(0)
    }
    fn fpcr(&self) -> u32 {
        self.cpu.fpcr as u32
    }
    fn raise_fpsr(&mut self, flags: u32) {
        self.p.fpx_flags |= flags;
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
        Place::Const(v) => return Ok((v & crate::isa::bits::mask(width_of(ty)), 0)),
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
pub fn step(cpu: &mut Cpu, mem: &GuestMemory, prep: &Prepared, code_written: &mut bool) -> Step {
    match run(cpu, mem, prep, code_written) {
        Ok(None) => Step::Next,
        Ok(Some(e)) | Err(e) => Step::Event(e),
    }
}

fn run(
    cpu: &mut Cpu,
    mem: &GuestMemory,
    prep: &Prepared,
    code_written: &mut bool,
) -> Result<Option<Event>, Event> {
    // Outside `Cx` so that the commit reads it in place (it is a few hundred bytes).
    let mut pending = Pending::default();
    let mut cx = Cx {
        cpu,
        mem,
        p: &mut pending,
        src_tags: [(0, 0); 4],
        tags_handled: false,
        result_tag: None,
        code_written: false,
        fault: None,
        mas: 0,
        ch: 0,
        mlock: false,
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
        cx.mas = op.mas;
        cx.ch = op.ch;
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
    for &(k, i) in &prep.ctls {
        let c = &isa::CTLS[k as usize];
        let Some(exec) = c.exec else {
            return Err(fault(
                nix::libc::SIGILL,
                format!(
                    "`{}` is not implemented by e2k-emu (no semantics in {})",
                    c.name, c.src
                ),
            ));
        };
        if let Err(t) = exec(&prep.decoded.bundle, prep.decoded.addr, i, &mut cx) {
            return Err(trap_event(t));
        }
    }
    *code_written |= cx.code_written;
    commit(cpu, mem, prep, &pending)
}
