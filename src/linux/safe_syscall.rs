//! Blocking host system calls that a guest signal interrupts without a race.
//!
//! A guest signal is taken between wide instructions; while the guest waits in a
//! blocking call (read on a pipe, wait4, nanosleep, ...), the host call must end
//! with EINTR when one arrives, so that its handler runs and the call is restarted
//! or fails as the kernel would decide. Host handlers are installed without
//! SA_RESTART for that. What is left is the window between the last look at the
//! pending set and the host `syscall` instruction: a signal arriving there would be
//! noticed only when the call ends by itself, perhaps never. So the look and the
//! call are a few instructions of assembly here (the technique of QEMU's
//! safe_syscall), and the host signal handler, finding the interrupted host program
//! counter inside them, moves it to a path that returns -EINTR without entering the
//! kernel.

use nix::libc;
use std::sync::atomic::AtomicU64;

const EINTR: i64 = libc::EINTR as i64;

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".pushsection .text.e2k_emu_safe_syscall,\"ax\",@progbits",
    ".globl e2k_emu_safe_syscall",
    ".type e2k_emu_safe_syscall,@function",
    ".p2align 4",
    // (pending, deliverable, nr, a1, a2, a3 | a4, a5, a6 on the stack)
    "e2k_emu_safe_syscall:",
    "push rbp",
    "mov rbp, rsp",
    "mov rax, rdx",
    "mov r11, rdi",
    "mov r10, rsi",
    "mov rdi, rcx",
    "mov rsi, r8",
    "mov rdx, r9",
    "mov r8, [rbp + 24]",
    "mov r9, [rbp + 32]",
    ".globl e2k_emu_safe_syscall_start",
    "e2k_emu_safe_syscall_start:",
    "mov rcx, [r11]",
    "and rcx, r10",
    "jnz 2f",
    "mov r10, [rbp + 16]",
    "syscall",
    ".globl e2k_emu_safe_syscall_end",
    "e2k_emu_safe_syscall_end:",
    "pop rbp",
    "ret",
    ".globl e2k_emu_safe_syscall_interrupted",
    "e2k_emu_safe_syscall_interrupted:",
    "2:",
    "mov rax, -{eintr}",
    "pop rbp",
    "ret",
    ".size e2k_emu_safe_syscall, . - e2k_emu_safe_syscall",
    ".popsection",
    eintr = const EINTR,
);

#[cfg(target_arch = "aarch64")]
std::arch::global_asm!(
    ".pushsection .text.e2k_emu_safe_syscall,\"ax\",@progbits",
    ".globl e2k_emu_safe_syscall",
    ".type e2k_emu_safe_syscall,@function",
    ".p2align 4",
    // (pending, deliverable, nr, a1..a5 | a6 on the stack)
    "e2k_emu_safe_syscall:",
    "mov x9, x0",
    "mov x10, x1",
    "mov x8, x2",
    "mov x0, x3",
    "mov x1, x4",
    "mov x2, x5",
    "mov x3, x6",
    "mov x4, x7",
    "ldr x5, [sp]",
    ".globl e2k_emu_safe_syscall_start",
    "e2k_emu_safe_syscall_start:",
    "ldr x11, [x9]",
    "tst x11, x10",
    "b.ne 2f",
    "svc 0",
    ".globl e2k_emu_safe_syscall_end",
    "e2k_emu_safe_syscall_end:",
    "ret",
    ".globl e2k_emu_safe_syscall_interrupted",
    "e2k_emu_safe_syscall_interrupted:",
    "2:",
    "mov x0, #-{eintr}",
    "ret",
    ".size e2k_emu_safe_syscall, . - e2k_emu_safe_syscall",
    ".popsection",
    eintr = const EINTR,
);

#[allow(improper_ctypes)]
unsafe extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn e2k_emu_safe_syscall(
        pending: *const AtomicU64,
        deliverable: u64,
        nr: libc::c_long,
        a1: u64,
        a2: u64,
        a3: u64,
        a4: u64,
        a5: u64,
        a6: u64,
    ) -> i64;
    static e2k_emu_safe_syscall_start: u8;
    static e2k_emu_safe_syscall_end: u8;
    static e2k_emu_safe_syscall_interrupted: u8;
}

/// The host call `nr` with arguments `a`: its result, or -errno. -EINTR, without
/// making the call, when a signal in `deliverable` is pending for this thread
/// before the call starts; -EINTR from the host when one arrives during it.
///
/// # Safety
/// As for the host call itself: pointers in `a` must be valid for it.
pub unsafe fn call(deliverable: u64, nr: libc::c_long, a: [u64; 6]) -> i64 {
    let pending = crate::engine::interrupt::word();
    // SAFETY: the pending word lives as long as this thread; the rest is the caller's.
    unsafe { e2k_emu_safe_syscall(pending, deliverable, nr, a[0], a[1], a[2], a[3], a[4], a[5]) }
}

/// Called by the host signal handler with its ucontext: a host thread stopped
/// between the look at the pending set and the start of the call leaves the
/// sequence with -EINTR instead of entering the kernel.
///
/// # Safety
/// `uc` is the `ucontext_t` the host kernel passed to the handler.
pub unsafe fn rewind(uc: *mut libc::c_void) {
    if uc.is_null() {
        return;
    }
    // SAFETY: addresses of the sequence's labels; the context is the handler's own.
    unsafe {
        let start = &raw const e2k_emu_safe_syscall_start as usize;
        let end = &raw const e2k_emu_safe_syscall_end as usize;
        let out = &raw const e2k_emu_safe_syscall_interrupted as usize;
        let uc = &mut *(uc as *mut libc::ucontext_t);
        #[cfg(target_arch = "x86_64")]
        let pc = &mut uc.uc_mcontext.gregs[libc::REG_RIP as usize];
        #[cfg(target_arch = "aarch64")]
        let pc = &mut uc.uc_mcontext.pc;
        let at = *pc as usize;
        if (start..end).contains(&at) {
            *pc = out as _;
        }
    }
}
