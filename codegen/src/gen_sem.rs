//! Emits the interpreter's semantics: one function per operation, generated from its
//! `{ ... }` block. Values are `u128` bit vectors kept to their width by `crate::bits`;
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

fn trap_variant(t: &str) -> Ident {
    let camel: String = t.split('_').map(|p| {
        let mut c = p.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    }).collect();
    Ident::new(&camel, Span::call_site())
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
fn lower_pair(cx: &Cx, a: &Expr, b: &Expr, want: Option<u32>) -> Result<(Lowered, Lowered), Diagnostic> {
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
            (quote!(#v), w)
        }
        ExprKind::Bool(b) => {
            let v = *b as u128;
            (quote!(#v), 1)
        }
        ExprKind::Var(v) => {
            if let Some((_, w, ts)) = cx.vars.iter().rev().find(|(n, _, _)| n == v) {
                (ts.clone(), *w)
            } else if let Some((_, w)) = cx.ctl.as_ref().and_then(|c| c.machine_defines.iter().find(|(n, _)| n == v)) {
                let f = format_ident!("mdef_{}", v);
                (quote!(#f(b, pc, i, x)?), *w)
            } else if let Some(c) = cx.m.consts.get(v) {
                let w = want.unwrap_or(64);
                let c = *c as u128 & crate_mask(w);
                (quote!(#c), w)
            } else if let Some((ts, w)) = cx.ctl.as_ref().and_then(|c| c.scope.var(v)) {
                (quote!(((#ts) as u128)), w)
            } else {
                return err(&e.loc, format!("unknown name `{v}`"));
            }
        }
        ExprKind::Field(s, f) => match cx.ctl.as_ref().and_then(|c| c.scope.field(s, f)) {
            Some((ts, w)) => (quote!(((#ts) as u128)), w),
            None => return err(&e.loc, format!("`{s}.{f}` cannot be used in operation semantics")),
        },
        ExprKind::Unary(op, a) => {
            let (x, w) = lower(cx, a, want)?;
            match op {
                UnOp::Not => (quote!(bits::not(#x, #w)), w),
                UnOp::Neg => (quote!(bits::neg(#x, #w)), w),
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
                    Shl => quote!(bits::shl),
                    Shr => quote!(bits::shr),
                    _ => quote!(bits::sar),
                };
                return Ok((quote!(#f(#x, #y, #w)), w));
            }
            let ((x, wa), (y, wb)) = lower_pair(cx, a, b, operand_want)?;
            let w = wa.max(wb);
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
            (quote!(((#x >> (#i).min(127)) & 1)), 1)
        }
        ExprKind::Slice(a, hi, lo) => {
            let (x, _) = lower(cx, a, None)?;
            let w = hi - lo + 1;
            (quote!(((#x >> #lo) & bits::mask(#w))), w)
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

fn call(cx: &Cx, e: &Expr, name: &str, args: &[Expr], want: Option<u32>) -> Result<(TokenStream, u32), Diagnostic> {
    let two = |f: TokenStream| -> Result<(TokenStream, u32), Diagnostic> {
        let ((x, wa), (y, _)) = lower_pair(cx, &args[0], &args[1], want)?;
        Ok((quote!(#f(#x, #y, #wa)), wa))
    };
    Ok(match name {
        "sext" | "zext" | "trunc" => {
            let to = width_arg(&args[1])?;
            let (x, w) = lower(cx, &args[0], Some(to))?;
            match name {
                "sext" => (quote!(bits::sext(#x, #w, #to)), to),
                "zext" => (x, to),
                _ => (quote!((#x & bits::mask(#to))), to),
            }
        }
        "slt" | "sle" | "sgt" | "sge" => {
            let f = format_ident!("{}", name);
            let (t, _) = two(quote!(bits::#f))?;
            (t, 1)
        }
        "udiv" | "sdiv" | "urem" | "srem" | "mulhu" | "mulhs" | "rotl" | "rotr" => {
            let f = format_ident!("{}", name);
            if name.starts_with("rot") {
                let (x, w) = lower(cx, &args[0], want)?;
                let (y, _) = lower(cx, &args[1], None)?;
                (quote!(bits::#f(#x, #y, #w)), w)
            } else {
                two(quote!(bits::#f))?
            }
        }
        "clz" | "ctz" | "popcnt" | "bitrev" => {
            let f = format_ident!("{}", name);
            let (x, w) = lower(cx, &args[0], want)?;
            (quote!(bits::#f(#x, #w)), w)
        }
        "parity" => {
            let (x, _) = lower(cx, &args[0], None)?;
            (quote!(bits::parity(#x)), 1)
        }
        "select" => {
            let (c, _) = lower(cx, &args[0], None)?;
            let ((a, wa), (b, wb)) = lower_pair(cx, &args[1], &args[2], want)?;
            (quote!((if #c != 0 { #a } else { #b })), wa.max(wb))
        }
        "load" => {
            let (a, _) = lower(cx, &args[0], Some(64))?;
            let w = width_arg(&args[1])?;
            (quote!({ let addr = #a; x.load(addr as u64, #w)? }), w)
        }
        "store" => {
            let (a, _) = lower(cx, &args[0], Some(64))?;
            let (v, w) = lower(cx, &args[1], None)?;
            (quote!({ let addr = #a; let value = #v; x.store(addr as u64, #w, value)? }), 0)
        }
        "has" => {
            let present = match (&args[0].kind, cx.ctl.as_ref()) {
                (ExprKind::Var(n), Some(c)) => c.scope.present(n),
                _ => None,
            };
            match present {
                Some(ts) => (quote!(((#ts) as u128)), 1),
                None => return err(&e.loc, "`has` names a syllable of the bundle, which only control operations see"),
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
            let f = format_ident!("{}", name);
            let names: Vec<Ident> = (0..vals.len()).map(|i| format_ident!("a{}", i)).collect();
            // Arguments first: they may call the machine too.
            (quote!({ #(let #names = #vals;)* x.#f(#(#names),*)? }), helper_width(&h.ret))
        }
    })
}

fn stmts(cx: &mut Cx, ss: &[Stmt], widths: &[(String, u32)]) -> Result<TokenStream, Diagnostic> {
    let mut out = TokenStream::new();
    let depth = cx.vars.len();
    for s in ss {
        match s {
            Stmt::Let { name, value, .. } => {
                let (v, w) = lower(cx, value, None)?;
                let id = format_ident!("l_{}", name);
                out.extend(quote!(let #id: u128 = #v;));
                cx.vars.push((name.clone(), w, quote!(#id)));
            }
            Stmt::Assign { target, value, .. } => {
                let w = widths.iter().find(|(n, _)| n == target).map(|x| x.1).unwrap_or(64);
                let (v, _) = lower(cx, value, Some(w))?;
                let id = format_ident!("{}", target);
                out.extend(quote!(v.#id = #v;));
            }
            Stmt::If { cond, then, els, .. } => {
                let (c, _) = lower(cx, cond, None)?;
                let t = stmts(cx, then, widths)?;
                let e = stmts(cx, els, widths)?;
                out.extend(quote!(if #c != 0 { #t } else { #e }));
            }
            Stmt::Trap { kind, cond, .. } => {
                let (c, _) = lower(cx, cond, None)?;
                let t = trap_variant(kind);
                out.extend(quote!(if #c != 0 { return Err(Trap::#t); }));
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
pub fn ctl_body(m: &Model, ctl: CtlCx, body: &[Stmt]) -> Result<TokenStream, Diagnostic> {
    let mut cx = Cx { m, vars: vec![], ctl: Some(ctl) };
    stmts(&mut cx, body, &[])
}

/// A machine-reading `define` as a Rust expression and its width.
pub fn ctl_expr(m: &Model, ctl: CtlCx, e: &Expr) -> Result<(TokenStream, u32), Diagnostic> {
    let cx = Cx { m, vars: vec![], ctl: Some(ctl) };
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
    for b in ["mas", "sm", "pc", "cond", "ch"] {
        if !names.contains(&b.to_string()) {
            names.push(b.to_string());
        }
    }
    names
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
        let doc = format!("`helper {}({}) -> {}` ({}:{})", h.name, h.params.join(", "), h.ret, h.loc.file, h.loc.line);
        quote!(#[doc = #doc] fn #f(&mut self, #(#params),*) -> Result<u128, Trap>;)
    });
    let mut fns = TokenStream::new();
    let mut table = Vec::new();
    for o in &m.ops {
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
        for (n, w) in [("mas", 8), ("sm", 1), ("pc", 64), ("cond", 1), ("ch", 8)] {
            let id = format_ident!("{}", n);
            vars.push((n.to_string(), w, quote!(v.#id)));
        }
        let mut cx = Cx { m, vars, ctl: None };
        let body = stmts(&mut cx, &o.sem.stmts, &widths)?;
        let f = format_ident!("sem_{}", o.name);
        let doc = format!("`{}` ({}:{})", o.name, o.loc.file, o.loc.line);
        fns.extend(quote! {
            #[doc = #doc]
            #[allow(unused_variables, unused_parens, clippy::all)]
            pub fn #f(x: &mut dyn Exec, v: &mut OpVals) -> Result<(), Trap> {
                #body
                Ok(())
            }
        });
        table.push(f);
    }
    let n = table.len();
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
            #(#helper_methods)*
        }

        pub type SemFn = fn(&mut dyn Exec, &mut OpVals) -> Result<(), Trap>;

        #fns

        /// Semantics of each operation, indexed like `OPS`.
        pub static SEMANTICS: [SemFn; #n] = [#(#table),*];
    })
}
