//! System calls only E2K has: access_hw_stacks, the guest's view of its procedure
//! stack and chain stack (which live in kernel memory), and e2k_longjmp2, which
//! unwinds the chain stack for longjmp.

use super::abi::{put, val, Sys, SysResult, EFAULT, EINVAL, ENOMEM};
use crate::guest::chain::{Frame, FRAME_BYTES};
use crate::guest::memory::Access;
use crate::guest::window::Reg;

pub fn access_hw_stacks(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [mode, _frame, out, size, real_size, _] = a;
    let (data, addr) = match mode {
        // Read the chain stack or the procedure stack as it stands.
        0 => (s.cpu.pcs.ind, s.cpu.pcs.base),
        1 => (s.cpu.ps.ind, s.cpu.ps.base),
        3 | 4 => return val(s.cpu.pcs.ind as i64),
        5 => return val(s.cpu.ps.ind as i64),
        _ => return val(-EINVAL),
    };
    if size < data {
        return val(-ENOMEM);
    }
    let mut bytes = vec![0u8; data as usize];
    // The stacks are kernel memory: read them past the guest's permissions.
    if s.mem.read_initial(addr, &mut bytes).is_err() {
        return val(-EFAULT);
    }
    put(s, out, &bytes)?;
    put(s, real_size, &data.to_le_bytes())?;
    val(0)
}

/// `e2k_longjmp2(&jmp_info, value)`: `jmp_info` is what setjmp read of its own frame
/// (sigmask, cr0.hi, cr1.lo, pcsp.lo, pcsp.hi, pcshtp + br, usd.lo, wd). The chain
/// stack is cut back to setjmp's frame, which is patched so that returning through it
/// resumes setjmp's caller with setjmp's window; the calling procedure's window moves
/// to where setjmp's was, and `value` is the result.
pub fn e2k_longjmp2(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let raw = s.mem.slice(a[0], 72, Access::Read).map_err(|_| -EFAULT)?;
    let w = |k: usize| u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default());
    let (cr0_hi, cr1_lo, pcsp_lo, pcsp_hi, br, usd_lo) = (w(1), w(2), w(3), w(4), w(5) >> 32, w(6));
    let target = pcsp_hi & 0xffff_ffff;
    let cpu = &mut *s.cpu;
    if pcsp_lo & 0xffff_ffff_ffff != cpu.pcs.base
        || target < FRAME_BYTES
        || target > cpu.pcs.ind
        || !(cpu.pcs.ind - target).is_multiple_of(FRAME_BYTES)
        || cr0_hi >= 1 << 48
    {
        return val(-EINVAL);
    }
    let read_frame = |s: &Sys, at: u64| -> Result<Frame, i64> {
        let mut b = [0u8; 32];
        s.mem.read_initial(at, &mut b).map_err(|_| -EFAULT)?;
        let w = |k: usize| u64::from_le_bytes(b[8 * k..8 * k + 8].try_into().unwrap_or_default());
        Ok(Frame::from_words([w(0), w(1), w(2), w(3)]))
    };
    // Walk down from the top to setjmp's frame: each frame popped moves the window
    // base down by the caller's wbs; the last one holds setjmp's parameter size.
    let (mut base, mut psize) = (s.cpu.wd.base, s.cpu.wd.psize);
    let mut at = s.cpu.pcs.base + s.cpu.pcs.ind;
    let stop = s.cpu.pcs.base + target;
    while at > stop {
        at -= FRAME_BYTES;
        let f = read_frame(s, at)?;
        base = base.checked_sub(2 * f.wbs as u64).ok_or(-EINVAL)?;
        psize = 2 * f.wpsz;
    }
    let mut f = read_frame(s, stop - FRAME_BYTES)?;
    let patched = Frame::from_words([f.preds, cr0_hi, cr1_lo, f.words()[3]]);
    f = Frame {
        preds: f.preds,
        return_ip: cr0_hi,
        br: crate::guest::cpu::Rotation::unpack(br),
        ussz: ((usd_lo & 0xffff_ffff_ffff).saturating_sub(s.cpu.stack.limit)) >> 4,
        ..patched
    };
    let mut bytes = [0u8; 32];
    for (k, x) in f.words().iter().enumerate() {
        bytes[8 * k..8 * k + 8].copy_from_slice(&x.to_le_bytes());
    }
    s.mem
        .write_initial(stop - FRAME_BYTES, &bytes)
        .map_err(|_| -EFAULT)?;
    // The current window's registers move down to setjmp's place.
    let cpu = &mut *s.cpu;
    let size = cpu.wd.size;
    let regs: Vec<Reg> = (0..size as u64)
        .map(|k| cpu.regs.get(cpu.wd.base + k))
        .collect();
    cpu.regs
        .frame(base, base + size as u64, s.mem, &mut cpu.ps)
        .map_err(|_| -EFAULT)?;
    for (k, r) in regs.into_iter().enumerate() {
        cpu.regs.set(base + k as u64, r);
    }
    cpu.wd.base = base;
    cpu.wd.psize = psize.min(size);
    cpu.pcs.ind = target;
    // Handlers whose interrupted state lies above the target are gone.
    while s
        .kernel
        .saved
        .last()
        .is_some_and(|c| c.chain_index() > target)
    {
        if let Some(c) = s.kernel.saved.pop() {
            s.kernel.alt_stack.active = c.alt_was_active();
        }
    }
    val(a[1] as i64)
}
