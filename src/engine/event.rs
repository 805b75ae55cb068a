//! Why execution leaves the normal flow: a system call for the process layer to serve,
//! or a guest fault with the signal the kernel would send. Both engines report these.

use crate::guest::chain::ChainError;
use crate::guest::cpu::WindowBounds;
use crate::guest::memory::Fault;
use crate::guest::window::ProcStackFault;
use crate::isa::semantics::Trap;
use std::fmt;

/// Why execution left the normal flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A system call through an sdisp entry; the machine answers it, then continues.
    Syscall { entry: u64, wbs: u32 },
    /// A guest fault: the signal the kernel would send and why.
    Fault {
        signal: i32,
        code: i32,
        addr: u64,
        why: String,
    },
}

pub fn fault(signal: i32, why: impl Into<String>) -> Event {
    Event::Fault {
        signal,
        code: 0,
        addr: 0,
        why: why.into(),
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Syscall { entry, .. } => write!(f, "system call through entry {entry}"),
            Event::Fault { why, .. } => write!(f, "{why}"),
        }
    }
}

pub fn trap_event(t: Trap) -> Event {
    use nix::libc::{SIGBUS, SIGFPE, SIGILL, SIGSEGV};
    let (signal, code, addr, why) = match t {
        Trap::DivByZero => (SIGFPE, 1, 0, "integer division by zero".to_string()),
        Trap::IllegalOperand => (
            SIGILL,
            2,
            0,
            "illegal operand (a tagged value consumed)".into(),
        ),
        Trap::IllegalOpcode => (SIGILL, 1, 0, "illegal operation".into()),
        Trap::Unaligned => (SIGBUS, 1, 0, "misaligned memory access".into()),
        Trap::Privileged => (SIGILL, 5, 0, "privileged operation".into()),
        Trap::Unimplemented => (SIGILL, 1, 0, "operation not implemented by e2k-emu".into()),
        Trap::MemoryFault(a) => (
            SIGSEGV,
            1,
            a,
            format!("memory access at {a:#x} outside mapped memory"),
        ),
    };
    Event::Fault {
        signal,
        code,
        addr,
        why,
    }
}

pub fn mem_fault(f: Fault) -> Event {
    Event::Fault {
        signal: nix::libc::SIGSEGV,
        code: if f.mapped { 2 } else { 1 },
        addr: f.addr,
        why: f.to_string(),
    }
}

pub fn bounds(b: WindowBounds) -> Event {
    fault(nix::libc::SIGSEGV, b.to_string())
}

pub fn stack_fault(e: ProcStackFault) -> Event {
    fault(nix::libc::SIGSEGV, e.to_string())
}

pub fn chain_fault(e: ChainError) -> Event {
    fault(nix::libc::SIGSEGV, e.to_string())
}
