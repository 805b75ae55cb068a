//! Every system call served: number, name, argument kinds and handler, in one table
//! that both dispatch and `-strace` read.

use super::abi::{Sys, SysResult};
use super::{context, e2k, fs, memory, proc, signal, system, time};

/// One system call: its E2K number, name, the kinds of its arguments as `-strace`
/// prints them (d decimal, x hex, o octal, s string, p pointer) and its handler.
pub struct Syscall {
    pub nr: u64,
    pub name: &'static str,
    pub args: &'static str,
    pub run: fn(&mut Sys, [u64; 6]) -> SysResult,
}

const fn sc(
    nr: u64,
    name: &'static str,
    args: &'static str,
    run: fn(&mut Sys, [u64; 6]) -> SysResult,
) -> Syscall {
    Syscall {
        nr,
        name,
        args,
        run,
    }
}

/// Every system call served, by number (kept sorted: `lookup` searches it).
pub static SYSCALLS: &[Syscall] = &[
    sc(1, "exit", "d", proc::exit),
    sc(2, "fork", "", proc::fork),
    sc(3, "read", "dpd", fs::read),
    sc(4, "write", "dpd", fs::write),
    sc(5, "open", "sxo", fs::open),
    sc(6, "close", "d", fs::close),
    sc(9, "link", "ss", fs::link),
    sc(10, "unlink", "s", fs::unlink),
    sc(11, "execve", "spp", proc::execve),
    sc(12, "chdir", "s", fs::chdir),
    sc(13, "time", "p", time::time),
    sc(15, "chmod", "so", fs::chmod),
    sc(19, "lseek", "ddd", fs::lseek),
    sc(20, "getpid", "", proc::getpid),
    sc(24, "getuid", "", proc::getuid),
    sc(27, "alarm", "d", signal::alarm),
    sc(29, "pause", "", signal::pause),
    sc(33, "access", "so", fs::access),
    sc(37, "kill", "dd", signal::kill),
    sc(38, "rename", "ss", fs::rename),
    sc(39, "mkdir", "so", fs::mkdir),
    sc(40, "rmdir", "s", fs::rmdir),
    sc(41, "dup", "d", fs::dup),
    sc(42, "pipe", "p", fs::pipe),
    sc(43, "times", "p", time::times),
    sc(45, "brk", "x", memory::brk),
    sc(47, "getgid", "", proc::getgid),
    sc(49, "geteuid", "", proc::geteuid),
    sc(50, "getegid", "", proc::getegid),
    sc(54, "ioctl", "dxp", fs::ioctl),
    sc(55, "fcntl", "ddx", fs::fcntl),
    sc(57, "setpgid", "dd", proc::setpgid),
    sc(60, "umask", "o", fs::umask),
    sc(63, "dup2", "dd", fs::dup2),
    sc(64, "getppid", "", proc::getppid),
    sc(65, "getpgrp", "", proc::getpgrp),
    sc(66, "setsid", "", proc::setsid),
    sc(76, "getrlimit", "dp", proc::getrlimit),
    sc(77, "getrusage", "dp", proc::getrusage),
    sc(78, "gettimeofday", "pp", time::gettimeofday),
    sc(83, "symlink", "ss", fs::symlink),
    sc(85, "readlink", "spd", fs::readlink),
    sc(90, "mmap", "xxdxdx", memory::mmap),
    sc(91, "munmap", "xx", memory::munmap),
    sc(92, "truncate", "sd", fs::truncate),
    sc(93, "ftruncate", "dd", fs::ftruncate),
    sc(94, "fchmod", "do", fs::fchmod),
    sc(96, "getpriority", "dd", proc::getpriority),
    sc(97, "setpriority", "ddd", proc::setpriority),
    sc(104, "setitimer", "dpp", signal::setitimer),
    sc(105, "getitimer", "dp", signal::getitimer),
    sc(106, "stat", "sp", fs::stat),
    sc(107, "lstat", "sp", fs::lstat),
    sc(108, "fstat", "dp", fs::fstat),
    sc(114, "wait4", "dpdp", proc::wait4),
    sc(116, "sysinfo", "p", system::sysinfo),
    sc(118, "fsync", "d", fs::fsync),
    sc(120, "clone", "xpppp", proc::clone),
    sc(122, "uname", "p", system::uname),
    sc(125, "mprotect", "xxd", memory::mprotect),
    sc(132, "getpgid", "d", proc::getpgid),
    sc(133, "fchdir", "d", fs::fchdir),
    sc(142, "_newselect", "dpppp", fs::select),
    sc(143, "flock", "dd", fs::flock),
    sc(145, "readv", "dpd", fs::readv),
    sc(146, "writev", "dpd", fs::writev),
    sc(147, "getsid", "d", proc::getsid),
    sc(148, "fdatasync", "d", fs::fdatasync),
    sc(158, "sched_yield", "", proc::sched_yield),
    sc(162, "nanosleep", "pp", time::nanosleep),
    sc(163, "mremap", "xxxdx", memory::mremap),
    sc(168, "poll", "pdd", fs::poll),
    sc(172, "prctl", "dxxxx", proc::prctl),
    sc(173, "rt_sigreturn", "", signal::rt_sigreturn),
    sc(174, "rt_sigaction", "dppd", signal::rt_sigaction),
    sc(175, "rt_sigprocmask", "dppd", signal::rt_sigprocmask),
    sc(176, "rt_sigpending", "pd", signal::rt_sigpending),
    sc(177, "rt_sigtimedwait", "pppd", signal::rt_sigtimedwait),
    sc(179, "rt_sigsuspend", "pd", signal::rt_sigsuspend),
    sc(180, "pread64", "dpdd", fs::pread64),
    sc(181, "pwrite64", "dpdd", fs::pwrite64),
    sc(183, "getcwd", "pd", fs::getcwd),
    sc(186, "sigaltstack", "pp", signal::sigaltstack),
    sc(190, "vfork", "", proc::vfork),
    sc(191, "ugetrlimit", "dp", proc::getrlimit),
    sc(199, "getuid32", "", proc::getuid),
    sc(200, "getgid32", "", proc::getgid),
    sc(201, "geteuid32", "", proc::geteuid),
    sc(202, "getegid32", "", proc::getegid),
    sc(219, "madvise", "xxd", memory::madvise),
    sc(220, "getdents64", "dpd", fs::getdents64),
    sc(224, "newfstatat", "dspx", fs::newfstatat),
    sc(230, "e2k_longjmp2", "pd", e2k::e2k_longjmp2),
    sc(244, "gettid", "", proc::gettid),
    sc(246, "tkill", "dd", signal::tkill),
    sc(248, "futex", "pxdxpx", proc::futex),
    sc(249, "sched_setaffinity", "ddp", proc::sched_setaffinity),
    sc(250, "sched_getaffinity", "ddp", proc::sched_getaffinity),
    sc(251, "pipe2", "px", fs::pipe2),
    sc(254, "access_hw_stacks", "dppdp", e2k::access_hw_stacks),
    sc(259, "set_tid_address", "p", proc::set_tid_address),
    sc(267, "clock_gettime", "dp", time::clock_gettime),
    sc(268, "clock_getres", "dp", time::clock_getres),
    sc(269, "clock_nanosleep", "dxpp", time::clock_nanosleep),
    sc(300, "exit_group", "d", proc::exit_group),
    sc(308, "tgkill", "ddd", signal::tgkill),
    sc(322, "waitid", "ddpdp", proc::waitid),
    sc(327, "getcpu", "ppp", system::getcpu),
    sc(335, "openat", "dsxo", fs::openat),
    sc(336, "mkdirat", "dso", fs::mkdirat),
    sc(339, "unlinkat", "dsx", fs::unlinkat),
    sc(340, "renameat", "dsds", fs::renameat),
    sc(343, "readlinkat", "dspd", fs::readlinkat),
    sc(345, "faccessat", "dso", fs::faccessat),
    sc(358, "dup3", "ddx", fs::dup3),
    sc(365, "get_robust_list", "dpp", proc::get_robust_list),
    sc(366, "set_robust_list", "pd", proc::set_robust_list),
    sc(367, "pselect6", "dppppp", fs::pselect6),
    sc(368, "ppoll", "pdppd", fs::ppoll),
    sc(369, "setcontext", "pd", context::setcontext),
    sc(370, "makecontext", "ppdpd", context::makecontext),
    sc(371, "swapcontext", "ppd", context::swapcontext),
    sc(372, "freecontext", "p", context::freecontext),
    sc(375, "prlimit64", "ddpp", proc::prlimit64),
    sc(385, "getrandom", "pdx", system::getrandom),
    sc(402, "statx", "dsxxp", fs::statx),
];

/// The fast system calls (entry 6: served without leaving the user's stacks on
/// Elbrus), by number.
pub static FAST_SYSCALLS: &[Syscall] = &[
    sc(0, "fast_gettimeofday", "pp", time::gettimeofday),
    sc(1, "fast_clock_gettime", "dp", time::clock_gettime),
    sc(2, "fast_getcpu", "ppp", system::getcpu),
    sc(3, "fast_siggetmask", "pd", signal::siggetmask),
    sc(4, "fast_getcontext", "pd", context::getcontext),
    sc(5, "fast_set_return", "xd", context::set_return),
];

/// The fast system call with number `nr`, if it is served.
pub fn lookup_fast(nr: u64) -> Option<&'static Syscall> {
    FAST_SYSCALLS.get(nr as usize)
}

/// The system call with number `nr`, if it is served.
pub fn lookup(nr: u64) -> Option<&'static Syscall> {
    SYSCALLS
        .binary_search_by_key(&nr, |s| s.nr)
        .ok()
        .map(|k| &SYSCALLS[k])
}
