//! Generates the ISA-derived code (decoder tables, bundle layout, disassembler pieces)
//! from `isa/` into OUT_DIR. A mistake in a description file stops the build with its
//! file:line:col.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let isa = root.join("isa");
    println!("cargo::rerun-if-changed=isa");
    for f in e2k_codegen::isa_files(&isa).unwrap_or_default() {
        println!("cargo::rerun-if-changed={}", f.display());
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let result = e2k_codegen::read_dir_sources(root, &isa).and_then(|s| e2k_codegen::generate(&s));
    match result {
        Ok(g) => {
            for (name, text) in g.files {
                std::fs::write(out.join(&name), text).expect("OUT_DIR is writable");
            }
        }
        Err(d) => {
            // cargo shows `cargo::error` lines as build errors without a backtrace.
            println!("cargo::error={d}");
            std::process::exit(1);
        }
    }
}
