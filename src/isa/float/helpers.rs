//! The `in float` helpers of `isa/helpers.isa`, one function each: raw register bits in
//! (the `%pfpfr` value first), result bits and the exception flags raised out. The
//! generated `Exec` trait calls these, so the interpreter and every other executor of
//! the semantics compute the same bits; the operation descriptions in
//! `isa/alu/float.isa` say which of them an operation uses.

use super::*;

fn fpu(pfpfr: u32) -> Fpu {
    Fpu::from_pfpfr(pfpfr)
}

fn s(v: u128) -> u32 {
    v as u32
}

fn d(v: u128) -> u64 {
    v as u64
}

/// A 32-bit result as a register value.
fn rs((v, f): (u32, u32)) -> (u128, u32) {
    (v as u128, f)
}

/// A 64-bit result as a register value.
fn rd((v, f): (u64, u32)) -> (u128, u32) {
    (v as u128, f)
}

macro_rules! binary {
    ($($name:ident => $f:ident, $w:ident, $r:ident;)*) => {$(
        pub fn $name(pfpfr: u32, a: u128, b: u128) -> (u128, u32) {
            $r($f(fpu(pfpfr), $w(a), $w(b)))
        }
    )*};
}

binary! {
    fadd_s => add_s, s, rs;
    fadd_d => add_d, d, rd;
    fsub_s => sub_s, s, rs;
    fsub_d => sub_d, d, rd;
    fmul_s => mul_s, s, rs;
    fmul_d => mul_d, d, rd;
    fdiv_s => div_s, s, rs;
    fdiv_d => div_d, d, rd;
    fmin_s => min_s, s, rs;
    fmin_d => min_d, d, rd;
    fmax_s => max_s, s, rs;
    fmax_d => max_d, d, rd;
}

pub fn fsqrt_s(pfpfr: u32, a: u128) -> (u128, u32) {
    rs(sqrt_s(fpu(pfpfr), s(a)))
}

pub fn fsqrt_d(pfpfr: u32, a: u128) -> (u128, u32) {
    rd(sqrt_d(fpu(pfpfr), d(a)))
}

const ONE_S: u32 = 0x3f80_0000;

/// `frcps`: 1 / x, correctly rounded (as qemu-e2k computes it; the hardware's
/// documentation does not say whether it is an approximation).
pub fn frcp_s(pfpfr: u32, a: u128) -> (u128, u32) {
    rs(div_s(fpu(pfpfr), ONE_S, s(a)))
}

/// `frsqrts`: 1 / sqrt(x), the root and the division each rounded (as qemu-e2k).
pub fn frsqrt_s(pfpfr: u32, a: u128) -> (u128, u32) {
    let (r, f1) = sqrt_s(fpu(pfpfr), s(a));
    let (q, f2) = div_s(fpu(pfpfr), ONE_S, r);
    (q as u128, f1 | f2)
}

/// The power of two `2^n` as a float of the layout (`exp_bits` exponent, `frac_bits`
/// fraction): denormal below the normal range, one or zero past it, infinity above.
fn power_of_two(n: i32, exp_bits: u32, frac_bits: u32) -> u128 {
    let max = (1i64 << exp_bits) - 1;
    let bias = max >> 1;
    let n = n as i64;
    let (exp, frac) = if n <= -bias {
        let p = n + bias + frac_bits as i64 - 1;
        let frac = if (0..frac_bits as i64).contains(&p) {
            1u128 << p
        } else {
            (p == -1) as u128
        };
        (0, frac)
    } else if n > bias {
        (max, 0)
    } else {
        (bias + n, 0)
    };
    (exp as u128) << frac_bits | frac
}

/// `fscales`: x * 2^n, one multiplication by the power of two (qemu-e2k's reading).
pub fn fscale_s(pfpfr: u32, x: u128, n: u128) -> (u128, u32) {
    let p = power_of_two(n as u32 as i32, 8, 23) as u32;
    rs(mul_s(fpu(pfpfr), s(x), p))
}

pub fn fscale_d(pfpfr: u32, x: u128, n: u128) -> (u128, u32) {
    let p = power_of_two(n as u32 as i32, 11, 52) as u64;
    rd(mul_d(fpu(pfpfr), d(x), p))
}

/// Fused multiply-add; `neg` bit 0 negates the addend, bit 1 the product.
pub fn fma_s(pfpfr: u32, neg: u128, a: u128, b: u128, c: u128) -> (u128, u32) {
    let f = [super::fma_s, fms_s, fnma_s, fnms_s][neg as usize & 3];
    rs(f(fpu(pfpfr), s(a), s(b), s(c)))
}

pub fn fma_d(pfpfr: u32, neg: u128, a: u128, b: u128, c: u128) -> (u128, u32) {
    let f = [super::fma_d, fms_d, fnma_d, fnms_d][neg as usize & 3];
    rd(f(fpu(pfpfr), d(a), d(b), d(c)))
}

pub fn fcmp_s(pfpfr: u32, p: u128, a: u128, b: u128) -> (u128, u32) {
    let (r, f) = cmp_s(fpu(pfpfr), FCmp::from_bits(p as u8), s(a), s(b));
    (r as u128, f)
}

pub fn fcmp_d(pfpfr: u32, p: u128, a: u128, b: u128) -> (u128, u32) {
    let (r, f) = cmp_d(fpu(pfpfr), FCmp::from_bits(p as u8), d(a), d(b));
    (r as u128, f)
}

/// `fcmpod*f` (0) and `fcmpud*f` (1): both give the flags word; they differ only
/// in which NaNs raise invalid (see `cmpf_s`).
pub fn fcmp_flags_s(pfpfr: u32, _unordered: u128, a: u128, b: u128) -> (u128, u32) {
    rs(cmpf_s(fpu(pfpfr), s(a), s(b)))
}

pub fn fcmp_flags_d(pfpfr: u32, _unordered: u128, a: u128, b: u128) -> (u128, u32) {
    rs(cmpf_d(fpu(pfpfr), d(a), d(b)))
}

pub fn fs_to_fd(pfpfr: u32, a: u128) -> (u128, u32) {
    rd(s_to_d(fpu(pfpfr), s(a)))
}

pub fn fd_to_fs(pfpfr: u32, a: u128) -> (u128, u32) {
    rs(d_to_s(fpu(pfpfr), d(a)))
}

/// Float (or 80-bit) to integer helpers: `trunc` 0 rounds as the control register
/// says, 1 toward zero; the integer comes back zero-extended.
macro_rules! to_int {
    ($($name:ident => $round:ident / $chop:ident, $ctl:ident, $arg:ident, $u:ty;)*) => {$(
        pub fn $name(control: u32, trunc: u128, a: u128) -> (u128, u32) {
            let f = if trunc & 1 != 0 { $chop } else { $round };
            let (v, fl) = f($ctl(control), $arg(a));
            (v as $u as u128, fl)
        }
    )*};
}

to_int! {
    fs_to_i32 => s_to_i32 / s_to_i32_tr, fpu, s, u32;
    fs_to_i64 => s_to_i64 / s_to_i64_tr, fpu, s, u64;
    fd_to_i32 => d_to_i32 / d_to_i32_tr, fpu, d, u32;
    fd_to_i64 => d_to_i64 / d_to_i64_tr, fpu, d, u64;
}

pub fn i32_to_fs(pfpfr: u32, a: u128) -> (u128, u32) {
    rs(i32_to_s(fpu(pfpfr), a as u32 as i32))
}

pub fn i32_to_fd(pfpfr: u32, a: u128) -> (u128, u32) {
    rd(i32_to_d(fpu(pfpfr), a as u32 as i32))
}

pub fn i64_to_fs(pfpfr: u32, a: u128) -> (u128, u32) {
    rs(i64_to_s(fpu(pfpfr), a as u64 as i64))
}

pub fn i64_to_fd(pfpfr: u32, a: u128) -> (u128, u32) {
    rd(i64_to_d(fpu(pfpfr), a as u64 as i64))
}

/// `fstoifs`/`fdtoifd`: round to an integral value under the control word `ctl`.
pub fn fs_round(pfpfr: u32, ctl: u128, a: u128) -> (u128, u32) {
    rs(round_int_s(fpu(pfpfr), ctl as u32, s(a)))
}

pub fn fd_round(pfpfr: u32, ctl: u128, a: u128) -> (u128, u32) {
    rd(round_int_d(fpu(pfpfr), ctl as u32, d(a)))
}

// ---- the 80-bit unit: `%fpcr` control in, `%fpsr` flags out. An 80-bit value is the
// low 80 bits of a `u128` (significand 63:0, sign and exponent 79:64).

fn fx(fpcr: u32) -> Fx {
    Fx::from_fpcr(fpcr)
}

fn x(v: u128) -> F80 {
    F80::from_bits(v)
}

fn rx((v, f): (F80, u32)) -> (u128, u32) {
    (v.to_bits(), f)
}

macro_rules! binary_x {
    ($($name:ident => $f:ident;)*) => {$(
        pub fn $name(fpcr: u32, a: u128, b: u128) -> (u128, u32) {
            rx($f(fx(fpcr), x(a), x(b)))
        }
    )*};
}

binary_x! {
    fxadd => add_x;
    fxsub => sub_x;
    fxmul => mul_x;
    fxdiv => div_x;
}

pub fn fxsqrt(fpcr: u32, a: u128) -> (u128, u32) {
    rx(sqrt_x(fx(fpcr), x(a)))
}

pub fn fxcmp(fpcr: u32, p: u128, a: u128, b: u128) -> (u128, u32) {
    let (r, f) = cmp_x(fx(fpcr), FCmp::from_bits(p as u8), x(a), x(b));
    (r as u128, f)
}

pub fn fxcmp_flags(fpcr: u32, _unordered: u128, a: u128, b: u128) -> (u128, u32) {
    let (r, f) = cmpf_x(fx(fpcr), x(a), x(b));
    (r as u128, f)
}

/// `fxscalesx`: x * 2^n with the power of two built as for `fscale`.
pub fn fxscale(fpcr: u32, a: u128, n: u128) -> (u128, u32) {
    let n = n as u32 as i32 as i64;
    let max = 0x7fff_i64;
    let bias = max >> 1;
    // The integer bit is explicit: set for normal powers, the denormal ones have
    // only their fraction bit (qemu-e2k's construction, as for `fscale`).
    let p = if n <= -bias {
        let k = n + bias + 62;
        F80::new(
            0,
            if (0..63).contains(&k) {
                1 << k
            } else {
                (k == -1) as u64
            },
        )
    } else if n > bias {
        F80::new(max as u16, 1 << 63)
    } else {
        F80::new((bias + n) as u16, 1 << 63)
    };
    rx(mul_x(fx(fpcr), x(a), p))
}

pub fn fs_to_fx(fpcr: u32, a: u128) -> (u128, u32) {
    rx(s_to_x(fx(fpcr), s(a)))
}

pub fn fd_to_fx(fpcr: u32, a: u128) -> (u128, u32) {
    rx(d_to_x(fx(fpcr), d(a)))
}

pub fn fx_to_fs(fpcr: u32, a: u128) -> (u128, u32) {
    rs(x_to_s(fx(fpcr), x(a)))
}

pub fn fx_to_fd(fpcr: u32, a: u128) -> (u128, u32) {
    rd(x_to_d(fx(fpcr), x(a)))
}

pub fn i32_to_fx(fpcr: u32, a: u128) -> (u128, u32) {
    rx(i32_to_x(fx(fpcr), a as u32 as i32))
}

pub fn i64_to_fx(fpcr: u32, a: u128) -> (u128, u32) {
    rx(i64_to_x(fx(fpcr), a as u64 as i64))
}

to_int! {
    fx_to_i32 => x_to_i32 / x_to_i32_tr, fx, x, u32;
    fx_to_i64 => x_to_i64 / x_to_i64_tr, fx, x, u64;
}

#[cfg(test)]
mod tests {
    use super::power_of_two;

    #[test]
    fn powers_of_two() {
        assert_eq!(power_of_two(0, 8, 23), 0x3f80_0000);
        assert_eq!(power_of_two(1, 8, 23), 0x4000_0000);
        assert_eq!(power_of_two(-126, 8, 23), 0x0080_0000);
        assert_eq!(power_of_two(-127, 8, 23), 0x0040_0000);
        assert_eq!(power_of_two(-149, 8, 23), 0x0000_0001);
        // One step below the denormals gives the smallest one (qemu-e2k's construction).
        assert_eq!(power_of_two(-150, 8, 23), 1);
        assert_eq!(power_of_two(-151, 8, 23), 0);
        assert_eq!(power_of_two(128, 8, 23), 0x7f80_0000);
        assert_eq!(power_of_two(1023, 11, 52), 0x7fe0_0000_0000_0000);
    }

    #[test]
    fn scaling_80_bit() {
        // 3.0 * 2^4 = 48.0 and 3.0 * 2^-16400 (denormal range) at nearest.
        let three = (0x4000u128 << 64) | 0xc000_0000_0000_0000;
        let (r, f) = super::fxscale(0x37f, three, 4);
        assert_eq!((r, f), ((0x4004u128 << 64) | 0xc000_0000_0000_0000, 0));
        let (r, _) = super::fxscale(0x37f, three, (-16400i32) as u32 as u128);
        assert_eq!(r >> 64, 0, "a denormal result has a zero exponent");
        assert_ne!(r, 0);
    }
}
