//! The Linux user-mode personality: loading a program, the process and its run loop,
//! and the system calls it makes.

pub mod gdb;
pub mod kernel;
pub mod loader;
pub mod machine;
pub mod signal;
pub mod syscall;
pub mod thread;
