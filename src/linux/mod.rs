//! The Linux user-mode personality: loading a program (and its interpreter), the
//! process and its run loop, and the system calls it makes.

pub mod binfmt;
pub mod context;
pub mod exec;
pub mod gdb;
pub mod kernel;
pub mod loader;
pub mod log;
pub mod machine;
pub mod maps;
pub mod options;
pub mod robust_list;
pub mod safe_syscall;
pub mod signal;
pub mod syscall;
pub mod thread;
