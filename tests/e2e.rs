//! End-to-end programs: each `tests/programs/NAME.s` is assembled with e2k-as (after
//! `lib/prelude.s`) and run with e2k-emu; stdout must equal `NAME.out` (empty if
//! absent) and the exit status the `! exit: N` line of the source (0 if absent).
//! `! args: ...` gives arguments; `! stderr: TEXT` a text the diagnostics must contain;
//! `! iset: vN` the ISA version to assemble for (default e2k-as's, v4).
//! Every program runs three times: on the interpreter alone (`-no-jit`), with the JIT
//! translating every block on its first run (`-jit-threshold 1`), and so without
//! translations going on into one another (`-d nochain`); all must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

fn header(src: &str, key: &str) -> Option<String> {
    src.lines().find_map(|l| {
        l.strip_prefix(&format!("! {key}:"))
            .map(|v| v.trim().to_string())
    })
}

/// Assembles a test program into a temporary executable.
pub fn build(name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("e2k-emu-e2e-{}-{name}", std::process::id()));
    let src = std::fs::read_to_string(dir().join(format!("{name}.s"))).unwrap();
    let iset = header(&src, "iset").map(|v| format!("--iset={v}"));
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .args(iset)
        .arg("--link")
        .arg(dir().join("lib/prelude.s"))
        .arg(dir().join(format!("{name}.s")))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("e2k-as runs");
    assert!(st.success(), "{name}.s does not assemble");
    out
}

fn run(name: &str) {
    let src = std::fs::read_to_string(dir().join(format!("{name}.s"))).unwrap();
    let exe = build(name);
    let args: Vec<String> = header(&src, "args")
        .map(|a| a.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    for engine in [
        &["-no-jit"][..],
        &["-jit-threshold", "1"][..],
        &["-jit-threshold", "1", "-d", "nochain"][..],
    ] {
        check(name, &src, &exe, &args, engine);
    }
    let _ = std::fs::remove_file(&exe);
}

fn check(name: &str, src: &str, exe: &Path, args: &[String], engine: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(engine)
        .arg(exe)
        .args(args)
        .current_dir(dir())
        .output()
        .expect("e2k-emu runs");
    let want_out = std::fs::read_to_string(dir().join(format!("{name}.out"))).unwrap_or_default();
    let want_code: i32 = header(src, "exit").map_or(0, |c| c.parse().unwrap());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout, want_out,
        "{name} {engine:?}: stdout (stderr: {stderr})"
    );
    assert_eq!(
        out.status.code(),
        Some(want_code),
        "{name} {engine:?}: exit status (stderr: {stderr})"
    );
    if let Some(s) = header(src, "stderr") {
        assert!(
            stderr.contains(&s),
            "{name} {engine:?}: stderr lacks {s:?}: {stderr}"
        );
    }
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { run(stringify!($name)); })*
    };
}

programs!(
    hello,
    arith,
    select,
    memory,
    calls,
    inline,
    loops,
    branches,
    spec,
    float,
    aau,
    mova,
    mova_diag,
    mova_v5,
    fault_ldisp,
    fault_bap,
    chain,
    signals,
    longjmp,
    contexts,
    hwstacks,
    process,
    threads,
    clone3,
    thread_signals,
    thread_fault,
    deep,
    nested,
    loop_exit,
    syscalls,
    mmap_file,
    fault_segv,
    fault_hot,
    smc,
    float_slow,
    fault_rodata,
    fault_div,
    fault_ctpr,
    fault_window,
    fault_tag,
    fault_decode,
    fault_return,
    fault_ctpr_guard,
    fault_ctpr_op,
    fault_mirror,
    fault_mirror5,
    fault_misaligned,
    fault_sdisp,
    fault_stmqp_align,
    fault_stmqp_page,
    ctl,
    loop_stores,
    mlock,
    quad,
    quad6,
    pred_tags,
    pred_fault,
    diag,
    diag_exit,
    diag_store,
    diag_merge,
    f80,
    robust,
    robust_exec,
    restart,
    gdb_target,
    shift_count,
    getf_v4,
    getf_v5,
    partial_write,
    fault_partial,
    fault_insfd,
    fault_based,
    fault_based_read,
    window_grow,
    global_tags,
    setwd_writes,
);

/// The programs under examples/ build and behave as README says.
fn example(name: &str, args: &[&str]) -> (String, Option<i32>) {
    let jit = example_with(name, args, &["-jit-threshold", "1"]);
    let interp = example_with(name, args, &["-no-jit"]);
    assert_eq!(jit, interp, "{name}: the JIT and the interpreter disagree");
    interp
}

fn example_with(name: &str, args: &[&str], engine: &[&str]) -> (String, Option<i32>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::temp_dir().join(format!("e2k-emu-example-{}-{name}", std::process::id()));
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg(root.join(format!("examples/{name}.s")))
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(engine)
        .arg(&exe)
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&exe);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn example_hello() {
    assert_eq!(
        example("hello", &[]),
        ("Hello, Elbrus!\n".to_string(), Some(0))
    );
}

#[test]
fn example_primes() {
    assert_eq!(
        example("primes", &["30"]),
        (
            "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n10\n".to_string(),
            Some(0)
        )
    );
    let (out, code) = example("primes", &[]);
    assert_eq!(code, Some(0));
    assert!(out.ends_with("97\n25\n"), "{out}");
}

#[test]
fn example_cat() {
    let (out, code) = example("cat", &["tests/programs/syscalls.input"]);
    assert_eq!((out.as_str(), code), ("file contents\n", Some(0)));
    assert_eq!(example("cat", &["/nonexistent/file"]).1, Some(1));
    assert_eq!(example("cat", &[]).1, Some(1));
}
