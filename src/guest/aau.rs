//! The array access unit's registers as user code sees them: array descriptors
//! (`%aad`, only the base matters in user mode), store and fetch indices (`%aasti`,
//! `%aaind`), increments (`%aaincr`) and the array prefetch program `bap` loads.

use crate::guest::memory::{Fault, GuestMemory};

/// Which AAU register: the kind numbers `aau_read`/`aau_write` use in `isa/`.
pub mod kind {
    pub const AAD: u8 = 0;
    pub const AASTI: u8 = 1;
    pub const AAIND: u8 = 2;
    pub const AAINCR: u8 = 3;
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Aau {
    /// Bases of the array descriptors (bits 47:0).
    pub aad: [u64; 32],
    pub aasti: [u32; 16],
    pub aaind: [u32; 16],
    pub aaincr: [u32; 8],
    /// The prefetch program by side (0: `mova` channels 0-1, 1: channels 2-3) and area:
    /// each `fapb` word (bits 31:0 the word, 63:32 the displacement; 0 for an unused
    /// area) ...
    pub apb: [[u64; 32]; 2],
    /// ... and the area's current index (`cdi`).
    pub cdi: [[u32; 32]; 2],
}

/// Most slots (16 bytes: one `fapb` word per side) of a prefetch program.
pub const APB_SLOTS: usize = 32;

const BASE_MASK: u64 = (1 << 48) - 1;

impl Aau {
    /// A register's value; `%aaind0` reads 0 and `%aaincr0` reads 1. `None` for a
    /// kind or number that does not exist.
    pub fn read(&self, kind: u8, n: u8) -> Option<u64> {
        let n = n as usize;
        Some(match kind {
            kind::AAD => *self.aad.get(n)?,
            kind::AASTI => *self.aasti.get(n)? as u64,
            kind::AAIND if n == 0 => 0,
            kind::AAIND => *self.aaind.get(n)? as u64,
            kind::AAINCR if n == 0 => 1,
            kind::AAINCR => *self.aaincr.get(n & 7)? as u64,
            _ => return None,
        })
    }

    /// `bap`: loads the prefetch program at `addr`, slot by slot, up to the slot in
    /// which either word has `ct` (bit 31). Each area with a format (bits 27:25) starts
    /// at the fetch index it names (`cdi = %aaind[bits 11:8]`); one without is unused.
    pub fn load_program(&mut self, mem: &GuestMemory, addr: u64) -> Result<(), Fault> {
        for i in 0..APB_SLOTS {
            let slot = addr.wrapping_add(16 * i as u64);
            let words = [
                mem.load(slot, 64)? as u64,
                mem.load(slot.wrapping_add(8), 64)? as u64,
            ];
            for (side, w) in words.into_iter().enumerate() {
                let used = w >> 25 & 7 != 0;
                self.apb[side][i] = if used { w } else { 0 };
                self.cdi[side][i] = if used {
                    self.read(kind::AAIND, (w >> 8 & 0xf) as u8).unwrap_or(0) as u32
                } else {
                    0
                };
            }
            if words.iter().any(|w| w >> 31 & 1 != 0) {
                break;
            }
        }
        Ok(())
    }

    /// Writes a register (indices and increments keep 32 bits, bases 48).
    pub fn write(&mut self, kind: u8, n: u8, v: u64) {
        let n = n as usize;
        match kind {
            kind::AAD => {
                if let Some(r) = self.aad.get_mut(n) {
                    *r = v & BASE_MASK;
                }
            }
            kind::AASTI => {
                if let Some(r) = self.aasti.get_mut(n) {
                    *r = v as u32;
                }
            }
            kind::AAIND => {
                if let Some(r) = self.aaind.get_mut(n) {
                    *r = v as u32;
                }
            }
            // %aaincr0 is the constant 1.
            kind::AAINCR if n & 7 != 0 => self.aaincr[n & 7] = v as u32,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::memory::perm;

    #[test]
    fn fixed_registers() {
        let mut a = Aau::default();
        a.write(kind::AAIND, 0, 5);
        a.write(kind::AAINCR, 0, 5);
        a.write(kind::AAINCR, 9, 3); // %aaincr1: the number is taken modulo 8
        assert_eq!(a.read(kind::AAIND, 0), Some(0));
        assert_eq!(a.read(kind::AAINCR, 0), Some(1));
        assert_eq!(a.read(kind::AAINCR, 1), Some(3));
        a.write(kind::AAD, 3, u64::MAX);
        assert_eq!(a.read(kind::AAD, 3), Some((1 << 48) - 1));
        assert_eq!(a.read(kind::AASTI, 16), None);
    }

    #[test]
    fn program_ends_after_ct() {
        let mem = GuestMemory::new(1 << 20).unwrap();
        mem.map(0x10000, 0x1000, perm::READ | perm::WRITE).unwrap();
        let mut a = Aau::default();
        a.write(kind::AAIND, 2, 40);
        // Slot 0: left fmt 4 with ind 2, right unused; slot 1: right has ct; slot 2
        // would be area 2.
        let words: [u64; 6] = [0x0800_0200, 0, 0x0600_0000, 0x8000_0000, 0x0800_0000, 0];
        for (i, w) in words.iter().enumerate() {
            mem.store(0x10000 + 8 * i as u64, 64, *w as u128).unwrap();
        }
        a.load_program(&mem, 0x10000).unwrap();
        assert_eq!(a.apb[0][0], 0x0800_0200);
        assert_eq!(a.cdi[0][0], 40);
        assert_eq!(a.apb[1][0], 0);
        assert_eq!(a.apb[0][1], 0x0600_0000);
        assert_eq!(a.apb[1][1], 0);
        assert_eq!(a.apb[0][2], 0);
        assert!(a.load_program(&mem, 0x20000).is_err());
    }
}
