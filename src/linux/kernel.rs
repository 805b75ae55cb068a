//! What the kernel keeps for a guest process beyond its CPU and memory: the heap and
//! mmap layout, signal dispositions, the descriptors the emulator owns, and how the
//! process ended.

use crate::guest::memory::PAGE;
use crate::linux::signal::Signals;
use std::path::PathBuf;

/// Process-wide state the kernel keeps for the guest.
pub struct Kernel {
    pub brk_start: u64,
    pub brk: u64,
    /// mmap places new mappings below this address.
    pub mmap_top: u64,
    pub exe_path: String,
    pub strace: bool,
    pub sysroot: Option<PathBuf>,
    /// Dispositions, mask, handlers running, alternate stack.
    pub signals: Signals,
    pub clear_child_tid: u64,
    /// Descriptors the emulator itself uses (the guest may not close them).
    pub own_fds: Vec<i32>,
}

impl Kernel {
    pub fn new(
        brk: u64,
        mmap_top: u64,
        exe_path: String,
        strace: bool,
        sysroot: Option<PathBuf>,
    ) -> Kernel {
        let brk = brk.div_ceil(PAGE) * PAGE;
        Kernel {
            brk_start: brk,
            brk,
            mmap_top,
            exe_path,
            strace,
            sysroot,
            signals: Signals::default(),
            clear_child_tid: 0,
            own_fds: vec![],
        }
    }
}

/// How a guest process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    /// Killed by a signal; `report` is the one-line account for the user.
    Killed {
        signal: i32,
        report: String,
    },
}

impl Outcome {
    /// The status a shell would report: the exit code, or 128 + signal.
    pub fn status(&self) -> i32 {
        match self {
            Outcome::Exited(c) => *c & 0xff,
            Outcome::Killed { signal, .. } => 128 + signal,
        }
    }
}
