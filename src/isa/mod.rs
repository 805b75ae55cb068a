//! The instruction set as generated from `isa/*.isa`, and what works on it directly:
//! decoding, listing, encoding and packing wide instructions, and the semantics of
//! every operation. Nothing here knows about a process, the JIT or Linux.

pub mod bits;
pub mod decode;
pub mod disasm;
pub mod encode;
pub mod float;
pub mod mas;
pub mod pack;
pub mod sample;
pub mod semantics;
mod tables;
pub mod version;

pub use tables::*;
