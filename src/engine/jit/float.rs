//! Inline fast paths of the f32/f64 add, subtract, multiply, divide and compare
//! helpers in compiled code. They test, with host instructions, conditions under
//! which the host computes what the helper would (round to nearest; for products
//! and quotients operands zero or normal; a result zero or safely normal; for
//! compares no NaN or denormal operand) and compute the exact inexact flag; anything
//! else calls the helper, so results and flags are the helper's bit for bit
//! (`tests/jit_differential.rs` checks them on zeros, denormals, infinities and NaNs).

use crate::engine::jit::ir::{Lx, NoLower, LV};
use crate::engine::jit::state::off;
use crate::isa::float::{flags, helpers, FCmp};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, MemFlags, Type, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
}

/// One format: integer and float types, fraction bits, exponent field maximum.
#[derive(Clone, Copy)]
pub struct Format {
    int: Type,
    float: Type,
    frac: u32,
    exp_max: u64,
}

pub const F32: Format = Format {
    int: types::I32,
    float: types::F32,
    frac: 23,
    exp_max: 0xff,
};
pub const F64: Format = Format {
    int: types::I64,
    float: types::F64,
    frac: 52,
    exp_max: 0x7ff,
};

impl Format {
    fn sign(self) -> u64 {
        1 << (self.frac + self.exp_max.count_ones())
    }
}

/// The helpers' slow paths with the calling convention of `Lx::call_helper`:
/// `(control, args.., flags) -> result`.
macro_rules! slow {
    ($($name:ident($($arg:ident),*);)*) => {$(
        /// # Safety
        /// `f` is the flags word of a `JitState`.
        pub unsafe extern "C" fn $name(control: u32, $($arg: u64,)* f: *mut u32) -> u64 {
            let (v, raised) = helpers::$name(control, $($arg as u128),*);
            // SAFETY: `f` points at the JitState flags word of the running block.
            unsafe { *f |= raised };
            v as u64
        }
    )*};
}

pub mod slow {
    use super::helpers;
    slow! {
        fadd_s(a, b); fadd_d(a, b); fsub_s(a, b); fsub_d(a, b);
        fmul_s(a, b); fmul_d(a, b); fdiv_s(a, b); fdiv_d(a, b);
        // Compares: predicate, a, b.
        fcmp_s(p, a, b); fcmp_d(p, a, b);
        // Conversions: i64 to f64; f64 to a 32- or 64-bit integer (toward zero?, a).
        i64_to_fd(a); fd_to_i32(t, a); fd_to_i64(t, a);
    }
}

impl Lx<'_> {
    /// `a op b` in format `t`, inline where the fast-path conditions hold, else through
    /// `slow` (the helper).
    pub fn float_binary(
        &mut self,
        op: Bin,
        t: Format,
        a: LV,
        b: LV,
        slow: usize,
    ) -> Result<LV, NoLower> {
        if matches!(a, LV::W(..)) || matches!(b, LV::W(..)) {
            return self.call_helper(0, slow, &[a, b], 0, false);
        }
        let leave = self.slow_leaves();
        self.raised[0] |= !leave;
        let v = self.guarded(1, |x| {
            let (ai, bi) = (x.value(a), x.value(b));
            let (an, bn) = (x.in_format(t, ai), x.in_format(t, bi));
            // Rounding to nearest is known with `fp_easy`, else tested.
            let (mut ok, pfpfr) = if x.fp_easy {
                (x.b.ins().iconst(types::I8, 1), None)
            } else {
                let p =
                    x.b.ins()
                        .load(types::I32, MemFlags::trusted(), x.state, off::PFPFR);
                let rc = x.b.ins().band_imm(p, 3 << 13);
                (x.b.ins().icmp_imm(IntCC::Equal, rc, 0), Some(p))
            };
            // A sum needs no operand test: an infinite or NaN operand makes a result
            // the test below sends to the helper, and with denormal operands the
            // host's sum and TwoSum's error are exact as with normal ones.
            let (za, zb) = if matches!(op, Bin::Add | Bin::Sub) {
                (ok, ok)
            } else {
                let (pa, za) = x.plain(t, an);
                let (pb, zb) = x.plain(t, bn);
                ok = x.b.ins().band(ok, pa);
                ok = x.b.ins().band(ok, pb);
                (za, zb)
            };
            let fa = x.b.ins().bitcast(t.float, MemFlags::new(), an);
            let fb = x.b.ins().bitcast(t.float, MemFlags::new(), bn);
            let (r, fine, exact) = match op {
                Bin::Add | Bin::Sub => {
                    let fb = if op == Bin::Sub {
                        x.b.ins().fneg(fb)
                    } else {
                        fb
                    };
                    let s = x.b.ins().fadd(fa, fb);
                    // TwoSum: the rounding error of s.
                    let a1 = x.b.ins().fsub(s, fb);
                    let b1 = x.b.ins().fsub(s, a1);
                    let da = x.b.ins().fsub(fa, a1);
                    let db = x.b.ins().fsub(fb, b1);
                    let err = x.b.ins().fadd(da, db);
                    let zero = x.fzero(t);
                    let exact = x.b.ins().fcmp(FloatCC::Equal, err, zero);
                    let sz = x.b.ins().fcmp(FloatCC::Equal, s, zero);
                    let sb = x.b.ins().bitcast(t.int, MemFlags::new(), s);
                    let safe = x.safe(t, sb);
                    let fine = x.b.ins().bor(safe, sz);
                    (sb, fine, exact)
                }
                Bin::Mul => {
                    let p = x.b.ins().fmul(fa, fb);
                    let pb = x.b.ins().bitcast(t.int, MemFlags::new(), p);
                    let any_zero = x.b.ins().bor(za, zb);
                    let safe = x.safe(t, pb);
                    let fine = x.b.ins().bor(safe, any_zero);
                    // Exact when the product of the odd significands fits the format.
                    let (hi, lo) = x.odd_product(t, an, bn);
                    let top = x.b.ins().ushr_imm(lo, (t.frac + 1) as i64);
                    let over = x.b.ins().bor(hi, top);
                    let fits = x.b.ins().icmp_imm(IntCC::Equal, over, 0);
                    let exact = x.b.ins().bor(fits, any_zero);
                    (pb, fine, exact)
                }
                Bin::Div => {
                    let q = x.b.ins().fdiv(fa, fb);
                    let qb = x.b.ins().bitcast(t.int, MemFlags::new(), q);
                    let nzb = x.b.ins().bxor_imm(zb, 1);
                    ok = x.b.ins().band(ok, nzb);
                    let safe = x.safe(t, qb);
                    let fine = x.b.ins().bor(safe, za);
                    // Exact when q · b = a: their odd significands match.
                    let (hi, lo) = x.odd_product(t, qb, bn);
                    let oa = x.odd(t, an);
                    let diff = x.b.ins().bxor(lo, oa);
                    let diff = x.b.ins().bor(diff, hi);
                    let same = x.b.ins().icmp_imm(IntCC::Equal, diff, 0);
                    let exact = x.b.ins().bor(same, za);
                    (qb, fine, exact)
                }
            };
            ok = x.b.ins().band(ok, fine);
            let r = if t.int == types::I64 {
                r
            } else {
                x.b.ins().uextend(types::I64, r)
            };
            // With `fp_easy` %pfpfr has inexact, the only flag here.
            if leave || x.fp_easy {
                return Ok(vec![x.fast_or_slow(ok, leave, slow, &[a, b], |_| r)]);
            }
            let (fast, call, join) = x.fast_or_call(ok);

            // Once %pfpfr, the block or this instruction has inexact, whether this
            // result is exact changes nothing (and the test, only used below, is not
            // computed).
            x.b.switch_to_block(fast);
            let tr = MemFlags::trusted();
            let now = x.b.ins().load(types::I32, tr, x.state, off::FP_FLAGS_NOW);
            let acc = x.b.ins().load(types::I32, tr, x.state, off::FP_FLAGS);
            let have = x.b.ins().bor(now, acc);
            let have = match pfpfr {
                Some(p) => x.b.ins().bor(have, p),
                None => have,
            };
            let have = x.b.ins().band_imm(have, flags::PE as i64);
            let test = x.b.create_block();
            x.b.ins().brif(have, join, &[BlockArg::Value(r)], test, &[]);
            x.b.seal_block(test);
            x.b.switch_to_block(test);
            let pe = x.b.ins().iconst(types::I32, flags::PE as i64);
            let none = x.b.ins().iconst(types::I32, 0);
            let raised = x.b.ins().select(exact, none, pe);
            let now = x.b.ins().bor(now, raised);
            x.b.ins().store(tr, now, x.state, off::FP_FLAGS_NOW);
            x.b.ins().jump(join, &[BlockArg::Value(r)]);

            Ok(vec![x.call_and_join(call, join, slow, &[a, b])])
        })?;
        Ok(v.first().map_or(LV::C(0), |v| LV::V(*v)))
    }

    /// The `fcmp` predicate `p` (known) of `a` and `b` in format `t`: a host compare
    /// when neither is a NaN or denormal (no flag raised, denormals-are-zero changes
    /// nothing), else the helper.
    pub fn float_compare(
        &mut self,
        t: Format,
        p: LV,
        a: LV,
        b: LV,
        slow: usize,
    ) -> Result<LV, NoLower> {
        let LV::C(pc) = p else {
            return self.call_helper(0, slow, &[p, a, b], 0, false);
        };
        if matches!(a, LV::W(..)) || matches!(b, LV::W(..)) {
            return self.call_helper(0, slow, &[p, a, b], 0, false);
        }
        let cc = match FCmp::from_bits(pc as u8) {
            FCmp::Eq => FloatCC::Equal,
            FCmp::Lt => FloatCC::LessThan,
            FCmp::Le => FloatCC::LessThanOrEqual,
            FCmp::Uod => FloatCC::Unordered,
            FCmp::Neq => FloatCC::NotEqual,
            FCmp::Nlt => FloatCC::UnorderedOrGreaterThanOrEqual,
            FCmp::Nle => FloatCC::UnorderedOrGreaterThan,
            FCmp::Od => FloatCC::Ordered,
        };
        let leave = self.slow_leaves();
        self.raised[0] |= !leave;
        let v = self.guarded(1, |x| {
            let (ai, bi) = (x.value(a), x.value(b));
            let (an, bn) = (x.in_format(t, ai), x.in_format(t, bi));
            let fa = x.ordinary(t, an);
            let fb = x.ordinary(t, bn);
            let ok = x.b.ins().band(fa, fb);
            let compare = |x: &mut Self| {
                let ff = x.b.ins().bitcast(t.float, MemFlags::new(), an);
                let fg = x.b.ins().bitcast(t.float, MemFlags::new(), bn);
                let r = x.b.ins().fcmp(cc, ff, fg);
                x.b.ins().uextend(types::I64, r)
            };
            Ok(vec![x.fast_or_slow(ok, leave, slow, &[p, a, b], compare)])
        })?;
        Ok(v.first().map_or(LV::C(0), |v| LV::V(*v)))
    }

    /// `i32_to_fd` (exact, raising nothing: always inline) and `i64_to_fd` (inline
    /// where rounding to nearest and inexact is raised already, `fp_easy`).
    pub fn int_to_double(&mut self, a: LV, bits: u32, slow: usize) -> Result<LV, NoLower> {
        if matches!(a, LV::W(..)) || (bits == 64 && !self.fp_easy) {
            return self.call_helper(0, slow, &[a], 0, false);
        }
        let v = self.value(a);
        let v = if bits == 32 {
            self.b.ins().ireduce(types::I32, v)
        } else {
            v
        };
        let f = self.b.ins().fcvt_from_sint(types::F64, v);
        Ok(LV::V(self.b.ins().bitcast(types::I64, MemFlags::new(), f)))
    }

    /// `fd_to_i32`/`fd_to_i64` of `a`, toward zero where `trunc` is 1: inline with
    /// `fp_easy` (rounding to nearest otherwise, inexact raised already) where `a` is
    /// zero or normal and its integral value fits, else the helper `slow`.
    pub fn double_to_int(
        &mut self,
        trunc: LV,
        a: LV,
        width: u32,
        slow: usize,
    ) -> Result<LV, NoLower> {
        let tr = match trunc {
            LV::C(tr) if !matches!(a, LV::W(..)) && self.fp_easy => tr,
            _ => return self.call_helper(0, slow, &[trunc, a], 0, false),
        };
        let leave = self.slow_leaves();
        self.raised[0] |= !leave;
        let v = self.guarded(1, |x| {
            let n = x.value(a);
            let (plain, _) = x.plain(F64, n);
            let f = x.b.ins().bitcast(types::F64, MemFlags::new(), n);
            let r = if tr & 1 != 0 {
                x.b.ins().trunc(f)
            } else {
                x.b.ins().nearest(f)
            };
            let bound = (1u64 << (width - 1)) as f64;
            let lo = x.b.ins().f64const(-bound);
            let hi = x.b.ins().f64const(bound);
            let above = x.b.ins().fcmp(FloatCC::GreaterThanOrEqual, r, lo);
            let below = x.b.ins().fcmp(FloatCC::LessThan, r, hi);
            let ok = x.b.ins().band(above, below);
            let ok = x.b.ins().band(ok, plain);
            let convert = |x: &mut Self| {
                let ty = if width == 32 { types::I32 } else { types::I64 };
                let i = x.b.ins().fcvt_to_sint_sat(ty, r);
                // The integer comes back zero-extended.
                if width == 32 {
                    x.b.ins().uextend(types::I64, i)
                } else {
                    i
                }
            };
            Ok(vec![x.fast_or_slow(ok, leave, slow, &[trunc, a], convert)])
        })?;
        Ok(v.first().map_or(LV::C(0), |v| LV::V(*v)))
    }

    /// The low bits of `v` as the format's integer type.
    fn in_format(&mut self, t: Format, v: Value) -> Value {
        if t.int == types::I64 {
            v
        } else {
            self.b.ins().ireduce(t.int, v)
        }
    }

    /// Whether the slow paths of this wide instruction's float operations leave for
    /// the interpreter instead of calling the helper (`fp_easy` code, where they are
    /// rare): compiled loops then make no call, which leaves Cranelift the host's
    /// registers. An instruction that keeps leaving so gets the calls back
    /// (`Jit::float_calls`).
    fn slow_leaves(&self) -> bool {
        self.fp_easy && self.float_leaves && !self.float_calls.contains(&self.pc)
    }

    /// Goes on where `ok`, else leaves for the interpreter to run this instruction,
    /// telling the JIT why (`JitState::float_left`).
    fn leave_unless(&mut self, ok: Value) {
        let exit = self.exit_block();
        let (mark, cont) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(mark);
        self.b.ins().brif(ok, cont, &[], mark, &[]);
        self.b.seal_block(mark);
        self.b.seal_block(cont);
        self.b.switch_to_block(mark);
        let one = self.b.ins().iconst(types::I32, 1);
        self.b
            .ins()
            .store(MemFlags::trusted(), one, self.state, off::FLOAT_LEFT);
        self.b.ins().jump(exit, &[]);
        self.b.switch_to_block(cont);
    }

    /// `fast`'s result where `ok`; else the slow path's: leaving for the interpreter
    /// (`leave`) or the helper `slow` on `args`.
    fn fast_or_slow(
        &mut self,
        ok: Value,
        leave: bool,
        slow: usize,
        args: &[LV],
        fast: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        if leave {
            self.leave_unless(ok);
            return fast(self);
        }
        let (fast_block, call, join) = self.fast_or_call(ok);
        self.b.switch_to_block(fast_block);
        let r = fast(self);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.call_and_join(call, join, slow, args)
    }

    /// Branches to a fast block where `ok`, else to a block calling the helper; both
    /// go on at a join block taking the result word.
    fn fast_or_call(&mut self, ok: Value) -> (Block, Block, Block) {
        let fast = self.b.create_block();
        let call = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(ok, fast, &[], call, &[]);
        self.b.seal_block(fast);
        self.b.seal_block(call);
        (fast, call, join)
    }

    /// Fills `call` with the helper's call on `args` and goes on at `join`: its
    /// parameter (the fast block's result or the helper's).
    fn call_and_join(&mut self, call: Block, join: Block, slow: usize, args: &[LV]) -> Value {
        self.b.switch_to_block(call);
        let v = self.emit_helper_call(off::PFPFR, off::FP_FLAGS_NOW, slow, args, 0, false);
        self.b.ins().jump(join, &[BlockArg::Value(v[0])]);
        self.b.seal_block(join);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    /// Neither a NaN nor a denormal: the bits without the sign are zero, or between
    /// the smallest normal's and infinity's.
    fn ordinary(&mut self, t: Format, n: Value) -> Value {
        let m = self.b.ins().ishl_imm(n, 1);
        let zero = self.b.ins().icmp_imm(IntCC::Equal, m, 0);
        let min = 1u64 << (t.frac + 1);
        let inf = t.exp_max << (t.frac + 1);
        let d = self.b.ins().iadd_imm(m, -(min as i64));
        let d = if t.int == types::I64 {
            d
        } else {
            self.b.ins().band_imm(d, 0xffff_ffff)
        };
        let normal = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedLessThanOrEqual, d, (inf - min) as i64);
        self.b.ins().bor(zero, normal)
    }

    fn fzero(&mut self, t: Format) -> Value {
        if t.int == types::I64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().f32const(0.0)
        }
    }

    /// (zero or normal, zero) of the bits `n`: without the sign, zero, or from the
    /// smallest normal to below infinity.
    fn plain(&mut self, t: Format, n: Value) -> (Value, Value) {
        let m = self.b.ins().ishl_imm(n, 1);
        let zero = self.b.ins().icmp_imm(IntCC::Equal, m, 0);
        let min = 1u64 << (t.frac + 1);
        let inf = t.exp_max << (t.frac + 1);
        // m − min wraps for zero and denormals.
        let d = self.b.ins().iadd_imm(m, -(min as i64));
        let normal = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedLessThan, d, (inf - min) as i64);
        (self.b.ins().bor(normal, zero), zero)
    }

    /// Magnitude strictly between the smallest normal's and the largest finite's.
    fn safe(&mut self, t: Format, n: Value) -> Value {
        let m = self.b.ins().band_imm(n, !t.sign() as i64);
        let min = 1u64 << t.frac;
        let max = (t.exp_max << t.frac) - 1;
        let d = self.b.ins().iadd_imm(m, -((min + 1) as i64));
        self.b
            .ins()
            .icmp_imm(IntCC::UnsignedLessThan, d, (max - min - 1) as i64)
    }

    /// The significand of normal bits `n` with its integer bit, without trailing
    /// zeros, as a 64-bit value.
    fn odd(&mut self, t: Format, n: Value) -> Value {
        let n = if t.int == types::I64 {
            n
        } else {
            self.b.ins().uextend(types::I64, n)
        };
        let m = self.b.ins().band_imm(n, ((1u64 << t.frac) - 1) as i64);
        let m = self.b.ins().bor_imm(m, (1u64 << t.frac) as i64);
        let tz = self.b.ins().ctz(m);
        self.b.ins().ushr(m, tz)
    }

    /// The 128-bit product (high, low) of two odd significands.
    fn odd_product(&mut self, t: Format, a: Value, b: Value) -> (Value, Value) {
        let (oa, ob) = (self.odd(t, a), self.odd(t, b));
        let hi = self.b.ins().umulhi(oa, ob);
        let lo = self.b.ins().imul(oa, ob);
        (hi, lo)
    }
}
