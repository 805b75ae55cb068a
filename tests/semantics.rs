//! The interpreter semantics generated from `isa/`, run on a small test machine.

use e2k_emu::isa;
use e2k_emu::isa::semantics::{Exec, OpVals, Trap, SEMANTICS};
use std::collections::HashMap;

#[derive(Default)]
struct Machine {
    mem: HashMap<u64, u8>,
    pfpfr: u32,
    fpsr: u32,
}

macro_rules! no_helpers {
    ($($name:ident($($a:ident),*)),* $(,)?) => {
        $(fn $name(&mut self, $($a: u128),*) -> Result<u128, Trap> { $(let _ = $a;)* Err(Trap::IllegalOpcode) })*
    };
}

impl Exec for Machine {
    fn load(&mut self, addr: u64, bits: u32) -> Result<u128, Trap> {
        let mut v = 0u128;
        for i in (0..bits as u64 / 8).rev() {
            let b = *self
                .mem
                .get(&addr.wrapping_add(i))
                .ok_or(Trap::MemoryFault(addr))?;
            v = v << 8 | b as u128;
        }
        Ok(v)
    }
    fn store(&mut self, addr: u64, bits: u32, value: u128) -> Result<u128, Trap> {
        for i in 0..bits as u64 / 8 {
            self.mem
                .insert(addr.wrapping_add(i), (value >> (8 * i)) as u8);
        }
        Ok(0)
    }
    fn pfpfr(&self) -> u32 {
        self.pfpfr
    }
    fn raise_pfpfr(&mut self, flags: u32) {
        self.pfpfr |= flags;
    }
    fn fpcr(&self) -> u32 {
        0x37f
    }
    fn raise_fpsr(&mut self, flags: u32) {
        self.fpsr |= flags;
    }
    // No tags here: which half's tag counts, and how a result is written, is the
    // machine's business.
    fn low_tag_only(&mut self, _: u128) -> Result<u128, Trap> {
        Ok(0)
    }
    fn low_half_only(&mut self) -> Result<u128, Trap> {
        Ok(0)
    }
    no_helpers!(
        seg_base(a),
        ap_address(a, b),
        od_address(a, b, c),
        load_reg_space(a),
        store_reg_space(a, b),
        load_reg_space_q(a),
        store_reg_space_q(a, b),
        store_masked(a, b, c),
        procedure_label(a),
        getsp(a),
        get_tag(a),
        put_tag(a, b),
        state_read(a),
        state_write(a, b),
        cctop(a, b),
        mlock(),
        aau_read(a, b),
        aau_write(a, b, c),
        apb_load(a),
        apb_area(a, b),
        apb_cdi(a, b),
        apb_advance(a, b, c),
        readable(a, b),
        iset(),
        mova_write(a, b, c, d),
        carry_tag(),
        pred(a),
        pred_value(a),
        pred_tag(a),
        pred_write(a, b, c),
        local_pred(a),
        local_pred_tag(a),
        local_pred_write(a, b, c),
        ctpr(a),
        ctpr_write(a, b),
        jump(a),
        call_to(a, b),
        syscall(a, b),
        return_to_caller(),
        set_window(a, b, c),
        set_reg_rotation(a, b, c),
        set_pred_rotation(a),
        rotate_regs(),
        rotate_preds(),
    );
}

fn op(name: &str) -> usize {
    isa::OPS
        .iter()
        .position(|o| o.name == name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

fn run(m: &mut Machine, name: &str, v: OpVals) -> Result<OpVals, Trap> {
    let mut v = v;
    SEMANTICS[op(name)](m, &mut v)?;
    Ok(v)
}

fn alu(name: &str, src1: u128, src2: u128) -> u128 {
    run(
        &mut Machine::default(),
        name,
        OpVals {
            src1,
            src2,
            ..Default::default()
        },
    )
    .unwrap()
    .dst
}

fn pred(name: &str, src1: u128, src2: u128) -> u128 {
    run(
        &mut Machine::default(),
        name,
        OpVals {
            src1,
            src2,
            ..Default::default()
        },
    )
    .unwrap()
    .pdst
}

#[test]
fn integer_arithmetic() {
    assert_eq!(alu("adds", 0xffff_ffff, 1), 0);
    assert_eq!(alu("addd", 0xffff_ffff, 1), 0x1_0000_0000);
    assert_eq!(alu("subs", 0, 1), 0xffff_ffff);
    assert_eq!(alu("muls", 0x1_0000, 0x1_0000), 0);
    assert_eq!(
        alu("umulx", 0xffff_ffff, 0xffff_ffff),
        0xffff_fffe_0000_0001
    );
    assert_eq!(alu("smulx", 0xffff_ffff, 0xffff_ffff), 1);
    assert_eq!(alu("umulhd", u64::MAX as u128, 2), 1);
    assert_eq!(alu("sdivs", 0xffff_fff9, 2), 0xffff_fffd);
    assert_eq!(alu("udivx", 0x1_0000_0000, 2), 0x8000_0000);
    assert_eq!(alu("smodx", 0xffff_ffff_ffff_fff9, 2), 0xffff_ffff);
    let e = run(
        &mut Machine::default(),
        "udivs",
        OpVals {
            src1: 1,
            src2: 0,
            ..Default::default()
        },
    );
    assert_eq!(e, Err(Trap::DivByZero));
    let v = run(
        &mut Machine::default(),
        "addcd",
        OpVals {
            src1: u64::MAX as u128,
            src2: 0,
            src3: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.dst, 0);
    let v = run(
        &mut Machine::default(),
        "addcd_c",
        OpVals {
            src1: u64::MAX as u128,
            src2: 0,
            src3: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.dst, 1);
}

#[test]
fn logic_and_shifts() {
    assert_eq!(alu("andns", 0xff, 0x0f), 0xf0);
    assert_eq!(alu("orns", 0, 0xffff_fff0), 0xf);
    assert_eq!(alu("xornd", 0, 0), u64::MAX as u128);
    assert_eq!(alu("shls", 1, 31), 0x8000_0000);
    // Scalar shift counts are taken modulo the width.
    assert_eq!(alu("shls", 1, 32), 1);
    assert_eq!(alu("shrd", 8, 64), 8);
    assert_eq!(alu("sars", 0x8000_0000, 32), 0x8000_0000);
    assert_eq!(alu("shrd", 1 << 63, 63), 1);
    assert_eq!(alu("sars", 0x8000_0000, 31), 0xffff_ffff);
    assert_eq!(alu("scls", 0x8000_0001, 1), 3);
    assert_eq!(alu("scrd", 1, 1), 1 << 63);
}

#[test]
fn bit_fields() {
    assert_eq!(alu("sxt", 0, 0x80), 0xffff_ffff_ffff_ff80);
    assert_eq!(alu("sxt", 1, 0x8000), 0xffff_ffff_ffff_8000);
    assert_eq!(alu("sxt", 2, 0x8000_0000), 0xffff_ffff_8000_0000);
    assert_eq!(alu("sxt", 4, 0xff80), 0x80);
    assert_eq!(alu("sxt", 6, 0xffff_ffff), 0xffff_ffff);
    // getfs: offset 8, length 8.
    assert_eq!(alu("getfs", 0x1234_5678, 8 | 8 << 6), 0x56);
    // Sign-extended, sign bit in byte 1 at bit (8 + 8 - 1) & 7 = 7: bit 15.
    assert_eq!(
        alu("getfs", 0x0000_8000, 8 | 8 << 6 | 1 << 12 | 1 << 13),
        0xffff_ff80
    );
    assert_eq!(alu("getfd", 0xabcd << 32, 32 | 16 << 6), 0xabcd);
    let v = run(
        &mut Machine::default(),
        "insfs",
        OpVals {
            src1: 0xffff_0000,
            src2: 16 << 6,
            src3: 0x1234,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(v.dst, 0xffff_1234);
    assert_eq!(
        run(
            &mut Machine::default(),
            "bitrevs",
            OpVals {
                src2: 1,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        0x8000_0000
    );
    assert_eq!(
        run(
            &mut Machine::default(),
            "lzcntd",
            OpVals {
                src2: 1,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        63
    );
    assert_eq!(
        run(
            &mut Machine::default(),
            "popcnts",
            OpVals {
                src2: 0xff,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        8
    );
}

#[test]
fn compares() {
    assert_eq!(pred("cmpesb", 5, 5), 1);
    assert_eq!(pred("cmpbsb", 1, 0xffff_ffff), 1);
    assert_eq!(pred("cmplsb", 1, 0xffff_ffff), 0);
    assert_eq!(pred("cmplesb", 0xffff_ffff, 0xffff_ffff), 1);
    assert_eq!(pred("cmposb", 0x8000_0000, 1), 1, "INT_MIN - 1 overflows");
    assert_eq!(pred("cmposb", 5, 1), 0);
    assert_eq!(pred("cmpssb", 1, 2), 1);
    assert_eq!(pred("cmppsb", 3, 0), 1, "0b11 has even parity");
    assert_eq!(pred("cmpandedb", 0xf0, 0x0f), 1);
    assert_eq!(pred("cmpandsdb", 1 << 63, u64::MAX as u128), 1);
}

#[test]
fn merge_selects_by_condition() {
    let v = OpVals {
        src1: 1,
        src2: 2,
        cond: 1,
        ..Default::default()
    };
    assert_eq!(run(&mut Machine::default(), "merges", v).unwrap().dst, 2);
    let v = OpVals {
        src1: 1,
        src2: 2,
        cond: 0,
        ..Default::default()
    };
    assert_eq!(run(&mut Machine::default(), "merged", v).unwrap().dst, 1);
}

#[test]
fn loads_and_stores() {
    let mut m = Machine::default();
    run(
        &mut m,
        "std",
        OpVals {
            src1: 0x1000,
            src2: 8,
            data: 0x1122_3344_5566_7788,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        run(
            &mut m,
            "ldw",
            OpVals {
                src1: 0x1008,
                src2: 0,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        0x5566_7788
    );
    assert_eq!(
        run(
            &mut m,
            "ldb",
            OpVals {
                src1: 0x1008,
                src2: 7,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        0x11
    );
    run(
        &mut m,
        "sth",
        OpVals {
            src1: 0x1008,
            src2: 0,
            data: 0xaaaa_bbbb,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        run(
            &mut m,
            "ldd",
            OpVals {
                src1: 0x1008,
                src2: 0,
                ..Default::default()
            }
        )
        .unwrap()
        .dst,
        0x1122_3344_5566_bbbb
    );
    let e = run(
        &mut m,
        "ldd",
        OpVals {
            src1: 0x9000,
            src2: 0,
            ..Default::default()
        },
    );
    assert_eq!(e, Err(Trap::MemoryFault(0x9000)));
    // Helpers are the machine's: segment loads ask for the segment base.
    assert_eq!(
        run(&mut m, "ldcsw", OpVals::default()),
        Err(Trap::IllegalOpcode)
    );
}

#[test]
fn every_operation_has_semantics() {
    assert_eq!(SEMANTICS.len(), isa::OPS.len());
}

/// Runs a floating-point operation with `%pfpfr` = `pfpfr`: (dst, pdst, flags raised).
fn fp(name: &str, pfpfr: u32, src: [u128; 3]) -> (u128, u128, u32) {
    let mut m = Machine {
        pfpfr,
        ..Default::default()
    };
    let v = run(
        &mut m,
        name,
        OpVals {
            src1: src[0],
            src2: src[1],
            src3: src[2],
            ..Default::default()
        },
    )
    .unwrap();
    (v.dst, v.pdst, m.pfpfr & !pfpfr)
}

fn d(x: f64) -> u128 {
    x.to_bits() as u128
}

fn s(x: f32) -> u128 {
    x.to_bits() as u128
}

const RC_DOWN: u32 = 1 << 13;
const RC_UP: u32 = 2 << 13;
const RC_ZERO: u32 = 3 << 13;
const IE: u32 = 1;
const ZE: u32 = 4;
const PE: u32 = 32;

#[test]
fn floating_point_arithmetic() {
    assert_eq!(fp("faddd", 0, [d(1.5), d(2.25), 0]), (d(3.75), 0, 0));
    assert_eq!(fp("fsubs", 0, [s(1.0), s(3.0), 0]), (s(-2.0), 0, 0));
    assert_eq!(fp("fmuld", 0, [d(3.0), d(-0.5), 0]).0, d(-1.5));
    // 1/3 rounds differently up and to nearest (down), and is inexact.
    let near = fp("fdivd", 0, [d(1.0), d(3.0), 0]);
    let up = fp("fdivd", RC_UP, [d(1.0), d(3.0), 0]);
    assert_eq!(near, (d(1.0 / 3.0), 0, PE));
    assert_eq!(up.0, near.0 + 1);
    assert_eq!(fp("fdivd", RC_DOWN, [d(1.0), d(3.0), 0]).0, near.0);
    assert_eq!(
        fp("fdivs", 0, [s(1.0), s(0.0), 0]),
        (s(f32::INFINITY), 0, ZE)
    );
    // 0/0: invalid, the default NaN is negative.
    assert_eq!(
        fp("fdivd", 0, [d(0.0), d(0.0), 0]),
        (0xfff8_0000_0000_0000, 0, IE)
    );
    assert_eq!(fp("fsqrttd", 0, [d(2.0), 0, 0]).0, d(2f64.sqrt()));
    assert_eq!(fp("fsqrts", 0, [0, s(9.0), 0]).0, s(3.0));
    assert_eq!(fp("fmaxd", 0, [d(-1.0), d(4.0), 0]).0, d(4.0));
    assert_eq!(fp("fmins", 0, [s(-1.0), s(4.0), 0]).0, s(-1.0));
    assert_eq!(fp("fscaled", 0, [d(3.0), 4, 0]).0, d(48.0));
    assert_eq!(
        fp("fscales", 0, [s(3.0), (-2i32) as u32 as u128, 0]).0,
        s(0.75)
    );
    assert_eq!(fp("frcps", 0, [0, s(4.0), 0]).0, s(0.25));
}

#[test]
fn floating_point_compares_and_conversions() {
    let nan = d(f64::NAN);
    assert_eq!(fp("fcmpltdb", 0, [d(1.0), d(2.0), 0]).1, 1);
    assert_eq!(fp("fcmpltdb", 0, [d(2.0), d(1.0), 0]).1, 0);
    // Ordered less-than signals on a quiet NaN; equality does not.
    assert_eq!(fp("fcmpltdb", 0, [nan, d(1.0), 0]), (0, 0, IE));
    assert_eq!(fp("fcmpeqdb", 0, [nan, d(1.0), 0]), (0, 0, 0));
    assert_eq!(fp("fcmpuoddb", 0, [nan, d(1.0), 0]).1, 1);
    assert_eq!(fp("fcmpeqs", 0, [s(2.0), s(2.0), 0]).0, 0xffff_ffff);
    assert_eq!(fp("fcmpneqd", 0, [d(2.0), d(2.0), 0]).0, 0);
    assert_eq!(fp("fcmpoddf", 0, [d(1.0), d(2.0), 0]).0, 0x01);
    assert_eq!(fp("fcmpoddf", 0, [nan, d(2.0), 0]).0, 0x45);
    assert_eq!(fp("fdtoid", 0, [0, d(-2.5), 0]).0, (-2i64) as u64 as u128);
    assert_eq!(
        fp("fdtoid", RC_DOWN, [0, d(-2.5), 0]).0,
        (-3i64) as u64 as u128
    );
    assert_eq!(
        fp("fdtoidtr", 0, [0, d(-2.75), 0]).0,
        (-2i64) as u64 as u128
    );
    assert_eq!(fp("fstois", 0, [0, s(1e10), 0]), (0x8000_0000, 0, IE));
    assert_eq!(fp("istofd", 0, [0, 0xffff_fff9, 0]).0, d(-7.0));
    assert_eq!(fp("idtofs", 0, [0, 1 << 40, 0]).0, s(1099511627776.0));
    assert_eq!(fp("fstofd", 0, [0, s(0.1), 0]).0, d(0.1f32 as f64));
    assert_eq!(fp("fdtofs", 0, [0, d(0.1), 0]), (s(0.1), 0, PE));
    // fdtoifd: control 4 = the current rounding mode; 0..3 name one.
    assert_eq!(fp("fdtoifd", 0, [4, d(2.5), 0]).0, d(2.0));
    assert_eq!(fp("fdtoifd", 0, [2, d(2.25), 0]).0, d(3.0));
    assert_eq!(fp("fdtoifd", RC_ZERO, [4, d(-2.75), 0]).0, d(-2.0));
}

#[test]
fn combined_and_fused_floating_point() {
    // Combined: t = src1 op1 src2, then src3 op2 t (sub: src3 - t, rsub: t - src3).
    assert_eq!(fp("fmul_addd", 0, [d(2.0), d(3.0), d(1.0)]).0, d(7.0));
    assert_eq!(fp("fmul_subd", 0, [d(2.0), d(3.0), d(1.0)]).0, d(-5.0));
    assert_eq!(fp("fmul_rsubd", 0, [d(2.0), d(3.0), d(1.0)]).0, d(5.0));
    assert_eq!(fp("fadd_adds", 0, [s(1.0), s(2.0), s(4.0)]).0, s(7.0));
    // Rounded twice: (1 + 2^-30)^2 - 1 loses the 2^-60 term in the product.
    let x = 1.0 + 2f64.powi(-30);
    assert_eq!(fp("fmul_rsubd", 0, [d(x), d(x), d(1.0)]).0, d(x * x - 1.0));
    // Fused (v6): one rounding keeps it.
    assert_eq!(fp("fmsd", 0, [d(x), d(x), d(1.0)]).0, d(x.mul_add(x, -1.0)));
    assert_ne!(x.mul_add(x, -1.0), x * x - 1.0);
    assert_eq!(fp("fnmad", 0, [d(2.0), d(3.0), d(1.0)]).0, d(-5.0));
}

/// An 80-bit value: sign and exponent, significand.
fn x(se: u16, sig: u64) -> u128 {
    (se as u128) << 64 | sig as u128
}

#[test]
fn extended_floating_point() {
    let (one_half, two_quarter) = (
        x(0x3fff, 0xc000_0000_0000_0000),
        x(0x4000, 0x9000_0000_0000_0000),
    );
    assert_eq!(fp("fdtofx", 0, [0, d(1.5), 0]).0, one_half);
    assert_eq!(
        fp("fxaddxx", 0, [one_half, two_quarter, 0]).0,
        x(0x4000, 0xf000_0000_0000_0000)
    );
    assert_eq!(fp("fxmulxd", 0, [one_half, two_quarter, 0]).0, d(3.375));
    assert_eq!(fp("fxsubss", 0, [one_half, s(2.0), 0]).0, s(-0.5));
    assert_eq!(fp("fxrsubdd", 0, [one_half, d(2.0), 0]).0, d(0.5));
    assert_eq!(fp("fxdivtss", 0, [one_half, s(3.0), 0]).0, s(2.0));
    assert_eq!(fp("fxtofd", 0, [0, two_quarter, 0]).0, d(2.25));
    assert_eq!(
        fp("fxtoid", 0, [0, x(0xc000, 0xa000_0000_0000_0000), 0]).0,
        (-2i64) as u64 as u128
    );
    assert_eq!(
        fp("fxtoidtr", 0, [0, x(0xc000, 0xb000_0000_0000_0000), 0]).0,
        (-2i64) as u64 as u128
    );
    assert_eq!(
        fp("istofx", 0, [0, 3, 0]).0,
        x(0x4000, 0xc000_0000_0000_0000)
    );
    assert_eq!(
        fp("fxsqrttxx", 0, [0, x(0x4002, 0x9000_0000_0000_0000), 0]).0,
        x(0x4000, 0xc000_0000_0000_0000)
    );
    assert_eq!(fp("fxcmpltdb", 0, [one_half, d(2.0), 0]).1, 1);
    assert_eq!(fp("fxcmpodxf", 0, [two_quarter, one_half, 0]).0, 0);
    assert_eq!(
        fp("fxscalesx", 0, [one_half, 2, 0]).0,
        x(0x4001, 0xc000_0000_0000_0000)
    );
    // The extension moves with movfi/movif; movxa and movxc touch only the sign.
    assert_eq!(fp("movfi", 0, [0, two_quarter, 0]).0, 0x4000);
    assert_eq!(
        fp("movif", 0, [0x9000_0000_0000_0000, 0x4000, 0]).0,
        two_quarter
    );
    assert_eq!(
        fp("movxc", 0, [0, two_quarter, 0]).0,
        x(0xc000, 0x9000_0000_0000_0000)
    );
    assert_eq!(fp("movxa", 0, [0, x(0xc000, 1), 0]).0, x(0x4000, 1));
}

/// A three-source operation's result (`cond`: the MRGC condition).
fn alu3(name: &str, src: [u128; 3], cond: bool) -> u128 {
    run(
        &mut Machine::default(),
        name,
        OpVals {
            src1: src[0],
            src2: src[1],
            src3: src[2],
            cond: cond as u128,
            ..Default::default()
        },
    )
    .unwrap()
    .dst
}

#[test]
fn combined_integer_operations() {
    // t = src1 op1 src2, then src3 op2 t.
    assert_eq!(alu3("and_ors", [0xf0, 0x3c, 0x01], false), 0x31);
    assert_eq!(alu3("add_subd", [5, 7, 100], false), 88);
    assert_eq!(alu3("and_rsubs", [0xff, 0x0f, 1], false), 14);
    assert_eq!(alu3("sub_shld", [5, 2, 1], false), 8);
    assert_eq!(alu3("xor_addd", [u64::MAX as u128, 0, 1], false), 0);
    assert_eq!(alu3("add_ands", [0xffff_ffff, 1, 0xff], false), 0);
    // merge picks src2 (first step) or t (second step) when the condition holds.
    assert_eq!(alu3("merge_ors", [1, 2, 0x10], true), 0x12);
    assert_eq!(alu3("merge_ors", [1, 2, 0x10], false), 0x11);
    assert_eq!(alu3("and_merges", [0xff, 0x0f, 7], true), 0x0f);
    assert_eq!(alu3("and_merges", [0xff, 0x0f, 7], false), 7);
    // getf as the first step: 4 bits from offset 4 of src1.
    assert_eq!(alu3("getf_ord", [0xab0, 4 << 6 | 4, 0x100], false), 0x10b);
}

#[test]
fn packed_operations() {
    let a = 0x8001_7f10_ff00_0203u128;
    let b = 0x0101_0110_0100_0204u128;
    assert_eq!(alu("paddb", a, b), 0x8102_8020_0000_0407);
    assert_eq!(alu("paddh", 0xffff_0001, 0x0001_0001), 0x0000_0002);
    assert_eq!(alu("psubw", 0x1_0000_0000, 0x1), 0x0000_0001_ffff_ffff);
    // Saturation: 0x7f + 0x01 stays 0x7f signed; 0xff + 0x01 stays 0xff unsigned.
    assert_eq!(alu("paddsb", 0x7f80, 0x01ff), 0x7f80);
    assert_eq!(alu("paddusb", 0xff10, 0x0110), 0xff20);
    assert_eq!(alu("psubusb", 0x0510, 0x0620), 0x0000);
    assert_eq!(alu("psubsh", 0x8000, 0x0001), 0x8000);
    assert_eq!(alu("pavgusb", 0x0301, 0x0402), 0x0402);
    assert_eq!(alu("pminub", 0x10ff, 0x2001), 0x1001);
    assert_eq!(alu("pmaxsb", 0x10ff, 0x2001), 0x2001);
    assert_eq!(
        alu("pcmpeqb", 0x1234_5678, 0x1200_5600),
        0xffff_ffff_ff00_ff00
    );
    assert_eq!(alu("pcmpgth", 0x0001_ffff, 0x0000_0000), 0xffff_0000);
    assert_eq!(
        alu("pmovmskb", 0x8000_0000_0000_0080, 0x0080_0000_0000_8000),
        0x8142
    );
    assert_eq!(alu("pmullh", 0x0003_0002, 0x0004_8000), 0x000c_0000);
    assert_eq!(alu("pmulhh", 0x4000, 0x4000), 0x1000);
    assert_eq!(alu("pmaddh", 0x0002_0003, 0x0004_0005), 8 + 15);
    assert_eq!(alu("psadbw", 0x0102, 0x0301), 3);
    assert_eq!(
        alu("psllh", 0x0001_0001_0001_8001, 1),
        0x0002_0002_0002_0002
    );
    assert_eq!(alu("psrah", 0x8000, 15), 0xffff);
    assert_eq!(
        alu("psrlw", 0x8000_0000_0000_0010, 4),
        0x0800_0000_0000_0001
    );
    assert_eq!(
        alu("packsshb", 0x0100_ff00, 0x0005_0080),
        0x0000_7f80_0000_057f
    );
    assert_eq!(
        alu("punpcklbh", 0x0000_0000_0000_aabb, 0x0000_0000_0000_ccdd),
        0xaacc_bbdd
    );
    assert_eq!(
        alu("punpckhwd", 0x1111_1111_0000_0000, 0x2222_2222_0000_0000),
        0x1111_1111_2222_2222
    );
    assert_eq!(
        alu("phaddh", 0x0004_0003_0002_0001, 0x0040_0030_0020_0010),
        0x0070_0030_0007_0003
    );
    assert_eq!(alu("psignb", 0x0505_0505, 0x00ff_0180), 0x00fb_05fb);
    assert_eq!(
        alu("phminposuh", 0x0004_0003_0002_0009, 0x0005_0001_0007_0008),
        0x0006_0001
    );
    // pshufb: byte i of src3 selects byte 3:0 of src1:src2, or a constant.
    assert_eq!(
        alu3(
            "pshufb",
            [
                0x1716_1514_1312_1110,
                0x0706_0504_0302_0100,
                0x80e0_c0a0_1f0f_0800
            ],
            false
        ),
        0x00ff_807f_e817_1000
    );
    assert_eq!(alu3("pmerge", [0x1111, 0x2222, 0x8000], false), 0x2211);
}

#[test]
fn packed_floating_point() {
    let pair = |hi: f32, lo: f32| (hi.to_bits() as u128) << 32 | lo.to_bits() as u128;
    assert_eq!(
        fp("pfadds", 0, [pair(1.0, 2.0), pair(0.5, 0.25), 0]).0,
        pair(1.5, 2.25)
    );
    assert_eq!(
        fp("pfmuls", 0, [pair(3.0, -2.0), pair(2.0, 2.0), 0]).0,
        pair(6.0, -4.0)
    );
    assert_eq!(
        fp("pfcmplts", 0, [pair(1.0, 5.0), pair(2.0, 2.0), 0]).0,
        0xffff_ffff_0000_0000
    );
    assert_eq!(
        fp(
            "pfmul_adds",
            0,
            [pair(2.0, 3.0), pair(4.0, 5.0), pair(1.0, 1.0)]
        )
        .0,
        pair(9.0, 16.0)
    );
    assert_eq!(
        fp("pistofs", 0, [0, 3u128 << 32 | 0xffff_fffe, 0]).0,
        pair(3.0, -2.0)
    );
    assert_eq!(fp("pfmaxd", 0, [d(1.0), d(2.0), 0]).0, d(2.0));
}

#[test]
fn quad_operations() {
    let q = |hi: u64, lo: u64| (hi as u128) << 64 | lo as u128;
    assert_eq!(alu("qpaddw", q(1, 0xffff_ffff), q(2, 1)), q(3, 0));
    assert_eq!(
        alu("qpcmpeqb", q(0x12, 0x34), q(0x12, 0x35)),
        q(u64::MAX, 0xffff_ffff_ffff_ff00)
    );
    assert_eq!(alu("qppackdl", 0xaaaa, 0xbbbb), q(0xaaaa, 0xbbbb));
    assert_eq!(alu("qpswitchd", 0, q(1, 2)), q(2, 1));
    assert_eq!(
        alu("qpswitchw", 0, q(0x1_0000_0002, 0x3_0000_0004)),
        q(0x2_0000_0001, 0x4_0000_0003)
    );
    assert_eq!(alu("qpsrlh", q(0x8000, 0x0010), 4), q(0x0800, 0x0001));
    let f4 = |a: f32, b: f32, c: f32, e: f32| {
        q(
            (a.to_bits() as u64) << 32 | b.to_bits() as u64,
            (c.to_bits() as u64) << 32 | e.to_bits() as u64,
        )
    };
    assert_eq!(
        fp(
            "qpfadds",
            0,
            [f4(1.0, 2.0, 3.0, 4.0), f4(0.5, 0.5, 0.5, 0.5), 0]
        )
        .0,
        f4(1.5, 2.5, 3.5, 4.5)
    );
    assert_eq!(
        fp(
            "qpfmul_addd",
            0,
            [
                q(2f64.to_bits(), 3f64.to_bits()),
                q(4f64.to_bits(), 5f64.to_bits()),
                q(1f64.to_bits(), 1f64.to_bits())
            ]
        )
        .0,
        q(9f64.to_bits(), 16f64.to_bits())
    );
}

/// A packed operation with its 8-bit immediate (ALOPF11_LIT8).
fn lit8(name: &str, src1: u128, src2: u128, imm: u128) -> u128 {
    let slot = OpVals::SLOTS
        .iter()
        .position(|s| *s == "imm")
        .expect("an imm slot");
    let mut v = OpVals {
        src1,
        src2,
        ..Default::default()
    };
    *v.slot_mut(slot) = imm;
    run(&mut Machine::default(), name, v).unwrap().dst
}

#[test]
fn packed_operations_with_an_immediate() {
    let (a, b) = (0x1111_1111_2222_2222u128, 0x3333_3333_4444_4444u128);
    // Word 0 from src1 word 1 (bits 1:0 = 3), word 1 from src2 word 0 (bits 3:2 = 0).
    assert_eq!(lit8("pshufw", a, b, 0x03), 0x4444_4444_1111_1111);
    assert_eq!(lit8("pextrh", a, b, 1), 0x4444);
    assert_eq!(lit8("pextrh", a, b, 7), 0x1111);
    assert_eq!(lit8("pinsh", a, 0xabcd, 2), 0x1111_abcd_2222_2222);
    assert_eq!(lit8("psllqh", a, b, 2), 0x1111_2222_2222_3333);
    assert_eq!(lit8("psrlql", a, b, 2), 0x2222_3333_3333_4444);
    assert_eq!(lit8("psllql", a, b, 1), 0x3333_3344_4444_4400);
}

#[test]
fn horizontal_packed_floating_point() {
    let pair = |hi: f32, lo: f32| (hi.to_bits() as u128) << 32 | lo.to_bits() as u128;
    assert_eq!(
        fp("pfhadds", 0, [pair(2.0, 1.0), pair(8.0, 4.0), 0]).0,
        pair(12.0, 3.0)
    );
    assert_eq!(
        fp("pfhsubs", 0, [pair(2.0, 1.0), pair(8.0, 4.0), 0]).0,
        pair(-4.0, -1.0)
    );
    assert_eq!(
        fp("pfaddsubs", 0, [pair(2.0, 1.0), pair(8.0, 4.0), 0]).0,
        pair(10.0, -3.0)
    );
    // t = src1 * src2 lane by lane, then hadd(src3, t).
    assert_eq!(
        fp(
            "pfmul_hadds",
            0,
            [pair(2.0, 3.0), pair(4.0, 5.0), pair(1.0, 0.5)]
        )
        .0,
        pair(23.0, 1.5)
    );
}

#[test]
fn quad_horizontal_pack_and_permute_operations() {
    let q = |hi: u64, lo: u64| (hi as u128) << 64 | lo as u128;
    let h8 = |h: [u16; 8]| h.iter().rev().fold(0u128, |a, &x| a << 16 | x as u128);
    let b16 = |b: [u8; 16]| b.iter().rev().fold(0u128, |a, &x| a << 8 | x as u128);
    // Pairs of src1 in the low half, pairs of src2 in the high half.
    assert_eq!(
        alu(
            "qphaddh",
            h8([1, 2, 3, 4, 5, 6, 7, 8]),
            h8([0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17])
        ),
        h8([3, 7, 11, 15, 0x21, 0x25, 0x29, 0x2d])
    );
    assert_eq!(
        alu("qphaddsh", h8([0x7fff, 1, 0x8000, 0xffff, 0, 0, 0, 0]), 0),
        h8([0x7fff, 0x8000, 0, 0, 0, 0, 0, 0])
    );
    // Saturated halfwords of src2 in the low eight bytes, of src1 in the high ones.
    assert_eq!(
        alu(
            "qpacksshb",
            h8([2, 0, 0, 0, 0, 0, 0, 0]),
            h8([1, 0xffff, 0x100, 0xff7f, 0, 0, 0, 0])
        ),
        b16([1, 0xff, 0x7f, 0x80, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
    );
    let src1 = b16([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11]);
    let src2 = b16([
        0x0b, 0x0f, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x22,
    ]);
    // Byte from src2 (0x00), from src1 (0x10), inverted, bit-reversed, sign-filled.
    let sel = b16([
        0x00, 0x10, 0x21, 0x42, 0x83, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    assert_eq!(
        alu3("qppermb", [src1, src2, sel], false),
        b16([
            0x0b, 0xa0, 0xf0, 0x80, 0xff, 0x11, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
            0x0b, 0x0b
        ])
    );
    // pshufb per half: the low half indexes src2, the high half src1; 0xa0 is 0x7f.
    let sel = b16([0x0f, 0xa0, 0, 0, 0, 0, 0, 0, 0x00, 0x0f, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        alu3("qpshufb", [src1, src2, sel], false),
        b16([
            0x22, 0x7f, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0xa0, 0x11, 0xa0, 0xa0, 0xa0, 0xa0,
            0xa0, 0xa0
        ])
    );
    // (unsigned byte k of src1 * signed halfword k of src2 + 0x80) >> 8, arithmetic.
    assert_eq!(
        alu("qpmulubhh", 0xff02, h8([0x100, 0xff00, 0, 0, 0, 0, 0, 0])),
        h8([2, 0xff01, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        alu(
            "qphminposuh",
            h8([5, 4, 3, 9, 9, 9, 9, 9]),
            h8([9, 9, 2, 9, 9, 9, 2, 9])
        ),
        10 << 16 | 2
    );
    let signs = b16([0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    assert_eq!(alu("qpsgn2mskb", 0, signs), 0x8001);
    assert_eq!(
        alu("qpmsk2sgnb", b16([1; 16]), 0x8001),
        b16([0x81, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0x81])
    );
    assert_eq!(alu("qpsadbw", b16([5; 16]), b16([2; 16])), q(24, 24));
    let bytes = b16([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    assert_eq!(
        alu("qpmpsadbh", bytes, 0),
        h8([6, 10, 14, 18, 38, 42, 46, 50])
    );
    assert_eq!(
        alu("qpcext_0x7f", 0, 0x1234),
        q(0x7f7f_7f7f_7f7f_7f7f, 0x1234)
    );
    assert_eq!(alu("qpcext_0x00", 0, 0x1234), 0x1234);
}

#[test]
fn quad_floating_point_horizontal_and_conversions() {
    let q = |hi: u64, lo: u64| (hi as u128) << 64 | lo as u128;
    // Lanes 3, 2, 1, 0 from high to low.
    let f4 = |a: f32, b: f32, c: f32, e: f32| {
        q(
            (a.to_bits() as u64) << 32 | b.to_bits() as u64,
            (c.to_bits() as u64) << 32 | e.to_bits() as u64,
        )
    };
    let one = f4(1.0, 1.0, 1.0, 1.0);
    let a = f4(1.0, 2.0, 3.0, 4.0);
    let b = f4(10.0, 20.0, 30.0, 40.0);
    assert_eq!(fp("qpfhadds", 0, [a, b, 0]).0, f4(30.0, 70.0, 3.0, 7.0));
    assert_eq!(fp("qpfhsubs", 0, [a, b, 0]).0, f4(10.0, 10.0, 1.0, 1.0));
    // Subtracts in the even lanes, adds in the odd ones.
    let half = f4(0.5, 0.5, 0.5, 0.5);
    assert_eq!(fp("qpfaddsubs", 0, [a, half, 0]).0, f4(1.5, 1.5, 3.5, 3.5));
    assert_eq!(
        fp(
            "qpfaddsubd",
            0,
            [
                q(d(1.0) as u64, d(1.0) as u64),
                q(d(0.25) as u64, d(0.25) as u64),
                0
            ]
        )
        .0,
        q(d(1.25) as u64, d(0.75) as u64)
    );
    // The second step takes src3 first: hadd then add, then src3 - t and t - src3.
    assert_eq!(
        fp("qpfhadd_adds", 0, [a, b, one]).0,
        f4(31.0, 71.0, 4.0, 8.0)
    );
    assert_eq!(
        fp("qpfhadd_subs", 0, [a, b, one]).0,
        f4(-29.0, -69.0, -2.0, -6.0)
    );
    assert_eq!(
        fp("qpfhadd_rsubs", 0, [a, b, one]).0,
        f4(29.0, 69.0, 2.0, 6.0)
    );
    assert_eq!(
        fp("qpfmul_hadds", 0, [a, one, b]).0,
        f4(3.0, 7.0, 30.0, 70.0)
    );
    assert_eq!(
        fp("qpfadd_addsubs", 0, [a, one, b]).0,
        f4(12.0, 17.0, 34.0, 35.0)
    );
    // Fused multiply-add in the even lanes, multiply-subtract in the odd ones.
    let two = f4(2.0, 2.0, 2.0, 2.0);
    let three = f4(3.0, 3.0, 3.0, 3.0);
    assert_eq!(
        fp("qpfmass", 0, [two, three, one]).0,
        f4(5.0, 7.0, 5.0, 7.0)
    );
    assert_eq!(
        fp("qpfmsas", 0, [two, three, one]).0,
        f4(7.0, 5.0, 7.0, 5.0)
    );
    // Two singles of a D register to two doubles or integers, and back.
    let singles = (s(-2.0) << 32) | s(1.5);
    assert_eq!(fp("qpfstoid", 0, [0, singles, 0]).0, q(-2i64 as u64, 2));
    assert_eq!(fp("qpfstoidtr", 0, [0, singles, 0]).0, q(-2i64 as u64, 1));
    assert_eq!(
        fp("qpfstofd", 0, [0, singles, 0]).0,
        q(d(-2.0) as u64, d(1.5) as u64)
    );
    assert_eq!(
        fp("qpfdtois", 0, [0, q(d(-3.0) as u64, d(7.0) as u64), 0]).0,
        0xffff_fffd_0000_0007
    );
    assert_eq!(
        fp("qpidtofs", 0, [0, q(5, -1i64 as u64), 0]).0,
        s(5.0) << 32 | s(-1.0)
    );
}

#[test]
fn v6_packed_compares_carryless_products_and_long_merges() {
    let q = |hi: u64, lo: u64| (hi as u128) << 64 | lo as u128;
    // `op`: some lane compares true; `ap`: every lane does.
    assert_eq!(pred("pcmpeqbop", 0x1234, 0x5634), 1);
    assert_eq!(pred("pcmpeqbap", 0x1234, 0x5634), 0);
    assert_eq!(pred("pcmpeqbap", 0x1234, 0x1234), 1);
    assert_eq!(pred("pcmpeqhop", 0x1234, 0x1111_1111_1111_5634), 0);
    assert_eq!(pred("pcmpgtwop", 0x1_0000_0000, 0), 1);
    assert_eq!(pred("pcmpgtwap", 0x1_0000_0000, 0), 0);
    assert_eq!(pred("pcmpgtdop", 0xffff_ffff_ffff_ffff, 0), 0);
    assert_eq!(pred("qpcmpeqdop", q(1, 2), q(3, 2)), 1);
    assert_eq!(pred("qpcmpeqdap", q(1, 2), q(3, 2)), 0);
    assert_eq!(
        pred(
            "qpcmpgtbap",
            q(0x0101_0101_0101_0101, 0x0101_0101_0101_0101),
            0
        ),
        1
    );
    // Carry-less products against a bit-by-bit reference.
    let reference = |a: u64, b: u64| {
        (0..64).fold(0u128, |r, i| {
            if a >> i & 1 == 1 {
                r ^ (b as u128) << i
            } else {
                r
            }
        })
    };
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..16 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (a, b) = (x, x.rotate_left(23) ^ 0x5555);
        let p = reference(a, b);
        assert_eq!(alu("clmull", a as u128, b as u128), p as u64 as u128);
        assert_eq!(
            alu("clmulh", a as u128, b as u128),
            (p >> 64) as u64 as u128
        );
    }
    assert_eq!(alu3("pmrgp", [1, 2, 0], true), 2);
    assert_eq!(alu3("qpmrgp", [q(1, 1), q(2, 2), 0], false), q(1, 1));
    // Halfword k from halfword (imm >> 2k) & 3 of src2.
    assert_eq!(
        lit8("pshufh", 0, 0x4444_3333_2222_1111, 0x1b),
        0x1111_2222_3333_4444
    );
    assert_eq!(alu("pmulubhh", 0xff02, 0xff00_0100), 0xff01_0002);
    assert_eq!(
        alu("mpsadbh", 0x0706_0504_0302_0100, 0),
        0x0012_000e_000a_0006
    );
    let (v, _, _) = fp("pfdivs", 0, [s(1.0), s(4.0), 0]);
    assert_eq!(v, s(0.25));
}
