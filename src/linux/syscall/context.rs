//! The E2K kernel's user-context calls: getcontext (a fast system call),
//! setcontext, makecontext, swapcontext and freecontext (369-372). A context is a
//! set of hardware stacks (`linux::context`); switching contexts exchanges them, and
//! a switch within one context is a longjmp through its chain stack (`e2k::unwind`).

use super::abi::{
    get_u64, put, val, Ret, Sys, SysResult, EFAULT, EINVAL, ENOENT, ENOMEM, EPERM, ESRCH,
};
use super::e2k::{unwind, Resume};
use crate::guest::chain::{self, Frame, FRAME_BYTES};
use crate::guest::cpu::{Cpu, DataStack, Rotation, Window};
use crate::guest::memory::Access;
use crate::guest::window::{Reg, RegFile};
use crate::linux::context::{Context, Suspended, CONTEXT_END_IP};
use crate::linux::kernel::Outcome;
use crate::linux::signal::ucontext as uc;
use crate::linux::thread;

const EBUSY: i64 = 16;
/// `sigset_t` as the kernel takes it: 64 signals.
const SIGSET_SIZE: u64 = 8;
/// Argument bytes makecontext passes in registers (8 registers); the rest go on the
/// new data stack above its 64-byte register save area.
const ARG_REGS_BYTES: u64 = 64;
/// makecontext's function starts with an 8-register window (wbs 4), above the
/// 8 registers of the kernel's trampoline frame.
const FUNC_WBS: u32 = 4;

/// The key of the context this thread runs on: the top of its data stack (outside
/// signal handlers, which may run on an alternate stack).
fn current_key(s: &Sys) -> u64 {
    s.kernel
        .signals
        .saved
        .first()
        .map_or(s.cpu.stack.top, |f| f.stack_top())
}

fn read_uc(s: &Sys, ucp: u64) -> Result<Vec<u8>, i64> {
    Ok(s.mem
        .slice(ucp, uc::SIZE as usize, Access::Read)
        .map_err(|_| -EFAULT)?
        .to_vec())
}

fn word(raw: &[u8], off: u64) -> u64 {
    let o = off as usize;
    u64::from_le_bytes(raw[o..o + 8].try_into().unwrap_or_default())
}

fn half(raw: &[u8], off: u64) -> u64 {
    let o = off as usize;
    u32::from_le_bytes(raw[o..o + 4].try_into().unwrap_or_default()) as u64
}

/// The pcsp registers as the guest reads them.
fn pcsp(cpu: &Cpu) -> (u64, u64) {
    (cpu.pcs.base, cpu.pcs.size << 32 | cpu.pcs.ind)
}

/// What getcontext stores: signal mask, key, chain-stack registers, FP control.
fn store_common(s: &mut Sys, ucp: u64) -> Result<(), i64> {
    let key = current_key(s);
    let (lo, hi) = pcsp(s.cpu);
    let mask = s.kernel.signals.mask;
    let (fpcr, fpsr, pfpfr) = (s.cpu.fpcr, s.cpu.fpsr, s.cpu.pfpfr);
    put(s, ucp + uc::SIGMASK, &mask.to_le_bytes())?;
    put(s, ucp + uc::SBR, &key.to_le_bytes())?;
    put(s, ucp + uc::PCSP_LO, &lo.to_le_bytes())?;
    put(s, ucp + uc::PCSP_HI, &hi.to_le_bytes())?;
    put(s, ucp + uc::EXTRA_FPCR, &(fpcr as u32).to_le_bytes())?;
    put(s, ucp + uc::EXTRA_FPSR, &(fpsr as u32).to_le_bytes())?;
    put(s, ucp + uc::EXTRA_PFPFR, &(pfpfr as u32).to_le_bytes())
}

/// Fast system call 4, `getcontext(ucp, sigsetsize)`: what only the kernel knows of
/// the caller's context (glibc stores the chain registers it reads itself).
pub fn getcontext(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != SIGSET_SIZE {
        return val(-EINVAL);
    }
    s.mem
        .slice(a[0], uc::SIZE as usize, Access::Read)
        .map_err(|_| -EFAULT)?;
    store_common(s, a[0])?;
    val(0)
}

/// Fast system call 5, `set_return(ip, flags)`: the calling procedure returns to
/// `ip` instead.
pub fn set_return(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != 0 {
        return val(-EINVAL);
    }
    if a[0] >= 1 << 47 {
        return val(-EFAULT);
    }
    if s.cpu.pcs.ind < FRAME_BYTES {
        return val(-EPERM);
    }
    let at = s.cpu.pcs.base + s.cpu.pcs.ind - FRAME_BYTES;
    let mut f = chain::frame_at(s.mem, at).map_err(|_| -EFAULT)?;
    f.return_ip = a[0] & !7;
    chain::store_frame(s.mem, at, &f).map_err(|_| -EFAULT)?;
    val(0)
}

/// The calling procedure's cr1 words, as its `call` into the kernel saved them.
fn caller_cr1(s: &Sys) -> (u64, u64) {
    let (f, _) = chain::call_frame(s.cpu, s.cpu.ip, s.wbs);
    let w = f.words();
    (w[2], w[3])
}

/// Switches to the context `ucp` names, saving the current one into `oucp` when
/// given (swapcontext), as the kernel's do_swapcontext: the next context must exist
/// and be idle; if `ucp` describes a point other than where that context stopped
/// (getcontext earlier in it), a longjmp within it follows. `wbs` is the current
/// system call's (`None` when the current context has ended).
fn switch(s: &mut Sys, oucp: Option<u64>, ucp: u64, wbs: Option<u32>) -> Result<(), i64> {
    let raw = read_uc(s, ucp)?;
    if let Some(o) = oucp {
        s.mem.slice_mut(o, uc::SIZE as usize).map_err(|_| -EFAULT)?;
    }
    let next_key = word(&raw, uc::SBR);
    let prev_key = current_key(s);
    let contexts = s.kernel.contexts.clone();
    let mut table = contexts.lock();
    // A thread's first context enters the table at its first switch.
    table.entry(prev_key).or_insert(Context {
        busy: true,
        state: None,
        ucp: 0,
        own_stacks: None,
    });
    match table.get(&next_key) {
        None => return Err(-ESRCH),
        Some(c) if c.busy || c.state.is_none() => return Err(-EBUSY),
        Some(_) => {}
    }
    if let Some(o) = oucp {
        store_common(s, o)?;
        let (cr1_lo, cr1_hi) = caller_cr1(s);
        let ip = s.cpu.ip;
        put(s, o + uc::CR0_HI, &ip.to_le_bytes())?;
        put(s, o + uc::CR1_LO, &cr1_lo.to_le_bytes())?;
        put(s, o + uc::CR1_HI, &cr1_hi.to_le_bytes())?;
    }
    let saved = wbs.map(|w| Suspended::capture(s.cpu, Some(w)));
    let prev = table.get_mut(&prev_key).ok_or(-ESRCH)?;
    prev.busy = false;
    prev.state = saved;
    let next = table.get_mut(&next_key).ok_or(-ESRCH)?;
    next.busy = true;
    let state = next.state.take().ok_or(-EBUSY)?;
    drop(table);
    let suspended_at = state.wbs.map(|w| (state.ip, w));
    state.resume(s.cpu);
    load_fp(s.cpu, &raw);
    let (cr0_hi, pcsp_lo) = (word(&raw, uc::CR0_HI), word(&raw, uc::PCSP_LO));
    if let Some((ip, w)) = suspended_at {
        if cr0_hi & 0xffff_ffff_fff8 != ip || pcsp_lo & 0xffff_ffff_ffff != s.cpu.pcs.base {
            // The ucontext was taken elsewhere in that context: go there.
            let to = resume_point(&raw);
            unwind(s, &to, pcsp_lo, word(&raw, uc::PCSP_HI))?;
            s.cpu.set_reg(2 * w, 0);
        }
    }
    s.kernel.signals.set_mask(word(&raw, uc::SIGMASK));
    Ok(())
}

/// The FP control and status registers a ucontext carries.
fn load_fp(cpu: &mut Cpu, raw: &[u8]) {
    cpu.fpcr = half(raw, uc::EXTRA_FPCR);
    cpu.fpsr = half(raw, uc::EXTRA_FPSR);
    cpu.pfpfr = half(raw, uc::EXTRA_PFPFR);
}

fn resume_point(raw: &[u8]) -> Resume {
    let cr1 = Frame::from_words([0, 0, word(raw, uc::CR1_LO), word(raw, uc::CR1_HI)]);
    Resume {
        cr0_hi: word(raw, uc::CR0_HI),
        cr1_lo: word(raw, uc::CR1_LO),
        br: cr1.br,
        ussz: cr1.ussz,
    }
}

/// `swapcontext(oucp, ucp, sigsetsize)`.
pub fn swapcontext(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[2] != SIGSET_SIZE {
        return val(-EINVAL);
    }
    let wbs = s.wbs;
    switch(s, Some(a[0]), a[1], Some(wbs))?;
    Ok(Ret::Resumed)
}

/// `setcontext(ucp, sigsetsize)`: another context is switched to; a point in this
/// one is reached by longjmp.
pub fn setcontext(s: &mut Sys, a: [u64; 6]) -> SysResult {
    if a[1] != SIGSET_SIZE {
        return val(-EINVAL);
    }
    let raw = read_uc(s, a[0])?;
    if word(&raw, uc::SBR) != current_key(s) {
        let wbs = s.wbs;
        switch(s, None, a[0], Some(wbs))?;
        return Ok(Ret::Resumed);
    }
    unwind(
        s,
        &resume_point(&raw),
        word(&raw, uc::PCSP_LO),
        word(&raw, uc::PCSP_HI),
    )?;
    load_fp(s.cpu, &raw);
    s.kernel.signals.set_mask(word(&raw, uc::SIGMASK));
    val(0)
}

/// `makecontext(ucp, func, args_size, args, sigsetsize)`: a new context on the data
/// stack `ucp->uc_stack` with fresh hardware stacks, which starts at `func` with the
/// argument bytes `args` in its registers (8 of them, then on its data stack) and
/// returns into a kernel frame that goes on to `uc_link` or ends the thread.
pub fn makecontext(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [ucp, func, args_size, args, sigsetsize, _] = a;
    s.mem
        .slice(ucp, uc::SIZE as usize, Access::Read)
        .map_err(|_| -EFAULT)?;
    let sp = get_u64(s, ucp + uc::STACK)?;
    let size = get_u64(s, ucp + uc::STACK + 16)?;
    let base = sp.checked_add(15).ok_or(-EFAULT)? & !15;
    let size = (size.saturating_sub(base - sp)) & !15;
    let top = base.checked_add(size).ok_or(-EFAULT)?;
    if top > 1 << 47 {
        return val(-EFAULT);
    }
    if sigsetsize != SIGSET_SIZE {
        return val(-EINVAL);
    }
    let frame_size = args_size.checked_add(15).ok_or(-EINVAL)? & !15;
    if frame_size > size {
        return val(-EINVAL);
    }
    let args_bytes = if args_size == 0 {
        vec![]
    } else {
        s.mem
            .slice(args, args_size as usize, Access::Read)
            .map_err(|_| -EFAULT)?
            .to_vec()
    };
    let frame_ptr = top - frame_size;
    if args_size > ARG_REGS_BYTES {
        let rest = &args_bytes[ARG_REGS_BYTES as usize..];
        s.mem
            .write(frame_ptr + ARG_REGS_BYTES, rest)
            .map_err(|_| -EFAULT)?;
    }
    let contexts = s.kernel.contexts.clone();
    let mut table = contexts.lock();
    // An idle context with the same key gives its stacks; a busy one is dropped
    // from the table (its thread keeps its stacks), as the kernel does.
    let reuse = match table.get(&top) {
        Some(c) if !c.busy => c.own_stacks,
        _ => None,
    };
    let (mut ps, mut pcs) = match reuse {
        Some(st) => st,
        None => {
            let mm = s.kernel.mm();
            thread::new_hw_stacks(s.mem, &mm).ok_or(-ENOMEM)?
        }
    };
    ps.ind = 0;
    pcs.ind = 0;
    // Chain stack: two empty frames, then the function's return into the kernel.
    let end = Frame {
        return_ip: CONTEXT_END_IP,
        wbs: FUNC_WBS,
        wpsz: FUNC_WBS,
        ..Frame::default()
    };
    let mut cpu = Cpu::new(s.cpu.iset);
    cpu.pcs = pcs;
    for f in [Frame::default(), Frame::default(), end] {
        chain::push(&mut cpu, s.mem, &f).map_err(|_| -ENOMEM)?;
    }
    pcs = cpu.pcs;
    let window = 2 * FUNC_WBS;
    let mut regs = vec![Reg::default(); 2 * window as usize];
    for (k, w) in args_bytes
        .chunks(8)
        .take((ARG_REGS_BYTES / 8) as usize)
        .enumerate()
    {
        let mut b = [0u8; 8];
        b[..w.len()].copy_from_slice(w);
        regs[window as usize + k].lo = u64::from_le_bytes(b);
    }
    let stack = DataStack {
        sp: frame_ptr,
        limit: base,
        top,
    };
    let start = Suspended {
        regs: RegFile::with_frame(regs),
        wd: Window {
            base: window as u64,
            size: window,
            psize: window,
            fx: false,
            dbl: false,
        },
        br: Rotation::default(),
        preds: 0,
        pred_tags: 0,
        ps,
        pcs,
        stack,
        ip: func & !7,
        wbs: None,
    };
    let started = Frame {
        return_ip: func & !7,
        wbs: FUNC_WBS,
        ussz: (frame_ptr - base) >> 4,
        ..Frame::default()
    }
    .words();
    table.insert(
        top,
        Context {
            busy: false,
            state: Some(start),
            ucp,
            own_stacks: Some((ps, pcs)),
        },
    );
    drop(table);
    let fresh = Cpu::new(s.cpu.iset);
    put(s, ucp + uc::SIGMASK, &0u64.to_le_bytes())?;
    put(s, ucp + uc::SBR, &top.to_le_bytes())?;
    put(s, ucp + uc::CR0_HI, &started[1].to_le_bytes())?;
    put(s, ucp + uc::CR1_LO, &started[2].to_le_bytes())?;
    put(s, ucp + uc::CR1_HI, &started[3].to_le_bytes())?;
    put(s, ucp + uc::PCSP_LO, &pcs.base.to_le_bytes())?;
    put(
        s,
        ucp + uc::PCSP_HI,
        &(pcs.size << 32 | pcs.ind).to_le_bytes(),
    )?;
    put(s, ucp + uc::EXTRA_FPCR, &(fresh.fpcr as u32).to_le_bytes())?;
    put(s, ucp + uc::EXTRA_FPSR, &(fresh.fpsr as u32).to_le_bytes())?;
    put(
        s,
        ucp + uc::EXTRA_PFPFR,
        &(fresh.pfpfr as u32).to_le_bytes(),
    )?;
    val(0)
}

/// `freecontext(ucp)`: forgets the context and unmaps the stacks makecontext gave it.
pub fn freecontext(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let key = get_u64(s, a[0] + uc::SBR)?;
    if key == current_key(s) {
        return val(-EBUSY);
    }
    let contexts = s.kernel.contexts.clone();
    let Some(c) = contexts.lock().remove(&key) else {
        return val(-ENOENT);
    };
    if let (false, Some((ps, pcs))) = (c.busy, c.own_stacks) {
        let _mm = s.kernel.mm();
        thread::free_hw_stacks(s.mem, &ps, &pcs);
    }
    val(0)
}

/// A function makecontext started has returned (into `CONTEXT_END_IP`): its
/// context's `uc_link` is switched to, or, without one, the thread ends.
pub fn ended(s: &mut Sys) -> Option<Outcome> {
    let key = current_key(s);
    let ucp = s.kernel.contexts.lock().get(&key).map_or(0, |c| c.ucp);
    let link = if ucp == 0 {
        0
    } else {
        match get_u64(s, ucp + uc::LINK) {
            Ok(l) => l,
            Err(_) => return Some(bad_link(ucp)),
        }
    };
    if link == 0 {
        s.kernel.thread_exit = true;
        return Some(Outcome::Exited(0));
    }
    match switch(s, None, link, None) {
        Ok(()) => None,
        Err(_) => Some(bad_link(link)),
    }
}

fn bad_link(at: u64) -> Outcome {
    Outcome::Killed {
        signal: nix::libc::SIGSEGV,
        report: format!("a makecontext function returned to an unusable uc_link ({at:#x})"),
    }
}
