//! Signal dispositions and masks, and signals the guest sends: rt_sigaction,
//! rt_sigprocmask, sigaltstack, kill, tgkill. Guest handlers are recorded, not yet
//! run: a signal the guest sends itself gets the default action or is ignored.

use super::abi::{get_u64, host, put, val, words, Ret, Sys, SysResult, EFAULT, EINVAL, ESRCH};
use crate::guest::memory::Access;
use crate::linux::kernel::Outcome;
use nix::libc;

const SIGKILL: u64 = 9;
const SIGSTOP: u64 = 19;
const SIG_IGN: u64 = 1;
const SIG_DFL: u64 = 0;

pub fn rt_sigaction(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [sig, act, old, size, _, _] = a;
    if !(1..=64).contains(&sig) || size != 8 || sig == SIGKILL || sig == SIGSTOP {
        return val(-EINVAL);
    }
    let prev = s.kernel.sigactions.get(&sig).copied().unwrap_or([0; 4]);
    if act != 0 {
        let raw = s.mem.slice(act, 32, Access::Read).map_err(|_| -EFAULT)?;
        let w: [u64; 4] = std::array::from_fn(|k| {
            u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default())
        });
        s.kernel.sigactions.insert(sig, w);
    }
    put(s, old, &words(&prev))?;
    val(0)
}

pub fn rt_sigprocmask(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let old = s.kernel.sigmask;
    if a[1] != 0 {
        let set = get_u64(s, a[1])?;
        s.kernel.sigmask = match a[0] {
            0 => old | set,
            1 => old & !set,
            2 => set,
            _ => return val(-EINVAL),
        } & !(1 << (SIGKILL - 1) | 1 << (SIGSTOP - 1));
    }
    put(s, a[2], &old.to_le_bytes())?;
    val(0)
}

pub fn sigaltstack(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != 0 {
        // No alternate stack is in use: ss_sp 0, ss_flags SS_DISABLE, ss_size 0.
        put(s, a[1], &words(&[0, 2, 0]))?;
    }
    val(0)
}

/// A signal the guest sends itself: ignored, or the default action (ends the process).
fn self_signal(s: &Sys, sig: u64) -> SysResult {
    if sig == 0 {
        return val(0);
    }
    let handler = s.kernel.sigactions.get(&sig).map_or(SIG_DFL, |a| a[0]);
    // Default-ignored signals: SIGCHLD, SIGCONT, SIGURG, SIGWINCH.
    if handler == SIG_IGN || (handler == SIG_DFL && matches!(sig, 17 | 18 | 23 | 28)) {
        return val(0);
    }
    Ok(Ret::End(Outcome::Killed {
        signal: sig as i32,
        report: String::new(),
    }))
}

pub fn kill(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let pid = a[0] as i64 as i32;
    if pid == std::process::id() as i32 || pid == 0 {
        return self_signal(s, a[1]);
    }
    // SAFETY: plain values.
    val(host(unsafe { libc::kill(pid, a[1] as i32) } as i64))
}

pub fn tgkill(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[0] as i32 == std::process::id() as i32 && a[1] as i32 == nix::unistd::gettid().as_raw() {
        return self_signal(s, a[2]);
    }
    val(-ESRCH)
}
