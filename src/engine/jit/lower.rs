//! The generated Cranelift lowering of every operation (`generated/jit.rs`, from the
//! same `isa/` semantics as the interpreter), and the machine helpers it calls,
//! implemented for the translation context.

use crate::engine::jit::float::{self, Bin};
use crate::engine::jit::ir::{Effect, Event};
use crate::isa::consts::SR_LSR;

include!(concat!(env!("OUT_DIR"), "/jit.rs"));

/// Lowering of a control operation: bundle, address, instance, translation context.
pub type CtlJitFn = fn(&Bundle, u64, usize, &mut Lx) -> Result<(), NoLower>;

/// A helper argument that must be known at translation time (register numbers and the
/// like come from the instruction's fields).
fn known(v: LV) -> Result<u32, NoLower> {
    match v {
        LV::C(c) if c < 256 => Ok(c as u32),
        _ => Err(NoLower),
    }
}

/// The common float operations have an inline fast path (`jit::float`); the helper
/// is its slow path.
macro_rules! float_fast_paths {
    ($($hook:ident => $helper:ident, $op:ident, $fmt:ident;)*) => {$(
        fn $hook(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
            let slow = float::slow::$helper as *const () as usize;
            self.float_binary(Bin::$op, float::$fmt, a0, a1, slow)
        }
    )*};
}

impl JitHelpers for Lx<'_> {
    fn call_pure(
        &mut self,
        home: usize,
        f: usize,
        args: &[LV],
        wide: u32,
        wide_ret: bool,
    ) -> Result<LV, NoLower> {
        self.call_helper(home, f, args, wide, wide_ret)
    }
    float_fast_paths! {
        h_fadd_s => fadd_s, Add, F32;
        h_fadd_d => fadd_d, Add, F64;
        h_fsub_s => fsub_s, Sub, F32;
        h_fsub_d => fsub_d, Sub, F64;
        h_fmul_s => fmul_s, Mul, F32;
        h_fmul_d => fmul_d, Mul, F64;
        h_fdiv_s => fdiv_s, Div, F32;
        h_fdiv_d => fdiv_d, Div, F64;
    }
    fn h_i32_to_fd(&mut self, a0: LV) -> Result<LV, NoLower> {
        self.int_to_double(a0, 32, 0)
    }
    fn h_i64_to_fd(&mut self, a0: LV) -> Result<LV, NoLower> {
        let slow = float::slow::i64_to_fd as *const () as usize;
        self.int_to_double(a0, 64, slow)
    }
    fn h_fd_to_i32(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        let slow = float::slow::fd_to_i32 as *const () as usize;
        self.double_to_int(a0, a1, 32, slow)
    }
    fn h_fd_to_i64(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        let slow = float::slow::fd_to_i64 as *const () as usize;
        self.double_to_int(a0, a1, 64, slow)
    }
    fn h_fcmp_s(&mut self, p: LV, a: LV, b: LV) -> Result<LV, NoLower> {
        let slow = float::slow::fcmp_s as *const () as usize;
        self.float_compare(float::F32, p, a, b, slow)
    }
    fn h_fcmp_d(&mut self, p: LV, a: LV, b: LV) -> Result<LV, NoLower> {
        let slow = float::slow::fcmp_d as *const () as usize;
        self.float_compare(float::F64, p, a, b, slow)
    }
    // Compiled code runs only while no %pred is D (block entry checks the tags) and
    // makes none D (whatever would leaves for the interpreter), so predicate tags are
    // known false here and the tag logic of `isa/` folds away at translation.
    fn h_pred(&mut self, a0: LV) -> Result<LV, NoLower> {
        let p = self.br.pred_index(known(a0)?);
        self.read_pred(p)
    }
    fn h_pred_value(&mut self, a0: LV) -> Result<LV, NoLower> {
        self.h_pred(a0)
    }
    // Sources in compiled code carry no tags (entry and global reads check them), so
    // which half's tag counts changes nothing here.
    fn h_low_tag_only(&mut self, _: LV) -> Result<LV, NoLower> {
        Ok(LV::C(0))
    }
    fn h_pred_tag(&mut self, _: LV) -> Result<LV, NoLower> {
        Ok(LV::C(0))
    }
    fn h_pred_write(&mut self, a0: LV, a1: LV, a2: LV) -> Result<LV, NoLower> {
        if a2 != LV::C(0) {
            return Err(NoLower);
        }
        let p = self.br.pred_index(known(a0)?);
        self.effect(Effect::Pred(p, a1))?;
        Ok(LV::C(0))
    }
    fn h_local_pred(&mut self, a0: LV) -> Result<LV, NoLower> {
        self.local_preds
            .get(known(a0)? as usize)
            .copied()
            .ok_or(NoLower)
    }
    fn h_local_pred_tag(&mut self, _: LV) -> Result<LV, NoLower> {
        Ok(LV::C(0))
    }
    fn h_local_pred_write(&mut self, a0: LV, a1: LV, a2: LV) -> Result<LV, NoLower> {
        if a2 != LV::C(0) {
            return Err(NoLower);
        }
        let k = known(a0)? as usize;
        let old = *self.local_preds.get(k).ok_or(NoLower)?;
        let c = self.path()?;
        self.local_preds[k] = ir::select(self, c, a1, old)?;
        Ok(LV::C(0))
    }
    fn h_ctpr(&mut self, a0: LV) -> Result<LV, NoLower> {
        Ok(self.read_ctpr(known(a0)?))
    }
    fn h_ctpr_write(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        self.effect(Effect::Ctpr(known(a0)?, a1))?;
        Ok(LV::C(0))
    }
    fn h_jump(&mut self, a0: LV) -> Result<LV, NoLower> {
        let c = self.path()?;
        self.transfer = Some(match self.transfer {
            None => (c, a0),
            Some((c0, t0)) => {
                let t = ir::select(self, c, a0, t0)?;
                (ir::lor(self, c, c0)?, t)
            }
        });
        Ok(LV::C(0))
    }
    fn h_state_read(&mut self, a0: LV) -> Result<LV, NoLower> {
        if known(a0)? == SR_LSR {
            Ok(self.read_lsr())
        } else {
            Err(NoLower)
        }
    }
    fn h_state_write(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        if known(a0)? == SR_LSR {
            self.effect(Effect::Lsr(a1))?;
            Ok(LV::C(0))
        } else {
            Err(NoLower)
        }
    }
    fn h_getsp(&mut self, a0: LV) -> Result<LV, NoLower> {
        self.getsp(a0)
    }
    // Compiled code makes no access that sets %MLOCK (`Lx::load`, `Lx::store`).
    fn h_mlock(&mut self) -> Result<LV, NoLower> {
        Ok(LV::C(0))
    }
    fn h_seg_base(&mut self, a0: LV) -> Result<LV, NoLower> {
        if known(a0)? <= 5 {
            Ok(LV::C(0))
        } else {
            Err(NoLower)
        }
    }
    // Calls, returns, system calls and window/rotation changes are handed to the
    // interpreter's control code when they happen (`Lx::emit_events`), but for
    // unconditional `setwd` (growing), `setbn` and `setbp`, which stay in compiled
    // code (`Lx::commit`).
    fn h_call_to(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        let wbs = known(a1)?;
        self.event(Event::Call(a0, wbs)).map(|_| LV::C(0))
    }
    fn h_syscall(&mut self, a0: LV, a1: LV) -> Result<LV, NoLower> {
        let wbs = known(a1)?;
        self.event(Event::Syscall(a0, wbs)).map(|_| LV::C(0))
    }
    fn h_return_to_caller(&mut self) -> Result<LV, NoLower> {
        self.event(Event::Return).map(|_| LV::C(0))
    }
    fn h_set_window(&mut self, a0: LV, a1: LV, a2: LV) -> Result<LV, NoLower> {
        let e = Event::Window(known(a0)?, known(a1)? != 0, known(a2)? != 0);
        self.event(e).map(|_| LV::C(0))
    }
    fn h_set_reg_rotation(&mut self, a0: LV, a1: LV, a2: LV) -> Result<LV, NoLower> {
        let e = Event::RegRotation(known(a0)?, known(a1)?, known(a2)?);
        self.event(e).map(|_| LV::C(0))
    }
    fn h_set_pred_rotation(&mut self, a0: LV) -> Result<LV, NoLower> {
        let e = Event::PredRotation(known(a0)?);
        self.event(e).map(|_| LV::C(0))
    }
    fn h_rotate_regs(&mut self) -> Result<LV, NoLower> {
        self.event(Event::RotateRegs).map(|_| LV::C(0))
    }
    fn h_rotate_preds(&mut self) -> Result<LV, NoLower> {
        self.event(Event::RotatePreds).map(|_| LV::C(0))
    }
}
