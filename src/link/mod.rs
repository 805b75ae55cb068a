//! The linker behind `e2k-ld`: relocatable E2K objects (ours or GNU as's) and `ar`
//! archives of them into a static executable. Symbols are resolved as ld does (an
//! archive member is loaded only when it defines a symbol still undefined), input
//! sections are gathered into output sections by name, laid out (`layout`) and
//! relocated with `elf::reloc`, the same code the assembler settles its own fixups
//! with; `elf::exec` writes the file.

pub mod layout;

use crate::elf::exec::{write_exec, ExecSection, ExecSymbol, Plan};
use crate::elf::object::{
    read_relocatable, Bind, ObjSection, ObjSymbol, Place, Relocatable, Target,
};
use crate::elf::reloc;
use layout::{Layout, OutputSection};
use std::collections::BTreeMap;
use std::fmt;

/// One input: an object, or an archive whose members are loaded on demand.
pub enum Input {
    Object(String, Relocatable),
    Archive(String, Vec<(String, Relocatable)>),
}

impl Input {
    /// Reads an object or an archive (`!<arch>`) from its bytes.
    pub fn read(name: &str, data: &[u8]) -> Result<Input, LinkError> {
        let err = |m: String| LinkError(format!("{name}: {m}"));
        if data.starts_with(b"!<arch>\n") {
            let ar =
                object::read::archive::ArchiveFile::parse(data).map_err(|e| err(e.to_string()))?;
            let mut members = Vec::new();
            for m in ar.members() {
                let m = m.map_err(|e| err(e.to_string()))?;
                let mname = String::from_utf8_lossy(m.name()).into_owned();
                let bytes = m.data(data).map_err(|e| err(e.to_string()))?;
                let obj =
                    read_relocatable(bytes).map_err(|e| err(format!("member {mname}: {e}")))?;
                members.push((format!("{name}({mname})"), obj));
            }
            return Ok(Input::Archive(name.to_string(), members));
        }
        Ok(Input::Object(
            name.to_string(),
            read_relocatable(data).map_err(err)?,
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError(pub String);

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LinkError {}

#[derive(Clone, Debug)]
pub struct Options {
    /// Entry symbol; `_start` when not given (the start of `.text` if that is missing).
    pub entry: Option<String>,
    pub layout: Layout,
}

/// A linked program, before it is written.
#[derive(Debug)]
pub struct Linked {
    pub sections: Vec<OutputSection>,
    /// Name, address, size, global, function, output section (None: absolute).
    pub symbols: Vec<LinkedSymbol>,
    pub entry: u64,
    pub e_flags: u32,
    /// Warnings ld would print (a missing `_start`).
    pub warnings: Vec<String>,
    pub plan: Plan,
    /// ET_DYN rather than ET_EXEC.
    pub dyn_: bool,
}

#[derive(Clone, Debug)]
pub struct LinkedSymbol {
    pub name: String,
    pub value: u64,
    pub size: u64,
    pub global: bool,
    pub func: bool,
    pub section: Option<usize>,
}

/// Where a global symbol is defined: object, symbol index, strong (not weak).
type Def = (usize, usize, bool);

fn add_object(
    objs: &mut Vec<(String, Relocatable)>,
    defs: &mut BTreeMap<String, Def>,
    name: String,
    obj: Relocatable,
) -> Result<(), LinkError> {
    let k = objs.len();
    for (i, s) in obj.symbols.iter().enumerate() {
        if s.bind == Bind::Local || matches!(s.place, Place::Undefined | Place::Common) {
            continue;
        }
        let strong = s.bind == Bind::Global;
        match defs.get(&s.name) {
            Some(&(o, _, true)) if strong => {
                return Err(LinkError(format!(
                    "{name}: multiple definition of `{}` (first defined in {})",
                    s.name, objs[o].0
                )))
            }
            Some(&(_, _, old_strong)) if old_strong || !strong => {}
            _ => {
                defs.insert(s.name.clone(), (k, i, strong));
            }
        }
    }
    objs.push((name, obj));
    Ok(())
}

/// Names referenced but not defined so far (weak references do not pull members).
fn wanted(objs: &[(String, Relocatable)], defs: &BTreeMap<String, Def>) -> Vec<String> {
    let mut out = Vec::new();
    // A common symbol stands for a definition, as in ld.
    let common = |n: &str| {
        objs.iter().any(|(_, o)| {
            o.symbols
                .iter()
                .any(|s| s.place == Place::Common && s.name == n)
        })
    };
    for (_, o) in objs {
        for s in &o.symbols {
            if s.place == Place::Undefined
                && s.bind != Bind::Weak
                && !defs.contains_key(&s.name)
                && !common(&s.name)
            {
                out.push(s.name.clone());
            }
        }
    }
    out
}

/// Common symbols (`.comm`) become references: to an object's definition of the name
/// when there is one, else to space in `.bss` after every input's own `.bss` (ld's
/// `*(COMMON)`), the largest size and alignment any object asked for.
fn allocate_commons(
    objs: &mut Vec<(String, Relocatable)>,
    defs: &mut BTreeMap<String, Def>,
) -> Result<(), LinkError> {
    let mut wanted: Vec<(String, u64, u64)> = Vec::new();
    for (_, o) in objs.iter_mut() {
        for s in o.symbols.iter_mut().filter(|s| s.place == Place::Common) {
            if !defs.contains_key(&s.name) {
                match wanted.iter_mut().find(|w| w.0 == s.name) {
                    Some(w) => {
                        w.1 = w.1.max(s.size);
                        w.2 = w.2.max(s.value);
                    }
                    None => wanted.push((s.name.clone(), s.size, s.value.max(1))),
                }
            }
            s.place = Place::Undefined;
            s.value = 0;
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut symbols = Vec::new();
    let mut size = 0u64;
    let mut align = 1u64;
    for (name, n, a) in wanted {
        size = size.next_multiple_of(a);
        align = align.max(a);
        symbols.push(ObjSymbol {
            name,
            place: Place::Section(0),
            value: size,
            size: n,
            bind: Bind::Global,
            func: false,
            object: true,
        });
        size += n;
    }
    let common = Relocatable {
        file: None,
        e_flags: objs[0].1.e_flags,
        sections: vec![ObjSection {
            name: ".bss".into(),
            alloc: true,
            write: true,
            exec: false,
            nobits: true,
            align,
            data: Vec::new(),
            size,
            relocs: Vec::new(),
        }],
        symbols,
    };
    add_object(objs, defs, "COMMON".into(), common)
}

/// Resolves, lays out and relocates the inputs.
pub fn link(inputs: Vec<Input>, opts: &Options) -> Result<Linked, LinkError> {
    let mut objs: Vec<(String, Relocatable)> = Vec::new();
    let mut defs: BTreeMap<String, Def> = BTreeMap::new();
    let entry_name = opts.entry.clone().unwrap_or_else(|| "_start".into());
    for input in inputs {
        match input {
            Input::Object(name, obj) => add_object(&mut objs, &mut defs, name, obj)?,
            Input::Archive(_, members) => {
                let mut members: Vec<Option<(String, Relocatable)>> =
                    members.into_iter().map(Some).collect();
                loop {
                    let mut want = wanted(&objs, &defs);
                    // `-e SYMBOL` asks for its symbol as an undefined reference does.
                    if opts.entry.is_some() && !defs.contains_key(&entry_name) {
                        want.push(entry_name.clone());
                    }
                    let pick = members.iter().position(|m| {
                        m.as_ref().is_some_and(|(_, o)| {
                            o.symbols.iter().any(|s| {
                                s.bind != Bind::Local
                                    && !matches!(s.place, Place::Undefined | Place::Common)
                                    && want.contains(&s.name)
                            })
                        })
                    });
                    let Some(p) = pick else { break };
                    let (n, o) = members[p].take().unwrap();
                    add_object(&mut objs, &mut defs, n, o)?;
                }
            }
        }
    }
    if objs.is_empty() {
        return Err(LinkError("no input files".into()));
    }
    allocate_commons(&mut objs, &mut defs)?;
    let e_flags = objs[0].1.e_flags;

    // Output sections and where each input section goes.
    let (sections, place) = layout::gather(&objs);
    // ld drops empty output sections.
    let keep: Vec<bool> = sections.iter().map(|s| s.size > 0).collect();
    let mut renumber = Vec::new();
    let mut n = 0;
    for &k in &keep {
        renumber.push(k.then_some(n));
        n += usize::from(k);
    }
    let place: Vec<Vec<Option<(usize, u64)>>> = place
        .into_iter()
        .map(|p| {
            p.into_iter()
                .map(|x| x.and_then(|(o, off)| renumber[o].map(|r| (r, off))))
                .collect()
        })
        .collect();
    let mut sections: Vec<OutputSection> = sections
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(s, _)| s)
        .collect();
    let plan = opts.layout.place(&mut sections);

    // Symbol addresses.
    let addrs: Vec<u64> = sections.iter().map(|s| s.addr).collect();
    let sec_addr = |o: usize, s: usize| -> Option<(usize, u64)> {
        place[o][s].map(|(out, off)| (out, addrs[out] + off))
    };
    let addr_of = |o: usize, i: usize| -> Result<Option<u64>, LinkError> {
        let s = &objs[o].1.symbols[i];
        Ok(match s.place {
            Place::Absolute => Some(s.value),
            Place::Section(k) => sec_addr(o, k).map(|(_, a)| a + s.value),
            // allocate_commons left none.
            Place::Common => None,
            Place::Undefined => match defs.get(&s.name) {
                Some(&(d, j, _)) => {
                    let t = &objs[d].1.symbols[j];
                    match t.place {
                        Place::Absolute => Some(t.value),
                        Place::Section(k) => sec_addr(d, k).map(|(_, a)| a + t.value),
                        Place::Undefined | Place::Common => None,
                    }
                }
                None if s.bind == Bind::Weak => Some(0),
                None => None,
            },
        })
    };

    // Relocations.
    for (o, (oname, obj)) in objs.iter().enumerate() {
        for (k, sec) in obj.sections.iter().enumerate() {
            if sec.relocs.is_empty() {
                continue;
            }
            let Some((out, base)) = place[o][k] else {
                continue;
            };
            if sec.nobits {
                return Err(LinkError(format!(
                    "{oname}: relocations in {}, which has no contents",
                    sec.name
                )));
            }
            for r in &sec.relocs {
                let s = match &r.target {
                    Target::Section(t) => sec_addr(o, *t).map(|x| x.1).ok_or_else(|| {
                        LinkError(format!(
                            "{oname}: relocation against section {}, which is not linked",
                            obj.sections[*t].name
                        ))
                    })?,
                    Target::Symbol(i) => addr_of(o, *i)?.ok_or_else(|| {
                        LinkError(format!(
                            "{oname}: undefined reference to `{}`",
                            obj.symbols[*i].name
                        ))
                    })?,
                };
                let at = base + r.offset;
                let p = addrs[out] + at;
                reloc::apply(r.r_type, &mut sections[out].data, at, s, r.addend, p).map_err(
                    |e| LinkError(format!("{oname}: {} at {:#x}: {e}", sec.name, r.offset)),
                )?;
            }
        }
    }

    // Symbols of the output: every defined one, locals first.
    let mut symbols = Vec::new();
    for (o, (_, obj)) in objs.iter().enumerate() {
        for (i, s) in obj.symbols.iter().enumerate() {
            if s.place == Place::Undefined {
                continue;
            }
            if s.bind != Bind::Local && defs.get(&s.name).is_some_and(|d| (d.0, d.1) != (o, i)) {
                continue;
            }
            let section = match s.place {
                Place::Section(k) => match sec_addr(o, k) {
                    Some((out, _)) => Some(out),
                    None => continue,
                },
                _ => None,
            };
            symbols.push(LinkedSymbol {
                name: s.name.clone(),
                value: addr_of(o, i)?.unwrap_or(0),
                size: s.size,
                global: s.bind != Bind::Local,
                func: s.func,
                section,
            });
        }
    }
    symbols.sort_by_key(|s| s.global);

    let mut warnings = Vec::new();
    let entry = match defs.get(&entry_name) {
        Some(&(d, j, _)) => addr_of(d, j)?.unwrap_or(0),
        None => {
            if opts.entry.is_some() && opts.entry.as_deref() != Some("_start") {
                return Err(LinkError(format!(
                    "entry symbol `{entry_name}` is not defined"
                )));
            }
            let text = sections
                .iter()
                .find(|s| s.exec)
                .or(sections.first())
                .map_or(plan.headers_at.unwrap_or(0), |s| s.addr);
            warnings.push(format!(
                "cannot find entry symbol {entry_name}; defaulting to {text:016x}"
            ));
            text
        }
    };
    Ok(Linked {
        sections,
        symbols,
        entry,
        e_flags,
        warnings,
        plan,
        dyn_: matches!(opts.layout, Layout::Paged { dyn_: true, .. }),
    })
}

impl Linked {
    /// The executable's file image.
    pub fn image(&self) -> Result<Vec<u8>, LinkError> {
        let sections: Vec<ExecSection> = self
            .sections
            .iter()
            .map(|s| ExecSection {
                name: &s.name,
                addr: s.addr,
                offset: s.offset,
                data: &s.data,
                size: s.size,
                align: s.align,
                write: s.write,
                exec: s.exec,
                nobits: s.nobits,
            })
            .collect();
        let symbols: Vec<ExecSymbol> = self
            .symbols
            .iter()
            .map(|s| ExecSymbol {
                name: &s.name,
                value: s.value,
                size: s.size,
                global: s.global,
                func: s.func,
                section: s.section,
            })
            .collect();
        write_exec(
            self.dyn_,
            self.entry,
            self.e_flags,
            &self.plan,
            &sections,
            &symbols,
        )
        .map_err(LinkError)
    }
}
