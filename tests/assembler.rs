//! e2k-as: programs assembled to ELF and read back with the disassembler; errors
//! with file:line:col.

use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::elf;
use e2k_emu::elf::listing::elf_listing;
use e2k_emu::isa::version::Iset;
use std::process::Command;

fn opts() -> Options {
    Options {
        iset: Iset::new(4).unwrap(),
        entry: None,
        text_base: 0x10000,
    }
}

fn assemble(name: &str, text: &str) -> Result<Vec<u8>, String> {
    assemble_elf(&[(name.to_string(), text.to_string())], &opts()).map_err(|es| {
        es.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Operation lines of the listing, without addresses and bytes.
fn ops_of(image: &[u8]) -> Vec<String> {
    let f = elf::read::parse(image).expect("our output parses");
    elf_listing("t", &f, f.iset.unwrap(), true)
        .lines()
        .filter(|l| l.starts_with("  ") && !l.contains(":\t") && !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn hello_reads_back() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/programs/hello.s"
    ))
    .unwrap();
    let image = assemble("hello.s", &text).unwrap();
    let f = elf::read::parse(&image).unwrap();
    assert_eq!(f.entry, 0x10000);
    assert_eq!(f.iset, Iset::new(4));
    let data = f.sections.iter().find(|s| s.name == ".data").unwrap();
    assert_eq!(data.data, b"hello from e2k-as\n");
    insta::assert_snapshot!("hello_ops", ops_of(&image).join("\n"));
}

#[test]
fn host_readelf_accepts_the_output() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/programs/hello.s"
    ))
    .unwrap();
    let image = assemble("hello.s", &text).unwrap();
    let path = std::env::temp_dir().join(format!("e2k-as-readelf-{}", std::process::id()));
    std::fs::write(&path, &image).unwrap();
    let Ok(out) = Command::new("readelf")
        .arg("-h")
        .arg("-l")
        .arg(&path)
        .output()
    else {
        eprintln!("note: readelf not installed; skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("EXEC (Executable file)"), "{text}");
    assert!(text.contains("LOAD"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "readelf complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn literals_labels_and_control_transfer() {
    let src = "
        .text
        .globl _start
_start:
        { disp %ctpr1, target ; ipd 2 }
        { adds,0 %r0, 0x12345, %r1 ; addd,1 %dr0, 0x123456789, %dr2 ; addd,3 %dr0, 0x123456789, %dr3 }
target:
        { ct %ctpr1 ? %pred0 }
        .data
        .quad target, 5
        .align 8
        .byte 1, 2
";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "ipd 2",
            "disp %ctpr1, 0x10030",
            "adds,0 %r0, _f32s 0x12345, %r1",
            "addd,1 %dr0, _f64 0x123456789, %dr2",
            "addd,3 %dr0, _f64 0x123456789, %dr3",
            "ct %ctpr1 ? %pred0",
            // gas's default for a wide instruction with SS and no `ipd`.
            "ipd 3",
        ]
    );
    let f = elf::read::parse(&image).unwrap();
    let data = f.sections.iter().find(|s| s.name == ".data").unwrap();
    assert_eq!(&data.data[..8], &0x10030u64.to_le_bytes());
    assert_eq!(&data.data[8..16], &5u64.to_le_bytes());
    assert_eq!(&data.data[16..], &[1, 2]);
}

#[test]
fn conditions_on_alu_operations() {
    let src = "{ adds,0 %r0, %r1, %r2 ? %pred3 ; adds,1 %r0, %r1, %r3 ? ~%pred3 ; merges,3 %r0, %r1, %r4, %pred5 ; subs,4 %r0, %r1, %r5 ? %pcnt2 }\n";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "adds,0 %r0, %r1, %r2 ? %pred3",
            "adds,1 %r0, %r1, %r3 ? ~%pred3",
            "merges,3 %r0, %r1, %r4, %pred5",
            "subs,4 %r0, %r1, %r5 ? %pcnt2",
        ]
    );
    assert!(assemble("t.s", "merges,0 %r0, %r1, %r2\n")
        .unwrap_err()
        .contains("selector predicate"));
    assert!(assemble("t.s", "adds,0 %r0, %r1, %r2 ? %foo\n")
        .unwrap_err()
        .contains("bad condition"));
}

#[test]
fn set_and_assignments() {
    let src = "
        .pushsection .rodata
        .byte 9
        .popsection
        .set WRITE, 4
        LEN = end - start
_start: { addd,0 0, WRITE, %dr8 ; addd,1 0, LEN, %dr9 }
        .data
start:  .ascii \"abc\"
end:
";
    let image = assemble("t.s", src).unwrap();
    // Names always take literals (sizes must not depend on values).
    assert_eq!(
        ops_of(&image),
        vec!["addd,0 0x0, _f64 0x4, %dr8", "addd,1 0x0, _f64 0x3, %dr9"]
    );
    let f = elf::read::parse(&image).unwrap();
    assert_eq!(
        f.sections
            .iter()
            .find(|s| s.name == ".rodata")
            .unwrap()
            .data,
        vec![9]
    );
    assert_eq!(
        f.sections.iter().find(|s| s.name == ".data").unwrap().data,
        b"abc"
    );
}

#[test]
fn cpp_option_runs_the_preprocessor() {
    if Command::new("cpp").arg("--version").output().is_err() {
        eprintln!("note: no host cpp; skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("e2k-as-cpp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("p.S");
    std::fs::write(
        &src,
        "#define SYS_EXIT 1\n_start: { addd,0 0, SYS_EXIT, %dr8 ; addd,1 0, CODE, %dr9 }\n",
    )
    .unwrap();
    let out_path = dir.join("p");
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .args(["--cpp", "-D", "CODE=7", "-o"])
        .arg(&out_path)
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image = std::fs::read(&out_path).unwrap();
    assert_eq!(
        ops_of(&image),
        vec!["addd,0 0x0, 0x1, %dr8", "addd,1 0x0, 0x7, %dr9"]
    );
}

#[test]
fn macros_with_arguments_and_defaults() {
    let src = "
        .macro syscall nr, a1=0
        { addd,0 0, \\nr, %dr8 ; addd,1 0, \\a1, %dr9 }
        .endm
_start: syscall 1, 7
        syscall nr=4
";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "addd,0 0x0, 0x1, %dr8",
            "addd,1 0x0, 0x7, %dr9",
            "addd,0 0x0, 0x4, %dr8",
            "addd,1 0x0, 0x0, %dr9"
        ]
    );
    let e = assemble("t.s", ".macro m a\n nop \\a\n.endm\n m\n").unwrap_err();
    assert!(
        e.contains("t.s:4:1: error: macro `m` needs argument `a`"),
        "{e}"
    );
    assert!(assemble("t.s", ".macro m\nnop 1\n")
        .unwrap_err()
        .contains("has no `.endm`"));
}

#[test]
fn raw_output_is_the_text_bytes() {
    let dir = std::env::temp_dir().join(format!("e2k-as-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("r.s");
    std::fs::write(&src, "adds,0 %r0, %r1, %r2\n").unwrap();
    let out_path = dir.join("r.bin");
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg("--raw")
        .arg("-o")
        .arg(&out_path)
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&out_path).unwrap(),
        vec![0x01, 0, 0, 0x04, 0x82, 0x81, 0x80, 0x10]
    );
    // Bad input: one line per error and a failing exit status.
    std::fs::write(&src, "frob\nadds,9 %r0, %r1, %r2\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg(&src)
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("r.s:1:1: error: unknown mnemonic `frob`"),
        "{err}"
    );
}

#[test]
fn predicate_logic() {
    let src = "{ cmpesb,0 %r0, %r1, %pred1 ; pass %pred1, @p0 ; pass %pred2, @p1 ; landp @p0, ~@p1, @p4 ; pass @p4, %pred3 }\n";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "cmpesb,0 %r0, %r1, %pred1",
            "pass %pred1, @p0",
            "pass %pred2, @p1",
            "landp @p0, ~@p1, @p4",
            "pass @p4, %pred3"
        ]
    );
    let e = assemble("t.s", "{ pass %pred1, @p0 }\n").unwrap_err();
    assert!(e.contains("has no effect"), "{e}");
}

#[test]
/// gas's traditional store order (value first) after `.accept ld_st_style`, objdump's
/// after `.ignore ld_st_style` (the default); loads are the same in both.
fn store_operand_order_follows_ld_st_style() {
    let src = ".accept ld_st_style
{ std,2 %dr1, 0, %dr3 ; ldd,0 %dr4, 8, %dr5 }
{ stw,5 %r6, %dr7, 0x10, mas = 0x3 }
.ignore ld_st_style
{ std,2 0, %dr3, %dr1 }
";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "ldd,0 %dr4, 0x8, %dr5",
            "std,2 0x0, %dr3, %dr1",
            "stw,5 %dr7, _f16s 0x10, %r6, mas = 0x3",
            "std,2 0x0, %dr3, %dr1"
        ]
    );
    assert!(assemble("t.s", ".ignore foo\n")
        .unwrap_err()
        .contains("knows only `ld_st_style`"));
}

#[test]
fn bracketed_addresses_and_the_location_counter() {
    let src = "{ ldd,2 [ %dr0 + 8 ], %dr2 ; std,5 %dr3, [ %dr0 + %dr1 ] ; ldw,0 [ %dr4 ], %r5 }
        .data
table:  .quad 1, 2
size:   .quad . - table
        .set here_minus, . - table
        .quad here_minus
";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            "ldw,0 %dr4, 0x0, %dr5",
            "ldd,2 %dr0, 0x8, %dr2",
            "std,5 %dr0, %dr1, %dr3"
        ]
    );
    let f = elf::read::parse(&image).unwrap();
    let data = &f.sections.iter().find(|s| s.name == ".data").unwrap().data;
    assert_eq!(&data[16..24], &16u64.to_le_bytes());
    assert_eq!(&data[24..32], &24u64.to_le_bytes());
    assert!(assemble("t.s", "ldd,0 [ %dr0 + ], %dr1\n")
        .unwrap_err()
        .contains("an address is"));
}

#[test]
fn array_access() {
    let src = "{ movad,0 area = 1, ind = 2, am = 1, be = 0, %dr1 ; movaw,3 area = 5, ind = 0, am = 0, be = 0, %r7 }\n";
    let image = assemble("t.s", src).unwrap();
    assert_eq!(
        ops_of(&image),
        vec![
            // gas gives array accesses' SS its default `ipd 3` too.
            "ipd 3",
            "movad,0 area = 1, ind = 2, am = 1, be = 0, %dr1",
            "movaw,3 area = 5, ind = 0, am = 0, be = 0, %dr7"
        ]
    );
}

#[test]
fn errors_name_the_place() {
    let cases = [
        ("frob %r1\n", "t.s:1:1: error: unknown mnemonic `frob`"),
        ("  nop 1\n  adds,0 %r0, %r1\n", "t.s:2:3: error: bad operands"),
        ("{ adds,0 %r0, %r1, %r2 ; addd,0 %r0, %r1, %r2 }\n", "channel 0 is already used"),
        ("stb,0 %dr0, %dr1, %r2\n", "cannot use channel 0"),
        ("a:\na:\n", "t.s:2:1: error: duplicate label `a`"),
        ("disp %ctpr1, nowhere\n", "t.s:1:1: error:"),
        (".frob 1\n", "unknown directive `.frob`"),
        ("{ adds,0 %r0, 0x10000, %r1\n", "is never closed"),
        ("{ addd,0 %dr0, 0x100000001, %dr1 ; addd,1 %dr0, 0x100000002, %dr1 ; addd,3 %dr0, 0x100000003, %dr1 }\n", "too many literals"),
        ("l: { disp %ctpr1, l ; return %ctpr3 }\n", "already uses"),
        ("{ disp %ctpr1 }\n", "bad operands `%ctpr1` for `disp` (expected `disp %ctprN, N`)"),
        ("{ fapb ct=1, fmt=9 }\n", "`fmt=9` does not fit 3 bits"),
        ("{ adds,0 %r0, %r1, %r2 ; incr,0 %aaincr1 }\n", "has no array index to advance"),
        (".cfi_def_cfa 1, 0\n", "`.cfi_def_cfa` is not supported yet"),
        (".cfi_startproc\n{ nop 1 }\n", "`.cfi_startproc` without `.cfi_endproc`"),
        ("{ addd,0 0, _lit32_ref,_lts0 0x1, %dr1 }\n", "no operation of this wide instruction puts"),
        (".if 1\n{ nop 1 }\n", "`.if` has no `.endif`"),
    ];
    for (src, want) in cases {
        let e = assemble("t.s", src)
            .err()
            .unwrap_or_else(|| panic!("no error for {src:?}"));
        assert!(e.contains(want), "for {src:?}: `{e}` lacks `{want}`");
    }
}

mod round_trip {
    use super::*;
    use e2k_emu::isa::decode::decode;
    use e2k_emu::isa::disasm::bundle_lines;
    use e2k_emu::isa::pack::{pack, Syllables};
    use e2k_emu::isa::sample;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Wide instructions combining sample operations in several channels, with
        /// random registers and literals, print, assemble and print the same again.
        #[test]
        fn random_bundles_survive_text(picks in proptest::collection::vec((any::<proptest::sample::Index>(), 0u32..64, any::<u32>()), 1..=6), ver in 1u8..=6) {
            let iset = Iset::new(ver).unwrap();
            // Operations objdump lists as `ambiguous` have no text to assemble back.
            let samples: Vec<_> = sample::all()
                .into_iter()
                // Register-pair operations are written as both halves (gas_vectors checks them).
                .filter(|s| s.iset == iset && e2k_emu::isa::OPS[e2k_emu::isa::ENCODINGS[s.enc].op as usize].also.is_empty() && e2k_emu::isa::ENCODINGS[s.enc].second == 0)
                .collect();
            let mut syl = Syllables::default();
            let mut lits = Vec::new();
            for (idx, reg, lit) in picks {
                let s = idx.get(&samples);
                let ch = s.channel as usize;
                if syl.als[ch].is_some() {
                    continue;
                }
                let d = decode(&s.bytes, 0, iset).unwrap();
                let mut als = d.bundle.als[ch].unwrap().0;
                // Another register in the first source field when it holds a register.
                if (als >> 16) & 0xc0 == 0x80 {
                    als = (als & !0x00ff_0000) | (0x80 | reg) << 16;
                }
                // Sometimes a 32-bit literal in src2.
                if (als >> 8) & 0xc0 == 0x80 && lit % 3 == 0 && lits.len() < 4 {
                    als = (als & !0xff00) | (0xd8 + lits.len() as u32) << 8;
                    lits.push(lit);
                }
                syl.als[ch] = Some(als);
                syl.ales[ch] = d.bundle.ales[ch].map(|a| a.0);
            }
            syl.lts = lits;
            let Ok(bytes) = pack(&syl, iset) else { return Ok(()) };
            let Ok(d) = decode(&bytes, 0x10000, iset) else { return Ok(()) };
            let lines = bundle_lines(&d);
            prop_assume!(!lines.is_empty() && lines.len() == d.alu.iter().flatten().count());
            // A merge without its MRGC selector prints, but cannot be written.
            prop_assume!(!lines.iter().any(|l| l.contains("merge") || l.contains("mrgp")));
            // Stores as objdump lists them: address first.
            let src = format!(".ignore ld_st_style\n{{ {} }}\n", lines.join(" ; "));
            let opts = Options { iset, entry: None, text_base: 0x10000 };
            let image = assemble_elf(&[("r.s".into(), src.clone())], &opts).map_err(|e| TestCaseError::fail(format!("{src}: {}", e[0])))?;
            prop_assert_eq!(ops_of(&image), lines, "source: {}", src);
        }
    }
}

/// Encoded bytes of a corpus covering every directive and bundle-packing case.
#[test]
fn encoded_bytes_corpus() {
    let src = "
        .ignore ld_st_style
        .text
_start:
        nop 3                                   ! a header-only bundle with idle cycles
        { setwd wsz = 0x10, nfx = 1, dbl = 1 ; setbn rbs = 4, rsz = 3, rcur = 2 ; setbp psz = 5 }
        { muld,0 %dr1, %dr2, %dr3 ; muls,3 %r1, %r2, %r3 }          ! ALES halves
        { fadds,2 %r1, %r2, %r3 ; faddd,5 %dr1, %dr2, %dr3 ; muld,0 %dr1, %dr2, %dr3 }   ! ALES2/ALES5 word (v4)
        { adds,0 %r0, 0x1234, %r1 ; adds,1 %r0, 0x12345678, %r1 ; addd,3 %dr0, 0x1122334455667788, %dr1 }   ! literals of each size
        { adds,0 %r0, 0x12345678, %r1 ; adds,1 %r0, 0x12345678, %r2 }  ! a shared literal
        { setwd wsz = 4, nfx = 0 ; addd,0 %dr0, _f32s 0x7, %dr1 }     ! setwd keeps LTS0
        { adds,0 %r0, %r1, %r2 ? %pred1 ; adds,3 %r0, %r1, %r2 ? ~%pcnt3 ; merged,1 %dr0, %dr1, %dr2, %pred2 }  ! CDS
        { ldd,0 %dr0, %dr1, %dr2, mas = 0x7 ; std,2 %dr0, 8, %dr3 }   ! MAS in CS1
        { ct %ctpr1 ? %NOT_LOOP_END ; alc alcf = 1, alct = 1 ; abn abnf = 1, abnt = 1 ; abp abpf = 0, abpt = 1 ; loop_mode }
        { return %ctpr3 ; ipd 3 }
        ibranch _start ? ~%pred0
        .rodata
        .byte 1, 0xff
        .short 0x1234
        .word 0x12345678
        .long -1
        .quad _start, _start + 8
        .align 8
        .ascii \"ab\"
        .asciz \"c\"
        .string \"d\\n\"
        .skip 3, 0xaa
        .zero 2
        .set K, 0x40
        .byte K
        .data
        .quad 1
        .bss
        .skip 16
";
    let image = assemble("corpus.s", src).unwrap();
    let f = elf::read::parse(&image).unwrap();
    let mut text = String::new();
    for s in &f.sections {
        text.push_str(&format!("{} @ {:#x}:", s.name, s.addr));
        for (i, b) in s.data.iter().enumerate() {
            if i % 16 == 0 {
                text.push_str("\n ");
            }
            text.push_str(&format!(" {b:02x}"));
        }
        text.push('\n');
    }
    text.push_str("\nlisting:\n");
    text.push_str(&elf_listing("corpus", &f, f.iset.unwrap(), true));
    insta::assert_snapshot!("encoded_corpus", text);
}

/// `.interp` and `.dynamic` sections become PT_INTERP (with PT_PHDR) and PT_DYNAMIC,
/// the headers are mapped for the loader, and `Kind::Dyn` makes an ET_DYN image.
#[test]
fn dynamic_sections_and_position_independent_images() {
    use e2k_emu::asm::assemble_image;
    use e2k_emu::asm::Kind;
    use goblin::elf::{program_header as ph, Elf};
    let text = "
    .text
_start:
    { nop 1 }
    .section .interp
    .asciz \"/lib64/ld-e2k-test.so\"
    .section .dynamic
    .quad 0x60000001, name, 0, 0
    .rodata
name:
    .asciz \"lib\"
";
    for (kind, base) in [(Kind::Exec, 0x10000u64), (Kind::Dyn, 0x1000)] {
        let opts = Options {
            text_base: base,
            ..opts()
        };
        let image = assemble_image(&[("d.s".into(), text.into())], &opts, kind).unwrap();
        let elf = Elf::parse(&image).unwrap();
        let et = if kind == Kind::Dyn { 3 } else { 2 };
        assert_eq!(elf.header.e_type, et);
        assert_eq!(elf.interpreter, Some("/lib64/ld-e2k-test.so"));
        let types: Vec<u32> = elf.program_headers.iter().map(|p| p.p_type).collect();
        assert_eq!(&types[..3], &[ph::PT_PHDR, ph::PT_INTERP, ph::PT_LOAD]);
        assert_eq!(types.last(), Some(&ph::PT_DYNAMIC));
        // The first PT_LOAD maps the headers on the page below the text.
        let hdr = &elf.program_headers[2];
        assert_eq!((hdr.p_offset, hdr.p_vaddr), (0, base - 0x1000));
        let phdr = &elf.program_headers[0];
        assert_eq!(phdr.p_vaddr, base - 0x1000 + 64);
        assert_eq!(phdr.p_filesz, 56 * elf.program_headers.len() as u64);
        let dynamic = elf.program_headers.last().unwrap();
        let o = dynamic.p_offset as usize;
        let name = elf
            .syms
            .iter()
            .find(|s| elf.strtab.get_at(s.st_name) == Some("name"))
            .unwrap();
        assert_eq!(image[o..o + 8], 0x60000001u64.to_le_bytes());
        assert_eq!(image[o + 8..o + 16], name.st_value.to_le_bytes());
        assert_eq!(dynamic.p_flags, ph::PF_R | ph::PF_W);
        let plan = e2k_emu::linux::loader::plan(&image, 0x4000_0000).unwrap();
        assert_eq!(plan.interp.as_deref(), Some("/lib64/ld-e2k-test.so"));
        let bias = if kind == Kind::Dyn { 0x4000_0000 } else { 0 };
        assert_eq!(plan.phdr, phdr.p_vaddr + bias);
        assert_eq!(plan.entry, base + bias);
    }
}

/// `e2k-as --pie` writes an ET_DYN file that readelf reads without complaint.
#[test]
fn pie_option_writes_a_shared_object_type() {
    let dir = std::env::temp_dir().join(format!("e2k-as-pie-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("p.s");
    std::fs::write(
        &src,
        "_start:\n { nop 1 }\n .section .dynamic\n .quad 0, 0\n",
    )
    .unwrap();
    let out = dir.join("p");
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg("--pie")
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let image = std::fs::read(&out).unwrap();
    assert_eq!(u16::from_le_bytes([image[16], image[17]]), 3);
    assert_eq!(
        u64::from_le_bytes(image[24..32].try_into().unwrap()),
        0x1000,
        "entry at the linked text"
    );
    if let Ok(r) = Command::new("readelf").arg("-lhd").arg(&out).output() {
        let text = String::from_utf8_lossy(&r.stdout);
        assert!(text.contains("DYN ("), "{text}");
        assert!(text.contains("DYNAMIC"), "{text}");
        assert!(
            r.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sources MCST's GNU as assembled (tests/data/gas-vectors.txt, its bytes recorded):
/// e2k-as writes the same section contents.
#[test]
fn gas_vectors() {
    let text = include_str!("data/gas-vectors.txt");
    let mut cases = 0;
    for case in text.split("\n== ").skip(1) {
        let (head, body) = case.split_once('\n').unwrap();
        let ver: u8 = head[1..head.find(' ').unwrap()].parse().unwrap();
        let mut parts = body.split("\n-- ");
        let src = parts.next().unwrap();
        let obj =
            e2k_emu::asm::assemble_object(&[("v.s".into(), src.into())], Iset::new(ver).unwrap())
                .unwrap_or_else(|e| panic!("{head}: {}", e[0]));
        for part in parts {
            let (name, hex) = part.split_once('\n').unwrap();
            let want: String = hex.split_whitespace().collect();
            let sec = obj
                .sections
                .iter()
                .find(|s| s.name == name)
                .unwrap_or_else(|| panic!("{head}: no section {name}"));
            let got: String = sec.data.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(got, want, "{head}: section {name}");
        }
        cases += 1;
    }
    assert_eq!(cases, 17);
}

/// `.include` reads a file next to the including source; errors in it name the line
/// of the `.include`.
#[test]
fn include_reads_a_file_next_to_the_source() {
    let dir = std::env::temp_dir().join(format!("e2k-as-include-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("part.s"), "{ adds,0 %r0, 0x5, %r1 }\n").unwrap();
    std::fs::write(dir.join("bad.s"), "{ frob }\n").unwrap();
    let main = dir.join("main.s").to_string_lossy().into_owned();
    let image = assemble(&main, "_start:\n .include \"part.s\"\n { nop 1 }\n").unwrap();
    assert_eq!(ops_of(&image), vec!["adds,0 %r0, 0x5, %r1", "nop 1"]);
    let e = assemble(&main, "\n .include \"bad.s\"\n").unwrap_err();
    assert!(e.contains(":2:") && e.contains("frob"), "{e}");
    let e = assemble(&main, " .include \"missing.s\"\n").unwrap_err();
    assert!(e.contains("cannot read included file `missing.s`"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    /// Source lines of every kind the assembler reads (the gas vectors' sources).
    fn snippets() -> Vec<String> {
        include_str!("data/gas-vectors.txt")
            .lines()
            .filter(|l| {
                !l.starts_with('#')
                    && !l.starts_with("==")
                    && !l.starts_with("--")
                    && !l.chars().all(|c| c.is_ascii_hexdigit())
            })
            .map(str::to_string)
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the text, the assembler answers with an object or errors, never a
        /// panic: real lines cut, joined and sprinkled with punctuation and numbers.
        #[test]
        fn any_text_gives_an_object_or_errors(
            picks in proptest::collection::vec((any::<proptest::sample::Index>(), any::<usize>(), any::<usize>(), 0usize..12), 1..16),
            ver in 1u8..=6,
        ) {
            let lines = snippets();
            const NOISE: [&str; 12] = ["}", "{", ",", "[", "]", "?", "=", "0x", "-1", "1b", ":", "\\"];
            let mut src = String::new();
            for (i, cut, at, noise) in picks {
                let l = i.get(&lines);
                let chars: Vec<char> = l.chars().collect();
                let cut = cut % (chars.len() + 1);
                let at = at % (cut + 1);
                let mut s: String = chars[..at].iter().collect();
                s.push_str(NOISE[noise]);
                s.extend(&chars[at..cut]);
                src.push_str(&s);
                src.push('\n');
            }
            let _ = e2k_emu::asm::assemble_object(&[("f.s".into(), src)], Iset::new(ver).unwrap());
        }
    }
}
