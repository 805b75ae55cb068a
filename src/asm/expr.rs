//! Expressions where a number goes: numbers, symbols and `.`, plus or minus a number.

use std::collections::BTreeMap;

/// Resolves `sym`, `sym+N`, `sym-N` and numbers.
pub(super) fn eval(expr: &str, symbols: &BTreeMap<String, u64>) -> Option<u64> {
    let e = expr.trim();
    if let Some(v) = crate::isa::encode::parse_number(e) {
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
