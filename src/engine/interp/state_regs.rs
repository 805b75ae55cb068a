//! The state registers a user program may read and write, as the E2K Linux kernel
//! leaves them: what each reads as and which writes land.

use crate::guest::chain::{self, FRAME_BYTES};
use crate::guest::cpu::Cpu;
use crate::guest::memory::GuestMemory;
use crate::isa::semantics::Trap;

// State register numbers, named in isa/state.isa.
use crate::isa::consts::{
    SR_BGR, SR_BR, SR_CLKR, SR_CR0_HI, SR_CR0_LO, SR_CR1_HI, SR_CR1_LO, SR_CTPR1, SR_CTPR3,
    SR_CUIR, SR_CWD, SR_FPCR, SR_FPSR, SR_IDR, SR_ILCR, SR_IP, SR_LSR, SR_PCSHTP, SR_PCSP_HI,
    SR_PCSP_LO, SR_PFPFR, SR_PSHTP, SR_PSP_HI, SR_PSP_LO, SR_PSR, SR_SBR, SR_UPSR, SR_USD_HI,
    SR_USD_LO, SR_WD,
};

/// Word `k` (0 cr0.lo, 1 cr0.hi, 2 cr1.lo, 3 cr1.hi) of the chain frame that the
/// current procedure returns through: the top of the chain stack.
fn chain_word(cpu: &Cpu, mem: &GuestMemory, k: usize) -> Result<u64, Trap> {
    if cpu.pcs.ind < FRAME_BYTES {
        // The outermost procedure: the kernel's start frame holds zeros.
        return Ok(0);
    }
    let at = cpu.pcs.base + cpu.pcs.ind - FRAME_BYTES;
    chain::frame_at(mem, at)
        .map(|f| f.words()[k])
        .map_err(|_| Trap::MemoryFault(at))
}

pub fn state_read(cpu: &Cpu, mem: &GuestMemory, n: u8) -> Result<u64, Trap> {
    Ok(match n as u32 {
        SR_PSR => 0x31,
        SR_CR0_LO => chain_word(cpu, mem, 0)?,
        SR_CR0_HI => chain_word(cpu, mem, 1)?,
        SR_CR1_LO => chain_word(cpu, mem, 2)?,
        SR_CR1_HI => chain_word(cpu, mem, 3)?,
        // Everything is spilled to memory as far as the program can tell.
        SR_PSHTP | SR_PCSHTP | SR_CWD | SR_CUIR => 0,
        SR_IP => cpu.ip,
        SR_BGR => 0xff,
        SR_WD => cpu.packed_wd(),
        SR_PSP_LO => cpu.ps.base,
        SR_PSP_HI => cpu.ps.size << 32 | cpu.ps.ind,
        SR_PCSP_LO => cpu.pcs.base,
        SR_PCSP_HI => cpu.pcs.size << 32 | cpu.pcs.ind,
        SR_CTPR1..=SR_CTPR3 => cpu.ctpr[(n as u32 - SR_CTPR1 + 1) as usize],
        SR_SBR => cpu.stack.top,
        SR_USD_LO => cpu.stack.sp,
        SR_USD_HI => (cpu.stack.sp - cpu.stack.limit) << 32,
        SR_UPSR => cpu.upsr,
        SR_LSR => cpu.lsr,
        SR_ILCR => cpu.ilcr,
        SR_PFPFR => cpu.pfpfr,
        SR_FPCR => cpu.fpcr,
        SR_FPSR => cpu.fpsr,
        SR_BR => cpu.br.pack(),
        SR_IDR => (cpu.iset.number() as u64) << 8,
        SR_CLKR => cpu.executed,
        _ => return Err(Trap::Privileged),
    })
}

pub(super) fn state_writable(n: u8) -> bool {
    matches!(
        n as u32,
        SR_UPSR | SR_LSR | SR_ILCR | SR_PFPFR | SR_FPCR | SR_FPSR
    )
}

pub(super) fn state_write(cpu: &mut Cpu, n: u8, v: u64) {
    match n as u32 {
        SR_UPSR => cpu.upsr = v,
        SR_LSR => cpu.lsr = v,
        SR_ILCR => cpu.ilcr = v,
        SR_PFPFR => cpu.pfpfr = v,
        SR_FPCR => cpu.fpcr = v,
        SR_FPSR => cpu.fpsr = v,
        _ => {}
    }
}
