//! `-strace`: one line per system call on standard error, arguments decoded by the
//! kinds `SYSCALLS` gives them.

use super::table::Syscall;
use crate::guest::memory::GuestMemory;

/// A call that returned `ret` to the guest.
pub fn returned(mem: &GuestMemory, call: Option<&Syscall>, nr: u64, a: &[u64; 6], ret: i64) {
    let pid = std::process::id();
    let Some(c) = call else {
        eprintln!(
            "{pid} unknown syscall {nr}({:#x}, {:#x}, {:#x}) = -ENOSYS",
            a[0], a[1], a[2]
        );
        return;
    };
    let args: Vec<String> = c
        .args
        .chars()
        .zip(a.iter())
        .map(|(k, v)| match k {
            'd' => (*v as i64).to_string(),
            'o' => format!("{v:#o}"),
            's' => match mem.c_string(*v, 4096) {
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
    } else if matches!(c.name, "brk" | "mmap" | "mremap") {
        format!("{ret:#x}")
    } else {
        ret.to_string()
    };
    eprintln!("{pid} {}({}) = {}", c.name, args.join(", "), r);
}

/// A call that ended the process (exit, a fatal signal to itself).
pub fn ended(call: Option<&Syscall>, first_arg: u64) {
    eprintln!(
        "{} {}({}) = ?",
        std::process::id(),
        call.map_or("unknown", |c| c.name),
        first_arg as i64
    );
}

/// A call through an entry other than the 64-bit one.
pub fn unsupported_entry(entry: u64) {
    eprintln!(
        "{} <system call entry {entry} is not supported> = -ENOSYS",
        std::process::id()
    );
}
