//! The files of /proc/self the emulator answers itself, since the host's describe the
//! emulator: `exe` is the guest program, `maps` lists the guest's mappings (guest
//! addresses and permissions), `auxv` is the vector the guest started with. Contents
//! are served from a memfd, so nothing is written to any directory.
//!
//! SAFETY (every libc call here): pointers come from live Rust buffers.

use super::abi::{errno, words, Sys};
use crate::linux::kernel::own_proc_entry;
use crate::linux::maps;
use nix::libc;

/// The text of `/proc/self/maps` for the guest.
fn maps_text(s: &Sys) -> Vec<u8> {
    let c = &s.cpu;
    let k = s.kernel.mm();
    let heap_end = k.brk.div_ceil(crate::guest::memory::PAGE) * crate::guest::memory::PAGE;
    let labels = [
        (c.stack.limit, c.stack.top, "[stack]"),
        (k.brk_start, heap_end, "[heap]"),
        (c.ps.base, c.ps.base + c.ps.max, "[procedure stack]"),
        (c.pcs.base, c.pcs.base + c.pcs.max, "[chain stack]"),
    ];
    maps::render(s.mem, &k.files, &labels).into_bytes()
}

/// A descriptor for one of our /proc files, or `None` when `p` names none of them
/// (the host's then answers). Guest `open` flags: only reading is allowed.
pub fn open(s: &Sys, p: &[u8], flags: u64, host_flags: i32) -> Option<i64> {
    let entry = own_proc_entry(p)?;
    let contents = match entry {
        b"exe" => {
            let exe = std::ffi::CString::new(s.kernel.exe_host()).ok()?;
            let fd = unsafe { libc::open(exe.as_ptr(), host_flags) };
            return Some(if fd < 0 { errno() } else { fd as i64 });
        }
        b"maps" => maps_text(s),
        b"auxv" => words(
            &s.kernel
                .auxv
                .iter()
                .flat_map(|(k, v)| [*k, *v])
                .collect::<Vec<_>>(),
        ),
        _ => return None,
    };
    if flags & 3 != 0 {
        return Some(-13); // EACCES: these files are read-only
    }
    Some(memfd(&contents, host_flags & libc::O_CLOEXEC != 0))
}

/// A memory file holding `contents`, positioned at its start.
fn memfd(contents: &[u8], cloexec: bool) -> i64 {
    let flags = if cloexec { libc::MFD_CLOEXEC } else { 0 };
    let fd = unsafe { libc::memfd_create(c"e2k-emu-proc".as_ptr(), flags) };
    if fd < 0 {
        return errno();
    }
    let mut done = 0;
    while done < contents.len() {
        let n = unsafe { libc::write(fd, contents[done..].as_ptr().cast(), contents.len() - done) };
        if n <= 0 {
            let e = errno();
            unsafe { libc::close(fd) };
            return e;
        }
        done += n as usize;
    }
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
    fd as i64
}
