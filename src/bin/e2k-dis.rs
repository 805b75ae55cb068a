//! e2k-dis: disassembles E2K ELF files or raw bytes, printing what MCST's `objdump -d`
//! prints so that the two can be compared with diff.

use clap::Parser;
use e2k_emu::elf;
use e2k_emu::isa::disasm;
use e2k_emu::isa::version::Iset;
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "e2k-dis",
    version,
    about = "Disassemble E2K (Elbrus) code like MCST objdump -d"
)]
struct Args {
    /// ELF file to disassemble (every executable section).
    file: Option<String>,
    /// Disassemble a file of raw bytes instead of an ELF file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["file", "hex"])]
    raw: Option<String>,
    /// Disassemble bytes given in hex: 8-digit groups are little-endian words, 2-digit groups bytes.
    #[arg(long, value_name = "HEX", conflicts_with = "file")]
    hex: Option<String>,
    /// ISA version: v1..v7 or a CPU name; default from the ELF header (raw input: v6).
    #[arg(long, short = 'm', value_name = "VERSION", alias = "mcpu")]
    iset: Option<String>,
    /// Address of the first raw byte.
    #[arg(long, value_name = "ADDR", value_parser = parse_addr, default_value = "0")]
    addr: u64,
    /// Print each wide instruction's bytes on its address line (MCST objdump never does).
    #[arg(long = "show-raw-insn")]
    show_raw_insn: bool,
    /// objdump's -d: disassembling executable sections is what e2k-dis always does.
    #[arg(short = 'd', long = "disassemble")]
    _disassemble: bool,
}

fn parse_addr(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|_| format!("`{s}` is not an address"))
}

/// Hex input: 8-digit groups are 32-bit words (stored little-endian, as the syllables
/// of a listing are written), 2-digit groups are single bytes.
fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for tok in s.split(|c: char| c.is_whitespace() || c == ',') {
        let t = tok.trim_start_matches("0x").trim_start_matches("0X");
        if t.is_empty() {
            continue;
        }
        if !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("--hex: `{tok}` is not hexadecimal"));
        }
        match t.len() {
            8 => out.extend(u32::from_str_radix(t, 16).unwrap().to_le_bytes()),
            2 => out.push(u8::from_str_radix(t, 16).unwrap()),
            _ => {
                return Err(format!(
                    "--hex: `{tok}` is neither a byte (2 digits) nor a word (8 digits)"
                ))
            }
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("e2k-dis: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let iset_arg = match &args.iset {
        Some(s) => Some(s.parse::<Iset>()?),
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let text = if let Some(path) = &args.raw {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        disasm::listing(
            &bytes,
            args.addr,
            iset_arg.unwrap_or(Iset::new(6).unwrap()),
            &[],
            args.show_raw_insn,
        )
    } else if let Some(h) = &args.hex {
        let bytes = parse_hex(h)?;
        disasm::listing(
            &bytes,
            args.addr,
            iset_arg.unwrap_or(Iset::new(6).unwrap()),
            &[],
            args.show_raw_insn,
        )
    } else if let Some(path) = &args.file {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let f = elf::read::parse(&bytes).map_err(|e| format!("{path}: {e}"))?;
        let iset = iset_arg.or(f.iset).ok_or_else(|| {
            format!(
                "{path}: unknown CPU in e_flags {:#x}; give --iset",
                f.e_flags
            )
        })?;
        elf::listing::elf_listing(path, &f, iset, args.show_raw_insn)
    } else {
        return Err(
            "nothing to disassemble: give an ELF file, --raw FILE or --hex BYTES (see --help)"
                .into(),
        );
    };
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("write error: {e}"))
}
