//! The assembler behind `e2k-as`: GNU as syntax for E2K (a subset, see docs/e2k-as.md),
//! two passes (sizes, then values), wide instructions built with the generated
//! encoders (`encode_alu`, `encode_ctl`), literals placed in LTS, and a static ELF
//! executable written with `object`.

use crate::encode::{encode_alu_with, encode_ctl, LiteralRequest};
use crate::isa::Bundle;
use crate::object::{write_executable, OutSection, OutSymbol};
use crate::pack::{pack, Syllables};
use crate::version::Iset;
use std::collections::BTreeMap;
use std::fmt;

/// An error with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for AsmError {}

#[derive(Clone, Debug)]
struct Loc {
    file: usize,
    line: usize,
    col: usize,
}

/// One operation of a wide instruction, as written.
#[derive(Clone, Debug)]
struct Op {
    text: String,
    loc: Loc,
}

#[derive(Clone, Debug)]
enum Item {
    Label(String, Loc),
    Bundle(Vec<Op>, Loc),
    /// `size` bytes per value.
    Data(usize, Vec<(String, Loc)>),
    Bytes(Vec<u8>),
    Align(u64),
    Skip(u64, u8),
    /// `.set name, expr` or `name = expr`.
    Set(String, String, Loc),
}

const SECTION_ORDER: [&str; 4] = [".text", ".rodata", ".data", ".bss"];

struct Source {
    files: Vec<String>,
    sections: BTreeMap<String, Vec<Item>>,
    globals: Vec<String>,
    errors: Vec<AsmError>,
}

fn error_at(files: &[String], loc: &Loc, message: impl Into<String>) -> AsmError {
    AsmError {
        file: files[loc.file].clone(),
        line: loc.line,
        col: loc.col,
        message: message.into(),
    }
}

impl Source {
    fn err(&mut self, loc: &Loc, message: impl Into<String>) {
        self.errors.push(error_at(&self.files, loc, message));
    }
}

/// Removes `!` comments (outside strings) and a line-leading `#`.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '!' if !in_str => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Splits a line into pieces at `;`, `{` and `}` outside strings, keeping braces.
fn pieces(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => {
                in_str = !in_str;
                cur.push(c);
            }
            ';' | '{' | '}' if !in_str => {
                if !cur.trim().is_empty() {
                    out.push((start, cur.clone()));
                }
                cur.clear();
                if c != ';' {
                    out.push((i, c.to_string()));
                }
                start = i + 1;
            }
            _ => {
                if cur.is_empty() {
                    start = i;
                }
                cur.push(c);
            }
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out
}

fn parse_string(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::new();
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            continue;
        }
        match it.next()? {
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            'r' => out.push(b'\r'),
            '0' => out.push(0),
            '\\' => out.push(b'\\'),
            '"' => out.push(b'"'),
            'x' => {
                let mut v = 0u8;
                for _ in 0..2 {
                    v = v * 16 + it.next()?.to_digit(16)? as u8;
                }
                out.push(v);
            }
            o => out.push(o as u8),
        }
    }
    Some(out)
}

fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_str = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_str = !in_str;
                cur.push(c)
            }
            ',' if !in_str => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

struct Macro {
    params: Vec<(String, Option<String>)>,
    body: Vec<String>,
}

/// Expands `.macro NAME a, b=default` … `.endm` definitions and their uses; expanded
/// lines keep the line number of the use. `\a` in the body is the argument. Macros
/// stay defined for the files that follow, as with GNU as.
fn expand_macros(
    text: &str,
    macros: &mut BTreeMap<String, Macro>,
    errors: &mut Vec<(usize, String)>,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut defining: Option<(String, Macro, usize)> = None;
    for (li, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let t = line.trim();
        if let Some((_, m, _)) = &mut defining {
            if t == ".endm" {
                let (n, m, _) = defining.take().unwrap();
                macros.insert(n, m);
            } else {
                m.body.push(line.to_string());
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix(".macro") {
            let rest = rest.trim();
            let (name, params) = rest
                .split_once(|c: char| c.is_whitespace() || c == ',')
                .unwrap_or((rest, ""));
            if name.is_empty() {
                errors.push((li + 1, "`.macro` needs a name".into()));
                continue;
            }
            let params = params
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((n, d)) => (n.trim().to_string(), Some(d.trim().to_string())),
                    None => (p.trim().to_string(), None),
                })
                .collect();
            defining = Some((
                name.to_string(),
                Macro {
                    params,
                    body: vec![],
                },
                li + 1,
            ));
            continue;
        }
        expand_line(macros, li + 1, line, &mut out, errors, 0);
    }
    if let Some((n, _, l)) = defining {
        errors.push((l, format!("`.macro {n}` has no `.endm`")));
    }
    out
}

fn expand_line(
    macros: &BTreeMap<String, Macro>,
    line_no: usize,
    line: &str,
    out: &mut Vec<(usize, String)>,
    errors: &mut Vec<(usize, String)>,
    depth: u32,
) {
    let t = line.trim();
    // A label may stand before a macro use on the same line.
    if let Some((label, rest)) = t.split_once(':') {
        let is_label = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$');
        if is_label && macros.contains_key(rest.split_whitespace().next().unwrap_or("")) {
            out.push((line_no, format!("{label}:")));
            return expand_line(macros, line_no, rest, out, errors, depth);
        }
    }
    let (head, args) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let Some(m) = macros.get(head) else {
        out.push((line_no, line.to_string()));
        return;
    };
    if depth > 32 {
        errors.push((line_no, format!("macro `{head}` expands too deeply")));
        return;
    }
    let given = split_args(args);
    let mut values: Vec<(String, String)> = Vec::new();
    for (i, (p, default)) in m.params.iter().enumerate() {
        let named = given.iter().find_map(|g| {
            g.strip_prefix(&format!("{p}="))
                .map(|v| v.trim().to_string())
        });
        let positional = given.get(i).filter(|g| !g.contains('=')).cloned();
        match named.or(positional).or(default.clone()) {
            Some(v) => values.push((p.clone(), v)),
            None => {
                errors.push((line_no, format!("macro `{head}` needs argument `{p}`")));
                return;
            }
        }
    }
    // Longer names first, so that \ab is not read as \a followed by b.
    values.sort_by_key(|v| std::cmp::Reverse(v.0.len()));
    for body_line in &m.body {
        let mut l = body_line.clone();
        for (p, v) in &values {
            l = l.replace(&format!("\\{p}"), v);
        }
        expand_line(macros, line_no, &l, out, errors, depth + 1);
    }
}

fn parse_sources(sources: &[(String, String)]) -> Source {
    let mut src = Source {
        files: sources.iter().map(|s| s.0.clone()).collect(),
        sections: BTreeMap::new(),
        globals: vec![],
        errors: vec![],
    };
    let mut macros = BTreeMap::new();
    for (fi, (_, text)) in sources.iter().enumerate() {
        let mut section = ".text".to_string();
        let mut section_stack: Vec<String> = Vec::new();
        let mut bundle: Option<(Vec<Op>, Loc)> = None;
        let mut macro_errors = Vec::new();
        let lines = expand_macros(text, &mut macros, &mut macro_errors);
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
                    let items = src.sections.entry(section.clone()).or_default();
                    match name {
                        ".text" | ".data" | ".rodata" | ".bss" => section = name.to_string(),
                        ".section" | ".pushsection" => {
                            let n = split_args(args).first().cloned().unwrap_or_default();
                            match SECTION_ORDER.iter().find(|s| n == **s || n.starts_with(&format!("{s}."))) {
                                Some(s) => {
                                    if name == ".pushsection" {
                                        section_stack.push(section.clone());
                                    }
                                    section = s.to_string()
                                }
                                None => src.err(&loc, format!("unsupported section `{n}` (use .text, .rodata, .data or .bss)")),
                            }
                        }
                        ".popsection" => match section_stack.pop() {
                            Some(s) => section = s,
                            None => src.err(&loc, "`.popsection` without `.pushsection`"),
                        },
                        ".global" | ".globl" => src.globals.extend(split_args(args)),
                        ".set" | ".equ" => match args.split_once(',') {
                            Some((n, e)) => items.push(Item::Set(
                                n.trim().to_string(),
                                e.trim().to_string(),
                                loc.clone(),
                            )),
                            None => src.err(&loc, format!("`{name}` needs `name, value`")),
                        },
                        ".type" | ".size" | ".file" | ".ident" | ".p2align_hint" => {}
                        ".byte" => items.push(Item::Data(
                            1,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".short" | ".half" | ".hword" | ".2byte" => items.push(Item::Data(
                            2,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".word" | ".long" | ".int" | ".4byte" => items.push(Item::Data(
                            4,
                            split_args(args)
                                .into_iter()
                                .map(|a| (a, loc.clone()))
                                .collect(),
                        )),
                        ".quad" | ".dword" | ".8byte" => items.push(Item::Data(
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
                        ".align" | ".balign" => match crate::encode::parse_number(args) {
                            Some(n) if n.is_power_of_two() => items.push(Item::Align(n)),
                            _ => src
                                .err(&loc, format!("`{name}` needs a power of two, not `{args}`")),
                        },
                        ".skip" | ".zero" | ".space" => {
                            let a = split_args(args);
                            let n = a.first().and_then(|x| crate::encode::parse_number(x));
                            let fill = a
                                .get(1)
                                .and_then(|x| crate::encode::parse_number(x))
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

/// Resolves `sym`, `sym+N`, `sym-N` and numbers.
fn eval(expr: &str, symbols: &BTreeMap<String, u64>) -> Option<u64> {
    let e = expr.trim();
    if let Some(v) = crate::encode::parse_number(e) {
        return Some(v);
    }
    // Split at the last + or -, so that a - b - c is (a - b) - c.
    for (i, c) in e
        .char_indices()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        if c == '+' || c == '-' {
            let base = eval(&e[..i], symbols)?;
            let off = eval(&e[i + 1..], symbols)?;
            return Some(if c == '+' {
                base.wrapping_add(off)
            } else {
                base.wrapping_sub(off)
            });
        }
    }
    symbols.get(e).copied()
}

/// Places literal requests in LTS slots (after any the bundle already uses) and patches
/// the operand bytes; equal literals share a slot.
fn place_literals(b: &mut Bundle, reqs: &[(u8, LiteralRequest)]) -> Result<(), String> {
    let mut used: Vec<Option<(u32, u64)>> =
        b.lts.iter().map(|l| l.map(|x| (0, x.0 as u64))).collect();
    // The most constrained first: 16-bit literals live only in LTS0-1, 64-bit ones start
    // at LTS0-2, 32-bit ones anywhere.
    let mut reqs: Vec<&(u8, LiteralRequest)> = reqs.iter().collect();
    reqs.sort_by_key(|(_, r)| match r.bits {
        16 => 0,
        64 => 1,
        _ => 2,
    });
    for (ch, r) in reqs {
        // With LTS0-1 taken, a 16-bit literal can still go into a 32-bit one.
        let widened;
        let r = if r.bits == 16 && (0..=1).all(|s| used[s].is_some_and(|u| u != (16, r.value))) {
            match widen_literal(r) {
                Some(w) => {
                    widened = w;
                    &widened
                }
                None => r,
            }
        } else {
            r
        };
        let words = if r.bits == 64 { 2 } else { 1 };
        let max_slot = match r.bits {
            16 => 1,
            32 => 3,
            _ => 2,
        };
        let shared = (0..=max_slot).find(|&s| used[s] == Some((r.bits, r.value)));
        let slot = match shared {
            Some(s) => s,
            None => {
                let s = (0..=max_slot)
                    .find(|&s| (s..s + words).all(|k| k < 4 && used[k].is_none()))
                    .ok_or_else(|| {
                        "too many literals for one wide instruction (4 LTS at most)".to_string()
                    })?;
                let v = r.value
                    & if r.bits == 64 {
                        u64::MAX
                    } else {
                        (1u64 << r.bits) - 1
                    };
                b.lts[s] = Some(crate::isa::Lts(v as u32));
                used[s] = Some((r.bits, r.value));
                if words == 2 {
                    b.lts[s + 1] = Some(crate::isa::Lts((v >> 32) as u32));
                    used[s + 1] = Some((0, v >> 32));
                }
                s
            }
        };
        let als = b.als[*ch as usize]
            .as_mut()
            .expect("literal of a present operation");
        let byte = r.byte_base as u32 + slot as u32;
        als.0 = (als.0 & !(0xff << r.field_lo)) | byte << r.field_lo;
    }
    // LTS must be contiguous from LTS0.
    if let Some(gap) =
        (0..4).find(|&k| b.lts[k].is_none() && b.lts[k + 1..].iter().any(|l| l.is_some()))
    {
        b.lts[gap] = Some(crate::isa::Lts(0));
    }
    Ok(())
}

/// The same literal as a 32-bit one of the same operand map (sign-extended value).
fn widen_literal(r: &LiteralRequest) -> Option<LiteralRequest> {
    use crate::isa::{KindClass, KINDS, OPERANDS};
    let map = OPERANDS.iter().find(|m| {
        m.table[r.byte_base as usize].is_some_and(|(k, _)| {
            matches!(KINDS[k as usize].class, KindClass::Lit { bits: 16, .. })
        })
    })?;
    let byte = (0..=255u8).find(|&b| {
        map.table[b as usize].is_some_and(|(k, n)| {
            n == 0 && matches!(KINDS[k as usize].class, KindClass::Lit { bits: 32, .. })
        })
    })?;
    let value = (r.value as u16 as i16 as i32 as u32) as u64;
    Some(LiteralRequest {
        bits: 32,
        value,
        byte_base: byte,
        field_lo: r.field_lo,
    })
}

/// GNU as writes memory operands in brackets: `ldd,2 [ %dr0 + 8 ], %dr2` and
/// `std,2 %dr3, [ %dr0 + %dr1 ]`. The listing form puts the address parts first:
/// `ldd,2 %dr0, 0x8, %dr2`, `std,2 %dr0, %dr1, %dr3`.
fn unbracket(operands: &str) -> Result<String, String> {
    // An address bracket opens an operand; `%b[0]` is a register name.
    let opens_operand =
        |i: usize| operands[..i].trim_end().is_empty() || operands[..i].trim_end().ends_with(',');
    let Some(open) = operands
        .match_indices('[')
        .map(|(i, _)| i)
        .find(|&i| opens_operand(i))
    else {
        return Ok(operands.to_string());
    };
    let close = operands[open..]
        .find(']')
        .map(|c| open + c)
        .ok_or("`[` without `]`")?;
    let inner = &operands[open + 1..close];
    let mut addr: Vec<String> = inner.split('+').map(|p| p.trim().to_string()).collect();
    if addr.len() == 1 {
        addr.push("0".into());
    }
    if addr.len() != 2 || addr.iter().any(|a| a.is_empty()) {
        return Err(format!(
            "an address is `[ base ]` or `[ base + offset ]`, not `[{inner}]`"
        ));
    }
    let others: Vec<String> = format!("{} {}", &operands[..open], &operands[close + 1..])
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    Ok(addr
        .into_iter()
        .chain(others)
        .collect::<Vec<_>>()
        .join(", "))
}

/// One condition written after an ALU operation: ` ? %pred0, ~%pcnt2` (RLP: the
/// channel executes when they hold) or, for merges, `, %pred1` (MRGC: the selector).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cond {
    mrgc: bool,
    neg: bool,
    /// 7-bit predicate source: 0x60 + N for %predN, 0x40 + N for %pcntN.
    psrc: u32,
}

fn parse_pred(s: &str) -> Option<(bool, u32)> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('~') {
        Some(r) => (true, r.trim()),
        None => (false, s),
    };
    let (base, n) = if let Some(n) = s.strip_prefix("%pred") {
        (0x60, n)
    } else {
        (0x40, s.strip_prefix("%pcnt")?)
    };
    let n: u32 = n.parse().ok()?;
    (n < 32).then_some((neg, base + n))
}

/// Splits ALU operand text from its trailing conditions.
fn split_conditions(operands: &str, merge: bool) -> Result<(String, Vec<Cond>), String> {
    let mut conds = Vec::new();
    let (mut ops, rlp) = match operands.split_once('?') {
        Some((a, b)) => (a.trim().to_string(), Some(b)),
        None => (operands.trim().to_string(), None),
    };
    if let Some(r) = rlp {
        for p in r.split(',') {
            let (neg, psrc) =
                parse_pred(p).ok_or_else(|| format!("bad condition `{}`", p.trim()))?;
            conds.push(Cond {
                mrgc: false,
                neg,
                psrc,
            });
        }
    }
    if merge {
        // The selector is the last operand of a merge: `..., %dst, %pred0`.
        if let Some((a, last)) = ops.rsplit_once(',') {
            if let Some((neg, psrc)) = parse_pred(last) {
                conds.push(Cond {
                    mrgc: true,
                    neg,
                    psrc,
                });
                ops = a.trim().to_string();
            }
        }
    }
    Ok((ops, conds))
}

/// Packs conditions into CDS half-syllables: one entry per (kind, cluster, predicate),
/// with the channels it governs in its mask; high half of CDS0 first.
fn place_conditions(b: &mut Bundle, conds: &[(u8, Cond)]) -> Result<(), String> {
    let mut entries: Vec<u32> = Vec::new();
    for &(ch, c) in conds {
        let cluster = u32::from(ch >= 3);
        let pos = u32::from(ch % 3);
        let opc = if c.mrgc { 2 + cluster } else { cluster };
        let key = opc << 14 | c.psrc;
        let e = match entries.iter_mut().find(|e| **e & 0xc07f == key) {
            Some(e) => e,
            None => {
                entries.push(key);
                entries.last_mut().unwrap()
            }
        };
        *e |= 1 << (10 + pos);
        if c.neg {
            *e |= 1 << (7 + pos);
        }
    }
    if entries.len() > 6 {
        return Err("too many conditions for one wide instruction (6 at most)".into());
    }
    for (k, pair) in entries.chunks(2).enumerate() {
        let hi = pair[0];
        let lo = pair.get(1).copied().unwrap_or(0);
        b.cds[k] = Some(crate::isa::Cds(hi << 16 | lo));
    }
    Ok(())
}

/// Builds one wide instruction at `pc`.
fn build_bundle(
    ops: &[Op],
    pc: u64,
    iset: Iset,
    symbols: &BTreeMap<String, u64>,
    strict: bool,
) -> Result<Vec<u8>, (Loc, String)> {
    let mut b = Bundle::default();
    let mut lits = Vec::new();
    let mut conds = Vec::new();
    let mut unsettled = Vec::new();
    // Before symbols are known (first pass) every name reads as 0: sizes do not
    // depend on symbol values.
    let lookup = |s: &str| -> Option<u64> {
        match eval(s, symbols) {
            Some(v) => Some(v),
            None if !strict && s.chars().any(|c| c.is_ascii_alphabetic() || c == '_') => Some(0),
            None => None,
        }
    };
    for op in ops {
        let (head, rest) = op
            .text
            .split_once(char::is_whitespace)
            .unwrap_or((op.text.as_str(), ""));
        let mut parts = head.split(',');
        let name = parts.next().unwrap_or("");
        let ch = parts.next().and_then(|c| c.parse::<u8>().ok());
        // `movad,0 ...` has a channel too, but it is no ALU operation.
        let alu = crate::isa::OPS.iter().any(|o| o.name == name);
        if let (Some(ch), true) = (ch, alu) {
            let sm = parts.any(|p| p == "sm");
            if ch > 5 {
                return Err((
                    op.loc.clone(),
                    format!("channel {ch} does not exist (0..5)"),
                ));
            }
            if b.als[ch as usize].is_some() {
                return Err((
                    op.loc.clone(),
                    format!("channel {ch} is already used in this wide instruction"),
                ));
            }
            let merge = crate::isa::OPS.iter().enumerate().any(|(i, o)| {
                o.name == name
                    && crate::isa::ENCODINGS.iter().any(|e| {
                        e.op as usize == i
                            && crate::isa::FORMATS[e.format as usize]
                                .syntax
                                .iter()
                                .any(|t| matches!(t, crate::isa::Tmpl::Hole("cond", _)))
                    })
            });
            let (operands, cs) = split_conditions(rest, merge).map_err(|m| (op.loc.clone(), m))?;
            let operands = unbracket(&operands).map_err(|m| (op.loc.clone(), m))?;
            if merge && !cs.iter().any(|c| c.mrgc) {
                return Err((
                    op.loc.clone(),
                    format!(
                        "`{name}` needs its selector predicate after the operands (`, %predN`)"
                    ),
                ));
            }
            conds.extend(cs.into_iter().map(|c| (ch, c)));
            let e = encode_alu_with(name, ch, sm, &operands, iset, &lookup)
                .map_err(|e| (op.loc.clone(), e.to_string()))?;
            b.als[ch as usize] = Some(crate::isa::Als(e.als));
            b.ales[ch as usize] = e.ales.map(crate::isa::Ales);
            if let Some(m) = e.mas {
                let shift = match ch {
                    0 => 21,
                    2 => 14,
                    3 => 7,
                    5 => 0,
                    _ => return Err((op.loc.clone(), format!("channel {ch} has no MAS"))),
                };
                let cs1 = b
                    .cs1
                    .get_or_insert(crate::isa::Cs1(crate::isa::consts::CS1_MAS << 28));
                if cs1.opc() != crate::isa::consts::CS1_MAS {
                    return Err((
                        op.loc.clone(),
                        "a MAS needs CS1, which another operation uses".into(),
                    ));
                }
                cs1.0 |= (m as u32 & 0x7f) << shift;
            }
            if let Some(l) = e.literal {
                lits.push((ch, l));
            }
        } else {
            let placed = encode_ctl(&op.text, pc, iset, &mut b, &lookup)
                .map_err(|e| (op.loc.clone(), e.to_string()))?;
            if !placed.settled {
                unsettled.push((placed, op.loc.clone(), op.text.clone()));
            }
        }
    }
    // Operations that depend on others of the bundle (evaluators read by a combiner)
    // must hold once all are placed.
    for (p, loc, text) in unsettled {
        if !crate::encode::ctl_holds(&b, pc, p) {
            return Err((
                loc,
                format!(
                    "`{text}` has no effect in this wide instruction (nothing uses its result)"
                ),
            ));
        }
    }
    place_literals(&mut b, &lits).map_err(|m| (ops[0].loc.clone(), m))?;
    place_conditions(&mut b, &conds).map_err(|m| (ops[0].loc.clone(), m))?;
    pack(&Syllables::from_bundle(&b), iset).map_err(|e| (ops[0].loc.clone(), e.to_string()))
}

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
            writable: *name == ".data" || bss,
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

/// Assembles into an ELF executable image.
pub fn assemble_elf(
    sources: &[(String, String)],
    opts: &Options,
) -> Result<Vec<u8>, Vec<AsmError>> {
    let a = assemble(sources, opts)?;
    Ok(write_executable(
        &a.sections,
        &a.symbols,
        a.entry,
        e_flags(opts.iset),
    ))
}
