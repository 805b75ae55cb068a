//! Emits the interpreter's semantics: one function per operation, generated from its
//! `{ ... }` block. Values are `u128` bit vectors kept to their width by `crate::isa::bits`;
//! memory and helpers go through the `Exec` trait the runtime implements.

use crate::ast::*;
use crate::model::*;
use crate::rust_expr;
use crate::sem::TRAPS;
use crate::Diagnostic;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

struct Cx<'a> {
    m: &'a Model,
    /// Variables in scope: name, width, Rust expression.
    vars: Vec<(String, u32, TokenStream)>,
    /// Control operations also see the bundle's fields and `define`s.
    ctl: Option<CtlCx<'a>>,
    /// Emit Cranelift lowering (values are `ir::LV`, built through `x: &mut Lx`)
    /// instead of interpreter code over `u128`.
    jit: bool,
}

/// What a control operation's semantics can name besides its own `let`s.
pub struct CtlCx<'a> {
    /// Fields, `has`, `pc`, `i`, the operation's `let`s and pure `define`s (as `u64`).
    pub scope: &'a dyn rust_expr::Scope,
    /// `define`s that read the machine (call helpers), with their widths: each is a
    /// function `mdef_NAME(b, pc, i, x)`.
    pub machine_defines: Vec<(String, u32)>,
}

fn err<T>(loc: &Loc, msg: impl Into<String>) -> Result<T, Diagnostic> {
    Err(Diagnostic::new(loc.clone(), msg.into()))
}

fn helper_width(t: &str) -> u32 {
    match t {
        "S" => 32,
        "D" => 64,
        "X" => 80,
        "Q" | "P" => 128,
        "bool" => 1,
        "unit" => 0,
        b => b.trim_start_matches('B').parse().unwrap_or(64),
    }
}

pub(crate) fn trap_variant(t: &str) -> Ident {
    let camel: String = t
        .split('_')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    Ident::new(&camel, Span::call_site())
}

/// A primitive: `bits::f(args, w)` for the interpreter, `ir::f(x, args, w)?` for the JIT.
fn prim(cx: &Cx, f: &str, args: &[TokenStream], w: Option<u32>) -> TokenStream {
    let f = format_ident!("{}", f);
    let w = w.map(|w| quote!(#w));
    if cx.jit {
        // Operands first: the context is borrowed only by the outer call.
        let w = w.into_iter();
        let names: Vec<Ident> = (0..args.len()).map(|i| format_ident!("o{}", i)).collect();
        quote!({ #(let #names = #args;)* ir::#f(x, #(#names,)* #(#w)*)? })
    } else {
        let w = w.into_iter();
        quote!(bits::#f(#(#args,)* #(#w)*))
    }
}

/// A value known when the code is generated (interpreter) or translated (JIT).
fn konst(cx: &Cx, v: TokenStream) -> TokenStream {
    if cx.jit {
        quote!(LV::C(#v))
    } else {
        v
    }
}

/// An expression that is a bare literal takes the width of the other side.
fn is_literal(cx: &Cx, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_) => true,
        ExprKind::Var(v) => !cx.vars.iter().any(|(n, _, _)| n == v) && cx.m.consts.contains_key(v),
        ExprKind::Unary(_, a) => is_literal(cx, a),
        _ => false,
    }
}

/// A lowered expression and its width.
type Lowered = (TokenStream, u32);

/// Lowers two operands that share a width; a bare literal takes the other's width.
fn lower_pair(
    cx: &Cx,
    a: &Expr,
    b: &Expr,
    want: Option<u32>,
) -> Result<(Lowered, Lowered), Diagnostic> {
    if is_literal(cx, a) && !is_literal(cx, b) {
        let r = lower(cx, b, want)?;
        Ok((lower(cx, a, Some(r.1))?, r))
    } else {
        let l = lower(cx, a, want)?;
        let r = lower(cx, b, Some(l.1))?;
        Ok((l, r))
    }
}

fn lower(cx: &Cx, e: &Expr, want: Option<u32>) -> Result<(TokenStream, u32), Diagnostic> {
    Ok(match &e.kind {
        ExprKind::Int(n) => {
            let w = want.unwrap_or(64);
            let v = *n & crate_mask(w);
            (konst(cx, quote!(#v)), w)
        }
        ExprKind::Bool(b) => {
            let v = *b as u128;
            (konst(cx, quote!(#v)), 1)
        }
        ExprKind::Var(v) => {
            if let Some((_, w, ts)) = cx.vars.iter().rev().find(|(n, _, _)| n == v) {
                (ts.clone(), *w)
            } else if let Some((_, w)) = cx
                .ctl
                .as_ref()
                .and_then(|c| c.machine_defines.iter().find(|(n, _)| n == v))
            {
                let f = if cx.jit {
                    format_ident!("mdef_jit_{}", v)
                } else {
                    format_ident!("mdef_{}", v)
                };
                (quote!(#f(b, pc, i, x)?), *w)
            } else if let Some(c) = cx.m.consts.get(v) {
                let w = want.unwrap_or(64);
                let c = *c as u128 & crate_mask(w);
                (konst(cx, quote!(#c)), w)
            } else if let Some((ts, w)) = cx.ctl.as_ref().and_then(|c| c.scope.var(v)) {
                (konst(cx, quote!(((#ts) as u128))), w)
            } else {
                return err(&e.loc, format!("unknown name `{v}`"));
            }
        }
        ExprKind::Field(s, f) => match cx.ctl.as_ref().and_then(|c| c.scope.field(s, f)) {
            Some((ts, w)) => (konst(cx, quote!(((#ts) as u128))), w),
            None => {
                return err(
                    &e.loc,
                    format!("`{s}.{f}` cannot be used in operation semantics"),
                )
            }
        },
        ExprKind::Unary(op, a) => {
            let (x, w) = lower(cx, a, want)?;
            match op {
                UnOp::Not => (prim(cx, "not", &[x], Some(w)), w),
                UnOp::Neg => (prim(cx, "neg", &[x], Some(w)), w),
            }
        }
        ExprKind::Binary(op, a, b) => {
            use BinOp::*;
            let operand_want = match op {
                Eq | Ne | Lt | Le | Gt | Ge | LAnd | LOr => None,
                _ => want,
            };
            if matches!(op, Shl | Shr | Sar) {
                let (x, w) = lower(cx, a, want)?;
                let (y, _) = lower(cx, b, None)?;
                let f = match op {
                    Shl => "shl",
                    Shr => "shr",
                    _ => "sar",
                };
                return Ok((prim(cx, f, &[x, y], Some(w)), w));
            }
            let ((x, wa), (y, wb)) = lower_pair(cx, a, b, operand_want)?;
            let w = wa.max(wb);
            if cx.jit {
                let (f, rw, pw) = match op {
                    LOr => ("lor", 1, None),
                    LAnd => ("land", 1, None),
                    Or => ("or", w, None),
                    Xor => ("xor", w, None),
                    And => ("and", w, None),
                    Eq => ("eq", 1, None),
                    Ne => ("ne", 1, None),
                    Lt => ("ult", 1, None),
                    Le => ("ule", 1, None),
                    Gt => ("ugt", 1, None),
                    Ge => ("uge", 1, None),
                    Add => ("add", w, Some(w)),
                    Sub => ("sub", w, Some(w)),
                    Mul => ("mul", w, Some(w)),
                    Shl | Shr | Sar => unreachable!(),
                };
                return Ok((prim(cx, f, &[x, y], pw), rw));
            }
            match op {
                LOr => (quote!((((#x) != 0) || ((#y) != 0)) as u128), 1),
                LAnd => (quote!((((#x) != 0) && ((#y) != 0)) as u128), 1),
                Or => (quote!((#x | #y)), w),
                Xor => (quote!((#x ^ #y)), w),
                And => (quote!((#x & #y)), w),
                Eq => (quote!(((#x) == (#y)) as u128), 1),
                Ne => (quote!(((#x) != (#y)) as u128), 1),
                Lt => (quote!(((#x) < (#y)) as u128), 1),
                Le => (quote!(((#x) <= (#y)) as u128), 1),
                Gt => (quote!(((#x) > (#y)) as u128), 1),
                Ge => (quote!(((#x) >= (#y)) as u128), 1),
                Add => (quote!(bits::add(#x, #y, #w)), w),
                Sub => (quote!(bits::sub(#x, #y, #w)), w),
                Mul => (quote!(bits::mul(#x, #y, #w)), w),
                Shl | Shr | Sar => unreachable!(),
            }
        }
        ExprKind::Bit(a, i) => {
            let (x, _) = lower(cx, a, None)?;
            let (i, _) = lower(cx, i, None)?;
            if cx.jit {
                (prim(cx, "bit", &[x, i], None), 1)
            } else {
                (quote!(((#x >> (#i).min(127)) & 1)), 1)
            }
        }
        ExprKind::Slice(a, hi, lo) => {
            let (x, _) = lower(cx, a, None)?;
            let w = hi - lo + 1;
            if cx.jit {
                (quote!({ let o0 = #x; ir::slice(x, o0, #lo, #w)? }), w)
            } else {
                (quote!(((#x >> #lo) & bits::mask(#w))), w)
            }
        }
        ExprKind::Call(name, args) => call(cx, e, name, args, want)?,
    })
}

fn crate_mask(w: u32) -> u128 {
    if w >= 128 {
        u128::MAX
    } else {
        (1u128 << w) - 1
    }
}

fn width_arg(e: &Expr) -> Result<u32, Diagnostic> {
    match e.kind {
        ExprKind::Int(n) => Ok(n as u32),
        _ => err(&e.loc, "a width must be a number"),
    }
}

fn call(
    cx: &Cx,
    e: &Expr,
    name: &str,
    args: &[Expr],
    want: Option<u32>,
) -> Result<(TokenStream, u32), Diagnostic> {
    let two = |f: &str| -> Result<(TokenStream, u32), Diagnostic> {
        let ((x, wa), (y, _)) = lower_pair(cx, &args[0], &args[1], want)?;
        Ok((prim(cx, f, &[x, y], Some(wa)), wa))
    };
    Ok(match name {
        "sext" | "zext" | "trunc" => {
            let to = width_arg(&args[1])?;
            let (x, w) = lower(cx, &args[0], Some(to))?;
            match name {
                "sext" if cx.jit => (quote!({ let o0 = #x; ir::sext(x, o0, #w, #to)? }), to),
                "sext" => (quote!(bits::sext(#x, #w, #to)), to),
                "zext" => (x, to),
                _ => (prim(cx, "trunc", &[x], Some(to)), to),
            }
        }
        "slt" | "sle" | "sgt" | "sge" => (two(name)?.0, 1),
        "udiv" | "sdiv" | "urem" | "srem" | "mulhu" | "mulhs" => two(name)?,
        "rotl" | "rotr" => {
            let (x, w) = lower(cx, &args[0], want)?;
            let (y, _) = lower(cx, &args[1], None)?;
            (prim(cx, name, &[x, y], Some(w)), w)
        }
        "clz" | "ctz" | "popcnt" | "bitrev" => {
            let (x, w) = lower(cx, &args[0], want)?;
            (prim(cx, name, &[x], Some(w)), w)
        }
        "parity" => {
            let (x, _) = lower(cx, &args[0], None)?;
            (prim(cx, "parity", &[x], None), 1)
        }
        "select" => {
            let (c, _) = lower(cx, &args[0], None)?;
            let ((a, wa), (b, wb)) = lower_pair(cx, &args[1], &args[2], want)?;
            if cx.jit {
                (prim(cx, "select", &[c, a, b], None), wa.max(wb))
            } else {
                (quote!((if #c != 0 { #a } else { #b })), wa.max(wb))
            }
        }
        "load" => {
            let (a, _) = lower(cx, &args[0], Some(64))?;
            let w = width_arg(&args[1])?;
            if cx.jit {
                (quote!({ let addr = #a; x.load(addr, #w)? }), w)
            } else {
                (quote!({ let addr = #a; x.load(addr as u64, #w)? }), w)
            }
        }
        "store" => {
            let (a, _) = lower(cx, &args[0], Some(64))?;
            let (v, w) = lower(cx, &args[1], None)?;
            if cx.jit {
                (
                    quote!({ let addr = #a; let value = #v; x.store(addr, #w, value)? }),
                    0,
                )
            } else {
                (
                    quote!({ let addr = #a; let value = #v; x.store(addr as u64, #w, value)? }),
                    0,
                )
            }
        }
        "has" => {
            let present = match (&args[0].kind, cx.ctl.as_ref()) {
                (ExprKind::Var(n), Some(c)) => c.scope.present(n),
                _ => None,
            };
            match present {
                Some(ts) => (konst(cx, quote!(((#ts) as u128))), 1),
                None => {
                    return err(
                        &e.loc,
                        "`has` names a syllable of the bundle, which only control operations see",
                    )
                }
            }
        }
        _ => {
            let Some(h) = cx.m.desc.helpers.iter().find(|h| h.name == name) else {
                return err(&e.loc, format!("unknown function `{name}`"));
            };
            let mut vals = Vec::new();
            for (p, a) in h.params.iter().zip(args) {
                vals.push(lower(cx, a, Some(helper_width(p)))?.0);
            }
            let f = if cx.jit {
                format_ident!("h_{}", name)
            } else {
                format_ident!("{}", name)
            };
            let names: Vec<Ident> = (0..vals.len()).map(|i| format_ident!("a{}", i)).collect();
            // Arguments first: they may call the machine too.
            (
                quote!({ #(let #names = #vals;)* x.#f(#(#names),*)? }),
                helper_width(&h.ret),
            )
        }
    })
}

fn stmts(cx: &mut Cx, ss: &[Stmt], widths: &[(String, u32)]) -> Result<TokenStream, Diagnostic> {
    let mut out = TokenStream::new();
    let depth = cx.vars.len();
    let ty = if cx.jit { quote!(LV) } else { quote!(u128) };
    for s in ss {
        match s {
            Stmt::Let { name, value, .. } => {
                let (v, w) = lower(cx, value, None)?;
                let id = format_ident!("l_{}", name);
                out.extend(quote!(let #id: #ty = #v;));
                cx.vars.push((name.clone(), w, quote!(#id)));
            }
            Stmt::Assign { target, value, .. } => {
                let w = widths
                    .iter()
                    .find(|(n, _)| n == target)
                    .map(|x| x.1)
                    .unwrap_or(64);
                let (v, _) = lower(cx, value, Some(w))?;
                let id = format_ident!("{}", target);
                out.extend(quote!(v.#id = #v;));
            }
            Stmt::If {
                cond, then, els, ..
            } => {
                let (c, _) = lower(cx, cond, None)?;
                let t = stmts(cx, then, widths)?;
                let e = stmts(cx, els, widths)?;
                if !cx.jit {
                    out.extend(quote!(if #c != 0 { #t } else { #e }));
                } else if cx.ctl.is_some() {
                    // Control semantics assign nothing: each side runs under its path condition.
                    out.extend(quote!({
                        let c = #c;
                        match c {
                            LV::C(k) => if k != 0 { #t } else { #e },
                            LV::V(_) | LV::W(..) => {
                                x.push_path(c)?;
                                { #t }
                                x.flip_path()?;
                                { #e }
                                x.pop_path();
                            }
                        }
                    }));
                } else {
                    // Both sides are lowered; their results merge by the condition.
                    out.extend(quote!({
                        let c = #c;
                        match c {
                            LV::C(k) => if k != 0 { #t } else { #e },
                            LV::V(_) | LV::W(..) => {
                                let before = *v;
                                x.push_path(c)?;
                                { #t }
                                let taken = std::mem::replace(v, before);
                                x.flip_path()?;
                                { #e }
                                x.pop_path();
                                v.merge(x, c, &taken)?;
                            }
                        }
                    }));
                }
            }
            Stmt::Trap { kind, cond, .. } => {
                let (c, _) = lower(cx, cond, None)?;
                let t = trap_variant(kind);
                if cx.jit {
                    out.extend(quote!({ let c = #c; x.trap_if(c, Trap::#t)?; }));
                } else {
                    out.extend(quote!(if #c != 0 { return Err(Trap::#t); }));
                }
            }
            Stmt::Call { call, .. } => {
                let (c, _) = lower(cx, call, None)?;
                out.extend(quote!(#c;));
            }
        }
    }
    cx.vars.truncate(depth);
    Ok(out)
}

/// The body of a control operation's semantics: statements over the bundle `b`, the
/// address `pc`, the instance `i` and the machine `x`.
pub fn ctl_body(
    m: &Model,
    ctl: CtlCx,
    body: &[Stmt],
    jit: bool,
) -> Result<TokenStream, Diagnostic> {
    let mut cx = Cx {
        m,
        vars: vec![],
        ctl: Some(ctl),
        jit,
    };
    stmts(&mut cx, body, &[])
}

/// A machine-reading `define` as a Rust expression and its width.
pub fn ctl_expr(
    m: &Model,
    ctl: CtlCx,
    e: &Expr,
    jit: bool,
) -> Result<(TokenStream, u32), Diagnostic> {
    let cx = Cx {
        m,
        vars: vec![],
        ctl: Some(ctl),
        jit,
    };
    lower(&cx, e, None)
}

/// Names of the value slots an operation's semantics can see.
fn slot_names(m: &Model) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in &m.formats {
        for x in &f.fields {
            if !names.contains(&x.name) {
                names.push(x.name.clone());
            }
        }
    }
    for (b, _) in OP_BUILTINS {
        if !names.contains(&b.to_string()) {
            names.push(b.to_string());
        }
    }
    names
}

/// A name in scope: name, width, Rust expression.
type Var = (String, u32, TokenStream);

/// Per operation: the semantics' value slots with their widths, and the scope the
/// statements see.
fn op_scope(m: &Model, o: &Op) -> (Vec<(String, u32)>, Vec<Var>) {
    let fmt = &m.formats[o.encs[0].format];
    let mut widths = Vec::new();
    let mut vars = Vec::new();
    let mut ai = 0;
    for f in &fmt.fields {
        let w = match f.role {
            Role::Src | Role::Dst => {
                let w = args_width(o.args[ai]).unwrap();
                ai += 1;
                w
            }
            Role::Pred => 1,
            Role::None => f.width,
        };
        widths.push((f.name.clone(), w));
        let id = format_ident!("{}", f.name);
        vars.push((f.name.clone(), w, quote!(v.#id)));
    }
    for &(n, w) in OP_BUILTINS {
        let id = format_ident!("{}", n);
        vars.push((n.to_string(), w, quote!(v.#id)));
    }
    (widths, vars)
}

/// The value slots an expression reads, through the `let`s in `env`; a
/// `select(cond, a, b)` on the merge condition reads only the side `c` picks.
fn expr_deps(e: &Expr, c: bool, env: &[(String, u64)], slots: &[String]) -> u64 {
    let d = |x: &Expr| expr_deps(x, c, env, slots);
    match &e.kind {
        ExprKind::Var(n) => match env.iter().rev().find(|(v, _)| v == n) {
            Some((_, m)) => *m,
            None => slots.iter().position(|s| s == n).map_or(0, |i| 1 << i),
        },
        ExprKind::Call(f, a)
            if f == "select"
                && a.len() == 3
                && matches!(&a[0].kind, ExprKind::Var(v) if v == "cond") =>
        {
            d(if c { &a[1] } else { &a[2] })
        }
        ExprKind::Call(_, a) => a.iter().fold(0, |m, x| m | d(x)),
        ExprKind::Unary(_, a) | ExprKind::Slice(a, _, _) => d(a),
        ExprKind::Binary(_, a, b) | ExprKind::Bit(a, b) => d(a) | d(b),
        ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Field(..) => 0,
    }
}

/// The value slots `dst` depends on when the merge condition is `c` (conservative:
/// both sides of an `if` count, with its condition).
fn dst_deps(ss: &[Stmt], c: bool, env: &mut Vec<(String, u64)>, slots: &[String]) -> u64 {
    let mut out = 0;
    for s in ss {
        match s {
            Stmt::Let { name, value, .. } => {
                let m = expr_deps(value, c, env, slots);
                env.push((name.clone(), m));
            }
            Stmt::Assign {
                target,
                index,
                value,
                ..
            } => {
                let m = expr_deps(value, c, env, slots)
                    | index.as_ref().map_or(0, |i| expr_deps(i, c, env, slots));
                if target == "dst" {
                    out |= m;
                } else if let Some(v) = env.iter_mut().rev().find(|(v, _)| v == target) {
                    v.1 |= m;
                }
            }
            Stmt::If {
                cond, then, els, ..
            } => {
                let m = expr_deps(cond, c, env, slots);
                let n = env.len();
                let t = dst_deps(then, c, env, slots);
                let e = dst_deps(els, c, env, slots);
                // Assignments to outer variables inside the branches stay; their `let`s go.
                env.truncate(n);
                if t | e != 0 {
                    out |= t | e | m;
                }
            }
            Stmt::Trap { .. } | Stmt::Call { .. } => {}
        }
    }
    out
}

/// Per operation, the value slots its result depends on when the merge condition is
/// false and when it is true: a merge carries only the tags of what it selects.
fn merge_deps(m: &Model) -> Vec<TokenStream> {
    let slots = slot_names(m);
    assert!(slots.len() <= 64, "more value slots than a u64 mask holds");
    m.ops
        .iter()
        .map(|o| {
            let f = dst_deps(&o.sem.stmts, false, &mut Vec::new(), &slots);
            let t = dst_deps(&o.sem.stmts, true, &mut Vec::new(), &slots);
            quote!([#f, #t])
        })
        .collect()
}

/// One function per operation, for the interpreter (`sem_NAME` over `OpVals`) or the
/// JIT (`jit_NAME` building IR over `LVals`), and their names in table order.
fn op_functions(m: &Model, jit: bool) -> Result<(TokenStream, Vec<Ident>), Diagnostic> {
    let mut fns = TokenStream::new();
    let mut table = Vec::new();
    for o in &m.ops {
        let (widths, vars) = op_scope(m, o);
        let mut cx = Cx {
            m,
            vars,
            ctl: None,
            jit,
        };
        let body = stmts(&mut cx, &o.sem.stmts, &widths)?;
        let doc = format!("`{}` ({}:{})", o.name, o.loc.file, o.loc.line);
        let f = if jit {
            let f = format_ident!("jit_{}", o.name);
            quote! {
                #[doc = #doc]
                #[allow(unused_variables, unused_parens, unused_braces, clippy::all)]
                pub fn #f(x: &mut Lx, v: &mut LVals) -> Result<(), NoLower> {
                    #body
                    Ok(())
                }
            }
        } else {
            let f = format_ident!("sem_{}", o.name);
            quote! {
                #[doc = #doc]
                #[allow(unused_variables, unused_parens, clippy::all)]
                pub fn #f(x: &mut dyn Exec, v: &mut OpVals) -> Result<(), Trap> {
                    #body
                    Ok(())
                }
            }
        };
        fns.extend(f);
        table.push(format_ident!(
            "{}_{}",
            if jit { "jit" } else { "sem" },
            o.name
        ));
    }
    Ok((fns, table))
}

/// The Cranelift lowering of every operation, from the same semantics blocks: one
/// function per operation building IR through `crate::engine::jit::ir` (values known at
/// translation time fold to constants), and a helper trait whose methods default to
/// "cannot lower" (the runtime implements those it can).
pub fn generate_jit(m: &Model) -> Result<TokenStream, Diagnostic> {
    let slots = slot_names(m);
    let ids: Vec<Ident> = slots.iter().map(|n| format_ident!("{}", n)).collect();
    let idx: Vec<usize> = (0..slots.len()).collect();
    let helper_methods = m.desc.helpers.iter().map(|h| {
        let f = format_ident!("h_{}", h.name);
        let params = (0..h.params.len()).map(|i| {
            let p = format_ident!("a{}", i);
            quote!(#p: LV)
        });
        let doc = format!("`helper {}({}) -> {}` ({}:{})", h.name, h.params.join(", "), h.ret, h.loc.file, h.loc.line);
        // A pure helper is called from compiled code; values wider than 64 bits (X)
        // go as two words, a wide result comes back as its low word and the rest
        // through a pointer.
        let callable = |t: &str| matches!(t, "S" | "D" | "B8" | "bool" | "X" | "Q" | "P");
        let wide = |t: &str| matches!(t, "X" | "Q" | "P");
        let home = h
            .home
            .as_ref()
            .and_then(|n| HELPER_HOMES.iter().position(|k| k.name == n));
        match home {
            Some(k) if h.params.iter().all(|t| callable(t)) && callable(&h.ret) => {
                let module: syn::Path = syn::parse_str(HELPER_HOMES[k].module).expect("helper home module path");
                let name = format_ident!("{}", h.name);
                let raw: Vec<Ident> = (0..h.params.len()).map(|i| format_ident!("a{}", i)).collect();
                let mut formals = vec![];
                let mut actuals = vec![];
                let mut wide_mask = 0u32;
                for (i, t) in h.params.iter().enumerate() {
                    let lo = &raw[i];
                    if wide(t) {
                        wide_mask |= 1 << i;
                        let hi = format_ident!("a{}_hi", i);
                        formals.push(quote!(#lo: u64, #hi: u64));
                        actuals.push(quote!(#lo as u128 | (#hi as u128) << 64));
                    } else {
                        formals.push(quote!(#lo: u64));
                        actuals.push(quote!(#lo as u128));
                    }
                }
                let wide_ret = wide(&h.ret);
                let (hi_formal, hi_store) = if wide_ret {
                    (quote!(, hi: *mut u64), quote!(*hi = (v >> 64) as u64;))
                } else {
                    (quote!(), quote!())
                };
                quote! {
                    #[doc = #doc]
                    fn #f(&mut self, #(#params),*) -> Result<LV, NoLower> {
                        extern "C" fn call(control: u32, #(#formals,)* flags: *mut u32 #hi_formal) -> u64 {
                            let (v, f) = #module::#name(control, #(#actuals),*);
                            // SAFETY: compiled code passes its own JitState's fields.
                            unsafe { *flags |= f; #hi_store }
                            v as u64
                        }
                        self.call_pure(#k, call as *const () as usize, &[#(#raw),*], #wide_mask, #wide_ret)
                    }
                }
            }
            _ => quote!(#[doc = #doc] #[allow(unused_variables)] fn #f(&mut self, #(#params),*) -> Result<LV, NoLower> { Err(NoLower) }),
        }
    });
    let (fns, table) = op_functions(m, true)?;
    let n = table.len();
    Ok(quote! {
        use crate::engine::jit::ir::{self, Lx, NoLower, LV};
        use crate::isa::semantics::Trap;

        /// An operation's value slots as IR values (the JIT twin of `OpVals`).
        #[derive(Clone, Copy, Debug)]
        pub struct LVals { #(pub #ids: LV,)* }

        impl Default for LVals {
            fn default() -> Self {
                LVals { #(#ids: LV::C(0),)* }
            }
        }

        impl LVals {
            pub fn slot_mut(&mut self, k: usize) -> Option<&mut LV> {
                match k {
                    #(#idx => Some(&mut self.#ids),)*
                    _ => None,
                }
            }
            pub fn slot(&self, k: usize) -> LV {
                match k {
                    #(#idx => self.#ids,)*
                    _ => LV::C(0),
                }
            }
            /// Joins two sides of a condition: `taken` where `c` holds, else `self`.
            pub fn merge(&mut self, x: &mut Lx, c: LV, taken: &LVals) -> Result<(), NoLower> {
                #(self.#ids = ir::select(x, c, taken.#ids, self.#ids)?;)*
                Ok(())
            }
        }

        /// The declared helpers as the JIT sees them.
        pub trait JitHelpers {
            /// Calls the pure helper at `f` (`extern "C" fn(control, args.., flags[, hi]) -> value`)
            /// where the current path holds; `home` indexes the helper homes (0 `float`:
            /// %pfpfr, 1 `float_x`: %fpcr) whose control it reads and flags it raises.
            /// Arguments with their bit set in `wide` go as two words (low 64 bits, the
            /// bits above); a `wide_ret` helper writes the bits above its result to `hi`.
            fn call_pure(&mut self, home: usize, f: usize, args: &[LV], wide: u32, wide_ret: bool) -> Result<LV, NoLower>;
            #(#helper_methods)*
        }

        pub type JitFn = fn(&mut Lx, &mut LVals) -> Result<(), NoLower>;

        #fns

        /// Lowering of each operation, indexed like `OPS`.
        pub static JIT_LOWER: [JitFn; #n] = [#(#table),*];
    })
}

pub fn generate(m: &Model) -> Result<TokenStream, Diagnostic> {
    let slots = slot_names(m);
    let slot_fields = slots.iter().map(|n| {
        let id = format_ident!("{}", n);
        quote!(pub #id: u128,)
    });
    let slot_ids: Vec<Ident> = slots.iter().map(|n| format_ident!("{}", n)).collect();
    let slot_idx: Vec<usize> = (0..slots.len()).collect();
    let nslots = slots.len();
    let traps: Vec<Ident> = TRAPS.iter().map(|t| trap_variant(t)).collect();
    let trap_names: Vec<&str> = TRAPS.to_vec();
    let helper_methods = m.desc.helpers.iter().map(|h| {
        let f = format_ident!("{}", h.name);
        let params = (0..h.params.len()).map(|i| {
            let p = format_ident!("a{}", i);
            quote!(#p: u128)
        });
        let doc = format!(
            "`helper {}({}) -> {}` ({}:{})",
            h.name,
            h.params.join(", "),
            h.ret,
            h.loc.file,
            h.loc.line
        );
        let Some(home) = h
            .home
            .as_ref()
            .and_then(|n| HELPER_HOMES.iter().find(|k| k.name == n))
        else {
            return quote!(#[doc = #doc] fn #f(&mut self, #(#params),*) -> Result<u128, Trap>;);
        };
        let module: syn::Path = syn::parse_str(home.module).expect("helper home module path");
        let control = format_ident!("{}", home.control);
        let raise = format_ident!("{}", home.raise);
        let args = (0..h.params.len()).map(|i| format_ident!("a{}", i));
        quote! {
            #[doc = #doc]
            fn #f(&mut self, #(#params),*) -> Result<u128, Trap> {
                let (v, flags) = #module::#f(self.#control(), #(#args),*);
                self.#raise(flags);
                Ok(v)
            }
        }
    });
    let home_methods = HELPER_HOMES
        .iter()
        .filter(|k| {
            m.desc
                .helpers
                .iter()
                .any(|h| h.home.as_deref() == Some(k.name))
        })
        .map(|k| {
            let control = format_ident!("{}", k.control);
            let raise = format_ident!("{}", k.raise);
            let dc = format!("The control register `{}` helpers read.", k.name);
            let dr = format!("Exception flags a `{}` helper raised.", k.name);
            quote! {
                #[doc = #dc]
                fn #control(&self) -> u32;
                #[doc = #dr]
                fn #raise(&mut self, flags: u32);
            }
        });
    let (fns, table) = op_functions(m, false)?;
    let n = table.len();
    let deps = merge_deps(m);
    Ok(quote! {
        /// Why an operation's semantics stopped (`trap` statements, memory, helpers).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Trap {
            #(#traps,)*
            /// A memory access outside mapped guest memory.
            MemoryFault(u64),
        }

        impl Trap {
            /// The name used in `trap` statements.
            pub fn name(self) -> &'static str {
                match self {
                    #(Trap::#traps => #trap_names,)*
                    Trap::MemoryFault(_) => "memory_fault",
                }
            }
        }

        /// Operand and context values an operation reads and writes (u128 bit vectors).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct OpVals { #(#slot_fields)* }

        impl OpVals {
            /// The slot names, for finding a format field's slot once (at decode time).
            pub const SLOTS: [&'static str; #nslots] = [#(#slots),*];
            pub fn slot_mut(&mut self, k: usize) -> &mut u128 {
                match k {
                    #(#slot_idx => &mut self.#slot_ids,)*
                    _ => panic!("no value slot {k}"),
                }
            }
            pub fn slot(&self, k: usize) -> u128 {
                match k {
                    #(#slot_idx => self.#slot_ids,)*
                    _ => 0,
                }
            }
        }

        /// What semantics need from the machine: memory, and the declared helpers.
        pub trait Exec {
            fn load(&mut self, addr: u64, bits: u32) -> Result<u128, Trap>;
            fn store(&mut self, addr: u64, bits: u32, value: u128) -> Result<u128, Trap>;
            #(#home_methods)*
            #(#helper_methods)*
        }

        pub type SemFn = fn(&mut dyn Exec, &mut OpVals) -> Result<(), Trap>;

        #fns

        /// Semantics of each operation, indexed like `OPS`.
        pub static SEMANTICS: [SemFn; #n] = [#(#table),*];

        /// Per operation (indexed like `OPS`), the value slots (bit k: `OpVals::SLOTS[k]`)
        /// its result depends on when the merge condition `cond` is false (`[0]`) and
        /// true (`[1]`): a merge carries only the tags of the operands it selects.
        pub static MERGE_SOURCES: [[u64; 2]; #n] = [#(#deps),*];
    })
}
