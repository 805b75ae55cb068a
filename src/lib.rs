//! e2k-emu: tools and a user-mode emulator for E2K (Elbrus 2000) Linux programs. The
//! instruction set comes from `isa/*.isa` through the `e2k-codegen` crate.

pub mod asm;
pub mod bits;
pub mod chain;
pub mod cpu;
pub mod decode;
pub mod disasm;
pub mod elf;
pub mod encode;
pub mod interp;
pub mod isa;
pub mod jit;
pub mod loader;
pub mod machine;
pub mod memory;
pub mod object;
pub mod pack;
pub mod sample;
pub mod semantics;
pub mod syscall;
pub mod version;
pub mod window;
