//! The system the guest runs on: uname (an e2k machine), sysinfo, getrandom.
//!
//! SAFETY (every libc call here): pointers passed to the host are checked guest
//! memory or host locals.

use super::abi::{buf_mut, errno, host, put, val, Sys, SysResult};
use nix::libc;

/// The host's names, with the machine field saying `e2k`.
pub fn uname(s: &mut Sys, a: [u64; 6]) -> SysResult {
    // SAFETY: `utsname` is plain data; zero is a valid value.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } < 0 {
        return val(errno());
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
    if let Some(r) = &s.kernel.uname_release {
        let r = &r.as_bytes()[..r.len().min(64)];
        out[2 * 65..3 * 65].fill(0);
        out[2 * 65..2 * 65 + r.len()].copy_from_slice(r);
    }
    put(s, a[0], &out)?;
    val(0)
}

/// `struct sysinfo` has the same layout on E2K and 64-bit hosts.
pub fn sysinfo(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let b = buf_mut(s, a[0], std::mem::size_of::<libc::sysinfo>() as u64)?;
    val(host(unsafe { libc::sysinfo(b.cast()) } as i64))
}

/// The host's random bytes, or with `-seed` the next bytes of the seeded stream (the
/// flags, which only say whether to wait for entropy, do not matter then).
pub fn getrandom(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if let Some(r) = s.kernel.random.as_mut() {
        // Linux hands out at most this much per call.
        let n = a[1].min((1 << 25) - 1);
        if n > 0 {
            let out = s
                .mem
                .slice_mut(a[0], n as usize)
                .map_err(|_| -super::abi::EFAULT)?;
            r.fill(out);
        }
        return val(n as i64);
    }
    let b = buf_mut(s, a[0], a[1])?;
    val(host(
        unsafe { libc::getrandom(b, a[1] as usize, a[2] as u32) } as i64,
    ))
}

/// `getcpu(&cpu, &node, cache)` (also fast system call 2): the host CPU this
/// thread runs on; node 0.
pub fn getcpu(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let cpu = unsafe { libc::sched_getcpu() };
    if cpu < 0 {
        return val(errno());
    }
    put(s, a[0], &(cpu as u32).to_le_bytes())?;
    put(s, a[1], &0u32.to_le_bytes())?;
    val(0)
}
