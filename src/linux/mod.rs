//! The Linux user-mode personality: loading a program, the process and its run loop,
//! and the system calls it makes.

pub mod binfmt;
pub mod kernel;
pub mod loader;
pub mod log;
pub mod machine;
pub mod options;
pub mod signal;
pub mod syscall;
