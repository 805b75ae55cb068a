//! Architectural state of one E2K thread: the windowed register file, globals,
//! predicates, rotation (BR), %ctpr, loop state and the stack descriptors, with the
//! name-to-register arithmetic that windows and rotation imply.

use crate::guest::aau::Aau;
use crate::guest::hw_stack::HwStack;
use crate::guest::window::{Reg, RegFile};
use crate::isa::version::Iset;
use std::fmt;

/// The current procedure's register window (WD), in registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Position of %r0 in the whole register stack (counted from the first frame).
    pub base: u64,
    pub size: u32,
    /// Parameter area size (set by the call that created the window).
    pub psize: u32,
    /// nfx = 0: registers hold 80-bit (v1-v4) or 128-bit (v5+) values.
    pub fx: bool,
    pub dbl: bool,
}

impl Window {
    /// WD's layout: base, size and psize in bytes at 10:0, 26:16 and 42:32 (base
    /// modulo the register file), fx at 48.
    pub fn pack(&self) -> u64 {
        let b = (self.base * 8) & 0x7ff;
        b | ((self.size as u64 * 8) & 0x7ff) << 16
            | ((self.psize as u64 * 8) & 0x7ff) << 32
            | (self.fx as u64) << 48
    }
}

/// Rotation of based registers and predicates (the BR register).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    pub rbs: u32,
    pub rsz: u32,
    pub rcur: u32,
    pub psz: u32,
    pub pcur: u32,
}

impl Rotation {
    /// BR as stored in CR1.hi: rbs 5:0, rsz 11:6, rcur 17:12, psz 22:18, pcur 27:23.
    pub fn pack(self) -> u64 {
        (self.rbs as u64 & 0x3f)
            | (self.rsz as u64 & 0x3f) << 6
            | (self.rcur as u64 & 0x3f) << 12
            | (self.psz as u64 & 0x1f) << 18
            | (self.pcur as u64 & 0x1f) << 23
    }
    /// Window index of `%b[N]`.
    pub fn based_index(self, n: u32) -> u32 {
        let span = 2 * (self.rsz + 1);
        2 * self.rbs + (2 * self.rcur + n) % span
    }

    /// Window index of `%b[N]`, which must lie inside the based area as written
    /// (before rotation): N < 2 * (rsz + 1), else the window-bounds fault.
    pub fn based_checked(self, n: u32) -> Result<u32, WindowBounds> {
        let span = 2 * (self.rsz + 1);
        if n < span {
            Ok(self.based_index(n))
        } else {
            Err(WindowBounds {
                index: n,
                size: span,
                based: true,
            })
        }
    }

    /// Physical predicate number of `%predN`.
    pub fn pred_index(self, n: u32) -> u32 {
        if n <= self.psz {
            (self.pcur + n) % (self.psz + 1)
        } else {
            n
        }
    }

    pub fn unpack(v: u64) -> Rotation {
        Rotation {
            rbs: (v & 0x3f) as u32,
            rsz: (v >> 6 & 0x3f) as u32,
            rcur: (v >> 12 & 0x3f) as u32,
            psz: (v >> 18 & 0x1f) as u32,
            pcur: (v >> 23 & 0x1f) as u32,
        }
    }
}

/// Why a register name does not resolve in the current window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowBounds {
    pub index: u32,
    pub size: u32,
    /// `%b[index]` outside the based area of `size` registers (else `%r` and window).
    pub based: bool,
}

impl fmt::Display for WindowBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.based {
            write!(
                f,
                "register %b[{}] is outside the {}-register based area",
                self.index, self.size
            )
        } else {
            write!(
                f,
                "register %r{} is outside the {}-register window",
                self.index, self.size
            )
        }
    }
}

/// Stack registers the kernel and `getsp`/`return` maintain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataStack {
    /// USD.lo base: the stack pointer.
    pub sp: u64,
    /// Lowest address the stack may reach (USD size = sp - limit).
    pub limit: u64,
    /// SBR: top of the stack area.
    pub top: u64,
}

/// The "wait" lock a MAS-7 load took: what it read, for the conditional store that
/// completes the atomic sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitLock {
    pub addr: u64,
    pub bits: u32,
    pub value: u128,
}

#[derive(Clone)]
pub struct Cpu {
    pub iset: Iset,
    /// Address of the wide instruction being executed.
    pub ip: u64,
    pub regs: RegFile,
    pub wd: Window,
    pub br: Rotation,
    pub globals: [u64; 32],
    pub global_tags: [u8; 32],
    /// Predicate values and tags, bit n for %pred n (physical numbering).
    pub preds: u32,
    pub pred_tags: u32,
    pub ctpr: [u64; 4],
    pub lsr: u64,
    pub ilcr: u64,
    pub upsr: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub pfpfr: u64,
    pub stack: DataStack,
    pub ps: HwStack,
    pub pcs: HwStack,
    pub aau: Aau,
    pub wait_lock: Option<WaitLock>,
    /// Wide instructions executed (the `%clkr` of this model).
    pub executed: u64,
}

impl Cpu {
    /// `%rN` of the current window (low 64 bits), if the window has it.
    pub fn reg(&self, n: u32) -> Option<u64> {
        self.reg_pos(n).ok().map(|p| self.regs.get(p).lo)
    }

    /// Sets `%rN` of the current window to an untagged 64-bit value.
    pub fn set_reg(&mut self, n: u32, v: u64) {
        if let Ok(p) = self.reg_pos(n) {
            self.regs.set(
                p,
                Reg {
                    lo: v,
                    hi: 0,
                    tag: 0,
                },
            );
        }
    }

    pub fn new(iset: Iset) -> Cpu {
        Cpu {
            iset,
            ip: 0,
            regs: RegFile::default(),
            wd: Window {
                fx: true,
                ..Window::default()
            },
            br: Rotation::default(),
            globals: [0; 32],
            global_tags: [0; 32],
            preds: 0,
            pred_tags: 0,
            ctpr: [0; 4],
            lsr: 0,
            ilcr: 0,
            // NMIE | IE | FE, as the kernel starts user code.
            upsr: 0x21 | 0x4,
            // All IEEE exceptions masked, round to nearest.
            fpcr: 0x37f, // x87-style: exceptions masked, 64-bit precision, nearest
            fpsr: 0,
            aau: Aau::default(),
            wait_lock: None,
            pfpfr: 0x1f80,
            stack: DataStack::default(),
            ps: HwStack::default(),
            pcs: HwStack::default(),
            executed: 0,
        }
    }

    /// IEEE exception flags an operation raised, into `%pfpfr`.
    pub fn raise_pfpfr(&mut self, flags: u32) {
        self.pfpfr |= flags as u64;
    }

    /// 80-bit exception flags into `%fpsr`: an unmasked one also sets the summary bits
    /// es (7) and b (15), as x87 does; masks are `%fpcr` bits 5:0.
    pub fn raise_fpsr(&mut self, flags: u32) {
        if flags != 0 {
            let unmasked = flags as u64 & !self.fpcr & 0x3f;
            self.fpsr |= flags as u64 | if unmasked != 0 { 1 << 7 | 1 << 15 } else { 0 };
        }
    }

    /// Whether a 32-bit result is zero-extended into its register (else it replaces
    /// only the low half): WD.dbl, which the interpreter reads after the instruction's
    /// `setwd` has landed; ISA v1-v2 behave as dbl = 0.
    pub fn dbl_extends(&self) -> bool {
        self.wd.dbl && self.iset.number() >= 3
    }

    /// Absolute register-stack position of `%rN`.
    pub fn reg_pos(&self, n: u32) -> Result<u64, WindowBounds> {
        if n < self.wd.size {
            Ok(self.wd.base + n as u64)
        } else {
            Err(WindowBounds {
                index: n,
                size: self.wd.size,
                based: false,
            })
        }
    }

    /// Window index of `%b[N]` under the current rotation.
    pub fn based_index(&self, n: u32) -> u32 {
        self.br.based_index(n)
    }

    /// Absolute register-stack position of `%b[N]`: N inside the based area, its
    /// window index inside the window.
    pub fn based_pos(&self, n: u32) -> Result<u64, WindowBounds> {
        self.reg_pos(self.br.based_checked(n)?)
    }

    /// Physical predicate number of `%predN` under the current rotation.
    pub fn pred_index(&self, n: u32) -> u32 {
        self.br.pred_index(n)
    }

    pub fn pred(&self, n: u32) -> bool {
        self.preds >> self.pred_index(n) & 1 != 0
    }

    /// Whether `%predN` is D (diagnostic: its tag bit is set, whatever its value).
    pub fn pred_tag(&self, n: u32) -> bool {
        self.pred_tags >> self.pred_index(n) & 1 != 0
    }

    pub fn set_pred(&mut self, n: u32, v: bool) {
        self.set_pred_state(n, v, false);
    }

    /// `%predN` = value `v`, D when `d`.
    pub fn set_pred_state(&mut self, n: u32, v: bool, d: bool) {
        let p = self.pred_index(n);
        self.preds = (self.preds & !(1 << p)) | (v as u32) << p;
        self.pred_tags = (self.pred_tags & !(1 << p)) | (d as u32) << p;
    }

    /// The predicate file as CR0.lo saves it: value in bit 2n, tag in bit 2n+1.
    pub fn packed_preds(&self) -> u64 {
        spread_even(self.preds) | spread_even(self.pred_tags) << 1
    }

    pub fn unpack_preds(&mut self, v: u64) {
        self.preds = gather_even(v);
        self.pred_tags = gather_even(v >> 1);
    }

    /// WD as `rrd %wd` shows it (`Window::pack`).
    pub fn packed_wd(&self) -> u64 {
        self.wd.pack()
    }
}

/// Bit i of `x` to bit 2i (every call and return packs the predicate file).
fn spread_even(x: u32) -> u64 {
    let mut v = x as u64;
    v = (v | v << 16) & 0x0000_ffff_0000_ffff;
    v = (v | v << 8) & 0x00ff_00ff_00ff_00ff;
    v = (v | v << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    v = (v | v << 2) & 0x3333_3333_3333_3333;
    (v | v << 1) & 0x5555_5555_5555_5555
}

/// Bit 2i of `v` to bit i.
fn gather_even(v: u64) -> u32 {
    let mut v = v & 0x5555_5555_5555_5555;
    v = (v | v >> 1) & 0x3333_3333_3333_3333;
    v = (v | v >> 2) & 0x0f0f_0f0f_0f0f_0f0f;
    v = (v | v >> 4) & 0x00ff_00ff_00ff_00ff;
    v = (v | v >> 8) & 0x0000_ffff_0000_ffff;
    (v | v >> 16) as u32
}

#[cfg(test)]
mod bit_interleave {
    use super::{gather_even, spread_even};

    #[test]
    fn spreads_and_gathers_every_bit() {
        for i in 0..32 {
            assert_eq!(spread_even(1 << i), 1 << (2 * i));
            assert_eq!(gather_even(1 << (2 * i)), 1 << i);
            assert_eq!(gather_even(1 << (2 * i + 1)), 0);
        }
        let mut x = 0x9e37_79b9u32;
        for _ in 0..1000 {
            x = x.wrapping_mul(0x0100_0193).wrapping_add(0x6b43_a9b5);
            assert_eq!(gather_even(spread_even(x)), x);
            assert_eq!(gather_even(spread_even(x) << 1 >> 1), x);
        }
    }
}
