//! The guest's mappings as `/proc/self/maps` lists them: which guest ranges come from
//! which file (the program, its interpreter, files the guest maps), and the text
//! Linux prints, with guest addresses and the guest's permissions.

use crate::guest::memory::{perm, GuestMemory, PAGE};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

/// The file behind a mapping, as `/proc/self/maps` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub dev: u64,
    pub ino: u64,
}

impl File {
    /// The file at `path` on the host (its device and inode), or a bare name.
    pub fn at(path: &str) -> File {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok();
        File {
            path: path.to_string(),
            dev: m.as_ref().map_or(0, |m| m.dev()),
            ino: m.as_ref().map_or(0, |m| m.ino()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    end: u64,
    file: Arc<File>,
    /// File offset of the piece's first byte.
    offset: u64,
}

/// File-backed guest ranges, by start address; ranges never overlap.
#[derive(Debug, Default, Clone)]
pub struct FileMaps {
    pieces: BTreeMap<u64, Piece>,
}

impl FileMaps {
    /// Records that `[start, start + len)` maps `file` from `offset`.
    pub fn insert(&mut self, start: u64, len: u64, file: Arc<File>, offset: u64) {
        self.remove(start, len);
        self.pieces.insert(
            start,
            Piece {
                end: start + len,
                file,
                offset,
            },
        );
    }

    /// Forgets whatever file mapped `[start, start + len)`, cutting pieces at its ends.
    pub fn remove(&mut self, start: u64, len: u64) {
        let end = start.saturating_add(len);
        let hit: Vec<(u64, Piece)> = self
            .pieces
            .range(..end)
            .rev()
            .take_while(|(_, p)| p.end > start)
            .map(|(s, p)| (*s, p.clone()))
            .collect();
        for (s, p) in hit {
            self.pieces.remove(&s);
            if s < start {
                self.pieces.insert(
                    s,
                    Piece {
                        end: start,
                        ..p.clone()
                    },
                );
            }
            if p.end > end {
                let offset = p.offset + (end - s);
                self.pieces.insert(
                    end,
                    Piece {
                        end: p.end,
                        file: p.file,
                        offset,
                    },
                );
            }
        }
    }

    /// The file and file offset behind `addr`, if a file maps it.
    fn at(&self, addr: u64) -> Option<(&Arc<File>, u64)> {
        let (s, p) = self.pieces.range(..=addr).next_back()?;
        (addr < p.end).then(|| (&p.file, p.offset + (addr - s)))
    }
}

/// Names of the ranges that no file backs ("[stack]", "[heap]", ...).
pub type Labels<'a> = [(u64, u64, &'a str)];

/// The text of `/proc/self/maps`: one line per run of pages with the same guest
/// permissions and the same backing, in Linux's format.
pub fn render(mem: &GuestMemory, files: &FileMaps, labels: &Labels) -> String {
    let label_at = |a: u64| {
        labels
            .iter()
            .find(|(s, e, _)| a >= *s && a < *e)
            .map(|l| l.2)
    };
    // What a page shows: permissions, then the file (and its offset) or a label.
    let key = |a: u64| {
        let p = mem.page_perm(a);
        if p & perm::MAPPED == 0 {
            return None;
        }
        let rwx = p & (perm::READ | perm::WRITE | perm::EXEC);
        Some((rwx, files.at(a), label_at(a)))
    };
    let mut out = String::new();
    let mut a = 0;
    let top = mem.size();
    while a < top {
        let Some((rwx, file, label)) = key(a) else {
            a += PAGE;
            continue;
        };
        let start = a;
        a += PAGE;
        while a < top {
            match key(a) {
                Some((r, f, l))
                    if r == rwx
                        && l == label
                        && match (&f, &file) {
                            (Some((f1, o1)), Some((f0, o0))) => {
                                f1 == f0 && *o1 == *o0 + (a - start)
                            }
                            (None, None) => true,
                            _ => false,
                        } =>
                {
                    a += PAGE
                }
                _ => break,
            }
        }
        let flag = |bit, c| if rwx & bit != 0 { c } else { '-' };
        let (offset, dev, ino, name) = match (file, label) {
            (Some((f, o)), _) => (o, f.dev, f.ino, f.path.as_str()),
            (None, Some(l)) => (0, 0, 0, l),
            (None, None) => (0, 0, 0, ""),
        };
        let mut line = format!(
            "{start:08x}-{a:08x} {}{}{}p {offset:08x} {:02x}:{:02x} {ino}",
            flag(perm::READ, 'r'),
            flag(perm::WRITE, 'w'),
            flag(perm::EXEC, 'x'),
            major(dev),
            minor(dev),
        );
        if !name.is_empty() {
            // Linux pads the name to column 73 on 64-bit machines.
            while line.len() < 73 {
                line.push(' ');
            }
            line.push_str(name);
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

fn major(dev: u64) -> u64 {
    ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)
}

fn minor(dev: u64) -> u64 {
    ((dev >> 12) & 0xffff_ff00) | (dev & 0xff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(n: &str) -> Arc<File> {
        Arc::new(File {
            path: n.into(),
            dev: 0x801,
            ino: 42,
        })
    }

    #[test]
    fn removing_cuts_pieces() {
        let mut m = FileMaps::default();
        m.insert(0x1000, 0x4000, file("/a"), 0);
        m.remove(0x2000, 0x1000);
        assert_eq!(m.at(0x1000).map(|x| x.1), Some(0));
        assert!(m.at(0x2000).is_none());
        assert_eq!(m.at(0x3000).map(|x| x.1), Some(0x2000));
        assert!(m.at(0x5000).is_none());
    }

    #[test]
    fn renders_runs_of_pages() {
        let mem = GuestMemory::new(0x100_0000).unwrap();
        mem.map(0x10000, 0x2000, perm::READ | perm::EXEC).unwrap();
        mem.map(0x12000, 0x1000, perm::READ | perm::WRITE).unwrap();
        mem.map(0x20000, 0x3000, perm::READ | perm::WRITE).unwrap();
        let mut files = FileMaps::default();
        let f = file("/bin/prog");
        files.insert(0x10000, 0x2000, f.clone(), 0);
        files.insert(0x12000, 0x1000, f, 0x2000);
        let text = render(&mem, &files, &[(0x20000, 0x23000, "[heap]")]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("00010000-00012000 r-xp 00000000 08:01 42 "));
        assert!(lines[0].ends_with(" /bin/prog"));
        assert_eq!(lines[0].find('/'), Some(73));
        assert!(lines[1].starts_with("00012000-00013000 rw-p 00002000 08:01 42 "));
        assert!(lines[2].starts_with("00020000-00023000 rw-p 00000000 00:00 0 "));
        assert!(lines[2].ends_with("[heap]"));
    }
}
