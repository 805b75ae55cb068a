//! lcc-compiled E2K benchmarks (the anybench statics) under e2k-emu, and under
//! qemu-e2k beside them: `E2K_LCC_DIR=dir [E2K_QEMU=qemu-e2k] cargo bench --bench lcc`.
//! Each program runs in a scratch directory (they write result files there) with a
//! newline on stdin; the bench prints the program's own figure, its peak RSS and the
//! wall time. `E2K_LCC_NO_JIT=1` adds a run under the interpreter; `E2K_LCC_ONLY=name`
//! runs one program; `E2K_LCC_DUMP=1` prints the output of a run whose figure is not
//! found.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A program, the figure it reports (the text around it in its output: the number
/// after `after` on the last line holding `line`) and the figure's unit.
struct Bench {
    name: &'static str,
    line: &'static str,
    after: &'static str,
    unit: &'static str,
}

const BENCHES: [Bench; 6] = [
    Bench {
        name: "dhrystone",
        line: "Dhrystones per Second",
        after: "Second",
        unit: "Dhrystones/s",
    },
    Bench {
        name: "linpack",
        line: "Mflops",
        after: "",
        unit: "MFLOPS",
    },
    Bench {
        name: "whetstone",
        line: "MWIPS",
        after: "MWIPS",
        unit: "MWIPS",
    },
    Bench {
        name: "lloops",
        // The overall figure (after those of the three parts).
        line: "Geometric Mean",
        after: "Mean",
        unit: "MFLOPS",
    },
    Bench {
        name: "memspeed",
        line: "",
        after: "",
        unit: "MB/s",
    },
    Bench {
        name: "busspeedIL",
        line: "",
        after: "",
        unit: "MB/s",
    },
];

const SUFFIX: &str = "_e2k-elbrus-v4_ffast_O1";

/// What one run gave: its output (stdout and any files it wrote), peak RSS in KiB,
/// wall seconds and whether it exited (rather than being killed).
struct Run {
    out: String,
    rss_kib: i64,
    wall: f64,
    ok: bool,
    /// How it ended (when killed by a signal).
    status: String,
}

fn run(cmd: &[&Path], prog: &Path) -> Result<Run, String> {
    let dir = std::env::temp_dir().join(format!(
        "e2k-emu-lcc-{}-{}",
        std::process::id(),
        prog.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (first, rest) = cmd.split_first().ok_or("no command")?;
    let t = Instant::now();
    let mut child = Command::new(first)
        .args(rest)
        .arg(prog)
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", first.display()))?;
    // Several of them wait for a key press before they exit.
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(b"\n\n\n");
    }
    let pid = child.id() as libc::pid_t;
    let (out_h, err_h) = (child.stdout.take(), child.stderr.take());
    let reader = |h: Option<std::process::ChildStdout>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut h) = h {
                let mut v = vec![];
                let _ = std::io::Read::read_to_end(&mut h, &mut v);
                s = String::from_utf8_lossy(&v).into_owned();
            }
            s
        })
    };
    let out_t = reader(out_h);
    let err_t = std::thread::spawn(move || {
        let mut v = vec![];
        if let Some(mut h) = err_h {
            let _ = std::io::Read::read_to_end(&mut h, &mut v);
        }
        String::from_utf8_lossy(&v).into_owned()
    });
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which `Child` has not reaped.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let wall = t.elapsed().as_secs_f64();
    if r != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let mut out = out_t.join().unwrap_or_default();
    let err = err_t.join().unwrap_or_default();
    // Files the program wrote (the benchmarks log their results to text files).
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if let Ok(s) = std::fs::read(&f) {
                out.push('\n');
                out.push_str(&String::from_utf8_lossy(&s));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Their exit status is whatever `main` left (they do not return 0).
    let ok = libc::WIFEXITED(status);
    let how = if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else {
        format!("signal {}", libc::WTERMSIG(status))
    };
    if !ok {
        out.push_str(&err);
    }
    Ok(Run {
        out,
        rss_kib: ru.ru_maxrss,
        wall,
        ok,
        status: how,
    })
}

/// The first number in `s`.
fn number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let t = &s[start..];
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    t[..end].parse().ok()
}

/// The benchmark's own figure in its output. For the memory benchmarks (a table of
/// MB/s by block size: rows of numbers, the first the size in KiB), the largest
/// MB/s figure in it.
fn figure(b: &Bench, out: &str) -> Option<f64> {
    if b.line.is_empty() {
        return out
            .lines()
            .filter_map(|l| {
                let v: Option<Vec<f64>> = l.split_whitespace().map(|w| w.parse().ok()).collect();
                v.filter(|v| v.len() >= 3)
            })
            .flat_map(|row| row.into_iter().skip(1))
            .filter(|v| v.is_finite())
            .reduce(f64::max);
    }
    let l = out.lines().rfind(|l| l.contains(b.line))?;
    if b.after.is_empty() {
        // "<number> MFLOPS": the number before the unit.
        let before = &l[..l.find(b.line)?];
        let w = before.split_whitespace().last()?;
        return w.parse().ok();
    }
    number(&l[l.find(b.after)? + b.after.len()..])
}

fn describe(b: &Bench, r: &Result<Run, String>) -> (String, Option<f64>) {
    match r {
        Ok(r) if r.ok => match figure(b, &r.out) {
            Some(v) => (
                format!(
                    "{v:>14.2} {:<13} {:>8.1} MiB {:>8.2} s",
                    b.unit,
                    r.rss_kib as f64 / 1024.0,
                    r.wall
                ),
                Some(v),
            ),
            None => {
                if std::env::var_os("E2K_LCC_DUMP").is_some() {
                    eprintln!("{}", r.out);
                }
                (format!("no figure in its output ({:.2} s)", r.wall), None)
            }
        },
        Ok(r) => {
            let last = r.out.lines().rev().find(|l| !l.trim().is_empty());
            (
                format!(
                    "failed ({}): {}",
                    r.status,
                    last.unwrap_or("no output").trim()
                ),
                None,
            )
        }
        Err(e) => (format!("failed: {e}"), None),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let Some(dir) = std::env::var_os("E2K_LCC_DIR") else {
        println!("E2K_LCC_DIR is not set: no lcc benchmarks to run (set it to a directory of the anybench *{SUFFIX} programs)");
        return;
    };
    let dir = PathBuf::from(dir);
    let emu = PathBuf::from(env!("CARGO_BIN_EXE_e2k-emu"));
    let qemu = std::env::var_os("E2K_QEMU").map(PathBuf::from);
    let no_jit = std::env::var_os("E2K_LCC_NO_JIT").is_some();
    let only = std::env::var("E2K_LCC_ONLY").ok();
    let nj = PathBuf::from("-no-jit");
    for b in &BENCHES {
        if only.as_deref().is_some_and(|o| o != b.name) {
            continue;
        }
        let prog = dir.join(format!("{}{SUFFIX}", b.name));
        if !prog.is_file() {
            println!("{:<11} {}: not found", b.name, prog.display());
            continue;
        }
        let jit = run(&[&emu], &prog);
        let (text, fj) = describe(b, &jit);
        println!("{:<11} e2k-emu     {text}", b.name);
        if no_jit {
            let (text, _) = describe(b, &run(&[&emu, &nj], &prog));
            println!("{:<11} e2k-emu -no-jit {text}", "");
        }
        if let Some(q) = &qemu {
            let (text, fq) = describe(b, &run(&[q], &prog));
            println!("{:<11} qemu-e2k    {text}", "");
            if let (Some(j), Some(q)) = (fj, fq) {
                if q > 0.0 {
                    println!("{:<11} e2k-emu/qemu-e2k {:.2}x", "", j / q);
                }
            }
        }
    }
}
