//! `-strace` in qemu-user's format: `PID name(arg,arg,...) = result`, errors as
//! `= -1 errno=N (text)`, an unknown number as `PID Unknown syscall N`. Arguments are
//! decoded by the kinds `SYSCALLS` gives them, before the call runs (strings are its
//! inputs); the line is written whole when the call returns, so that lines of forked
//! processes never mix. Calls that do not return are written before (execve) or as
//! they end the process (exit, exit_group).

use super::table::Syscall;
use crate::guest::memory::GuestMemory;
use crate::linux::log;

/// `name(args)` of a call about to run; `None` for an unknown number.
pub fn head(mem: &GuestMemory, call: Option<&Syscall>, a: &[u64; 6]) -> Option<String> {
    let c = call?;
    let args: Vec<String> = c
        .args
        .chars()
        .zip(a.iter())
        .map(|(k, v)| match k {
            'd' => (*v as i64).to_string(),
            'o' if *v == 0 => "0".to_string(),
            'o' => format!("0{v:o}"),
            's' => match mem.c_string(*v, 4096) {
                Ok(s) => format!("\"{}\"", String::from_utf8_lossy(&s)),
                Err(_) => pointer(*v),
            },
            'p' => pointer(*v),
            _ => format!("{v:#x}"),
        })
        .collect();
    Some(format!("{}({})", c.name, args.join(",")))
}

fn pointer(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// A call that does not come back when it succeeds, written before it runs.
pub fn before(head: &Option<String>) {
    if let Some(h) = head {
        log::write(format_args!("{} {h}\n", tid()));
    }
}

/// A call that returned `ret` to the guest.
pub fn returned(head: &Option<String>, call: Option<&Syscall>, nr: u64, ret: i64) {
    let pid = tid();
    let Some(h) = head else {
        log::write(format_args!("{pid} Unknown syscall {nr}\n"));
        return;
    };
    let r = if (-4095..0).contains(&ret) {
        format!(
            "-1 errno={} ({})",
            -ret,
            nix::errno::Errno::from_raw(-ret as i32).desc()
        )
    } else if call.is_some_and(|c| matches!(c.name, "brk" | "mmap" | "mremap")) {
        format!("{ret:#x}")
    } else {
        ret.to_string()
    };
    log::write(format_args!("{pid} {h} = {r}\n"));
}

/// A call a signal interrupted, written as strace(1) does: its result depends on
/// the handler (-EINTR, or the call made again).
pub fn interrupted(head: &Option<String>, after_handler: bool) {
    if let Some(h) = head {
        let why = if after_handler {
            "ERESTARTSYS (To be restarted if SA_RESTART is set)"
        } else {
            "ERESTARTNOHAND (To be restarted if no handler)"
        };
        log::write(format_args!("{} {h} = ? {why}\n", tid()));
    }
}

/// A call with no result: it ended the process, or resumed other code (rt_sigreturn,
/// e2k_longjmp2).
pub fn no_result(head: &Option<String>) {
    if let Some(h) = head {
        log::write(format_args!("{} {h}\n", tid()));
    }
}

use log::tid;
