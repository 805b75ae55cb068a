//! Requests from outside the instruction stream that running code must stop for:
//! the signals pending for this guest thread (bit `n - 1` for signal `n`), set by the
//! process layer and by host signal handlers, which run on the host thread the host
//! kernel chose for the signal. The interpreter's caller checks between wide
//! instructions; compiled code checks on the jumps that close its loops and between
//! blocks, and leaves for the dispatcher when one is set.

use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    // Const-initialized without a destructor: plain TLS, safe to touch from a host
    // signal handler.
    static PENDING: AtomicU64 = const { AtomicU64::new(0) };
}

/// This thread's pending set.
#[inline]
pub fn with<R>(f: impl FnOnce(&AtomicU64) -> R) -> R {
    PENDING.with(f)
}

/// The address of this thread's pending set, for compiled code that runs on this
/// thread only (valid while the thread lives).
pub fn word() -> *const AtomicU64 {
    PENDING.with(|p| p as *const AtomicU64)
}

/// Whether anything is pending (one relaxed load).
#[inline]
pub fn requested() -> bool {
    PENDING.with(|p| p.load(Ordering::Relaxed) != 0)
}
