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
    /// `-seed`: AT_RANDOM and getrandom come from this stream instead of the host.
    pub random: Option<SeededRandom>,
    /// `-r`: the release uname reports instead of the host's.
    pub uname_release: Option<String>,
    /// `-d unimp`: log system calls answered with -ENOSYS.
    pub log_unimp: bool,
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
            random: None,
            uname_release: None,
            log_unimp: false,
        }
    }
}

/// A reproducible byte stream for `-seed` (SplitMix64: tiny, and every seed gives a
/// full-period stream; nothing here needs cryptographic strength, as with qemu's).
#[derive(Clone, Debug)]
pub struct SeededRandom(u64);

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom(seed)
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
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
