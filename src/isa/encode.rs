//! Encoding ALU operations from their text: the inverse of decoding plus printing. The
//! operation's format template says where each operand stands; each operand's text is
//! matched against the spellings (`kind` templates) its operand field allows, which
//! gives the byte. Literals are returned as requests; the bundle packer places them.

use crate::isa::size_prefix;
use crate::isa::version::Iset;
use crate::isa::{self, KindClass, Role, Tmpl};
use std::fmt;

/// A literal an operand needs: its width and value. The packer chooses the LTS slot
/// and patches `byte_base + slot` into the operand field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiteralRequest {
    pub bits: u32,
    pub value: u64,
    /// Operand byte of slot 0 for this literal size (e.g. 0xd8 for 32-bit).
    pub byte_base: u8,
    /// Bit position of the operand field in the ALS.
    pub field_lo: u32,
    /// Width of that field in bits (8 for operand bytes, 2 for array-store literals).
    pub field_width: u32,
    /// Index into `OPERANDS` of the field's operand map (the other literal forms).
    pub operand: u8,
    /// The size was written (`_f16s`, `_f32s`, `_f64`), so the packer keeps it.
    pub explicit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedAlu {
    pub channel: u8,
    pub als: u32,
    pub ales: Option<u16>,
    pub literal: Option<LiteralRequest>,
    /// MAS for CS1, if the text gave one.
    pub mas: Option<u8>,
    /// A register-pair (quad) operation's second half: its channel and ALS (the
    /// 128-bit registers but a quad `src1` name the pair's odd half, as gas writes
    /// them); ALES and literal as the first half's.
    pub pair: Option<(u8, u32)>,
    /// Index into `FORMATS` of the encoding used.
    pub format: u8,
    /// Index into `OPS` of the operation encoded.
    pub op: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    UnknownMnemonic(String),
    NotInChannel {
        name: String,
        channel: u8,
        iset: Iset,
    },
    BadOperands {
        name: String,
        text: String,
        expected: String,
    },
    /// The operation needs fields another operation of the wide instruction already set.
    Conflict(String),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::UnknownMnemonic(n) => write!(f, "unknown mnemonic `{n}`"),
            EncodeError::NotInChannel {
                name,
                channel,
                iset,
            } => {
                write!(f, "`{name}` cannot use channel {channel} in ISA {iset}")
            }
            EncodeError::BadOperands {
                name,
                text,
                expected,
            } => {
                write!(
                    f,
                    "bad operands `{text}` for `{name}` (expected {expected})"
                )
            }
            EncodeError::Conflict(text) => {
                write!(f, "`{text}` needs syllable fields another operation of this wide instruction already uses")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// A number as the assembler writes it (decimal, `0x` hex, optional `-`).
pub fn parse_number(s: &str) -> Option<u64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b.trim_start()),
        None => (false, s),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else {
        body.parse::<u64>().ok()?
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Matches `text` against a kind's template; returns the kind number or literal value
/// written in it (`None` in the pair when the template has no number).
fn match_kind(t: &[Tmpl], text: &str, ty: u8) -> Option<(Option<u64>, Option<u64>)> {
    let mut rest = text.trim();
    let (mut n, mut value) = (None, None);
    for (i, seg) in t.iter().enumerate() {
        match *seg {
            Tmpl::Text(s) => {
                rest = match rest.strip_prefix(s) {
                    Some(r) => r,
                    // Trailing spaces of a spelling were trimmed off the text.
                    None if s.trim().is_empty() && rest.is_empty() => rest,
                    None => return None,
                }
            }
            Tmpl::Hole("sz", _) => {
                // The operand type fixes the prefix; `%r` also stands for `%dr` and the
                // other sizes, as the assembler accepts (the size is the operation's).
                let p = size_prefix(ty);
                rest = rest.strip_prefix(p).unwrap_or(rest);
            }
            Tmpl::Hole(name, _) => {
                // A number runs to the next literal text of the template (or the end,
                // when that text is only the spaces the operand was trimmed of).
                let end = match t.get(i + 1) {
                    Some(Tmpl::Text(next)) if !next.trim().is_empty() || i + 2 < t.len() => {
                        rest.find(next)?
                    }
                    _ => rest.len(),
                };
                let v = parse_number(&rest[..end])?;
                rest = &rest[end..];
                if name == "value" {
                    value = Some(v);
                } else {
                    n = Some(v);
                }
            }
        }
    }
    rest.trim().is_empty().then_some((n, value))
}

fn is_symbol(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
}

/// The operand byte for `text` in field `f`, or a literal request. A symbol becomes a
/// literal of the operand's width (64-bit for 64-bit operands, else 32-bit).
fn encode_operand(
    f: &isa::FieldInfo,
    text: &str,
    ty: u8,
    symbols: &dyn Fn(&str) -> Option<u64>,
) -> Option<(u8, Option<LiteralRequest>)> {
    let map = &isa::OPERANDS[f.operand as usize];
    // Anything that is not a register or literal spelling may be a symbol expression.
    let symbol = if f.role == Role::Src
        && (is_symbol(text)
            || (!text.starts_with('%') && !text.starts_with('_') && parse_number(text).is_none()))
    {
        symbols(text)
    } else {
        None
    };
    let bare = parse_number(text).or(symbol);
    for v in 0..=255u8 {
        let Some((kind, n)) = map.table[v as usize] else {
            continue;
        };
        let k = &isa::KINDS[kind as usize];
        if k.class == KindClass::Invalid {
            continue;
        }
        let matched = match_kind(k.template, text, ty);
        match k.class {
            KindClass::Lit { bits, shift } => {
                // Only the first slot of each literal size represents the class.
                if n != 0 || shift != 0 {
                    continue;
                }
                if symbol.is_some() && bits != if ty == b'D' { 64 } else { 32 } {
                    continue;
                }
                // `_f64 sym + 8`: a literal of the size written, with a symbolic value.
                let written_symbol = || {
                    let Some(Tmpl::Text(lead)) = k.template.first() else {
                        return None;
                    };
                    let rest = text.strip_prefix(lead.trim_end())?;
                    let rest = rest.strip_prefix(char::is_whitespace)?.trim();
                    (f.role == Role::Src && parse_number(rest).is_none())
                        .then(|| symbols(rest))
                        .flatten()
                };
                let written = match matched {
                    Some((_, Some(x))) => Some(x),
                    _ => written_symbol(),
                };
                let Some(value) = written.or(bare.filter(|_| f.role == Role::Src)) else {
                    continue;
                };
                // Shorter literals are sign-extended to the operand's width: a bare
                // number takes one only if it reads back the same.
                // As gas decides, from the number as written (a 64-bit value): a
                // 16-bit literal for -32768..32767, a 64-bit one in a 64-bit
                // operation for what a sign-extended 32-bit one cannot give.
                if written.is_none() && bits < 64 {
                    let v = value as i64;
                    let fits = match bits {
                        16 => (-0x8000..=0x7fff).contains(&v),
                        _ => ty == b'S' || (-0x8000_0000..=0x7fff_ffff).contains(&v),
                    };
                    if !fits {
                        continue;
                    }
                }
                return Some((
                    v,
                    Some(LiteralRequest {
                        bits,
                        value,
                        byte_base: v,
                        field_lo: f.lo,
                        field_width: f.width,
                        operand: f.operand,
                        explicit: written.is_some(),
                    }),
                ));
            }
            KindClass::Imm => {
                // A symbol always takes a literal, so that sizes do not depend on values.
                if symbol.is_some() && parse_number(text).is_none() {
                    continue;
                }
                if let Some(x) = bare {
                    if x == n as u64 {
                        return Some((v, None));
                    }
                }
            }
            _ => {
                if let Some((num, _)) = matched {
                    if num.is_none_or(|x| x == n as u64) {
                        return Some((v, None));
                    }
                }
            }
        }
    }
    None
}

/// Splits the operand text of an ALU operation at the separators of its template.
fn split_operands<'a>(syntax: &[Tmpl], text: &'a str) -> Option<Vec<(&'static str, &'a str)>> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    let holes: Vec<(usize, &'static str)> = syntax
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Tmpl::Hole(n, _) if !matches!(*n, "mas" | "cond" | "incr_line") => Some((i, *n)),
            _ => None,
        })
        .collect();
    for (k, (i, name)) in holes.iter().enumerate() {
        // Leading text before this hole.
        if let Some(Tmpl::Text(pre)) = i.checked_sub(1).and_then(|j| syntax.get(j)) {
            rest = rest.trim_start().strip_prefix(pre.trim())?.trim_start();
        }
        let next = match syntax.get(i + 1) {
            Some(Tmpl::Text(sep)) => Some(sep.trim()),
            _ => None,
        };
        let end = if k + 1 < holes.len() {
            match next {
                // A separator of spaces alone: the operand runs to the next space.
                Some("") => rest.find(char::is_whitespace).unwrap_or(rest.len()),
                Some(sep) => rest.find(sep)?,
                None => return None,
            }
        } else {
            // Text after the last operand (a closing bracket) ends it.
            match next {
                Some(t) if !t.is_empty() => rest.rfind(t)?,
                _ => rest.len(),
            }
        };
        out.push((*name, rest[..end].trim()));
        rest = &rest[end..];
        if k + 1 == holes.len() {
            if let Some(t) = next {
                rest = rest.trim_start().strip_prefix(t)?;
            }
        }
    }
    rest.trim().is_empty().then_some(out)
}

/// Encodes `name,channel[,sm] operands` (the operand text without the mnemonic).
pub fn encode_alu(
    name: &str,
    channel: u8,
    sm: bool,
    operands: &str,
    iset: Iset,
) -> Result<EncodedAlu, EncodeError> {
    encode_alu_with(name, channel, sm, operands, iset, &|_| None)
}

/// `encode_alu` with symbol values for operands written as names.
pub fn encode_alu_with(
    name: &str,
    channel: u8,
    sm: bool,
    operands: &str,
    iset: Iset,
    symbols: &dyn Fn(&str) -> Option<u64>,
) -> Result<EncodedAlu, EncodeError> {
    // The operations of that name, or those with an `asm` spelling of that name.
    let mut ops: Vec<(usize, Option<&isa::AsmForm>)> = isa::OPS
        .iter()
        .enumerate()
        .filter(|(_, o)| o.name == name || o.also.contains(&name))
        .map(|(i, _)| (i, None))
        .collect();
    for (i, o) in isa::OPS.iter().enumerate() {
        ops.extend(
            o.asm
                .iter()
                .filter(|a| a.name == name)
                .map(|a| (i, Some(a))),
        );
    }
    if ops.is_empty() {
        return Err(EncodeError::UnknownMnemonic(name.to_string()));
    }
    // Trailing `, mas = N` belongs to memory operations.
    let (operands, mas) = match operands.rsplit_once(',').and_then(|(a, m)| {
        let m = m
            .trim()
            .strip_prefix("mas")?
            .trim_start()
            .strip_prefix('=')?;
        Some((a, parse_number(m).map(|v| v as u8)))
    }) {
        Some((a, m)) => (a, m),
        None => (operands, None),
    };
    let mut expected = String::new();
    let candidates = ops.iter().flat_map(|&(op, form)| {
        isa::ENCODINGS
            .iter()
            .filter(move |e| e.op as usize == op)
            .map(move |e| (e, form))
    });
    for (e, form) in candidates {
        if e.channels & (1 << channel) == 0 || e.versions & iset.mask() == 0 {
            continue;
        }
        let fmt = &isa::FORMATS[e.format as usize];
        let info = &isa::OPS[e.op as usize];
        let syntax = form.map_or(fmt.syntax, |f| f.syntax);
        let mas = form.and_then(|f| f.mas).or(mas);
        expected = syntax
            .iter()
            .map(|t| match t {
                Tmpl::Text(s) => s.to_string(),
                Tmpl::Hole(n, _) if matches!(*n, "mas" | "cond" | "incr_line") => String::new(),
                Tmpl::Hole(n, _) => n.to_string(),
            })
            .collect();
        let Some(parts) = split_operands(syntax, operands) else {
            continue;
        };
        let mut als = e.als_value | (u32::from(sm) << 31);
        let mut ales = e.ales_value as u32;
        let mut literal = None;
        let mut types = info.args.bytes();
        let mut ok = true;
        // Register fields the second half of a pair gives the odd register.
        let mut odd: u32 = 0;
        for f in fmt.fields {
            let ty = match f.role {
                Role::Src | Role::Dst => types.next().unwrap_or(b' '),
                _ => b' ',
            };
            let put = |als: &mut u32, ales: &mut u32, v: u32| {
                if f.in_ales {
                    *ales |= v << f.lo;
                } else {
                    *als |= v << f.lo;
                }
            };
            if let Some(&(_, v)) = form.and_then(|a| a.fixed.iter().find(|(n, _)| *n == f.name)) {
                put(&mut als, &mut ales, v);
                continue;
            }
            let Some((_, text)) = parts.iter().find(|(n, _)| *n == f.name) else {
                // A plain-number field the syntax does not show (array-store AAU
                // operation bits) is written as 0.
                // So is any field an `asm` spelling leaves out.
                if (f.role == Role::None || form.is_some())
                    && !syntax
                        .iter()
                        .any(|t| matches!(t, Tmpl::Hole(n, _) if *n == f.name))
                {
                    continue;
                }
                ok = false;
                break;
            };
            // `{field:d}` in an `asm` spelling: the field's number itself.
            if form.is_some()
                && syntax
                    .iter()
                    .any(|t| matches!(t, Tmpl::Hole(n, "d") if *n == f.name))
            {
                match parse_number(text).filter(|&v| v < 1 << f.width) {
                    Some(v) => put(&mut als, &mut ales, v as u32),
                    None => {
                        ok = false;
                        break;
                    }
                }
                continue;
            }
            match encode_operand(f, text, ty, symbols) {
                Some((byte, lit)) => {
                    if ty == b'Q' && f.name != "src1" && lit.is_none() && !f.in_ales {
                        odd |= 1 << f.lo;
                    }
                    if f.in_ales {
                        ales |= (byte as u32) << f.lo;
                    } else {
                        als |= (byte as u32) << f.lo;
                    }
                    if lit.is_some() {
                        literal = lit;
                    }
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            // The k-th channel of a first half pairs with the k-th second-half one;
            // naming either channel places the pair (as gas does).
            let firsts: Vec<u8> = (0..6)
                .filter(|c| e.channels & !e.second & (1 << c) != 0)
                .collect();
            let seconds: Vec<u8> = (0..6).filter(|c| e.second & (1 << c) != 0).collect();
            let (channel, pair) = match (
                firsts.iter().position(|&c| c == channel),
                seconds.iter().position(|&c| c == channel),
            ) {
                _ if e.second == 0 => (channel, None),
                (Some(k), _) => (channel, seconds.get(k).map(|&c| (c, als | odd))),
                (_, Some(k)) => match firsts.get(k) {
                    Some(&f) => (f, Some((channel, als | odd))),
                    None => (channel, None),
                },
                _ => (channel, None),
            };
            // gas clears the low bit of the pair's first register (`& 0xfe`).
            if pair.is_some() {
                als &= !odd;
            }
            return Ok(EncodedAlu {
                channel,
                als,
                ales: fmt.ales.then_some(ales as u16),
                literal,
                mas,
                pair,
                format: e.format,
                op: e.op,
            });
        }
    }
    if expected.is_empty() {
        return Err(EncodeError::NotInChannel {
            name: name.to_string(),
            channel,
            iset,
        });
    }
    Err(EncodeError::BadOperands {
        name: name.to_string(),
        text: operands.to_string(),
        expected,
    })
}

// ------------------------------------------------------------------ control operations

use crate::isa::{AsmSeg, Bundle, FieldLoc, TextSeg, CTLS, CTL_ASM, TEXT_ASM};

/// Text without blanks: operation syntax is compared regardless of spacing.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A number or a symbol at the start of `rest`.
fn value<'a>(rest: &'a str, symbols: &dyn Fn(&str) -> Option<u64>) -> Option<(u64, &'a str)> {
    let neg = rest.starts_with('-');
    let body = if neg { &rest[1..] } else { rest };
    // Blanks are gone, so a number ends at its last digit (`0area` is 0, then `area`).
    let end = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        2 + h.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(h.len())
    } else if body.starts_with(|c: char| c.is_ascii_digit()) {
        body.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(body.len())
    } else {
        body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'))
            .unwrap_or(body.len())
    };
    let tok = &body[..end];
    if tok.is_empty() {
        return None;
    }
    let v = if tok.starts_with(|c: char| c.is_ascii_digit()) {
        parse_number(tok)?
    } else {
        symbols(tok)?
    };
    Some((if neg { v.wrapping_neg() } else { v }, &body[end..]))
}

/// Known bits of each `text` parameter: (mask, value).
type Params = Vec<(u64, u64)>;

fn match_text(
    ti: u16,
    rest: &str,
    symbols: &dyn Fn(&str) -> Option<u64>,
    k: &mut dyn FnMut(&str, &Params) -> bool,
) -> bool {
    let t = &TEXT_ASM[ti as usize];
    for case in t.cases {
        let mut params: Params = vec![(0, 0); t.params as usize];
        if !case
            .conds
            .iter()
            .all(|&(p, m, v)| bind(&mut params, p as usize, m, v))
        {
            continue;
        }
        if match_text_segs(case.segs, rest, params, symbols, k) {
            return true;
        }
    }
    false
}

/// Adds known bits to a parameter; false if they contradict what is known.
fn bind(params: &mut Params, p: usize, mask: u64, value: u64) -> bool {
    let (m, v) = params[p];
    if (v ^ value) & m & mask != 0 {
        return false;
    }
    params[p] = (m | mask, (v & !mask) | (value & mask));
    true
}

fn match_text_segs(
    segs: &[TextSeg],
    rest: &str,
    params: Params,
    symbols: &dyn Fn(&str) -> Option<u64>,
    k: &mut dyn FnMut(&str, &Params) -> bool,
) -> bool {
    let Some((first, tail)) = segs.split_first() else {
        return k(rest, &params);
    };
    match *first {
        TextSeg::Text(t) => match rest.strip_prefix(squash(t).as_str()) {
            Some(r) => match_text_segs(tail, r, params, symbols, k),
            None => false,
        },
        TextSeg::Param(p, lo, width) => {
            let Some((v, r)) = value(rest, symbols) else {
                return false;
            };
            let mask = if width >= 64 {
                u64::MAX
            } else {
                ((1u64 << width) - 1) << lo
            };
            if width < 64 && v >> width != 0 {
                return false;
            }
            let mut params = params;
            bind(&mut params, p as usize, mask, v << lo)
                && match_text_segs(tail, r, params, symbols, k)
        }
        TextSeg::Call(ti, ps) => match_text(ti, rest, symbols, &mut |r, sub| {
            let mut params = params.clone();
            for (j, &(p, lo, width)) in ps.iter().enumerate() {
                let (m, v) = sub[j];
                let field = if width >= 64 {
                    u64::MAX
                } else {
                    (1u64 << width) - 1
                };
                if !bind(
                    &mut params,
                    p as usize,
                    (m & field) << lo,
                    (v & field) << lo,
                ) {
                    return false;
                }
            }
            match_text_segs(tail, r, params, symbols, k)
        }),
        TextSeg::Operand(map, p, ty) => {
            // The longest spelling that starts the text (so %dr1 does not take %dr10).
            let mut best: Option<(usize, u8)> = None;
            for v in 0..=255u8 {
                if isa::OPERANDS[map as usize].table[v as usize]
                    .is_none_or(|(k, _)| isa::KINDS[k as usize].class == KindClass::Invalid)
                {
                    continue;
                }
                let mut s = String::new();
                isa::OPERANDS[map as usize].spell_byte(&mut s, v, ty);
                let s = squash(&s);
                // As for ALU operands, `%r1`/`%b[1]` also stand for `%dr1`/`%db[1]`.
                let p = isa::size_prefix(ty);
                let short = (!p.is_empty()).then(|| s.replacen(&format!("%{p}"), "%", 1));
                for s in std::iter::once(&s).chain(&short) {
                    if rest.starts_with(s.as_str()) && best.is_none_or(|(l, _)| s.len() > l) {
                        best = Some((s.len(), v));
                    }
                }
            }
            let Some((len, v)) = best else { return false };
            let mut params = params;
            bind(&mut params, p as usize, u64::MAX, v as u64)
                && match_text_segs(tail, &rest[len..], params, symbols, k)
        }
        TextSeg::Opaque => false,
    }
}

struct CtlCx<'a> {
    pc: u64,
    /// The instance of a syllable family being tried.
    instance: usize,
    symbols: &'a dyn Fn(&str) -> Option<u64>,
}

/// Matches control-operation syntax, collecting the fields its holes give.
fn match_ctl(segs: &[AsmSeg], rest: &str, cx: &CtlCx, out: &mut Vec<(FieldLoc, u64)>) -> bool {
    let Some((first, tail)) = segs.split_first() else {
        return rest.is_empty();
    };
    let n = out.len();
    let ok = match *first {
        AsmSeg::Text(t) => match rest.strip_prefix(squash(t).as_str()) {
            Some(r) => return match_ctl(tail, r, cx, out),
            None => false,
        },
        AsmSeg::Field(loc) => match value(rest, cx.symbols) {
            Some((v, r)) => {
                out.push((loc, v));
                match_ctl(tail, r, cx, out)
            }
            None => false,
        },
        AsmSeg::Define(d) => match value(rest, cx.symbols)
            .and_then(|(v, r)| Some((isa::define_inverse(d, cx.pc, v)?, r)))
        {
            Some(((loc, v), r)) => {
                out.push((loc, v));
                match_ctl(tail, r, cx, out)
            }
            None => false,
        },
        AsmSeg::Instance(f) => match value(rest, cx.symbols) {
            Some((v, r)) if v == f(cx.instance) => match_ctl(tail, r, cx, out),
            _ => false,
        },
        AsmSeg::Call(ti, args) => match_text(ti, rest, cx.symbols, &mut |r, params| {
            let m = out.len();
            // Parameters the spelling says nothing about leave their fields alone.
            for (j, loc) in args.iter().enumerate() {
                if params[j].0 != 0 {
                    // A field the text already gave differently: try another case.
                    if out.iter().any(|(l, v)| l == loc && *v != params[j].1) {
                        out.truncate(m);
                        return false;
                    }
                    out.push((*loc, params[j].1));
                }
            }
            if match_ctl(tail, r, cx, out) {
                true
            } else {
                out.truncate(m);
                false
            }
        }),
    };
    if !ok {
        out.truncate(n);
    }
    ok
}

/// Compares printed and written text: equal characters, and numbers (or a written
/// symbol against a printed number) by value.
fn same_text(printed: &str, written: &str, symbols: &dyn Fn(&str) -> Option<u64>) -> bool {
    let (mut a, mut b) = (printed, written);
    let starts_number = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_digit())
            || (s.starts_with('-') && s[1..].starts_with(|c: char| c.is_ascii_digit()))
    };
    while !a.is_empty() || !b.is_empty() {
        if starts_number(a)
            && (starts_number(b)
                || b.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.'))
        {
            match (value(a, symbols), value(b, symbols)) {
                (Some((x, ra)), Some((y, rb))) if x == y => {
                    a = ra;
                    b = rb;
                    continue;
                }
                _ => return false,
            }
        }
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else {
            return false;
        };
        // A register written without its size (`%b[3]` for the printed `%db[3]`).
        if ca == '%' && cb == '%' {
            if let Some(ra) = ["%qp", "%d", "%q"]
                .iter()
                .filter_map(|p| a.strip_prefix(p))
                .find(|r| r.starts_with(['r', 'b', 'g']) && b[1..].starts_with(&r[..1]))
            {
                a = ra;
                b = &b[1..];
                continue;
            }
        }
        if ca != cb {
            return false;
        }
        a = &a[ca.len_utf8()..];
        b = &b[cb.len_utf8()..];
    }
    true
}

/// What `encode_ctl` placed: the operation, its instance, and whether its own
/// condition already holds (otherwise other operations of the bundle must make it
/// hold, as a combiner does for the evaluators it reads; check with `ctl_holds`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedCtl {
    pub ctl: usize,
    pub instance: usize,
    pub settled: bool,
}

impl PlacedCtl {
    pub fn name(&self) -> &'static str {
        CTLS[self.ctl].name
    }
}

/// True when the placed operation would be listed for the finished bundle.
pub fn ctl_holds(b: &Bundle, pc: u64, p: PlacedCtl) -> bool {
    (CTLS[p.ctl].matches)(b, pc, p.instance)
}

/// The control-operation lines a bundle lists (ALU channels aside).
fn ctl_lines(b: &Bundle, pc: u64, iset: Iset) -> Vec<String> {
    let mut out = Vec::new();
    for c in CTLS.iter().filter(|c| c.versions & iset.mask() != 0) {
        for i in 0..c.instances {
            if (c.matches)(b, pc, i) {
                let mut s = String::new();
                (c.print)(b, pc, i, &mut s);
                out.push(s);
            }
        }
    }
    out
}

/// Assembles one control-unit (or other non-ALU) operation into `b`, the wide
/// instruction being built at `pc`. Each candidate encoding is checked by printing it
/// back; fields an earlier operation of the bundle set differently are a conflict.
/// Among candidates, one that makes the bundle list nothing but what it listed before
/// plus this operation is preferred.
pub fn encode_ctl(
    text: &str,
    pc: u64,
    iset: Iset,
    b: &mut Bundle,
    symbols: &dyn Fn(&str) -> Option<u64>,
) -> Result<PlacedCtl, EncodeError> {
    let want = squash(text);
    let mut conflicted = false;
    let mut provisional: Option<(Bundle, PlacedCtl)> = None;
    let before = ctl_lines(b, pc, iset);
    for (ci, c) in CTLS.iter().enumerate() {
        if c.versions & iset.mask() == 0 {
            continue;
        }
        let Some(asm) = &CTL_ASM[ci] else { continue };
        for i in 0..c.instances {
            let cx = CtlCx {
                pc,
                instance: i,
                symbols,
            };
            let mut fields = Vec::new();
            let Some(spelling) = std::iter::once(asm.segs)
                .chain(asm.also.iter().copied())
                .position(|segs| {
                    fields.clear();
                    match_ctl(segs, &want, &cx, &mut fields)
                })
            else {
                continue;
            };
            let member = |m: u8| if m == 255 { i } else { m as usize };
            for sets in asm.sets {
                let mut t = b.clone();
                let mut ok = true;
                for &(syl, m) in asm.needs {
                    ok &= isa::ensure_syllable(&mut t, syl, member(m));
                }
                for &(loc, v) in sets.iter().chain(fields.iter()) {
                    ok &= isa::set_field(
                        &mut t,
                        loc.syl,
                        member(loc.member),
                        loc.lo as u32,
                        loc.width as u32,
                        v,
                    );
                }
                if !ok {
                    continue;
                }
                // The operation must print back to the same values (numbers may be
                // written in another base than the printer's).
                let mut printed = String::new();
                (c.print)(&t, pc, i, &mut printed);
                let mut again = Vec::new();
                if !match_ctl(asm.segs, &squash(&printed), &cx, &mut again)
                    || !fields.iter().all(|f| again.contains(f))
                    // `also` spellings leave parts out: for them the values must agree.
                    || (spelling == 0 && !same_text(&squash(&printed), &want, symbols))
                {
                    continue;
                }
                // A field an earlier operation of this bundle set to something else.
                let clash = sets.iter().chain(fields.iter()).any(|&(loc, v)| {
                    matches!(isa::get_field(b, loc.syl, member(loc.member), loc.lo as u32, loc.width as u32), Some(old) if old != 0 && old != v)
                });
                if clash {
                    conflicted = true;
                    continue;
                }
                let placed = PlacedCtl {
                    ctl: ci,
                    instance: i,
                    settled: (c.matches)(&t, pc, i),
                };
                let mut expected = before.clone();
                expected.push(printed.clone());
                let clean = ctl_lines(&t, pc, iset).iter().all(|l| expected.contains(l));
                if placed.settled && clean {
                    *b = t;
                    return Ok(placed);
                }
                if provisional.is_none() || (clean && !provisional.as_ref().unwrap().1.settled) {
                    provisional = Some((t, placed));
                }
            }
        }
    }
    if let Some((t, placed)) = provisional {
        *b = t;
        return Ok(placed);
    }
    if conflicted {
        return Err(EncodeError::Conflict(text.trim().to_string()));
    }
    Err(EncodeError::UnknownMnemonic(
        text.split_whitespace().next().unwrap_or("").to_string(),
    ))
}
