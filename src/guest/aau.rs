//! The array access unit's registers as user code sees them: array descriptors
//! (`%aad`, only the base matters in user mode), store and fetch indices (`%aasti`,
//! `%aaind`) and increments (`%aaincr`).

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
}

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
