//! Writing E2K executables (ET_EXEC, or ET_DYN for a position-independent one)
//! through the `object` crate's ELF writer: the program headers a layout planned,
//! the sections at the file offsets it chose, a symbol table and section headers.

use object::elf;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Sym, Writer};
use object::write::StringId;
use object::Endianness;

pub const PT_LOAD: u32 = elf::PT_LOAD;
pub const PT_DYNAMIC: u32 = elf::PT_DYNAMIC;
pub const PT_INTERP: u32 = elf::PT_INTERP;
pub const PT_PHDR: u32 = elf::PT_PHDR;
pub const PF_X: u32 = elf::PF_X;
pub const PF_W: u32 = elf::PF_W;
pub const PF_R: u32 = elf::PF_R;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// The program headers of a layout, and where the ELF header is mapped (if it is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub segments: Vec<Segment>,
    pub headers_at: Option<u64>,
}

/// A section placed by the layout.
pub struct ExecSection<'a> {
    pub name: &'a str,
    pub addr: u64,
    pub offset: u64,
    pub data: &'a [u8],
    pub size: u64,
    pub align: u64,
    pub write: bool,
    pub exec: bool,
    pub nobits: bool,
}

pub struct ExecSymbol<'a> {
    pub name: &'a str,
    pub value: u64,
    pub size: u64,
    pub global: bool,
    pub func: bool,
    /// Index into the sections, or `None` for an absolute symbol.
    pub section: Option<usize>,
}

/// The file image. Symbols must come locals first.
pub fn write_exec(
    dyn_: bool,
    entry: u64,
    e_flags: u32,
    plan: &Plan,
    sections: &[ExecSection],
    symbols: &[ExecSymbol],
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, true, &mut buf);
    w.reserve_file_header();
    w.reserve_program_headers(plan.segments.len() as u32);
    let mut order: Vec<usize> = (0..sections.len()).collect();
    order.sort_by_key(|&i| sections[i].offset);
    // A section without contents still has its offset in the file (loaders check it).
    for &i in &order {
        let s = &sections[i];
        if (s.offset as usize) < w.reserved_len() && !s.nobits {
            return Err(format!("section {} overlaps what precedes it", s.name));
        }
        w.reserve_until((s.offset as usize).max(w.reserved_len()));
        if !s.nobits {
            w.reserve(s.data.len(), 1);
        }
    }
    w.reserve_null_section_index();
    let names: Vec<StringId> = sections
        .iter()
        .map(|s| {
            w.reserve_section_index();
            w.add_section_name(s.name.as_bytes())
        })
        .collect();
    w.reserve_null_symbol_index();
    let sym_names: Vec<StringId> = symbols
        .iter()
        .map(|s| {
            w.reserve_symbol_index(None);
            w.add_string(s.name.as_bytes())
        })
        .collect();
    w.reserve_symtab_section_index();
    w.reserve_symtab();
    w.reserve_strtab_section_index();
    w.reserve_strtab();
    w.reserve_shstrtab_section_index();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    w.write_file_header(&FileHeader {
        os_abi: elf::ELFOSABI_NONE,
        abi_version: 0,
        e_type: if dyn_ { elf::ET_DYN } else { elf::ET_EXEC },
        e_machine: elf::EM_MCST_ELBRUS,
        e_entry: entry,
        e_flags,
    })
    .map_err(|e| e.to_string())?;
    w.write_align_program_headers();
    for g in &plan.segments {
        w.write_program_header(&ProgramHeader {
            p_type: g.p_type,
            p_flags: g.flags,
            p_offset: g.offset,
            p_vaddr: g.vaddr,
            p_paddr: g.vaddr,
            p_filesz: g.filesz,
            p_memsz: g.memsz,
            p_align: g.align,
        });
    }
    for &i in &order {
        let s = &sections[i];
        w.pad_until((s.offset as usize).max(w.len()));
        if !s.nobits {
            w.write(s.data);
        }
    }
    w.write_null_symbol();
    let first_global = symbols
        .iter()
        .position(|s| s.global)
        .unwrap_or(symbols.len());
    for (s, &n) in symbols.iter().zip(&sym_names) {
        let bind = if s.global {
            elf::STB_GLOBAL
        } else {
            elf::STB_LOCAL
        };
        let ty = if s.func {
            elf::STT_FUNC
        } else {
            elf::STT_NOTYPE
        };
        w.write_symbol(&Sym {
            name: Some(n),
            section: None,
            st_info: bind << 4 | ty,
            st_other: elf::STV_DEFAULT,
            st_shndx: s.section.map_or(elf::SHN_ABS, |i| (i + 1) as u16),
            st_value: s.value,
            st_size: s.size,
        });
    }
    w.write_strtab();
    w.write_shstrtab();
    w.write_null_section_header();
    for (s, &n) in sections.iter().zip(&names) {
        let mut flags = elf::SHF_ALLOC;
        if s.write {
            flags |= elf::SHF_WRITE;
        }
        if s.exec {
            flags |= elf::SHF_EXECINSTR;
        }
        let dynamic = s.name == ".dynamic";
        w.write_section_header(&SectionHeader {
            name: Some(n),
            sh_type: if s.nobits {
                elf::SHT_NOBITS
            } else if dynamic {
                elf::SHT_DYNAMIC
            } else {
                elf::SHT_PROGBITS
            },
            sh_flags: u64::from(flags),
            sh_addr: s.addr,
            sh_offset: s.offset,
            sh_size: s.size,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: s.align.max(1),
            sh_entsize: if dynamic { 16 } else { 0 },
        });
    }
    w.write_symtab_section_header(first_global as u32 + 1);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    Ok(buf)
}
