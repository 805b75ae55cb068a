//! How system calls exchange data with the guest: error numbers, host results turned
//! into guest ones, and guest pointers checked against guest memory before the host
//! sees them.

use crate::guest::cpu::Cpu;
use crate::guest::memory::{Access, GuestMemory};
use crate::linux::kernel::{Kernel, Outcome};
use crate::linux::thread::NewThread;
use nix::libc;
use std::ffi::CString;

/// The calling process as a system call sees it.
pub struct Sys<'a> {
    pub cpu: &'a mut Cpu,
    pub mem: &'a GuestMemory,
    pub kernel: &'a mut Kernel,
    /// Guest code may have changed (mappings changed): the caller drops what it
    /// decoded or translated.
    pub code_changed: bool,
    /// The `wbs` of the `call` that made the system call (its window starts at
    /// `%r(2 * wbs)` of the caller).
    pub wbs: u32,
    /// Starts a thread; its id, or -errno.
    pub spawn: &'a dyn Fn(NewThread) -> Result<i32, i64>,
}

/// A handler's answer: a value for `%r0` (a negative errno included), or the end of
/// the process. `Err(-errno)` lets handlers use `?` on checked guest pointers.
pub enum Ret {
    Val(i64),
    End(Outcome),
    /// The CPU state was replaced (rt_sigreturn): nothing to write back.
    Resumed,
}

pub type SysResult = Result<Ret, i64>;

/// The common answer: a value for `%r0`.
pub fn val(v: i64) -> SysResult {
    Ok(Ret::Val(v))
}

// Error numbers of the E2K kernel (the generic Linux values).
pub const EPERM: i64 = 1;
pub const EINTR: i64 = 4;
pub const ENOENT: i64 = 2;
pub const ESRCH: i64 = 3;
pub const EAGAIN: i64 = 11;
pub const EBADF: i64 = 9;
pub const ENOMEM: i64 = 12;
pub const EFAULT: i64 = 14;
pub const EEXIST: i64 = 17;
pub const EINVAL: i64 = 22;
pub const ENOTTY: i64 = 25;
pub const ERANGE: i64 = 34;
pub const ENOSYS: i64 = 38;

/// The host's error of the last failed call, as a guest result.
pub fn errno() -> i64 {
    -(nix::errno::Errno::last_raw() as i64)
}

/// A host call's result as the guest's: negative means the host's errno.
/// A host call that may block: a guest signal interrupts it, also one that arrives
/// just before it starts (see `safe_syscall`); its result or -errno.
///
/// # Safety
/// Pointers in `a` must be valid for the host call.
pub unsafe fn blocking(s: &Sys, nr: libc::c_long, a: [u64; 6]) -> i64 {
    let deliverable = crate::linux::signal::deliverable(s.kernel.signals.mask);
    unsafe { crate::linux::safe_syscall::call(deliverable, nr, a) }
}

pub fn host(r: i64) -> i64 {
    if r < 0 {
        errno()
    } else {
        r
    }
}

/// A guest path as it is written (a C string of at most 4096 bytes).
pub fn guest_path(s: &Sys, addr: u64) -> Result<Vec<u8>, i64> {
    s.mem.c_string(addr, 4096).map_err(|_| -EFAULT)
}

/// A guest path as a host C string (with `-L` applied to absolute paths that exist there).
pub fn path(s: &Sys, addr: u64) -> Result<CString, i64> {
    let p = guest_path(s, addr)?;
    CString::new(s.kernel.host_path(&p)).map_err(|_| -EINVAL)
}

/// `len` readable guest bytes at `addr` as a host pointer (null for none).
pub fn buf(s: &Sys, addr: u64, len: u64) -> Result<*const libc::c_void, i64> {
    if len == 0 {
        return Ok(std::ptr::null());
    }
    s.mem
        .slice(addr, len as usize, Access::Read)
        .map(|b| b.as_ptr().cast())
        .map_err(|_| -EFAULT)
}

/// `len` writable guest bytes at `addr` as a host pointer (null for none).
pub fn buf_mut(s: &mut Sys, addr: u64, len: u64) -> Result<*mut libc::c_void, i64> {
    if len == 0 {
        return Ok(std::ptr::null_mut());
    }
    s.mem
        .slice_mut(addr, len as usize)
        .map(|b| b.as_mut_ptr().cast())
        .map_err(|_| -EFAULT)
}

/// A host buffer that is either null or checked guest memory, by whether `addr` is 0.
pub fn opt_buf_mut(s: &mut Sys, addr: u64, len: u64) -> Result<*mut libc::c_void, i64> {
    if addr == 0 {
        Ok(std::ptr::null_mut())
    } else {
        buf_mut(s, addr, len)
    }
}

/// Writes `bytes` to the guest at `addr`; a null `addr` asks for nothing.
pub fn put(s: &mut Sys, addr: u64, bytes: &[u8]) -> Result<(), i64> {
    if addr == 0 {
        return Ok(());
    }
    s.mem.write(addr, bytes).map_err(|_| -EFAULT)
}

/// Reads a little-endian 64-bit word of the guest.
pub fn get_u64(s: &Sys, addr: u64) -> Result<u64, i64> {
    let raw = s.mem.slice(addr, 8, Access::Read).map_err(|_| -EFAULT)?;
    Ok(u64::from_le_bytes(raw.try_into().unwrap_or_default()))
}

/// 64-bit words as guest bytes.
pub fn words(w: &[u64]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}
