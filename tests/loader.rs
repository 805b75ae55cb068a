//! Load plans and initial stacks of E2K executables built by e2k-as.

use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::isa::version::Iset;
use e2k_emu::linux::loader::{at, initial_stack, plan, Aux, Ids, LoadError};

fn hello() -> Vec<u8> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/programs/hello.s"
    ))
    .unwrap();
    assemble_elf(
        &[("hello.s".into(), text)],
        &Options {
            iset: Iset::new(5).unwrap(),
            entry: None,
            text_base: 0x10000,
        },
    )
    .unwrap()
}

#[test]
fn plans_a_static_executable() {
    let p = plan(&hello(), 0).unwrap();
    assert_eq!(p.entry, 0x10000);
    assert_eq!(p.iset, Iset::new(5));
    assert!(!p.position_independent);
    let text = &p.segments[0];
    assert_eq!(
        (text.vaddr, text.read, text.write, text.exec),
        (0x10000, true, false, true)
    );
    let data = &p.segments[1];
    assert_eq!(
        (data.vaddr, data.read, data.write, data.exec),
        (0x11000, true, true, false)
    );
    assert_eq!(p.brk, 0x12000);
}

fn refused(bytes: &[u8]) -> String {
    plan(bytes, 0).unwrap_err().to_string()
}

#[test]
fn refuses_what_it_cannot_run() {
    let mut pm = hello();
    pm[48] |= 1 << 5; // e_flags: protected mode
    assert_eq!(refused(&pm), "protected-mode executables are not supported");
    let mut x86 = hello();
    x86[48] |= 1 << 2;
    assert!(refused(&x86).contains("x86 binary-translator"));
    let mut other = hello();
    other[18] = 62; // e_machine = x86-64
    assert_eq!(plan(&other, 0).unwrap_err(), LoadError::NotE2k(62));
    let mut rel = hello();
    rel[16] = 1; // ET_REL
    assert!(refused(&rel).contains("not an executable"));
    let mut entry = hello();
    entry[24..32].copy_from_slice(&0x11000u64.to_le_bytes()); // entry in .data
    assert!(refused(&entry).contains("not in an executable segment"));
    let truncated = &hello()[..0x1004];
    assert!(plan(truncated, 0).is_err());
    assert!(refused(b"\x7fELF junk").contains("not an ELF executable"));
}

#[test]
fn mutated_headers_never_panic() {
    let base = hello();
    for i in 0..0x100usize {
        for x in [0u8, 0xff, 0x41] {
            let mut b = base.clone();
            b[i] = x;
            let _ = plan(&b, 0x5555_0000_0000);
        }
    }
}

fn word(bytes: &[u8], base: u64, addr: u64) -> u64 {
    let o = (addr - base) as usize;
    u64::from_le_bytes(bytes[o..o + 8].try_into().unwrap())
}

fn cstr(bytes: &[u8], base: u64, addr: u64) -> String {
    let o = (addr - base) as usize;
    let end = bytes[o..].iter().position(|b| *b == 0).unwrap();
    String::from_utf8(bytes[o..o + end].to_vec()).unwrap()
}

#[test]
fn builds_the_initial_stack() {
    let p = plan(&hello(), 0).unwrap();
    let args = vec!["./hello".to_string(), "a b".to_string()];
    let env = vec!["HOME=/root".to_string()];
    let ids = Ids {
        uid: 1000,
        euid: 1000,
        gid: 100,
        egid: 100,
    };
    let random = [7u8; 16];
    let top = 0x7fff_0000_0000;
    let s = initial_stack(
        top,
        &args,
        &env,
        "/bin/hello",
        &Aux::new(&p, 0, ids),
        random,
    );
    assert_eq!(s.sp % 16, 0);
    assert_eq!(s.base + s.bytes.len() as u64, top);
    let (b, base) = (&s.bytes, s.base);
    assert_eq!(word(b, base, s.sp), 2);
    assert_eq!(cstr(b, base, word(b, base, s.sp + 8)), "./hello");
    assert_eq!(cstr(b, base, word(b, base, s.sp + 16)), "a b");
    assert_eq!(word(b, base, s.sp + 24), 0);
    assert_eq!(cstr(b, base, word(b, base, s.sp + 32)), "HOME=/root");
    assert_eq!(word(b, base, s.sp + 40), 0);
    let mut auxv = std::collections::BTreeMap::new();
    let mut a = s.sp + 48;
    loop {
        let (k, v) = (word(b, base, a), word(b, base, a + 8));
        auxv.insert(k, v);
        a += 16;
        if k == at::NULL {
            break;
        }
    }
    assert_eq!(auxv[&at::ENTRY], 0x10000);
    assert_eq!(auxv[&at::PAGESZ], 4096);
    assert_eq!(auxv[&at::UID], 1000);
    assert_eq!(auxv[&at::EGID], 100);
    assert_eq!(auxv[&at::PHNUM], p.phnum);
    assert_eq!(cstr(b, base, auxv[&at::EXECFN]), "/bin/hello");
    // E2K's kernel names no platform, and no interpreter means AT_BASE 0.
    assert!(!auxv.contains_key(&at::PLATFORM));
    assert_eq!(auxv[&at::BASE], 0);
    assert_eq!(auxv[&at::SYSTEM_INFO], 1);
    assert_eq!(auxv[&at::FAST_SYSCALLS], 0);
    assert_eq!(s.auxv.len(), auxv.len());
    let r = (auxv[&at::RANDOM] - base) as usize;
    assert_eq!(&b[r..r + 16], &random);
}

fn dynamic_program(kind: e2k_emu::asm::Kind, base: u64) -> Vec<u8> {
    let text = "
_start:
    { nop 1 }
    .section .interp
    .asciz \"/lib64/ld-linux.so.2\"
    .bss
    .skip 0x3000
";
    e2k_emu::asm::assemble_image(
        &[("d.s".into(), text.into())],
        &Options {
            iset: Iset::new(5).unwrap(),
            entry: None,
            text_base: base,
        },
        kind,
    )
    .unwrap()
}

#[test]
fn plans_a_dynamic_program() {
    use e2k_emu::asm::Kind;
    let p = plan(&dynamic_program(Kind::Exec, 0x10000), 0x1234_0000).unwrap();
    assert_eq!(p.interp.as_deref(), Some("/lib64/ld-linux.so.2"));
    assert_eq!((p.low(), p.entry, p.phdr), (0xf000, 0x10000, 0xf040));
    assert_eq!(p.align, 0x1000);
    let pie = plan(&dynamic_program(Kind::Dyn, 0x1000), 0x1234_0000).unwrap();
    assert!(pie.position_independent);
    assert_eq!((pie.low(), pie.entry), (0x1234_0000, 0x1234_1000));
    // Headers, text, interp path, bss: four pages from the lowest.
    assert_eq!(pie.span(), 0x6000);
    assert_eq!(
        e2k_emu::linux::exec::dyn_base(1 << 36),
        0xa_aaaa_a000,
        "two thirds of the space, page aligned"
    );
}

#[test]
fn refuses_broken_interpreter_paths() {
    use e2k_emu::asm::Kind;
    let good = dynamic_program(Kind::Exec, 0x10000);
    let path = good
        .windows(20)
        .position(|w| w == b"/lib64/ld-linux.so.2")
        .unwrap();
    let mut unterminated = good.clone();
    unterminated[path + 20] = b'x';
    assert!(refused(&unterminated).contains("not NUL-terminated"));
    // PT_INTERP is the second program header; its p_offset points past the end.
    let mut outside = good.clone();
    let ph = 64 + 56 + 8;
    outside[ph..ph + 8].copy_from_slice(&(good.len() as u64).to_le_bytes());
    assert!(refused(&outside).contains("PT_INTERP lies outside the file"));
}
