//! A hardware stack: the procedure stack (register spills) or the chain stack
//! (procedure chain frames), an area of guest memory that only the kernel and the
//! hardware write.

/// A hardware stack in guest memory (the procedure stack or the chain stack).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwStack {
    pub base: u64,
    pub size: u64,
    /// Bytes in use, from `base` upward.
    pub ind: u64,
}
