//! `lanes(W, N, e)`: a value of N lanes of W bits, lane k being `e` with the lane index
//! `k` fixed. It is expanded when the description is read, so the checker and every
//! generator see ordinary expressions:
//!
//! ```text
//! lanes(8, 8, lane(src1) + lane(src2))            # paddb
//! = zext(src1[7:0] + src2[7:0], 64) | zext(src1[15:8] + src2[15:8], 64) << 8 | ...
//! ```
//!
//! Inside `e`: `k` is the lane index (a number); `lane(x)` is lane k of `x` at width
//! W; `lane(x, w, i)` is the w-bit lane `i` of `x` (`i` may use `k`: `k + 4`, `2 * k`);
//! `select(c, a, b)` with a condition known from `k` alone keeps only the branch taken,
//! so the other may name lanes that do not exist for that k.

use crate::ast::{BinOp, Expr, ExprKind};
use crate::Diagnostic;

/// Expands `lanes(W, N, e)`.
pub fn expand(args: Vec<Expr>, loc: &crate::ast::Loc) -> Result<Expr, Diagnostic> {
    let [w, n, body]: [Expr; 3] = args.try_into().map_err(|_| {
        Diagnostic::new(
            loc.clone(),
            "`lanes` takes a lane width, a lane count and an expression".into(),
        )
    })?;
    let number = |e: &Expr, what: &str| match e.kind {
        ExprKind::Int(v) if (1..=128).contains(&v) => Ok(v as u32),
        _ => Err(Diagnostic::new(
            e.loc.clone(),
            format!("the {what} of `lanes` must be a number from 1 to 128"),
        )),
    };
    let (w, n) = (number(&w, "lane width")?, number(&n, "lane count")?);
    let total = w * n;
    if n < 2 || !matches!(total, 16 | 32 | 64 | 128) {
        return Err(Diagnostic::new(
            loc.clone(),
            format!(
                "`lanes({w}, {n}, ...)` must make 16, 32, 64 or 128 bits of at least two lanes"
            ),
        ));
    }
    let mut acc: Option<Expr> = None;
    for k in 0..n {
        let lane = at_lane(&body, k, w)?;
        let mut v = call("zext", vec![lane, int(total as u128, loc)], loc);
        if k > 0 {
            v = bin(BinOp::Shl, v, int((w * k) as u128, loc), loc);
        }
        acc = Some(match acc {
            None => v,
            Some(a) => bin(BinOp::Or, a, v, loc),
        });
    }
    Ok(acc.expect("at least two lanes"))
}

fn int(v: u128, loc: &crate::ast::Loc) -> Expr {
    Expr {
        kind: ExprKind::Int(v),
        loc: loc.clone(),
    }
}

fn call(name: &str, args: Vec<Expr>, loc: &crate::ast::Loc) -> Expr {
    Expr {
        kind: ExprKind::Call(name.into(), args),
        loc: loc.clone(),
    }
}

fn bin(op: BinOp, a: Expr, b: Expr, loc: &crate::ast::Loc) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        loc: loc.clone(),
    }
}

/// The value of an expression of `k` and numbers, if it is one.
fn known(e: &Expr, k: u32) -> Option<i128> {
    Some(match &e.kind {
        ExprKind::Int(v) => *v as i128,
        ExprKind::Var(n) if n == "k" => k as i128,
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (known(a, k)?, known(b, k)?);
            match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Shr => a >> b,
                BinOp::Shl => a << b,
                BinOp::And => a & b,
                BinOp::Lt => (a < b) as i128,
                BinOp::Le => (a <= b) as i128,
                BinOp::Gt => (a > b) as i128,
                BinOp::Ge => (a >= b) as i128,
                BinOp::Eq => (a == b) as i128,
                BinOp::Ne => (a != b) as i128,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// `e` for lane `k`.
fn at_lane(e: &Expr, k: u32, w: u32) -> Result<Expr, Diagnostic> {
    let loc = &e.loc;
    let kind = match &e.kind {
        ExprKind::Var(n) if n == "k" => ExprKind::Int(k as u128),
        ExprKind::Call(name, args) if name == "lane" => {
            let (x, lw, i) =
                match args.as_slice() {
                    [x] => (x, w as i128, k as i128),
                    [x, lw, i] => {
                        let lw = known(lw, k).filter(|v| (1..=128).contains(v));
                        let i = known(i, k);
                        match (lw, i) {
                            (Some(lw), Some(i)) => (x, lw, i),
                            _ => return Err(Diagnostic::new(
                                loc.clone(),
                                "`lane(x, width, index)` needs a width and an index known from `k`"
                                    .into(),
                            )),
                        }
                    }
                    _ => {
                        return Err(Diagnostic::new(
                            loc.clone(),
                            "`lane` takes a value, or a value, a width and an index".into(),
                        ))
                    }
                };
            let lo = lw * i;
            let hi = lo + lw - 1;
            if i < 0 || hi > 127 {
                return Err(Diagnostic::new(
                    loc.clone(),
                    format!("lane {i} of {lw} bits does not exist (lane index {k})"),
                ));
            }
            ExprKind::Slice(Box::new(at_lane(x, k, w)?), hi as u32, lo as u32)
        }
        ExprKind::Call(name, args) if name == "select" && args.len() == 3 => {
            match known(&args[0], k) {
                Some(c) => return at_lane(if c != 0 { &args[1] } else { &args[2] }, k, w),
                None => ExprKind::Call(
                    name.clone(),
                    args.iter()
                        .map(|a| at_lane(a, k, w))
                        .collect::<Result<_, _>>()?,
                ),
            }
        }
        ExprKind::Call(name, args) => ExprKind::Call(
            name.clone(),
            args.iter()
                .map(|a| at_lane(a, k, w))
                .collect::<Result<_, _>>()?,
        ),
        ExprKind::Unary(op, a) => ExprKind::Unary(*op, Box::new(at_lane(a, k, w)?)),
        ExprKind::Binary(op, a, b) => ExprKind::Binary(
            *op,
            Box::new(at_lane(a, k, w)?),
            Box::new(at_lane(b, k, w)?),
        ),
        ExprKind::Bit(a, b) => {
            ExprKind::Bit(Box::new(at_lane(a, k, w)?), Box::new(at_lane(b, k, w)?))
        }
        ExprKind::Slice(a, hi, lo) => ExprKind::Slice(Box::new(at_lane(a, k, w)?), *hi, *lo),
        other => other.clone(),
    };
    Ok(Expr {
        kind,
        loc: loc.clone(),
    })
}
