//! The address space: mmap (E2K flag values), munmap, mprotect, mremap, brk, madvise.
//! Every change of mappings may change guest code, so it sets `code_changed`; each
//! also keeps the kernel's record of which file backs which range up to date.

use super::abi::{val, Sys, SysResult, EBADF, EEXIST, EINVAL, ENOMEM};
use crate::guest::memory::{perm, MemError, PAGE};
use crate::linux::kernel::Layout;
use crate::linux::maps::File;
use nix::libc;
use std::sync::Arc;

// E2K mmap flags (they differ from x86).
const MAP_SHARED: u64 = 0x1;
const MAP_PRIVATE: u64 = 0x2;
const MAP_ANONYMOUS: u64 = 0x10;
const MAP_FIXED: u64 = 0x100;
const MAP_FIXED_NOREPLACE: u64 = 0x400000;
const MREMAP_MAYMOVE: u64 = 1;
const MADV_DONTNEED: u64 = 4;
/// mmap keeps this much room above the heap for brk to grow into.
const BRK_ROOM: u64 = 64 << 20;

fn prot(p: u64) -> u8 {
    (if p & 1 != 0 { perm::READ } else { 0 })
        | (if p & 2 != 0 { perm::WRITE } else { 0 })
        | (if p & 4 != 0 { perm::EXEC } else { 0 })
}

fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE - 1).map(|v| v & !(PAGE - 1))
}

fn range_free(s: &Sys, addr: u64, len: u64) -> bool {
    (addr..addr + len)
        .step_by(PAGE as usize)
        .all(|a| s.mem.page_perm(a) & perm::MAPPED == 0)
}

/// The page-rounded length of a range that must start on a page and lie below the
/// mmap area's top.
fn user_range(mm: &Layout, addr: u64, len: u64) -> Option<u64> {
    let len = page_up(len)?;
    (addr.is_multiple_of(PAGE) && addr.checked_add(len).is_some_and(|e| e <= mm.mmap_top))
        .then_some(len)
}

pub fn mmap(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let mm_lock = s.kernel.mm.clone();
    let mut mm = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    let [addr, len, p, flags, fd, off] = a;
    let Some(len) = page_up(len).filter(|l| *l > 0) else {
        return val(-EINVAL);
    };
    if off % PAGE != 0 || addr % PAGE != 0 && flags & MAP_FIXED != 0 {
        return val(-EINVAL);
    }
    let top = mm.mmap_top;
    let at = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        if addr.checked_add(len).is_none_or(|e| e > top) {
            return val(-ENOMEM);
        }
        if flags & MAP_FIXED_NOREPLACE != 0 && !range_free(s, addr, len) {
            return val(-EEXIST);
        }
        addr
    } else if addr != 0
        && addr % PAGE == 0
        && addr.checked_add(len).is_some_and(|e| e <= top)
        && range_free(s, addr, len)
    {
        addr
    } else {
        match s.mem.find_free(len, top) {
            Some(a) if a >= mm.brk + BRK_ROOM => a,
            _ => return val(-ENOMEM),
        }
    };
    let kind = flags & 3;
    if flags & MAP_ANONYMOUS == 0 {
        if kind != MAP_SHARED && kind != MAP_PRIVATE {
            return val(-EINVAL);
        }
        if (fd as i64) < 0 {
            return val(-EBADF);
        }
    }
    let file = if flags & MAP_ANONYMOUS == 0 {
        match mapped_file(fd as i32, off, len) {
            Ok(f) => Some(f),
            Err(e) => return val(e),
        }
    } else {
        None
    };
    if s.mem.unmap(at, len).is_err() {
        return val(-ENOMEM);
    }
    s.code_changed = true;
    mm.files.remove(at, len);
    let r = match file {
        // Shared anonymous memory stays shared with children after fork: a host
        // shared mapping of an unnamed file, as the kernel backs it with shmem.
        None if kind == MAP_SHARED => shared_anonymous(s, at, len, prot(p)),
        None => s.mem.map(at, len, prot(p)),
        Some((file, file_len)) => {
            // SAFETY: the descriptor stays open for the duration of the call.
            let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd as i32) };
            mm.files.insert(at, file_len, file, off);
            s.mem
                .map_file(at, file_len, prot(p), bfd, off, kind == MAP_SHARED)
                .and_then(|()| s.mem.map(at + file_len, len - file_len, prot(p)))
        }
    };
    val(match r {
        Ok(()) => at as i64,
        Err(MemError::Host(e)) => -(e as i64),
        Err(_) => -EINVAL,
    })
}

/// `len` bytes at `at` of zeroed memory that forked children share.
fn shared_anonymous(s: &mut Sys, at: u64, len: u64, prot: u8) -> Result<(), MemError> {
    use std::os::fd::AsFd;
    let fd =
        nix::sys::memfd::memfd_create(c"e2k-emu shared", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
            .map_err(MemError::Host)?;
    nix::unistd::ftruncate(&fd, len as libc::off_t).map_err(MemError::Host)?;
    // The mapping keeps the memory after the descriptor is closed.
    s.mem.map_file(at, len, prot, fd.as_fd(), 0, true)
}

/// The file behind descriptor `fd` and how many of `len` bytes from `off` it can
/// back. Pages wholly past the end of a regular file become zero pages instead (the
/// host would raise SIGBUS on them, in the emulator rather than in the guest).
fn mapped_file(fd: i32, off: u64, len: u64) -> Result<(Arc<File>, u64), i64> {
    // SAFETY: `libc::stat` is plain data; fstat writes it or fails.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } < 0 {
        return Err(super::abi::errno());
    }
    let file_len = if st.st_mode & libc::S_IFMT == libc::S_IFREG {
        page_up(st.st_size as u64).map_or(len, |end| end.saturating_sub(off).min(len))
    } else {
        len
    };
    let path = std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map_or_else(|_| String::new(), |p| p.to_string_lossy().into_owned());
    Ok((
        Arc::new(File {
            path,
            dev: st.st_dev,
            ino: st.st_ino,
        }),
        file_len,
    ))
}

pub fn munmap(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let mm_lock = s.kernel.mm.clone();
    let mut mm = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    let Some(len) = user_range(&mm, a[0], a[1]) else {
        return val(-EINVAL);
    };
    s.code_changed = true;
    mm.files.remove(a[0], len);
    val(if s.mem.unmap(a[0], len).is_ok() {
        0
    } else {
        -EINVAL
    })
}

pub fn mprotect(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let mm_lock = s.kernel.mm.clone();
    let mm = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    let Some(len) = user_range(&mm, a[0], a[1]) else {
        return val(-EINVAL);
    };
    s.code_changed = true;
    val(match s.mem.protect(a[0], len, prot(a[2])) {
        Ok(true) => 0,
        _ => -ENOMEM,
    })
}

pub fn mremap(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let mm_lock = s.kernel.mm.clone();
    let mut mm = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    let [old, old_len, new_len, flags, _, _] = a;
    let (Some(old_len), Some(new_len)) = (page_up(old_len), page_up(new_len)) else {
        return val(-EINVAL);
    };
    if old % PAGE != 0 || new_len == 0 || old.checked_add(old_len.max(new_len)).is_none() {
        return val(-EINVAL);
    }
    let p = s.mem.page_perm(old) & !perm::MAPPED;
    if new_len <= old_len {
        let _ = s.mem.unmap(old + new_len, old_len - new_len);
        mm.files.remove(old + new_len, old_len - new_len);
        s.code_changed = true;
        return val(old as i64);
    }
    if old + new_len <= mm.mmap_top && range_free(s, old + old_len, new_len - old_len) {
        return val(match s.mem.map(old + old_len, new_len - old_len, p) {
            Ok(()) => old as i64,
            Err(_) => -ENOMEM,
        });
    }
    if flags & MREMAP_MAYMOVE == 0 {
        return val(-ENOMEM);
    }
    let Some(at) = s.mem.find_free(new_len, mm.mmap_top) else {
        return val(-ENOMEM);
    };
    if s.mem.map(at, new_len, perm::READ | perm::WRITE).is_err() {
        return val(-ENOMEM);
    }
    let mut data = vec![0u8; old_len as usize];
    for (k, chunk) in data.chunks_mut(PAGE as usize).enumerate() {
        // Readable or not, the kernel moves the pages as they are.
        let _ = s.mem.read_initial(old + k as u64 * PAGE, chunk);
    }
    let _ = s.mem.write_initial(at, &data);
    let _ = s.mem.protect(at, new_len, p);
    let _ = s.mem.unmap(old, old_len);
    mm.files.remove(old, old_len);
    s.code_changed = true;
    val(at as i64)
}

pub fn brk(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let want = a[0];
    let mm_lock = s.kernel.mm.clone();
    let mut k = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    let unchanged = val(k.brk as i64);
    if want < k.brk_start || want > k.mmap_top.saturating_sub(BRK_ROOM) {
        return unchanged;
    }
    let Some(new_end) = page_up(want) else {
        return unchanged;
    };
    let old_end = page_up(k.brk).unwrap_or(k.brk);
    if new_end > old_end {
        if !range_free(s, old_end, new_end - old_end)
            || s.mem
                .map(old_end, new_end - old_end, perm::READ | perm::WRITE)
                .is_err()
        {
            return unchanged;
        }
    } else if new_end < old_end {
        let _ = s.mem.unmap(new_end, old_end - new_end);
    }
    k.brk = want;
    val(want as i64)
}

/// MADV_DONTNEED drops private contents; the other advice changes nothing here.
pub fn madvise(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let mm_lock = s.kernel.mm.clone();
    let mm = mm_lock.lock().unwrap_or_else(|e| e.into_inner());
    if a[2] == MADV_DONTNEED {
        if let Some(len) = user_range(&mm, a[0], a[1]) {
            let _ = s.mem.discard(a[0], len);
        }
    }
    val(0)
}
