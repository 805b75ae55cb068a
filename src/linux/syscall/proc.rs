//! The process and its threads: exit, identities, thread-id bookkeeping, resource
//! limits, scheduling.
//!
//! SAFETY (every libc call here): pointers passed to the host are null or checked
//! guest memory.

use super::abi::{buf, host, opt_buf_mut, val, Ret, Sys, SysResult, ESRCH};
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
