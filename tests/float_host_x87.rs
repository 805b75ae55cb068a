//! Differential tests of the 80-bit operations against the host x87 unit,
//! with the control word set to the E2K `%fpcr` mode under test (all
//! exceptions masked).  The x87 is also the oracle for the two-NaN rule.
//! DE is masked out of the host status word (the library never raises it).
#![cfg(target_arch = "x86_64")]

#[path = "float/common.rs"]
mod common;

use common::*;
use core::arch::asm;
use e2k_emu::isa::float::*;

#[repr(C, align(16))]
#[derive(Clone, Copy, Default)]
struct T80 {
    sig: u64,
    se: u16,
}

fn t80(a: F80) -> T80 {
    T80 {
        sig: a.sig,
        se: a.se,
    }
}

fn cw(fx: Fx) -> u16 {
    0x7f | (fx.pc as u16) << 8 | (fx.rc as u16) << 10
}

const FLAGS: u32 = 0x3f & !flags::DE;

macro_rules! x87_bin {
    ($name:ident, $ins:literal) => {
        fn $name(fx: Fx, a: F80, b: F80) -> (F80, u32) {
            let (ta, tb) = (t80(a), t80(b));
            let mut r = T80::default();
            let c = cw(fx);
            let mut old = 0u16;
            let mut sw = 0u16;
            unsafe {
                asm!(
                    "fnstcw word ptr [{old}]",
                    "fldcw word ptr [{c}]",
                    "fnclex",
                    "fld tbyte ptr [{b}]",
                    "fld tbyte ptr [{a}]",
                    $ins,
                    "fnstsw word ptr [{sw}]",
                    "fstp tbyte ptr [{r}]",
                    "fstp st(0)",
                    "fnclex",
                    "fldcw word ptr [{old}]",
                    old = in(reg) &mut old, c = in(reg) &c, a = in(reg) &ta, b = in(reg) &tb,
                    sw = in(reg) &mut sw, r = in(reg) &mut r,
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    options(nostack)
                );
            }
            (F80::new(r.se, r.sig), sw as u32 & FLAGS)
        }
    };
}

x87_bin!(h_add, "fadd st(0), st(1)");
x87_bin!(h_sub, "fsub st(0), st(1)");
x87_bin!(h_mul, "fmul st(0), st(1)");
x87_bin!(h_div, "fdiv st(0), st(1)");
x87_bin!(h_sqrt2, "fsqrt");

fn h_cmp(fx: Fx, quiet: bool, a: F80, b: F80) -> (Option<core::cmp::Ordering>, u32) {
    let (ta, tb) = (t80(a), t80(b));
    let c = cw(fx);
    let mut old = 0u16;
    let mut sw = 0u16;
    let (z, p, cf): (u8, u8, u8);
    macro_rules! go {
        ($ins:literal) => {
            unsafe {
                asm!(
                    "fnstcw word ptr [{old}]",
                    "fldcw word ptr [{c}]",
                    "fnclex",
                    "fld tbyte ptr [{b}]",
                    "fld tbyte ptr [{a}]",
                    $ins,
                    "setz {z}",
                    "setp {p}",
                    "setc {cf}",
                    "fnstsw word ptr [{sw}]",
                    "fstp st(0)",
                    "fstp st(0)",
                    "fnclex",
                    "fldcw word ptr [{old}]",
                    old = in(reg) &mut old, c = in(reg) &c, a = in(reg) &ta, b = in(reg) &tb,
                    sw = in(reg) &mut sw, z = out(reg_byte) z, p = out(reg_byte) p, cf = out(reg_byte) cf,
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                )
            }
        };
    }
    if quiet {
        go!("fucomi st(0), st(1)");
    } else {
        go!("fcomi st(0), st(1)");
    }
    use core::cmp::Ordering::*;
    let rel = match (z, p, cf) {
        (1, 1, 1) => None,
        (1, 0, 0) => Some(Equal),
        (0, 0, 1) => Some(Less),
        (0, 0, 0) => Some(Greater),
        other => panic!("odd fcomi flags {other:?}"),
    };
    (rel, sw as u32 & FLAGS)
}

/// `$load` loads the source at [{a}], `$store` stores st(0) to [{r}] and pops.
macro_rules! x87_cvt {
    ($name:ident, $ti:ty, $to:ty, $load:literal, $store:literal) => {
        fn $name(fx: Fx, a: $ti) -> ($to, u32) {
            let mut r: $to = Default::default();
            let c = cw(fx);
            let mut old = 0u16;
            let mut sw = 0u16;
            unsafe {
                asm!(
                    "fnstcw word ptr [{old}]",
                    "fldcw word ptr [{c}]",
                    "fnclex",
                    $load,
                    $store,
                    "fnstsw word ptr [{sw}]",
                    "fnclex",
                    "fldcw word ptr [{old}]",
                    old = in(reg) &mut old, c = in(reg) &c, a = in(reg) &a,
                    sw = in(reg) &mut sw, r = in(reg) &mut r,
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    options(nostack)
                );
            }
            (r, sw as u32 & FLAGS)
        }
    };
}

x87_cvt!(
    h_x_to_s,
    T80,
    u32,
    "fld tbyte ptr [{a}]",
    "fstp dword ptr [{r}]"
);
x87_cvt!(
    h_x_to_d,
    T80,
    u64,
    "fld tbyte ptr [{a}]",
    "fstp qword ptr [{r}]"
);
x87_cvt!(
    h_s_to_x,
    u32,
    T80,
    "fld dword ptr [{a}]",
    "fstp tbyte ptr [{r}]"
);
x87_cvt!(
    h_d_to_x,
    u64,
    T80,
    "fld qword ptr [{a}]",
    "fstp tbyte ptr [{r}]"
);
x87_cvt!(
    h_i32_to_x,
    i32,
    T80,
    "fild dword ptr [{a}]",
    "fstp tbyte ptr [{r}]"
);
x87_cvt!(
    h_i64_to_x,
    i64,
    T80,
    "fild qword ptr [{a}]",
    "fstp tbyte ptr [{r}]"
);
x87_cvt!(
    h_x_to_i32,
    T80,
    i32,
    "fld tbyte ptr [{a}]",
    "fistp dword ptr [{r}]"
);
x87_cvt!(
    h_x_to_i64,
    T80,
    i64,
    "fld tbyte ptr [{a}]",
    "fistp qword ptr [{r}]"
);
x87_cvt!(
    h_x_to_i32_tr,
    T80,
    i32,
    "fld tbyte ptr [{a}]",
    "fisttp dword ptr [{r}]"
);
x87_cvt!(
    h_x_to_i64_tr,
    T80,
    i64,
    "fld tbyte ptr [{a}]",
    "fisttp qword ptr [{r}]"
);

fn fx_modes() -> Vec<Fx> {
    let mut v = Vec::new();
    for p in [pc::SINGLE, pc::DOUBLE, pc::EXTENDED] {
        for rc in 0..4 {
            v.push(Fx::new(rc, p));
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
                "{}: {} of {} differ from the host x87:\n{}",
                self.name,
                self.failed,
                self.checked,
                self.examples.join("\n")
            );
        }
    }
}

const N: usize = 20000;

fn f80(r: &mut Rng) -> F80 {
    let (se, sig) = f80v(r);
    F80::new(se, sig)
}

/// Pairs whose product / quotient lands near the bottom or top of the range.
fn f80_pair_edge(r: &mut Rng, op: u32) -> (F80, F80) {
    let int = 1u64 << 63;
    let ea = 64 + r.below(0x7f00) as i64;
    let target: i64 = if r.below(4) == 0 { 0x7ffe } else { 1 };
    let eb = match op {
        0 => target - ea + 0x3fff + r.below(3) as i64 - 1,
        _ => ea - target + 0x3fff + r.below(3) as i64 - 1,
    };
    let eb = eb.clamp(1, 0x7ffe) as u16;
    let sa = (r.bool() as u16) << 15;
    let sb = (r.bool() as u16) << 15;
    (
        F80::new(sa | ea as u16, int | r.pattern(63)),
        F80::new(sb | eb, int | r.pattern(63)),
    )
}

fn pairs(r: &mut Rng, op: u32) -> Vec<(F80, F80)> {
    let mut v = Vec::new();
    for _ in 0..N {
        v.push((f80(r), f80(r)));
        v.push(f80_pair_edge(r, op));
    }
    // two-NaN cases, including equal fractions with different signs
    for _ in 0..N / 8 {
        let fa = r.pattern(62);
        let fb = if r.bool() { fa } else { r.pattern(62) };
        let qa = (r.bool() as u64) << 62;
        let qb = (r.bool() as u64) << 62;
        let a = F80::new((r.bool() as u16) << 15 | 0x7fff, 1 << 63 | qa | fa.max(1));
        let b = F80::new((r.bool() as u16) << 15 | 0x7fff, 1 << 63 | qb | fb.max(1));
        v.push((a, b));
    }
    v
}

type Bin = fn(Fx, F80, F80) -> (F80, u32);

fn run_bin(name: &'static str, lib: Bin, host: Bin, edge: u32) {
    let mut t = Tally::new(name);
    let mut r = Rng::new(name.len() as u64 * 31337 + edge as u64);
    let ps = pairs(&mut r, edge);
    for fx in fx_modes() {
        for &(a, b) in &ps {
            t.check(
                || format!("{fx:?} {a:x?} {b:x?}"),
                lib(fx, a, b),
                host(fx, a, b),
            );
        }
    }
    t.finish();
}

#[test]
fn x87_add() {
    run_bin("add_x", add_x, h_add, 0);
}
#[test]
fn x87_sub() {
    run_bin("sub_x", sub_x, h_sub, 0);
}
#[test]
fn x87_mul() {
    run_bin("mul_x", mul_x, h_mul, 0);
}
#[test]
fn x87_div() {
    run_bin("div_x", div_x, h_div, 1);
}

#[test]
fn x87_sqrt() {
    let mut t = Tally::new("sqrt_x");
    let mut r = Rng::new(4242);
    let mut vs: Vec<F80> = (0..3 * N).map(|_| f80(&mut r)).collect();
    // exact squares (of 32-bit integers, scaled) and their neighbours
    for _ in 0..N {
        let k = r.below(1 << 32) | 1 << 31;
        let sq = (k as u128 * k as u128) as u64; // top bit set: 2^62 <= k^2 < 2^64
        let e =
            0x3fff + [0u16, 1, 2, 63][r.below(4) as usize] - [0u16, 0x3000][r.below(2) as usize];
        for d in [0u64, 1, u64::MAX] {
            vs.push(F80::new(e, sq.wrapping_add(d) | 1 << 63));
        }
    }
    for fx in fx_modes() {
        for &a in &vs {
            t.check(
                || format!("{fx:?} {a:x?}"),
                sqrt_x(fx, a),
                h_sqrt2(fx, a, F80::new(0, 0)),
            );
        }
    }
    t.finish();
}

#[test]
fn x87_compare() {
    let mut t = Tally::new("cmp_x");
    let mut r = Rng::new(8);
    let mut ps = pairs(&mut r, 0);
    for _ in 0..N {
        let a = f80(&mut r);
        ps.push((a, a));
        ps.push((a, F80::new(a.se ^ 0x8000, a.sig)));
    }
    let fx = Fx::DEFAULT;
    for &(a, b) in &ps {
        for p in 0..8u8 {
            let p = FCmp::from_bits(p);
            let (rel, f) = h_cmp(fx, !p.signalling(), a, b);
            let want = match p {
                FCmp::Eq => rel == Some(core::cmp::Ordering::Equal),
                FCmp::Lt => rel == Some(core::cmp::Ordering::Less),
                FCmp::Le => matches!(
                    rel,
                    Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
                ),
                FCmp::Uod => rel.is_none(),
                FCmp::Neq => rel != Some(core::cmp::Ordering::Equal),
                FCmp::Nlt => rel != Some(core::cmp::Ordering::Less),
                FCmp::Nle => !matches!(
                    rel,
                    Some(core::cmp::Ordering::Less | core::cmp::Ordering::Equal)
                ),
                FCmp::Od => rel.is_some(),
            };
            t.check(
                || format!("{p:?} {a:x?} {b:x?}"),
                cmp_x(fx, p, a, b),
                (want, f),
            );
        }
    }
    t.finish();
}

#[test]
fn x87_conversions() {
    let mut t = Tally::new("x87 conversions");
    let mut r = Rng::new(77);
    let vx: Vec<F80> = (0..4 * N).map(|_| f80(&mut r)).collect();
    let mut vs: Vec<u32> = F32_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 31])
        .collect();
    let mut vd: Vec<u64> = F64_SPECIALS
        .iter()
        .flat_map(|&a| [a, a | 1 << 63])
        .collect();
    let mut ints: Vec<u64> = vec![0, 1, !0, 1 << 31, (1 << 31) - 1, 1 << 63, (1 << 63) - 1];
    for _ in 0..N {
        vs.push(f32v(&mut r));
        vd.push(f64v(&mut r));
        let sh = r.below(64);
        ints.push(r.next() >> sh);
        ints.push((r.next() >> sh).wrapping_neg());
    }
    // values near the integer limits
    let mut vx = vx;
    for e in [0x401du16, 0x401e, 0x403d, 0x403e] {
        for _ in 0..N / 8 {
            vx.push(F80::new(
                (r.bool() as u16) << 15 | e,
                1 << 63 | r.pattern(63),
            ));
        }
    }
    for fx in fx_modes().into_iter().filter(|f| f.pc == pc::EXTENDED) {
        for &a in &vx {
            let ctx = || format!("{fx:?} {a:x?}");
            t.check(ctx, x_to_s(fx, a), h_x_to_s(fx, t80(a)));
            t.check(ctx, x_to_d(fx, a), h_x_to_d(fx, t80(a)));
            t.check(ctx, x_to_i32(fx, a), h_x_to_i32(fx, t80(a)));
            t.check(ctx, x_to_i64(fx, a), h_x_to_i64(fx, t80(a)));
            t.check(ctx, x_to_i32_tr(fx, a), h_x_to_i32_tr(fx, t80(a)));
            t.check(ctx, x_to_i64_tr(fx, a), h_x_to_i64_tr(fx, t80(a)));
        }
    }
    let untr = |(x, f): (T80, u32)| (F80::new(x.se, x.sig), f);
    for fx in fx_modes() {
        for &a in &vs {
            t.check(
                || format!("s_to_x {fx:?} {a:08x}"),
                s_to_x(fx, a),
                untr(h_s_to_x(fx, a)),
            );
        }
        for &a in &vd {
            t.check(
                || format!("d_to_x {fx:?} {a:016x}"),
                d_to_x(fx, a),
                untr(h_d_to_x(fx, a)),
            );
        }
        for &v in &ints {
            t.check(
                || format!("i_to_x {fx:?} {v:x}"),
                i32_to_x(fx, v as i32),
                untr(h_i32_to_x(fx, v as i32)),
            );
            t.check(
                || format!("i_to_x {fx:?} {v:x}"),
                i64_to_x(fx, v as i64),
                untr(h_i64_to_x(fx, v as i64)),
            );
        }
    }
    t.finish();
}
