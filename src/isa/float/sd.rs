//! f32 (`...s`) and f64 (`...d`) operations of the packed unit (`%pfpfr`).

use super::common::{pick_nan, pick_nan3, Layout, L32, L64};
use super::sem::{
    flags_of, huge_after_rounding, odd, round_of, sqrt_pos, tiny_after_rounding, widen, Wide, P24W,
    P53W,
};
use super::{cmpf, flags, native, FCmp, FOp, Fpu};
use core::cmp::Ordering;
use rustc_apfloat::ieee::{Double, Single};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

/// Static description of f32 / f64 for the generic code below.
pub(crate) trait Fmt {
    type F: Float + FloatConvert<Wide>;
    /// The host type of the fast path ([`native`](super::native)).
    type H: native::Host;
    /// Same precision, unbounded exponent (tininess test).
    type PW: Float + FloatConvert<Wide>;
    const L: Layout;
    const EMIN: i32;
}

pub(crate) struct S;
pub(crate) struct D;

impl Fmt for S {
    type F = Single;
    type H = f32;
    type PW = P24W;
    const L: Layout = L32;
    const EMIN: i32 = -126;
}

impl Fmt for D {
    type F = Double;
    type H = f64;
    type PW = P53W;
    const L: Layout = L64;
    const EMIN: i32 = -1022;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op2 {
    Add,
    Sub,
    Mul,
    Div,
}

pub(crate) fn op2<F: Float>(op: Op2, a: F, b: F, r: Round) -> StatusAnd<F> {
    match op {
        Op2::Add => a.add_r(b, r),
        Op2::Sub => a.sub_r(b, r),
        Op2::Mul => a.mul_r(b, r),
        Op2::Div => a.div_r(b, r),
    }
}

/// DAZ: a subnormal input becomes a zero of the same sign (x86 semantics: no
/// flag).  Never active with `%pfpfr` (no DAZ bit), see NOTES.md.
fn daz<T: Fmt>(fpu: Fpu, x: u128) -> u128 {
    if fpu.daz && T::L.is_subnormal(x) {
        T::L.zero_like(x)
    } else {
        x
    }
}

/// Common tail of every rounding f32/f64 operation: default NaN for an invalid
/// operation without NaN operands, x86 tininess (after rounding, unbounded
/// exponent; the crate tests it on the subnormal grid), the overflow flag for
/// a directed rounding to the largest finite value (the crate omits it),
/// flush-to-zero.  `wide` recomputes the result in [`Wide`] (exactly or
/// innocuously rounded) and is only called for a result of magnitude 2^emin
/// or the largest finite value.
pub(crate) fn finish<T: Fmt>(
    fpu: Fpu,
    r: StatusAnd<T::F>,
    round: Round,
    wide: impl FnOnce() -> Wide,
) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    let l = T::L;
    let mut status = r.status;
    if r.value.is_nan() {
        return (l.default_nan(), flags_of(status) | flags::IE);
    }
    if status.contains(Status::INEXACT) && !status.intersects(Status::UNDERFLOW | Status::OVERFLOW)
    {
        if r.value.is_smallest_normalized() {
            if tiny_after_rounding::<T::PW>(wide(), round, T::EMIN) {
                status |= Status::UNDERFLOW;
            }
        } else if r.value.is_largest()
            && huge_after_rounding::<T::PW>(wide(), round, widen(T::F::largest()))
        {
            status |= Status::OVERFLOW;
        }
    }
    let bits = r.value.to_bits();
    let mut f = flags_of(status);
    if fpu.ftz && (status.contains(Status::UNDERFLOW) || l.is_subnormal(bits)) {
        f |= flags::UE | flags::PE;
        return (l.zero_like(bits), f);
    }
    (bits, f)
}

pub(crate) fn arith<T: Fmt>(fpu: Fpu, op: Op2, a: u128, b: u128) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    if let Some(r) = native::arith::<T::H>(fpu, op, a, b) {
        return r;
    }
    let l = T::L;
    let (a, b) = (daz::<T>(fpu, a), daz::<T>(fpu, b));
    if l.is_nan(a) || l.is_nan(b) {
        return pick_nan(l, a, b);
    }
    let (fa, fb) = (T::F::from_bits(a), T::F::from_bits(b));
    let round = round_of(fpu.rc);
    let r = op2(op, fa, fb, round);
    finish::<T>(fpu, r, round, || {
        odd(op2(op, widen(fa), widen(fb), Round::TowardZero))
    })
}

fn fused<T: Fmt>(fpu: Fpu, a: u128, b: u128, c: u128, neg_prod: bool, neg_c: bool) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    let l = T::L;
    let (a, b, c) = (daz::<T>(fpu, a), daz::<T>(fpu, b), daz::<T>(fpu, c));
    if l.is_nan(a) || l.is_nan(b) || l.is_nan(c) {
        return pick_nan3(l, a, b, c);
    }
    let mut fa = T::F::from_bits(a);
    let fb = T::F::from_bits(b);
    let mut fc = T::F::from_bits(c);
    if neg_prod {
        fa = -fa;
    }
    if neg_c {
        fc = -fc;
    }
    let round = round_of(fpu.rc);
    let r = fa.mul_add_r(fb, fc, round);
    finish::<T>(fpu, r, round, || {
        odd(widen(fa).mul_add_r(widen(fb), widen(fc), Round::TowardZero))
    })
}

fn apply<T: Fmt>(fpu: Fpu, op: FOp, x: u128, y: u128) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    match op {
        FOp::Add => arith::<T>(fpu, Op2::Add, x, y),
        FOp::Sub => arith::<T>(fpu, Op2::Sub, x, y),
        FOp::Mul => arith::<T>(fpu, Op2::Mul, x, y),
        FOp::Rsub => arith::<T>(fpu, Op2::Sub, y, x),
    }
}

fn comb<T: Fmt>(fpu: Fpu, op1: FOp, op2: FOp, a: u128, b: u128, c: u128) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    let (t, f1) = apply::<T>(fpu, op1, a, b);
    let (r, f2) = apply::<T>(fpu, op2, c, t);
    (r, f1 | f2)
}

fn sqrt<T: Fmt>(fpu: Fpu, a: u128) -> (u128, u32)
where
    Wide: FloatConvert<T::PW> + FloatConvert<T::F>,
{
    if let Some(r) = native::sqrt::<T::H>(fpu, a) {
        return r;
    }
    let l = T::L;
    let a = daz::<T>(fpu, a);
    if l.is_nan(a) {
        return (l.quiet(a), if l.is_snan(a) { flags::IE } else { 0 });
    }
    let fa = T::F::from_bits(a);
    if fa.is_zero() {
        return (a, 0);
    }
    if fa.is_negative() {
        return (l.default_nan(), flags::IE);
    }
    if fa.is_infinite() {
        return (a, 0);
    }
    let round = round_of(fpu.rc);
    let (w, inexact) = sqrt_pos::<T::PW>(widen(fa), round);
    let mut lost = false;
    let r: T::F = w.convert_r(round, &mut lost).value;
    (r.to_bits(), if inexact { flags::PE } else { 0 })
}

fn minmax<T: Fmt>(fpu: Fpu, a: u128, b: u128, max: bool) -> (u128, u32) {
    let l = T::L;
    let (a, b) = (daz::<T>(fpu, a), daz::<T>(fpu, b));
    if l.is_nan(a) || l.is_nan(b) {
        return (b, flags::IE);
    }
    let rel = native::order::<T::H>(a, b);
    let first = rel
        == Some(if max {
            Ordering::Greater
        } else {
            Ordering::Less
        });
    (if first { a } else { b }, 0)
}

fn cmp<T: Fmt>(fpu: Fpu, p: FCmp, a: u128, b: u128) -> (bool, u32) {
    let l = T::L;
    let (a, b) = (daz::<T>(fpu, a), daz::<T>(fpu, b));
    let unordered = l.is_nan(a) || l.is_nan(b);
    let f = if unordered && (p.signalling() || l.is_snan(a) || l.is_snan(b)) {
        flags::IE
    } else {
        0
    };
    let rel = native::order::<T::H>(a, b);
    (predicate(p, rel), f)
}

pub(crate) fn predicate(p: FCmp, rel: Option<Ordering>) -> bool {
    let eq = rel == Some(Ordering::Equal);
    let lt = rel == Some(Ordering::Less);
    match p {
        FCmp::Eq => eq,
        FCmp::Lt => lt,
        FCmp::Le => lt || eq,
        FCmp::Uod => rel.is_none(),
        FCmp::Neq => !eq,
        FCmp::Nlt => !lt,
        FCmp::Nle => !(lt || eq),
        FCmp::Od => rel.is_some(),
    }
}

fn cmpf_gen<T: Fmt>(fpu: Fpu, a: u128, b: u128) -> (u32, u32) {
    let l = T::L;
    let (a, b) = (daz::<T>(fpu, a), daz::<T>(fpu, b));
    if l.is_nan(a) || l.is_nan(b) {
        return (cmpf::UNORDERED, 0);
    }
    let r = match native::order::<T::H>(a, b) {
        Some(Ordering::Less) => cmpf::LESS,
        Some(Ordering::Equal) => cmpf::EQUAL,
        _ => cmpf::GREATER,
    };
    (r, 0)
}

/// Float to signed integer of `width` bits; invalid (NaN, out of range) gives
/// the x86 "integer indefinite" 1 << (width − 1).
fn to_int<T: Fmt>(fpu: Fpu, a: u128, width: usize) -> (i128, u32) {
    if let Some(r) = native::to_int::<T::H>(fpu, a, width as u32) {
        return r;
    }
    let l = T::L;
    let a = daz::<T>(fpu, a);
    let indefinite = -(1i128 << (width - 1));
    if l.is_nan(a) {
        return (indefinite, flags::IE);
    }
    let mut exact = true;
    let r = T::F::from_bits(a).to_i128_r(width, round_of(fpu.rc), &mut exact);
    if r.status.contains(Status::INVALID_OP) {
        return (indefinite, flags::IE);
    }
    (r.value, flags_of(r.status))
}

fn from_int<T: Fmt>(fpu: Fpu, v: i128) -> (u128, u32)
where
    Wide: FloatConvert<T::PW>,
{
    if let Some(r) = native::from_int::<T::H>(fpu, v) {
        return r;
    }
    let round = round_of(fpu.rc);
    let r = T::F::from_i128_r(v, round);
    finish::<T>(fpu, r, round, || Wide::from_i128(v).value)
}

/// Round to an integral value in the same format (`fstoifs` / `fdtoifd`).
fn round_int<T: Fmt>(fpu: Fpu, ctl: u32, a: u128) -> (u128, u32) {
    let l = T::L;
    let a = daz::<T>(fpu, a);
    if l.is_nan(a) {
        return (l.quiet(a), if l.is_snan(a) { flags::IE } else { 0 });
    }
    let rc = if ctl & 4 != 0 {
        fpu.rc
    } else {
        (ctl & 3) as u8
    };
    let r = T::F::from_bits(a).round_to_integral(round_of(rc));
    let mut f = flags_of(r.status);
    if ctl & 8 != 0 {
        f &= !flags::PE;
    }
    (r.value.to_bits(), f)
}

pub(crate) fn nan_convert(from: Layout, to: Layout, a: u128) -> (u128, u32) {
    let f = if from.is_snan(a) { flags::IE } else { 0 };
    let frac = from.frac_of(a);
    let frac = if to.frac >= from.frac {
        frac << (to.frac - from.frac)
    } else {
        frac >> (from.frac - to.frac)
    };
    let sign = if from.is_neg(a) { to.sign_bit() } else { 0 };
    (
        to.quiet(sign | (to.exp_max() << (to.frac + to.explicit as u32)) | frac),
        f,
    )
}

fn stod(fpu: Fpu, a: u128) -> (u128, u32) {
    if let Some(r) = native::widen(fpu, a) {
        return r;
    }
    let a = daz::<S>(fpu, a);
    if L32.is_nan(a) {
        return nan_convert(L32, L64, a);
    }
    let mut lost = false;
    let r: Double = Single::from_bits(a)
        .convert_r(Round::NearestTiesToEven, &mut lost)
        .value;
    (r.to_bits(), 0)
}

fn dtos(fpu: Fpu, a: u128) -> (u128, u32) {
    if let Some(r) = native::narrow(fpu, a) {
        return r;
    }
    let a = daz::<D>(fpu, a);
    if L64.is_nan(a) {
        return nan_convert(L64, L32, a);
    }
    let fa = Double::from_bits(a);
    let round = round_of(fpu.rc);
    let mut lost = false;
    let r: StatusAnd<Single> = fa.convert_r(round, &mut lost);
    finish::<S>(fpu, r, round, || widen(fa))
}

macro_rules! sd_api {
    ($t:ident, $u:ty, $sfx:literal,
     $add:ident, $sub:ident, $mul:ident, $div:ident, $sqrt:ident, $min:ident, $max:ident,
     $cmp:ident, $cmpf:ident, $fma:ident, $fms:ident, $fnma:ident, $fnms:ident, $comb:ident,
     $mul_add:ident, $mul_sub:ident, $mul_rsub:ident,
     $to_i32:ident, $to_i64:ident, $to_i32_tr:ident, $to_i64_tr:ident,
     $from_i32:ident, $from_i64:ident, $round_int:ident) => {
        #[doc = concat!("`fadd", $sfx, "`: a + b.")]
        pub fn $add(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = arith::<$t>(fpu, Op2::Add, a as u128, b as u128);
            (r as $u, f)
        }
        #[doc = concat!("`fsub", $sfx, "`: a − b.")]
        pub fn $sub(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = arith::<$t>(fpu, Op2::Sub, a as u128, b as u128);
            (r as $u, f)
        }
        #[doc = concat!("`fmul", $sfx, "`: a · b.")]
        pub fn $mul(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = arith::<$t>(fpu, Op2::Mul, a as u128, b as u128);
            (r as $u, f)
        }
        #[doc = concat!("`fdiv", $sfx, "`: a / b.")]
        pub fn $div(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = arith::<$t>(fpu, Op2::Div, a as u128, b as u128);
            (r as $u, f)
        }
        #[doc = concat!("Correctly rounded square root (`fsqrt", $sfx, "`; for f64 the result of the `fsqrtid`+`fsqrttd` pair).")]
        pub fn $sqrt(fpu: Fpu, a: $u) -> ($u, u32) {
            let (r, f) = sqrt::<$t>(fpu, a as u128);
            (r as $u, f)
        }
        #[doc = concat!("`fmin", $sfx, "`: (a < b) ? a : b, so a NaN operand or a ±0 pair gives b unchanged (a signalling b is not quieted); invalid on any NaN.")]
        pub fn $min(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = minmax::<$t>(fpu, a as u128, b as u128, false);
            (r as $u, f)
        }
        #[doc = concat!("`fmax", $sfx, "`: (a > b) ? a : b, so a NaN operand or a ±0 pair gives b unchanged; invalid on any NaN.")]
        pub fn $max(fpu: Fpu, a: $u, b: $u) -> ($u, u32) {
            let (r, f) = minmax::<$t>(fpu, a as u128, b as u128, true);
            (r as $u, f)
        }
        #[doc = concat!("`fcmp<p>", $sfx, "` / `fcmp<p>", $sfx, "b`: the predicate's truth (the register form writes all ones / 0).")]
        pub fn $cmp(fpu: Fpu, p: FCmp, a: $u, b: $u) -> (bool, u32) {
            cmp::<$t>(fpu, p, a as u128, b as u128)
        }
        #[doc = concat!("`fcmpod", $sfx, "f` / `fcmpud", $sfx, "f`: see [`cmpf`](super::cmpf); never raises a flag (qemu-e2k).")]
        pub fn $cmpf(fpu: Fpu, a: $u, b: $u) -> (u32, u32) {
            cmpf_gen::<$t>(fpu, a as u128, b as u128)
        }
        #[doc = concat!("v6 `fma", $sfx, "`: a · b + c, rounded once.")]
        pub fn $fma(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            let (r, f) = fused::<$t>(fpu, a as u128, b as u128, c as u128, false, false);
            (r as $u, f)
        }
        #[doc = concat!("v6 `fms", $sfx, "`: a · b − c, rounded once.")]
        pub fn $fms(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            let (r, f) = fused::<$t>(fpu, a as u128, b as u128, c as u128, false, true);
            (r as $u, f)
        }
        #[doc = concat!("v6 `fnma", $sfx, "`: −(a · b) + c, rounded once.")]
        pub fn $fnma(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            let (r, f) = fused::<$t>(fpu, a as u128, b as u128, c as u128, true, false);
            (r as $u, f)
        }
        #[doc = concat!("v6 `fnms", $sfx, "`: −(a · b) − c, rounded once.")]
        pub fn $fnms(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            let (r, f) = fused::<$t>(fpu, a as u128, b as u128, c as u128, true, true);
            (r as $u, f)
        }
        #[doc = concat!("Combined `f<op1>_<op2>", $sfx, "` (FCMB): t = op1(a, b) rounded, then op2(c, t) rounded; flags of both ORed. Operand order of the second step follows qemu-e2k (`gen_fcomb_op`): Sub gives c − t, Rsub gives t − c.")]
        pub fn $comb(fpu: Fpu, op1: FOp, op2: FOp, a: $u, b: $u, c: $u) -> ($u, u32) {
            let (r, f) = comb::<$t>(fpu, op1, op2, a as u128, b as u128, c as u128);
            (r as $u, f)
        }
        #[doc = concat!("`fmul_add", $sfx, "`: c + a · b with two roundings.")]
        pub fn $mul_add(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            $comb(fpu, FOp::Mul, FOp::Add, a, b, c)
        }
        #[doc = concat!("`fmul_sub", $sfx, "` as qemu-e2k computes it: c − a · b with two roundings (operand order not confirmed on hardware, see NOTES.md).")]
        pub fn $mul_sub(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            $comb(fpu, FOp::Mul, FOp::Sub, a, b, c)
        }
        #[doc = concat!("`fmul_rsub", $sfx, "` as qemu-e2k computes it: a · b − c with two roundings (operand order not confirmed on hardware, see NOTES.md).")]
        pub fn $mul_rsub(fpu: Fpu, a: $u, b: $u, c: $u) -> ($u, u32) {
            $comb(fpu, FOp::Mul, FOp::Rsub, a, b, c)
        }
        #[doc = concat!("`f", $sfx, "tois`: to i32 with the current rounding; invalid gives 0x80000000.")]
        pub fn $to_i32(fpu: Fpu, a: $u) -> (i32, u32) {
            let (r, f) = to_int::<$t>(fpu, a as u128, 32);
            (r as i32, f)
        }
        #[doc = concat!("`f", $sfx, "toid`: to i64 with the current rounding; invalid gives 0x8000000000000000.")]
        pub fn $to_i64(fpu: Fpu, a: $u) -> (i64, u32) {
            let (r, f) = to_int::<$t>(fpu, a as u128, 64);
            (r as i64, f)
        }
        #[doc = concat!("`f", $sfx, "toistr`: to i32 truncating.")]
        pub fn $to_i32_tr(fpu: Fpu, a: $u) -> (i32, u32) {
            $to_i32(fpu.with_rc(super::rc::ZERO), a)
        }
        #[doc = concat!("`f", $sfx, "toidtr`: to i64 truncating.")]
        pub fn $to_i64_tr(fpu: Fpu, a: $u) -> (i64, u32) {
            $to_i64(fpu.with_rc(super::rc::ZERO), a)
        }
        #[doc = concat!("`isto", $sfx, "`: from i32.")]
        pub fn $from_i32(fpu: Fpu, v: i32) -> ($u, u32) {
            let (r, f) = from_int::<$t>(fpu, v as i128);
            (r as $u, f)
        }
        #[doc = concat!("`idto", $sfx, "`: from i64.")]
        pub fn $from_i64(fpu: Fpu, v: i64) -> ($u, u32) {
            let (r, f) = from_int::<$t>(fpu, v as i128);
            (r as $u, f)
        }
        #[doc = concat!("`f", $sfx, "toif", $sfx, "`: round to integral; `ctl` is src1 (bits 0..1 rounding mode, bit 2 use the current mode, bit 3 suppress inexact).")]
        pub fn $round_int(fpu: Fpu, ctl: u32, a: $u) -> ($u, u32) {
            let (r, f) = round_int::<$t>(fpu, ctl, a as u128);
            (r as $u, f)
        }
    };
}

sd_api!(
    S,
    u32,
    "s",
    add_s,
    sub_s,
    mul_s,
    div_s,
    sqrt_s,
    min_s,
    max_s,
    cmp_s,
    cmpf_s,
    fma_s,
    fms_s,
    fnma_s,
    fnms_s,
    comb_s,
    mul_add_s,
    mul_sub_s,
    mul_rsub_s,
    s_to_i32,
    s_to_i64,
    s_to_i32_tr,
    s_to_i64_tr,
    i32_to_s,
    i64_to_s,
    round_int_s
);
sd_api!(
    D,
    u64,
    "d",
    add_d,
    sub_d,
    mul_d,
    div_d,
    sqrt_d,
    min_d,
    max_d,
    cmp_d,
    cmpf_d,
    fma_d,
    fms_d,
    fnma_d,
    fnms_d,
    comb_d,
    mul_add_d,
    mul_sub_d,
    mul_rsub_d,
    d_to_i32,
    d_to_i64,
    d_to_i32_tr,
    d_to_i64_tr,
    i32_to_d,
    i64_to_d,
    round_int_d
);

/// `fstofd`: f32 to f64 (exact; a NaN keeps sign and payload, is quieted).
pub fn s_to_d(fpu: Fpu, a: u32) -> (u64, u32) {
    let (r, f) = stod(fpu, a as u128);
    (r as u64, f)
}

/// `fdtofs`: f64 to f32 with the current rounding (a NaN keeps sign and the
/// top payload bits, is quieted).
pub fn d_to_s(fpu: Fpu, a: u64) -> (u32, u32) {
    let (r, f) = dtos(fpu, a as u128);
    (r as u32, f)
}
