//! System calls only E2K has: access_hw_stacks, the guest's view of its procedure
//! stack and chain stack (which live in kernel memory), and e2k_longjmp2, which
//! unwinds the chain stack for longjmp.

use super::abi::{get_u64, put, val, Sys, SysResult, EFAULT, EINVAL, ENOMEM};
use crate::guest::chain::{self, Frame, FRAME_BYTES};
use crate::guest::memory::Access;
use crate::guest::window::Reg;

const ESRCH: i64 = 3;

/// The procedure-stack image a program sees: every register saved below the frame
/// that made the system call, oldest first, 16 bytes per register (v5+: value then
/// upper half; v1-v4: pairs in 32-byte blocks, both values then both extensions).
fn ps_used(s: &Sys) -> u64 {
    (s.cpu.wd.base + 2 * s.wbs as u64) * 16
}

/// Byte `off` of register `pos`'s 16 image bytes, for the ISA's layout.
fn ps_slot(v5: bool, off: u64) -> (u64, u64) {
    if v5 {
        (off / 16, off % 16)
    } else {
        let (block, k) = (off / 32, off % 32);
        // k: 0-7 r2n value, 8-15 r2n+1 value, 16-23 r2n ext, 24-31 r2n+1 ext.
        let reg = 2 * block + (k / 8) % 2;
        let half = if k >= 16 { 8 } else { 0 };
        (reg, half + k % 8)
    }
}

fn ps_image_read(s: &Sys, off: u64, len: u64) -> Result<Vec<u8>, i64> {
    let v5 = s.cpu.iset.number() >= 5;
    let mut out = Vec::with_capacity(len as usize);
    for k in (off..off + len).step_by(8) {
        let (pos, byte) = ps_slot(v5, k);
        let r = s
            .cpu
            .regs
            .read_any(pos, s.mem, &s.cpu.ps)
            .map_err(|_| -EFAULT)?;
        let word = if byte < 8 { r.lo } else { r.hi };
        out.extend_from_slice(&word.to_le_bytes());
    }
    Ok(out)
}

fn ps_image_write(s: &mut Sys, off: u64, data: &[u8]) -> Result<(), i64> {
    let v5 = s.cpu.iset.number() >= 5;
    for (i, chunk) in data.chunks(8).enumerate() {
        let (pos, byte) = ps_slot(v5, off + 8 * i as u64);
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let cpu = &mut *s.cpu;
        let mut r = cpu
            .regs
            .read_any(pos, s.mem, &cpu.ps)
            .map_err(|_| -EFAULT)?;
        if byte < 8 {
            r.lo = word;
        } else {
            r.hi = word;
        }
        r.tag = 0;
        cpu.regs
            .write_any(pos, r, s.mem, &cpu.ps)
            .map_err(|_| -EFAULT)?;
    }
    Ok(())
}

/// The chain-stack image: the frames in memory, then the record the system call's
/// own call saves (returning to the caller after the call).
fn chain_image(s: &Sys) -> Result<Vec<u8>, i64> {
    let mut bytes = vec![0u8; s.cpu.pcs.ind as usize];
    s.mem
        .read_initial(s.cpu.pcs.base, &mut bytes)
        .map_err(|_| -EFAULT)?;
    let (f, _) = crate::guest::chain::call_frame(s.cpu, s.cpu.ip, s.wbs);
    for w in f.words() {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    Ok(bytes)
}

/// `access_hw_stacks(mode, &frame, buf, buf_size, &real_size)`, with the checks of the
/// E2K kernel: modes 0-9, an offset read from `frame` first where the mode takes one,
/// 8-byte alignment of the tagged-copy modes, sizes within the used part.
pub fn access_hw_stacks(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [mode, frame, out, size, real_size, _] = a;
    if mode > 9 {
        return val(-EINVAL);
    }
    let offset = if matches!(mode, 0 | 1 | 3 | 6 | 7 | 8 | 9) {
        get_u64(s, frame)?
    } else {
        0
    };
    let aligned = |x: u64| x.is_multiple_of(8);
    match mode {
        // The whole chain stack or procedure stack, as it stands.
        0 | 1 => {
            let data = if mode == 0 {
                chain_image(s)?
            } else {
                ps_image_read(s, 0, ps_used(s))?
            };
            if size < data.len() as u64 {
                return val(-ENOMEM);
            }
            put(s, out, &data)?;
            put(s, real_size, &(data.len() as u64).to_le_bytes())?;
            val(0)
        }
        3 => {
            if offset < s.cpu.pcs.base || offset > s.cpu.pcs.base + s.cpu.pcs.size {
                return val(-ESRCH);
            }
            put(s, real_size, &(offset - s.cpu.pcs.base).to_le_bytes())?;
            val(0)
        }
        4 => {
            put(s, real_size, &(s.cpu.pcs.ind + FRAME_BYTES).to_le_bytes())?;
            val(0)
        }
        5 => {
            put(s, real_size, &ps_used(s).to_le_bytes())?;
            val(0)
        }
        6 => {
            let img = chain_image(s)?;
            if offset
                .checked_add(size)
                .is_none_or(|e| e > img.len() as u64)
            {
                return val(-EINVAL);
            }
            put(s, out, &img[offset as usize..(offset + size) as usize])?;
            val(0)
        }
        // Tagged copies: unaligned arguments copy nothing.
        7 | 8 | 2 => {
            let used = ps_used(s);
            if offset.checked_add(size).is_none_or(|e| e > used) {
                return val(-EINVAL);
            }
            if !aligned(out) || !aligned(offset) || !aligned(size) {
                return val(-EFAULT);
            }
            if mode == 7 {
                let data = ps_image_read(s, offset, size)?;
                put(s, out, &data)?;
            } else {
                let data = s
                    .mem
                    .slice(out, size as usize, Access::Read)
                    .map_err(|_| -EFAULT)?
                    .to_vec();
                ps_image_write(s, offset, &data)?;
            }
            val(0)
        }
        _ => {
            // 9: WRITE_CHAIN_STACK_EX, into the frames in memory.
            if offset.checked_add(size).is_none_or(|e| e > s.cpu.pcs.ind)
                || !aligned(offset)
                || !aligned(size)
            {
                return val(-EINVAL);
            }
            let data = s
                .mem
                .slice(out, size as usize, Access::Read)
                .map_err(|_| -EFAULT)?
                .to_vec();
            s.mem
                .write_initial(s.cpu.pcs.base + offset, &data)
                .map_err(|_| -EFAULT)?;
            val(0)
        }
    }
}

/// `e2k_longjmp2(&jmp_info, value)`: `jmp_info` is what setjmp read of its own frame
/// (sigmask, cr0.hi, cr1.lo, pcsp.lo, pcsp.hi, pcshtp + br, usd.lo, wd); see `unwind`.
pub fn e2k_longjmp2(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let raw = s.mem.slice(a[0], 72, Access::Read).map_err(|_| -EFAULT)?;
    let w = |k: usize| u64::from_le_bytes(raw[8 * k..8 * k + 8].try_into().unwrap_or_default());
    let (cr0_hi, cr1_lo, pcsp_lo, pcsp_hi, br, usd_lo) = (w(1), w(2), w(3), w(4), w(5) >> 32, w(6));
    let ussz = ((usd_lo & 0xffff_ffff_ffff).saturating_sub(s.cpu.stack.limit)) >> 4;
    let to = Resume {
        cr0_hi,
        cr1_lo,
        br: crate::guest::cpu::Rotation::unpack(br),
        ussz,
    };
    unwind(s, &to, pcsp_lo, pcsp_hi)?;
    val(a[1] as i64)
}

/// Where `unwind` resumes: the return address and the caller's cr1 fields.
pub struct Resume {
    pub cr0_hi: u64,
    pub cr1_lo: u64,
    pub br: crate::guest::cpu::Rotation,
    pub ussz: u64,
}

/// longjmp through the chain stack (e2k_longjmp2, and setcontext within one
/// context): the chain stack is cut back to the frame whose index `pcsp_hi` gives,
/// which is patched so that returning through it resumes at `to` with the caller's
/// window; the calling procedure's window moves to where the target procedure's
/// was (so its result, written after, is the target's).
pub fn unwind(s: &mut Sys, to: &Resume, pcsp_lo: u64, pcsp_hi: u64) -> Result<(), i64> {
    let target = pcsp_hi & 0xffff_ffff;
    let cpu = &mut *s.cpu;
    if pcsp_lo & 0xffff_ffff_ffff != cpu.pcs.base
        || target < FRAME_BYTES
        || target > cpu.pcs.ind
        || !(cpu.pcs.ind - target).is_multiple_of(FRAME_BYTES)
        || to.cr0_hi >= 1 << 48
    {
        return Err(-EINVAL);
    }
    // Walk down from the top to the target's frame: each frame popped moves the
    // window base down by the caller's wbs; the last one holds the target's
    // parameter size.
    let (mut base, mut psize) = (cpu.wd.base, cpu.wd.psize);
    let mut at = cpu.pcs.base + cpu.pcs.ind;
    let stop = cpu.pcs.base + target;
    while at > stop {
        at -= FRAME_BYTES;
        let f = chain::frame_at(s.mem, at).map_err(|_| -EFAULT)?;
        base = base.checked_sub(2 * f.wbs as u64).ok_or(-EINVAL)?;
        psize = 2 * f.wpsz;
    }
    let old = chain::frame_at(s.mem, stop - FRAME_BYTES).map_err(|_| -EFAULT)?;
    let caller = Frame::from_words([0, 0, to.cr1_lo, 0]);
    let patched = Frame {
        return_ip: to.cr0_hi,
        wbs: caller.wbs,
        wpsz: caller.wpsz,
        wfx: caller.wfx,
        br: to.br,
        ussz: to.ussz,
        ..old
    };
    chain::store_frame(s.mem, stop - FRAME_BYTES, &patched).map_err(|_| -EFAULT)?;
    // The current window's registers move down to the target's place.
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
        .signals
        .saved
        .last()
        .is_some_and(|c| c.chain_index() > target)
    {
        if let Some(c) = s.kernel.signals.saved.pop() {
            s.kernel.signals.alt_stack.active = c.alt_was_active();
        }
    }
    Ok(())
}
