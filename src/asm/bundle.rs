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

/// Places literal requests in LTS slots (after any the bundle already uses) and patches
/// the operand bytes; equal literals share a slot. Returns the slot and size of each
/// relocated literal.
pub(super) fn place_literals(
    b: &mut Bundle,
    reqs: &[(u8, LiteralRequest, Reloc)],
) -> Result<Vec<(usize, u32, Value)>, String> {
    let mut placed = Vec::new();
    let mut used: Vec<Option<(u32, u64, Option<String>)>> = b
        .lts
        .iter()
        .map(|l| l.map(|x| (0, x.0 as u64, None)))
        .collect();
    // The most constrained first: 16-bit literals live only in LTS0-1, 64-bit ones start
    // at LTS0-2, 32-bit ones anywhere.
    let mut reqs: Vec<&(u8, LiteralRequest, Reloc)> = reqs.iter().collect();
    reqs.sort_by_key(|(_, r, _)| match r.bits {
        16 => 0,
        64 => 1,
        _ => 2,
    });
    for (ch, r, rel) in reqs {
        let key = rel.as_ref().map(|x| x.0.clone());
        // With LTS0-1 taken, a 16-bit literal can still go into a 32-bit one.
        let widened;
        let r = if r.bits == 16
            && (0..=1).all(|s| used[s].as_ref().is_some_and(|u| *u != (16, r.value, None)))
        {
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
        let me = Some((r.bits, r.value, key.clone()));
        let shared = (0..=max_slot).find(|&s| used[s] == me);
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
                used[s] = me;
                if words == 2 {
                    b.lts[s + 1] = Some(crate::isa::Lts((v >> 32) as u32));
                    used[s + 1] = Some((0, v >> 32, None));
                }
                if let Some((_, val)) = rel {
                    placed.push((s, r.bits, val.clone()));
                }
                s
            }
        };
        let als = b.als[*ch as usize]
            .as_mut()
            .expect("literal of a present operation");
        let byte = r.byte_base as u32 + slot as u32;
        let mask = ((1u32 << r.field_width) - 1) << r.field_lo;
        als.0 = (als.0 & !mask) | (byte << r.field_lo & mask);
    }
    // LTS must be contiguous from LTS0.
    if let Some(gap) =
        (0..4).find(|&k| b.lts[k].is_none() && b.lts[k + 1..].iter().any(|l| l.is_some()))
    {
        b.lts[gap] = Some(crate::isa::Lts(0));
    }
    Ok(placed)
}

/// The same literal as a 32-bit one of the same operand map (sign-extended value).
pub(super) fn widen_literal(r: &LiteralRequest) -> Option<LiteralRequest> {
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
        field_width: r.field_width,
    })
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

/// A field of a wide instruction that a relocation fills: its byte offset in the
/// packed instruction, the relocation type and the value (relocatable, never
/// absolute). For R_E2K_DISP, `where_` is CS0's offset, which the addend carries.
#[derive(Clone, Debug)]
pub(super) struct Fixup {
    pub(super) offset: usize,
    pub(super) r_type: u32,
    pub(super) value: Value,
}

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
    let mut b = Bundle::default();
    let mut lits = Vec::new();
    let mut conds = Vec::new();
    let mut unsettled = Vec::new();
    let mut disp: Option<Value> = None;
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
            let operands = if op.value_first && is_store(name) && !operands.contains('[') {
                value_last(&operands)
            } else {
                operands
            };
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
            seen.borrow_mut().clear();
            let e = encode_alu_with(name, ch, sm, &operands, iset, &alu_lookup)
                .map_err(|e| (op.loc.clone(), e.to_string()))?;
            let rel = take_one(&format!("`{name}`")).map_err(|m| (op.loc.clone(), m))?;
            if rel.is_some() && e.literal.is_none() {
                return Err((
                    op.loc.clone(),
                    format!("`{name}` has a symbol where no literal can stand"),
                ));
            }
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
                lits.push((ch, l, rel));
            }
        } else {
            seen.borrow_mut().clear();
            let placed = encode_ctl(&op.text, pc, iset, &mut b, &ctl_lookup)
                .map_err(|e| (op.loc.clone(), e.to_string()))?;
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
    let placed = place_literals(&mut b, &lits).map_err(|m| (ops[0].loc.clone(), m))?;
    place_conditions(&mut b, &conds).map_err(|m| (ops[0].loc.clone(), m))?;
    let (bytes, at) = pack_with_offsets(&Syllables::from_bundle(&b), iset)
        .map_err(|e| (ops[0].loc.clone(), e.to_string()))?;
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
    Ok((bytes, fixups))
}
