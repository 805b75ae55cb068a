//! A gdb remote stub (`e2k-emu -g PORT`), on the `gdbstub` crate: it owns the TCP
//! connection and drives `Machine::step`, stopping at software breakpoints, after
//! single steps and at signals, as qemu-user's `-g` does. See docs/e2k-emu.md,
//! "Debugging with gdb".
//!
//! The machine is reached only through `machine.cpu`, `machine.mem`, `machine.jit`
//! (for breakpoint addresses), `trap_signals`/`trapped`/`interpret_only` and
//! `Machine::{step, run, code_changed, deliver_trapped}`.

pub mod regs;

use crate::guest::cpu::Cpu;
use crate::guest::memory::{perm, GuestMemory, PAGE};
use crate::guest::window::{Reg, SPILL_BYTES};
use crate::linux::machine::{Machine, Outcome, Trapped};
use crate::linux::signal;
use gdbstub::arch::{Arch, RegId, Registers};
use gdbstub::common::Signal;
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::{DisconnectReason, GdbStub, SingleThreadStopReason};
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep,
    SingleThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, SwBreakpoint, SwBreakpointOps,
};
use gdbstub::target::ext::target_description_xml_override::{
    TargetDescriptionXmlOverride, TargetDescriptionXmlOverrideOps,
};
use gdbstub::target::{Target, TargetError, TargetResult};
use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroUsize;

/// The E2K as the stub describes it to gdbstub.
pub enum E2k {}

/// A register by its number in MCST's numbering (`regs`).
#[derive(Debug, Clone, Copy)]
pub struct RegNum(pub usize);

impl RegId for RegNum {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        // Every number MCST's gdb may ask for is known, so that `p` stays usable.
        NonZeroUsize::new(regs::size(id)).map(|s| (RegNum(id), Some(s)))
    }
}

/// The `g` packet: the registers of `regs::g_packet`, `None` where unavailable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GRegs {
    pub vals: Vec<Option<u64>>,
}

impl Registers for GRegs {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        regs::g_packet()
            .position(|n| n == regs::IP)
            .and_then(|k| self.vals.get(k).copied().flatten())
            .unwrap_or(0)
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for (k, n) in regs::g_packet().enumerate() {
            let v = self.vals.get(k).copied().flatten();
            for b in 0..regs::size(n) {
                write_byte(v.map(|v| (v >> (8 * b)) as u8));
            }
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let mut at = 0;
        self.vals.clear();
        for n in regs::g_packet() {
            let s = regs::size(n);
            let b = bytes.get(at..at + s).ok_or(())?;
            at += s;
            self.vals
                .push(Some(b.iter().rev().fold(0u64, |v, &x| v << 8 | x as u64)));
        }
        Ok(())
    }
}

impl Arch for E2k {
    type Usize = u64;
    type Registers = GRegs;
    // MCST's gdb names the breakpoint size as its kind; any is accepted.
    type BreakpointKind = usize;
    type RegId = RegNum;
}

/// How a debugging session ended.
enum Ended {
    /// The process ended while gdb watched (or gdb killed it).
    Process(Outcome),
    /// gdb detached or went away: the process runs on freely.
    Detached,
}

/// What gdb asked the machine to do next.
#[derive(Clone, Copy)]
enum Resume {
    Continue,
    Step,
}

struct Stub<'m> {
    m: &'m mut Machine,
    breakpoints: BTreeSet<u64>,
    resume: Resume,
    /// The signal gdb continues with (taken when the machine starts moving).
    signal: Option<Signal>,
    /// The machine executed something since the last resume: a breakpoint at
    /// `cpu.ip` stops it again only then.
    moved: bool,
    outcome: Option<Outcome>,
}

/// Runs the machine under gdb: waits on 127.0.0.1:`port` (0: any free port) for
/// one connection, announcing the port on standard error, before the first
/// instruction; after a detach the program runs on to its end. Errors are setting
/// up the socket.
pub fn serve(m: &mut Machine, port: u16) -> Result<Outcome, String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("-g {port}: cannot listen: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    eprintln!("e2k-emu: waiting for gdb on 127.0.0.1:{port}");
    let (conn, _) = listener
        .accept()
        .map_err(|e| format!("-g {port}: cannot accept a connection: {e}"))?;
    drop(listener);
    Ok(match session(m, conn) {
        Ended::Process(o) => o,
        Ended::Detached => m.run(),
    })
}

/// One gdb session on an accepted connection.
fn session(m: &mut Machine, conn: TcpStream) -> Ended {
    m.trap_signals = true;
    let mut stub = Stub {
        m,
        breakpoints: BTreeSet::new(),
        resume: Resume::Continue,
        signal: None,
        moved: false,
        outcome: None,
    };
    let r = GdbStub::new(conn).run_blocking::<Loop<'_>>(&mut stub);
    let outcome = stub.outcome.take();
    let m = stub.m;
    m.trap_signals = false;
    if let Some(j) = m.jit.as_mut() {
        j.set_stops(BTreeSet::new());
    }
    match r {
        Ok(DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_)) => {
            Ended::Process(outcome.unwrap_or(Outcome::Exited(0)))
        }
        Ok(DisconnectReason::Kill) => Ended::Process(Outcome::Killed {
            signal: nix::libc::SIGKILL,
            report: "killed from gdb".into(),
        }),
        Ok(DisconnectReason::Disconnect) | Err(_) => {
            if let Err(e) = r {
                eprintln!("e2k-emu: gdb connection lost ({e}); the program runs on");
            }
            if let Some(o) = outcome {
                return Ended::Process(o);
            }
            // A signal the stop held acts as it would have.
            if let Some(t) = m.trapped.take() {
                if let Some(o) = m.deliver_trapped(t) {
                    return Ended::Process(o);
                }
            }
            Ended::Detached
        }
    }
}

/// Linux signal numbers to gdb's and back (they differ past SIGFPE).
const SIGNALS: &[(i32, Signal)] = {
    use nix::libc as l;
    &[
        (l::SIGHUP, Signal::SIGHUP),
        (l::SIGINT, Signal::SIGINT),
        (l::SIGQUIT, Signal::SIGQUIT),
        (l::SIGILL, Signal::SIGILL),
        (l::SIGTRAP, Signal::SIGTRAP),
        (l::SIGABRT, Signal::SIGABRT),
        (l::SIGBUS, Signal::SIGBUS),
        (l::SIGFPE, Signal::SIGFPE),
        (l::SIGKILL, Signal::SIGKILL),
        (l::SIGUSR1, Signal::SIGUSR1),
        (l::SIGSEGV, Signal::SIGSEGV),
        (l::SIGUSR2, Signal::SIGUSR2),
        (l::SIGPIPE, Signal::SIGPIPE),
        (l::SIGALRM, Signal::SIGALRM),
        (l::SIGTERM, Signal::SIGTERM),
        (l::SIGCHLD, Signal::SIGCHLD),
        (l::SIGCONT, Signal::SIGCONT),
        (l::SIGSTOP, Signal::SIGSTOP),
        (l::SIGTSTP, Signal::SIGTSTP),
        (l::SIGTTIN, Signal::SIGTTIN),
        (l::SIGTTOU, Signal::SIGTTOU),
        (l::SIGURG, Signal::SIGURG),
        (l::SIGXCPU, Signal::SIGXCPU),
        (l::SIGXFSZ, Signal::SIGXFSZ),
        (l::SIGVTALRM, Signal::SIGVTALRM),
        (l::SIGPROF, Signal::SIGPROF),
        (l::SIGWINCH, Signal::SIGWINCH),
        (l::SIGIO, Signal::SIGIO),
        (l::SIGPWR, Signal::SIGPWR),
        (l::SIGSYS, Signal::SIGSYS),
    ]
};

/// gdb's number for a Linux signal (real-time ones: gdb's SIG33.. run).
pub fn to_gdb(sig: i32) -> Signal {
    if let Some((_, g)) = SIGNALS.iter().find(|(l, _)| *l == sig) {
        return *g;
    }
    match sig {
        33..=63 => Signal(Signal::SIG33.0 + (sig - 33) as u8),
        _ => Signal::UNKNOWN,
    }
}

/// The Linux signal for gdb's number.
pub fn from_gdb(sig: Signal) -> Option<u32> {
    if let Some((l, _)) = SIGNALS.iter().find(|(_, g)| *g == sig) {
        return Some(*l as u32);
    }
    let k = sig.0.checked_sub(Signal::SIG33.0)?;
    (k <= 30).then_some(33 + k as u32)
}

/// The procedure stack as the kernel shows a stopped process: every register up
/// to the end of the current window in its place, resident or spilled. The
/// emulator keeps spills in the v5+ layout (low and high halves of each register
/// together); for earlier versions pairs read as the hardware stores them (the two
/// low halves, then the two extensions).
struct ProcStack {
    base: u64,
    end: u64,
    v5: bool,
}

impl ProcStack {
    fn of(cpu: &Cpu) -> ProcStack {
        ProcStack {
            base: cpu.ps.base,
            end: cpu.ps.base + (cpu.wd.base + cpu.wd.size as u64) * SPILL_BYTES,
            v5: cpu.iset.number() >= 5,
        }
    }

    fn holds(&self, a: u64) -> bool {
        (self.base..self.end).contains(&a)
    }

    /// Register position, whether the high half, and the byte in it for `a`.
    fn place(&self, a: u64) -> (u64, bool, u32) {
        let off = a - self.base;
        let byte = (off % 8) as u32;
        if self.v5 {
            (off / 16, off % 16 >= 8, byte)
        } else {
            let word = off % 32 / 8;
            (off / 32 * 2 + (word & 1), word >= 2, byte)
        }
    }

    fn read(&self, cpu: &Cpu, mem: &GuestMemory, a: u64) -> Option<u8> {
        let (pos, hi, byte) = self.place(a);
        let r = cpu.regs.read_any(pos, mem, &cpu.ps).ok()?;
        Some(((if hi { r.hi } else { r.lo }) >> (8 * byte)) as u8)
    }

    fn write(&self, cpu: &mut Cpu, mem: &GuestMemory, a: u64, v: u8) -> bool {
        let (pos, hi, byte) = self.place(a);
        let ps = cpu.ps;
        let Ok(mut r) = cpu.regs.read_any(pos, mem, &ps) else {
            return false;
        };
        let w = if hi { &mut r.hi } else { &mut r.lo };
        *w = *w & !(0xff << (8 * byte)) | (v as u64) << (8 * byte);
        let r = Reg { tag: 0, ..r };
        cpu.regs.write_any(pos, r, mem, &ps).is_ok()
    }
}

impl Stub<'_> {
    /// Tells compiled code where the breakpoints are.
    fn sync_stops(&mut self) {
        if let Some(j) = self.m.jit.as_mut() {
            j.set_stops(self.breakpoints.clone());
        }
    }

    /// Acts on the signal the machine stopped for as gdb decided: gdb's `signal`
    /// delivers it (or another one), none discards it (a fault then recurs when
    /// its instruction runs again). `Some` when that ends the process.
    fn settle_signal(&mut self) -> Option<Outcome> {
        let given = self.signal.take().and_then(from_gdb);
        let trapped = self.m.trapped.take();
        match (trapped, given) {
            (Some(t), Some(s)) if t.signo() == s => self.m.deliver_trapped(t),
            (_, Some(s)) => self
                .m
                .deliver_trapped(Trapped::Signal(signal::Info::sent(s, signal::SI_USER))),
            (_, None) => None,
        }
    }

    /// One wide instruction (or run of compiled code up to a breakpoint).
    fn step_machine(&mut self, interpret: bool) -> Option<Outcome> {
        self.moved = true;
        if !interpret {
            return self.m.step();
        }
        // Single steps run on the interpreter: compiled code runs whole blocks.
        self.m.interpret_only = true;
        let out = self.m.step();
        self.m.interpret_only = false;
        out
    }

    fn stopped(&mut self, o: Outcome) -> SingleThreadStopReason<u64> {
        let r = match &o {
            Outcome::Exited(c) => SingleThreadStopReason::Exited(*c as u8),
            Outcome::Killed { signal, .. } => SingleThreadStopReason::Terminated(to_gdb(*signal)),
        };
        self.outcome = Some(o);
        r
    }
}

impl Target for Stub<'_> {
    type Arch = E2k;
    // Nothing here is fatal to the session; gdbstub wants a type it can print.
    type Error = String;

    fn base_ops(&mut self) -> BaseOps<'_, E2k, String> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    fn support_target_description_xml_override(
        &mut self,
    ) -> Option<TargetDescriptionXmlOverrideOps<'_, Self>> {
        Some(self)
    }

    // Breakpoints are the stub's, never written into guest code.
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
}

impl SingleThreadBase for Stub<'_> {
    fn read_registers(&mut self, r: &mut GRegs) -> TargetResult<(), Self> {
        let (cpu, mem) = (&self.m.cpu, &self.m.mem);
        r.vals = regs::g_packet().map(|n| regs::read(cpu, mem, n)).collect();
        Ok(())
    }

    fn write_registers(&mut self, r: &GRegs) -> TargetResult<(), Self> {
        // Only what changed: the rest of a `G` packet repeats what gdb read.
        for (n, v) in regs::g_packet().zip(&r.vals) {
            let Some(v) = *v else { continue };
            if regs::read(&self.m.cpu, &self.m.mem, n) != Some(v)
                && !regs::write(&mut self.m.cpu, &self.m.mem, n, v)
            {
                return Err(TargetError::NonFatal);
            }
        }
        Ok(())
    }

    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        let (cpu, mem) = (&self.m.cpu, &self.m.mem);
        let ps = ProcStack::of(cpu);
        let mut i = 0;
        while i < data.len() {
            let a = start.wrapping_add(i as u64);
            if ps.holds(a) {
                match ps.read(cpu, mem, a) {
                    Some(b) => data[i] = b,
                    None => break,
                }
                i += 1;
                continue;
            }
            // Up to the end of the page (or the procedure stack's view).
            let mut n = ((a / PAGE + 1) * PAGE - a).min((data.len() - i) as u64);
            if a < ps.base && a + n > ps.base {
                n = ps.base - a;
            }
            if mem.read_initial(a, &mut data[i..i + n as usize]).is_err() {
                break;
            }
            i += n as usize;
        }
        if i == 0 && !data.is_empty() {
            return Err(TargetError::NonFatal);
        }
        Ok(i)
    }

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        let ps = ProcStack::of(&self.m.cpu);
        let mut code = false;
        for (i, &b) in data.iter().enumerate() {
            let a = start.wrapping_add(i as u64);
            let ok = if ps.holds(a) {
                ps.write(&mut self.m.cpu, &self.m.mem, a, b)
            } else {
                code |= self.m.mem.page_perm(a) & perm::EXEC != 0;
                // As ptrace does: past the guest's own permissions.
                self.m.mem.write_initial(a, &[b]).is_ok()
            };
            if !ok {
                return Err(TargetError::NonFatal);
            }
        }
        if code {
            self.m.code_changed();
        }
        Ok(())
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl SingleRegisterAccess<()> for Stub<'_> {
    fn read_register(&mut self, _: (), r: RegNum, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let Some(v) = regs::read(&self.m.cpu, &self.m.mem, r.0) else {
            return Ok(0);
        };
        let n = buf.len().min(8);
        buf[..n].copy_from_slice(&v.to_le_bytes()[..n]);
        buf[n..].fill(0);
        Ok(buf.len())
    }

    fn write_register(&mut self, _: (), r: RegNum, val: &[u8]) -> TargetResult<(), Self> {
        let v = val
            .iter()
            .take(8)
            .rev()
            .fold(0u64, |v, &x| v << 8 | x as u64);
        if regs::write(&mut self.m.cpu, &self.m.mem, r.0, v) {
            Ok(())
        } else {
            Err(TargetError::NonFatal)
        }
    }
}

impl SingleThreadResume for Stub<'_> {
    fn resume(&mut self, signal: Option<Signal>) -> Result<(), String> {
        self.resume = Resume::Continue;
        self.signal = signal;
        self.moved = false;
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for Stub<'_> {
    fn step(&mut self, signal: Option<Signal>) -> Result<(), String> {
        self.resume = Resume::Step;
        self.signal = signal;
        self.moved = false;
        Ok(())
    }
}

impl Breakpoints for Stub<'_> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for Stub<'_> {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        self.breakpoints.insert(addr);
        self.sync_stops();
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        let had = self.breakpoints.remove(&addr);
        self.sync_stops();
        Ok(had)
    }
}

impl TargetDescriptionXmlOverride for Stub<'_> {
    fn target_description_xml(
        &self,
        annex: &[u8],
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        if annex != b"target.xml" {
            return Err(TargetError::NonFatal);
        }
        let xml = regs::target_xml(&self.m.cpu);
        let from = (offset as usize).min(xml.len());
        let n = length.min(buf.len()).min(xml.len() - from);
        buf[..n].copy_from_slice(&xml.as_bytes()[from..from + n]);
        Ok(n)
    }
}

/// Wide instructions between looks at the connection while running (for gdb's
/// interrupt).
const POLL_EVERY: u32 = 4096;

struct Loop<'m>(PhantomData<&'m mut Machine>);

impl<'m> BlockingEventLoop for Loop<'m> {
    type Target = Stub<'m>;
    type Connection = TcpStream;
    type StopReason = SingleThreadStopReason<u64>;

    fn wait_for_stop_reason(
        t: &mut Stub<'m>,
        conn: &mut TcpStream,
    ) -> Result<Event<Self::StopReason>, WaitForStopReasonError<String, std::io::Error>> {
        if !t.moved {
            if let Some(o) = t.settle_signal() {
                return Ok(Event::TargetStopped(t.stopped(o)));
            }
        }
        let step = matches!(t.resume, Resume::Step);
        let mut n = 0u32;
        loop {
            if t.moved && t.breakpoints.contains(&t.m.cpu.ip) {
                return Ok(Event::TargetStopped(SingleThreadStopReason::SwBreak(())));
            }
            if let Some(o) = t.step_machine(step) {
                return Ok(Event::TargetStopped(t.stopped(o)));
            }
            if let Some(tr) = &t.m.trapped {
                let s = to_gdb(tr.signo() as i32);
                return Ok(Event::TargetStopped(SingleThreadStopReason::Signal(s)));
            }
            if step {
                return Ok(Event::TargetStopped(SingleThreadStopReason::DoneStep));
            }
            n += 1;
            if n.is_multiple_of(POLL_EVERY) {
                let byte = conn.peek().map_err(WaitForStopReasonError::Connection)?;
                // peek leaves the socket non-blocking; gdbstub's writes expect it blocking.
                conn.set_nonblocking(false)
                    .map_err(WaitForStopReasonError::Connection)?;
                if byte.is_some() {
                    let b = conn.read().map_err(WaitForStopReasonError::Connection)?;
                    return Ok(Event::IncomingData(b));
                }
            }
        }
    }

    fn on_interrupt(_: &mut Stub<'m>) -> Result<Option<Self::StopReason>, String> {
        Ok(Some(SingleThreadStopReason::Signal(Signal::SIGINT)))
    }
}
