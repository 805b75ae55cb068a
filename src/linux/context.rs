//! User contexts (makecontext/swapcontext/setcontext), as the E2K kernel keeps them:
//! each context owns a set of hardware stacks (procedure stack, chain stack) beside
//! its data stack, and is known by the top of that data stack — the key getcontext
//! and makecontext store in `uc_mcontext.sbr`. A thread runs on one context; the
//! others are suspended, their hardware-stack state kept here (on Elbrus it stays
//! in kernel memory: user code cannot rebuild it from a ucontext).

use crate::guest::cpu::{Cpu, DataStack, Rotation, Window};
use crate::guest::hw_stack::HwStack;
use crate::guest::window::{Reg, RegFile};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Where a procedure that makecontext started returns to: a kernel address whose
/// frame switches to `uc_link` or ends the thread.
pub const CONTEXT_END_IP: u64 = 0xffff_ffff_e000;

/// The hardware-stack part of a CPU that a context switch exchanges.
#[derive(Clone)]
pub struct Suspended {
    pub regs: RegFile,
    pub wd: Window,
    pub br: Rotation,
    pub preds: u32,
    pub pred_tags: u32,
    pub ps: HwStack,
    pub pcs: HwStack,
    pub stack: DataStack,
    pub ip: u64,
    /// The `wbs` of the system call that left the context (its result, 0, goes to
    /// `%r(2 * wbs)` when it resumes); `None` for a context makecontext made, which
    /// starts at its function.
    pub wbs: Option<u32>,
}

impl Suspended {
    /// The state of `cpu`, which made a system call with `wbs`.
    pub fn capture(cpu: &Cpu, wbs: Option<u32>) -> Suspended {
        Suspended {
            regs: cpu.regs.clone(),
            wd: cpu.wd,
            br: cpu.br,
            preds: cpu.preds,
            pred_tags: cpu.pred_tags,
            ps: cpu.ps,
            pcs: cpu.pcs,
            stack: cpu.stack,
            ip: cpu.ip,
            wbs,
        }
    }

    /// Puts the state back into `cpu` (the system call that left it returns 0).
    pub fn resume(self, cpu: &mut Cpu) {
        cpu.regs = self.regs;
        cpu.wd = self.wd;
        cpu.br = self.br;
        cpu.preds = self.preds;
        cpu.pred_tags = self.pred_tags;
        cpu.ps = self.ps;
        cpu.pcs = self.pcs;
        cpu.stack = self.stack;
        cpu.ip = self.ip;
        cpu.ctpr = [0; 4];
        if let Some(wbs) = self.wbs {
            let pos = cpu.wd.base + 2 * wbs as u64;
            cpu.regs.set(pos, Reg::default());
        }
    }
}

/// One context.
pub struct Context {
    /// A thread runs on it now.
    pub busy: bool,
    /// Its state while no thread runs on it (`None` once its function returned).
    pub state: Option<Suspended>,
    /// The ucontext makecontext made it from (its `uc_link` says where to go when
    /// the function returns); 0 for a thread's first context.
    pub ucp: u64,
    /// Hardware stacks makecontext mapped for it (freecontext unmaps them); a
    /// thread's first context uses the thread's own.
    pub own_stacks: Option<(HwStack, HwStack)>,
}

/// The contexts of a process, by key (shared by its threads).
#[derive(Clone, Default)]
pub struct Contexts(Arc<Mutex<HashMap<u64, Context>>>);

impl Contexts {
    pub fn lock(&self) -> MutexGuard<'_, HashMap<u64, Context>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
