//! gas's read-time directives, applied to a file's lines after macro expansion:
//! `.include "file"`, `.rept N`/`.irp SYM, A, B`/`.irpc SYM, CHARS` … `.endr`,
//! `.if EXPR`/`.ifdef SYM`/`.ifndef SYM`/`.elseif EXPR`/`.else`/`.endif`, and numeric
//! local labels (`1:`, referred to as `1b`, the last one before, or `1f`, the next).
//! Expanded lines keep the line number of the directive or use they came from.

use super::source::{parse_string, split_args, strip_comment};
use std::collections::BTreeMap;
use std::path::Path;

type Lines = Vec<(usize, String)>;

/// The directive word of a line, and the rest.
fn directive(line: &str) -> Option<(&str, &str)> {
    let t = strip_comment(line).trim();
    let (head, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    head.starts_with('.').then_some((head, rest.trim()))
}

/// `.include "file"`: the file's lines in its place, searched in the current directory,
/// next to `file` (the including source), then in `dirs`.
pub(super) fn includes(
    lines: Lines,
    file: &str,
    dirs: &[String],
    errors: &mut Vec<(usize, String)>,
    depth: u32,
) -> Lines {
    let mut out = Vec::new();
    for (n, line) in lines {
        let Some((".include", arg)) = directive(&line) else {
            out.push((n, line));
            continue;
        };
        let Some(name) = parse_string(arg).map(|b| String::from_utf8_lossy(&b).into_owned()) else {
            errors.push((
                n,
                format!("`.include` needs a quoted file name, not `{arg}`"),
            ));
            continue;
        };
        if depth > 16 {
            errors.push((n, format!("`.include \"{name}\"` nests too deeply")));
            continue;
        }
        let here = Path::new(file)
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let found = [Path::new(&name).to_path_buf(), here.join(&name)]
            .into_iter()
            .chain(dirs.iter().map(|d| Path::new(d).join(&name)))
            .find_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)));
        match found {
            Some((path, text)) => {
                let inner = text.lines().map(|l| (n, l.to_string())).collect();
                let path = path.to_string_lossy().into_owned();
                out.extend(includes(inner, &path, dirs, errors, depth + 1));
            }
            None => errors.push((n, format!("cannot read included file `{name}`"))),
        }
    }
    out
}

/// `.rept`, `.irp` and `.irpc` blocks, expanded (nested blocks too).
pub(super) fn repeats(lines: Lines, errors: &mut Vec<(usize, String)>) -> Lines {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (n, line) = &lines[i];
        let Some((d @ (".rept" | ".irp" | ".irpc"), arg)) = directive(line) else {
            out.push(lines[i].clone());
            i += 1;
            continue;
        };
        // The matching `.endr`.
        let mut depth = 0;
        let mut end = None;
        for (j, (_, l)) in lines.iter().enumerate().skip(i + 1) {
            match directive(l).map(|x| x.0) {
                Some(".rept" | ".irp" | ".irpc") => depth += 1,
                Some(".endr") if depth == 0 => {
                    end = Some(j);
                    break;
                }
                Some(".endr") => depth -= 1,
                _ => {}
            }
        }
        let Some(end) = end else {
            errors.push((*n, format!("`{d}` has no `.endr`")));
            return out;
        };
        let body = &lines[i + 1..end];
        let copies: Vec<Vec<(String, String)>> = match d {
            ".rept" => match crate::isa::encode::parse_number(arg) {
                Some(k) if k <= 1 << 16 => vec![Vec::new(); k as usize],
                _ => {
                    errors.push((*n, format!("`.rept` needs a count, not `{arg}`")));
                    Vec::new()
                }
            },
            _ => {
                let a = split_args(arg);
                match a.split_first() {
                    Some((sym, values)) if !sym.is_empty() => {
                        let values: Vec<String> = if d == ".irp" {
                            values.to_vec()
                        } else {
                            values.concat().chars().map(String::from).collect()
                        };
                        values.into_iter().map(|v| vec![(sym.clone(), v)]).collect()
                    }
                    _ => {
                        errors.push((*n, format!("`{d}` needs `SYMBOL, VALUES`")));
                        Vec::new()
                    }
                }
            }
        };
        for subst in copies {
            let copy: Lines = body
                .iter()
                .map(|(bn, l)| {
                    let mut l = l.clone();
                    for (s, v) in &subst {
                        l = l.replace(&format!("\\{s}"), v);
                    }
                    (*bn, l)
                })
                .collect();
            out.extend(repeats(copy, errors));
        }
        i = end + 1;
    }
    out
}

/// A number, a constant set earlier, or two of them compared or combined with `+ - *
/// & | << >>` (left to right), as `.if` reads them.
pub(super) fn condition_value(e: &str, consts: &BTreeMap<String, u64>) -> Option<i64> {
    let e = e.trim();
    for op in ["==", "!=", "<=", ">=", "<>", "<", ">"] {
        if let Some((a, b)) = e.split_once(op) {
            let (a, b) = (condition_value(a, consts)?, condition_value(b, consts)?);
            let r = match op {
                "==" => a == b,
                "!=" | "<>" => a != b,
                "<=" => a <= b,
                ">=" => a >= b,
                "<" => a < b,
                _ => a > b,
            };
            // gas's true is -1.
            return Some(-i64::from(r));
        }
    }
    let e = e
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(e);
    for op in ["<<", ">>", "|", "&", "+", "-", "*"] {
        // The last operator at the top level, so that `a - b - c` is (a - b) - c.
        if let Some(at) = e.rfind(op).filter(|&at| at > 0) {
            let (a, b) = (
                condition_value(&e[..at], consts),
                condition_value(&e[at + op.len()..], consts),
            );
            if let (Some(a), Some(b)) = (a, b) {
                return Some(match op {
                    "<<" => a.wrapping_shl(b as u32),
                    ">>" => a.wrapping_shr(b as u32),
                    "|" => a | b,
                    "&" => a & b,
                    "+" => a.wrapping_add(b),
                    "-" => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                });
            }
        }
    }
    if let Some(x) = e.strip_prefix('!') {
        return Some(i64::from(condition_value(x, consts)? == 0));
    }
    crate::isa::encode::parse_number(e)
        .or_else(|| consts.get(e).copied())
        .map(|v| v as i64)
}

/// `.if` and its kin: the lines of the branches taken (and, as gas, an empty wide
/// instruction for each `}` of the others). Conditions read numbers and the
/// constants `.set`, `.equ` or `=` gave a number before them; `.ifdef` asks whether a
/// label or constant was defined before.
pub(super) fn conditionals(lines: Lines, errors: &mut Vec<(usize, String)>) -> Lines {
    let mut out = Vec::new();
    let mut consts: BTreeMap<String, u64> = BTreeMap::new();
    let mut defined: Vec<String> = Vec::new();
    // Per open `.if`: this branch is taken, a branch was taken, the line of the `.if`.
    let mut stack: Vec<(bool, bool, usize)> = Vec::new();
    let active = |stack: &[(bool, bool, usize)]| stack.iter().all(|s| s.0);
    for (n, line) in lines {
        let d = directive(&line);
        match d {
            Some((w @ (".if" | ".ifdef" | ".ifndef" | ".ifeq" | ".ifne"), arg)) => {
                let outer = active(&stack);
                let take = match w {
                    ".ifdef" => defined.iter().any(|x| x == arg),
                    ".ifndef" => !defined.iter().any(|x| x == arg),
                    _ => match condition_value(arg, &consts) {
                        Some(v) => (v != 0) != (w == ".ifeq"),
                        None => {
                            if outer {
                                errors.push((
                                    n,
                                    format!("`{w}` needs a value known here, not `{arg}`"),
                                ));
                            }
                            false
                        }
                    },
                };
                stack.push((outer && take, take, n));
                continue;
            }
            Some((w @ (".elseif" | ".else"), arg)) => {
                let outer = active(&stack[..stack.len().saturating_sub(1)]);
                match stack.last_mut() {
                    Some(top) => {
                        let take = !top.1
                            && (w == ".else"
                                || condition_value(arg, &consts).is_some_and(|v| v != 0));
                        top.0 = outer && take;
                        top.1 |= take;
                    }
                    None => errors.push((n, format!("`{w}` without `.if`"))),
                }
                continue;
            }
            Some((".endif", _)) => {
                if stack.pop().is_none() {
                    errors.push((n, "`.endif` without `.if`".into()));
                }
                continue;
            }
            _ => {}
        }
        if !active(&stack) {
            // gas still closes the wide instructions of skipped lines: each `}` there
            // gives an empty one (8 zero bytes).
            let closes = strip_comment(&line).matches('}').count();
            out.extend(std::iter::repeat_n((n, "nop".to_string()), closes));
            continue;
        }
        // What later conditions may ask about.
        let t = strip_comment(&line).trim().to_string();
        let set = match d {
            Some((".set" | ".equ", arg)) => arg
                .split_once(',')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string())),
            _ => t
                .split_once('=')
                .filter(|(a, b)| {
                    !a.trim().contains(char::is_whitespace)
                        && !a.trim().starts_with(['.', '%'])
                        && !b.starts_with('=')
                })
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string())),
        };
        if let Some((name, value)) = set {
            if let Some(v) = condition_value(&value, &consts) {
                consts.insert(name.clone(), v as u64);
            }
            defined.push(name);
        } else if let Some((label, _)) = t.split_once(':') {
            if !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.$".contains(c))
            {
                defined.push(label.to_string());
            }
        }
        out.push((n, line));
    }
    if let Some((_, _, n)) = stack.last() {
        errors.push((*n, "`.if` has no `.endif`".into()));
    }
    out
}

/// The name a numeric local label's `k`-th definition gets (a `.L` name, so it stays
/// out of the symbol table as gas's do).
fn local_name(label: &str, k: usize) -> String {
    format!(".L{label}$${k}")
}

/// Numeric local labels: `N:` definitions and `Nb`/`Nf` references become unique names.
pub(super) fn local_labels(lines: Lines) -> Lines {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (n, line) in lines {
        let code = strip_comment(&line);
        let mut rest = code.trim_start();
        let mut head = String::new();
        // Definitions at the start of the line (`1: 2: { ...`).
        while let Some((digits, after)) = rest
            .split_once(':')
            .filter(|(d, _)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
        {
            let k = count.entry(digits.to_string()).or_insert(0);
            *k += 1;
            head.push_str(&local_name(digits, *k));
            head.push_str(": ");
            rest = after.trim_start();
        }
        if head.is_empty() && !code.contains(|c: char| c.is_ascii_digit()) {
            out.push((n, line));
            continue;
        }
        // References: digits followed by `b` or `f`, standing alone.
        let mut body = String::new();
        let chars: Vec<char> = rest.chars().collect();
        let word = |c: char| c.is_ascii_alphanumeric() || "_.$%".contains(c);
        let mut in_str = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                in_str = !in_str;
            }
            if !in_str && c.is_ascii_digit() && (i == 0 || !word(chars[i - 1])) {
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j < chars.len()
                    && (chars[j] == 'b' || chars[j] == 'f')
                    && (j + 1 == chars.len() || !word(chars[j + 1]))
                {
                    let digits: String = chars[i..j].iter().collect();
                    let k = count.get(&digits).copied().unwrap_or(0);
                    let k = if chars[j] == 'b' { k } else { k + 1 };
                    body.push_str(&local_name(&digits, k));
                    i = j + 1;
                    continue;
                }
                body.extend(&chars[i..j]);
                i = j;
                continue;
            }
            body.push(c);
            i += 1;
        }
        // Leading blanks stay, so that error columns do.
        let lead = &code[..code.len() - code.trim_start().len()];
        out.push((n, format!("{lead}{head}{body}")));
    }
    out
}
