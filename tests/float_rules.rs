//! Unit tests for each E2K-specific rule (sources in NOTES.md).  These use
//! fixed vectors only, so they run on any host.

use e2k_emu::isa::float::*;

const NE: Fpu = Fpu::DEFAULT;
const IE: u32 = flags::IE;
const PE: u32 = flags::PE;
const UE: u32 = flags::UE;
const OE: u32 = flags::OE;
const ZE: u32 = flags::ZE;

// ---- control registers ----------------------------------------------------

#[test]
fn pfpfr_layout() {
    // rc = bits 13..14, fz = bit 15; bit 6 is reserved (no DAZ).
    assert_eq!(
        Fpu::from_pfpfr(0x1f80),
        Fpu {
            rc: 0,
            daz: false,
            ftz: false
        }
    );
    assert_eq!(
        Fpu::from_pfpfr(0x1f80 | 1 << 13),
        Fpu {
            rc: rc::DOWN,
            daz: false,
            ftz: false
        }
    );
    assert_eq!(
        Fpu::from_pfpfr(0x1f80 | 2 << 13),
        Fpu {
            rc: rc::UP,
            daz: false,
            ftz: false
        }
    );
    assert_eq!(
        Fpu::from_pfpfr(0x1f80 | 3 << 13),
        Fpu {
            rc: rc::ZERO,
            daz: false,
            ftz: false
        }
    );
    assert_eq!(
        Fpu::from_pfpfr(1 << 15),
        Fpu {
            rc: 0,
            daz: false,
            ftz: true
        }
    );
    assert_eq!(Fpu::from_pfpfr(1 << 6 | 0xfc00_0000 | 0x3f), Fpu::DEFAULT);
}

#[test]
fn fpcr_layout() {
    // reset value 0x37f: pc = 3 (extended), rc = 0
    assert_eq!(
        Fx::from_fpcr(0x37f),
        Fx {
            rc: 0,
            pc: pc::EXTENDED
        }
    );
    assert_eq!(
        Fx::from_fpcr(0x7f | 2 << 8 | 3 << 10),
        Fx {
            rc: rc::ZERO,
            pc: pc::DOUBLE
        }
    );
    assert_eq!(Fx::from_fpcr(0x7f).precision(), 24);
    assert_eq!(Fx::from_fpcr(0x27f).precision(), 53);
    assert_eq!(Fx::from_fpcr(0x17f).precision(), 64); // reserved pc treated as extended
}

#[test]
fn flag_bits_match_pfpfr_and_fpsr() {
    assert_eq!((IE, flags::DE, ZE, OE, UE, PE), (1, 2, 4, 8, 16, 32));
    assert_eq!(div_s(NE, 0x3f80_0000, 0).1, ZE);
    assert_eq!(mul_s(NE, 0x7f7f_ffff, 0x4000_0000), (0x7f80_0000, OE | PE));
    // 2^-127 + 2^-150: a tie on the subnormal grid, to even
    assert_eq!(mul_s(NE, 0x0080_0000, 0x3f00_0001), (0x0040_0000, UE | PE));
    assert_eq!(add_s(NE, 0x3f80_0000, 0x3380_0000), (0x3f80_0000, PE));
}

// ---- default NaN and NaN propagation ---------------------------------------

#[test]
fn default_nan_is_negative_quiet() {
    assert_eq!(div_s(NE, 0, 0), (0xffc0_0000, IE));
    assert_eq!(sub_s(NE, 0x7f80_0000, 0x7f80_0000), (0xffc0_0000, IE));
    assert_eq!(
        mul_d(NE, 0x7ff0_0000_0000_0000, 0),
        (0xfff8_0000_0000_0000, IE)
    );
    assert_eq!(
        sqrt_d(NE, 0xbff0_0000_0000_0000),
        (0xfff8_0000_0000_0000, IE)
    );
    assert_eq!(fma_s(NE, 0x7f80_0000, 0, 0x3f80_0000), (0xffc0_0000, IE));
    let inf = F80::new(0x7fff, 1 << 63);
    assert_eq!(
        sub_x(Fx::DEFAULT, inf, inf),
        (F80::new(0xffff, 0xc000_0000_0000_0000), IE)
    );
    assert_eq!(F80::DEFAULT_NAN, F80::new(0xffff, 0xc000_0000_0000_0000));
}

#[test]
fn nan_propagation_x87_rule_f32() {
    let q_small = 0x7fc0_0001;
    let q_big = 0x7fc0_1000;
    let s_small = 0x7f80_0001;
    let s_big = 0x7fa0_0000;
    let one = 0x3f80_0000;
    // NaN and number: the NaN, quieted; invalid only for a signalling NaN
    assert_eq!(add_s(NE, one, q_small), (q_small, 0));
    assert_eq!(add_s(NE, s_small, one), (s_small | 0x40_0000, IE));
    // signalling + quiet: the quiet one, whatever the fractions
    assert_eq!(add_s(NE, s_big, q_small), (q_small, IE));
    assert_eq!(add_s(NE, q_small, s_big), (q_small, IE));
    // two quiet / two signalling: larger fraction
    assert_eq!(mul_s(NE, q_small, q_big), (q_big, 0));
    assert_eq!(mul_s(NE, q_big, q_small), (q_big, 0));
    assert_eq!(sub_s(NE, s_small, s_big), (s_big | 0x40_0000, IE));
    // equal fractions: the positive one
    assert_eq!(add_s(NE, q_small | 1 << 31, q_small), (q_small, 0));
    assert_eq!(add_s(NE, q_small, q_small | 1 << 31), (q_small, 0));
    // SSE would give the first operand here; E2K (qemu-e2k) does not
    assert_ne!(add_s(NE, q_small, q_big).0, q_small);
}

#[test]
fn nan_propagation_f64_and_f80() {
    assert_eq!(
        add_d(NE, 0x7ff8_0000_0000_0001, 0xfff8_0000_0000_0002),
        (0xfff8_0000_0000_0002, 0)
    );
    assert_eq!(
        add_d(NE, 0x7ff0_0000_0000_0001, 0x3ff0_0000_0000_0000),
        (0x7ff8_0000_0000_0001, IE)
    );
    let fx = Fx::DEFAULT;
    let q = F80::new(0x7fff, 0xc000_0000_0000_0005);
    let s = F80::new(0xffff, 0x8000_0000_0000_0009);
    let one = F80::new(0x3fff, 1 << 63);
    assert_eq!(add_x(fx, s, q), (q, IE));
    assert_eq!(
        mul_x(fx, s, one),
        (F80::new(0xffff, 0xc000_0000_0000_0009), IE)
    );
    assert_eq!(sqrt_x(fx, s), (F80::new(0xffff, 0xc000_0000_0000_0009), IE));
}

#[test]
fn fused_v6_nan_choice_is_first_nan() {
    let q1 = 0x7fc0_0001;
    let q2 = 0x7fc0_0002;
    let s3 = 0x7f80_0003;
    assert_eq!(fma_s(NE, 0x3f80_0000, q2, q1), (q2, 0));
    assert_eq!(fma_s(NE, q1, q2, s3), (q1, IE));
    // 0 * inf + qNaN: the NaN, no invalid (qemu default pickNaNMulAdd)
    assert_eq!(fma_s(NE, 0, 0x7f80_0000, q1), (q1, 0));
    // negation does not touch a NaN result
    assert_eq!(fnms_s(NE, q1, 0, 0), (q1, 0));
}

// ---- min / max ---------------------------------------------------------------

#[test]
fn min_max_return_second_operand_on_nan_and_zero_pairs() {
    let q = 0x7fc0_0001;
    let s = 0x7f80_0001;
    let one = 0x3f80_0000;
    assert_eq!(min_s(NE, q, one), (one, IE)); // quiet NaN raises invalid too
    assert_eq!(min_s(NE, one, q), (q, IE));
    assert_eq!(max_s(NE, one, s), (s, IE)); // returned unquieted
    assert_eq!(min_s(NE, 0, 0x8000_0000), (0x8000_0000, 0));
    assert_eq!(min_s(NE, 0x8000_0000, 0), (0, 0));
    assert_eq!(
        max_d(NE, 0, 0x8000_0000_0000_0000),
        (0x8000_0000_0000_0000, 0)
    );
    assert_eq!(
        min_d(NE, 0xbff0_0000_0000_0000, 0x3ff0_0000_0000_0000),
        (0xbff0_0000_0000_0000, 0)
    );
    assert_eq!(
        max_d(NE, 0xbff0_0000_0000_0000, 0x3ff0_0000_0000_0000),
        (0x3ff0_0000_0000_0000, 0)
    );
}

// ---- compares ------------------------------------------------------------------

#[test]
fn compare_quiet_and_signalling_predicates() {
    let q = 0x7fc0_0000;
    let s = 0x7f80_0001;
    let one = 0x3f80_0000;
    for (p, want, ie_on_qnan) in [
        (FCmp::Eq, false, false),
        (FCmp::Lt, false, true),
        (FCmp::Le, false, true),
        (FCmp::Uod, true, false),
        (FCmp::Neq, true, false),
        (FCmp::Nlt, true, true),
        (FCmp::Nle, true, true),
        (FCmp::Od, false, false),
    ] {
        assert_eq!(
            cmp_s(NE, p, q, one),
            (want, if ie_on_qnan { IE } else { 0 }),
            "{p:?}"
        );
        assert_eq!(cmp_s(NE, p, one, s), (want, IE), "{p:?} sNaN");
        assert_eq!(p.signalling(), ie_on_qnan);
    }
    assert_eq!(cmp_s(NE, FCmp::Eq, 0, 0x8000_0000), (true, 0));
    assert_eq!(cmp_d(NE, FCmp::Lt, 0xbff0_0000_0000_0000, 0), (true, 0));
    assert_eq!(FCmp::from_bits(5), FCmp::Nlt);
}

#[test]
fn cmpf_flag_words() {
    assert_eq!(cmpf_s(NE, 0x3f80_0000, 0x4000_0000), (cmpf::LESS, 0));
    assert_eq!(cmpf_s(NE, 0x4000_0000, 0x3f80_0000), (cmpf::GREATER, 0));
    assert_eq!(cmpf_d(NE, 0, 0x8000_0000_0000_0000), (cmpf::EQUAL, 0));
    assert_eq!(cmpf_s(NE, 0x7f80_0001, 0), (cmpf::UNORDERED, 0)); // no flag even for sNaN
    let fx = Fx::DEFAULT;
    let unnormal = F80::new(0x3fff, 0x4000_0000_0000_0000);
    assert_eq!(
        cmpf_x(fx, unnormal, F80::new(0x3fff, 1 << 63)),
        (cmpf::UNORDERED, IE)
    );
}

// ---- conversions -------------------------------------------------------------

#[test]
fn integer_indefinite_on_invalid_conversion() {
    assert_eq!(s_to_i32(NE, 0x4f00_0000), (i32::MIN, IE)); // 2^31
    assert_eq!(s_to_i32(NE, 0xcf00_0000), (i32::MIN, 0)); // -2^31 fits
    assert_eq!(s_to_i32(NE, 0x7fc0_0000), (i32::MIN, IE));
    assert_eq!(d_to_i64(NE, 0x43e0_0000_0000_0000), (i64::MIN, IE)); // 2^63
    assert_eq!(d_to_i64_tr(NE, 0xfff0_0000_0000_0000), (i64::MIN, IE));
    assert_eq!(x_to_i32(Fx::DEFAULT, F80::DEFAULT_NAN), (i32::MIN, IE));
    assert_eq!(
        x_to_i64(Fx::DEFAULT, F80::new(0x403e, 1 << 63)),
        (i64::MIN, IE)
    );
    // current rounding vs truncation
    assert_eq!(d_to_i32(NE, 0x4004_0000_0000_0000), (2, PE)); // 2.5 -> 2 (ties to even)
    assert_eq!(d_to_i32(NE.with_rc(rc::UP), 0x4004_0000_0000_0000), (3, PE));
    assert_eq!(d_to_i32_tr(NE, 0xc004_0000_0000_0000), (-2, PE));
    assert_eq!(s_to_i32_tr(NE, 0xbf00_0000), (0, PE)); // -0.5
}

#[test]
fn float_format_conversions_keep_nan_payload() {
    assert_eq!(s_to_d(NE, 0xff80_0001), (0xfff8_0000_2000_0000, IE));
    assert_eq!(d_to_s(NE, 0x7ff0_0000_2000_0001), (0x7fc0_0001, IE));
    assert_eq!(d_to_s(NE, 0x7ff8_0000_0000_0001), (0x7fc0_0000, 0)); // low payload lost
    assert_eq!(
        s_to_x(Fx::DEFAULT, 0x7f80_0001),
        (F80::new(0x7fff, 0xc000_0100_0000_0000), IE)
    );
    assert_eq!(
        x_to_d(Fx::DEFAULT, F80::new(0xffff, 0xc000_0000_0000_0800)),
        (0xfff8_0000_0000_0001, 0)
    );
    assert_eq!(d_to_s(NE, 0x47f0_0000_0000_0000), (0x7f80_0000, OE | PE));
    assert_eq!(
        d_to_s(NE.with_rc(rc::ZERO), 0x47f0_0000_0000_0000),
        (0x7f7f_ffff, OE | PE)
    );
}

#[test]
fn int_to_float() {
    assert_eq!(i32_to_s(NE, 16_777_217), (0x4b80_0000, PE));
    assert_eq!(i32_to_d(NE, -1), (0xbff0_0000_0000_0000, 0));
    assert_eq!(
        i64_to_d(NE.with_rc(rc::UP), (1 << 53) + 1),
        (0x4340_0000_0000_0001, PE)
    );
    // f80 from i64 is exact whatever %fpcr.pc says
    let fx24 = Fx::new(rc::NEAREST, pc::SINGLE);
    assert_eq!(
        i64_to_x(fx24, i64::MAX),
        (F80::new(0x403d, u64::MAX - 1), 0)
    );
}

// ---- denormals -----------------------------------------------------------------

#[test]
fn flush_to_zero_and_daz() {
    let fz = Fpu::from_pfpfr(1 << 15);
    // tiny result -> signed zero, UE and PE
    assert_eq!(mul_s(fz, 0x8080_0000, 0x3f00_0000), (0x8000_0000, UE | PE));
    // an exact subnormal result is flushed as well
    assert_eq!(sub_s(fz, 0x0080_0001, 0x0080_0000), (0, UE | PE));
    // a subnormal input is used as is without DAZ (pfpfr has no DAZ bit)
    assert_eq!(add_s(fz, 0x0000_0001, 0x3f80_0000), (0x3f80_0000, PE));
    assert_eq!(mul_s(NE, 0x0000_0001, 0x4b00_0000), (0x0080_0000, 0));
    let daz = Fpu::new(rc::NEAREST, true, false);
    assert_eq!(mul_s(daz, 0x0000_0001, 0x4b00_0000), (0, 0));
    assert_eq!(min_s(daz, 0x8000_0001, 0), (0, 0));
    // DE is never raised
    assert_eq!(add_d(NE, 1, 1), (2, 0));
}

#[test]
fn underflow_is_detected_after_rounding() {
    // (2^-126 - 2^-150) rounds to 2^-126 with unbounded exponent: not tiny
    let (r, f) = mul_s(NE, 0x3f7f_ffff, 0x0080_0001);
    assert_eq!(r, 0x0080_0000);
    assert_eq!(f, PE);
    // (1 - 2^-24) * 2^-126 = 2^-126 - 2^-150: a tie on the subnormal grid that
    // rounds up to 2^-126, but exact (so < 2^-126) with an unbounded
    // exponent: x86 calls it tiny (UE set); the crate alone would not
    let (r, f) = mul_s(NE, 0x3f7f_ffff, 0x0080_0000);
    assert_eq!(r, 0x0080_0000);
    assert_eq!(f, UE | PE);
}

// ---- combined and fused operations ------------------------------------------------

#[test]
fn combined_rounds_twice_fused_rounds_once() {
    let a = 0x3ff0_0000_0200_0000; // 1 + 2^-27
    let b = 0x3fef_ffff_fc00_0000; // 1 - 2^-27
    let c = 0xbff0_0000_0000_0000; // -1
                                   // a*b = 1 - 2^-54 exactly: rounds to 1.0 (tie to even), then + (-1) = 0
    assert_eq!(mul_add_d(NE, a, b, c), (0, PE));
    // fused: -2^-54
    assert_eq!(fma_d(NE, a, b, c), (0xbc90_0000_0000_0000, 0));
    // comb_d is the generic form
    assert_eq!(
        comb_d(NE, FOp::Mul, FOp::Add, a, b, c),
        mul_add_d(NE, a, b, c)
    );
}

#[test]
fn combined_operand_order_follows_qemu_e2k() {
    let two = 0x4000_0000;
    let three = 0x4040_0000;
    let ten = 0x4120_0000;
    // t = 2*3 = 6; Sub: c - t = 4; Rsub: t - c = -4; Add: c + t = 16
    assert_eq!(mul_add_s(NE, two, three, ten), (0x4180_0000, 0));
    assert_eq!(mul_sub_s(NE, two, three, ten), (0x4080_0000, 0));
    assert_eq!(mul_rsub_s(NE, two, three, ten), (0xc080_0000, 0));
    // add_rsub: t = a + b = 5, t - c = -5
    assert_eq!(
        comb_s(NE, FOp::Add, FOp::Rsub, two, three, ten),
        (0xc0a0_0000, 0)
    );
    // flags of both steps are ORed: overflow in the product, then inf - inf
    let (r, f) = mul_sub_s(NE, 0x7f7f_ffff, 0x7f7f_ffff, 0x7f80_0000);
    assert_eq!((r, f), (0xffc0_0000, OE | PE | IE));
}

#[test]
fn round_to_integral_control() {
    let x = 0x4020_0000; // 2.5
    assert_eq!(round_int_s(NE, 0, x), (0x4000_0000, PE)); // nearest even
    assert_eq!(round_int_s(NE, 2, x), (0x4040_0000, PE)); // up
    assert_eq!(round_int_s(NE.with_rc(rc::UP), 4, x), (0x4040_0000, PE)); // current mode
    assert_eq!(round_int_s(NE, 3 | 8, x), (0x4000_0000, 0)); // toward zero, inexact suppressed
}

// ---- 80-bit specifics ----------------------------------------------------------------

#[test]
fn f80_invalid_encodings_and_pseudo_denormals() {
    let fx = Fx::DEFAULT;
    let one = F80::new(0x3fff, 1 << 63);
    let unnormal = F80::new(0x3fff, 0x4000_0000_0000_0000);
    let pseudo_inf = F80::new(0x7fff, 0);
    let pseudo_nan = F80::new(0x7fff, 0x4000_0000_0000_0001);
    for bad in [unnormal, pseudo_inf, pseudo_nan] {
        assert!(bad.is_invalid_encoding());
        assert_eq!(add_x(fx, bad, one), (F80::DEFAULT_NAN, IE));
        assert_eq!(x_to_d(fx, bad), (0xfff8_0000_0000_0000, IE));
        assert_eq!(cmp_x(fx, FCmp::Eq, bad, one), (false, IE));
    }
    // pseudo-denormal (exponent 0, integer bit 1) is the value 2^-16382
    let pd = F80::new(0, 1 << 63);
    assert_eq!(add_x(fx, pd, F80::new(0, 0)), (F80::new(1, 1 << 63), 0));
    assert_eq!(
        F80::from_bits(F80::new(0x1234, 0xdead_beef).to_bits()),
        F80::new(0x1234, 0xdead_beef)
    );
}

#[test]
fn f80_precision_control() {
    let one = F80::new(0x3fff, 1 << 63);
    let tiny = F80::new(0x3fff - 30, 1 << 63); // 2^-30
    let x = Fx::DEFAULT;
    let d = Fx::new(rc::NEAREST, pc::DOUBLE);
    let s = Fx::new(rc::NEAREST, pc::SINGLE);
    assert_eq!(
        add_x(x, one, tiny),
        (F80::new(0x3fff, 1 << 63 | 1 << 33), 0)
    );
    assert_eq!(
        add_x(d, one, tiny),
        (F80::new(0x3fff, 1 << 63 | 1 << 33), 0)
    );
    assert_eq!(add_x(s, one, tiny), (one, PE));
    // sqrt(2) at 24 bits
    let two = F80::new(0x4000, 1 << 63);
    assert_eq!(
        sqrt_x(s, two),
        (F80::new(0x3fff, 0xb504_f300_0000_0000), PE)
    );
}

#[test]
fn f80_round_trip_through_f64_is_exact() {
    let fx = Fx::DEFAULT;
    for v in [
        0u64,
        1,
        0x000f_ffff_ffff_ffff,
        0x3ff0_0000_0000_0001,
        0x7fef_ffff_ffff_ffff,
        0x8000_0000_0000_0001,
    ] {
        let (x, f) = d_to_x(fx, v);
        assert_eq!(f, 0);
        assert_eq!(x_to_d(fx, x), (v, 0));
    }
}
