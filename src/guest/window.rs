//! The windowed register file: the registers of the active procedure frames, kept
//! on the host up to the size of the hardware file, with older frames spilled to the
//! procedure stack in guest memory and filled back on return (as the hardware does
//! on overflow and underflow).

use crate::guest::hw_stack::HwStack;
use crate::guest::memory::GuestMemory;
use std::fmt;

/// Registers kept resident before the oldest are spilled (the hardware file size).
pub const RESIDENT: u64 = 256;
/// Procedure-stack bytes per register: low and high 64 bits (the v5+ layout).
pub const SPILL_BYTES: u64 = 16;

/// The procedure stack cannot hold a spill, or its memory is not accessible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStackFault {
    pub addr: u64,
}

impl fmt::Display for ProcStackFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "procedure stack overflow at {:#x}", self.addr)
    }
}

/// One register: 64-bit value, the extension (high half of 80/128-bit values) and tags
/// (2 bits per 32-bit half of the low word).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Reg {
    pub lo: u64,
    pub hi: u64,
    pub tag: u8,
}

#[derive(Clone, Default)]
pub struct RegFile {
    resident: Vec<Reg>,
    /// Register-stack position of `resident[0]`; positions below are spilled.
    first: u64,
    /// Tags of spilled registers (the kernel keeps them beside the procedure stack).
    spilled_tags: Vec<u8>,
    /// Registers moved to and from guest memory so far.
    pub spills: u64,
    pub fills: u64,
}

impl RegFile {
    /// A file holding only `regs`, at positions 0.. (a new thread's first frame).
    pub fn with_frame(regs: Vec<Reg>) -> RegFile {
        RegFile {
            resident: regs,
            ..RegFile::default()
        }
    }

    #[inline]
    pub fn get(&self, pos: u64) -> Reg {
        self.resident
            .get(pos.wrapping_sub(self.first) as usize)
            .copied()
            .unwrap_or_default()
    }

    #[inline]
    pub fn set(&mut self, pos: u64, r: Reg) {
        if let Some(slot) = self.resident.get_mut(pos.wrapping_sub(self.first) as usize) {
            *slot = r;
        }
    }

    /// The register at any position below the top of the file: resident, or spilled
    /// to the procedure stack.
    pub fn read_any(
        &self,
        pos: u64,
        mem: &GuestMemory,
        ps: &HwStack,
    ) -> Result<Reg, ProcStackFault> {
        if pos >= self.first {
            return Ok(self.get(pos));
        }
        let addr = ps.base + pos * SPILL_BYTES;
        let mut b = [0u8; 16];
        mem.read_initial(addr, &mut b)
            .map_err(|_| ProcStackFault { addr })?;
        let v = u128::from_le_bytes(b);
        Ok(Reg {
            lo: v as u64,
            hi: (v >> 64) as u64,
            tag: self.spilled_tags.get(pos as usize).copied().unwrap_or(0),
        })
    }

    /// Changes the register at any position below the top of the file (untagged).
    pub fn write_any(
        &mut self,
        pos: u64,
        r: Reg,
        mem: &GuestMemory,
        ps: &HwStack,
    ) -> Result<(), ProcStackFault> {
        if pos >= self.first {
            self.set(pos, r);
            return Ok(());
        }
        let addr = ps.base + pos * SPILL_BYTES;
        mem.write_initial(addr, &((r.lo as u128) | (r.hi as u128) << 64).to_le_bytes())
            .map_err(|_| ProcStackFault { addr })?;
        if let Some(t) = self.spilled_tags.get_mut(pos as usize) {
            *t = r.tag;
        }
        Ok(())
    }

    /// Register-stack position of the oldest resident register.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// Register-stack position just above the resident registers.
    pub fn end(&self) -> u64 {
        self.first + self.resident.len() as u64
    }

    /// Moves the end of the resident registers to `end`, for compiled code that
    /// changed it itself: lower, dropping those above (as `frame` does when a window
    /// ends lower), or higher, up to
    /// `RESIDENT` registers from `first`, taking in those compiled code wrote there.
    ///
    /// # Safety
    /// Above the present end, compiled code wrote every register up to `end` through
    /// a pointer from `ptr` (which keeps room for them) since it was taken.
    pub unsafe fn set_end(&mut self, end: u64) {
        let len = end.saturating_sub(self.first) as usize;
        if len <= self.resident.len() {
            self.resident.truncate(len);
        } else {
            assert!(len <= self.resident.capacity());
            // SAFETY: in capacity (checked) and initialised (the caller's promise).
            unsafe { self.resident.set_len(len) };
        }
    }

    /// Pointer to the resident register at `pos` (for compiled code, valid until the
    /// next `frame`), with room behind it up to `RESIDENT` registers from `first`.
    pub fn ptr(&mut self, pos: u64) -> *mut Reg {
        if self.resident.capacity() < RESIDENT as usize {
            self.resident
                .reserve(RESIDENT as usize - self.resident.len());
        }
        let k = (pos.saturating_sub(self.first) as usize).min(self.resident.len());
        // SAFETY: k ≤ len.
        unsafe { self.resident.as_mut_ptr().add(k) }
    }

    /// Makes positions `[base, end)` resident, dropping those at and above `end`,
    /// spilling the oldest below `base` past `RESIDENT` and filling any below `first`.
    pub fn frame(
        &mut self,
        base: u64,
        end: u64,
        mem: &GuestMemory,
        ps: &mut HwStack,
    ) -> Result<(), ProcStackFault> {
        if base < self.first {
            let n = (self.first - base) as usize;
            let mut filled = Vec::with_capacity(n);
            for pos in base..self.first {
                let addr = ps.base + pos * SPILL_BYTES;
                let mut b = [0u8; 16];
                mem.read_initial(addr, &mut b)
                    .map_err(|_| ProcStackFault { addr })?;
                let v = u128::from_le_bytes(b);
                let tag = self.spilled_tags.get(pos as usize).copied().unwrap_or(0);
                filled.push(Reg {
                    lo: v as u64,
                    hi: (v >> 64) as u64,
                    tag,
                });
            }
            self.resident.splice(0..0, filled);
            self.first = base;
            self.spilled_tags.truncate(base as usize);
            self.fills += n as u64;
        }
        let len = (end.max(self.first) - self.first) as usize;
        self.resident.resize(len, Reg::default());
        let excess = (end - self.first)
            .saturating_sub(RESIDENT)
            .min(base.saturating_sub(self.first));
        if excess > 0 {
            for (k, r) in self.resident.drain(..excess as usize).enumerate() {
                let pos = self.first + k as u64;
                let addr = ps.base + pos * SPILL_BYTES;
                if !ps.fit((pos + 1) * SPILL_BYTES) {
                    return Err(ProcStackFault { addr });
                }
                mem.write_initial(addr, &((r.lo as u128) | (r.hi as u128) << 64).to_le_bytes())
                    .map_err(|_| ProcStackFault { addr })?;
                self.spilled_tags.resize(pos as usize + 1, 0);
                self.spilled_tags[pos as usize] = r.tag;
            }
            self.first += excess;
            self.spills += excess;
        }
        ps.ind = self.first * SPILL_BYTES;
        Ok(())
    }
}
