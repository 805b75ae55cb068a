//! The Linux system-call layer of the E2K user-mode ABI: numbers from the E2K kernel,
//! arguments in the callee window (`%r0` number, `%r1..%r6` arguments, result in
//! `%r0`), guest pointers checked against guest memory, structures converted where
//! the E2K layout differs from the host's, the rest passed to the host kernel.
//!
//! `SYSCALLS` (in `table`) is the one description of every call: number, name, argument kinds for
//! `-strace`, and handler. Handlers live by area: `fs` (files and descriptors, with
//! `procfs` for the /proc/self files the emulator answers for the guest), `memory`,
//! `time`, `signal`, `proc` (processes and threads), `system`, `e2k`.

mod abi;
mod context;
mod e2k;
mod fs;
mod memory;
mod proc;
mod procfs;
mod signal;
mod strace;
mod system;
mod table;
mod time;

use crate::linux::kernel::Outcome;
use crate::linux::log;
use crate::linux::signal as process_signal;
pub use abi::{Ret, Sys, SysResult, EAGAIN};
pub use context::ended as context_ended;
pub use table::{lookup, lookup_fast, Syscall, FAST_SYSCALLS, SYSCALLS};

/// The 64-bit system call entry (`sdisp %ctprN, 3`).
pub const ENTRY_64: u64 = 3;
/// The 64-bit fast system call entry (`sdisp %ctprN, 6`).
pub const ENTRY_FAST_64: u64 = 6;

/// Calls that wait for a signal: its handler ends them with -EINTR, they are never
/// made again.
const NOT_RESTARTED: &[&str] = &["pause", "rt_sigsuspend", "rt_sigtimedwait"];

/// Calls a handler ends with -EINTR even with SA_RESTART (man 7 signal: the ones
/// with timeouts, and the sleeps); they are made again only when no handler runs.
const RESTARTED_WITHOUT_HANDLER_ONLY: &[&str] = &[
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_wait",
    "epoll_pwait",
    "nanosleep",
    "clock_nanosleep",
    "semop",
    "semtimedop",
    "msgrcv",
    "msgsnd",
    "io_getevents",
];

/// A futex wait with a timeout ends with -EINTR after a handler (the kernel's restart
/// block), one without is restarted with SA_RESTART.
fn timed_futex_wait(a: &[u64; 6]) -> bool {
    use nix::libc;
    let cmd = a[1] as i32 & libc::FUTEX_CMD_MASK;
    matches!(cmd, libc::FUTEX_WAIT | libc::FUTEX_WAIT_BITSET) && a[3] != 0
}

/// The old 64-bit system call entry (`sdisp %ctprN, 4`), served as entry 3.
pub const ENTRY_OLD_64: u64 = 4;

/// Whether the kernel has a system-call entry at trap-table entry `entry` (the whole
/// `sdisp` displacement); a call through any other entry is a SIGSEGV (rule S6).
pub fn is_entry(entry: u64) -> bool {
    matches!(entry, ENTRY_64 | ENTRY_OLD_64 | ENTRY_FAST_64)
}

/// Serves the system call the current instruction made through `entry`, with the
/// callee window at `%r(2 * wbs)`; `Some` when the process ends.
pub fn call(s: &mut Sys, entry: u64, wbs: u32) -> Option<Outcome> {
    let base = 2 * wbs;
    let nr = s.cpu.reg(base).unwrap_or(0);
    let a: [u64; 6] = std::array::from_fn(|k| s.cpu.reg(base + 1 + k as u32).unwrap_or(0));
    let known = if entry == ENTRY_FAST_64 {
        lookup_fast(nr)
    } else {
        lookup(nr)
    };
    let trace = s.kernel.strace.then(|| strace::head(s.mem, known, &a));
    if let (Some(h), Some(c)) = (&trace, known) {
        if c.name == "execve" {
            strace::before(h);
        }
    }
    let r = match known.map_or(Ok(Ret::Val(-abi::ENOSYS)), |c| (c.run)(s, a)) {
        Ok(r) => r,
        Err(e) => Ret::Val(e),
    };
    match r {
        Ret::Val(v)
            if v == -abi::EINTR && process_signal::deliverable_pending(s.kernel.signals.mask) =>
        {
            // A signal interrupted the call: -EINTR unless it is made again (see
            // `signal::Restart`).
            let name = known.map_or("", |c| c.name);
            if !NOT_RESTARTED.contains(&name) {
                let after_handler = !RESTARTED_WITHOUT_HANDLER_ONLY.contains(&name)
                    && !(name == "futex" && timed_futex_wait(&a));
                s.kernel.signals.restart = Some(process_signal::Restart {
                    entry,
                    wbs,
                    nr,
                    after_handler,
                });
                if let Some(h) = &trace {
                    strace::interrupted(h, after_handler);
                }
            } else if let Some(h) = &trace {
                strace::returned(h, known, nr, v);
            }
            s.cpu.set_reg(base, v as u64);
            None
        }
        Ret::Val(v) => {
            if let Some(h) = &trace {
                strace::returned(h, known, nr, v);
            }
            if s.kernel.log_unimp && v == -abi::ENOSYS {
                match known {
                    None => log::write(format_args!("Unsupported syscall: {nr}\n")),
                    Some(c) => log::write(format_args!(
                        "Unsupported syscall: {nr} ({} with these arguments)\n",
                        c.name
                    )),
                }
            }
            s.cpu.set_reg(base, v as u64);
            None
        }
        Ret::Resumed => {
            if let Some(h) = &trace {
                strace::no_result(h);
            }
            None
        }
        Ret::End(o) => {
            if let Some(h) = &trace {
                strace::no_result(h);
            }
            Some(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::table::SYSCALLS;

    #[test]
    fn table_is_sorted_and_kinds_fit() {
        assert!(SYSCALLS.windows(2).all(|w| w[0].nr < w[1].nr));
        assert!(SYSCALLS
            .iter()
            .all(|s| s.args.len() <= 6 && s.args.chars().all(|k| "dxosp".contains(k))));
    }
}
