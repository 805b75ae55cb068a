//! Calls and returns that stay in compiled code. A `call` to a known procedure calls
//! the callee's translation natively (the host stack holds the guest's nesting), and
//! the callee's `return` comes back to the caller's translation, which goes on after
//! the call without the dispatcher. Compiled code pushes and pops the chain-stack
//! frame and moves the window itself (in `JitState`) when nothing unusual is in the
//! way: no register spill or fill, room and a mapped page on the chain stack, an
//! untagged predicate file, a known callee. Otherwise these helpers run the
//! interpreter's control code on the machine, and compiled code reloads what they
//! changed; both ways leave the same state.
//!
//! The translation of the instruction after a call holds only for the window it was
//! translated for; a return reports the window it restored (`JitState::wd_size`), and
//! anything but a return to there goes back up to the dispatcher unchanged.

use crate::engine::interp;
use crate::engine::jit::ir::{global_flags, Event, Lx, NoLower, LV, REG_SIZE};
use crate::engine::jit::state::{
    off, JitState, EXIT_AT, EXIT_EVENT, EXIT_FLAGS, EXIT_INTERPRET, EXIT_RETURNED,
};
use crate::guest::chain::FRAME_BYTES;
use crate::guest::memory::perm;
use crate::guest::window::RESIDENT;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, InstBuilder, MemFlags, SigRef, Signature, Type, Value,
};

/// Calls nested on the host stack at most (each holds a compiled block's frame).
pub const MAX_DEPTH: u32 = 96;

/// What `call` returns besides the callee's code: the call was not made (compiled
/// code hands it to the dispatcher as before), or it was and compiled code returns
/// `JitState::exit_code`.
pub const NOT_MADE: usize = 0;
pub const MADE: usize = 1;

/// The `call` of the instruction at `ip` to `target` with `wbs`, returning to `next`
/// (the instruction's results have landed and compiled code stored its state): enters
/// the callee and gives its translation (`*link` caches it: the callee's key is known
/// when the caller is translated), or `NOT_MADE` / `MADE`.
///
/// # Safety
/// `st` is the `JitState` of the running block (its `cpu`, `gmem` and `jit` valid);
/// `link` is a link cell of the caller's translation.
pub unsafe extern "C" fn call(
    st: *mut JitState,
    ip: u64,
    target: u64,
    wbs: u32,
    next: u64,
    link: *mut usize,
) -> usize {
    // SAFETY: the caller's contract; the dispatcher does not touch the machine or the
    // JIT while compiled code runs.
    let st = unsafe { &mut *st };
    let (cpu, mem) = unsafe { (&mut *st.cpu, &*st.gmem) };
    // The deepest calls are the dispatcher's; a call that faults comes back as
    // `EXIT_EVENT` below.
    if st.depth >= MAX_DEPTH {
        return NOT_MADE;
    }
    st.sync_to(cpu);
    let r = interp::call(cpu, mem, next, target, wbs);
    st.refresh_from(cpu, mem);
    if let Err(e) = r {
        st.pending = Some(e);
        st.exit_code = ip | EXIT_EVENT;
        return MADE;
    }
    st.calls += 1;
    st.exit_code = target;
    if crate::engine::interrupt::requested() {
        return MADE;
    }
    // SAFETY: the cell lives as long as the translation holding its address.
    let f = match unsafe { *link } {
        0 => match unsafe { (st.lookup)(st.jit, mem, cpu) } {
            0 => return MADE,
            f => {
                unsafe { *link = f };
                f
            }
        },
        f => f,
    };
    st.depth += 1;
    st.nested_runs += 1;
    f
}

/// The `return` of the instruction at `ip`: pops the caller's frame, restores its
/// window, and gives the result compiled code returns (the caller's continuation with
/// `EXIT_RETURNED`, or `EXIT_EVENT` at `ip` for a fault).
///
/// # Safety
/// As `call`.
pub unsafe extern "C" fn ret(st: *mut JitState, ip: u64) -> u64 {
    // SAFETY: as in `call`.
    let st = unsafe { &mut *st };
    let (cpu, mem) = unsafe { (&mut *st.cpu, &*st.gmem) };
    st.sync_to(cpu);
    let r = interp::return_to_caller(cpu, mem);
    st.refresh_from(cpu, mem);
    match r {
        Ok(()) if cpu.ip & EXIT_FLAGS == 0 => {
            st.returns += 1;
            cpu.ip | EXIT_RETURNED
        }
        Ok(()) => {
            st.exit_code = cpu.ip;
            EXIT_AT
        }
        Err(e) => {
            st.pending = Some(e);
            ip | EXIT_EVENT
        }
    }
}

impl Lx<'_> {
    /// A `return` (the instruction's only control change) made here by `ret`, where
    /// its condition holds; `Some(ends)` if lowered so (`ends`: this path ends).
    pub(super) fn return_in_code(&mut self) -> Result<Option<bool>, NoLower> {
        let Some(stay) = self.returning() else {
            return Ok(None);
        };
        let ends = stay.is_none();
        let size = self.wd_size;
        self.store_state(size);
        let slow = self.b.create_block();
        self.pop_frame(slow);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        self.return_by_helper();
        if let Some(stay) = stay {
            self.b.switch_to_block(stay);
        }
        Ok(Some(ends))
    }

    /// If the current instruction's only control change is a `return`: the builder
    /// on the path where it happens, and the block where the path goes on if it is
    /// conditional (None: it always happens, this path ends).
    pub(super) fn returning(&mut self) -> Option<Option<Block>> {
        let [(c, Event::Return)] = self.events[..] else {
            return None;
        };
        if !matches!(self.transfer, None | Some((LV::C(0), _))) {
            return None;
        }
        if matches!(c, LV::C(k) if k != 0) {
            return Some(None);
        }
        let stay = self.b.create_block();
        let f = self.value(c);
        let away = self.b.create_block();
        self.b.ins().brif(f, away, &[], stay, &[]);
        self.b.switch_to_block(away);
        Some(Some(stay))
    }

    /// The callee and wbs of the current instruction's call if compiled code may
    /// make it itself: an unconditional call to a known procedure (its only control
    /// change) inside the window, neither end a debugger's stop.
    pub(super) fn known_call(&self, next: u64) -> Option<(u64, u32)> {
        let [(LV::C(k), Event::Call(LV::C(target), wbs))] = self.events[..] else {
            return None;
        };
        let target = target as u64;
        (k != 0
            && matches!(self.transfer, None | Some((LV::C(0), _)))
            && 2 * wbs <= self.wd_size
            && target & EXIT_FLAGS == 0
            && !self.stops.contains(&target)
            && !self.stops.contains(&next))
        .then_some((target, wbs))
    }

    /// Ends the path with the `return` made by `ret` (the state stored already).
    pub(super) fn return_by_helper(&mut self) {
        let sig = self.helper_signature(&[types::I64; 2]);
        let f = self
            .b
            .ins()
            .iconst(types::I64, ret as *const () as usize as i64);
        let ip = self.b.ins().iconst(types::I64, self.pc as i64);
        let call = self.b.ins().call_indirect(sig, f, &[self.state, ip]);
        let code = self.b.inst_results(call)[0];
        self.b.ins().return_(&[code]);
    }

    /// An unconditional `call` to a known procedure (the instruction's only control
    /// change) made by `call`, the callee's translation called natively and, if it
    /// returns here, its effects reloaded. Leaves the builder where the call was not
    /// made (for the dispatcher's way) and gives the block where it returned.
    pub(super) fn call_in_code(&mut self, next: u64) -> Result<Option<Block>, NoLower> {
        let Some((target, wbs)) = self.known_call(next) else {
            return Ok(None);
        };
        let size = self.wd_size;
        let link = self.new_link();
        self.seen.call_sites.insert(self.pc);
        self.store_state(size);
        let t = MemFlags::trusted();
        let [slow, nested] = [(); 2].map(|_| self.b.create_block());
        let callee = self.b.append_block_param(nested, types::I64);
        self.push_frame(wbs, next, link, slow, nested);
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let sig = self.helper_signature(&[
            types::I64,
            types::I64,
            types::I64,
            types::I32,
            types::I64,
            types::I64,
        ]);
        let f = self
            .b
            .ins()
            .iconst(types::I64, call as *const () as usize as i64);
        let args = [
            self.state,
            self.b.ins().iconst(types::I64, self.pc as i64),
            self.b.ins().iconst(types::I64, target as i64),
            self.b.ins().iconst(types::I32, wbs as i64),
            self.b.ins().iconst(types::I64, next as i64),
            self.b.ins().iconst(types::I64, link),
        ];
        let call = self.b.ins().call_indirect(sig, f, &args);
        let found = self.b.inst_results(call)[0];
        let [not_made, made, back, after] = [(); 4].map(|_| self.b.create_block());
        let none = self.b.ins().icmp_imm(IntCC::Equal, found, NOT_MADE as i64);
        let other = self.b.create_block();
        self.b.ins().brif(none, not_made, &[], other, &[]);
        self.b.switch_to_block(other);
        let only = self.b.ins().icmp_imm(IntCC::Equal, found, MADE as i64);
        self.b
            .ins()
            .brif(only, made, &[], nested, &[BlockArg::Value(found)]);
        // Made, but no translation to call: the dispatcher goes on.
        self.b.switch_to_block(made);
        let code = self.b.ins().load(types::I64, t, self.state, off::EXIT_CODE);
        self.b.ins().return_(&[code]);
        // The callee's translation runs (and what it calls) until it returns here, or
        // something else happens that goes up to the dispatcher as it is.
        self.b.switch_to_block(nested);
        let sig = self.block_signature();
        let run = self.b.ins().call_indirect(sig, callee, &[self.state]);
        let code = self.b.inst_results(run)[0];
        let d = self.b.ins().load(types::I32, t, self.state, off::DEPTH);
        let d = self.b.ins().iadd_imm(d, -1);
        self.b.ins().store(t, d, self.state, off::DEPTH);
        let here = self
            .b
            .ins()
            .icmp_imm(IntCC::Equal, code, (next | EXIT_RETURNED) as i64);
        let w = self.b.ins().load(types::I32, t, self.state, off::WD_SIZE);
        let same = self.b.ins().icmp_imm(IntCC::Equal, w, size as i64);
        let ok = self.b.ins().band(here, same);
        self.b.ins().brif(ok, back, &[], after, &[]);
        self.b.switch_to_block(after);
        self.b.ins().return_(&[code]);
        self.b.switch_to_block(not_made);
        Ok(Some(back))
    }

    /// After a call returned here: the registers, predicates, %ctpr (all zero now),
    /// LSR, stack pointer and count as the callee and the return left them; a tagged
    /// register or predicate leaves for the interpreter at `next`.
    pub(super) fn reload_after_call(&mut self, next: u64) {
        let t = MemFlags::trusted();
        let s = self.state;
        let p = self.b.ins().load(types::I64, t, s, off::REGS);
        self.b.def_var(self.regs_ptr, p);
        let tags = self.b.ins().load(types::I32, t, s, off::PRED_TAGS);
        let mut tags = self.b.ins().uextend(types::I64, tags);
        // (Inlined callers' registers, below the window, are as they were.)
        let size = self.wd_size;
        if let Some(regs) = self.load_window_registers(0, size) {
            tags = self.b.ins().bor(tags, regs);
        }
        for n in self.globals_checked.clone() {
            let tag = self
                .b
                .ins()
                .uload8(types::I64, t, self.global_tags, n as i32);
            tags = self.b.ins().bor(tags, tag);
        }
        // The callee may have changed the globals kept in variables.
        for (n, var) in self.gvars.clone() {
            let v = self
                .b
                .ins()
                .load(types::I64, global_flags(), self.globals, n as i32 * 8);
            self.b.def_var(var, v);
        }
        let v = self.b.ins().load(types::I32, t, s, off::PREDS);
        self.b.def_var(self.preds, v);
        for k in 0..4 {
            let v = self
                .b
                .ins()
                .load(types::I64, t, s, off::CTPR + 8 * k as i32);
            self.b.def_var(self.ctpr[k], v);
        }
        for (var, o) in [
            (self.lsr, off::LSR),
            (self.executed, off::EXECUTED),
            (self.sp, off::SP),
        ] {
            let v = self.b.ins().load(types::I64, t, s, o);
            self.b.def_var(var, v);
        }
        self.reload_window_state();
        self.ctpr_known = [None; 4];
        let away = self.b.create_block();
        let stay = self.b.create_block();
        self.b.set_cold_block(away);
        self.b.ins().brif(tags, away, &[], stay, &[]);
        self.b.switch_to_block(away);
        let code = self
            .b
            .ins()
            .iconst(types::I64, (next | EXIT_INTERPRET) as i64);
        self.leave_with(code);
        self.b.switch_to_block(stay);
    }

    /// Goes to `slow` unless `bad` is zero.
    pub(super) fn slow_if(&mut self, bad: Value, slow: Block) {
        let go_on = self.b.create_block();
        self.b.ins().brif(bad, slow, &[], go_on, &[]);
        self.b.switch_to_block(go_on);
    }

    /// The guest memory's host address of the chain-stack frame at `addr` (`room`
    /// bytes of the stack, which lie inside guest memory, hold it), or `slow` if its
    /// page is not mapped.
    pub(super) fn frame_host(&mut self, addr: Value, slow: Block) -> Value {
        let p = self.page_perm(addr);
        let mapped = self.b.ins().band_imm(p, perm::MAPPED as i64);
        let unmapped = self.b.ins().icmp_imm(IntCC::Equal, mapped, 0);
        self.slow_if(unmapped, slow);
        self.host_address(addr)
    }

    /// Adds one to the `u64` counter at offset `o` of `JitState`.
    fn bump(&mut self, o: i32) {
        let t = MemFlags::trusted();
        let n = self.b.ins().load(types::I64, t, self.state, o);
        let n = self.b.ins().iadd_imm(n, 1);
        self.b.ins().store(t, n, self.state, o);
    }

    /// `call` with `wbs` returning to `next`, as `interp::call` makes it, where no
    /// spill, chain-stack growth or lookup is needed: pushes the caller's frame,
    /// opens the callee's window and jumps to `nested` with the callee's code (from
    /// the link cell at `link`); else goes to `slow`, nothing changed.
    fn push_frame(&mut self, wbs: u32, next: u64, link: i64, slow: Block, nested: Block) {
        let t = MemFlags::trusted();
        let s = self.state;
        let depth = self.b.ins().load(types::I32, t, s, off::DEPTH);
        let deep =
            self.b
                .ins()
                .icmp_imm(IntCC::UnsignedGreaterThanOrEqual, depth, MAX_DEPTH as i64);
        let cell = self.b.ins().iconst(types::I64, link);
        let callee = self.b.ins().load(types::I64, t, cell, 0);
        let unknown = self.b.ins().icmp_imm(IntCC::Equal, callee, 0);
        let pending = self.signal_pending();
        let pending = self.b.ins().icmp_imm(IntCC::NotEqual, pending, 0);
        let ind = self.b.ins().load(types::I64, t, s, off::PCS_IND);
        let room = self.b.ins().load(types::I64, t, s, off::PCS_ROOM);
        let top = self.b.ins().iadd_imm(ind, FRAME_BYTES as i64);
        let full = self.b.ins().icmp(IntCC::UnsignedGreaterThan, top, room);
        // The callee's window ends where the caller's does: a spill is due if more
        // than the hardware file is resident.
        let first = self.b.ins().load(types::I64, t, s, off::REGS_FIRST);
        let end = self.b.ins().load(types::I64, t, s, off::REGS_END);
        let held = self.b.ins().isub(end, first);
        let spill = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedGreaterThan, held, RESIDENT as i64);
        let mut bad = self.b.ins().bor(deep, unknown);
        for c in [pending, full, spill] {
            bad = self.b.ins().bor(bad, c);
        }
        self.slow_if(bad, slow);
        let base = self.b.ins().load(types::I64, t, s, off::PCS_BASE);
        let addr = self.b.ins().iadd(base, ind);
        let host = self.frame_host(addr, slow);
        let psize = self.b.ins().load(types::I32, t, s, off::WD_PSIZE);
        let fx = self.b.ins().uload8(types::I64, t, s, off::WD_FX);
        let words = self.call_frame(wbs, next, psize, fx);
        for (k, w) in words.into_iter().enumerate() {
            self.b.ins().store(t, w, host, 8 * k as i32);
        }
        self.b.ins().store(t, top, s, off::PCS_IND);
        // The callee's window: from the caller's %r(2 * wbs) to its end.
        let size = self.wd_size - 2 * wbs;
        let wb = self.b.ins().load(types::I64, t, s, off::WD_BASE);
        let wb = self.b.ins().iadd_imm(wb, 2 * wbs as i64);
        self.b.ins().store(t, wb, s, off::WD_BASE);
        let sz = self.b.ins().iconst(types::I32, size as i64);
        self.b.ins().store(t, sz, s, off::WD_SIZE);
        self.b.ins().store(t, sz, s, off::WD_PSIZE);
        let regs = self.b.use_var(self.regs_ptr);
        let regs = self.b.ins().iadd_imm(regs, 2 * wbs as i64 * REG_SIZE);
        self.b.ins().store(t, regs, s, off::REGS);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.ins().store(t, zero, s, off::BR);
        for k in 0..4 {
            self.b.ins().store(t, zero, s, off::CTPR + 8 * k);
        }
        let depth = self.b.ins().iadd_imm(depth, 1);
        self.b.ins().store(t, depth, s, off::DEPTH);
        self.bump(off::CALLS);
        self.bump(off::NESTED_RUNS);
        self.b.ins().jump(nested, &[BlockArg::Value(callee)]);
    }

    /// The chain-stack frame a `call` with `wbs` returning to `next` saves
    /// (`chain::call_frame`), from the state compiled code has; `psize` (i32) and
    /// `fx` (i64) are the caller's parameter size and WD.fx.
    pub(super) fn call_frame(
        &mut self,
        wbs: u32,
        next: u64,
        psize: Value,
        fx: Value,
    ) -> [Value; 4] {
        let preds = self.b.use_var(self.preds);
        let (used, _) = self.stack_in_use();
        let (dbl, br) = (self.dbl, self.br.pack());
        self.frame_words(preds, next, wbs, psize, fx, dbl, br, used)
    }

    /// The data stack's bytes in use (the stack pointer above its limit), and the
    /// stack pointer a `return` restores from a frame saving them.
    pub(super) fn stack_in_use(&mut self) -> (Value, Value) {
        let t = MemFlags::trusted();
        let sp = self.b.use_var(self.sp);
        let limit = self
            .b
            .ins()
            .load(types::I64, t, self.state, off::STACK_LIMIT);
        let used = self.b.ins().isub(sp, limit);
        let kept = self.b.ins().band_imm(used, 0xfff_ffff << 4);
        (used, self.b.ins().iadd(limit, kept))
    }

    /// The four words of a frame (`chain::Frame::words`): the caller's predicates
    /// (i32, untagged in compiled code), return address, wbs, parameter size (i32),
    /// WD.fx (i64), WD.dbl, rotation (packed) and data-stack bytes in use.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn frame_words(
        &mut self,
        preds: Value,
        next: u64,
        wbs: u32,
        psize: Value,
        fx: Value,
        dbl: bool,
        br: u64,
        used: Value,
    ) -> [Value; 4] {
        // CR0.lo: the predicates, value bits even.
        let preds = self.b.ins().uextend(types::I64, preds);
        let w0 = spread_even(self, preds);
        let w1 = self.b.ins().iconst(types::I64, next as i64);
        // CR1.lo: wbs, the caller's parameter size in quad registers, WD.fx.
        let psize64 = self.b.ins().uextend(types::I64, psize);
        let wpsz = self.b.ins().ushr_imm(psize64, 1);
        let wpsz = self.b.ins().band_imm(wpsz, 0x7f);
        let wpsz = self.b.ins().ishl_imm(wpsz, 26);
        let fx_bit = self.b.ins().ishl_imm(fx, 25);
        let w2 = self.b.ins().bor(wpsz, fx_bit);
        let w2 = self.b.ins().bor_imm(w2, ((wbs as i64) & 0x7f) << 33);
        // CR1.hi: BR, WD.dbl, the data stack's size in use / 16.
        let ussz = self.b.ins().ushr_imm(used, 4);
        let ussz = self.b.ins().band_imm(ussz, 0xfff_ffff);
        let ussz = self.b.ins().ishl_imm(ussz, 36);
        let w3 = self.b.ins().bor_imm(ussz, (dbl as i64) << 35 | br as i64);
        [w0, w1, w2, w3]
    }

    /// `return`, as `interp::return_to_caller` makes it, where no fill is needed and
    /// the frame holds no tagged predicate: pops the caller's frame, restores its
    /// window and returns the caller's continuation with `EXIT_RETURNED`; else goes
    /// to `slow`, nothing changed.
    fn pop_frame(&mut self, slow: Block) {
        let t = MemFlags::trusted();
        let s = self.state;
        let ind = self.b.ins().load(types::I64, t, s, off::PCS_IND);
        let room = self.b.ins().load(types::I64, t, s, off::PCS_ROOM);
        let empty = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedLessThan, ind, FRAME_BYTES as i64);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, ind, room);
        let bad = self.b.ins().bor(empty, outside);
        self.slow_if(bad, slow);
        let below = self.b.ins().iadd_imm(ind, -(FRAME_BYTES as i64));
        let base = self.b.ins().load(types::I64, t, s, off::PCS_BASE);
        let addr = self.b.ins().iadd(base, below);
        let host = self.frame_host(addr, slow);
        let [w0, w1, w2, w3] = [0, 1, 2, 3].map(|k| self.b.ins().load(types::I64, t, host, 8 * k));
        let tagged = self.b.ins().band_imm(w0, 0xaaaa_aaaa_aaaa_aaaa_u64 as i64);
        let tagged = self.b.ins().icmp_imm(IntCC::NotEqual, tagged, 0);
        let misaligned = self.b.ins().band_imm(w1, EXIT_FLAGS as i64);
        let misaligned = self.b.ins().icmp_imm(IntCC::NotEqual, misaligned, 0);
        // The caller's window: 2 * wbs below the callee's, up to the end of the
        // callee's parameters; resident already (no fill), not above the file's end.
        let wbs2 = self.b.ins().ushr_imm(w2, 32);
        let wbs2 = self.b.ins().band_imm(wbs2, 0xfe);
        let wb = self.b.ins().load(types::I64, t, s, off::WD_BASE);
        let low = self.b.ins().icmp(IntCC::UnsignedLessThan, wb, wbs2);
        let new_base = self.b.ins().isub(wb, wbs2);
        let first = self.b.ins().load(types::I64, t, s, off::REGS_FIRST);
        let fill = self.b.ins().icmp(IntCC::UnsignedLessThan, new_base, first);
        let psize = self.b.ins().load(types::I32, t, s, off::WD_PSIZE);
        let psize = self.b.ins().uextend(types::I64, psize);
        let new_end = self.b.ins().iadd(wb, psize);
        let end = self.b.ins().load(types::I64, t, s, off::REGS_END);
        let above = self.b.ins().icmp(IntCC::UnsignedGreaterThan, new_end, end);
        let mut bad = self.b.ins().bor(tagged, misaligned);
        for c in [low, fill, above] {
            bad = self.b.ins().bor(bad, c);
        }
        self.slow_if(bad, slow);
        self.b.ins().store(t, below, s, off::PCS_IND);
        self.b.ins().store(t, new_base, s, off::WD_BASE);
        let size = self.b.ins().iadd(wbs2, psize);
        let size = self.b.ins().ireduce(types::I32, size);
        self.b.ins().store(t, size, s, off::WD_SIZE);
        // CR1.lo bits 25..: WD.fx, then the parameter size in quad registers.
        let fx_psz = self.b.ins().ushr_imm(w2, 25);
        let wpsz = self.b.ins().band_imm(fx_psz, 0xfe);
        let wpsz = self.b.ins().ireduce(types::I32, wpsz);
        self.b.ins().store(t, wpsz, s, off::WD_PSIZE);
        let fx = self.b.ins().band_imm(fx_psz, 1);
        let fx = self.b.ins().ireduce(types::I8, fx);
        self.b.ins().store(t, fx, s, off::WD_FX);
        let dbl = self.b.ins().ushr_imm(w3, 35);
        let dbl = self.b.ins().band_imm(dbl, 1);
        let dbl = self.b.ins().ireduce(types::I8, dbl);
        self.b.ins().store(t, dbl, s, off::WD_DBL);
        self.b.ins().store(t, new_end, s, off::REGS_END);
        let back = self.b.ins().imul_imm(wbs2, REG_SIZE);
        let regs = self.b.use_var(self.regs_ptr);
        let regs = self.b.ins().isub(regs, back);
        self.b.ins().store(t, regs, s, off::REGS);
        let br = self.b.ins().band_imm(w3, 0xfff_ffff);
        self.b.ins().store(t, br, s, off::BR);
        let preds = gather_even(self, w0);
        let preds = self.b.ins().ireduce(types::I32, preds);
        self.b.ins().store(t, preds, s, off::PREDS);
        let zero = self.b.ins().iconst(types::I32, 0);
        self.b.ins().store(t, zero, s, off::PRED_TAGS);
        let ussz = self.b.ins().ushr_imm(w3, 36);
        let ussz = self.b.ins().ishl_imm(ussz, 4);
        let limit = self.b.ins().load(types::I64, t, s, off::STACK_LIMIT);
        let sp = self.b.ins().iadd(limit, ussz);
        self.b.ins().store(t, sp, s, off::SP);
        let zero = self.b.ins().iconst(types::I64, 0);
        for k in 0..4 {
            self.b.ins().store(t, zero, s, off::CTPR + 8 * k);
        }
        self.bump(off::RETURNS);
        let code = self.b.ins().bor_imm(w1, EXIT_RETURNED as i64);
        self.b.ins().return_(&[code]);
    }

    /// The signature of a helper taking `params`, returning a word.
    pub(super) fn helper_signature(&mut self, params: &[Type]) -> SigRef {
        let mut sig = Signature::new(self.host_cc);
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(types::I64));
        self.b.import_signature(sig)
    }
}

/// Bit i of the low 32 bits of `v` to bit 2i (`Cpu::packed_preds`).
fn spread_even(x: &mut Lx, v: Value) -> Value {
    let mut v = v;
    for (sh, m) in [
        (16, 0x0000_ffff_0000_ffff_u64),
        (8, 0x00ff_00ff_00ff_00ff),
        (4, 0x0f0f_0f0f_0f0f_0f0f),
        (2, 0x3333_3333_3333_3333),
        (1, 0x5555_5555_5555_5555),
    ] {
        let up = x.b.ins().ishl_imm(v, sh);
        let both = x.b.ins().bor(v, up);
        v = x.b.ins().band_imm(both, m as i64);
    }
    v
}

/// Bit 2i of `v` to bit i (`Cpu::unpack_preds`).
fn gather_even(x: &mut Lx, v: Value) -> Value {
    let mut v = x.b.ins().band_imm(v, 0x5555_5555_5555_5555_u64 as i64);
    for (sh, m) in [
        (1, 0x3333_3333_3333_3333_u64),
        (2, 0x0f0f_0f0f_0f0f_0f0f),
        (4, 0x00ff_00ff_00ff_00ff),
        (8, 0x0000_ffff_0000_ffff),
        (16, 0x0000_0000_ffff_ffff),
    ] {
        let down = x.b.ins().ushr_imm(v, sh);
        let both = x.b.ins().bor(v, down);
        v = x.b.ins().band_imm(both, m as i64);
    }
    v
}
