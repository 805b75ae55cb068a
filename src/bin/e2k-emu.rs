//! e2k-emu: runs an E2K (Elbrus) Linux program on this host, with the command line of
//! qemu-user (`qemu-e2k`) so that it can stand in for it (`linux::options`).

use e2k_emu::guest::memory::{perm, GuestMemory, PAGE};
use e2k_emu::linux::binfmt;
use e2k_emu::linux::machine::{Machine, Options, Outcome};
use e2k_emu::linux::options::{self, Action, Settings};
use std::io::Write;
use std::process::ExitCode;

const CPUS: &str = "Available CPU models (ISA version):
  elbrus-v1                 v1
  elbrus-v2, e2c+           v2
  elbrus-v3, e2s            v3
  elbrus-v4, e8c, e1c+      v4
  elbrus-v5, e8c2           v5
  elbrus-v6, e16c, e12c, e2c3  v6
  elbrus-v7, e48c, e8v7     v7";

fn fail(msg: &str) -> ExitCode {
    eprintln!("e2k-emu: {msg}");
    ExitCode::from(1)
}

fn lossy(s: std::ffi::OsString) -> String {
    s.to_string_lossy().into_owned()
}

/// The host's soft stack limit, when finite.
fn host_stack_limit() -> Option<u64> {
    use nix::libc;
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `l` is a writable rlimit.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut l) } == 0;
    (ok && l.rlim_cur != libc::RLIM_INFINITY).then_some(l.rlim_cur)
}

fn auxv(key: nix::libc::c_ulong) -> u64 {
    // SAFETY: getauxval only reads this process's auxiliary vector.
    unsafe { nix::libc::getauxval(key) }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os().map(lossy).collect();
    let env: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| (lossy(k), lossy(v)))
        .collect();
    let defaults = Settings::new(env.clone(), options::default_stack_size(host_stack_limit()));
    let parsed = match options::parse(&argv, &env, defaults.clone()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let s = parsed.settings;
    match &s.action {
        None => {}
        Some(Action::Help) => {
            println!("{}", options::usage(&defaults));
            return ExitCode::SUCCESS;
        }
        Some(Action::Version) => {
            println!(
                "e2k-emu {} (E2K ISA v1-v7, interpreter generated from isa/)",
                env!("CARGO_PKG_VERSION")
            );
            return ExitCode::SUCCESS;
        }
        Some(Action::CpuHelp) => {
            println!("{CPUS}");
            return ExitCode::SUCCESS;
        }
        Some(Action::LogHelp) => {
            println!("{}", options::log_help());
            return ExitCode::SUCCESS;
        }
        Some(Action::BinfmtRule) => {
            let path = match &s.binfmt_path {
                Some(p) => p.clone(),
                None => match std::env::current_exe() {
                    Ok(p) => lossy(p.into_os_string()),
                    Err(e) => return fail(&format!("cannot tell where e2k-emu is: {e}")),
                },
            };
            return match binfmt::rule(&path, &s.binfmt_flags) {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            };
        }
        Some(Action::BinfmtCheck(f)) => {
            let mut head = Vec::with_capacity(binfmt::MAGIC.len());
            let read = std::fs::File::open(f).and_then(|file| {
                use std::io::Read;
                file.take(binfmt::MAGIC.len() as u64).read_to_end(&mut head)
            });
            if let Err(e) = read {
                return fail(&format!("{f}: {e}"));
            }
            let ok = binfmt::matches(&head);
            println!(
                "{f}: {}",
                if ok {
                    "matches the e2k rule"
                } else {
                    "does not match the e2k rule"
                }
            );
            return ExitCode::from(if ok { 0 } else { 1 });
        }
    }
    let Some(program) = parsed.program else {
        return fail("no program given; -h lists the options");
    };
    run(s, program, parsed.args)
}

fn run(s: Settings, program: String, args: Vec<String>) -> ExitCode {
    // binfmt_misc's P flag puts the name the program was run by after its path; the
    // kernel says so in AT_FLAGS (Linux 5.12 and later), as qemu-user reads it.
    let preserve_argv0 = auxv(nix::libc::AT_FLAGS) & 1 != 0;
    // With the O or C flag the kernel passes the program open, as AT_EXECFD.
    let execfd = auxv(nix::libc::AT_EXECFD) as i32;
    let image = if execfd > 0 {
        use std::io::Read;
        use std::os::fd::FromRawFd;
        // SAFETY: the kernel opened this descriptor for us and nothing else owns it.
        let mut f = unsafe { std::fs::File::from_raw_fd(execfd) };
        let mut b = vec![];
        f.read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(&program)
    };
    let image = match image {
        Ok(b) => b,
        Err(e) => return fail(&format!("{program}: {e}")),
    };
    let log_fd = match &s.log_file {
        None => None,
        Some(pattern) => {
            let name = match options::log_file_name(pattern, std::process::id()) {
                Ok(n) => n,
                Err(e) => return fail(&format!("-D {pattern}: {e}")),
            };
            match std::fs::File::create(&name) {
                Ok(file) => {
                    use std::os::fd::AsRawFd;
                    let fd = file.as_raw_fd();
                    e2k_emu::linux::log::to_file(file);
                    Some(fd)
                }
                Err(e) => return fail(&format!("-D {name}: {e}")),
            }
        }
    };
    let opts = Options {
        args: options::guest_argv(&program, &args, s.argv0.as_deref(), preserve_argv0),
        env: s.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        exe_path: program.clone(),
        iset: s.iset,
        strace: s.strace(),
        log: s.log.flags,
        sysroot: s.sysroot.clone(),
        jit: s.use_jit(),
        jit_threshold: s.jit_threshold,
        stack_size: s.stack_size,
        guest_space: s.guest_space,
        random_seed: s.seed,
        uname_release: s.uname_release.clone(),
    };
    let mut m = match Machine::new(&image, opts) {
        Ok(m) => m,
        Err(e) => return fail(&format!("{program}: {e}")),
    };
    drop(image);
    m.kernel.own_fds.extend(log_fd);
    if s.log.page {
        let _ = write!(m.log_out, "{}", page_layout(&m));
    }
    let outcome = match s.gdb {
        Some(port) => match e2k_emu::linux::gdb::serve(&mut m, port) {
            Ok(o) => o,
            Err(e) => return fail(&e),
        },
        None => m.run(),
    };
    if s.log.flags.jit {
        let line = match &m.jit {
            Some(j) => format!("{}", j.stats),
            None => "jit: off".to_string(),
        };
        let _ = writeln!(
            m.log_out,
            "{line}; {} wide instructions executed",
            m.cpu.executed
        );
        if let Some(top) = m.interpreted_summary(12) {
            let _ = writeln!(m.log_out, "jit: interpreted most often: {top}");
        }
    }
    let _ = m.log_out.flush();
    if let Outcome::Killed { report, .. } = &outcome {
        if !report.is_empty() {
            eprintln!("e2k-emu: {report}");
        }
    }
    ExitCode::from(outcome.status() as u8)
}

/// `-d page`: the mapped guest pages as qemu-user lists them once the program is
/// loaded (start, end, size, permissions), where guest address 0 is in the host, and
/// where the program starts.
fn page_layout(m: &Machine) -> String {
    let mem: &GuestMemory = &m.mem;
    let mut t = format!(
        "guest_base  {:#x}\npage layout changed following binary load\n{:<16} {:<16} {:<16} prot\n",
        mem.host_base() as usize,
        "start",
        "end",
        "size"
    );
    let keep = perm::MAPPED | perm::READ | perm::WRITE | perm::EXEC;
    let mut region: Option<(u64, u8)> = None;
    let mut line = |start: u64, end: u64, p: u8| {
        let f = |bit, c| if p & bit != 0 { c } else { '-' };
        t += &format!(
            "{start:016x}-{end:016x} {:016x} {}{}{}\n",
            end - start,
            f(perm::READ, 'r'),
            f(perm::WRITE, 'w'),
            f(perm::EXEC, 'x')
        );
    };
    let mut addr = 0;
    while addr < mem.size() {
        let p = mem.page_perm(addr) & keep;
        match region {
            Some((_, q)) if q == p => {}
            _ => {
                if let Some((start, q)) = region.take() {
                    line(start, addr, q);
                }
                if p & perm::MAPPED != 0 {
                    region = Some((addr, p));
                }
            }
        }
        addr += PAGE;
    }
    if let Some((start, q)) = region {
        line(start, addr, q);
    }
    t += &format!(
        "start_stack {:#x}\nbrk         {:#x}\nentry       {:#x}\n",
        m.cpu.stack.sp,
        m.kernel.mm().brk,
        m.cpu.ip
    );
    t
}
