//! The e2k-emu command line: qemu-user options, tracing, logs and refusals.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hello() -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::env::temp_dir().join(format!("e2k-emu-cli-{}", std::process::id()));
    // Tests run in parallel: one must not run the file while another still writes it.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !out.exists() {
        let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
            .arg("--link")
            .arg(format!("{root}/tests/programs/hello.s"))
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success());
    }
    out
}

/// Assembles `path` (under the repository, after the prelude if `prelude`) once per
/// test process.
fn program(path: &str, prelude: bool) -> PathBuf {
    let root = env!("CARGO_MANIFEST_DIR");
    let name = path.replace('/', "-");
    let out = std::env::temp_dir().join(format!("e2k-emu-cli-{}-{name}", std::process::id()));
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !out.exists() {
        let mut c = Command::new(env!("CARGO_BIN_EXE_e2k-as"));
        c.arg("--link");
        if prelude {
            c.arg(format!("{root}/tests/programs/lib/prelude.s"));
        }
        let st = c
            .arg(format!("{root}/{path}"))
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap();
        assert!(st.success(), "{path} does not assemble");
    }
    out
}

/// tests/programs/cli/startup.s: prints argv, env, AT_RANDOM, getrandom, uname release.
fn startup() -> String {
    program("tests/programs/cli/startup.s", true)
        .to_string_lossy()
        .into_owned()
}

/// e2k-emu with `args` and exactly the environment `env`.
fn emu_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The value of the startup program's `key: value` lines.
fn lines(o: &Output, key: &str) -> Vec<String> {
    text(&o.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{key}: ")).map(String::from))
        .collect()
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
    // qemu's format: `PID name(args) = result`, no spaces between arguments, and a call
    // that ends the process without a result.
    let calls: Vec<(&str, &str)> = err
        .lines()
        .map(|l| l.split_once(' ').unwrap_or(("", l)))
        .collect();
    assert_eq!(calls.len(), 2, "{err}");
    assert!(
        calls.iter().all(|(pid, _)| pid.parse::<u32>().is_ok()),
        "{err}"
    );
    let w = calls[0].1;
    assert!(
        w.starts_with("write(1,0x") && w.ends_with(",18) = 18"),
        "{err}"
    );
    assert_eq!(calls[1].1, "exit(3)");
    assert_eq!(text(&o.stdout), "hello from e2k-as\n");
    // QEMU_STRACE and -d strace say the same.
    let o = emu_env(&[h.to_str().unwrap()], &[("QEMU_STRACE", "")]);
    assert!(
        text(&o.stderr).contains(" write(1,0x"),
        "{}",
        text(&o.stderr)
    );
    let o = emu(&["-d", "strace", h.to_str().unwrap()]);
    assert!(text(&o.stderr).contains(" exit(3)"), "{}", text(&o.stderr));
    let o = emu(&[h.to_str().unwrap()]);
    assert!(text(&o.stderr).is_empty());
}

#[test]
fn strace_errors_and_unknown_calls() {
    // syscalls.s opens a file relative to tests/programs and makes an unknown call.
    let p = program("tests/programs/syscalls.s", true);
    let o = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(["-strace", "-d", "unimp", p.to_str().unwrap(), "one", "two"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs"))
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // Strings in quotes, octal modes with a leading 0, NULL pointers.
    assert!(err.contains(" open(\"syscalls.input\",0x0,0) = 3"), "{err}");
    assert!(err.contains(" Unknown syscall 9999\n"), "{err}");
    assert!(err.contains("Unsupported syscall: 9999\n"), "{err}");
    assert!(err.contains(" brk(0x0) = 0x"), "{err}");
    let o = emu(&["-strace", "/nonexistent"]);
    assert_eq!(o.status.code(), Some(1));
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
        .arg("--link")
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
    let st = startup();
    let base = [("PATH", "/bin"), ("KEEP", "k")];
    let o = emu_env(
        &["-E", "A=1,B=2", "-U", "PATH", "-0", "name", &st, "x"],
        &base,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(lines(&o, "argv"), ["name", "x"]);
    assert_eq!(lines(&o, "env"), ["KEEP=k", "A=1", "B=2"]);
    // The same through the environment; its variables stay in the program's.
    let o = emu_env(
        &[&st],
        &[
            ("PATH", "/bin"),
            ("QEMU_SET_ENV", "A=1"),
            ("QEMU_UNSET_ENV", "PATH"),
            ("QEMU_ARGV0", "envname"),
        ],
    );
    assert_eq!(lines(&o, "argv"), ["envname"]);
    // (Command passes the environment sorted by name.)
    assert_eq!(
        lines(&o, "env"),
        [
            "QEMU_ARGV0=envname",
            "QEMU_SET_ENV=A=1",
            "QEMU_UNSET_ENV=PATH",
            "A=1"
        ]
    );
    // Options come after the environment and override it.
    let o = emu_env(
        &["-0", "optname", "-U", "A", "-E", "QEMU_SET_ENV=x", &st],
        &[("QEMU_SET_ENV", "A=1"), ("QEMU_ARGV0", "envname")],
    );
    assert_eq!(lines(&o, "argv"), ["optname"]);
    assert_eq!(lines(&o, "env"), ["QEMU_ARGV0=envname", "QEMU_SET_ENV=x"]);
    let o = emu(&["-E", "novalue", &st]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("-E novalue"),
        "{}",
        text(&o.stderr)
    );
    let o = emu_env(&[&st], &[("QEMU_UNSET_ENV", "A=1")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("QEMU_UNSET_ENV=A=1"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn options_end_at_the_program_or_at_two_dashes() {
    let st = startup();
    let o = emu_env(&["--", &st, "-strace", "--"], &[]);
    assert_eq!(lines(&o, "argv"), [st.as_str(), "-strace", "--"]);
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    // Two dashes work as one.
    let o = emu_env(&["--E", "A=1", "--0", "z", &st], &[]);
    assert_eq!(lines(&o, "argv"), ["z"]);
    assert_eq!(lines(&o, "env"), ["A=1"]);
    let o = emu(&["-s"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "e2k-emu: missing argument for option '-s'\n"
    );
    for bad in ["-bogus", "--bogus", "-trace", "-plugin", "-t"] {
        let o = emu(&[bad, "x", &st]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(
            text(&o.stderr).starts_with(&format!("e2k-emu: unknown option '{bad}'")),
            "{}",
            text(&o.stderr)
        );
    }
}

#[test]
fn seed_makes_the_random_bytes_reproducible() {
    let st = startup();
    let bytes = |args: &[&str], env: &[(&str, &str)]| {
        let mut a = args.to_vec();
        a.push(&st);
        let o = emu_env(&a, env);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        (lines(&o, "random"), lines(&o, "getrandom"))
    };
    let a = bytes(&["-seed", "42"], &[]);
    assert_eq!(a.0.len(), 1);
    assert_eq!(a.0[0].len(), 32);
    assert_ne!(a.0, a.1);
    assert_eq!(bytes(&["-seed", "42"], &[]), a);
    assert_eq!(bytes(&["-jit-threshold", "1", "-seed", "42"], &[]), a);
    assert_ne!(bytes(&["-seed", "43"], &[]), a);
    assert_eq!(bytes(&[], &[("QEMU_RAND_SEED", "42")]), a);
    assert_eq!(bytes(&["-seed", "42"], &[("QEMU_RAND_SEED", "43")]), a);
    // Without a seed the bytes are the host's.
    assert_ne!(bytes(&[], &[]), bytes(&[], &[]));
    let o = emu(&["-seed", "x", &st]);
    assert_eq!(o.status.code(), Some(1));
}

/// deepstack.s stores 12 MiB below its stack pointer, under an RLIMIT_STACK of `rlimit`.
fn deep(args: &[&str], env: &[(&str, &str)], rlimit: u64) -> Option<i32> {
    use std::os::unix::process::CommandExt;
    let p = program("tests/programs/cli/deepstack.s", true);
    let mut c = Command::new(env!("CARGO_BIN_EXE_e2k-emu"));
    c.args(args).arg(&p).env_clear().envs(env.iter().copied());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        c.pre_exec(move || {
            let l = nix::libc::rlimit {
                rlim_cur: rlimit,
                rlim_max: nix::libc::RLIM_INFINITY,
            };
            nix::libc::setrlimit(nix::libc::RLIMIT_STACK, &l);
            Ok(())
        });
    }
    c.output().unwrap().status.code()
}

#[test]
fn s_sets_the_stack_size() {
    let m8 = 8 << 20;
    assert_eq!(deep(&[], &[], m8), Some(139));
    assert_eq!(deep(&["-s", "16M"], &[], m8), Some(0));
    assert_eq!(deep(&["-s", "12M"], &[], m8), Some(139));
    assert_eq!(deep(&["-s", "0x1000000"], &[], m8), Some(0));
    assert_eq!(deep(&[], &[("QEMU_STACK_SIZE", "16M")], m8), Some(0));
    assert_eq!(
        deep(&["-s", "8M"], &[("QEMU_STACK_SIZE", "16M")], m8),
        Some(139)
    );
    // As qemu: the default is the host's stack limit when that is larger.
    assert_eq!(deep(&[], &[], 32 << 20), Some(0));
    assert_eq!(deep(&["-s", "8M"], &[], 32 << 20), Some(139));
    assert_eq!(deep(&["-s", "0"], &[], m8), Some(1));
    assert_eq!(deep(&["-s", "8X"], &[], m8), Some(1));
}

#[test]
fn r_sizes_the_guest_address_space_and_d_page_shows_it() {
    let st = startup();
    let layout = |args: &[&str], env: &[(&str, &str)]| {
        let mut a = args.to_vec();
        a.extend(["-d", "page", &st]);
        let o = emu_env(&a, env);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.contains("page layout changed following binary load"),
            "{err}"
        );
        let ends: Vec<u64> = err
            .lines()
            .filter_map(|l| l.split_once('-'))
            .filter_map(|(_, r)| u64::from_str_radix(r.split(' ').next()?, 16).ok())
            .collect();
        // The program, its data, the procedure and chain stacks, the data stack.
        assert!(ends.len() >= 4, "{err}");
        assert!(err.contains(" r-x\n") && err.contains(" rw-\n"), "{err}");
        *ends.iter().max().unwrap()
    };
    let top = layout(&[], &[]);
    assert!(top > 1 << 35, "{top:#x}");
    assert!(layout(&["-R", "1G"], &[]) <= 1 << 30);
    assert!(layout(&[], &[("QEMU_RESERVED_VA", "1G")]) <= 1 << 30);
    assert!(layout(&["-R", "0"], &[("QEMU_RESERVED_VA", "1G")]) > 1 << 35);
    let o = emu(&["-R", "64M", &st]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("do not fit a 64 MiB guest address space"),
        "{}",
        text(&o.stderr)
    );
    let o = emu(&["-R", "2T", &st]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn l_and_qemu_ld_prefix_root_absolute_paths() {
    let cat = program("examples/cat.s", false);
    let root = std::env::temp_dir().join(format!("e2k-emu-cli-root-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("only-in-root.txt"), "rooted\n").unwrap();
    let r = root.to_str().unwrap();
    let o = emu(&["-L", r, cat.to_str().unwrap(), "/only-in-root.txt"]);
    assert_eq!(text(&o.stdout), "rooted\n");
    let o = emu_env(
        &[cat.to_str().unwrap(), "/only-in-root.txt"],
        &[("QEMU_LD_PREFIX", r)],
    );
    assert_eq!(text(&o.stdout), "rooted\n");
    let o = emu(&[cat.to_str().unwrap(), "/only-in-root.txt"]);
    assert_ne!(o.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn cpu_from_the_environment_and_the_command_line() {
    let h = hello();
    let h = h.to_str().unwrap();
    let o = emu_env(&[h], &[("QEMU_CPU", "v9")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).starts_with("e2k-emu: -cpu v9: "),
        "{}",
        text(&o.stderr)
    );
    let o = emu_env(&["-cpu", "e8c2", h], &[("QEMU_CPU", "v9")]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let o = emu_env(&[h], &[("QEMU_CPU", "e16c")]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
}

#[test]
fn uname_release() {
    let st = startup();
    let o = emu_env(&["-r", "4.19.0-e2k", &st], &[]);
    assert_eq!(lines(&o, "release"), ["4.19.0-e2k"]);
    let o = emu_env(&[&st], &[("QEMU_UNAME", "5.4")]);
    assert_eq!(lines(&o, "release"), ["5.4"]);
    let o = emu_env(&[&st], &[]);
    assert_ne!(lines(&o, "release"), ["5.4"]);
}

#[test]
fn log_items_and_log_file_from_the_environment() {
    let h = hello();
    let h = h.to_str().unwrap();
    let dir = std::env::temp_dir();
    let log = dir.join(format!("e2k-emu-cli-envlog-{}", std::process::id()));
    let o = emu_env(
        &[h],
        &[
            ("QEMU_LOG", "in_asm,nochain"),
            ("QEMU_LOG_FILENAME", log.to_str().unwrap()),
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let l = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(l.starts_with("IN:\n0x10000:\n"), "{l}");
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    // -D NAME%d: the process id; -strace goes to the log as well.
    let pattern = dir.join(format!("e2k-emu-cli-pid-{}-%d", std::process::id()));
    let o = emu(&["-strace", "-D", pattern.to_str().unwrap(), h]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o.stderr).is_empty(), "{}", text(&o.stderr));
    let prefix = format!("e2k-emu-cli-pid-{}-", std::process::id());
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&prefix)
        })
        .collect();
    assert_eq!(found.len(), 1);
    let l = std::fs::read_to_string(&found[0]).unwrap();
    let _ = std::fs::remove_file(&found[0]);
    let pid = found[0]
        .to_string_lossy()
        .rsplit('-')
        .next()
        .unwrap()
        .to_string();
    assert!(l.starts_with(&format!("{pid} write(1,")), "{l}");
    let o = emu(&["-d", "help"]);
    assert!(o.status.success() && text(&o.stdout).contains("guest_errors"));
    let o = emu(&["-d", "in_asm,op", h]);
    assert_eq!(o.status.code(), Some(1));
    let o = emu(&["-D", "a%d%d", h]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn guest_errors_logs_faults() {
    let p = program("tests/programs/fault_segv.s", true);
    let o = emu(&["-d", "guest_errors", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(139));
    let err = text(&o.stderr);
    assert!(err.starts_with("guest fault at pc 0x"), "{err}");
    assert!(err.contains("e2k-emu: guest killed by SIGSEGV"), "{err}");
    let o = emu(&[p.to_str().unwrap()]);
    assert!(!text(&o.stderr).contains("guest fault"));
    // unimp: only what e2k-emu lacks, not the program's own faults.
    let o = emu(&["-d", "unimp", p.to_str().unwrap()]);
    assert!(!text(&o.stderr).contains("guest fault"));
}

#[test]
fn strace_follows_fork_and_exec() {
    // process.s forks, waits, and has a child exec the program again.
    let p = program("tests/programs/process.s", true);
    let o = emu(&["-strace", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    let lines: Vec<(u32, &str)> = err
        .lines()
        .map(|l| {
            let (pid, call) = l.split_once(' ').unwrap();
            (pid.parse().unwrap(), call)
        })
        .collect();
    let parent = lines.last().unwrap().0;
    assert_eq!(lines.last().unwrap().1, "exit(0)", "{err}");
    let children: Vec<u32> = lines
        .iter()
        .filter(|(pid, c)| *pid != parent && *c == "fork() = 0")
        .map(|(pid, _)| *pid)
        .collect();
    assert_eq!(children.len(), 2, "{err}");
    for c in &children {
        assert!(
            lines.contains(&(parent, &*format!("fork() = {c}"))),
            "{err}"
        );
    }
    // The exec is written before it happens; the new image's calls follow under the
    // same process id.
    let at = lines
        .iter()
        .position(|(_, c)| c.starts_with("execve(\""))
        .expect("an execve line");
    let e = lines[at].1;
    assert!(
        e.starts_with(&format!("execve(\"{}\",0x", p.display())) && e.ends_with(",NULL)"),
        "{e}"
    );
    assert!(
        lines[at + 1..]
            .iter()
            .any(|(pid, c)| *pid == lines[at].0 && *c == "exit(3)"),
        "{err}"
    );
}

/// The `-d jit` line of a run of loops.s.
fn jit_line(args: &[&str], env: &[(&str, &str)]) -> String {
    let p = program("tests/programs/loops.s", true);
    let mut a = args.to_vec();
    a.extend(["-d", "jit", p.to_str().unwrap()]);
    let o = emu_env(&a, env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stderr).lines().next().unwrap_or("").to_string()
}

#[test]
fn engine_options_and_variables() {
    assert!(
        jit_line(&["-jit-threshold", "1"], &[]).starts_with("jit: ")
            && !jit_line(&["-jit-threshold", "1"], &[]).starts_with("jit: 0 blocks")
    );
    assert!(jit_line(&[], &[("E2K_EMU_JIT_THRESHOLD", "1")]).contains(" blocks translated"));
    assert!(!jit_line(&[], &[("E2K_EMU_JIT_THRESHOLD", "1")]).starts_with("jit: 0 blocks"));
    assert!(jit_line(&[], &[("E2K_EMU_JIT_THRESHOLD", "4000000000")]).starts_with("jit: 0 blocks"));
    for off in [
        &["-no-jit"][..],
        &["-singlestep"],
        &["-one-insn-per-tb"],
        &["--one-insn-per-tb"],
    ] {
        let mut a = off.to_vec();
        a.extend(["-jit-threshold", "1"]);
        assert!(jit_line(&a, &[]).starts_with("jit: off;"), "{off:?}");
    }
    for var in ["E2K_EMU_NO_JIT", "QEMU_SINGLESTEP", "QEMU_ONE_INSN_PER_TB"] {
        let l = jit_line(&["-jit-threshold", "1"], &[(var, "1")]);
        assert!(l.starts_with("jit: off;"), "{var}: {l}");
    }
}

#[test]
fn gdb_page_size_and_guest_base() {
    let h = hello();
    let h = h.to_str().unwrap();
    // -g itself is tests/gdb_stub.rs's; here only that a bad port is refused.
    for (args, env) in [
        (&["-g", "port"][..], &[][..]),
        (&[], &[("QEMU_GDB", "99999")]),
    ] {
        let mut a = args.to_vec();
        a.push(h);
        let o = emu_env(&a, env);
        assert_eq!(o.status.code(), Some(1), "{args:?} {env:?}");
        assert!(
            text(&o.stderr).starts_with("e2k-emu: "),
            "{}",
            text(&o.stderr)
        );
    }
    assert_eq!(emu(&["-p", "4096", h]).status.code(), Some(3));
    assert_eq!(
        emu_env(&[h], &[("QEMU_PAGESIZE", "4096")]).status.code(),
        Some(3)
    );
    let o = emu(&["-p", "65536", h]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("page size is 4096"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        emu_env(&[h], &[("QEMU_PAGESIZE", "16384")]).status.code(),
        Some(1)
    );
    for (args, env) in [
        (&["-B", "0x10000000"][..], &[][..]),
        (&[], &[("QEMU_GUEST_BASE", "0")]),
    ] {
        let mut a = args.to_vec();
        a.push(h);
        let o = emu_env(&a, env);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            text(&o.stderr).contains("cannot place the guest space"),
            "{}",
            text(&o.stderr)
        );
    }
}

#[test]
fn help_and_version() {
    for h in ["-h", "-help", "--help", "--h"] {
        let o = emu(&[h]);
        assert!(o.status.success(), "{h}");
        let out = text(&o.stdout);
        for var in [
            "QEMU_LD_PREFIX",
            "QEMU_STACK_SIZE",
            "QEMU_RAND_SEED",
            "E2K_EMU_NO_JIT",
        ] {
            assert!(out.contains(var), "{h}: {var}");
        }
    }
    for (args, env) in [
        (&["-version"][..], &[][..]),
        (&["--version"], &[]),
        (&["x"], &[("QEMU_VERSION", "")]),
    ] {
        let o = emu_env(args, env);
        assert!(
            o.status.success() && text(&o.stdout).starts_with("e2k-emu "),
            "{args:?}"
        );
    }
}

/// The kernel's test (binfmt_misc's check_file): each byte masked equals the magic.
fn kernel_matches(magic: &[u8], mask: &[u8], file: &[u8]) -> bool {
    file.len() >= magic.len()
        && magic
            .iter()
            .zip(mask)
            .zip(file)
            .all(|((m, k), b)| b & k == m & k)
}

/// `\xNN` escapes as binfmt_misc decodes them.
fn unescape(s: &str) -> Vec<u8> {
    let mut out = vec![];
    let b = s.as_bytes();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'\\' && b.get(k + 1) == Some(&b'x') {
            out.push(u8::from_str_radix(&s[k + 2..k + 4], 16).unwrap());
            k += 4;
        } else {
            out.push(b[k]);
            k += 1;
        }
    }
    out
}

/// A 20-byte ELF header start: class, data, e_type, e_machine (in the header's byte order).
/// Fields per the System V gABI: e_ident[EI_CLASS] at 4 (1 = 32-bit, 2 = 64-bit),
/// e_ident[EI_DATA] at 5 (1 = little, 2 = big-endian), EI_VERSION at 6 (1), e_type at
/// 16 and e_machine at 18 (two bytes each).
fn elf_head(class: u8, data: u8, e_type: u16, machine: u16) -> Vec<u8> {
    let mut h = vec![0x7f, b'E', b'L', b'F', class, data, 1];
    h.resize(16, 0);
    let (t, m) = if data == 2 {
        (e_type.to_be_bytes(), machine.to_be_bytes())
    } else {
        (e_type.to_le_bytes(), machine.to_le_bytes())
    };
    h.extend(t);
    h.extend(m);
    h
}

#[test]
fn binfmt_rule_matches_e2k_executables_only() {
    let o = emu(&["--binfmt-rule"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let line = text(&o.stdout);
    let f: Vec<&str> = line.trim_end().split(':').collect();
    // :name:type:offset:magic:mask:interpreter:flags
    assert_eq!(f.len(), 8, "{line}");
    assert_eq!(&f[..4], ["", "e2k", "M", ""]);
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_e2k-emu")).unwrap();
    assert_eq!(f[6], exe.to_str().unwrap());
    assert_eq!(f[7], "PF");
    let (magic, mask) = (unescape(f[4]), unescape(f[5]));
    assert_eq!((magic.len(), mask.len()), (20, 20));
    let check = |file: &[u8]| kernel_matches(&magic, &mask, file);

    // Our assembled programs, static (ET_EXEC), and the same header as ET_DYN.
    for p in [hello(), program("tests/programs/cli/startup.s", true)] {
        let image = std::fs::read(&p).unwrap();
        assert!(check(&image), "{p:?}");
        let mut dyn_ = image[..20].to_vec();
        dyn_[16] = 3;
        assert!(check(&dyn_));
        let o = emu(&["--binfmt-check", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    }
    // The host's own x86-64 executable.
    for host in ["/bin/true", env!("CARGO_BIN_EXE_e2k-emu")] {
        if let Ok(image) = std::fs::read(host) {
            assert!(!check(&image), "{host}");
            assert_eq!(emu(&["--binfmt-check", host]).status.code(), Some(1));
        }
    }
    // Machine numbers from the ELF registry (elf.h): EM_386 3, EM_X86_64 62,
    // EM_AARCH64 183, EM_RISCV 243, EM_MCST_ELBRUS 175.
    assert!(check(&elf_head(2, 1, 2, 175)));
    assert!(check(&elf_head(2, 1, 3, 175)));
    for (what, h) in [
        ("aarch64", elf_head(2, 1, 2, 183)),
        ("riscv64", elf_head(2, 1, 3, 243)),
        ("x86-64", elf_head(2, 1, 2, 62)),
        ("i386", elf_head(1, 1, 2, 3)),
        ("32-bit e2k", elf_head(1, 1, 2, 175)),
        ("big-endian e2k", elf_head(2, 2, 2, 175)),
        ("e2k object file", elf_head(2, 1, 1, 175)),
        ("e2k core file", elf_head(2, 1, 4, 175)),
        ("truncated", elf_head(2, 1, 2, 175)[..19].to_vec()),
    ] {
        assert!(!check(&h), "{what}");
        assert_eq!(e2k_emu::linux::binfmt::matches(&h), check(&h), "{what}");
    }
    // Flags and interpreter.
    let o = emu(&[
        "--binfmt-rule",
        "--binfmt-flags",
        "OCF",
        "--binfmt-path",
        "/usr/bin/e2k-emu",
    ]);
    assert!(
        text(&o.stdout)
            .trim_end()
            .ends_with(":/usr/bin/e2k-emu:OCF"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(
        emu(&["--binfmt-rule", "--binfmt-flags", "Z"]).status.code(),
        Some(1)
    );
    assert_eq!(
        emu(&["--binfmt-rule", "--binfmt-path", "rel/e2k-emu"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        emu(&["--binfmt-check", "/nonexistent"]).status.code(),
        Some(1)
    );
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
