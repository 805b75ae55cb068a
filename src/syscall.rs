//! The Linux system-call layer of the E2K user-mode ABI: numbers from the E2K kernel,
//! arguments in the callee window (`%r0` number, `%r1..%r6` arguments, result in
//! `%r0`), guest pointers checked against guest memory, structures converted where
//! the E2K layout differs from the host's, the rest passed to the host kernel.

use crate::interp::{self, Event};
use crate::machine::{Machine, Outcome};
use crate::memory::{perm, Access, PAGE};
use nix::libc;
use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;

/// The 64-bit system call entry (`sdisp %ctprN, 3`).
pub const ENTRY_64: u64 = 3;

const ENOSYS: i64 = 38;
const EFAULT: i64 = 14;
const EINVAL: i64 = 22;
const ENOMEM: i64 = 12;
const EBADF: i64 = 9;
const ESRCH: i64 = 3;

// E2K mmap flags (they differ from x86).
const E2K_MAP_SHARED: u64 = 0x1;
const E2K_MAP_PRIVATE: u64 = 0x2;
const E2K_MAP_ANONYMOUS: u64 = 0x10;
const E2K_MAP_FIXED: u64 = 0x100;
const E2K_MAP_FIXED_NOREPLACE: u64 = 0x400000;
const MREMAP_MAYMOVE: u64 = 1;
const AT_FDCWD: i64 = -100;

/// Process-wide state the kernel keeps for the guest.
pub struct Kernel {
    pub brk_start: u64,
    pub brk: u64,
    /// mmap places new mappings below this address.
    pub mmap_top: u64,
    pub exe_path: String,
    pub strace: bool,
    pub sysroot: Option<PathBuf>,
    /// Guest signal dispositions (handler, flags, restorer, mask) by signal number.
    pub sigactions: HashMap<u64, [u64; 4]>,
    pub sigmask: u64,
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
            sigactions: HashMap::new(),
            sigmask: 0,
            clear_child_tid: 0,
            own_fds: vec![],
        }
    }
}

/// A syscall's result: a value for `%r0`, or the end of the process.
enum Ret {
    Val(i64),
    End(Outcome),
}

fn errno() -> i64 {
    -(nix::errno::Errno::last_raw() as i64)
}

fn host(r: i64) -> i64 {
    if r < 0 {
        errno()
    } else {
        r
    }
}

/// Serves the system call the current instruction made through `entry`, with the
/// callee window at `%r(2 * wbs)`; `Ok(Some)` when the process ends.
pub fn call(m: &mut Machine, entry: u64, wbs: u32) -> Result<Option<Outcome>, Event> {
    let base = 2 * wbs;
    let arg = |m: &Machine, k: u32| interp::reg(&m.cpu, base + k).unwrap_or(0);
    let nr = arg(m, 0);
    let a: [u64; 6] = std::array::from_fn(|k| arg(m, k as u32 + 1));
    let r = if entry != ENTRY_64 {
        if m.kernel.strace {
            eprintln!(
                "{} <system call entry {entry} is not supported> = -ENOSYS",
                std::process::id()
            );
        }
        Ret::Val(-ENOSYS)
    } else {
        dispatch(m, nr, a)
    };
    match r {
        Ret::Val(v) => {
            if m.kernel.strace {
                trace(m, nr, &a, v);
            }
            interp::set_reg(&mut m.cpu, base, v as u64);
            Ok(None)
        }
        Ret::End(o) => {
            if m.kernel.strace {
                eprintln!("{} {}({}) = ?", std::process::id(), name(nr), a[0] as i64);
            }
            Ok(Some(o))
        }
    }
}

fn name(nr: u64) -> &'static str {
    SYSCALLS
        .iter()
        .find(|s| s.0 == nr)
        .map_or("unknown", |s| s.1)
}

/// Numbers, names and argument kinds (d number, x hex, s string, p pointer) for -strace.
const SYSCALLS: &[(u64, &str, &str)] = &[
    (1, "exit", "d"),
    (3, "read", "dpd"),
    (4, "write", "dpd"),
    (5, "open", "sxo"),
    (6, "close", "d"),
    (10, "unlink", "s"),
    (12, "chdir", "s"),
    (13, "time", "p"),
    (19, "lseek", "ddd"),
    (20, "getpid", ""),
    (24, "getuid", ""),
    (33, "access", "so"),
    (37, "kill", "dd"),
    (38, "rename", "ss"),
    (39, "mkdir", "so"),
    (40, "rmdir", "s"),
    (41, "dup", "d"),
    (42, "pipe", "p"),
    (43, "times", "p"),
    (45, "brk", "x"),
    (47, "getgid", ""),
    (49, "geteuid", ""),
    (50, "getegid", ""),
    (54, "ioctl", "dxp"),
    (55, "fcntl", "ddx"),
    (60, "umask", "o"),
    (63, "dup2", "dd"),
    (64, "getppid", ""),
    (76, "getrlimit", "dp"),
    (78, "gettimeofday", "pp"),
    (85, "readlink", "spd"),
    (90, "mmap", "xxdxdx"),
    (91, "munmap", "xx"),
    (106, "stat", "sp"),
    (107, "lstat", "sp"),
    (108, "fstat", "dp"),
    (116, "sysinfo", "p"),
    (122, "uname", "p"),
    (125, "mprotect", "xxd"),
    (145, "readv", "dpd"),
    (146, "writev", "dpd"),
    (158, "sched_yield", ""),
    (162, "nanosleep", "pp"),
    (163, "mremap", "xxxdx"),
    (172, "prctl", "dxxxx"),
    (174, "rt_sigaction", "dppd"),
    (175, "rt_sigprocmask", "dppd"),
    (180, "pread64", "dpdd"),
    (181, "pwrite64", "dpdd"),
    (183, "getcwd", "pd"),
    (186, "sigaltstack", "pp"),
    (191, "ugetrlimit", "dp"),
    (199, "getuid32", ""),
    (200, "getgid32", ""),
    (201, "geteuid32", ""),
    (202, "getegid32", ""),
    (219, "madvise", "xxd"),
    (220, "getdents64", "dpd"),
    (224, "newfstatat", "dspx"),
    (244, "gettid", ""),
    (251, "pipe2", "px"),
    (254, "access_hw_stacks", "dppdp"),
    (259, "set_tid_address", "p"),
    (267, "clock_gettime", "dp"),
    (268, "clock_getres", "dp"),
    (269, "clock_nanosleep", "dxpp"),
    (300, "exit_group", "d"),
    (308, "tgkill", "ddd"),
    (335, "openat", "dsxo"),
    (336, "mkdirat", "dso"),
    (339, "unlinkat", "dsx"),
    (340, "renameat", "dsds"),
    (343, "readlinkat", "dspd"),
    (345, "faccessat", "dso"),
    (358, "dup3", "ddx"),
    (366, "set_robust_list", "pd"),
    (375, "prlimit64", "ddpp"),
    (385, "getrandom", "pdx"),
    (402, "statx", "dsxxp"),
];

fn trace(m: &Machine, nr: u64, a: &[u64; 6], ret: i64) {
    let Some(&(_, n, kinds)) = SYSCALLS.iter().find(|s| s.0 == nr) else {
        eprintln!(
            "{} unknown syscall {nr}({:#x}, {:#x}, {:#x}) = -ENOSYS",
            std::process::id(),
            a[0],
            a[1],
            a[2]
        );
        return;
    };
    let args: Vec<String> = kinds
        .chars()
        .zip(a.iter())
        .map(|(k, v)| match k {
            'd' => (*v as i64).to_string(),
            'o' => format!("{v:#o}"),
            's' => match m.mem.c_string(*v, 4096) {
                Ok(s) => format!("{:?}", String::from_utf8_lossy(&s)),
                Err(_) => format!("{v:#x}"),
            },
            _ => format!("{v:#x}"),
        })
        .collect();
    let r = if (-4095..0).contains(&ret) {
        format!(
            "-1 errno={} ({})",
            -ret,
            nix::errno::Errno::from_raw(-ret as i32).desc()
        )
    } else if matches!(nr, 45 | 90 | 163) {
        format!("{ret:#x}")
    } else {
        ret.to_string()
    };
    eprintln!("{} {}({}) = {}", std::process::id(), n, args.join(", "), r);
}

/// A guest path as a host C string (with `-L` applied to absolute paths that exist there).
fn path(m: &Machine, addr: u64) -> Result<CString, i64> {
    let s = m.mem.c_string(addr, 4096).map_err(|_| -EFAULT)?;
    if let (Some(root), Some(b'/')) = (&m.kernel.sysroot, s.first()) {
        let p = root.join(std::str::from_utf8(&s[1..]).unwrap_or(""));
        if p.exists() {
            return CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| -EINVAL);
        }
    }
    CString::new(s).map_err(|_| -EINVAL)
}

fn buf(m: &Machine, addr: u64, len: u64) -> Result<*const libc::c_void, i64> {
    if len == 0 {
        return Ok(std::ptr::null());
    }
    m.mem
        .slice(addr, len as usize, Access::Read)
        .map(|s| s.as_ptr().cast())
        .map_err(|_| -EFAULT)
}

fn buf_mut(m: &mut Machine, addr: u64, len: u64) -> Result<*mut libc::c_void, i64> {
    if len == 0 {
        return Ok(std::ptr::null_mut());
    }
    m.mem
        .slice_mut(addr, len as usize)
        .map(|s| s.as_mut_ptr().cast())
        .map_err(|_| -EFAULT)
}

fn put(m: &mut Machine, addr: u64, bytes: &[u8]) -> Result<(), i64> {
    if addr == 0 {
        return Ok(());
    }
    m.mem.write(addr, bytes).map_err(|_| -EFAULT)
}

/// Guest `open` flags (the generic Linux values) to the host's.
fn open_flags(f: u64) -> i32 {
    let table: [(u64, i32); 15] = [
        (0o3, f as i32 & 3),
        (0o100, libc::O_CREAT),
        (0o200, libc::O_EXCL),
        (0o400, libc::O_NOCTTY),
        (0o1000, libc::O_TRUNC),
        (0o2000, libc::O_APPEND),
        (0o4000, libc::O_NONBLOCK),
        (0o10000, libc::O_DSYNC),
        (0o40000, libc::O_DIRECT),
        (0o100000, libc::O_LARGEFILE),
        (0o200000, libc::O_DIRECTORY),
        (0o400000, libc::O_NOFOLLOW),
        (0o1000000, libc::O_NOATIME),
        (0o2000000, libc::O_CLOEXEC),
        (0o10000000, libc::O_PATH),
    ];
    table
        .iter()
        .filter(|(g, _)| f & g != 0)
        .fold(0, |a, (_, h)| a | h)
        | (f as i32 & 3)
}

/// The E2K `struct stat` (112 bytes) from the host's (field types differ by host).
#[allow(clippy::unnecessary_cast)]
fn e2k_stat(s: &libc::stat) -> [u8; 112] {
    let mut o = [0u8; 112];
    let mut put32 = |at: usize, v: u64| o[at..at + 4].copy_from_slice(&(v as u32).to_le_bytes());
    put32(0, s.st_dev);
    put32(16, s.st_mode as u64);
    put32(20, s.st_nlink);
    put32(24, s.st_uid as u64);
    put32(28, s.st_gid as u64);
    put32(32, s.st_rdev);
    let words: [(usize, u64); 10] = [
        (8, s.st_ino),
        (40, s.st_size as u64),
        (48, s.st_blksize as u64),
        (56, s.st_blocks as u64),
        (64, s.st_atime as u64),
        (72, s.st_atime_nsec as u64),
        (80, s.st_mtime as u64),
        (88, s.st_mtime_nsec as u64),
        (96, s.st_ctime as u64),
        (104, s.st_ctime_nsec as u64),
    ];
    for (at, v) in words {
        o[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
    o
}

fn stat_out(m: &mut Machine, r: i32, st: &libc::stat, out: u64) -> i64 {
    if r < 0 {
        return errno();
    }
    match put(m, out, &e2k_stat(st)) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// Guest pointers in an iovec array, checked, as host iovecs.
fn iovecs(m: &mut Machine, addr: u64, n: u64, write: bool) -> Result<Vec<libc::iovec>, i64> {
    if n > 1024 {
        return Err(-EINVAL);
    }
    let raw = m
        .mem
        .slice(addr, 16 * n as usize, Access::Read)
        .map_err(|_| -EFAULT)?
        .to_vec();
    let mut v = Vec::new();
    for k in 0..n as usize {
        let base = u64::from_le_bytes(raw[16 * k..16 * k + 8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(raw[16 * k + 8..16 * k + 16].try_into().unwrap_or_default());
        let p = if write {
            buf_mut(m, base, len)?
        } else {
            buf(m, base, len)? as *mut libc::c_void
        };
        v.push(libc::iovec {
            iov_base: p,
            iov_len: len as usize,
        });
    }
    Ok(v)
}

fn prot(p: u64) -> u8 {
    (if p & 1 != 0 { perm::READ } else { 0 })
        | (if p & 2 != 0 { perm::WRITE } else { 0 })
        | (if p & 4 != 0 { perm::EXEC } else { 0 })
}

fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE - 1).map(|v| v & !(PAGE - 1))
}

fn range_free(m: &Machine, addr: u64, len: u64) -> bool {
    (addr..addr + len)
        .step_by(PAGE as usize)
        .all(|a| m.mem.page_perm(a) & perm::MAPPED == 0)
}

fn mmap(m: &mut Machine, a: [u64; 6]) -> i64 {
    let [addr, len, p, flags, fd, off] = a;
    let Some(len) = page_up(len).filter(|l| *l > 0) else {
        return -EINVAL;
    };
    if off % PAGE != 0 || addr % PAGE != 0 && flags & E2K_MAP_FIXED != 0 {
        return -EINVAL;
    }
    let fixed = flags & (E2K_MAP_FIXED | E2K_MAP_FIXED_NOREPLACE) != 0;
    let at = if fixed {
        if addr.checked_add(len).is_none_or(|e| e > m.kernel.mmap_top) {
            return -ENOMEM;
        }
        if flags & E2K_MAP_FIXED_NOREPLACE != 0 && !range_free(m, addr, len) {
            return -17; // EEXIST
        }
        addr
    } else if addr != 0
        && addr % PAGE == 0
        && addr
            .checked_add(len)
            .is_some_and(|e| e <= m.kernel.mmap_top)
        && range_free(m, addr, len)
    {
        addr
    } else {
        match m.mem.find_free(len, m.kernel.mmap_top) {
            Some(a) if a >= m.kernel.brk + (64 << 20) => a,
            _ => return -ENOMEM,
        }
    };
    if m.mem.unmap(at, len).is_err() {
        return -ENOMEM;
    }
    let r = if flags & E2K_MAP_ANONYMOUS != 0 {
        m.mem.map(at, len, prot(p))
    } else {
        let shared = flags & 3 == E2K_MAP_SHARED;
        if flags & 3 != E2K_MAP_SHARED && flags & 3 != E2K_MAP_PRIVATE {
            return -EINVAL;
        }
        if (fd as i64) < 0 {
            return -EBADF;
        }
        // SAFETY: the descriptor stays open for the duration of the call.
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd as i32) };
        m.mem.map_file(at, len, prot(p), bfd, off, shared)
    };
    match r {
        Ok(()) => {
            m.code_changed();
            at as i64
        }
        Err(crate::memory::MemError::Host(e)) => -(e as i64),
        Err(_) => -EINVAL,
    }
}

fn mremap(m: &mut Machine, a: [u64; 6]) -> i64 {
    let [old, old_len, new_len, flags, _, _] = a;
    let (Some(old_len), Some(new_len)) = (page_up(old_len), page_up(new_len)) else {
        return -EINVAL;
    };
    if old % PAGE != 0 || new_len == 0 || old.checked_add(old_len.max(new_len)).is_none() {
        return -EINVAL;
    }
    let p = m.mem.page_perm(old) & !perm::MAPPED;
    if new_len <= old_len {
        let _ = m.mem.unmap(old + new_len, old_len - new_len);
        m.code_changed();
        return old as i64;
    }
    if old + new_len <= m.kernel.mmap_top && range_free(m, old + old_len, new_len - old_len) {
        return match m.mem.map(old + old_len, new_len - old_len, p) {
            Ok(()) => old as i64,
            Err(_) => -ENOMEM,
        };
    }
    if flags & MREMAP_MAYMOVE == 0 {
        return -ENOMEM;
    }
    let Some(at) = m.mem.find_free(new_len, m.kernel.mmap_top) else {
        return -ENOMEM;
    };
    if m.mem.map(at, new_len, perm::READ | perm::WRITE).is_err() {
        return -ENOMEM;
    }
    let mut data = vec![0u8; old_len as usize];
    for (k, chunk) in data.chunks_mut(PAGE as usize).enumerate() {
        let a = old + k as u64 * PAGE;
        // Readable or not, the kernel moves the pages as they are.
        let _ = m.mem.read_initial(a, chunk);
    }
    let _ = m.mem.write_initial(at, &data);
    let _ = m.mem.protect(at, new_len, p);
    let _ = m.mem.unmap(old, old_len);
    m.code_changed();
    at as i64
}

fn brk(m: &mut Machine, want: u64) -> i64 {
    let k = &m.kernel;
    if want < k.brk_start || want > k.mmap_top.saturating_sub(64 << 20) {
        return k.brk as i64;
    }
    let Some(new_end) = page_up(want) else {
        return k.brk as i64;
    };
    let old_end = page_up(k.brk).unwrap_or(k.brk);
    if new_end > old_end {
        if !range_free(m, old_end, new_end - old_end)
            || m.mem
                .map(old_end, new_end - old_end, perm::READ | perm::WRITE)
                .is_err()
        {
            return m.kernel.brk as i64;
        }
    } else if new_end < old_end {
        let _ = m.mem.unmap(new_end, old_end - new_end);
    }
    m.kernel.brk = want;
    want as i64
}

fn readlink(m: &mut Machine, dirfd: i64, p: u64, out: u64, size: u64) -> i64 {
    let path = match path(m, p) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if path.as_bytes() == b"/proc/self/exe"
        || path.as_bytes() == format!("/proc/{}/exe", std::process::id()).as_bytes()
    {
        let exe = std::fs::canonicalize(&m.kernel.exe_path)
            .map_or(m.kernel.exe_path.clone(), |p| {
                p.to_string_lossy().into_owned()
            });
        let n = exe.len().min(size as usize);
        return match put(m, out, &exe.as_bytes()[..n]) {
            Ok(()) => n as i64,
            Err(e) => e,
        };
    }
    let b = match buf_mut(m, out, size) {
        Ok(b) => b,
        Err(e) => return e,
    };
    // SAFETY: `b` points to `size` writable guest bytes.
    host(unsafe { libc::readlinkat(dirfd as i32, path.as_ptr(), b.cast(), size as usize) } as i64)
}

fn sigaction(m: &mut Machine, sig: u64, act: u64, old: u64, size: u64) -> i64 {
    if !(1..=64).contains(&sig) || size != 8 || sig == 9 || sig == 19 {
        return -EINVAL;
    }
    let prev = m.kernel.sigactions.get(&sig).copied().unwrap_or([0; 4]);
    if act != 0 {
        let Ok(raw) = m.mem.slice(act, 32, Access::Read) else {
            return -EFAULT;
        };
        let w: [u64; 4] = std::array::from_fn(|k| {
            u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default())
        });
        m.kernel.sigactions.insert(sig, w);
    }
    let bytes: Vec<u8> = prev.iter().flat_map(|w| w.to_le_bytes()).collect();
    match put(m, old, &bytes) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// A signal the guest sends itself: ignored, or the default action (ends the process).
fn self_signal(m: &Machine, sig: u64) -> Ret {
    if sig == 0 {
        return Ret::Val(0);
    }
    let handler = m.kernel.sigactions.get(&sig).map_or(0, |a| a[0]);
    // Default-ignored signals: SIGCHLD, SIGCONT, SIGURG, SIGWINCH.
    if handler == 1 || (handler == 0 && matches!(sig, 17 | 18 | 23 | 28)) {
        return Ret::Val(0);
    }
    Ret::End(Outcome::Killed {
        signal: sig as i32,
        report: String::new(),
    })
}

fn access_hw_stacks(m: &mut Machine, a: [u64; 6]) -> i64 {
    let [mode, _frame, out, size, real_size, _] = a;
    let (data, addr) = match mode {
        // Read the chain stack or the procedure stack as it stands.
        0 => (m.cpu.pcs.ind, m.cpu.pcs.base),
        1 => (m.cpu.ps.ind, m.cpu.ps.base),
        3 | 4 => return m.cpu.pcs.ind as i64,
        5 => return m.cpu.ps.ind as i64,
        _ => return -EINVAL,
    };
    if size < data {
        return -ENOMEM;
    }
    let mut bytes = vec![0u8; data as usize];
    // The stacks are kernel memory: read them past the guest's permissions.
    if m.mem.read_initial(addr, &mut bytes).is_err() {
        return -EFAULT;
    }
    if let Err(e) = put(m, out, &bytes) {
        return e;
    }
    match put(m, real_size, &data.to_le_bytes()) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

fn dispatch(m: &mut Machine, nr: u64, a: [u64; 6]) -> Ret {
    Ret::Val(match run(m, nr, a) {
        Ok(Ret::Val(v)) => v,
        Ok(end) => return end,
        Err(e) => e,
    })
}

fn run(m: &mut Machine, nr: u64, a: [u64; 6]) -> Result<Ret, i64> {
    let v = |x: i64| Ok(Ret::Val(x));
    let (fd, i1, i2) = (a[0] as i32, a[1], a[2]);
    // SAFETY (all libc calls below): every pointer passed to the host is either null
    // or comes from `buf`/`buf_mut`/`path`, which checked the guest range.
    match nr {
        1 | 300 => Ok(Ret::End(Outcome::Exited(a[0] as i32))),
        3 => {
            let b = buf_mut(m, i1, i2)?;
            v(host(unsafe { libc::read(fd, b, i2 as usize) } as i64))
        }
        4 => {
            let b = buf(m, i1, i2)?;
            v(host(unsafe { libc::write(fd, b, i2 as usize) } as i64))
        }
        145 | 146 => {
            let iov = iovecs(m, i1, i2, nr == 145)?;
            let r = if nr == 145 {
                unsafe { libc::readv(fd, iov.as_ptr(), iov.len() as i32) }
            } else {
                unsafe { libc::writev(fd, iov.as_ptr(), iov.len() as i32) }
            };
            v(host(r as i64))
        }
        180 => {
            let b = buf_mut(m, i1, i2)?;
            v(host(
                unsafe { libc::pread(fd, b, i2 as usize, a[3] as i64) } as i64,
            ))
        }
        181 => {
            let b = buf(m, i1, i2)?;
            v(host(
                unsafe { libc::pwrite(fd, b, i2 as usize, a[3] as i64) } as i64,
            ))
        }
        5 | 335 => {
            let (dirfd, p, flags, mode) = if nr == 5 {
                (AT_FDCWD, a[0], a[1], a[2])
            } else {
                (a[0] as i64, a[1], a[2], a[3])
            };
            let p = path(m, p)?;
            v(host(unsafe {
                libc::openat(
                    dirfd as i32,
                    p.as_ptr(),
                    open_flags(flags),
                    mode as libc::c_uint,
                )
            } as i64))
        }
        6 => {
            if m.kernel.own_fds.contains(&fd) {
                return v(-EBADF);
            }
            v(host(unsafe { libc::close(fd) } as i64))
        }
        19 => v(host(unsafe { libc::lseek(fd, a[1] as i64, a[2] as i32) })),
        106 | 107 => {
            let p = path(m, a[0])?;
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            let r = unsafe {
                if nr == 106 {
                    libc::stat(p.as_ptr(), &mut st)
                } else {
                    libc::lstat(p.as_ptr(), &mut st)
                }
            };
            v(stat_out(m, r, &st, a[1]))
        }
        108 => {
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::fstat(fd, &mut st) };
            v(stat_out(m, r, &st, a[1]))
        }
        224 => {
            let p = path(m, a[1])?;
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::fstatat(a[0] as i32, p.as_ptr(), &mut st, a[3] as i32) };
            v(stat_out(m, r, &st, a[2]))
        }
        402 => {
            let p = path(m, a[1])?;
            let b = buf_mut(m, a[4], 256)?;
            v(host(unsafe {
                libc::syscall(
                    libc::SYS_statx,
                    a[0] as i32,
                    p.as_ptr(),
                    a[2] as i32,
                    a[3] as u32,
                    b,
                )
            }))
        }
        220 => {
            let b = buf_mut(m, i1, i2)?;
            v(host(unsafe {
                libc::syscall(libc::SYS_getdents64, fd, b, i2 as usize)
            }))
        }
        90 => v(mmap(m, a)),
        91 => {
            let Some(len) = page_up(a[1]) else {
                return v(-EINVAL);
            };
            if !a[0].is_multiple_of(PAGE)
                || a[0].checked_add(len).is_none_or(|e| e > m.kernel.mmap_top)
            {
                return v(-EINVAL);
            }
            m.code_changed();
            v(if m.mem.unmap(a[0], len).is_ok() {
                0
            } else {
                -EINVAL
            })
        }
        125 => {
            let Some(len) = page_up(a[1]) else {
                return v(-EINVAL);
            };
            if !a[0].is_multiple_of(PAGE)
                || a[0].checked_add(len).is_none_or(|e| e > m.kernel.mmap_top)
            {
                return v(-EINVAL);
            }
            m.code_changed();
            v(match m.mem.protect(a[0], len, prot(a[2])) {
                Ok(true) => 0,
                _ => -ENOMEM,
            })
        }
        163 => v(mremap(m, a)),
        45 => v(brk(m, a[0])),
        219 => {
            // MADV_DONTNEED drops private contents; the other advice changes nothing here.
            if a[2] == 4 {
                if let Some(len) = page_up(a[1]) {
                    if a[0].is_multiple_of(PAGE)
                        && a[0]
                            .checked_add(len)
                            .is_some_and(|e| e <= m.kernel.mmap_top)
                    {
                        let _ = m.mem.discard(a[0], len);
                    }
                }
            }
            v(0)
        }
        20 => v(std::process::id() as i64),
        64 => v(nix::unistd::getppid().as_raw() as i64),
        244 => v(nix::unistd::gettid().as_raw() as i64),
        24 | 199 => v(nix::unistd::getuid().as_raw() as i64),
        49 | 201 => v(nix::unistd::geteuid().as_raw() as i64),
        47 | 200 => v(nix::unistd::getgid().as_raw() as i64),
        50 | 202 => v(nix::unistd::getegid().as_raw() as i64),
        122 => {
            let mut u: libc::utsname = unsafe { std::mem::zeroed() };
            if unsafe { libc::uname(&mut u) } < 0 {
                return v(errno());
            }
            let mut out = [0u8; 6 * 65];
            let fields = [
                &u.sysname[..],
                &u.nodename[..],
                &u.release[..],
                &u.version[..],
                &u.machine[..],
                &u.domainname[..],
            ];
            for (k, f) in fields.iter().enumerate() {
                for (j, c) in f.iter().take(64).enumerate() {
                    out[65 * k + j] = *c as u8;
                }
            }
            out[4 * 65..5 * 65].fill(0);
            out[4 * 65..4 * 65 + 3].copy_from_slice(b"e2k");
            put(m, a[0], &out)?;
            v(0)
        }
        267 | 268 => {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            let r = unsafe {
                if nr == 267 {
                    libc::clock_gettime(a[0] as i32, &mut ts)
                } else {
                    libc::clock_getres(a[0] as i32, &mut ts)
                }
            };
            if r < 0 {
                return v(errno());
            }
            put(
                m,
                a[1],
                &[
                    (ts.tv_sec as u64).to_le_bytes(),
                    (ts.tv_nsec as u64).to_le_bytes(),
                ]
                .concat(),
            )?;
            v(0)
        }
        78 => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            put(
                m,
                a[0],
                &[
                    now.as_secs().to_le_bytes(),
                    (now.subsec_micros() as u64).to_le_bytes(),
                ]
                .concat(),
            )?;
            if a[1] != 0 {
                put(m, a[1], &[0u8; 8])?;
            }
            v(0)
        }
        13 => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            put(m, a[0], &now.to_le_bytes())?;
            v(now as i64)
        }
        162 | 269 => {
            let (req, rem) = if nr == 162 {
                (a[0], a[1])
            } else {
                (a[2], a[3])
            };
            let r = buf(m, req, 16)?;
            let w = if rem != 0 {
                buf_mut(m, rem, 16)?
            } else {
                std::ptr::null_mut()
            };
            let res = if nr == 162 {
                host(unsafe { libc::nanosleep(r.cast(), w.cast()) } as i64)
            } else {
                -(unsafe { libc::clock_nanosleep(a[0] as i32, a[1] as i32, r.cast(), w.cast()) }
                    as i64)
            };
            v(res)
        }
        174 => v(sigaction(m, a[0], a[1], a[2], a[3])),
        175 => {
            let old = m.kernel.sigmask;
            if a[1] != 0 {
                let raw = m.mem.slice(a[1], 8, Access::Read).map_err(|_| -EFAULT)?;
                let set = u64::from_le_bytes(raw.try_into().unwrap_or_default());
                m.kernel.sigmask = match a[0] {
                    0 => old | set,
                    1 => old & !set,
                    2 => set,
                    _ => return v(-EINVAL),
                } & !(1 << 8 | 1 << 18);
            }
            put(m, a[2], &old.to_le_bytes())?;
            v(0)
        }
        186 => {
            if a[1] != 0 {
                // No alternate stack is in use: ss_sp 0, ss_flags SS_DISABLE, ss_size 0.
                put(
                    m,
                    a[1],
                    &[0u64.to_le_bytes(), 2u64.to_le_bytes(), 0u64.to_le_bytes()].concat(),
                )?;
            }
            v(0)
        }
        37 => {
            let pid = a[0] as i64 as i32;
            if pid == std::process::id() as i32 || pid == 0 {
                return Ok(self_signal(m, a[1]));
            }
            v(host(unsafe { libc::kill(pid, a[1] as i32) } as i64))
        }
        308 => {
            if a[0] as i32 == std::process::id() as i32
                && a[1] as i32 == nix::unistd::gettid().as_raw()
            {
                return Ok(self_signal(m, a[2]));
            }
            v(-ESRCH)
        }
        54 => match a[1] {
            0x5401 => {
                let b = buf_mut(m, a[2], 36)?;
                v(host(unsafe { libc::ioctl(fd, libc::TCGETS, b) } as i64))
            }
            0x5413 => {
                let b = buf_mut(m, a[2], 8)?;
                v(host(unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, b) } as i64))
            }
            _ => v(-25), // ENOTTY
        },
        385 => {
            let b = buf_mut(m, a[0], a[1])?;
            v(host(
                unsafe { libc::getrandom(b, a[1] as usize, a[2] as u32) } as i64,
            ))
        }
        183 => {
            let cwd = std::env::current_dir().map_err(|_| -2)?;
            let mut bytes = cwd.as_os_str().as_encoded_bytes().to_vec();
            bytes.push(0);
            if bytes.len() as u64 > a[1] {
                return v(-34); // ERANGE
            }
            put(m, a[0], &bytes)?;
            v(bytes.len() as i64)
        }
        12 => {
            let p = path(m, a[0])?;
            v(host(unsafe { libc::chdir(p.as_ptr()) } as i64))
        }
        85 => v(readlink(m, AT_FDCWD, a[0], a[1], a[2])),
        343 => v(readlink(m, a[0] as i64, a[1], a[2], a[3])),
        33 => {
            let p = path(m, a[0])?;
            v(host(unsafe { libc::access(p.as_ptr(), a[1] as i32) } as i64))
        }
        345 => {
            let p = path(m, a[1])?;
            v(host(
                unsafe { libc::faccessat(a[0] as i32, p.as_ptr(), a[2] as i32, 0) } as i64,
            ))
        }
        42 | 251 => {
            let mut fds = [0i32; 2];
            let flags = if nr == 251 {
                open_flags(a[1]) & (libc::O_CLOEXEC | libc::O_NONBLOCK)
            } else {
                0
            };
            if unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } < 0 {
                return v(errno());
            }
            put(
                m,
                a[0],
                &[fds[0].to_le_bytes(), fds[1].to_le_bytes()].concat(),
            )?;
            v(0)
        }
        41 => v(host(unsafe { libc::dup(fd) } as i64)),
        63 | 358 => {
            if m.kernel.own_fds.contains(&(a[1] as i32)) {
                return v(-EBADF);
            }
            if nr == 63 {
                v(host(unsafe { libc::dup2(fd, a[1] as i32) } as i64))
            } else {
                v(host(
                    unsafe { libc::dup3(fd, a[1] as i32, open_flags(a[2]) & libc::O_CLOEXEC) }
                        as i64,
                ))
            }
        }
        55 => {
            let cmd = a[1] as i32;
            let arg = match cmd {
                libc::F_SETFL => open_flags(a[2]) as i64,
                _ => a[2] as i64,
            };
            match cmd {
                libc::F_DUPFD
                | libc::F_DUPFD_CLOEXEC
                | libc::F_GETFD
                | libc::F_SETFD
                | libc::F_GETFL
                | libc::F_SETFL => v(host(unsafe { libc::fcntl(fd, cmd, arg) } as i64)),
                _ => v(-EINVAL),
            }
        }
        10 | 40 => {
            let p = path(m, a[0])?;
            v(host(unsafe {
                if nr == 10 {
                    libc::unlink(p.as_ptr())
                } else {
                    libc::rmdir(p.as_ptr())
                }
            } as i64))
        }
        339 => {
            let p = path(m, a[1])?;
            v(host(
                unsafe { libc::unlinkat(a[0] as i32, p.as_ptr(), a[2] as i32) } as i64,
            ))
        }
        39 => {
            let p = path(m, a[0])?;
            v(host(
                unsafe { libc::mkdir(p.as_ptr(), a[1] as libc::mode_t) } as i64,
            ))
        }
        336 => {
            let p = path(m, a[1])?;
            v(host(
                unsafe { libc::mkdirat(a[0] as i32, p.as_ptr(), a[2] as libc::mode_t) } as i64,
            ))
        }
        38 => {
            let (p, q) = (path(m, a[0])?, path(m, a[1])?);
            v(host(unsafe { libc::rename(p.as_ptr(), q.as_ptr()) } as i64))
        }
        340 => {
            let (p, q) = (path(m, a[1])?, path(m, a[3])?);
            v(host(
                unsafe { libc::renameat(a[0] as i32, p.as_ptr(), a[2] as i32, q.as_ptr()) } as i64,
            ))
        }
        259 => {
            m.kernel.clear_child_tid = a[0];
            v(nix::unistd::gettid().as_raw() as i64)
        }
        366 => v(0),
        375 | 76 | 191 => {
            let (res, new, old) = if nr == 375 {
                (a[1], a[2], a[3])
            } else {
                (a[0], 0, a[1])
            };
            if nr == 375 && a[0] != 0 && a[0] as i32 != std::process::id() as i32 {
                return v(-ESRCH);
            }
            let n = if new != 0 {
                buf(m, new, 16)?
            } else {
                std::ptr::null()
            };
            let o = if old != 0 {
                buf_mut(m, old, 16)?
            } else {
                std::ptr::null_mut()
            };
            v(host(unsafe {
                libc::syscall(libc::SYS_prlimit64, 0, res as i32, n, o)
            }))
        }
        158 => v(host(unsafe { libc::sched_yield() } as i64)),
        43 => {
            let mut t: libc::tms = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::times(&mut t) };
            let words = [t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime];
            put(
                m,
                a[0],
                &words
                    .iter()
                    .flat_map(|w| (*w as u64).to_le_bytes())
                    .collect::<Vec<u8>>(),
            )?;
            v(r as i64)
        }
        60 => v(unsafe { libc::umask(a[0] as libc::mode_t) } as i64),
        116 => {
            let b = buf_mut(m, a[0], std::mem::size_of::<libc::sysinfo>() as u64)?;
            v(host(unsafe { libc::sysinfo(b.cast()) } as i64))
        }
        254 => v(access_hw_stacks(m, a)),
        _ => v(-ENOSYS),
    }
}
