//! What it takes to start an E2K Linux program, independent of how guest memory is
//! provided: the load plan of an executable or of its interpreter (segments, bss, brk,
//! entry, the PT_INTERP path) and the initial data stack the kernel builds (argc, argv,
//! envp, auxv, strings, AT_RANDOM).

use crate::elf::read::{parse_e2k, ElfError, EF_E2K_PM};
use crate::isa::version::Iset;
use goblin::elf::{header, program_header};
use std::fmt;

pub const PAGE: u64 = 0x1000;

/// `e_flags` bit of images for the x86 binary translator.
pub const EF_E2K_X86APP: u32 = 1 << 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotElf(String),
    NotE2k(u16),
    Unsupported(&'static str),
    Inconsistent(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotElf(m) => write!(f, "not an ELF executable: {m}"),
            LoadError::NotE2k(m) => write!(f, "not an E2K executable (machine {m})"),
            LoadError::Unsupported(what) => write!(f, "{what} executables are not supported"),
            LoadError::Inconsistent(m) => write!(f, "broken executable: {m}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// One PT_LOAD segment: file bytes to copy, then zeros up to `mem_size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub file_offset: u64,
    pub file_size: u64,
    pub mem_size: u64,
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

/// Where everything goes, before any memory is touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    pub segments: Vec<Segment>,
    pub entry: u64,
    /// Address of the program headers in guest memory (AT_PHDR), if they are loaded.
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    /// First byte after the highest segment, page aligned: where brk starts.
    pub brk: u64,
    pub iset: Option<Iset>,
    pub e_flags: u32,
    /// An `ET_DYN` image; segment addresses are relative to `load_bias`.
    pub position_independent: bool,
    /// The program interpreter PT_INTERP names (the dynamic loader).
    pub interp: Option<String>,
    /// The largest PT_LOAD alignment (a power of two, at least a page): where an ET_DYN
    /// image may start.
    pub align: u64,
}

impl LoadPlan {
    /// The page-aligned start of the lowest segment.
    pub fn low(&self) -> u64 {
        self.segments.iter().map(|s| s.vaddr).min().unwrap_or(0) & !(PAGE - 1)
    }

    /// Bytes from the lowest segment's page to the end of the highest: the range a
    /// loader reserves for the whole image.
    pub fn span(&self) -> u64 {
        self.brk - self.low()
    }
}

/// The path in a PT_INTERP segment: NUL-terminated, inside the file.
fn interp_path(bytes: &[u8], p: &program_header::ProgramHeader) -> Result<String, LoadError> {
    let raw = p
        .p_offset
        .checked_add(p.p_filesz)
        .filter(|e| *e <= bytes.len() as u64 && p.p_filesz > 1)
        .map(|e| &bytes[p.p_offset as usize..e as usize])
        .ok_or_else(|| LoadError::Inconsistent("PT_INTERP lies outside the file".into()))?;
    match raw.split_last() {
        Some((0, path)) if !path.contains(&0) => String::from_utf8(path.to_vec())
            .map_err(|_| LoadError::Inconsistent("PT_INTERP path is not UTF-8".into())),
        _ => Err(LoadError::Inconsistent(
            "PT_INTERP path is not NUL-terminated".into(),
        )),
    }
}

/// Checks and plans an E2K executable or interpreter. `load_bias` is added to every
/// address of an ET_DYN image (0 for ET_EXEC).
pub fn plan(bytes: &[u8], load_bias: u64) -> Result<LoadPlan, LoadError> {
    let elf = parse_e2k(bytes).map_err(|e| match e {
        ElfError::NotE2k(m) => LoadError::NotE2k(m),
        ElfError::Class32 => LoadError::Unsupported("32-bit (e2k32)"),
        ElfError::Parse(m) | ElfError::Truncated(m) => LoadError::NotElf(m),
    })?;
    let h = &elf.header;
    if h.e_flags & EF_E2K_PM != 0 {
        return Err(LoadError::Unsupported("protected-mode"));
    }
    if h.e_flags & EF_E2K_X86APP != 0 {
        return Err(LoadError::Unsupported("x86 binary-translator"));
    }
    let pie = match h.e_type {
        header::ET_EXEC => false,
        header::ET_DYN => true,
        _ => {
            return Err(LoadError::Inconsistent(
                "not an executable (e_type is neither EXEC nor DYN)".into(),
            ))
        }
    };
    let mut interp = None;
    for p in &elf.program_headers {
        if p.p_type == program_header::PT_INTERP {
            if interp.is_some() {
                return Err(LoadError::Inconsistent("more than one PT_INTERP".into()));
            }
            interp = Some(interp_path(bytes, p)?);
        }
    }
    let bias = if pie { load_bias } else { 0 };
    let mut segments = Vec::new();
    let mut phdr = 0;
    let mut align = PAGE;
    for p in &elf.program_headers {
        if p.p_type == program_header::PT_PHDR {
            phdr = p.p_vaddr.wrapping_add(bias);
        }
        if p.p_type != program_header::PT_LOAD {
            continue;
        }
        if p.p_filesz > p.p_memsz {
            return Err(LoadError::Inconsistent(format!(
                "segment at {:#x} has more file bytes than memory",
                p.p_vaddr
            )));
        }
        let end = p
            .p_offset
            .checked_add(p.p_filesz)
            .filter(|e| *e <= bytes.len() as u64);
        if end.is_none() {
            return Err(LoadError::Inconsistent(format!(
                "segment at {:#x} lies outside the file",
                p.p_vaddr
            )));
        }
        if p.p_align > 1 && (p.p_vaddr % PAGE) != (p.p_offset % PAGE) {
            return Err(LoadError::Inconsistent(format!(
                "segment at {:#x} is not page-congruent with its file offset",
                p.p_vaddr
            )));
        }
        let vaddr = p.p_vaddr.wrapping_add(bias);
        if vaddr.checked_add(p.p_memsz).is_none() {
            return Err(LoadError::Inconsistent(format!(
                "segment at {vaddr:#x} wraps around the address space"
            )));
        }
        if p.p_align.is_power_of_two() {
            align = align.max(p.p_align);
        }
        // Without PT_PHDR, the headers are visible if the first segment maps them.
        if phdr == 0 && p.p_offset <= h.e_phoff && h.e_phoff < p.p_offset + p.p_filesz {
            phdr = vaddr + (h.e_phoff - p.p_offset);
        }
        segments.push(Segment {
            vaddr,
            file_offset: p.p_offset,
            file_size: p.p_filesz,
            mem_size: p.p_memsz,
            read: p.p_flags & program_header::PF_R != 0,
            write: p.p_flags & program_header::PF_W != 0,
            exec: p.p_flags & program_header::PF_X != 0,
        });
    }
    if segments.is_empty() {
        return Err(LoadError::Inconsistent("no loadable segments".into()));
    }
    let mut sorted: Vec<&Segment> = segments.iter().collect();
    sorted.sort_by_key(|s| s.vaddr);
    for w in sorted.windows(2) {
        if w[0].vaddr + w[0].mem_size > w[1].vaddr {
            return Err(LoadError::Inconsistent(format!(
                "segments at {:#x} and {:#x} overlap",
                w[0].vaddr, w[1].vaddr
            )));
        }
    }
    let entry = h.e_entry.wrapping_add(bias);
    if !segments
        .iter()
        .any(|s| s.exec && entry >= s.vaddr && entry < s.vaddr + s.mem_size)
    {
        return Err(LoadError::Inconsistent(format!(
            "entry point {entry:#x} is not in an executable segment"
        )));
    }
    if entry % 8 != 0 {
        return Err(LoadError::Inconsistent(format!(
            "entry point {entry:#x} is not 8-byte aligned"
        )));
    }
    let top = sorted
        .iter()
        .map(|s| s.vaddr + s.mem_size)
        .max()
        .unwrap_or(0);
    Ok(LoadPlan {
        segments,
        entry,
        phdr,
        phent: h.e_phentsize as u64,
        phnum: h.e_phnum as u64,
        brk: top.div_ceil(PAGE) * PAGE,
        iset: Iset::from_e_flags(h.e_flags),
        e_flags: h.e_flags,
        position_independent: pie,
        interp,
        align,
    })
}

/// Auxiliary vector keys (generic Linux numbering, which E2K uses).
pub mod at {
    pub const NULL: u64 = 0;
    pub const PHDR: u64 = 3;
    pub const PHENT: u64 = 4;
    pub const PHNUM: u64 = 5;
    pub const PAGESZ: u64 = 6;
    pub const BASE: u64 = 7;
    pub const FLAGS: u64 = 8;
    pub const ENTRY: u64 = 9;
    pub const UID: u64 = 11;
    pub const EUID: u64 = 12;
    pub const GID: u64 = 13;
    pub const EGID: u64 = 14;
    pub const PLATFORM: u64 = 15;
    pub const HWCAP: u64 = 16;
    pub const CLKTCK: u64 = 17;
    pub const SECURE: u64 = 23;
    pub const RANDOM: u64 = 25;
    pub const EXECFN: u64 = 31;
    /// E2K: which fast system calls (entries 5 and 6) the kernel serves, a bit each.
    pub const FAST_SYSCALLS: u64 = 32;
    /// E2K: kernel features; bit 0: vfork is supported.
    pub const SYSTEM_INFO: u64 = 34;
}

/// What the auxiliary vector tells the started code about the program and its
/// interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aux {
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    /// The program's entry (where the interpreter goes when it is done).
    pub entry: u64,
    /// Where the interpreter was loaded (AT_BASE; 0 without one).
    pub base: u64,
    pub ids: Ids,
}

impl Aux {
    pub fn new(program: &LoadPlan, base: u64, ids: Ids) -> Aux {
        Aux {
            phdr: program.phdr,
            phent: program.phent,
            phnum: program.phnum,
            entry: program.entry,
            base,
            ids,
        }
    }
}

/// The initial data stack: bytes to place so that they end at `top`, and the stack
/// pointer (address of argc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialStack {
    /// Lowest address of the built area; `bytes` go at `base..top`.
    pub base: u64,
    pub bytes: Vec<u8>,
    pub sp: u64,
    /// The auxiliary vector as placed (with its AT_NULL), for `/proc/self/auxv`.
    pub auxv: Vec<(u64, u64)>,
}

/// Process identity values for the auxiliary vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    pub uid: u64,
    pub euid: u64,
    pub gid: u64,
    pub egid: u64,
}

/// Builds the stack the kernel hands a new program: from the top, the strings
/// (execfn, argv, envp), 16 random bytes, then, 16-byte aligned at `sp`: argc,
/// argv[], NULL, envp[], NULL, auxv pairs ending with AT_NULL. The entries and their
/// order are the E2K kernel's (binfmt_elf with E2K's ARCH_DLINFO); it sets no
/// AT_PLATFORM (ELF_PLATFORM is NULL there), and AT_FAST_SYSCALLS is 0 because the
/// fast system-call entries are not served, so the C library takes the ordinary ones.
pub fn initial_stack(
    top: u64,
    args: &[String],
    env: &[String],
    execfn: &str,
    aux: &Aux,
    random: [u8; 16],
) -> InitialStack {
    let mut strings: Vec<u8> = Vec::new();
    // Strings are laid out downward from `top`; collect them first, then place.
    let mut place = |s: &[u8]| -> u64 {
        strings.splice(0..0, s.iter().copied().chain(std::iter::once(0)));
        strings.len() as u64 // offset from top, fixed up below
    };
    let execfn_off = place(execfn.as_bytes());
    let arg_offs: Vec<u64> = args.iter().map(|a| place(a.as_bytes())).collect();
    let env_offs: Vec<u64> = env.iter().map(|e| place(e.as_bytes())).collect();
    let addr_of = |off: u64| top - off;
    let strings_base = top - strings.len() as u64;
    let random_addr = (strings_base - 16) & !15;
    let ids = aux.ids;
    let auxv: Vec<(u64, u64)> = vec![
        (at::FAST_SYSCALLS, 0),
        (at::SYSTEM_INFO, 1),
        (at::HWCAP, 0),
        (at::PAGESZ, PAGE),
        (at::CLKTCK, 100),
        (at::PHDR, aux.phdr),
        (at::PHENT, aux.phent),
        (at::PHNUM, aux.phnum),
        (at::BASE, aux.base),
        (at::FLAGS, 0),
        (at::ENTRY, aux.entry),
        (at::UID, ids.uid),
        (at::EUID, ids.euid),
        (at::GID, ids.gid),
        (at::EGID, ids.egid),
        (at::SECURE, 0),
        (at::RANDOM, random_addr),
        (at::EXECFN, addr_of(execfn_off)),
        (at::NULL, 0),
    ];
    let words = 1 + args.len() + 1 + env.len() + 1 + 2 * auxv.len();
    let sp = (random_addr - 8 * words as u64) & !15;
    let mut table: Vec<u64> = vec![args.len() as u64];
    table.extend(arg_offs.iter().map(|o| addr_of(*o)));
    table.push(0);
    table.extend(env_offs.iter().map(|o| addr_of(*o)));
    table.push(0);
    for (k, v) in &auxv {
        table.push(*k);
        table.push(*v);
    }
    let mut bytes = vec![0u8; (top - sp) as usize];
    for (i, w) in table.iter().enumerate() {
        let o = i * 8;
        bytes[o..o + 8].copy_from_slice(&w.to_le_bytes());
    }
    let r = (random_addr - sp) as usize;
    bytes[r..r + 16].copy_from_slice(&random);
    let s = (strings_base - sp) as usize;
    bytes[s..].copy_from_slice(&strings);
    InitialStack {
        base: sp,
        bytes,
        sp,
        auxv,
    }
}
