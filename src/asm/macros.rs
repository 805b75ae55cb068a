//! `.macro` … `.endm`: definitions and their expansion.

use super::source::{split_args, strip_comment};
use std::collections::BTreeMap;

pub(super) struct Macro {
    pub(super) params: Vec<(String, Option<String>)>,
    pub(super) body: Vec<String>,
}

/// Expands `.macro NAME a, b=default` … `.endm` definitions and their uses; expanded
/// lines keep the line number of the use. `\a` in the body is the argument. Macros
/// stay defined for the files that follow, as with GNU as.
pub(super) fn expand_macros(
    lines: Vec<(usize, String)>,
    macros: &mut BTreeMap<String, Macro>,
    errors: &mut Vec<(usize, String)>,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut defining: Option<(String, Macro, usize)> = None;
    for (n, raw) in lines {
        let li = n - 1;
        let line = strip_comment(&raw);
        let t = line.trim();
        if let Some((_, m, _)) = &mut defining {
            if t == ".endm" {
                let (n, m, _) = defining.take().unwrap();
                macros.insert(n, m);
            } else {
                m.body.push(line.to_string());
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix(".macro") {
            let rest = rest.trim();
            let (name, params) = rest
                .split_once(|c: char| c.is_whitespace() || c == ',')
                .unwrap_or((rest, ""));
            if name.is_empty() {
                errors.push((li + 1, "`.macro` needs a name".into()));
                continue;
            }
            let params = params
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((n, d)) => (n.trim().to_string(), Some(d.trim().to_string())),
                    None => (p.trim().to_string(), None),
                })
                .collect();
            defining = Some((
                name.to_string(),
                Macro {
                    params,
                    body: vec![],
                },
                li + 1,
            ));
            continue;
        }
        expand_line(macros, li + 1, line, &mut out, errors, 0);
    }
    if let Some((n, _, l)) = defining {
        errors.push((l, format!("`.macro {n}` has no `.endm`")));
    }
    out
}

pub(super) fn expand_line(
    macros: &BTreeMap<String, Macro>,
    line_no: usize,
    line: &str,
    out: &mut Vec<(usize, String)>,
    errors: &mut Vec<(usize, String)>,
    depth: u32,
) {
    let t = line.trim();
    // A label may stand before a macro use on the same line.
    if let Some((label, rest)) = t.split_once(':') {
        let is_label = !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$');
        if is_label && macros.contains_key(rest.split_whitespace().next().unwrap_or("")) {
            out.push((line_no, format!("{label}:")));
            return expand_line(macros, line_no, rest, out, errors, depth);
        }
    }
    let (head, args) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let Some(m) = macros.get(head) else {
        out.push((line_no, line.to_string()));
        return;
    };
    if depth > 32 {
        errors.push((line_no, format!("macro `{head}` expands too deeply")));
        return;
    }
    let given = split_args(args);
    let mut values: Vec<(String, String)> = Vec::new();
    for (i, (p, default)) in m.params.iter().enumerate() {
        let named = given.iter().find_map(|g| {
            g.strip_prefix(&format!("{p}="))
                .map(|v| v.trim().to_string())
        });
        let positional = given.get(i).filter(|g| !g.contains('=')).cloned();
        match named.or(positional).or(default.clone()) {
            Some(v) => values.push((p.clone(), v)),
            None => {
                errors.push((line_no, format!("macro `{head}` needs argument `{p}`")));
                return;
            }
        }
    }
    // Longer names first, so that \ab is not read as \a followed by b.
    values.sort_by_key(|v| std::cmp::Reverse(v.0.len()));
    for body_line in &m.body {
        let mut l = body_line.clone();
        for (p, v) in &values {
            l = l.replace(&format!("\\{p}"), v);
        }
        expand_line(macros, line_no, &l, out, errors, depth + 1);
    }
}
