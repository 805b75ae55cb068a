//! Writing E2K ELF64 executables: PT_LOAD segments with their permissions, a section
//! header table, and a symbol table. An `.interp` section becomes PT_INTERP (with
//! PT_PHDR), a `.dynamic` section PT_DYNAMIC; images that a loader must read the
//! headers of (dynamic or position-independent ones) get them mapped by a PT_LOAD.

use crate::elf::read::EM_E2K;

/// Section contents placed at `addr`.
#[derive(Clone, Debug)]
pub struct OutSection {
    pub name: String,
    pub addr: u64,
    pub data: Vec<u8>,
    /// Size in memory; larger than `data` for bss.
    pub mem_size: u64,
    pub writable: bool,
    pub executable: bool,
    /// No file contents (bss).
    pub nobits: bool,
}

#[derive(Clone, Debug)]
pub struct OutSymbol {
    pub name: String,
    pub value: u64,
    pub size: u64,
    pub global: bool,
    pub func: bool,
    /// Index into the section list, or `None` for an absolute symbol.
    pub section: Option<usize>,
}

const EHDR: usize = 64;
const PHDR: usize = 56;
const SHDR: usize = 64;
const PAGE: u64 = 0x1000;

fn put16(b: &mut Vec<u8>, v: u16) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn put64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn align(v: usize, a: usize) -> usize {
    v.div_ceil(a) * a
}

/// The kind of executable: at its link addresses, or position-independent (loaded at
/// a bias the loader chooses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// ET_EXEC.
    Exec,
    /// ET_DYN.
    Dyn,
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;

/// One program header before its offsets are known: `Some(i)` is section `i`'s, `None`
/// the headers' own.
struct Ph {
    kind: u32,
    flags: u32,
    of: Option<usize>,
}

/// Builds a static executable image (ET_EXEC); see `write_image`.
pub fn write_executable(
    sections: &[OutSection],
    symbols: &[OutSymbol],
    entry: u64,
    e_flags: u32,
) -> Vec<u8> {
    write_image(sections, symbols, entry, e_flags, Kind::Exec)
}

/// Builds the file image. Each allocated section gets its own PT_LOAD segment, with the
/// file offset congruent to the address modulo the page size, as loaders require.
pub fn write_image(
    sections: &[OutSection],
    symbols: &[OutSymbol],
    entry: u64,
    e_flags: u32,
    kind: Kind,
) -> Vec<u8> {
    let find = |n: &str| sections.iter().position(|s| s.name == n && !s.nobits);
    let (interp, dynamic) = (find(".interp"), find(".dynamic"));
    // The headers go on the page below the lowest section, where a loader that reads
    // them (AT_PHDR) finds them.
    let lowest = sections.iter().map(|s| s.addr).min().unwrap_or(0) & !(PAGE - 1);
    let headers_at = (kind == Kind::Dyn || interp.is_some() || dynamic.is_some())
        .then(|| lowest.checked_sub(PAGE))
        .flatten();
    let mut phs = Vec::new();
    if let (Some(i), Some(_)) = (interp, headers_at) {
        phs.push(Ph {
            kind: PT_PHDR,
            flags: 4,
            of: None,
        });
        phs.push(Ph {
            kind: PT_INTERP,
            flags: 4,
            of: Some(i),
        });
    }
    if headers_at.is_some() {
        phs.push(Ph {
            kind: PT_LOAD,
            flags: 4,
            of: None,
        });
    }
    for (i, s) in sections.iter().enumerate() {
        let flags = 4 | if s.writable { 2 } else { 0 } | if s.executable { 1 } else { 0 };
        phs.push(Ph {
            kind: PT_LOAD,
            flags,
            of: Some(i),
        });
    }
    if let Some(i) = dynamic {
        phs.push(Ph {
            kind: PT_DYNAMIC,
            flags: 6,
            of: Some(i),
        });
    }
    let nph = phs.len();
    let headers_len = (EHDR + PHDR * nph) as u64;
    let mut offsets = Vec::new();
    let mut off = EHDR + PHDR * nph;
    for s in sections {
        let want = (s.addr % PAGE) as usize;
        let mut o = align(off, 8);
        let cur = o % PAGE as usize;
        if cur != want {
            o += (want + PAGE as usize - cur) % PAGE as usize;
        }
        offsets.push(o);
        if !s.nobits {
            off = o + s.data.len();
        } else {
            off = o;
        }
    }
    // String tables and symbols after the contents.
    let mut shstr = vec![0u8];
    let name_off = |names: &mut Vec<u8>, n: &str| {
        let o = names.len() as u32;
        names.extend_from_slice(n.as_bytes());
        names.push(0);
        o
    };
    let sec_names: Vec<u32> = sections
        .iter()
        .map(|s| name_off(&mut shstr, &s.name))
        .collect();
    let symtab_name = name_off(&mut shstr, ".symtab");
    let strtab_name = name_off(&mut shstr, ".strtab");
    let shstrtab_name = name_off(&mut shstr, ".shstrtab");
    let mut strtab = vec![0u8];
    let mut symtab = vec![0u8; 24]; // the null symbol
    let mut ordered: Vec<&OutSymbol> = symbols.iter().filter(|s| !s.global).collect();
    let first_global = ordered.len() + 1;
    ordered.extend(symbols.iter().filter(|s| s.global));
    for s in ordered {
        let n = name_off(&mut strtab, &s.name);
        put32(&mut symtab, n);
        let bind = if s.global { 1u8 } else { 0 };
        let ty = if s.func { 2u8 } else { 0 };
        symtab.push(bind << 4 | ty);
        symtab.push(0);
        put16(&mut symtab, s.section.map_or(0xfff1, |i| (i + 1) as u16));
        put64(&mut symtab, s.value);
        put64(&mut symtab, s.size);
    }
    let symtab_off = align(off, 8);
    let strtab_off = symtab_off + symtab.len();
    let shstr_off = strtab_off + strtab.len();
    let sh_off = align(shstr_off + shstr.len(), 8);
    let nsh = sections.len() + 4;

    let mut b = Vec::new();
    b.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    b.extend_from_slice(&[0; 8]);
    put16(&mut b, if kind == Kind::Dyn { 3 } else { 2 });
    put16(&mut b, EM_E2K);
    put32(&mut b, 1);
    put64(&mut b, entry);
    put64(&mut b, EHDR as u64);
    put64(&mut b, sh_off as u64);
    put32(&mut b, e_flags);
    put16(&mut b, EHDR as u16);
    put16(&mut b, PHDR as u16);
    put16(&mut b, nph as u16);
    put16(&mut b, SHDR as u16);
    put16(&mut b, nsh as u16);
    put16(&mut b, (nsh - 1) as u16);
    for ph in &phs {
        let (offset, addr, file, mem, align) = match (ph.of, ph.kind) {
            (Some(i), _) => {
                let s = &sections[i];
                let file = if s.nobits { 0 } else { s.data.len() as u64 };
                let mem = s.mem_size.max(s.data.len() as u64);
                let align = if ph.kind == PT_LOAD { PAGE } else { 8 };
                (offsets[i] as u64, s.addr, file, mem, align)
            }
            (None, PT_PHDR) => {
                let at = headers_at.unwrap_or(0) + EHDR as u64;
                (
                    EHDR as u64,
                    at,
                    headers_len - EHDR as u64,
                    headers_len - EHDR as u64,
                    8,
                )
            }
            (None, _) => (0, headers_at.unwrap_or(0), headers_len, headers_len, PAGE),
        };
        put32(&mut b, ph.kind);
        put32(&mut b, ph.flags);
        put64(&mut b, offset);
        put64(&mut b, addr);
        put64(&mut b, addr);
        put64(&mut b, file);
        put64(&mut b, mem);
        put64(&mut b, align);
    }
    for (s, o) in sections.iter().zip(&offsets) {
        if !s.nobits {
            b.resize(*o, 0);
            b.extend_from_slice(&s.data);
        }
    }
    b.resize(symtab_off, 0);
    b.extend_from_slice(&symtab);
    b.extend_from_slice(&strtab);
    b.extend_from_slice(&shstr);
    b.resize(sh_off, 0);
    // Section headers: null, the sections, .symtab, .strtab, .shstrtab.
    b.extend_from_slice(&[0; SHDR]);
    for (i, ((s, o), n)) in sections.iter().zip(&offsets).zip(&sec_names).enumerate() {
        let is_dynamic = Some(i) == dynamic;
        put32(&mut b, *n);
        put32(
            &mut b,
            if s.nobits {
                8
            } else if is_dynamic {
                6
            } else {
                1
            },
        );
        let flags = 2 | if s.writable { 1 } else { 0 } | if s.executable { 4 } else { 0 };
        put64(&mut b, flags);
        put64(&mut b, s.addr);
        put64(&mut b, *o as u64);
        put64(&mut b, s.mem_size.max(s.data.len() as u64));
        put32(&mut b, 0);
        put32(&mut b, 0);
        put64(&mut b, 8);
        put64(&mut b, if is_dynamic { 16 } else { 0 });
    }
    let strtab_index = (sections.len() + 2) as u32;
    for (name, ty, o, size, link, info, entsize) in [
        (
            symtab_name,
            2u32,
            symtab_off,
            symtab.len(),
            strtab_index,
            first_global as u32,
            24u64,
        ),
        (strtab_name, 3, strtab_off, strtab.len(), 0, 0, 0),
        (shstrtab_name, 3, shstr_off, shstr.len(), 0, 0, 0),
    ] {
        put32(&mut b, name);
        put32(&mut b, ty);
        put64(&mut b, 0);
        put64(&mut b, 0);
        put64(&mut b, o as u64);
        put64(&mut b, size as u64);
        put32(&mut b, link);
        put32(&mut b, info);
        put64(&mut b, if ty == 2 { 8 } else { 1 });
        put64(&mut b, entsize);
    }
    b
}
