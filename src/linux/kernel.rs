//! What the kernel keeps for a guest thread beyond its CPU: the process's heap and
//! mmap layout, the files behind mappings and the thread list (shared by its
//! threads), the auxiliary vector (for /proc/self), the guest's view of the file
//! system (`-L`), the thread's signal state, the descriptors the emulator owns, and
//! how the process ended.

use crate::guest::memory::PAGE;
use crate::linux::context::Contexts;
use crate::linux::maps::FileMaps;
use crate::linux::signal::Signals;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Where the heap and the mmap area are; its lock also makes every change of the
/// mappings (mmap, munmap, brk, a thread's hardware stacks) one step for the threads.
pub struct Layout {
    pub brk_start: u64,
    pub brk: u64,
    /// mmap places new mappings below this address.
    pub mmap_top: u64,
    /// Which files back which guest ranges.
    pub files: FileMaps,
}

/// The kernel's state for one guest thread.
pub struct Kernel {
    pub mm: Arc<Mutex<Layout>>,
    pub threads: Arc<Threads>,
    /// makecontext's contexts (the process's).
    pub contexts: Contexts,
    /// The guest program's host path, made absolute at the start (so that a later
    /// chdir does not change where /proc/self/exe leads).
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
    /// The auxiliary vector the process started with.
    pub auxv: Vec<(u64, u64)>,
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
            mm: Arc::new(Mutex::new(Layout {
                brk_start: brk,
                brk,
                mmap_top,
                files: FileMaps::default(),
            })),
            threads: Arc::new(Threads::default()),
            contexts: Contexts::default(),
            exe_path: std::fs::canonicalize(&exe_path)
                .map_or(exe_path, |p| p.to_string_lossy().into_owned()),
            strace,
            sysroot,
            signals: Signals::default(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            thread_exit: false,
            own_fds: vec![],
            auxv: vec![],
            random: None,
            uname_release: None,
            log_unimp: false,
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
            contexts: self.contexts.clone(),
            exe_path: self.exe_path.clone(),
            strace: self.strace,
            sysroot: self.sysroot.clone(),
            signals: self.signals.for_thread(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            thread_exit: false,
            own_fds: self.own_fds.clone(),
            auxv: self.auxv.clone(),
            random: self.random.clone(),
            uname_release: self.uname_release.clone(),
            log_unimp: self.log_unimp,
        }
    }

    /// The host path of a guest path (see `host_path`); `/proc/self/exe` is the guest
    /// program.
    pub fn host_path(&self, guest: &[u8]) -> Vec<u8> {
        if own_proc_entry(guest) == Some(b"exe") {
            return self.exe_host().into_bytes();
        }
        host_path(self.sysroot.as_deref(), guest)
    }

    /// The guest program's path on the host, where /proc/self/exe leads.
    pub fn exe_host(&self) -> String {
        self.exe_path.clone()
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

/// The entry a path names inside the process's own /proc directory (`/proc/self/X`,
/// `/proc/thread-self/X` or `/proc/<our pid>/X`), which the emulator answers for the
/// guest where the host's would describe the emulator.
pub fn own_proc_entry(p: &[u8]) -> Option<&[u8]> {
    let rest = p.strip_prefix(b"/proc/")?;
    let (dir, entry) = rest.split_at(rest.iter().position(|c| *c == b'/')?);
    let pid = std::process::id().to_string();
    (dir == b"self" || dir == b"thread-self" || dir == pid.as_bytes()).then_some(&entry[1..])
}

/// Where a guest path leads on the host, as qemu-user's `-L` has it: an absolute path
/// is looked up under the sysroot first and taken from there if it exists there;
/// anything else (a relative path, or one the sysroot lacks) is the host's own.
pub fn host_path(sysroot: Option<&Path>, guest: &[u8]) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    if let (Some(root), Some((b'/', rest))) = (sysroot, guest.split_first()) {
        let q = root.join(std::ffi::OsStr::from_bytes(rest));
        if q.exists() {
            return q.into_os_string().into_encoded_bytes();
        }
    }
    guest.to_vec()
}

/// The live threads of the process.
pub struct Threads {
    live: Mutex<usize>,
    changed: Condvar,
    /// Each thread's robust list head (thread id → head), for `exit_group` and
    /// `execve`, which end every thread at once.
    robust: Mutex<Vec<(u32, u64)>>,
}

impl Default for Threads {
    fn default() -> Threads {
        Threads {
            live: Mutex::new(1),
            changed: Condvar::new(),
            robust: Mutex::new(Vec::new()),
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
        self.robust_mut().clear();
    }

    fn robust_mut(&self) -> std::sync::MutexGuard<'_, Vec<(u32, u64)>> {
        self.robust.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Thread `tid`'s robust list is at `head` (0: none).
    pub fn set_robust_list(&self, tid: u32, head: u64) {
        let mut r = self.robust_mut();
        r.retain(|e| e.0 != tid);
        if head != 0 {
            r.push((tid, head));
        }
    }

    /// Every thread's robust list, taken: the process ends or execs, and the kernel
    /// releases the locks of each of its threads.
    pub fn take_robust_lists(&self) -> Vec<(u32, u64)> {
        std::mem::take(&mut *self.robust_mut())
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_our_own_proc_entries() {
        let pid = std::process::id();
        assert_eq!(own_proc_entry(b"/proc/self/maps"), Some(&b"maps"[..]));
        assert_eq!(
            own_proc_entry(format!("/proc/{pid}/auxv").as_bytes()),
            Some(&b"auxv"[..])
        );
        assert_eq!(own_proc_entry(b"/proc/thread-self/exe"), Some(&b"exe"[..]));
        assert_eq!(own_proc_entry(b"/proc/1/maps"), None);
        assert_eq!(own_proc_entry(b"/proc/self"), None);
        assert_eq!(own_proc_entry(b"/etc/passwd"), None);
    }

    #[test]
    fn sysroot_paths_are_taken_where_they_exist() {
        let root = std::env::temp_dir();
        let name = format!("e2k-emu-kernel-test-{}", std::process::id());
        std::fs::write(root.join(&name), b"").unwrap();
        let guest = format!("/{name}");
        let found = host_path(Some(&root), guest.as_bytes());
        assert_eq!(
            found,
            root.join(&name).into_os_string().into_encoded_bytes()
        );
        assert_eq!(
            host_path(Some(&root), b"/no/such/e2k-file"),
            b"/no/such/e2k-file"
        );
        assert_eq!(host_path(Some(&root), name.as_bytes()), name.as_bytes());
        assert_eq!(host_path(None, guest.as_bytes()), guest.as_bytes());
        let _ = std::fs::remove_file(root.join(&name));
    }
}
