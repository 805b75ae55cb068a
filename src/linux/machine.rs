//! A guest process: the loaded program, its memory and CPU, the run loop that feeds
//! the interpreter and answers its system calls, and how the process ends.

use crate::engine::event::Event;
use crate::engine::interp::{self, Cache, Step};
use crate::engine::jit::{Jit, Ran};
use crate::guest::cpu::{Cpu, DataStack};
use crate::guest::hw_stack::HwStack;
use crate::guest::memory::{perm, GuestMemory, MemError, PAGE};
use crate::isa::disasm;
use crate::isa::version::Iset;
pub use crate::linux::kernel::Outcome;
use crate::linux::kernel::{Kernel, SeededRandom};
use crate::linux::loader::{self, Ids, LoadPlan};
use crate::linux::signal;
use crate::linux::syscall::{self, Sys};
use std::fmt;
use std::io::Write;

/// Size of the emulated guest address space.
pub const GUEST_SPACE: u64 = 1 << 36;
/// Top of the initial data stack and its size.
pub const STACK_TOP: u64 = GUEST_SPACE - 0x1000_0000;
pub const STACK_SIZE: u64 = 8 << 20;
/// The hardware stacks sit below the data stack, each with a guard gap.
pub const PS_SIZE: u64 = 64 << 20;
pub const PCS_SIZE: u64 = 16 << 20;
/// The sizes they start with; they grow when they fill (`HwStack::fit`).
pub const PS_INITIAL: u64 = 1 << 20;
pub const PCS_INITIAL: u64 = 256 << 10;

#[derive(Debug)]
pub enum StartError {
    Load(loader::LoadError),
    Memory(MemError),
    /// The program does not fit the emulated address space.
    Layout(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Load(e) => write!(f, "{e}"),
            StartError::Memory(e) => write!(f, "cannot set up guest memory: {e}"),
            StartError::Layout(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for StartError {}

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

pub struct Machine {
    pub cpu: Cpu,
    pub mem: GuestMemory,
    pub kernel: Kernel,
    pub cache: Cache,
    pub log: LogFlags,
    pub log_out: Box<dyn Write>,
    pub jit: Option<Jit>,
    /// With `-d jit`: executions of each operation (index into `isa::OPS`, or
    /// `OPS.len()` + index into `isa::CTLS`) that compiled code left to the interpreter.
    pub interpreted: Option<rustc_hash::FxHashMap<usize, u64>>,
}

fn mem_err(e: MemError) -> StartError {
    StartError::Memory(e)
}

impl Machine {
    /// Loads an E2K executable image and builds the process the kernel would start.
    pub fn new(image: &[u8], opts: Options) -> Result<Machine, StartError> {
        let plan = loader::plan(image, 0x10000).map_err(StartError::Load)?;
        let iset = opts
            .iset
            .or(plan.iset)
            .unwrap_or(Iset::new(3).unwrap_or(Iset::MIN));
        // From the top: a gap, the data stack, the chain and procedure stacks each
        // below a guard page, then room for the program and its mappings.
        let space = opts.guest_space.div_ceil(PAGE) * PAGE;
        let stack_size = opts.stack_size.div_ceil(PAGE) * PAGE;
        let (stack_top, stack_base, ps_base) =
            stack_layout(space, stack_size).ok_or_else(|| too_small(space, stack_size))?;
        let pcs_base = ps_base + PS_SIZE + PAGE;
        let mut mem = GuestMemory::new(space).map_err(mem_err)?;
        load_segments(&mut mem, image, &plan, ps_base - 0x100_0000)?;
        let mut cpu = Cpu::new(iset);

        mem.map(stack_base, stack_size, perm::READ | perm::WRITE)
            .map_err(mem_err)?;
        // The hardware stacks belong to the kernel: the guest may not touch them.
        mem.map(ps_base, PS_SIZE, 0).map_err(mem_err)?;
        mem.map(pcs_base, PCS_SIZE, perm::READ).map_err(mem_err)?;
        cpu.ps = HwStack {
            base: ps_base,
            size: PS_INITIAL,
            ind: 0,
            max: PS_SIZE,
        };
        cpu.pcs = HwStack {
            base: pcs_base,
            size: PCS_INITIAL,
            ind: 0,
            max: PCS_SIZE,
        };

        let ids = Ids {
            uid: nix::unistd::getuid().as_raw() as u64,
            euid: nix::unistd::geteuid().as_raw() as u64,
            gid: nix::unistd::getgid().as_raw() as u64,
            egid: nix::unistd::getegid().as_raw() as u64,
        };
        let mut random = [0u8; 16];
        let mut seeded = opts.random_seed.map(SeededRandom::new);
        match seeded.as_mut() {
            Some(r) => r.fill(&mut random),
            None => {
                // SAFETY: the buffer is 16 writable bytes.
                let _ = unsafe { nix::libc::getrandom(random.as_mut_ptr().cast(), 16, 0) };
            }
        }
        let st = loader::initial_stack(
            stack_top,
            &opts.args,
            &opts.env,
            &opts.exe_path,
            &plan,
            ids,
            random,
        );
        if st.base < stack_base {
            return Err(StartError::Layout(format!(
                "arguments and environment do not fit the {} KiB stack",
                stack_size >> 10
            )));
        }
        mem.write_initial(st.base, &st.bytes)
            .map_err(|e| StartError::Layout(e.to_string()))?;
        cpu.stack = DataStack {
            sp: st.sp,
            limit: stack_base,
            top: stack_top,
        };
        cpu.ip = plan.entry;

        let mmap_top = ps_base - PAGE;
        let mut kernel = Kernel::new(
            plan.brk,
            mmap_top,
            opts.exe_path.clone(),
            opts.strace,
            opts.sysroot.clone(),
        );
        kernel.random = seeded;
        kernel.uname_release = opts.uname_release.clone();
        kernel.log_unimp = opts.log.unimp;
        // Per-instruction tracing needs every instruction in the interpreter.
        let mut jit = if opts.jit && !opts.log.exec && !opts.log.cpu {
            Some(Jit::new(opts.jit_threshold))
        } else {
            None
        };
        if let Some(j) = jit.as_mut() {
            j.out_asm = opts.log.out_asm;
        }
        Ok(Machine {
            cpu,
            mem,
            kernel,
            cache: Cache::default(),
            log: opts.log,
            log_out: Box::new(crate::linux::log::Log),
            interpreted: (opts.log.jit && jit.is_some()).then(Default::default),
            jit,
        })
    }

    /// Runs until the program exits or is killed.
    pub fn run(&mut self) -> Outcome {
        loop {
            if let Some(o) = self.step() {
                return o;
            }
        }
    }

    /// One wide instruction (and the system call it makes); `Some` when the process ends.
    pub fn step(&mut self) -> Option<Outcome> {
        if self.cpu.ip == signal::SIGRETURN_IP {
            // A handler returned into the kernel's frame below it.
            return signal::sigreturn(&mut self.cpu, &self.mem, &mut self.kernel.signals)
                .err()
                .map(|report| Outcome::Killed {
                    signal: nix::libc::SIGSEGV,
                    report,
                });
        }
        if signal::any_pending() {
            if let Some(o) = self.deliver_pending() {
                return Some(o);
            }
        }
        if let Some(j) = self.jit.as_mut() {
            let ran = j.run(&mut self.cpu, &mut self.mem);
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
        let (prep, fresh) = match self.cache.get(&mut self.mem, ip, self.cpu.iset) {
            Ok(x) => x,
            Err(e) => {
                self.log_fault(&e, ip);
                return Some(self.killed(e, ip));
            }
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
        let r = interp::step(&mut self.cpu, &mut self.mem, &prep, &mut code_written);
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
        let mut sys = Sys {
            cpu: &mut self.cpu,
            mem: &mut self.mem,
            kernel: &mut self.kernel,
            code_changed: false,
            wbs,
        };
        let end = syscall::call(&mut sys, entry, wbs);
        if sys.code_changed {
            self.code_changed();
        }
        end
    }

    /// Guest code may have changed (written, remapped, unmapped): drop what was
    /// decoded or translated from it.
    pub fn code_changed(&mut self) {
        self.cache.clear();
        self.mem.unmark_code();
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
    /// or its handler entered.
    fn deliver_pending(&mut self) -> Option<Outcome> {
        let unblockable = 1 << (signal::SIGKILL - 1) | 1 << (signal::SIGSTOP - 1);
        while let Some(sig) = signal::take(!self.kernel.signals.mask | unblockable) {
            let info = self
                .kernel
                .signals
                .sent_info
                .remove(&sig)
                .unwrap_or_else(|| signal::Info::sent(sig, signal::SI_USER));
            match signal::action(&self.kernel.signals, sig) {
                signal::Action::Ignore => continue,
                signal::Action::Terminate => {
                    return Some(Outcome::Killed {
                        signal: sig as i32,
                        report: String::new(),
                    })
                }
                signal::Action::Handle(act) => {
                    return self
                        .enter_handler(info, act)
                        .err()
                        .map(|()| Outcome::Killed {
                            signal: nix::libc::SIGSEGV,
                            report: format!(
                                "cannot build the frame for signal {sig} below {:#x}",
                                self.cpu.stack.sp
                            ),
                        });
                }
            }
        }
        None
    }

    /// Enters the guest's handler for `info` (see `signal::deliver`).
    fn enter_handler(&mut self, info: signal::Info, act: [u64; 4]) -> Result<(), ()> {
        signal::deliver(
            &mut self.cpu,
            &mut self.mem,
            &mut self.kernel.signals,
            self.kernel.strace,
            info,
            act,
        )
    }

    /// A guest fault at `ip`: its handler runs if the program installed one and the
    /// signal is not blocked; otherwise the process is killed.
    fn fault(&mut self, e: Event, ip: u64) -> Option<Outcome> {
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
            "ip={:#x} wd.base={} wd.size={} wd.psize={} br={:#x} preds={:#010x} lsr={:#x} sp={:#x} ctpr1={:#x} ctpr2={:#x} ctpr3={:#x}\n",
            c.ip, c.wd.base, c.wd.size, c.wd.psize, c.br.pack(), c.preds, c.lsr, c.stack.sp, c.ctpr[1], c.ctpr[2], c.ctpr[3]
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

/// Maps the program's segments, which must end below `limit`.
fn load_segments(
    mem: &mut GuestMemory,
    image: &[u8],
    plan: &LoadPlan,
    limit: u64,
) -> Result<(), StartError> {
    for seg in &plan.segments {
        let start = seg.vaddr & !(PAGE - 1);
        let end = (seg.vaddr + seg.mem_size).div_ceil(PAGE) * PAGE;
        if end > limit {
            return Err(StartError::Layout(format!(
                "segment at {:#x} lies outside the emulated {} MiB address space",
                seg.vaddr,
                mem.size() >> 20
            )));
        }
        let p = ((seg.read as u8) * perm::READ)
            | ((seg.write as u8) * perm::WRITE)
            | ((seg.exec as u8) * perm::EXEC);
        mem.map(start, end - start, p).map_err(mem_err)?;
        let data = &image[seg.file_offset as usize..(seg.file_offset + seg.file_size) as usize];
        mem.write_initial(seg.vaddr, data)
            .map_err(|e| StartError::Layout(e.to_string()))?;
    }
    Ok(())
}
