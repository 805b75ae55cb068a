//! `e2k-emu -g`: a small gdb remote-protocol client (packets with checksums and
//! acknowledgements) debugs tests/programs/gdb_target.s and fault_segv.s, on the
//! interpreter alone and with the JIT translating every block at once. Each socket
//! read has a time-out, and the emulator is killed if a test fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);
const ENGINES: [&[&str]; 2] = [&["-no-jit"], &["-jit-threshold", "1"]];

// Register numbers (MCST's numbering, as in docs/e2k-emu.md).
const PSP_LO: usize = 49;
const PSP_HI: usize = 50;
const CR0_HI: usize = 53;
const CR1_LO: usize = 54;
const IP: usize = 337;
const R0: usize = 670;
const PRED0: usize = 862;

fn build(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    // Tests run in parallel and remove their program at the end: one file each.
    static BUILT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!("e2k-emu-gdb-{}-{k}-{name}", std::process::id()));
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg(dir.join("lib/prelude.s"))
        .arg(dir.join(format!("{name}.s")))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("e2k-as runs");
    assert!(st.success(), "{name}.s does not assemble");
    out
}

/// The address of `sym` in the executable's symbol table.
fn symbol(exe: &Path, sym: &str) -> u64 {
    let bytes = std::fs::read(exe).unwrap();
    let elf = goblin::elf::Elf::parse(&bytes).unwrap();
    elf.syms
        .iter()
        .find(|s| elf.strtab.get_at(s.st_name) == Some(sym))
        .unwrap_or_else(|| panic!("no symbol {sym}"))
        .st_value
}

fn entry(exe: &Path) -> u64 {
    let bytes = std::fs::read(exe).unwrap();
    goblin::elf::Elf::parse(&bytes).unwrap().entry
}

/// The emulator under test; killed when dropped.
struct Emu {
    child: Child,
    stdout: Option<std::process::ChildStdout>,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emu {
    /// Starts `e2k-emu ENGINE -g 0 EXE` and connects once it announces its port.
    fn start(engine: &[&str], exe: &Path) -> (Emu, Client) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
            .args(engine)
            .args(["-g", "0"])
            .arg(exe)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("e2k-emu starts");
        let stderr = child.stderr.take().unwrap();
        let stdout = child.stdout.take();
        let emu = Emu { child, stdout };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .recv_timeout(TIMEOUT)
            .expect("e2k-emu announces its port");
        let port: u16 = line
            .strip_prefix("e2k-emu: waiting for gdb on 127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .parse()
            .unwrap();
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        (emu, Client { s })
    }

    /// Waits for the emulator to end: its standard output and exit status.
    fn finish(mut self) -> (String, Option<i32>) {
        let mut out = String::new();
        let mut so = self.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = so.read_to_string(&mut s);
            let _ = tx.send(s);
        });
        out.push_str(&rx.recv_timeout(TIMEOUT).expect("the program ends"));
        let code = self.child.wait().unwrap().code();
        (out, code)
    }
}

struct Client {
    s: TcpStream,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

impl Client {
    fn byte(&mut self) -> u8 {
        let mut b = [0u8];
        self.s
            .read_exact(&mut b)
            .expect("a byte from the stub in time");
        b[0]
    }

    /// Sends one packet and returns the reply's payload (acknowledging it).
    fn ask(&mut self, payload: &str) -> String {
        let sum = payload.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        write!(self.s, "${payload}#{sum:02x}").unwrap();
        assert_eq!(self.byte(), b'+', "{payload}: not acknowledged");
        self.reply(payload)
    }

    fn reply(&mut self, what: &str) -> String {
        while self.byte() != b'$' {}
        let mut body = vec![];
        loop {
            match self.byte() {
                b'#' => break,
                b => body.push(b),
            }
        }
        let sum = [self.byte(), self.byte()];
        let sum = u8::from_str_radix(std::str::from_utf8(&sum).unwrap(), 16).unwrap();
        assert_eq!(
            body.iter().fold(0u8, |a, b| a.wrapping_add(*b)),
            sum,
            "{what}: reply checksum"
        );
        self.s.write_all(b"+").unwrap();
        // Run-length encoding: `X*n` repeats X another n - 29 times.
        let mut out: Vec<u8> = vec![];
        let mut it = body.into_iter();
        while let Some(b) = it.next() {
            if b == b'*' {
                let last = *out.last().expect("a run repeats something");
                let n = it.next().expect("a run length") - 29;
                out.extend(std::iter::repeat_n(last, n as usize));
            } else {
                out.push(b);
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn reg(&mut self, n: usize) -> u64 {
        let r = self.ask(&format!("p{n:x}"));
        assert_eq!(r.len(), 16, "register {n}: {r}");
        u64::from_le_bytes(unhex(&r).try_into().unwrap())
    }

    fn set_reg(&mut self, n: usize, v: u64) {
        assert_eq!(self.ask(&format!("P{n:x}={}", hex(&v.to_le_bytes()))), "OK");
    }

    fn mem(&mut self, addr: u64, len: usize) -> Vec<u8> {
        unhex(&self.ask(&format!("m{addr:x},{len:x}")))
    }

    /// Resumes with `packet` and returns the stop signal of a stop reply.
    fn stop(&mut self, packet: &str) -> u8 {
        let r = self.ask(packet);
        assert!(r.starts_with('S') || r.starts_with('T'), "{packet}: {r}");
        u8::from_str_radix(&r[1..3], 16).unwrap()
    }
}

fn session(engine: &[&str]) {
    let exe = build("gdb_target");
    let (emu, mut c) = Emu::start(engine, &exe);
    let sup = c.ask("qSupported:swbreak+;xmlRegisters=e2k");
    assert!(sup.contains("qXfer:features:read+"), "{sup}");
    assert!(sup.contains("swbreak+"), "{sup}");

    let mut xml = String::new();
    loop {
        let r = c.ask(&format!(
            "qXfer:features:read:target.xml:{:x},400",
            xml.len()
        ));
        xml.push_str(&r[1..]);
        if r.starts_with('l') {
            break;
        }
        assert!(r.starts_with('m'), "{r}");
    }
    assert!(
        xml.contains(r#"<reg name="_ip" bitsize="64" type="code_ptr" regnum="337"/>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<reg name="r0" bitsize="64" type="uint64" regnum="670"/>"#));
    assert!(xml.contains(r#"<reg name="_gtag0" bitsize="8" type="uint8" regnum="356"/>"#));

    // Before the first instruction, at the entry point.
    assert_eq!(c.stop("?"), 5);
    let start = entry(&exe);
    assert_eq!(c.reg(IP), start);
    assert_eq!(
        c.reg(CR0_HI),
        start,
        "%cr0.hi holds the ip as MCST's gdb reads it"
    );
    let g = c.ask("g");
    // 586 registers up to mlt_15 (32 of 8 bits, 32 of 16, 16 of 8), then 2 more.
    assert_eq!(g.len(), 2 * ((586 - 32 - 32 - 16 + 2) * 8 + 32 + 64 + 16));
    assert_eq!(&g[2 * 8 * IP..2 * 8 * IP + 16], hex(&start.to_le_bytes()));

    // The window, then %r0, %r1 and %pred3 set, then %r2 = %r0 + %r1.
    assert_eq!(c.stop("s"), 5);
    assert_eq!(c.stop("s"), 5);
    assert_eq!(c.reg(R0), 0x1111);
    assert_eq!(c.reg(R0 + 1), 0x2222);
    assert_eq!(c.reg(PRED0 + 3) & 1, 1);
    assert_eq!(c.stop("s"), 5);
    assert_eq!(c.reg(R0 + 2), 0x3333);
    assert_ne!(c.reg(IP), start);

    // A breakpoint inside the loop stops every iteration (the first one runs from
    // there already).
    let lp = symbol(&exe, "loop");
    assert_eq!(c.reg(IP), lp);
    assert_eq!(c.ask(&format!("Z0,{lp:x},8")), "OK");
    for k in 1..4 {
        assert_eq!(c.stop("c"), 5);
        assert_eq!(c.reg(IP), lp);
        assert_eq!(c.reg(R0 + 4), k, "loop count at iteration {k}");
    }
    assert_eq!(c.ask(&format!("z0,{lp:x},8")), "OK");
    let after = symbol(&exe, "after_loop");
    assert_eq!(c.ask(&format!("Z0,{after:x},8")), "OK");
    assert_eq!(c.stop("c"), 5);
    assert_eq!(c.reg(IP), after);
    assert_eq!(c.reg(R0 + 4), 5);

    // Memory: read the message, change it; change the count it exits with.
    let msg = symbol(&exe, "message");
    assert_eq!(c.mem(msg, 6), b"hello\n");
    assert_eq!(c.ask(&format!("M{msg:x},5:{}", hex(b"JELLO"))), "OK");
    assert_eq!(c.mem(msg, 6), b"JELLO\n");
    c.set_reg(R0 + 4, 3);
    assert_eq!(c.reg(R0 + 4), 3);

    // In the callee: its %r0 is the caller's %r24, also where MCST's gdb looks for
    // it, on the procedure stack below %psp.hi.ind by %cr1.lo.wbs quad registers.
    let leaf = symbol(&exe, "leaf");
    assert_eq!(c.ask(&format!("Z0,{leaf:x},8")), "OK");
    assert_eq!(c.stop("c"), 5);
    assert_eq!(c.reg(IP), leaf);
    assert_eq!(c.stop("s"), 5);
    assert_eq!(c.reg(R0), 0x77);
    let wbs = c.reg(CR1_LO) >> 33 & 0x7f;
    let at = c.reg(PSP_LO) + (c.reg(PSP_HI) & 0xffff_ffff) - 32 * wbs;
    assert_eq!(c.mem(at, 8), 0x77u64.to_le_bytes());
    assert_eq!(
        c.ask(&format!("M{at:x},8:{}", hex(&0x99u64.to_le_bytes()))),
        "OK"
    );
    assert_eq!(c.reg(R0), 0x99);
    assert_eq!(c.stop("s"), 5);
    assert_eq!(c.reg(R0), 0x9a);

    let r = c.ask("c");
    assert_eq!(r, "W03", "exit status 3 from the changed count");
    let (out, code) = emu.finish();
    assert_eq!(out, "JELLO\n3\n");
    assert_eq!(code, Some(3));
    let _ = std::fs::remove_file(&exe);
}

#[test]
fn debugs_a_program_interpreted() {
    session(ENGINES[0]);
}

#[test]
fn debugs_a_program_compiled() {
    session(ENGINES[1]);
}

#[test]
fn reports_signals_and_delivers_them() {
    let exe = build("fault_segv");
    for engine in ENGINES {
        let (emu, mut c) = Emu::start(engine, &exe);
        // SIGSEGV stops the program at the load, which does not take effect.
        assert_eq!(c.stop("c"), 11);
        // The load follows `start`'s setwd.
        let at = c.reg(IP);
        assert!(at > entry(&exe) && at < entry(&exe) + 64, "{at:#x}");
        // Continuing without the signal runs the load again.
        assert_eq!(c.stop("c"), 11);
        assert_eq!(c.reg(IP), at);
        // With it, the signal acts: no handler, so the program dies.
        assert_eq!(c.ask("vCont;C0b"), "X0b");
        let (_, code) = emu.finish();
        assert_eq!(code, Some(139), "{engine:?}");
    }
    let _ = std::fs::remove_file(&exe);
}

#[test]
fn detach_runs_on_and_kill_ends() {
    let exe = build("gdb_target");
    for engine in ENGINES {
        let (emu, mut c) = Emu::start(engine, &exe);
        let lp = symbol(&exe, "loop");
        assert_eq!(c.ask(&format!("Z0,{lp:x},8")), "OK");
        assert_eq!(c.stop("c"), 5);
        // Breakpoints go with the debugger.
        assert_eq!(c.ask("D"), "OK");
        assert_eq!(emu.finish(), ("hello\n5\n".to_string(), Some(5)));

        let (emu, mut c) = Emu::start(engine, &exe);
        assert_eq!(c.stop("s"), 5);
        write!(c.s, "$k#6b").unwrap();
        let (out, code) = emu.finish();
        assert_eq!((out.as_str(), code), ("", Some(137)), "{engine:?}");
    }
    let _ = std::fs::remove_file(&exe);
}

#[test]
fn ctrl_c_stops_a_running_program() {
    let src = std::env::temp_dir().join(format!("e2k-emu-gdb-{}-spin.s", std::process::id()));
    std::fs::write(
        &src,
        "    .text\n    .global _start\n_start:\n    {\n        disp %ctpr1, _start\n    }\n    {\n        ct %ctpr1\n    }\n",
    )
    .unwrap();
    let exe = src.with_extension("elf");
    let st = Command::new(env!("CARGO_BIN_EXE_e2k-as"))
        .arg("--link")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let (emu, mut c) = Emu::start(&["-no-jit"], &exe);
    write!(c.s, "$c#63").unwrap();
    assert_eq!(c.byte(), b'+');
    std::thread::sleep(Duration::from_millis(200));
    c.s.write_all(&[3]).unwrap();
    let r = c.reply("interrupt");
    assert!(r.starts_with("T02") || r.starts_with("S02"), "{r}");
    let ip = c.reg(IP);
    assert!((entry(&exe)..entry(&exe) + 64).contains(&ip), "{ip:#x}");
    write!(c.s, "$k#6b").unwrap();
    assert_eq!(emu.finish().1, Some(137));
    let _ = std::fs::remove_file(&src);
    let _ = std::fs::remove_file(&exe);
}

#[test]
fn bad_port_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
        .args(["-g", "port", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("-g port: expected a TCP port number"), "{err}");
}
