//! e2k-as: assembles E2K sources (GNU as syntax) into a static ELF executable.

use clap::Parser;
use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::version::Iset;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "e2k-as", version, about = "Assemble and link E2K (Elbrus) assembly into a static ELF executable")]
struct Args {
    /// Source files, assembled and linked together.
    #[arg(required = true)]
    files: Vec<String>,
    /// Output file.
    #[arg(short = 'o', default_value = "a.out")]
    output: String,
    /// ISA version: v1..v7 or a CPU name (also -mcpu=elbrus-vN).
    #[arg(long = "iset", alias = "mcpu", short = 'm', default_value = "v4")]
    iset: String,
    /// Entry symbol (default `_start`).
    #[arg(short = 'e', long = "entry")]
    entry: Option<String>,
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
        match std::fs::read_to_string(f) {
            Ok(t) => sources.push((f.clone(), t)),
            Err(e) => {
                eprintln!("e2k-as: {f}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let opts = Options { iset, entry: args.entry.clone(), text_base: 0x10000 };
    match assemble_elf(&sources, &opts) {
        Ok(image) => match write_executable(&args.output, &image) {
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

/// Writes the image and marks it executable, like a linker's output.
fn write_executable(path: &str, image: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, image)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
