//! Calls followed into the callee inside the caller's translation. A `call` to a
//! known procedure takes its chain-stack frame's slot and moves the window (in
//! `WindowVars`), and the callee's wide instructions are translated on in the same
//! function, for the callee's window (its registers are the caller's at an offset
//! known at translation); its `return` jumps to the caller's next instruction: no
//! host call, no state stored and loaded around it, registers and predicates stay in
//! variables. The frame's words are written wherever compiled code stores its state
//! (`store_frames`: exits, helpers that may read the chain stack), so every exit
//! inside the callee leaves the machine exactly as the interpreter's `call` would.
//!
//! Each inlined call is a context of its own (`Assumed`'s last field): the same
//! callee inlined twice is translated twice.

use crate::engine::jit::ir::{Assumed, Event, Inlined, Lx, NoLower, LV, REG_SIZE};
use crate::engine::jit::state::off;
use crate::guest::chain::FRAME_BYTES;
use crate::guest::cpu::Rotation;
use crate::guest::window::RESIDENT;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, InstBuilder, MemFlags};

/// Inlined calls inside one another at most.
pub const MAX_DEPTH: usize = 4;

/// Bundles a translation may add by inlining, besides its own `MAX_BUNDLES`.
pub const MAX_INLINED_BUNDLES: usize = 128;

/// A callee is inlined only with this many bundles of room left (a callee cut
/// short goes on in another translation, entered in the middle of the callee).
pub const ROOM_TO_INLINE: usize = 24;

/// A return being translated (`Lx::return_inlined`).
pub struct Returning {
    pub next: u64,
    /// Where the path goes on if the return is conditional, with the callee's
    /// assumptions.
    stay: Option<(Block, Assumed)>,
    pub ends: bool,
}

impl Lx<'_> {
    /// The callee and wbs of the current instruction's call, if it is made by
    /// inlining: an unconditional call to a known procedure (its only control
    /// change), not too deep, not recursive, and neither end a debugger's stop.
    pub(super) fn inline_target(&mut self, next: u64) -> Option<(u64, u32)> {
        let [(LV::C(_), Event::Call(LV::C(target), _))] = self.events[..] else {
            return None;
        };
        let target = target as u64;
        // Recursion is not unrolled (the code would grow as 2^depth for fib, and the
        // compile time with it), nor is a recursive procedure inlined at all: it is
        // mostly called from itself, made by `nest` either way.
        let mut c = self.ctx;
        while c != 0 {
            let fr = &self.inlined[c - 1];
            if fr.target == target {
                let site = fr.site;
                self.seen.overflowed.insert(site);
                return None;
            }
            c = fr.parent;
        }
        let depth = match self.ctx {
            0 => 0,
            c => self.inlined[c - 1].depth,
        };
        if target == self.start || depth >= MAX_DEPTH {
            return None;
        }
        self.known_call(next)
    }

    /// Makes the call (`inline_target`) where no chain-stack growth or register
    /// spill is due and the frame's page is mapped; else the dispatcher makes it.
    /// Returns with the builder on the callee's path, under its assumptions. The
    /// window moves in `WindowVars`, which exits store.
    pub(super) fn call_inlined(
        &mut self,
        site: u64,
        target: u64,
        wbs: u32,
        next: u64,
    ) -> Result<(), NoLower> {
        let t = MemFlags::trusted();
        let s = self.state;
        let slow = self.b.create_block();
        let ind = self.b.use_var(self.win.ind);
        let room = self.b.ins().load(types::I64, t, s, off::PCS_ROOM);
        let top = self.b.ins().iadd_imm(ind, FRAME_BYTES as i64);
        let full = self.b.ins().icmp(IntCC::UnsignedGreaterThan, top, room);
        // The callee's window ends where the caller's does (and the file with it).
        let first = self.b.use_var(self.win.first);
        let wb = self.b.use_var(self.win.base);
        let end = self.b.ins().iadd_imm(wb, self.wd_size as i64);
        let held = self.b.ins().isub(end, first);
        let spill = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedGreaterThan, held, RESIDENT as i64);
        let bad = self.b.ins().bor(full, spill);
        self.slow_if(bad, slow);
        // The frame is written when compiled code leaves (`store_frames`), into a
        // page known mapped now.
        let pcs = self.b.ins().load(types::I64, t, s, off::PCS_BASE);
        let addr = self.b.ins().iadd(pcs, ind);
        self.frame_host(addr, slow);
        let psize = self.b.use_var(self.win.psize);
        let fx = self.b.use_var(self.win.fx);
        let (_, ret_sp) = self.stack_in_use();
        let go = self.b.create_block();
        self.b.ins().jump(go, &[]);
        // The dispatcher makes the call otherwise (the instruction's results landed).
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        self.emit_control(next)?;
        self.b.switch_to_block(go);
        let size = self.wd_size - 2 * wbs;
        self.b.def_var(self.win.ind, top);
        let callee_base = self.b.ins().iadd_imm(wb, 2 * wbs as i64);
        self.b.def_var(self.win.base, callee_base);
        let sz = self.b.ins().iconst(types::I32, size as i64);
        self.b.def_var(self.win.psize, sz);
        let regs = self.b.use_var(self.regs_ptr);
        let regs = self.b.ins().iadd_imm(regs, 2 * wbs as i64 * REG_SIZE);
        self.b.def_var(self.regs_ptr, regs);
        self.seen.window = true;
        let keep = |x: &mut Self, ty, v| {
            let var = x.b.declare_var(ty);
            x.b.def_var(var, v);
            var
        };
        let preds = self.b.use_var(self.preds);
        let preds = keep(self, types::I32, preds);
        let psize = keep(self, types::I32, psize);
        let fx = keep(self, types::I64, fx);
        let wd_base = keep(self, types::I64, wb);
        let sp = keep(self, types::I64, ret_sp);
        let ind = keep(self, types::I64, ind);
        // The callee starts with no %ctpr prepared and no rotation.
        let zero = self.b.ins().iconst(types::I64, 0);
        for k in 0..4 {
            self.b.def_var(self.ctpr[k], zero);
            self.seen.dirty[1 + k] = true;
        }
        self.b.def_var(self.br_var, zero);
        self.seen.dirty[7] = true;
        let depth = match self.ctx {
            0 => 1,
            c => self.inlined[c - 1].depth + 1,
        };
        let caller = self.assumed();
        self.inlined.push(Inlined {
            parent: self.ctx,
            site,
            target,
            next,
            wbs,
            base: self.base + 2 * wbs,
            depth,
            caller,
            preds,
            psize,
            fx,
            wd_base,
            sp,
            ind,
        });
        self.assume((
            [None; 4],
            size,
            Rotation::default().pack(),
            self.dbl,
            self.inlined.len(),
        ));
        Ok(())
    }

    /// The current instruction's `return` (its only control change) in an inlined
    /// callee, where its condition holds: restores the caller's state and leaves the
    /// builder on the caller's path (the caller's assumptions, `Returning::next`)
    /// when the machine is as the call left it; else the `ret` helper returns.
    pub(super) fn return_inlined(&mut self) -> Option<Returning> {
        if self.ctx == 0 {
            return None;
        }
        let callee = self.assumed();
        let stay = self.returning()?;
        let ends = stay.is_none();
        let fr = &self.inlined[self.ctx - 1];
        let (next, wbs, caller) = (fr.next, fr.wbs, fr.caller);
        let vars = [fr.preds, fr.psize, fr.fx, fr.wd_base, fr.sp, fr.ind];
        let [preds, psize, fx, wd_base, sp, ind] = vars.map(|v| self.b.use_var(v));
        // The chain stack, window and register file as the call left them (nested
        // calls made by helpers may have spilled the caller's registers).
        let now_ind = self.b.use_var(self.win.ind);
        let top = self.b.ins().iadd_imm(ind, FRAME_BYTES as i64);
        let moved = self.b.ins().icmp(IntCC::NotEqual, now_ind, top);
        let now_base = self.b.use_var(self.win.base);
        let callee_base = self.b.ins().iadd_imm(wd_base, 2 * wbs as i64);
        let other = self.b.ins().icmp(IntCC::NotEqual, now_base, callee_base);
        let now_psize = self.b.use_var(self.win.psize);
        let size = caller.1;
        let cut = self
            .b
            .ins()
            .icmp_imm(IntCC::NotEqual, now_psize, (size - 2 * wbs) as i64);
        let first = self.b.use_var(self.win.first);
        let fill = self.b.ins().icmp(IntCC::UnsignedLessThan, wd_base, first);
        let mut bad = self.b.ins().bor(moved, other);
        for c in [cut, fill] {
            bad = self.b.ins().bor(bad, c);
        }
        let slow = self.b.create_block();
        self.slow_if(bad, slow);
        let go = self.b.current_block();
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let callee_size = self.wd_size;
        self.store_state(callee_size);
        self.return_by_helper();
        if let Some(go) = go {
            self.b.switch_to_block(go);
        }
        self.b.def_var(self.win.ind, ind);
        self.b.def_var(self.win.base, wd_base);
        self.b.def_var(self.win.psize, psize);
        self.b.def_var(self.win.fx, fx);
        let regs = self.b.use_var(self.regs_ptr);
        let regs = self.b.ins().iadd_imm(regs, -(2 * wbs as i64 * REG_SIZE));
        self.b.def_var(self.regs_ptr, regs);
        self.b.def_var(self.preds, preds);
        self.b.def_var(self.sp, sp);
        let zero = self.b.ins().iconst(types::I64, 0);
        for k in 0..4 {
            self.b.def_var(self.ctpr[k], zero);
        }
        let br = self.b.ins().iconst(types::I64, caller.2 as i64);
        self.b.def_var(self.br_var, br);
        self.seen.dirty[0] = true;
        self.seen.dirty[6] = true;
        self.assume(([None; 4], caller.1, caller.2, caller.3, caller.4));
        Some(Returning {
            next,
            stay: stay.map(|b| (b, callee)),
            ends,
        })
    }

    /// The frames of the inlined calls the current path is in, written to the chain
    /// stack as `call` would have (compiled code is about to leave, or to call a
    /// helper that may read them).
    pub(super) fn store_frames(&mut self) {
        if self.ctx == 0 {
            return;
        }
        let t = MemFlags::trusted();
        let limit = self
            .b
            .ins()
            .load(types::I64, t, self.state, off::STACK_LIMIT);
        let pcs = self.b.ins().load(types::I64, t, self.state, off::PCS_BASE);
        let mut c = self.ctx;
        while c != 0 {
            let fr = &self.inlined[c - 1];
            let (next, wbs, caller, parent) = (fr.next, fr.wbs, fr.caller, fr.parent);
            let vars = [fr.preds, fr.psize, fr.fx, fr.sp, fr.ind];
            let [preds, psize, fx, sp, ind] = vars.map(|v| self.b.use_var(v));
            let used = self.b.ins().isub(sp, limit);
            let words = self.frame_words(preds, next, wbs, psize, fx, caller.3, caller.2, used);
            let addr = self.b.ins().iadd(pcs, ind);
            let host = self.host_address(addr);
            for (k, w) in words.into_iter().enumerate() {
                self.b.ins().store(t, w, host, 8 * k as i32);
            }
            c = parent;
        }
    }

    /// The current path leaves the translation before its inlined callee returns
    /// (no room left, or code translated for other assumptions): that call is not
    /// inlined when translating again (`Learnt::no_inline`; the room it took goes
    /// to the calls after it).
    pub(super) fn cut_inlined(&mut self) {
        if self.ctx != 0 {
            let site = self.inlined[self.ctx - 1].site;
            self.seen.overflowed.insert(site);
        }
    }

    /// After the caller's path of a conditional return: on in the callee.
    pub(super) fn stay_inlined(&mut self, r: &Returning) {
        if let Some((stay, callee)) = r.stay {
            self.b.switch_to_block(stay);
            self.assume(callee);
        }
    }
}
