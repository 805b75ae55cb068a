//! Guest memory: permissions, faults, and isolation of the emulator's own memory.

use e2k_emu::guest::memory::{perm, Access, GuestMemory, PAGE};

const GIB: u64 = 1 << 30;

#[test]
fn maps_reads_writes_and_faults() {
    let m = GuestMemory::new(4 * GIB).unwrap();
    m.map(0x10000, 2 * PAGE, perm::READ | perm::WRITE).unwrap();
    m.store(0x10ffc, 64, 0x1122_3344_5566_7788).unwrap(); // across the page boundary
    assert_eq!(m.load(0x10ffc, 64).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(
        m.load(0x11000, 16).unwrap(),
        0x3344,
        "little-endian across the page boundary"
    );
    let f = m.load(0x12000, 8).unwrap_err();
    assert_eq!((f.addr, f.access, f.mapped), (0x12000, Access::Read, false));
    // A read that starts mapped and runs into unmapped memory faults at the boundary.
    let f = m.load(0x11ffc, 64).unwrap_err();
    assert_eq!(f.addr, 0x12000);
    // Read-only pages refuse guest writes, but the loader may fill them.
    m.protect(0x10000, PAGE, perm::READ).unwrap();
    let f = m.store(0x10000, 8, 1).unwrap_err();
    assert!(f.mapped && f.access == Access::Write);
    m.write_initial(0x10000, b"abc").unwrap();
    let mut buf = [0u8; 3];
    m.read(0x10000, &mut buf, Access::Read).unwrap();
    assert_eq!(&buf, b"abc");
    // Code needs execute permission.
    assert!(m.fetch(0x10000, 16).is_err());
    m.protect(0x10000, PAGE, perm::READ | perm::EXEC).unwrap();
    assert_eq!(m.fetch(0x10000, 8).unwrap().len(), 8);
    assert_eq!(
        m.fetch(0x10ffc, 64).unwrap().len(),
        4,
        "fetch stops where execute permission ends"
    );
}

#[test]
fn unmapped_memory_reads_zero_when_mapped_again() {
    let m = GuestMemory::new(GIB).unwrap();
    m.map(0x20000, PAGE, perm::READ | perm::WRITE).unwrap();
    m.store(0x20000, 32, 0xdead_beef).unwrap();
    m.unmap(0x20000, PAGE).unwrap();
    assert!(m.load(0x20000, 32).is_err());
    m.map(0x20000, PAGE, perm::READ).unwrap();
    assert_eq!(m.load(0x20000, 32).unwrap(), 0);
}

#[test]
fn addresses_beyond_the_guest_space_fault() {
    let m = GuestMemory::new(GIB).unwrap();
    for addr in [GIB, GIB - 4, u64::MAX - 3, u64::MAX] {
        assert!(m.load(addr, 64).is_err(), "{addr:#x}");
    }
    let m = m;
    assert!(m.map(GIB - PAGE, 2 * PAGE, perm::READ).is_err());
    assert!(m.map(0x1001, PAGE, perm::READ).is_err());
}

#[test]
fn finds_free_ranges_top_down() {
    let m = GuestMemory::new(GIB).unwrap();
    m.map(GIB - 4 * PAGE, 4 * PAGE, perm::READ).unwrap();
    assert_eq!(m.find_free(2 * PAGE, GIB), Some(GIB - 6 * PAGE));
    assert_eq!(m.find_free(GIB, GIB), None);
}
