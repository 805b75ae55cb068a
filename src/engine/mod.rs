//! Executing wide instructions: the interpreter (the reference) and the Cranelift JIT
//! for hot code, both driven by what `isa/` generates, and the events (system calls,
//! faults) through which execution hands control to the process layer.

pub mod event;
pub mod interp;
pub mod interrupt;
pub mod jit;
