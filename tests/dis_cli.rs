//! The `e2k-dis` command: ELF and raw input, and one-line errors for bad input.

use e2k_emu::elf::write::{write_executable, OutSection, OutSymbol};
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
    let text = OutSection {
        name: ".text".into(),
        addr: 0x10000,
        mem_size: code.len() as u64,
        data: code,
        writable: false,
        executable: true,
        nobits: false,
    };
    let data = OutSection {
        name: ".data".into(),
        addr: 0x20000,
        data: b"hello\n".to_vec(),
        mem_size: 6,
        writable: true,
        executable: false,
        nobits: false,
    };
    let syms = vec![
        OutSymbol {
            name: "_start".into(),
            value: 0x10000,
            size: 0,
            global: true,
            func: true,
            section: Some(0),
        },
        OutSymbol {
            name: "tail".into(),
            value: 0x10008,
            size: 0,
            global: false,
            func: false,
            section: Some(0),
        },
        OutSymbol {
            name: "msg".into(),
            value: 0x20000,
            size: 6,
            global: false,
            func: false,
            section: Some(1),
        },
    ];
    write_executable(&[text, data], &syms, 0x10000, 4 << 24)
}

#[test]
fn disassembles_an_elf_file() {
    let p = tmp("prog", &sample_elf());
    let out = dis().arg(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("elf_listing", text);
    // Typed as for objdump: `-d` changes nothing.
    let with_d = dis().arg("-d").arg(&p).output().unwrap();
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
                let _ = e2k_emu::elf::listing::elf_listing("m", &f, f.iset.unwrap_or(Iset::MAX));
            }
        }
    }
}
