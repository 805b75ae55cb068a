//! The process and its threads: exit, identities, thread-id bookkeeping, resource
//! limits, scheduling.
//!
//! SAFETY (every libc call here): pointers passed to the host are null or checked
//! guest memory.

use super::abi::{blocking, buf, buf_mut, host, opt_buf_mut, val, Ret, Sys, SysResult, ESRCH};
use crate::linux::kernel::Outcome;
use nix::libc;
use nix::unistd;

/// exit: the calling thread ends (the process with its last thread).
pub fn exit(s: &mut Sys, a: [u64; 6]) -> SysResult {
    s.kernel.thread_exit = true;
    Ok(Ret::End(Outcome::Exited(a[0] as i32)))
}

/// Every thread's robust locks are released (the process ends or execs): the kernel
/// ends each thread, which walks its own list. Here the others may still run while
/// their lists are walked; the process ends right after.
fn release_every_robust_list(s: &mut Sys) {
    for (tid, head) in s.kernel.threads.take_robust_lists() {
        crate::linux::robust_list::release(s.mem, head, tid);
    }
    s.kernel.robust_list = (0, 0);
}

/// exit_group: every thread ends.
pub fn exit_group(s: &mut Sys, a: [u64; 6]) -> SysResult {
    s.kernel.thread_exit = false;
    release_every_robust_list(s);
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
    // The guest's thread id is the host thread's.
    s.kernel.clear_child_tid = a[0];
    val(unistd::gettid().as_raw() as i64)
}

/// The robust futex list, walked when the thread ends or execs (see `robust_list`).
pub fn set_robust_list(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != 24 {
        return val(-super::abi::EINVAL);
    }
    s.kernel.robust_list = (a[0], a[1]);
    s.kernel
        .threads
        .set_robust_list(unistd::gettid().as_raw() as u32, a[0]);
    val(0)
}

/// get_robust_list(pid, &head, &len) for the calling thread.
pub fn get_robust_list(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[0] != 0 && a[0] as i32 != unistd::gettid().as_raw() {
        return val(-ESRCH);
    }
    let (head, len) = s.kernel.robust_list;
    super::abi::put(s, a[1], &head.to_le_bytes())?;
    super::abi::put(s, a[2], &len.to_le_bytes())?;
    val(0)
}

/// futex on guest memory is the host's futex on the same bytes (see
/// `thread::host_futex`); timeouts are `struct timespec`, the same on both sides.
pub fn futex(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [uaddr, op, v, timeout, uaddr2, v3] = a;
    let op = op as i32;
    let word = s.mem.host_ptr(uaddr, 4).map_err(|_| -super::abi::EFAULT)?;
    let cmd = op & libc::FUTEX_CMD_MASK;
    // The fourth argument is a timeout pointer for waits, a count for requeues.
    let (t, second): (*const u8, bool) = match cmd {
        libc::FUTEX_WAIT
        | libc::FUTEX_WAIT_BITSET
        | libc::FUTEX_LOCK_PI
        | libc::FUTEX_LOCK_PI2
        | libc::FUTEX_WAIT_REQUEUE_PI => (
            if timeout == 0 {
                std::ptr::null()
            } else {
                buf(s, timeout, 16)?.cast()
            },
            cmd == libc::FUTEX_WAIT_REQUEUE_PI,
        ),
        libc::FUTEX_REQUEUE
        | libc::FUTEX_CMP_REQUEUE
        | libc::FUTEX_WAKE_OP
        | libc::FUTEX_CMP_REQUEUE_PI => (timeout as usize as *const u8, true),
        libc::FUTEX_WAKE
        | libc::FUTEX_WAKE_BITSET
        | libc::FUTEX_UNLOCK_PI
        | libc::FUTEX_TRYLOCK_PI => (std::ptr::null(), false),
        _ => return val(-super::abi::ENOSYS),
    };
    let word2 = if second {
        s.mem.host_ptr(uaddr2, 4).map_err(|_| -super::abi::EFAULT)?
    } else {
        std::ptr::null_mut()
    };
    // Waits and PI locks block: guest signals interrupt them (see `safe_syscall`).
    let a = [
        word as u64,
        op as u64,
        v as u32 as u64,
        t as u64,
        word2 as u64,
        v3 as u32 as u64,
    ];
    // SAFETY: both words and the timeout are checked guest memory or null.
    val(unsafe { blocking(s, libc::SYS_futex, a) })
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
    // The option is an int, as the kernel reads it.
    let r = match a[0] as i32 {
        libc::PR_SET_NAME => {
            let name = s.mem.c_string(a[1], 16).map_err(|_| -super::abi::EFAULT)?;
            let mut b = [0u8; 16];
            let n = name.len().min(15);
            b[..n].copy_from_slice(&name[..n]);
            unsafe { libc::prctl(libc::PR_SET_NAME, b.as_ptr()) }
        }
        libc::PR_GET_NAME => {
            let out = buf_mut(s, a[1], 16)?;
            unsafe { libc::prctl(libc::PR_GET_NAME, out) }
        }
        libc::PR_GET_PDEATHSIG => {
            let out = buf_mut(s, a[1], 4)?;
            unsafe { libc::prctl(libc::PR_GET_PDEATHSIG, out) }
        }
        o @ (libc::PR_SET_PDEATHSIG
        | libc::PR_GET_DUMPABLE
        | libc::PR_SET_DUMPABLE
        | libc::PR_SET_NO_NEW_PRIVS
        | libc::PR_GET_NO_NEW_PRIVS) => unsafe { libc::prctl(o, a[1], a[2], a[3], a[4]) },
        _ => return val(-super::abi::EINVAL),
    };
    val(host(r as i64))
}

use crate::linux::thread::{
    self, NewThread, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_PARENT_SETTID, CLONE_SETTLS,
    CLONE_THREAD, CLONE_VFORK, CLONE_VM,
};

/// A new process: the host forks the emulator with the guest in it, so the child
/// continues from the same state with a copy of the memory and gets 0. Given a
/// stack (posix_spawn's vfork), the child starts on it as a new thread would: the
/// procedure that called clone as its only frame, on fresh hardware stacks. The
/// memory is a copy, not shared, as in qemu-user (a vfork child that only execs or
/// exits cannot tell, except that what it writes is not seen by the parent).
fn fork_process(
    s: &mut Sys,
    flags: u64,
    (stack, tls): (u64, Option<u64>),
    parent_tid: u64,
    child_tid: u64,
) -> SysResult {
    // A log line buffered now would otherwise be written by both processes.
    crate::linux::log::flush();
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return val(super::abi::errno());
    }
    if pid == 0 {
        s.kernel.threads.forked();
        s.kernel.robust_list = (0, 0);
        if stack != 0 {
            let stacks = {
                let mm = s.kernel.mm();
                thread::new_hw_stacks(s.mem, &mm)
            };
            let Some(stacks) = stacks else {
                // Too late to fail the call: the child ends as the kernel would
                // kill a child it cannot set up.
                std::process::exit(128 + libc::SIGSEGV);
            };
            *s.cpu = thread::child_cpu(s.cpu, s.mem, s.wbs, stack, tls, stacks);
        } else if let Some(t) = tls {
            s.cpu.globals[thread::TLS_GLOBAL] = t;
            s.cpu.global_tags[thread::TLS_GLOBAL] = 0;
        }
        let tid = std::process::id() as u32;
        if flags & CLONE_CHILD_SETTID != 0 {
            super::abi::put(s, child_tid, &tid.to_le_bytes())?;
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            s.kernel.clear_child_tid = child_tid;
        }
        return val(0);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        super::abi::put(s, parent_tid, &(pid as u32).to_le_bytes())?;
    }
    val(pid as i64)
}

pub fn fork(s: &mut Sys, _: [u64; 6]) -> SysResult {
    fork_process(s, 0, (0, None), 0, 0)
}

/// vfork: the child gets its own copy of the memory (a fork), which programs that
/// only exec or exit after vfork cannot tell apart.
pub fn vfork(s: &mut Sys, _: [u64; 6]) -> SysResult {
    fork_process(s, 0, (0, None), 0, 0)
}

/// clone(flags, stack, parent_tid, child_tid, tls): with CLONE_VM a thread (see
/// `thread`), without it a new process (fork, vfork and posix_spawn's forms).
pub fn clone(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [flags, stack, parent_tid, child_tid, tls, _] = a;
    if flags & CLONE_VM == 0 || flags & CLONE_VFORK != 0 && flags & CLONE_THREAD == 0 {
        let tls = (flags & CLONE_SETTLS != 0).then_some(tls);
        return fork_process(s, flags, (stack, tls), parent_tid, child_tid);
    }
    let stacks = {
        let mm = s.kernel.mm();
        thread::new_hw_stacks(s.mem, &mm)
    };
    let Some(stacks) = stacks else {
        return val(-super::abi::ENOMEM);
    };
    let tls = (flags & CLONE_SETTLS != 0).then_some(tls);
    let cpu = thread::child_cpu(s.cpu, s.mem, s.wbs, stack, tls, stacks);
    let mut kernel = s.kernel.for_thread();
    if flags & CLONE_CHILD_CLEARTID != 0 {
        kernel.clear_child_tid = child_tid;
    }
    let t = NewThread {
        cpu,
        kernel,
        flags,
        parent_tid,
        child_tid,
    };
    let tid = match (s.spawn)(t) {
        Ok(tid) => tid,
        Err(e) => {
            let _mm = s.kernel.mm();
            thread::free_hw_stacks(s.mem, &stacks.0, &stacks.1);
            return val(e);
        }
    };
    val(tid as i64)
}

/// E2K's `clone2(flags, stack_base, stack_size, &parent_tid, &child_tid, tls)`: clone
/// with the stack given as an area (its top is where the data stack starts).
pub fn clone2(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [flags, base, size, parent_tid, child_tid, tls] = a;
    let top = if base == 0 {
        0
    } else {
        base.wrapping_add(size)
    };
    clone(s, [flags, top, parent_tid, child_tid, tls, 0])
}

/// `clone3(&clone_args, size)`: flags, pidfd, child_tid, parent_tid, exit_signal,
/// stack, stack_size, tls, set_tid, set_tid_size, cgroup (64-bit words). What
/// clone cannot express (pidfds, set_tid, cgroups) is -ENOSYS, which makes glibc
/// fall back to clone.
pub fn clone3(s: &mut Sys, a: [u64; 6]) -> SysResult {
    const VER0: u64 = 64;
    if a[1] < VER0 || a[1] > 4096 {
        return val(-super::abi::EINVAL);
    }
    let raw = s
        .mem
        .slice(a[0], VER0 as usize, crate::guest::memory::Access::Read)
        .map_err(|_| -super::abi::EFAULT)?
        .to_vec();
    let w = |k: usize| u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default());
    let extra = |k: usize| -> Result<u64, i64> {
        if a[1] < 8 * (k as u64 + 1) {
            return Ok(0);
        }
        super::abi::get_u64(s, a[0] + 8 * k as u64)
    };
    let (flags, exit_signal, stack, stack_size, tls) = (w(0), w(4), w(5), w(6), w(7));
    let pidfd_or_cgroup = (libc::CLONE_PIDFD as u64) | 0x2_0000_0000;
    if flags & pidfd_or_cgroup != 0 || extra(9)? != 0 || exit_signal > 64 {
        return val(-super::abi::ENOSYS);
    }
    let top = if stack == 0 {
        0
    } else {
        stack.wrapping_add(stack_size)
    };
    clone(s, [flags | exit_signal, top, w(3), w(2), tls, 0])
}

/// wait4(pid, &status, options, &rusage): the host's, same layouts.
pub fn wait4(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let status = opt_buf_mut(s, a[1], 4)? as u64;
    let ru = opt_buf_mut(s, a[3], 144)? as u64;
    val(unsafe { blocking(s, libc::SYS_wait4, [a[0], status, a[2], ru, 0, 0]) })
}

/// waitid(idtype, id, &siginfo, options, &rusage).
pub fn waitid(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let info = opt_buf_mut(s, a[2], 128)? as u64;
    let ru = opt_buf_mut(s, a[4], 144)? as u64;
    val(unsafe { blocking(s, libc::SYS_waitid, [a[0], a[1], info, a[3], ru, 0]) })
}

/// A NULL-terminated array of guest strings.
fn string_array(s: &Sys, mut addr: u64) -> Result<Vec<std::ffi::CString>, i64> {
    let mut v = vec![];
    if addr == 0 {
        return Ok(v);
    }
    loop {
        let p = super::abi::get_u64(s, addr)?;
        if p == 0 {
            return Ok(v);
        }
        let bytes = s
            .mem
            .c_string(p, 1 << 17)
            .map_err(|_| -super::abi::EFAULT)?;
        v.push(std::ffi::CString::new(bytes).map_err(|_| -super::abi::EINVAL)?);
        if v.len() > 1 << 16 {
            return Err(-7); // E2BIG
        }
        addr += 8;
    }
}

/// execve(path, argv, envp): an E2K program runs under the emulator again (as
/// qemu-user does), with the options that shape the guest's world (-L, -strace);
/// anything else is the host's to run.
pub fn execve(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let target = super::abi::path(s, a[0])?;
    let argv = string_array(s, a[1])?;
    let envp = string_array(s, a[2])?;
    let mut head = [0u8; 20];
    let is_e2k = std::fs::File::open(
        std::os::unix::ffi::OsStrExt::from_bytes(target.as_bytes()) as &std::ffi::OsStr
    )
    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
    .is_ok()
        && head[..4] == *b"\x7fELF"
        && u16::from_le_bytes([head[18], head[19]]) == crate::elf::read::EM_E2K;
    let (prog, args) = if is_e2k {
        // /proc/self/exe reaches this e2k-emu even from a chroot without it (started
        // there by binfmt_misc's F flag); its path is the fallback without /proc.
        let emu = std::env::current_exe()
            .ok()
            .and_then(|p| std::ffi::CString::new(p.into_os_string().into_encoded_bytes()).ok())
            .unwrap_or_else(|| c"e2k-emu".into());
        let mut args = vec![emu.clone()];
        if let Some(root) = &s.kernel.sysroot {
            args.push(c"-L".into());
            args.push(
                std::ffi::CString::new(root.clone().into_os_string().into_encoded_bytes())
                    .map_err(|_| -super::abi::EINVAL)?,
            );
        }
        if s.kernel.strace {
            args.push(c"-strace".into());
        }
        if let Some(a0) = argv.first() {
            args.push(c"-0".into());
            args.push(a0.clone());
        }
        args.push(target.clone());
        args.extend(argv.iter().skip(1).cloned());
        (emu, args)
    } else {
        (target.clone(), argv)
    };
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|c| c.as_ptr()).collect();
    argp.push(std::ptr::null());
    let mut envpp: Vec<*const libc::c_char> = envp.iter().map(|c| c.as_ptr()).collect();
    envpp.push(std::ptr::null());
    crate::linux::log::flush();
    // Past the kernel's point of no return every thread's robust locks are released;
    // an execve that would fail for want of the file or its permission fails first.
    if unsafe { libc::access(prog.as_ptr(), libc::X_OK) } == 0 {
        release_every_robust_list(s);
    }
    if is_e2k {
        unsafe { libc::execve(c"/proc/self/exe".as_ptr(), argp.as_ptr(), envpp.as_ptr()) };
    }
    unsafe { libc::execve(prog.as_ptr(), argp.as_ptr(), envpp.as_ptr()) };
    val(super::abi::errno())
}
