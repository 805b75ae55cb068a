//! Objects from e2k-as read back (sections, symbols, relocations) and linked by
//! e2k-ld: several objects with cross references, archives (only the members that
//! define needed symbols), data relocations, errors, and a linked program run.

use e2k_emu::asm::assemble_to_object;
use e2k_emu::elf::object::{read_relocatable, write_relocatable, Bind, ObjReloc, Place, Target};
use e2k_emu::elf::reloc::{R_E2K_32_ABS, R_E2K_64_ABS, R_E2K_64_ABS_LIT, R_E2K_DISP};
use e2k_emu::isa::version::Iset;
use e2k_emu::link::layout::{Layout, TEXT_START};
use e2k_emu::link::{link, Input, Linked, Options};
use std::path::PathBuf;
use std::process::Command;

fn obj(name: &str, text: &str) -> Vec<u8> {
    assemble_to_object(&[(name.into(), text.into())], Iset::new(4).unwrap())
        .unwrap_or_else(|e| panic!("{}", e[0]))
}

fn mcst() -> Options {
    Options {
        entry: None,
        layout: Layout::Mcst {
            segment_start: TEXT_START,
        },
    }
}

fn link_all(files: &[(&str, Vec<u8>)]) -> Result<Linked, String> {
    let inputs = files
        .iter()
        .map(|(n, d)| Input::read(n, d).map_err(|e| e.0))
        .collect::<Result<Vec<_>, _>>()?;
    link(inputs, &mcst()).map_err(|e| e.0)
}

/// An `ar` archive of the members (no symbol index: ld reads members' symbols).
fn ar(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut a = b"!<arch>\n".to_vec();
    for (name, data) in members {
        let head = format!(
            "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
            format!("{name}/"),
            0,
            0,
            0,
            644,
            data.len()
        );
        a.extend_from_slice(head.as_bytes());
        a.extend_from_slice(data);
        if data.len() % 2 == 1 {
            a.push(b'\n');
        }
    }
    a
}

const MAIN: &str = "
    .text
    .global _start
_start:
    { setwd wsz = 8, nfx = 1 ; disp %ctpr1, say }
    { call %ctpr1, wbs = 4 }
    { addd,0 0, status_ptr, %dr1 }
    { ldd,0 %dr1, 0, %dr2 }
    { ldw,0 %dr2, 0, %r9 ; sdisp %ctpr1, 0x3 }
    { addd,0 0, 1, %r8 ; call %ctpr1, wbs = 4 }
    .data
    .align 8
status_ptr:
    .quad status
";

const LIB: &str = "
    .text
    .global say
    .type say, @function
say:
    { setwd wsz = 8, nfx = 1 ; sdisp %ctpr1, 0x3 }
    { addd,0 0, 4, %r8 ; addd,1 0, 1, %r9 ; addd,2 0, msg, %r10 ; addd,3 0, msg_end - msg, %r11 ; call %ctpr1, wbs = 4 }
    { return %ctpr3 }
    { ct %ctpr3 }
    .size say, . - say
    .section .rodata
msg: .ascii \"linked\\n\"
msg_end:
    .data
    .global status
status: .word 5
";

#[test]
fn objects_read_back_with_symbols_and_relocations() {
    let o = read_relocatable(&obj("main.s", MAIN)).unwrap();
    assert_eq!(o.e_flags, 4 << 24);
    let names: Vec<&str> = o.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [".text", ".data", ".bss"]);
    let sym = |n: &str| o.symbols.iter().position(|s| s.name == n).unwrap();
    let start = &o.symbols[sym("_start")];
    assert_eq!(
        (start.place, start.value, start.bind),
        (Place::Section(0), 0, Bind::Global)
    );
    assert_eq!(o.symbols[sym("say")].place, Place::Undefined);
    assert_eq!(o.symbols[sym("status")].place, Place::Undefined);
    assert_eq!(o.symbols[sym("status_ptr")].bind, Bind::Local);
    // The displacement to `say`: its addend is CS0's place in the wide instruction.
    let text = &o.sections[0].relocs;
    let disp = text.iter().find(|r| r.r_type == R_E2K_DISP).unwrap();
    assert_eq!(disp.target, Target::Symbol(sym("say")));
    assert_eq!(disp.addend, disp.offset as i64);
    // `status_ptr` is local: its relocation is against .data.
    let lit = text.iter().find(|r| r.r_type == R_E2K_64_ABS_LIT).unwrap();
    assert_eq!((lit.target.clone(), lit.addend), (Target::Section(1), 0));
    assert_eq!(
        o.sections[1].relocs,
        [ObjReloc {
            offset: 0,
            r_type: R_E2K_64_ABS,
            target: Target::Symbol(sym("status")),
            addend: 0
        }]
    );
    let l = read_relocatable(&obj("lib.s", LIB)).unwrap();
    let say = l.symbols.iter().find(|s| s.name == "say").unwrap();
    assert!(say.func);
    assert_eq!(say.size, l.sections[0].size);
    assert_eq!(l.sections.iter().position(|s| s.name == ".rodata"), Some(3));
    // `msg` in .rodata from a 64-bit addd: a literal pair against .rodata.
    let r = &l.sections[0].relocs[0];
    assert_eq!(
        (r.r_type, r.target.clone()),
        (R_E2K_64_ABS_LIT, Target::Section(3))
    );
}

#[test]
fn displacements_within_a_section_are_settled_and_weak_ones_kept() {
    let src = "
    .weak w
a:  { disp %ctpr1, b }
b:  { disp %ctpr2, a ; adds,0 0, c, %r0 }
w:  { disp %ctpr3, w }
    .data
c:  .word b, b - a
    .quad ext + 16
";
    let o = read_relocatable(&obj("t.s", src)).unwrap();
    let text = &o.sections[0].relocs;
    // Only the weak target keeps a displacement relocation; the 32-bit literal of `c` is
    // against .data.
    let types: Vec<u32> = text.iter().map(|r| r.r_type).collect();
    assert_eq!(types, [R_E2K_32_ABS, R_E2K_DISP]);
    assert_eq!(text[0].target, Target::Section(1));
    let data = &o.sections[1];
    assert_eq!(&data.data[4..8], &8u32.to_le_bytes(), "b - a");
    assert_eq!(data.relocs[0].r_type, R_E2K_32_ABS);
    assert_eq!(
        (data.relocs[0].target.clone(), data.relocs[0].addend),
        (Target::Section(0), 8)
    );
    assert_eq!(
        (data.relocs[1].r_type, data.relocs[1].addend),
        (R_E2K_64_ABS, 16)
    );
    // The displacement field of `disp %ctpr1, b`: +1 wide instruction of 8 bytes.
    let cs0 = u32::from_le_bytes(o.sections[0].data[4..8].try_into().unwrap());
    assert_eq!(cs0 & 0x0fff_ffff, 1);
}

#[test]
fn links_objects_with_cross_references() {
    let l = link_all(&[
        ("main.o", obj("main.s", MAIN)),
        ("lib.o", obj("lib.s", LIB)),
    ])
    .unwrap();
    let names: Vec<&str> = l.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, [".text", ".rodata", ".data"]);
    // MCST ld: headers (64 + 2 * 56 bytes) at 0x10000, text right after them; the data
    // segment on the next page at the same offset.
    assert_eq!(l.sections[0].addr, 0x100b0);
    assert_eq!(l.entry, 0x100b0);
    let end = l.sections[1].addr + l.sections[1].size;
    assert_eq!(
        l.sections[2].addr,
        (end.next_multiple_of(0x1000) + (end & 0xfff)).next_multiple_of(16)
    );
    let addr = |n: &str| l.symbols.iter().find(|s| s.name == n).unwrap().value;
    let data = &l.sections[2];
    let at = (addr("status_ptr") - data.addr) as usize;
    assert_eq!(&data.data[at..at + 8], &addr("status").to_le_bytes());
    assert_eq!(l.plan.segments.len(), 2);
    assert_eq!(l.plan.segments[0].vaddr, 0x10000);
    assert_eq!(l.plan.segments[0].offset, 0);
}

#[test]
fn archives_give_only_the_members_that_are_needed() {
    let unused = obj(
        "unused.s",
        ".text\n.global unused\nunused: { nop 1 }\n.data\n.quad missing\n",
    );
    let archive = ar(&[("lib.o", &obj("lib.s", LIB)), ("unused.o", &unused)]);
    let l = link_all(&[("main.o", obj("main.s", MAIN)), ("libx.a", archive.clone())]).unwrap();
    assert!(l.symbols.iter().any(|s| s.name == "say"));
    assert!(
        !l.symbols.iter().any(|s| s.name == "unused"),
        "unneeded member linked"
    );
    // An archive before the objects that need it is not searched again, as with ld.
    let e = link_all(&[("libx.a", archive), ("main.o", obj("main.s", MAIN))]).unwrap_err();
    assert!(e.contains("undefined reference to `say`"), "{e}");
}

#[test]
fn link_errors_are_one_line() {
    let e = link_all(&[("main.o", obj("main.s", MAIN))]).unwrap_err();
    assert!(e.contains("main.o: undefined reference to `"), "{e}");
    let e = link_all(&[("a.o", obj("lib.s", LIB)), ("b.o", obj("lib.s", LIB))]).unwrap_err();
    assert!(e.contains("multiple definition of `say`"), "{e}");
    // A relocation type this linker does not know.
    let mut o = read_relocatable(&obj("t.s", "_start: { nop 1 }\n.data\n.quad _start\n")).unwrap();
    o.sections[1].relocs[0].r_type = 7;
    let e = link_all(&[("t.o", write_relocatable(&o).unwrap())]).unwrap_err();
    assert!(e.contains("unknown E2K relocation type 7"), "{e}");
    // A 32-bit address above 4 GiB overflows.
    let t = obj("t.s", "_start: { nop 1 }\n.data\n.word _start\n");
    let inputs = vec![Input::read("t.o", &t).unwrap()];
    let e = link(
        inputs,
        &Options {
            entry: None,
            layout: Layout::Mcst {
                segment_start: 0x1_0000_0000,
            },
        },
    )
    .unwrap_err();
    assert!(e.0.contains("R_E2K_32_ABS overflows"), "{e}");
    assert!(!e.0.contains('\n'));
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("e2k-ld-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn linked_program_runs_under_the_emulator() {
    let d = tmp();
    for (n, t) in [("main", MAIN), ("lib", LIB)] {
        std::fs::write(d.join(format!("{n}.s")), t).unwrap();
        let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
            .arg(d.join(format!("{n}.s")))
            .arg("-o")
            .arg(d.join(format!("{n}.o")))
            .status()
            .unwrap();
        assert!(st.success());
    }
    std::fs::write(
        d.join("libsay.a"),
        ar(&[("lib.o", &std::fs::read(d.join("lib.o")).unwrap())]),
    )
    .unwrap();
    let prog = d.join("prog");
    let o = Command::new(env!("CARGO_BIN_EXE_e2k-ld"))
        .arg("-static")
        .arg(d.join("main.o"))
        .arg("-L")
        .arg(&d)
        .arg("-lsay")
        .arg("-o")
        .arg(&prog)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for engine in [&["-no-jit"][..], &["-jit-threshold", "1"]] {
        let run = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
            .args(engine)
            .arg(&prog)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), "linked\n");
        assert_eq!(
            run.status.code(),
            Some(5),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    // ld's errors: one line, non-zero exit.
    let o = Command::new(env!("CARGO_BIN_EXE_e2k-ld"))
        .arg(d.join("main.o"))
        .arg("-o")
        .arg(d.join("bad"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("e2k-ld: "), "{err}");
}

/// `.comm`: common symbols read back as such; linked, they share one place at the end
/// of `.bss` (the largest size and alignment asked for), a literal reaching them gets
/// that address, and an object's definition of the name takes their place.
#[test]
fn common_symbols_are_allocated_once() {
    let a = obj(
        "a.s",
        "
    .text
    .global _start
_start:
    { addd,0 0, buf + 8, %dr1 }
    .comm buf, 0x10, 8
    .bss
    .skip 4
",
    );
    let b = obj("b.s", "    .comm buf, 0x20, 16\n    .comm other, 4, 4\n");
    let r = read_relocatable(&a).unwrap();
    let s = r.symbols.iter().find(|s| s.name == "buf").unwrap();
    assert_eq!((s.place, s.value, s.size), (Place::Common, 8, 0x10));
    let l = link_all(&[("a.o", a.clone()), ("b.o", b)]).unwrap();
    let sym = |n: &str| l.symbols.iter().find(|s| s.name == n).unwrap().clone();
    let bss = l.sections.iter().find(|s| s.name == ".bss").unwrap();
    let buf = sym("buf");
    assert_eq!(buf.size, 0x20);
    assert_eq!(buf.value % 16, 0);
    assert!(buf.value >= bss.addr + 4 && buf.value + 0x20 <= bss.addr + bss.size);
    assert!(sym("other").value >= buf.value + 0x20);
    // The literal: 64 bits, the high word first.
    let text = &l.sections[0].data;
    let lit = (u64::from(u32::from_le_bytes(text[8..12].try_into().unwrap())) << 32)
        | u64::from(u32::from_le_bytes(text[12..16].try_into().unwrap()));
    assert_eq!(lit, buf.value + 8);
    let def = obj("d.s", "    .data\n    .global buf\nbuf:\n    .quad 7\n");
    let l = link_all(&[("a.o", a), ("d.o", def)]).unwrap();
    let data = l.sections.iter().find(|s| s.name == ".data").unwrap();
    assert_eq!(
        l.symbols.iter().find(|s| s.name == "buf").unwrap().value,
        data.addr
    );
}

/// `.cfi_startproc`/`.cfi_endproc` give `.eh_frame`; linked, each FDE's pc_begin is
/// the procedure's address relative to the field (R_E2K_32_PC).
#[test]
fn eh_frame_links_with_pc_relative_starts() {
    let src = "
    .text
    .global _start
_start:
    .cfi_startproc
    { nop 1 }
    { nop 2 }
    .cfi_endproc
g:
    .cfi_startproc
    { nop 3 }
    .cfi_endproc
";
    let o = obj("f.s", src);
    let r = read_relocatable(&o).unwrap();
    let eh = r.sections.iter().find(|s| s.name == ".eh_frame").unwrap();
    assert_eq!(eh.relocs.len(), 2);
    assert!(eh
        .relocs
        .iter()
        .all(|x| x.r_type == e2k_emu::elf::reloc::R_E2K_32_PC));
    let l = link_all(&[("f.o", o)]).unwrap();
    let eh = l.sections.iter().find(|s| s.name == ".eh_frame").unwrap();
    let text = l.sections[0].addr;
    for (fde, (start, len)) in [(0x14u64, (0u64, 16u32)), (0x28, (16, 8))] {
        let at = (fde + 8) as usize;
        let rel = i32::from_le_bytes(eh.data[at..at + 4].try_into().unwrap());
        assert_eq!(
            (eh.addr + fde + 8).wrapping_add(rel as i64 as u64),
            text + start
        );
        assert_eq!(
            u32::from_le_bytes(eh.data[at + 4..at + 8].try_into().unwrap()),
            len
        );
    }
}
