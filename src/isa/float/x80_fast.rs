//! The fast path of the 80-bit operations: integer arithmetic on the significands
//! where the operands are normal numbers and the result is one too.
//!
//! Then no NaN, encoding, tininess or overflow rule applies: the result is the exact
//! value rounded once to the `%fpcr.pc` precision in the `%fpcr.rc` direction, and
//! the only flag is inexact. Everything else (zeros, denormals, infinities, NaNs,
//! invalid encodings, results at the edges of the exponent range) answers `None`
//! and the soft-float code in `x80` decides. glibc's libm does its f64 work in f80
//! (`fxmul`, `fxadd`, `fdtofx`...), so these dominate real programs' FP time.

use super::sd::Op2;
use super::x80::F80;
use super::{flags, rc, Fx};

const BIAS: i32 = 16383;

/// Exponent and significand of a normal number (biased exponent 1..=0x7ffe,
/// integer bit set).
#[inline(always)]
fn normal(a: F80) -> Option<(bool, i32, u64)> {
    let e = (a.se & 0x7fff) as i32;
    (e != 0 && e != 0x7fff && a.sig >> 63 != 0).then_some((a.se >> 15 != 0, e, a.sig))
}

/// Whether a magnitude whose dropped bits are `rest` (`half` the halfway value;
/// `odd` its last kept bit) rounds away from zero in `fx.rc`.
#[inline(always)]
fn rounds_up(fx: Fx, neg: bool, rest: u128, half: u128, odd: bool) -> bool {
    match fx.rc {
        rc::NEAREST => rest > half || (rest == half && odd),
        rc::UP => rest != 0 && !neg,
        rc::DOWN => rest != 0 && neg,
        _ => false,
    }
}

/// The exact value `m · 2^(e − BIAS − 127)` (`m` with its top bit set, bit 0 also
/// standing for anything non-zero below it) rounded to `prec` bits; `None` unless
/// the result is normal and clear of the smallest normal and the largest finite
/// exponent (where the soft-float code's tininess and overflow rules live).
#[inline(always)]
fn round(fx: Fx, neg: bool, e: i32, m: u128) -> Option<(F80, u32)> {
    // One copy per precision: constant shifts instead of variable 128-bit ones.
    match fx.precision() {
        64 => round_to::<64>(fx, neg, e, m),
        53 => round_to::<53>(fx, neg, e, m),
        _ => round_to::<24>(fx, neg, e, m),
    }
}

#[inline(always)]
fn round_to<const P: u32>(fx: Fx, neg: bool, mut e: i32, m: u128) -> Option<(F80, u32)> {
    debug_assert!(m >> 127 == 1);
    let drop = 128 - P;
    let rest = m & ((1u128 << drop) - 1);
    let mut kept = m >> drop;
    if rounds_up(fx, neg, rest, 1 << (drop - 1), kept & 1 != 0) {
        kept += 1;
        if kept >> (128 - drop) != 0 {
            kept >>= 1;
            e += 1;
        }
    }
    if !(2..0x7ffe).contains(&e) {
        return None;
    }
    let sig = (kept << (drop - 64)) as u64;
    let se = (neg as u16) << 15 | e as u16;
    Some((F80::new(se, sig), if rest != 0 { flags::PE } else { 0 }))
}

/// `a op b` for add, subtract, multiply and divide.
#[inline]
pub(super) fn arith(fx: Fx, op: Op2, a: F80, b: F80) -> Option<(F80, u32)> {
    let (sa, ea, ma) = normal(a)?;
    let (sb, eb, mb) = normal(b)?;
    match op {
        Op2::Add => add(fx, sa, ea, ma, sb, eb, mb),
        Op2::Sub => add(fx, sa, ea, ma, !sb, eb, mb),
        Op2::Mul => {
            let p = ma as u128 * mb as u128;
            // p is in [2^126, 2^128)
            let top = (p >> 127) as i32;
            round(fx, sa ^ sb, ea + eb - BIAS + top, p << (1 - top))
        }
        Op2::Div => {
            // 127 bits of the quotient, the remainder as a sticky bit
            let n = (ma as u128) << 64;
            let (q1, r1) = (n / mb as u128, n % mb as u128);
            let n2 = r1 << 63;
            let (q2, r2) = (n2 / mb as u128, n2 % mb as u128);
            let q = q1 << 63 | q2 | (r2 != 0) as u128;
            // q is in (2^126, 2^128)
            let top = (q >> 127) as i32;
            let q = if top == 1 { q } else { q << 1 | (q & 1) };
            round(fx, sa ^ sb, ea - eb + BIAS - 1 + top, q)
        }
    }
}

#[inline(always)]
fn add(fx: Fx, sa: bool, ea: i32, ma: u64, sb: bool, eb: i32, mb: u64) -> Option<(F80, u32)> {
    // The larger magnitude first; integer bits at bit 126, one bit of headroom.
    let ((s, e, m), (t, f, n)) = if (ea, ma) >= (eb, mb) {
        ((sa, ea, ma), (sb, eb, mb))
    } else {
        ((sb, eb, mb), (sa, ea, ma))
    };
    let big = (m as u128) << 63;
    let small = (n as u128) << 63;
    let d = (e - f) as u32;
    let small = if d >= 127 {
        1
    } else {
        small >> d | (small & ((1u128 << d) - 1) != 0) as u128
    };
    let sum = if s == t { big + small } else { big - small };
    if sum == 0 {
        // x − x: an exact zero, negative only when rounding down
        return Some((F80::new(((fx.rc == rc::DOWN) as u16) << 15, 0), 0));
    }
    let lz = sum.leading_zeros();
    round(fx, s, e + 1 - lz as i32, sum << lz)
}

/// f64 → f80 for zeros and normal numbers (exact).
#[inline]
pub(super) fn from_f64(a: u64) -> Option<F80> {
    let e = (a >> 52 & 0x7ff) as u16;
    let sign = ((a >> 63) as u16) << 15;
    match e {
        0 if a << 1 == 0 => Some(F80::new(sign, 0)),
        1..=0x7fe => Some(F80::new(
            sign | (e + (BIAS as u16 - 1023)),
            1 << 63 | a << 11,
        )),
        _ => None,
    }
}

/// f32 → f80 for zeros and normal numbers (exact).
#[inline]
pub(super) fn from_f32(a: u32) -> Option<F80> {
    let e = (a >> 23 & 0xff) as u16;
    let sign = ((a >> 31) as u16) << 15;
    match e {
        0 if a << 1 == 0 => Some(F80::new(sign, 0)),
        1..=0xfe => Some(F80::new(
            sign | (e + (BIAS as u16 - 127)),
            1 << 63 | (a as u64) << 40,
        )),
        _ => None,
    }
}

/// f80 → f64 or f32 (`frac` fraction bits, exponent bias `bias`, `inf` the biased
/// exponent of infinities) for zeros and normal numbers whose rounded result is
/// normal and clear of the exponent range's edges: the raw bits and flags.
#[inline]
pub(super) fn narrow(fx: Fx, a: F80, frac: u32, bias: i32, inf: i32) -> Option<(u64, u32)> {
    let sign_at = frac + inf.count_ones();
    if a.se & 0x7fff == 0 && a.sig == 0 {
        return Some((((a.se >> 15) as u64) << sign_at, 0));
    }
    let (neg, e, m) = normal(a)?;
    let drop = 63 - frac;
    let rest = m & ((1u64 << drop) - 1);
    let mut kept = m >> drop;
    let mut e = e - BIAS + bias;
    if rounds_up(fx, neg, rest as u128, 1 << (drop - 1), kept & 1 != 0) {
        kept += 1;
        if kept >> (frac + 1) != 0 {
            kept >>= 1;
            e += 1;
        }
    }
    if !(2..inf - 1).contains(&e) {
        return None;
    }
    let bits = (neg as u64) << sign_at | (e as u64) << frac | (kept & ((1u64 << frac) - 1));
    Some((bits, if rest != 0 { flags::PE } else { 0 }))
}

#[cfg(test)]
mod tests {
    //! Differential: wherever the fast path answers, it answers what the
    //! soft-float path does (which the x87 tests check against hardware).
    use super::super::sd::Op2;
    use super::super::x80::{arith_soft, from_d_soft, narrow_d_soft, narrow_s_soft};
    use super::super::{pc, rc, Fx};
    use super::*;
    use proptest::prelude::*;

    fn modes() -> impl Strategy<Value = Fx> {
        (
            0..4u8,
            prop_oneof![Just(pc::SINGLE), Just(pc::DOUBLE), Just(pc::EXTENDED)],
        )
            .prop_map(|(r, p)| Fx::new(r, p))
    }

    /// Normal numbers around 1 (so that sums cancel and round) and anywhere.
    fn f80() -> impl Strategy<Value = F80> {
        let sig = prop_oneof![
            any::<u64>().prop_map(|s| s | 1 << 63),
            (0..64u32, any::<bool>()).prop_map(|(k, ones)| {
                let s = if ones { !0u64 >> k } else { 1u64 << k };
                s | 1 << 63
            }),
        ];
        let se = prop_oneof![
            (any::<bool>(), 16383 - 70..16383 + 70u16).prop_map(|(n, e)| (n as u16) << 15 | e),
            any::<u16>(),
            (any::<bool>(), prop_oneof![1..80u16, 0x7fff - 80..0x8000u16])
                .prop_map(|(n, e)| (n as u16) << 15 | e),
        ];
        (se, sig).prop_map(|(se, sig)| F80::new(se, sig))
    }

    fn op() -> impl Strategy<Value = Op2> {
        prop_oneof![
            Just(Op2::Add),
            Just(Op2::Sub),
            Just(Op2::Mul),
            Just(Op2::Div)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]

        #[test]
        fn arithmetic_agrees(fx in modes(), op in op(), a in f80(), b in f80()) {
            if let Some(r) = arith(fx, op, a, b) {
                prop_assert_eq!(r, arith_soft(fx, op, a, b));
            }
        }

        #[test]
        fn close_values_agree(fx in modes(), op in op(), a in f80(), k in 0..4u64, up in any::<bool>()) {
            // b next to a: cancellation and exact zeros
            let b = F80::new(a.se ^ (0x8000 * (op == Op2::Add) as u16),
                if up { a.sig.wrapping_add(k) } else { a.sig.wrapping_sub(k) } | 1 << 63);
            if let Some(r) = arith(fx, op, a, b) {
                prop_assert_eq!(r, arith_soft(fx, op, a, b));
            }
        }

        #[test]
        fn conversions_agree(fx in modes(), a in f80(), d in any::<u64>(), s in any::<u32>()) {
            if let Some(r) = from_f64(d) {
                prop_assert_eq!((r, 0), from_d_soft(d));
            }
            if let Some(r) = from_f32(s) {
                prop_assert_eq!((r, 0), super::super::x80::from_s_soft(s));
            }
            if let Some(r) = narrow(fx, a, 52, 1023, 0x7ff) {
                prop_assert_eq!(r, narrow_d_soft(fx, a));
            }
            if let Some((r, f)) = narrow(fx, a, 23, 127, 0xff) {
                prop_assert_eq!((r as u32, f), narrow_s_soft(fx, a));
            }
        }
    }

    #[test]
    fn answers_the_common_cases() {
        let one = from_f64(1.0f64.to_bits()).unwrap();
        let three = from_f64(3.0f64.to_bits()).unwrap();
        let fx = Fx::new(rc::NEAREST, pc::EXTENDED);
        let (third, f) = arith(fx, Op2::Div, one, three).unwrap();
        assert_eq!(
            (third.se, third.sig, f),
            (0x3ffd, 0xaaaa_aaaa_aaaa_aaab, flags::PE)
        );
        assert_eq!(arith(fx, Op2::Mul, three, three).unwrap().1, 0);
        assert_eq!(arith(fx, Op2::Sub, three, three).unwrap().0, F80::new(0, 0));
        assert_eq!(
            narrow(fx, third, 52, 1023, 0x7ff).unwrap().0,
            (1.0f64 / 3.0).to_bits()
        );
    }
}
