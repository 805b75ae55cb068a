//! Translated blocks by everything their code depends on: the guest address, the ISA
//! version, the window size (register bounds are checked at translation time), the
//! rotation (based registers and predicates are resolved then) and the %ctpr values
//! (transfers through them get known targets); with execution counts that decide when
//! a block is hot enough to translate.

use crate::cpu::{Cpu, Rotation};
use crate::version::Iset;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub ip: u64,
    pub wd_size: u32,
    br: u64,
    iset: u8,
    pub ctpr: [u64; 3],
}

impl Key {
    pub fn of(cpu: &Cpu) -> Key {
        Key {
            ip: cpu.ip,
            wd_size: cpu.wd.size,
            br: cpu.br.pack(),
            iset: cpu.iset.number(),
            ctpr: [cpu.ctpr[1], cpu.ctpr[2], cpu.ctpr[3]],
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

pub struct BlockCache<F> {
    map: HashMap<Key, Entry<F>>,
    counts: HashMap<Key, u32>,
}

impl<F> Default for BlockCache<F> {
    fn default() -> Self {
        BlockCache {
            map: HashMap::new(),
            counts: HashMap::new(),
        }
    }
}

impl<F> BlockCache<F> {
    pub fn get(&self, k: &Key) -> Option<&Entry<F>> {
        self.map.get(k)
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
    }
}
