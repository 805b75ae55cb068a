//! E2K scalar floating point: pure functions over raw bits.
//!
//! * f32 / f64 operations take an [`Fpu`] built from `%pfpfr`.
//! * 80-bit extended operations take an [`Fx`] built from `%fpcr`.
//! * Every operation returns its result and the exception flags it raised as a
//!   `u32` in the `%pfpfr` / `%fpsr` layout (bits 0..5, see [`flags`]); the
//!   caller ORs them into the register.  Nothing here traps, reads or sets host
//!   FPU state or keeps global state (the fast path, `native`, relies only on
//!   Rust's fixed round-to-nearest environment; the 80-bit one, `x80_fast`, is
//!   integer arithmetic).
//!
//! The arithmetic itself is done by `rustc_apfloat`; this module adds the E2K
//! rules around it (NaN choice, default NaN, integer indefinite, flag mapping,
//! tininess after rounding, flush-to-zero).  Each rule and its source is listed
//! in `NOTES.md`.

mod common;
pub mod helpers;
mod native;
mod sd;
mod sem;
mod x80;
mod x80_fast;

pub use sd::*;
pub use x80::*;

/// Exception flag bits, identical in `%pfpfr`, `%fpsr` and x86 MXCSR / x87 FSW.
pub mod flags {
    /// Invalid operation.
    pub const IE: u32 = 1 << 0;
    /// Denormal operand (never raised by this library, see NOTES.md).
    pub const DE: u32 = 1 << 1;
    /// Divide by zero.
    pub const ZE: u32 = 1 << 2;
    /// Overflow.
    pub const OE: u32 = 1 << 3;
    /// Underflow.
    pub const UE: u32 = 1 << 4;
    /// Precision (inexact).
    pub const PE: u32 = 1 << 5;
    /// All six flags.
    pub const ALL: u32 = 0x3f;
}

/// Rounding control values (same encoding in `%pfpfr.rc` and `%fpcr.rc`).
pub mod rc {
    /// Round to nearest, ties to even.
    pub const NEAREST: u8 = 0;
    /// Round toward −∞.
    pub const DOWN: u8 = 1;
    /// Round toward +∞.
    pub const UP: u8 = 2;
    /// Round toward zero.
    pub const ZERO: u8 = 3;
}

/// Control state for the f32/f64 ("packed") unit, from `%pfpfr`.
///
/// `%pfpfr` layout (Linux `arch/e2k/include/asm/cpu_regs_types.h`,
/// `e2k_pfpfr_fields`): flags ie de ze oe ue pe = bits 0..5, bit 6 reserved
/// zero, masks im dm zm om um pm = bits 7..12, rc = bits 13..14, fz = bit 15,
/// bits 16..25 zero, bits 26..31 `die dde dze doe due dpe`.
/// There is no DAZ bit (bit 6 is reserved), so `daz` is never set by
/// [`Fpu::from_pfpfr`]; it exists for callers that want x86 DAZ semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Fpu {
    /// Rounding control, see [`rc`].
    pub rc: u8,
    /// Treat denormal inputs as signed zero (x86 MXCSR.DAZ semantics).
    pub daz: bool,
    /// Flush tiny results to signed zero (x86 MXCSR.FZ semantics), `%pfpfr.fz`.
    pub ftz: bool,
}

impl Fpu {
    /// Round to nearest, no flushing: the state after `%pfpfr` reset.
    pub const DEFAULT: Fpu = Fpu {
        rc: rc::NEAREST,
        daz: false,
        ftz: false,
    };

    /// Build from a raw `%pfpfr` value (rc = bits 13..14, fz = bit 15).
    pub const fn from_pfpfr(pfpfr: u32) -> Fpu {
        Fpu {
            rc: ((pfpfr >> 13) & 3) as u8,
            daz: false,
            ftz: (pfpfr >> 15) & 1 != 0,
        }
    }

    /// Build from explicit fields (`rc` is masked to 2 bits).
    pub const fn new(rc: u8, daz: bool, ftz: bool) -> Fpu {
        Fpu {
            rc: rc & 3,
            daz,
            ftz,
        }
    }

    /// The same state with another rounding mode (for the `*tr` conversions
    /// and the explicit-mode forms).
    pub const fn with_rc(self, rc: u8) -> Fpu {
        Fpu { rc: rc & 3, ..self }
    }
}

/// Precision control values of `%fpcr.pc` (x87 control word bits 8..9).
pub mod pc {
    /// 24-bit significand.
    pub const SINGLE: u8 = 0;
    /// Reserved encoding; treated as [`EXTENDED`] (qemu-e2k aborts on it).
    pub const RESERVED: u8 = 1;
    /// 53-bit significand.
    pub const DOUBLE: u8 = 2;
    /// 64-bit significand (reset value).
    pub const EXTENDED: u8 = 3;
}

/// Control state for the 80-bit unit, from `%fpcr` (x87 control word layout:
/// masks bits 0..5, bit 6 reads as one, pc = bits 8..9, rc = bits 10..11,
/// ic = bit 12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fx {
    /// Rounding control, see [`rc`].
    pub rc: u8,
    /// Precision control, see [`pc`].
    pub pc: u8,
}

impl Default for Fx {
    fn default() -> Fx {
        Fx::DEFAULT
    }
}

impl Fx {
    /// Round to nearest, 64-bit precision: the `%fpcr` reset state (0x37f).
    pub const DEFAULT: Fx = Fx {
        rc: rc::NEAREST,
        pc: pc::EXTENDED,
    };

    /// Build from a raw `%fpcr` value.
    pub const fn from_fpcr(fpcr: u32) -> Fx {
        Fx {
            rc: ((fpcr >> 10) & 3) as u8,
            pc: ((fpcr >> 8) & 3) as u8,
        }
    }

    /// Build from explicit fields.
    pub const fn new(rc: u8, pc: u8) -> Fx {
        Fx {
            rc: rc & 3,
            pc: pc & 3,
        }
    }

    /// The same state with another rounding mode.
    pub const fn with_rc(self, rc: u8) -> Fx {
        Fx { rc: rc & 3, ..self }
    }

    /// Significand precision in bits selected by `pc`.
    pub const fn precision(self) -> u32 {
        match self.pc {
            pc::SINGLE => 24,
            pc::DOUBLE => 53,
            _ => 64,
        }
    }
}

/// Comparison predicate, numbered like the E2K `cmpopce` field
/// (`fcmp{eq,lt,le,uod,neq,nlt,nle,od}{s,d}` / `...sb`, `...db`), which is the
/// x86 `CMPSS` immediate 0..7 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FCmp {
    /// a == b (ordered, quiet).
    Eq = 0,
    /// a < b (ordered, signalling).
    Lt = 1,
    /// a <= b (ordered, signalling).
    Le = 2,
    /// unordered (quiet).
    Uod = 3,
    /// !(a == b) (unordered or not equal, quiet).
    Neq = 4,
    /// !(a < b) (signalling).
    Nlt = 5,
    /// !(a <= b) (signalling).
    Nle = 6,
    /// ordered (quiet).
    Od = 7,
}

impl FCmp {
    /// Predicate from the 3-bit `cmpopce` field.
    pub const fn from_bits(v: u8) -> FCmp {
        match v & 7 {
            0 => FCmp::Eq,
            1 => FCmp::Lt,
            2 => FCmp::Le,
            3 => FCmp::Uod,
            4 => FCmp::Neq,
            5 => FCmp::Nlt,
            6 => FCmp::Nle,
            _ => FCmp::Od,
        }
    }

    /// Whether a quiet NaN operand raises the invalid flag.
    pub const fn signalling(self) -> bool {
        matches!(self, FCmp::Lt | FCmp::Le | FCmp::Nlt | FCmp::Nle)
    }
}

/// One half of a combined ("FCMB") operation.  `apply(x, y)`:
/// `Add` = x + y, `Sub` = x − y, `Mul` = x · y, `Rsub` = y − x.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FOp {
    /// x + y
    Add,
    /// x − y
    Sub,
    /// x · y
    Mul,
    /// y − x
    Rsub,
}

/// Result of the E2K `fcmp{od,ud}{s,d,x}f` operations: x86 `EFLAGS`-style
/// bits in the result register (ZF = 0x40, PF = 0x04, CF = 0x01).
pub mod cmpf {
    /// a > b
    pub const GREATER: u32 = 0x00;
    /// a < b
    pub const LESS: u32 = 0x01;
    /// a == b
    pub const EQUAL: u32 = 0x40;
    /// unordered
    pub const UNORDERED: u32 = 0x45;
}
