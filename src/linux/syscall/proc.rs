//! The process and its threads: exit, identities, thread-id bookkeeping, resource
//! limits, scheduling.
//!
//! SAFETY (every libc call here): pointers passed to the host are null or checked
//! guest memory.

use super::abi::{buf, buf_mut, host, opt_buf_mut, val, Ret, Sys, SysResult, ESRCH};
use crate::linux::kernel::Outcome;
use nix::libc;
use nix::unistd;

/// exit and exit_group: one thread is the whole process.
pub fn exit(_: &mut Sys, a: [u64; 6]) -> SysResult {
    Ok(Ret::End(Outcome::Exited(a[0] as i32)))
}

pub fn getpid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(std::process::id() as i64)
}

pub fn getppid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::getppid().as_raw() as i64)
}

pub fn gettid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::gettid().as_raw() as i64)
}

pub fn getuid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::getuid().as_raw() as i64)
}

pub fn geteuid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::geteuid().as_raw() as i64)
}

pub fn getgid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::getgid().as_raw() as i64)
}

pub fn getegid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(unistd::getegid().as_raw() as i64)
}

pub fn set_tid_address(s: &mut Sys, a: [u64; 6]) -> SysResult {
    s.kernel.clear_child_tid = a[0];
    val(unistd::gettid().as_raw() as i64)
}

/// Robust futex lists matter once there are threads; one thread never needs one.
pub fn set_robust_list(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(0)
}

/// The limits of this process (struct rlimit is two 64-bit words everywhere).
fn limits(s: &mut Sys, resource: u64, new: u64, old: u64) -> SysResult {
    let n = if new != 0 {
        buf(s, new, 16)?
    } else {
        std::ptr::null()
    };
    let o = opt_buf_mut(s, old, 16)?;
    val(host(unsafe {
        libc::syscall(libc::SYS_prlimit64, 0, resource as i32, n, o)
    }))
}

/// getrlimit and ugetrlimit.
pub fn getrlimit(s: &mut Sys, a: [u64; 6]) -> SysResult {
    limits(s, a[0], 0, a[1])
}

pub fn prlimit64(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[0] != 0 && a[0] as i32 != std::process::id() as i32 {
        return val(-ESRCH);
    }
    limits(s, a[1], a[2], a[3])
}

pub fn sched_yield(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::sched_yield() } as i64))
}

/// `struct rusage` has the host's layout (two timevals, fourteen longs).
pub fn getrusage(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let out = buf_mut(s, a[1], 144)?;
    val(host(
        unsafe { libc::getrusage(a[0] as i32, out.cast()) } as i64
    ))
}

pub fn getpgrp(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::getpgrp() } as i64))
}

pub fn getpgid(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::getpgid(a[0] as i32) } as i64))
}

pub fn setpgid(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(
        unsafe { libc::setpgid(a[0] as i32, a[1] as i32) } as i64
    ))
}

pub fn getsid(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::getsid(a[0] as i32) } as i64))
}

pub fn setsid(_: &mut Sys, _: [u64; 6]) -> SysResult {
    val(host(unsafe { libc::setsid() } as i64))
}

pub fn getpriority(_: &mut Sys, a: [u64; 6]) -> SysResult {
    // The raw system call's convention: 20 - nice, never negative.
    val(host(unsafe {
        libc::syscall(libc::SYS_getpriority, a[0] as i32, a[1] as i32)
    }))
}

pub fn setpriority(_: &mut Sys, a: [u64; 6]) -> SysResult {
    val(host(
        unsafe { libc::setpriority(a[0] as u32, a[1] as u32, a[2] as i32) } as i64,
    ))
}

/// Affinity masks are byte arrays, the same on both sides.
pub fn sched_getaffinity(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let len = a[1].min(1 << 16);
    let out = buf_mut(s, a[2], len)?;
    val(host(unsafe {
        libc::syscall(libc::SYS_sched_getaffinity, a[0] as i32, len, out)
    }))
}

pub fn sched_setaffinity(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let len = a[1].min(1 << 16);
    let m = buf(s, a[2], len)?;
    val(host(unsafe {
        libc::syscall(libc::SYS_sched_setaffinity, a[0] as i32, len, m)
    }))
}

/// The prctl options that only concern the calling process's name and flags; the
/// rest (seccomp, capabilities, memory layout) are refused rather than applied to
/// the emulator.
pub fn prctl(s: &mut Sys, a: [u64; 6]) -> SysResult {
    const PR_SET_PDEATHSIG: u64 = 1;
    const PR_GET_PDEATHSIG: u64 = 2;
    const PR_GET_DUMPABLE: u64 = 3;
    const PR_SET_DUMPABLE: u64 = 4;
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;
    const PR_SET_NO_NEW_PRIVS: u64 = 38;
    const PR_GET_NO_NEW_PRIVS: u64 = 39;
    let r = match a[0] {
        PR_SET_NAME => {
            let name = s.mem.c_string(a[1], 16).map_err(|_| -super::abi::EFAULT)?;
            let mut b = [0u8; 16];
            let n = name.len().min(15);
            b[..n].copy_from_slice(&name[..n]);
            unsafe { libc::prctl(libc::PR_SET_NAME, b.as_ptr()) }
        }
        PR_GET_NAME => {
            let out = buf_mut(s, a[1], 16)?;
            unsafe { libc::prctl(libc::PR_GET_NAME, out) }
        }
        PR_GET_PDEATHSIG => {
            let out = buf_mut(s, a[1], 4)?;
            unsafe { libc::prctl(libc::PR_GET_PDEATHSIG, out) }
        }
        PR_SET_PDEATHSIG | PR_GET_DUMPABLE | PR_SET_DUMPABLE | PR_SET_NO_NEW_PRIVS
        | PR_GET_NO_NEW_PRIVS => unsafe { libc::prctl(a[0] as i32, a[1], a[2], a[3], a[4]) },
        _ => return val(-super::abi::EINVAL),
    };
    val(host(r as i64))
}
