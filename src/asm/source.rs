//! Reading assembler source text: comments, the pieces of a line (`;`, `{`, `}`),
//! string literals and argument lists; places in the source and errors at them.

use std::fmt;

/// An error with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for AsmError {}

#[derive(Clone, Debug)]
pub(super) struct Loc {
    pub(super) file: usize,
    pub(super) line: usize,
    pub(super) col: usize,
}

pub(super) fn error_at(files: &[String], loc: &Loc, message: impl Into<String>) -> AsmError {
    AsmError {
        file: files[loc.file].clone(),
        line: loc.line,
        col: loc.col,
        message: message.into(),
    }
}

/// Removes `!` comments (outside strings) and a line-leading `#`.
pub(super) fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '!' if !in_str => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// Splits a line into pieces at `;`, `{` and `}` outside strings, keeping braces.
pub(super) fn pieces(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut in_str = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => {
                in_str = !in_str;
                cur.push(c);
            }
            ';' | '{' | '}' if !in_str => {
                if !cur.trim().is_empty() {
                    out.push((start, cur.clone()));
                }
                cur.clear();
                if c != ';' {
                    out.push((i, c.to_string()));
                }
                start = i + 1;
            }
            _ => {
                if cur.is_empty() {
                    start = i;
                }
                cur.push(c);
            }
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out
}

pub(super) fn parse_string(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::new();
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            continue;
        }
        // As gas reads escapes: up to three octal digits, any number of hex digits
        // (the low byte kept).
        match it.next()? {
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            'r' => out.push(b'\r'),
            'b' => out.push(8),
            'f' => out.push(12),
            'v' => out.push(11),
            d @ '0'..='7' => {
                let mut v = d.to_digit(8)?;
                for _ in 0..2 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(x) => {
                            v = v * 8 + x;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(v as u8);
            }
            'x' | 'X' => {
                let mut v = 0u32;
                let mut any = false;
                while let Some(x) = it.peek().and_then(|c| c.to_digit(16)) {
                    v = (v << 4 | x) & 0xff;
                    any = true;
                    it.next();
                }
                if !any {
                    return None;
                }
                out.push(v as u8);
            }
            o => {
                let mut b = [0u8; 4];
                out.extend_from_slice(o.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    Some(out)
}

pub(super) fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_str = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_str = !in_str;
                cur.push(c)
            }
            ',' if !in_str => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}
