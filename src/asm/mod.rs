//! The assembler behind `e2k-as`: GNU as syntax for E2K (a subset, see docs/e2k-as.md),
//! two passes (sizes, then values), wide instructions built with the generated
//! encoders (`encode_alu`, `encode_ctl`), literals placed in LTS, and a relocatable
//! object (`elf::object`) as gas writes it, with MCST's relocations (`elf::reloc`) for
//! what this file cannot settle. Source reading (`source`, `macros`) feeds
//! `directives`, which sorts lines into sections; `bundle` builds wide instructions;
//! this module lays each section out from 0, settles symbol values and fixups.

mod bundle;
mod cfi;
mod directives;
mod expr;
mod macros;
mod preprocess;
mod source;

use crate::elf::object::{Bind, ObjReloc, ObjSection, ObjSymbol, Place, Relocatable, Target};
use crate::elf::reloc;
use crate::isa::version::Iset;
use bundle::build_bundle;
use directives::{parse_sources, Item};
use expr::{eval_value, section_base, split_value, Base, Value};
use source::error_at;
pub use source::AsmError;
use std::collections::BTreeMap;

pub struct Options {
    pub iset: Iset,
    pub entry: Option<String>,
    pub text_base: u64,
}

/// `e_flags` for an ISA version: the machine field names the version.
pub fn e_flags(iset: Iset) -> u32 {
    (iset.number() as u32) << 24
}

/// A fixup of section `section` at `offset`.
struct Pending {
    section: usize,
    offset: u64,
    r_type: u32,
    /// Added to the value's offset (CS0's place in its wide instruction, for R_E2K_DISP).
    extra: i64,
    value: Value,
    loc: source::Loc,
}

/// Assembles the sources (file name, text) into one relocatable object.
pub fn assemble_object(
    sources: &[(String, String)],
    iset: Iset,
) -> Result<Relocatable, Vec<AsmError>> {
    let mut src = parse_sources(sources);
    if !src.errors.is_empty() {
        return Err(src.errors);
    }
    let nsec = src.order.len();
    let mut symbols: BTreeMap<String, u64> = BTreeMap::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    // Sizes never depend on symbol values, so the first pass places every label, the
    // second settles `.set` values that use later labels, and the last encodes.
    const LAST: u32 = 2;
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut aligns: Vec<u64> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    // Procedures with the place of their `.cfi_startproc`: gas writes them in source order.
    let mut fdes: Vec<((usize, usize, usize), cfi::Fde)> = Vec::new();
    for pass in 0..=LAST {
        out.clear();
        aligns.clear();
        pending.clear();
        fdes.clear();
        let mut open_fde: Option<(usize, u64, source::Loc)> = None;
        let mut new_symbols = BTreeMap::new();
        for (si, sec) in src.order.iter().enumerate() {
            let start = section_base(si);
            let mut data = Vec::new();
            let mut align = if src.attrs[sec].exec { 8 } else { 1 };
            let nobits = src.attrs[sec].nobits;
            let empty = Vec::new();
            for item in src.sections.get(sec).unwrap_or(&empty) {
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
                        if nobits {
                            src.errors.push(error_at(
                                &src.files,
                                loc,
                                format!("instructions in {sec}, which has no contents"),
                            ));
                            continue;
                        }
                        if !here.is_multiple_of(8) {
                            data.resize(data.len() + (8 - here % 8) as usize, 0);
                        }
                        align = align.max(8);
                        let at = data.len() as u64;
                        let pc = start + at;
                        match build_bundle(ops, pc, iset, &symbols, pass == LAST, nsec) {
                            Ok((bytes, fixups)) => {
                                for f in fixups {
                                    pending.push(Pending {
                                        section: si,
                                        offset: at + f.offset as u64,
                                        r_type: f.r_type,
                                        extra: if f.r_type == reloc::R_E2K_DISP {
                                            f.offset as i64
                                        } else {
                                            0
                                        },
                                        value: f.value,
                                        loc: loc.clone(),
                                    });
                                }
                                data.extend(bytes)
                            }
                            Err((l, m)) => {
                                // Early passes read unknown names as relocatable, so any error is real.
                                src.errors.push(error_at(&src.files, &l, m));
                                data.extend([0u8; 8]);
                            }
                        }
                    }
                    Item::Data(size, vals) => {
                        for (v, loc) in vals {
                            let mut known = symbols.clone();
                            known.insert(".".into(), start + data.len() as u64);
                            let x = match eval_value(v, &known, nsec) {
                                Some(x) if x.base == Base::Abs => x.off,
                                Some(x) => {
                                    let r_type = match size {
                                        8 => Some(reloc::R_E2K_64_ABS),
                                        4 => Some(reloc::R_E2K_32_ABS),
                                        _ => None,
                                    };
                                    match r_type {
                                        Some(r_type) => pending.push(Pending {
                                            section: si,
                                            offset: data.len() as u64,
                                            r_type,
                                            extra: 0,
                                            value: x,
                                            loc: loc.clone(),
                                        }),
                                        None if pass == LAST => src.errors.push(error_at(
                                            &src.files,
                                            loc,
                                            format!("`{v}` needs a relocation, which {size}-byte data cannot have (4 or 8 bytes)"),
                                        )),
                                        None => {}
                                    }
                                    0
                                }
                                None if pass < LAST => 0,
                                None => {
                                    src.errors.push(error_at(
                                        &src.files,
                                        loc,
                                        format!("`{v}` is no value a relocation can give (a sum of addresses, or a difference across sections)"),
                                    ));
                                    0
                                }
                            };
                            data.extend_from_slice(&x.to_le_bytes()[..*size]);
                        }
                    }
                    Item::Bytes(b) => data.extend_from_slice(b),
                    Item::Align(n) => {
                        align = align.max(*n);
                        let h = start + data.len() as u64;
                        data.resize(data.len() + (h.next_multiple_of(*n) - h) as usize, 0);
                    }
                    Item::Skip(n, fill) => data.resize(data.len() + *n as usize, *fill),
                    Item::Set(n, e, loc) => {
                        // Values may use labels defined so far (this pass) or anywhere (last pass).
                        let mut known = symbols.clone();
                        known.extend(new_symbols.iter().map(|(k, v)| (k.clone(), *v)));
                        known.insert(".".into(), here);
                        match eval_value(e, &known, nsec) {
                            Some(Value {
                                base: Base::Abs,
                                off,
                                ..
                            }) => {
                                new_symbols.insert(n.clone(), off);
                            }
                            Some(Value {
                                base: Base::Section(i),
                                off,
                                ..
                            }) => {
                                new_symbols.insert(n.clone(), section_base(i) + off);
                            }
                            _ if pass < LAST => {
                                new_symbols.insert(n.clone(), 0);
                            }
                            _ => src.errors.push(error_at(
                                &src.files,
                                loc,
                                format!("undefined value `{e}`"),
                            )),
                        }
                    }
                    Item::Cfi(start, loc) => {
                        let at = data.len() as u64;
                        match (open_fde.take(), start) {
                            (None, true) => open_fde = Some((si, at, loc.clone())),
                            (Some((section, start, l)), false) if section == si => fdes.push((
                                (l.file, l.line, l.col),
                                cfi::Fde {
                                    section,
                                    start,
                                    end: at,
                                },
                            )),
                            (Some(_), _) | (None, false) if pass == 0 => {
                                src.errors.push(error_at(
                                    &src.files,
                                    loc,
                                    if *start {
                                        "`.cfi_startproc` inside another procedure (no `.cfi_endproc` before)"
                                    } else {
                                        "`.cfi_endproc` without `.cfi_startproc` in this section"
                                    },
                                ));
                            }
                            _ => {}
                        }
                    }
                    Item::Size(n, e, loc) => {
                        let mut known = symbols.clone();
                        known.insert(".".into(), here);
                        match eval_value(e, &known, nsec) {
                            Some(Value {
                                base: Base::Abs,
                                off,
                                ..
                            }) => {
                                sizes.insert(n.clone(), off);
                            }
                            _ if pass < LAST => {}
                            _ => src.errors.push(error_at(
                                &src.files,
                                loc,
                                format!("`.size` needs a number, not `{e}`"),
                            )),
                        }
                    }
                }
            }
            // gas aligns sections with contents other than code to 16 bytes.
            if !src.attrs[sec].exec && !data.is_empty() {
                align = align.max(16);
            }
            out.push(data);
            aligns.push(align);
        }
        if let Some((_, _, loc)) = open_fde.take().filter(|_| pass == 0) {
            src.errors.push(error_at(
                &src.files,
                &loc,
                "`.cfi_startproc` without `.cfi_endproc`",
            ));
        }
        if !src.errors.is_empty() {
            return Err(src.errors);
        }
        symbols = new_symbols;
    }

    // The symbol table: every named symbol but `.L` ones, then undefined ones.
    let bind_of = |n: &str| {
        if src.weaks.iter().any(|w| w == n) {
            Bind::Weak
        } else if src.globals.iter().any(|g| g == n) {
            Bind::Global
        } else {
            Bind::Local
        }
    };
    let mut syms: Vec<ObjSymbol> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    // Definition order, as gas keeps them.
    let mut defined: Vec<(&String, &u64)> = symbols.iter().collect();
    defined.sort_by_key(|(_, v)| {
        let (b, off) = split_value(**v, nsec);
        match b {
            Base::Section(i) => (0, i, off),
            _ => (1, 0, 0),
        }
    });
    for (n, v) in defined {
        if n.starts_with(".L") && bind_of(n) == Bind::Local {
            continue;
        }
        let (b, off) = split_value(*v, nsec);
        index.insert(n.clone(), syms.len());
        syms.push(ObjSymbol {
            name: n.clone(),
            place: match b {
                Base::Section(i) => Place::Section(i),
                _ => Place::Absolute,
            },
            value: off,
            size: sizes.get(n).copied().unwrap_or(0),
            bind: bind_of(n),
            func: src.funcs.contains(n),
            object: src.objects.contains(n),
        });
    }
    for c in &src.commons {
        if index.contains_key(&c.name) {
            continue;
        }
        index.insert(c.name.clone(), syms.len());
        syms.push(ObjSymbol {
            name: c.name.clone(),
            place: Place::Common,
            value: c.align,
            size: c.size,
            bind: if bind_of(&c.name) == Bind::Weak {
                Bind::Weak
            } else {
                Bind::Global
            },
            func: false,
            object: true,
        });
    }
    let undefined = |n: &str, syms: &mut Vec<ObjSymbol>, index: &mut BTreeMap<String, usize>| {
        if let Some(&i) = index.get(n) {
            return i;
        }
        index.insert(n.to_string(), syms.len());
        syms.push(ObjSymbol {
            name: n.to_string(),
            place: Place::Undefined,
            value: 0,
            size: 0,
            bind: if bind_of(n) == Bind::Weak {
                Bind::Weak
            } else {
                Bind::Global
            },
            func: src.funcs.iter().any(|f| f == n),
            object: src.objects.iter().any(|f| f == n),
        });
        syms.len() - 1
    };

    // Fixups: displacements to local symbols of their own section are settled here (by
    // the same code the linker uses); the rest become relocations, against the symbol when it
    // is global, weak or undefined, else against its section (as gas does).
    let mut relocs: Vec<Vec<ObjReloc>> = vec![Vec::new(); nsec];
    let mut late_errors = Vec::new();
    // gas fills a 64-bit literal with the value it knows (the offset in the section, or
    // the addend of an undefined symbol), as binutils-mcst's R_E2K_64_ABS_LIT function
    // does when gas calls it; the linker overwrites it.
    let mut lit_fill = Vec::new();
    for p in pending {
        let target_sym = p
            .value
            .sym
            .as_ref()
            .filter(|n| !matches!(p.value.base, Base::Section(_)) || bind_of(n) != Bind::Local);
        match &p.value.base {
            // As gas does: only a displacement to a local symbol is settled; one to
            // a global or weak symbol keeps its relocation (the symbol may be
            // another's at link time).
            Base::Section(j)
                if *j == p.section && p.r_type == reloc::R_E2K_DISP && target_sym.is_none() =>
            {
                if let Err(e) = reloc::apply(
                    p.r_type,
                    &mut out[p.section],
                    p.offset,
                    p.value.off,
                    p.extra,
                    p.offset,
                ) {
                    late_errors.push(error_at(&src.files, &p.loc, e.to_string()));
                }
            }
            Base::Section(j) => {
                let (target, addend) = match target_sym {
                    Some(n) => {
                        let own = symbols.get(n).map_or(0, |v| split_value(*v, nsec).1);
                        (
                            Target::Symbol(index[n]),
                            p.value.off.wrapping_sub(own) as i64,
                        )
                    }
                    None => (Target::Section(*j), p.value.off as i64),
                };
                relocs[p.section].push(ObjReloc {
                    offset: p.offset,
                    r_type: p.r_type,
                    target,
                    addend: addend + p.extra,
                });
                lit_fill.push((p.section, p.offset, p.r_type, p.value.off));
            }
            Base::Undefined(n) => {
                let i = undefined(n, &mut syms, &mut index);
                relocs[p.section].push(ObjReloc {
                    offset: p.offset,
                    r_type: p.r_type,
                    target: Target::Symbol(i),
                    addend: p.value.off as i64 + p.extra,
                });
                // gas keeps a common symbol's size as its value until it writes the
                // object, and fills literals with it.
                let own = match syms[i].place {
                    Place::Common => syms[i].size,
                    _ => 0,
                };
                lit_fill.push((p.section, p.offset, p.r_type, p.value.off.wrapping_add(own)));
            }
            Base::Abs => {}
        }
    }
    for g in src.globals.iter().chain(&src.weaks) {
        if !index.contains_key(g) {
            undefined(g, &mut syms, &mut index);
        }
    }
    for (sec, offset, r_type, value) in lit_fill {
        if r_type == reloc::R_E2K_64_ABS_LIT {
            if let Err(e) = reloc::apply(r_type, &mut out[sec], offset, value, 0, 0) {
                late_errors.push(AsmError {
                    file: src.files.first().cloned().unwrap_or_default(),
                    line: 1,
                    col: 1,
                    message: e.to_string(),
                });
            }
        }
    }
    if !late_errors.is_empty() {
        return Err(late_errors);
    }
    let mut sections = Vec::new();
    for (i, ((name, data), align)) in src.order.iter().zip(out).zip(aligns).enumerate() {
        let a = &src.attrs[name];
        sections.push(ObjSection {
            name: name.clone(),
            alloc: a.alloc,
            write: a.write,
            exec: a.exec,
            nobits: a.nobits,
            align,
            size: data.len() as u64,
            data: if a.nobits { Vec::new() } else { data },
            relocs: std::mem::take(&mut relocs[i]),
        });
    }
    if !fdes.is_empty() {
        fdes.sort_by_key(|f| f.0);
        let fdes: Vec<cfi::Fde> = fdes.into_iter().map(|f| f.1).collect();
        sections.push(cfi::eh_frame(&fdes));
    }
    Ok(Relocatable {
        file: src.file_name.clone(),
        e_flags: e_flags(iset),
        sections,
        symbols: syms,
    })
}

/// Assembles into the ELF image of a relocatable object.
pub fn assemble_to_object(
    sources: &[(String, String)],
    iset: Iset,
) -> Result<Vec<u8>, Vec<AsmError>> {
    let r = assemble_object(sources, iset)?;
    crate::elf::object::write_relocatable(&r).map_err(|m| {
        vec![AsmError {
            file: sources.first().map(|s| s.0.clone()).unwrap_or_default(),
            line: 1,
            col: 1,
            message: format!("cannot write the object: {m}"),
        }]
    })
}

/// What the one-step `e2k-as` writes: an executable (ET_EXEC) or a position-independent
/// one (ET_DYN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Exec,
    Dyn,
}

/// Assembles and links in one step into an ELF executable image (ET_EXEC).
pub fn assemble_elf(
    sources: &[(String, String)],
    opts: &Options,
) -> Result<Vec<u8>, Vec<AsmError>> {
    assemble_image(sources, opts, Kind::Exec)
}

/// The one-step path: the sources to an object in memory, then linked by `link` with
/// the paged layout at `opts.text_base` (each section on its own pages). A
/// position-independent image (ET_DYN) runs wherever its loader puts it, so its code
/// must find its addresses from `%ip`.
pub fn assemble_image(
    sources: &[(String, String)],
    opts: &Options,
    kind: Kind,
) -> Result<Vec<u8>, Vec<AsmError>> {
    let linked = assemble_linked(sources, opts, kind)?;
    linked.image().map_err(|e| link_error(sources, e))
}

/// `assemble_image` before writing: sections at their addresses, symbols, entry.
pub fn assemble_linked(
    sources: &[(String, String)],
    opts: &Options,
    kind: Kind,
) -> Result<crate::link::Linked, Vec<AsmError>> {
    use crate::link::{layout::Layout, link, Input, Options as LinkOptions};
    let obj = assemble_object(sources, opts.iset)?;
    let name = sources.first().map(|s| s.0.clone()).unwrap_or_default();
    link(
        vec![Input::Object(name, obj)],
        &LinkOptions {
            entry: opts.entry.clone(),
            layout: Layout::Paged {
                text_base: opts.text_base,
                dyn_: kind == Kind::Dyn,
            },
        },
    )
    .map_err(|e| link_error(sources, e))
}

fn link_error(sources: &[(String, String)], e: crate::link::LinkError) -> Vec<AsmError> {
    vec![AsmError {
        file: sources.first().map(|s| s.0.clone()).unwrap_or_default(),
        line: 1,
        col: 1,
        message: e.0,
    }]
}
