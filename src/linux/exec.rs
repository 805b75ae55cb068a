//! Putting a program into guest memory as the E2K kernel's binfmt_elf does: the
//! program's segments (an ET_EXEC at its addresses, an ET_DYN at the dynamic base),
//! its interpreter (PT_INTERP, looked up under `-L` first) at the top of the mmap
//! area, the data stack with what `loader::initial_stack` builds, and which file
//! backs which range (for /proc/self/maps).

use crate::guest::memory::{perm, GuestMemory, MemError, PAGE};
use crate::isa::version::Iset;
use crate::linux::kernel::host_path;
use crate::linux::loader::{self, Aux, Ids, LoadError, LoadPlan};
use crate::linux::maps::{File, FileMaps};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug)]
pub enum StartError {
    Load(LoadError),
    /// The program's interpreter (its PT_INTERP path) cannot be used.
    Interp {
        path: String,
        why: InterpError,
    },
    Memory(MemError),
    /// The program does not fit the emulated address space.
    Layout(String),
}

#[derive(Debug)]
pub enum InterpError {
    /// Neither under the sysroot (if one was given) nor on the host.
    NotFound {
        sysroot: Option<PathBuf>,
    },
    Unreadable(String),
    Bad(LoadError),
    /// The interpreter names an interpreter itself.
    Nested,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Load(e) => write!(f, "{e}"),
            StartError::Interp { path, why } => match why {
                InterpError::NotFound { sysroot: None } => {
                    write!(f, "interpreter {path} not found (use -L SYSROOT)")
                }
                InterpError::NotFound { sysroot: Some(r) } => write!(
                    f,
                    "interpreter {path} not found (neither in {} nor on the host)",
                    r.display()
                ),
                InterpError::Unreadable(e) => write!(f, "interpreter {path}: {e}"),
                InterpError::Bad(e) => write!(f, "interpreter {path}: {e}"),
                InterpError::Nested => write!(
                    f,
                    "interpreter {path}: names an interpreter itself (PT_INTERP)"
                ),
            },
            StartError::Memory(e) => write!(f, "cannot set up guest memory: {e}"),
            StartError::Layout(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for StartError {}

fn mem_err(e: MemError) -> StartError {
    StartError::Memory(e)
}

/// Where things go in the guest address space.
pub struct Layout {
    /// The size of the user address space (the kernel's TASK_SIZE).
    pub space: u64,
    /// The data stack: `[stack_top - stack_size, stack_top)`.
    pub stack_top: u64,
    pub stack_size: u64,
    /// mmap places mappings below this; whatever is loaded lies below it too.
    pub mmap_top: u64,
}

/// What to start.
pub struct Program<'a> {
    pub image: &'a [u8],
    pub args: &'a [String],
    pub env: &'a [String],
    /// The path the guest sees as its executable (AT_EXECFN).
    pub exe_path: &'a str,
    pub sysroot: Option<&'a Path>,
    pub ids: Ids,
    pub random: [u8; 16],
}

/// The process as loaded.
pub struct Started {
    /// Where execution starts: the interpreter's entry, or the program's.
    pub entry: u64,
    /// The stack pointer (address of argc).
    pub sp: u64,
    /// Where the heap starts.
    pub brk: u64,
    /// The ISA version the program's header names.
    pub iset: Option<Iset>,
    pub files: FileMaps,
    pub auxv: Vec<(u64, u64)>,
    /// The program's plan, relocated.
    pub program: LoadPlan,
    /// The interpreter's plan, relocated, and its host path.
    pub interp: Option<(LoadPlan, String)>,
}

/// E2K's ELF_ET_DYN_BASE: two thirds of the user address space, where an ET_DYN program
/// with an interpreter goes.
pub fn dyn_base(space: u64) -> u64 {
    (space / 3 * 2) & !(PAGE - 1)
}

/// Loads the program (and its interpreter) and builds the initial stack.
pub fn start(mem: &GuestMemory, prog: &Program, layout: &Layout) -> Result<Started, StartError> {
    let first = loader::plan(prog.image, 0).map_err(StartError::Load)?;
    let interp = match &first.interp {
        Some(path) => Some((path.clone(), read_interp(path, prog.sysroot)?)),
        None => None,
    };
    let program = if first.position_independent {
        let base = if interp.is_some() {
            dyn_base(layout.space) & !(first.align - 1)
        } else {
            // Without an interpreter (a static PIE, or ld.so run by itself) the kernel
            // leaves the image to mmap, which places it at the top.
            top_base(mem, &first, layout.mmap_top).ok_or_else(|| too_big(&first))?
        };
        loader::plan(prog.image, base.wrapping_sub(first.low())).map_err(StartError::Load)?
    } else {
        first
    };
    // The heap follows the program, but that of an image at the top of the mmap area
    // starts at the dynamic base, as Linux places a static PIE's.
    let brk = if program.position_independent && interp.is_none() {
        dyn_base(layout.space)
    } else {
        program.brk
    };
    let mut files = FileMaps::default();
    let exe = canonical(prog.exe_path);
    load_segments(mem, prog.image, &program, layout.mmap_top)?;
    name_segments(&mut files, &program, &exe);

    let mut base = 0;
    let mut interp_plan = None;
    if let Some((path, (host, bytes))) = interp {
        let bad = |why| StartError::Interp {
            path: path.clone(),
            why,
        };
        let p = loader::plan(&bytes, 0).map_err(|e| bad(InterpError::Bad(e)))?;
        if p.interp.is_some() {
            return Err(bad(InterpError::Nested));
        }
        let p = if p.position_independent {
            let at = top_base(mem, &p, layout.mmap_top).ok_or_else(|| too_big(&p))?;
            base = at.wrapping_sub(p.low());
            loader::plan(&bytes, base).map_err(|e| bad(InterpError::Bad(e)))?
        } else {
            p
        };
        let (lo, hi) = (p.low(), p.brk);
        if hi > layout.mmap_top {
            return Err(too_big(&p));
        }
        if (lo..hi)
            .step_by(PAGE as usize)
            .any(|a| mem.page_perm(a) & perm::MAPPED != 0)
        {
            return Err(StartError::Layout(format!(
                "interpreter {path} at {lo:#x}..{hi:#x} overlaps the program"
            )));
        }
        load_segments(mem, &bytes, &p, layout.mmap_top)?;
        name_segments(&mut files, &p, &canonical(&host));
        interp_plan = Some((p, host));
    }

    let stack_base = layout.stack_top - layout.stack_size;
    mem.map(stack_base, layout.stack_size, perm::READ | perm::WRITE)
        .map_err(mem_err)?;
    let st = loader::initial_stack(
        layout.stack_top,
        prog.args,
        prog.env,
        prog.exe_path,
        &Aux::new(&program, base, prog.ids),
        prog.random,
    );
    if st.base < stack_base {
        return Err(StartError::Layout(format!(
            "arguments and environment do not fit the {} MiB stack",
            layout.stack_size >> 20
        )));
    }
    mem.write_initial(st.base, &st.bytes)
        .map_err(|e| StartError::Layout(e.to_string()))?;
    Ok(Started {
        entry: interp_plan.as_ref().map_or(program.entry, |i| i.0.entry),
        sp: st.sp,
        brk,
        iset: program.iset,
        files,
        auxv: st.auxv,
        program,
        interp: interp_plan,
    })
}

/// The interpreter's host path and contents.
fn read_interp(path: &str, sysroot: Option<&Path>) -> Result<(String, Vec<u8>), StartError> {
    let host = String::from_utf8_lossy(&host_path(sysroot, path.as_bytes())).into_owned();
    // Like the kernel, only a regular file (not a device or a pipe, which would never
    // end) can be an interpreter.
    let read = std::fs::metadata(&host).and_then(|m| {
        if m.is_file() {
            std::fs::read(&host)
        } else {
            Err(std::io::Error::other("not a regular file"))
        }
    });
    let why = match read {
        Ok(bytes) => return Ok((host, bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => InterpError::NotFound {
            sysroot: sysroot.map(Path::to_path_buf),
        },
        Err(e) => InterpError::Unreadable(e.to_string()),
    };
    Err(StartError::Interp {
        path: path.to_string(),
        why,
    })
}

fn canonical(path: &str) -> Arc<File> {
    let p =
        std::fs::canonicalize(path).map_or(path.to_string(), |p| p.to_string_lossy().into_owned());
    Arc::new(File::at(&p))
}

fn too_big(p: &LoadPlan) -> StartError {
    StartError::Layout(format!(
        "an image of {:#x} bytes does not fit the emulated address space",
        p.span()
    ))
}

/// Where an ET_DYN image goes when mmap chooses: the highest free range below
/// `mmap_top` that holds its whole span at its alignment.
fn top_base(mem: &GuestMemory, p: &LoadPlan, mmap_top: u64) -> Option<u64> {
    let span = p.span();
    let len = span.checked_add(p.align - PAGE)?;
    let at = mem.find_free(len, mmap_top)?;
    Some((at + len - span) & !(p.align - 1))
}

/// Records which file pages back the image's segments (bss past them is anonymous).
fn name_segments(files: &mut FileMaps, p: &LoadPlan, file: &Arc<File>) {
    for seg in &p.segments {
        let start = seg.vaddr & !(PAGE - 1);
        let end = (seg.vaddr + seg.file_size).div_ceil(PAGE) * PAGE;
        if end > start {
            files.insert(
                start,
                end - start,
                file.clone(),
                seg.file_offset & !(PAGE - 1),
            );
        }
    }
}

/// Maps each segment with its permissions and copies its file bytes in (the rest of
/// the pages stays zero: bss).
pub fn load_segments(
    mem: &GuestMemory,
    image: &[u8],
    plan: &LoadPlan,
    limit: u64,
) -> Result<(), StartError> {
    for seg in &plan.segments {
        let start = seg.vaddr & !(PAGE - 1);
        let end = (seg.vaddr + seg.mem_size).div_ceil(PAGE) * PAGE;
        if end > limit {
            return Err(StartError::Layout(format!(
                "segment at {:#x} lies outside the emulated {} GiB address space",
                seg.vaddr,
                mem.size() >> 30
            )));
        }
        let p = ((seg.read as u8) * perm::READ)
            | ((seg.write as u8) * perm::WRITE)
            | ((seg.exec as u8) * perm::EXEC);
        mem.map(start, end - start, p).map_err(mem_err)?;
        let data = &image[seg.file_offset as usize..(seg.file_offset + seg.file_size) as usize];
        mem.write_initial(seg.vaddr, data)
            .map_err(|e| StartError::Layout(e.to_string()))?;
    }
    Ok(())
}
