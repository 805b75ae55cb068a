//! Disassembly in the text format of MCST's objdump for E2K. All spellings come from the
//! syntax templates in `isa/`; this module only fills them in and orders the lines.

use crate::isa::decode::{decode_lenient, AluOp, DecodeError, Decoded, Operand};
use crate::isa::version::Iset;
use crate::isa::{self, Tmpl};
use std::fmt::Write;

/// Writes one operand as the assembler spells it.
pub fn write_operand(out: &mut String, o: &Operand) {
    o.kind_info().spell(out, o.n, o.ty, o.value, o.missing);
}

/// The MAS of a memory operation in channel `ch`, from CS1 when it carries MAS.
pub fn mas(d: &Decoded, ch: u8) -> u32 {
    let Some(cs1) = d.bundle.cs1 else { return 0 };
    if cs1.opc() != isa::consts::CS1_MAS {
        return 0;
    }
    match ch {
        0 => cs1.mas0(),
        2 => cs1.mas2(),
        3 => cs1.mas3(),
        5 => cs1.mas5(),
        _ => 0,
    }
}

/// Text of one ALU operation, e.g. `addd,0 %dr0, 0x1, %dr1`.
pub fn alu_text(d: &Decoded, op: &AluOp) -> String {
    let info = op.info();
    let fmt = op.format();
    let mut s = String::new();
    // objdump finds several templates for such an encoding and prints no operands.
    s.push_str(if info.also.is_empty() {
        info.name
    } else {
        "ambiguous"
    });
    let _ = write!(s, ",{}", op.channel);
    if op.speculative {
        s.push_str(",sm");
    }
    s.push(' ');
    if !info.also.is_empty() {
        return s;
    }
    for t in fmt.syntax {
        match *t {
            Tmpl::Text(x) => s.push_str(x),
            Tmpl::Hole("mas", _) => {
                let m = mas(d, op.channel);
                if m != 0 {
                    let _ = write!(s, ", mas = {m:#x}");
                }
            }
            Tmpl::Hole("cond", _) => write_conditions(&mut s, d, op.channel, true),
            Tmpl::Hole("incr_line", _) => {}
            Tmpl::Hole(name, _) => match op.operand(name) {
                Some(o) => write_operand(&mut s, o),
                None => {
                    let _ = write!(s, "<{name}?>");
                }
            },
        }
    }
    write_conditions(&mut s, d, op.channel, false);
    if fmt.syntax.contains(&Tmpl::Hole("incr_line", "")) && op.operand("am").map(|o| o.n) == Some(1)
    {
        // objdump puts the increment of an array store on a line of its own.
        let _ = write!(s, "\n  incr,{} ", op.channel);
        if let Some(o) = op.operand("incr") {
            write_operand(&mut s, o);
        }
        write_am_conditions(&mut s, d, op.channel);
    }
    s
}

/// The AM conditions CDS attaches to the increment of channel 2 or 5's array store.
fn write_am_conditions(s: &mut String, d: &Decoded, ch: u8) {
    write_condition_list(
        s,
        crate::isa::decode::am_conditions(&d.bundle, ch),
        " ? ",
        ", ",
    );
}

/// Appends the conditions CDS syllables attach to channel `ch`: the MRGC select
/// predicate of a merge (`, %pred0`) or the RLP execution predicates (` ? %pred0`).
pub fn write_conditions(s: &mut String, d: &Decoded, ch: u8, mrgc: bool) {
    let conds = crate::isa::decode::conditions(&d.bundle, ch, mrgc);
    if mrgc {
        write_condition_list(s, conds, ", ", " ");
    } else {
        write_condition_list(s, conds, " ? ", ", ");
    }
}

/// Conditions as `FIRST c0 SEP c1 ...`, each `%predN` or `%pcntN`, `~` when negated.
fn write_condition_list(
    s: &mut String,
    conds: impl Iterator<Item = crate::isa::decode::Condition>,
    first: &str,
    sep: &str,
) {
    for (k, c) in conds.enumerate() {
        s.push_str(if k == 0 { first } else { sep });
        if c.negated {
            s.push('~');
        }
        let _ = match (c.pred(), c.pcnt()) {
            (Some(p), _) => write!(s, "%pred{p}"),
            (_, Some(p)) => write!(s, "%pcnt{p}"),
            _ => write!(s, "<invalid predicate>"),
        };
    }
}

/// The lines of one wide instruction, in objdump's order: syllable by syllable in
/// memory order; within a syllable kind, instance by instance, the operations in the
/// order `isa/` lists them.
pub fn bundle_lines(d: &Decoded) -> Vec<String> {
    let mut lines = Vec::new();
    for &syl in isa::SYLLABLE_ORDER {
        if syl == "ALS" {
            for ch in 0..6u8 {
                if let Some(op) = &d.alu[ch as usize] {
                    if op.encoding().second & (1 << ch) == 0 {
                        lines.push(alu_text(d, op));
                    }
                } else if d.bad.iter().any(|(c, _)| *c == ch) {
                    // objdump's word for an encoding no operation matches.
                    lines.push(format!("unrecognized,{ch} "));
                }
            }
            continue;
        }
        let ctls: Vec<&isa::CtlInfo> = isa::CTLS
            .iter()
            .filter(|c| c.syllable == syl && c.versions & d.iset.mask() != 0)
            .collect();
        let Some(first) = ctls.first() else { continue };
        let n = ctls.iter().map(|c| c.instances).max().unwrap_or(1);
        let order: Vec<usize> = if first.descending {
            (0..n).rev().collect()
        } else {
            (0..n).collect()
        };
        for i in order {
            for c in &ctls {
                if i < c.instances && (c.matches)(&d.bundle, d.addr, i) {
                    let mut s = String::new();
                    (c.print)(&d.bundle, d.addr, i, &mut s);
                    lines.push(s);
                }
            }
        }
    }
    lines
}

/// How many of the 16 hex digits of an address objdump drops: leading zeros of the
/// range's end address, in groups of four, keeping at least one zero.
fn skipped_digits(end: u64) -> usize {
    let zeros = format!("{end:016x}")
        .bytes()
        .take_while(|&c| c == b'0')
        .count();
    if zeros == 16 && end != 0 {
        return 0;
    }
    if zeros == 0 {
        0
    } else {
        (zeros - 1) & !3
    }
}

/// The address line objdump prints before a wide instruction; MCST's objdump for E2K
/// never shows the bytes (binutils' configure sets INHIBIT_RAW_INSN for e2k), so they
/// are printed only when asked for (`raw_bytes`).
fn address_line(out: &mut String, addr: u64, bytes: &[u8], skip: usize, raw_bytes: bool) {
    let digits = format!("{addr:016x}");
    let shown = &digits[skip.min(15)..];
    let lead = shown
        .bytes()
        .take_while(|&c| c == b'0')
        .count()
        .min(shown.len() - 1);
    let _ = write!(out, "{}{}:\t", " ".repeat(lead), &shown[lead..]);
    if !raw_bytes {
        out.push('\n');
        return;
    }
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out.push_str(" \t\n");
}

/// Appends one wide instruction at `addr` and returns its length; bytes that do not
/// form a wide instruction print as `(bad)`, eight at a time.
pub fn write_bundle(
    out: &mut String,
    bytes: &[u8],
    addr: u64,
    iset: Iset,
    skip: usize,
    raw_bytes: bool,
) -> usize {
    match decode_lenient(bytes, addr, iset) {
        Ok(d) => {
            address_line(out, addr, &bytes[..d.len()], skip, raw_bytes);
            for l in bundle_lines(&d) {
                out.push_str("  ");
                out.push_str(&l);
                out.push('\n');
            }
            out.push('\n');
            d.len()
        }
        // Bytes whose header does not describe them (or that run past the end) are an
        // array-prefetch program entry, as objdump takes them, if 16 bytes remain.
        Err(DecodeError::Layout(_)) if bytes.len() >= APB_ENTRY => {
            address_line(out, addr, &bytes[..APB_ENTRY], skip, raw_bytes);
            let word = |k: usize| u32::from_le_bytes(bytes[4 * k..4 * k + 4].try_into().unwrap());
            let v = iset.number() as u64;
            out.push_str("  ");
            isa::text_apb_left(out, word(0) as u64, word(1) as u64, v);
            out.push_str("\n  ");
            isa::text_apb_right(out, word(2) as u64, word(3) as u64, v);
            out.push_str("\n\n");
            APB_ENTRY
        }
        // Too short for either: objdump shows the bytes alone.
        Err(DecodeError::Layout(_)) => {
            address_line(out, addr, bytes, skip, raw_bytes);
            bytes.len()
        }
        Err(e) => {
            let n = bytes.len().min(8);
            address_line(out, addr, &bytes[..n], skip, raw_bytes);
            let _ = writeln!(out, "  (bad) ! {e}\n");
            n.max(1)
        }
    }
}

/// Bytes in one array-prefetch program entry (API_L and API_R).
const APB_ENTRY: usize = 16;

/// Disassembles a byte range starting at `addr`; `labels` are (address, name) pairs,
/// sorted by address, printed as `<name>:` lines where they fall; `raw_bytes` adds each
/// wide instruction's bytes to its address line.
pub fn listing(
    bytes: &[u8],
    addr: u64,
    iset: Iset,
    labels: &[(u64, &str)],
    raw_bytes: bool,
) -> String {
    let mut out = String::new();
    let mut off = 0usize;
    let skip = skipped_digits(addr + bytes.len() as u64);
    while off < bytes.len() {
        let a = addr + off as u64;
        for (_, name) in labels.iter().filter(|(la, _)| *la == a) {
            let _ = write!(out, "\n{a:016x} <{name}>:\n");
        }
        off += write_bundle(&mut out, &bytes[off..], a, iset, skip, raw_bytes);
    }
    out
}
