//! The JIT against the interpreter on random straight-line code: wide instructions of
//! integer, logical, shift, compare, merge, bit-field, packed and floating-point
//! operations (f32/f64 and 80-bit, through the helpers the JIT calls) over registers,
//! immediates and literals, some executed under predicates, some speculative, some
//! registers and predicates diagnostic (D), assembled with e2k-as; both engines must
//! end in the same state (registers and their tags, predicates and theirs, address,
//! count, and the same fault when a division by zero, a D operand or condition, or the
//! end marker stops them). Four of the sixteen register operands are globals. WD.dbl starts 0 or 1 and a `setwd` beside one wide
//! instruction's operations may flip it, so 32-bit results replace the low half or
//! zero-extend. The same code also runs as a procedure called from a loop (inlined
//! by the JIT), where the window and chain stack must agree too.

use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::isa;
use e2k_emu::isa::version::Iset;
use e2k_emu::linux::machine::{Machine, Options as RunOptions, Outcome};
use proptest::prelude::*;

/// Operations the programs use, with their operand shape.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// src1, src2, dst
    Binary,
    /// src1, src2, %pred
    Compare,
    /// src1, src2, dst, %pred selector
    Merge,
    /// src2, dst
    Unary,
}

const OPS: &[(&str, Shape)] = &[
    ("adds", Shape::Binary),
    ("addd", Shape::Binary),
    ("subs", Shape::Binary),
    ("subd", Shape::Binary),
    ("muls", Shape::Binary),
    ("muld", Shape::Binary),
    ("ands", Shape::Binary),
    ("andd", Shape::Binary),
    ("andns", Shape::Binary),
    ("ors", Shape::Binary),
    ("ord", Shape::Binary),
    ("xors", Shape::Binary),
    ("xord", Shape::Binary),
    ("xornd", Shape::Binary),
    ("shls", Shape::Binary),
    ("shld", Shape::Binary),
    ("shrs", Shape::Binary),
    ("shrd", Shape::Binary),
    ("sars", Shape::Binary),
    ("sard", Shape::Binary),
    ("scls", Shape::Binary),
    ("scld", Shape::Binary),
    ("scrs", Shape::Binary),
    ("scrd", Shape::Binary),
    ("getfs", Shape::Binary),
    ("getfd", Shape::Binary),
    ("sxt", Shape::Binary),
    ("udivs", Shape::Binary),
    ("sdivd", Shape::Binary),
    ("umulx", Shape::Binary),
    ("smulx", Shape::Binary),
    ("umulhd", Shape::Binary),
    ("smulhd", Shape::Binary),
    ("paddb", Shape::Binary),
    ("paddsh", Shape::Binary),
    ("psubusb", Shape::Binary),
    ("pavgush", Shape::Binary),
    ("pmaxsw", Shape::Binary),
    ("pminub", Shape::Binary),
    ("pcmpeqb", Shape::Binary),
    ("pcmpgth", Shape::Binary),
    ("pmulhh", Shape::Binary),
    ("pmulhrsh", Shape::Binary),
    ("pmaddh", Shape::Binary),
    ("pmaddubsh", Shape::Binary),
    ("psadbw", Shape::Binary),
    ("pmovmskb", Shape::Binary),
    ("packsshb", Shape::Binary),
    ("packuswh", Shape::Binary),
    ("punpckhbh", Shape::Binary),
    ("punpcklhw", Shape::Binary),
    ("phaddsh", Shape::Binary),
    ("phsubw", Shape::Binary),
    ("psrah", Shape::Binary),
    ("psllw", Shape::Binary),
    ("psrcw", Shape::Binary),
    ("psignb", Shape::Binary),
    ("phminposuh", Shape::Binary),
    ("faddd", Shape::Binary),
    ("fmuls", Shape::Binary),
    ("fadds", Shape::Binary),
    ("fmuld", Shape::Binary),
    ("fsubs", Shape::Binary),
    ("fsubd", Shape::Binary),
    ("fdivs", Shape::Binary),
    ("fdivd", Shape::Binary),
    ("fmaxd", Shape::Binary),
    // 80-bit: values in a register and its extension word.
    ("fdtofx", Shape::Unary),
    ("fdtofx", Shape::Unary),
    ("fstofx", Shape::Unary),
    ("idtofx", Shape::Unary),
    ("fxtofd", Shape::Unary),
    ("fxtofs", Shape::Unary),
    ("fxtoid", Shape::Unary),
    ("fxaddxx", Shape::Binary),
    ("fxsubxx", Shape::Binary),
    ("fxmulxx", Shape::Binary),
    ("fxdivxx", Shape::Binary),
    ("fxadddd", Shape::Binary),
    ("fxmulxd", Shape::Binary),
    ("fxsubdx", Shape::Binary),
    ("fxrsubsx", Shape::Binary),
    ("movif", Shape::Binary),
    ("movfi", Shape::Unary),
    ("movx", Shape::Unary),
    ("movxa", Shape::Unary),
    ("movxc", Shape::Unary),
    ("cmpesb", Shape::Compare),
    ("cmpedb", Shape::Compare),
    ("cmpbsb", Shape::Compare),
    ("cmpbdb", Shape::Compare),
    ("cmplsb", Shape::Compare),
    ("cmpldb", Shape::Compare),
    ("cmpledb", Shape::Compare),
    ("cmpsdb", Shape::Compare),
    ("cmpandedb", Shape::Compare),
    ("fcmpeqdb", Shape::Compare),
    ("fcmpltdb", Shape::Compare),
    ("fcmplesb", Shape::Compare),
    ("fcmpuoddb", Shape::Compare),
    ("fcmpneqsb", Shape::Compare),
    ("fcmpnltdb", Shape::Compare),
    ("fcmpnledb", Shape::Compare),
    ("fcmpodsb", Shape::Compare),
    // Integers to doubles, so that float operations see ordinary values too.
    ("istofd", Shape::Unary),
    ("idtofd", Shape::Unary),
    ("istofd", Shape::Unary),
    ("merges", Shape::Merge),
    ("merged", Shape::Merge),
];

const ISET: u8 = 4;

/// Channels where `op` may run in the ISA version used.
fn channels(op: &str) -> Vec<u8> {
    let Some(oi) = isa::OPS.iter().position(|o| o.name == op) else {
        return vec![];
    };
    let v = Iset::new(ISET).unwrap().mask();
    let mut m = 0u8;
    for e in isa::ENCODINGS
        .iter()
        .filter(|e| e.op as usize == oi && e.versions & v != 0)
    {
        m |= e.channels & !e.second;
    }
    (0..6).filter(|c| m & (1 << c) != 0).collect()
}

#[derive(Clone, Debug)]
struct Op {
    op: usize,
    channel_pick: usize,
    src1: u8,
    src1_reg: bool,
    src2: Operand2,
    dst: u8,
    pred: u8,
    rlp: Option<(bool, u8)>,
    /// Speculative (`,sm`): a trap gives the diagnostic value instead.
    sm: bool,
}

#[derive(Clone, Debug)]
enum Operand2 {
    Reg(u8),
    Imm(u8),
    Lit(i64),
}

fn operand2() -> impl Strategy<Value = Operand2> {
    prop_oneof![
        (0u8..16).prop_map(Operand2::Reg),
        (0u8..16).prop_map(Operand2::Imm),
        any::<i32>().prop_map(|v| Operand2::Lit(v as i64)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..OPS.len(),
        0usize..6,
        0u8..16,
        any::<bool>(),
        operand2(),
        0u8..16,
        0u8..8,
        proptest::option::of((any::<bool>(), 0u8..8)),
        proptest::bool::weighted(0.15),
    )
        .prop_map(
            |(op, channel_pick, src1, src1_reg, src2, dst, pred, rlp, sm)| Op {
                op,
                channel_pick,
                src1,
                src1_reg,
                src2,
                dst,
                pred,
                rlp,
                sm,
            },
        )
}

/// Register operand `n` (0..16): `%r0`-`%r11`, or the globals `%g16`-`%g19` (which
/// compiled code may keep in variables).
fn reg(n: u8) -> String {
    if n >= 12 {
        format!("%g{}", n + 4)
    } else {
        format!("%r{n}")
    }
}

/// A wide instruction's text, or None if its operations cannot share one.
fn bundle_text(ops: &[Op]) -> Option<String> {
    let mut used = [false; 6];
    let mut lits = 0;
    let mut lines = vec![];
    for o in ops {
        let (name, shape) = OPS[o.op];
        let chans = channels(name);
        if chans.is_empty() {
            return None;
        }
        let free: Vec<u8> = chans.into_iter().filter(|c| !used[*c as usize]).collect();
        let ch = *free.get(o.channel_pick % free.len().max(1))?;
        used[ch as usize] = true;
        let s1 = if o.src1_reg {
            reg(o.src1)
        } else {
            format!("{}", o.src1)
        };
        let s2 = match o.src2 {
            Operand2::Reg(r) => reg(r),
            Operand2::Imm(i) => format!("{i}"),
            Operand2::Lit(v) => {
                lits += 1;
                format!("{v}")
            }
        };
        let ch = if o.sm {
            format!("{ch},sm")
        } else {
            ch.to_string()
        };
        let mut l = match shape {
            Shape::Binary => format!("{name},{ch} {s1}, {s2}, {}", reg(o.dst)),
            Shape::Compare => format!("{name},{ch} {s1}, {s2}, %pred{}", o.pred),
            Shape::Merge => format!("{name},{ch} {s1}, {s2}, {}, %pred{}", reg(o.dst), o.pred),
            Shape::Unary => format!("{name},{ch} {s2}, {}", reg(o.dst)),
        };
        if let (Some((neg, p)), false) = (o.rlp, matches!(shape, Shape::Merge)) {
            l.push_str(&format!(" ? {}%pred{p}", if neg { "~" } else { "" }));
        }
        lines.push(l);
    }
    if lits > 2 {
        return None;
    }
    Some(format!(
        "    {{\n        {}\n    }}\n",
        lines.join("\n        ")
    ))
}

/// `tagged[n]` makes `%rN` D (its value kept), `dpreds[k]` makes `%pred(4+k)` D;
/// `dbl`: WD.dbl at the start; `flip`: the wide instruction that also holds a `setwd`
/// giving the other dbl (for its own results and those after it).
fn program(
    init: &[i64],
    tagged: &[bool],
    dpreds: &[bool],
    bundles: &[Vec<Op>],
    dbl: bool,
    flip: usize,
) -> String {
    let mut s = format!(
        "    .text\n    .global _start\n_start:\n    {{\n        setwd wsz = 0x10, nfx = 1, dbl = {}\n    }}\n",
        dbl as u8
    );
    for (k, pair) in init.chunks(2).enumerate() {
        s.push_str(&format!(
            "    {{\n        addd,0 0, {}, %r{}\n        addd,1 0, {}, %r{}\n    }}\n",
            pair[0],
            2 * k,
            pair[1],
            2 * k + 1
        ));
    }
    for (k, v) in init[12..16].iter().enumerate() {
        s.push_str(&format!(
            "    {{\n        addd,0 0, {v}, %g{}\n    }}\n",
            16 + k
        ));
    }
    s.push_str("    {\n        cmpedb,0 %r0, %r1, %pred0\n        cmpbdb,1 %r2, %r3, %pred1\n        cmpldb,3 %r4, %r5, %pred2\n        cmpedb,4 %r6, %r6, %pred3\n    }\n");
    s.push_str("    {\n        puttagd,2 %r16, 5, %r16\n    }\n");
    for (k, _) in dpreds.iter().enumerate().filter(|d| *d.1) {
        s.push_str(&format!(
            "    {{\n        cmpedb,0,sm %r16, {k}, %pred{}\n    }}\n",
            4 + k
        ));
    }
    for (n, _) in tagged.iter().enumerate().filter(|t| *t.1) {
        s.push_str(&format!(
            "    {{\n        puttagd,2 %r{n}, 5, %r{n}\n    }}\n"
        ));
    }
    for (k, b) in bundles.iter().enumerate() {
        if let Some(t) = bundle_text(b) {
            if k == flip {
                let setwd = format!(
                    "    {{\n        setwd wsz = 0x10, nfx = 1, dbl = {}\n",
                    !dbl as u8
                );
                s.push_str(&t.replacen("    {\n", &setwd, 1));
            } else {
                s.push_str(&t);
            }
        }
    }
    // The end: a wide instruction no engine can run.
    s.push_str("    .word 0x00000011, 0xffffffff\n");
    s
}

struct End {
    outcome: Outcome,
    ip: u64,
    executed: u64,
    regs: Vec<Option<u64>>,
    /// Extension words (80-bit values) and tags.
    his: Vec<(u64, u8)>,
    globals: Vec<(u64, u8)>,
    preds: u32,
    pred_tags: u32,
    fpsr: u64,
    pfpfr: u64,
    /// The window (base, size, parameter size), the chain stack's index and its top
    /// frame (what a call inside compiled code left there).
    wd: (u64, u32, u32),
    pcs_ind: u64,
    top_frame: [u8; 32],
}

fn run(image: &[u8], jit: bool) -> End {
    let mut opts = RunOptions::new("t", &[]);
    opts.jit = jit;
    opts.jit_threshold = 1;
    let mut m = Machine::new(image, opts).expect("loads");
    let outcome = m.run();
    End {
        outcome,
        ip: m.cpu.ip,
        executed: m.cpu.executed,
        regs: (0..32).map(|n| m.cpu.reg(n)).collect(),
        his: (0..32)
            .filter_map(|n| m.cpu.reg_pos(n).ok())
            .map(|p| {
                let r = m.cpu.regs.get(p);
                (r.hi, r.tag)
            })
            .collect(),
        globals: (16..20)
            .map(|g| (m.cpu.globals[g], m.cpu.global_tags[g]))
            .collect(),
        preds: m.cpu.preds,
        pred_tags: m.cpu.pred_tags,
        fpsr: m.cpu.fpsr,
        pfpfr: m.cpu.pfpfr,
        wd: (m.cpu.wd.base, m.cpu.wd.size, m.cpu.wd.psize),
        pcs_ind: m.cpu.pcs.ind,
        top_frame: {
            let mut f = [0u8; 32];
            if m.cpu.pcs.ind >= 32 {
                let at = m.cpu.pcs.base + m.cpu.pcs.ind - 32;
                m.mem
                    .read_initial(at, &mut f)
                    .expect("the chain stack is mapped");
            }
            f
        },
    }
}

/// The program as the tests assemble it.
fn assemble(text: &str) -> Result<Vec<u8>, Vec<e2k_emu::asm::AsmError>> {
    let opts = Options {
        iset: Iset::new(ISET).unwrap(),
        entry: None,
        text_base: 0x10000,
    };
    assemble_elf(&[("t.s".into(), text.to_string())], &opts)
}

/// Both engines end the program in the same state (`same_end`); a combination the
/// assembler rightly refuses (literal space, channels) passes.
fn engines_agree(text: &str) -> Result<(), TestCaseError> {
    let Ok(image) = assemble(text) else {
        return Ok(());
    };
    same_end(&run(&image, false), &run(&image, true), text)
}

/// Both ends equal, or the property fails showing the program.
fn same_end(a: &End, b: &End, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(&a.outcome, &b.outcome, "{}", text);
    prop_assert_eq!(a.ip, b.ip, "{}", text);
    prop_assert_eq!(a.executed, b.executed, "{}", text);
    prop_assert_eq!(&a.regs, &b.regs, "{}", text);
    prop_assert_eq!(&a.his, &b.his, "{}", text);
    prop_assert_eq!(&a.globals, &b.globals, "{}", text);
    prop_assert_eq!(a.preds, b.preds, "{}", text);
    prop_assert_eq!(a.pred_tags, b.pred_tags, "{}", text);
    prop_assert_eq!(a.fpsr, b.fpsr, "{}", text);
    prop_assert_eq!(a.pfpfr, b.pfpfr, "{}", text);
    prop_assert_eq!(a.wd, b.wd, "{}", text);
    prop_assert_eq!(a.pcs_ind, b.pcs_ind, "{}", text);
    prop_assert_eq!(a.top_frame, b.top_frame, "{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn jit_matches_interpreter(init in proptest::collection::vec(any::<i32>().prop_map(i64::from), 16),
                               tagged in proptest::collection::vec(proptest::bool::weighted(0.05), 16),
                               dpreds in proptest::collection::vec(proptest::bool::weighted(0.15), 4),
                               bundles in proptest::collection::vec(proptest::collection::vec(op(), 1..4), 1..10),
                               dbl in any::<bool>(), flip in 0usize..12) {
        let text = program(&init, &tagged, &dpreds, &bundles, dbl, flip);
        engines_agree(&text)?;
    }

    /// The random code as a procedure called three times from a loop, which the JIT
    /// inlines: its window `wbs` up in the caller's, grown by a `setwd` or not, a
    /// conditional return in the middle; faults inside it stop both engines in it,
    /// with the caller's frame on the chain stack.
    #[test]
    fn inlined_calls_match_interpreter(init in proptest::collection::vec(any::<i32>().prop_map(i64::from), 16),
                               tagged in proptest::collection::vec(proptest::bool::weighted(0.05), 16),
                               dpreds in proptest::collection::vec(proptest::bool::weighted(0.15), 4),
                               bundles in proptest::collection::vec(proptest::collection::vec(op(), 1..4), 1..8),
                               dbl in any::<bool>(), wbs in 2u32..7, grow in any::<bool>(),
                               ret_at in 0usize..8, ret_pred in 0u8..4) {
        let text = called(&init, &tagged, &dpreds, &bundles, dbl, wbs, grow, (ret_at, ret_pred));
        engines_agree(&text)?;
    }
}

/// `program`'s setup and operations, the operations as a procedure `callee` that a
/// loop calls three times with `wbs` (its %r0 the caller's %r(2 * wbs)); `grow`: the
/// callee opens a window of 32 registers first; `ret`: after which of its wide
/// instructions it returns if the predicate holds.
#[allow(clippy::too_many_arguments)]
fn called(
    init: &[i64],
    tagged: &[bool],
    dpreds: &[bool],
    bundles: &[Vec<Op>],
    dbl: bool,
    wbs: u32,
    grow: bool,
    ret: (usize, u8),
) -> String {
    let setup = program(init, tagged, dpreds, &[], dbl, usize::MAX);
    // The setup without its end marker; the caller's %r16..%r31 (the callee's
    // registers) get values too.
    let mut s = setup.replace("    .word 0x00000011, 0xffffffff\n", "");
    for (k, pair) in init.chunks(2).enumerate() {
        s.push_str(&format!(
            "    {{\n        addd,0 0, {}, %r{}\n        addd,1 0, {}, %r{}\n    }}\n",
            pair[1],
            16 + 2 * k,
            pair[0],
            17 + 2 * k
        ));
    }
    s.push_str(&format!(
        "    {{\n        addd,0 0, 3, %r0\n    }}\nloop:\n    {{\n        disp %ctpr1, callee\n    }}\n    {{\n        call %ctpr1, wbs = {wbs}\n    }}\n    {{\n        subd,0 %r0, 1, %r0\n        disp %ctpr2, loop\n    }}\n    {{\n        cmpbdb,0 0, %r0, %pred31\n    }}\n    {{\n        ct %ctpr2 ? %pred31\n    }}\n"
    ));
    s.push_str("    .word 0x00000011, 0xffffffff\ncallee:\n    {\n        return %ctpr3\n");
    if grow {
        s.push_str(&format!(
            "        setwd wsz = 0x10, nfx = 1, dbl = {}\n",
            dbl as u8
        ));
    }
    s.push_str("    }\n");
    for (k, b) in bundles.iter().enumerate() {
        if let Some(t) = bundle_text(b) {
            s.push_str(&t);
        }
        if k == ret.0 {
            s.push_str(&format!(
                "    {{\n        ct %ctpr3 ? %pred{}\n    }}\n",
                ret.1
            ));
        }
    }
    s.push_str("    {\n        ct %ctpr3\n    }\n");
    s
}

/// Values the float compares must tell apart: zeros, ordinary values (some equal),
/// denormals, infinities, quiet and signalling NaNs, as f64 bits and as f32 bits in
/// the low half; and values at the edges of the conversions.
const FLOATS: &[i64] = &[
    0,
    i64::MIN,
    0x3ff0_0000_0000_0000,
    0x3ff0_0000_0000_0001,
    0xbff0_0000_0000_0000_u64 as i64,
    0x0010_0000_0000_0000,
    0x000f_ffff_ffff_ffff,
    0x0000_0000_0000_0001,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000_u64 as i64,
    0x7ff8_0000_0000_0000,
    0x7ff0_0000_0000_0001,
    0x3f80_0000,
    0x3f80_0001,
    0xbf80_0000,
    0x0080_0000,
    0x007f_ffff,
    0x7f80_0000,
    0x7fc0_0000,
    0x7f80_0001,
    // For the conversions: halves (round to even), the bounds of i32 and i64 and
    // just beyond, integers (exact and not as f64).
    0x4004_0000_0000_0000,
    0xc004_0000_0000_0000_u64 as i64,
    0x400c_0000_0000_0000,
    0x41df_ffff_ffe0_0000,
    0x41e0_0000_0000_0000,
    0xc1e0_0000_0000_0000_u64 as i64,
    0xc1e0_0000_0010_0000_u64 as i64,
    0x43e0_0000_0000_0000,
    0xc3e0_0000_0000_0000_u64 as i64,
    0x43df_ffff_ffff_ffff,
    7,
    -7,
    0x20_0000_0000_0001,
    i64::MAX,
    0x7fff_ffff,
    -0x8000_0000,
    // Large enough that a denormal times them is normal (f64, f32).
    0x7fe0_0000_0000_0000,
    0x7f00_0000,
];

const FCMPS: &[&str] = &[
    "fcmpeqdb",
    "fcmpltdb",
    "fcmpledb",
    "fcmpuoddb",
    "fcmpneqdb",
    "fcmpnltdb",
    "fcmpnledb",
    "fcmpoddb",
    "fcmpeqsb",
    "fcmpltsb",
    "fcmplesb",
    "fcmpuodsb",
    "fcmpneqsb",
    "fcmpnltsb",
    "fcmpnlesb",
    "fcmpodsb",
    "faddd",
    "fsubd",
    "fadds",
    "fsubs",
    "fmuld",
    "fdivd",
    "fmuls",
    "fdivs",
    "fdtois",
    "fdtoistr",
    "fdtoid",
    "fdtoidtr",
    "istofd",
    "idtofd",
];

/// The conversions of `FCMPS`, which take one operand.
fn unary(op: &str) -> bool {
    op.starts_with("fdto") || op.ends_with("tofd")
}

/// %pfpfr before the operations: the default; invalid raised already; inexact raised
/// already (compiled code then raises no flag inline, `block_cache::fp_easy`); that
/// with rounding down.
const CONTROLS: &[Option<u32>] = &[None, Some(0x1f81), Some(0x1fa0), Some(0x3fa0)];

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The inline float compares (host compares where neither operand is a NaN or a
    /// denormal) and arithmetic against the interpreter's helpers: predicates,
    /// results and flags.
    #[test]
    fn float_compares_match_interpreter(init in proptest::collection::vec(proptest::sample::select(FLOATS), 16),
                                        cmps in proptest::collection::vec((proptest::sample::select(FCMPS), 0u8..16, 0u8..16), 1..24),
                                        control in proptest::sample::select(CONTROLS)) {
        let mut text = format!(
            "    .text\n    .global _start\n_start:\n    {{\n        setwd wsz = 0x10, nfx = 1, dbl = 0\n    }}\n"
        );
        for (k, v) in init.iter().enumerate() {
            text.push_str(&format!("    {{\n        addd,0 0, {v}, %r{k}\n    }}\n"));
        }
        if let Some(c) = control {
            text.push_str(&format!("    {{\n        rws,0 {c:#x}, %pfpfr\n    }}\n"));
        }
        for (k, (op, a, b)) in cmps.iter().enumerate() {
            let dst = if op.starts_with("fcmp") {
                format!("%pred{}", k % 32)
            } else {
                format!("%r{}", 16 + k % 16)
            };
            let ch = channels(op)[0];
            if unary(op) {
                text.push_str(&format!("    {{\n        {op},{ch} %r{b}, {dst}\n    }}\n"));
            } else {
                text.push_str(&format!("    {{\n        {op},{ch} %r{a}, %r{b}, {dst}\n    }}\n"));
            }
        }
        text.push_str("    .word 0x00000011, 0xffffffff\n");
        let image = assemble(&text).expect("assembles");
        let a = run(&image, false);
        let b = run(&image, true);
        prop_assert_eq!(&a.outcome, &b.outcome, "{}", text);
        prop_assert_eq!(a.executed, b.executed, "{}", text);
        prop_assert_eq!(a.preds, b.preds, "{}", text);
        prop_assert_eq!(&a.regs, &b.regs, "{}", text);
        prop_assert_eq!(a.pfpfr, b.pfpfr, "{}", text);
    }
}
