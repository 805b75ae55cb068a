//! Call frame information: `.cfi_startproc`/`.cfi_endproc` pairs become the
//! `.eh_frame` gas writes for E2K. Its CIE has augmentation "zR", code alignment 1,
//! data alignment -8, return column 0 and pc-relative 4-byte addresses (encoding
//! 0x1b), and no initial instructions (tc-e2k.h defines none); each FDE gives the
//! procedure's start (an `R_E2K_32_PC` relocation against its section) and length.
//! Entries are padded with DW_CFA_nop to 4 bytes, as gas pads them.

use crate::elf::object::{ObjReloc, ObjSection, Target};
use crate::elf::reloc;

/// One procedure: its section (index in the object) and its extent there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fde {
    pub(super) section: usize,
    pub(super) start: u64,
    pub(super) end: u64,
}

fn padded(mut entry: Vec<u8>) -> Vec<u8> {
    // The length word is not counted in the length but is in the alignment.
    while !(entry.len() + 4).is_multiple_of(4) {
        entry.push(0); // DW_CFA_nop
    }
    let mut out = (entry.len() as u32).to_le_bytes().to_vec();
    out.extend(entry);
    out
}

/// The `.eh_frame` section for these procedures.
pub(super) fn eh_frame(fdes: &[Fde]) -> ObjSection {
    let cie = padded(vec![
        0, 0, 0, 0, // CIE id
        1, // version
        b'z', b'R', 0,    // augmentation
        1,    // code alignment factor
        0x78, // data alignment factor, -8
        0,    // return address column
        1,    // augmentation data length
        0x1b, // FDE pointers: DW_EH_PE_pcrel | DW_EH_PE_sdata4
    ]);
    let mut data = cie;
    let mut relocs = Vec::new();
    for f in fdes {
        let here = data.len() as u64;
        let mut entry = Vec::new();
        // The CIE pointer counts back from its own field.
        entry.extend(((here + 4) as u32).to_le_bytes());
        entry.extend([0; 4]); // pc_begin, relocated
        entry.extend(((f.end - f.start) as u32).to_le_bytes());
        entry.push(0); // augmentation data length
        relocs.push(ObjReloc {
            offset: here + 8,
            r_type: reloc::R_E2K_32_PC,
            target: Target::Section(f.section),
            addend: f.start as i64,
        });
        data.extend(padded(entry));
    }
    ObjSection {
        name: ".eh_frame".into(),
        alloc: true,
        write: false,
        exec: false,
        nobits: false,
        align: 8,
        size: data.len() as u64,
        data,
        relocs,
    }
}
