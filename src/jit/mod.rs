//! The Cranelift JIT: hot blocks of wide instructions are translated with lowering
//! generated from `isa/` (`lower`, over the vocabulary of `ir`) and run natively; the
//! interpreter stays the reference and runs everything the JIT leaves to it (cold
//! code, calls, system calls, window and rotation changes, faults).

pub mod block_cache;
pub mod ir;
pub mod lower;
pub mod translate;

use crate::cpu::Cpu;
use crate::memory::GuestMemory;
use block_cache::{BlockCache, Entry, Key};
use cranelift_codegen::ir::{types, AbiParam, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

/// Low bit of a block's result: interpret the wide instruction at the address.
pub const EXIT_INTERPRET: u64 = 1;

/// What compiled code sees of the machine (field offsets in `ir::off`).
#[repr(C)]
pub struct JitState {
    pub regs: *mut crate::window::Reg,
    pub globals: *mut u64,
    pub global_tags: *mut u8,
    pub mem: *mut u8,
    pub pages: *const u8,
    pub mem_size: u64,
    pub preds: u32,
    pub pred_tags: u32,
    pub ctpr: [u64; 4],
    pub lsr: u64,
    pub executed: u64,
}

type BlockFn = unsafe extern "C" fn(*mut JitState) -> u64;

/// Counters for `-d jit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub translated: u64,
    pub translated_bundles: u64,
    pub refused: u64,
    pub runs: u64,
    pub exits_transfer: u64,
    pub exits_interpret: u64,
    pub compile_time: Duration,
    pub invalidations: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "jit: {} blocks translated ({} wide instructions), {} refused, {} block runs, exits: {} by transfer, {} to the interpreter; translation {:.1} ms; {} invalidations",
            self.translated,
            self.translated_bundles,
            self.refused,
            self.runs,
            self.exits_transfer,
            self.exits_interpret,
            self.compile_time.as_secs_f64() * 1e3,
            self.invalidations
        )
    }
}

pub struct Jit {
    module: JITModule,
    ctx: cranelift_codegen::Context,
    fctx: FunctionBuilderContext,
    cache: BlockCache<BlockFn>,
    next_id: u32,
    /// Runs of a block start before it is translated.
    pub threshold: u32,
    pub stats: Stats,
}

/// What `Jit::run` did.
pub enum Ran {
    /// Compiled code ran; `cpu.ip` is where to continue.
    Block,
    /// Nothing compiled here (yet): interpret the wide instruction at `cpu.ip`.
    Interpret,
}

impl Jit {
    /// A JIT for this host, or why there is none.
    pub fn new(threshold: u32) -> Result<Jit, String> {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| e.to_string())?;
        flags.set("is_pic", "false").map_err(|e| e.to_string())?;
        flags.set("use_colocated_libcalls", "false").map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("no Cranelift backend for this host: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
        let ctx = module.make_context();
        Ok(Jit { module, ctx, fctx: FunctionBuilderContext::new(), cache: BlockCache::default(), next_id: 0, threshold, stats: Stats::default() })
    }

    /// Forgets every translation (guest code was written or remapped).
    pub fn invalidate(&mut self) {
        if !self.cache.is_empty() {
            self.stats.invalidations += 1;
        }
        self.cache.clear();
    }

    /// Builds the block's function into `self.ctx` (registers in `preload` kept in
    /// variables); the registers it touched, or `None`.
    fn build(&mut self, mem: &GuestMemory, key: Key, id: cranelift_module::FuncId, preload: &BTreeSet<u32>) -> Option<(translate::Translated, BTreeSet<u32>)> {
        let mut sig = self.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        self.module.clear_context(&mut self.ctx);
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        translate::block(b, mem, key.ip, key.iset(), key.wd_size, key.rotation(), preload)
    }

    fn compile(&mut self, mem: &GuestMemory, key: Key) -> Entry<BlockFn> {
        let t = Instant::now();
        let mut sig = self.module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        self.next_id += 1;
        let name = format!("block_{:x}_{}", key.ip, self.next_id);
        let Ok(id) = self.module.declare_function(&name, Linkage::Local, &sig) else { return Entry::Refused };
        // Once to learn which registers the block uses, once more keeping them in variables.
        let first = self.build(mem, key, id, &BTreeSet::new());
        let second = first.and_then(|(_, regs)| self.build(mem, key, id, &regs).filter(|(_, again)| *again == regs));
        let entry = match second {
            Some((tr, _)) if self.module.define_function(id, &mut self.ctx).is_ok() && self.module.finalize_definitions().is_ok() => {
                let code = self.module.get_finalized_function(id);
                self.stats.translated += 1;
                self.stats.translated_bundles += tr.bundles as u64;
                // SAFETY: the function was built with the `BlockFn` signature.
                Entry::Compiled(unsafe { std::mem::transmute::<*const u8, BlockFn>(code) })
            }
            _ => {
                self.stats.refused += 1;
                Entry::Refused
            }
        };
        self.module.clear_context(&mut self.ctx);
        self.stats.compile_time += t.elapsed();
        entry
    }

    /// The compiled code for `key`, translating it if it became hot.
    fn lookup(&mut self, mem: &GuestMemory, key: Key) -> Option<BlockFn> {
        match self.cache.get(&key) {
            Some(Entry::Compiled(f)) => Some(*f),
            Some(Entry::Refused) => None,
            None => {
                if !self.cache.hot(key, self.threshold) {
                    return None;
                }
                let e = self.compile(mem, key);
                self.cache.insert(key, e);
                match e {
                    Entry::Compiled(f) => Some(f),
                    Entry::Refused => None,
                }
            }
        }
    }

    /// Runs compiled code from `cpu.ip` for as long as there is (or now should be)
    /// some: block after block, until one leaves for the interpreter or reaches code
    /// that is not translated.
    pub fn run(&mut self, cpu: &mut Cpu, mem: &mut GuestMemory) -> Ran {
        let mut key = Key::of(cpu);
        let Some(mut f) = self.lookup(mem, key) else { return Ran::Interpret };
        let pos = cpu.wd.base;
        let mut st = JitState {
            regs: cpu.regs.ptr(pos),
            globals: cpu.globals.as_mut_ptr(),
            global_tags: cpu.global_tags.as_mut_ptr(),
            mem: mem.host_base(),
            pages: mem.pages_ptr(),
            mem_size: mem.size(),
            preds: cpu.preds,
            pred_tags: cpu.pred_tags,
            ctpr: cpu.ctpr,
            lsr: cpu.lsr,
            executed: 0,
        };
        let ran = loop {
            // SAFETY: the pointers stay valid while blocks run: they neither call out
            // nor change the window (such instructions are left to the interpreter),
            // and they check every guest access against `pages` and `mem_size`.
            let out = unsafe { f(&mut st) };
            self.stats.runs += 1;
            key.ip = out & !EXIT_INTERPRET;
            if out & EXIT_INTERPRET != 0 {
                self.stats.exits_interpret += 1;
                break Ran::Interpret;
            }
            self.stats.exits_transfer += 1;
            // Blocks do not change the window or rotation, so the key only moves.
            match self.lookup(mem, key) {
                Some(g) => f = g,
                None => break Ran::Block,
            }
        };
        cpu.preds = st.preds;
        cpu.pred_tags = st.pred_tags;
        cpu.ctpr = st.ctpr;
        cpu.lsr = st.lsr;
        cpu.executed += st.executed;
        cpu.ip = key.ip;
        ran
    }
}
