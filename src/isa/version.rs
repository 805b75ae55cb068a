//! ISA versions (v1..v7) and how ELF headers and command lines name them.

use std::fmt;
use std::str::FromStr;

/// An E2K instruction-set version, 1 to 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iset(u8);

impl Iset {
    pub const MIN: Iset = Iset(1);
    pub const MAX: Iset = Iset(7);

    pub fn new(v: u8) -> Option<Iset> {
        (1..=7).contains(&v).then_some(Iset(v))
    }
    pub fn number(self) -> u8 {
        self.0
    }
    /// The bit of this version in a table's version mask.
    pub fn mask(self) -> u8 {
        1 << (self.0 - 1)
    }
    pub fn all() -> impl Iterator<Item = Iset> {
        (1..=7).map(Iset)
    }

    /// The version an ELF header's `e_flags` names (machine field, bits 31:24), if any.
    pub fn from_e_flags(flags: u32) -> Option<Iset> {
        match flags >> 24 {
            // 0 is "generic": code that runs on every model, i.e. the oldest common set.
            0 => Some(Iset(2)),
            v @ 1..=7 => Some(Iset(v as u8)),
            19 => Some(Iset(5)), // elbrus-8c2 family mark used by some toolchains
            20 => Some(Iset(4)), // 1C+
            21..=23 => Some(Iset(6)), // 12C, 16C, 2C3
            24..=26 => Some(Iset(7)), // 48C, 8V7, maket
            _ => None,
        }
    }
}

impl fmt::Display for Iset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl FromStr for Iset {
    type Err = String;
    /// Accepts `v5`, `5`, `elbrus-v5`, and CPU names such as `e8c2` or `elbrus-16c`.
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.strip_prefix("elbrus-").unwrap_or(&t);
        let v = match t {
            "e2c+" | "2c+" | "e2cm" | "2cm" => 2,
            "e2s" | "4c" => 3,
            "e8c" | "8c" | "1c+" | "e1cp" => 4,
            "e8c2" | "8c2" => 5,
            "e12c" | "12c" | "e16c" | "16c" | "e2c3" | "2c3" => 6,
            "e48c" | "48c" | "e8v7" | "8v7" => 7,
            _ => {
                let n = t.strip_prefix('v').unwrap_or(t);
                n.parse::<u8>()
                    .map_err(|_| format!("unknown ISA version `{s}` (use v1..v7)"))?
            }
        };
        Iset::new(v).ok_or_else(|| format!("ISA version `{s}` is out of range (v1..v7)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_names() {
        assert_eq!("v5".parse::<Iset>().unwrap().number(), 5);
        assert_eq!("elbrus-v3".parse::<Iset>().unwrap().number(), 3);
        assert_eq!("e16c".parse::<Iset>().unwrap().number(), 6);
        assert!("v8".parse::<Iset>().is_err());
        assert!("x".parse::<Iset>().is_err());
        assert_eq!(Iset::from_e_flags(0x0500_0000).unwrap().number(), 5);
        assert_eq!(Iset::from_e_flags(0x1600_0010).unwrap().number(), 6);
        assert!(Iset::from_e_flags(0x7f00_0000).is_none());
    }
}
