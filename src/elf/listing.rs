//! An ELF file's code as `objdump -d` lists it: each executable section, labelled
//! with the symbols that fall in it.

use crate::elf::read::ElfFile;
use crate::isa::disasm::listing;
use crate::isa::version::Iset;
use std::fmt::Write;

/// The whole `objdump -d` style listing of the executable sections of an ELF file.
/// `file_name` is printed as given (objdump prints the path it was given).
pub fn elf_listing(file_name: &str, f: &ElfFile, iset: Iset, raw_bytes: bool) -> String {
    let mut out = String::new();
    let _ = write!(out, "\n{file_name}:     file format elf64-e2k\n\n");
    for s in &f.sections {
        if !s.executable {
            continue;
        }
        let _ = write!(out, "\nDisassembly of section {}:\n", s.name);
        let end = s.addr + s.data.len() as u64;
        let mut labels: Vec<(u64, &str)> = f
            .symbols
            .iter()
            .filter(|y| y.addr >= s.addr && y.addr < end)
            .map(|y| (y.addr, y.name.as_str()))
            .collect();
        labels.dedup_by_key(|l| l.0);
        // Code before the first symbol is labelled with the section's name.
        if labels.first().is_none_or(|l| l.0 != s.addr) {
            labels.insert(0, (s.addr, s.name.as_str()));
        }
        out.push_str(&listing(&s.data, s.addr, iset, &labels, raw_bytes));
    }
    out
}
