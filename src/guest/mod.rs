//! The architectural state of a guest thread and its address space: CPU registers,
//! the register file with its window, the hardware stacks, the chain stack and guest
//! memory. Nothing here executes instructions or knows about Linux.

pub mod aau;
pub mod chain;
pub mod cpu;
pub mod hw_stack;
pub mod memory;
pub mod window;
