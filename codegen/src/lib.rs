//! Code generator for e2k-emu: reads the ISA description (`isa/*.isa`), checks it, and
//! writes the Rust that the runtime crate includes (decoder tables, bundle unpacker,
//! disassembler pieces). See `docs/isa-language.md` for the language.

pub mod ast;
mod gen;
mod gen_sem;
mod lanes;
pub mod model;
mod parse;
mod rust_expr;
pub mod sem;
pub mod template;

use std::fmt;
use std::path::{Path, PathBuf};

/// The newest ISA version the description may name.
pub const MAX_VERSION: u32 = 7;

/// A problem in the description, with the place it was found.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub loc: Option<ast::Loc>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(loc: ast::Loc, message: String) -> Self {
        Diagnostic {
            loc: Some(loc),
            message,
        }
    }
    pub fn nowhere(message: &str) -> Self {
        Diagnostic {
            loc: None,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loc {
            Some(l) => write!(f, "{l}: error: {}", self.message),
            None => write!(f, "error: {}", self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Generated Rust sources, by file name.
pub struct Generated {
    pub files: Vec<(String, String)>,
    pub model: model::Model,
}

/// Parses description texts given as (name, text) pairs, in order.
pub fn parse_sources(sources: &[(String, String)]) -> Result<model::Model, Diagnostic> {
    let mut desc = ast::Description::default();
    for (name, text) in sources {
        parse::parse_file(name, text, &mut desc)?;
    }
    model::build(desc)
}

/// Lists the `.isa` files under `dir`, sorted, so that output is deterministic.
pub fn isa_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d)
            .map_err(|e| Diagnostic::nowhere(&format!("cannot read {}: {e}", d.display())))?;
        for ent in rd.flatten() {
            let p = ent.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "isa") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads every `.isa` file under `dir` (file names shown relative to `root`).
pub fn read_dir_sources(root: &Path, dir: &Path) -> Result<Vec<(String, String)>, Diagnostic> {
    let mut sources = Vec::new();
    for p in isa_files(dir)? {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| Diagnostic::nowhere(&format!("cannot read {}: {e}", p.display())))?;
        let name = p.strip_prefix(root).unwrap_or(&p).display().to_string();
        sources.push((name, text));
    }
    Ok(sources)
}

/// Parses, checks and generates from the sources.
pub fn generate(sources: &[(String, String)]) -> Result<Generated, Diagnostic> {
    let model = parse_sources(sources)?;
    let files = gen::generate(&model)?;
    Ok(Generated { files, model })
}
