//! Directives and sections: source lines become labels, wide instructions and data
//! items in their sections (pass-independent; values are settled by `assemble`).

use super::macros::expand_macros;
use super::preprocess;
use super::source::{error_at, AsmError, Loc};
use super::source::{parse_string, pieces, split_args, strip_comment};
use std::collections::BTreeMap;

/// One operation of a wide instruction, as written.
#[derive(Clone, Debug)]
pub(super) struct Op {
    pub(super) text: String,
    pub(super) loc: Loc,
    /// Stores written in gas's traditional order, the value first (the default, or
    /// `.accept ld_st_style`); otherwise in objdump's, after `.ignore ld_st_style`.
    pub(super) value_first: bool,
}

#[derive(Clone, Debug)]
pub(super) enum Item {
    Label(String, Loc),
    Bundle(Vec<Op>, Loc),
    /// `size` bytes per value.
    Data(usize, Vec<(String, Loc)>),
    Bytes(Vec<u8>),
    Align(u64),
    Skip(u64, u8),
    /// `.set name, expr` or `name = expr`.
    Set(String, String, Loc),
    /// `.size name, expr` (`.` is the place of the directive).
    Size(String, String, Loc),
    /// `.cfi_startproc` (true) or `.cfi_endproc` (false).
    Cfi(bool, Loc),
}

/// What `.section NAME, "flags", @type` said of a section (or its name implies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SectionAttrs {
    pub(super) alloc: bool,
    pub(super) write: bool,
    pub(super) exec: bool,
    pub(super) nobits: bool,
}

impl SectionAttrs {
    /// As gas gives sections it knows by name (`.text.foo` as `.text`); other names get
    /// no flags.
    pub(super) fn of_name(n: &str) -> SectionAttrs {
        let is = |p: &str| n == p || n.starts_with(&format!("{p}."));
        let (alloc, write, exec, nobits) = if is(".text") {
            (true, false, true, false)
        } else if is(".data") || is(".dynamic") {
            (true, true, false, false)
        } else if is(".bss") {
            (true, true, false, true)
        } else if is(".rodata") || is(".interp") {
            (true, false, false, false)
        } else {
            (false, false, false, false)
        };
        SectionAttrs {
            alloc,
            write,
            exec,
            nobits,
        }
    }
}

/// A common symbol: the linker allocates it (in `.bss`) unless an object defines it.
#[derive(Clone, Debug)]
pub(super) struct Common {
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) align: u64,
}

pub(super) struct Source {
    pub(super) files: Vec<String>,
    pub(super) sections: BTreeMap<String, Vec<Item>>,
    /// Sections in the order gas numbers them: `.text`, `.data`, `.bss`, then others as
    /// they first appear.
    pub(super) order: Vec<String>,
    pub(super) attrs: BTreeMap<String, SectionAttrs>,
    pub(super) globals: Vec<String>,
    pub(super) weaks: Vec<String>,
    pub(super) funcs: Vec<String>,
    pub(super) objects: Vec<String>,
    /// Names `.local` made local (a `.comm` of one is allocated in `.bss`).
    pub(super) locals: Vec<String>,
    /// `.comm name, size, align` of names not made local: common symbols.
    pub(super) commons: Vec<Common>,
    /// The source file `.file` names.
    pub(super) file_name: Option<String>,
    pub(super) errors: Vec<AsmError>,
}

impl Source {
    fn enter(&mut self, name: &str, attrs: Option<SectionAttrs>) {
        if !self.order.iter().any(|s| s == name) {
            self.order.push(name.to_string());
            self.attrs.insert(
                name.to_string(),
                attrs.unwrap_or_else(|| SectionAttrs::of_name(name)),
            );
        }
    }
}

/// `"flags", @type` after a section name; `None` when nothing is given.
fn section_attrs(name: &str, rest: &[String]) -> Result<Option<SectionAttrs>, String> {
    let Some(flags) = rest.first() else {
        return Ok(None);
    };
    let flags = flags.trim_matches('"');
    let mut a = SectionAttrs {
        alloc: false,
        write: false,
        exec: false,
        nobits: false,
    };
    for c in flags.chars() {
        match c {
            'a' => a.alloc = true,
            'w' => a.write = true,
            'x' => a.exec = true,
            'M' | 'S' | 'G' | 'T' | 'o' | 'R' => {}
            _ => return Err(format!("unknown section flag `{c}` in `{flags}`")),
        }
    }
    match rest.get(1).map(|t| t.trim_start_matches(['@', '%', '#'])) {
        None => a.nobits = SectionAttrs::of_name(name).nobits,
        Some("progbits") => {}
        Some("nobits") => a.nobits = true,
        Some(t) => return Err(format!("unsupported section type `@{t}`")),
    }
    Ok(Some(a))
}

impl Source {
    fn err(&mut self, loc: &Loc, message: impl Into<String>) {
        self.errors.push(error_at(&self.files, loc, message));
    }
}

/// A number, or an expression of numbers and constants known so far.
fn constant(text: &str, consts: &BTreeMap<String, u64>) -> Option<u64> {
    crate::isa::encode::parse_number(text)
        .or_else(|| preprocess::condition_value(text, consts).map(|v| v as u64))
}

pub(super) fn parse_sources(sources: &[(String, String)]) -> Source {
    let mut src = Source {
        files: sources.iter().map(|s| s.0.clone()).collect(),
        sections: BTreeMap::new(),
        order: vec![],
        attrs: BTreeMap::new(),
        globals: vec![],
        weaks: vec![],
        funcs: vec![],
        objects: vec![],
        locals: vec![],
        commons: vec![],
        file_name: None,
        errors: vec![],
    };
    for s in [".text", ".data", ".bss"] {
        src.enter(s, None);
    }
    let mut macros = BTreeMap::new();
    // Constants `.set`/`=` gave a value known where they stand: sizes and alignments
    // (which must not wait for the passes) may use them.
    let mut consts: BTreeMap<String, u64> = BTreeMap::new();
    // gas reads stores value first unless told `.ignore ld_st_style`; as in gas, the
    // setting carries from one source file to the next.
    let mut value_first = true;
    for (fi, (_, text)) in sources.iter().enumerate() {
        let mut section = ".text".to_string();
        let mut section_stack: Vec<String> = Vec::new();
        let mut previous: Option<String> = None;
        let mut bundle: Option<(Vec<Op>, Loc)> = None;
        let mut macro_errors = Vec::new();
        let include_dirs: &[String] = &[];
        let lines: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        let lines = preprocess::includes(lines, &sources[fi].0, include_dirs, &mut macro_errors, 0);
        let lines = expand_macros(lines, &mut macros, &mut macro_errors);
        let lines = preprocess::repeats(lines, &mut macro_errors);
        let lines = preprocess::conditionals(lines, &mut macro_errors);
        let lines = preprocess::local_labels(lines);
        for (line, message) in macro_errors {
            src.err(
                &Loc {
                    file: fi,
                    line,
                    col: 1,
                },
                message,
            );
        }
        for (line_no, raw) in lines {
            let li = line_no - 1;
            let line = strip_comment(&raw);
            for (col, piece) in pieces(line) {
                let lead = piece.len() - piece.trim_start().len();
                let loc = Loc {
                    file: fi,
                    line: li + 1,
                    col: col + lead + 1,
                };
                let mut p = piece.trim().to_string();
                if p == "{" {
                    if bundle.is_some() {
                        src.err(&loc, "`{` inside a wide instruction");
                    }
                    bundle = Some((vec![], loc));
                    continue;
                }
                if p == "}" {
                    match bundle.take() {
                        Some((ops, bloc)) => src
                            .sections
                            .entry(section.clone())
                            .or_default()
                            .push(Item::Bundle(ops, bloc)),
                        None => src.err(&loc, "`}` without `{`"),
                    }
                    continue;
                }
                // Labels.
                while let Some(i) = p.find(':') {
                    let name = p[..i].trim();
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
                        || name.starts_with(|c: char| c.is_ascii_digit())
                    {
                        break;
                    }
                    src.sections
                        .entry(section.clone())
                        .or_default()
                        .push(Item::Label(name.to_string(), loc.clone()));
                    p = p[i + 1..].trim().to_string();
                }
                if p.is_empty() {
                    continue;
                }
                // `name = expr`
                if bundle.is_none() {
                    if let Some((n, e)) = p.split_once('=') {
                        let n = n.trim();
                        if !n.is_empty()
                            && !n.contains(char::is_whitespace)
                            && !n.starts_with('.')
                            && !n.starts_with('%')
                            && !e.starts_with('=')
                        {
                            if let Some(v) = constant(e, &consts) {
                                consts.insert(n.to_string(), v);
                            }
                            src.sections
                                .entry(section.clone())
                                .or_default()
                                .push(Item::Set(n.to_string(), e.trim().to_string(), loc.clone()));
                            continue;
                        }
                    }
                }
                if p.starts_with('.') && bundle.is_none() {
                    let (name, args) = p
                        .split_once(char::is_whitespace)
                        .unwrap_or((p.as_str(), ""));
                    let args = args.trim();
                    if name == ".previous" {
                        // gas swaps the current section and the one before it.
                        match previous.take() {
                            Some(p) => {
                                previous = Some(std::mem::replace(&mut section, p));
                            }
                            None => src.err(&loc, "`.previous` without a section before"),
                        }
                        continue;
                    }
                    if matches!(name, ".text" | ".data" | ".rodata" | ".bss") {
                        previous = Some(section.clone());
                        section = name.to_string();
                        src.enter(name, None);
                        continue;
                    }
                    if name == ".section" || name == ".pushsection" {
                        let a = split_args(args);
                        let n = a.first().cloned().unwrap_or_default();
                        let n = n.trim_matches('"').to_string();
                        if n.is_empty() {
                            src.err(&loc, format!("`{name}` needs a section name"));
                            continue;
                        }
                        match section_attrs(&n, &a[1..]) {
                            Ok(attrs) => {
                                if name == ".pushsection" {
                                    section_stack.push(section.clone());
                                }
                                src.enter(&n, attrs);
                                previous = Some(std::mem::replace(&mut section, n));
                            }
                            Err(m) => src.err(&loc, m),
                        }
                        continue;
                    }
                    let items = src.sections.entry(section.clone()).or_default();
                    match name {
                        ".popsection" => match section_stack.pop() {
                            Some(s) => previous = Some(std::mem::replace(&mut section, s)),
                            None => src.err(&loc, "`.popsection` without `.pushsection`"),
                        },
                        ".global" | ".globl" => src.globals.extend(split_args(args)),
                        ".weak" => src.weaks.extend(split_args(args)),
                        ".ignore" | ".accept" => match args {
                            "ld_st_style" => value_first = name == ".accept",
                            // Latency checks: e2k-as makes none, gas's default.
                            "strict_delay" => {}
                            _ => src.err(
                                &loc,
                                format!("`{name}` knows only `ld_st_style` and `strict_delay`, not `{args}`"),
                            ),
                        },
                        ".local" => src.locals.extend(split_args(args)),
                        ".hidden" => {}
                        ".comm" | ".lcomm" => {
                            let a = split_args(args);
                            let num = |i: usize| a.get(i).and_then(|x| constant(x, &consts));
                            let (Some(n), Some(size)) = (a.first().filter(|n| !n.is_empty()), num(1)) else {
                                src.err(&loc, format!("`{name}` needs `name, size[, alignment]`, not `{args}`"));
                                continue;
                            };
                            // Without one, gas aligns to the size's power of two, 16 at most.
                            let align = match num(2) {
                                Some(x) if x.is_power_of_two() => x,
                                Some(0) | None if a.get(2).is_none() => size.clamp(1, 16).next_power_of_two().min(16),
                                _ => {
                                    src.err(&loc, format!("`{name}` needs a power of two as alignment, not `{}`", a[2]));
                                    continue;
                                }
                            };
                            let n = n.clone();
                            src.objects.push(n.clone());
                            if name == ".lcomm" || src.locals.contains(&n) {
                                // gas allocates a local common in `.bss` where it stands.
                                let bss = src.sections.entry(".bss".into()).or_default();
                                bss.push(Item::Align(align));
                                bss.push(Item::Label(n, loc.clone()));
                                bss.push(Item::Skip(size, 0));
                            } else if !src.commons.iter().any(|c| c.name == n) {
                                src.commons.push(Common { name: n, size, align });
                            }
                        }
                        ".set" | ".equ" => match args.split_once(',') {
                            Some((n, e)) => {
                                if let Some(v) = constant(e, &consts) {
                                    consts.insert(n.trim().to_string(), v);
                                }
                                items.push(Item::Set(
                                    n.trim().to_string(),
                                    e.trim().to_string(),
                                    loc.clone(),
                                ))
                            }
                            None => src.err(&loc, format!("`{name}` needs `name, value`")),
                        },
                        ".type" => {
                            let a = split_args(args);
                            let kind = a.get(1).map(|k| k.trim_start_matches(['@', '#', '%']));
                            match (a.first(), kind) {
                                (Some(n), Some("function")) => src.funcs.push(n.clone()),
                                (Some(n), Some("object")) => src.objects.push(n.clone()),
                                (Some(_), Some("notype")) => {}
                                _ => src.err(&loc, format!("`.type` needs `name, @function` or `name, @object`, not `{args}`")),
                            }
                        }
                        ".size" => match args.split_once(',') {
                            Some((n, e)) => items.push(Item::Size(
                                n.trim().to_string(),
                                e.trim().to_string(),
                                loc.clone(),
                            )),
                            None => src.err(&loc, "`.size` needs `name, size`"),
                        },
                        // `.file "name"` names the source (an STT_FILE symbol, the
                        // first one only, as gas); `.file N "name"` is line information.
                        ".file" => {
                            if let (None, Some(name)) = (&src.file_name, parse_string(args)) {
                                src.file_name = Some(String::from_utf8_lossy(&name).into_owned());
                            }
                        }
                        // Line information is accepted, not recorded (no .debug_line).
                        ".ident" | ".p2align_hint" | ".loc" | ".loc_mark_labels" => {}
                        ".p2align" => {
                            let a = split_args(args);
                            match a.first().and_then(|x| constant(x, &consts)) {
                                Some(n) if n < 32 => items.push(Item::Align(1 << n)),
                                _ => src.err(&loc, format!("`.p2align` needs a power of two's exponent, not `{args}`")),
                            }
                        }
                        ".fill" => {
                            // `.fill REPEAT[, SIZE[, VALUE]]`: SIZE bytes (8 at most), the
                            // low four of them VALUE, as gas writes them.
                            let a = split_args(args);
                            let num = |i: usize, d: u64| match a.get(i) {
                                Some(x) => constant(x, &consts),
                                None => Some(d),
                            };
                            match (num(0, 0), num(1, 1), num(2, 0)) {
                                (Some(r), Some(size), Some(v)) if size <= 8 && r <= 1 << 24 => {
                                    let mut one = ((v & 0xffff_ffff) as u64).to_le_bytes().to_vec();
                                    one.truncate(size as usize);
                                    items.push(Item::Bytes(one.repeat(r as usize)));
                                }
                                _ => src.err(&loc, format!("`.fill` needs `repeat[, size (0..8)[, value]]`, not `{args}`")),
                            }
                        }
                        ".cfi_startproc" if matches!(args, "" | "simple") => {
                            items.push(Item::Cfi(true, loc.clone()))
                        }
                        ".cfi_endproc" => items.push(Item::Cfi(false, loc.clone())),
                        ".cfi_sections" => {
                            if split_args(args).iter().any(|a| a != ".eh_frame") {
                                src.err(&loc, format!("`.cfi_sections` supports only `.eh_frame`, not `{args}`"));
                            }
                        }
                        n if n.starts_with(".cfi_") => src.err(
                            &loc,
                            format!("`{n}` is not supported yet (only `.cfi_startproc`, `.cfi_endproc` and `.cfi_sections .eh_frame`)"),
                        ),
                        ".byte" => items.push(Item::Data(
                            1,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".short" | ".uahalf" | ".half" | ".hword" | ".2byte" => items.push(Item::Data(
                            2,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".word" | ".uaword" | ".long" | ".int" | ".4byte" => items.push(Item::Data(
                            4,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".quad" | ".uadword" | ".uaxword" | ".dword" | ".8byte" => items.push(Item::Data(
                            8,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".ascii" | ".asciz" | ".string" => {
                            for a in split_args(args) {
                                match parse_string(&a) {
                                    Some(mut b) => {
                                        if name != ".ascii" {
                                            b.push(0);
                                        }
                                        items.push(Item::Bytes(b));
                                    }
                                    None => {
                                        src.err(&loc, format!("bad string {a}"));
                                        break;
                                    }
                                }
                            }
                        }
                        ".align" | ".balign" => match constant(args, &consts) {
                            Some(n) if n.is_power_of_two() => items.push(Item::Align(n)),
                            _ => src
                                .err(&loc, format!("`{name}` needs a power of two, not `{args}`")),
                        },
                        ".skip" | ".zero" | ".space" => {
                            let a = split_args(args);
                            let n = a.first().and_then(|x| constant(x, &consts));
                            let fill = a
                                .get(1)
                                .and_then(|x| constant(x, &consts))
                                .unwrap_or(0) as u8;
                            match n {
                                Some(n) => items.push(Item::Skip(n, fill)),
                                None => src.err(&loc, format!("`{name}` needs a size")),
                            }
                        }
                        _ => src.err(&loc, format!("unknown directive `{name}`")),
                    }
                    continue;
                }
                let op = Op {
                    text: p,
                    loc: loc.clone(),
                    value_first,
                };
                match &mut bundle {
                    Some((ops, _)) => ops.push(op),
                    None => src
                        .sections
                        .entry(section.clone())
                        .or_default()
                        .push(Item::Bundle(vec![op], loc)),
                }
            }
        }
        if let Some((_, loc)) = bundle {
            src.err(&loc, "`{` is never closed");
        }
    }
    src
}
