//! Shared test helpers: a small deterministic PRNG and generators of
//! interesting f32 / f64 / f80 bit patterns.
#![allow(dead_code)]

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn bool(&mut self) -> bool {
        self.next() & 1 != 0
    }
    /// A significand-like pattern: random, few bits, or runs of ones.
    pub fn pattern(&mut self, bits: u32) -> u64 {
        let mask = if bits == 64 { !0 } else { (1u64 << bits) - 1 };
        match self.below(6) {
            0 => 0,
            1 => mask,
            2 => 1u64 << self.below(bits as u64),
            3 => (mask >> self.below(bits as u64)) & mask,
            4 => (mask << self.below(bits as u64)) & mask,
            _ => self.next() & mask,
        }
    }
}

pub const F32_SPECIALS: &[u32] = &[
    0x0000_0000,
    0x0000_0001,
    0x0000_0003,
    0x0040_0000,
    0x007f_ffff,
    0x0080_0000,
    0x0080_0001,
    0x00ff_ffff,
    0x3f00_0000,
    0x3f80_0000,
    0x3f80_0001,
    0x3fc0_0000,
    0x4020_0000,
    0x4b00_0000,
    0x4b7f_ffff,
    0x4eff_ffff,
    0x4f00_0000,
    0x5f00_0000,
    0x5eff_ffff,
    0x7f7f_ffff,
    0x7f00_0000,
    0x7f80_0000,
    0x7fc0_0000,
    0x7fc1_2345,
    0x7fff_ffff,
    0x7f80_0001,
    0x7fa0_0000,
    0x7fbf_ffff,
    0x3400_0000,
    0x3380_0000,
    0x0c00_0000,
    0x1f80_0000,
];

pub const F64_SPECIALS: &[u64] = &[
    0,
    1,
    3,
    0x0008_0000_0000_0000,
    0x000f_ffff_ffff_ffff,
    0x0010_0000_0000_0000,
    0x0010_0000_0000_0001,
    0x001f_ffff_ffff_ffff,
    0x3fe0_0000_0000_0000,
    0x3ff0_0000_0000_0000,
    0x3ff0_0000_0000_0001,
    0x3ff8_0000_0000_0000,
    0x4330_0000_0000_0000,
    0x41df_ffff_ffc0_0000,
    0x41e0_0000_0000_0000,
    0x41df_ffff_ffff_ffff,
    0x43e0_0000_0000_0000,
    0x43df_ffff_ffff_ffff,
    0x7fef_ffff_ffff_ffff,
    0x7fe0_0000_0000_0000,
    0x7ff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0x7ff8_0000_1234_5678,
    0x7fff_ffff_ffff_ffff,
    0x7ff0_0000_0000_0001,
    0x7ff4_0000_0000_0000,
    0x7ff7_ffff_ffff_ffff,
    0x3ca0_0000_0000_0000,
    0x36a0_0000_0000_0000,
    0x3810_0000_0000_0000,
    0x47ef_ffff_e000_0000,
    0x3690_0000_0000_0000,
    0x380f_ffff_f000_0000,
];

/// A random f32 bit pattern biased toward edges.
pub fn f32v(r: &mut Rng) -> u32 {
    let sign = (r.bool() as u32) << 31;
    match r.below(8) {
        0 => F32_SPECIALS[r.below(F32_SPECIALS.len() as u64) as usize] | sign,
        1 => r.next() as u32,
        2 => sign | (r.pattern(23) as u32), // subnormal
        3 => {
            let e = [
                1u32, 2, 3, 24, 25, 100, 126, 127, 128, 150, 157, 158, 190, 253, 254, 255,
            ][r.below(16) as usize];
            sign | e << 23 | r.pattern(23) as u32
        }
        _ => sign | (r.below(256) as u32) << 23 | r.pattern(23) as u32,
    }
}

/// A random f64 bit pattern biased toward edges.
pub fn f64v(r: &mut Rng) -> u64 {
    let sign = (r.bool() as u64) << 63;
    match r.below(8) {
        0 => F64_SPECIALS[r.below(F64_SPECIALS.len() as u64) as usize] | sign,
        1 => r.next(),
        2 => sign | r.pattern(52),
        3 => {
            let e = [
                1u64, 2, 3, 53, 54, 500, 896, 897, 1022, 1023, 1024, 1053, 1054, 1086, 1087, 1150,
                2045, 2046, 2047,
            ][r.below(19) as usize];
            sign | e << 52 | r.pattern(52)
        }
        _ => sign | r.below(2048) << 52 | r.pattern(52),
    }
}

/// Pairs whose product / quotient / sum lands near the bottom of the normal
/// range (to exercise tininess), or near overflow.
pub fn f32_pair_edge(r: &mut Rng, op: u32) -> (u32, u32) {
    let sa = (r.bool() as u32) << 31;
    let sb = (r.bool() as u32) << 31;
    let ea = 20 + r.below(200) as i32;
    let target: i32 = if r.below(4) == 0 { 254 } else { 1 }; // biased exponent of the result
    let eb = match op {
        0 => target - ea + 127 + r.below(3) as i32 - 1, // mul
        1 => ea - target + 127 + r.below(3) as i32 - 1, // div
        _ => ea,
    };
    let eb = eb.clamp(0, 254) as u32;
    let a = sa | (ea as u32) << 23 | r.next() as u32 & 0x7f_ffff;
    let mut b = sb | eb << 23 | r.next() as u32 & 0x7f_ffff;
    if op == 2 {
        // a - b close to 2^-126 * small
        b = (a ^ 0x8000_0000) ^ (r.pattern(4) as u32);
    }
    (a, b)
}

pub fn f64_pair_edge(r: &mut Rng, op: u32) -> (u64, u64) {
    let sa = (r.bool() as u64) << 63;
    let sb = (r.bool() as u64) << 63;
    let ea = 100 + r.below(1800) as i64;
    let target: i64 = if r.below(4) == 0 { 2046 } else { 1 };
    let eb = match op {
        0 => target - ea + 1023 + r.below(3) as i64 - 1,
        1 => ea - target + 1023 + r.below(3) as i64 - 1,
        _ => ea,
    };
    let eb = eb.clamp(0, 2046) as u64;
    let a = sa | (ea as u64) << 52 | r.next() & 0xf_ffff_ffff_ffff;
    let mut b = sb | eb << 52 | r.next() & 0xf_ffff_ffff_ffff;
    if op == 2 {
        b = (a ^ (1 << 63)) ^ r.pattern(6);
    }
    (a, b)
}

/// A random f80 as (se, sig), biased toward edges; occasionally an invalid
/// encoding (unnormal, pseudo-NaN, pseudo-infinity) or a pseudo-denormal.
pub fn f80v(r: &mut Rng) -> (u16, u64) {
    let sign = (r.bool() as u16) << 15;
    let int = 1u64 << 63;
    match r.below(12) {
        0 => (sign, 0),
        1 => (sign, r.pattern(63)),                            // denormal
        2 => (sign, int | r.pattern(63)),                      // pseudo-denormal
        3 => (sign | 0x7fff, int),                             // infinity
        4 => (sign | 0x7fff, int | r.pattern(63).max(1)),      // NaN
        5 => (sign | (r.below(0x8000) as u16), r.pattern(63)), // maybe unnormal / pseudo-*
        6 => {
            let e = [
                1u16, 2, 3, 63, 64, 0x3ffe, 0x3fff, 0x4000, 0x401d, 0x401e, 0x403d, 0x403e, 0x7ffd,
                0x7ffe,
            ][r.below(14) as usize];
            (sign | e, int | r.pattern(63))
        }
        _ => (sign | (1 + r.below(0x7ffe) as u16), int | r.pattern(63)),
    }
}
