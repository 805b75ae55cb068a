//! The emulator's log (qemu's `-D`): `-d` items and `-strace` lines, on standard error
//! unless a log file is set. One process-wide sink, so that system-call lines written
//! from the kernel side and instruction logs written by the run loop keep their order.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;

static FILE: Mutex<Option<BufWriter<File>>> = Mutex::new(None);

/// Sends the log to `f` from now on.
pub fn to_file(f: File) {
    let mut g = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(old) = g.as_mut() {
        let _ = old.flush();
    }
    *g = Some(BufWriter::new(f));
}

/// Writes what is buffered; before fork and exec, so that nothing is written twice or lost.
pub fn flush() {
    let mut g = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = g.as_mut() {
        let _ = f.flush();
    }
}

/// Appends to the log in one write, so that lines from forked processes do not mix
/// (best effort: a log that cannot be written must not stop the guest).
pub fn write(args: std::fmt::Arguments) {
    let _ = Log.write_all(args.to_string().as_bytes());
}

/// A handle on the log, for code that wants an `io::Write`.
pub struct Log;

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut g = FILE.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_mut() {
            Some(f) => f.write(buf),
            None => io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut g = FILE.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_mut() {
            Some(f) => f.flush(),
            None => io::stderr().flush(),
        }
    }
}

/// Log lines start with the calling thread's id (the process id in the main
/// thread), so that the lines of several threads can be told apart.
pub fn tid() -> i32 {
    nix::unistd::gettid().as_raw()
}
