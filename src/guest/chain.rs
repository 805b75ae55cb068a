//! The chain stack: one 32-byte frame per active call (CR0.lo, CR0.hi, CR1.lo,
//! CR1.hi), pushed by `call` and popped by `return`, in guest memory as on hardware.

use crate::guest::cpu::{Cpu, Rotation, Window};
use crate::guest::memory::GuestMemory;
use std::fmt;

pub const FRAME_BYTES: u64 = 32;

/// What a call saves of the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// CR0.lo: the predicate file (value bit 2n, tag bit 2n+1).
    pub preds: u64,
    /// CR0.hi: where the caller continues.
    pub return_ip: u64,
    /// CR1.lo: wbs 39:33, wpsz 32:26, wfx 25.
    pub wbs: u32,
    pub wpsz: u32,
    pub wfx: bool,
    /// CR1.hi: br 27:0, wdbl 35, ussz 63:36 (data-stack size / 16).
    pub br: Rotation,
    pub wdbl: bool,
    pub ussz: u64,
}

impl Frame {
    pub fn words(&self) -> [u64; 4] {
        let cr1_lo = (self.wbs as u64 & 0x7f) << 33
            | (self.wpsz as u64 & 0x7f) << 26
            | (self.wfx as u64) << 25;
        let cr1_hi = self.br.pack() | (self.wdbl as u64) << 35 | (self.ussz & 0xfff_ffff) << 36;
        [self.preds, self.return_ip, cr1_lo, cr1_hi]
    }

    pub fn from_words(w: [u64; 4]) -> Frame {
        Frame {
            preds: w[0],
            return_ip: w[1],
            wbs: (w[2] >> 33 & 0x7f) as u32,
            wpsz: (w[2] >> 26 & 0x7f) as u32,
            wfx: w[2] >> 25 & 1 != 0,
            br: Rotation::unpack(w[3] & 0xfff_ffff),
            wdbl: w[3] >> 35 & 1 != 0,
            ussz: w[3] >> 36,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// No room for another frame (recursion too deep).
    Overflow,
    /// `return` with no caller frame.
    Underflow,
    /// The frame's memory is not accessible.
    Fault(u64),
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Overflow => write!(f, "chain stack overflow (calls nested too deep)"),
            ChainError::Underflow => write!(f, "return from the outermost procedure"),
            ChainError::Fault(a) => write!(f, "chain stack frame at {a:#x} is not accessible"),
        }
    }
}

/// The frame stored at `at` (kernel access: past the guest's permissions).
pub fn frame_at(mem: &GuestMemory, at: u64) -> Result<Frame, ChainError> {
    let mut bytes = [0u8; 32];
    mem.read_initial(at, &mut bytes)
        .map_err(|_| ChainError::Fault(at))?;
    let w = |k: usize| u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().unwrap_or_default());
    Ok(Frame::from_words([w(0), w(1), w(2), w(3)]))
}

/// Stores `frame` at `at` (kernel access).
pub fn store_frame(mem: &GuestMemory, at: u64, frame: &Frame) -> Result<(), ChainError> {
    let mut bytes = [0u8; 32];
    for (k, w) in frame.words().iter().enumerate() {
        bytes[8 * k..8 * k + 8].copy_from_slice(&w.to_le_bytes());
    }
    mem.write_initial(at, &bytes)
        .map_err(|_| ChainError::Fault(at))
}

pub fn push(cpu: &mut Cpu, mem: &GuestMemory, frame: &Frame) -> Result<(), ChainError> {
    if !cpu.pcs.fit(cpu.pcs.ind + FRAME_BYTES) {
        return Err(ChainError::Overflow);
    }
    store_frame(mem, cpu.pcs.base + cpu.pcs.ind, frame)?;
    cpu.pcs.ind += FRAME_BYTES;
    Ok(())
}

pub fn pop(cpu: &mut Cpu, mem: &GuestMemory) -> Result<Frame, ChainError> {
    if cpu.pcs.ind < FRAME_BYTES {
        return Err(ChainError::Underflow);
    }
    let f = frame_at(mem, cpu.pcs.base + cpu.pcs.ind - FRAME_BYTES)?;
    cpu.pcs.ind -= FRAME_BYTES;
    Ok(f)
}

/// The frame `call` saves, and the callee's window: it starts at the caller's
/// `%r(2 * wbs)` and its size and parameter size are what lies above.
pub fn call_frame(cpu: &Cpu, return_ip: u64, wbs: u32) -> (Frame, Window) {
    let frame = Frame {
        preds: cpu.packed_preds(),
        return_ip,
        wbs,
        wpsz: cpu.wd.psize / 2,
        wfx: cpu.wd.fx,
        br: cpu.br,
        wdbl: cpu.wd.dbl,
        ussz: (cpu.stack.sp - cpu.stack.limit) >> 4,
    };
    let size = cpu.wd.size - 2 * wbs;
    let wd = Window {
        base: cpu.wd.base + 2 * wbs as u64,
        size,
        psize: size,
        fx: cpu.wd.fx,
        dbl: cpu.wd.dbl,
    };
    (frame, wd)
}

/// The caller's window after `return`: the callee's parameter area becomes the top
/// of the caller's window again.
pub fn return_window(cpu: &Cpu, f: &Frame) -> Window {
    Window {
        base: cpu.wd.base.saturating_sub(2 * f.wbs as u64),
        size: 2 * f.wbs + cpu.wd.psize,
        psize: 2 * f.wpsz,
        fx: f.wfx,
        dbl: f.wdbl,
    }
}
