//! Output sections and their addresses. `Layout::Mcst` is MCST ld's default for a
//! static program (its `elf64_e2k` emulation: text segment at 0x10000, 4 KiB pages,
//! the ELF and program headers at the start of the first PT_LOAD and the sections
//! right after them, the data segment on the next page at the same page offset);
//! `Layout::Paged` is the one-step `e2k-as` layout (each section on its own pages
//! from a base, headers mapped only for programs a loader reads them from).

use crate::elf::exec::{Plan, Segment, PF_R, PF_W, PF_X, PT_DYNAMIC, PT_INTERP, PT_LOAD, PT_PHDR};
use crate::elf::object::Relocatable;

pub const PAGE: u64 = 0x1000;
/// MCST ld's TEXT_START_ADDR for elf64-e2k: MAX (0x10000, MAXPAGESIZE).
pub const TEXT_START: u64 = 0x10000;
const EHDR: u64 = 64;
const PHDR: u64 = 56;

#[derive(Clone, Debug)]
pub struct OutputSection {
    pub name: String,
    pub addr: u64,
    pub offset: u64,
    pub data: Vec<u8>,
    pub size: u64,
    pub align: u64,
    pub write: bool,
    pub exec: bool,
    pub nobits: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// MCST ld's static layout, the text segment at `segment_start`.
    Mcst { segment_start: u64 },
    /// Each section on its own pages from `text_base`; `dyn_` for a position-independent
    /// program (ET_DYN).
    Paged { text_base: u64, dyn_: bool },
}

/// Sections ld gathers under one output name.
fn output_name(n: &str) -> &str {
    for p in [".text", ".rodata", ".data", ".bss"] {
        if n == p || n.starts_with(&format!("{p}.")) {
            return p;
        }
    }
    n
}

/// Layout order: code, read-only data (`.interp` after `.rodata`), data (`.dynamic`
/// after `.data`), bss; within each, the standard section first, then others as they
/// appear.
fn class(s: &OutputSection) -> u8 {
    if s.nobits {
        3
    } else if s.exec {
        0
    } else if s.write {
        2
    } else {
        1
    }
}

/// Output sections of the allocated input sections, and where each input section went
/// (`place[object][section]` = output index and offset in it).
#[allow(clippy::type_complexity)]
pub fn gather(
    objs: &[(String, Relocatable)],
) -> (Vec<OutputSection>, Vec<Vec<Option<(usize, u64)>>>) {
    let mut out: Vec<OutputSection> = Vec::new();
    let mut place = Vec::new();
    for (_, o) in objs {
        let mut p = Vec::new();
        for s in &o.sections {
            if !s.alloc {
                p.push(None);
                continue;
            }
            let name = output_name(&s.name);
            let k = match out.iter().position(|x| x.name == name) {
                Some(k) => k,
                None => {
                    out.push(OutputSection {
                        name: name.to_string(),
                        addr: 0,
                        offset: 0,
                        data: Vec::new(),
                        size: 0,
                        align: 1,
                        write: s.write,
                        exec: s.exec,
                        nobits: s.nobits,
                    });
                    out.len() - 1
                }
            };
            let t = &mut out[k];
            let off = t.size.next_multiple_of(s.align.max(1));
            t.align = t.align.max(s.align);
            t.size = off + s.size;
            if !t.nobits {
                t.data.resize(off as usize, 0);
                if s.nobits {
                    t.data.resize((off + s.size) as usize, 0);
                } else {
                    t.data.extend_from_slice(&s.data);
                }
            }
            p.push(Some((k, off)));
        }
        place.push(p);
    }
    // Stable order by class, the standard name first within its class.
    let standard = |n: &str| [".text", ".rodata", ".data", ".bss"].contains(&n);
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| (class(&out[i]), !standard(&out[i].name), i));
    let mut renumber = vec![0; out.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new;
    }
    let mut sorted: Vec<Option<OutputSection>> = out.into_iter().map(Some).collect();
    let out = order.iter().map(|&i| sorted[i].take().unwrap()).collect();
    for p in &mut place {
        for x in p.iter_mut().flatten() {
            x.0 = renumber[x.0];
        }
    }
    (out, place)
}

impl Layout {
    /// Sets each section's address and file offset; returns the program headers.
    pub fn place(&self, secs: &mut [OutputSection]) -> Plan {
        match *self {
            Layout::Mcst { segment_start } => mcst(secs, segment_start),
            Layout::Paged { text_base, dyn_ } => paged(secs, text_base, dyn_),
        }
    }
}

fn flags(s: &OutputSection) -> u32 {
    PF_R | if s.write { PF_W } else { 0 } | if s.exec { PF_X } else { 0 }
}

fn mcst(secs: &mut [OutputSection], start: u64) -> Plan {
    let has_rw = secs.iter().any(|s| s.write);
    let nph = 1 + u64::from(has_rw);
    let mut addr = start + EHDR + PHDR * nph;
    let mut segments = Vec::new();
    let mut text_flags = PF_R;
    for s in secs.iter_mut().filter(|s| !s.write) {
        addr = addr.next_multiple_of(s.align.max(1));
        s.addr = addr;
        s.offset = addr - start;
        addr += s.size;
        text_flags |= flags(s);
    }
    segments.push(Segment {
        p_type: PT_LOAD,
        flags: text_flags,
        offset: 0,
        vaddr: start,
        filesz: addr - start,
        memsz: addr - start,
        align: PAGE,
    });
    if has_rw {
        let file_end = addr - start;
        // DATA_SEGMENT_ALIGN(MAXPAGESIZE, COMMONPAGESIZE), both a page for E2K: the
        // next page at the same offset in it; then, as ld's lang_size_segment, the
        // next page's start instead when that saves a page: the bytes before the first
        // page boundary and those in the last page (DATA_SEGMENT_END, after .bss
        // aligned to 8) fit one page.
        let base = addr.next_multiple_of(PAGE) + (addr & (PAGE - 1));
        let mut end = base;
        for s in secs.iter().filter(|s| s.write) {
            end = end.next_multiple_of(s.align.max(1)) + s.size;
        }
        let end = end.next_multiple_of(8);
        let (first, last) = (base.wrapping_neg() & (PAGE - 1), end & (PAGE - 1));
        addr = if first != 0 && last != 0 && base / PAGE != end / PAGE && first + last <= PAGE {
            addr.next_multiple_of(PAGE)
        } else {
            base
        };
        // The segment starts at its first section (aligned), as ld's does.
        let mut first = None;
        let mut file = 0;
        for s in secs.iter_mut().filter(|s| s.write) {
            addr = addr.next_multiple_of(s.align.max(1));
            s.addr = addr;
            let off0 = *first.get_or_insert((addr, at_page_offset(file_end, addr)));
            s.offset = off0.1 + (addr - off0.0);
            addr += s.size;
            if !s.nobits {
                file = addr - off0.0;
            }
        }
        let (vaddr, offset) = first.unwrap();
        segments.push(Segment {
            p_type: PT_LOAD,
            flags: PF_R | PF_W,
            // A segment of .bss alone: ld gives it the address's offset in its page.
            offset: if file == 0 {
                vaddr & (PAGE - 1)
            } else {
                offset
            },
            vaddr,
            filesz: file,
            memsz: addr - vaddr,
            align: PAGE,
        });
    }
    Plan {
        segments,
        headers_at: Some(start),
    }
}

/// The first file offset at or after `off` that is congruent to `addr` modulo a page.
fn at_page_offset(off: u64, addr: u64) -> u64 {
    let want = addr % PAGE;
    let o = off.next_multiple_of(8);
    o + (want + PAGE - o % PAGE) % PAGE
}

fn paged(secs: &mut [OutputSection], base: u64, dyn_: bool) -> Plan {
    let mut addr = base;
    for s in secs.iter_mut() {
        addr = addr.next_multiple_of(PAGE);
        s.addr = addr;
        addr += s.size;
    }
    let interp = secs.iter().position(|s| s.name == ".interp" && !s.nobits);
    let dynamic = secs.iter().position(|s| s.name == ".dynamic" && !s.nobits);
    let lowest = secs.iter().map(|s| s.addr).min().unwrap_or(base) & !(PAGE - 1);
    let headers_at = (dyn_ || interp.is_some() || dynamic.is_some())
        .then(|| lowest.checked_sub(PAGE))
        .flatten();
    let nph = secs.len() as u64
        + u64::from(headers_at.is_some())
        + if interp.is_some() && headers_at.is_some() {
            2
        } else {
            0
        }
        + u64::from(dynamic.is_some());
    let headers_len = EHDR + PHDR * nph;
    let mut off = headers_len;
    for s in secs.iter_mut() {
        s.offset = at_page_offset(off, s.addr);
        if !s.nobits {
            off = s.offset + s.size;
        }
    }
    let seg = |s: &OutputSection, p_type, align| Segment {
        p_type,
        flags: flags(s),
        offset: s.offset,
        vaddr: s.addr,
        filesz: if s.nobits { 0 } else { s.size },
        memsz: s.size,
        align,
    };
    let mut segments = Vec::new();
    if let (Some(i), Some(h)) = (interp, headers_at) {
        segments.push(Segment {
            p_type: PT_PHDR,
            flags: PF_R,
            offset: EHDR,
            vaddr: h + EHDR,
            filesz: headers_len - EHDR,
            memsz: headers_len - EHDR,
            align: 8,
        });
        segments.push(Segment {
            flags: PF_R,
            ..seg(&secs[i], PT_INTERP, 1)
        });
    }
    if let Some(h) = headers_at {
        segments.push(Segment {
            p_type: PT_LOAD,
            flags: PF_R,
            offset: 0,
            vaddr: h,
            filesz: headers_len,
            memsz: headers_len,
            align: PAGE,
        });
    }
    for s in secs.iter() {
        segments.push(seg(s, PT_LOAD, PAGE));
    }
    if let Some(i) = dynamic {
        segments.push(seg(&secs[i], PT_DYNAMIC, 8));
    }
    Plan {
        segments,
        headers_at,
    }
}
