//! Cross-checks `isa/` against the binutils opcode table (`e2k-opcodes.csv`, kept in
//! `../shared/isa-data/` beside the repository, not in it): every encoding we describe
//! must be a row of the table with the same opcode, extension, channels and versions,
//! and every table row of an operation we describe must be among our encodings.

use e2k_emu::isa;
use std::collections::BTreeMap;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/isa-data/e2k-opcodes.csv"
);

/// One table row, reduced to what the decoder keys on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    name: String,
    opc: u32,
    /// ALES opc2, or None for short formats.
    opc2: Option<u32>,
    channels: u8,
    /// Versions as a bitmask over v1..v6 (the table predates v7).
    versions: u8,
}

fn table_value(s: &str) -> Option<u32> {
    let named = [
        ("EXT", 1),
        ("EXT1", 2),
        ("EXT2", 3),
        ("FLB", 4),
        ("FLH", 5),
        ("FLW", 6),
        ("FLD", 7),
        ("ICMB0", 8),
        ("ICMB1", 9),
        ("ICMB2", 10),
        ("ICMB3", 11),
        ("FCMB0", 12),
        ("FCMB1", 13),
        ("PFCMB0", 14),
        ("PFCMB1", 15),
        ("LCMBD0", 16),
        ("LCMBD1", 17),
        ("LCMBQ0", 18),
        ("LCMBQ1", 19),
        ("QPFCMB0", 22),
        ("QPFCMB1", 23),
        ("NONE", 0xc0),
    ];
    if let Some((_, v)) = named.iter().find(|(n, _)| *n == s) {
        return Some(*v);
    }
    let t = s.trim_start_matches("0x");
    u32::from_str_radix(t, if s.starts_with("0x") { 16 } else { 10 }).ok()
}

fn table_rows(text: &str) -> Vec<Row> {
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 12 {
            continue;
        }
        let versions = match f[0] {
            v if v.starts_with(">=") => {
                let n: u8 = v[2..].parse().unwrap();
                (n..=6).fold(0u8, |m, x| m | 1 << (x - 1))
            }
            v => 1 << (v[1..].parse::<u8>().unwrap() - 1),
        };
        let channels = (0..6).fold(0u8, |m, i| if f[5 + i] == "1" { m | 1 << i } else { m });
        let long = !matches!(
            f[3],
            "ALOPF1" | "ALOPF1_MAS" | "ALOPF2" | "ALOPF3_MAS" | "ALOPF7" | "ALOPF8" | "MERGE"
        );
        let opc2 = if !long {
            None
        } else if f[1] == "staaqp" || f[1] == "ldaaqp" {
            // objdump matches staaqp/ldaaqp with ALES 0x02c0, the other array accesses 0x01c0.
            Some(2)
        } else if matches!(
            f[3],
            "ALOPF15" | "ALOPF16" | "ALOPF22" | "ALOPF10_MAS" | "ALOPF19_MAS" | "AAURR" | "AAURW"
        ) {
            Some(1)
        } else if f[3] == "ALOPF17" {
            Some(2)
        } else {
            f.get(15).and_then(|s| table_value(s))
        };
        out.push(Row {
            name: f[1].to_string(),
            opc: u32::from_str_radix(f[4].trim_start_matches("0x"), 16).unwrap(),
            opc2,
            channels,
            versions,
        });
    }
    out
}

/// One row per encoding and name (an operation's `also` names share its encodings).
fn our_rows() -> Vec<Row> {
    isa::ENCODINGS
        .iter()
        .flat_map(|e| {
            let fmt = &isa::FORMATS[e.format as usize];
            let op = &isa::OPS[e.op as usize];
            std::iter::once(op.name)
                .chain(op.also.iter().copied())
                .map(move |name| Row {
                    name: name.to_string(),
                    opc: (e.als_value >> 24) & 0x7f,
                    opc2: fmt.ales.then_some(((e.ales_value >> 8) & 0xff) as u32),
                    channels: e.channels,
                    // v7 extends open-ended rows; the table stops at v6.
                    versions: e.versions & 0x3f,
                })
        })
        .collect()
}

#[test]
fn isa_matches_binutils_table() {
    let Ok(text) = std::fs::read_to_string(CSV) else {
        eprintln!("note: {CSV} not found; cross-check skipped (it lives in shared/, beside the repository)");
        return;
    };
    let theirs = table_rows(&text);
    assert!(
        theirs.len() > 2000,
        "the table has {} rows; expected the full binutils table",
        theirs.len()
    );
    let ours = our_rows();
    let mut problems = Vec::new();
    for r in &ours {
        if !theirs.contains(r) {
            problems.push(format!("described but not in binutils: {r:?}"));
        }
    }
    let described: std::collections::BTreeSet<&str> =
        ours.iter().map(|r| r.name.as_str()).collect();
    for r in theirs
        .iter()
        .filter(|r| described.contains(r.name.as_str()))
    {
        if !ours.contains(r) {
            problems.push(format!("binutils row not described: {r:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // Coverage report.
    let mut per_group: BTreeMap<&str, usize> = BTreeMap::new();
    for o in isa::OPS.iter() {
        *per_group.entry(o.group).or_default() += 1;
    }
    let covered = theirs
        .iter()
        .filter(|r| described.contains(r.name.as_str()))
        .count();
    println!("operations described per group: {per_group:?}");
    println!(
        "binutils rows covered: {covered} of {} ({} names of {})",
        theirs.len(),
        described.len(),
        {
            let mut n: Vec<&str> = theirs.iter().map(|r| r.name.as_str()).collect();
            n.sort();
            n.dedup();
            n.len()
        }
    );
    println!("operations per ISA version and group:");
    for v in 1..=7u8 {
        let mut row: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, o) in isa::OPS.iter().enumerate() {
            if isa::ENCODINGS
                .iter()
                .any(|e| e.op as usize == i && e.versions & (1 << (v - 1)) != 0)
            {
                *row.entry(o.group).or_default() += 1;
            }
        }
        println!("  v{v}: {} total {row:?}", row.values().sum::<usize>());
    }
}
