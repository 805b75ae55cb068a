//! Relocatable E2K objects (ET_REL) as GNU as writes them: sections, a symbol table
//! with section symbols, local, global, weak and undefined symbols, and RELA
//! relocations of MCST's types (`elf::reloc`). Written through the `object` crate.

use object::write::{Object, Relocation, SectionId, Symbol, SymbolId, SymbolSection};
use object::{
    elf, Architecture, BinaryFormat, Endianness, FileFlags, RelocationFlags, SectionFlags,
    SectionKind, SymbolFlags, SymbolKind, SymbolScope,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjSection {
    pub name: String,
    pub alloc: bool,
    pub write: bool,
    pub exec: bool,
    /// SHT_NOBITS: `size` bytes, no contents.
    pub nobits: bool,
    pub align: u64,
    pub data: Vec<u8>,
    pub size: u64,
    pub relocs: Vec<ObjReloc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A symbol of `Relocatable::symbols`.
    Symbol(usize),
    /// The section symbol of a section.
    Section(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjReloc {
    pub offset: u64,
    pub r_type: u32,
    pub target: Target,
    pub addend: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bind {
    Local,
    Global,
    Weak,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Undefined,
    Absolute,
    Section(usize),
    /// A common symbol (`.comm`): `value` is its alignment; the linker allocates it.
    Common,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjSymbol {
    pub name: String,
    pub place: Place,
    pub value: u64,
    pub size: u64,
    pub bind: Bind,
    pub func: bool,
    pub object: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relocatable {
    /// The source file name (an STT_FILE symbol), from `.file`.
    pub file: Option<String>,
    pub e_flags: u32,
    pub sections: Vec<ObjSection>,
    pub symbols: Vec<ObjSymbol>,
}

/// The ELF image of a relocatable object.
pub fn write_relocatable(r: &Relocatable) -> Result<Vec<u8>, String> {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::E2K64, Endianness::Little);
    obj.flags = FileFlags::Elf {
        os_abi: elf::ELFOSABI_NONE,
        abi_version: 0,
        e_flags: r.e_flags,
    };
    let mut ids: Vec<SectionId> = Vec::new();
    for s in &r.sections {
        let kind = match (s.alloc, s.exec, s.write, s.nobits) {
            (_, _, _, true) => SectionKind::UninitializedData,
            (true, true, _, _) => SectionKind::Text,
            (true, _, true, _) => SectionKind::Data,
            (true, _, _, _) => SectionKind::ReadOnlyData,
            _ => SectionKind::Other,
        };
        let id = obj.add_section(Vec::new(), s.name.as_bytes().to_vec(), kind);
        let sec = obj.section_mut(id);
        let mut sh_flags = 0u64;
        if s.alloc {
            sh_flags |= u64::from(elf::SHF_ALLOC);
        }
        if s.write {
            sh_flags |= u64::from(elf::SHF_WRITE);
        }
        if s.exec {
            sh_flags |= u64::from(elf::SHF_EXECINSTR);
        }
        sec.flags = SectionFlags::Elf { sh_flags };
        if s.nobits {
            sec.append_bss(s.size, s.align.max(1));
        } else {
            sec.set_data(s.data.clone(), s.align.max(1));
        }
        ids.push(id);
    }
    if let Some(f) = &r.file {
        obj.add_file_symbol(f.as_bytes().to_vec());
    }
    let section_syms: Vec<SymbolId> = ids.iter().map(|&id| obj.section_symbol(id)).collect();
    let mut syms = Vec::new();
    for y in &r.symbols {
        let section = match y.place {
            Place::Undefined => SymbolSection::Undefined,
            Place::Absolute => SymbolSection::Absolute,
            Place::Common => SymbolSection::Common,
            Place::Section(i) => SymbolSection::Section(
                *ids.get(i)
                    .ok_or_else(|| format!("symbol `{}` in a missing section", y.name))?,
            ),
        };
        let (kind, st_type) = if y.func {
            (SymbolKind::Text, elf::STT_FUNC)
        } else if y.object {
            (SymbolKind::Data, elf::STT_OBJECT)
        } else {
            (SymbolKind::Label, elf::STT_NOTYPE)
        };
        let st_bind = match y.bind {
            Bind::Local => elf::STB_LOCAL,
            Bind::Global => elf::STB_GLOBAL,
            Bind::Weak => elf::STB_WEAK,
        };
        syms.push(obj.add_symbol(Symbol {
            name: y.name.as_bytes().to_vec(),
            value: y.value,
            size: y.size,
            kind,
            scope: if y.bind == Bind::Local {
                SymbolScope::Compilation
            } else {
                SymbolScope::Dynamic
            },
            weak: y.bind == Bind::Weak,
            section,
            flags: SymbolFlags::Elf {
                st_info: st_bind << 4 | st_type,
                st_other: elf::STV_DEFAULT,
            },
        }));
    }
    for (s, &id) in r.sections.iter().zip(&ids) {
        for rel in &s.relocs {
            let symbol = match rel.target {
                Target::Symbol(i) => *syms.get(i).ok_or("relocation to a missing symbol")?,
                Target::Section(i) => *section_syms
                    .get(i)
                    .ok_or("relocation to a missing section")?,
            };
            obj.add_relocation(
                id,
                Relocation {
                    offset: rel.offset,
                    symbol,
                    addend: rel.addend,
                    flags: RelocationFlags::Elf { r_type: rel.r_type },
                },
            )
            .map_err(|e| e.to_string())?;
        }
    }
    obj.write().map_err(|e| e.to_string())
}

/// Reads a relocatable E2K object (ours or gas's) into the same model. Sections with
/// contents (SHT_PROGBITS, SHT_NOBITS and the like) are kept; the symbol table,
/// strings and RELA sections become symbols and relocations.
pub fn read_relocatable(data: &[u8]) -> Result<Relocatable, String> {
    use object::read::elf::{ElfFile64, FileHeader, Rela, SectionHeader, Sym};
    let file = ElfFile64::<Endianness>::parse(data).map_err(|e| e.to_string())?;
    let e = file.endian();
    let h = file.elf_header();
    if h.e_machine(e) != elf::EM_MCST_ELBRUS {
        return Err(format!("not an E2K object (machine {})", h.e_machine(e)));
    }
    if h.e_type(e) != elf::ET_REL {
        return Err("not a relocatable object (ET_REL)".into());
    }
    let table = file.elf_section_table();
    let mut map: Vec<Option<usize>> = vec![None; table.len()];
    let mut out = Relocatable {
        e_flags: h.e_flags(e),
        ..Default::default()
    };
    for (i, sh) in table.enumerate() {
        let t = sh.sh_type(e);
        let kept = matches!(
            t,
            elf::SHT_PROGBITS
                | elf::SHT_NOBITS
                | elf::SHT_NOTE
                | elf::SHT_INIT_ARRAY
                | elf::SHT_FINI_ARRAY
                | elf::SHT_PREINIT_ARRAY
        ) || (t == elf::SHT_DYNAMIC);
        if !kept {
            continue;
        }
        let name = table.section_name(e, sh).map_err(|e| e.to_string())?;
        let flags = sh.sh_flags(e);
        let nobits = t == elf::SHT_NOBITS;
        map[i.0] = Some(out.sections.len());
        out.sections.push(ObjSection {
            name: String::from_utf8_lossy(name).into_owned(),
            alloc: flags & u64::from(elf::SHF_ALLOC) != 0,
            write: flags & u64::from(elf::SHF_WRITE) != 0,
            exec: flags & u64::from(elf::SHF_EXECINSTR) != 0,
            nobits,
            align: sh.sh_addralign(e).max(1),
            data: if nobits {
                Vec::new()
            } else {
                sh.data(e, data).map_err(|e| e.to_string())?.to_vec()
            },
            size: sh.sh_size(e),
            relocs: Vec::new(),
        });
    }
    let symtab = file.elf_symbol_table();
    // ELF symbol index → our symbol, or a section (for section symbols).
    let mut sym_map: Vec<Option<Target>> = vec![None; symtab.len()];
    for (i, s) in symtab.enumerate() {
        if i.0 == 0 {
            continue;
        }
        let shndx = s.st_shndx(e);
        let st_type = s.st_type();
        let place = match shndx {
            elf::SHN_UNDEF => Place::Undefined,
            elf::SHN_ABS => Place::Absolute,
            elf::SHN_COMMON => Place::Common,
            n => match map.get(n as usize).copied().flatten() {
                Some(k) => Place::Section(k),
                // In a section we do not link (debug information and the like).
                None => continue,
            },
        };
        if st_type == elf::STT_SECTION {
            if let Place::Section(k) = place {
                sym_map[i.0] = Some(Target::Section(k));
            }
            continue;
        }
        if st_type == elf::STT_FILE {
            continue;
        }
        let name = s.name(e, symtab.strings()).map_err(|e| e.to_string())?;
        sym_map[i.0] = Some(Target::Symbol(out.symbols.len()));
        out.symbols.push(ObjSymbol {
            name: String::from_utf8_lossy(name).into_owned(),
            place,
            value: s.st_value(e),
            size: s.st_size(e),
            bind: match s.st_bind() {
                elf::STB_LOCAL => Bind::Local,
                elf::STB_WEAK => Bind::Weak,
                _ => Bind::Global,
            },
            func: st_type == elf::STT_FUNC,
            object: st_type == elf::STT_OBJECT,
        });
    }
    for sh in table.iter() {
        let Some((relas, _)) = sh.rela(e, data).map_err(|e| e.to_string())? else {
            if sh.sh_type(e) == elf::SHT_REL {
                return Err("REL relocations (without addends) are not E2K's".into());
            }
            continue;
        };
        let Some(k) = map.get(sh.sh_info(e) as usize).copied().flatten() else {
            continue;
        };
        for r in relas {
            let sym = r.r_sym(e, false) as usize;
            let target = sym_map
                .get(sym)
                .cloned()
                .flatten()
                .ok_or_else(|| format!("relocation against symbol {sym}, which is not kept"))?;
            out.sections[k].relocs.push(ObjReloc {
                offset: r.r_offset(e),
                r_type: r.r_type(e, false),
                target,
                addend: r.r_addend(e),
            });
        }
    }
    Ok(out)
}
