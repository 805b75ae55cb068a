//! The e2k-emu command line: qemu-user options, tracing, logs and refusals.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hello() -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::env::temp_dir().join(format!("e2k-emu-cli-{}", std::process::id()));
    if !out.exists() {
        let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
            .arg(format!("{root}/tests/programs/hello.s"))
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success());
    }
    out
}

fn emu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn runs_and_passes_the_exit_status() {
    let h = hello();
    let o = emu(&[h.to_str().unwrap()]);
    assert_eq!(text(&o.stdout), "hello from e2k-as\n");
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn strace_lists_the_system_calls() {
    let h = hello();
    let o = emu(&["-strace", h.to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(err.contains("write(1, 0x"), "{err}");
    assert!(err.contains(", 18) = 18"), "{err}");
    assert!(err.contains("exit(3) = ?"), "{err}");
    assert_eq!(text(&o.stdout), "hello from e2k-as\n");
}

#[test]
fn d_logs_to_a_file() {
    let h = hello();
    let log = std::env::temp_dir().join(format!("e2k-emu-cli-log-{}", std::process::id()));
    let o = emu(&[
        "-d",
        "in_asm,exec,cpu",
        "-D",
        log.to_str().unwrap(),
        h.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let l = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(l.starts_with("IN:\n0x10000:\n"), "{l}");
    assert!(l.contains("  setwd wsz = 0x8, nfx = 0x1"), "{l}");
    assert!(l.contains("Trace: 0x0000000000010010"), "{l}");
    assert!(l.contains("%r9  =0x0000000000000001"), "{l}");
    assert!(text(&o.stderr).is_empty());
}

#[test]
fn out_asm_and_jit_statistics() {
    let root = env!("CARGO_MANIFEST_DIR");
    let prog = std::env::temp_dir().join(format!("e2k-emu-cli-loops-{}", std::process::id()));
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .args([
            format!("{root}/tests/programs/lib/prelude.s"),
            format!("{root}/tests/programs/loops.s"),
        ])
        .arg("-o")
        .arg(&prog)
        .status()
        .unwrap();
    assert!(st.success());
    let log = std::env::temp_dir().join(format!("e2k-emu-cli-out-asm-{}", std::process::id()));
    let o = emu(&[
        "-jit-threshold",
        "1",
        "-d",
        "out_asm,jit",
        "-D",
        log.to_str().unwrap(),
        prog.to_str().unwrap(),
    ]);
    let l = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&prog);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(l.contains("OUT: [size="), "{l}");
    assert!(l.contains("wide instructions)"), "{l}");
    assert!(l.contains("blocks translated"), "{l}");
}

#[test]
fn options_and_refusals() {
    let o = emu(&["-version"]);
    assert!(o.status.success() && text(&o.stdout).starts_with("e2k-emu "));
    let o = emu(&["-h"]);
    assert!(o.status.success() && text(&o.stdout).contains("-strace"));
    let o = emu(&["-cpu", "help"]);
    assert!(text(&o.stdout).contains("e8c2"));
    let h = hello();
    let o = emu(&["-cpu", "v9", h.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("-cpu"), "{}", text(&o.stderr));
    let o = emu(&["-cpu", "elbrus-v6", h.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let o = emu(&["-bogus", h.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let o = emu(&[]);
    assert_eq!(o.status.code(), Some(1));
    let o = emu(&["/nonexistent/program"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("e2k-emu: /nonexistent/program: "));
    // A host executable is not an E2K program.
    let o = emu(&[env!("CARGO_BIN_EXE_e2k-as")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stderr).lines().count(), 1, "{}", text(&o.stderr));
}

#[test]
fn environment_and_argv0() {
    // -E/-U/-0 shape what the guest receives; hello ignores them but must still run.
    let h = hello();
    let o = emu(&[
        "-E",
        "A=1",
        "-U",
        "PATH",
        "-0",
        "name",
        h.to_str().unwrap(),
        "x",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let o = emu(&["-E", "novalue", h.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn mutated_executables_never_crash_the_emulator() {
    let image = std::fs::read(hello()).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        // Only the ELF and program headers: mutated code could make arbitrary system
        // calls, and a test must not touch files.
        let mut m = image.clone();
        for _ in 0..1 + next() % 8 {
            let at = (next() % 0x100) as usize;
            m[at] = next() as u8;
        }
        let opts = e2k_emu::linux::machine::Options::new("m", &[]);
        // Loading either refuses with a reason or gives a machine; running a broken
        // program must end (exit or guest signal) within a bounded number of steps.
        if let Ok(mut machine) = e2k_emu::linux::machine::Machine::new(&m, opts) {
            for _ in 0..10_000 {
                if machine.step().is_some() {
                    break;
                }
            }
        }
    }
}
