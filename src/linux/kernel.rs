//! What the kernel keeps for a guest thread beyond its CPU: the process's heap and
//! mmap layout and thread list (shared by its threads), the thread's signal state,
//! the descriptors the emulator owns, and how the process ended.

use crate::guest::memory::PAGE;
use crate::linux::signal::Signals;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Where the heap and the mmap area are; its lock also makes every change of the
/// mappings (mmap, munmap, brk, a thread's hardware stacks) one step for the threads.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub brk_start: u64,
    pub brk: u64,
    /// mmap places new mappings below this address.
    pub mmap_top: u64,
}

/// The kernel's state for one guest thread.
pub struct Kernel {
    pub mm: Arc<Mutex<Layout>>,
    pub threads: Arc<Threads>,
    pub exe_path: String,
    pub strace: bool,
    pub sysroot: Option<PathBuf>,
    /// Dispositions (shared), mask, handlers running, alternate stack (this thread's).
    pub signals: Signals,
    pub clear_child_tid: u64,
    /// set_robust_list's head and length (kept for get_robust_list).
    pub robust_list: (u64, u64),
    /// The thread ended with `exit`, not `exit_group`: only it ends.
    pub thread_exit: bool,
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
            mm: Arc::new(Mutex::new(Layout {
                brk_start: brk,
                brk,
                mmap_top,
            })),
            threads: Arc::new(Threads::default()),
            exe_path,
            strace,
            sysroot,
            signals: Signals::default(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            thread_exit: false,
            own_fds: vec![],
        }
    }

    pub fn mm(&self) -> MutexGuard<'_, Layout> {
        self.mm.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state a new thread of this process starts with: the process's parts
    /// shared, the signal mask inherited, nothing pending or running.
    pub fn for_thread(&self) -> Kernel {
        Kernel {
            mm: self.mm.clone(),
            threads: self.threads.clone(),
            exe_path: self.exe_path.clone(),
            strace: self.strace,
            sysroot: self.sysroot.clone(),
            signals: self.signals.for_thread(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            thread_exit: false,
            own_fds: self.own_fds.clone(),
        }
    }
}

/// The live threads of the process.
pub struct Threads {
    live: Mutex<usize>,
    changed: Condvar,
}

impl Default for Threads {
    fn default() -> Threads {
        Threads {
            live: Mutex::new(1),
            changed: Condvar::new(),
        }
    }
}

impl Threads {
    fn count_mut(&self) -> std::sync::MutexGuard<'_, usize> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn count(&self) -> usize {
        *self.count_mut()
    }

    pub fn started(&self) {
        *self.count_mut() += 1;
    }

    /// The calling thread has ended; true if it was the last one.
    pub fn ended(&self) -> bool {
        let mut n = self.count_mut();
        *n = n.saturating_sub(1);
        self.changed.notify_all();
        *n == 0
    }

    /// Waits until the calling thread is the only one left.
    pub fn wait_alone(&self) {
        let mut n = self.count_mut();
        while *n > 1 {
            n = self.changed.wait(n).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// In a forked child: the host copied only the calling thread.
    pub fn forked(&self) {
        *self.count_mut() = 1;
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
