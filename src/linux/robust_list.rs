//! Robust futexes: what the kernel does with a thread's robust list when the thread
//! ends or execs. Every lock on the list (and the one in `list_op_pending`) that the
//! thread still holds gets FUTEX_OWNER_DIED, keeping only FUTEX_WAITERS, and one
//! waiter is woken, so that the next pthread_mutex_lock returns EOWNERDEAD instead
//! of blocking forever. The list is the guest's (set_robust_list is not passed to
//! the host kernel, whose list for this host thread is the host libc's), so the
//! emulator walks it as the E2K kernel would.

use crate::guest::memory::GuestMemory;
use crate::linux::thread::wake_one as wake;

const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// The kernel's bound on the walk (a list made circular by mistake ends).
const ROBUST_LIST_LIMIT: usize = 2048;

/// `struct robust_list_head`: the list's first entry, the offset from an entry to
/// its futex word, and the entry being locked or unlocked right now. Bit 0 of an
/// entry pointer marks a PI futex.
struct Head {
    addr: u64,
    futex_offset: i64,
}

/// Walks the list registered at `head` for thread `tid`, as the kernel's
/// exit_robust_list does; stops quietly where the guest's memory is unreadable.
pub fn release(mem: &GuestMemory, head: u64, tid: u32) {
    if head == 0 {
        return;
    }
    let read = |addr: u64| mem.load(addr, 64).ok().map(|v| v as u64);
    let (Some(first), Some(offset), Some(pending)) = (read(head), read(head + 8), read(head + 16))
    else {
        return;
    };
    let h = Head {
        addr: head,
        futex_offset: offset as i64,
    };
    let (pending, pending_pi) = (pending & !1, pending & 1 != 0);
    let mut entry = first;
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry & !1 == h.addr {
            break;
        }
        let next = read(entry & !1);
        if entry & !1 != pending {
            owner_died(mem, h.word(entry & !1), tid, entry & 1 != 0, false);
        }
        match next {
            Some(n) => entry = n,
            None => return,
        }
    }
    if pending != 0 {
        owner_died(mem, h.word(pending), tid, pending_pi, true);
    }
}

impl Head {
    fn word(&self, entry: u64) -> u64 {
        entry.wrapping_add(self.futex_offset as u64)
    }
}

/// The kernel's handle_futex_death for one futex word.
fn owner_died(mem: &GuestMemory, word: u64, tid: u32, pi: bool, pending: bool) {
    if !word.is_multiple_of(4) {
        return;
    }
    let old = loop {
        let Ok(v) = mem.load(word, 32) else {
            return;
        };
        let v = v as u32;
        // An unlock that had released the word but not yet woken anyone.
        if pending && !pi && v & FUTEX_TID_MASK == 0 {
            wake(mem, word);
            return;
        }
        if v & FUTEX_TID_MASK != tid {
            return;
        }
        let new = v & FUTEX_WAITERS | FUTEX_OWNER_DIED;
        match mem.compare_store(word, 32, v as u128, new as u128) {
            Ok(true) => break v,
            Ok(false) => continue,
            Err(_) => return,
        }
    };
    // PI waiters are the host kernel's business (the lock is a host PI futex).
    if !pi && old & FUTEX_WAITERS != 0 {
        wake(mem, word);
    }
}
