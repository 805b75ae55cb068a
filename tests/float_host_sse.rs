//! Differential tests of the f32 / f64 operations against the host's SSE unit
//! (x86-64), with MXCSR set to the E2K mode under test.  Host flags are read
//! back from MXCSR; DE is masked out (the library never raises it, see
//! NOTES.md).  Operations with two NaN operands are not compared (SSE returns
//! the first operand; E2K uses the x87 rule) — `rules.rs` covers them.
#![cfg(target_arch = "x86_64")]

#[path = "float/common.rs"]
mod common;

use common::*;
use core::arch::asm;
use e2k_emu::isa::float::*;

const DEFAULT_CSR: u32 = 0x1f80;
const DE: u32 = flags::DE;

fn csr(fpu: Fpu) -> u32 {
    0x1f80 | (fpu.rc as u32) << 13 | (fpu.ftz as u32) << 15 | (fpu.daz as u32) << 6
}

macro_rules! sse_bin_s {
    ($name:ident, $ins:literal) => {
        fn $name(fpu: Fpu, a: u32, b: u32) -> (u32, u32) {
            let ci = csr(fpu);
            let mut co = 0u32;
            let d = DEFAULT_CSR;
            let r: u32;
            unsafe {
                asm!(
                    "ldmxcsr [{ci}]",
                    "movd {x}, {a:e}",
                    "movd {y}, {b:e}",
                    concat!($ins, " {x}, {y}"),
                    "movd {r:e}, {x}",
                    "stmxcsr [{co}]",
                    "ldmxcsr [{d}]",
                    ci = in(reg) &ci, co = in(reg) &mut co, d = in(reg) &d,
                    a = in(reg) a, b = in(reg) b, r = lateout(reg) r,
                    x = out(xmm_reg) _, y = out(xmm_reg) _,
                    options(nostack)
                );
            }
            (r, co & 0x3f & !DE)
        }
    };
}

macro_rules! sse_bin_d {
    ($name:ident, $ins:literal) => {
        fn $name(fpu: Fpu, a: u64, b: u64) -> (u64, u32) {
            let ci = csr(fpu);
            let mut co = 0u32;
            let d = DEFAULT_CSR;
            let r: u64;
            unsafe {
                asm!(
                    "ldmxcsr [{ci}]",
                    "movq {x}, {a}",
                    "movq {y}, {b}",
                    concat!($ins, " {x}, {y}"),
                    "movq {r}, {x}",
                    "stmxcsr [{co}]",
                    "ldmxcsr [{d}]",
                    ci = in(reg) &ci, co = in(reg) &mut co, d = in(reg) &d,
                    a = in(reg) a, b = in(reg) b, r = lateout(reg) r,
                    x = out(xmm_reg) _, y = out(xmm_reg) _,
                    options(nostack)
                );
            }
            (r, co & 0x3f & !DE)
        }
    };
}

sse_bin_s!(h_add_s, "addss");
sse_bin_s!(h_sub_s, "subss");
sse_bin_s!(h_mul_s, "mulss");
sse_bin_s!(h_div_s, "divss");
sse_bin_s!(h_min_s, "minss");
sse_bin_s!(h_max_s, "maxss");
sse_bin_s!(h_sqrt_s2, "sqrtss");
sse_bin_d!(h_add_d, "addsd");
sse_bin_d!(h_sub_d, "subsd");
sse_bin_d!(h_mul_d, "mulsd");
sse_bin_d!(h_div_d, "divsd");
sse_bin_d!(h_min_d, "minsd");
sse_bin_d!(h_max_d, "maxsd");
sse_bin_d!(h_sqrt_d2, "sqrtsd");

macro_rules! sse_cmp {
    ($name:ident, $t:ty, $mov:literal, $ins:literal, $($m:ident)?) => {
        fn $name(fpu: Fpu, p: u8, a: $t, b: $t) -> (bool, u32) {
            let ci = csr(fpu);
            let mut co = 0u32;
            let d = DEFAULT_CSR;
            let r: $t;
            macro_rules! one {
                ($imm:literal) => {
                    unsafe {
                        asm!(
                            "ldmxcsr [{ci}]",
                            concat!($mov, " {x}, {a", $(":", stringify!($m),)? "}"),
                            concat!($mov, " {y}, {b", $(":", stringify!($m),)? "}"),
                            concat!($ins, " {x}, {y}, ", stringify!($imm)),
                            concat!($mov, " {r", $(":", stringify!($m),)? "}, {x}"),
                            "stmxcsr [{co}]",
                            "ldmxcsr [{d}]",
                            ci = in(reg) &ci, co = in(reg) &mut co, d = in(reg) &d,
                            a = in(reg) a, b = in(reg) b, r = lateout(reg) r,
                            x = out(xmm_reg) _, y = out(xmm_reg) _,
                            options(nostack)
                        )
                    }
                };
            }
            match p {
                0 => one!(0),
                1 => one!(1),
                2 => one!(2),
                3 => one!(3),
                4 => one!(4),
                5 => one!(5),
                6 => one!(6),
                _ => one!(7),
            }
            (r != 0, co & 0x3f & !DE)
        }
    };
}

sse_cmp!(h_cmp_s, u32, "movd", "cmpss", e);
sse_cmp!(h_cmp_d, u64, "movq", "cmpsd",);

/// Generic unary host op: `$ins dst, src` with given move forms.
macro_rules! sse_un {
    ($name:ident, $ti:ty, $to:ty, $pre:literal, $ins:literal, $post:literal) => {
        fn $name(fpu: Fpu, a: $ti) -> ($to, u32) {
            let ci = csr(fpu);
            let mut co = 0u32;
            let d = DEFAULT_CSR;
            let r: $to;
            unsafe {
                asm!(
                    "ldmxcsr [{ci}]",
                    $pre,
                    $ins,
                    $post,
                    "stmxcsr [{co}]",
                    "ldmxcsr [{d}]",
                    ci = in(reg) &ci, co = in(reg) &mut co, d = in(reg) &d,
                    a = in(reg) a, r = lateout(reg) r,
                    x = out(xmm_reg) _, y = out(xmm_reg) _,
                    options(nostack)
                );
            }
            (r, co & 0x3f & !DE)
        }
    };
}

sse_un!(
    h_s_to_d,
    u32,
    u64,
    "movd {y}, {a:e}",
    "cvtss2sd {x}, {y}",
    "movq {r}, {x}"
);
sse_un!(
    h_d_to_s,
    u64,
    u32,
    "movq {y}, {a}",
    "cvtsd2ss {x}, {y}",
    "movd {r:e}, {x}"
);
sse_un!(
    h_i32_to_s,
    u32,
    u32,
    "xorps {y}, {y}",
    "cvtsi2ss {x}, {a:e}",
    "movd {r:e}, {x}"
);
sse_un!(
    h_i64_to_s,
    u64,
    u32,
    "xorps {y}, {y}",
    "cvtsi2ss {x}, {a}",
    "movd {r:e}, {x}"
);
sse_un!(
    h_i32_to_d,
    u32,
    u64,
    "xorps {y}, {y}",
    "cvtsi2sd {x}, {a:e}",
    "movq {r}, {x}"
);
sse_un!(
    h_i64_to_d,
    u64,
    u64,
    "xorps {y}, {y}",
    "cvtsi2sd {x}, {a}",
    "movq {r}, {x}"
);
sse_un!(
    h_s_to_i32,
    u32,
    u32,
    "movd {y}, {a:e}",
    "xorps {x}, {x}",
    "cvtss2si {r:e}, {y}"
);
sse_un!(
    h_s_to_i64,
    u32,
    u64,
    "movd {y}, {a:e}",
    "xorps {x}, {x}",
    "cvtss2si {r}, {y}"
);
sse_un!(
    h_s_to_i32_tr,
    u32,
    u32,
    "movd {y}, {a:e}",
    "xorps {x}, {x}",
    "cvttss2si {r:e}, {y}"
);
sse_un!(
    h_s_to_i64_tr,
    u32,
    u64,
    "movd {y}, {a:e}",
    "xorps {x}, {x}",
    "cvttss2si {r}, {y}"
);
sse_un!(
    h_d_to_i32,
    u64,
    u32,
    "movq {y}, {a}",
    "xorps {x}, {x}",
    "cvtsd2si {r:e}, {y}"
);
sse_un!(
    h_d_to_i64,
    u64,
    u64,
    "movq {y}, {a}",
    "xorps {x}, {x}",
    "cvtsd2si {r}, {y}"
);
sse_un!(
    h_d_to_i32_tr,
    u64,
    u32,
    "movq {y}, {a}",
    "xorps {x}, {x}",
    "cvttsd2si {r:e}, {y}"
);
sse_un!(
    h_d_to_i64_tr,
    u64,
    u64,
    "movq {y}, {a}",
    "xorps {x}, {x}",
    "cvttsd2si {r}, {y}"
);

macro_rules! fma_host {
    ($name:ident, $t:ty, $mov:literal, $ins:literal, $($m:ident)?) => {
        #[target_feature(enable = "fma")]
        unsafe fn $name(fpu: Fpu, a: $t, b: $t, c: $t) -> ($t, u32) {
            let ci = csr(fpu);
            let mut co = 0u32;
            let d = DEFAULT_CSR;
            let r: $t;
            asm!(
                "ldmxcsr [{ci}]",
                concat!($mov, " {x}, {c", $(":", stringify!($m),)? "}"),
                concat!($mov, " {y}, {a", $(":", stringify!($m),)? "}"),
                concat!($mov, " {z}, {b", $(":", stringify!($m),)? "}"),
                concat!($ins, " {x}, {y}, {z}"),
                concat!($mov, " {r", $(":", stringify!($m),)? "}, {x}"),
                "stmxcsr [{co}]",
                "ldmxcsr [{d}]",
                ci = in(reg) &ci, co = in(reg) &mut co, d = in(reg) &d,
                a = in(reg) a, b = in(reg) b, c = in(reg) c, r = lateout(reg) r,
                x = out(xmm_reg) _, y = out(xmm_reg) _, z = out(xmm_reg) _,
                options(nostack)
            );
            (r, co & 0x3f & !DE)
        }
    };
}

fma_host!(h_fma_s, u32, "movd", "vfmadd231ss", e);
fma_host!(h_fms_s, u32, "movd", "vfmsub231ss", e);
fma_host!(h_fnma_s, u32, "movd", "vfnmadd231ss", e);
fma_host!(h_fnms_s, u32, "movd", "vfnmsub231ss", e);
fma_host!(h_fma_d, u64, "movq", "vfmadd231sd",);
fma_host!(h_fms_d, u64, "movq", "vfmsub231sd",);
fma_host!(h_fnma_d, u64, "movq", "vfnmadd231sd",);
fma_host!(h_fnms_d, u64, "movq", "vfnmsub231sd",);

fn modes() -> Vec<Fpu> {
    let mut v = Vec::new();
    for rc in 0..4 {
        for (daz, ftz) in [(false, false), (false, true), (true, false), (true, true)] {
            v.push(Fpu::new(rc, daz, ftz));
        }
    }
    v
}

struct Tally {
    name: &'static str,
    checked: u64,
    failed: u64,
    examples: Vec<String>,
}

impl Tally {
    fn new(name: &'static str) -> Tally {
        Tally {
            name,
            checked: 0,
            failed: 0,
            examples: Vec::new(),
        }
    }
    fn check<T: PartialEq + core::fmt::Debug>(
        &mut self,
        ctx: impl FnOnce() -> String,
        got: T,
        want: T,
    ) {
        self.checked += 1;
        if got != want {
            self.failed += 1;
            if self.examples.len() < 12 {
                self.examples
                    .push(format!("{}: got {:x?} want {:x?}", ctx(), got, want));
            }
        }
    }
    fn finish(self) {
        eprintln!(
            "{}: {} cases checked, {} failed",
            self.name, self.checked, self.failed
        );
        if self.failed != 0 {
            panic!(
                "{}: {} of {} differ from the host:\n{}",
                self.name,
                self.failed,
                self.checked,
                self.examples.join("\n")
            );
        }
    }
}

const N: usize = 20000;

fn pairs_s(r: &mut Rng, edge_op: u32) -> Vec<(u32, u32)> {
    let mut v = Vec::new();
    for &a in F32_SPECIALS {
        for &b in F32_SPECIALS {
            for s in 0..4u32 {
                v.push((a ^ (s & 1) << 31, b ^ (s >> 1) << 31));
            }
        }
    }
    for _ in 0..N {
        v.push((f32v(r), f32v(r)));
        v.push(f32_pair_edge(r, edge_op));
    }
    v
}

fn pairs_d(r: &mut Rng, edge_op: u32) -> Vec<(u64, u64)> {
    let mut v = Vec::new();
    for &a in F64_SPECIALS {
        for &b in F64_SPECIALS {
            for s in 0..4u64 {
                v.push((a ^ (s & 1) << 63, b ^ (s >> 1) << 63));
            }
        }
    }
    for _ in 0..N {
        v.push((f64v(r), f64v(r)));
        v.push(f64_pair_edge(r, edge_op));
    }
    v
}

fn nan_s(x: u32) -> bool {
    x & 0x7fff_ffff > 0x7f80_0000
}
fn nan_d(x: u64) -> bool {
    x & 0x7fff_ffff_ffff_ffff > 0x7ff0_0000_0000_0000
}

type BinS = fn(Fpu, u32, u32) -> (u32, u32);
type BinD = fn(Fpu, u64, u64) -> (u64, u32);

fn run_bin_s(name: &'static str, lib: BinS, host: BinS, edge: u32, skip_two_nans: bool) {
    let mut t = Tally::new(name);
    let mut r = Rng::new(name.len() as u64 * 7919 + edge as u64);
    let ps = pairs_s(&mut r, edge);
    for fpu in modes() {
        for &(a, b) in &ps {
            if skip_two_nans && nan_s(a) && nan_s(b) {
                continue;
            }
            t.check(
                || format!("{fpu:?} {a:08x} {b:08x}"),
                lib(fpu, a, b),
                host(fpu, a, b),
            );
        }
    }
    t.finish();
}

fn run_bin_d(name: &'static str, lib: BinD, host: BinD, edge: u32, skip_two_nans: bool) {
    let mut t = Tally::new(name);
    let mut r = Rng::new(name.len() as u64 * 104729 + edge as u64);
    let ps = pairs_d(&mut r, edge);
    for fpu in modes() {
        for &(a, b) in &ps {
            if skip_two_nans && nan_d(a) && nan_d(b) {
                continue;
            }
            t.check(
                || format!("{fpu:?} {a:016x} {b:016x}"),
                lib(fpu, a, b),
                host(fpu, a, b),
            );
        }
    }
    t.finish();
}

#[test]
fn sse_add_s() {
    run_bin_s("add_s", add_s, h_add_s, 2, true);
}
#[test]
fn sse_sub_s() {
    run_bin_s("sub_s", sub_s, h_sub_s, 2, true);
}
#[test]
fn sse_mul_s() {
    run_bin_s("mul_s", mul_s, h_mul_s, 0, true);
}
#[test]
fn sse_div_s() {
    run_bin_s("div_s", div_s, h_div_s, 1, true);
}
#[test]
fn sse_min_s() {
    run_bin_s("min_s", min_s, h_min_s, 2, false);
}
#[test]
fn sse_max_s() {
    run_bin_s("max_s", max_s, h_max_s, 2, false);
}
#[test]
fn sse_add_d() {
    run_bin_d("add_d", add_d, h_add_d, 2, true);
}
#[test]
fn sse_sub_d() {
    run_bin_d("sub_d", sub_d, h_sub_d, 2, true);
}
#[test]
fn sse_mul_d() {
    run_bin_d("mul_d", mul_d, h_mul_d, 0, true);
}
#[test]
fn sse_div_d() {
    run_bin_d("div_d", div_d, h_div_d, 1, true);
}
#[test]
fn sse_min_d() {
    run_bin_d("min_d", min_d, h_min_d, 2, false);
}
#[test]
fn sse_max_d() {
    run_bin_d("max_d", max_d, h_max_d, 2, false);
}

/// Operands with short significands (small integers scaled by powers of two), where
/// sums, products and quotients are often exact: the boundary of the inexact flag.
fn short_pairs(r: &mut Rng, frac: u32, emax: i32) -> Vec<(f64, f64)> {
    let mut v = Vec::new();
    for _ in 0..N {
        let bits = 1 + r.below(frac as u64 + 2) as u32;
        let mut one = || {
            let k = (r.below(1 << bits) + 1) as f64;
            let e = r.below(2 * emax as u64 + 1) as i32 - emax;
            let s = if r.bool() { -1.0 } else { 1.0 };
            s * k * 2f64.powi(e)
        };
        v.push((one(), one()));
    }
    v
}

#[test]
fn sse_exact_boundaries() {
    let ops_s: [(&str, BinS, BinS); 4] = [
        ("add_s", add_s, h_add_s),
        ("sub_s", sub_s, h_sub_s),
        ("mul_s", mul_s, h_mul_s),
        ("div_s", div_s, h_div_s),
    ];
    let ops_d: [(&str, BinD, BinD); 4] = [
        ("add_d", add_d, h_add_d),
        ("sub_d", sub_d, h_sub_d),
        ("mul_d", mul_d, h_mul_d),
        ("div_d", div_d, h_div_d),
    ];
    let mut r = Rng::new(31);
    let ps = short_pairs(&mut r, 23, 60);
    let pd = short_pairs(&mut r, 52, 500);
    for fpu in [Fpu::DEFAULT, Fpu::new(1, false, false)] {
        for (name, lib, host) in ops_s {
            let mut t = Tally::new(name);
            for &(a, b) in &ps {
                let (a, b) = ((a as f32).to_bits(), (b as f32).to_bits());
                t.check(
                    || format!("{fpu:?} {a:08x} {b:08x}"),
                    lib(fpu, a, b),
                    host(fpu, a, b),
                );
            }
            t.finish();
        }
        for (name, lib, host) in ops_d {
            let mut t = Tally::new(name);
            for &(a, b) in &pd {
                let (a, b) = (a.to_bits(), b.to_bits());
                t.check(
                    || format!("{fpu:?} {a:016x} {b:016x}"),
                    lib(fpu, a, b),
                    host(fpu, a, b),
                );
            }
            t.finish();
        }
    }
}

#[test]
fn sse_sqrt() {
    let mut t = Tally::new("sqrt_s");
    let mut r = Rng::new(11);
    let mut vs: Vec<u32> = F32_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 31])
        .collect();
    for _ in 0..3 * N {
        vs.push(f32v(&mut r));
        // exact squares and their neighbours
        let k = (r.below(1 << 12) + 1) as f32;
        let sq = (k * k * [1.0f32, 0.25, 2f32.powi(-100), 2f32.powi(100)][r.below(4) as usize])
            .to_bits();
        vs.extend([sq, sq + 1, sq - 1]);
    }
    for fpu in modes() {
        for &a in &vs {
            t.check(
                || format!("{fpu:?} {a:08x}"),
                sqrt_s(fpu, a),
                h_sqrt_s2(fpu, 0, a),
            );
        }
    }
    t.finish();
    let mut t = Tally::new("sqrt_d");
    let mut vs: Vec<u64> = F64_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 63])
        .collect();
    for _ in 0..3 * N {
        vs.push(f64v(&mut r));
        let k = (r.below(1 << 26) + 1) as f64;
        let sq = (k * k * [1.0f64, 0.25, 2f64.powi(-1000), 2f64.powi(900)][r.below(4) as usize])
            .to_bits();
        vs.extend([sq, sq + 1, sq - 1]);
    }
    for fpu in modes() {
        for &a in &vs {
            t.check(
                || format!("{fpu:?} {a:016x}"),
                sqrt_d(fpu, a),
                h_sqrt_d2(fpu, 0, a),
            );
        }
    }
    t.finish();
}

#[test]
fn sse_compare() {
    let mut t = Tally::new("cmp_s");
    let mut r = Rng::new(5);
    let ps = pairs_s(&mut r, 2);
    for fpu in [Fpu::DEFAULT, Fpu::new(0, true, false)] {
        for p in 0..8u8 {
            for &(a, b) in &ps {
                t.check(
                    || format!("{fpu:?} p{p} {a:08x} {b:08x}"),
                    cmp_s(fpu, FCmp::from_bits(p), a, b),
                    h_cmp_s(fpu, p, a, b),
                );
            }
        }
    }
    t.finish();
    let mut t = Tally::new("cmp_d");
    let ps = pairs_d(&mut r, 2);
    for fpu in [Fpu::DEFAULT, Fpu::new(0, true, false)] {
        for p in 0..8u8 {
            for &(a, b) in &ps {
                t.check(
                    || format!("{fpu:?} p{p} {a:016x} {b:016x}"),
                    cmp_d(fpu, FCmp::from_bits(p), a, b),
                    h_cmp_d(fpu, p, a, b),
                );
            }
        }
    }
    t.finish();
}

#[test]
fn sse_conversions() {
    let mut r = Rng::new(99);
    let mut vs: Vec<u32> = F32_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 31])
        .collect();
    let mut vd: Vec<u64> = F64_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 63])
        .collect();
    let mut ints: Vec<u64> = vec![
        0,
        1,
        !0,
        1 << 31,
        (1 << 31) - 1,
        1 << 63,
        (1 << 63) - 1,
        (1 << 24) + 1,
        (1 << 53) + 1,
    ];
    for _ in 0..4 * N {
        vs.push(f32v(&mut r));
        vd.push(f64v(&mut r));
        let sh = r.below(64);
        ints.push(r.next() >> sh);
        ints.push((r.next() >> sh).wrapping_neg());
    }
    let mut t = Tally::new("float conversions");
    for fpu in modes() {
        for &a in &vs {
            t.check(
                || format!("s_to_d {fpu:?} {a:08x}"),
                s_to_d(fpu, a),
                h_s_to_d(fpu, a),
            );
            let ctx = || format!("s_to_int {fpu:?} {a:08x}");
            t.check(
                ctx,
                s_to_i32(fpu, a),
                (h_s_to_i32(fpu, a).0 as i32, h_s_to_i32(fpu, a).1),
            );
            t.check(
                ctx,
                s_to_i64(fpu, a),
                (h_s_to_i64(fpu, a).0 as i64, h_s_to_i64(fpu, a).1),
            );
            t.check(
                ctx,
                s_to_i32_tr(fpu, a),
                (h_s_to_i32_tr(fpu, a).0 as i32, h_s_to_i32_tr(fpu, a).1),
            );
            t.check(
                ctx,
                s_to_i64_tr(fpu, a),
                (h_s_to_i64_tr(fpu, a).0 as i64, h_s_to_i64_tr(fpu, a).1),
            );
        }
        for &a in &vd {
            t.check(
                || format!("d_to_s {fpu:?} {a:016x}"),
                d_to_s(fpu, a),
                h_d_to_s(fpu, a),
            );
            let ctx = || format!("d_to_int {fpu:?} {a:016x}");
            t.check(
                ctx,
                d_to_i32(fpu, a),
                (h_d_to_i32(fpu, a).0 as i32, h_d_to_i32(fpu, a).1),
            );
            t.check(
                ctx,
                d_to_i64(fpu, a),
                (h_d_to_i64(fpu, a).0 as i64, h_d_to_i64(fpu, a).1),
            );
            t.check(
                ctx,
                d_to_i32_tr(fpu, a),
                (h_d_to_i32_tr(fpu, a).0 as i32, h_d_to_i32_tr(fpu, a).1),
            );
            t.check(
                ctx,
                d_to_i64_tr(fpu, a),
                (h_d_to_i64_tr(fpu, a).0 as i64, h_d_to_i64_tr(fpu, a).1),
            );
        }
        for &v in &ints {
            let ctx = || format!("int_to_float {fpu:?} {v:016x}");
            t.check(ctx, i32_to_s(fpu, v as i32), h_i32_to_s(fpu, v as u32));
            t.check(ctx, i64_to_s(fpu, v as i64), h_i64_to_s(fpu, v));
            t.check(ctx, i32_to_d(fpu, v as i32), h_i32_to_d(fpu, v as u32));
            t.check(ctx, i64_to_d(fpu, v as i64), h_i64_to_d(fpu, v));
        }
    }
    t.finish();
}

#[test]
fn sse_fused_v6() {
    if !std::arch::is_x86_feature_detected!("fma") {
        eprintln!("host has no FMA: skipped");
        return;
    }
    let mut r = Rng::new(1234);
    let mut t = Tally::new("fma_s/fms_s/fnma_s/fnms_s");
    type F3S = fn(Fpu, u32, u32, u32) -> (u32, u32);
    type H3S = unsafe fn(Fpu, u32, u32, u32) -> (u32, u32);
    let ops_s: [(F3S, H3S); 4] = [
        (fma_s, h_fma_s),
        (fms_s, h_fms_s),
        (fnma_s, h_fnma_s),
        (fnms_s, h_fnms_s),
    ];
    for fpu in modes() {
        for _ in 0..N {
            let (a, b, c) = (f32v(&mut r), f32v(&mut r), f32v(&mut r));
            if nan_s(a) || nan_s(b) || nan_s(c) {
                continue; // x86 FMA NaN choice differs from qemu-e2k's; see rules.rs
            }
            for (i, (lib, host)) in ops_s.iter().enumerate() {
                t.check(
                    || format!("op{i} {fpu:?} {a:08x} {b:08x} {c:08x}"),
                    lib(fpu, a, b, c),
                    unsafe { host(fpu, a, b, c) },
                );
            }
        }
    }
    t.finish();
    let mut t = Tally::new("fma_d/fms_d/fnma_d/fnms_d");
    type F3D = fn(Fpu, u64, u64, u64) -> (u64, u32);
    type H3D = unsafe fn(Fpu, u64, u64, u64) -> (u64, u32);
    let ops_d: [(F3D, H3D); 4] = [
        (fma_d, h_fma_d),
        (fms_d, h_fms_d),
        (fnma_d, h_fnma_d),
        (fnms_d, h_fnms_d),
    ];
    for fpu in modes() {
        for _ in 0..N {
            let (a, b, c) = (f64v(&mut r), f64v(&mut r), f64v(&mut r));
            if nan_d(a) || nan_d(b) || nan_d(c) {
                continue;
            }
            for (i, (lib, host)) in ops_d.iter().enumerate() {
                t.check(
                    || format!("op{i} {fpu:?} {a:016x} {b:016x} {c:016x}"),
                    lib(fpu, a, b, c),
                    unsafe { host(fpu, a, b, c) },
                );
            }
        }
    }
    t.finish();
}

/// The combined (FCMB) operations are two host operations in sequence.
#[test]
fn sse_combined_two_roundings() {
    let mut r = Rng::new(77);
    let mut t = Tally::new("comb_d");
    for fpu in modes() {
        for _ in 0..N {
            let (a, b, c) = (f64v(&mut r), f64v(&mut r), f64v(&mut r));
            if nan_d(a) || nan_d(b) || nan_d(c) {
                continue;
            }
            let (p, f1) = h_mul_d(fpu, a, b);
            if nan_d(p) {
                continue;
            }
            let (s, f2) = h_add_d(fpu, c, p);
            t.check(
                || format!("mul_add {fpu:?} {a:x} {b:x} {c:x}"),
                mul_add_d(fpu, a, b, c),
                (s, f1 | f2),
            );
            let (s, f2) = h_sub_d(fpu, c, p);
            t.check(
                || format!("mul_sub {fpu:?} {a:x} {b:x} {c:x}"),
                mul_sub_d(fpu, a, b, c),
                (s, f1 | f2),
            );
            let (s, f2) = h_sub_d(fpu, p, c);
            t.check(
                || format!("mul_rsub {fpu:?} {a:x} {b:x} {c:x}"),
                mul_rsub_d(fpu, a, b, c),
                (s, f1 | f2),
            );
        }
    }
    t.finish();
}
