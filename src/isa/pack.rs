//! Packing syllables into a wide instruction: the inverse of the generated `unpack`.
//! Header bits, syllable order, the ALES half-syllable order and the literal/PLS/CDS
//! tail follow the `bundle` layout in `isa/bundle.isa`; tests check every packed
//! bundle by unpacking it again.

use crate::isa::version::Iset;
use std::fmt;

/// The syllables of one wide instruction, before packing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Syllables {
    pub nop: u8,
    pub loop_mode: bool,
    pub ss: Option<u32>,
    pub als: [Option<u32>; 6],
    pub cs0: Option<u32>,
    pub ales: [Option<u16>; 6],
    pub cs1: Option<u32>,
    /// AAS half-syllables: 0-1 destinations, 2-5 mova operations.
    pub aas: [Option<u16>; 6],
    pub lts: Vec<u32>,
    pub pls: Vec<u32>,
    pub cds: Vec<u32>,
    /// Write the ALES2/ALES5 word (v4+) even when both hold the default, 0x01c0, as
    /// gas does for a few operations on v4; otherwise it is written only when one of
    /// them holds something else (the decoder reads a missing one as the default).
    pub ales25_word: bool,
}

/// What ALES2/ALES5 mean when the bundle has no word for them.
pub const ALES25_DEFAULT: u16 = 0x01c0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackError {
    TooLong(usize),
    TooMany(&'static str, usize),
    /// Before v4 ALES2/ALES5 have no room of their own and can only mean 0x01c0.
    Ales25NeedsV4 {
        channel: usize,
        value: u16,
    },
    NopRange(u8),
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::TooLong(n) => write!(f, "wide instruction would be {n} bytes; at most 64 fit"),
            PackError::TooMany(what, n) => write!(f, "too many {what} syllables ({n})"),
            PackError::Ales25NeedsV4 { channel, value } => write!(
                f,
                "channel {channel} needs extension {value:#06x}, which ISA versions before v4 cannot encode"
            ),
            PackError::NopRange(n) => write!(f, "nop {n} is out of range (0..7)"),
        }
    }
}

impl std::error::Error for PackError {}

/// Byte offsets of the syllables a relocation may patch, within the packed bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offsets {
    pub cs0: Option<usize>,
    /// LTS0..LTS3 (stored last to first before PLS and CDS).
    pub lts: [Option<usize>; 4],
}

/// Lays the syllables out as bytes (little-endian words).
pub fn pack(s: &Syllables, iset: Iset) -> Result<Vec<u8>, PackError> {
    pack_with_offsets(s, iset).map(|p| p.0)
}

/// `pack`, also telling where CS0 and the literals went.
pub fn pack_with_offsets(s: &Syllables, iset: Iset) -> Result<(Vec<u8>, Offsets), PackError> {
    let mut at = Offsets::default();
    if s.lts.len() > 4 {
        return Err(PackError::TooMany("LTS", s.lts.len()));
    }
    if s.pls.len() > 3 {
        return Err(PackError::TooMany("PLS", s.pls.len()));
    }
    if s.cds.len() > 3 {
        return Err(PackError::TooMany("CDS", s.cds.len()));
    }
    if s.nop > 7 {
        return Err(PackError::NopRange(s.nop));
    }
    let mut words: Vec<u32> = vec![0];
    let mut hs = 0u32;
    if let Some(ss) = s.ss {
        hs |= 1 << 12;
        words.push(ss);
    }
    for (i, a) in s.als.iter().enumerate() {
        if let Some(a) = a {
            hs |= 1 << (26 + i);
            words.push(*a);
        }
    }
    if let Some(c) = s.cs0 {
        hs |= 1 << 14;
        at.cs0 = Some(words.len() * 4);
        words.push(c);
    }
    for (i, e) in s.ales.iter().enumerate() {
        if e.is_some() {
            hs |= 1 << (20 + i);
        }
    }
    let (a2, a5) = (s.ales[2], s.ales[5]);
    if a2.is_some() || a5.is_some() {
        if iset.number() >= 4 {
            let d = ALES25_DEFAULT;
            if s.ales25_word || a2.is_some_and(|v| v != d) || a5.is_some_and(|v| v != d) {
                // An unused half holds the default too.
                words.push(u32::from(a2.unwrap_or(d)) << 16 | u32::from(a5.unwrap_or(d)));
            }
        } else {
            for ch in [2, 5] {
                if let Some(v) = s.ales[ch] {
                    if v != ALES25_DEFAULT {
                        return Err(PackError::Ales25NeedsV4 {
                            channel: ch,
                            value: v,
                        });
                    }
                }
            }
        }
    }
    if let Some(c) = s.cs1 {
        hs |= 1 << 15;
        words.push(c);
    }
    let front = words.len() as u32;
    hs |= front - 1; // mdl: (mdl + 1) words before the half-syllables
    let mut halves: Vec<u16> = [0, 1, 3, 4].iter().filter_map(|&i| s.ales[i]).collect();
    halves.extend(s.aas.iter().flatten());
    for pair in halves.chunks(2) {
        // The first half of each pair is the high half of the word.
        let hi = u32::from(pair[0]) << 16;
        let lo = pair.get(1).map_or(0, |&l| u32::from(l));
        words.push(hi | lo);
    }
    let tail = s.lts.len() + s.pls.len() + s.cds.len();
    let mut total = words.len() + tail;
    if total % 2 == 1 {
        total += 1;
    }
    if total * 4 > 64 {
        return Err(PackError::TooLong(total * 4));
    }
    // Unused words between the front and the tail read back as literals; keep them 0.
    while words.len() + tail < total {
        words.push(0);
    }
    for k in 0..s.lts.len() {
        at.lts[k] = Some((words.len() + s.lts.len() - 1 - k) * 4);
    }
    words.extend(s.lts.iter().rev());
    words.extend(s.pls.iter().rev());
    words.extend(s.cds.iter().rev());
    hs |= ((total as u32 / 2) - 1) << 4;
    hs |= u32::from(s.nop) << 7;
    hs |= u32::from(s.loop_mode) << 10;
    hs |= (s.cds.len() as u32) << 16;
    hs |= (s.pls.len() as u32) << 18;
    words[0] = hs;
    Ok((words.iter().flat_map(|w| w.to_le_bytes()).collect(), at))
}

impl Syllables {
    /// The syllables of an assembled `Bundle` (its header is recomputed by `pack`).
    pub fn from_bundle(b: &crate::isa::Bundle) -> Syllables {
        let mut s = Syllables {
            nop: b.hs.nop() as u8,
            loop_mode: b.hs.lm() != 0,
            ss: b.ss.map(|x| x.0),
            cs0: b.cs0.map(|x| x.0),
            cs1: b.cs1.map(|x| x.0),
            ..Default::default()
        };
        for i in 0..6 {
            s.als[i] = b.als[i].map(|x| x.0);
            s.ales[i] = b.ales[i].map(|x| x.0);
            s.aas[i] = b.aas[i].map(|x| x.0);
        }
        // Array-access channels are announced in SS (bits 15:12); their destination
        // halves come first, one per pair of channels.
        let channels = (2..6)
            .filter(|&i| s.aas[i].is_some())
            .fold(0u32, |m, i| m | 1 << (i - 2));
        if channels != 0 {
            s.ss = Some(s.ss.unwrap_or(0) & !(1 << 20) | channels << 12);
            if channels & 3 != 0 {
                s.aas[0].get_or_insert(0);
            }
            if channels & 12 != 0 {
                s.aas[1].get_or_insert(0);
            }
        }
        // Tail syllables are counted, so members below the highest present one exist
        // too (as zeros when nothing set them).
        fn upto<T: Copy>(v: &[Option<T>], raw: fn(T) -> u32) -> Vec<u32> {
            let n = v.iter().rposition(|x| x.is_some()).map_or(0, |i| i + 1);
            v[..n].iter().map(|x| x.map_or(0, raw)).collect()
        }
        s.lts = upto(&b.lts, |l| l.0);
        s.pls = upto(&b.pls, |l| l.0);
        s.cds = upto(&b.cds, |l| l.0);
        s
    }
}
