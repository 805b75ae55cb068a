//! Lowers description expressions (layout rules, control-operation fields) to Rust
//! expressions over `u64`. Every value is kept zero-extended to its width.

use crate::ast::*;
use crate::Diagnostic;
use proc_macro2::TokenStream;
use quote::quote;

/// How names in an expression become Rust.
pub trait Scope {
    /// A syllable field: tokens and width, or `None` if unknown.
    fn field(&self, syl: &str, field: &str) -> Option<(TokenStream, u32)>;
    /// A variable: tokens and width.
    fn var(&self, name: &str) -> Option<(TokenStream, u32)>;
    /// Whether the named syllable (or family member, `PLS2`) is in the bundle.
    fn present(&self, _name: &str) -> Option<TokenStream> {
        None
    }
}

fn mask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

/// Keeps a value to its width; 64-bit values need no mask.
fn masked(ts: TokenStream, w: u32) -> TokenStream {
    if w >= 64 {
        quote!((#ts))
    } else {
        let m = mask(w);
        quote!(((#ts) & #m))
    }
}

fn err<T>(loc: &Loc, msg: impl Into<String>) -> Result<T, Diagnostic> {
    Err(Diagnostic::new(loc.clone(), msg.into()))
}

/// Returns the Rust expression (of type `u64`) and the width of the value.
pub fn lower(s: &dyn Scope, e: &Expr) -> Result<(TokenStream, u32), Diagnostic> {
    Ok(match &e.kind {
        ExprKind::Int(n) => {
            let v = *n as u64;
            (quote!(#v), 64)
        }
        ExprKind::Bool(b) => {
            let v = *b as u64;
            (quote!(#v), 1)
        }
        ExprKind::Var(v) => match s.var(v) {
            Some(x) => x,
            None => return err(&e.loc, format!("unknown name `{v}`")),
        },
        ExprKind::Field(y, f) => match s.field(y, f) {
            Some(x) => x,
            None => return err(&e.loc, format!("no field `{y}.{f}` here")),
        },
        ExprKind::Unary(op, a) => {
            let (a, w) = lower(s, a)?;
            let m = mask(w);
            match op {
                UnOp::Not if w == 1 => (quote!(((#a) ^ 1)), 1),
                UnOp::Not => (quote!((!(#a) & #m)), w),
                UnOp::Neg => (quote!(((#a).wrapping_neg() & #m)), w),
            }
        }
        ExprKind::Binary(op, a, b) => {
            let (x, wa) = lower(s, a)?;
            let (y, wb) = lower(s, b)?;
            let w = wa.max(wb);
            let m = mask(w);
            use BinOp::*;
            match op {
                LOr => (quote!((((#x) != 0) || ((#y) != 0)) as u64), 1),
                LAnd => (quote!((((#x) != 0) && ((#y) != 0)) as u64), 1),
                Or => (quote!(((#x) | (#y))), w),
                Xor => (quote!(((#x) ^ (#y))), w),
                And => (quote!(((#x) & (#y))), w),
                Eq => (quote!(((#x) == (#y)) as u64), 1),
                Ne => (quote!(((#x) != (#y)) as u64), 1),
                Lt => (quote!(((#x) < (#y)) as u64), 1),
                Le => (quote!(((#x) <= (#y)) as u64), 1),
                Gt => (quote!(((#x) > (#y)) as u64), 1),
                Ge => (quote!(((#x) >= (#y)) as u64), 1),
                Shl => (
                    quote!((((#x).checked_shl((#y).min(64) as u32).unwrap_or(0)) & #m)),
                    wa,
                ),
                Shr => (
                    quote!(((#x).checked_shr((#y).min(64) as u32).unwrap_or(0))),
                    wa,
                ),
                Sar => {
                    let sh = 64 - wa;
                    let ma = mask(wa);
                    (
                        quote!(((((((#x) << #sh) as i64) >> #sh) >> (#y).min(63)) as u64 & #ma)),
                        wa,
                    )
                }
                Add => (masked(quote!((#x).wrapping_add(#y)), w), w),
                Sub => (masked(quote!((#x).wrapping_sub(#y)), w), w),
                Mul => (masked(quote!((#x).wrapping_mul(#y)), w), w),
            }
        }
        ExprKind::Bit(a, i) => {
            let (x, _) = lower(s, a)?;
            let (i, _) = lower(s, i)?;
            (
                quote!((((#x).checked_shr((#i).min(64) as u32).unwrap_or(0)) & 1)),
                1,
            )
        }
        ExprKind::Slice(a, hi, lo) => {
            let (x, _) = lower(s, a)?;
            let w = hi - lo + 1;
            let m = mask(w);
            (quote!((((#x) >> #lo) & #m)), w)
        }
        ExprKind::Call(name, args) => {
            let width = |e: &Expr| -> Result<u32, Diagnostic> {
                match e.kind {
                    ExprKind::Int(n) if (1..=64).contains(&n) => Ok(n as u32),
                    _ => err(&e.loc, "a width from 1 to 64 is needed here"),
                }
            };
            match (name.as_str(), args.as_slice()) {
                ("has", [a]) => match &a.kind {
                    ExprKind::Var(v) => match s.present(v) {
                        Some(t) => (quote!(((#t) as u64)), 1),
                        None => return err(&a.loc, format!("no syllable `{v}` here")),
                    },
                    _ => return err(&a.loc, "`has` takes a syllable name"),
                },
                ("sext", [a, n]) => {
                    let (x, w) = lower(s, a)?;
                    let to = width(n)?;
                    let w = w.min(to);
                    let sh = 64 - w;
                    let m = mask(to);
                    (quote!((((((#x) << #sh) as i64) >> #sh) as u64 & #m)), to)
                }
                ("zext", [a, n]) => {
                    let (x, _) = lower(s, a)?;
                    (x, width(n)?)
                }
                ("trunc", [a, n]) => {
                    let (x, _) = lower(s, a)?;
                    let to = width(n)?;
                    let m = mask(to);
                    (quote!(((#x) & #m)), to)
                }
                ("select", [c, a, b]) => {
                    let (c, _) = lower(s, c)?;
                    let (x, wa) = lower(s, a)?;
                    let (y, wb) = lower(s, b)?;
                    (quote!((if (#c) != 0 { #x } else { #y })), wa.max(wb))
                }
                _ => return err(&e.loc, format!("`{name}` cannot be used in this context")),
            }
        }
    })
}
