//! Expressions where a number goes: numbers, symbols and `.`, plus or minus a number,
//! and differences of labels; valued as relocatable (section or undefined symbol,
//! plus an offset) or absolute.

use std::collections::BTreeMap;

/// Section labels are kept at a base per section, `(index + 1) << SECTION_SHIFT`, so
/// that differences of labels in one section are plain numbers and everything else
/// stays relocatable.
pub(super) const SECTION_SHIFT: u32 = 48;

pub(super) fn section_base(index: usize) -> u64 {
    (index as u64 + 1) << SECTION_SHIFT
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Base {
    Abs,
    /// An offset in section N.
    Section(usize),
    /// A symbol this file does not define.
    Undefined(String),
}

/// A value: absolute, or an offset in a section, or an undefined symbol plus an
/// addend. `sym` names the symbol when the expression was `name` or `name ± N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Value {
    pub(super) base: Base,
    pub(super) off: u64,
    pub(super) sym: Option<String>,
}

pub(super) fn split_value(v: u64, sections: usize) -> (Base, u64) {
    let k = v >> SECTION_SHIFT;
    if k >= 1 && k as usize <= sections {
        (
            Base::Section(k as usize - 1),
            v & ((1 << SECTION_SHIFT) - 1),
        )
    } else {
        (Base::Abs, v)
    }
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
}

/// Evaluates an expression to a relocatable value; names that are not defined are
/// undefined symbols. `None` for text that is no expression, or one no relocation
/// can say (the sum of two addresses, a difference across sections).
pub(super) fn eval_value(
    expr: &str,
    symbols: &BTreeMap<String, u64>,
    sections: usize,
) -> Option<Value> {
    let e = expr.trim();
    if let Some(v) = crate::isa::encode::parse_number(e) {
        return Some(Value {
            base: Base::Abs,
            off: v,
            sym: None,
        });
    }
    for (i, c) in e
        .char_indices()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        if c == '+' || c == '-' {
            let a = eval_value(&e[..i], symbols, sections)?;
            let b = eval_value(&e[i + 1..], symbols, sections)?;
            return match (c, &a.base, &b.base) {
                ('+', _, Base::Abs) | ('-', _, Base::Abs) => Some(Value {
                    off: if c == '+' {
                        a.off.wrapping_add(b.off)
                    } else {
                        a.off.wrapping_sub(b.off)
                    },
                    ..a
                }),
                ('+', Base::Abs, _) => Some(Value {
                    off: b.off.wrapping_add(a.off),
                    ..b
                }),
                ('-', x, y) if x == y => Some(Value {
                    base: Base::Abs,
                    off: a.off.wrapping_sub(b.off),
                    sym: None,
                }),
                _ => None,
            };
        }
    }
    if let Some(&v) = symbols.get(e) {
        let (base, off) = split_value(v, sections);
        return Some(Value {
            base,
            off,
            sym: Some(e.to_string()),
        });
    }
    is_name(e).then(|| Value {
        base: Base::Undefined(e.to_string()),
        off: 0,
        sym: Some(e.to_string()),
    })
}
