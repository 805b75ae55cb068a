//! The interpreter: a wide instruction is decoded once into a `Prepared` form (cached
//! per address), then executed in two phases. First every ALU operation and every
//! control operation runs its generated semantics against the state as it was before
//! the instruction, recording what it changes; then the changes land together, in
//! architectural order (window, ALU results, %ctpr/predicate/state writes, rotations,
//! transfer). Nothing here knows individual operations: they come from
//! `crate::isa::semantics` (ALU) and `isa::CTLS` (control), both generated from `isa/`.

mod cache;
mod commit;
mod execute;
mod prepare;
mod state_regs;

pub use cache::Cache;
pub use commit::{apply_control, call, return_to_caller, Control, Transfer};
pub use execute::{step, Step, DIAG_VALUE};
pub(crate) use prepare::Place;
pub use prepare::{prepare, Prepared};
// A debugger shows the state registers as the program reads them.
pub use state_regs::state_read;
