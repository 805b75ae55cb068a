//! Requests from outside the instruction stream that running code must stop for:
//! the signals pending for the process (bit `n - 1` for signal `n`), set by the
//! process layer and by host signal handlers. The interpreter's caller checks between
//! wide instructions; compiled code checks on the jumps that close its loops and
//! between blocks, and leaves for the dispatcher when one is set.

use std::sync::atomic::{AtomicU64, Ordering};

pub static PENDING: AtomicU64 = AtomicU64::new(0);

/// Whether anything is pending (one relaxed load).
#[inline]
pub fn requested() -> bool {
    PENDING.load(Ordering::Relaxed) != 0
}
