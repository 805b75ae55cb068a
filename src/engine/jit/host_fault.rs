//! Guest accesses of compiled code are plain host accesses: guest pages carry host
//! protections that follow the guest's (`guest::memory`), so an access the guest may
//! not make faults on the host. The SIGSEGV/SIGBUS handler here recognizes such a
//! fault (the faulting instruction lies in compiled code, the address in the running
//! machine's guest memory), skips the instruction and raises `JitState::faulted`;
//! the wide instruction checks it before it lands and leaves for the interpreter,
//! which runs it again and raises the exact guest fault (QEMU user mode, Box64 and
//! FEX use the host MMU so). Any other fault goes to the handler that was there.
//!
//! Supported where the handler can step over an instruction: x86-64 (lengths from
//! iced-x86's decoder) and aarch64 (4 bytes); elsewhere compiled code checks the
//! page table itself (`available`).

use super::state::JitState;
use cranelift_jit::{ArenaMemoryProvider, BranchProtection, JITMemoryProvider};
use cranelift_module::ModuleResult;
use nix::libc;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Code arenas (one per JIT, 256 MiB of address space each: Livermore loops' 700
/// translations take 7 MiB; a full arena refuses further translations) whose faults may be ours:
/// `[start, end)` of the code allocated in them so far. Lock-free, so that the
/// handler can read them.
const ARENAS: usize = 256;
static RANGES: [(AtomicUsize, AtomicUsize); ARENAS] =
    [const { (AtomicUsize::new(0), AtomicUsize::new(0)) }; ARENAS];
static NEXT_ARENA: AtomicUsize = AtomicUsize::new(0);
const ARENA_SIZE: usize = 256 << 20;

thread_local! {
    /// The state of the compiled code this thread is running, or null.
    static RUNNING: Cell<*mut JitState> = const { Cell::new(std::ptr::null_mut()) };
}

/// Whether compiled code may rely on host faults (the handler is installed).
pub fn available() -> bool {
    static INSTALL: Once = Once::new();
    static mut OK: bool = false;
    INSTALL.call_once(|| {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            // SAFETY: runs once, before any compiled code does.
            unsafe { OK = install() }
        }
    });
    // SAFETY: written once above, before any read returns.
    unsafe { OK }
}

/// The JIT's code memory: an arena whose code range the handler knows.
pub struct CodeArena {
    arena: ArenaMemoryProvider,
    slot: Option<usize>,
}

impl CodeArena {
    pub fn new() -> Result<CodeArena, String> {
        let arena = ArenaMemoryProvider::new_with_size(ARENA_SIZE)
            .map_err(|e| format!("no room for compiled code: {e}"))?;
        let n = NEXT_ARENA.fetch_add(1, Ordering::SeqCst);
        Ok(CodeArena {
            arena,
            slot: (n < ARENAS).then_some(n),
        })
    }

    /// Whether faults in this arena's code are recognized (the number of arenas is
    /// bounded; code of later ones checks the page table itself).
    pub fn known(&self) -> bool {
        self.slot.is_some()
    }
}

impl JITMemoryProvider for CodeArena {
    fn allocate_readexec(&mut self, size: usize, align: u64) -> std::io::Result<*mut u8> {
        let p = self.arena.allocate_readexec(size, align)?;
        if let Some(s) = self.slot {
            let (lo, hi) = &RANGES[s];
            let (start, end) = (p as usize, p as usize + size);
            if lo.load(Ordering::Relaxed) == 0 || start < lo.load(Ordering::Relaxed) {
                lo.store(start, Ordering::SeqCst);
            }
            if end > hi.load(Ordering::Relaxed) {
                hi.store(end, Ordering::SeqCst);
            }
        }
        Ok(p)
    }
    fn allocate_readwrite(&mut self, size: usize, align: u64) -> std::io::Result<*mut u8> {
        self.arena.allocate_readwrite(size, align)
    }
    fn allocate_readonly(&mut self, size: usize, align: u64) -> std::io::Result<*mut u8> {
        self.arena.allocate_readonly(size, align)
    }
    unsafe fn free_memory(&mut self) {
        // Translations stay callable for as long as the process runs (link cells of
        // other translations may hold them), as with the arena's own default.
    }
    fn finalize(&mut self, branch_protection: BranchProtection) -> ModuleResult<()> {
        self.arena.finalize(branch_protection)
    }
}

/// The end of the code range holding `pc`, if compiled code holds it.
fn code_end(pc: usize) -> Option<usize> {
    let n = NEXT_ARENA.load(Ordering::SeqCst).min(ARENAS);
    RANGES[..n].iter().find_map(|(lo, hi)| {
        let (lo, hi) = (lo.load(Ordering::SeqCst), hi.load(Ordering::SeqCst));
        (lo <= pc && pc < hi).then_some(hi)
    })
}

/// Marks `st` as the state of the compiled code this thread runs until `leave`.
pub fn enter(st: *mut JitState) -> *mut JitState {
    RUNNING.with(|r| r.replace(st))
}

/// Undoes `enter` (the state before it).
pub fn leave(before: *mut JitState) {
    RUNNING.with(|r| r.set(before));
}

static mut PREVIOUS: [Option<libc::sigaction>; 2] = [None, None];

fn install() -> bool {
    let mut ok = true;
    for (k, sig) in [libc::SIGSEGV, libc::SIGBUS].into_iter().enumerate() {
        // SAFETY: a handler that touches only this thread's state and lock-free data.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_fault
                as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
                as usize;
            // SA_ONSTACK: Rust's stack-overflow reporting runs on the alternate stack.
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut sa.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &sa, &mut old) == 0 {
                PREVIOUS[k] = Some(old);
            } else {
                ok = false;
            }
        }
    }
    ok
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo and ucontext to an SA_SIGINFO handler;
    // `RUNNING` points at a live state while its compiled code runs.
    unsafe {
        let st = RUNNING.with(|r| r.get());
        if !st.is_null() {
            let addr = (*info).si_addr() as usize;
            let base = (*st).mem as usize;
            let guest = addr >= base && addr - base < (*st).mem_size as usize + 4096;
            let pc = pc_of(ctx);
            if let (true, Some(end)) = (guest, code_end(pc)) {
                if let Some(len) = instruction_length(pc, end) {
                    (*st).faulted = 1;
                    set_pc(ctx, pc + len);
                    return;
                }
            }
        }
        chain(sig, info, ctx);
    }
}

/// Hands a fault that is not ours to the handler that was installed before, or to
/// the default action (the fault happens again on return and kills the process).
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let k = if sig == libc::SIGSEGV { 0 } else { 1 };
    // SAFETY: written once by `install` before the handler was installed.
    let prev = unsafe { (*std::ptr::addr_of!(PREVIOUS))[k] };
    match prev {
        Some(p) if p.sa_sigaction != libc::SIG_DFL && p.sa_sigaction != libc::SIG_IGN => {
            if p.sa_flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    unsafe { std::mem::transmute(p.sa_sigaction) };
                f(sig, info, ctx)
            } else {
                let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(p.sa_sigaction) };
                f(sig)
            }
        }
        _ => unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = libc::SIG_DFL;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        },
    }
}

#[cfg(target_arch = "x86_64")]
unsafe fn pc_of(ctx: *mut libc::c_void) -> usize {
    let uc = ctx as *mut libc::ucontext_t;
    unsafe { (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] as usize }
}

#[cfg(target_arch = "x86_64")]
unsafe fn set_pc(ctx: *mut libc::c_void, pc: usize) {
    let uc = ctx as *mut libc::ucontext_t;
    unsafe { (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] = pc as i64 }
}

/// The length of the host instruction at `pc` (compiled code ending at `end`).
#[cfg(target_arch = "x86_64")]
unsafe fn instruction_length(pc: usize, end: usize) -> Option<usize> {
    use iced_x86::{Decoder, DecoderOptions};
    let n = (end - pc).min(15);
    // SAFETY: `[pc, end)` is finalized compiled code, readable.
    let bytes = unsafe { std::slice::from_raw_parts(pc as *const u8, n) };
    let mut d = Decoder::with_ip(64, bytes, pc as u64, DecoderOptions::NONE);
    let i = d.decode();
    (!i.is_invalid()).then_some(i.len())
}

#[cfg(target_arch = "aarch64")]
unsafe fn pc_of(ctx: *mut libc::c_void) -> usize {
    let uc = ctx as *mut libc::ucontext_t;
    unsafe { (*uc).uc_mcontext.pc as usize }
}

#[cfg(target_arch = "aarch64")]
unsafe fn set_pc(ctx: *mut libc::c_void, pc: usize) {
    let uc = ctx as *mut libc::ucontext_t;
    unsafe { (*uc).uc_mcontext.pc = pc as u64 }
}

#[cfg(target_arch = "aarch64")]
unsafe fn instruction_length(_pc: usize, _end: usize) -> Option<usize> {
    Some(4)
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn pc_of(_ctx: *mut libc::c_void) -> usize {
    0
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn set_pc(_ctx: *mut libc::c_void, _pc: usize) {}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
unsafe fn instruction_length(_pc: usize, _end: usize) -> Option<usize> {
    None
}
