//! The host fast path of the f32/f64 operations: where the host's IEEE arithmetic
//! (round to nearest, no flushing: Rust's fixed floating-point environment) must give
//! the same result and flags as the E2K rules, compute with it; everywhere else answer
//! `None` and let the soft-float code decide.
//!
//! Taken only when the rounding mode is "to nearest", every operand is zero or normal
//! and the result is zero or a normal number strictly between the smallest normal and
//! the largest finite magnitude. Then no NaN rule, tininess rule or flush applies, and
//! the only flag an operation can raise is inexact, which is tested exactly:
//! TwoSum for addition, the integer product of the significands for f64
//! multiplication, division and root (for f32 the same products are exact in f64).

use super::sd::Op2;
use super::{flags, rc, Fpu};
use core::ops::{Add, Div, Mul, Sub};

/// One host float type: the bit-level facts the tests below need.
pub(crate) trait Host:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    const FRAC: u32;
    const EXP_MAX: u64;
    fn from_u(x: u64) -> Self;
    fn to_u(self) -> u64;
    fn sqrt(self) -> Self;
    fn is_zero(self) -> bool;
    /// Rounded to nearest (Rust's `as`).
    fn from_int(v: i128) -> Self;
    /// An integral value in range as an integer.
    fn to_int(self) -> i128;
    /// The same through i64 (cheaper than i128 on the host): from an i64, and to
    /// one saturating (`as`).
    fn from_i64(v: i64) -> Self;
    fn to_i64(self) -> i64;
    fn trunc(self) -> Self;
    fn round_even(self) -> Self;
    /// The product a · b of two normal numbers has no more significant bits than
    /// the format (so with a normal result it is exact).
    fn mul_exact(a: Self, b: Self) -> bool;
    /// The quotient a / b is exactly representable.
    fn div_exact(a: Self, b: Self, q: Self) -> bool;
    /// The root of `a` is exactly representable.
    fn sqrt_exact(a: Self, r: Self) -> bool;
}

#[inline(always)]
fn sign_bit<H: Host>() -> u64 {
    1 << (H::FRAC + H::EXP_MAX.count_ones())
}

#[inline(always)]
fn exp_of<H: Host>(x: u64) -> u64 {
    (x >> H::FRAC) & H::EXP_MAX
}

/// Zero or normal (not subnormal, infinite or NaN).
#[inline(always)]
fn plain<H: Host>(x: u64) -> bool {
    let e = exp_of::<H>(x);
    (e != 0 && e != H::EXP_MAX) || x & !sign_bit::<H>() == 0
}

/// A result the soft-float code would return unchanged with at most the inexact flag:
/// normal, above the smallest normal magnitude (so tininess after rounding cannot
/// apply) and below the largest finite one (so overflow cannot).
#[inline(always)]
fn safe_result<H: Host>(r: H) -> bool {
    // Magnitude bits strictly between the smallest normal's and the largest finite's.
    let m = r.to_u() & !sign_bit::<H>();
    let min = 1u64 << H::FRAC;
    let max = (H::EXP_MAX << H::FRAC) - 1;
    m.wrapping_sub(min + 1) < max - min - 1
}

/// The significand of a normal number, with its integer bit, without trailing zeros.
#[inline(always)]
fn odd_significand<H: Host>(x: u64) -> u64 {
    let m = (x & ((1u64 << H::FRAC) - 1)) | 1u64 << H::FRAC;
    m >> m.trailing_zeros()
}

/// Whether `a · b` equals `c` up to a power of two (all three significands, no zeros).
/// For normal operands whose real relation is a·b ≈ c within one rounding, this is
/// exactly a·b = c: values with equal odd significands differ by a factor of 2 or none.
#[inline(always)]
fn product_matches<H: Host>(a: H, b: H, c: H) -> bool {
    let p = odd_significand::<H>(a.to_u()) as u128 * odd_significand::<H>(b.to_u()) as u128;
    p == odd_significand::<H>(c.to_u()) as u128
}

macro_rules! host {
    ($t:ty, $bits:ty, $frac:expr, $exp:expr, $wide:ident) => {
        impl Host for $t {
            const FRAC: u32 = $frac;
            const EXP_MAX: u64 = $exp;
            #[inline(always)]
            fn from_u(x: u64) -> Self {
                <$t>::from_bits(x as $bits)
            }
            #[inline(always)]
            fn to_u(self) -> u64 {
                self.to_bits() as u64
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            fn is_zero(self) -> bool {
                self == 0.0
            }
            fn from_int(v: i128) -> Self {
                v as $t
            }
            fn to_int(self) -> i128 {
                self as i128
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn to_i64(self) -> i64 {
                self as i64
            }
            fn trunc(self) -> Self {
                <$t>::trunc(self)
            }
            fn round_even(self) -> Self {
                <$t>::round_ties_even(self)
            }
            $wide!();
        }
    };
}

/// f64: exactness from the integer product of the significands.
macro_rules! exact_by_significands {
    () => {
        fn mul_exact(a: Self, b: Self) -> bool {
            let p = odd_significand::<Self>(a.to_u()) as u128
                * odd_significand::<Self>(b.to_u()) as u128;
            128 - p.leading_zeros() <= Self::FRAC + 1
        }
        fn div_exact(a: Self, b: Self, q: Self) -> bool {
            product_matches(q, b, a)
        }
        fn sqrt_exact(a: Self, r: Self) -> bool {
            product_matches(r, r, a)
        }
    };
}

/// f32: products of two f32 values are exact in f64.
macro_rules! exact_in_f64 {
    () => {
        fn mul_exact(a: Self, b: Self) -> bool {
            let p = a as f64 * b as f64;
            p as f32 as f64 == p
        }
        fn div_exact(a: Self, b: Self, q: Self) -> bool {
            q as f64 * b as f64 == a as f64
        }
        fn sqrt_exact(a: Self, r: Self) -> bool {
            r as f64 * r as f64 == a as f64
        }
    };
}

host!(f64, u64, 52, 0x7ff, exact_by_significands);
host!(f32, u32, 23, 0xff, exact_in_f64);

fn inexact(exact: bool) -> u32 {
    if exact {
        0
    } else {
        flags::PE
    }
}

/// a op b, or `None` where the soft-float rules must decide.
#[inline]
pub(crate) fn arith<H: Host>(fpu: Fpu, op: Op2, a: u128, b: u128) -> Option<(u128, u32)> {
    let (a, b) = (a as u64, b as u64);
    if fpu.rc != rc::NEAREST || !plain::<H>(a) || !plain::<H>(b) {
        return None;
    }
    let (x, y) = (H::from_u(a), H::from_u(b));
    let (r, exact) = match op {
        Op2::Add | Op2::Sub => {
            let y = if let Op2::Sub = op {
                H::from_u(b ^ sign_bit::<H>())
            } else {
                y
            };
            let s = x + y;
            if s.is_zero() {
                // Only x = −y or two zeros: exact, and the host gives the sign.
                return Some((s.to_u() as u128, 0));
            }
            if !safe_result(s) {
                return None;
            }
            // TwoSum (Knuth): the rounding error of s, exact without overflow.
            let x1 = s - y;
            let y1 = s - x1;
            let err = (x - x1) + (y - y1);
            (s, err.is_zero())
        }
        Op2::Mul => {
            let r = x * y;
            if x.is_zero() || y.is_zero() {
                return Some((r.to_u() as u128, 0));
            }
            if !safe_result(r) {
                return None;
            }
            (r, H::mul_exact(x, y))
        }
        Op2::Div => {
            if y.is_zero() {
                return None;
            }
            let q = x / y;
            if x.is_zero() {
                return Some((q.to_u() as u128, 0));
            }
            if !safe_result(q) {
                return None;
            }
            (q, H::div_exact(x, y, q))
        }
    };
    Some((r.to_u() as u128, inexact(exact)))
}

/// The square root of a positive normal number.
#[inline]
pub(crate) fn sqrt<H: Host>(fpu: Fpu, a: u128) -> Option<(u128, u32)> {
    let a = a as u64;
    let x = H::from_u(a);
    if fpu.rc != rc::NEAREST || !plain::<H>(a) || x.is_zero() || a & sign_bit::<H>() != 0 {
        return None;
    }
    let r = x.sqrt();
    Some((r.to_u() as u128, inexact(H::sqrt_exact(x, r))))
}

/// The order of two numbers (`None` when either is a NaN).
#[inline]
pub(crate) fn order<H: Host>(a: u128, b: u128) -> Option<core::cmp::Ordering> {
    H::from_u(a as u64).partial_cmp(&H::from_u(b as u64))
}

/// An integer to a float: exact unless the integer has more significant bits.
pub(crate) fn from_int<H: Host>(fpu: Fpu, v: i128) -> Option<(u128, u32)> {
    if fpu.rc != rc::NEAREST {
        return None;
    }
    if v.unsigned_abs() < 1 << (H::FRAC + 1) {
        // as many significant bits as the format holds: exact
        return Some((H::from_i64(v as i64).to_u() as u128, 0));
    }
    let r = H::from_int(v);
    Some((r.to_u() as u128, inexact(r.to_int() == v)))
}

/// A float to a signed integer of `width` bits, rounded to nearest or toward zero;
/// `None` for values out of range (the soft-float code gives the integer indefinite).
pub(crate) fn to_int<H: Host>(fpu: Fpu, a: u128, width: u32) -> Option<(i128, u32)> {
    let a = a as u64;
    if !plain::<H>(a) || fpu.daz {
        return None;
    }
    let x = H::from_u(a);
    let r = match fpu.rc {
        rc::NEAREST => x.round_even(),
        rc::ZERO => x.trunc(),
        _ => return None,
    };
    let bound = 1i128 << (width - 1);
    // r is integral and finite (|r| < 2^128), so to_int is exact; so is to_i64
    // short of the bounds it saturates to.
    let v = match r.to_i64() {
        i64::MIN | i64::MAX => r.to_int(),
        v => v as i128,
    };
    if v < -bound || v >= bound {
        return None;
    }
    Some((v, inexact(r == x)))
}

/// f32 to f64: exact for every number.
pub(crate) fn widen(fpu: Fpu, a: u128) -> Option<(u128, u32)> {
    let a = a as u64;
    if !plain::<f32>(a) || fpu.daz {
        return None;
    }
    Some(((f32::from_u(a) as f64).to_u() as u128, 0))
}

/// f64 to f32 rounded to nearest, where the result is zero from zero or safely normal.
pub(crate) fn narrow(fpu: Fpu, a: u128) -> Option<(u128, u32)> {
    let a = a as u64;
    if fpu.rc != rc::NEAREST || !plain::<f64>(a) {
        return None;
    }
    let x = f64::from_u(a);
    let r = x as f32;
    if x.is_zero() {
        return Some((r.to_u() as u128, 0));
    }
    if !safe_result(r) {
        return None;
    }
    Some((r.to_u() as u128, inexact(r as f64 == x)))
}
