//! Signals as the E2K kernel delivers them: pending signals (sent by the guest to
//! itself, by other processes through the host, or raised by guest faults) reach the
//! guest's handler between wide instructions, as a procedure call on a signal frame
//! (siginfo + ucontext) built on the data stack; the handler's `return` goes to a
//! kernel address that restores the interrupted state, as `rt_sigreturn` does.
//!
//! The interrupted state is kept whole on the emulator's side (the kernel keeps it in
//! kernel memory too); from the frame, `rt_sigreturn` takes back what programs may
//! edit: the resume address (`uc_mcontext.cr0_hi`), `%ctpr1-3` and the signal mask.

use crate::engine::interp::{self, Control, Transfer};
use crate::guest::cpu::{Cpu, Window};
use crate::guest::memory::GuestMemory;
use nix::libc;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Where a handler's `return` lands: a kernel address (outside user space), as on
/// Elbrus, where the chain frame below the handler belongs to the kernel.
pub const SIGRETURN_IP: u64 = 0xffff_ffff_f000;

pub const SIGKILL: u32 = 9;
pub const SIGSTOP: u32 = 19;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
pub const SA_SIGINFO: u64 = 4;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
pub const SS_ONSTACK: u64 = 1;
pub const SS_DISABLE: u64 = 2;
pub const MINSIGSTKSZ: u64 = 4096;

/// `si_code` values.
pub const SI_USER: i32 = 0;
pub const SI_TKILL: i32 = -6;

/// `struct ucontext` of the E2K kernel, by offset: flags, link, stack, sigcontext,
/// sigmask padded to 128 bytes, extra context. Signal frames, getcontext and the
/// context switches (`syscall::context`) read and write it.
pub mod ucontext {
    pub const LINK: u64 = 8;
    /// `stack_t`: ss_sp, ss_flags (int, padded), ss_size.
    pub const STACK: u64 = 16;
    pub const MCONTEXT: u64 = 40;
    // sigcontext words: cr0.lo, cr0.hi, cr1.lo, cr1.hi, sbr, usd.lo, usd.hi, psp.lo,
    // psp.hi, pcsp.lo, pcsp.hi; then rpr, TIRs, trap cells, DAM, SBBP, MLT, upsr.
    pub const CR0_LO: u64 = MCONTEXT;
    pub const CR0_HI: u64 = MCONTEXT + 8;
    pub const CR1_LO: u64 = MCONTEXT + 16;
    pub const CR1_HI: u64 = MCONTEXT + 24;
    pub const SBR: u64 = MCONTEXT + 32;
    pub const USD_LO: u64 = MCONTEXT + 40;
    pub const USD_HI: u64 = MCONTEXT + 48;
    pub const PSP_LO: u64 = MCONTEXT + 56;
    pub const PSP_HI: u64 = MCONTEXT + 64;
    pub const PCSP_LO: u64 = MCONTEXT + 72;
    pub const PCSP_HI: u64 = MCONTEXT + 80;
    pub const NR_TIRS: u64 = MCONTEXT + 104;
    pub const UPSR: u64 = MCONTEXT + 1568;
    pub const SIGMASK: u64 = MCONTEXT + 1576;
    pub const EXTRA: u64 = SIGMASK + 128;
    pub const EXTRA_SIZE: u64 = EXTRA;
    pub const EXTRA_CURR_CNT: u64 = EXTRA + 4;
    pub const EXTRA_FPCR: u64 = EXTRA + 12;
    pub const EXTRA_FPSR: u64 = EXTRA + 16;
    pub const EXTRA_PFPFR: u64 = EXTRA + 20;
    pub const EXTRA_CTPR1: u64 = EXTRA + 24;
    /// The extra context is 56 bytes.
    pub const SIZE: u64 = EXTRA + 56;
}

/// The signal frame: siginfo, then the ucontext.
pub mod frame {
    use super::ucontext as uc;
    pub const INFO: u64 = 0;
    pub const UC: u64 = 128;
    pub const UC_STACK: u64 = UC + uc::STACK;
    pub const CR0_LO: u64 = UC + uc::CR0_LO;
    pub const CR0_HI: u64 = UC + uc::CR0_HI;
    pub const CR1_LO: u64 = UC + uc::CR1_LO;
    pub const CR1_HI: u64 = UC + uc::CR1_HI;
    pub const SBR: u64 = UC + uc::SBR;
    pub const USD_LO: u64 = UC + uc::USD_LO;
    pub const USD_HI: u64 = UC + uc::USD_HI;
    pub const PSP_LO: u64 = UC + uc::PSP_LO;
    pub const PSP_HI: u64 = UC + uc::PSP_HI;
    pub const PCSP_LO: u64 = UC + uc::PCSP_LO;
    pub const PCSP_HI: u64 = UC + uc::PCSP_HI;
    pub const NR_TIRS: u64 = UC + uc::NR_TIRS;
    pub const UPSR: u64 = UC + uc::UPSR;
    pub const SIGMASK: u64 = UC + uc::SIGMASK;
    pub const EXTRA_SIZE: u64 = UC + uc::EXTRA_SIZE;
    pub const EXTRA_CURR_CNT: u64 = UC + uc::EXTRA_CURR_CNT;
    pub const EXTRA_FPCR: u64 = UC + uc::EXTRA_FPCR;
    pub const EXTRA_FPSR: u64 = UC + uc::EXTRA_FPSR;
    pub const EXTRA_PFPFR: u64 = UC + uc::EXTRA_PFPFR;
    pub const EXTRA_CTPR1: u64 = UC + uc::EXTRA_CTPR1;
    /// Kept 16-byte aligned.
    pub const SIZE: u64 = (UC + uc::SIZE).div_ceil(16) * 16;
}

// Signals pending for this thread: bit `n - 1` for signal `n`. Host signal handlers
// set bits there, and running code stops for them.
use crate::engine::interrupt;

/// `SIGSEGV`, `SIGUSR1`, ... (or "signal N").
pub fn signal_name(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig)
        .map_or_else(|_| format!("signal {sig}"), |s| s.as_str().to_string())
}

fn bit(sig: u32) -> u64 {
    1u64 << (sig - 1)
}

/// Marks `sig` pending.
pub fn raise(sig: u32) {
    if (1..=64).contains(&sig) {
        interrupt::with(|p| p.fetch_or(bit(sig), Ordering::SeqCst));
    }
}

/// Whether any signal is pending (cheap: checked between wide instructions).
#[inline]
pub fn any_pending() -> bool {
    crate::engine::interrupt::requested()
}

/// Pending signals (for rt_sigpending).
pub fn pending() -> u64 {
    interrupt::with(|p| p.load(Ordering::SeqCst))
}

/// Takes the lowest pending signal in `set`.
pub fn take(set: u64) -> Option<u32> {
    interrupt::with(|pending| {
        let taken = pending.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |p| {
            let ready = p & set;
            (ready != 0).then(|| p & !(ready & ready.wrapping_neg()))
        });
        taken.ok().map(|p| (p & set).trailing_zeros() + 1)
    })
}

extern "C" fn on_host_signal(
    host_sig: libc::c_int,
    info: *mut libc::siginfo_t,
    uc: *mut libc::c_void,
) {
    if let Some(sig) = guest_number(host_sig) {
        record_host_info(sig, info);
        raise(sig);
    }
    // SAFETY: the context the host kernel passed to this handler.
    unsafe { crate::linux::safe_syscall::rewind(uc) };
}

/// The host signal that carries guest signal `sig`. The classic signals have the
/// same numbers (the generic Linux ones on E2K, x86-64 and aarch64); the host's libc
/// keeps the first real-time signals for itself, so guest real-time signals move up
/// by as many (as qemu-user does), and the last of them have no host signal.
pub fn host_number(sig: u32) -> Option<i32> {
    const RTMIN: u32 = 32;
    if sig < RTMIN {
        return (sig >= 1).then_some(sig as i32);
    }
    let host = libc::SIGRTMIN() as u32 + (sig - RTMIN);
    (host <= libc::SIGRTMAX() as u32 && sig <= 64).then_some(host as i32)
}

/// The guest signal a host signal carries.
pub fn guest_number(host: i32) -> Option<u32> {
    let rtmin = libc::SIGRTMIN();
    match host {
        1..=31 => Some(host as u32),
        h if h >= rtmin && h <= libc::SIGRTMAX() => Some(32 + (h - rtmin) as u32),
        _ => None,
    }
}

/// Signals the emulator takes from the host itself (faults of its own, job control
/// it must not catch), and guest signals without a host signal: their host
/// disposition never follows the guest's.
fn host_managed(sig: u32) -> bool {
    matches!(sig, 4 | 5 | 7 | 8 | 11 | 9 | 19) || host_number(sig).is_none()
}

/// Makes the host disposition of `sig` follow the guest's: a guest handler becomes a
/// host handler that marks the signal pending and interrupts the blocking host call
/// the thread is in (whether the guest's call restarts is decided when its handler
/// is entered: see `Restart`), SIG_IGN and SIG_DFL carry over as they are (so the
/// default action ends the emulator the way it would end the program).
pub fn follow_host(sig: u32, handler: u64) {
    let Some(host) = host_number(sig).filter(|_| !host_managed(sig)) else {
        return;
    };
    // SAFETY: installing a handler that only does an atomic OR, or a standard action.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = match handler {
            SIG_DFL => libc::SIG_DFL,
            SIG_IGN => libc::SIG_IGN,
            _ => {
                on_host_signal
                    as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
                    as usize
            }
        };
        sa.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(host, &sa, std::ptr::null_mut());
    }
}

/// Sends guest signal `sig` through the host: to process `pid` (kill) or to thread
/// `tid` of it (tgkill). None: it has no host signal.
pub fn send_host(pid: i32, tid: Option<i32>, sig: u32) -> Option<i64> {
    let host = if sig == 0 { 0 } else { host_number(sig)? };
    // SAFETY: plain values.
    Some(unsafe {
        match tid {
            None => libc::kill(pid, host) as i64,
            Some(t) => libc::syscall(libc::SYS_tgkill, pid, t, host),
        }
    })
}

/// What a delivered signal tells its handler (`siginfo_t`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Info {
    pub signo: u32,
    pub code: i32,
    /// si_addr for faults, (si_pid, si_uid) packed for kill, (si_tid, si_overrun)
    /// for POSIX timers.
    pub addr: u64,
    /// si_value (sigqueue, POSIX timers).
    pub value: u64,
}

impl Info {
    pub fn sent(signo: u32, code: i32) -> Info {
        let pid = std::process::id() as u64;
        let uid = nix::unistd::getuid().as_raw() as u64;
        Info {
            signo,
            code,
            addr: pid | uid << 32,
            value: 0,
        }
    }

    /// The siginfo of a signal that arrived from the host (another process, a
    /// timer, the terminal): what the host kernel told its handler, which has the
    /// E2K layout too (the generic 64-bit one); as if sent by this process when
    /// nothing was recorded.
    pub fn arrived(signo: u32) -> Info {
        HOST_INFO.with(|t| {
            let k = 3 * (signo as usize - 1);
            let head = t[k].swap(0, Ordering::SeqCst);
            if head >> 32 == 0 {
                return Info::sent(signo, SI_USER);
            }
            Info {
                signo,
                code: head as u32 as i32,
                addr: t[k + 1].load(Ordering::SeqCst),
                value: t[k + 2].load(Ordering::SeqCst),
            }
        })
    }

    pub fn bytes(&self) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[0..4].copy_from_slice(&self.signo.to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        b[16..24].copy_from_slice(&self.addr.to_le_bytes());
        b[24..32].copy_from_slice(&self.value.to_le_bytes());
        b
    }
}

thread_local! {
    // Per signal: si_code with bit 32 set when recorded, then bytes 16..24 and
    // 24..32 of the host's siginfo. Const-initialized plain TLS: the host handler
    // writes it.
    static HOST_INFO: [std::sync::atomic::AtomicU64; 192] =
        const { [const { std::sync::atomic::AtomicU64::new(0) }; 192] };
}

/// Keeps what the host's siginfo says of guest signal `sig`, for `Info::arrived`.
fn record_host_info(sig: u32, info: *const libc::siginfo_t) {
    if info.is_null() || !(1..=64).contains(&sig) {
        return;
    }
    // SAFETY: the host kernel's siginfo for this handler: 128 readable bytes.
    let w = unsafe { std::slice::from_raw_parts(info as *const u8, 32) };
    let word = |at: usize| u64::from_le_bytes(w[at..at + 8].try_into().unwrap_or_default());
    let code = u32::from_le_bytes(w[8..12].try_into().unwrap_or_default());
    HOST_INFO.with(|t| {
        let k = 3 * (sig as usize - 1);
        t[k + 1].store(word(16), Ordering::SeqCst);
        t[k + 2].store(word(24), Ordering::SeqCst);
        t[k].store(code as u64 | 1 << 32, Ordering::SeqCst);
    });
}

/// The state a handler interrupted, restored by `rt_sigreturn`.
pub struct Saved {
    cpu: Cpu,
    mask: u64,
    frame: u64,
    alt_was_active: bool,
    /// The system call the signal interrupted, made again when the handler returns
    /// (SA_RESTART).
    restart: Option<Restart>,
}

/// A system call that a signal interrupted (the host call ended with EINTR, or did
/// not start, with a signal pending): the kernel's -ERESTARTSYS and kin. The call
/// is made again, with the same number and arguments, if no handler runs (the
/// signal was ignored by then) or if the handler entered has SA_RESTART and the call
/// is one that SA_RESTART restarts; otherwise the guest gets -EINTR.
#[derive(Clone, Copy, Debug)]
pub struct Restart {
    pub entry: u64,
    pub wbs: u32,
    pub nr: u64,
    /// Restarted after a handler with SA_RESTART (the kernel's ERESTARTSYS), not
    /// only when no handler runs (ERESTARTNOHAND: poll, select, sleeps, ...).
    pub after_handler: bool,
}

impl Saved {
    /// Chain-stack index of the interrupted procedure.
    pub fn chain_index(&self) -> u64 {
        self.cpu.pcs.ind
    }
    /// The data-stack top of the interrupted procedure (its context's key).
    pub fn stack_top(&self) -> u64 {
        self.cpu.stack.top
    }
    pub fn alt_was_active(&self) -> bool {
        self.alt_was_active
    }
}

/// The guest's alternate signal stack.
#[derive(Clone, Copy, Debug, Default)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    pub disabled: bool,
    /// A handler runs on it now.
    pub active: bool,
}

/// Dispositions (handler, flags, restorer, mask) by signal number: one table for
/// all threads of a process.
pub type Actions = Arc<Mutex<HashMap<u64, [u64; 4]>>>;

/// A thread's signal state the kernel keeps (the dispositions are the process's).
#[derive(Default)]
pub struct Signals {
    pub actions: Actions,
    /// Blocked signals; change it with `set_mask`, which keeps the host thread's
    /// mask in step.
    pub mask: u64,
    /// The mask to restore when the handler that ends an rt_sigsuspend returns.
    pub suspend_mask: Option<u64>,
    /// States interrupted by the handlers running now, innermost last.
    pub saved: Vec<Saved>,
    pub alt_stack: AltStack,
    /// siginfo of signals the guest sent itself, until delivered.
    pub sent_info: HashMap<u32, Info>,
    /// The system call the pending signal interrupted, until a handler is entered.
    pub restart: Option<Restart>,
}

impl Signals {
    /// The disposition of `sig` (all zero: SIG_DFL).
    pub fn disposition(&self, sig: u64) -> [u64; 4] {
        self.table().get(&sig).copied().unwrap_or([0; 4])
    }

    pub fn set_disposition(&self, sig: u64, act: [u64; 4]) {
        self.table().insert(sig, act);
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<u64, [u64; 4]>> {
        self.actions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new thread's: the same dispositions and mask, nothing else.
    pub fn for_thread(&self) -> Signals {
        Signals {
            actions: self.actions.clone(),
            mask: self.mask,
            ..Signals::default()
        }
    }

    /// Blocks `mask` (never SIGKILL or SIGSTOP). The host thread blocks the same
    /// signals, so that the host sends a process-wide signal to a thread whose guest
    /// accepts it, as the kernel chooses among a process's threads.
    pub fn set_mask(&mut self, mask: u64) {
        self.mask = mask & !(bit(SIGKILL) | bit(SIGSTOP));
        block_on_host(self.mask);
    }
}

/// The host thread's mask: the guest's, but for the signals the emulator handles
/// itself.
pub fn block_on_host(mask: u64) {
    // SAFETY: a sigset built in place, then installed for this thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in 1..=64u32 {
            if let Some(h) = host_number(sig).filter(|_| mask & bit(sig) != 0 && !host_managed(sig))
            {
                libc::sigaddset(&mut set, h);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// Signals the host holds for this thread or the process because their host
/// thread blocks them (for rt_sigpending).
pub fn host_pending() -> u64 {
    let mut out = 0;
    // SAFETY: a sigset filled by the host.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        if libc::sigpending(&mut set) == 0 {
            for sig in 1..=64u32 {
                if host_number(sig).is_some_and(|h| libc::sigismember(&set, h) == 1) {
                    out |= bit(sig);
                }
            }
        }
    }
    out
}

/// Takes the lowest signal of `set` that the host holds pending because this
/// thread blocks it.
pub fn take_from_host(set: u64) -> Option<u32> {
    let sig = (1..=64u32).find(|s| set & bit(*s) != 0 && !host_managed(*s))?;
    let host = host_number(sig)?;
    // SAFETY: a one-signal set and a zero timeout: the call only dequeues.
    unsafe {
        let mut one: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut one);
        libc::sigaddset(&mut one, host);
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        (libc::sigtimedwait(&one, std::ptr::null_mut(), &zero) == host).then_some(sig)
    }
}

/// What to do with signal `sig` now that it is deliverable.
pub enum Action {
    Ignore,
    Terminate,
    Handle([u64; 4]),
}

pub fn action(signals: &Signals, sig: u32) -> Action {
    let a = signals.disposition(sig as u64);
    match a[0] {
        SIG_IGN => Action::Ignore,
        // Default-ignored: SIGCHLD, SIGCONT, SIGURG, SIGWINCH; the stop signals are
        // ignored too (a user-mode emulator does not stop itself).
        SIG_DFL if matches!(sig, 17 | 18 | 20 | 21 | 22 | 23 | 28) => Action::Ignore,
        SIG_DFL => Action::Terminate,
        _ => Action::Handle(a),
    }
}

fn put(mem: &GuestMemory, addr: u64, bytes: &[u8]) -> Result<(), ()> {
    mem.write(addr, bytes).map_err(|_| ())
}

fn put64(mem: &GuestMemory, addr: u64, v: u64) -> Result<(), ()> {
    put(mem, addr, &v.to_le_bytes())
}

fn put32(mem: &GuestMemory, addr: u64, v: u32) -> Result<(), ()> {
    put(mem, addr, &v.to_le_bytes())
}

fn get64(mem: &GuestMemory, addr: u64) -> Result<u64, ()> {
    let mut b = [0u8; 8];
    mem.read(addr, &mut b, crate::guest::memory::Access::Read)
        .map_err(|_| ())?;
    Ok(u64::from_le_bytes(b))
}

/// Enters the guest's handler for `info.signo` (disposition `act`): frame on the data
/// stack or the alternate stack, the interrupted procedure saved as a chain frame,
/// then a kernel frame whose return is `SIGRETURN_IP`, and the handler's window of 8
/// registers with %r0 = signal, %r1 = &siginfo, %r2 = &ucontext. Err: the frame
/// cannot be written (the kernel then kills the process with SIGSEGV).
pub fn deliver(
    cpu: &mut Cpu,
    mem: &GuestMemory,
    signals: &mut Signals,
    strace: bool,
    info: Info,
    act: [u64; 4],
) -> Result<(), ()> {
    let [handler, flags, _restorer, sa_mask] = act;
    let sig = info.signo;
    if strace {
        eprintln!(
            "{} --- {} {{si_signo={sig}, si_code={}, si_addr={:#x}}} ---",
            crate::linux::log::tid(),
            signal_name(sig as i32),
            info.code,
            info.addr
        );
    }
    let saved_cpu = cpu.clone();
    let old_mask = signals.suspend_mask.take().unwrap_or(signals.mask);
    let alt = signals.alt_stack;
    let on_alt = flags & SA_ONSTACK != 0 && !alt.disabled && !alt.active && alt.size != 0;
    let sp = if on_alt {
        alt.sp + alt.size
    } else {
        cpu.stack.sp
    };
    let at = (sp - frame::SIZE) & !15;

    let zero = vec![0u8; frame::SIZE as usize];
    put(mem, at, &zero)?;
    put(mem, at + frame::INFO, &info.bytes())?;
    // uc_stack: the alternate stack as sigaltstack would report it.
    put64(mem, at + frame::UC_STACK, alt.sp)?;
    put32(
        mem,
        at + frame::UC_STACK + 8,
        if alt.disabled || alt.size == 0 {
            SS_DISABLE as u32
        } else if alt.active {
            SS_ONSTACK as u32
        } else {
            0
        },
    )?;
    put64(mem, at + frame::UC_STACK + 16, alt.size)?;
    // The interrupted procedure's chain registers as a call from it would save them.
    let (f, _) = crate::guest::chain::call_frame(cpu, cpu.ip, cpu.wd.size / 2);
    let w = f.words();
    for (k, off) in [frame::CR0_LO, frame::CR0_HI, frame::CR1_LO, frame::CR1_HI]
        .into_iter()
        .enumerate()
    {
        put64(mem, at + off, w[k])?;
    }
    put64(mem, at + frame::SBR, cpu.stack.top)?;
    put64(mem, at + frame::USD_LO, cpu.stack.sp)?;
    put64(
        mem,
        at + frame::USD_HI,
        (cpu.stack.sp - cpu.stack.limit) << 32,
    )?;
    put64(mem, at + frame::PSP_LO, cpu.ps.base)?;
    put64(mem, at + frame::PSP_HI, cpu.ps.size << 32 | cpu.ps.ind)?;
    put64(mem, at + frame::PCSP_LO, cpu.pcs.base)?;
    put64(mem, at + frame::PCSP_HI, cpu.pcs.size << 32 | cpu.pcs.ind)?;
    put64(mem, at + frame::NR_TIRS, 0)?;
    put64(mem, at + frame::UPSR, cpu.upsr)?;
    put64(mem, at + frame::SIGMASK, old_mask)?;
    put32(mem, at + frame::EXTRA_SIZE, 52)?;
    put32(mem, at + frame::EXTRA_CURR_CNT, u32::MAX)?;
    put32(mem, at + frame::EXTRA_FPCR, cpu.fpcr as u32)?;
    put32(mem, at + frame::EXTRA_FPSR, cpu.fpsr as u32)?;
    put32(mem, at + frame::EXTRA_PFPFR, cpu.pfpfr as u32)?;
    for k in 0..3 {
        put64(
            mem,
            at + frame::EXTRA_CTPR1 + 8 * k,
            cpu.ctpr[1 + k as usize],
        )?;
    }

    // The interrupted procedure's whole window becomes the caller part of a call,
    // then the kernel's frame, then the handler.
    let call = |cpu: &mut Cpu, mem: &GuestMemory, ret: u64, wbs: u32| {
        let c = Control {
            transfer: Some(Transfer::Call(handler, wbs)),
            ..Control::default()
        };
        interp::apply_control(cpu, mem, ret, &c).map_err(|_| ())
    };
    call(cpu, mem, cpu.ip, cpu.wd.size / 2)?;
    if on_alt {
        cpu.stack.limit = alt.sp;
        cpu.stack.top = alt.sp + alt.size;
    }
    cpu.stack.sp = at;
    call(cpu, mem, SIGRETURN_IP, 0)?;
    cpu.wd = Window {
        size: 8,
        psize: 8,
        fx: true,
        ..cpu.wd
    };
    cpu.regs
        .frame(cpu.wd.base, cpu.wd.base + 8, mem, &mut cpu.ps)
        .map_err(|_| ())?;
    cpu.set_reg(0, sig as u64);
    if flags & SA_SIGINFO != 0 {
        cpu.set_reg(1, at + frame::INFO);
        cpu.set_reg(2, at + frame::UC);
    }
    cpu.ip = handler;

    let restart = signals
        .restart
        .take()
        .filter(|r| r.after_handler && flags & SA_RESTART != 0);
    signals.saved.push(Saved {
        cpu: saved_cpu,
        mask: old_mask,
        frame: at,
        alt_was_active: alt.active,
        restart,
    });
    if on_alt {
        signals.alt_stack.active = true;
    }
    signals.set_mask(signals.mask | sa_mask | if flags & SA_NODEFER != 0 { 0 } else { bit(sig) });
    if flags & SA_RESETHAND != 0 {
        signals.set_disposition(sig as u64, [SIG_DFL, 0, 0, 0]);
        follow_host(sig, SIG_DFL);
    }
    Ok(())
}

/// `rt_sigreturn`: back to the state the innermost handler interrupted, with the
/// resume address, `%ctpr1-3` and the signal mask from its frame.
/// Err: no frame to return to (the kernel then kills the process with SIGSEGV).
/// A system call the handler interrupted (SA_RESTART) becomes `signals.restart`,
/// made again before the next instruction, unless the handler changed where to
/// resume.
pub fn sigreturn(cpu: &mut Cpu, mem: &GuestMemory, signals: &mut Signals) -> Result<(), String> {
    let bad = || "rt_sigreturn without a signal frame".to_string();
    let s = signals.saved.pop().ok_or_else(bad)?;
    let at = s.frame;
    let ip = get64(mem, at + frame::CR0_HI).map_err(|_| bad())?;
    let mask = get64(mem, at + frame::SIGMASK).unwrap_or(s.mask);
    let mut ctpr = [0u64; 3];
    for (k, c) in ctpr.iter_mut().enumerate() {
        *c = get64(mem, at + frame::EXTRA_CTPR1 + 8 * k as u64).map_err(|_| bad())?;
    }
    let executed = cpu.executed;
    let resumes_there = s.cpu.ip == ip & 0xffff_ffff_fff8;
    *cpu = s.cpu;
    cpu.executed = executed;
    cpu.ip = ip & 0xffff_ffff_fff8;
    cpu.ctpr[1..].copy_from_slice(&ctpr);
    signals.set_mask(mask);
    signals.alt_stack.active = s.alt_was_active;
    signals.restart = s.restart.filter(|_| resumes_there);
    Ok(())
}

/// Whether a signal that `mask` does not block is pending for this thread.
pub fn deliverable_pending(mask: u64) -> bool {
    pending() & deliverable(mask) != 0
}

/// The signals a thread with `mask` takes (SIGKILL and SIGSTOP always).
pub fn deliverable(mask: u64) -> u64 {
    !mask | bit(SIGKILL) | bit(SIGSTOP)
}
