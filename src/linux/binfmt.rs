//! The binfmt_misc rule that makes the host kernel run E2K programs with e2k-emu:
//! magic and mask over the first 20 bytes of an ELF header, as qemu-binfmt-conf.sh
//! writes them for its targets.

/// ELF64 (class 2), little-endian (data 1), version 1; OS ABI, ABI version and padding
/// ignored; e_type ET_EXEC (2) or ET_DYN (3): the mask drops e_type's low bit;
/// e_machine EM_MCST_ELBRUS (175).
pub const MAGIC: [u8; 20] = [
    0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 175, 0,
];
pub const MASK: [u8; 20] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff,
];

/// P: keep the name the program was run by (e2k-emu reads AT_FLAGS to know, see
/// `options::guest_argv`); F: the kernel opens e2k-emu when the rule is registered, so
/// the rule also works inside a chroot or container that lacks it.
pub const DEFAULT_FLAGS: &str = "PF";

/// The flags binfmt_misc knows: P preserve argv[0], O pass the program as an open
/// descriptor (AT_EXECFD), C credentials of the program (implies O), F fix binary.
pub fn check_flags(f: &str) -> Result<(), String> {
    match f.chars().find(|c| !"POCF".contains(*c)) {
        None => Ok(()),
        Some(c) => Err(format!("unknown binfmt_misc flag `{c}` (P, O, C, F)")),
    }
}

/// Whether a file starting with `head` matches the rule, as the kernel tests it.
pub fn matches(head: &[u8]) -> bool {
    head.len() >= MAGIC.len()
        && head
            .iter()
            .zip(MAGIC.iter().zip(MASK.iter()))
            .all(|(b, (m, k))| b & k == *m)
}

fn escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

/// The line to write to /proc/sys/fs/binfmt_misc/register.
pub fn rule(interpreter: &str, flags: &str) -> Result<String, String> {
    check_flags(flags)?;
    if !interpreter.starts_with('/') {
        return Err(format!(
            "{interpreter}: the interpreter must be an absolute path"
        ));
    }
    if interpreter.contains([':', '\n']) {
        return Err(format!(
            "{interpreter}: the interpreter path may not hold `:` or a newline"
        ));
    }
    Ok(format!(
        ":e2k:M::{}:{}:{interpreter}:{flags}",
        escaped(&MAGIC),
        escaped(&MASK)
    ))
}
