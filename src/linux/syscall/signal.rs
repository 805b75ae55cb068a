//! Signal system calls: dispositions (rt_sigaction, which the host's follow), masks,
//! the alternate stack, signals the guest sends (kill, tkill, tgkill: to itself they
//! become pending and are delivered on the way back to user code), waiting for
//! signals (pause, rt_sigsuspend, rt_sigtimedwait), timers that send them (alarm,
//! setitimer), and rt_sigreturn. Delivery itself is `crate::linux::signal`.

use super::abi::{get_u64, host, put, val, words, Ret, Sys, SysResult, EFAULT, EINVAL, EPERM};
use crate::guest::memory::Access;
use crate::linux::kernel::Outcome;
use crate::linux::signal::{
    self, Info, MINSIGSTKSZ, SIGKILL, SIGSTOP, SI_TKILL, SI_USER, SS_DISABLE, SS_ONSTACK,
};
use nix::libc;
use std::time::{Duration, Instant};

const EINTR: i64 = 4;
const EAGAIN: i64 = 11;
const ENOMEM: i64 = 12;
const UNBLOCKABLE: u64 = 1 << (SIGKILL - 1) | 1 << (SIGSTOP - 1);

fn read_words<const N: usize>(s: &Sys, addr: u64) -> Result<[u64; N], i64> {
    let raw = s
        .mem
        .slice(addr, 8 * N, Access::Read)
        .map_err(|_| -EFAULT)?;
    Ok(std::array::from_fn(|k| {
        u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default())
    }))
}

pub fn rt_sigaction(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [sig, act, old, size, _, _] = a;
    if !(1..=64).contains(&sig) || size != 8 {
        return val(-EINVAL);
    }
    let prev = s.kernel.signals.disposition(sig);
    if act != 0 {
        if sig == SIGKILL as u64 || sig == SIGSTOP as u64 {
            return val(-EINVAL);
        }
        let w: [u64; 4] = read_words(s, act)?;
        s.kernel.signals.set_disposition(sig, w);
        signal::follow_host(sig as u32, w[0]);
    }
    put(s, old, &words(&prev))?;
    val(0)
}

pub fn rt_sigprocmask(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let old = s.kernel.signals.mask;
    if a[1] != 0 {
        let set = get_u64(s, a[1])?;
        let new = match a[0] {
            0 => old | set,
            1 => old & !set,
            2 => set,
            _ => return val(-EINVAL),
        };
        s.kernel.signals.set_mask(new);
    }
    put(s, a[2], &old.to_le_bytes())?;
    val(0)
}

pub fn rt_sigpending(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let p = (signal::pending() | signal::host_pending()) & s.kernel.signals.mask;
    put(s, a[0], &p.to_le_bytes())?;
    val(0)
}

/// `stack_t`: ss_sp, ss_flags (int), ss_size.
pub fn sigaltstack(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let alt = s.kernel.signals.alt_stack;
    let old = [
        alt.sp,
        if alt.active {
            SS_ONSTACK
        } else if alt.disabled || alt.size == 0 {
            SS_DISABLE
        } else {
            0
        },
        alt.size,
    ];
    if a[0] != 0 {
        let [sp, flags, size] = read_words::<3>(s, a[0])?;
        let flags = flags as u32 as u64;
        if alt.active {
            return val(-EPERM);
        }
        if flags & !SS_DISABLE != 0 {
            return val(-EINVAL);
        }
        if flags & SS_DISABLE != 0 {
            s.kernel.signals.alt_stack = signal::AltStack {
                disabled: true,
                ..Default::default()
            };
        } else {
            if size < MINSIGSTKSZ {
                return val(-ENOMEM);
            }
            s.kernel.signals.alt_stack = signal::AltStack {
                sp,
                size,
                disabled: false,
                active: false,
            };
        }
    }
    put(s, a[1], &words(&old))?;
    val(0)
}

fn send_self(sig: u64, code: i32, s: &mut Sys) -> SysResult {
    if sig == 0 {
        return val(0);
    }
    if sig > 64 {
        return val(-EINVAL);
    }
    s.kernel
        .signals
        .sent_info
        .insert(sig as u32, Info::sent(sig as u32, code));
    signal::raise(sig as u32);
    val(0)
}

fn is_self(pid: i32) -> bool {
    pid == std::process::id() as i32 || pid == 0 || pid == -(std::process::id() as i32)
}

/// A signal for another thread or process goes through the host, which chooses the
/// thread (by the host masks, which follow the guest's) and runs its handler there.
fn via_host(pid: i32, tid: Option<i32>, sig: u64) -> SysResult {
    if sig > 64 {
        return val(-EINVAL);
    }
    match signal::send_host(pid, tid, sig as u32) {
        Some(r) => val(host(r)),
        None => val(-EINVAL),
    }
}

pub fn kill(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let pid = a[0] as i64 as i32;
    let sig = a[1];
    if !is_self(pid) {
        return via_host(pid, None, sig);
    }
    // To its own process: this thread takes it unless it blocks it and another
    // thread may not.
    let blocked = (1..=64).contains(&sig) && s.kernel.signals.mask >> (sig - 1) & 1 != 0;
    if blocked && s.kernel.threads.count() > 1 && signal::host_number(sig as u32).is_some() {
        return via_host(std::process::id() as i32, None, sig);
    }
    send_self(sig, SI_USER, s)
}

fn own_thread(tid: i32) -> bool {
    tid == nix::unistd::gettid().as_raw()
}

pub fn tkill(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let tid = a[0] as i32;
    if own_thread(tid) {
        return send_self(a[1], SI_TKILL, s);
    }
    if tid <= 0 {
        return val(-EINVAL);
    }
    via_host(std::process::id() as i32, Some(tid), a[1])
}

pub fn tgkill(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let (tgid, tid) = (a[0] as i32, a[1] as i32);
    if tgid <= 0 || tid <= 0 {
        return val(-EINVAL);
    }
    if tgid == std::process::id() as i32 && own_thread(tid) {
        return send_self(a[2], SI_TKILL, s);
    }
    via_host(tgid, Some(tid), a[2])
}

/// Waits until a signal in `set` is pending (host signals mark them from their
/// handlers), or the deadline passes.
fn wait_for(set: u64, deadline: Option<Instant>) -> bool {
    loop {
        if signal::pending() & set != 0 {
            return true;
        }
        // Signals this thread blocks wait in the host kernel (rt_sigtimedwait's set).
        if let Some(sig) = signal::take_from_host(signal::host_pending() & set) {
            signal::raise(sig);
            return true;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

pub fn pause(s: &mut Sys, _: [u64; 6]) -> SysResult {
    wait_for(!s.kernel.signals.mask | UNBLOCKABLE, None);
    val(-EINTR)
}

/// The mask is replaced until a signal is delivered; the handler's return restores
/// the old one.
pub fn rt_sigsuspend(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != 8 {
        return val(-EINVAL);
    }
    let mask = get_u64(s, a[0])? & !UNBLOCKABLE;
    s.kernel.signals.suspend_mask = Some(s.kernel.signals.mask);
    s.kernel.signals.set_mask(mask);
    wait_for(!mask | UNBLOCKABLE, None);
    val(-EINTR)
}

/// Takes a signal of `set` (blocked ones included) without running its handler.
pub fn rt_sigtimedwait(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [set, info, timeout, size, _, _] = a;
    if size != 8 {
        return val(-EINVAL);
    }
    let set = get_u64(s, set)? & !UNBLOCKABLE;
    let deadline = if timeout != 0 {
        let [sec, nsec] = read_words::<2>(s, timeout)?;
        Some(Instant::now() + Duration::new(sec, nsec as u32))
    } else {
        None
    };
    if !wait_for(set, deadline) {
        return val(-EAGAIN);
    }
    let Some(sig) = signal::take(set) else {
        return val(-EAGAIN);
    };
    let i = s
        .kernel
        .signals
        .sent_info
        .remove(&sig)
        .unwrap_or_else(|| Info::arrived(sig));
    put(s, info, &i.bytes())?;
    val(sig as i64)
}

pub fn rt_sigreturn(s: &mut Sys, _: [u64; 6]) -> SysResult {
    match signal::sigreturn(s.cpu, s.mem, &mut s.kernel.signals) {
        Ok(()) => Ok(Ret::Resumed),
        Err(report) => Ok(Ret::End(Outcome::Killed {
            signal: libc::SIGSEGV,
            report,
        })),
    }
}

pub fn alarm(_: &mut Sys, a: [u64; 6]) -> SysResult {
    // SAFETY: plain value.
    val(unsafe { libc::alarm(a[0] as u32) } as i64)
}

/// `struct itimerval` is four 64-bit words on E2K as on the host.
pub fn setitimer(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let new: [u64; 4] = if a[1] != 0 {
        read_words(s, a[1])?
    } else {
        [0; 4]
    };
    let tv = |w: &[u64]| libc::timeval {
        tv_sec: w[0] as i64,
        tv_usec: w[1] as i64,
    };
    let v = libc::itimerval {
        it_interval: tv(&new[0..2]),
        it_value: tv(&new[2..4]),
    };
    // SAFETY: zero-initialised plain C structure.
    let mut old: libc::itimerval = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to local structures.
    let r = unsafe { libc::setitimer(a[0] as i32 as _, &v, &mut old) };
    if r < 0 {
        return val(host(-1));
    }
    put(s, a[2], &itimerval_words(&old))?;
    val(0)
}

pub fn getitimer(s: &mut Sys, a: [u64; 6]) -> SysResult {
    // SAFETY: zero-initialised plain C structure.
    let mut cur: libc::itimerval = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a local structure.
    let r = unsafe { libc::getitimer(a[0] as i32 as _, &mut cur) };
    if r < 0 {
        return val(host(-1));
    }
    if a[1] == 0 {
        return val(-EFAULT);
    }
    put(s, a[1], &itimerval_words(&cur))?;
    val(0)
}

fn itimerval_words(v: &libc::itimerval) -> Vec<u8> {
    words(&[
        v.it_interval.tv_sec as u64,
        v.it_interval.tv_usec as u64,
        v.it_value.tv_sec as u64,
        v.it_value.tv_usec as u64,
    ])
}

/// Fast system call 3, `siggetmask(&set, sigsetsize)`.
pub fn siggetmask(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != 8 {
        return val(-EINVAL);
    }
    let mask = s.kernel.signals.mask;
    s.mem
        .write(a[0], &mask.to_le_bytes())
        .map_err(|_| -EFAULT)?;
    val(0)
}
