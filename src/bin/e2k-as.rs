//! e2k-as: assembles E2K sources (GNU as syntax) into a relocatable object as GNU as
//! does, or with `--link` into an ELF executable in one step (static, or
//! position-independent with `--pie`).

use clap::Parser;
use e2k_emu::asm::{assemble_image, assemble_linked, assemble_to_object, Kind, Options};
use e2k_emu::isa::version::Iset;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "e2k-as",
    version,
    about = "Assemble E2K (Elbrus) assembly into an ELF object (or, with --link, an executable)"
)]
struct Args {
    /// Source files, assembled together.
    #[arg(required = true)]
    files: Vec<String>,
    /// Link too, in one step: write a static executable (text at 0x10000, each
    /// section on its own pages) instead of an object.
    #[arg(long)]
    link: bool,
    /// Output file.
    #[arg(short = 'o', default_value = "a.out")]
    output: String,
    /// ISA version: v1..v7 or a CPU name (also -mcpu=elbrus-vN).
    #[arg(long = "iset", alias = "mcpu", short = 'm', default_value = "v4")]
    iset: String,
    /// Entry symbol (default `_start`; with --link).
    #[arg(short = 'e', long = "entry")]
    entry: Option<String>,
    /// Write the bare bytes of .text, linked at 0x10000, instead of an ELF file.
    #[arg(long)]
    raw: bool,
    /// Write a position-independent executable (ET_DYN, linked at 0x1000 with its
    /// headers on the page below), for a loader to place at a bias of its choosing
    /// (implies --link).
    #[arg(long)]
    pie: bool,
    /// Run the host C preprocessor (`cpp`) over each source first.
    #[arg(long)]
    cpp: bool,
    /// Preprocessor definition (with --cpp).
    #[arg(short = 'D', value_name = "NAME[=VALUE]")]
    defines: Vec<String>,
    /// Preprocessor include directory (with --cpp).
    #[arg(short = 'I', value_name = "DIR")]
    includes: Vec<String>,
}

/// The source after the C preprocessor, with line markers so errors keep their lines.
fn preprocess(path: &str, args: &Args) -> Result<String, String> {
    let mut cmd = std::process::Command::new("cpp");
    cmd.arg("-P")
        .arg("-undef")
        .arg("-x")
        .arg("assembler-with-cpp");
    for d in &args.defines {
        cmd.arg(format!("-D{d}"));
    }
    for i in &args.includes {
        cmd.arg(format!("-I{i}"));
    }
    let out = cmd
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run cpp: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cpp failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "cpp output is not UTF-8".to_string())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let iset = match args.iset.parse::<Iset>() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("e2k-as: {e}");
            return ExitCode::from(2);
        }
    };
    let mut sources = Vec::new();
    for f in &args.files {
        if args.cpp {
            match preprocess(f, &args) {
                Ok(t) => sources.push((f.clone(), t)),
                Err(e) => {
                    eprintln!("e2k-as: {f}: {e}");
                    return ExitCode::FAILURE;
                }
            }
            continue;
        }
        match std::fs::read_to_string(f) {
            Ok(t) => sources.push((f.clone(), t)),
            Err(e) => {
                eprintln!("e2k-as: {f}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let opts = Options {
        iset,
        entry: args.entry.clone(),
        text_base: if args.pie { 0x1000 } else { 0x10000 },
    };
    let kind = if args.pie { Kind::Dyn } else { Kind::Exec };
    let result = if args.raw {
        assemble_linked(&sources, &opts, kind).map(|l| {
            l.sections
                .into_iter()
                .find(|s| s.name == ".text")
                .map(|s| s.data)
                .unwrap_or_default()
        })
    } else if args.link || args.pie {
        assemble_image(&sources, &opts, kind)
    } else {
        assemble_to_object(&sources, iset)
    };
    let executable = args.link || args.pie;
    match result {
        Ok(image) => match write_output(&args.output, &image, executable) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("e2k-as: {}: {e}", args.output);
                ExitCode::FAILURE
            }
        },
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Writes the image; an executable is marked so, like a linker's output.
fn write_output(path: &str, image: &[u8], executable: bool) -> std::io::Result<()> {
    std::fs::write(path, image)?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
