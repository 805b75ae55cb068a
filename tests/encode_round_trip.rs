//! Text → encode → decode → text for every operation the description holds, in every
//! channel and ISA version it allows.

use e2k_emu::isa;
use e2k_emu::isa::decode::decode;
use e2k_emu::isa::disasm::alu_text;
use e2k_emu::isa::encode::encode_alu;
use e2k_emu::isa::sample;
use e2k_emu::isa::version::Iset;

/// Splits `name,ch[,sm] operands`.
fn split(line: &str) -> (String, u8, bool, String) {
    let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
    let mut parts = head.split(',');
    let name = parts.next().unwrap().to_string();
    let ch = parts.next().unwrap().parse().unwrap();
    let sm = parts.next() == Some("sm");
    (name, ch, sm, rest.to_string())
}

#[test]
fn every_operation_round_trips_through_text() {
    let mut checked = 0;
    let mut ambiguous = 0;
    for s in sample::all() {
        let d = decode(&s.bytes, 0x10000, s.iset).unwrap();
        let op = d.alu[s.channel as usize].as_ref().unwrap();
        let text = alu_text(&d, op);
        if !op.info().also.is_empty() {
            // objdump's listing of an encoding binutils names several times.
            assert_eq!(text, format!("ambiguous,{} ", s.channel));
            ambiguous += 1;
            continue;
        }
        let (name, ch, sm, operands) = split(&text);
        let e = encode_alu(&name, ch, sm, &operands, s.iset)
            .unwrap_or_else(|err| panic!("{text} ({}): {err}", isa::ENCODINGS[s.enc].src));
        let b = d.bundle.als[s.channel as usize].unwrap().0;
        if isa::ENCODINGS[s.enc].second != 0 {
            // Register pairs, as gas writes them: the first half names the even
            // registers, the second half (in its own channel) the odd ones.
            let (pch, second) = e
                .pair
                .unwrap_or_else(|| panic!("`{text}` has no second half"));
            assert!(
                isa::ENCODINGS[s.enc].second & (1 << pch) != 0,
                "`{text}`: second half in {pch}"
            );
            let odd = second ^ e.als;
            assert_eq!(
                odd & !0x0101_0101,
                0,
                "`{text}`: halves differ beyond register low bits"
            );
            assert_eq!(e.als | odd, second, "`{text}`");
            assert_eq!(b & !odd, e.als, "ALS of `{text}` in {}", s.iset);
        } else {
            assert_eq!(e.als, b, "ALS of `{text}` in {}", s.iset);
        }
        let ales = d.bundle.ales[s.channel as usize].map(|a| a.0);
        assert_eq!(e.ales, ales, "ALES of `{text}` in {}", s.iset);
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} samples");
    assert!(ambiguous > 0);
}

#[test]
fn every_name_of_an_operation_encodes_it() {
    let v5 = Iset::new(5).unwrap();
    let text = "%dr0, %dr1, %dr2, %dr3";
    let want = encode_alu("plog_0x80", 0, false, text, v5).unwrap();
    for name in ["plog_128", "plog_and"] {
        let e = encode_alu(name, 0, false, text, v5).unwrap();
        assert_eq!((e.als, e.ales), (want.als, want.ales), "{name}");
    }
    assert_ne!(
        encode_alu("plog_0x96", 0, false, text, v5).unwrap().als,
        want.als
    );
}

#[test]
fn literals_and_errors() {
    let v4 = Iset::new(4).unwrap();
    let e = encode_alu("addd", 0, false, "%dr0, _f64 0x1122334455667788, %dr1", v4).unwrap();
    let lit = e.literal.unwrap();
    assert_eq!(
        (lit.bits, lit.value, lit.byte_base),
        (64, 0x1122334455667788, 0xdc)
    );
    let e = encode_alu("adds", 1, false, "%r0, 0x12345, %r1", v4).unwrap();
    assert_eq!(e.literal.unwrap().bits, 32);
    let e = encode_alu("adds", 1, false, "%r0, 5, %r1", v4).unwrap();
    assert!(e.literal.is_none());
    assert_eq!((e.als >> 8) & 0xff, 0xc5);
    let e = encode_alu("ldd", 0, false, "%dr0, %dr1, %dr2, mas = 0x3", v4).unwrap();
    assert_eq!(e.mas, Some(3));
    assert_eq!(
        encode_alu("frob", 0, false, "", v4)
            .unwrap_err()
            .to_string(),
        "unknown mnemonic `frob`"
    );
    assert!(encode_alu("stb", 0, false, "%dr0, %dr1, %r2", v4)
        .unwrap_err()
        .to_string()
        .contains("cannot use channel 0"));
    assert!(encode_alu("adds", 0, false, "%r0, %r1", v4)
        .unwrap_err()
        .to_string()
        .contains("bad operands"));
    assert!(
        encode_alu("qpand", 0, false, "%qpr0, %qpr1, %qpr2", v4).is_err(),
        "qpand is v5+"
    );
}
