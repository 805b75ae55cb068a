//! Type checking of semantics: fixed-width bit vectors, untyped integer literals that take
//! the width of their context, and a closed set of built-in functions. Every construct maps
//! onto both plain Rust (interpreter) and Cranelift IR (JIT), so neither side needs
//! per-operation code.

use crate::ast::*;
use crate::Diagnostic;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// An integer literal whose width is not fixed yet.
    Int,
    /// A bit vector; width 1 is a boolean.
    Bits(u32),
    Unit,
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Int => write!(f, "integer literal"),
            Ty::Bits(1) => write!(f, "bool"),
            Ty::Bits(w) => write!(f, "{w}-bit value"),
            Ty::Unit => write!(f, "nothing"),
        }
    }
}

/// Trap kinds a semantics block may raise; the runtime maps them to guest signals.
pub const TRAPS: &[&str] = &[
    "div_by_zero",
    "illegal_operand",
    "illegal_opcode",
    "unaligned",
    "privileged",
    "unimplemented",
];

#[derive(Clone, Debug)]
pub struct TypedSem {
    pub stmts: Vec<Stmt>,
    /// Operands the block writes.
    pub writes: Vec<String>,
    pub reads_memory: bool,
    pub writes_memory: bool,
}

pub struct Env<'a> {
    consts: &'a BTreeMap<String, u64>,
    helpers: &'a [HelperDef],
    vars: BTreeMap<String, (Ty, bool)>,
    fields: BTreeMap<(String, String), u32>,
    scopes: Vec<Vec<String>>,
    writes: Vec<String>,
    reads_memory: bool,
    writes_memory: bool,
}

impl<'a> Env<'a> {
    pub fn new(consts: &'a BTreeMap<String, u64>, helpers: &'a [HelperDef]) -> Self {
        Env {
            consts,
            helpers,
            vars: BTreeMap::new(),
            fields: BTreeMap::new(),
            scopes: vec![vec![]],
            writes: vec![],
            reads_memory: false,
            writes_memory: false,
        }
    }
    pub fn operand(&mut self, name: &str, width: u32, writable: bool) {
        self.vars
            .insert(name.to_string(), (Ty::Bits(width), writable));
    }
    pub fn builtin_vars(&mut self, vars: &[(&str, u32)]) {
        for (n, w) in vars {
            self.vars.insert(n.to_string(), (Ty::Bits(*w), false));
        }
    }
    pub fn syllables(&mut self, syls: &[Syllable]) {
        for s in syls {
            for f in &s.fields {
                self.fields
                    .insert((s.name.clone(), f.name.clone()), f.hi - f.lo + 1);
            }
        }
    }
    pub fn local(&mut self, name: &str, ty: Ty) {
        let ty = if ty == Ty::Int { Ty::Bits(64) } else { ty };
        self.vars.insert(name.to_string(), (ty, false));
        self.scopes.last_mut().unwrap().push(name.to_string());
    }
}

fn err<T>(loc: &Loc, msg: impl Into<String>) -> Result<T, Diagnostic> {
    Err(Diagnostic::new(loc.clone(), msg.into()))
}

fn unify(loc: &Loc, a: Ty, b: Ty, what: &str) -> Result<Ty, Diagnostic> {
    match (a, b) {
        (Ty::Int, Ty::Int) => Ok(Ty::Int),
        (Ty::Int, t @ Ty::Bits(_)) | (t @ Ty::Bits(_), Ty::Int) => Ok(t),
        (Ty::Bits(x), Ty::Bits(y)) if x == y => Ok(a),
        _ => err(
            loc,
            format!("{what}: {a} and {b} do not match (convert with zext, sext or trunc)"),
        ),
    }
}

fn bits(loc: &Loc, t: Ty, what: &str) -> Result<u32, Diagnostic> {
    match t {
        Ty::Bits(w) => Ok(w),
        Ty::Int => Ok(64),
        Ty::Unit => err(loc, format!("{what} needs a value")),
    }
}

fn boolean(loc: &Loc, t: Ty, what: &str) -> Result<(), Diagnostic> {
    match t {
        Ty::Bits(1) => Ok(()),
        _ => err(loc, format!("{what} must be a bool, not a {t}")),
    }
}

fn width_arg(e: &Expr) -> Result<u32, Diagnostic> {
    match e.kind {
        ExprKind::Int(n) if [1, 8, 16, 32, 64, 80, 128].contains(&n) => Ok(n as u32),
        _ => err(&e.loc, "a width must be one of 1, 8, 16, 32, 64, 80, 128"),
    }
}

fn helper_ty(s: &str) -> Ty {
    match s {
        "S" => Ty::Bits(32),
        "D" => Ty::Bits(64),
        "X" => Ty::Bits(80),
        "Q" | "P" => Ty::Bits(128),
        "bool" => Ty::Bits(1),
        "unit" => Ty::Unit,
        b => Ty::Bits(b.trim_start_matches('B').parse().unwrap_or(64)),
    }
}

pub fn check(env: &mut Env, stmts: &[Stmt]) -> Result<TypedSem, Diagnostic> {
    block(env, stmts)?;
    Ok(TypedSem {
        stmts: stmts.to_vec(),
        writes: std::mem::take(&mut env.writes),
        reads_memory: env.reads_memory,
        writes_memory: env.writes_memory,
    })
}

fn block(env: &mut Env, stmts: &[Stmt]) -> Result<(), Diagnostic> {
    env.scopes.push(vec![]);
    for s in stmts {
        stmt(env, s)?;
    }
    for n in env.scopes.pop().unwrap() {
        env.vars.remove(&n);
    }
    Ok(())
}

fn stmt(env: &mut Env, s: &Stmt) -> Result<(), Diagnostic> {
    match s {
        Stmt::Let { name, value, loc } => {
            if env.vars.contains_key(name) {
                return err(loc, format!("`{name}` is already defined"));
            }
            let t = check_expr(env, value)?;
            if t == Ty::Unit {
                return err(loc, format!("`{name}` would hold nothing"));
            }
            env.local(name, t);
        }
        Stmt::Assign {
            target,
            index,
            value,
            loc,
        } => {
            let Some((t, writable)) = env.vars.get(target).copied() else {
                return err(loc, format!("cannot assign to unknown `{target}`"));
            };
            if !writable {
                return err(loc, format!("`{target}` is not a destination"));
            }
            if index.is_some() {
                return err(
                    loc,
                    "indexed assignment is not supported; build the value with | and <<",
                );
            }
            let v = check_expr(env, value)?;
            unify(loc, t, v, &format!("assignment to `{target}`"))?;
            if !env.writes.contains(target) {
                env.writes.push(target.clone());
            }
        }
        Stmt::If {
            cond,
            then,
            els,
            loc,
        } => {
            let c = check_expr(env, cond)?;
            boolean(loc, c, "an `if` condition")?;
            block(env, then)?;
            block(env, els)?;
        }
        Stmt::Trap { kind, cond, loc } => {
            if !TRAPS.contains(&kind.as_str()) {
                return err(
                    loc,
                    format!("unknown trap `{kind}` (known: {})", TRAPS.join(", ")),
                );
            }
            let c = check_expr(env, cond)?;
            boolean(loc, c, "a trap condition")?;
        }
        Stmt::Call { call, loc } => {
            let t = check_expr(env, call)?;
            if t != Ty::Unit {
                return err(loc, "the result of this call is unused");
            }
        }
    }
    Ok(())
}

/// `PLS2` names member 2 of family `PLS`; plain names are themselves.
pub fn family_base(s: &str) -> &str {
    let t = s.trim_end_matches(|c: char| c.is_ascii_digit());
    if t.is_empty() || t.ends_with(|c: char| c.is_ascii_digit()) {
        s
    } else {
        t
    }
}

pub fn check_expr(env: &mut Env, e: &Expr) -> Result<Ty, Diagnostic> {
    let loc = &e.loc;
    match &e.kind {
        ExprKind::Int(_) => Ok(Ty::Int),
        ExprKind::Bool(_) => Ok(Ty::Bits(1)),
        ExprKind::Var(v) => {
            if let Some((t, _)) = env.vars.get(v) {
                Ok(*t)
            } else if env.consts.contains_key(v) {
                Ok(Ty::Int)
            } else {
                err(loc, format!("unknown name `{v}`"))
            }
        }
        ExprKind::Field(s, f) => match env
            .fields
            .get(&(s.clone(), f.clone()))
            .or_else(|| env.fields.get(&(family_base(s).to_string(), f.clone())))
        {
            Some(w) => Ok(Ty::Bits(*w)),
            None => err(loc, format!("no field `{s}.{f}` here")),
        },
        ExprKind::Unary(op, a) => {
            let t = check_expr(env, a)?;
            bits(loc, t, "an operand")?;
            if *op == UnOp::Neg && t == Ty::Bits(1) {
                return err(loc, "cannot negate a bool");
            }
            Ok(t)
        }
        ExprKind::Binary(op, a, b) => {
            let ta = check_expr(env, a)?;
            let tb = check_expr(env, b)?;
            use BinOp::*;
            match op {
                LAnd | LOr => {
                    boolean(&a.loc, ta, "an operand of && or ||")?;
                    boolean(&b.loc, tb, "an operand of && or ||")?;
                    Ok(Ty::Bits(1))
                }
                Eq | Ne | Lt | Le | Gt | Ge => {
                    unify(loc, ta, tb, "comparison")?;
                    Ok(Ty::Bits(1))
                }
                Shl | Shr | Sar => {
                    bits(loc, ta, "a shifted value")?;
                    bits(loc, tb, "a shift count")?;
                    Ok(ta)
                }
                Or | Xor | And | Add | Sub | Mul => {
                    let t = unify(loc, ta, tb, "operands")?;
                    bits(loc, t, "an operand")?;
                    Ok(t)
                }
            }
        }
        ExprKind::Bit(a, i) => {
            let t = check_expr(env, a)?;
            bits(loc, t, "a bit index base")?;
            let ti = check_expr(env, i)?;
            bits(loc, ti, "a bit index")?;
            Ok(Ty::Bits(1))
        }
        ExprKind::Slice(a, hi, lo) => {
            let t = check_expr(env, a)?;
            let w = bits(loc, t, "a sliced value")?;
            if *hi >= w {
                return err(loc, format!("slice [{hi}:{lo}] is outside a {w}-bit value"));
            }
            Ok(Ty::Bits(hi - lo + 1))
        }
        ExprKind::Call(name, args) => call(env, loc, name, args),
    }
}

fn call(env: &mut Env, loc: &Loc, name: &str, args: &[Expr]) -> Result<Ty, Diagnostic> {
    let arity = |n: usize| -> Result<(), Diagnostic> {
        if args.len() != n {
            return err(
                loc,
                format!("`{name}` takes {n} argument(s), not {}", args.len()),
            );
        }
        Ok(())
    };
    match name {
        "has" => {
            arity(1)?;
            match &args[0].kind {
                ExprKind::Var(_) => Ok(Ty::Bits(1)),
                _ => err(
                    loc,
                    "`has` takes a syllable name, like has(CS1) or has(PLS2)",
                ),
            }
        }
        "sext" | "zext" | "trunc" => {
            arity(2)?;
            let t = check_expr(env, &args[0])?;
            let to = width_arg(&args[1])?;
            if let Ty::Bits(w) = t {
                let ok = if name == "trunc" { to <= w } else { to >= w };
                if !ok {
                    return err(
                        loc,
                        format!("`{name}` from {w} to {to} bits goes the wrong way"),
                    );
                }
            }
            Ok(Ty::Bits(to))
        }
        "slt" | "sle" | "sgt" | "sge" => {
            arity(2)?;
            let a = check_expr(env, &args[0])?;
            let b = check_expr(env, &args[1])?;
            unify(loc, a, b, name)?;
            Ok(Ty::Bits(1))
        }
        "udiv" | "sdiv" | "urem" | "srem" | "mulhu" | "mulhs" => {
            arity(2)?;
            let a = check_expr(env, &args[0])?;
            let b = check_expr(env, &args[1])?;
            let t = unify(loc, a, b, name)?;
            bits(loc, t, name)?;
            Ok(t)
        }
        "rotl" | "rotr" => {
            arity(2)?;
            let a = check_expr(env, &args[0])?;
            bits(loc, a, name)?;
            let b = check_expr(env, &args[1])?;
            bits(loc, b, name)?;
            Ok(a)
        }
        "clz" | "ctz" | "popcnt" | "bitrev" => {
            arity(1)?;
            let a = check_expr(env, &args[0])?;
            bits(loc, a, name)?;
            Ok(a)
        }
        "parity" => {
            arity(1)?;
            let a = check_expr(env, &args[0])?;
            bits(loc, a, name)?;
            Ok(Ty::Bits(1))
        }
        "select" => {
            arity(3)?;
            let c = check_expr(env, &args[0])?;
            boolean(loc, c, "a select condition")?;
            let a = check_expr(env, &args[1])?;
            let b = check_expr(env, &args[2])?;
            unify(loc, a, b, "select arms")
        }
        "load" => {
            arity(2)?;
            let a = check_expr(env, &args[0])?;
            unify(loc, a, Ty::Bits(64), "a load address")?;
            let w = width_arg(&args[1])?;
            if ![8, 16, 32, 64, 128].contains(&w) {
                return err(loc, "a load is 8, 16, 32, 64 or 128 bits wide");
            }
            env.reads_memory = true;
            Ok(Ty::Bits(w))
        }
        "store" => {
            arity(2)?;
            let a = check_expr(env, &args[0])?;
            unify(loc, a, Ty::Bits(64), "a store address")?;
            let v = check_expr(env, &args[1])?;
            match v {
                Ty::Bits(8 | 16 | 32 | 64 | 128) => {}
                _ => {
                    return err(
                        loc,
                        format!("cannot store a {v}; give it a width with trunc or zext"),
                    )
                }
            }
            env.writes_memory = true;
            Ok(Ty::Unit)
        }
        _ => {
            let Some(h) = env.helpers.iter().find(|h| h.name == name) else {
                return err(
                    loc,
                    format!(
                        "unknown function `{name}` (declare hand-written routines with `helper`)"
                    ),
                );
            };
            let params: Vec<Ty> = h.params.iter().map(|p| helper_ty(p)).collect();
            let ret = helper_ty(&h.ret);
            // A helper named `load...`/`store...` accesses memory as `load`/`store` do
            // (what the decoding and loop-mode store rules go by).
            env.reads_memory |= name.starts_with("load");
            env.writes_memory |= name.starts_with("store");
            if params.len() != args.len() {
                return err(
                    loc,
                    format!(
                        "`{name}` takes {} argument(s), not {}",
                        params.len(),
                        args.len()
                    ),
                );
            }
            for (p, a) in params.iter().zip(args) {
                let t = check_expr(env, a)?;
                unify(&a.loc, *p, t, &format!("argument of `{name}`"))?;
            }
            Ok(ret)
        }
    }
}
