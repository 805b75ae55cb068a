//! Guest memory: one reserved host range holds the whole guest address space
//! (guest address = offset into it, with a guard page past its end), so no guest
//! address can reach the emulator's own memory. The guest's permissions are kept per
//! page and checked on every access the emulator makes, and an access that breaks
//! them is a `Fault`.
//!
//! The host protections of the pages follow the guest's (`host_prot`), so that
//! compiled code may access guest memory with no check of its own: an access the
//! guest may not make faults on the host too (`engine::jit::host_fault`). Where the
//! emulator itself needs more than the guest may do (the kernel's hardware stacks,
//! code pages kept read-only to catch stores, writes the kernel makes), its own
//! accesses here make room first.
//!
//! One `GuestMemory` is shared by all threads of a guest process, so every method
//! takes `&self`: page permissions are atomics, and the bytes are the guest's own
//! business (racing guest threads see what racing host threads would). Changes of
//! the address space itself (map, unmap) are serialized by the kernel's mm lock.

use nix::sys::mman::{madvise, mmap_anonymous, mprotect, munmap, MapFlags, MmapAdvise, ProtFlags};
use std::ffi::c_void;
use std::fmt;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

pub const PAGE: u64 = 0x1000;

/// Guest page permissions.
pub mod perm {
    pub const READ: u8 = 1;
    pub const WRITE: u8 = 2;
    pub const EXEC: u8 = 4;
    pub const MAPPED: u8 = 8;
    /// Code from this page has been decoded or translated: a store here must drop it.
    pub const CODE: u8 = 16;
    /// The kernel's own memory in the guest space (the hardware stacks): host
    /// read/write whatever the guest may do, as the emulator spills to it.
    pub const KERNEL: u8 = 32;
}

/// The host protection of a page with guest permissions `p`: no more than the guest
/// may do, but for the kernel's pages, write-only pages (the host cannot have them)
/// and execute-only ones (the interpreter reads code from them). Code pages are
/// read-only, so that a store from compiled code faults and drops the code.
fn host_prot(p: u8) -> ProtFlags {
    let rw = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
    if p & perm::MAPPED == 0 {
        ProtFlags::PROT_NONE
    } else if p & perm::KERNEL != 0 || (p & perm::WRITE != 0 && p & perm::CODE == 0) {
        rw
    } else if p & (perm::READ | perm::WRITE | perm::EXEC) != 0 {
        ProtFlags::PROT_READ
    } else {
        ProtFlags::PROT_NONE
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Exec,
}

/// A guest access outside mapped memory or against its permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub addr: u64,
    pub access: Access,
    /// The page is mapped, but without the needed permission.
    pub mapped: bool,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.access {
            Access::Read => "read",
            Access::Write => "write",
            Access::Exec => "execute",
        };
        if self.mapped {
            write!(
                f,
                "{what} at {:#x} violates the page's protection",
                self.addr
            )
        } else {
            write!(f, "{what} at {:#x} outside mapped memory", self.addr)
        }
    }
}

impl std::error::Error for Fault {}

#[derive(Debug)]
pub enum MemError {
    /// The host refused the reservation or a protection change.
    Host(nix::Error),
    /// The range is not page aligned or leaves the guest address space.
    BadRange { addr: u64, len: u64 },
}

impl fmt::Display for MemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemError::Host(e) => write!(f, "host memory: {e}"),
            MemError::BadRange { addr, len } => write!(f, "bad guest range {addr:#x}+{len:#x}"),
        }
    }
}

impl std::error::Error for MemError {}

pub struct GuestMemory {
    host: NonNull<u8>,
    size: u64,
    pages: Box<[AtomicU8]>,
    /// Pages marked `perm::CODE`.
    code_pages: Mutex<Vec<u64>>,
    /// Bumped whenever decoded code is dropped, so that every thread drops its own
    /// decoded and translated copies too (`code_epoch`).
    code_epoch: AtomicU64,
}

// The reservation is owned by this value; the bytes are shared guest memory, and
// the bookkeeping is atomic or locked.
unsafe impl Send for GuestMemory {}
unsafe impl Sync for GuestMemory {}

impl Drop for GuestMemory {
    fn drop(&mut self) {
        // SAFETY: `host` is the start of the `size`-byte reservation made in `new`.
        unsafe {
            let _ = munmap(self.host.cast::<c_void>(), (self.size + PAGE) as usize);
        }
    }
}

impl GuestMemory {
    /// Reserves a guest address space of `size` bytes (a multiple of the page size).
    pub fn new(size: u64) -> Result<GuestMemory, MemError> {
        if size == 0 || !size.is_multiple_of(PAGE) {
            return Err(MemError::BadRange { addr: 0, len: size });
        }
        // The guard page past the end catches compiled code's accesses that start
        // inside and run over the end.
        let len = NonZeroUsize::new((size + PAGE) as usize)
            .ok_or(MemError::BadRange { addr: 0, len: size })?;
        // SAFETY: a fresh anonymous mapping at an address the kernel chooses.
        let p = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_NONE,
                MapFlags::MAP_PRIVATE | MapFlags::MAP_NORESERVE,
            )
        }
        .map_err(MemError::Host)?;
        Ok(GuestMemory {
            host: p.cast::<u8>(),
            size,
            pages: (0..size / PAGE).map(|_| AtomicU8::new(0)).collect(),
            code_pages: Mutex::new(vec![]),
            code_epoch: AtomicU64::new(0),
        })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Host address of guest address 0 (for compiled code, which checks `pages` itself).
    pub fn host_base(&self) -> *mut u8 {
        self.host.as_ptr()
    }

    /// Guest permissions, one byte per page (`perm::*`).
    pub fn pages_ptr(&self) -> *const u8 {
        self.pages.as_ptr().cast()
    }

    /// Sets the guest permissions of whole pages and the host protections that
    /// follow from them.
    fn set_pages(&self, addr: u64, len: u64, p: u8) -> Result<(), MemError> {
        self.store_perms(addr, len, p);
        self.sync_host(addr / PAGE, (addr + len).div_ceil(PAGE))
    }

    /// Sets the guest permissions of whole pages (the table only).
    fn store_perms(&self, addr: u64, len: u64, p: u8) {
        for pg in &self.pages[(addr / PAGE) as usize..((addr + len) / PAGE) as usize] {
            pg.store(p, Ordering::Relaxed);
        }
    }

    /// Gives pages `[first, end)` the host protections their permissions ask for,
    /// one `mprotect` per run of equal protection.
    fn sync_host(&self, first: u64, end: u64) -> Result<(), MemError> {
        let mut pg = first;
        while pg < end {
            let prot = host_prot(self.perm_of(pg));
            let mut run = pg + 1;
            while run < end && host_prot(self.perm_of(run)) == prot {
                run += 1;
            }
            // SAFETY: whole pages inside the reservation.
            unsafe {
                mprotect(
                    self.host_range(pg * PAGE),
                    ((run - pg) * PAGE) as usize,
                    prot,
                )
            }
            .map_err(MemError::Host)?;
            pg = run;
        }
        Ok(())
    }

    /// Runs `f` with `[addr, addr + len)` host-accessible (`write`: writable too),
    /// for the emulator's own accesses beyond what the guest may do; code marks in
    /// a range to be written are dropped first (the code changes).
    fn with_host_access<R>(&self, addr: u64, len: u64, write: bool, f: impl FnOnce() -> R) -> R {
        if write {
            self.writing(addr, len);
        }
        let (first, end) = (addr / PAGE, (addr + len).div_ceil(PAGE));
        let enough = |pg: u64| {
            let h = host_prot(self.perm_of(pg));
            h.contains(ProtFlags::PROT_READ) && (!write || h.contains(ProtFlags::PROT_WRITE))
        };
        if (first..end).all(enough) {
            return f();
        }
        // SAFETY: whole pages inside the reservation (callers checked the range);
        // they get their own protections back right after.
        let opened = unsafe {
            mprotect(
                self.host_range(first * PAGE),
                ((end - first) * PAGE) as usize,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            )
        };
        let r = f();
        if opened.is_ok() {
            let _ = self.sync_host(first, end);
        }
        r
    }

    #[inline]
    fn perm_of(&self, pg: u64) -> u8 {
        self.pages[pg as usize].load(Ordering::Relaxed)
    }

    fn check_range(&self, addr: u64, len: u64) -> Result<(), MemError> {
        if !addr.is_multiple_of(PAGE)
            || !len.is_multiple_of(PAGE)
            || addr.checked_add(len).is_none_or(|e| e > self.size)
        {
            return Err(MemError::BadRange { addr, len });
        }
        Ok(())
    }

    fn host_range(&self, addr: u64) -> NonNull<c_void> {
        // SAFETY: callers checked that addr lies inside the reservation.
        unsafe { NonNull::new_unchecked(self.host.as_ptr().add(addr as usize)).cast() }
    }

    /// Maps `[addr, addr + len)` with guest permissions `p` (zero-filled when new).
    pub fn map(&self, addr: u64, len: u64, p: u8) -> Result<(), MemError> {
        self.check_range(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        self.set_pages(addr, len, p | perm::MAPPED)
    }

    /// Unmaps the range; its contents are gone (a later map reads zeros).
    pub fn unmap(&self, addr: u64, len: u64) -> Result<(), MemError> {
        self.check_range(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        // A fresh inaccessible anonymous mapping replaces whatever was there (file
        // mappings included), so a later map reads zeros.
        // SAFETY: the range is inside our reservation, which we own.
        unsafe {
            mmap_anonymous(
                Some(
                    NonZeroUsize::new(self.host.as_ptr() as usize + addr as usize)
                        .ok_or(MemError::BadRange { addr, len })?,
                ),
                NonZeroUsize::new(len as usize).ok_or(MemError::BadRange { addr, len })?,
                ProtFlags::PROT_NONE,
                MapFlags::MAP_PRIVATE | MapFlags::MAP_NORESERVE | MapFlags::MAP_FIXED,
            )
            .map_err(MemError::Host)?;
        }
        self.store_perms(addr, len, 0);
        Ok(())
    }

    /// Changes the guest permissions of mapped pages (code and kernel marks stay);
    /// false if some page is unmapped.
    pub fn protect(&self, addr: u64, len: u64, p: u8) -> Result<bool, MemError> {
        self.check_range(addr, len)?;
        let pages = addr / PAGE..(addr + len) / PAGE;
        if pages.clone().any(|pg| self.perm_of(pg) & perm::MAPPED == 0) {
            return Ok(false);
        }
        for pg in pages {
            let keep = self.perm_of(pg) & (perm::CODE | perm::KERNEL);
            self.pages[pg as usize].store(p | keep | perm::MAPPED, Ordering::Relaxed);
        }
        self.sync_host(addr / PAGE, (addr + len) / PAGE)?;
        Ok(true)
    }

    /// Maps `len` bytes of the open file `fd` from `offset` at `addr` (page aligned),
    /// shared with the file or as a private copy, with guest permissions `p`.
    pub fn map_file(
        &self,
        addr: u64,
        len: u64,
        p: u8,
        fd: std::os::fd::BorrowedFd,
        offset: u64,
        shared: bool,
    ) -> Result<(), MemError> {
        self.check_range(addr, len)?;
        let Some(n) = NonZeroUsize::new(len as usize) else {
            return Ok(());
        };
        let flags = MapFlags::MAP_FIXED
            | if shared {
                MapFlags::MAP_SHARED
            } else {
                MapFlags::MAP_PRIVATE
            };
        let at = NonZeroUsize::new(self.host.as_ptr() as usize + addr as usize)
            .ok_or(MemError::BadRange { addr, len })?;
        let prot = host_prot(p | perm::MAPPED);
        // SAFETY: the range is inside our reservation, which we own.
        unsafe { nix::sys::mman::mmap(Some(at), n, prot, flags, fd, offset as i64) }
            .map_err(MemError::Host)?;
        self.set_pages(addr, len, p | perm::MAPPED)
    }

    /// Drops the contents of private pages (later reads give zeros or the file again).
    pub fn discard(&self, addr: u64, len: u64) -> Result<(), MemError> {
        self.check_range(addr, len)?;
        if len == 0 {
            return Ok(());
        }
        // SAFETY: the range is inside our reservation.
        unsafe {
            madvise(
                self.host_range(addr),
                len as usize,
                MmapAdvise::MADV_DONTNEED,
            )
        }
        .map_err(MemError::Host)
    }

    /// The guest bytes `[addr, addr + len)` if the guest may access them so.
    pub fn slice(&self, addr: u64, len: usize, access: Access) -> Result<&[u8], Fault> {
        self.check(addr, len as u64, Some(access))?;
        Ok(self.bytes(addr, len))
    }

    /// The guest bytes `[addr, addr + len)` for writing, if the guest may write them.
    /// Like the host kernel's copy to user memory, this does not exclude other guest
    /// threads from the bytes.
    #[allow(clippy::mut_from_ref)]
    pub fn slice_mut(&self, addr: u64, len: usize) -> Result<&mut [u8], Fault> {
        self.check(addr, len as u64, Some(Access::Write))?;
        self.writing(addr, len as u64);
        Ok(self.bytes_mut(addr, len))
    }

    /// Before the emulator writes `[addr, addr + len)`, which the guest may write:
    /// code there is dropped, and the pages become host-writable with it.
    #[inline]
    fn writing(&self, addr: u64, len: u64) {
        let (first, end) = (addr / PAGE, (addr + len).div_ceil(PAGE));
        if (first..end).any(|pg| self.perm_of(pg) & perm::CODE != 0) {
            self.unmark_code();
        }
    }

    /// A NUL-terminated guest string (without the NUL), at most `max` bytes long.
    pub fn c_string(&self, addr: u64, max: usize) -> Result<Vec<u8>, Fault> {
        let mut out = Vec::new();
        let mut a = addr;
        loop {
            let chunk = (PAGE - a % PAGE) as usize;
            let bytes = self.slice(a, chunk, Access::Read)?;
            if let Some(z) = bytes.iter().position(|b| *b == 0) {
                out.extend_from_slice(&bytes[..z]);
                return Ok(out);
            }
            out.extend_from_slice(bytes);
            if out.len() > max {
                return Err(Fault {
                    addr,
                    access: Access::Read,
                    mapped: true,
                });
            }
            a += chunk as u64;
        }
    }

    /// Marks the pages of `[addr, addr + len)` as holding decoded code.
    pub fn mark_code(&self, addr: u64, len: u64) {
        let last = (addr + len.max(1) - 1) / PAGE;
        for pg in addr / PAGE..=last {
            if let Some(p) = self.pages.get(pg as usize) {
                if p.fetch_or(perm::CODE, Ordering::SeqCst) & perm::CODE == 0 {
                    self.code_list().push(pg);
                    // Read-only from now on: a store of compiled code faults.
                    let _ = self.sync_host(pg, pg + 1);
                }
            }
        }
    }

    fn code_list(&self) -> std::sync::MutexGuard<'_, Vec<u64>> {
        self.code_pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Clears every code mark (all decoded code is being dropped) and tells the other
    /// threads to drop theirs: marks go first, so that code a thread decodes before
    /// it sees the new epoch is dropped when it does, and code decoded after is marked.
    pub fn unmark_code(&self) {
        for pg in self.code_list().drain(..) {
            if let Some(p) = self.pages.get(pg as usize) {
                p.fetch_and(!perm::CODE, Ordering::SeqCst);
                let _ = self.sync_host(pg, pg + 1);
            }
        }
        self.code_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Changes with every `unmark_code`: a thread that saw another value must drop
    /// what it decoded or translated.
    #[inline]
    pub fn code_epoch(&self) -> u64 {
        self.code_epoch.load(Ordering::SeqCst)
    }

    /// Guest permissions of the page holding `addr` (0 if unmapped or outside).
    pub fn page_perm(&self, addr: u64) -> u8 {
        self.pages
            .get((addr / PAGE) as usize)
            .map_or(0, |p| p.load(Ordering::Relaxed))
    }

    /// The host address of guest `addr` when `[addr, addr + len)` is mapped and
    /// readable: for system calls the host serves on guest memory in place (futex).
    pub fn host_ptr(&self, addr: u64, len: u64) -> Result<*mut u8, Fault> {
        self.check(addr, len, Some(Access::Read))?;
        // SAFETY: checked to lie inside the reservation.
        Ok(unsafe { self.host.as_ptr().add(addr as usize) })
    }

    /// Checks that `[addr, addr + len)` allows `access` (`None`: only that it is mapped).
    fn check(&self, addr: u64, len: u64, access: Option<Access>) -> Result<(), Fault> {
        let need = match access {
            Some(Access::Read) => perm::READ,
            Some(Access::Write) => perm::WRITE,
            Some(Access::Exec) => perm::EXEC,
            None => 0,
        } | perm::MAPPED;
        let fault = |a: u64, mapped| Fault {
            addr: a,
            access: access.unwrap_or(Access::Read),
            mapped,
        };
        let end = addr
            .checked_add(len)
            .filter(|e| *e <= self.size)
            .ok_or(fault(addr, false))?;
        let mut pg = addr / PAGE;
        while pg * PAGE < end {
            let p = self.perm_of(pg);
            if p & need != need {
                return Err(fault((pg * PAGE).max(addr), p & perm::MAPPED != 0));
            }
            pg += 1;
        }
        Ok(())
    }

    fn bytes(&self, addr: u64, len: usize) -> &[u8] {
        // SAFETY: checked ranges are mapped read/write on the host.
        unsafe { std::slice::from_raw_parts(self.host.as_ptr().add(addr as usize), len) }
    }

    #[allow(clippy::mut_from_ref)]
    fn bytes_mut(&self, addr: u64, len: usize) -> &mut [u8] {
        // SAFETY: checked ranges are mapped read/write on the host.
        unsafe { std::slice::from_raw_parts_mut(self.host.as_ptr().add(addr as usize), len) }
    }

    /// Copies guest memory out, as the guest would read it.
    pub fn read(&self, addr: u64, buf: &mut [u8], access: Access) -> Result<(), Fault> {
        self.check(addr, buf.len() as u64, Some(access))?;
        buf.copy_from_slice(self.bytes(addr, buf.len()));
        Ok(())
    }

    /// Copies into guest memory, as the guest would write it.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        self.check(addr, data.len() as u64, Some(Access::Write))?;
        self.writing(addr, data.len() as u64);
        self.bytes_mut(addr, data.len()).copy_from_slice(data);
        Ok(())
    }

    /// Writes regardless of the guest's permissions (loading, the kernel's own writes),
    /// but only into mapped pages.
    pub fn write_initial(&self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        self.check(addr, data.len() as u64, None)?;
        self.with_host_access(addr, data.len() as u64, true, || {
            self.bytes_mut(addr, data.len()).copy_from_slice(data)
        });
        Ok(())
    }

    /// Reads regardless of the guest's permissions (the kernel's own reads of the
    /// hardware stacks), but only from mapped pages.
    pub fn read_initial(&self, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        self.check(addr, buf.len() as u64, None)?;
        self.with_host_access(addr, buf.len() as u64, false, || {
            buf.copy_from_slice(self.bytes(addr, buf.len()))
        });
        Ok(())
    }

    /// A little-endian load of `bits` (8..128).
    pub fn load(&self, addr: u64, bits: u32) -> Result<u128, Fault> {
        let n = (bits / 8) as usize;
        self.check(addr, n as u64, Some(Access::Read))?;
        let mut v = [0u8; 16];
        v[..n].copy_from_slice(self.bytes(addr, n));
        Ok(u128::from_le_bytes(v))
    }

    /// A little-endian store of the low `bits` of `value`.
    /// Whether `len` bytes at `addr` may be written (a store that must find its whole
    /// block writable before it writes any of it).
    pub fn check_write(&self, addr: u64, len: u64) -> Result<(), Fault> {
        self.check(addr, len, Some(Access::Write))
    }

    pub fn store(&self, addr: u64, bits: u32, value: u128) -> Result<(), Fault> {
        let n = (bits / 8) as usize;
        self.check(addr, n as u64, Some(Access::Write))?;
        self.writing(addr, n as u64);
        self.bytes_mut(addr, n)
            .copy_from_slice(&value.to_le_bytes()[..n]);
        Ok(())
    }

    /// Stores `value` where `expected` still is, atomically against other guest
    /// threads doing the same (the conditional store that ends a locked sequence);
    /// false, storing nothing, when the memory changed.
    pub fn compare_store(
        &self,
        addr: u64,
        bits: u32,
        expected: u128,
        value: u128,
    ) -> Result<bool, Fault> {
        let n = (bits / 8) as u64;
        self.check(addr, n, Some(Access::Write))?;
        self.writing(addr, n);
        // SAFETY: checked; aligned for the atomic type where one is used.
        let p = unsafe { self.host.as_ptr().add(addr as usize) };
        macro_rules! cas {
            ($t:ty, $u:ty) => {{
                let a = unsafe { &*(p as *const $t) };
                a.compare_exchange(
                    expected as $u,
                    value as $u,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
            }};
        }
        use std::sync::atomic::{AtomicU16, AtomicU32};
        Ok(match n {
            1 => cas!(AtomicU8, u8),
            2 if addr.is_multiple_of(2) => cas!(AtomicU16, u16),
            4 if addr.is_multiple_of(4) => cas!(AtomicU32, u32),
            8 if addr.is_multiple_of(8) => cas!(AtomicU64, u64),
            _ => {
                // Wide or misaligned: atomic only against other conditional stores.
                static WIDE: Mutex<()> = Mutex::new(());
                let _g = WIDE.lock().unwrap_or_else(|e| e.into_inner());
                let cur = self.load(addr, bits)?;
                let mask = if bits >= 128 {
                    u128::MAX
                } else {
                    (1u128 << bits) - 1
                };
                if cur & mask != expected & mask {
                    false
                } else {
                    self.store(addr, bits, value)?;
                    true
                }
            }
        })
    }

    /// Up to `max` bytes of code at `addr` (fewer at the end of executable memory).
    pub fn fetch(&self, addr: u64, max: usize) -> Result<&[u8], Fault> {
        self.check(addr, 1, Some(Access::Exec))?;
        let mut n = 0usize;
        while n < max && self.check(addr + n as u64, 1, Some(Access::Exec)).is_ok() {
            n = (((addr + n as u64) / PAGE + 1) * PAGE - addr).min(max as u64) as usize;
        }
        Ok(self.bytes(addr, n))
    }

    /// The highest free page-aligned range of `len` bytes below `below`, for mmap.
    pub fn find_free(&self, len: u64, below: u64) -> Option<u64> {
        let pages = len.div_ceil(PAGE);
        let mut run = 0u64;
        let mut pg = below.min(self.size) / PAGE;
        while pg > 1 {
            pg -= 1;
            if self.perm_of(pg) & perm::MAPPED == 0 {
                run += 1;
                if run == pages {
                    return Some(pg * PAGE);
                }
            } else {
                run = 0;
            }
        }
        None
    }
}
