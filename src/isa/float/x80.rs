//! 80-bit extended (x87 format) operations of the `fx*` unit (`%fpcr`,
//! flags for `%fpsr`).

use super::common::{pick_nan, L32, L64, L80};
use super::sd::{finish, nan_convert, op2, predicate, Op2, D, S};
use super::sem::{
    flags_of, huge_after_rounding, odd, round_of, sqrt_pos, tiny_after_rounding, widen, Wide, P24W,
    P53W, P64W, X87P24, X87P53,
};
use super::{cmpf, flags, x80_fast, FCmp, Fpu, Fx};
use rustc_apfloat::ieee::{Double, Single, X87DoubleExtended as X87};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

/// An 80-bit extended value as E2K registers hold it: the 64-bit significand
/// (explicit integer bit 63) in the low word and sign + 15-bit exponent in the
/// 16-bit high part (`movif` / `movfi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct F80 {
    /// Significand, integer bit 63 explicit.
    pub sig: u64,
    /// Sign (bit 15) and biased exponent (bits 0..14).
    pub se: u16,
}

impl F80 {
    /// From sign/exponent and significand.
    pub const fn new(se: u16, sig: u64) -> F80 {
        F80 { sig, se }
    }
    /// The low 80 bits of a `u128` (bits 64..79 = sign/exponent).
    pub const fn from_bits(v: u128) -> F80 {
        F80 {
            sig: v as u64,
            se: (v >> 64) as u16,
        }
    }
    /// As the low 80 bits of a `u128`.
    pub const fn to_bits(self) -> u128 {
        (self.se as u128) << 64 | self.sig as u128
    }
    /// The E2K / x86 default NaN (`0xFFFF_C000000000000000`).
    pub const DEFAULT_NAN: F80 = F80 {
        sig: 0xC000_0000_0000_0000,
        se: 0xFFFF,
    };
    /// Unnormals, pseudo-infinities and pseudo-NaNs (exponent non-zero,
    /// integer bit clear): invalid operands for every operation.
    pub const fn is_invalid_encoding(self) -> bool {
        self.se & 0x7fff != 0 && self.sig >> 63 == 0
    }
}

fn x87(a: F80) -> X87 {
    X87::from_bits(a.to_bits())
}

fn out(r: X87) -> F80 {
    F80::from_bits(r.to_bits())
}

/// Round a `Wide` intermediate to the precision selected by `pc`, keeping
/// the x87 exponent range.
fn to_prec(prec: u32, w: Wide, round: Round) -> StatusAnd<X87> {
    let mut lost = false;
    match prec {
        24 => {
            let r: StatusAnd<X87P24> = w.convert_r(round, &mut lost);
            r.map(|v| v.convert_r(round, &mut lost).value)
        }
        53 => {
            let r: StatusAnd<X87P53> = w.convert_r(round, &mut lost);
            r.map(|v| v.convert_r(round, &mut lost).value)
        }
        _ => w.convert_r(round, &mut lost),
    }
}

fn tiny(prec: u32, w: Wide, round: Round) -> bool {
    match prec {
        24 => tiny_after_rounding::<P24W>(w, round, -16382),
        53 => tiny_after_rounding::<P53W>(w, round, -16382),
        _ => tiny_after_rounding::<P64W>(w, round, -16382),
    }
}

/// Largest finite value at precision `prec` in the x87 range.
fn largest(prec: u32) -> Wide {
    match prec {
        24 => widen(X87P24::largest()),
        53 => widen(X87P53::largest()),
        _ => widen(X87::largest()),
    }
}

fn huge(prec: u32, w: Wide, round: Round) -> bool {
    let max = largest(prec);
    match prec {
        24 => huge_after_rounding::<P24W>(w, round, max),
        53 => huge_after_rounding::<P53W>(w, round, max),
        _ => huge_after_rounding::<P64W>(w, round, max),
    }
}

/// Default NaN for invalid results, x87 tininess after rounding, overflow
/// flag for a directed rounding to the largest finite value.
fn finish_x(prec: u32, r: StatusAnd<X87>, round: Round, wide: impl FnOnce() -> Wide) -> (F80, u32) {
    let mut status = r.status;
    if r.value.is_nan() {
        return (F80::DEFAULT_NAN, flags_of(status) | flags::IE);
    }
    if status.contains(Status::INEXACT) && !status.intersects(Status::UNDERFLOW | Status::OVERFLOW)
    {
        if r.value.is_smallest_normalized() {
            if tiny(prec, wide(), round) {
                status |= Status::UNDERFLOW;
            }
        } else if widen(r.value).abs().partial_cmp(&largest(prec))
            == Some(core::cmp::Ordering::Equal)
            && huge(prec, wide(), round)
        {
            status |= Status::OVERFLOW;
        }
    }
    (out(r.value), flags_of(status))
}

fn arith(fx: Fx, op: Op2, a: F80, b: F80) -> (F80, u32) {
    match x80_fast::arith(fx, op, a, b) {
        Some(r) => r,
        None => arith_soft(fx, op, a, b),
    }
}

pub(super) fn arith_soft(fx: Fx, op: Op2, a: F80, b: F80) -> (F80, u32) {
    if a.is_invalid_encoding() || b.is_invalid_encoding() {
        return (F80::DEFAULT_NAN, flags::IE);
    }
    let (ab, bb) = (a.to_bits(), b.to_bits());
    if L80.is_nan(ab) || L80.is_nan(bb) {
        let (r, f) = pick_nan(L80, ab, bb);
        return (F80::from_bits(r), f);
    }
    let (fa, fb) = (x87(a), x87(b));
    let round = round_of(fx.rc);
    let prec = fx.precision();
    if prec == 64 {
        let r = op2(op, fa, fb, round);
        return finish_x(prec, r, round, || {
            odd(op2(op, widen(fa), widen(fb), Round::TowardZero))
        });
    }
    // Reduced precision: the exact result rounded to odd in Wide, then to p
    // bits in the x87 range (one correct rounding overall).
    let mut w = op2(op, widen(fa), widen(fb), Round::TowardZero);
    if w.value.is_zero() {
        // an exact zero: its sign depends on the rounding mode
        w = op2(op, widen(fa), widen(fb), round);
    }
    if w.value.is_nan() {
        return (F80::DEFAULT_NAN, flags_of(w.status) | flags::IE);
    }
    let keep = w.status & (Status::INVALID_OP | Status::DIV_BY_ZERO);
    let w = odd(w);
    let r = to_prec(prec, w, round);
    let r = StatusAnd {
        status: r.status | keep,
        value: r.value,
    };
    finish_x(prec, r, round, || w)
}

/// `fxaddxx`: a + b (result precision from `%fpcr.pc`).
pub fn add_x(fx: Fx, a: F80, b: F80) -> (F80, u32) {
    arith(fx, Op2::Add, a, b)
}
/// `fxsubxx`: a − b.
pub fn sub_x(fx: Fx, a: F80, b: F80) -> (F80, u32) {
    arith(fx, Op2::Sub, a, b)
}
/// `fxrsub..`: b − a.
pub fn rsub_x(fx: Fx, a: F80, b: F80) -> (F80, u32) {
    arith(fx, Op2::Sub, b, a)
}
/// `fxmulxx`: a · b.
pub fn mul_x(fx: Fx, a: F80, b: F80) -> (F80, u32) {
    arith(fx, Op2::Mul, a, b)
}
/// `fxdivxx`: a / b.
pub fn div_x(fx: Fx, a: F80, b: F80) -> (F80, u32) {
    arith(fx, Op2::Div, a, b)
}

/// Correctly rounded square root (the result of the `fxsqrti`/`fxsqrtu`/
/// `fxsqrtt` sequence), at the precision of `%fpcr.pc`.
pub fn sqrt_x(fx: Fx, a: F80) -> (F80, u32) {
    if a.is_invalid_encoding() {
        return (F80::DEFAULT_NAN, flags::IE);
    }
    let ab = a.to_bits();
    if L80.is_nan(ab) {
        return (
            F80::from_bits(L80.quiet(ab)),
            if L80.is_snan(ab) { flags::IE } else { 0 },
        );
    }
    let fa = x87(a);
    if fa.is_zero() {
        return (a, 0);
    }
    if fa.is_negative() {
        return (F80::DEFAULT_NAN, flags::IE);
    }
    if fa.is_infinite() {
        return (a, 0);
    }
    let round = round_of(fx.rc);
    let (w, inexact) = match fx.precision() {
        24 => sqrt_pos::<P24W>(widen(fa), round),
        53 => sqrt_pos::<P53W>(widen(fa), round),
        _ => sqrt_pos::<P64W>(widen(fa), round),
    };
    let mut lost = false;
    let r: X87 = w.convert_r(round, &mut lost).value;
    (out(r), if inexact { flags::PE } else { 0 })
}

/// `fxcmp<p>xb` and friends: predicate truth.  Quiet predicates (eq, uod,
/// neq, od) raise invalid only for a signalling NaN or an invalid encoding.
pub fn cmp_x(_fx: Fx, p: FCmp, a: F80, b: F80) -> (bool, u32) {
    let bad = a.is_invalid_encoding() || b.is_invalid_encoding();
    let (ab, bb) = (a.to_bits(), b.to_bits());
    let unordered = bad || L80.is_nan(ab) || L80.is_nan(bb);
    let f = if unordered && (bad || p.signalling() || L80.is_snan(ab) || L80.is_snan(bb)) {
        flags::IE
    } else {
        0
    };
    let rel = if unordered {
        None
    } else {
        x87(a).partial_cmp(&x87(b))
    };
    (predicate(p, rel), f)
}

/// `fxcmpodxf` / `fxcmpudxf`: see [`cmpf`](super::cmpf).  A NaN (including a
/// pseudo-NaN) gives unordered without a flag; another invalid encoding gives
/// unordered with invalid (qemu-e2k `CMPODF_BASIC`).
pub fn cmpf_x(_fx: Fx, a: F80, b: F80) -> (u32, u32) {
    let (ab, bb) = (a.to_bits(), b.to_bits());
    if L80.is_nan(ab) || L80.is_nan(bb) {
        return (cmpf::UNORDERED, 0);
    }
    if a.is_invalid_encoding() || b.is_invalid_encoding() {
        return (cmpf::UNORDERED, flags::IE);
    }
    let r = match x87(a).partial_cmp(&x87(b)) {
        Some(core::cmp::Ordering::Less) => cmpf::LESS,
        Some(core::cmp::Ordering::Equal) => cmpf::EQUAL,
        _ => cmpf::GREATER,
    };
    (r, 0)
}

/// `fstofx`: f32 to f80 (exact; NaN quieted with payload kept).
pub fn s_to_x(_fx: Fx, a: u32) -> (F80, u32) {
    match x80_fast::from_f32(a) {
        Some(r) => (r, 0),
        None => from_s_soft(a),
    }
}

pub(super) fn from_s_soft(a: u32) -> (F80, u32) {
    let ab = a as u128;
    if L32.is_nan(ab) {
        let (r, f) = nan_convert(L32, L80, ab);
        return (F80::from_bits(r), f);
    }
    let mut lost = false;
    (
        out(Single::from_bits(ab)
            .convert_r(Round::NearestTiesToEven, &mut lost)
            .value),
        0,
    )
}

/// `fdtofx`: f64 to f80 (exact; NaN quieted with payload kept).
pub fn d_to_x(_fx: Fx, a: u64) -> (F80, u32) {
    match x80_fast::from_f64(a) {
        Some(r) => (r, 0),
        None => from_d_soft(a),
    }
}

pub(super) fn from_d_soft(a: u64) -> (F80, u32) {
    let ab = a as u128;
    if L64.is_nan(ab) {
        let (r, f) = nan_convert(L64, L80, ab);
        return (F80::from_bits(r), f);
    }
    let mut lost = false;
    (
        out(Double::from_bits(ab)
            .convert_r(Round::NearestTiesToEven, &mut lost)
            .value),
        0,
    )
}

/// `fxtofs`: f80 to f32 with `%fpcr.rc`.
pub fn x_to_s(fx: Fx, a: F80) -> (u32, u32) {
    match x80_fast::narrow(fx, a, 23, 127, 0xff) {
        Some((r, f)) => (r as u32, f),
        None => narrow_s_soft(fx, a),
    }
}

pub(super) fn narrow_s_soft(fx: Fx, a: F80) -> (u32, u32) {
    if a.is_invalid_encoding() {
        return (L32.default_nan() as u32, flags::IE);
    }
    let ab = a.to_bits();
    if L80.is_nan(ab) {
        let (r, f) = nan_convert(L80, L32, ab);
        return (r as u32, f);
    }
    let fa = x87(a);
    let round = round_of(fx.rc);
    let mut lost = false;
    let r: StatusAnd<Single> = fa.convert_r(round, &mut lost);
    let (r, f) = finish::<S>(Fpu::new(fx.rc, false, false), r, round, || widen(fa));
    (r as u32, f)
}

/// `fxtofd`: f80 to f64 with `%fpcr.rc`.
pub fn x_to_d(fx: Fx, a: F80) -> (u64, u32) {
    match x80_fast::narrow(fx, a, 52, 1023, 0x7ff) {
        Some(r) => r,
        None => narrow_d_soft(fx, a),
    }
}

pub(super) fn narrow_d_soft(fx: Fx, a: F80) -> (u64, u32) {
    if a.is_invalid_encoding() {
        return (L64.default_nan() as u64, flags::IE);
    }
    let ab = a.to_bits();
    if L80.is_nan(ab) {
        let (r, f) = nan_convert(L80, L64, ab);
        return (r as u64, f);
    }
    let fa = x87(a);
    let round = round_of(fx.rc);
    let mut lost = false;
    let r: StatusAnd<Double> = fa.convert_r(round, &mut lost);
    let (r, f) = finish::<D>(Fpu::new(fx.rc, false, false), r, round, || widen(fa));
    (r as u64, f)
}

/// `istofx`: i32 to f80 (always exact, independent of `%fpcr.pc`).
pub fn i32_to_x(_fx: Fx, v: i32) -> (F80, u32) {
    (out(X87::from_i128(v as i128).value), 0)
}

/// `idtofx`: i64 to f80 (always exact, independent of `%fpcr.pc`).
pub fn i64_to_x(_fx: Fx, v: i64) -> (F80, u32) {
    (out(X87::from_i128(v as i128).value), 0)
}

fn to_int(fx: Fx, a: F80, width: usize) -> (i128, u32) {
    let indefinite = -(1i128 << (width - 1));
    if a.is_invalid_encoding() || L80.is_nan(a.to_bits()) {
        return (indefinite, flags::IE);
    }
    let mut exact = true;
    let r = x87(a).to_i128_r(width, round_of(fx.rc), &mut exact);
    if r.status.contains(Status::INVALID_OP) {
        return (indefinite, flags::IE);
    }
    (r.value, flags_of(r.status))
}

/// `fxtois`: to i32 with `%fpcr.rc`; invalid gives 0x80000000.
pub fn x_to_i32(fx: Fx, a: F80) -> (i32, u32) {
    let (r, f) = to_int(fx, a, 32);
    (r as i32, f)
}
/// `fxtoid`: to i64 with `%fpcr.rc`; invalid gives 0x8000000000000000.
pub fn x_to_i64(fx: Fx, a: F80) -> (i64, u32) {
    let (r, f) = to_int(fx, a, 64);
    (r as i64, f)
}
/// `fxtoistr`: to i32 truncating.
pub fn x_to_i32_tr(fx: Fx, a: F80) -> (i32, u32) {
    x_to_i32(fx.with_rc(super::rc::ZERO), a)
}
/// `fxtoidtr`: to i64 truncating.
pub fn x_to_i64_tr(fx: Fx, a: F80) -> (i64, u32) {
    x_to_i64(fx.with_rc(super::rc::ZERO), a)
}
