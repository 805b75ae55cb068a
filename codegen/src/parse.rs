//! Turns description text into the syntax tree (`ast`), with pest.

use crate::ast::*;
use crate::Diagnostic;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use std::rc::Rc;

#[derive(pest_derive::Parser)]
#[grammar = "isa.pest"]
struct IsaParser;

struct Ctx {
    file: Rc<str>,
    group: Option<String>,
    pratt: PrattParser<Rule>,
}

impl Ctx {
    fn loc(&self, pair: &Pair<Rule>) -> Loc {
        let (line, col) = pair.as_span().start_pos().line_col();
        Loc {
            file: self.file.clone(),
            line,
            col,
        }
    }
}

/// Parses one description file and appends what it describes to `desc`.
pub fn parse_file(file: &str, text: &str, desc: &mut Description) -> Result<(), Diagnostic> {
    let pairs = IsaParser::parse(Rule::file, text).map_err(|e| pest_error(file, e))?;
    let mut ctx = Ctx {
        file: Rc::from(file),
        group: None,
        pratt: pratt(),
    };
    let file_pair = pairs.into_iter().next().expect("grammar yields a file");
    for item in file_pair.into_inner() {
        match item.as_rule() {
            Rule::syllable => desc.syllables.push(syllable(&ctx, item)?),
            Rule::bundle => {
                if let Some(prev) = &desc.layout_loc {
                    return Err(Diagnostic::new(
                        ctx.loc(&item),
                        format!("second bundle layout (the first is at {prev})"),
                    ));
                }
                desc.layout_loc = Some(ctx.loc(&item));
                for li in item.into_inner() {
                    let loc = ctx.loc(&li);
                    desc.layout.push((layout_item(&ctx, li)?, loc));
                }
            }
            Rule::kind => desc.kinds.push(kind(&ctx, item)?),
            Rule::operand => desc.operands.push(operand(&ctx, item)?),
            Rule::format => desc.formats.push(format(&ctx, item)?),
            Rule::op => desc.ops.push(op(&ctx, item)?),
            Rule::ctl => desc.ctls.push(ctl(&ctx, item)?),
            Rule::group => {
                let loc = ctx.loc(&item);
                let mut it = item.into_inner();
                let name = it.next().unwrap().as_str().to_string();
                let title = unquote(it.next().unwrap());
                ctx.group = Some(name.clone());
                desc.groups.push(GroupDef { name, title, loc });
            }
            Rule::constant => {
                let loc = ctx.loc(&item);
                let mut it = item.into_inner();
                let name = it.next().unwrap().as_str().to_string();
                let v = it.next().unwrap();
                desc.consts
                    .push((name, small(&ctx, &v, u64::MAX as u128)?, loc));
            }
            Rule::helper => {
                let loc = ctx.loc(&item);
                let mut home = None;
                let mut tys = Vec::new();
                for p in item.into_inner() {
                    if p.as_rule() == Rule::helper_home {
                        let h = p.into_inner().next().unwrap();
                        let at = ctx.loc(&h);
                        let name = h.as_str().to_string();
                        if !crate::ast::HELPER_HOMES.iter().any(|k| k.name == name) {
                            return Err(Diagnostic::new(
                                at,
                                format!(
                                    "unknown helper kind `{name}` (known: {})",
                                    crate::ast::HELPER_HOMES
                                        .iter()
                                        .map(|k| k.name)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ));
                        }
                        home = Some(name);
                    } else {
                        tys.push(p.as_str().to_string());
                    }
                }
                let name = tys.remove(0);
                let ret = tys.pop().unwrap();
                desc.helpers.push(HelperDef {
                    name,
                    params: tys,
                    ret,
                    home,
                    loc,
                });
            }
            Rule::define => {
                let loc = ctx.loc(&item);
                let mut it = item.into_inner();
                let name = it.next().unwrap().as_str().to_string();
                desc.defines
                    .push((name.clone(), expr(&ctx, it.next().unwrap())?, loc));
                if let Some(inv) = it.next() {
                    let mut ii = inv.into_inner();
                    let field = field_ref(&ctx, ii.next().unwrap());
                    desc.inverses
                        .push((name, field, expr(&ctx, ii.next().unwrap())?));
                }
            }
            Rule::text_def => {
                let loc = ctx.loc(&item);
                let mut it = item.into_inner();
                let name = it.next().unwrap().as_str().to_string();
                let mut params = Vec::new();
                let mut cases = Vec::new();
                for p in it {
                    if p.as_rule() == Rule::ident {
                        params.push(p.as_str().to_string());
                        continue;
                    }
                    let cloc = ctx.loc(&p);
                    let mut ci = p.into_inner();
                    let c = ci.next().unwrap();
                    let cond = if c.as_rule() == Rule::text_else {
                        None
                    } else {
                        Some(expr(&ctx, c)?)
                    };
                    cases.push((cond, unquote(ci.next().unwrap()), cloc));
                }
                desc.texts.push(TextDef {
                    name,
                    params,
                    cases,
                    loc,
                });
            }
            Rule::EOI => {}
            r => unreachable!("unexpected item {r:?}"),
        }
    }
    Ok(())
}

fn pest_error(file: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    let (line, col) = match e.line_col {
        pest::error::LineColLocation::Pos(p) => p,
        pest::error::LineColLocation::Span(p, _) => p,
    };
    let message = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<String> = positives.iter().map(|r| rule_name(*r)).collect();
            names.sort();
            names.dedup();
            // Names and numbers are also expressions; say the larger thing.
            if names.iter().any(|n| n == "an expression") {
                names.retain(|n| n != "a name" && n != "a number");
            }
            if names.is_empty() {
                "syntax error".to_string()
            } else {
                format!("syntax error: expected {}", names.join(" or "))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::new(
        Loc {
            file: Rc::from(file),
            line,
            col,
        },
        message,
    )
}

fn rule_name(r: Rule) -> String {
    match r {
        Rule::ident | Rule::name => "a name".into(),
        Rule::int => "a number".into(),
        Rule::string => "a string".into(),
        Rule::expr => "an expression".into(),
        Rule::item | Rule::syllable | Rule::bundle | Rule::operand | Rule::kind | Rule::format
        | Rule::op | Rule::ctl | Rule::group | Rule::constant | Rule::define | Rule::helper | Rule::text_def => {
            "a declaration (syllable, bundle, kind, operand, format, op, ctl, text, define, const, helper, group)".into()
        }
        Rule::EOI => "the end of the file".into(),
        Rule::enc => "an encoding line (FORMAT attr=value ...;)".into(),
        Rule::enc_attr => "an encoding attribute (ch=LIST, vN.., key=value) or `;`".into(),
        Rule::prefix | Rule::neg | Rule::not | Rule::primary | Rule::call | Rule::field_ref | Rule::bool_lit => "an expression".into(),
        Rule::infix | Rule::postfix => "an operator".into(),
        Rule::sem_block => "a semantics block `{ ... }`".into(),
        other => format!("{other:?}").replace('_', " "),
    }
}

fn unquote(p: Pair<Rule>) -> String {
    let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn int(ctx: &Ctx, p: &Pair<Rule>) -> Result<u128, Diagnostic> {
    let s = p.as_str().replace('_', "");
    let r = if let Some(h) = s.strip_prefix("0x") {
        u128::from_str_radix(h, 16)
    } else if let Some(b) = s.strip_prefix("0b") {
        u128::from_str_radix(b, 2)
    } else {
        s.parse()
    };
    r.map_err(|_| {
        Diagnostic::new(
            ctx.loc(p),
            format!("number `{}` is out of range", p.as_str()),
        )
    })
}

fn small(ctx: &Ctx, p: &Pair<Rule>, max: u128) -> Result<u64, Diagnostic> {
    let v = int(ctx, p)?;
    if v > max {
        return Err(Diagnostic::new(
            ctx.loc(p),
            format!("{v} is too large here (at most {max})"),
        ));
    }
    Ok(v as u64)
}

fn syllable(ctx: &Ctx, p: Pair<Rule>) -> Result<Syllable, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let wp = it.next().unwrap();
    let width = small(ctx, &wp, 64)? as u32;
    let mut fields = Vec::new();
    for f in it {
        let floc = ctx.loc(&f);
        let mut fi = f.into_inner();
        let fname = fi.next().unwrap().as_str().to_string();
        let range = fi.next().unwrap();
        let mut ri = range.into_inner();
        let a = ri.next().unwrap();
        let hi = small(ctx, &a, 63)? as u32;
        let lo = match ri.next() {
            Some(b) => small(ctx, &b, 63)? as u32,
            None => hi,
        };
        let signed = fi.next().is_some();
        fields.push(Field {
            name: fname,
            hi,
            lo,
            signed,
            loc: floc,
        });
    }
    Ok(Syllable {
        name,
        width,
        fields,
        loc,
    })
}

fn slot(ctx: &Ctx, p: Pair<Rule>) -> Result<Slot, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let indices = match it.next() {
        None => None,
        Some(set) => {
            let inner = set.into_inner().next().unwrap();
            if inner.as_rule() == Rule::index_range {
                let mut r = inner.into_inner();
                let a = r.next().unwrap();
                let b = r.next().unwrap();
                let (a, b) = (small(ctx, &a, 64)? as u32, small(ctx, &b, 64)? as u32);
                if a >= b {
                    return Err(Diagnostic::new(loc, format!("empty index range {a}..{b}")));
                }
                Some((a..b).collect())
            } else {
                // A list `a, b, c` arrives as sibling ints: the set pair holds them all.
                unreachable!()
            }
        }
    };
    Ok(Slot { name, indices, loc })
}

fn slot_any(ctx: &Ctx, p: Pair<Rule>) -> Result<Slot, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let indices = match it.next() {
        None => None,
        Some(set) => {
            let mut v = Vec::new();
            for inner in set.into_inner() {
                if inner.as_rule() == Rule::index_range {
                    let mut r = inner.into_inner();
                    let a = r.next().unwrap();
                    let b = r.next().unwrap();
                    let (a, b) = (small(ctx, &a, 64)? as u32, small(ctx, &b, 64)? as u32);
                    if a >= b {
                        return Err(Diagnostic::new(loc, format!("empty index range {a}..{b}")));
                    }
                    v.extend(a..b);
                } else {
                    v.push(small(ctx, &inner, 64)? as u32);
                }
            }
            Some(v)
        }
    };
    Ok(Slot { name, indices, loc })
}

fn layout_item(ctx: &Ctx, p: Pair<Rule>) -> Result<LayoutItem, Diagnostic> {
    let rule = p.as_rule();
    let mut it = p.into_inner();
    Ok(match rule {
        Rule::let_item => {
            let name = it.next().unwrap().as_str().to_string();
            LayoutItem::Let {
                name,
                value: expr(ctx, it.next().unwrap())?,
            }
        }
        Rule::word_item | Rule::half_item => {
            let s = slot_any(ctx, it.next().unwrap())?;
            let cond = match it.next() {
                Some(c) => Some(expr(ctx, c.into_inner().next().unwrap())?),
                None => None,
            };
            if rule == Rule::word_item {
                LayoutItem::Word { slot: s, cond }
            } else {
                LayoutItem::Half { slot: s, cond }
            }
        }
        Rule::pair_item => {
            let hi = slot_any(ctx, it.next().unwrap())?;
            let lo = slot_any(ctx, it.next().unwrap())?;
            let cond = expr(ctx, it.next().unwrap().into_inner().next().unwrap())?;
            let read = expr(ctx, it.next().unwrap())?;
            let d = it.next().unwrap();
            let default = small(ctx, &d, u32::MAX as u128)? as u32;
            LayoutItem::Pair {
                hi,
                lo,
                cond,
                read,
                default,
            }
        }
        Rule::align_item => LayoutItem::Align,
        Rule::check_item => {
            let cond = expr(ctx, it.next().unwrap())?;
            let message = unquote(it.next().unwrap());
            LayoutItem::Check { cond, message }
        }
        Rule::tail_item => {
            let s = slot_any(ctx, it.next().unwrap())?;
            let c = it.next().unwrap();
            let count = if c.as_rule() == Rule::tail_count {
                Some(expr(ctx, c.into_inner().next().unwrap())?)
            } else {
                None
            };
            LayoutItem::Tail { slot: s, count }
        }
        r => unreachable!("layout {r:?}"),
    })
}

#[allow(dead_code)]
fn _unused(ctx: &Ctx, p: Pair<Rule>) -> Result<Slot, Diagnostic> {
    slot(ctx, p)
}

fn kind(ctx: &Ctx, p: Pair<Rule>) -> Result<KindDef, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let class_p = it.next().unwrap();
    let mut ci = class_p.into_inner();
    let class = ci.next().unwrap().as_str().to_string();
    let mut params = Vec::new();
    for n in ci {
        params.push(small(ctx, &n, u64::MAX as u128)?);
    }
    let template = unquote(it.next().unwrap());
    let missing = it.next().map(|m| unquote(m.into_inner().next().unwrap()));
    Ok(KindDef {
        name,
        class,
        params,
        template,
        missing,
        loc,
    })
}

fn operand(ctx: &Ctx, p: Pair<Rule>) -> Result<OperandDef, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let mut arms = Vec::new();
    for arm in it {
        let aloc = ctx.loc(&arm);
        let mut parts: Vec<_> = arm.into_inner().collect();
        let first = match parts.last() {
            Some(p) if p.as_rule() == Rule::arm_first => {
                let f = parts.pop().unwrap().into_inner().next().unwrap();
                small(ctx, &f, 0xff)? as u32
            }
            _ => 0,
        };
        let lo = small(ctx, &parts[0], 0xffff)? as u32;
        let (hi, kind) = if parts.len() == 3 {
            (
                small(ctx, &parts[1], 0xffff)? as u32,
                parts[2].as_str().to_string(),
            )
        } else {
            (lo, parts[1].as_str().to_string())
        };
        if hi < lo {
            return Err(Diagnostic::new(
                aloc,
                format!("empty range {lo:#x}..={hi:#x}"),
            ));
        }
        arms.push(OperandArm {
            lo,
            hi,
            kind,
            first,
            loc: aloc,
        });
    }
    Ok(OperandDef { name, arms, loc })
}

fn field_ref(ctx: &Ctx, p: Pair<Rule>) -> FieldRef {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let syllable = it.next().unwrap().as_str().to_string();
    let field = it.next().unwrap().as_str().to_string();
    FieldRef {
        syllable,
        field,
        loc,
    }
}

fn format(ctx: &Ctx, p: Pair<Rule>) -> Result<FormatDef, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let mut f = FormatDef {
        name,
        ales: None,
        keys: vec![],
        fields: vec![],
        syntax: None,
        loc,
    };
    for item in it {
        let iloc = ctx.loc(&item);
        match item.as_rule() {
            Rule::fmt_ales => {
                let a = item.into_inner().next().unwrap();
                f.ales = Some(if a.as_rule() == Rule::ales_none {
                    AlesUse::None
                } else {
                    AlesUse::Present
                });
            }
            Rule::fmt_key => {
                let mut ki = item.into_inner();
                let name = ki.next().unwrap().as_str().to_string();
                let field = field_ref(ctx, ki.next().unwrap());
                let default = match ki.next() {
                    Some(d) => Some(small(ctx, &d, u64::MAX as u128)?),
                    None => None,
                };
                f.keys.push(FormatKey {
                    name,
                    field,
                    default,
                    loc: iloc,
                });
            }
            Rule::fmt_field => {
                let mut fi = item.into_inner();
                let name = fi.next().unwrap().as_str().to_string();
                let field = field_ref(ctx, fi.next().unwrap());
                let operand = fi.next().unwrap().as_str().to_string();
                let role = match fi.next().unwrap().as_str() {
                    "src" => Role::Src,
                    "dst" => Role::Dst,
                    "pred" => Role::Pred,
                    _ => Role::None,
                };
                f.fields.push(FormatField {
                    name,
                    field,
                    operand,
                    role,
                    loc: iloc,
                });
            }
            Rule::fmt_syntax => {
                let s = unquote(item.into_inner().next().unwrap());
                f.syntax = Some((s, iloc));
            }
            r => unreachable!("format item {r:?}"),
        }
    }
    Ok(f)
}

fn ver(ctx: &Ctx, p: Pair<Rule>) -> Result<VerRange, Diagnostic> {
    let mut it = p.into_inner();
    let lo_p = it.next().unwrap();
    let lo = small(ctx, &lo_p, 7)? as u32;
    let hi = match it.next() {
        None => lo,
        Some(x) if x.as_rule() == Rule::ver_open => crate::MAX_VERSION,
        Some(x) => small(ctx, &x, 7)? as u32,
    };
    if lo == 0 || hi < lo {
        return Err(Diagnostic::new(
            ctx.loc(&lo_p),
            format!("bad ISA version range v{lo}..v{hi}"),
        ));
    }
    Ok(VerRange { lo, hi })
}

fn op(ctx: &Ctx, p: Pair<Rule>) -> Result<OpDef, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let args = it.next().unwrap().as_str().to_string();
    let mut encs = Vec::new();
    let mut sem = Vec::new();
    let mut also = Vec::new();
    let mut writes_ctpr = false;
    let mut explicit_ales25_v4 = false;
    let mut asm = Vec::new();
    for item in it {
        match item.as_rule() {
            Rule::op_also => also = item.into_inner().map(|n| n.as_str().to_string()).collect(),
            Rule::op_ctpr => writes_ctpr = true,
            Rule::op_ales25 => explicit_ales25_v4 = true,
            Rule::op_asm => {
                let loc = ctx.loc(&item);
                let mut ai = item.into_inner();
                let name = ai.next().unwrap().as_str().to_string();
                let syntax = unquote(ai.next().unwrap());
                let mut fixed = Vec::new();
                for kv in ai {
                    let mut kv = kv.into_inner();
                    let k = kv.next().unwrap().as_str().to_string();
                    let v = kv.next().unwrap();
                    if v.as_rule() != Rule::int {
                        return Err(Diagnostic::new(loc, format!("`{k}` needs a number")));
                    }
                    fixed.push((k, small(ctx, &v, u64::MAX as u128)?));
                }
                asm.push(AsmForm {
                    name,
                    syntax,
                    fixed,
                    loc,
                });
            }
            Rule::enc => {
                let eloc = ctx.loc(&item);
                let mut ei = item.into_inner();
                let format = ei.next().unwrap().as_str().to_string();
                let mut e = Enc {
                    format,
                    channels: None,
                    second: vec![],
                    ver: None,
                    attrs: vec![],
                    loc: eloc,
                };
                for a in ei {
                    let aloc = ctx.loc(&a);
                    let a = a.into_inner().next().unwrap();
                    match a.as_rule() {
                        Rule::enc_ch => {
                            let list = a.into_inner().next().unwrap();
                            let chs: Vec<u32> = list
                                .as_str()
                                .split(',')
                                .map(|c| c.trim().parse().unwrap())
                                .collect();
                            if let Some(bad) = chs.iter().find(|c| **c > 5) {
                                return Err(Diagnostic::new(
                                    aloc,
                                    format!("channel {bad} does not exist (0..5)"),
                                ));
                            }
                            e.channels = Some(chs);
                        }
                        Rule::enc_second => {
                            let list = a.into_inner().next().unwrap();
                            e.second = list
                                .as_str()
                                .split(',')
                                .map(|c| c.trim().parse().unwrap())
                                .collect();
                        }
                        Rule::enc_ver => e.ver = Some(ver(ctx, a)?),
                        Rule::enc_kv => {
                            let mut kv = a.into_inner();
                            let k = kv.next().unwrap().as_str().to_string();
                            let v = kv.next().unwrap();
                            let v = if v.as_rule() == Rule::int {
                                EncValue::Int(small(ctx, &v, u64::MAX as u128)?)
                            } else {
                                EncValue::Name(v.as_str().to_string())
                            };
                            e.attrs.push((k, v, aloc));
                        }
                        r => unreachable!("enc attr {r:?}"),
                    }
                }
                encs.push(e);
            }
            Rule::sem_block => sem = block(ctx, item)?,
            r => unreachable!("op item {r:?}"),
        }
    }
    Ok(OpDef {
        name,
        args,
        also,
        writes_ctpr,
        explicit_ales25_v4,
        asm,
        encs,
        sem,
        group: ctx.group.clone(),
        loc,
    })
}

fn ctl(ctx: &Ctx, p: Pair<Rule>) -> Result<CtlDef, Diagnostic> {
    let loc = ctx.loc(&p);
    let mut it = p.into_inner();
    let name = it.next().unwrap().as_str().to_string();
    let syllable = it.next().unwrap().as_str().to_string();
    let mut c = CtlDef {
        name,
        syllable,
        when: None,
        ver: None,
        syntax: None,
        also: vec![],
        lets: vec![],
        sem: None,
        group: ctx.group.clone(),
        loc,
    };
    for item in it {
        match item.as_rule() {
            Rule::expr => c.when = Some(expr(ctx, item)?),
            Rule::enc_ver => c.ver = Some(ver(ctx, item)?),
            Rule::ctl_syntax => {
                let iloc = ctx.loc(&item);
                c.syntax = Some((unquote(item.into_inner().next().unwrap()), iloc));
            }
            Rule::ctl_also => {
                let iloc = ctx.loc(&item);
                c.also
                    .push((unquote(item.into_inner().next().unwrap()), iloc));
            }
            Rule::ctl_let => {
                let mut li = item.into_inner();
                let n = li.next().unwrap().as_str().to_string();
                c.lets.push((n, expr(ctx, li.next().unwrap())?));
            }
            Rule::sem_block => c.sem = Some(block(ctx, item)?),
            r => unreachable!("ctl item {r:?}"),
        }
    }
    Ok(c)
}

fn block(ctx: &Ctx, p: Pair<Rule>) -> Result<Vec<Stmt>, Diagnostic> {
    p.into_inner().map(|s| stmt(ctx, s)).collect()
}

fn stmt(ctx: &Ctx, p: Pair<Rule>) -> Result<Stmt, Diagnostic> {
    let loc = ctx.loc(&p);
    let rule = p.as_rule();
    let mut it = p.into_inner();
    Ok(match rule {
        Rule::let_stmt => {
            let name = it.next().unwrap().as_str().to_string();
            Stmt::Let {
                name,
                value: expr(ctx, it.next().unwrap())?,
                loc,
            }
        }
        Rule::assign_stmt => {
            let lv = it.next().unwrap();
            let mut li = lv.into_inner();
            let target = li.next().unwrap().as_str().to_string();
            let index = match li.next() {
                Some(e) => Some(expr(ctx, e)?),
                None => None,
            };
            Stmt::Assign {
                target,
                index,
                value: expr(ctx, it.next().unwrap())?,
                loc,
            }
        }
        Rule::if_stmt => {
            let cond = expr(ctx, it.next().unwrap())?;
            let then = block(ctx, it.next().unwrap())?;
            let els = match it.next() {
                None => vec![],
                Some(e) if e.as_rule() == Rule::sem_block => block(ctx, e)?,
                Some(e) => vec![stmt(ctx, e.into_inner().next().unwrap())?],
            };
            Stmt::If {
                cond,
                then,
                els,
                loc,
            }
        }
        Rule::trap_stmt => {
            let kind = it.next().unwrap().as_str().to_string();
            Stmt::Trap {
                kind,
                cond: expr(ctx, it.next().unwrap())?,
                loc,
            }
        }
        Rule::call_stmt => Stmt::Call {
            call: primary(ctx, it.next().unwrap())?,
            loc,
        },
        r => unreachable!("stmt {r:?}"),
    })
}

/// Parses an expression (public so that syntax templates can embed expressions).
pub fn parse_expr(file: &str, base: &Loc, text: &str) -> Result<Expr, Diagnostic> {
    let mut pairs = IsaParser::parse(Rule::expr, text).map_err(|e| {
        let d = pest_error(file, e);
        Diagnostic::new(base.clone(), format!("in `{text}`: {}", d.message))
    })?;
    let p = pairs.next().unwrap();
    if p.as_str().len() != text.trim().len() {
        return Err(Diagnostic::new(
            base.clone(),
            format!("`{text}` is not a single expression"),
        ));
    }
    let ctx = Ctx {
        file: Rc::from(file),
        group: None,
        pratt: pratt(),
    };
    let mut e = expr(&ctx, p)?;
    relocate(&mut e, base);
    Ok(e)
}

/// Template expressions are parsed out of context: point their locations at the template.
fn relocate(e: &mut Expr, base: &Loc) {
    e.loc = base.clone();
    match &mut e.kind {
        ExprKind::Call(_, args) => args.iter_mut().for_each(|a| relocate(a, base)),
        ExprKind::Unary(_, a) | ExprKind::Slice(a, _, _) => relocate(a, base),
        ExprKind::Binary(_, a, b) | ExprKind::Bit(a, b) => {
            relocate(a, base);
            relocate(b, base)
        }
        _ => {}
    }
}

fn primary(ctx: &Ctx, p: Pair<Rule>) -> Result<Expr, Diagnostic> {
    let loc = ctx.loc(&p);
    let kind = match p.as_rule() {
        Rule::int => ExprKind::Int(int(ctx, &p)?),
        Rule::bool_lit => ExprKind::Bool(p.as_str() == "true"),
        Rule::ident => ExprKind::Var(p.as_str().to_string()),
        Rule::field_ref => {
            let f = field_ref(ctx, p);
            ExprKind::Field(f.syllable, f.field)
        }
        Rule::call => {
            let mut it = p.into_inner();
            let name = it.next().unwrap().as_str().to_string();
            let args = it.map(|a| expr(ctx, a)).collect::<Result<Vec<_>, _>>()?;
            if name == "lanes" {
                return crate::lanes::expand(args, &loc);
            }
            ExprKind::Call(name, args)
        }
        Rule::expr => return expr(ctx, p),
        r => unreachable!("primary {r:?}"),
    };
    Ok(Expr { kind, loc })
}

fn expr(ctx: &Ctx, p: Pair<Rule>) -> Result<Expr, Diagnostic> {
    ctx.pratt
        .map_primary(|q| primary(ctx, q))
        .map_prefix(|op, rhs| {
            let loc = ctx.loc(&op);
            let u = if op.as_rule() == Rule::neg {
                UnOp::Neg
            } else {
                UnOp::Not
            };
            Ok(Expr {
                kind: ExprKind::Unary(u, Box::new(rhs?)),
                loc,
            })
        })
        .map_postfix(|lhs, op| {
            let loc = ctx.loc(&op);
            let lhs = lhs?;
            if op.as_rule() == Rule::slice {
                let mut it = op.into_inner();
                let a = it.next().unwrap();
                let b = it.next().unwrap();
                let hi = small(ctx, &a, 127)? as u32;
                let lo = small(ctx, &b, 127)? as u32;
                if hi < lo {
                    return Err(Diagnostic::new(
                        loc,
                        format!("slice [{hi}:{lo}] must be written high:low"),
                    ));
                }
                Ok(Expr {
                    kind: ExprKind::Slice(Box::new(lhs), hi, lo),
                    loc,
                })
            } else {
                let idx = expr(ctx, op.into_inner().next().unwrap())?;
                Ok(Expr {
                    kind: ExprKind::Bit(Box::new(lhs), Box::new(idx)),
                    loc,
                })
            }
        })
        .map_infix(|lhs, op, rhs| {
            let loc = ctx.loc(&op);
            let b = match op.as_rule() {
                Rule::lor => BinOp::LOr,
                Rule::land => BinOp::LAnd,
                Rule::bor => BinOp::Or,
                Rule::bxor => BinOp::Xor,
                Rule::band => BinOp::And,
                Rule::eq => BinOp::Eq,
                Rule::ne => BinOp::Ne,
                Rule::le_u => BinOp::Le,
                Rule::lt_u => BinOp::Lt,
                Rule::ge_u => BinOp::Ge,
                Rule::gt_u => BinOp::Gt,
                Rule::shl => BinOp::Shl,
                Rule::shr => BinOp::Shr,
                Rule::sar => BinOp::Sar,
                Rule::add => BinOp::Add,
                Rule::sub => BinOp::Sub,
                Rule::mul => BinOp::Mul,
                r => unreachable!("infix {r:?}"),
            };
            Ok(Expr {
                kind: ExprKind::Binary(b, Box::new(lhs?), Box::new(rhs?)),
                loc,
            })
        })
        .parse(p.into_inner())
}

fn pratt() -> PrattParser<Rule> {
    PrattParser::new()
        .op(Op::infix(Rule::lor, Assoc::Left))
        .op(Op::infix(Rule::land, Assoc::Left))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt_u, Assoc::Left)
            | Op::infix(Rule::le_u, Assoc::Left)
            | Op::infix(Rule::gt_u, Assoc::Left)
            | Op::infix(Rule::ge_u, Assoc::Left))
        .op(Op::infix(Rule::bor, Assoc::Left))
        .op(Op::infix(Rule::bxor, Assoc::Left))
        .op(Op::infix(Rule::band, Assoc::Left))
        .op(Op::infix(Rule::shl, Assoc::Left)
            | Op::infix(Rule::shr, Assoc::Left)
            | Op::infix(Rule::sar, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::not))
        .op(Op::postfix(Rule::bit_index) | Op::postfix(Rule::slice))
}
