//! Files and descriptors: reading and writing, opening and closing, metadata, paths,
//! directories, pipes and descriptor control. Paths go through `-L`; flags and
//! structures are converted where E2K and the host differ.
//!
//! SAFETY (every libc call here): each pointer passed to the host is null or comes
//! from `buf`/`buf_mut`/`path`, which checked the guest range.

use super::abi::{
    blocking, buf, buf_mut, errno, guest_path, host, opt_buf_mut, path, put, val, Sys, SysResult,
    EBADF, EFAULT, EINVAL, ENOENT, ENOTTY, ERANGE,
};
use crate::guest::memory::Access;
use crate::linux::kernel::own_proc_entry;
use nix::libc;

const AT_FDCWD: i64 = -100;

/// Guest `open` flags (the generic Linux values) to the host's.
fn open_flags(f: u64) -> i32 {
    let table: [(u64, i32); 14] = [
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
    put32(20, s.st_nlink as u64);
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

/// Runs a host stat call and stores its result as the E2K structure at `out`.
fn stat_into(s: &mut Sys, out: u64, f: impl FnOnce(*mut libc::stat) -> i32) -> SysResult {
    // SAFETY: `libc::stat` is plain data; zero is a valid value.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if f(&mut st) < 0 {
        return val(errno());
    }
    put(s, out, &e2k_stat(&st))?;
    val(0)
}

/// Guest iovecs, checked, as host iovecs.
fn iovecs(s: &mut Sys, addr: u64, n: u64, write: bool) -> Result<Vec<libc::iovec>, i64> {
    if n > 1024 {
        return Err(-EINVAL);
    }
    let raw = s
        .mem
        .slice(addr, 16 * n as usize, Access::Read)
        .map_err(|_| -EFAULT)?
        .to_vec();
    let mut v = Vec::new();
    for k in 0..n as usize {
        let base = u64::from_le_bytes(raw[16 * k..16 * k + 8].try_into().unwrap_or_default());
        let len = u64::from_le_bytes(raw[16 * k + 8..16 * k + 16].try_into().unwrap_or_default());
        let p = if write {
            buf_mut(s, base, len)?
        } else {
            buf(s, base, len)? as *mut libc::c_void
        };
        v.push(libc::iovec {
            iov_base: p,
            iov_len: len as usize,
        });
    }
    Ok(v)
}

pub fn read(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf_mut(s, a[1], a[2])? as u64;
    val(unsafe { blocking(s, libc::SYS_read, [a[0], b, a[2], 0, 0, 0]) })
}

pub fn write(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf(s, a[1], a[2])? as u64;
    val(unsafe { blocking(s, libc::SYS_write, [a[0], b, a[2], 0, 0, 0]) })
}

pub fn readv(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let iov = iovecs(s, a[1], a[2], true)?;
    let (p, n) = (iov.as_ptr() as u64, iov.len() as u64);
    val(unsafe { blocking(s, libc::SYS_readv, [a[0], p, n, 0, 0, 0]) })
}

pub fn writev(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let iov = iovecs(s, a[1], a[2], false)?;
    let (p, n) = (iov.as_ptr() as u64, iov.len() as u64);
    val(unsafe { blocking(s, libc::SYS_writev, [a[0], p, n, 0, 0, 0]) })
}

pub fn pread64(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf_mut(s, a[1], a[2])?;
    val(host(
        unsafe { libc::pread(a[0] as i32, b, a[2] as usize, a[3] as i64) } as i64,
    ))
}

pub fn pwrite64(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf(s, a[1], a[2])?;
    val(host(
        unsafe { libc::pwrite(a[0] as i32, b, a[2] as usize, a[3] as i64) } as i64,
    ))
}

fn open_at(s: &mut Sys, dirfd: i64, p: u64, flags: u64, mode: u64) -> SysResult {
    if let Some(fd) = super::procfs::open(s, &guest_path(s, p)?, flags, open_flags(flags)) {
        return val(fd);
    }
    let p = path(s, p)?;
    val(host(unsafe {
        libc::openat(
            dirfd as i32,
            p.as_ptr(),
            open_flags(flags),
            mode as libc::c_uint,
        )
    } as i64))
}

pub fn open(s: &mut Sys, a: [u64; 6]) -> SysResult {
    open_at(s, AT_FDCWD, a[0], a[1], a[2])
}

pub fn openat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    open_at(s, a[0] as i64, a[1], a[2], a[3])
}

pub fn close(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let fd = a[0] as i32;
    if s.kernel.own_fds.contains(&fd) {
        return val(-EBADF);
    }
    val(host(unsafe { libc::close(fd) } as i64))
}

pub fn lseek(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe {
        libc::lseek(a[0] as i32, a[1] as i64, a[2] as i32)
    }))
}

pub fn stat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    stat_into(s, a[1], |st| unsafe { libc::stat(p.as_ptr(), st) })
}

pub fn lstat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    stat_into(s, a[1], |st| unsafe { libc::lstat(p.as_ptr(), st) })
}

pub fn fstat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    stat_into(s, a[1], |st| unsafe { libc::fstat(a[0] as i32, st) })
}

pub fn newfstatat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[1])?;
    stat_into(s, a[2], |st| unsafe {
        libc::fstatat(a[0] as i32, p.as_ptr(), st, a[3] as i32)
    })
}

/// `struct statx` has one layout on every Linux, so the host's is the guest's.
pub fn statx(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[1])?;
    let b = buf_mut(s, a[4], 256)?;
    val(host(unsafe {
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

pub fn getdents64(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf_mut(s, a[1], a[2])?;
    val(host(unsafe {
        libc::syscall(libc::SYS_getdents64, a[0] as i32, b, a[2] as usize)
    }))
}

/// readlink and readlinkat, with `/proc/self/exe` naming the guest program.
fn read_link(s: &mut Sys, dirfd: i64, p: u64, out: u64, size: u64) -> SysResult {
    if own_proc_entry(&guest_path(s, p)?) == Some(b"exe") {
        let exe = s.kernel.exe_host();
        let n = exe.len().min(size as usize);
        put(s, out, &exe.as_bytes()[..n])?;
        return val(n as i64);
    }
    let p = path(s, p)?;
    let b = buf_mut(s, out, size)?;
    val(host(
        unsafe { libc::readlinkat(dirfd as i32, p.as_ptr(), b.cast(), size as usize) } as i64,
    ))
}

pub fn readlink(s: &mut Sys, a: [u64; 6]) -> SysResult {
    read_link(s, AT_FDCWD, a[0], a[1], a[2])
}

pub fn readlinkat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    read_link(s, a[0] as i64, a[1], a[2], a[3])
}

pub fn access(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(unsafe { libc::access(p.as_ptr(), a[1] as i32) } as i64))
}

pub fn faccessat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[1])?;
    val(host(
        unsafe { libc::faccessat(a[0] as i32, p.as_ptr(), a[2] as i32, 0) } as i64,
    ))
}

fn make_pipe(s: &mut Sys, out: u64, flags: i32) -> SysResult {
    let mut fds = [0i32; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } < 0 {
        return val(errno());
    }
    put(
        s,
        out,
        &[fds[0].to_le_bytes(), fds[1].to_le_bytes()].concat(),
    )?;
    val(0)
}

pub fn pipe(s: &mut Sys, a: [u64; 6]) -> SysResult {
    make_pipe(s, a[0], 0)
}

pub fn pipe2(s: &mut Sys, a: [u64; 6]) -> SysResult {
    make_pipe(
        s,
        a[0],
        open_flags(a[1]) & (libc::O_CLOEXEC | libc::O_NONBLOCK),
    )
}

pub fn dup(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::dup(a[0] as i32) } as i64))
}

pub fn dup2(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if s.kernel.own_fds.contains(&(a[1] as i32)) {
        return val(-EBADF);
    }
    val(host(unsafe { libc::dup2(a[0] as i32, a[1] as i32) } as i64))
}

pub fn dup3(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if s.kernel.own_fds.contains(&(a[1] as i32)) {
        return val(-EBADF);
    }
    val(host(
        unsafe { libc::dup3(a[0] as i32, a[1] as i32, open_flags(a[2]) & libc::O_CLOEXEC) } as i64,
    ))
}

pub fn fcntl(_: &mut Sys, a: [u64; 6]) -> SysResult {
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
        | libc::F_SETFL => val(host(unsafe { libc::fcntl(a[0] as i32, cmd, arg) } as i64)),
        _ => val(-EINVAL),
    }
}

/// Terminal queries only: TCGETS and TIOCGWINSZ (same layouts on E2K and the host).
pub fn ioctl(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (request, size) = match a[1] {
        0x5401 => (libc::TCGETS, 36),
        0x5413 => (libc::TIOCGWINSZ, 8),
        _ => return val(-ENOTTY),
    };
    let b = buf_mut(s, a[2], size)?;
    val(host(unsafe { libc::ioctl(a[0] as i32, request, b) } as i64))
}

pub fn unlink(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(unsafe { libc::unlink(p.as_ptr()) } as i64))
}

pub fn rmdir(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(unsafe { libc::rmdir(p.as_ptr()) } as i64))
}

pub fn unlinkat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[1])?;
    val(host(
        unsafe { libc::unlinkat(a[0] as i32, p.as_ptr(), a[2] as i32) } as i64,
    ))
}

pub fn mkdir(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(
        unsafe { libc::mkdir(p.as_ptr(), a[1] as libc::mode_t) } as i64,
    ))
}

pub fn mkdirat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[1])?;
    val(host(
        unsafe { libc::mkdirat(a[0] as i32, p.as_ptr(), a[2] as libc::mode_t) } as i64,
    ))
}

pub fn rename(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (p, q) = (path(s, a[0])?, path(s, a[1])?);
    val(host(unsafe { libc::rename(p.as_ptr(), q.as_ptr()) } as i64))
}

pub fn renameat(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (p, q) = (path(s, a[1])?, path(s, a[3])?);
    val(host(
        unsafe { libc::renameat(a[0] as i32, p.as_ptr(), a[2] as i32, q.as_ptr()) } as i64,
    ))
}

pub fn getcwd(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let cwd = std::env::current_dir().map_err(|_| -ENOENT)?;
    let mut bytes = cwd.as_os_str().as_encoded_bytes().to_vec();
    bytes.push(0);
    if bytes.len() as u64 > a[1] {
        return val(-ERANGE);
    }
    put(s, a[0], &bytes)?;
    val(bytes.len() as i64)
}

pub fn chdir(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(unsafe { libc::chdir(p.as_ptr()) } as i64))
}

pub fn umask(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(unsafe { libc::umask(a[0] as libc::mode_t) } as i64)
}

/// `struct pollfd` has the host's layout.
pub fn poll(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let n = a[1].min(1 << 20);
    let fds = opt_buf_mut(s, a[0], 8 * n)? as u64;
    // poll(fds, n, ms) as ppoll with a timespec: one host call on every host.
    let ms = a[2] as i32;
    let ts = libc::timespec {
        tv_sec: (ms / 1000) as i64,
        tv_nsec: (ms % 1000) as i64 * 1_000_000,
    };
    let t = if ms < 0 {
        0
    } else {
        &ts as *const libc::timespec as u64
    };
    val(unsafe { blocking(s, libc::SYS_ppoll, [fds, n, t, 0, 8, 0]) })
}

/// ppoll: the temporary signal mask is the guest's business (the host's stays).
pub fn ppoll(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let n = a[1].min(1 << 20);
    let fds = opt_buf_mut(s, a[0], 8 * n)?;
    let t = if a[2] != 0 {
        buf(s, a[2], 16)?
    } else {
        std::ptr::null()
    };
    val(unsafe { blocking(s, libc::SYS_ppoll, [fds as u64, n, t as u64, 0, 8, 0]) })
}

/// The descriptor count, the three `fd_set`s and the timeout of select and pselect6
/// as host pointers (null stays null); the timeout is a timeval or a timespec, both
/// 16 bytes.
type SelectArgs = (u64, [*mut libc::c_void; 3], *mut libc::c_void);

fn select_args(s: &mut Sys, a: [u64; 6]) -> Result<SelectArgs, i64> {
    let nfds = a[0].min(1024);
    let bytes = nfds.div_ceil(64) * 8;
    let sets = [
        opt_buf_mut(s, a[1], bytes)?,
        opt_buf_mut(s, a[2], bytes)?,
        opt_buf_mut(s, a[3], bytes)?,
    ];
    Ok((nfds, sets, opt_buf_mut(s, a[4], 16)?))
}

#[cfg(target_arch = "x86_64")]
pub fn select(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (nfds, [r, w, e], t) = select_args(s, a)?;
    let sets = [r as u64, w as u64, e as u64];
    val(unsafe {
        blocking(
            s,
            libc::SYS_select,
            [nfds, sets[0], sets[1], sets[2], t as u64, 0],
        )
    })
}

/// Hosts without `select` (aarch64): pselect6 with the timeval as a timespec, and
/// the time left written back as select leaves it.
#[cfg(not(target_arch = "x86_64"))]
pub fn select(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (nfds, [r, w, e], t) = select_args(s, a)?;
    let sets = [r as u64, w as u64, e as u64];
    let tv = t as *mut [i64; 2];
    let mut ts = [0i64; 2];
    let ts_arg = if tv.is_null() {
        0
    } else {
        // SAFETY: `t` is 16 writable bytes of guest memory (`select_args`).
        let [sec, usec] = unsafe { tv.read_unaligned() };
        ts = [sec, usec.saturating_mul(1000)];
        ts.as_mut_ptr() as u64
    };
    let r = unsafe {
        blocking(
            s,
            libc::SYS_pselect6,
            [nfds, sets[0], sets[1], sets[2], ts_arg, 0],
        )
    };
    if !tv.is_null() {
        // SAFETY: as above.
        unsafe { tv.write_unaligned([ts[0], ts[1] / 1000]) };
    }
    val(r)
}

pub fn pselect6(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (nfds, [r, w, e], t) = select_args(s, a)?;
    let sets = [r as u64, w as u64, e as u64];
    val(unsafe {
        blocking(
            s,
            libc::SYS_pselect6,
            [nfds, sets[0], sets[1], sets[2], t as u64, 0],
        )
    })
}

pub fn fsync(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::fsync(a[0] as i32) } as i64))
}

pub fn fdatasync(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::fdatasync(a[0] as i32) } as i64))
}

pub fn ftruncate(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(
        unsafe { libc::ftruncate(a[0] as i32, a[1] as i64) } as i64
    ))
}

pub fn truncate(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(
        unsafe { libc::truncate(p.as_ptr(), a[1] as i64) } as i64
    ))
}

pub fn chmod(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = path(s, a[0])?;
    val(host(unsafe { libc::chmod(p.as_ptr(), a[1] as u32) } as i64))
}

pub fn fchmod(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(
        unsafe { libc::fchmod(a[0] as i32, a[1] as u32) } as i64
    ))
}

pub fn fchdir(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::fchdir(a[0] as i32) } as i64))
}

pub fn symlink(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let target = s.mem.c_string(a[0], 4096).map_err(|_| -EFAULT)?;
    let target = std::ffi::CString::new(target).map_err(|_| -EINVAL)?;
    let p = path(s, a[1])?;
    val(host(
        unsafe { libc::symlink(target.as_ptr(), p.as_ptr()) } as i64
    ))
}

pub fn link(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (p, q) = (path(s, a[0])?, path(s, a[1])?);
    val(host(unsafe { libc::link(p.as_ptr(), q.as_ptr()) } as i64))
}

pub fn flock(s: &mut Sys, a: [u64; 6]) -> SysResult {
    val(unsafe { blocking(s, libc::SYS_flock, [a[0], a[1], 0, 0, 0, 0]) })
}
