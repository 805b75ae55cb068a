//! Prepared wide instructions by address, so each is decoded once; dropped whenever
//! guest code may have changed.

use super::prepare::{prepare, Prepared};
use crate::engine::event::Event;
use crate::guest::memory::GuestMemory;
use rustc_hash::FxHashMap;
use std::rc::Rc;

/// Per-address cache of prepared wide instructions.
#[derive(Default)]
pub struct Cache {
    map: FxHashMap<u64, Rc<Prepared>>,
    pub hits: u64,
    pub misses: u64,
}

impl Cache {
    pub fn get(
        &mut self,
        mem: &GuestMemory,
        addr: u64,
        iset: crate::isa::version::Iset,
    ) -> Result<(Rc<Prepared>, bool), Event> {
        if let Some(p) = self.map.get(&addr) {
            self.hits += 1;
            return Ok((p.clone(), false));
        }
        self.misses += 1;
        let p = Rc::new(prepare(mem, addr, iset)?);
        mem.mark_code(addr, p.len);
        self.map.insert(addr, p.clone());
        Ok((p, true))
    }

    /// Forgets everything (code was written, remapped or unmapped).
    pub fn clear(&mut self) {
        self.map.clear();
    }
}
