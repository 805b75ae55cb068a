//! Reading E2K ELF files for the tools: machine check, ISA version, executable sections
//! and symbols. Every malformed input is an `ElfError`, never a panic.

use crate::isa::version::Iset;
use goblin::elf::{header, section_header, sym, Elf};
use std::fmt;

/// ELF machine number of E2K (EM_MCST_ELBRUS).
pub const EM_E2K: u16 = 175;
/// Machine number of older E2K toolchains.
pub const EM_E2K_OLD: u16 = 49;

/// `e_flags` bit: protected-mode (128-bit pointer) code.
pub const EF_E2K_PM: u32 = 1 << 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElfError {
    Parse(String),
    NotE2k(u16),
    Class32,
    Truncated(String),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::Parse(m) => write!(f, "not a valid ELF file: {m}"),
            ElfError::NotE2k(m) => {
                write!(f, "not an E2K ELF file (machine {m}, expected {EM_E2K})")
            }
            ElfError::Class32 => write!(f, "32-bit E2K ELF files are not supported"),
            ElfError::Truncated(m) => write!(f, "truncated ELF file: {m}"),
        }
    }
}

impl std::error::Error for ElfError {}

/// A section with code or data.
#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub addr: u64,
    pub data: Vec<u8>,
    pub executable: bool,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub addr: u64,
    pub size: u64,
    pub is_func: bool,
    pub section: usize,
}

#[derive(Debug, Clone)]
pub struct ElfFile {
    pub e_flags: u32,
    pub entry: u64,
    pub iset: Option<Iset>,
    pub is_dyn: bool,
    pub sections: Vec<Section>,
    pub symbols: Vec<Symbol>,
}

/// Parses the file as ELF and checks that it is 64-bit E2K: what every reader needs.
pub fn parse_e2k(bytes: &[u8]) -> Result<Elf<'_>, ElfError> {
    // goblin validates lazily; catch a panic in it as a parse error rather than crash.
    let elf = std::panic::catch_unwind(|| Elf::parse(bytes))
        .map_err(|_| ElfError::Parse("the ELF parser rejected the file".into()))?
        .map_err(|e| ElfError::Parse(e.to_string()))?;
    let h = &elf.header;
    if h.e_machine != EM_E2K && h.e_machine != EM_E2K_OLD {
        return Err(ElfError::NotE2k(h.e_machine));
    }
    if !elf.is_64 {
        return Err(ElfError::Class32);
    }
    Ok(elf)
}

pub fn parse(bytes: &[u8]) -> Result<ElfFile, ElfError> {
    let elf = parse_e2k(bytes)?;
    let h = &elf.header;
    let mut sections = Vec::new();
    for sh in &elf.section_headers {
        if sh.sh_type == section_header::SHT_NULL
            || sh.sh_flags & u64::from(section_header::SHF_ALLOC) == 0
        {
            continue;
        }
        let name = elf
            .shdr_strtab
            .get_at(sh.sh_name)
            .unwrap_or("?")
            .to_string();
        let data = if sh.sh_type == section_header::SHT_NOBITS {
            Vec::new()
        } else {
            let start = sh.sh_offset as usize;
            let end = start.checked_add(sh.sh_size as usize);
            match end.and_then(|e| bytes.get(start..e)) {
                Some(d) => d.to_vec(),
                None => {
                    return Err(ElfError::Truncated(format!(
                        "section {name} lies outside the file"
                    )))
                }
            }
        };
        let executable = sh.sh_flags & u64::from(section_header::SHF_EXECINSTR) != 0;
        sections.push(Section {
            name,
            addr: sh.sh_addr,
            data,
            executable,
        });
    }
    let mut symbols = Vec::new();
    for s in elf.syms.iter() {
        let t = s.st_type();
        if s.st_shndx == 0 || !(t == sym::STT_FUNC || t == sym::STT_NOTYPE || t == sym::STT_OBJECT)
        {
            continue;
        }
        let Some(name) = elf.strtab.get_at(s.st_name) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        symbols.push(Symbol {
            name: name.to_string(),
            addr: s.st_value,
            size: s.st_size,
            is_func: t == sym::STT_FUNC,
            section: s.st_shndx,
        });
    }
    symbols.sort_by(|a, b| a.addr.cmp(&b.addr).then(a.name.cmp(&b.name)));
    Ok(ElfFile {
        e_flags: h.e_flags,
        entry: h.e_entry,
        iset: Iset::from_e_flags(h.e_flags),
        is_dyn: h.e_type == header::ET_DYN,
        sections,
        symbols,
    })
}
