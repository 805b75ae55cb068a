//! The generated code in `generated/` (kept in the tree for review) must match what
//! the build generates from `isa/`; run `cargo run -p e2k-codegen` after editing `isa/`.

fn check(built: &str, name: &str) {
    let path = format!("{}/generated/{name}", env!("CARGO_MANIFEST_DIR"));
    let kept = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path} is missing; create it with `cargo run -p e2k-codegen`"));
    assert!(
        built == kept,
        "generated/{name} is stale: run `cargo run -p e2k-codegen` and commit the result"
    );
}

#[test]
fn generated_copy_is_current() {
    check(include_str!(concat!(env!("OUT_DIR"), "/isa.rs")), "isa.rs");
    check(
        include_str!(concat!(env!("OUT_DIR"), "/semantics.rs")),
        "semantics.rs",
    );
}
