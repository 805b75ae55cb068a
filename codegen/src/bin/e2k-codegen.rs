//! Writes the generated Rust into the source tree (`generated/`), so that a diff shows
//! what a change to `isa/` did; `--check` only compares and fails if it is stale.
//!
//! Usage: e2k-codegen [--root DIR] [--check]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--root" => match args.next() {
                Some(d) => root = PathBuf::from(d),
                None => return usage("--root needs a directory"),
            },
            "-h" | "--help" => {
                println!("usage: e2k-codegen [--root DIR] [--check]\n\nRegenerates DIR/generated/*.rs from DIR/isa/*.isa (DIR defaults to the workspace).\nWith --check, writes nothing and fails if the files are out of date.");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument `{other}`")),
        }
    }
    let root = root.canonicalize().unwrap_or(root);
    let generated = e2k_codegen::read_dir_sources(&root, &root.join("isa"))
        .and_then(|s| e2k_codegen::generate(&s));
    let g = match generated {
        Ok(g) => g,
        Err(d) => {
            eprintln!("{d}");
            return ExitCode::FAILURE;
        }
    };
    let out = root.join("generated");
    let mut stale = Vec::new();
    for (name, text) in &g.files {
        let path = out.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if &current == text {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            if let Err(e) = std::fs::create_dir_all(&out).and_then(|_| std::fs::write(&path, text))
            {
                eprintln!("e2k-codegen: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "e2k-codegen: out of date: {} (run `cargo run -p e2k-codegen`)",
            stale.join(", ")
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("e2k-codegen: {msg}\nusage: e2k-codegen [--root DIR] [--check]");
    ExitCode::from(2)
}
