//! E2K relocations of MCST binutils (numbers from its `include/elf/e2k.h`) and the one
//! implementation of each: the assembler applies them to fixups it resolves itself,
//! the linker to every relocation of its inputs.

use std::fmt;

/// 32-bit absolute: a 32-bit literal (LTS) or `.word sym`.
pub const R_E2K_32_ABS: u32 = 0;
/// 32-bit PC-relative: `S + A - P` (`.eh_frame`'s `pc_begin`).
pub const R_E2K_32_PC: u32 = 2;
/// 64-bit absolute: `.quad sym`.
pub const R_E2K_64_ABS: u32 = 50;
/// 64-bit absolute in a literal pair: the word at the offset (the higher LTS, which is
/// stored first) holds the high half, the next word the low half.
pub const R_E2K_64_ABS_LIT: u32 = 51;
/// CS0 displacement (`disp`, `ldisp`, `ibranch`): `(S + A - P) >> 3` in the low 28 bits
/// of the syllable at P; the assembler adds the syllable's offset in the wide
/// instruction to A, so the result counts from the wide instruction.
pub const R_E2K_DISP: u32 = 110;

/// The name objdump prints for a relocation type.
pub fn name(r_type: u32) -> Option<&'static str> {
    Some(match r_type {
        R_E2K_32_ABS => "R_E2K_32_ABS",
        R_E2K_32_PC => "R_E2K_32_PC",
        R_E2K_64_ABS => "R_E2K_64_ABS",
        R_E2K_64_ABS_LIT => "R_E2K_64_ABS_LIT",
        R_E2K_DISP => "R_E2K_DISP",
        _ => return None,
    })
}

/// Bytes a relocation of this type patches.
pub fn size(r_type: u32) -> Option<usize> {
    match r_type {
        R_E2K_32_ABS | R_E2K_32_PC | R_E2K_DISP => Some(4),
        R_E2K_64_ABS | R_E2K_64_ABS_LIT => Some(8),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelocError {
    Unknown(u32),
    /// The patched bytes run past the section.
    OutOfRange {
        offset: u64,
        len: usize,
    },
    Overflow {
        r_type: u32,
        value: i128,
    },
    /// A displacement to an address that is not a multiple of 8.
    Misaligned(i128),
}

impl fmt::Display for RelocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelocError::Unknown(t) => write!(f, "unknown E2K relocation type {t}"),
            RelocError::OutOfRange { offset, len } => {
                write!(
                    f,
                    "relocation at {offset:#x} runs past its section ({len} bytes)"
                )
            }
            RelocError::Overflow { r_type, value } => write!(
                f,
                "relocation {} overflows: {value:#x} does not fit",
                name(*r_type).unwrap_or("?")
            ),
            RelocError::Misaligned(v) => {
                write!(f, "displacement {v:#x} is not a multiple of 8 bytes")
            }
        }
    }
}

impl std::error::Error for RelocError {}

/// Applies relocation `r_type` at `offset` of `data`: `s` is the symbol's address, `a`
/// the addend, `p` the address of `data[offset]`.
pub fn apply(
    r_type: u32,
    data: &mut [u8],
    offset: u64,
    s: u64,
    a: i64,
    p: u64,
) -> Result<(), RelocError> {
    let len = size(r_type).ok_or(RelocError::Unknown(r_type))?;
    let at = usize::try_from(offset)
        .ok()
        .filter(|&o| o.checked_add(len).is_some_and(|e| e <= data.len()))
        .ok_or(RelocError::OutOfRange {
            offset,
            len: data.len(),
        })?;
    let field = &mut data[at..at + len];
    let value = s as i128 + a as i128;
    // Bitfield overflow as binutils checks it: the value fits signed or unsigned.
    let fits = |v: i128, bits: u32| v >= -(1i128 << (bits - 1)) && v < (1i128 << bits);
    match r_type {
        R_E2K_32_ABS => {
            let v = value & 0xffff_ffff_ffff_ffff;
            let v = v as u64 as i64 as i128;
            if !fits(v, 32) {
                return Err(RelocError::Overflow { r_type, value: v });
            }
            field.copy_from_slice(&(v as u32).to_le_bytes());
        }
        R_E2K_32_PC => {
            let v = (value - p as i128) as u64 as i64 as i128;
            if !fits(v, 32) {
                return Err(RelocError::Overflow { r_type, value: v });
            }
            field.copy_from_slice(&(v as u32).to_le_bytes());
        }
        R_E2K_64_ABS => field.copy_from_slice(&(value as u64).to_le_bytes()),
        R_E2K_64_ABS_LIT => {
            let v = value as u64;
            field[..4].copy_from_slice(&((v >> 32) as u32).to_le_bytes());
            field[4..].copy_from_slice(&(v as u32).to_le_bytes());
        }
        R_E2K_DISP => {
            let d = value - p as i128;
            if d % 8 != 0 {
                return Err(RelocError::Misaligned(d));
            }
            // 28 bits of 8-byte units, signed.
            if !(-(1i128 << 30)..(1i128 << 30)).contains(&d) {
                return Err(RelocError::Overflow { r_type, value: d });
            }
            let old = u32::from_le_bytes(field[..4].try_into().unwrap());
            let new = (old & 0xf000_0000) | ((d >> 3) as u32 & 0x0fff_ffff);
            field.copy_from_slice(&new.to_le_bytes());
        }
        _ => return Err(RelocError::Unknown(r_type)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_pairs_store_the_high_half_first() {
        let mut d = [0u8; 8];
        apply(R_E2K_64_ABS_LIT, &mut d, 0, 0x1122_3344_5566_7788, 0, 0).unwrap();
        assert_eq!(d, [0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
    }

    #[test]
    fn displacements_keep_the_opcode_bits() {
        let mut d = 0xf000_0000u32.to_le_bytes();
        // The syllable is 4 bytes into the wide instruction at 0x1000: A carries that.
        apply(R_E2K_DISP, &mut d, 0, 0x0fe0, 4, 0x1004).unwrap();
        assert_eq!(u32::from_le_bytes(d), 0xf000_0000 | 0x0fff_fffc);
        assert!(apply(R_E2K_DISP, &mut d, 0, 0x1001, 4, 0x1004).is_err());
    }

    #[test]
    fn overflow_and_unknown_types_are_errors() {
        let mut d = [0u8; 8];
        assert!(matches!(
            apply(R_E2K_32_ABS, &mut d, 0, 1 << 33, 0, 0),
            Err(RelocError::Overflow { .. })
        ));
        assert_eq!(apply(7, &mut d, 0, 0, 0, 0), Err(RelocError::Unknown(7)));
        assert!(apply(R_E2K_64_ABS, &mut d, 4, 0, 0, 0).is_err());
    }
}
