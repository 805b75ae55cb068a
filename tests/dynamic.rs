//! Dynamically linked programs: a sysroot built in a temporary directory holds our own
//! test interpreter (`tests/programs/dynamic/ld-e2k-test.s`) and library; programs
//! whose PT_INTERP names the interpreter run under `-L SYSROOT` on both engines. Also
//! the errors for interpreters that cannot be used, and /proc/self as the guest sees it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INTERP: &str = "/lib64/ld-e2k-test.so";
const ENGINES: [&[&str]; 2] = [&["-no-jit"], &["-jit-threshold", "1"]];

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

/// A fresh temporary directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("e2k-emu-dyn-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sysroot/lib64")).unwrap();
    d
}

/// Assembles the sources (after lib/prelude.s) into `out`.
fn assemble(out: &Path, flags: &[&str], sources: &[PathBuf]) {
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .args(flags)
        .arg(programs().join("lib/prelude.s"))
        .args(sources)
        .arg("-o")
        .arg(out)
        .status()
        .expect("e2k-as runs");
    assert!(st.success(), "{sources:?} do not assemble");
}

fn dynamic(name: &str) -> PathBuf {
    programs().join("dynamic").join(name)
}

/// The sysroot under `dir`: SYSROOT/lib64/ld-e2k-test.so and libe2k-test.so.
fn sysroot(dir: &Path) -> PathBuf {
    let root = dir.join("sysroot");
    assemble(
        &root.join("lib64/ld-e2k-test.so"),
        &["--pie"],
        &[dynamic("ld-e2k-test.s")],
    );
    assemble(
        &root.join("lib64/libe2k-test.so"),
        &["--pie", "-e", "greet"],
        &[dynamic("libe2k-test.s")],
    );
    root
}

/// Runs e2k-emu with the engine's options, then `args`.
fn emu(engine: &[&str], args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_e2k-emu"));
    c.args(engine);
    for a in args {
        c.arg(a);
    }
    c.output().expect("e2k-emu runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn dynamic_programs_run_under_their_interpreter() {
    let dir = scratch("run");
    let root = sysroot(&dir);
    for (name, flags) in [("prog", &[][..]), ("prog-pie", &["--pie"][..])] {
        let exe = dir.join(name);
        assemble(&exe, flags, &[dynamic("prog.s")]);
        for engine in ENGINES {
            let out = emu(engine, &[&"-L", &root, &exe, &"world"]);
            assert_eq!(
                text(&out.stdout),
                "world\nhello from the library\nback in the program\n",
                "{name} {engine:?}: {}",
                text(&out.stderr)
            );
            assert_eq!(
                out.status.code(),
                Some(7),
                "{name} {engine:?}: {}",
                text(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without an interpreter the kernel passes AT_BASE 0: the test interpreter run as a
/// program by itself (a static PIE, placed by mmap) sees that and says so.
#[test]
fn an_interpreter_run_by_itself_sees_no_base() {
    let dir = scratch("alone");
    let root = sysroot(&dir);
    let out = emu(&[], &[&root.join("lib64/ld-e2k-test.so")]);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

fn refused(dir: &Path, sysroot: Option<&Path>) -> String {
    let exe = dir.join("prog");
    assemble(&exe, &[], &[dynamic("prog.s")]);
    let out = match sysroot {
        Some(r) => emu(&[], &[&"-L", &r, &exe]),
        None => emu(&[], &[&exe]),
    };
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let e = text(&out.stderr);
    let prefix = format!("e2k-emu: {}: ", exe.display());
    assert!(
        e.starts_with(&prefix) && e.ends_with('\n') && e.lines().count() == 1,
        "{e}"
    );
    e[prefix.len()..].trim_end().to_string()
}

#[test]
fn interpreters_that_cannot_be_used_are_clean_errors() {
    let dir = scratch("errors");
    let root = dir.join("sysroot");
    assert_eq!(
        refused(&dir, None),
        format!("interpreter {INTERP} not found (use -L SYSROOT)")
    );
    assert_eq!(
        refused(&dir, Some(&root)),
        format!(
            "interpreter {INTERP} not found (neither in {} nor on the host)",
            root.display()
        )
    );
    let interp = root.join("lib64/ld-e2k-test.so");
    assemble(&interp, &["--pie"], &[dynamic("ld-e2k-test.s")]);
    let good = std::fs::read(&interp).unwrap();
    let mut x86 = good.clone();
    x86[18..20].copy_from_slice(&62u16.to_le_bytes());
    std::fs::write(&interp, &x86).unwrap();
    assert_eq!(
        refused(&dir, Some(&root)),
        format!("interpreter {INTERP}: not an E2K executable (machine 62)")
    );
    std::fs::write(&interp, b"#!/bin/sh\n").unwrap();
    assert!(refused(&dir, Some(&root))
        .starts_with(&format!("interpreter {INTERP}: not an ELF executable")));
    let mut entry = good.clone();
    entry[24..32].copy_from_slice(&0u64.to_le_bytes()); // into the headers' segment
    std::fs::write(&interp, &entry).unwrap();
    assert!(
        refused(&dir, Some(&root)).starts_with(&format!("interpreter {INTERP}: broken executable"))
    );
    // An interpreter with an interpreter of its own.
    assemble(&interp, &["--pie"], &[dynamic("prog.s")]);
    assert_eq!(
        refused(&dir, Some(&root)),
        format!("interpreter {INTERP}: names an interpreter itself (PT_INTERP)")
    );
    std::fs::remove_file(&interp).unwrap();
    std::fs::create_dir(&interp).unwrap();
    assert_eq!(
        refused(&dir, Some(&root)),
        format!("interpreter {INTERP}: not a regular file")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// examples/cat.s made dynamic (PT_INTERP and a library to load) reads its own
/// /proc/self files: guest addresses, guest paths, the vector it started with.
#[test]
fn proc_self_describes_the_guest() {
    let dir = scratch("proc");
    let root = sysroot(&dir);
    let extra = dir.join("dyn.s");
    std::fs::write(
        &extra,
        format!(
            "    .section .interp\n    .asciz \"{INTERP}\"\n    .section .dynamic\n    .quad 0x60000001, libname\n    .quad 0, 0\n    .rodata\nlibname:\n    .asciz \"/lib64/libe2k-test.so\"\n"
        ),
    )
    .unwrap();
    let exe = dir.join("cat");
    let cat = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cat.s");
    assemble(&exe, &[], &[cat, extra]);
    let exe_host = std::fs::canonicalize(&exe).unwrap();
    let root_host = std::fs::canonicalize(&root).unwrap();
    for engine in ENGINES {
        let read = |file: &str| {
            let out = emu(engine, &[&"-L", &root, &exe, &file]);
            assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
            out.stdout
        };
        let maps = text(&read("/proc/self/maps"));
        let lines: Vec<&str> = maps.lines().collect();
        let find = |what: &str| {
            lines
                .iter()
                .find(|l| l.contains(what))
                .unwrap_or_else(|| panic!("no {what} in\n{maps}"))
                .to_string()
        };
        let text_line = find(" r-xp 00001000");
        assert!(text_line.starts_with("00010000-00011000 "), "{maps}");
        assert!(
            text_line.ends_with(&format!(" {}", exe_host.display())),
            "{maps}"
        );
        let interp = find("ld-e2k-test.so");
        assert!(interp.ends_with(&root_host.join("lib64/ld-e2k-test.so").display().to_string()));
        let lib = find("libe2k-test.so");
        assert!(lib.contains(" r--p 00000000 "), "{maps}");
        assert!(find("[stack]").contains(" rw-p "));
        find("[procedure stack]");
        find("[chain stack]");
        let interp_start = u64::from_str_radix(interp.split('-').next().unwrap(), 16).unwrap();

        let raw = read("/proc/self/auxv");
        let auxv: Vec<(u64, u64)> = raw
            .chunks(16)
            .map(|c| {
                let w = |o: usize| u64::from_le_bytes(c[o..o + 8].try_into().unwrap());
                (w(0), w(8))
            })
            .collect();
        let get = |k: u64| auxv.iter().find(|e| e.0 == k).map(|e| e.1);
        assert_eq!(auxv.last(), Some(&(0, 0)));
        assert_eq!(
            get(7),
            Some(interp_start),
            "AT_BASE: the interpreter's start"
        );
        assert_eq!(get(9), Some(0x10000), "AT_ENTRY: the program's entry");
        assert_eq!(get(3), Some(0xf040), "AT_PHDR: after the ELF header");
        assert_eq!(read("/proc/self/exe"), std::fs::read(&exe).unwrap());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Loading with a damaged interpreter refuses with a reason or starts; it never panics.
#[test]
fn mutated_interpreters_never_crash_the_loader() {
    let dir = scratch("mutated");
    let root = sysroot(&dir);
    let exe = dir.join("prog");
    assemble(&exe, &[], &[dynamic("prog.s")]);
    let program = std::fs::read(&exe).unwrap();
    let interp = root.join("lib64/ld-e2k-test.so");
    let good = std::fs::read(&interp).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut refused = 0;
    for _ in 0..200 {
        let mut m = good.clone();
        for _ in 0..1 + next() % 6 {
            // The ELF header and the program headers.
            let at = (next() % 0x120) as usize;
            m[at] = next() as u8;
        }
        std::fs::write(&interp, &m).unwrap();
        let mut opts = e2k_emu::linux::machine::Options::new("prog", &[]);
        opts.sysroot = Some(root.clone());
        match e2k_emu::linux::machine::Machine::new(&program, opts) {
            Ok(_) => {}
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().contains('\n'), "{e}");
            }
        }
    }
    assert!(refused > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
