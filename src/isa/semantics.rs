//! Operation semantics for the interpreter, generated from the `{ ... }` blocks of
//! `isa/`: one function per operation over `u128` bit vectors (`crate::isa::bits`), with
//! memory and hand-written helpers reached through the `Exec` trait.

use crate::isa::bits;

include!(concat!(env!("OUT_DIR"), "/semantics.rs"));
