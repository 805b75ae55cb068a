//! Fixed-width bit-vector arithmetic for the generated semantics. Every value is a
//! `u128` holding a `w`-bit vector zero-extended; every function keeps that invariant.

#[inline]
pub const fn mask(w: u32) -> u128 {
    if w >= 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    }
}

#[inline]
pub fn trunc(a: u128, w: u32) -> u128 {
    a & mask(w)
}

pub fn add(a: u128, b: u128, w: u32) -> u128 {
    a.wrapping_add(b) & mask(w)
}
#[inline]
pub fn sub(a: u128, b: u128, w: u32) -> u128 {
    a.wrapping_sub(b) & mask(w)
}
#[inline]
pub fn mul(a: u128, b: u128, w: u32) -> u128 {
    a.wrapping_mul(b) & mask(w)
}
#[inline]
pub fn neg(a: u128, w: u32) -> u128 {
    a.wrapping_neg() & mask(w)
}
#[inline]
pub fn not(a: u128, w: u32) -> u128 {
    !a & mask(w)
}

/// Sign-extends a `from`-bit value to `to` bits.
#[inline]
pub fn sext(a: u128, from: u32, to: u32) -> u128 {
    if from == 0 {
        return 0;
    }
    let sh = 128 - from;
    ((((a << sh) as i128) >> sh) as u128) & mask(to)
}

#[inline]
fn signed(a: u128, w: u32) -> i128 {
    sext(a, w, 128) as i128
}

/// A count of at least the width shifts everything out.
#[inline]
pub fn shl(a: u128, n: u128, w: u32) -> u128 {
    if n >= w as u128 {
        0
    } else {
        (a << n) & mask(w)
    }
}
#[inline]
pub fn shr(a: u128, n: u128, w: u32) -> u128 {
    if n >= w as u128 {
        0
    } else {
        a >> n
    }
}
#[inline]
pub fn sar(a: u128, n: u128, w: u32) -> u128 {
    let n = n.min(w as u128 - 1) as u32;
    ((signed(a, w) >> n) as u128) & mask(w)
}
#[inline]
pub fn rotl(a: u128, n: u128, w: u32) -> u128 {
    let n = (n % w as u128) as u32;
    if n == 0 {
        a
    } else {
        ((a << n) | (a >> (w - n))) & mask(w)
    }
}
#[inline]
pub fn rotr(a: u128, n: u128, w: u32) -> u128 {
    let n = (n % w as u128) as u32;
    rotl(a, (w - n) as u128 % w as u128, w)
}

#[inline]
pub fn slt(a: u128, b: u128, w: u32) -> u128 {
    (signed(a, w) < signed(b, w)) as u128
}
#[inline]
pub fn sle(a: u128, b: u128, w: u32) -> u128 {
    (signed(a, w) <= signed(b, w)) as u128
}
#[inline]
pub fn sgt(a: u128, b: u128, w: u32) -> u128 {
    (signed(a, w) > signed(b, w)) as u128
}
#[inline]
pub fn sge(a: u128, b: u128, w: u32) -> u128 {
    (signed(a, w) >= signed(b, w)) as u128
}

/// Division by zero gives 0; semantics that must fault test for it first.
#[inline]
pub fn udiv(a: u128, b: u128, _w: u32) -> u128 {
    a.checked_div(b).unwrap_or(0)
}
#[inline]
pub fn urem(a: u128, b: u128, _w: u32) -> u128 {
    a.checked_rem(b).unwrap_or(0)
}
/// Signed division wraps (MIN / -1 = MIN), as two's complement hardware does.
#[inline]
pub fn sdiv(a: u128, b: u128, w: u32) -> u128 {
    let (x, y) = (signed(a, w), signed(b, w));
    if y == 0 {
        0
    } else {
        (x.wrapping_div(y) as u128) & mask(w)
    }
}
#[inline]
pub fn srem(a: u128, b: u128, w: u32) -> u128 {
    let (x, y) = (signed(a, w), signed(b, w));
    if y == 0 {
        0
    } else {
        (x.wrapping_rem(y) as u128) & mask(w)
    }
}
/// High half of the unsigned product (w ≤ 64).
#[inline]
pub fn mulhu(a: u128, b: u128, w: u32) -> u128 {
    (a * b) >> w & mask(w)
}
/// High half of the signed product (w ≤ 64).
#[inline]
pub fn mulhs(a: u128, b: u128, w: u32) -> u128 {
    ((signed(a, w) * signed(b, w)) >> w) as u128 & mask(w)
}

#[inline]
pub fn clz(a: u128, w: u32) -> u128 {
    (a.leading_zeros() - (128 - w)) as u128
}
#[inline]
pub fn ctz(a: u128, w: u32) -> u128 {
    if a == 0 {
        w as u128
    } else {
        a.trailing_zeros() as u128
    }
}
#[inline]
pub fn popcnt(a: u128, _w: u32) -> u128 {
    a.count_ones() as u128
}
#[inline]
pub fn bitrev(a: u128, w: u32) -> u128 {
    a.reverse_bits() >> (128 - w)
}
/// True when the low byte has an even number of ones.
#[inline]
pub fn parity(a: u128) -> u128 {
    (a & 0xff).count_ones().is_multiple_of(2) as u128
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn widths_are_kept() {
        assert_eq!(add(0xffff_ffff, 1, 32), 0);
        assert_eq!(sext(0x80, 8, 64), 0xffff_ffff_ffff_ff80);
        assert_eq!(sar(0x8000_0000, 4, 32), 0xf800_0000);
        assert_eq!(shl(1, 32, 32), 0);
        assert_eq!(shr(0x10, 200, 32), 0);
        assert_eq!(rotr(1, 1, 32), 0x8000_0000);
        assert_eq!(rotl(0x8000_0000, 1, 32), 1);
        assert_eq!(rotr(5, 0, 32), 5);
        assert_eq!(sdiv(0x8000_0000, 0xffff_ffff, 32), 0x8000_0000);
        assert_eq!(srem(7, 0xffff_fffd, 32), 1);
        assert_eq!(mulhu(u64::MAX as u128, 2, 64), 1);
        assert_eq!(mulhs(mask(64), mask(64), 64), 0);
        assert_eq!(clz(1, 32), 31);
        assert_eq!(bitrev(1, 32), 0x8000_0000);
        assert_eq!(parity(0b11), 1);
        assert_eq!(parity(0b1), 0);
        assert_eq!(slt(0xffff_ffff, 0, 32), 1);
    }
}
