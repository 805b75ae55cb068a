//! Syntax templates: literal text with `{expr}` or `{expr:fmt}` holes (`{{`/`}}` escape).

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Text(String),
    Hole { expr: String, fmt: Option<String> },
}

pub fn split(t: &str) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut hole = String::new();
                let mut depth = 0i32;
                loop {
                    match chars.next() {
                        None => return Err(format!("unclosed `{{` in template \"{t}\"")),
                        Some('}') if depth == 0 => break,
                        Some(c) => {
                            match c {
                                '(' | '[' => depth += 1,
                                ')' | ']' => depth -= 1,
                                _ => {}
                            }
                            hole.push(c);
                        }
                    }
                }
                if !text.is_empty() {
                    out.push(Seg::Text(std::mem::take(&mut text)));
                }
                // A format spec follows the last `:` that is outside brackets.
                let mut depth = 0i32;
                let mut split_at = None;
                for (i, c) in hole.char_indices() {
                    match c {
                        '(' | '[' => depth += 1,
                        ')' | ']' => depth -= 1,
                        ':' if depth == 0 => split_at = Some(i),
                        _ => {}
                    }
                }
                let (expr, fmt) = match split_at {
                    Some(i) => (
                        hole[..i].trim().to_string(),
                        Some(hole[i + 1..].trim().to_string()),
                    ),
                    None => (hole.trim().to_string(), None),
                };
                if expr.is_empty() {
                    return Err(format!("empty `{{}}` in template \"{t}\""));
                }
                if let Some(f) = &fmt {
                    if !["x", "d", "addr"].contains(&f.as_str()) {
                        return Err(format!(
                            "unknown format `:{f}` in template \"{t}\" (use :x, :d or :addr)"
                        ));
                    }
                }
                out.push(Seg::Hole { expr, fmt });
            }
            '}' => return Err(format!("unmatched `}}` in template \"{t}\"")),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Seg::Text(text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn holes_and_formats() {
        let s = split("disp %ctpr{CS0.ctpr}, {pc + x[27:0] * 8:x}{{}}").unwrap();
        assert_eq!(s[0], Seg::Text("disp %ctpr".into()));
        assert_eq!(
            s[1],
            Seg::Hole {
                expr: "CS0.ctpr".into(),
                fmt: None
            }
        );
        assert_eq!(
            s[3],
            Seg::Hole {
                expr: "pc + x[27:0] * 8".into(),
                fmt: Some("x".into())
            }
        );
        assert_eq!(s[4], Seg::Text("{}".into()));
        assert!(split("a {b").is_err());
        assert!(split("a {b:q}").is_err());
    }
}
