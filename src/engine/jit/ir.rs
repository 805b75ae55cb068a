//! The vocabulary generated lowering is written in: values that are either known at
//! translation time (`LV::C`, folded with the interpreter's own `crate::isa::bits`, so both
//! engines compute constants identically) or Cranelift values (`LV::V`, an `i64` kept
//! zero-extended to its width), and the translation context `Lx` with memory access,
//! side exits and the path condition of conditional code.

use crate::engine::jit::block_cache::Key;
use crate::engine::jit::state::{ev, off, EXIT_CONTROL, EXIT_FLAGS, EXIT_INTERPRET};
use crate::isa::bits;
use crate::isa::mas;
use crate::isa::semantics::Trap;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, InstBuilder, MemFlags, SigRef, Signature, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, Variable};
use std::collections::{BTreeMap, BTreeSet};

/// A value during translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LV {
    C(u128),
    V(Value),
    /// A run-time value wider than 64 bits (80-bit floats, 128-bit registers): its low
    /// 64 bits and the bits above. Register reads and writes, `select`, bitwise logic,
    /// shifts left by a known amount, `trunc`, `slice` and pure helpers take it; the
    /// other primitives refuse it (`no_wide`).
    W(Value, Value),
}

/// This operation cannot be translated; the wide instruction is left to the interpreter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoLower;

/// A change compiled code hands to `interp::apply_control` (window, rotation, calls).
#[derive(Clone, Copy, Debug)]
pub enum Event {
    Window(u32, bool, bool),
    RegRotation(u32, u32, u32),
    PredRotation(u32),
    RotateRegs,
    RotatePreds,
    Call(LV, u32),
    Syscall(LV, u32),
    Return,
}

/// What the code of a wide instruction was translated for besides its address: the
/// known %ctpr values, the window size, the rotation (packed), whether 32-bit
/// results zero-extend (WD.dbl) and the inlined call it runs in (`inline`; 0: none).
pub type Assumed = ([Option<u128>; 4], u32, u64, bool, usize);

/// An inlined call (`inline`): where its return goes, and the caller's state there.
pub struct Inlined {
    /// The caller's context (0: the translation's own code), the call's address.
    pub parent: usize,
    pub site: u64,
    /// The callee.
    pub target: u64,
    pub next: u64,
    pub wbs: u32,
    /// The callee's window base (`Lx::base`).
    pub base: u32,
    pub depth: usize,
    /// The caller's assumptions at the call.
    pub(super) caller: Assumed,
    /// Variables holding, from the call on, the caller's predicates, parameter size
    /// (i32), WD.fx (i64) and window base, the stack pointer the return restores,
    /// the chain stack's index before the push.
    pub(super) preds: Variable,
    pub(super) psize: Variable,
    pub(super) fx: Variable,
    pub(super) wd_base: Variable,
    pub(super) sp: Variable,
    pub(super) ind: Variable,
}

/// The window and chain-stack state compiled code moves (`setwd`, `inline`), in
/// variables from the entry on: the window's base, parameter size (i32) and WD.fx
/// (i64), the chain stack's index, the register file's first resident position.
/// The file's end is the window's (every call, return and `setwd` leaves it so,
/// checked on entry).
#[derive(Clone, Copy)]
pub(super) struct WindowVars {
    pub base: Variable,
    pub psize: Variable,
    pub fx: Variable,
    pub ind: Variable,
    pub first: Variable,
}

/// Register file entries (`crate::guest::window::Reg`).
pub const REG_SIZE: i64 = std::mem::size_of::<crate::guest::window::Reg>() as i64;
pub(super) const REG_HI: i32 = std::mem::offset_of!(crate::guest::window::Reg, hi) as i32;
pub(super) const REG_TAG: i32 = std::mem::offset_of!(crate::guest::window::Reg, tag) as i32;

/// A change a wide instruction makes, applied when it ends (under a condition).
#[derive(Clone, Copy, Debug)]
pub enum Effect {
    /// Window register position (relative to %r0), type letter, value.
    Reg(u32, u8, LV),
    Global(u32, u8, LV),
    Pred(u32, LV),
    Ctpr(u32, LV),
    Lsr(LV),
    /// `LSR.strmd` one less (after any LSR write of the instruction): loop-mode
    /// stores ran at the loop's end.
    StrmdDec,
}

/// What translating a block once learns for translating it again: the registers it
/// reads or writes (kept in variables), those it writes and the other state it changes
/// (what its exits store: an exit translated before a write can run after it, once a
/// loop in the block has gone round).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Learnt {
    pub touched: BTreeSet<u32>,
    pub written: BTreeSet<u32>,
    pub dirty: [bool; 8],
    /// Reads and writes of each register in the translated code.
    pub uses: BTreeMap<u32, u32>,
    /// Where the code calls procedures itself (`nest`).
    pub call_sites: BTreeSet<u64>,
    /// Loops of the translation: (head, the wide instruction that jumps back to it).
    pub loops: BTreeSet<(u64, u64)>,
    /// Where the translation stops and goes on in another (`Learnt::cuts`).
    pub cut: BTreeSet<u64>,
    /// Calls not inlined (`inline`), and those found not worth it: their inlined
    /// code was left before the callee returned, or the callee is recursive.
    pub no_inline: BTreeSet<u64>,
    pub overflowed: BTreeSet<u64>,
    /// Compiled code moves the window itself (`setwd`, inlined calls): it lives in
    /// variables (`WindowVars`), which exits store.
    pub window: bool,
    /// The global registers it reads or writes (their tags are checked on entry and
    /// after calls: compiled code writes only untagged values).
    pub globals: BTreeSet<u32>,
    /// Reads and writes of each global register, and those written.
    pub global_uses: BTreeMap<u32, u32>,
    pub globals_written: BTreeSet<u32>,
}

/// Registers a translation keeps in variables (host registers, where Cranelift has
/// room): the most used window and global registers together (8 measured better than
/// 6, 12 or 16 on Linpack and Whetstone: more spill). The others live in the register file in memory, read
/// and written there (Cranelift forwards what it can).
pub const IN_VARIABLES: usize = 8;

impl Learnt {
    /// Call sites outside the loops of a translation that has loops: ending it
    /// before them keeps the loops free of calls and so their registers in
    /// variables (a loop copying a string, then a call, as lcc lays out functions).
    pub fn cuts(&self) -> BTreeSet<u64> {
        if self.loops.is_empty() {
            return BTreeSet::new();
        }
        let inside = |pc: u64| self.loops.iter().any(|&(h, e)| h <= pc && pc <= e);
        self.call_sites
            .iter()
            .copied()
            .filter(|&pc| !inside(pc))
            .collect()
    }

    /// The registers kept in variables: none in code that calls procedures, where
    /// they would live across the calls (on the stack, stored before and loaded
    /// after each: slower than the register file, measured on Dhrystone and fib).
    pub fn in_variables(&self) -> BTreeSet<u32> {
        self.chosen().0
    }

    /// The window registers and the globals kept in variables: the most used of
    /// both together (none in code that calls procedures, as `in_variables` says).
    pub fn chosen(&self) -> (BTreeSet<u32>, BTreeSet<u32>) {
        if !self.call_sites.is_empty() {
            return Default::default();
        }
        let regs = self.uses.iter().map(|(&p, &n)| (n, false, p));
        let globals = self.global_uses.iter().map(|(&g, &n)| (n, true, g));
        let mut v: Vec<(u32, bool, u32)> = regs.chain(globals).collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let (mut r, mut g) = (BTreeSet::new(), BTreeSet::new());
        for (_, global, n) in v.into_iter().take(IN_VARIABLES) {
            if global {
                g.insert(n)
            } else {
                r.insert(n)
            };
        }
        (r, g)
    }
}

/// Memory flags of register-file accesses: their own alias region, so that guest
/// memory and `JitState` stores do not hide a register's last value from Cranelift.
pub(super) fn reg_flags() -> MemFlags {
    MemFlags::trusted().with_alias_region(Some(cranelift_codegen::ir::AliasRegion::Table))
}

/// Memory flags of global-register accesses (their own alias region, as registers).
pub(super) fn global_flags() -> MemFlags {
    MemFlags::trusted().with_alias_region(Some(cranelift_codegen::ir::AliasRegion::Vmctx))
}

/// Where a register lives in a translation.
#[derive(Clone, Copy)]
enum Home {
    /// Low 64 bits and `hi` word in variables.
    Var(Variable, Variable),
    /// In the register file, at this offset from `regs_ptr`.
    Mem(i32),
}

/// Translation state for one block of wide instructions.
///
/// Guest registers, predicates, %ctpr, LSR and the instruction count live in Cranelift
/// variables for the whole block: the entry loads them (leaving at once if any is
/// tagged), every exit stores back what was written. Which registers to load is
/// learnt by translating the block once before (`touched`).
pub struct Lx<'a> {
    pub b: FunctionBuilder<'a>,
    /// `*mut JitState`.
    pub state: Value,
    /// Address of the wide instruction being translated, and of the first.
    pub pc: u64,
    pub start: u64,
    /// Window size and rotation on the current path: the block's key gives them at
    /// entry, `setwd` (growing) and `setbn`/`setbp` inside the block change them.
    pub wd_size: u32,
    pub br: crate::guest::cpu::Rotation,
    /// WD.dbl on the current path (the key's, then a `setwd`'s): a 32-bit result
    /// zero-extends when it is set, else it replaces only the low half.
    pub dbl: bool,
    /// The registers the block uses (`touched` of the translation before): their tags
    /// are checked on entry, after a call and when a `setwd` opens them; those kept in
    /// variables (`regs`) are loaded then.
    pub(super) preload: BTreeSet<u32>,
    /// Conditions under which the current code runs (innermost last).
    paths: Vec<LV>,
    /// Effects of the current wide instruction, with their conditions.
    pub effects: Vec<(LV, Effect)>,
    /// A transfer: (condition, target).
    pub transfer: Option<(LV, LV)>,
    /// Window, rotation and call events of the current wide instruction.
    pub events: Vec<(LV, Event)>,
    /// @p0..@p6 of the predicate logic unit.
    pub local_preds: [LV; 7],
    /// The block that leaves compiled code to interpret the current wide instruction.
    exit_here: Option<Block>,
    /// Exit blocks, the code they return, the window size and base, WD.dbl and the
    /// inlined call there, filled in by `finish`.
    exits: Vec<(Block, u64, u32, u32, bool, usize)>,
    /// Fixed `JitState` fields: guest memory base, page permissions, size, globals.
    mem: Value,
    pages: Value,
    mem_size: Value,
    pub(super) globals: Value,
    pub(super) global_tags: Value,
    /// The register file at %r0 (moves when a `setwd` changes the window, and at
    /// inlined calls and returns).
    pub(super) regs_ptr: Variable,
    /// Where the current window starts, in registers above the entry's %r0: 0 but
    /// in inlined calls. Registers are known (in `Learnt`, `regs`, `preload`) by
    /// their position counted from the entry's %r0.
    pub(super) base: u32,
    pub(super) win: WindowVars,
    /// The inlined call the current path is in (`inline`: 0 none, else one more
    /// than its index in `inlined`).
    pub(super) ctx: usize,
    pub(super) inlined: Vec<Inlined>,
    /// What this translation learns (`Learnt`: registers and globals used, what is
    /// written, calls); its exits store what `written` and `dirty` say, which start
    /// from what the translation before learnt.
    pub(super) seen: Learnt,
    /// Global registers whose tags the entry checked.
    pub(super) globals_checked: BTreeSet<u32>,
    /// Low 64 bits and the `hi` word of each register kept in variables.
    pub(super) regs: BTreeMap<u32, (Variable, Variable)>,
    /// Globals kept in variables (64 bits: compiled code keeps no more of a global).
    pub(super) gvars: BTreeMap<u32, Variable>,
    pub(super) preds: Variable,
    pub(super) ctpr: [Variable; 4],
    pub(super) lsr: Variable,
    pub(super) executed: Variable,
    /// The stack pointer, and its value after the current instruction's getsp.
    pub(super) sp: Variable,
    sp_now: Option<LV>,
    /// BR (packed) on the current path.
    pub(super) br_var: Variable,
    /// Whether the current wide instruction called helpers of home 0 / 1 (their flags
    /// are folded in when it completes).
    pub(crate) raised: [bool; 2],
    /// %ctpr values known on the current path (prepared earlier in the block), so
    /// that transfers through them have known targets.
    pub ctpr_known: [Option<u128>; 4],
    /// The host's calling convention, for helpers.
    pub host_cc: CallConv,
    /// MAS and channel of the operation being lowered: compiled code makes only plain
    /// little-endian accesses, the interpreter the rest (locks, %MLOCK, byte order).
    pub mas: u8,
    pub ch: u8,
    /// A debugger's breakpoints (no call is made in compiled code to or back to one).
    pub(super) stops: &'a BTreeSet<u64>,
    /// The JIT's link cells, where call sites of this translation get theirs.
    #[allow(clippy::vec_box)]
    pub(super) links: &'a mut Vec<Box<crate::engine::jit::state::LinkCell>>,
    /// Guest accesses are plain host accesses, a fault raising `JitState::faulted`
    /// (`host_fault`); else they check the page table.
    host_faults: bool,
    /// The current wide instruction accessed guest memory so.
    accessed: bool,
    /// %pfpfr rounds to nearest and has inexact raised (`block_cache::fp_easy`,
    /// checked on entry).
    pub(crate) fp_easy: bool,
    /// Float slow paths leave for the interpreter (`Lx::slow_leaves`), but at the
    /// instructions in `float_calls`.
    pub(crate) float_leaves: bool,
    pub(crate) float_calls: &'a BTreeSet<u64>,
}

const PLAIN: mas::Access = mas::Access::Plain { big_endian: false };

fn mask(w: u32) -> u128 {
    bits::mask(w)
}

/// What a translation gets from the JIT: the debugger's stops, the link cells, the
/// host's calling convention (for helpers), whether host faults are recognized.
pub struct JitSide<'a> {
    pub stops: &'a BTreeSet<u64>,
    #[allow(clippy::vec_box)]
    pub links: &'a mut Vec<Box<crate::engine::jit::state::LinkCell>>,
    pub host_cc: CallConv,
    pub host_faults: bool,
    pub float_leaves: bool,
    pub float_calls: &'a BTreeSet<u64>,
}

impl<'a> Lx<'a> {
    /// Starts translating the block at `start` in the entry block: loads the state the
    /// block uses (the registers in `preload`) and leaves at once if any of it is
    /// tagged. Returns with the builder in the block's head.
    pub fn new(
        mut b: FunctionBuilder<'a>,
        state: Value,
        key: &Key,
        learnt: &Learnt,
        head: Block,
        side: JitSide<'a>,
    ) -> Lx<'a> {
        let JitSide {
            stops,
            links,
            host_cc,
            host_faults,
            float_leaves,
            float_calls,
        } = side;
        let (in_vars, global_vars) = learnt.chosen();
        let (start, wd_size, br, ctpr_now) = (key.ip, key.wd_size, key.rotation(), key.ctprs());
        let t = MemFlags::trusted();
        let [mem, pages, mem_size, globals, global_tags, regs_at] = [
            off::MEM,
            off::PAGES,
            off::MEM_SIZE,
            off::GLOBALS,
            off::GLOBAL_TAGS,
            off::REGS,
        ]
        .map(|o| b.ins().load(types::I64, t, state, o));
        let preds = b.declare_var(types::I32);
        let v = b.ins().load(types::I32, t, state, off::PREDS);
        b.def_var(preds, v);
        let ctpr = [0, 1, 2, 3].map(|k| {
            let var = b.declare_var(types::I64);
            let v = b.ins().load(types::I64, t, state, off::CTPR + 8 * k);
            b.def_var(var, v);
            var
        });
        // The %ctpr values at translation are assumed (and checked on entry): loops
        // branch through a %ctpr prepared before them, which makes their target and
        // kind known.
        let mut guard = None;
        let mut ctpr_known = [None; 4];
        for k in 1..4 {
            if ctpr_now[k] != 0 {
                let v = b.use_var(ctpr[k]);
                let ne = b.ins().icmp_imm(IntCC::NotEqual, v, ctpr_now[k] as i64);
                let ne = b.ins().uextend(types::I64, ne);
                guard = Some(match guard {
                    None => ne,
                    Some(g) => b.ins().bor(g, ne),
                });
                ctpr_known[k] = Some(ctpr_now[k] as u128);
            }
        }
        if key.fp_easy {
            let p = b.ins().load(types::I32, t, state, off::PFPFR);
            let m = b
                .ins()
                .band_imm(p, crate::engine::jit::block_cache::FP_EASY_MASK as i64);
            let ne = b.ins().icmp_imm(
                IntCC::NotEqual,
                m,
                crate::engine::jit::block_cache::FP_EASY as i64,
            );
            let ne = b.ins().uextend(types::I64, ne);
            guard = Some(match guard {
                None => ne,
                Some(g) => b.ins().bor(g, ne),
            });
        }
        let lsr = b.declare_var(types::I64);
        let v = b.ins().load(types::I64, t, state, off::LSR);
        b.def_var(lsr, v);
        let executed = b.declare_var(types::I64);
        let v = b.ins().load(types::I64, t, state, off::EXECUTED);
        b.def_var(executed, v);
        let sp = b.declare_var(types::I64);
        let v = b.ins().load(types::I64, t, state, off::SP);
        b.def_var(sp, v);
        let br_var = b.declare_var(types::I64);
        let v = b.ins().iconst(types::I64, br.pack() as i64);
        b.def_var(br_var, v);
        let regs_ptr = b.declare_var(types::I64);
        b.def_var(regs_ptr, regs_at);
        let var = |b: &mut FunctionBuilder, ty, v| {
            let var = b.declare_var(ty);
            b.def_var(var, v);
            var
        };
        // Only code that moves the window reads these (and so learns `window`); the
        // others do without the loads (a build that learns it is built again).
        let moves = learnt.window;
        let load = |b: &mut FunctionBuilder, ty, o| match moves {
            true => b.ins().load(ty, t, state, o),
            false => b.ins().iconst(ty, 0),
        };
        let wd_base = load(&mut b, types::I64, off::WD_BASE);
        let psize = load(&mut b, types::I32, off::WD_PSIZE);
        let ind = load(&mut b, types::I64, off::PCS_IND);
        let first = load(&mut b, types::I64, off::REGS_FIRST);
        let fx = match moves {
            true => b.ins().uload8(types::I64, t, state, off::WD_FX),
            false => b.ins().iconst(types::I64, 0),
        };
        let win = WindowVars {
            base: var(&mut b, types::I64, wd_base),
            psize: var(&mut b, types::I32, psize),
            fx: var(&mut b, types::I64, fx),
            ind: var(&mut b, types::I64, ind),
            first: var(&mut b, types::I64, first),
        };
        if learnt.window {
            let end = b.ins().load(types::I64, t, state, off::REGS_END);
            let here = b.ins().iadd_imm(wd_base, wd_size as i64);
            let ne = b.ins().icmp(IntCC::NotEqual, end, here);
            let ne = b.ins().uextend(types::I64, ne);
            guard = Some(match guard {
                None => ne,
                Some(g) => b.ins().bor(g, ne),
            });
        }
        // Tagged predicates or registers: the interpreter runs this block.
        let mut tags = b.ins().load(types::I32, t, state, off::PRED_TAGS);
        tags = b.ins().uextend(types::I64, tags);
        let mut regs = BTreeMap::new();
        // Registers holding tags are left to the interpreter too; the extension word
        // (of 80/128-bit values) is kept in a variable beside the low 64 bits.
        for &pos in &learnt.touched {
            let at = (pos as i64 * REG_SIZE) as i32;
            let regs_ptr = regs_at;
            if !in_vars.contains(&pos) {
                if pos < wd_size {
                    let tag = b.ins().uload8(types::I64, t, regs_ptr, at + REG_TAG);
                    tags = b.ins().bor(tags, tag);
                }
                continue;
            }
            if pos >= wd_size {
                // Beyond the window at entry (loaded after the `setwd` that reaches it).
                let z = b.ins().iconst(types::I64, 0);
                let (lo, hi) = (b.declare_var(types::I64), b.declare_var(types::I64));
                b.def_var(lo, z);
                b.def_var(hi, z);
                regs.insert(pos, (lo, hi));
                continue;
            }
            let tag = b.ins().uload8(types::I64, t, regs_ptr, at + REG_TAG);
            tags = b.ins().bor(tags, tag);
            let lo = b.declare_var(types::I64);
            let v = b.ins().load(types::I64, reg_flags(), regs_ptr, at);
            b.def_var(lo, v);
            let hi = b.declare_var(types::I64);
            let v = b.ins().load(types::I64, reg_flags(), regs_ptr, at + REG_HI);
            b.def_var(hi, v);
            regs.insert(pos, (lo, hi));
        }
        let mut gvars = BTreeMap::new();
        for &n in &learnt.globals {
            let tag = b.ins().uload8(types::I64, t, global_tags, n as i32);
            tags = b.ins().bor(tags, tag);
            if global_vars.contains(&n) {
                let var = b.declare_var(types::I64);
                let v = b
                    .ins()
                    .load(types::I64, global_flags(), globals, n as i32 * 8);
                b.def_var(var, v);
                gvars.insert(n, var);
            }
        }
        if let Some(g) = guard {
            tags = b.ins().bor(tags, g);
        }
        let away = b.create_block();
        b.ins().brif(tags, away, &[], head, &[]);
        b.switch_to_block(away);
        let code = b.ins().iconst(types::I64, (start | EXIT_INTERPRET) as i64);
        b.ins().return_(&[code]);
        b.switch_to_block(head);
        Lx {
            mas: 0,
            ch: 0,
            b,
            state,
            pc: start,
            start,
            wd_size,
            br,
            dbl: key.dbl,
            preload: learnt.touched.clone(),
            paths: vec![],
            effects: vec![],
            transfer: None,
            events: vec![],
            local_preds: [LV::C(0); 7],
            exit_here: None,
            exits: vec![],
            mem,
            pages,
            mem_size,
            globals,
            global_tags,
            regs_ptr,
            win,
            base: 0,
            ctx: 0,
            inlined: vec![],
            seen: Learnt {
                touched: learnt.touched.clone(),
                // Every exit stores every register the block may write, and the state
                // it may change (the variables hold the right value on every path:
                // they are loaded at entry or by the `setwd` that opens them).
                written: learnt.written.clone(),
                dirty: learnt.dirty,
                uses: BTreeMap::new(),
                call_sites: BTreeSet::new(),
                loops: BTreeSet::new(),
                cut: learnt.cut.clone(),
                no_inline: learnt.no_inline.clone(),
                overflowed: BTreeSet::new(),
                window: learnt.window,
                globals: BTreeSet::new(),
                global_uses: BTreeMap::new(),
                globals_written: learnt.globals_written.clone(),
            },
            globals_checked: learnt.globals.clone(),
            regs,
            gvars,
            preds,
            ctpr,
            lsr,
            executed,
            sp,
            sp_now: None,
            br_var,
            raised: [false; 2],
            ctpr_known,
            stops,
            links,
            host_cc,
            host_faults,
            accessed: false,
            fp_easy: key.fp_easy,
            float_leaves,
            float_calls,
        }
    }

    /// What the current path's code is translated for.
    pub fn assumed(&self) -> Assumed {
        (
            self.ctpr_known,
            self.wd_size,
            self.br.pack(),
            self.dbl,
            self.ctx,
        )
    }

    /// Continues translating a path under `a` (it was recorded by `assumed`).
    pub fn assume(&mut self, a: Assumed) {
        self.ctpr_known = a.0;
        self.wd_size = a.1;
        self.br = crate::guest::cpu::Rotation::unpack(a.2);
        self.dbl = a.3;
        self.ctx = a.4;
        self.base = match a.4 {
            0 => 0,
            c => self.inlined[c - 1].base,
        };
    }

    /// A new link cell of this translation (its address).
    pub(super) fn new_link(&mut self) -> i64 {
        self.links.push(Box::new([0; 5]));
        self.links.last_mut().map_or(0, |l| l.as_mut_ptr() as i64)
    }

    /// Leaves for the wide instruction at `target` (aligned): stores what the block
    /// changed and tail-calls the translation a link cell of this exit caches, if it
    /// was made for this target and the %ctpr values here not known at translation.
    /// Otherwise (and with a signal pending) returns to the dispatcher, telling it the
    /// cell to fill (`JitState::link_out`, see `Jit::run`).
    pub fn chain(&mut self, target: LV) {
        if let LV::C(t) = target {
            if t as u64 & EXIT_FLAGS != 0 || self.stops.contains(&(t as u64)) {
                let code = self.value(target);
                return self.leave_with(code);
            }
        }
        let link = self.new_link();
        let size = self.wd_size;
        self.store_state(size);
        let tr = MemFlags::trusted();
        let cell = self.b.ins().iconst(types::I64, link);
        let f = self.b.ins().load(types::I64, tr, cell, 0);
        let mut out = self.b.ins().icmp_imm(IntCC::Equal, f, 0);
        let pending = self.signal_pending();
        let pending = self.b.ins().icmp_imm(IntCC::NotEqual, pending, 0);
        out = self.b.ins().bor(out, pending);
        let code = self.value(target);
        let mut differs = |x: &mut Lx, now: Value, at: i32| {
            let was = x.b.ins().load(types::I64, tr, cell, at);
            let ne = x.b.ins().icmp(IntCC::NotEqual, was, now);
            out = x.b.ins().bor(out, ne);
        };
        if !matches!(target, LV::C(_)) {
            differs(self, code, 8);
        }
        for k in 1..4 {
            if self.ctpr_known[k].is_none() {
                let now = self.b.use_var(self.ctpr[k]);
                differs(self, now, 8 * (k as i32 + 1));
            }
        }
        let away = self.b.create_block();
        let go = self.b.create_block();
        self.b.set_cold_block(away);
        self.b.ins().brif(out, away, &[], go, &[]);
        self.b.switch_to_block(away);
        self.b.ins().store(tr, cell, self.state, off::LINK_OUT);
        self.b.ins().return_(&[code]);
        self.b.switch_to_block(go);
        let n = self
            .b
            .ins()
            .load(types::I64, tr, self.state, off::NESTED_RUNS);
        let n = self.b.ins().iadd_imm(n, 1);
        self.b.ins().store(tr, n, self.state, off::NESTED_RUNS);
        let sig = self.block_signature();
        self.b.ins().return_call_indirect(sig, f, &[self.state]);
    }

    /// The thread's pending-signal word (non-zero: compiled code should return to the
    /// dispatcher). Each thread has its own JIT, so its address is a constant.
    pub(super) fn signal_pending(&mut self) -> Value {
        let flag = self
            .b
            .ins()
            .iconst(types::I64, crate::engine::interrupt::word() as i64);
        self.b.ins().load(types::I64, MemFlags::trusted(), flag, 0)
    }

    /// The signature of a translation (`CallConv::Tail`: exits tail-call the next).
    pub(super) fn block_signature(&mut self) -> SigRef {
        self.b
            .import_signature(crate::engine::jit::state::block_signature())
    }

    /// Stores what the block changed and returns `code` to the dispatcher.
    pub fn leave_with(&mut self, code: Value) {
        let size = self.wd_size;
        self.leave_sized(code, size);
    }

    /// Stores the registers kept in variables that were written (those inside a
    /// window of `size`); the others were written in place.
    /// (Those of inlined callers too, below the window: they stay resident.)
    fn store_regs(&mut self, size: u32) {
        let regs_ptr = self.b.use_var(self.regs_ptr);
        for pos in self.seen.written.clone() {
            let Some(&(lo, hi)) = self.regs.get(&pos) else {
                continue;
            };
            if pos >= self.base + size {
                continue;
            }
            let at = self.reg_offset(pos);
            let l = self.b.use_var(lo);
            self.b.ins().store(reg_flags(), l, regs_ptr, at);
            let h = self.b.use_var(hi);
            self.b.ins().store(reg_flags(), h, regs_ptr, at + REG_HI);
        }
    }

    /// `leave_with` where the window has `size` registers.
    fn leave_sized(&mut self, code: Value, size: u32) {
        self.store_state(size);
        self.b.ins().return_(&[code]);
    }

    /// Stores what the block changed (registers inside a window of `size`) where the
    /// dispatcher and the helpers find it.
    pub(super) fn store_state(&mut self, size: u32) {
        let t = MemFlags::trusted();
        let s = self.state;
        self.store_regs(size);
        for n in self.seen.globals_written.clone() {
            if let Some(&var) = self.gvars.get(&n) {
                let v = self.b.use_var(var);
                self.b
                    .ins()
                    .store(global_flags(), v, self.globals, n as i32 * 8);
            }
        }
        if self.seen.dirty[6] {
            let v = self.b.use_var(self.sp);
            self.b.ins().store(t, v, s, off::SP);
        }
        if self.seen.dirty[7] {
            let v = self.b.use_var(self.br_var);
            self.b.ins().store(t, v, s, off::BR);
        }
        if self.seen.dirty[0] {
            let v = self.b.use_var(self.preds);
            self.b.ins().store(t, v, s, off::PREDS);
        }
        for k in 0..4 {
            if self.seen.dirty[1 + k] {
                let v = self.b.use_var(self.ctpr[k]);
                self.b.ins().store(t, v, s, off::CTPR + 8 * k as i32);
            }
        }
        if self.seen.dirty[5] {
            let v = self.b.use_var(self.lsr);
            self.b.ins().store(t, v, s, off::LSR);
        }
        let n = self.b.use_var(self.executed);
        self.b.ins().store(t, n, s, off::EXECUTED);
        if self.seen.window {
            self.store_window_state(size);
        }
        self.store_frames();
    }

    /// The window state in `WindowVars` (a window of `size`) to `JitState`.
    pub(super) fn store_window_state(&mut self, size: u32) {
        let t = MemFlags::trusted();
        let s = self.state;
        let base = self.b.use_var(self.win.base);
        self.b.ins().store(t, base, s, off::WD_BASE);
        let end = self.b.ins().iadd_imm(base, size as i64);
        self.b.ins().store(t, end, s, off::REGS_END);
        let sz = self.b.ins().iconst(types::I32, size as i64);
        self.b.ins().store(t, sz, s, off::WD_SIZE);
        let psize = self.b.use_var(self.win.psize);
        self.b.ins().store(t, psize, s, off::WD_PSIZE);
        let fx = self.b.use_var(self.win.fx);
        let fx = self.b.ins().ireduce(types::I8, fx);
        self.b.ins().store(t, fx, s, off::WD_FX);
        let dbl = self.b.ins().iconst(types::I8, self.dbl as i64);
        self.b.ins().store(t, dbl, s, off::WD_DBL);
        let regs = self.b.use_var(self.regs_ptr);
        self.b.ins().store(t, regs, s, off::REGS);
        let ind = self.b.use_var(self.win.ind);
        self.b.ins().store(t, ind, s, off::PCS_IND);
    }

    /// `WindowVars` and the register pointer from `JitState` (after a helper).
    pub(super) fn reload_window_state(&mut self) {
        let t = MemFlags::trusted();
        let s = self.state;
        let v = self.b.ins().load(types::I64, t, s, off::REGS);
        self.b.def_var(self.regs_ptr, v);
        for (var, ty, o) in [
            (self.win.base, types::I64, off::WD_BASE),
            (self.win.psize, types::I32, off::WD_PSIZE),
            (self.win.ind, types::I64, off::PCS_IND),
            (self.win.first, types::I64, off::REGS_FIRST),
        ] {
            let v = self.b.ins().load(ty, t, s, o);
            self.b.def_var(var, v);
        }
        let v = self.b.ins().uload8(types::I64, t, s, off::WD_FX);
        self.b.def_var(self.win.fx, v);
    }

    /// Counts one executed wide instruction.
    pub fn count(&mut self) {
        let n = self.b.use_var(self.executed);
        let n = self.b.ins().iadd_imm(n, 1);
        self.b.def_var(self.executed, n);
    }

    /// Fills the exit blocks; call once the last block is terminated.
    pub fn finish(&mut self) {
        for (blk, code, size, base, dbl, ctx) in std::mem::take(&mut self.exits) {
            self.b.switch_to_block(blk);
            self.base = base;
            self.dbl = dbl;
            self.ctx = ctx;
            let c = self.b.ins().iconst(types::I64, code as i64);
            self.leave_sized(c, size);
        }
    }

    /// The offset from `regs_ptr` of register `pos` (counted from the entry's %r0).
    pub(super) fn reg_offset(&self, pos: u32) -> i32 {
        ((pos as i64 - self.base as i64) * REG_SIZE) as i32
    }

    /// Starts a wide instruction.
    pub fn begin(&mut self, pc: u64) {
        self.pc = pc;
        self.paths.clear();
        self.effects.clear();
        self.transfer = None;
        self.events.clear();
        self.local_preds = [LV::C(0); 7];
        self.exit_here = None;
        self.raised = [false; 2];
        self.sp_now = None;
        self.accessed = false;
    }

    /// Leaves for the interpreter if a guest access of this wide instruction faulted
    /// on the host (before anything of it lands).
    fn check_host_faults(&mut self) {
        if !self.accessed {
            return;
        }
        // An atomic load: one flag load may not stand for another across the
        // accesses between them (they may fault, which a plain load does not see).
        let at = self.state_field(off::FAULTED);
        let f = self
            .b
            .ins()
            .atomic_load(types::I32, MemFlags::trusted(), at);
        let exit = self.exit_block();
        let cont = self.b.create_block();
        self.b.ins().brif(f, exit, &[], cont, &[]);
        self.b.seal_block(cont);
        self.b.switch_to_block(cont);
    }

    fn state_field(&mut self, o: i32) -> Value {
        self.b.ins().iadd_imm(self.state, o as i64)
    }

    /// Records a window, rotation or call event under the current path.
    pub fn event(&mut self, e: Event) -> Result<(), NoLower> {
        let c = self.path()?;
        if c != LV::C(0) {
            self.events.push((c, e));
        }
        Ok(())
    }

    /// After the instruction's effects: if one of its events happens, hand them (and
    /// its transfer) to the interpreter's control code and leave; returns whether
    /// they happen for sure (then this path ends).
    pub fn emit_events(&mut self, next: u64) -> Result<bool, NoLower> {
        if self.events.is_empty() {
            return Ok(false);
        }
        if let Some(ends) = self.return_in_code()? {
            return Ok(ends);
        }
        if let Some(after) = self.call_in_code(next)? {
            // Where the call was not made, the dispatcher makes it.
            self.emit_control(next)?;
            self.b.switch_to_block(after);
            self.reload_after_call(next);
            return Ok(false);
        }
        self.emit_control(next)
    }

    /// `emit_events` through the dispatcher.
    pub(super) fn emit_control(&mut self, next: u64) -> Result<bool, NoLower> {
        let t = MemFlags::trusted();
        let s = self.state;
        let mut mask = LV::C(0);
        for (c, e) in self.events.clone() {
            let bit = match e {
                Event::Window(wsz, nfx, dbl) => {
                    let v = self.b.ins().iconst(
                        types::I32,
                        (wsz | (nfx as u32) << 8 | (dbl as u32) << 9) as i64,
                    );
                    self.b.ins().store(t, v, s, off::EV_WINDOW);
                    ev::WINDOW
                }
                Event::RegRotation(rbs, rsz, rcur) => {
                    let v = self
                        .b
                        .ins()
                        .iconst(types::I32, (rbs | rsz << 8 | rcur << 16) as i64);
                    self.b.ins().store(t, v, s, off::EV_ROTATION);
                    ev::REG_ROTATION
                }
                Event::PredRotation(psz) => {
                    let v = self.b.ins().iconst(types::I32, psz as i64);
                    self.b.ins().store(t, v, s, off::EV_PSZ);
                    ev::PRED_ROTATION
                }
                Event::RotateRegs => ev::ROTATE_REGS,
                Event::RotatePreds => ev::ROTATE_PREDS,
                Event::Call(target, wbs) | Event::Syscall(target, wbs) => {
                    let v = self.value(target);
                    let v = self.pick(c, LV::V(v), v);
                    self.b.ins().store(t, v, s, off::EV_TARGET);
                    let w = self.b.ins().iconst(types::I32, wbs as i64);
                    self.b.ins().store(t, w, s, off::EV_WBS);
                    if matches!(e, Event::Call(..)) {
                        ev::CALL
                    } else {
                        ev::SYSCALL
                    }
                }
                Event::Return => ev::RETURN,
            };
            let b = select(self, c, LV::C(bit as u128), LV::C(0))?;
            mask = or(self, mask, b)?;
        }
        if let Some((c, target)) = self.transfer {
            let v = self.value(target);
            self.b.ins().store(t, v, s, off::EV_JUMP);
            let b = select(self, c, LV::C(ev::JUMP as u128), LV::C(0))?;
            // Only together with another event: a plain jump stays in compiled code.
            let any = ne(self, mask, LV::C(0))?;
            let b = select(self, any, b, LV::C(0))?;
            mask = or(self, mask, b)?;
        }
        let n = self.b.ins().iconst(types::I64, next as i64);
        self.b.ins().store(t, n, s, off::EV_NEXT);
        let code = self
            .b
            .ins()
            .iconst(types::I64, (self.pc | EXIT_CONTROL) as i64);
        match mask {
            LV::C(0) => Ok(false),
            LV::C(m) => {
                let m = self.b.ins().iconst(types::I32, m as i64);
                self.b.ins().store(t, m, s, off::EV_MASK);
                self.leave_with(code);
                Ok(true)
            }
            LV::V(m) | LV::W(m, _) => {
                let m32 = self.b.ins().ireduce(types::I32, m);
                self.b.ins().store(t, m32, s, off::EV_MASK);
                let away = self.b.create_block();
                let stay = self.b.create_block();
                self.b.ins().brif(m, away, &[], stay, &[]);
                self.b.switch_to_block(away);
                self.leave_with(code);
                self.b.switch_to_block(stay);
                Ok(false)
            }
        }
    }

    /// The low 64 bits of `v` as a Cranelift value.
    pub fn value(&mut self, v: LV) -> Value {
        match v {
            LV::C(c) => self.b.ins().iconst(types::I64, c as u64 as i64),
            LV::V(v) | LV::W(v, _) => v,
        }
    }

    /// The bits of `v` above the low 64 (none for `LV::V`).
    pub fn high(&mut self, v: LV) -> LV {
        match v {
            LV::C(c) => LV::C(c >> 64),
            LV::V(_) => LV::C(0),
            LV::W(_, h) => LV::V(h),
        }
    }

    fn flag(&mut self, v: LV) -> Value {
        let x = self.value(v);
        self.b.ins().icmp_imm(IntCC::NotEqual, x, 0)
    }

    /// The condition under which the current code runs.
    pub fn path(&mut self) -> Result<LV, NoLower> {
        let mut c = LV::C(1);
        for p in self.paths.clone() {
            c = land(self, c, p)?;
        }
        Ok(c)
    }

    pub fn push_path(&mut self, c: LV) -> Result<(), NoLower> {
        self.paths.push(c);
        Ok(())
    }

    /// Switches the innermost condition to its negation (the `else` side).
    pub fn flip_path(&mut self) -> Result<(), NoLower> {
        let c = self.paths.pop().ok_or(NoLower)?;
        let n = eq(self, c, LV::C(0))?;
        self.paths.push(n);
        Ok(())
    }

    pub fn pop_path(&mut self) {
        self.paths.pop();
    }

    /// Records an effect of the current wide instruction under the current path.
    pub fn effect(&mut self, e: Effect) -> Result<(), NoLower> {
        let c = self.path()?;
        // A register write is checked against the window when it lands (`commit`):
        // after this instruction's `setwd`, which may open it.
        if c != LV::C(0) {
            self.effects.push((c, e));
        }
        Ok(())
    }

    /// Leaves compiled code, to interpret this wide instruction, when `c` holds.
    pub fn exit_if(&mut self, c: LV) -> Result<(), NoLower> {
        let p = self.path()?;
        let c = land(self, p, c)?;
        match c {
            LV::C(0) => Ok(()),
            // Always leaving: the interpreter should simply run this instruction.
            LV::C(_) => Err(NoLower),
            LV::V(_) | LV::W(..) => {
                let f = self.flag(c);
                let exit = self.exit_block();
                let cont = self.b.create_block();
                self.b.ins().brif(f, exit, &[], cont, &[]);
                self.b.seal_block(cont);
                self.b.switch_to_block(cont);
                Ok(())
            }
        }
    }

    /// The block leaving for the interpreter to run the current wide instruction.
    pub(crate) fn exit_block(&mut self) -> Block {
        if let Some(b) = self.exit_here {
            return b;
        }
        let blk = self.b.create_block();
        self.b.set_cold_block(blk);
        self.exits.push((
            blk,
            self.pc | EXIT_INTERPRET,
            self.wd_size,
            self.base,
            self.dbl,
            self.ctx,
        ));
        self.exit_here = Some(blk);
        blk
    }

    /// The interpreter raises the trap (with its exact message), so a trap that may
    /// happen is a side exit.
    pub fn trap_if(&mut self, c: LV, _t: Trap) -> Result<(), NoLower> {
        self.exit_if(c)
    }

    /// Host address of a guest access, leaving for the interpreter when the access is
    /// outside guest memory or not allowed by the page permissions (`need`).
    fn guest_address(
        &mut self,
        addr: LV,
        bytes: u64,
        need: u8,
        forbid: u8,
    ) -> Result<Value, NoLower> {
        let a = self.value(addr);
        if self.host_faults {
            // The host checks the rest (a guard page follows guest memory).
            self.accessed = true;
            let outside = self
                .b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, a, self.mem_size);
            let outside = self.b.ins().uextend(types::I64, outside);
            self.exit_if(LV::V(outside))?;
            return Ok(self.host_address(a));
        }
        // One page-table entry covers the access unless it crosses a page, which is
        // left to the interpreter with addresses outside guest memory (the table has
        // an entry for every page of it).
        let outside = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, a, self.mem_size);
        let in_page = self.b.ins().band_imm(a, 0xfff);
        let crosses =
            self.b
                .ins()
                .icmp_imm(IntCC::UnsignedGreaterThan, in_page, 0x1000 - bytes as i64);
        let bad_range = self.b.ins().bor(outside, crosses);
        let bad_range = self.b.ins().uextend(types::I64, bad_range);
        self.exit_if(LV::V(bad_range))?;
        let perm = self.page_perm(a);
        let m = self.b.ins().band_imm(
            perm,
            (need | forbid | crate::guest::memory::perm::MAPPED) as i64,
        );
        let bad = self.b.ins().icmp_imm(
            IntCC::NotEqual,
            m,
            (need | crate::guest::memory::perm::MAPPED) as i64,
        );
        let bad = self.b.ins().uextend(types::I64, bad);
        self.exit_if(LV::V(bad))?;
        Ok(self.host_address(a))
    }

    /// The page-table entry (`guest::memory::perm` bits) of the guest page holding
    /// `a`, which must lie inside guest memory.
    pub(super) fn page_perm(&mut self, a: Value) -> Value {
        let pg = self.b.ins().ushr_imm(a, 12);
        let at = self.b.ins().iadd(self.pages, pg);
        self.b.ins().uload8(types::I64, MemFlags::trusted(), at, 0)
    }

    /// Host address of guest memory at `a` (inside guest memory).
    pub(super) fn host_address(&mut self, a: Value) -> Value {
        self.b.ins().iadd(self.mem, a)
    }

    /// Calls a pure helper (`extern "C" fn(control: u32, args: u64.., flags: *mut u32
    /// [, hi: *mut u64]) -> u64`) where the current path holds: home 0 reads %pfpfr and
    /// raises its flags, home 1 %fpcr and %fpsr's. Arguments whose bit is set in `wide`
    /// go as two words (low 64 bits, then the bits above); a `wide_ret` helper returns
    /// its low 64 bits and writes the bits above through `hi` (`JitState::ret_hi`).
    pub fn call_helper(
        &mut self,
        home: usize,
        f: usize,
        args: &[LV],
        wide: u32,
        wide_ret: bool,
    ) -> Result<LV, NoLower> {
        let (control, flags) = match home {
            0 => (off::PFPFR, off::FP_FLAGS_NOW),
            1 => (off::FPCR, off::FPX_FLAGS_NOW),
            _ => return Err(NoLower),
        };
        self.raised[home] = true;
        let n = if wide_ret { 2 } else { 1 };
        let v = self.guarded(n, |x| {
            Ok(x.emit_helper_call(control, flags, f, args, wide, wide_ret))
        })?;
        Ok(match v.as_slice() {
            [] => LV::C(0),
            [lo] => LV::V(*lo),
            [lo, hi, ..] => LV::W(*lo, *hi),
        })
    }

    /// The call of a pure helper, here (no path guard): the code `call_helper` guards.
    pub(crate) fn emit_helper_call(
        &mut self,
        control: i32,
        flags: i32,
        f: usize,
        args: &[LV],
        wide: u32,
        wide_ret: bool,
    ) -> Vec<Value> {
        let x = self;
        let mut sig = Signature::new(x.host_cc);
        sig.params.push(AbiParam::new(types::I32));
        let mut vals = vec![x
            .b
            .ins()
            .load(types::I32, MemFlags::trusted(), x.state, control)];
        for (k, a) in args.iter().enumerate() {
            sig.params.push(AbiParam::new(types::I64));
            vals.push(x.value(*a));
            if wide & 1 << k != 0 {
                sig.params.push(AbiParam::new(types::I64));
                let h = x.high(*a);
                vals.push(x.value(h));
            }
        }
        sig.params.push(AbiParam::new(types::I64));
        vals.push(x.b.ins().iadd_imm(x.state, flags as i64));
        if wide_ret {
            sig.params.push(AbiParam::new(types::I64));
            vals.push(x.b.ins().iadd_imm(x.state, off::RET_HI as i64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        let sig = x.b.import_signature(sig);
        let callee = x.b.ins().iconst(types::I64, f as i64);
        let call = x.b.ins().call_indirect(sig, callee, &vals);
        let lo = x.b.inst_results(call)[0];
        let mut out = vec![lo];
        if wide_ret {
            let hi =
                x.b.ins()
                    .load(types::I64, MemFlags::trusted(), x.state, off::RET_HI);
            out.push(hi);
        }
        out
    }

    /// Runs `f` (which makes `n` values, or none) only where the current path holds;
    /// its results (or zeros) join after.
    pub(crate) fn guarded(
        &mut self,
        n: usize,
        f: impl FnOnce(&mut Self) -> Result<Vec<Value>, NoLower>,
    ) -> Result<Vec<Value>, NoLower> {
        let p = self.path()?;
        match p {
            LV::C(0) => Ok(vec![]),
            LV::C(_) => f(self),
            LV::V(_) | LV::W(..) => {
                let flag = self.flag(p);
                let body = self.b.create_block();
                let join = self.b.create_block();
                for _ in 0..n {
                    self.b.append_block_param(join, types::I64);
                }
                let zero = self.b.ins().iconst(types::I64, 0);
                let zeros = vec![BlockArg::Value(zero); n];
                self.b.ins().brif(flag, body, &[], join, &zeros);
                self.b.seal_block(body);
                self.b.switch_to_block(body);
                let saved = std::mem::take(&mut self.paths);
                let r = f(self);
                self.paths = saved;
                let mut vs = r?;
                vs.resize(n, zero);
                let args: Vec<BlockArg> = vs.iter().map(|v| BlockArg::Value(*v)).collect();
                self.b.ins().jump(join, &args);
                self.b.seal_block(join);
                self.b.switch_to_block(join);
                Ok(self.b.block_params(join).to_vec())
            }
        }
    }

    pub fn load(&mut self, addr: LV, bits: u32) -> Result<LV, NoLower> {
        if bits > 64 || mas::load(self.mas, self.ch) != PLAIN {
            return Err(NoLower);
        }
        let v = self.guarded(1, |x| {
            let host =
                x.guest_address(addr, (bits / 8) as u64, crate::guest::memory::perm::READ, 0)?;
            let ty = match bits {
                8 => types::I8,
                16 => types::I16,
                32 => types::I32,
                _ => types::I64,
            };
            let v = x.b.ins().load(ty, MemFlags::new(), host, 0);
            Ok(vec![if bits < 64 {
                x.b.ins().uextend(types::I64, v)
            } else {
                v
            }])
        })?;
        Ok(v.first().map_or(LV::C(0), |v| LV::V(*v)))
    }

    pub fn store(&mut self, addr: LV, bits: u32, value: LV) -> Result<LV, NoLower> {
        if bits > 64 || mas::store(self.mas) != PLAIN {
            return Err(NoLower);
        }
        self.guarded(0, |x| {
            // Stores to code pages are left to the interpreter (it drops translations).
            let host = x.guest_address(
                addr,
                (bits / 8) as u64,
                crate::guest::memory::perm::WRITE,
                crate::guest::memory::perm::CODE,
            )?;
            let v = x.value(value);
            let v = if bits < 64 {
                let ty = match bits {
                    8 => types::I8,
                    16 => types::I16,
                    _ => types::I32,
                };
                x.b.ins().ireduce(ty, v)
            } else {
                v
            };
            x.b.ins().store(MemFlags::new(), v, host, 0);
            Ok(vec![])
        })?;
        Ok(LV::C(0))
    }

    /// Where register `pos` lives (counting a use).
    fn reg_home(&mut self, pos: u32) -> Result<Home, NoLower> {
        if pos >= self.wd_size {
            return Err(NoLower);
        }
        let at = pos + self.base;
        self.seen.touched.insert(at);
        *self.seen.uses.entry(at).or_default() += 1;
        Ok(match self.regs.get(&at) {
            Some(&(lo, hi)) => Home::Var(lo, hi),
            None => Home::Mem((pos as i64 * REG_SIZE) as i32),
        })
    }

    /// The low 64 bits (`hi` false) or the `hi` word of a register.
    fn reg_get(&mut self, h: Home, hi: bool) -> Value {
        match h {
            Home::Var(lo, h) => self.b.use_var(if hi { h } else { lo }),
            Home::Mem(at) => {
                let p = self.b.use_var(self.regs_ptr);
                let at = if hi { at + REG_HI } else { at };
                self.b.ins().load(types::I64, reg_flags(), p, at)
            }
        }
    }

    /// Sets the low 64 bits (`hi` false) or the `hi` word of a register.
    fn reg_set(&mut self, h: Home, hi: bool, v: Value) {
        match h {
            Home::Var(lo, h) => self.b.def_var(if hi { h } else { lo }, v),
            Home::Mem(at) => {
                let p = self.b.use_var(self.regs_ptr);
                let at = if hi { at + REG_HI } else { at };
                self.b.ins().store(reg_flags(), v, p, at);
            }
        }
    }

    /// Reads `%rN`-relative register `pos` (its tag was checked on entry) as the
    /// interpreter does: S the low 32 bits, D the low 64, X also the 16-bit extension,
    /// Q and P the whole `hi` word.
    pub fn read_reg(&mut self, pos: u32, ty: u8) -> Result<LV, NoLower> {
        let home = self.reg_home(pos)?;
        let v = self.reg_get(home, false);
        Ok(match ty {
            b'S' => LV::V(self.b.ins().band_imm(v, 0xffff_ffff)),
            b'X' => {
                let h = self.reg_get(home, true);
                LV::W(v, self.b.ins().band_imm(h, 0xffff))
            }
            b'Q' | b'P' => LV::W(v, self.reg_get(home, true)),
            _ => LV::V(v),
        })
    }

    /// Global `n`'s 64 bits, from its variable or from memory.
    fn global_get(&mut self, n: u32) -> Value {
        match self.gvars.get(&n) {
            Some(&var) => self.b.use_var(var),
            None => {
                let g = self.globals;
                self.b
                    .ins()
                    .load(types::I64, global_flags(), g, n as i32 * 8)
            }
        }
    }

    /// Reads global `n`; globals keep 64 bits (wider reads see zeros above).
    pub fn read_global(&mut self, n: u32, ty: u8) -> Result<LV, NoLower> {
        self.seen.globals.insert(n);
        if !self.globals_checked.contains(&n) {
            // Not checked on entry (the first translation): check here.
            let tags = self.global_tags;
            let tag = self
                .b
                .ins()
                .uload8(types::I64, MemFlags::trusted(), tags, n as i32);
            self.exit_if(LV::V(tag))?;
        }
        *self.seen.global_uses.entry(n).or_default() += 1;
        let v = self.global_get(n);
        Ok(LV::V(if ty == b'S' {
            self.b.ins().band_imm(v, 0xffff_ffff)
        } else {
            v
        }))
    }

    /// Physical predicate `p` (rotation already applied; tags were checked on entry).
    pub fn read_pred(&mut self, p: u32) -> Result<LV, NoLower> {
        let preds = self.b.use_var(self.preds);
        let v = self.b.ins().ushr_imm(preds, p as i64);
        let v = self.b.ins().band_imm(v, 1);
        Ok(LV::V(self.b.ins().uextend(types::I64, v)))
    }

    pub fn read_ctpr(&mut self, n: u32) -> LV {
        match self.ctpr_known[n as usize & 3] {
            Some(v) => LV::C(v),
            None => LV::V(self.b.use_var(self.ctpr[n as usize & 3])),
        }
    }

    pub fn read_lsr(&mut self) -> LV {
        LV::V(self.b.use_var(self.lsr))
    }

    /// Applies the recorded effects (the end of the wide instruction).
    pub fn commit(&mut self) -> Result<(), NoLower> {
        self.check_host_faults();
        // A window change lands before the results: they must fit the new window, and
        // the old one too unless compiled code makes the change itself (first).
        let mut fits = if self.inline_events() {
            u32::MAX
        } else {
            self.wd_size
        };
        for (_, e) in &self.events {
            if let Event::Window(wsz, ..) = e {
                fits = fits.min(2 * wsz);
            }
        }
        if fits == u32::MAX {
            fits = self.wd_size;
        }
        if self
            .effects
            .iter()
            .any(|(_, f)| matches!(f, Effect::Reg(pos, ..) if *pos >= fits))
        {
            return Err(NoLower);
        }
        // The 32-bit results of an instruction with a `setwd` follow the new dbl.
        let mut dbl = self.dbl;
        for (c, e) in &self.events {
            if let Event::Window(_, _, d) = *e {
                match c {
                    LV::C(k) if *k != 0 => dbl = d,
                    LV::C(_) => {}
                    _ if d != self.dbl
                        && self.effects.iter().any(|(_, f)| {
                            matches!(f, Effect::Reg(_, b'S', _) | Effect::Global(_, b'S', _))
                        }) =>
                    {
                        return Err(NoLower)
                    }
                    _ => {}
                }
            }
        }
        let inline = self.inline_events();
        if inline {
            self.change_window()?;
            self.dbl = dbl;
        }
        // The flags its helpers raised count now that the instruction completes.
        for (home, (now, acc)) in [
            (off::FP_FLAGS_NOW, off::FP_FLAGS),
            (off::FPX_FLAGS_NOW, off::FPX_FLAGS),
        ]
        .into_iter()
        .enumerate()
        {
            if self.raised[home] {
                // Mostly none (the fast paths raise only inexact, once).
                let t = MemFlags::trusted();
                let n = self.b.ins().load(types::I32, t, self.state, now);
                let (fold, cont) = (self.b.create_block(), self.b.create_block());
                self.b.set_cold_block(fold);
                self.b.ins().brif(n, fold, &[], cont, &[]);
                self.b.seal_block(fold);
                self.b.switch_to_block(fold);
                let a = self.b.ins().load(types::I32, t, self.state, acc);
                let v = self.b.ins().bor(a, n);
                self.b.ins().store(t, v, self.state, acc);
                let z = self.b.ins().iconst(types::I32, 0);
                self.b.ins().store(t, z, self.state, now);
                self.b.ins().jump(cont, &[]);
                self.b.seal_block(cont);
                self.b.switch_to_block(cont);
            }
        }
        let effects = std::mem::take(&mut self.effects);
        for (c, e) in effects {
            match e {
                Effect::Reg(pos, ty, v) => {
                    // As the interpreter writes registers: S (with dbl) and D clear the
                    // `hi` word, X keeps its 16-bit extension there, Q and P 64 bits;
                    // S without dbl replaces bits 31:0 only.
                    let home = self.reg_home(pos)?;
                    let h = self.high(v);
                    let (l, h) = match ty {
                        b'S' if dbl => (and(self, narrow(v), LV::C(0xffff_ffff))?, LV::C(0)),
                        b'S' => {
                            let low = and(self, narrow(v), LV::C(0xffff_ffff))?;
                            let old = LV::V(self.reg_get(home, false));
                            let up = and(self, old, LV::C(0xffff_ffff_0000_0000))?;
                            (or(self, up, low)?, LV::V(self.reg_get(home, true)))
                        }
                        b'X' => (narrow(v), and(self, h, LV::C(0xffff))?),
                        b'Q' | b'P' => (narrow(v), h),
                        _ => (narrow(v), LV::C(0)),
                    };
                    let (new, new_hi) = match c {
                        LV::C(_) => (self.value(l), self.value(h)),
                        LV::V(_) | LV::W(..) => {
                            let old = self.reg_get(home, false);
                            let old_hi = self.reg_get(home, true);
                            (self.pick(c, l, old), self.pick(c, h, old_hi))
                        }
                    };
                    self.reg_set(home, false, new);
                    self.reg_set(home, true, new_hi);
                    self.seen.written.insert(pos + self.base);
                }
                Effect::Global(n, ty, v) => {
                    self.seen.globals.insert(n);
                    *self.seen.global_uses.entry(n).or_default() += 1;
                    self.seen.globals_written.insert(n);
                    let v = narrow(v);
                    let v = if ty == b'S' {
                        and(self, v, LV::C(0xffff_ffff))?
                    } else {
                        v
                    };
                    // Without dbl a 32-bit result keeps bits 63:32 and their tag.
                    let low_half = ty == b'S' && !dbl;
                    let keeps = low_half || !matches!(c, LV::C(_));
                    let old = keeps.then(|| self.global_get(n));
                    let v = match old {
                        Some(old) if low_half => {
                            let up = and(self, LV::V(old), LV::C(0xffff_ffff_0000_0000))?;
                            or(self, up, v)?
                        }
                        _ => v,
                    };
                    let v = match old {
                        Some(old) => self.pick(c, v, old),
                        None => self.value(v),
                    };
                    match self.gvars.get(&n) {
                        Some(&var) => self.b.def_var(var, v),
                        None => {
                            let g = self.globals;
                            self.b.ins().store(global_flags(), v, g, n as i32 * 8);
                        }
                    }
                    if self.globals_checked.contains(&n) {
                        // Untagged on entry (or after the last call) and since.
                        continue;
                    }
                    let tags = self.global_tags;
                    let old = self
                        .b
                        .ins()
                        .load(types::I8, MemFlags::trusted(), tags, n as i32);
                    let z8 = if low_half {
                        self.b.ins().band_imm(old, 0xc)
                    } else {
                        self.b.ins().iconst(types::I8, 0)
                    };
                    let tag = match c {
                        LV::C(_) => z8,
                        LV::V(_) | LV::W(..) => {
                            let f = self.flag(c);
                            self.b.ins().select(f, z8, old)
                        }
                    };
                    self.b.ins().store(MemFlags::trusted(), tag, tags, n as i32);
                }
                Effect::Pred(p, v) => {
                    let preds = self.b.use_var(self.preds);
                    let bit = 1i64 << p;
                    let v = self.value(v);
                    let v = self.b.ins().ireduce(types::I32, v);
                    let v = self.b.ins().band_imm(v, 1);
                    let v = self.b.ins().ishl_imm(v, p as i64);
                    let cleared = self.b.ins().band_imm(preds, !bit);
                    let new = self.b.ins().bor(cleared, v);
                    let new = match c {
                        LV::C(_) => new,
                        LV::V(_) | LV::W(..) => {
                            let f = self.flag(c);
                            self.b.ins().select(f, new, preds)
                        }
                    };
                    self.b.def_var(self.preds, new);
                    self.seen.dirty[0] = true;
                }
                Effect::Ctpr(n, v) => {
                    let k = n as usize & 3;
                    self.ctpr_known[k] = match (c, v) {
                        (LV::C(_), LV::C(x)) => Some(x),
                        _ => None,
                    };
                    let new = self.conditional(c, v, self.ctpr[k])?;
                    self.b.def_var(self.ctpr[k], new);
                    self.seen.dirty[1 + k] = true;
                }
                Effect::Lsr(v) => {
                    let new = self.conditional(c, v, self.lsr)?;
                    self.b.def_var(self.lsr, new);
                    self.seen.dirty[5] = true;
                }
                Effect::StrmdDec => {
                    // As `interp::strmd_decremented`: not below 0.
                    let cur = LV::V(self.b.use_var(self.lsr));
                    let strmd = slice(self, cur, 53, 7)?;
                    let nz = ne(self, strmd, LV::C(0))?;
                    let cur_v = self.value(cur);
                    let less = self.b.ins().iadd_imm(cur_v, -(1i64 << 53));
                    let v = select(self, nz, LV::V(less), cur)?;
                    let new = self.conditional(c, v, self.lsr)?;
                    self.b.def_var(self.lsr, new);
                    self.seen.dirty[5] = true;
                }
            }
        }
        if let Some(v) = self.sp_now.take() {
            let v = self.value(v);
            self.b.def_var(self.sp, v);
            self.seen.dirty[6] = true;
        }
        if inline {
            // The rotation is resolved at translation, as the key's is.
            for (_, e) in std::mem::take(&mut self.events) {
                match e {
                    Event::RegRotation(rbs, rsz, rcur) => {
                        self.br = crate::guest::cpu::Rotation {
                            rbs,
                            rsz,
                            rcur,
                            ..self.br
                        }
                    }
                    Event::PredRotation(psz) => {
                        self.br = crate::guest::cpu::Rotation {
                            psz,
                            pcur: 0,
                            ..self.br
                        }
                    }
                    _ => {}
                }
            }
            let v = self.b.ins().iconst(types::I64, self.br.pack() as i64);
            self.b.def_var(self.br_var, v);
            self.seen.dirty[7] = true;
        }
        Ok(())
    }

    /// Whether this instruction's events stay in compiled code: only a `setwd` that
    /// keeps or grows the window and `setbn`/`setbp`, all unconditional.
    fn inline_events(&self) -> bool {
        !self.events.is_empty()
            && self.events.iter().all(|(c, e)| {
                matches!(c, LV::C(k) if *k != 0)
                    && match e {
                        Event::Window(wsz, ..) => 2 * wsz >= self.wd_size,
                        Event::RegRotation(..) | Event::PredRotation(..) => true,
                        _ => false,
                    }
            })
            && self
                .events
                .iter()
                .filter(|(_, e)| matches!(e, Event::Window(..)))
                .count()
                <= 1
    }

    /// The `setwd` of this instruction, before its results land. Where no parameter
    /// is cut off and no spill is due, compiled code makes it in `WindowVars`: the
    /// file ends where the window does, so the registers it gains are new, zeroed
    /// (as `RegFile::frame` adds them) 16 bytes at a time and untagged. Otherwise the
    /// interpreter's control code changes the window (`state::set_window`) and the
    /// registers it adds are checked for tags and loaded.
    fn change_window(&mut self) -> Result<(), NoLower> {
        let Some((wsz, nfx, dbl)) = self.events.iter().find_map(|(_, e)| match e {
            Event::Window(w, n, d) => Some((*w, *n, *d)),
            _ => None,
        }) else {
            return Ok(());
        };
        let old = self.wd_size;
        let new = 2 * wsz;
        let psize = self.b.use_var(self.win.psize);
        let cut = self
            .b
            .ins()
            .icmp_imm(IntCC::UnsignedGreaterThan, psize, new as i64);
        let base = self.b.use_var(self.win.base);
        let first = self.b.use_var(self.win.first);
        let new_end = self.b.ins().iadd_imm(base, new as i64);
        let held = self.b.ins().isub(new_end, first);
        let spill = self.b.ins().icmp_imm(
            IntCC::UnsignedGreaterThan,
            held,
            crate::guest::window::RESIDENT as i64,
        );
        let bad = self.b.ins().bor(cut, spill);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(bad, slow, &[], fast, &[]);
        self.b.seal_block(fast);
        self.b.seal_block(slow);

        self.b.switch_to_block(fast);
        let regs = self.b.use_var(self.regs_ptr);
        let zero = self.b.ins().iconst(types::I64, 0);
        let zeros = self.b.ins().splat(types::I64X2, zero);
        let (from, to) = (old as i64 * REG_SIZE, new as i64 * REG_SIZE);
        let mut at = from;
        while at + 16 <= to {
            self.b.ins().store(reg_flags(), zeros, regs, at as i32);
            at += 16;
        }
        if at < to {
            self.b.ins().store(reg_flags(), zero, regs, at as i32);
        }
        for pos in self.preload.clone() {
            if pos < self.base + old || pos >= self.base + new {
                continue;
            }
            if let Some(&(lo, hi)) = self.regs.get(&pos) {
                self.b.def_var(lo, zero);
                self.b.def_var(hi, zero);
            }
        }
        let fx = self.b.ins().iconst(types::I64, nfx as i64);
        self.b.def_var(self.win.fx, fx);
        self.seen.window = true;
        self.b.ins().jump(done, &[]);

        // Else the interpreter's control code does it, on the state as it is.
        self.b.switch_to_block(slow);
        self.store_regs(old);
        self.store_window_state(old);
        let mut sig = Signature::new(self.host_cc);
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I32));
        sig.returns.push(AbiParam::new(types::I32));
        let sig = self.b.import_signature(sig);
        let f = self.b.ins().iconst(
            types::I64,
            crate::engine::jit::state::set_window as *const () as usize as i64,
        );
        let w = self.b.ins().iconst(
            types::I32,
            (wsz | (nfx as u32) << 8 | (dbl as u32) << 9) as i64,
        );
        let call = self.b.ins().call_indirect(sig, f, &[self.state, w]);
        let r = self.b.inst_results(call)[0];
        self.reload_window_state();
        let r = self.b.ins().uextend(types::I64, r);
        self.exit_if(LV::V(r))?;
        // Positions below the window size on this path are loaded already (at entry,
        // or by an earlier `setwd` on it: the window only grows inside a block).
        if let Some(tags) = self.load_window_registers(old, new) {
            // A tagged register: the interpreter runs the instruction (`setwd` again).
            self.exit_if(LV::V(tags))?;
        }
        self.b.ins().jump(done, &[]);
        self.b.seal_block(done);
        self.b.switch_to_block(done);
        self.wd_size = new;
        Ok(())
    }

    /// Loads the registers the block uses at window positions `from..to` from the
    /// register file (those kept in variables into them) and gives their tags or'ed
    /// (None: no such register).
    pub(super) fn load_window_registers(&mut self, from: u32, to: u32) -> Option<Value> {
        let t = MemFlags::trusted();
        let p = self.b.use_var(self.regs_ptr);
        let mut tags = None;
        for pos in self.preload.clone() {
            if pos < self.base + from || pos >= self.base + to {
                continue;
            }
            let at = self.reg_offset(pos);
            let tag = self.b.ins().uload8(types::I64, t, p, at + REG_TAG);
            tags = Some(match tags {
                None => tag,
                Some(acc) => self.b.ins().bor(acc, tag),
            });
            let Some(&(lo, hi)) = self.regs.get(&pos) else {
                continue;
            };
            let v = self.b.ins().load(types::I64, reg_flags(), p, at);
            self.b.def_var(lo, v);
            let v = self.b.ins().load(types::I64, reg_flags(), p, at + REG_HI);
            self.b.def_var(hi, v);
        }
        tags
    }

    /// `getsp`: the stack pointer moved by `delta` (16-byte aligned), which becomes
    /// the stack pointer when the instruction completes (where the path holds); out
    /// of the stack area, the interpreter raises the fault.
    pub fn getsp(&mut self, delta: LV) -> Result<LV, NoLower> {
        let c = self.path()?;
        let cur = match self.sp_now {
            Some(v) => v,
            None => LV::V(self.b.use_var(self.sp)),
        };
        let d = trunc(self, delta, 32)?;
        let d = sext(self, d, 32, 64)?;
        let new = add(self, cur, d, 64)?;
        let new = and(self, new, LV::C(!15u64 as u128))?;
        let t = MemFlags::trusted();
        let limit = self
            .b
            .ins()
            .load(types::I64, t, self.state, off::STACK_LIMIT);
        let top = self.b.ins().load(types::I64, t, self.state, off::STACK_TOP);
        let low = ult(self, new, LV::V(limit))?;
        let high = ugt(self, new, LV::V(top))?;
        let bad = or(self, low, high)?;
        self.exit_if(bad)?;
        self.sp_now = Some(select(self, c, new, cur)?);
        Ok(new)
    }

    fn pick(&mut self, c: LV, v: LV, old: Value) -> Value {
        match c {
            LV::C(_) => self.value(v),
            LV::V(_) | LV::W(..) => {
                let f = self.flag(c);
                let v = self.value(v);
                self.b.ins().select(f, v, old)
            }
        }
    }

    /// `v` where `c` holds, else the variable's current value.
    fn conditional(&mut self, c: LV, v: LV, var: Variable) -> Result<Value, NoLower> {
        match c {
            LV::C(_) => Ok(self.value(v)),
            LV::V(_) | LV::W(..) => {
                let old = self.b.use_var(var);
                Ok(self.pick(c, v, old))
            }
        }
    }
}

// ---------------------------------------------------------------- primitives
// Each folds constants with `crate::isa::bits` and otherwise emits IR on i64 values that
// hold `w`-bit numbers zero-extended; wider values are not translated.

/// The low 64 bits of a value.
pub fn narrow(v: LV) -> LV {
    match v {
        LV::C(c) => LV::C(c as u64 as u128),
        LV::V(v) | LV::W(v, _) => LV::V(v),
    }
}

/// Whether `v` has bits above the low 64 (a wide value or constant).
fn is_wide(v: LV) -> bool {
    matches!(v, LV::W(..)) || matches!(v, LV::C(k) if k > u64::MAX as u128)
}

/// Refuses wide values (primitives compute on 64 bits).
fn no_wide(vs: &[LV]) -> Result<(), NoLower> {
    if vs.iter().any(|v| is_wide(*v)) {
        Err(NoLower)
    } else {
        Ok(())
    }
}

fn fits(w: u32) -> Result<(), NoLower> {
    if w <= 64 {
        Ok(())
    } else {
        Err(NoLower)
    }
}

fn masked(x: &mut Lx, v: Value, w: u32) -> Value {
    if w >= 64 {
        v
    } else {
        x.b.ins().band_imm(v, mask(w) as i64)
    }
}

fn bool_value(x: &mut Lx, c: Value) -> LV {
    LV::V(x.b.ins().uextend(types::I64, c))
}

/// Sign-extends a `w`-bit value to 64 bits.
fn signed(x: &mut Lx, v: Value, w: u32) -> Value {
    if w >= 64 {
        v
    } else {
        let s = x.b.ins().ishl_imm(v, 64 - w as i64);
        x.b.ins().sshr_imm(s, 64 - w as i64)
    }
}

macro_rules! binary {
    ($name:ident, $fold:expr, $emit:expr) => {
        pub fn $name(x: &mut Lx, a: LV, b: LV, w: u32) -> Result<LV, NoLower> {
            if let (LV::C(p), LV::C(q)) = (a, b) {
                return Ok(LV::C($fold(p, q, w)));
            }
            fits(w)?;
            no_wide(&[a, b])?;
            let (p, q) = (x.value(a), x.value(b));
            let r = $emit(x, p, q, w);
            Ok(LV::V(r))
        }
    };
}

binary!(add, bits::add, |x: &mut Lx, p, q, w| {
    let r = x.b.ins().iadd(p, q);
    masked(x, r, w)
});
binary!(sub, bits::sub, |x: &mut Lx, p, q, w| {
    let r = x.b.ins().isub(p, q);
    masked(x, r, w)
});
binary!(mul, bits::mul, |x: &mut Lx, p, q, w| {
    let r = x.b.ins().imul(p, q);
    masked(x, r, w)
});
/// `a << n` in `w` bits: wider than 64 only by a known amount (building 80-bit values).
pub fn shl(x: &mut Lx, a: LV, n: LV, w: u32) -> Result<LV, NoLower> {
    match (a, n) {
        (LV::C(p), LV::C(q)) => Ok(LV::C(bits::shl(p, q, w))),
        (_, LV::C(k)) if w > 64 && w <= 128 => {
            let lo = narrow(a);
            let hi = x.high(a);
            let (lo, hi) = (x.value(lo), x.value(hi));
            let top = w as i64 - 64;
            let (l, h) = if k >= w as u128 {
                return Ok(LV::C(0));
            } else if k == 0 {
                (lo, hi)
            } else if k >= 64 {
                let z = x.b.ins().iconst(types::I64, 0);
                (z, x.b.ins().ishl_imm(lo, k as i64 - 64))
            } else {
                let l = x.b.ins().ishl_imm(lo, k as i64);
                let h = x.b.ins().ishl_imm(hi, k as i64);
                let c = x.b.ins().ushr_imm(lo, 64 - k as i64);
                (l, x.b.ins().bor(h, c))
            };
            let h = masked(x, h, top as u32);
            Ok(LV::W(l, h))
        }
        _ => shl64(x, a, n, w),
    }
}

binary!(shl64, bits::shl, |x: &mut Lx, p, n, w: u32| {
    let r = x.b.ins().ishl(p, n);
    let r = masked(x, r, w);
    let ok = x.b.ins().icmp_imm(IntCC::UnsignedLessThan, n, w as i64);
    let zero = x.b.ins().iconst(types::I64, 0);
    x.b.ins().select(ok, r, zero)
});
binary!(shr, bits::shr, |x: &mut Lx, p, n, w: u32| {
    let r = x.b.ins().ushr(p, n);
    let ok = x.b.ins().icmp_imm(IntCC::UnsignedLessThan, n, w as i64);
    let zero = x.b.ins().iconst(types::I64, 0);
    x.b.ins().select(ok, r, zero)
});
binary!(sar, bits::sar, |x: &mut Lx, p, n, w: u32| {
    let top = x.b.ins().iconst(types::I64, w as i64 - 1);
    let big =
        x.b.ins()
            .icmp_imm(IntCC::UnsignedGreaterThan, n, w as i64 - 1);
    let n = x.b.ins().select(big, top, n);
    let s = signed(x, p, w);
    let r = x.b.ins().sshr(s, n);
    masked(x, r, w)
});
/// `d`, or 1 where `odd` holds: semantics trap on a zero divisor before dividing, and
/// the host must not trap on it (or on MIN / -1) either.
fn divisor_or_one(x: &mut Lx, odd: Value, d: Value) -> Value {
    let one = x.b.ins().iconst(types::I64, 1);
    x.b.ins().select(odd, one, d)
}

/// `r`, or 0 where `z` holds.
fn zero_if(x: &mut Lx, z: Value, r: Value) -> Value {
    let zero = x.b.ins().iconst(types::I64, 0);
    x.b.ins().select(z, zero, r)
}

binary!(udiv, bits::udiv, |x: &mut Lx, p, q, _w| {
    let z = x.b.ins().icmp_imm(IntCC::Equal, q, 0);
    let d = divisor_or_one(x, z, q);
    let r = x.b.ins().udiv(p, d);
    zero_if(x, z, r)
});
binary!(urem, bits::urem, |x: &mut Lx, p, q, _w| {
    let z = x.b.ins().icmp_imm(IntCC::Equal, q, 0);
    let d = divisor_or_one(x, z, q);
    let r = x.b.ins().urem(p, d);
    zero_if(x, z, r)
});
binary!(sdiv, bits::sdiv, |x: &mut Lx, p, q, w| {
    let (a, d) = (signed(x, p, w), signed(x, q, w));
    // A -1 divisor divides by 1 and negates instead.
    let z = x.b.ins().icmp_imm(IntCC::Equal, d, 0);
    let m1 = x.b.ins().icmp_imm(IntCC::Equal, d, -1);
    let odd = x.b.ins().bor(z, m1);
    let safe = divisor_or_one(x, odd, d);
    let r = x.b.ins().sdiv(a, safe);
    let neg = x.b.ins().ineg(a);
    let r = x.b.ins().select(m1, neg, r);
    let r = zero_if(x, z, r);
    masked(x, r, w)
});
binary!(srem, bits::srem, |x: &mut Lx, p, q, w| {
    let (a, d) = (signed(x, p, w), signed(x, q, w));
    // Remainders by 0 (trapped before) and by -1 are 0.
    let z = x.b.ins().icmp_imm(IntCC::Equal, d, 0);
    let m1 = x.b.ins().icmp_imm(IntCC::Equal, d, -1);
    let odd = x.b.ins().bor(z, m1);
    let safe = divisor_or_one(x, odd, d);
    let r = x.b.ins().srem(a, safe);
    let r = zero_if(x, odd, r);
    masked(x, r, w)
});
binary!(mulhu, bits::mulhu, |x: &mut Lx, p, q, w: u32| {
    if w == 64 {
        x.b.ins().umulhi(p, q)
    } else {
        let r = x.b.ins().imul(p, q);
        let r = x.b.ins().ushr_imm(r, w as i64);
        masked(x, r, w)
    }
});
binary!(mulhs, bits::mulhs, |x: &mut Lx, p, q, w: u32| {
    if w == 64 {
        x.b.ins().smulhi(p, q)
    } else {
        let (a, b) = (signed(x, p, w), signed(x, q, w));
        let r = x.b.ins().imul(a, b);
        let r = x.b.ins().sshr_imm(r, w as i64);
        masked(x, r, w)
    }
});
binary!(rotl, bits::rotl, |x: &mut Lx, p, n, w: u32| rotate(
    x, p, n, w, true
));
binary!(rotr, bits::rotr, |x: &mut Lx, p, n, w: u32| rotate(
    x, p, n, w, false
));

fn rotate(x: &mut Lx, p: Value, n: Value, w: u32, left: bool) -> Value {
    match w {
        64 => {
            if left {
                x.b.ins().rotl(p, n)
            } else {
                x.b.ins().rotr(p, n)
            }
        }
        32 => {
            let v = x.b.ins().ireduce(types::I32, p);
            let r = if left {
                x.b.ins().rotl(v, n)
            } else {
                x.b.ins().rotr(v, n)
            };
            x.b.ins().uextend(types::I64, r)
        }
        _ => {
            // n mod w, then the two shifted halves.
            let wv = x.b.ins().iconst(types::I64, w as i64);
            let k = x.b.ins().urem(n, wv);
            let back = x.b.ins().isub(wv, k);
            let (a, b) = if left {
                (x.b.ins().ishl(p, k), x.b.ins().ushr(p, back))
            } else {
                (x.b.ins().ushr(p, k), x.b.ins().ishl(p, back))
            };
            let zero_k = x.b.ins().icmp_imm(IntCC::Equal, k, 0);
            let r = x.b.ins().bor(a, b);
            let r = masked(x, r, w);
            x.b.ins().select(zero_k, p, r)
        }
    }
}

macro_rules! compare {
    ($name:ident, $fold:expr, $cc:expr, $signed:expr) => {
        pub fn $name(x: &mut Lx, a: LV, b: LV, w: u32) -> Result<LV, NoLower> {
            if let (LV::C(p), LV::C(q)) = (a, b) {
                return Ok(LV::C($fold(p, q, w)));
            }
            fits(w)?;
            no_wide(&[a, b])?;
            let (mut p, mut q) = (x.value(a), x.value(b));
            if $signed {
                p = signed(x, p, w);
                q = signed(x, q, w);
            }
            let c = x.b.ins().icmp($cc, p, q);
            Ok(bool_value(x, c))
        }
    };
}

compare!(slt, bits::slt, IntCC::SignedLessThan, true);
compare!(sle, bits::sle, IntCC::SignedLessThanOrEqual, true);
compare!(sgt, bits::sgt, IntCC::SignedGreaterThan, true);
compare!(sge, bits::sge, IntCC::SignedGreaterThanOrEqual, true);

macro_rules! unsigned_compare {
    ($name:ident, $op:tt, $cc:expr) => {
        pub fn $name(x: &mut Lx, a: LV, b: LV) -> Result<LV, NoLower> {
            if let (LV::C(p), LV::C(q)) = (a, b) {
                return Ok(LV::C((p $op q) as u128));
            }
            no_wide(&[a, b])?;
            let (p, q) = (x.value(a), x.value(b));
            let c = x.b.ins().icmp($cc, p, q);
            Ok(bool_value(x, c))
        }
    };
}

unsigned_compare!(eq, ==, IntCC::Equal);
unsigned_compare!(ne, !=, IntCC::NotEqual);
unsigned_compare!(ult, <, IntCC::UnsignedLessThan);
unsigned_compare!(ule, <=, IntCC::UnsignedLessThanOrEqual);
unsigned_compare!(ugt, >, IntCC::UnsignedGreaterThan);
unsigned_compare!(uge, >=, IntCC::UnsignedGreaterThanOrEqual);

macro_rules! logic {
    ($name:ident, $op:tt, $emit:ident) => {
        pub fn $name(x: &mut Lx, a: LV, b: LV) -> Result<LV, NoLower> {
            if let (LV::C(p), LV::C(q)) = (a, b) {
                return Ok(LV::C(p $op q));
            }
            let (p, q) = (x.value(a), x.value(b));
            let lo = x.b.ins().$emit(p, q);
            if is_wide(a) || is_wide(b) {
                // Bitwise: the words apart.
                let (ha, hb) = (x.high(a), x.high(b));
                let (p, q) = (x.value(ha), x.value(hb));
                return Ok(LV::W(lo, x.b.ins().$emit(p, q)));
            }
            Ok(LV::V(lo))
        }
    };
}

logic!(and, &, band);
logic!(or, |, bor);
logic!(xor, ^, bxor);

pub fn lor(x: &mut Lx, a: LV, b: LV) -> Result<LV, NoLower> {
    no_wide(&[a, b])?;
    match (a, b) {
        (LV::C(p), LV::C(q)) => Ok(LV::C((p != 0 || q != 0) as u128)),
        (LV::C(p), o) | (o, LV::C(p)) => {
            if p != 0 {
                Ok(LV::C(1))
            } else {
                ne(x, o, LV::C(0))
            }
        }
        _ => {
            let (p, q) = (x.value(a), x.value(b));
            let r = x.b.ins().bor(p, q);
            let c = x.b.ins().icmp_imm(IntCC::NotEqual, r, 0);
            Ok(bool_value(x, c))
        }
    }
}

pub fn land(x: &mut Lx, a: LV, b: LV) -> Result<LV, NoLower> {
    no_wide(&[a, b])?;
    match (a, b) {
        (LV::C(p), LV::C(q)) => Ok(LV::C((p != 0 && q != 0) as u128)),
        (LV::C(p), o) | (o, LV::C(p)) => {
            if p == 0 {
                Ok(LV::C(0))
            } else {
                ne(x, o, LV::C(0))
            }
        }
        _ => {
            let (fa, fb) = (x.flag(a), x.flag(b));
            let c = x.b.ins().band(fa, fb);
            Ok(bool_value(x, c))
        }
    }
}

pub fn not(x: &mut Lx, a: LV, w: u32) -> Result<LV, NoLower> {
    if let LV::C(p) = a {
        return Ok(LV::C(bits::not(p, w)));
    }
    fits(w)?;
    no_wide(&[a])?;
    let p = x.value(a);
    Ok(LV::V(x.b.ins().bxor_imm(p, mask(w) as i64)))
}

pub fn neg(x: &mut Lx, a: LV, w: u32) -> Result<LV, NoLower> {
    if let LV::C(p) = a {
        return Ok(LV::C(bits::neg(p, w)));
    }
    fits(w)?;
    no_wide(&[a])?;
    let p = x.value(a);
    let r = x.b.ins().ineg(p);
    Ok(LV::V(masked(x, r, w)))
}

pub fn trunc(x: &mut Lx, a: LV, w: u32) -> Result<LV, NoLower> {
    match a {
        LV::C(p) => Ok(LV::C(bits::trunc(p, w))),
        LV::V(v) => Ok(LV::V(masked(x, v, w.min(64)))),
        LV::W(v, _) if w <= 64 => Ok(LV::V(masked(x, v, w))),
        LV::W(..) if w >= 128 => Ok(a),
        LV::W(v, h) => Ok(LV::W(v, masked(x, h, w - 64))),
    }
}

pub fn sext(x: &mut Lx, a: LV, from: u32, to: u32) -> Result<LV, NoLower> {
    if let LV::C(p) = a {
        return Ok(LV::C(bits::sext(p, from, to)));
    }
    fits(to)?;
    no_wide(&[a])?;
    let p = x.value(a);
    let s = signed(x, p, from);
    Ok(LV::V(masked(x, s, to)))
}

pub fn bit(x: &mut Lx, a: LV, i: LV) -> Result<LV, NoLower> {
    no_wide(&[a, i])?;
    match (a, i) {
        (LV::C(p), LV::C(k)) => Ok(LV::C((p >> k.min(127)) & 1)),
        (_, LV::C(k)) if k >= 64 => Ok(LV::C(0)),
        _ => {
            let (p, k) = (x.value(a), x.value(i));
            let r = x.b.ins().ushr(p, k);
            let r = x.b.ins().band_imm(r, 1);
            // Positions past 63 read 0 (the value is zero-extended).
            let ok = x.b.ins().icmp_imm(IntCC::UnsignedLessThan, k, 64);
            let zero = x.b.ins().iconst(types::I64, 0);
            Ok(LV::V(x.b.ins().select(ok, r, zero)))
        }
    }
}

pub fn slice(x: &mut Lx, a: LV, lo: u32, w: u32) -> Result<LV, NoLower> {
    match a {
        LV::C(p) => Ok(LV::C((p >> lo) & mask(w))),
        LV::V(_) if lo >= 64 => Ok(LV::C(0)),
        LV::V(v) => {
            let r = x.b.ins().ushr_imm(v, lo as i64);
            Ok(LV::V(masked(x, r, w.min(64))))
        }
        LV::W(v, _) if lo + w <= 64 => slice(x, LV::V(v), lo, w),
        LV::W(_, h) if lo >= 64 => slice(x, LV::V(h), lo - 64, w),
        LV::W(..) => Err(NoLower),
    }
}

pub fn select(x: &mut Lx, c: LV, a: LV, b: LV) -> Result<LV, NoLower> {
    match c {
        LV::C(k) => Ok(if k != 0 { a } else { b }),
        LV::V(_) => {
            if a == b {
                return Ok(a);
            }
            let f = x.flag(c);
            let (p, q) = (x.value(a), x.value(b));
            let lo = x.b.ins().select(f, p, q);
            if is_wide(a) || is_wide(b) {
                // Low and high words apart.
                let (ha, hb) = (x.high(a), x.high(b));
                let (p, q) = (x.value(ha), x.value(hb));
                let hi = x.b.ins().select(f, p, q);
                return Ok(LV::W(lo, hi));
            }
            Ok(LV::V(lo))
        }
        LV::W(..) => Err(NoLower),
    }
}

macro_rules! unary {
    ($name:ident, $fold:expr, $emit:expr) => {
        pub fn $name(x: &mut Lx, a: LV, w: u32) -> Result<LV, NoLower> {
            if let LV::C(p) = a {
                return Ok(LV::C($fold(p, w)));
            }
            fits(w)?;
            no_wide(&[a])?;
            let p = x.value(a);
            Ok(LV::V($emit(x, p, w)))
        }
    };
}

unary!(clz, bits::clz, |x: &mut Lx, p, w: u32| {
    let r = x.b.ins().clz(p);
    x.b.ins().iadd_imm(r, w as i64 - 64)
});
unary!(ctz, bits::ctz, |x: &mut Lx, p, w: u32| {
    let r = x.b.ins().ctz(p);
    let big = x.b.ins().icmp_imm(IntCC::UnsignedGreaterThan, r, w as i64);
    let wv = x.b.ins().iconst(types::I64, w as i64);
    x.b.ins().select(big, wv, r)
});
unary!(popcnt, bits::popcnt, |x: &mut Lx, p, _w| x
    .b
    .ins()
    .popcnt(p));
unary!(bitrev, bits::bitrev, |x: &mut Lx, p, w: u32| {
    let r = x.b.ins().bitrev(p);
    x.b.ins().ushr_imm(r, 64 - w as i64)
});

pub fn parity(x: &mut Lx, a: LV) -> Result<LV, NoLower> {
    if let LV::C(p) = a {
        return Ok(LV::C(bits::parity(p)));
    }
    no_wide(&[a])?;
    let p = x.value(a);
    let c = x.b.ins().popcnt(p);
    Ok(LV::V(x.b.ins().band_imm(c, 1)))
}
