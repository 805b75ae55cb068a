//! The e2k-emu command line, that of qemu-user (linux-user/main.c) so that e2k-emu can
//! stand in for `qemu-e2k`: options are written `-opt` or `--opt`, the first argument
//! that is not an option is the program (the rest are its arguments), `--` ends the
//! options, and every option has an environment variable, read first, which the
//! command line overrides. One table gives the parser, the variables and `-h`.
//! (clap cannot parse single-dash long options: clap-rs/clap#1210.)

use crate::isa::version::Iset;
use crate::linux::machine::{LogFlags, DEFAULT_JIT_THRESHOLD, GUEST_SPACE, STACK_SIZE};
use std::path::PathBuf;

/// Something to do instead of running a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Help,
    Version,
    CpuHelp,
    LogHelp,
    BinfmtRule,
    BinfmtCheck(String),
}

/// What `-d` turns on (each `-d` replaces the previous one, as in qemu).
#[derive(Clone, Copy, Debug, Default)]
pub struct LogItems {
    pub flags: LogFlags,
    /// The guest's page layout once it is loaded.
    pub page: bool,
    pub strace: bool,
}

/// Everything the command line and the environment say.
#[derive(Clone, Debug)]
pub struct Settings {
    pub sysroot: Option<PathBuf>,
    pub stack_size: u64,
    /// `-cpu`, checked once everything is read (as qemu does, so that the command
    /// line can replace a bad QEMU_CPU).
    pub cpu: Option<String>,
    pub iset: Option<Iset>,
    /// The guest's environment, in order.
    pub env: Vec<(String, String)>,
    pub argv0: Option<String>,
    pub uname_release: Option<String>,
    pub guest_space: u64,
    pub log: LogItems,
    pub log_file: Option<String>,
    pub gdb: Option<u16>,
    /// `-strace` (also `-d strace`: see `strace()`).
    pub strace_opt: bool,
    pub one_insn_per_tb: bool,
    pub seed: Option<u64>,
    pub jit: bool,
    pub jit_threshold: u32,
    pub binfmt_rule: bool,
    pub binfmt_flags: String,
    pub binfmt_path: Option<String>,
    pub action: Option<Action>,
}

impl Settings {
    /// The defaults, with the host environment as the guest's and a stack of
    /// `stack_size` bytes.
    pub fn new(env: Vec<(String, String)>, stack_size: u64) -> Settings {
        Settings {
            sysroot: None,
            stack_size,
            cpu: None,
            iset: None,
            env,
            argv0: None,
            uname_release: None,
            guest_space: GUEST_SPACE,
            log: LogItems::default(),
            log_file: None,
            gdb: None,
            strace_opt: false,
            one_insn_per_tb: false,
            seed: None,
            jit: true,
            jit_threshold: DEFAULT_JIT_THRESHOLD,
            binfmt_rule: false,
            binfmt_flags: crate::linux::binfmt::DEFAULT_FLAGS.to_string(),
            binfmt_path: None,
            action: None,
        }
    }

    pub fn strace(&self) -> bool {
        self.strace_opt || self.log.strace
    }

    /// The engine to run: `-one-insn-per-tb` means the interpreter, which executes
    /// one wide instruction at a time.
    pub fn use_jit(&self) -> bool {
        self.jit && !self.one_insn_per_tb
    }
}

/// qemu's default stack size; the host's soft RLIMIT_STACK when that is larger and
/// finite (as qemu-user chooses it).
pub fn default_stack_size(host_soft_limit: Option<u64>) -> u64 {
    match host_soft_limit {
        Some(l) if l > STACK_SIZE && l <= MAX_STACK => l.div_ceil(PAGE) * PAGE,
        _ => STACK_SIZE,
    }
}

const PAGE: u64 = crate::guest::memory::PAGE;
/// The largest guest address space: the emulator keeps a byte per guest page.
pub const MAX_GUEST_SPACE: u64 = 1 << 40;
const MAX_STACK: u64 = 1 << 36;

/// One option: its name (after `-` or `--`), its environment variable, what its value
/// is called in `-h` (empty: it takes none), its help and what it sets.
struct Opt {
    name: &'static str,
    env: &'static str,
    value: &'static str,
    help: &'static str,
    set: fn(&mut Settings, &str) -> Result<(), String>,
}

const fn opt(
    name: &'static str,
    env: &'static str,
    value: &'static str,
    help: &'static str,
    set: fn(&mut Settings, &str) -> Result<(), String>,
) -> Opt {
    Opt {
        name,
        env,
        value,
        help,
        set,
    }
}

fn act(s: &mut Settings, a: Action) -> Result<(), String> {
    s.action = Some(a);
    Ok(())
}

/// Every option, in the order `-h` lists them (qemu's order, then e2k-emu's own).
static OPTIONS: &[Opt] = &[
    opt("h", "", "", "print this help and exit", |s, _| {
        act(s, Action::Help)
    }),
    opt("help", "", "", "", |s, _| act(s, Action::Help)),
    opt(
        "version",
        "QEMU_VERSION",
        "",
        "print the version and exit",
        |s, _| act(s, Action::Version),
    ),
    opt(
        "g",
        "QEMU_GDB",
        "port",
        "wait for gdb to connect on TCP 'port'",
        |s, v| {
            s.gdb = Some(v.parse().map_err(|_| "expected a TCP port number")?);
            Ok(())
        },
    ),
    opt(
        "L",
        "QEMU_LD_PREFIX",
        "path",
        "look up absolute paths the program opens under 'path' first",
        |s, v| {
            s.sysroot = Some(PathBuf::from(v));
            Ok(())
        },
    ),
    opt(
        "s",
        "QEMU_STACK_SIZE",
        "size",
        "set the stack size to 'size' bytes (suffixes k, M, G)",
        |s, v| {
            let n = size(v)?;
            if n == 0 || n > MAX_STACK {
                return Err("expected a size from 4k to 64G".into());
            }
            s.stack_size = n.div_ceil(PAGE) * PAGE;
            Ok(())
        },
    ),
    opt(
        "cpu",
        "QEMU_CPU",
        "model",
        "CPU model or ISA version (-cpu help lists them); default: from the ELF header",
        |s, v| {
            if v == "help" || v == "?" {
                return act(s, Action::CpuHelp);
            }
            s.cpu = Some(v.to_string());
            Ok(())
        },
    ),
    opt(
        "E",
        "QEMU_SET_ENV",
        "var=value",
        "set variables in the program's environment (comma separated)",
        |s, v| {
            for kv in v.split(',') {
                let (k, val) = kv
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| format!("`{kv}`: expected VAR=VALUE"))?;
                s.env.retain(|(n, _)| n != k);
                s.env.push((k.to_string(), val.to_string()));
            }
            Ok(())
        },
    ),
    opt(
        "U",
        "QEMU_UNSET_ENV",
        "var",
        "remove variables from the program's environment (comma separated)",
        |s, v| {
            for k in v.split(',') {
                if k.is_empty() || k.contains('=') {
                    return Err(format!("`{k}`: expected a variable name"));
                }
                s.env.retain(|(n, _)| n != k);
            }
            Ok(())
        },
    ),
    opt(
        "0",
        "QEMU_ARGV0",
        "argv0",
        "pass 'argv0' as the program's argv[0]",
        |s, v| {
            s.argv0 = Some(v.to_string());
            Ok(())
        },
    ),
    opt(
        "r",
        "QEMU_UNAME",
        "uname",
        "set the release uname reports to 'uname'",
        |s, v| {
            if v.len() > 64 {
                return Err("at most 64 bytes".into());
            }
            s.uname_release = Some(v.to_string());
            Ok(())
        },
    ),
    opt(
        "B",
        "QEMU_GUEST_BASE",
        "address",
        "not supported: the guest space is placed by the host kernel",
        |_, v| {
            number(v)?;
            Err(
                "cannot place the guest space: it is one host reservation wherever the \
                 host kernel puts it (guest address 0 at its start; -d page prints it)"
                    .into(),
            )
        },
    ),
    opt(
        "R",
        "QEMU_RESERVED_VA",
        "size",
        "size of the guest address space (default 64G, at most 1T)",
        |s, v| {
            let n = size(v)?;
            if n > MAX_GUEST_SPACE {
                return Err("at most 1T (the emulator keeps a byte per guest page)".into());
            }
            // 0 asks for the default, as in qemu.
            s.guest_space = if n == 0 {
                GUEST_SPACE
            } else {
                n.div_ceil(PAGE) * PAGE
            };
            Ok(())
        },
    ),
    opt(
        "d",
        "QEMU_LOG",
        "item[,...]",
        "log the items named (-d help lists them)",
        |s, v| {
            match log_items(v)? {
                Some(l) => s.log = l,
                None => s.action = Some(Action::LogHelp),
            }
            Ok(())
        },
    ),
    opt(
        "D",
        "QEMU_LOG_FILENAME",
        "logfile",
        "write the log to 'logfile' (%d: the process id) instead of standard error",
        |s, v| {
            log_file_name(v, 0)?;
            s.log_file = Some(v.to_string());
            Ok(())
        },
    ),
    opt(
        "p",
        "QEMU_PAGESIZE",
        "pagesize",
        "the page size, which can only be 4096",
        |_, v| match v.parse::<u64>() {
            Ok(PAGE) => Ok(()),
            _ => Err(format!("the page size is {PAGE} and cannot be changed")),
        },
    ),
    opt(
        "one-insn-per-tb",
        "QEMU_ONE_INSN_PER_TB",
        "",
        "run one wide instruction at a time: the interpreter, no JIT",
        |s, _| {
            s.one_insn_per_tb = true;
            Ok(())
        },
    ),
    opt(
        "singlestep",
        "QEMU_SINGLESTEP",
        "",
        "the same as -one-insn-per-tb",
        |s, _| {
            s.one_insn_per_tb = true;
            Ok(())
        },
    ),
    opt("strace", "QEMU_STRACE", "", "log system calls", |s, _| {
        s.strace_opt = true;
        Ok(())
    }),
    opt(
        "seed",
        "QEMU_RAND_SEED",
        "seed",
        "make AT_RANDOM and getrandom reproducible from 'seed'",
        |s, v| {
            s.seed = Some(number(v)?);
            Ok(())
        },
    ),
    opt(
        "no-jit",
        "E2K_EMU_NO_JIT",
        "",
        "interpret everything (the reference engine)",
        |s, _| {
            s.jit = false;
            Ok(())
        },
    ),
    opt(
        "jit-threshold",
        "E2K_EMU_JIT_THRESHOLD",
        "n",
        "runs of a block before it is compiled (default 50)",
        |s, v| {
            s.jit_threshold = v.parse().map_err(|_| "expected a number")?;
            Ok(())
        },
    ),
    opt(
        "binfmt-rule",
        "",
        "",
        "print the binfmt_misc registration line for E2K programs and exit",
        |s, _| {
            s.binfmt_rule = true;
            Ok(())
        },
    ),
    opt(
        "binfmt-flags",
        "",
        "flags",
        "the rule's flags (default PF; letters P, O, C, F)",
        |s, v| {
            crate::linux::binfmt::check_flags(v)?;
            s.binfmt_flags = v.to_string();
            Ok(())
        },
    ),
    opt(
        "binfmt-path",
        "",
        "path",
        "the rule's interpreter (default: this e2k-emu)",
        |s, v| {
            s.binfmt_path = Some(v.to_string());
            Ok(())
        },
    ),
    opt(
        "binfmt-check",
        "",
        "file",
        "tell whether 'file' matches the rule (exit status 0) or not (1)",
        |s, v| act(s, Action::BinfmtCheck(v.to_string())),
    ),
];

/// The `-d` items: name and what it logs.
pub const LOG_ITEMS: &[(&str, &str)] = &[
    (
        "in_asm",
        "each wide instruction as decoded, when first executed",
    ),
    ("out_asm", "the host code of each JIT translation"),
    (
        "exec",
        "the address of each executed wide instruction (turns the JIT off)",
    ),
    (
        "cpu",
        "the registers after each wide instruction (turns the JIT off)",
    ),
    ("jit", "JIT statistics at exit"),
    (
        "nochain",
        "translations do not go on into one another: every exit through the dispatcher",
    ),
    (
        "nohostfault",
        "compiled code checks guest accesses against the page table, not host faults",
    ),
    ("page", "the page layout once the program is loaded"),
    ("strace", "system calls, as -strace"),
    (
        "unimp",
        "system calls answered with ENOSYS, operations e2k-emu lacks",
    ),
    (
        "guest_errors",
        "each fault the program takes, handled or not",
    ),
    ("all", "all of the above"),
];

/// The items of a `-d` list; `None` for `help`.
fn log_items(v: &str) -> Result<Option<LogItems>, String> {
    let mut l = LogItems::default();
    for item in v.split(',') {
        let f = &mut l.flags;
        match item {
            "help" => return Ok(None),
            "in_asm" => f.in_asm = true,
            "out_asm" => f.out_asm = true,
            "exec" => f.exec = true,
            "cpu" => f.cpu = true,
            "jit" => f.jit = true,
            "nochain" => f.nochain = true,
            "nohostfault" => f.nohostfault = true,
            "page" => l.page = true,
            "strace" => l.strace = true,
            "unimp" => f.unimp = true,
            "guest_errors" => f.guest_errors = true,
            "all" => {
                *f = LogFlags {
                    in_asm: true,
                    exec: true,
                    cpu: true,
                    out_asm: true,
                    jit: true,
                    unimp: true,
                    guest_errors: true,
                    nochain: true,
                    nohostfault: false,
                };
                l.page = true;
                l.strace = true;
            }
            other => return Err(format!("unknown log item `{other}`; -d help lists them")),
        }
    }
    Ok(Some(l))
}

/// A number as C's strtoull with base 0 reads it (decimal, 0x hex, 0 octal).
fn number(v: &str) -> Result<u64, String> {
    let r = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u64::from_str_radix(h, 16)
    } else if v.len() > 1 && v.starts_with('0') {
        u64::from_str_radix(&v[1..], 8)
    } else {
        v.parse()
    };
    r.map_err(|_| "expected a number".into())
}

/// A size: a number with an optional k, M or G suffix.
fn size(v: &str) -> Result<u64, String> {
    let (n, shift) = match v.as_bytes().last() {
        Some(b'k' | b'K') => (&v[..v.len() - 1], 10),
        Some(b'M') => (&v[..v.len() - 1], 20),
        Some(b'G') => (&v[..v.len() - 1], 30),
        _ => (v, 0),
    };
    let n = number(n).map_err(|_| "expected a size such as 8M".to_string())?;
    n.checked_mul(1 << shift).ok_or_else(|| "too large".into())
}

/// The log file for process `pid`: `%d` in the name stands for it (once at most).
pub fn log_file_name(pattern: &str, pid: u32) -> Result<String, String> {
    match pattern.matches('%').count() {
        0 => Ok(pattern.to_string()),
        1 if pattern.contains("%d") => Ok(pattern.replacen("%d", &pid.to_string(), 1)),
        _ => Err("the name may hold one %d (the process id) and no other %".into()),
    }
}

/// The command line split up: settings, the program and its arguments.
#[derive(Debug)]
pub struct Parsed {
    pub settings: Settings,
    pub program: Option<String>,
    pub args: Vec<String>,
}

/// Reads the environment variables of `env` (in table order), then the options of
/// `argv` (after argv[0]); stops at the first action, as qemu does.
pub fn parse(argv: &[String], env: &[(String, String)], mut s: Settings) -> Result<Parsed, String> {
    let done = |s: Settings| Parsed {
        settings: s,
        program: None,
        args: vec![],
    };
    for o in OPTIONS.iter().filter(|o| !o.env.is_empty()) {
        if let Some((_, v)) = env.iter().rev().find(|(k, _)| k == o.env) {
            (o.set)(&mut s, v).map_err(|e| format!("{}={v}: {e}", o.env))?;
            if s.action.is_some() {
                return Ok(done(s));
            }
        }
    }
    let mut k = 1;
    while k < argv.len() {
        let a = &argv[k];
        if !a.starts_with('-') || a == "-" {
            break;
        }
        k += 1;
        if a == "--" {
            break;
        }
        let name = a.strip_prefix("--").unwrap_or(&a[1..]);
        let o = OPTIONS
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| format!("unknown option '{a}'; -h lists the options"))?;
        let v = if o.value.is_empty() {
            ""
        } else {
            let v = argv
                .get(k)
                .ok_or_else(|| format!("missing argument for option '{a}'"))?;
            k += 1;
            v
        };
        (o.set)(&mut s, v).map_err(|e| {
            if v.is_empty() {
                format!("{a}: {e}")
            } else {
                format!("{a} {v}: {e}")
            }
        })?;
        if s.action.is_some() {
            return Ok(done(s));
        }
    }
    if s.binfmt_rule {
        s.action = Some(Action::BinfmtRule);
        return Ok(done(s));
    }
    if let Some(m) = &s.cpu {
        s.iset = Some(
            m.parse::<Iset>()
                .map_err(|e| format!("-cpu {m}: {e}; -cpu help lists the models"))?,
        );
    }
    let program = argv.get(k).cloned();
    if program.is_none() {
        return Err("no program given; -h lists the options".into());
    }
    Ok(Parsed {
        settings: s,
        program,
        args: argv[k + 1..].to_vec(),
    })
}

/// The program's argv. With binfmt_misc's P flag (`preserve_argv0`, which the kernel
/// reports in AT_FLAGS) the command line is `e2k-emu PATH ARGV0 ARGS...`: ARGV0 is
/// the name the program was run by and PATH only where to find it, as qemu reads it.
/// `-0` replaces argv[0] either way.
pub fn guest_argv(
    program: &str,
    args: &[String],
    argv0: Option<&str>,
    preserve_argv0: bool,
) -> Vec<String> {
    let mut v: Vec<String> = if preserve_argv0 && !args.is_empty() {
        args.to_vec()
    } else {
        std::iter::once(program.to_string())
            .chain(args.iter().cloned())
            .collect()
    };
    if let Some(a) = argv0 {
        v[0] = a.to_string();
    }
    v
}

/// `-h`: usage, the options with their variables, the defaults.
pub fn usage(defaults: &Settings) -> String {
    let arg = |o: &Opt| {
        if o.value.is_empty() {
            format!("-{}", o.name)
        } else {
            format!("-{} {}", o.name, o.value)
        }
    };
    let wa = OPTIONS
        .iter()
        .map(|o| arg(o).len())
        .max()
        .unwrap_or(0)
        .max(8);
    let we = OPTIONS
        .iter()
        .map(|o| o.env.len())
        .max()
        .unwrap_or(0)
        .max(12);
    let mut t = String::from(
        "usage: e2k-emu [options] program [arguments...]\n\
         Runs an E2K (Elbrus 2000) Linux program on this host, as qemu-e2k does.\n\n\
         Options and associated environment variables (options may also be written\n\
         with two dashes; the command line overrides the environment; -- ends the\n\
         options; a variable of an option without a value turns it on when set):\n\n",
    );
    t += &format!("{:wa$} {:we$} Description\n", "Argument", "Env-variable");
    for o in OPTIONS {
        t += format!("{:wa$} {:we$} {}", arg(o), o.env, o.help).trim_end();
        t.push('\n');
    }
    t += &format!(
        "\nDefaults:\nQEMU_LD_PREFIX   = (none)\nQEMU_STACK_SIZE  = {} byte\nQEMU_RESERVED_VA = {} byte\n",
        defaults.stack_size, defaults.guest_space
    );
    t += "\n\
         -E and -U (or QEMU_SET_ENV and QEMU_UNSET_ENV) change the environment the\n\
         program starts with, which is e2k-emu's own otherwise. Each takes a comma\n\
         separated list and may be given several times; the last change of a variable\n\
         wins. These are equivalent:\n    \
             -E A=1 -E B=2 -U LD_PRELOAD -U LD_DEBUG\n    \
             -E A=1,B=2 -U LD_PRELOAD,LD_DEBUG\n    \
             QEMU_SET_ENV=A=1,B=2 QEMU_UNSET_ENV=LD_PRELOAD,LD_DEBUG\n\n\
         The program's exit status becomes e2k-emu's; a program killed by a signal\n\
         makes e2k-emu exit with 128 + the signal number, as a shell reports it.";
    t
}

/// `-d help`.
pub fn log_help() -> String {
    let mut t = String::from("Log items (comma separated):\n");
    for (n, h) in LOG_ITEMS {
        t += &format!("{n:<13}{h}\n");
    }
    t.pop();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Parsed, String> {
        let argv: Vec<String> = std::iter::once("e2k-emu")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(&argv, &env, Settings::new(env.clone(), STACK_SIZE))
    }

    #[test]
    fn one_or_two_dashes_and_the_end_of_options() {
        let p = run(&["--strace", "-s", "1M", "--", "-prog", "-x"], &[]).unwrap();
        assert!(p.settings.strace());
        assert_eq!(p.settings.stack_size, 1 << 20);
        assert_eq!(p.program.as_deref(), Some("-prog"));
        assert_eq!(p.args, vec!["-x".to_string()]);
        // Options after the program belong to it.
        let p = run(&["prog", "-strace"], &[]).unwrap();
        assert!(!p.settings.strace());
        assert_eq!(p.args, vec!["-strace".to_string()]);
    }

    #[test]
    fn the_command_line_overrides_the_environment() {
        let p = run(&["-s", "2M", "p"], &[("QEMU_STACK_SIZE", "1M")]).unwrap();
        assert_eq!(p.settings.stack_size, 2 << 20);
        let p = run(&["p"], &[("QEMU_STACK_SIZE", "0x100000")]).unwrap();
        assert_eq!(p.settings.stack_size, 1 << 20);
        let p = run(&["-d", "in_asm", "p"], &[("QEMU_LOG", "exec,page")]).unwrap();
        assert!(p.settings.log.flags.in_asm && !p.settings.log.flags.exec && !p.settings.log.page);
        // A flag's variable turns it on whatever its value, as in qemu.
        let p = run(&["p"], &[("QEMU_STRACE", "")]).unwrap();
        assert!(p.settings.strace());
    }

    #[test]
    fn environment_edits() {
        let p = run(
            &["-E", "A=1,B=2", "-U", "C", "-E", "A=3", "p"],
            &[("C", "x"), ("QEMU_UNSET_ENV", "D"), ("D", "y")],
        )
        .unwrap();
        let env = &p.settings.env;
        assert!(env.contains(&("A".into(), "3".into())) && env.contains(&("B".into(), "2".into())));
        assert!(!env.iter().any(|(k, _)| k == "C" || k == "D"));
        assert!(run(&["-E", "A=1,novalue", "p"], &[]).is_err());
        assert!(run(&["-U", "A=1", "p"], &[]).is_err());
    }

    #[test]
    fn values_and_refusals() {
        assert_eq!(size("4k").unwrap(), 4096);
        assert_eq!(size("3G").unwrap(), 3 << 30);
        assert_eq!(size("010").unwrap(), 8);
        assert!(size("8X").is_err() && size("").is_err());
        assert!(run(&["-bogus", "p"], &[])
            .unwrap_err()
            .contains("unknown option '-bogus'"));
        assert!(run(&["-trace", "x", "p"], &[]).is_err());
        assert!(run(&["-s"], &[]).unwrap_err().contains("missing argument"));
        assert!(run(&["-p", "65536", "p"], &[]).is_err());
        assert!(run(&["-p", "4096", "p"], &[]).is_ok());
        assert!(run(&["-B", "0x1000", "p"], &[]).is_err());
        assert!(run(&["p"], &[("QEMU_GUEST_BASE", "0")]).is_err());
        assert!(run(&["-R", "2T", "p"], &[]).is_err());
        assert_eq!(
            run(&["-R", "1G", "p"], &[]).unwrap().settings.guest_space,
            1 << 30
        );
        assert_eq!(
            run(&["-R", "0", "p"], &[]).unwrap().settings.guest_space,
            GUEST_SPACE
        );
        assert_eq!(
            run(&["-seed", "0x10", "p"], &[]).unwrap().settings.seed,
            Some(16)
        );
        assert_eq!(
            run(&["-g", "1234", "p"], &[]).unwrap().settings.gdb,
            Some(1234)
        );
        assert!(run(&["-g", "sock", "p"], &[]).is_err());
        assert!(run(&[], &[]).unwrap_err().contains("no program"));
        assert!(run(&["-d", "in_asm,op", "p"], &[]).is_err());
    }

    #[test]
    fn actions_stop_parsing() {
        let p = run(&["-h", "-bogus"], &[]).unwrap();
        assert_eq!(p.settings.action, Some(Action::Help));
        let p = run(&["p"], &[("QEMU_VERSION", "1")]).unwrap();
        assert_eq!(p.settings.action, Some(Action::Version));
        let p = run(&["--binfmt-rule", "--binfmt-flags", "OCF"], &[]).unwrap();
        assert_eq!(p.settings.action, Some(Action::BinfmtRule));
        assert_eq!(p.settings.binfmt_flags, "OCF");
        assert!(run(&["--binfmt-rule", "--binfmt-flags", "X"], &[]).is_err());
    }

    #[test]
    fn argv_with_and_without_preserve_argv0() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            guest_argv("/bin/p", &a(&["x"]), None, false),
            a(&["/bin/p", "x"])
        );
        assert_eq!(
            guest_argv("/bin/p", &a(&["p", "x"]), None, true),
            a(&["p", "x"])
        );
        assert_eq!(
            guest_argv("/bin/p", &a(&["p", "x"]), Some("q"), true),
            a(&["q", "x"])
        );
        assert_eq!(guest_argv("/bin/p", &[], None, true), a(&["/bin/p"]));
    }

    #[test]
    fn log_file_names() {
        assert_eq!(log_file_name("l-%d.txt", 42).unwrap(), "l-42.txt");
        assert!(log_file_name("l-%d-%d", 1).is_err() && log_file_name("%s", 1).is_err());
    }

    #[test]
    fn help_lists_every_option_and_variable() {
        let h = usage(&Settings::new(vec![], STACK_SIZE));
        for o in OPTIONS {
            assert!(
                h.contains(&format!("-{}", o.name)) && h.contains(o.env),
                "{}",
                o.name
            );
        }
        assert_eq!(default_stack_size(Some(16 << 20)), 16 << 20);
        assert_eq!(default_stack_size(Some(1 << 20)), STACK_SIZE);
        assert_eq!(default_stack_size(None), STACK_SIZE);
    }
}
