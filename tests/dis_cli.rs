//! The `e2k-dis` command: ELF and raw input, and one-line errors for bad input.

use e2k_emu::elf::exec::{write_exec, ExecSection, ExecSymbol, Plan, Segment, PT_LOAD};
use e2k_emu::isa::pack::{pack, Syllables};
use e2k_emu::isa::version::Iset;
use std::process::Command;

fn dis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_e2k-dis"))
}

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("e2k-dis-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn sample_elf() -> Vec<u8> {
    let v4 = Iset::new(4).unwrap();
    let mut s = Syllables::default();
    s.als[0] = Some(0x1180_8182); // addd,0 %dr0, %dr1, %dr2
    let mut code = pack(&s, v4).unwrap();
    let ret = Syllables {
        ss: Some(3 << 10 | 1 << 5),
        cs0: Some(3 << 30 | 3 << 28),
        ..Default::default()
    };
    code.extend(pack(&ret, v4).unwrap());
    let sec = |name, addr: u64, offset, data: &'static [u8], write, exec| {
        (name, addr, offset, data, write, exec)
    };
    let code: &'static [u8] = Box::leak(code.into_boxed_slice());
    let secs: Vec<ExecSection> = [
        sec(".text", 0x10000u64, 0x1000u64, code, false, true),
        sec(".data", 0x20000, 0x2000, b"hello\n", true, false),
    ]
    .into_iter()
    .map(|(name, addr, offset, data, write, exec)| ExecSection {
        name,
        addr,
        offset,
        data,
        size: data.len() as u64,
        align: 8,
        write,
        exec,
        nobits: false,
    })
    .collect();
    let plan = Plan {
        segments: secs
            .iter()
            .map(|s| Segment {
                p_type: PT_LOAD,
                flags: 4 | if s.write { 2 } else { 0 } | if s.exec { 1 } else { 0 },
                offset: s.offset,
                vaddr: s.addr,
                filesz: s.size,
                memsz: s.size,
                align: 0x1000,
            })
            .collect(),
        headers_at: None,
    };
    let sym = |name, value, size, global, func, section| ExecSymbol {
        name,
        value,
        size,
        global,
        func,
        section: Some(section),
    };
    let syms = vec![
        sym("tail", 0x10008, 0, false, false, 0),
        sym("msg", 0x20000, 6, false, false, 1),
        sym("_start", 0x10000, 0, true, true, 0),
    ];
    write_exec(false, 0x10000, 4 << 24, &plan, &secs, &syms).unwrap()
}

#[test]
fn disassembles_an_elf_file() {
    let p = tmp("prog", &sample_elf());
    // objdump names the file as it was given.
    let dir = p.parent().unwrap();
    let out = dis().current_dir(dir).arg("prog").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("elf_listing", text);
    // Typed as for objdump: `-d` changes nothing.
    let with_d = dis()
        .current_dir(dir)
        .arg("-d")
        .arg("prog")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(with_d.stdout).unwrap(), text);
}

#[test]
fn raw_and_hex_input() {
    let out = dis()
        .args([
            "--hex",
            "04000001 10808182",
            "--addr",
            "0x100",
            "--iset",
            "v3",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        " 100:\t\n  adds,0 %r0, %r1, %r2\n\n"
    );
    let out = dis()
        .args([
            "--hex",
            "04000001 10808182",
            "--addr",
            "0x100",
            "--show-raw-insn",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        " 100:\t01 00 00 04 82 81 80 10 \t\n  adds,0 %r0, %r1, %r2\n\n"
    );
    let p = tmp("raw.bin", &[0x01, 0, 0, 0x04, 0x82, 0x81, 0x80, 0x10]);
    let out = dis().arg("--raw").arg(&p).output().unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("adds,0 %r0, %r1, %r2"));
}

fn fails_with(args: &[&std::ffi::OsStr], needle: &str) {
    let out = dis().args(args).output().unwrap();
    assert!(!out.status.success(), "expected failure for {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.lines().count(),
        1,
        "one-line error expected, got:\n{err}"
    );
    assert!(err.contains(needle), "`{needle}` not in: {err}");
}

#[test]
fn refuses_non_e2k_and_broken_files() {
    let host = std::env::current_exe().unwrap();
    fails_with(&[host.as_os_str()], "not an E2K ELF file");
    let junk = tmp("junk", b"this is not an ELF file at all");
    fails_with(&[junk.as_os_str()], "not a valid ELF file");
    let mut elf = sample_elf();
    elf.truncate(100);
    let cut = tmp("cut", &elf);
    fails_with(&[cut.as_os_str()], "e2k-dis:");
    let missing = std::ffi::OsStr::new("/nonexistent/e2k/file");
    fails_with(&[missing], "No such file");
    fails_with(
        &[std::ffi::OsStr::new("--hex"), std::ffi::OsStr::new("zz")],
        "not hexadecimal",
    );
    fails_with(
        &[
            std::ffi::OsStr::new("--hex"),
            std::ffi::OsStr::new("00"),
            std::ffi::OsStr::new("--iset"),
            std::ffi::OsStr::new("v9"),
        ],
        "out of range",
    );
}

#[test]
fn elf_reader_never_panics_on_mutations() {
    // Flip bytes of a valid file one at a time: every result is a listing or an error.
    let base = sample_elf();
    for i in (0..base.len()).step_by(3) {
        for x in [0xffu8, 0x00, 0x80] {
            let mut b = base.clone();
            b[i] = x;
            if let Ok(f) = e2k_emu::elf::read::parse(&b) {
                let _ =
                    e2k_emu::elf::listing::elf_listing("m", &f, f.iset.unwrap_or(Iset::MAX), true);
            }
        }
    }
}
