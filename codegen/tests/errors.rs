//! Mistakes in a description are reported with file:line:col and a clear message,
//! never a panic.

use e2k_codegen::generate;

/// A minimal complete description; each test appends or replaces a piece.
const BASE: &str = r#"
syllable HS : 32 { lng = 6:4; al = 31:26; ale = 25:20; }
syllable ALS : 32 { opc = 30:24; src1 = 23:16; src2 = 15:8; dst = 7:0; }
syllable ALES : 16 { opc2 = 15:8; opce = 7:0; }
bundle {
    word HS;
    let length = (HS.lng + 1) * 8;
    word ALS[0..6] if HS.al[i];
    half ALES[0..6] if HS.ale[i];
    align;
}
kind reg = reg "%r{n}";
operand r { 0x80..=0xbf => reg; }
format F { key opc = ALS.opc; ales none; field src1 = ALS.src1 : r src; field src2 = ALS.src2 : r src; field dst = ALS.dst : r dst; syntax "{src1}, {src2}, {dst}"; }
"#;

fn error_of(extra: &str) -> String {
    let text = format!("{BASE}{extra}");
    match generate(&[("isa/t.isa".to_string(), text)]) {
        Ok(_) => panic!("expected an error for:\n{extra}"),
        Err(d) => d.to_string(),
    }
}

/// Line numbers in messages count from the start of BASE.
fn line_of(extra_line: usize) -> usize {
    BASE.lines().count() + 1 + extra_line
}

#[test]
fn base_is_valid() {
    let g = generate(&[(
        "isa/t.isa".to_string(),
        format!("{BASE}op add(SSS) F opc=1 ch=0; {{ dst = src1 + src2; }}"),
    )]);
    assert!(g.is_ok(), "{}", g.err().unwrap());
}

#[test]
fn syntax_error_has_location() {
    let e = error_of("\nop add(SSS) F opc=1 ch=0; { dst = src1 + ; }");
    assert!(e.starts_with(&format!("isa/t.isa:{}:", line_of(1))), "{e}");
    assert!(e.contains("syntax error: expected an expression"), "{e}");
}

#[test]
fn missing_semicolon_after_encoding() {
    let e = error_of("\nop add(SSS) F opc=1 ch=0 { dst = src1; }");
    assert!(e.contains("expected an encoding attribute"), "{e}");
}

#[test]
fn unknown_format() {
    let e = error_of("\nop add(SSS) G opc=1 ch=0; { dst = src1 + src2; }");
    assert!(e.contains("unknown format `G`"), "{e}");
    assert!(e.starts_with(&format!("isa/t.isa:{}:", line_of(1))), "{e}");
}

#[test]
fn missing_key() {
    let e = error_of("\nop add(SSS) F ch=0; { dst = src1 + src2; }");
    assert!(e.contains("needs `opc=`"), "{e}");
}

#[test]
fn unknown_key() {
    let e = error_of("\nop add(SSS) F opc=1 opc2=3 ch=0; { dst = src1 + src2; }");
    assert!(e.contains("has no key `opc2`"), "{e}");
}

#[test]
fn bad_channel() {
    let e = error_of("\nop add(SSS) F opc=1 ch=0,7; { dst = src1 + src2; }");
    assert!(e.contains("channel 7 does not exist"), "{e}");
}

#[test]
fn width_mismatch_in_semantics() {
    let e = error_of("\nop add(SDS) F opc=1 ch=0;\n{ dst = src1 + src2; }");
    assert!(e.contains("do not match"), "{e}");
    assert!(e.starts_with(&format!("isa/t.isa:{}:", line_of(2))), "{e}");
}

#[test]
fn unknown_function() {
    let e = error_of("\nop add(SSS) F opc=1 ch=0; { dst = frob(src1); }");
    assert!(e.contains("unknown function `frob`"), "{e}");
}

#[test]
fn assignment_to_source() {
    let e = error_of("\nop add(SSS) F opc=1 ch=0; { src1 = src2; }");
    assert!(e.contains("`src1` is not a destination"), "{e}");
}

#[test]
fn wrong_operand_count() {
    let e = error_of("\nop add(SS) F opc=1 ch=0; { }");
    assert!(e.contains("has 3 register operands"), "{e}");
}

#[test]
fn ambiguous_encodings() {
    let e = error_of(
        "\nop a(SSS) F opc=1 ch=0; { dst = src1; }\nop b(SSS) F opc=1 ch=0,1; { dst = src2; }",
    );
    assert!(e.contains("same encoding as `a`"), "{e}");
}

#[test]
fn duplicate_operation() {
    let e = error_of(
        "\nop a(SSS) F opc=1 ch=0; { dst = src1; }\nop a(SSS) F opc=2 ch=0; { dst = src2; }",
    );
    assert!(e.contains("already defined"), "{e}");
}

#[test]
fn field_outside_syllable() {
    let e = error_of("\nsyllable X : 16 { f = 17:3; }");
    assert!(e.contains("do not fit a 16-bit syllable"), "{e}");
}

#[test]
fn unknown_field_in_layout() {
    let text = BASE.replace("word HS;", "word HS;\n    word ALS[0..2] if HS.nothere[i];");
    let e = match generate(&[("isa/t.isa".to_string(), text)]) {
        Ok(_) => panic!("expected an error"),
        Err(d) => d.to_string(),
    };
    assert!(e.contains("syllable `HS` has no field `nothere`"), "{e}");
}

#[test]
fn bad_template_hole() {
    let e = error_of("\nformat G { key opc = ALS.opc; ales none; field dst = ALS.dst : r dst; syntax \"{dts}\"; }");
    assert!(e.contains("`{dts}` is not known here"), "{e}");
}

#[test]
fn overlapping_operand_values() {
    let e = error_of("\noperand q { 0x00..=0x10 => reg; 0x10 => reg; }");
    assert!(e.contains("already mapped"), "{e}");
}

#[test]
fn bad_version_range() {
    let e = error_of("\nop a(SSS) F opc=1 ch=0 v5..v3; { dst = src1; }");
    assert!(e.contains("bad ISA version range"), "{e}");
}

#[test]
fn unknown_trap() {
    let e = error_of("\nop a(SSS) F opc=1 ch=0; { trap boom if src1 == 0; dst = src1; }");
    assert!(e.contains("unknown trap `boom`"), "{e}");
}

#[test]
fn unknown_helper_kind() {
    let e = error_of("helper fsin_s(S) -> S in trig;");
    assert!(
        e.contains(&format!(
            "isa/t.isa:{}:26: error: unknown helper kind `trig` (known: float, float_x)",
            line_of(0)
        )),
        "{e}"
    );
}
