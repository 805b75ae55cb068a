//! Sample encodings of every operation the description holds, for tests, fuzzing seeds
//! and benchmarks: one single-operation wide instruction per encoding row, channel and
//! ISA version, built only from the generated tables.

use crate::isa::pack::{pack, Syllables};
use crate::isa::version::Iset;
use crate::isa::{self, KindClass, Role};

/// A sample: which row, channel and version it exercises, and the bundle bytes.
#[derive(Clone, Debug)]
pub struct Sample {
    pub enc: usize,
    pub channel: u8,
    pub iset: Iset,
    pub bytes: Vec<u8>,
}

/// A register operand value for field `k` of a format: distinct, easy to read.
fn operand_value(map: &isa::OperandMap, k: usize, role: Role) -> Option<u8> {
    let want_reg = matches!(role, Role::Src | Role::Dst);
    let pick = |class: fn(&KindClass) -> bool, n: u8| {
        (0..=255u8).find(|&v| matches!(map.table[v as usize], Some((kind, p)) if class(&isa::KINDS[kind as usize].class) && p == n))
    };
    if want_reg {
        if let Some(v) = pick(|c| *c == KindClass::Reg, k as u8 + 1) {
            return Some(v);
        }
    }
    if role == Role::Pred {
        if let Some(v) = pick(|c| *c == KindClass::Pred, k as u8 + 1) {
            return Some(v);
        }
    }
    (0..=255u8).find(|&v| matches!(map.table[v as usize], Some((kind, _)) if isa::KINDS[kind as usize].class != KindClass::Invalid))
}

/// The ALS and ALES of encoding row `enc` with sample operands.
pub fn alu_syllables(enc: usize) -> (u32, Option<u16>) {
    let e = &isa::ENCODINGS[enc];
    let f = &isa::FORMATS[e.format as usize];
    let mut als = e.als_value;
    let mut ales = e.ales_value as u32;
    for (k, fi) in f.fields.iter().enumerate() {
        let mask = ((1u32 << fi.width) - 1) << fi.lo;
        let key_mask = if fi.in_ales {
            e.ales_mask as u32
        } else {
            e.als_mask
        };
        if mask & key_mask != 0 {
            continue;
        }
        let Some(v) = operand_value(&isa::OPERANDS[fi.operand as usize], k, fi.role) else {
            continue;
        };
        if fi.in_ales {
            ales |= (v as u32) << fi.lo;
        } else {
            als |= (v as u32) << fi.lo;
        }
    }
    (als, f.ales.then_some(ales as u16))
}

/// Every (row, channel, version) the tables allow, as a packed wide instruction.
pub fn all() -> Vec<Sample> {
    let mut out = Vec::new();
    for (i, e) in isa::ENCODINGS.iter().enumerate() {
        let (als, ales) = alu_syllables(i);
        for iset in Iset::all() {
            if e.versions & iset.mask() == 0 {
                continue;
            }
            for ch in 0..6u8 {
                if e.channels & (1 << ch) == 0 {
                    continue;
                }
                let mut s = Syllables::default();
                s.als[ch as usize] = Some(als);
                s.ales[ch as usize] = ales;
                if let Ok(bytes) = pack(&s, iset) {
                    out.push(Sample {
                        enc: i,
                        channel: ch,
                        iset,
                        bytes,
                    });
                }
            }
        }
    }
    out
}
