//! The checked model: every name resolved, every encoding complete, every semantics
//! block typed. Generators read only this.

use crate::ast::*;
use crate::sem::{self, TypedSem};
use crate::{Diagnostic, MAX_VERSION};
use std::collections::BTreeMap;

/// The values every operation's semantics may read besides its operands, with their
/// widths: the MAS, the speculative bit, the address, the merge condition, the
/// channel, the ISA version, whether the channel's AM conditions hold.
pub const OP_BUILTINS: &[(&str, u32)] = &[
    ("mas", 8),
    ("sm", 1),
    ("pc", 64),
    ("cond", 1),
    ("ch", 8),
    ("iset", 8),
    ("amc", 1),
];

/// Classes of operand values the runtime understands; the spelling comes from `isa/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindClass {
    Based,
    Reg,
    Global,
    Imm,
    /// A reference to a literal syllable: `bits` wide, taken from bit `shift` of LTS.
    Lit {
        bits: u32,
        shift: u32,
    },
    Ctpr,
    Pred,
    Special,
    /// A value the field may hold but that is not a valid operand; printed, never executed.
    Invalid,
}

pub struct Kind {
    pub name: String,
    pub class: KindClass,
    pub template: String,
    pub missing: Option<String>,
    pub loc: Loc,
}

pub struct Operand {
    pub name: String,
    /// Kind index per byte value, `None` where the value is not a valid operand.
    pub table: Vec<Option<(usize, u32)>>,
    pub loc: Loc,
}

pub struct FmtField {
    pub name: String,
    pub syllable: String,
    pub lo: u32,
    pub width: u32,
    pub operand: usize,
    pub role: Role,
}

pub struct FmtKey {
    pub name: String,
    pub syllable: String,
    pub lo: u32,
    pub width: u32,
    pub default: Option<u64>,
}

pub struct Format {
    pub name: String,
    pub ales: AlesUse,
    pub keys: Vec<FmtKey>,
    pub fields: Vec<FmtField>,
    pub syntax: String,
    pub loc: Loc,
}

/// One encoding row of an operation, reduced to bit masks over ALS and ALES.
pub struct EncRow {
    pub format: usize,
    pub opc: u32,
    pub als_mask: u32,
    pub als_value: u32,
    pub ales_mask: u32,
    pub ales_value: u32,
    pub channels: u8,
    /// Channels where the operation is the second half of a pair (not printed).
    pub second: u8,
    pub versions: u8,
    pub loc: Loc,
}

pub struct Op {
    pub name: String,
    pub also: Vec<String>,
    pub writes_ctpr: bool,
    pub explicit_ales25_v4: bool,
    /// Assembler-only spellings, checked against every format the operation uses.
    pub asm: Vec<AsmForm>,
    pub args: Vec<char>,
    pub group: String,
    pub encs: Vec<EncRow>,
    pub sem: TypedSem,
    pub loc: Loc,
}

pub struct Ctl {
    pub def: CtlDef,
    /// `None`: the description gives no semantics yet.
    pub sem: Option<TypedSem>,
}

pub struct Model {
    pub desc: Description,
    pub consts: BTreeMap<String, u64>,
    pub kinds: Vec<Kind>,
    pub operands: Vec<Operand>,
    pub formats: Vec<Format>,
    pub ops: Vec<Op>,
    pub ctls: Vec<Ctl>,
}

impl Model {
    pub fn syllable(&self, name: &str) -> Option<&Syllable> {
        self.desc.syllables.iter().find(|s| s.name == name)
    }
    pub fn field(&self, syl: &str, field: &str) -> Option<&Field> {
        self.syllable(syl)?.fields.iter().find(|f| f.name == field)
    }
}

fn err<T>(loc: &Loc, msg: impl Into<String>) -> Result<T, Diagnostic> {
    Err(Diagnostic::new(loc.clone(), msg.into()))
}

pub fn args_width(c: char) -> Option<u32> {
    match c {
        'S' => Some(32),
        'D' => Some(64),
        'X' => Some(80),
        'Q' | 'P' => Some(128),
        _ => None,
    }
}

pub fn build(desc: Description) -> Result<Model, Diagnostic> {
    // Syllables: unique names, fields inside the width, no duplicate field names.
    for (i, s) in desc.syllables.iter().enumerate() {
        if let Some(p) = desc.syllables[..i].iter().find(|p| p.name == s.name) {
            return err(
                &s.loc,
                format!("syllable `{}` is already defined at {}", s.name, p.loc),
            );
        }
        if ![16, 32].contains(&s.width) {
            return err(
                &s.loc,
                format!("syllable width must be 16 or 32 bits, not {}", s.width),
            );
        }
        for (j, f) in s.fields.iter().enumerate() {
            if f.hi < f.lo || f.hi >= s.width {
                return err(
                    &f.loc,
                    format!(
                        "field `{}` bits {}:{} do not fit a {}-bit syllable",
                        f.name, f.hi, f.lo, s.width
                    ),
                );
            }
            if s.fields[..j].iter().any(|p| p.name == f.name) {
                return err(
                    &f.loc,
                    format!("field `{}` is defined twice in `{}`", f.name, s.name),
                );
            }
        }
    }
    if desc.layout_loc.is_none() {
        return Err(Diagnostic::nowhere(
            "the description has no `bundle { ... }` layout",
        ));
    }

    let mut consts = BTreeMap::new();
    for (n, v, loc) in &desc.consts {
        if consts.insert(n.clone(), *v).is_some() {
            return err(loc, format!("constant `{n}` is defined twice"));
        }
    }

    // Layout: slots name syllables, expressions name fields.
    let mut lets: Vec<String> = vec!["pos".into()];
    for (item, loc) in &desc.layout {
        let check_slot = |s: &Slot| -> Result<(), Diagnostic> {
            if desc.syllables.iter().all(|y| y.name != s.name) {
                return err(&s.loc, format!("unknown syllable `{}`", s.name));
            }
            Ok(())
        };
        let check_expr =
            |e: &Expr, lets: &Vec<String>, family: bool| check_layout_expr(&desc, e, lets, family);
        match item {
            LayoutItem::Let { name, value } => {
                check_expr(value, &lets, false)?;
                lets.push(name.clone());
            }
            LayoutItem::Word { slot, cond } | LayoutItem::Half { slot, cond } => {
                check_slot(slot)?;
                if let Some(c) = cond {
                    check_expr(c, &lets, slot.indices.is_some())?;
                }
            }
            LayoutItem::Pair {
                hi, lo, cond, read, ..
            } => {
                check_slot(hi)?;
                check_slot(lo)?;
                check_expr(cond, &lets, true)?;
                check_expr(read, &lets, false)?;
            }
            LayoutItem::Check { cond, .. } => check_expr(cond, &lets, false)?,
            LayoutItem::Tail { slot, count } => {
                check_slot(slot)?;
                if let Some(c) = count {
                    check_expr(c, &lets, false)?;
                }
            }
            LayoutItem::Align => {}
        }
        let _ = loc;
    }
    for required in ["length"] {
        if !lets.iter().any(|l| l == required) {
            return err(
                desc.layout_loc.as_ref().unwrap(),
                format!("the bundle layout must define `let {required} = ...;`"),
            );
        }
    }

    // Kinds.
    let mut kinds = Vec::new();
    for k in &desc.kinds {
        if kinds.iter().any(|p: &Kind| p.name == k.name) {
            return err(
                &k.loc,
                format!("operand kind `{}` is defined twice", k.name),
            );
        }
        let class = match (k.class.as_str(), k.params.as_slice()) {
            ("based", []) => KindClass::Based,
            ("reg", []) => KindClass::Reg,
            ("global", []) => KindClass::Global,
            ("imm", []) => KindClass::Imm,
            ("ctpr", []) => KindClass::Ctpr,
            ("pred", []) => KindClass::Pred,
            ("special", []) => KindClass::Special,
            ("invalid", []) => KindClass::Invalid,
            ("lit", [bits]) => KindClass::Lit { bits: *bits as u32, shift: 0 },
            ("lit", [bits, shift]) => KindClass::Lit { bits: *bits as u32, shift: *shift as u32 },
            (c, p) => {
                return err(
                    &k.loc,
                    format!("unknown operand class `{c}` with {} parameter(s); expected based, reg, global, imm, ctpr, pred, special or lit(BITS[, SHIFT])", p.len()),
                )
            }
        };
        if let KindClass::Lit { bits, shift } = class {
            if ![16, 32, 64].contains(&bits) || shift + bits > 64 {
                return err(&k.loc, "a literal is 16, 32 or 64 bits wide");
            }
        }
        check_template_names(&k.template, &k.loc, &["n", "sz", "value"])?;
        if let Some(m) = &k.missing {
            if !matches!(class, KindClass::Lit { .. }) {
                return err(&k.loc, "only literal kinds have a `missing` spelling");
            }
            check_template_names(m, &k.loc, &["n"])?;
        }
        kinds.push(Kind {
            name: k.name.clone(),
            class,
            template: k.template.clone(),
            missing: k.missing.clone(),
            loc: k.loc.clone(),
        });
    }

    // Operand maps.
    let mut operands = Vec::new();
    for o in &desc.operands {
        if operands.iter().any(|p: &Operand| p.name == o.name) {
            return err(&o.loc, format!("operand `{}` is defined twice", o.name));
        }
        let mut table = vec![None; 256];
        for arm in &o.arms {
            if arm.hi > 0xff {
                return err(&arm.loc, "operand values are one byte (0x00..=0xff)");
            }
            let Some(ki) = kinds.iter().position(|k| k.name == arm.kind) else {
                return err(&arm.loc, format!("unknown operand kind `{}`", arm.kind));
            };
            for v in arm.lo..=arm.hi {
                if table[v as usize].is_some() {
                    return err(
                        &arm.loc,
                        format!("value {v:#04x} is already mapped in operand `{}`", o.name),
                    );
                }
                table[v as usize] = Some((ki, v - arm.lo + arm.first));
            }
        }
        operands.push(Operand {
            name: o.name.clone(),
            table,
            loc: o.loc.clone(),
        });
    }

    // Formats.
    let mut formats = Vec::new();
    for f in &desc.formats {
        if formats.iter().any(|p: &Format| p.name == f.name) {
            return err(&f.loc, format!("format `{}` is defined twice", f.name));
        }
        let resolve = |r: &FieldRef| -> Result<(u32, u32), Diagnostic> {
            if r.syllable != "ALS" && r.syllable != "ALES" {
                return err(
                    &r.loc,
                    format!("format fields live in ALS or ALES, not `{}`", r.syllable),
                );
            }
            match desc
                .syllables
                .iter()
                .find(|s| s.name == r.syllable)
                .and_then(|s| s.fields.iter().find(|x| x.name == r.field))
            {
                Some(x) => Ok((x.lo, x.hi - x.lo + 1)),
                None => err(
                    &r.loc,
                    format!("syllable `{}` has no field `{}`", r.syllable, r.field),
                ),
            }
        };
        let mut keys = Vec::new();
        for k in &f.keys {
            let (lo, width) = resolve(&k.field)?;
            keys.push(FmtKey {
                name: k.name.clone(),
                syllable: k.field.syllable.clone(),
                lo,
                width,
                default: k.default,
            });
        }
        if !keys.iter().any(|k| k.name == "opc") {
            return err(
                &f.loc,
                format!("format `{}` needs `key opc = ALS.opc;`", f.name),
            );
        }
        let mut fields = Vec::new();
        for fd in &f.fields {
            let (lo, width) = resolve(&fd.field)?;
            let Some(oi) = operands.iter().position(|o| o.name == fd.operand) else {
                return err(&fd.loc, format!("unknown operand `{}`", fd.operand));
            };
            if fields.iter().any(|p: &FmtField| p.name == fd.name) {
                return err(
                    &fd.loc,
                    format!(
                        "field `{}` is defined twice in format `{}`",
                        fd.name, f.name
                    ),
                );
            }
            fields.push(FmtField {
                name: fd.name.clone(),
                syllable: fd.field.syllable.clone(),
                lo,
                width,
                operand: oi,
                role: fd.role,
            });
        }
        let Some((syntax, sloc)) = &f.syntax else {
            return err(
                &f.loc,
                format!("format `{}` has no `syntax \"...\";`", f.name),
            );
        };
        let mut names: Vec<&str> = fields.iter().map(|x| x.name.as_str()).collect();
        // Built-in holes: the MAS, the MRGC condition, and the array-store increment
        // line (`incr,CH {incr}` when the `am` field is set, after the conditions).
        names.extend(["mas", "cond", "incr_line"]);
        check_template_names(syntax, sloc, &names)?;
        let Some(ales) = f.ales else {
            return err(
                &f.loc,
                format!(
                    "format `{}` must say `ales none;` or `ales present;`",
                    f.name
                ),
            );
        };
        formats.push(Format {
            name: f.name.clone(),
            ales,
            keys,
            fields,
            syntax: syntax.clone(),
            loc: f.loc.clone(),
        });
    }

    let helpers = &desc.helpers;

    // Operations.
    let mut ops: Vec<Op> = Vec::new();
    for o in &desc.ops {
        if let Some(p) = ops.iter().find(|p| p.name == o.name) {
            return err(
                &o.loc,
                format!("operation `{}` is already defined at {}", o.name, p.loc),
            );
        }
        let args: Vec<char> = o.args.chars().collect();
        if let Some(c) = args.iter().find(|c| args_width(**c).is_none()) {
            return err(
                &o.loc,
                format!("operand type `{c}` is not one of S, D, X, Q, P"),
            );
        }
        if o.encs.is_empty() {
            return err(&o.loc, format!("operation `{}` has no encoding", o.name));
        }
        let mut encs = Vec::new();
        let mut fmt0: Option<usize> = None;
        for e in &o.encs {
            let Some(fi) = formats.iter().position(|f| f.name == e.format) else {
                return err(&e.loc, format!("unknown format `{}`", e.format));
            };
            let fmt = &formats[fi];
            let nargs = fmt
                .fields
                .iter()
                .filter(|f| matches!(f.role, Role::Src | Role::Dst))
                .count();
            if nargs != args.len() {
                return err(
                    &e.loc,
                    format!(
                        "format `{}` has {} register operands but `{}({})` gives {} types",
                        fmt.name,
                        nargs,
                        o.name,
                        o.args,
                        args.len()
                    ),
                );
            }
            if let Some(f0) = fmt0 {
                let same = formats[f0]
                    .fields
                    .iter()
                    .map(|f| &f.name)
                    .eq(fmt.fields.iter().map(|f| &f.name));
                if !same {
                    return err(
                        &e.loc,
                        format!(
                            "all encodings of `{}` must use formats with the same operands",
                            o.name
                        ),
                    );
                }
            }
            fmt0 = Some(fi);
            for (k, _, aloc) in &e.attrs {
                if !fmt.keys.iter().any(|fk| &fk.name == k) {
                    let known: Vec<&str> = fmt.keys.iter().map(|k| k.name.as_str()).collect();
                    return err(
                        aloc,
                        format!(
                            "format `{}` has no key `{k}` (keys: {})",
                            fmt.name,
                            known.join(", ")
                        ),
                    );
                }
            }
            let (mut als_mask, mut als_value, mut ales_mask, mut ales_value, mut opc) =
                (0u32, 0u32, 0u32, 0u32, 0u32);
            for k in &fmt.keys {
                let v = match e.attrs.iter().find(|(n, _, _)| n == &k.name) {
                    Some((_, EncValue::Int(v), _)) => *v,
                    Some((_, EncValue::Name(n), aloc)) => match consts.get(n) {
                        Some(v) => *v,
                        None => return err(aloc, format!("unknown constant `{n}`")),
                    },
                    None => match k.default {
                        Some(d) => d,
                        None => {
                            return err(
                                &e.loc,
                                format!("encoding needs `{}=` (format `{}`)", k.name, fmt.name),
                            )
                        }
                    },
                };
                if v >= 1u64 << k.width {
                    return err(
                        &e.loc,
                        format!("{} = {v:#x} does not fit {} bits", k.name, k.width),
                    );
                }
                let m = ((1u64 << k.width) - 1) as u32;
                if k.syllable == "ALS" {
                    als_mask |= m << k.lo;
                    als_value |= (v as u32) << k.lo;
                } else {
                    ales_mask |= m << k.lo;
                    ales_value |= (v as u32) << k.lo;
                }
                if k.name == "opc" {
                    opc = v as u32;
                }
            }
            let Some(chs) = &e.channels else {
                return err(&e.loc, "encoding needs `ch=` (the channels it may use)");
            };
            let channels = chs.iter().fold(0u8, |m, c| m | 1 << c);
            let second = e.second.iter().fold(0u8, |m, c| m | 1 << c);
            if second & !channels != 0 {
                return err(&e.loc, "`second=` may only name channels that `ch=` allows");
            }
            let vr = e.ver.clone().unwrap_or(VerRange {
                lo: 1,
                hi: MAX_VERSION,
            });
            let versions = (vr.lo..=vr.hi).fold(0u8, |m, v| m | 1 << (v - 1));
            encs.push(EncRow {
                format: fi,
                opc,
                als_mask,
                als_value,
                ales_mask,
                ales_value,
                channels,
                second,
                versions,
                loc: e.loc.clone(),
            });
        }
        let fmt = &formats[fmt0.unwrap()];
        for a in &o.asm {
            check_asm_form(a, &o.name, &desc, encs.iter().map(|e| &formats[e.format]))?;
        }
        let mut env = sem::Env::new(&consts, helpers);
        let mut ai = 0;
        for f in &fmt.fields {
            match f.role {
                Role::Src | Role::Dst => {
                    let w = args_width(args[ai]).unwrap();
                    ai += 1;
                    env.operand(&f.name, w, f.role == Role::Dst);
                }
                Role::Pred => env.operand(&f.name, 1, true),
                Role::None => env.operand(&f.name, f.width, false),
            }
        }
        env.builtin_vars(OP_BUILTINS);
        let typed = sem::check(&mut env, &o.sem)?;
        ops.push(Op {
            name: o.name.clone(),
            also: o.also.clone(),
            writes_ctpr: o.writes_ctpr,
            explicit_ales25_v4: o.explicit_ales25_v4,
            asm: o.asm.clone(),
            args,
            group: o.group.clone().unwrap_or_else(|| "misc".into()),
            encs,
            sem: typed,
            loc: o.loc.clone(),
        });
    }

    // Two operations must never claim the same bits in the same channel and version.
    check_ambiguity(&ops, &formats)?;

    check_texts(&desc, &consts)?;
    let mut define_types: Vec<(String, sem::Ty)> = Vec::new();
    for (n, e, loc) in &desc.defines {
        if define_types.iter().any(|(p, _)| p == n) {
            return err(loc, format!("`{n}` is defined twice"));
        }
        let mut env = sem::Env::new(&consts, helpers);
        env.builtin_vars(&[("pc", 64), ("i", 8)]);
        env.syllables(&desc.syllables);
        for (p, t) in &define_types {
            env.local(p, *t);
        }
        let t = sem::check_expr(&mut env, e)?;
        define_types.push((n.clone(), t));
        for (d, f, inv) in desc.inverses.iter().filter(|(d, _, _)| d == n) {
            if desc
                .syllables
                .iter()
                .find(|s| s.name == f.syllable)
                .is_none_or(|s| s.fields.iter().all(|x| x.name != f.field))
            {
                return err(
                    &f.loc,
                    format!(
                        "no field `{}.{}` for the inverse of `{d}`",
                        f.syllable, f.field
                    ),
                );
            }
            let mut ienv = sem::Env::new(&consts, helpers);
            ienv.builtin_vars(&[("pc", 64)]);
            ienv.local(d, t);
            sem::check_expr(&mut ienv, inv)?;
        }
    }
    let mut ctls = Vec::new();
    for c in &desc.ctls {
        if desc.syllables.iter().all(|s| s.name != c.syllable) {
            return err(&c.loc, format!("unknown syllable `{}`", c.syllable));
        }
        let mut env = sem::Env::new(&consts, helpers);
        env.builtin_vars(&[("pc", 64), ("i", 8)]);
        env.syllables(&desc.syllables);
        for (p, t) in &define_types {
            env.local(p, *t);
        }
        if let Some(w) = &c.when {
            sem::check_expr(&mut env, w)?;
        }
        for (n, e) in &c.lets {
            let t = sem::check_expr(&mut env, e)?;
            env.local(n, t);
        }
        if let Some((s, loc)) = &c.syntax {
            for (text, at) in template_exprs(s, loc)? {
                let e = crate::parse::parse_expr(&loc.file, &at, &text)?;
                check_hole(&desc, &mut env, &e)?;
            }
        } else {
            return err(
                &c.loc,
                format!("control operation `{}` has no syntax", c.name),
            );
        }
        let typed = match &c.sem {
            Some(stmts) => Some(sem::check(&mut env, stmts)?),
            None => None,
        };
        ctls.push(Ctl {
            def: c.clone(),
            sem: typed,
        });
    }

    Ok(Model {
        desc,
        consts,
        kinds,
        operands,
        formats,
        ops,
        ctls,
    })
}

/// A template hole is a value, or a call of a `text` spelling with value arguments.
fn check_hole(desc: &Description, env: &mut sem::Env, e: &Expr) -> Result<(), Diagnostic> {
    if let ExprKind::Call(name, args) = &e.kind {
        if let Some(t) = desc.texts.iter().find(|t| &t.name == name) {
            if t.params.len() != args.len() {
                return err(
                    &e.loc,
                    format!(
                        "text `{name}` takes {} argument(s), not {}",
                        t.params.len(),
                        args.len()
                    ),
                );
            }
            for a in args {
                sem::check_expr(env, a)?;
            }
            return Ok(());
        }
        if desc.operands.iter().any(|o| &o.name == name) {
            let [v, w] = args.as_slice() else {
                return err(
                    &e.loc,
                    format!("operand `{name}` in a template takes (value, width)"),
                );
            };
            sem::check_expr(env, v)?;
            if !matches!(w.kind, ExprKind::Int(32 | 64 | 80 | 128)) {
                return err(&w.loc, "the operand width must be 32, 64, 80 or 128");
            }
            return Ok(());
        }
    }
    sem::check_expr(env, e).map(|_| ())
}

fn check_texts(desc: &Description, consts: &BTreeMap<String, u64>) -> Result<(), Diagnostic> {
    for (i, t) in desc.texts.iter().enumerate() {
        if desc.texts[..i].iter().any(|p| p.name == t.name) {
            return err(&t.loc, format!("text `{}` is defined twice", t.name));
        }
        let mut env = sem::Env::new(consts, &desc.helpers);
        for p in &t.params {
            env.local(p, sem::Ty::Bits(64));
        }
        for (cond, tmpl, loc) in &t.cases {
            if let Some(c) = cond {
                sem::check_expr(&mut env, c)?;
            }
            for (text, at) in template_exprs(tmpl, loc)? {
                let e = crate::parse::parse_expr(&loc.file, &at, &text)?;
                check_hole(desc, &mut env, &e)?;
            }
        }
        if !t.cases.iter().any(|c| c.0.is_none()) {
            return err(
                &t.loc,
                format!("text `{}` needs an `else => \"...\";` case", t.name),
            );
        }
    }
    Ok(())
}

fn check_layout_expr(
    desc: &Description,
    e: &Expr,
    lets: &Vec<String>,
    family: bool,
) -> Result<(), Diagnostic> {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Bool(_) => Ok(()),
        ExprKind::Var(v) => {
            if lets.contains(v) || (family && v == "i") {
                Ok(())
            } else {
                err(
                    &e.loc,
                    format!(
                        "unknown name `{v}` in the layout (known: {}{})",
                        lets.join(", "),
                        if family { ", i" } else { "" }
                    ),
                )
            }
        }
        ExprKind::Field(s, f) => match desc.syllables.iter().find(|y| &y.name == s) {
            None => err(&e.loc, format!("unknown syllable `{s}`")),
            Some(y) if y.fields.iter().any(|x| &x.name == f) => Ok(()),
            Some(_) => err(&e.loc, format!("syllable `{s}` has no field `{f}`")),
        },
        ExprKind::Call(n, _) => err(
            &e.loc,
            format!("function `{n}` cannot be used in the layout"),
        ),
        ExprKind::Unary(_, a) | ExprKind::Slice(a, _, _) => {
            check_layout_expr(desc, a, lets, family)
        }
        ExprKind::Binary(_, a, b) | ExprKind::Bit(a, b) => {
            check_layout_expr(desc, a, lets, family)?;
            check_layout_expr(desc, b, lets, family)
        }
    }
}

/// The `{...}` holes of a syntax template, with their text.
/// An `asm` spelling: a new mnemonic, holes that are fields of each format (`{F:d}`
/// for a bare number), fixed values that are fields (or `mas`) and fit them.
fn check_asm_form<'a>(
    a: &AsmForm,
    op: &str,
    desc: &Description,
    formats: impl Iterator<Item = &'a Format>,
) -> Result<(), Diagnostic> {
    if desc
        .ops
        .iter()
        .any(|o| o.name == a.name || o.also.contains(&a.name))
    {
        return err(
            &a.loc,
            format!("`asm {}` is the name of an operation", a.name),
        );
    }
    let segs = crate::template::split(&a.syntax).map_err(|m| Diagnostic::new(a.loc.clone(), m))?;
    for f in formats {
        let field = |n: &str| f.fields.iter().find(|x| x.name == n);
        for s in &segs {
            if let crate::template::Seg::Hole { expr, fmt } = s {
                if field(expr).is_none() {
                    return err(
                        &a.loc,
                        format!("format `{}` of `{op}` has no field `{expr}`", f.name),
                    );
                }
                if !matches!(fmt.as_deref(), None | Some("d")) {
                    return err(
                        &a.loc,
                        format!("`{{{expr}:..}}`: an `asm` hole takes `:d` or nothing"),
                    );
                }
            }
        }
        for (k, v) in &a.fixed {
            let width = match k.as_str() {
                "mas" => 7,
                _ => match field(k) {
                    Some(x) => x.width,
                    None => {
                        return err(
                            &a.loc,
                            format!("format `{}` of `{op}` has no field `{k}`", f.name),
                        )
                    }
                },
            };
            if *v >= 1u64 << width {
                return err(&a.loc, format!("{k} = {v:#x} does not fit {width} bits"));
            }
        }
    }
    Ok(())
}

pub fn template_exprs(t: &str, loc: &Loc) -> Result<Vec<(String, Loc)>, Diagnostic> {
    let mut out = Vec::new();
    for seg in crate::template::split(t).map_err(|m| Diagnostic::new(loc.clone(), m))? {
        if let crate::template::Seg::Hole { expr, .. } = seg {
            out.push((expr, loc.clone()));
        }
    }
    Ok(out)
}

fn check_template_names(t: &str, loc: &Loc, names: &[&str]) -> Result<(), Diagnostic> {
    for (e, _) in template_exprs(t, loc)? {
        if !names.contains(&e.as_str()) {
            return err(
                loc,
                format!("`{{{e}}}` is not known here (known: {})", names.join(", ")),
            );
        }
    }
    Ok(())
}

fn check_ambiguity(ops: &[Op], formats: &[Format]) -> Result<(), Diagnostic> {
    let rows: Vec<(&Op, &EncRow)> = ops
        .iter()
        .flat_map(|o| o.encs.iter().map(move |e| (o, e)))
        .collect();
    for (i, (oa, a)) in rows.iter().enumerate() {
        for (ob, b) in &rows[..i] {
            if a.opc != b.opc || a.channels & b.channels == 0 || a.versions & b.versions == 0 {
                continue;
            }
            if formats[a.format].ales != formats[b.format].ales {
                continue;
            }
            let am = a.als_mask & b.als_mask;
            let em = a.ales_mask & b.ales_mask;
            let als_same = (a.als_value ^ b.als_value) & am == 0;
            let ales_same = (a.ales_value ^ b.ales_value) & em == 0;
            // Equal masks and values: the decoder could not tell them apart.
            if als_same && ales_same && a.als_mask == b.als_mask && a.ales_mask == b.ales_mask {
                return err(
                    &a.loc,
                    format!("`{}` has the same encoding as `{}` ({}) in a shared channel and ISA version", oa.name, ob.name, b.loc),
                );
            }
        }
    }
    Ok(())
}
