//! A hardware stack: the procedure stack (register spills) or the chain stack
//! (procedure chain frames), an area of guest memory that only the kernel and the
//! hardware write. The kernel starts it small and grows it when it fills, up to the
//! area reserved for it.

/// A hardware stack in guest memory (the procedure stack or the chain stack).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwStack {
    pub base: u64,
    /// The size the stack registers report (%psp.hi, %pcsp.hi).
    pub size: u64,
    /// Bytes in use, from `base` upward.
    pub ind: u64,
    /// The reserved area: `size` grows up to this.
    pub max: u64,
}

impl HwStack {
    /// Makes room for `need` bytes in use, doubling the size as the kernel's stack
    /// expansion does; false when the reserved area is exhausted.
    pub fn fit(&mut self, need: u64) -> bool {
        while need > self.size {
            if self.size >= self.max {
                return false;
            }
            self.size = (self.size.max(4096) * 2).min(self.max);
        }
        true
    }
}
