//! Guest threads (clone with CLONE_VM): each runs on a host thread of its own with
//! its own CPU state, hardware stacks, decoded-code cache, JIT and signal mask;
//! guest memory, the mappings, the signal dispositions and the descriptors are the
//! process's. A thread's id is its host thread's, so futexes, tgkill and PI locks
//! (which store ids in guest memory) are the host kernel's own.

use crate::guest::cpu::{Cpu, DataStack};
use crate::guest::hw_stack::HwStack;
use crate::guest::memory::{perm, GuestMemory, MemError, PAGE};
use crate::guest::window::RegFile;
use crate::linux::kernel::{Kernel, Layout};
use nix::libc;

/// The areas reserved for a thread's procedure and chain stacks, and the sizes the
/// kernel starts them with (they grow on demand up to the reserved area).
pub const PS_SIZE: u64 = 64 << 20;
pub const PCS_SIZE: u64 = 16 << 20;
pub const PS_INITIAL: u64 = 1 << 20;
pub const PCS_INITIAL: u64 = 256 << 10;
/// Procedure stack, guard page, chain stack.
pub const HW_STACKS_SPAN: u64 = PS_SIZE + PAGE + PCS_SIZE;

// Clone flags have the generic values on E2K, the host's.
pub const CLONE_VM: u64 = libc::CLONE_VM as u64;
pub const CLONE_VFORK: u64 = libc::CLONE_VFORK as u64;
pub const CLONE_THREAD: u64 = libc::CLONE_THREAD as u64;
pub const CLONE_SETTLS: u64 = libc::CLONE_SETTLS as u64;
pub const CLONE_PARENT_SETTID: u64 = libc::CLONE_PARENT_SETTID as u64;
pub const CLONE_CHILD_CLEARTID: u64 = libc::CLONE_CHILD_CLEARTID as u64;
pub const CLONE_CHILD_SETTID: u64 = libc::CLONE_CHILD_SETTID as u64;

/// What clone asks of a new thread.
pub struct NewThread {
    pub cpu: Cpu,
    pub kernel: Kernel,
    pub flags: u64,
    pub parent_tid: u64,
    pub child_tid: u64,
}

/// Maps a thread's procedure and chain stacks so that they end at `top`; the guest
/// may not touch the procedure stack and may only read the chain stack.
pub fn map_hw_stacks(mem: &GuestMemory, top: u64) -> Result<(HwStack, HwStack), MemError> {
    let pcs_base = top - PCS_SIZE;
    let ps_base = pcs_base - PAGE - PS_SIZE;
    mem.map(ps_base, PS_SIZE, perm::KERNEL)?;
    mem.map(pcs_base, PCS_SIZE, perm::READ | perm::KERNEL)?;
    Ok((
        HwStack {
            base: ps_base,
            size: PS_INITIAL,
            ind: 0,
            max: PS_SIZE,
        },
        HwStack {
            base: pcs_base,
            size: PCS_INITIAL,
            ind: 0,
            max: PCS_SIZE,
        },
    ))
}

/// Hardware stacks for a new thread, in the mmap area (with a guard page on
/// either side). Call with the mm lock held.
pub fn new_hw_stacks(mem: &GuestMemory, mm: &Layout) -> Option<(HwStack, HwStack)> {
    let span = HW_STACKS_SPAN + 2 * PAGE;
    let at = mem.find_free(span, mm.mmap_top).filter(|a| *a > mm.brk)?;
    map_hw_stacks(mem, at + span - PAGE).ok()
}

/// Returns an ended thread's hardware stacks to the free area (mm lock held).
pub fn free_hw_stacks(mem: &GuestMemory, ps: &HwStack, pcs: &HwStack) {
    let _ = mem.unmap(ps.base, pcs.base + pcs.max - ps.base);
}

/// The lowest address of the writable run of pages that ends at `top`: where a
/// thread's data stack (memory the parent allocated) ends.
fn stack_floor(mem: &GuestMemory, top: u64) -> u64 {
    let rw = perm::READ | perm::WRITE | perm::MAPPED;
    let mut floor = top & !(PAGE - 1);
    while floor >= PAGE && mem.page_perm(floor - PAGE) & rw == rw {
        floor -= PAGE;
    }
    floor
}

/// The CPU a new thread starts with, as the E2K kernel builds it: the parent's
/// registers, the procedure that called clone as its only frame (its window copied
/// to the bottom of fresh hardware stacks; it cannot return past itself), clone's
/// result 0 in the callee window at `%r(2 * wbs)`, the data stack at `stack` (or
/// the parent's), and `%g13` = `tls` with CLONE_SETTLS.
pub fn child_cpu(
    parent: &Cpu,
    mem: &GuestMemory,
    wbs: u32,
    stack: u64,
    tls: Option<u64>,
    (ps, pcs): (HwStack, HwStack),
) -> Cpu {
    let mut c = parent.clone();
    let regs: Vec<_> = (0..parent.wd.size as u64)
        .map(|k| parent.regs.get(parent.wd.base + k))
        .collect();
    c.regs = RegFile::with_frame(regs);
    c.wd.base = 0;
    c.ps = ps;
    c.pcs = pcs;
    c.wait_lock = None;
    c.executed = 0;
    if stack != 0 {
        let top = stack & !15;
        c.stack = DataStack {
            sp: top,
            limit: stack_floor(mem, top),
            top,
        };
    }
    c.set_reg(2 * wbs, 0);
    if let Some(t) = tls {
        c.globals[TLS_GLOBAL] = t;
        c.global_tags[TLS_GLOBAL] = 0;
    }
    c
}

/// The global register the E2K ABI keeps the thread pointer in.
pub const TLS_GLOBAL: usize = 13;

/// The host futex call on guest memory, which is host memory: waiters in the guest
/// and wakers in the guest meet in the host kernel.
///
/// # Safety
/// `word`, `word2` and `timeout` are null or point into checked guest memory.
pub unsafe fn host_futex(
    word: *mut u8,
    op: i32,
    val: u64,
    timeout: *const u8,
    word2: *mut u8,
    val3: u64,
) -> i64 {
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word,
            op,
            val as u32,
            timeout,
            word2,
            val3 as u32,
        )
    }
}

/// What the kernel does for CLONE_CHILD_CLEARTID when the thread ends: zero the id
/// word and wake a waiter (pthread_join).
pub fn clear_child_tid(mem: &GuestMemory, addr: u64) {
    if addr == 0 || mem.write(addr, &0u32.to_le_bytes()).is_err() {
        return;
    }
    wake_one(mem, addr);
}

/// The kernel's own futex wake of one waiter on the word at `addr`, as at thread
/// exit. It reaches shared and private waiters alike on private memory; the host
/// keys the two kinds apart, so both are woken (a spurious wake only makes a waiter
/// look again).
pub fn wake_one(mem: &GuestMemory, addr: u64) {
    let Ok(p) = mem.host_ptr(addr, 4) else {
        return;
    };
    for op in [
        libc::FUTEX_WAKE,
        libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
    ] {
        // SAFETY: a checked guest word, no timeout or second word.
        unsafe { host_futex(p, op, 1, std::ptr::null(), std::ptr::null_mut(), 0) };
    }
}
