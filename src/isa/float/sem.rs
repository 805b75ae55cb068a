//! Extra `rustc_apfloat` formats used internally, and the two algorithms built
//! on the crate's correctly rounded primitives: the tininess test (x86 detects
//! underflow after rounding with an unbounded exponent) and square root (the
//! crate has none).

use core::cmp::Ordering;
use rustc_apfloat::ieee::{IeeeFloat, Semantics};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

macro_rules! semantics {
    ($(#[$m:meta])* $name:ident, $s:ident, bits $bits:expr, exp $exp:expr, prec $prec:expr) => {
        $(#[$m])*
        pub(crate) struct $s;
        impl Semantics for $s {
            const BITS: usize = $bits;
            const EXP_BITS: usize = $exp;
            const PRECISION: usize = $prec;
        }
        pub(crate) type $name = IeeeFloat<$s>;
    };
}

semantics!(
    /// 109-bit significand, 19-bit exponent, 128 bits in all: every
    /// f32/f64/f80 value is exact here, and no f32/f64/f80 operation result
    /// is subnormal or overflows here.  Intermediate results that are rounded
    /// again are computed with [`odd`] (round to odd), which makes the second
    /// rounding to any precision <= 107 bits exact.
    Wide, WideS, bits 128, exp 19, prec 109);
semantics!(
    /// 24-bit significand with a huge exponent range ("unbounded exponent").
    P24W, P24WS, bits 43, exp 19, prec 24);
semantics!(
    /// 53-bit significand with a huge exponent range.
    P53W, P53WS, bits 72, exp 19, prec 53);
semantics!(
    /// 64-bit significand with a huge exponent range.
    P64W, P64WS, bits 83, exp 19, prec 64);
semantics!(
    /// x87 exponent range with a 24-bit significand (`%fpcr.pc` = single).
    X87P24, X87P24S, bits 39, exp 15, prec 24);
semantics!(
    /// x87 exponent range with a 53-bit significand (`%fpcr.pc` = double).
    X87P53, X87P53S, bits 68, exp 15, prec 53);

/// `%pfpfr.rc` / `%fpcr.rc` to the crate's rounding mode.
pub(crate) fn round_of(rc: u8) -> Round {
    match rc & 3 {
        0 => Round::NearestTiesToEven,
        1 => Round::TowardNegative,
        2 => Round::TowardPositive,
        _ => Round::TowardZero,
    }
}

/// Crate status to `%pfpfr` flag bits.
pub(crate) fn flags_of(s: Status) -> u32 {
    let mut f = 0;
    if s.contains(Status::INVALID_OP) {
        f |= super::flags::IE;
    }
    if s.contains(Status::DIV_BY_ZERO) {
        f |= super::flags::ZE;
    }
    if s.contains(Status::OVERFLOW) {
        f |= super::flags::OE;
    }
    if s.contains(Status::UNDERFLOW) {
        f |= super::flags::UE;
    }
    if s.contains(Status::INEXACT) {
        f |= super::flags::PE;
    }
    f
}

/// Round to odd: `r` must come from a [`Round::TowardZero`] operation in
/// [`Wide`]; if it was inexact, force the last significand bit to one.  A
/// later rounding of the result to at most 107 bits, in any mode, then equals
/// the correct rounding of the exact value (Boldo & Melquiond, "When double
/// rounding is odd", 2005).
pub(crate) fn odd(r: StatusAnd<Wide>) -> Wide {
    let v = r.value;
    if r.status.contains(Status::INEXACT) && v.is_finite_non_zero() {
        let b = v.to_bits();
        if b & 1 == 0 {
            return Wide::from_bits(b | 1);
        }
    }
    v
}

/// Exact conversion into [`Wide`] (every format used here fits).
pub(crate) fn widen<F: FloatConvert<Wide>>(x: F) -> Wide {
    let mut lost = false;
    x.convert_r(Round::NearestTiesToEven, &mut lost).value
}

/// Whether `v` (the exact or innocuously pre-rounded result), rounded to the
/// precision of `P` with an unbounded exponent, is below 2^emin in magnitude:
/// the x86 / IEEE "tininess after rounding" test.
pub(crate) fn tiny_after_rounding<P>(v: Wide, round: Round, emin: i32) -> bool
where
    P: Float,
    Wide: FloatConvert<P>,
{
    if !v.is_finite_non_zero() {
        return false;
    }
    let mut lost = false;
    let r: P = v.convert_r(round, &mut lost).value;
    let min = P::from_u128(1).value.scalbn(emin);
    r.abs().partial_cmp(&min) == Some(Ordering::Less)
}

/// Whether `v`, rounded to the precision of `P` with an unbounded exponent,
/// exceeds `max` (the largest finite value of the target format) in
/// magnitude: the IEEE overflow test.  Needed because the crate reports a
/// directed-rounding overflow to the largest finite value as inexact only.
pub(crate) fn huge_after_rounding<P>(v: Wide, round: Round, max: Wide) -> bool
where
    P: Float + FloatConvert<Wide>,
    Wide: FloatConvert<P>,
{
    if !v.is_finite_non_zero() {
        return false;
    }
    let mut lost = false;
    let r: P = v.convert_r(round, &mut lost).value;
    widen(r).abs().partial_cmp(&max) == Some(Ordering::Greater)
}

/// sign(c·c − m), exact (one rounding of a value whose sign it keeps).
fn sq_cmp(c: Wide, m: Wide) -> Ordering {
    let d = c.mul_add_r(c, -m, Round::NearestTiesToEven).value;
    if d.is_zero() {
        Ordering::Equal
    } else if d.is_negative() {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// Correctly rounded square root of a positive, finite, non-zero `x`, to the
/// precision of `P` (24, 53 or 64 bits), returned exactly in [`Wide`]
/// together with "inexact".  The result is always a normal number of the
/// target format (√ of the smallest f80 subnormal is about 2^-8222), so only
/// the precision matters.
///
/// Method: x = m·2^(2k) with m in [1, 4) (at most 64 significant bits, so
/// m·2^126 is an integer below 2^128); its integer square root (`u128::isqrt`)
/// is √m truncated to 64 bits, which truncated to P gives the candidate t.
/// t is then checked (and if need be moved) to be the largest P-value with
/// t² ≤ m using the exact sign of fma(t, t, −m), and the rounding mode picks
/// t or its successor, comparing the midpoint the same way (√m can be a
/// midpoint only when x has more bits than P: ties go to even).
pub(crate) fn sqrt_pos<P>(x: Wide, round: Round) -> (Wide, bool)
where
    P: Float + FloatConvert<Wide>,
    Wide: FloatConvert<P>,
{
    debug_assert!(x.is_finite_non_zero() && !x.is_negative());
    let e = x.ilogb();
    let k = e.div_euclid(2);
    let m = x.scalbn(-2 * k);
    let half = Wide::from_u128(1).value.scalbn(-1);
    let rn = Round::NearestTiesToEven;
    let mut exact_int = true;
    let n = m
        .scalbn(126)
        .to_u128_r(128, Round::TowardZero, &mut exact_int)
        .value;
    debug_assert!(exact_int);
    let y = Wide::from_u128(n.isqrt()).value.scalbn(-63);
    let mut lost = false;
    let mut t: P = y.convert_r(Round::TowardZero, &mut lost).value;
    while sq_cmp(widen(t), m) == Ordering::Greater {
        t = t.next_down().value;
    }
    loop {
        let u = t.next_up().value;
        if sq_cmp(widen(u), m) == Ordering::Greater {
            break;
        }
        t = u;
    }
    let tw = widen(t);
    let exact = sq_cmp(tw, m) == Ordering::Equal;
    let u = t.next_up().value;
    let pick_up = if exact {
        false
    } else {
        match round {
            Round::TowardPositive => true,
            Round::TowardNegative | Round::TowardZero => false,
            _ => {
                let mid = tw.add_r(widen(u), rn).value.mul_r(half, rn).value;
                match sq_cmp(mid, m) {
                    Ordering::Less => true,
                    // a tie: possible when x has more bits than P (f80
                    // operands at `%fpcr.pc` = 24 or 53); to even
                    Ordering::Equal => t.to_bits() & 1 != 0,
                    Ordering::Greater => false,
                }
            }
        }
    };
    let s = if pick_up { widen(u) } else { tw };
    (s.scalbn(k), !exact)
}
