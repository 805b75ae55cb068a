//! e2k-emu: runs an E2K (Elbrus) Linux program on this host, with the command line of
//! qemu-user (`qemu-e2k`) so that it can stand in for it.

use e2k_emu::isa::version::Iset;
use e2k_emu::linux::machine::{LogFlags, Machine, Options, Outcome};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: e2k-emu [options] PROGRAM [ARGUMENTS...]

Runs an E2K (Elbrus 2000) Linux executable.

Options:
  -h, -help             print this help and exit
  -version              print the version and exit
  -L PATH               look for absolute paths the program opens under PATH first
  -E VAR=VALUE          set an environment variable for the program
  -U VAR                remove an environment variable for the program
  -0 ARGV0              pass ARGV0 as the program's argv[0]
  -cpu MODEL            ISA version or CPU model (v1..v7, elbrus-v5, e8c2, e16c...);
                        `-cpu help` lists them. Default: from the ELF header
  -strace               log every system call with its arguments and result
  -d ITEM[,ITEM...]     log in_asm (wide instructions as decoded), out_asm (host
                        code of each JIT translation), exec (each executed
                        address), cpu (registers after each instruction), jit
                        (translation statistics at exit); exec and cpu turn
                        the JIT off
  -no-jit, --no-jit     interpret everything (the reference engine)
  -jit-threshold N      runs of a block before it is compiled (default 50)
  -D FILE               write the -d log to FILE instead of standard error
  -g PORT               wait for gdb on 127.0.0.1:PORT before the first instruction
                        (0: any free port; the port is announced on standard
                        error); also QEMU_GDB=PORT

The program's exit status becomes e2k-emu's; a program killed by a signal makes
e2k-emu exit with 128 + the signal number, as a shell reports it.";

const CPUS: &str = "Available CPU models (ISA version):
  elbrus-v1                 v1
  elbrus-v2, e2c+           v2
  elbrus-v3, e2s            v3
  elbrus-v4, e8c, e1c+      v4
  elbrus-v5, e8c2           v5
  elbrus-v6, e16c, e12c, e2c3  v6
  elbrus-v7, e48c, e8v7     v7";

struct Cli {
    opts: Options,
    program: String,
    log_file: Option<String>,
    jit_stats: bool,
    gdb_port: Option<u16>,
}

fn gdb_port(v: &str) -> Result<u16, String> {
    v.parse()
        .map_err(|_| format!("-g {v}: expected a TCP port number (0-65535)"))
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("e2k-emu: {msg}");
    ExitCode::from(1)
}

enum Parsed {
    Run(Box<Cli>),
    Done(ExitCode),
}

fn parse(args: Vec<String>) -> Result<Parsed, String> {
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    let mut argv0 = None;
    let mut iset = None;
    let mut strace = false;
    let mut log = LogFlags::default();
    let mut log_file = None;
    let mut sysroot = None;
    let mut jit = true;
    let mut jit_threshold = e2k_emu::linux::machine::DEFAULT_JIT_THRESHOLD;
    let mut jit_stats = false;
    let mut gdb = match std::env::var("QEMU_GDB") {
        Ok(v) => Some(gdb_port(&v).map_err(|e| format!("QEMU_GDB: {e}"))?),
        Err(_) => None,
    };
    let mut it = args.into_iter().skip(1).peekable();
    let program = loop {
        let Some(a) = it.next() else {
            return Err(format!("no program given\n\n{USAGE}"));
        };
        if !a.starts_with('-') || a == "-" {
            break a;
        }
        let opt = a.trim_start_matches('-');
        let mut value = |what: &str| {
            it.next()
                .ok_or_else(|| format!("option -{what} needs a value"))
        };
        match opt {
            "h" | "help" => {
                println!("{USAGE}");
                return Ok(Parsed::Done(ExitCode::SUCCESS));
            }
            "version" => {
                println!(
                    "e2k-emu {} (E2K ISA v1-v7, interpreter generated from isa/)",
                    env!("CARGO_PKG_VERSION")
                );
                return Ok(Parsed::Done(ExitCode::SUCCESS));
            }
            "L" => sysroot = Some(std::path::PathBuf::from(value("L")?)),
            "E" => {
                let kv = value("E")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("-E {kv}: expected VAR=VALUE"))?;
                env.retain(|(n, _)| n != k);
                env.push((k.to_string(), v.to_string()));
            }
            "U" => {
                let k = value("U")?;
                env.retain(|(n, _)| *n != k);
            }
            "0" => argv0 = Some(value("0")?),
            "cpu" => {
                let m = value("cpu")?;
                if m == "help" || m == "?" {
                    println!("{CPUS}");
                    return Ok(Parsed::Done(ExitCode::SUCCESS));
                }
                iset = Some(
                    m.parse::<Iset>()
                        .map_err(|e| format!("-cpu: {e}; `-cpu help` lists the models"))?,
                );
            }
            "strace" => strace = true,
            "no-jit" => jit = false,
            "jit-threshold" => {
                let v = value("jit-threshold")?;
                jit_threshold = v
                    .parse()
                    .map_err(|_| format!("-jit-threshold {v}: expected a number"))?;
            }
            "d" => {
                for item in value("d")?.split(',') {
                    match item {
                        "in_asm" => log.in_asm = true,
                        "exec" => log.exec = true,
                        "cpu" => log.cpu = true,
                        "out_asm" => log.out_asm = true,
                        "jit" => {
                            jit_stats = true;
                            log.jit = true;
                        }
                        "help" => {
                            println!("-d items: in_asm, out_asm, exec, cpu, jit");
                            return Ok(Parsed::Done(ExitCode::SUCCESS));
                        }
                        other => {
                            return Err(format!(
                                "-d: unknown log item `{other}` (in_asm, out_asm, exec, cpu, jit)"
                            ))
                        }
                    }
                }
            }
            "D" => log_file = Some(value("D")?),
            "g" => gdb = Some(gdb_port(&value("g")?)?),
            _ => return Err(format!("unknown option {a}; -h lists the options")),
        }
    };
    let mut guest_args = vec![argv0.unwrap_or_else(|| program.clone())];
    guest_args.extend(it);
    let opts = Options {
        args: guest_args,
        env: env.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
        exe_path: program.clone(),
        iset,
        strace,
        log,
        sysroot,
        jit,
        jit_threshold,
    };
    Ok(Parsed::Run(Box::new(Cli {
        opts,
        program,
        log_file,
        jit_stats,
        gdb_port: gdb,
    })))
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args().collect()) {
        Ok(Parsed::Run(c)) => c,
        Ok(Parsed::Done(code)) => return code,
        Err(e) => return fail(&e),
    };
    let image = match std::fs::read(&cli.program) {
        Ok(b) => b,
        Err(e) => return fail(&format!("{}: {e}", cli.program)),
    };
    let mut m = match Machine::new(&image, cli.opts) {
        Ok(m) => m,
        Err(e) => return fail(&format!("{}: {e}", cli.program)),
    };
    if let Some(f) = &cli.log_file {
        match std::fs::File::create(f) {
            Ok(file) => {
                use std::os::fd::AsRawFd;
                m.kernel.own_fds.push(file.as_raw_fd());
                m.log_out =
                    e2k_emu::linux::machine::Log::new(Box::new(std::io::BufWriter::new(file)));
            }
            Err(e) => return fail(&format!("-D {f}: {e}")),
        }
    }
    let outcome = match cli.gdb_port {
        Some(port) => match e2k_emu::linux::gdb::serve(&mut m, port) {
            Ok(o) => o,
            Err(e) => return fail(&e),
        },
        None => m.run(),
    };
    if cli.jit_stats {
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
