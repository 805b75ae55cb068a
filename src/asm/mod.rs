//! The assembler behind `e2k-as`: GNU as syntax for E2K (a subset, see docs/e2k-as.md),
//! two passes (sizes, then values), wide instructions built with the generated
//! encoders (`encode_alu`, `encode_ctl`), literals placed in LTS, and an ELF executable
//! (ET_EXEC, or ET_DYN for a position-independent one) written by `elf::write`. Source reading (`source`, `macros`) feeds
//! `directives`, which sorts lines into sections; `bundle` builds wide instructions;
//! this module lays the sections out and settles symbol values.

mod bundle;
mod directives;
mod expr;
mod macros;
mod source;

use crate::elf::write::{write_image, Kind, OutSection, OutSymbol};
use crate::isa::version::Iset;
use bundle::build_bundle;
use directives::{parse_sources, Item, SECTION_ORDER};
use expr::eval;
use source::error_at;
pub use source::AsmError;
use std::collections::BTreeMap;

pub struct Options {
    pub iset: Iset,
    pub entry: Option<String>,
    pub text_base: u64,
}

/// The output of assembling: section contents and symbols, before ELF writing.
pub struct Assembled {
    pub sections: Vec<OutSection>,
    pub symbols: Vec<OutSymbol>,
    pub entry: u64,
}

/// Assembles and links the sources (file name, text) into section images.
pub fn assemble(sources: &[(String, String)], opts: &Options) -> Result<Assembled, Vec<AsmError>> {
    let mut src = parse_sources(sources);
    if !src.errors.is_empty() {
        return Err(src.errors);
    }
    let mut symbols: BTreeMap<String, u64> = BTreeMap::new();
    let mut bases: BTreeMap<&str, u64> = BTreeMap::new();
    // Sizes never depend on symbol values, so the first pass places every label, the
    // second settles `.set` values that use later labels, and the last encodes.
    const LAST: u32 = 2;
    let mut out = Vec::new();
    for pass in 0..=LAST {
        out.clear();
        let mut addr = opts.text_base;
        let mut new_symbols = BTreeMap::new();
        for sec in SECTION_ORDER {
            let Some(items) = src.sections.get(sec) else {
                continue;
            };
            addr = addr.div_ceil(0x1000) * 0x1000;
            bases.insert(sec, addr);
            let start = addr;
            let mut data = Vec::new();
            for item in items {
                let here = start + data.len() as u64;
                match item {
                    Item::Label(n, loc) => {
                        if new_symbols.insert(n.clone(), here).is_some() && pass == 0 {
                            src.errors.push(error_at(
                                &src.files,
                                loc,
                                format!("duplicate label `{n}`"),
                            ));
                        }
                    }
                    Item::Bundle(ops, loc) => {
                        if sec == ".bss" {
                            src.errors
                                .push(error_at(&src.files, loc, "instructions in .bss"));
                            continue;
                        }
                        if !here.is_multiple_of(8) {
                            data.resize(data.len() + (8 - here % 8) as usize, 0);
                        }
                        let pc = start + data.len() as u64;
                        match build_bundle(ops, pc, opts.iset, &symbols, pass == LAST) {
                            Ok(bytes) => data.extend(bytes),
                            Err((l, m)) => {
                                // Early passes read unknown names as 0, so any error is real.
                                src.errors.push(error_at(&src.files, &l, m));
                                data.extend([0u8; 8]);
                            }
                        }
                    }
                    Item::Data(size, vals) => {
                        for (v, loc) in vals {
                            let mut known = symbols.clone();
                            known.insert(".".into(), start + data.len() as u64);
                            let x = match eval(v, &known) {
                                Some(x) => x,
                                None if pass < LAST => 0,
                                None => {
                                    src.errors.push(error_at(
                                        &src.files,
                                        loc,
                                        format!("undefined value `{v}`"),
                                    ));
                                    0
                                }
                            };
                            data.extend_from_slice(&x.to_le_bytes()[..*size]);
                        }
                    }
                    Item::Bytes(b) => data.extend_from_slice(b),
                    Item::Align(n) => {
                        let h = start + data.len() as u64;
                        data.resize(data.len() + (h.next_multiple_of(*n) - h) as usize, 0);
                    }
                    Item::Skip(n, fill) => data.resize(data.len() + *n as usize, *fill),
                    Item::Set(n, e, loc) => {
                        // Values may use labels defined so far (this pass) or anywhere (last pass).
                        let mut known = symbols.clone();
                        known.extend(new_symbols.iter().map(|(k, v)| (k.clone(), *v)));
                        known.insert(".".into(), here);
                        match eval(e, &known) {
                            Some(v) => {
                                new_symbols.insert(n.clone(), v);
                            }
                            None if pass < LAST => {
                                new_symbols.insert(n.clone(), 0);
                            }
                            None => src.errors.push(error_at(
                                &src.files,
                                loc,
                                format!("undefined value `{e}`"),
                            )),
                        }
                    }
                }
            }
            addr = start + data.len() as u64;
            out.push((sec, start, data));
        }
        if !src.errors.is_empty() {
            return Err(src.errors);
        }
        symbols = new_symbols;
    }
    let entry_name = opts.entry.clone().unwrap_or_else(|| "_start".into());
    let entry = match symbols.get(&entry_name) {
        Some(e) => *e,
        None => match opts.entry {
            Some(_) => {
                return Err(vec![AsmError {
                    file: src.files.first().cloned().unwrap_or_default(),
                    line: 1,
                    col: 1,
                    message: format!("entry symbol `{entry_name}` is not defined"),
                }])
            }
            None => bases.get(".text").copied().unwrap_or(opts.text_base),
        },
    };
    let mut sections = Vec::new();
    for (name, start, data) in &out {
        let bss = *name == ".bss";
        sections.push(OutSection {
            name: name.to_string(),
            addr: *start,
            mem_size: data.len() as u64,
            data: if bss { vec![] } else { data.clone() },
            writable: *name == ".data" || *name == ".dynamic" || bss,
            executable: *name == ".text",
            nobits: bss,
        });
    }
    let section_of = |a: u64| {
        sections
            .iter()
            .position(|s| a >= s.addr && a <= s.addr + s.mem_size)
    };
    let syms = symbols
        .iter()
        .map(|(n, v)| OutSymbol {
            name: n.clone(),
            value: *v,
            size: 0,
            global: src.globals.contains(n),
            func: *n == entry_name,
            section: section_of(*v),
        })
        .collect();
    Ok(Assembled {
        sections,
        symbols: syms,
        entry,
    })
}

/// `e_flags` for an ISA version: the machine field names the version.
pub fn e_flags(iset: Iset) -> u32 {
    (iset.number() as u32) << 24
}

/// Assembles into an ELF executable image (ET_EXEC).
pub fn assemble_elf(
    sources: &[(String, String)],
    opts: &Options,
) -> Result<Vec<u8>, Vec<AsmError>> {
    assemble_image(sources, opts, Kind::Exec)
}

/// Assembles into an ELF image of the given kind; a position-independent one (ET_DYN)
/// is linked at `opts.text_base` and runs wherever its loader puts it, so its code
/// must find its addresses from `%ip`.
pub fn assemble_image(
    sources: &[(String, String)],
    opts: &Options,
    kind: Kind,
) -> Result<Vec<u8>, Vec<AsmError>> {
    let a = assemble(sources, opts)?;
    Ok(write_image(
        &a.sections,
        &a.symbols,
        a.entry,
        e_flags(opts.iset),
        kind,
    ))
}
