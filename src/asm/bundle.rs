//! Building one wide instruction: each operation encoded through the generated
//! encoders, literals placed in LTS, conditions in CDS, then packed.

use super::directives::Op;
use super::expr::{eval_value, Base, Value};
use super::source::Loc;
use crate::elf::reloc;
use crate::isa::encode::{encode_alu_with, encode_ctl, LiteralRequest};
use crate::isa::pack::{pack_with_offsets, Syllables};
use crate::isa::version::Iset;
use crate::isa::Bundle;
use std::collections::BTreeMap;

/// A literal whose value a relocation gives: the expression's text (literals share a
/// slot only when their text is the same) and its value.
pub(super) type Reloc = Option<(String, Value)>;

/// One way to place a literal: its first half-word (LTS n's low half is 2n, its high
/// half 2n + 1), how many half-words it takes, and the operand byte that names it.
#[derive(Clone, Copy, Debug)]
struct Placement {
    pos: usize,
    halves: usize,
    byte: u8,
}

/// What one LTS half-word holds: a number's 16 bits, or half `sub` of a relocated
/// value (named by its text), or something a control operation put there.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Half {
    Number(u16),
    Reloc(String, usize),
    Taken,
}

/// A literal's place written in the source: `_f16s,_lts0hi` (LTS0, the high half),
/// `_f32s,_lts2` (LTS2, either half for a 16-bit one).
pub(super) type Fixed = (usize, Option<bool>);

/// What an operand says of its literal beyond its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Written {
    pub(super) fixed: Option<Fixed>,
    /// `_lit32_ref,_lts0 ...`: the operand reads the literal another operation of
    /// the wide instruction puts at that place; what follows is only a comment (gas
    /// skips it).
    pub(super) reference: bool,
}

/// Takes `,_ltsN`, `,_ltsNhi`, `,_ltsNlo` out of a literal spelling (`_f64,_lts0 x`
/// becomes `_f64 x`), with the place it names; `[ _f64 x ]` is the literal itself.
/// A reference `_lit32_ref,_lts0 x` becomes `_f32s 0`.
fn explicit_placement(operands: &str) -> Result<(String, Written), String> {
    let mut out = operands.to_string();
    let mut written = Written::default();
    // Array accesses spell their literal's slot in their own syntax (`%aad0 [ %aasti0
    // + _f32s,_lts0 0x8 ]`), which their encoding reads.
    if let Some(at) = operands
        .find(",_lts")
        .filter(|_| !operands.contains("%aad"))
    {
        let rest = &operands[at + 5..];
        let n_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let lts: usize = rest[..n_end]
            .parse()
            .map_err(|_| format!("`_lts` needs a number 0..3 in `{operands}`"))?;
        if lts > 3 {
            return Err(format!("there is no `_lts{lts}` (LTS0..LTS3)"));
        }
        let (hi, skip) = if rest[n_end..].starts_with("hi") {
            (Some(true), 2)
        } else if rest[n_end..].starts_with("lo") {
            (Some(false), 2)
        } else {
            (None, 0)
        };
        out = format!("{}{}", &operands[..at], &rest[n_end + skip..]);
        if out[at..].contains(",_lts") {
            return Err("one literal per operation".into());
        }
        written.fixed = Some((lts, hi));
    }
    for (r, size) in [
        ("_lit16_ref", "_f16s"),
        ("_lit32_ref", "_f32s"),
        ("_lit64_ref", "_f64"),
    ] {
        let Some(at) = out.find(r) else { continue };
        if written.fixed.is_none() {
            return Err(format!("`{r}` needs the place it refers to (`{r},_lts0`)"));
        }
        if size == "_f16s" && written.fixed.is_some_and(|(_, hi)| hi.is_none()) {
            return Err(format!(
                "`{r}` needs the half it refers to (`_ltsNhi` or `_ltsNlo`)"
            ));
        }
        let end = out[at..].find(',').map_or(out.len(), |e| at + e);
        out = format!("{}{size} 0{}", &out[..at], &out[end..]);
        written.reference = true;
    }
    // `[ _f64 sym ]`: a bracketed literal is the literal.
    let open = out
        .match_indices('[')
        .map(|(i, _)| i)
        .find(|&i| out[i + 1..].trim_start().starts_with("_f"));
    if let Some(open) = open {
        if let Some(close) = out[open..].find(']').map(|c| open + c) {
            out = format!(
                "{}{}{}",
                &out[..open],
                out[open + 1..close].trim(),
                &out[close + 1..]
            );
        }
    }
    Ok((out, written))
}

/// The placements gas considers for a literal, in its order: the size the encoder
/// chose (or that was written), then, unless written, every larger one; 16-bit ones
/// in LTS0.hi, LTS0.lo, LTS1.hi, LTS1.lo, the others from LTS0 up.
fn placements(r: &LiteralRequest) -> Vec<Placement> {
    use crate::isa::{KindClass, KINDS, OPERANDS};
    let map = &OPERANDS[r.operand as usize];
    let mut out = Vec::new();
    for bits in [16, 32, 64] {
        if bits < r.bits || (r.explicit && bits != r.bits) {
            continue;
        }
        let mut row: Vec<Placement> = (0..=255u8)
            .filter_map(|v| {
                let (k, n) = map.table[v as usize]?;
                match KINDS[k as usize].class {
                    KindClass::Lit { bits: b, shift } if b == bits => Some(Placement {
                        pos: 2 * n as usize + usize::from(shift == 16),
                        halves: bits as usize / 16,
                        byte: v,
                    }),
                    _ => None,
                }
            })
            .filter(|p| p.pos + p.halves <= 8)
            .collect();
        row.sort_by_key(|p| if bits == 16 { p.pos ^ 1 } else { p.pos });
        out.extend(row);
    }
    out
}

/// The operand field of channel `ch`'s ALS that names a literal's place.
fn set_literal_field(b: &mut Bundle, ch: u8, req: &LiteralRequest, byte: u8) {
    let als = b.als[ch as usize]
        .as_mut()
        .expect("literal of a present operation");
    let mask = ((1u32 << req.field_width) - 1) << req.field_lo;
    als.0 = (als.0 & !mask) | ((byte as u32) << req.field_lo & mask);
}

/// The bit gas's search counts for a half-word: lower is better, high halves first.
fn half_bit(pos: usize) -> u32 {
    1 << ((pos & !1) + 1 - (pos & 1))
}

/// Places literal requests in LTS as gas does (tc-e2k.c, place_literals): literals
/// with the fewest placements first (then the larger, then in source order), every
/// combination of placements tried in order, and the first that leaves the smallest
/// set of used half-words (counted with high halves as the lower bits) kept. A
/// half-word already holding the same 16 bits (of a number, or the same half of the
/// same relocated value) is shared. Returns the slot and size of each relocated
/// literal.
pub(super) fn place_literals<'a>(
    b: &mut Bundle,
    reqs: &'a [(u8, LiteralRequest, Reloc, Written)],
) -> Result<Vec<(usize, u32, Value)>, String> {
    struct Lit<'a> {
        ch: u8,
        req: &'a LiteralRequest,
        rel: &'a Reloc,
        options: Vec<Placement>,
    }
    let lit = |(ch, req, rel, w): &'a (u8, LiteralRequest, Reloc, Written)| Lit {
        ch: *ch,
        req,
        rel,
        options: placements(req)
            .into_iter()
            .filter(|p| {
                w.fixed.is_none_or(|(lts, hi)| {
                    p.pos / 2 == lts && hi.is_none_or(|hi| (p.pos % 2 == 1) == hi)
                })
            })
            .collect(),
    };
    let mut lits: Vec<Lit> = reqs.iter().filter(|r| !r.3.reference).map(lit).collect();
    let refs: Vec<Lit> = reqs.iter().filter(|r| r.3.reference).map(lit).collect();
    if let Some(l) = lits.iter().chain(&refs).find(|l| l.options.is_empty()) {
        return Err(format!(
            "a {}-bit literal cannot stand in that operand",
            l.req.bits
        ));
    }
    // Stable: equal ones stay in source order.
    lits.sort_by(|a, b| {
        a.options.len().cmp(&b.options.len()).then_with(|| {
            let sa = a.options.iter().map(|p| p.halves);
            let sb = b.options.iter().map(|p| p.halves);
            sb.cmp(sa)
        })
    });
    let content = |l: &Lit, sub: usize| -> Half {
        match l.rel {
            Some((text, _)) => Half::Reloc(text.clone(), sub),
            None => Half::Number((l.req.value >> (16 * sub)) as u16),
        }
    };
    let mut start = [None, None, None, None, None, None, None, None];
    let mut mask0 = 0u32;
    for (k, l) in b.lts.iter().enumerate() {
        if l.is_some() {
            start[2 * k] = Some(Half::Taken);
            start[2 * k + 1] = Some(Half::Taken);
            mask0 |= half_bit(2 * k) | half_bit(2 * k + 1);
        }
    }
    struct Search<'a, 'b> {
        lits: &'b [Lit<'a>],
        content: &'b dyn Fn(&Lit, usize) -> Half,
        choice: Vec<usize>,
        best: Option<(u32, Vec<usize>)>,
    }
    fn search(s: &mut Search, i: usize, halves: &[Option<Half>; 8], mask: u32) {
        if s.best.as_ref().is_some_and(|(m, _)| mask >= *m) {
            return;
        }
        if i == s.lits.len() {
            s.best = Some((mask, s.choice.clone()));
            return;
        }
        let l = &s.lits[i];
        for (k, p) in l.options.iter().enumerate() {
            let mut h = halves.clone();
            let mut m = mask;
            let fits = (0..p.halves).all(|sub| {
                let c = (s.content)(l, sub);
                match &h[p.pos + sub] {
                    Some(old) => *old == c,
                    None => {
                        h[p.pos + sub] = Some(c);
                        m |= half_bit(p.pos + sub);
                        true
                    }
                }
            });
            if fits {
                s.choice.push(k);
                search(s, i + 1, &h, m);
                s.choice.pop();
            }
        }
    }
    let mut st = Search {
        lits: &lits,
        content: &content,
        choice: Vec::new(),
        best: None,
    };
    search(&mut st, 0, &start, mask0);
    let Some((_, choice)) = st.best else {
        return Err("too many literals for one wide instruction (4 LTS at most)".to_string());
    };
    let mut halves = start;
    let mut placed = Vec::new();
    for (l, &k) in lits.iter().zip(&choice) {
        let p = l.options[k];
        // A literal sharing the place of an equal one needs no relocation of its own.
        let shared = halves[p.pos].is_some();
        for sub in 0..p.halves {
            halves[p.pos + sub].get_or_insert_with(|| content(l, sub));
        }
        if let (Some((_, val)), false) = (l.rel, shared) {
            placed.push((p.pos / 2, 16 * p.halves as u32, val.clone()));
        }
        set_literal_field(b, l.ch, l.req, p.byte);
    }
    // References read a place the others filled.
    for l in &refs {
        let p = l.options[0];
        if (0..p.halves)
            .any(|sub| !matches!(halves[p.pos + sub], Some(Half::Number(_) | Half::Reloc(..))))
        {
            return Err(format!(
                "a literal reference to LTS{}, where no operation of this wide instruction puts a {}-bit literal",
                p.pos / 2,
                l.req.bits
            ));
        }
        set_literal_field(b, l.ch, l.req, p.byte);
    }
    // The words: numbers as placed (relocated ones read 0 until relocated), LTS
    // contiguous from LTS0.
    let used = (0..4).rposition(|k| halves[2 * k].is_some() || halves[2 * k + 1].is_some());
    for k in 0..used.map_or(0, |u| u + 1) {
        if b.lts[k].is_some() {
            continue;
        }
        let half = |h: &Option<Half>| match h {
            Some(Half::Number(v)) => *v as u32,
            _ => 0,
        };
        b.lts[k] = Some(crate::isa::Lts(
            half(&halves[2 * k]) | half(&halves[2 * k + 1]) << 16,
        ));
    }
    Ok(placed)
}

/// GNU as writes memory operands in brackets: `ldd,2 [ %dr0 + 8 ], %dr2` and
/// `std,2 %dr3, [ %dr0 + %dr1 ]`. The listing form puts the address parts first:
/// `ldd,2 %dr0, 0x8, %dr2`, `std,2 %dr0, %dr1, %dr3`.
pub(super) fn unbracket(operands: &str) -> Result<String, String> {
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

/// A memory operation without a destination: a store.
fn is_store(name: &str) -> bool {
    use crate::isa::{Role, ENCODINGS, FORMATS, OPS};
    OPS.iter().enumerate().any(|(i, o)| {
        o.name == name
            && o.memory
            && ENCODINGS.iter().any(|e| {
                e.op as usize == i
                    && !FORMATS[e.format as usize]
                        .fields
                        .iter()
                        .any(|f| f.role == Role::Dst)
            })
    })
}

/// gas's traditional store operands, `value, address, offset[, mas = N]`, in
/// objdump's order, `address, offset, value[, mas = N]`.
fn value_last(operands: &str) -> String {
    let (ops, mas) = match operands.rsplit_once(", mas") {
        Some((a, m)) => (a, format!(", mas{m}")),
        None => (operands, String::new()),
    };
    let mut parts: Vec<&str> = ops.split(',').map(str::trim).collect();
    if parts.len() == 3 {
        parts.rotate_left(1);
    }
    format!("{}{mas}", parts.join(", "))
}

/// One condition written after an ALU operation: ` ? %pred0, ~%pcnt2` (RLP: the
/// channel executes when they hold) or, for merges, `, %pred1` (MRGC: the selector).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Cond {
    mrgc: bool,
    /// The AM condition of an array access's increment (`incr ... ? %predN`).
    am: bool,
    neg: bool,
    /// 7-bit predicate source: 0x60 + N for %predN, 0x40 + N for %pcntN.
    psrc: u32,
}

pub(super) fn parse_pred(s: &str) -> Option<(bool, u32)> {
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
pub(super) fn split_conditions(operands: &str, merge: bool) -> Result<(String, Vec<Cond>), String> {
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
                am: false,
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
                    am: false,
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
pub(super) fn place_conditions(b: &mut Bundle, conds: &[(u8, Cond)]) -> Result<(), String> {
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
        // The AM condition is mask bit 3 of its cluster's entry, with the third
        // negation bit.
        let (m, n) = if c.am { (3, 2) } else { (pos, pos) };
        *e |= 1 << (10 + m);
        if c.neg {
            *e |= 1 << (7 + n);
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

/// A field of a wide instruction that a relocation fills: its byte offset in the
/// packed instruction, the relocation type and the value (relocatable, never
/// absolute). For R_E2K_DISP, `where_` is CS0's offset, which the addend carries.
#[derive(Clone, Debug)]
pub(super) struct Fixup {
    pub(super) offset: usize,
    pub(super) r_type: u32,
    pub(super) value: Value,
}

/// A control operation with `name = value` parameters in every other order
/// (`setbn rsz = 3, rbs = 4, rcur = 0`), at most four of them.
fn reordered_params(text: &str) -> Vec<String> {
    let Some((head, rest)) = text.trim().split_once(char::is_whitespace) else {
        return Vec::new();
    };
    let params: Vec<&str> = rest.split(',').map(str::trim).collect();
    if params.len() < 2 || params.len() > 4 || !params.iter().all(|p| p.contains('=')) {
        return Vec::new();
    }
    fn perms(items: &[usize]) -> Vec<Vec<usize>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.to_vec();
            let x = rest.remove(i);
            for mut p in perms(&rest) {
                p.insert(0, x);
                out.push(p);
            }
        }
        out
    }
    let idx: Vec<usize> = (0..params.len()).collect();
    perms(&idx)
        .into_iter()
        .skip(1)
        .map(|p| {
            let ps: Vec<&str> = p.iter().map(|&i| params[i]).collect();
            format!("{head} {}", ps.join(", "))
        })
        .collect()
}

/// gas's `disp %ctprN, [disp=]TARGET`: `disp=` may stand before the target, and a number
/// there is the CS0 displacement field itself (in 8-byte units), not an address; the
/// encoder reads targets as addresses, so a number becomes `pc + 8 * N`.
fn gas_displacement(text: &str, pc: u64) -> String {
    let t = text.trim();
    let Some((head, rest)) = t.split_once(char::is_whitespace) else {
        return text.to_string();
    };
    if !matches!(head, "disp" | "ldisp" | "sdisp") {
        return text.to_string();
    }
    let Some((ctpr, target)) = rest.split_once(',') else {
        return text.to_string();
    };
    let target = target.trim();
    let target = target.strip_prefix("disp=").map_or(target, str::trim);
    let target = match (head, crate::isa::encode::parse_number(target)) {
        ("sdisp", _) | (_, None) => target.to_string(),
        (_, Some(n)) => {
            // The field is 28 bits, signed.
            let field = ((n << 36) as i64) >> 36;
            format!("{:#x}", pc.wrapping_add((field as u64).wrapping_mul(8)))
        }
    };
    format!("{head} {}, {target}", ctpr.trim())
}

/// A wide instruction of `fapb` operations: an array-prefetch program entry (16 bytes:
/// APS0, APLS0 for `ct=`, the left side; APS1, APLS1 for `dpl=`, the right), each word
/// the named fields at their places (tc-e2k.c's parse_fapb_args; isa/apb.isa reads them).
fn build_fapb(ops: &[Op]) -> Result<Vec<u8>, (Loc, String)> {
    const FIELDS: [(&str, u32, u32); 14] = [
        ("ct", 31, 1),
        ("dpl", 31, 1),
        ("si", 30, 1),
        ("dcd", 28, 2),
        ("fmt", 25, 3),
        ("mrng", 20, 5),
        ("d", 15, 5),
        ("incr", 12, 3),
        ("ind", 8, 4),
        ("be", 14, 1),
        ("am", 13, 1),
        ("area", 8, 5),
        ("asz", 5, 3),
        ("abs", 0, 5),
    ];
    let mut words = [0u32; 4];
    let mut busy = [false; 2];
    for op in ops {
        let err = |m: String| (op.loc.clone(), m);
        let rest = op
            .text
            .trim()
            .strip_prefix("fapb")
            .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
            .ok_or_else(|| {
                err("an array-prefetch entry (`fapb`) takes the whole wide instruction".into())
            })?;
        let (mut word, mut disp, mut side) = (0u32, 0u32, None);
        for p in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| err(format!("`fapb` parameters are `name=value`, not `{p}`")))?;
            let (k, v) = (k.trim(), v.trim());
            let n = crate::isa::encode::parse_number(v)
                .ok_or_else(|| err(format!("`fapb` needs a number for `{k}`, not `{v}`")))?;
            if k == "disp" {
                disp = n as u32;
                continue;
            }
            let &(_, at, width) = FIELDS
                .iter()
                .find(|f| f.0 == k)
                .ok_or_else(|| err(format!("unknown `fapb` parameter `{k}`")))?;
            if n >= 1 << width {
                return Err(err(format!("`{k}={v}` does not fit {width} bits")));
            }
            if k == "ct" || k == "dpl" {
                if side.is_some() {
                    return Err(err("`ct` and `dpl` cannot both be set in one `fapb`".into()));
                }
                side = Some(usize::from(k == "dpl"));
            }
            word |= (n as u32) << at;
        }
        let side = side
            .ok_or_else(|| err("`fapb` needs `ct=` (left side) or `dpl=` (right side)".into()))?;
        if std::mem::replace(&mut busy[side], true) {
            return Err(err(format!(
                "this wide instruction has a `fapb` for the {} side already",
                ["left", "right"][side]
            )));
        }
        words[2 * side] = word;
        words[2 * side + 1] = disp;
    }
    Ok(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// What to say of a control operation no spelling matched: a known mnemonic with
/// operands it does not take, with the forms it has, or an unknown one.
fn ctl_error(text: &str, e: &crate::isa::encode::EncodeError) -> String {
    use crate::isa::{AsmSeg, CTL_ASM};
    let word = text.split_whitespace().next().unwrap_or("");
    let mut forms: Vec<String> = Vec::new();
    for asm in CTL_ASM.iter().flatten() {
        for segs in std::iter::once(asm.segs).chain(asm.also.iter().copied()) {
            let form: String = segs
                .iter()
                .map(|s| match s {
                    AsmSeg::Text(t) => t.to_string(),
                    AsmSeg::Call(..) => "…".to_string(),
                    _ => "N".to_string(),
                })
                .collect();
            if form.split_whitespace().next() == Some(word) && !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    if forms.is_empty() {
        return e.to_string();
    }
    forms.truncate(4);
    format!(
        "bad operands `{}` for `{word}` (expected {})",
        text.trim()[word.len()..].trim(),
        forms
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    )
}

/// The `ipd` gas puts in an SS syllable the source gives none.
pub const GAS_DEFAULT_IPD: u32 = 3;

/// Builds one wide instruction at `pc`, with the fixups its symbolic operands need.
/// Symbolic values read as 0 (literals) or as `pc` (displacements) in the encoding:
/// the relocation supplies them.
pub(super) fn build_bundle(
    ops: &[Op],
    pc: u64,
    iset: Iset,
    symbols: &BTreeMap<String, u64>,
    strict: bool,
    sections: usize,
) -> Result<(Vec<u8>, Vec<Fixup>), (Loc, String)> {
    if ops
        .iter()
        .any(|o| o.text.trim().split_whitespace().next() == Some("fapb"))
    {
        return Ok((build_fapb(ops)?, Vec::new()));
    }
    let mut b = Bundle::default();
    let mut lits = Vec::new();
    let mut conds = Vec::new();
    // gas writes ALES2/ALES5 on v4 for a few operations in channel 2 or 5.
    let mut explicit_ales25 = false;
    let mut unsettled = Vec::new();
    let mut disp: Option<Value> = None;
    let mut explicit_ipd = false;
    // (first, second) channels of register-pair operations.
    let mut pairs: Vec<(u8, u8)> = Vec::new();
    // The last ALU operation: its channel, the second of its pair, its format.
    let mut last_alu: Option<(u8, Option<u8>, u8, String)> = None;
    let seen: std::cell::RefCell<Vec<(String, Value)>> = Default::default();
    // Before symbols are known (first passes) every name reads as relocatable: sizes
    // do not depend on symbol values.
    let lookup = |s: &str, relocatable: u64| -> Option<u64> {
        // Literal spellings (`_f32s`, `_lts0`, ...) are no symbols.
        if ["_f16", "_f32", "_f64", "_lts"]
            .iter()
            .any(|p| s.starts_with(p))
        {
            return None;
        }
        match eval_value(s, symbols, sections) {
            Some(v) if v.base == Base::Abs => Some(v.off),
            Some(v) => {
                let mut seen = seen.borrow_mut();
                if !seen.iter().any(|(t, _)| t == s) {
                    seen.push((s.to_string(), v));
                }
                Some(relocatable)
            }
            None if !strict && s.chars().any(|c| c.is_ascii_alphabetic() || c == '_') => Some(0),
            None => None,
        }
    };
    let alu_lookup = |s: &str| lookup(s, 0);
    let ctl_lookup = |s: &str| lookup(s, pc);
    let take_one = |what: &str| -> Result<Option<(String, Value)>, String> {
        let mut seen = seen.borrow_mut();
        match seen.len() {
            0 => Ok(None),
            1 => Ok(seen.pop()),
            _ => {
                let names: Vec<String> = seen.drain(..).map(|x| x.0).collect();
                Err(format!(
                    "{what} can take one relocated value, not {}",
                    names.join(" and ")
                ))
            }
        }
    };
    // `setwd` first: `setbn`/`setbp` join the CS1 it makes (gas takes them in any order).
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|o| o.text.split_whitespace().next() != Some("setwd"));
    for op in ordered {
        let (head, rest) = op
            .text
            .split_once(char::is_whitespace)
            .unwrap_or((op.text.as_str(), ""));
        let mut parts = head.split(',');
        let name = parts.next().unwrap_or("");
        let ch = parts.next().and_then(|c| c.parse::<u8>().ok());
        // `movad,0 ...` has a channel too, but it is no ALU operation.
        let alu = crate::isa::OPS.iter().any(|o| {
            o.name == name || o.also.contains(&name) || o.asm.iter().any(|a| a.name == name)
        });
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
            let operands = if op.value_first && is_store(name) && !operands.contains('[') {
                value_last(&operands)
            } else {
                operands
            };
            let (operands, written) =
                explicit_placement(&operands).map_err(|m| (op.loc.clone(), m))?;
            let operands = unbracket(&operands).map_err(|m| (op.loc.clone(), m))?;
            if merge && !cs.iter().any(|c| c.mrgc) {
                return Err((
                    op.loc.clone(),
                    format!(
                        "`{name}` needs its selector predicate after the operands (`, %predN`)"
                    ),
                ));
            }
            seen.borrow_mut().clear();
            let e = encode_alu_with(name, ch, sm, &operands, iset, &alu_lookup)
                .map_err(|e| (op.loc.clone(), e.to_string()))?;
            let rel = take_one(&format!("`{name}`")).map_err(|m| (op.loc.clone(), m))?;
            // A register-pair operation written in its second channel starts in the first.
            let ch = e.channel;
            if b.als[ch as usize].is_some() {
                return Err((
                    op.loc.clone(),
                    format!("channel {ch} is already used in this wide instruction"),
                ));
            }
            conds.extend(cs.into_iter().map(|c| (ch, c)));
            if rel.is_some() && e.literal.is_none() {
                return Err((
                    op.loc.clone(),
                    format!("`{name}` has a symbol where no literal can stand"),
                ));
            }
            b.als[ch as usize] = Some(crate::isa::Als(e.als));
            b.ales[ch as usize] = e.ales.map(crate::isa::Ales);
            // gas writes both halves of a register-pair operation.
            if let Some((pch, als)) = e.pair {
                if b.als[pch as usize].is_some() {
                    return Err((
                        op.loc.clone(),
                        format!("`{name}` needs channel {pch} for its second half, which another operation uses"),
                    ));
                }
                b.als[pch as usize] = Some(crate::isa::Als(als));
                b.ales[pch as usize] = e.ales.map(crate::isa::Ales);
                pairs.push((ch, pch));
            }
            if iset.number() == 4
                && (ch == 2 || ch == 5)
                && crate::isa::OPS[e.op as usize].explicit_ales25_v4
            {
                explicit_ales25 = true;
            }
            if let Some(m) = e.mas {
                // A pair's second half has the same MAS (gas writes both).
                for c in std::iter::once(ch).chain(e.pair.map(|p| p.0)) {
                    let shift = match c {
                        0 => 21,
                        2 => 14,
                        3 => 7,
                        5 => 0,
                        _ => return Err((op.loc.clone(), format!("channel {c} has no MAS"))),
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
            }
            last_alu = Some((ch, e.pair.map(|p| p.0), e.format, name.to_string()));
            if let Some(l) = e.literal {
                lits.push((ch, l, rel, written));
            }
        } else {
            // `incr,CH %aaincrN`: the array access just before, in channel CH,
            // advances its index by %aaincrN (its `am` bit and `incr` field).
            if name == "incr" {
                let (rest, am_cond) = match rest.split_once('?') {
                    Some((r, c)) => (
                        r,
                        Some(parse_pred(c).ok_or_else(|| {
                            (op.loc.clone(), format!("bad condition `{}`", c.trim()))
                        })?),
                    ),
                    None => (rest, None),
                };
                let n = rest
                    .trim()
                    .strip_prefix("%aaincr")
                    .and_then(crate::isa::encode::parse_number)
                    .filter(|&n| n < 8)
                    .ok_or_else(|| {
                        (
                            op.loc.clone(),
                            format!("`incr` needs `%aaincr0`..`%aaincr7`, not `{}`", rest.trim()),
                        )
                    })?;
                let Some((lch, lpair, fmt, lname)) = &last_alu else {
                    return Err((
                        op.loc.clone(),
                        "`incr` needs an array access before it".into(),
                    ));
                };
                if ch.is_some_and(|c| c != *lch) {
                    return Err((
                        op.loc.clone(),
                        format!(
                            "`incr` names channel {}, but `{lname}` before it is in channel {lch}",
                            ch.unwrap_or(0)
                        ),
                    ));
                }
                let fields = crate::isa::FORMATS[*fmt as usize].fields;
                let field = |f: &str| fields.iter().find(|x| x.name == f && !x.in_ales);
                let (Some(am), Some(incr)) = (field("am"), field("incr")) else {
                    return Err((
                        op.loc.clone(),
                        format!("`incr` follows `{lname}`, which has no array index to advance"),
                    ));
                };
                for c in std::iter::once(*lch).chain(*lpair) {
                    if let Some(a) = b.als[c as usize].as_mut() {
                        a.0 |= 1 << am.lo | (n as u32) << incr.lo;
                    }
                }
                if let Some((neg, psrc)) = am_cond {
                    conds.push((
                        *lch,
                        Cond {
                            mrgc: false,
                            am: true,
                            neg,
                            psrc,
                        },
                    ));
                }
                continue;
            }
            // gas: a bare `nop` is `nop 0` (alone, an empty wide instruction).
            if op.text.trim() == "nop" {
                continue;
            }
            if name == "ipd" {
                explicit_ipd = true;
                // `ipd 0` says only that gas's default is not wanted; SS is there.
                if crate::isa::encode::parse_number(rest) == Some(0) {
                    b.ss.get_or_insert(crate::isa::Ss(0));
                    continue;
                }
            }
            seen.borrow_mut().clear();
            let text = gas_displacement(&op.text, pc);
            let placed = match encode_ctl(&text, pc, iset, &mut b, &ctl_lookup) {
                Ok(p) => p,
                // gas takes `name = value` parameters in any order.
                Err(e @ crate::isa::encode::EncodeError::UnknownMnemonic(_)) => {
                    reordered_params(&text)
                        .into_iter()
                        .find_map(|t| encode_ctl(&t, pc, iset, &mut b, &ctl_lookup).ok())
                        .ok_or_else(|| (op.loc.clone(), ctl_error(&text, &e)))?
                }
                Err(e) => return Err((op.loc.clone(), e.to_string())),
            };
            if let Some((text, v)) =
                take_one(&format!("`{}`", placed.name())).map_err(|m| (op.loc.clone(), m))?
            {
                if !matches!(placed.name(), "disp" | "ldisp" | "ibranch") || disp.is_some() {
                    return Err((
                        op.loc.clone(),
                        format!(
                            "`{text}` needs a relocation, which only the target of `disp`, `ldisp` or `ibranch` can have"
                        ),
                    ));
                }
                disp = Some(v);
            }
            if !placed.settled {
                unsettled.push((placed, op.loc.clone(), op.text.clone()));
            }
        }
    }
    // Operations that depend on others of the bundle (evaluators read by a combiner)
    // must hold once all are placed.
    for (p, loc, text) in unsettled {
        if !crate::isa::encode::ctl_holds(&b, pc, p) {
            return Err((
                loc,
                format!(
                    "`{text}` has no effect in this wide instruction (nothing uses its result)"
                ),
            ));
        }
    }
    // gas gives every wide instruction with an SS syllable (a transfer, `alc`, `abn`,
    // `abp`, `abg`, `bap`, `eap`, `crp`/`srp`/`slrp`, `vfdi`, `flushts`, an array
    // access...) `ipd 3` unless the source says `ipd N` (tc-e2k.c, default_ipd for
    // elbrus-v2 and later).
    // Array accesses (mova) live in SS too, which packing fills in.
    if b.aas.iter().any(Option::is_some) {
        b.ss.get_or_insert(crate::isa::Ss(0));
    }
    if let (Some(ss), false) = (b.ss.as_mut(), explicit_ipd) {
        ss.0 |= GAS_DEFAULT_IPD << 30;
    }
    let placed = place_literals(&mut b, &lits).map_err(|m| (ops[0].loc.clone(), m))?;
    // A pair's second half reads the same literal and runs under the same conditions.
    for &(ch, pch) in &pairs {
        if let Some((_, l, _, _)) = lits.iter().find(|x| x.0 == ch) {
            let mask = ((1u32 << l.field_width) - 1) << l.field_lo;
            let first = b.als[ch as usize].map_or(0, |a| a.0);
            if let Some(a) = b.als[pch as usize].as_mut() {
                a.0 = (a.0 & !mask) | (first & mask);
            }
        }
        let extra: Vec<(u8, Cond)> = conds
            .iter()
            .filter(|c| c.0 == ch)
            .map(|c| (pch, c.1))
            .collect();
        conds.extend(extra);
    }
    place_conditions(&mut b, &conds).map_err(|m| (ops[0].loc.clone(), m))?;
    let mut syllables = Syllables::from_bundle(&b);
    syllables.ales25_word = explicit_ales25;
    let (bytes, at) =
        pack_with_offsets(&syllables, iset).map_err(|e| (ops[0].loc.clone(), e.to_string()))?;
    let mut fixups = Vec::new();
    for (slot, bits, value) in placed {
        // A 64-bit literal's relocation starts at its higher word, stored first.
        let (word, r_type) = if bits == 64 {
            (slot + 1, reloc::R_E2K_64_ABS_LIT)
        } else {
            (slot, reloc::R_E2K_32_ABS)
        };
        let offset = at.lts[word]
            .ok_or_else(|| (ops[0].loc.clone(), "literal lost in packing".to_string()))?;
        fixups.push(Fixup {
            offset,
            r_type,
            value,
        });
    }
    if let Some(value) = disp {
        let offset = at
            .cs0
            .ok_or_else(|| (ops[0].loc.clone(), "displacement without CS0".to_string()))?;
        fixups.push(Fixup {
            offset,
            r_type: reloc::R_E2K_DISP,
            value,
        });
    }
    // gas lists a wide instruction's relocations by offset.
    fixups.sort_by_key(|f| f.offset);
    Ok((bytes, fixups))
}
