//! e2k-emu: tools and a user-mode emulator for E2K (Elbrus 2000) Linux programs. The
//! instruction set comes from `isa/*.isa` through the `e2k-codegen` crate.
//!
//! The modules follow the pipeline, and each uses only those below it:
//! `linux` (a process) → `engine` (executing wide instructions) → `guest` (machine
//! state) → `isa` (what is generated from `isa/`); `asm` → `link` → `elf` sit beside
//! them for the tools. See `docs/architecture.md`.

pub mod asm;
pub mod elf;
pub mod engine;
pub mod guest;
pub mod isa;
pub mod link;
pub mod linux;
