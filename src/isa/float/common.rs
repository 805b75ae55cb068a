//! Bit-level helpers shared by the f32, f64 and f80 code: classification,
//! quieting, the default NaN and the NaN-selection rule.  No arithmetic.

use super::flags;

/// Field layout of a binary interchange format held in the low bits of a
/// `u128`.  `frac` counts the fraction bits below the (implicit or explicit)
/// integer bit; `explicit` is true for the x87 80-bit format.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    pub frac: u32,
    pub exp: u32,
    pub explicit: bool,
}

pub(crate) const L32: Layout = Layout {
    frac: 23,
    exp: 8,
    explicit: false,
};
pub(crate) const L64: Layout = Layout {
    frac: 52,
    exp: 11,
    explicit: false,
};
pub(crate) const L80: Layout = Layout {
    frac: 63,
    exp: 15,
    explicit: true,
};

impl Layout {
    const fn exp_shift(self) -> u32 {
        self.frac + self.explicit as u32
    }
    pub const fn sign_bit(self) -> u128 {
        1 << (self.exp_shift() + self.exp)
    }
    pub const fn exp_max(self) -> u128 {
        (1 << self.exp) - 1
    }
    pub const fn exp_of(self, x: u128) -> u128 {
        (x >> self.exp_shift()) & self.exp_max()
    }
    pub const fn frac_of(self, x: u128) -> u128 {
        x & ((1 << self.frac) - 1)
    }
    pub const fn quiet_bit(self) -> u128 {
        1 << (self.frac - 1)
    }
    pub const fn int_bit(self) -> u128 {
        if self.explicit {
            1 << self.frac
        } else {
            0
        }
    }
    pub const fn is_neg(self, x: u128) -> bool {
        x & self.sign_bit() != 0
    }
    pub const fn is_nan(self, x: u128) -> bool {
        self.exp_of(x) == self.exp_max() && self.frac_of(x) != 0
    }
    pub const fn is_snan(self, x: u128) -> bool {
        self.is_nan(x) && x & self.quiet_bit() == 0
    }
    /// Exponent field zero, significand non-zero (for f80 this includes
    /// pseudo-denormals).
    pub const fn is_subnormal(self, x: u128) -> bool {
        self.exp_of(x) == 0 && x & (self.int_bit() | ((1 << self.frac) - 1)) != 0
    }
    /// Set the quiet bit (and, for f80, the integer bit).
    pub const fn quiet(self, x: u128) -> u128 {
        x | self.quiet_bit() | self.int_bit()
    }
    /// Signed zero with the sign of `x`.
    pub const fn zero_like(self, x: u128) -> u128 {
        x & self.sign_bit()
    }
    /// The E2K default NaN: negative quiet NaN with the smallest payload
    /// (0xFFC00000, 0xFFF8000000000000, 0xFFFF_C000000000000000).
    pub const fn default_nan(self) -> u128 {
        self.sign_bit() | (self.exp_max() << self.exp_shift()) | self.quiet_bit() | self.int_bit()
    }
}

/// NaN selection for a two-operand operation where at least one operand is a
/// NaN (qemu `pickNaN`, x87 rule, used for E2K f32, f64 and f80):
/// a signalling NaN together with a quiet NaN gives the quiet one; two NaNs of
/// the same kind give the one with the larger fraction (equal fractions: the
/// positive one); a NaN with a number gives the NaN.  The result is quieted;
/// the invalid flag is raised if either operand is signalling.
pub(crate) fn pick_nan(l: Layout, a: u128, b: u128) -> (u128, u32) {
    let (an, bn) = (l.is_nan(a), l.is_nan(b));
    let (as_, bs) = (l.is_snan(a), l.is_snan(b));
    let (aq, bq) = (an && !as_, bn && !bs);
    let f = if as_ || bs { flags::IE } else { 0 };
    let a_larger = {
        let (fa, fb) = (l.frac_of(a), l.frac_of(b));
        if fa != fb {
            fa > fb
        } else {
            !l.is_neg(a) && l.is_neg(b)
        }
    };
    let take_b = if as_ {
        if bs {
            !a_larger
        } else {
            bq
        }
    } else if aq {
        if bs || !bn {
            false
        } else {
            !a_larger
        }
    } else {
        true
    };
    (l.quiet(if take_b { b } else { a }), f)
}

/// NaN selection for three-operand fused multiply-add (qemu's default
/// `pickNaNMulAdd`, which E2K uses): the first NaN of a, b, c, quieted;
/// invalid if any operand is signalling.
pub(crate) fn pick_nan3(l: Layout, a: u128, b: u128, c: u128) -> (u128, u32) {
    let f = if l.is_snan(a) || l.is_snan(b) || l.is_snan(c) {
        flags::IE
    } else {
        0
    };
    let r = if l.is_nan(a) {
        a
    } else if l.is_nan(b) {
        b
    } else {
        c
    };
    (l.quiet(r), f)
}
