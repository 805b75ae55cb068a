//! What a load's or store's memory access specifier (MAS, CS1) asks for, as far as a
//! user program can use it: mode bits 2:0 (their meaning depends on the channel),
//! big-endian bit 3 and the opcode of the special mode 7 in bits 6:3.

/// How the memory system carries out one access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// An ordinary access (byte order from MAS bit 3).
    Plain { big_endian: bool },
    /// Load that takes the "wait" lock on its location (mode 7, channels 0 and 3): the
    /// first half of the compiler's atomic read-modify-write.
    WaitLock { big_endian: bool },
    /// Store that lands only while the wait lock still holds, releasing it (mode 2);
    /// `%MLOCK` tells the program that it did not land.
    WaitUnlock { big_endian: bool },
    /// Load that checks the disambiguation table (mode 3, channels 2 and 5): `%MLOCK`
    /// says whether a store since the matching lock load may have changed the value.
    DamCheck { big_endian: bool },
    /// Store that does nothing but release a lock (mode 5), or a cache-line flush
    /// (mode 7, opcodes 0-2): nothing a program can observe.
    NoOp,
    /// Physical-address, MMU and other kernel-only modes.
    Privileged,
}

fn order(mas: u8) -> bool {
    mas & 0x08 != 0
}

/// The access a load with this MAS makes in channel `ch`.
pub fn load(mas: u8, ch: u8) -> Access {
    let big_endian = order(mas);
    let lock_channel = ch == 0 || ch == 3;
    match mas & 7 {
        // 3/4 in channels 0/3 are speculative and lock-check loads; 4 in 2/5 a fill:
        // all read the location as usual.
        0 | 2 | 4 | 6 => Access::Plain { big_endian },
        3 if lock_channel => Access::Plain { big_endian },
        3 => Access::DamCheck { big_endian },
        5 if lock_channel => Access::Plain { big_endian },
        7 if lock_channel => Access::WaitLock { big_endian: false },
        _ => Access::Privileged,
    }
}

/// The access a store with this MAS makes (stores are in channels 2 and 5).
pub fn store(mas: u8) -> Access {
    let big_endian = order(mas);
    match mas & 7 {
        0 | 3 | 6 => Access::Plain { big_endian },
        2 => Access::WaitUnlock { big_endian },
        5 => Access::NoOp,
        7 if mas >> 3 <= 2 => Access::NoOp,
        _ => Access::Privileged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiler_atomic_idiom() {
        assert_eq!(load(0x7, 0), Access::WaitLock { big_endian: false });
        assert_eq!(load(0x7, 2), Access::Privileged);
        assert_eq!(store(0x2), Access::WaitUnlock { big_endian: false });
        // Cache-line flushes before the lock (lcc emits `std ..., mas = 0xf`).
        assert_eq!(store(0xf), Access::NoOp);
        assert_eq!(load(0x3, 5), Access::DamCheck { big_endian: false });
        assert_eq!(load(0x3, 0), Access::Plain { big_endian: false });
        assert_eq!(load(0x8, 2), Access::Plain { big_endian: true });
        assert_eq!(store(0x1), Access::Privileged);
        assert_eq!(store(0x3f), Access::Privileged);
    }
}
