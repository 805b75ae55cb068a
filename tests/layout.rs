//! The layout of `src/` as docs/architecture.md states it: no loose files beside
//! `lib.rs`, dependencies between folders only downward, and no import cycle between
//! files. Read from the `use crate::...` paths and `crate::...` references of each file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each folder of `src/` and the folders it may use.
const MAY_USE: &[(&str, &[&str])] = &[
    ("isa", &[]),
    ("elf", &["isa"]),
    ("link", &["isa", "elf"]),
    ("asm", &["isa", "elf", "link"]),
    ("guest", &["isa"]),
    ("engine", &["guest", "isa"]),
    ("linux", &["engine", "guest", "isa", "elf"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/`: `engine/interp/mod.rs` → `engine::interp`.
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

/// The modules a file uses: `crate::` and `super::` paths anywhere in it, and
/// `use child::` imports. (Inline modules other than tests must name paths from
/// `crate::`, since `super::` is read as relative to the file.)
fn references(text: &str, modules: &BTreeSet<String>, this: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent = this.rsplit_once("::").map_or("", |p| p.0);
    let mut add = |segs: &[&str]| {
        // The longest prefix that names a module of ours.
        for n in (1..=segs.len()).rev() {
            let m = segs[..n].join("::");
            if modules.contains(&m) {
                if m != this {
                    out.insert(m);
                }
                return;
            }
        }
    };
    let path_at = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect()
    };
    for line in text.lines() {
        let l = line.trim_start();
        if l.starts_with("//") {
            continue;
        }
        let mut rest = l;
        while let Some(k) = rest.find("crate::") {
            rest = &rest[k + 7..];
            let p = path_at(rest);
            add(&p.split("::").filter(|s| !s.is_empty()).collect::<Vec<_>>());
        }
        let mut rest = l;
        while let Some(k) = rest.find("super::") {
            let before = rest[..k].chars().next_back();
            rest = &rest[k + 7..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let p = path_at(rest);
            let mut segs: Vec<&str> = parent.split("::").filter(|s| !s.is_empty()).collect();
            segs.extend(p.split("::").filter(|s| !s.is_empty()));
            add(&segs);
        }
        if let Some(r) = l.strip_prefix("use ") {
            let p = path_at(r);
            let first = p.split("::").next().unwrap_or("");
            let child = if this.is_empty() {
                first.to_string()
            } else {
                format!("{this}::{first}")
            };
            if modules.contains(&child) {
                let mut segs: Vec<&str> = this.split("::").filter(|s| !s.is_empty()).collect();
                segs.extend(p.split("::").filter(|s| !s.is_empty()));
                add(&segs);
            }
        }
    }
    out
}

fn folder(m: &str) -> &str {
    m.split("::").next().unwrap_or("")
}

#[test]
fn src_is_laid_out_as_the_pipeline() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut loose = Vec::new();
    let mut texts = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_path_buf();
        if rel.starts_with("bin") {
            continue;
        }
        if rel.components().count() == 1 && rel != Path::new("lib.rs") {
            loose.push(rel.display().to_string());
        }
        // Tests inside a file may reach anywhere.
        let text = std::fs::read_to_string(f).unwrap();
        let mut text = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
        // Generated code is part of the file that includes it (`generated/` holds the
        // same text as OUT_DIR).
        let marker = "env!(\"OUT_DIR\"), \"/";
        if let Some(k) = text.find(marker) {
            let name: String = text[k + marker.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect();
            let gen = src.parent().unwrap().join("generated").join(&name);
            text.push_str(&std::fs::read_to_string(&gen).expect("generated/ is fresh"));
        }
        texts.insert(module_of(&rel), text);
    }
    assert!(loose.is_empty(), "files directly in src/: {loose:?}");
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let graph: BTreeMap<String, BTreeSet<String>> = texts
        .iter()
        .map(|(m, t)| (m.clone(), references(t, &modules, m)))
        .collect();

    let allowed: BTreeMap<&str, &[&str]> = MAY_USE.iter().copied().collect();
    let mut wrong = Vec::new();
    for (m, deps) in &graph {
        if m.is_empty() {
            continue;
        }
        let from = folder(m);
        let Some(ok) = allowed.get(from) else {
            wrong.push(format!("{m}: folder `{from}` is not in the module map"));
            continue;
        };
        for d in deps {
            let to = folder(d);
            if to != from && !ok.contains(&to) {
                wrong.push(format!("{m} uses {d}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the module map:\n{}",
        wrong.join("\n")
    );

    // No cycle between files.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| *s == m).unwrap_or(0);
                let mut c: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
                c.push(m.to_string());
                return Some(c);
            }
            _ => {}
        }
        state.insert(m, 1);
        stack.push(m);
        for d in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, g, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(m, 2);
        None
    }
    for m in graph.keys() {
        let mut stack = Vec::new();
        if let Some(c) = visit(m, &graph, &mut state, &mut stack) {
            panic!("import cycle: {}", c.join(" -> "));
        }
    }
}
