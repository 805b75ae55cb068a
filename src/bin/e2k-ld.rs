//! e2k-ld: links relocatable E2K objects (from e2k-as or GNU as) and `ar` archives of
//! them into a static executable laid out as MCST ld lays it out.

use e2k_emu::link::layout::{Layout, TEXT_START};
use e2k_emu::link::{link, Input, Options};
use std::process::ExitCode;

const USAGE: &str =
    "usage: e2k-ld [-o OUTPUT] [-e SYMBOL] [-Ttext=ADDR] [-static] [-L DIR] FILE... [-lNAME]...";

enum Arg {
    File(String),
    Lib(String),
}

struct Args {
    inputs: Vec<Arg>,
    output: String,
    entry: Option<String>,
    text: Option<u64>,
    dirs: Vec<String>,
}

fn number(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// ld's command line: single-dash long options, options glued to their values.
fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        inputs: Vec::new(),
        output: "a.out".into(),
        entry: None,
        text: None,
        dirs: Vec::new(),
    };
    while let Some(s) = it.next() {
        let mut value = |flag: &str, glued: &str| -> Result<String, String> {
            if !glued.is_empty() {
                return Ok(glued.trim_start_matches('=').to_string());
            }
            it.next().ok_or(format!("option `{flag}` needs a value"))
        };
        match s.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "-static" | "-Bstatic" | "--static" | "-nostdlib" | "--no-dynamic-linker" => {}
            _ if s.starts_with("-Ttext") => {
                let v = value("-Ttext", &s[6..])?;
                a.text = Some(number(&v).ok_or(format!("bad address `{v}` for -Ttext"))?);
            }
            _ if s.starts_with("--entry") => a.entry = Some(value("--entry", &s[7..])?),
            _ if s.starts_with("-o") => a.output = value("-o", &s[2..])?,
            _ if s.starts_with("-e") => a.entry = Some(value("-e", &s[2..])?),
            _ if s.starts_with("-L") => a.dirs.push(value("-L", &s[2..])?),
            _ if s.starts_with("-l") => a.inputs.push(Arg::Lib(value("-l", &s[2..])?)),
            // The emulation (`-m elf64_e2k`): there is only one.
            _ if s.starts_with("-m") => {
                value("-m", &s[2..])?;
            }
            _ if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unsupported option `{s}` ({USAGE})"))
            }
            _ => a.inputs.push(Arg::File(s)),
        }
    }
    if a.inputs.is_empty() {
        return Err(format!("no input files ({USAGE})"));
    }
    Ok(a)
}

fn run() -> Result<(), String> {
    let args = parse(std::env::args().skip(1))?;
    let mut inputs = Vec::new();
    for i in &args.inputs {
        let path = match i {
            Arg::File(f) => f.clone(),
            Arg::Lib(n) => args
                .dirs
                .iter()
                .map(|d| format!("{d}/lib{n}.a"))
                .find(|p| std::path::Path::new(p).is_file())
                .ok_or(format!("cannot find -l{n}"))?,
        };
        let data = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        inputs.push(Input::read(&path, &data).map_err(|e| e.0)?);
    }
    let linked = link(
        inputs,
        &Options {
            entry: args.entry.clone(),
            layout: Layout::Mcst {
                segment_start: args.text.unwrap_or(TEXT_START),
            },
        },
    )
    .map_err(|e| e.0)?;
    for w in &linked.warnings {
        eprintln!("e2k-ld: warning: {w}");
    }
    let image = linked.image().map_err(|e| e.0)?;
    std::fs::write(&args.output, &image).map_err(|e| format!("{}: {e}", args.output))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&args.output, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", args.output))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("e2k-ld: {e}");
            ExitCode::FAILURE
        }
    }
}
