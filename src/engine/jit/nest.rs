//! Calls and returns that stay in compiled code. A `call` to a known procedure calls
//! the callee's translation natively (the host stack holds the guest's nesting), and
//! the callee's `return` comes back to the caller's translation, which goes on after
//! the call without the dispatcher. The chain stack and the window change as the
//! interpreter changes them: these helpers run its control code (`apply_control`)
//! on the machine, and compiled code reloads what they changed.
//!
//! The translation of the instruction after a call holds only for the window it was
//! translated for; a return reports the window it restored (`JitState::wd_size`), and
//! anything but a return to there goes back up to the dispatcher unchanged.

use crate::engine::interp;
use crate::engine::jit::ir::{Event, Lx, NoLower, LV, REG_HI, REG_SIZE, REG_TAG};
use crate::engine::jit::state::{
    off, JitState, EXIT_AT, EXIT_EVENT, EXIT_FLAGS, EXIT_INTERPRET, EXIT_RETURNED,
};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, InstBuilder, MemFlags, SigRef, Signature, Type,
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
    st.refresh_from(cpu);
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
    st.refresh_from(cpu);
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
        let [(c, Event::Return)] = self.events[..] else {
            return Ok(None);
        };
        if !matches!(self.transfer, None | Some((LV::C(0), _))) {
            return Ok(None);
        }
        let ends = matches!(c, LV::C(k) if k != 0);
        let stay = (!ends).then(|| self.b.create_block());
        if let Some(stay) = stay {
            let f = self.value(c);
            let away = self.b.create_block();
            self.b.ins().brif(f, away, &[], stay, &[]);
            self.b.switch_to_block(away);
        }
        let size = self.wd_size;
        self.store_state(size);
        let sig = self.helper_signature(&[types::I64; 2]);
        let f = self
            .b
            .ins()
            .iconst(types::I64, ret as *const () as usize as i64);
        let ip = self.b.ins().iconst(types::I64, self.pc as i64);
        let call = self.b.ins().call_indirect(sig, f, &[self.state, ip]);
        let code = self.b.inst_results(call)[0];
        self.b.ins().return_(&[code]);
        if let Some(stay) = stay {
            self.b.switch_to_block(stay);
        }
        Ok(Some(ends))
    }

    /// An unconditional `call` to a known procedure (the instruction's only control
    /// change) made by `call`, the callee's translation called natively and, if it
    /// returns here, its effects reloaded. Leaves the builder where the call was not
    /// made (for the dispatcher's way) and gives the block where it returned.
    pub(super) fn call_in_code(&mut self, next: u64) -> Result<Option<Block>, NoLower> {
        let [(LV::C(k), Event::Call(LV::C(target), wbs))] = self.events[..] else {
            return Ok(None);
        };
        let target = target as u64;
        let size = self.wd_size;
        if k == 0
            || self.transfer.is_some_and(|(c, _)| c != LV::C(0))
            || 2 * wbs > size
            || target & EXIT_FLAGS != 0
            || self.stops.contains(&target)
            || self.stops.contains(&next)
        {
            return Ok(None);
        }
        self.links.push(Box::new(0));
        let link = self
            .links
            .last_mut()
            .map_or(0, |l| &mut **l as *mut usize as i64);
        self.store_state(size);
        let t = MemFlags::trusted();
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
        let callee = self.b.inst_results(call)[0];
        let [not_made, made, nested, back, after] = [(); 5].map(|_| self.b.create_block());
        let none = self.b.ins().icmp_imm(IntCC::Equal, callee, NOT_MADE as i64);
        let other = self.b.create_block();
        self.b.ins().brif(none, not_made, &[], other, &[]);
        self.b.switch_to_block(other);
        let only = self.b.ins().icmp_imm(IntCC::Equal, callee, MADE as i64);
        self.b.ins().brif(only, made, &[], nested, &[]);
        // Made, but no translation to call: the dispatcher goes on.
        self.b.switch_to_block(made);
        let code = self.b.ins().load(types::I64, t, self.state, off::EXIT_CODE);
        self.b.ins().return_(&[code]);
        // The callee's translation runs (and what it calls) until it returns here, or
        // something else happens that goes up to the dispatcher as it is.
        self.b.switch_to_block(nested);
        let sig = self.helper_signature(&[types::I64]);
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
        for pos in self.preload.clone() {
            if pos >= self.wd_size {
                continue;
            }
            let at = (pos as i64 * REG_SIZE) as i32;
            let (lo, hi) = self.regs[&pos];
            let tag = self.b.ins().uload8(types::I64, t, p, at + REG_TAG);
            tags = self.b.ins().bor(tags, tag);
            let v = self.b.ins().load(types::I64, t, p, at);
            self.b.def_var(lo, v);
            let v = self.b.ins().load(types::I64, t, p, at + REG_HI);
            self.b.def_var(hi, v);
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

    /// The signature of a helper taking `params`, returning a word.
    fn helper_signature(&mut self, params: &[Type]) -> SigRef {
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(types::I64));
        self.b.import_signature(sig)
    }
}
