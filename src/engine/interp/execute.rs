//! Phase 1 of a wide instruction: every operation runs its generated semantics against
//! the state from before the instruction, through `Cx`, the machine as semantics see
//! it; what they change is recorded in `Pending` for the commit.

use super::commit::{commit, Pending, Transfer, LOW_HALF};
use super::prepare::{Place, Prepared, PreparedOp};
use super::state_regs::{state_read, state_writable};
use crate::engine::event::{bounds, fault, mem_fault, trap_event, Event};
use crate::guest::cpu::Cpu;
use crate::guest::cpu::WaitLock;
use crate::guest::memory::{perm, Fault, GuestMemory};
use crate::guest::window::Reg;
use crate::isa;
use crate::isa::decode::Condition;
use crate::isa::mas::{self, Access};
use crate::isa::semantics::{Exec, OpVals, Trap, MERGE_SOURCES};

/// The value a speculative load from an inaccessible address (or another faulting
/// speculative operation) produces, with tags `DIAG_TAG`. Computed results with a D
/// input are poisoned instead (`POISON`).
pub const DIAG_VALUE: u64 = 0x4afa_fafa_4afa_fafa;
const DIAG_TAG: u8 = 0x5;
/// Bit 30 of every 32-bit word: what marks a poisoned (diagnostic) computed value.
const POISON: u128 = 0x4000_0000_4000_0000_4000_0000_4000_0000;

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
    /// The operation running is speculative under a D condition: its result is D and
    /// what it stores is poisoned.
    poison: bool,
    /// It wrote a state register under a D condition (SIGILL even when speculative).
    poisoned_state_write: bool,
    /// The operation running is speculative (`,sm`).
    sm: bool,
    /// Its 32-bit result replaces only the low half whatever WD.dbl (`low_half_only`).
    low_half: bool,
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
        let tagged = self.tagged_sources() && !self.tags_handled;
        if tagged && !self.sm {
            return Err(Trap::IllegalOperand);
        }
        // A speculative store with a D input or under a D condition stores its data
        // poisoned (memory keeps no tags).
        let value = if self.poison || tagged {
            value | POISON & crate::isa::bits::mask(bits)
        } else {
            value
        };
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
    fn store_masked(&mut self, addr: u128, mask: u128, value: u128) -> Result<u128, Trap> {
        if self.tagged_sources() && !self.tags_handled {
            return Err(Trap::IllegalOperand);
        }
        let value = if self.poison { value | POISON } else { value };
        match mas::store(self.mas) {
            Access::Privileged => return Err(Trap::Privileged),
            Access::NoOp => return Ok(0),
            Access::Plain { big_endian: false } => {}
            _ => return Err(Trap::Unimplemented),
        }
        let (addr, mask) = (addr as u64, mask as u16);
        if mask == 0 {
            return Ok(0);
        }
        let fault = |cx: &mut Self, f: Fault| {
            cx.fault = Some(f);
            Trap::MemoryFault(f.addr)
        };
        // ISA v5: the block is wholly writable, whatever the mask (checked first: an
        // aligned block never crosses a page), and 16-byte aligned.
        if self.cpu.iset.number() == 5 {
            self.mem.check_write(addr, 16).map_err(|f| fault(self, f))?;
            if addr % 16 != 0 {
                return Err(Trap::Unaligned);
            }
        }
        let bytes = (0..16u64).filter(|i| mask >> i & 1 != 0);
        for i in bytes.clone() {
            self.mem
                .check_write(addr + i, 1)
                .map_err(|f| fault(self, f))?;
        }
        for i in bytes {
            let b = value >> (8 * i) & 0xff;
            self.mem.store(addr + i, 8, b).map_err(|f| fault(self, f))?;
            self.note_code_store(addr + i, 8);
        }
        Ok(0)
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
    fn low_tag_only(&mut self, a0: u128) -> Result<u128, Trap> {
        if let Some(t) = self.src_tags.get_mut(a0 as usize) {
            t.1 &= 0x3;
        }
        Ok(0)
    }
    fn low_half_only(&mut self) -> Result<u128, Trap> {
        self.low_half = true;
        Ok(0)
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
        self.poisoned_state_write |= self.poison;
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
    fn apb_load(&mut self, a0: u128) -> Result<u128, Trap> {
        self.p.apb_load = Some(a0 as u64);
        Ok(0)
    }
    fn apb_area(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let a = &self.cpu.aau.apb;
        Ok(a[a0 as usize & 1].get(a1 as usize).copied().unwrap_or(0) as u128)
    }
    fn apb_cdi(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let c = &self.cpu.aau.cdi;
        Ok(c[a0 as usize & 1].get(a1 as usize).copied().unwrap_or(0) as u128)
    }
    fn apb_advance(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        let key = (a0 as u8 & 1, a1 as u8);
        if !self.p.apb_steps.iter().any(|s| (s.0, s.1) == key) {
            self.p.apb_steps.push((key.0, key.1, a2 as u32));
        }
        Ok(0)
    }
    fn readable(&mut self, a0: u128, a1: u128) -> Result<u128, Trap> {
        let ok = self
            .mem
            .slice(
                a0 as u64,
                u8_arg(a1) as usize,
                crate::guest::memory::Access::Read,
            )
            .is_ok();
        Ok(ok as u128)
    }
    fn iset(&mut self) -> Result<u128, Trap> {
        Ok(self.cpu.iset.number() as u128)
    }
    fn mova_write(&mut self, a0: u128, a1: u128, a2: u128, a3: u128) -> Result<u128, Trap> {
        let ty = if u8_arg(a1) > 8 { b'P' } else { b'D' };
        let place = super::prepare::dst_place(u8_arg(a0) as u8, ty).ok_or(Trap::IllegalOpcode)?;
        let tag = if a3 != 0 { DIAG_TAG } else { 0 };
        let value = if ty == b'D' {
            a2 & u64::MAX as u128
        } else {
            a2
        };
        self.p.results.push((place, ty, value, tag));
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
        // A D predicate as a condition faults, but not in a loop's prologue.
        if self.cpu.pred_tag(n) && self.cpu.lsr >> 48 & 0x1f == 0 {
            return Err(Trap::IllegalOperand);
        }
        Ok(self.cpu.pred(n) as u128)
    }
    fn pred_value(&mut self, a0: u128) -> Result<u128, Trap> {
        Ok(self.cpu.pred(u8_arg(a0)) as u128)
    }
    fn pred_tag(&mut self, a0: u128) -> Result<u128, Trap> {
        Ok(self.cpu.pred_tag(u8_arg(a0)) as u128)
    }
    fn pred_write(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        self.p.preds.push((u8_arg(a0), a1 != 0, a2 != 0));
        Ok(0)
    }
    fn local_pred(&mut self, a0: u128) -> Result<u128, Trap> {
        let p = self.p.local_preds.get(u8_arg(a0) as usize);
        Ok(p.is_some_and(|p| p.0) as u128)
    }
    fn local_pred_tag(&mut self, a0: u128) -> Result<u128, Trap> {
        let p = self.p.local_preds.get(u8_arg(a0) as usize);
        Ok(p.is_some_and(|p| p.1) as u128)
    }
    fn local_pred_write(&mut self, a0: u128, a1: u128, a2: u128) -> Result<u128, Trap> {
        if let Some(p) = self.p.local_preds.get_mut(u8_arg(a0) as usize) {
            *p = (a1 != 0, a2 != 0);
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
        Place::Based(n) => cpu.regs.get(cpu.based_pos(n).map_err(bounds)?),
        Place::Global(n) => Reg {
            lo: cpu.globals[n as usize & 31],
            hi: 0,
            tag: cpu.global_tags[n as usize & 31],
        },
        Place::Pred(n) => {
            let tag = if cpu.pred_tag(n) { DIAG_TAG } else { 0 };
            return Ok((cpu.pred(n) as u128, tag & tag_mask(ty)));
        }
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

/// Whether a condition holds, and whether it is D (a %pred with its tag set).
fn condition(cpu: &Cpu, c: Condition) -> Result<(bool, bool), Event> {
    let (v, d) = match (c.pred(), c.pcnt()) {
        (Some(p), _) => (cpu.pred(p as u32), cpu.pred_tag(p as u32)),
        // %pcntN: the loop's prologue counter has reached N.
        (_, Some(n)) => ((cpu.lsr >> 48 & 0x1f) <= n as u64, false),
        _ => return Err(fault(nix::libc::SIGILL, "invalid predicate in a condition")),
    };
    Ok((v != c.negated, d))
}

fn condition_holds(cpu: &Cpu, c: Condition) -> Result<bool, Event> {
    Ok(condition(cpu, c)?.0)
}

/// Whether an operation runs under its RLP conditions while some %pred is D: `None`
/// if it is skipped, else whether a D predicate guards it. A false `%pcntN` part skips
/// it without looking at the predicate's tag (the loop prologue's exemption), and so
/// does any false condition that is not D.
fn guard(cpu: &Cpu, op: &PreparedOp) -> Result<Option<bool>, Event> {
    for c in op.rlp.iter().filter(|c| c.pcnt().is_some()) {
        if !condition_holds(cpu, *c)? {
            return Ok(None);
        }
    }
    let mut d = false;
    for c in &op.rlp {
        let (v, t) = condition(cpu, *c)?;
        if !t && !v {
            return Ok(None);
        }
        d |= t;
    }
    Ok(Some(d))
}

fn d_condition() -> Event {
    Event::Fault {
        signal: nix::libc::SIGILL,
        code: 2,
        addr: 0,
        why: "illegal operand (a diagnostic predicate as a condition)".into(),
    }
}

/// With some %pred D, before anything runs: a D predicate as the condition of a
/// non-speculative operation or merge, of a %ctpr write, or of a control transfer
/// (the control operations run against scratch state to find out) is SIGILL.
fn check_d_conditions(cpu: &Cpu, mem: &GuestMemory, prep: &Prepared) -> Result<(), Event> {
    let suppressed = prep.lm_stores && super::prepare::loop_stores(cpu.lsr).0;
    for op in &prep.ops {
        if suppressed && op.lm_store {
            continue;
        }
        let Some(d) = guard(cpu, op)? else {
            continue;
        };
        let md = match (op.mrgc, op.cond_slot) {
            (Some(c), Some(_)) => condition(cpu, c)?.1,
            _ => false,
        };
        let ctpr = matches!(op.dst, Some((_, Place::Ctpr(_), _)));
        if (d || md) && (!op.sm || ctpr) {
            return Err(d_condition());
        }
    }
    let mut scratch = Pending::default();
    let mut cx = Cx::new(cpu, mem, &mut scratch);
    for &(k, i) in &prep.ctls {
        if let Some(exec) = isa::CTLS[k as usize].exec {
            if exec(&prep.decoded.bundle, prep.decoded.addr, i, &mut cx)
                == Err(Trap::IllegalOperand)
            {
                return Err(d_condition());
            }
        }
    }
    Ok(())
}

/// What `step` asks of its caller.
pub enum Step {
    /// The instruction completed; continue.
    Next,
    /// Stop here: a system call to serve (then call `finish_syscall`) or a fault.
    Event(Event),
}

impl<'a> Cx<'a> {
    fn new(cpu: &'a Cpu, mem: &'a GuestMemory, p: &'a mut Pending) -> Cx<'a> {
        Cx {
            cpu,
            mem,
            p,
            src_tags: [(0, 0); 4],
            tags_handled: false,
            result_tag: None,
            code_written: false,
            fault: None,
            mas: 0,
            ch: 0,
            mlock: false,
            poison: false,
            poisoned_state_write: false,
            sm: false,
            low_half: false,
        }
    }
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
    // Some %pred is D (rare): the conditions that must not be D are checked first.
    let tagged_preds = cpu.pred_tags != 0;
    if tagged_preds {
        check_d_conditions(cpu, mem, prep)?;
    }
    let (suppressed, strmd_dec) = if prep.lm_stores {
        super::prepare::loop_stores(cpu.lsr)
    } else {
        (false, false)
    };
    pending.strmd_dec = strmd_dec;
    let mut cx = Cx::new(cpu, mem, &mut pending);
    // Phase 1: every operation reads the old state.
    for op in &prep.ops {
        if suppressed && op.lm_store {
            continue;
        }
        let mut poison = false;
        if tagged_preds {
            match guard(cx.cpu, op)? {
                None => continue,
                // Speculative under a D predicate: runs as if it held, its result D.
                Some(d) => poison = d,
            }
        } else {
            let mut run_it = true;
            for c in &op.rlp {
                run_it &= condition_holds(cx.cpu, *c)?;
            }
            if !run_it {
                continue;
            }
        }
        let mut v = OpVals::default();
        for (s, x) in &op.fixed {
            *v.slot_mut(*s) = *x;
        }
        // A merge reads the tags of the operands it selects only.
        let mut tag_slots = u64::MAX;
        if let (Some(c), Some(s)) = (op.mrgc, op.cond_slot) {
            // A speculative merge under a D condition gives D.
            let (holds, d) = condition(cx.cpu, c)?;
            *v.slot_mut(s) = holds as u128;
            poison |= d;
            tag_slots = MERGE_SOURCES[op.op as usize][holds as usize];
        }
        if let Some(s) = op.amc_slot {
            let mut holds = true;
            for c in &op.amc {
                holds &= condition_holds(cx.cpu, *c)?;
            }
            *v.slot_mut(s) = holds as u128;
        }
        cx.src_tags = [(0, 0); 4];
        cx.mas = op.mas;
        cx.ch = op.ch;
        cx.tags_handled = false;
        cx.result_tag = None;
        cx.poison = poison;
        cx.sm = op.sm;
        cx.low_half = false;
        for (k, (s, place, ty)) in op.srcs.iter().enumerate() {
            let (val, mut tag) = read(cx.cpu, *place, *ty)?;
            if tag_slots >> *s & 1 == 0 {
                tag = 0;
            }
            *v.slot_mut(*s) = val;
            if k < 4 {
                cx.src_tags[k] = (val, tag);
            }
        }
        let outcome = (op.sem)(&mut cx, &mut v);
        let tagged_input = cx.tagged_sources() && !cx.tags_handled;
        if cx.poisoned_state_write {
            return Err(d_condition());
        }
        // A speculative operation with a D input or under a D condition gives the
        // value computed from the operands as stored, poisoned (T2); one that fails
        // gives 0 poisoned (division by zero) or the fixed D value (a load from an
        // inaccessible address).
        let (tag, failed, poisoned) = match outcome {
            Ok(()) if tagged_input && !op.sm => return Err(trap_event(Trap::IllegalOperand)),
            Ok(()) if tagged_input || poison => (DIAG_TAG, false, true),
            Ok(()) => (cx.result_tag.unwrap_or(0), false, false),
            Err(Trap::DivByZero) if op.sm => {
                if let Some((s, _, _)) = op.dst {
                    *v.slot_mut(s) = 0;
                }
                (DIAG_TAG, false, true)
            }
            Err(_) if op.sm => (DIAG_TAG, true, false),
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
            } else if poisoned {
                v.slot(s) | POISON & crate::isa::bits::mask(width_of(ty))
            } else {
                v.slot(s)
            };
            let tag = tag & tag_mask(ty);
            let ty = if ty == b'S' && cx.low_half {
                LOW_HALF
            } else {
                ty
            };
            cx.p.results.push((place, ty, value, tag));
        }
        if let Some((s, n)) = op.pdst {
            // A speculative compare that read a D operand, or ran under a D condition,
            // writes a D predicate.
            cx.p.preds.push((n, v.slot(s) & 1 != 0, failed || poisoned));
        }
    }
    // Control operations' memory accesses (mova) are plain.
    cx.mas = 0;
    cx.ch = 0;
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
