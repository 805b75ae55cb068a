//! A guest thread's machine: the loaded program's memory (shared with the other
//! threads of the process), its CPU, the run loop that feeds the JIT and the
//! interpreter and answers its system calls, new threads, and how the process ends.

use crate::engine::event::Event;
use crate::engine::interp::{self, Cache, Step};
use crate::engine::jit::{Jit, Ran};
use crate::guest::cpu::{Cpu, DataStack};
use crate::guest::memory::{GuestMemory, MemError, PAGE};
use crate::isa::disasm;
use crate::isa::version::Iset;
use crate::linux::context;
pub use crate::linux::exec::StartError;
use crate::linux::exec::{self, Layout, Program};
pub use crate::linux::kernel::Outcome;
use crate::linux::kernel::{Kernel, SeededRandom};
use crate::linux::loader::Ids;
use crate::linux::robust_list;
use crate::linux::signal;
use crate::linux::syscall::{self, Sys};
use crate::linux::thread::{self, NewThread};
use std::io::Write;
use std::sync::Arc;

/// Size of the emulated guest address space.
pub const GUEST_SPACE: u64 = 1 << 36;
/// Top of the initial data stack and its size.
pub const STACK_TOP: u64 = GUEST_SPACE - 0x1000_0000;
pub const STACK_SIZE: u64 = 8 << 20;
/// The main thread's hardware stacks sit below the data stack, each with a guard
/// gap; they start small and grow when they fill (`HwStack::fit`).
pub use crate::linux::thread::{PCS_INITIAL, PCS_SIZE, PS_INITIAL, PS_SIZE};

/// What `-d` asks to log.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogFlags {
    /// Each wide instruction's listing when first decoded.
    pub in_asm: bool,
    /// Each executed address.
    pub exec: bool,
    /// Registers after each wide instruction.
    pub cpu: bool,
    /// Host code of each JIT translation.
    pub out_asm: bool,
    /// Count the operations left to the interpreter while the JIT is on.
    pub jit: bool,
    /// System calls answered with -ENOSYS, operations the emulator lacks.
    pub unimp: bool,
    /// Every fault the guest takes, handled or not.
    pub guest_errors: bool,
    /// Translations do not go on into one another (each exit through the dispatcher).
    pub nochain: bool,
    /// Compiled code checks guest accesses against the page table (no host faults).
    pub nohostfault: bool,
}

/// How to start a program.
pub struct Options {
    pub args: Vec<String>,
    pub env: Vec<String>,
    /// Path the guest sees as its executable (`/proc/self/exe`, AT_EXECFN).
    pub exe_path: String,
    pub iset: Option<Iset>,
    pub strace: bool,
    pub log: LogFlags,
    /// `-L`: prefix for absolute paths the guest opens.
    pub sysroot: Option<std::path::PathBuf>,
    /// Translate hot code with the JIT (off: interpreter only).
    pub jit: bool,
    /// Runs of a block start before it is translated.
    pub jit_threshold: u32,
    /// Size of the data stack (`-s`), a multiple of the page size.
    pub stack_size: u64,
    /// Size of the guest address space (`-R`), a multiple of the page size.
    pub guest_space: u64,
    /// `-seed`: AT_RANDOM and getrandom from a reproducible stream.
    pub random_seed: Option<u64>,
    /// `-r`: the release uname reports.
    pub uname_release: Option<String>,
}

impl Options {
    /// Options for running `program` with the given arguments and nothing else set.
    pub fn new(program: &str, args: &[&str]) -> Options {
        let mut all = vec![program.to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        Options {
            args: all,
            env: vec![],
            exe_path: program.to_string(),
            iset: None,
            strace: false,
            log: LogFlags::default(),
            sysroot: None,
            jit: true,
            jit_threshold: DEFAULT_JIT_THRESHOLD,
            stack_size: STACK_SIZE,
            guest_space: GUEST_SPACE,
            random_seed: None,
            uname_release: None,
        }
    }
}

/// Runs of a block before it is compiled: translation costs about as much as a few
/// thousand interpreted wide instructions, so only code that repeats is worth it.
pub const DEFAULT_JIT_THRESHOLD: u32 = 50;

/// What a new thread's JIT is made with.
#[derive(Clone, Copy)]
struct JitConfig {
    threshold: u32,
    out_asm: bool,
    chain: bool,
    host_faults: bool,
}

impl JitConfig {
    fn build(self) -> Jit {
        let mut j = Jit::new(self.threshold);
        j.out_asm = self.out_asm;
        j.chain = self.chain;
        j.host_faults = self.host_faults;
        j
    }
}

pub struct Machine {
    pub cpu: Cpu,
    pub mem: Arc<GuestMemory>,
    pub kernel: Kernel,
    pub cache: Cache,
    pub log: LogFlags,
    pub log_out: crate::linux::log::Log,
    pub jit: Option<Jit>,
    jit_config: Option<JitConfig>,
    /// `GuestMemory::code_epoch` when this thread last dropped its decoded code.
    code_epoch: u64,
    /// With `-d jit`: executions of each operation (index into `isa::OPS`, or
    /// `OPS.len()` + index into `isa::CTLS`) that compiled code left to the interpreter.
    pub interpreted: Option<rustc_hash::FxHashMap<usize, u64>>,
    /// With a debugger attached (`-g`): a signal about to act on the process stops
    /// the machine instead, kept in `trapped` until the debugger decides.
    pub trap_signals: bool,
    pub trapped: Option<Trapped>,
    /// Run the next steps on the interpreter alone (a debugger's single steps),
    /// keeping the JIT's translations and their invalidation.
    pub interpret_only: bool,
}

/// A signal the machine stopped for instead of acting on it (`Machine::trap_signals`).
#[derive(Clone, Debug)]
pub enum Trapped {
    /// Sent or raised asynchronously: taken off the pending set.
    Signal(signal::Info),
    /// Raised by the wide instruction at `ip`, which has not taken effect.
    Fault { event: Event, ip: u64 },
}

impl Trapped {
    pub fn signo(&self) -> u32 {
        match self {
            Trapped::Signal(i) => i.signo,
            Trapped::Fault {
                event: Event::Fault { signal, .. },
                ..
            } => *signal as u32,
            Trapped::Fault { .. } => nix::libc::SIGILL as u32,
        }
    }
}

fn mem_err(e: MemError) -> StartError {
    StartError::Memory(e)
}

impl Machine {
    /// Loads an E2K executable image (and its interpreter) and builds the process the
    /// kernel would start.
    pub fn new(image: &[u8], opts: Options) -> Result<Machine, StartError> {
        // From the top: a gap, the data stack, the chain and procedure stacks each
        // below a guard page, then room for the program and its mappings.
        let space = opts.guest_space.div_ceil(PAGE) * PAGE;
        let stack_size = opts.stack_size.div_ceil(PAGE) * PAGE;
        let (stack_top, stack_base, ps_base) =
            stack_layout(space, stack_size).ok_or_else(|| too_small(space, stack_size))?;
        let mem = GuestMemory::new(space).map_err(mem_err)?;
        // The main thread's hardware stacks go below the data stack, mmap below them.
        let hw_top = stack_base - PAGE;
        let mmap_top = ps_base - PAGE;
        let mut random = [0u8; 16];
        let mut seeded = opts.random_seed.map(SeededRandom::new);
        match seeded.as_mut() {
            Some(r) => r.fill(&mut random),
            None => {
                // SAFETY: the buffer is 16 writable bytes.
                let _ = unsafe { nix::libc::getrandom(random.as_mut_ptr().cast(), 16, 0) };
            }
        }
        let started = exec::start(
            &mem,
            &Program {
                image,
                args: &opts.args,
                env: &opts.env,
                exe_path: &opts.exe_path,
                sysroot: opts.sysroot.as_deref(),
                ids: Ids {
                    uid: nix::unistd::getuid().as_raw() as u64,
                    euid: nix::unistd::geteuid().as_raw() as u64,
                    gid: nix::unistd::getgid().as_raw() as u64,
                    egid: nix::unistd::getegid().as_raw() as u64,
                },
                random,
            },
            &Layout {
                space,
                stack_top,
                stack_size,
                mmap_top,
            },
        )?;
        let iset = opts
            .iset
            .or(started.iset)
            .unwrap_or(Iset::new(3).unwrap_or(Iset::MIN));
        let mut cpu = Cpu::new(iset);
        // The hardware stacks belong to the kernel: the guest may not touch them.
        (cpu.ps, cpu.pcs) = thread::map_hw_stacks(&mem, hw_top).map_err(mem_err)?;
        cpu.stack = DataStack {
            sp: started.sp,
            limit: stack_base,
            top: stack_top,
        };
        cpu.ip = started.entry;

        let mut kernel = Kernel::new(
            started.brk,
            mmap_top,
            opts.exe_path.clone(),
            opts.strace,
            opts.sysroot.clone(),
        );
        kernel.mm().files = started.files;
        kernel.auxv = started.auxv;
        kernel.random = seeded;
        kernel.uname_release = opts.uname_release.clone();
        kernel.log_unimp = opts.log.unimp;
        // Per-instruction tracing needs every instruction in the interpreter.
        let jit_config = (opts.jit && !opts.log.exec && !opts.log.cpu).then_some(JitConfig {
            threshold: opts.jit_threshold,
            out_asm: opts.log.out_asm,
            chain: !opts.log.nochain,
            host_faults: !opts.log.nohostfault,
        });
        let jit = jit_config.map(JitConfig::build);
        Ok(Machine {
            cpu,
            code_epoch: mem.code_epoch(),
            mem: Arc::new(mem),
            kernel,
            cache: Cache::default(),
            log: opts.log,
            log_out: crate::linux::log::Log,
            interpreted: (opts.log.jit && jit.is_some()).then(Default::default),
            jit,
            jit_config,
            trap_signals: false,
            trapped: None,
            interpret_only: false,
        })
    }

    /// Runs until the program exits or is killed. A main thread that ends with
    /// `exit` (not `exit_group`) waits for the other threads, as the process lives on
    /// until its last thread ends.
    pub fn run(&mut self) -> Outcome {
        let o = self.run_thread();
        if self.kernel.thread_exit {
            self.release_robust_list();
            self.kernel.threads.wait_alone();
        }
        o
    }

    fn run_thread(&mut self) -> Outcome {
        loop {
            if let Some(o) = self.step() {
                return o;
            }
        }
    }

    /// One wide instruction (and the system call it makes); `Some` when the process
    /// (or, after `exit`, this thread) ends.
    pub fn step(&mut self) -> Option<Outcome> {
        if self.mem.code_epoch() != self.code_epoch {
            // Another thread changed code: drop this thread's copies too.
            self.code_epoch = self.mem.code_epoch();
            self.drop_code();
        }
        if self.cpu.ip == signal::SIGRETURN_IP {
            // A handler returned into the kernel's frame below it (a call it
            // interrupted is made again at the next step).
            return signal::sigreturn(&mut self.cpu, &self.mem, &mut self.kernel.signals)
                .err()
                .map(|report| Outcome::Killed {
                    signal: nix::libc::SIGSEGV,
                    report,
                });
        }
        if self.cpu.ip == context::CONTEXT_END_IP {
            // A function makecontext started returned into the kernel's frame.
            return self.with_sys(0, syscall::context_ended);
        }
        if signal::any_pending() {
            if let Some(o) = self.deliver_pending() {
                return Some(o);
            }
        }
        if self.kernel.signals.restart.is_some() && self.trapped.is_none() {
            // An interrupted system call that no handler took (the signal was
            // ignored by then), or that rt_sigreturn restarts.
            let r = self.kernel.signals.restart.take()?;
            return self.restart(r);
        }
        if let Some(j) = self.jit.as_mut().filter(|_| !self.interpret_only) {
            let ran = j.run(&mut self.cpu, &self.mem);
            for l in j.listings.drain(..) {
                let _ = writeln!(self.log_out, "{l}");
            }
            match ran {
                Ran::Block => return None,
                Ran::Interpret => {}
                Ran::Event(Event::Syscall { entry, wbs }) => return self.syscall(entry, wbs),
                Ran::Event(e) => {
                    let at = self.cpu.ip;
                    return self.fault(e, at);
                }
            }
        }
        let ip = self.cpu.ip;
        let (prep, fresh) = match self.cache.get(&self.mem, ip, self.cpu.iset) {
            Ok(x) => x,
            // An instruction that cannot be fetched, decoded or issued (SIGSEGV, SIGBUS,
            // SIGILL before anything in it runs) is a fault like any other: a handler
            // the program installed takes it.
            Err(e) => return self.fault(e, ip),
        };
        if fresh && self.log.in_asm {
            let _ = writeln!(self.log_out, "IN:\n{:#x}:", ip);
            for l in disasm::bundle_lines(&prep.decoded) {
                let _ = writeln!(self.log_out, "  {l}");
            }
        }
        if self.log.exec {
            let _ = writeln!(self.log_out, "Trace: {ip:#018x}");
        }
        if let Some(counts) = self.interpreted.as_mut() {
            for k in prep.op_indices() {
                *counts.entry(k).or_default() += 1;
            }
        }
        let mut code_written = false;
        let r = interp::step(&mut self.cpu, &self.mem, &prep, &mut code_written);
        if code_written {
            self.code_changed();
        }
        let out = match r {
            Step::Next => None,
            Step::Event(Event::Syscall { entry, wbs }) => self.syscall(entry, wbs),
            Step::Event(e) => self.fault(e, ip),
        };
        if self.log.cpu {
            self.dump_cpu();
        }
        out
    }

    /// Serves a system call; `Some` when it ends the process.
    fn syscall(&mut self, entry: u64, wbs: u32) -> Option<Outcome> {
        if !syscall::is_entry(entry) {
            // No system-call entry there: the call jumped into unmapped kernel space.
            let ip = self.cpu.ip;
            let e = Event::Fault {
                signal: nix::libc::SIGSEGV,
                code: 1,
                addr: ip,
                why: format!(
                    "the call before this instruction went through sdisp entry {entry:#x}, \
                     which is no system-call entry"
                ),
            };
            return self.fault(e, ip);
        }
        self.with_sys(wbs, |sys| syscall::call(sys, entry, wbs))
    }

    /// What the kernel does with the robust futex list of a thread that ends.
    fn release_robust_list(&self) {
        let tid = nix::unistd::gettid().as_raw() as u32;
        self.kernel.threads.set_robust_list(tid, 0);
        robust_list::release(&self.mem, self.kernel.robust_list.0, tid);
    }

    /// Makes an interrupted system call again: its number back in the register the
    /// result went to, its arguments still where they were.
    fn restart(&mut self, r: signal::Restart) -> Option<Outcome> {
        self.cpu.set_reg(2 * r.wbs, r.nr);
        self.syscall(r.entry, r.wbs)
    }

    /// Runs kernel code on this thread's state (`wbs`: of the system call made).
    fn with_sys(
        &mut self,
        wbs: u32,
        f: impl FnOnce(&mut Sys) -> Option<Outcome>,
    ) -> Option<Outcome> {
        let (mem, log, jit_config) = (&self.mem, self.log, self.jit_config);
        let spawn = |t: NewThread| spawn_thread(mem, log, jit_config, t);
        let mut sys = Sys {
            cpu: &mut self.cpu,
            mem: &self.mem,
            kernel: &mut self.kernel,
            code_changed: false,
            wbs,
            spawn: &spawn,
        };
        let end = f(&mut sys);
        if sys.code_changed {
            self.code_changed();
        }
        end
    }

    /// Guest code may have changed (written, remapped, unmapped): drop what was
    /// decoded or translated from it.
    pub fn code_changed(&mut self) {
        self.mem.unmark_code();
        self.code_epoch = self.mem.code_epoch();
        self.drop_code();
    }

    fn drop_code(&mut self) {
        self.cache.clear();
        if let Some(j) = self.jit.as_mut() {
            j.invalidate();
        }
    }

    /// The operations interpreted most often while the JIT was on, for `-d jit`.
    pub fn interpreted_summary(&self, n: usize) -> Option<String> {
        let counts = self.interpreted.as_ref()?;
        let mut v: Vec<(usize, u64)> = counts.iter().map(|(k, c)| (*k, *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let name = |k: usize| match k.checked_sub(crate::isa::OPS.len()) {
            None => crate::isa::OPS[k].name,
            Some(c) => crate::isa::CTLS[c].name,
        };
        Some(
            v.iter()
                .take(n)
                .map(|(k, c)| format!("{} {c}", name(*k)))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// The first pending signal that is not blocked: ignored, the end of the process,
    /// or its handler entered (or, with `trap_signals`, kept in `trapped`).
    fn deliver_pending(&mut self) -> Option<Outcome> {
        while let Some(sig) = signal::take(signal::deliverable(self.kernel.signals.mask)) {
            let info = self
                .kernel
                .signals
                .sent_info
                .remove(&sig)
                .unwrap_or_else(|| signal::Info::arrived(sig));
            // SIGKILL reaches the process past a debugger, as under ptrace.
            if self.trap_signals && sig != signal::SIGKILL {
                self.trapped = Some(Trapped::Signal(info));
                return None;
            }
            match self.act_on(info) {
                Some(end) => return end,
                None => continue,
            }
        }
        None
    }

    /// What the signal's disposition does: `None` if it is ignored, else `Some` of
    /// how the process ends (`None` inside when a handler was entered).
    fn act_on(&mut self, info: signal::Info) -> Option<Option<Outcome>> {
        let sig = info.signo;
        match signal::action(&self.kernel.signals, sig) {
            signal::Action::Ignore => None,
            signal::Action::Terminate => Some(Some(Outcome::Killed {
                signal: sig as i32,
                report: String::new(),
            })),
            signal::Action::Handle(act) => {
                Some(
                    self.enter_handler(info, act)
                        .err()
                        .map(|()| Outcome::Killed {
                            signal: nix::libc::SIGSEGV,
                            report: format!(
                                "cannot build the frame for signal {sig} below {:#x}",
                                self.cpu.stack.sp
                            ),
                        }),
                )
            }
        }
    }

    /// Lets a signal the machine stopped for act as it would have without a
    /// debugger; `Some` when that ends the process.
    pub fn deliver_trapped(&mut self, t: Trapped) -> Option<Outcome> {
        match t {
            Trapped::Signal(info) => self.act_on(info).flatten(),
            Trapped::Fault { event, ip } => self.act_on_fault(event, ip),
        }
    }

    /// Enters the guest's handler for `info` (see `signal::deliver`).
    fn enter_handler(&mut self, info: signal::Info, act: [u64; 4]) -> Result<(), ()> {
        signal::deliver(
            &mut self.cpu,
            &self.mem,
            &mut self.kernel.signals,
            self.kernel.strace,
            info,
            act,
        )
    }

    /// A guest fault at `ip`: its handler runs if the program installed one and the
    /// signal is not blocked; otherwise the process is killed. With `trap_signals`
    /// the machine stops before the instruction instead.
    fn fault(&mut self, e: Event, ip: u64) -> Option<Outcome> {
        if self.trap_signals {
            return self.trap_fault(e, ip);
        }
        self.act_on_fault(e, ip)
    }

    fn trap_fault(&mut self, event: Event, ip: u64) -> Option<Outcome> {
        self.cpu.ip = ip;
        self.trapped = Some(Trapped::Fault { event, ip });
        None
    }

    fn act_on_fault(&mut self, e: Event, ip: u64) -> Option<Outcome> {
        self.log_fault(&e, ip);
        if let Event::Fault {
            signal: sig,
            code,
            addr,
            ..
        } = &e
        {
            let sig = *sig as u32;
            let blocked = self.kernel.signals.mask >> (sig - 1) & 1 != 0;
            if let (false, signal::Action::Handle(act)) =
                (blocked, signal::action(&self.kernel.signals, sig))
            {
                self.cpu.ip = ip;
                let info = signal::Info {
                    signo: sig,
                    code: *code,
                    addr: *addr,
                    value: 0,
                };
                if self.enter_handler(info, act).is_ok() {
                    return None;
                }
            }
        }
        Some(self.killed(e, ip))
    }

    /// `-d guest_errors` (every fault), `-d unimp` (operations the emulator lacks).
    fn log_fault(&mut self, e: &Event, ip: u64) {
        if let Event::Fault {
            signal: sig, why, ..
        } = e
        {
            // The engine's wording for what isa/ describes and e2k-emu does not run.
            let unimp = why.contains("not implemented by e2k-emu");
            if self.log.guest_errors || (self.log.unimp && unimp) {
                let _ = writeln!(
                    self.log_out,
                    "guest fault at pc {ip:#x}: {} ({why})",
                    signal::signal_name(*sig)
                );
            }
        }
    }

    fn killed(&mut self, e: Event, ip: u64) -> Outcome {
        let Event::Fault { signal, why, .. } = e else {
            return Outcome::Killed {
                signal: nix::libc::SIGILL,
                report: format!("unexpected event at {ip:#x}"),
            };
        };
        let name = signal::signal_name(signal);
        let mut report = format!("guest killed by {name} at pc {ip:#x}: {why}");
        if let Ok(bytes) = self.mem.fetch(ip, 64) {
            if let Ok(d) = crate::isa::decode::decode_lenient(bytes, ip, self.cpu.iset) {
                report.push_str(" [");
                report.push_str(&disasm::bundle_lines(&d).join("; "));
                report.push(']');
            }
        }
        Outcome::Killed { signal, report }
    }

    fn dump_cpu(&mut self) {
        let c = &self.cpu;
        let mut s = format!(
            "ip={:#x} wd.base={} wd.size={} wd.psize={} br={:#x} preds={:#010x} pred_tags={:#010x} lsr={:#x} sp={:#x} ctpr1={:#x} ctpr2={:#x} ctpr3={:#x}\n",
            c.ip, c.wd.base, c.wd.size, c.wd.psize, c.br.pack(), c.preds, c.pred_tags, c.lsr, c.stack.sp, c.ctpr[1], c.ctpr[2], c.ctpr[3]
        );
        for n in 0..c.wd.size {
            if let Some(v) = c.reg(n) {
                s.push_str(&format!(
                    "%r{n:<3}={v:#018x}{}",
                    if n % 4 == 3 { "\n" } else { " " }
                ));
            }
        }
        if !s.ends_with('\n') {
            s.push('\n');
        }
        let _ = self.log_out.write_all(s.as_bytes());
    }
}

/// Starts a guest thread on a new host thread and returns its id (the host
/// thread's), once it has written it where CLONE_CHILD_SETTID asks.
fn spawn_thread(
    mem: &Arc<GuestMemory>,
    log: LogFlags,
    jit_config: Option<JitConfig>,
    t: NewThread,
) -> Result<i32, i64> {
    let (tx, rx) = std::sync::mpsc::channel();
    let threads = t.kernel.threads.clone();
    threads.started();
    let mem = mem.clone();
    // The machine is built on its thread: decoded code and the JIT stay there.
    let started = std::thread::Builder::new()
        .name("e2k-guest".into())
        .spawn(move || {
            // Both ids are written before the thread runs, as the kernel does: a
            // thread that ends at once clears an id that is already there.
            let tid = nix::unistd::gettid().as_raw();
            let id = (tid as u32).to_le_bytes();
            if t.flags & thread::CLONE_PARENT_SETTID != 0 {
                let _ = mem.write(t.parent_tid, &id);
            }
            if t.flags & thread::CLONE_CHILD_SETTID != 0 {
                let _ = mem.write(t.child_tid, &id);
            }
            let _ = tx.send(tid);
            let mut m = Machine {
                cpu: t.cpu,
                code_epoch: mem.code_epoch(),
                mem,
                kernel: t.kernel,
                cache: Cache::default(),
                log,
                log_out: crate::linux::log::Log,
                jit: jit_config.map(JitConfig::build),
                jit_config,
                interpreted: None,
                trap_signals: false,
                trapped: None,
                interpret_only: false,
            };
            let outcome = m.run_thread();
            m.thread_ended(outcome);
        });
    match started {
        Ok(_) => rx.recv().map_err(|_| -syscall::EAGAIN),
        Err(_) => {
            threads.ended();
            Err(-syscall::EAGAIN)
        }
    }
}

fn too_small(space: u64, stack_size: u64) -> StartError {
    StartError::Layout(format!(
        "a {} KiB stack and the hardware stacks do not fit a {} MiB guest address space",
        stack_size >> 10,
        space >> 20
    ))
}

/// Top and base of the data stack and base of the procedure stack in a guest space
/// of `space` bytes; `None` when they leave no room for a program below.
fn stack_layout(space: u64, stack_size: u64) -> Option<(u64, u64, u64)> {
    let top = space.checked_sub(GUEST_SPACE - STACK_TOP)?;
    let base = top.checked_sub(stack_size)?;
    let ps_base = base.checked_sub(2 * PAGE + PCS_SIZE + PS_SIZE)?;
    (ps_base > 0x200_0000).then_some((top, base, ps_base))
}

impl Machine {
    /// A thread other than the first has ended: after `exit`, its id word is cleared
    /// and its hardware stacks freed (the process ends with the last thread);
    /// `exit_group` or a fatal signal ends the whole process at once.
    fn thread_ended(&mut self, outcome: Outcome) {
        let _ = self.log_out.flush();
        self.release_robust_list();
        if self.kernel.thread_exit {
            thread::clear_child_tid(&self.mem, self.kernel.clear_child_tid);
            {
                let _mm = self.kernel.mm();
                thread::free_hw_stacks(&self.mem, &self.cpu.ps, &self.cpu.pcs);
            }
            if !self.kernel.threads.ended() {
                return;
            }
        }
        if let Outcome::Killed { report, .. } = &outcome {
            if !report.is_empty() {
                eprintln!("e2k-emu: {report}");
            }
        }
        std::process::exit(outcome.status());
    }
}
