//! Translated blocks by everything their code depends on: the guest address, the ISA
//! version, the window size (register bounds are checked at translation time) and
//! WD.dbl (how 32-bit results are written), the
//! rotation (based registers and predicates are resolved then) and the %ctpr values
//! (transfers through them get known targets); with execution counts that decide when
//! a block is hot enough to translate.
//!
//! Every block exit comes back through `get`, so it first looks in a small
//! direct-mapped table of recent blocks by address (one compare on a hit) before
//! the hash map.

use crate::guest::cpu::{Cpu, Rotation};
use crate::isa::version::Iset;
use rustc_hash::FxHashMap as HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub ip: u64,
    pub wd_size: u32,
    /// Whether 32-bit results zero-extend (`Cpu::dbl_extends`) or replace the low half.
    pub dbl: bool,
    br: u64,
    iset: u8,
    pub ctpr: [u64; 3],
    /// %pfpfr rounds to nearest and has the inexact flag already (`fp_easy`).
    pub fp_easy: bool,
}

/// Whether float code may ignore rounding modes and the inexact flag: %pfpfr rounds
/// to nearest and inexact is raised already (programs raise it early, and only an
/// `rws` of %pfpfr, which the interpreter makes, clears it). The fast paths then
/// raise no flag at all (`jit::float`); translations made so check it on entry.
pub fn fp_easy(pfpfr: u64) -> bool {
    pfpfr & FP_EASY_MASK == FP_EASY
}
pub const FP_EASY_MASK: u64 = 3 << 13 | crate::isa::float::flags::PE as u64;
pub const FP_EASY: u64 = crate::isa::float::flags::PE as u64;

impl Key {
    pub fn of(cpu: &Cpu) -> Key {
        Key {
            ip: cpu.ip,
            wd_size: cpu.wd.size,
            dbl: cpu.dbl_extends(),
            br: cpu.br.pack(),
            iset: cpu.iset.number(),
            ctpr: [cpu.ctpr[1], cpu.ctpr[2], cpu.ctpr[3]],
            fp_easy: fp_easy(cpu.pfpfr),
        }
    }
    pub fn rotation(&self) -> Rotation {
        Rotation::unpack(self.br)
    }
    /// The %ctpr file the block was translated for (%ctpr0 does not exist).
    pub fn ctprs(&self) -> [u64; 4] {
        [0, self.ctpr[0], self.ctpr[1], self.ctpr[2]]
    }
    pub fn iset(&self) -> Iset {
        Iset::new(self.iset).unwrap_or(Iset::MIN)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Entry<F> {
    Compiled(F),
    /// Not translatable (its first wide instruction cannot be lowered).
    Refused,
}

const RECENT: usize = 256;

/// Where `BlockCache::get` found an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Recent,
    Map,
}

pub struct BlockCache<F> {
    map: HashMap<Key, Entry<F>>,
    counts: HashMap<Key, u32>,
    recent: Vec<Option<(Key, Entry<F>)>>,
}

impl<F: Copy> Default for BlockCache<F> {
    fn default() -> Self {
        BlockCache {
            map: HashMap::default(),
            counts: HashMap::default(),
            recent: vec![None; RECENT],
        }
    }
}

fn slot(k: &Key) -> usize {
    // The %ctprs tell apart a procedure's entries from different callers.
    let h = (k.ip ^ k.ctpr[0].rotate_left(17) ^ k.ctpr[2].rotate_left(41) ^ k.wd_size as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 56) as usize % RECENT
}

impl<F: Copy> BlockCache<F> {
    pub fn get(&mut self, k: &Key) -> Option<(Entry<F>, Found)> {
        let s = slot(k);
        if let Some((rk, e)) = self.recent[s] {
            if rk == *k {
                return Some((e, Found::Recent));
            }
        }
        let e = *self.map.get(k)?;
        self.recent[s] = Some((*k, e));
        Some((e, Found::Map))
    }
    pub fn insert(&mut self, k: Key, e: Entry<F>) {
        self.counts.remove(&k);
        self.map.insert(k, e);
    }
    /// Counts a run of `k` from the interpreter; true once it reached `threshold`.
    pub fn hot(&mut self, k: Key, threshold: u32) -> bool {
        let c = self.counts.entry(k).or_insert(0);
        *c += 1;
        *c >= threshold
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn clear(&mut self) {
        self.map.clear();
        self.counts.clear();
        self.recent.fill(None);
    }
}
