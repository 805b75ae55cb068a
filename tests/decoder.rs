//! Decoder and disassembler tests over a corpus generated from `isa/`: every encoding
//! row in every channel and ISA version it allows.

use e2k_emu::isa;
use e2k_emu::isa::decode::{decode, decode_lenient};
use e2k_emu::isa::disasm::{bundle_lines, listing};
use e2k_emu::isa::pack::{pack, Syllables};
use e2k_emu::isa::sample;
use e2k_emu::isa::version::Iset;
use proptest::prelude::*;

fn v(n: u8) -> Iset {
    Iset::new(n).unwrap()
}

/// Words as written in listings, to bytes in memory.
fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn every_sample_decodes_to_its_operation() {
    let samples = sample::all();
    assert!(
        samples.len() > isa::ENCODINGS.len(),
        "corpus too small: {}",
        samples.len()
    );
    let mut rows_seen = vec![false; isa::ENCODINGS.len()];
    for s in &samples {
        let d = decode(&s.bytes, 0x1000, s.iset).unwrap_or_else(|e| {
            panic!(
                "{} ({}) ch {} {}: {e}",
                isa::OPS[isa::ENCODINGS[s.enc].op as usize].name,
                isa::ENCODINGS[s.enc].src,
                s.channel,
                s.iset
            )
        });
        let op = d.alu[s.channel as usize]
            .as_ref()
            .expect("the channel holds the operation");
        assert_eq!(
            isa::OPS[op.op as usize].name,
            isa::OPS[isa::ENCODINGS[s.enc].op as usize].name,
            "row {} decoded as another operation in channel {} of {}",
            isa::ENCODINGS[s.enc].src,
            s.channel,
            s.iset
        );
        rows_seen[s.enc] = true;
    }
    for (i, seen) in rows_seen.iter().enumerate() {
        assert!(seen, "no sample for encoding row {}", isa::ENCODINGS[i].src);
    }
}

/// One line per encoding row (its first channel and version): the disassembly of
/// every described operation, reviewed as a snapshot.
#[test]
fn disassembly_of_every_operation() {
    let mut lines: Vec<(String, u32, String)> = Vec::new();
    let mut done = vec![false; isa::ENCODINGS.len()];
    for s in sample::all() {
        if done[s.enc] {
            continue;
        }
        done[s.enc] = true;
        let d = decode(&s.bytes, 0x10000, s.iset).unwrap();
        let e = &isa::ENCODINGS[s.enc];
        let (file, line) = e.src.rsplit_once(':').unwrap();
        lines.push((
            file.to_string(),
            line.parse().unwrap(),
            format!(
                "{:<28} {} | {}",
                e.src,
                s.iset,
                bundle_lines(&d).join(" ; ")
            ),
        ));
    }
    // In description order, so that a change to `isa/` shows up where it was made.
    lines.sort();
    let text: String = lines.into_iter().map(|l| l.2 + "\n").collect();
    insta::assert_snapshot!("operations", text);
}

#[test]
fn control_syllables_disassemble() {
    let cases: &[(&str, u8, &[u32])] = &[
        (
            "setwd/setbn/setbp",
            4,
            &[0x00008011, 0x0c1420c4, 0x00000000, 0x00000218],
        ),
        (
            "64-bit literal",
            4,
            &[0x04000011, 0x1102dc03, 0x11223344, 0x55667788],
        ),
        ("mova", 4, &[0x00001011, 0xc0009000, 0x81000087, 0x40453140]),
    ];
    let mut text = String::new();
    for (name, ver, ws) in cases {
        text.push_str(&format!("# {name}\n"));
        text.push_str(&listing(&words(ws), 0x10000, v(*ver), &[], true));
    }
    // CDS0: RLP on channel 3 under %pcnt2 (low half), MRGC for channel 1 (high half).
    let mut s = Syllables {
        cds: vec![0x8864_4442],
        ..Default::default()
    };
    s.als[1] = Some(0x1080_8182);
    s.als[3] = Some(0x1080_8182);
    text.push_str("# CDS entries\n");
    text.push_str(&listing(&pack(&s, v(4)).unwrap(), 0x10000, v(4), &[], true));
    // Stubs and control syllables built field by field.
    let mut s = Syllables {
        ss: Some(0x8000_0000 | 1 << 10 | 2 << 5 | 3),
        ..Default::default()
    };
    s.cs0 = Some(1 << 30 | 0x10); // disp %ctpr1, pc + 0x80
    s.cs1 = Some(5 << 28 | 4); // call %ctpr1, wbs = 4 (under the SS condition)
    text.push_str("# disp + call ? %pred3\n");
    text.push_str(&listing(&pack(&s, v(4)).unwrap(), 0x10000, v(4), &[], true));
    let s = Syllables {
        ss: Some(3 << 10 | 1 << 5 | 1 << 16 | 1 << 18 | 1 << 21),
        cs0: Some(3 << 30 | 3 << 28),
        nop: 2,
        loop_mode: true,
        ..Default::default()
    };
    text.push_str("# return, ct with loop stubs\n");
    text.push_str(&listing(&pack(&s, v(4)).unwrap(), 0x10000, v(4), &[], true));
    let s = Syllables {
        ss: Some(5 << 5 | 7),
        cs0: Some(0x0fff_fffe),
        ..Default::default()
    };
    text.push_str("# ibranch backwards ? %NOT_LOOP_END\n");
    text.push_str(&listing(&pack(&s, v(4)).unwrap(), 0x10000, v(4), &[], true));
    // PLS: pass %pred1 -> @p0, %pred2 -> @p1, andp -> @p4, pass @p4 -> %pred5.
    let pls0 = (0x60 | 1) << 24 | (0x60 | 2) << 16 | 1 << 10 | 1 << 13 | 1 << 5 | 5;
    let s = Syllables {
        pls: vec![pls0],
        ..Default::default()
    };
    text.push_str("# predicate logic\n");
    text.push_str(&listing(&pack(&s, v(4)).unwrap(), 0x10000, v(4), &[], true));
    let s = Syllables {
        cs1: Some(3 << 28 | 0x1f),
        ..Default::default()
    };
    for ver in [1, 2, 5] {
        text.push_str(&format!("# wait on v{ver}\n"));
        text.push_str(&listing(
            &pack(&s, v(ver)).unwrap(),
            0x10000,
            v(ver),
            &[],
            true,
        ));
    }
    insta::assert_snapshot!("control", text);
}

#[test]
fn decoded_structure() {
    let d = decode(
        &words(&[0x04000011, 0x1102dc03, 0x11223344, 0x55667788]),
        0x10000,
        v(4),
    )
    .unwrap();
    insta::assert_debug_snapshot!("structure_literal", d);
    let d = decode(
        &words(&[0x00001011, 0xc0009000, 0x81000087, 0x40453140]),
        0x10000,
        v(4),
    )
    .unwrap();
    insta::assert_debug_snapshot!("structure_aas", d);
}

#[test]
fn malformed_bundles_are_typed_errors() {
    // HS says 16 bytes, only 8 given.
    let e = decode(&words(&[0x04000011, 0x10808182]), 0, v(4)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "truncated wide instruction: needs 16 bytes, 8 available"
    );
    // mdl claims two more words than the syllables fill.
    let e = decode(&words(&[0x04000003, 0x10808182]), 0, v(4)).unwrap_err();
    assert!(e.to_string().contains("mdl"), "{e}");
    // mdl one word further: the ALES2/ALES5 word, which the bundle has no room for.
    let e = decode(&words(&[0x04000002, 0x10808182]), 0, v(4)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "syllables ALES/ALES do not fit in the wide instruction"
    );
    // Misaligned address.
    assert!(decode(&words(&[0, 0]), 4, v(4))
        .unwrap_err()
        .to_string()
        .contains("aligned"));
    // A literal reference without the literal: an error to execute, listed as objdump does.
    let e = decode(&words(&[0x04000001, 0x1080d882]), 0, v(4)).unwrap_err();
    assert!(e.to_string().contains("LTS0"), "{e}");
    let d = decode_lenient(&words(&[0x04000001, 0x1080d882]), 0, v(4)).unwrap();
    assert_eq!(
        bundle_lines(&d),
        vec!["adds,0 %r0, <nonexistent _f32s,_lts0>, %r2".to_string()]
    );
    // Literal slots and destinations the hardware does not have.
    let d = decode_lenient(&words(&[0x04000001, 0x1180d3c0]), 0, v(4)).unwrap();
    assert_eq!(
        bundle_lines(&d),
        vec!["addd,0 %dr0, <illegal _f16s,_lts3lo>, <reserved special register>".to_string()]
    );
    assert!(decode(&words(&[0x04000001, 0x1180d3c0]), 0, v(4)).is_err());
    // An opcode that no version has in channel 0.
    let d = decode_lenient(&words(&[0x04000001, 0x5d808182]), 0, v(4)).unwrap();
    assert_eq!(bundle_lines(&d), vec!["unrecognized,0 ".to_string()]);
    assert!(decode(&words(&[0x04000001, 0x5d808182]), 0, v(4)).is_err());
}

#[test]
fn second_halves_of_pairs_are_not_printed() {
    let samples = sample::all();
    let movtq = |ch: u8| {
        samples
            .iter()
            .find(|s| {
                isa::OPS[isa::ENCODINGS[s.enc].op as usize].name == "movtq" && s.channel == ch
            })
            .unwrap()
    };
    let first = decode(&movtq(0).bytes, 0, movtq(0).iset).unwrap();
    assert_eq!(bundle_lines(&first).len(), 1);
    let second = decode(&movtq(1).bytes, 0, movtq(1).iset).unwrap();
    assert!(second.alu[1].is_some(), "the second half still decodes");
    assert!(
        bundle_lines(&second).is_empty(),
        "{:?}",
        bundle_lines(&second)
    );
}

#[test]
fn version_selects_operations() {
    // Each sample's operation must be absent from versions its rows do not cover.
    for s in sample::all() {
        let e = &isa::ENCODINGS[s.enc];
        let op = e.op;
        let covered: u8 = isa::ENCODINGS
            .iter()
            .filter(|r| r.op == op && r.channels & (1 << s.channel) != 0)
            .fold(0, |m, r| m | r.versions);
        for other in Iset::all() {
            if covered & other.mask() != 0 {
                continue;
            }
            if let Ok(d) = decode(&s.bytes, 0, other) {
                let got = d.alu[s.channel as usize].as_ref().map(|a| a.op);
                assert_ne!(
                    got,
                    Some(op),
                    "{} decoded in {other}, outside its versions",
                    isa::OPS[op as usize].name
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80), ver in 1u8..=7) {
        let iset = v(ver);
        let _ = decode(&bytes, 0, iset);
        let _ = listing(&bytes, 0, iset, &[], true);
    }

    #[test]
    fn random_headers_never_panic(hs in any::<u32>(), rest in proptest::collection::vec(any::<u32>(), 15), ver in 1u8..=7) {
        let mut ws = vec![hs];
        ws.extend(rest);
        let _ = listing(&words(&ws), 0, v(ver), &[], true);
    }

    #[test]
    fn pack_unpack_round_trip(
        als in proptest::array::uniform6(proptest::option::of(any::<u32>())),
        ales in proptest::array::uniform6(proptest::option::of(any::<u16>())),
        cs0 in proptest::option::of(any::<u32>()),
        cs1 in proptest::option::of(any::<u32>()),
        lts in proptest::collection::vec(any::<u32>(), 0..=4),
        pls in proptest::collection::vec(any::<u32>(), 0..=3),
        cds in proptest::collection::vec(any::<u32>(), 0..=3),
        nop in 0u8..8,
    ) {
        let s = Syllables { als, ales, cs0, cs1, lts: lts.clone(), pls: pls.clone(), cds: cds.clone(), nop, ..Default::default() };
        let Ok(bytes) = pack(&s, v(5)) else { return Ok(()) };
        let b = isa::unpack(&bytes).expect("packed bundles unpack");
        prop_assert_eq!(b.len as usize, bytes.len());
        for i in 0..6 {
            prop_assert_eq!(b.als[i].map(|x| x.0), als[i]);
            prop_assert_eq!(b.ales[i].map(|x| x.0), ales[i]);
        }
        prop_assert_eq!(b.cs0.map(|x| x.0), cs0);
        prop_assert_eq!(b.cs1.map(|x| x.0), cs1);
        for (i, w) in pls.iter().enumerate() { prop_assert_eq!(b.pls[i].map(|x| x.0), Some(*w)); }
        for (i, w) in cds.iter().enumerate() { prop_assert_eq!(b.cds[i].map(|x| x.0), Some(*w)); }
        // Padding may read back as an extra zero literal; the given ones come first.
        for (i, w) in lts.iter().enumerate() { prop_assert_eq!(b.lts[i].map(|x| x.0), Some(*w)); }
    }
}

/// Array-prefetch program entries where a wide instruction does not decode, as MCST
/// objdump lists them. Bytes and text: `e2k-objdump -d` (binutils 2.35 binutils-mcst)
/// of the lcc-built coremark_mp16 for elbrus-v5 (anybench), entry at 0x17838; the
/// second entry is the same left half with an area and a v1 `si` form.
#[test]
fn array_prefetch_entries_list_as_objdump_does() {
    let entry = [
        0xa0, 0x10, 0x00, 0x89, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert_eq!(
        listing(&entry, 0x17838, v(5), &[], true),
        "   17838:\ta0 10 00 89 10 00 00 00 00 00 00 00 00 00 00 00 \t\n  \
         apb ct=1, dcd=0, fmt=4, mrng=16, d=0, incr=1, ind=0, asz=5, abs=0, disp=0x10\n  \
         apb dpl=0, fmt=0\n\n"
    );
    // v1 prints si; with si set, be/am/area replace incr/ind.
    let si = [
        0x00, 0x3e, 0x00, 0x49, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert!(listing(&si, 0, v(1), &[], true).contains(
        "apb ct=0, si=1, dcd=0, fmt=4, mrng=16, d=0, be=0, am=1, area=30, asz=0, abs=0, disp=0x8"
    ));
    // Fewer than 16 bytes that do not decode: the bytes alone.
    assert_eq!(
        listing(&entry[..8], 0x10, v(5), &[], true),
        "  10:\ta0 10 00 89 10 00 00 00 \t\n"
    );
}
