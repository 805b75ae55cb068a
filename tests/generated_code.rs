//! The generated code in `generated/` (kept in the tree for review) must match what
//! the build generates from `isa/`; run `cargo run -p e2k-codegen` after editing `isa/`.

#[test]
fn generated_copy_is_current() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/isa.rs"));
    let kept = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/generated/isa.rs"))
        .expect("generated/isa.rs exists; create it with `cargo run -p e2k-codegen`");
    assert!(
        built == kept,
        "generated/isa.rs is stale: run `cargo run -p e2k-codegen` and commit the result"
    );
}
