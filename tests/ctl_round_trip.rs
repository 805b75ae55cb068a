//! Control operations read back from their listing text: each line of a listing is
//! assembled into an empty wide instruction, which must list the same lines again.

use e2k_emu::isa::decode::decode;
use e2k_emu::isa::disasm::bundle_lines;
use e2k_emu::isa::encode::encode_ctl;
use e2k_emu::isa::pack::{pack, Syllables};
use e2k_emu::isa::version::Iset;
use e2k_emu::isa::Bundle;

fn v(n: u8) -> Iset {
    Iset::new(n).unwrap()
}

fn listing_of(s: &Syllables, iset: Iset, pc: u64) -> Vec<String> {
    let bytes = pack(s, iset).unwrap();
    bundle_lines(&decode(&bytes, pc, iset).unwrap())
}

fn reassemble(lines: &[String], iset: Iset, pc: u64) -> Vec<String> {
    let mut b = Bundle::default();
    let no_symbols = |_: &str| None;
    for l in lines {
        encode_ctl(l, pc, iset, &mut b, &no_symbols).unwrap_or_else(|e| panic!("`{l}`: {e}"));
    }
    listing_of(&Syllables::from_bundle(&b), iset, pc)
}

#[test]
fn listings_reassemble() {
    let pc = 0x10000;
    let cases: Vec<(Syllables, u8)> = vec![
        (
            Syllables {
                cs1: Some(0x0c14_20c4),
                lts: vec![0x8011],
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(0x8000_0000 | 1 << 10 | 2 << 5 | 3),
                cs0: Some(1 << 30 | 0x10),
                cs1: Some(5 << 28 | 4),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(3 << 10 | 1 << 5 | 1 << 16 | 1 << 18 | 1 << 21),
                cs0: Some(3 << 30 | 3 << 28),
                nop: 2,
                loop_mode: true,
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(5 << 5 | 7),
                cs0: Some(0x0fff_fffe),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                cs0: Some(1 << 30 | 2 << 28 | 3),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                cs1: Some(3 << 28 | 0x1f),
                ..Default::default()
            },
            5,
        ),
        (
            Syllables {
                ss: Some(2 << 10 | 3 << 5 | 4),
                ..Default::default()
            },
            6,
        ),
        (
            Syllables {
                ss: Some(1 << 10 | 14 << 5 | 9),
                ..Default::default()
            },
            6,
        ),
        // crp, srp, slrp
        (
            Syllables {
                ss: Some(1 << 25),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(1 << 27),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(1 << 25 | 1 << 27),
                ..Default::default()
            },
            4,
        ),
        // icall 0x1234 / hcall 5, under ? %pred2
        (
            Syllables {
                ss: Some(2 << 5 | 2),
                cs0: Some(0x1234),
                cs1: Some(5 << 28 | 1 << 7 | 8),
                ..Default::default()
            },
            4,
        ),
        (
            Syllables {
                ss: Some(2 << 5 | 2),
                cs0: Some(5 << 1),
                cs1: Some(5 << 28 | 2 << 7 | 8),
                ..Default::default()
            },
            4,
        ),
        // pass %pred1, @p0; pass %pred2, @p1; andp ~@p1, @p0, @p4; pass @p4, %pred5
        (
            Syllables {
                pls: vec![(0x60 | 1) << 24 | (0x60 | 2) << 16 | 1 << 10 | 1 << 13 | 1 << 5 | 5],
                ..Default::default()
            },
            4,
        ),
        // Two combiners, the second reading the first's result.
        (
            Syllables {
                pls: vec![
                    (0x60 | 3) << 24 | (0x60 | 4) << 16 | 1 << 14 | 1 << 10,
                    4 << 10 | 4 << 6 | 1 << 9 | 1 << 5 | 7,
                ],
                ..Default::default()
            },
            4,
        ),
    ];
    for (s, ver) in cases {
        let lines = listing_of(&s, v(ver), pc);
        assert!(!lines.is_empty());
        assert_eq!(reassemble(&lines, v(ver), pc), lines, "for {lines:?}");
    }
}

#[test]
fn hand_written_control_syntax() {
    let v4 = v(4);
    let symbols = |s: &str| (s == "loop").then_some(0x10040u64);
    let mut b = Bundle::default();
    for l in [
        "setwd wsz = 8, nfx = 1, dbl = 0",
        "disp %ctpr2, loop",
        "ct %ctpr2 ? ~%pred0",
        "ipd 3",
    ] {
        encode_ctl(l, 0x10000, v4, &mut b, &symbols).unwrap_or_else(|e| panic!("`{l}`: {e}"));
    }
    let out = listing_of(&Syllables::from_bundle(&b), v4, 0x10000);
    assert_eq!(
        out,
        vec![
            "ct %ctpr2 ? ~%pred0",
            "ipd 3",
            "disp %ctpr2, 0x10040",
            "setwd wsz = 0x8, nfx = 0x1, dbl = 0x0"
        ]
    );
    // The system call idiom of shared/examples/hello.s.
    let mut b = Bundle::default();
    for l in ["setwd wsz = 8, nfx = 1, dbl = 0", "sdisp %ctpr1, 0x3"] {
        encode_ctl(l, 0x10000, v4, &mut b, &symbols).unwrap();
    }
    let mut c = Bundle::default();
    encode_ctl("call %ctpr1, wbs = 4", 0x10008, v4, &mut c, &symbols).unwrap();
    assert_eq!(
        listing_of(&Syllables::from_bundle(&c), v4, 0x10008),
        vec!["call %ctpr1, wbs = 0x4"]
    );
    // Two transfer preparations cannot share CS0.
    let mut b = Bundle::default();
    encode_ctl("disp %ctpr1, 0x10000", 0x10000, v4, &mut b, &symbols).unwrap();
    let e = encode_ctl("return %ctpr3", 0x10000, v4, &mut b, &symbols).unwrap_err();
    assert!(e.to_string().contains("already uses"), "{e}");
    assert_eq!(
        encode_ctl("frobnicate 3", 0x10000, v4, &mut b, &symbols)
            .unwrap_err()
            .to_string(),
        "unknown mnemonic `frobnicate`"
    );
}

mod random {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

        /// Random stubs, control syllables, predicate logic and header bits: whatever
        /// lists, reassembles to the same listing.
        #[test]
        fn random_control_syllables_reassemble(
            ss in proptest::option::of(any::<u32>()),
            cs0 in proptest::option::of(any::<u32>()),
            cs1 in proptest::option::of(any::<u32>()),
            lts0 in any::<u32>(),
            pls in proptest::collection::vec(any::<u32>(), 0..=2),
            nop in 0u8..8,
            ver in 1u8..=7,
        ) {
            let iset = v(ver);
            // SF1 stubs; the array-access halves the SS bits announce.
            let ss = ss.map(|s| s & !(1 << 20));
            let aa = ss.map_or(0, |s| (s >> 12) & 0xf);
            let mut aas: [Option<u16>; 6] = Default::default();
            for (k, slot) in aas.iter_mut().enumerate() {
                let present = match k {
                    0 => aa & 3 != 0,
                    1 => aa & 12 != 0,
                    _ => aa & (1 << (k - 2)) != 0,
                };
                if present {
                    *slot = Some((lts0 >> (k * 5)) as u16 ^ (k as u16 * 0x1357));
                }
            }
            let s = Syllables { ss, cs0, cs1, lts: vec![lts0], pls, nop, aas, ..Default::default() };
            let Ok(bytes) = pack(&s, iset) else { return Ok(()) };
            let Ok(d) = decode(&bytes, 0x10000, iset) else { return Ok(()) };
            let lines = bundle_lines(&d);
            // Listings with diagnostics, reserved encodings or empty operations are not
            // something one would write.
            prop_assume!(!lines.is_empty());
            prop_assume!(!lines.iter().any(|l| l.contains('<') || l.contains("invalid") || l.contains("unimp") || l.trim().is_empty() || l.contains("%spred") || l.contains("%dt_al") || l.contains("reserved") || l.ends_with("? ")));
            let mut b = Bundle::default();
            let none = |_: &str| None;
            for l in &lines {
                if let Err(e) = encode_ctl(l, 0x10000, iset, &mut b, &none) {
                    return Err(TestCaseError::fail(format!("`{l}` of {lines:?}: {e}")));
                }
            }
            // LTS0 words that setwd does not describe are free; keep the listed parts.
            let again = listing_of(&Syllables::from_bundle(&b), iset, 0x10000);
            prop_assert_eq!(again, lines);
        }
    }
}
