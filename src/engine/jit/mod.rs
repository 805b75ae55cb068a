//! The Cranelift JIT: hot blocks of wide instructions are translated with lowering
//! generated from `isa/` (`lower`, over the vocabulary of `ir`) and run natively; the
//! interpreter stays the reference and runs everything the JIT leaves to it (cold
//! code, calls, system calls, window and rotation changes, faults).

pub mod block_cache;
pub mod float;
pub mod host_fault;
pub mod inline;
pub mod ir;
pub mod lower;
pub mod nest;
pub mod state;
pub mod translate;

use crate::engine::interp;
use crate::guest::cpu::Cpu;
use crate::guest::memory::GuestMemory;
use block_cache::{BlockCache, Entry, Found, Key};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use state::{JitState, LinkCell, EXIT_AT, EXIT_CONTROL, EXIT_EVENT, EXIT_FLAGS, EXIT_INTERPRET};
use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

/// A translation's code: `(state: *mut JitState) -> u64` in `CallConv::Tail` (its
/// exits tail-call the next translation), entered through `Backend::enter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockFn(*const u8);

/// Calls a translation from Rust: `enter(state, code)`.
type EnterFn = unsafe extern "C" fn(*mut JitState, *const u8) -> u64;

/// Counters for `-d jit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub translated: u64,
    pub translated_bundles: u64,
    pub refused: u64,
    pub runs: u64,
    /// Lookups answered by the recent-block table, by the hash map, and not at all
    /// (code not yet hot, or refused).
    pub hits_recent: u64,
    pub hits_map: u64,
    pub misses: u64,
    pub exits_transfer: u64,
    pub exits_control: u64,
    pub exits_interpret: u64,
    /// Call sites translated inlined (`inline`), and those not inlined: their
    /// inlined code was left before the callee returned, or the callee is recursive.
    pub inlined_sites: u64,
    pub overflowed_sites: u64,
    /// Calls and returns compiled code made itself (`nest`).
    pub nested_calls: u64,
    pub nested_returns: u64,
    pub compile_time: Duration,
    pub invalidations: u64,
    /// Guest accesses of compiled code that faulted on the host (`host_fault`).
    pub host_faults: u64,
    /// Float slow paths that left for the interpreter (`Jit::float_calls`).
    pub float_left: u64,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "jit: {} blocks translated ({} wide instructions), {} refused, {} block runs; lookups: {} hits in the recent table, {} in the map, {} misses; exits: {} by transfer, {} by call/return/window change, {} to the interpreter; calls inlined at {} sites ({} not: too big or recursive); in compiled code: {} calls, {} returns; translation {:.1} ms; {} invalidations; {} host faults; {} float slow paths interpreted",
            self.translated,
            self.translated_bundles,
            self.refused,
            self.runs,
            self.hits_recent,
            self.hits_map,
            self.misses,
            self.exits_transfer,
            self.exits_control,
            self.exits_interpret,
            self.inlined_sites,
            self.overflowed_sites,
            self.nested_calls,
            self.nested_returns,
            self.compile_time.as_secs_f64() * 1e3,
            self.invalidations,
            self.host_faults,
            self.float_left
        )
    }
}

/// Cranelift's side, made when the first block gets hot: setting it up costs about
/// as much as starting a small program, which should not pay for it.
struct Backend {
    module: JITModule,
    ctx: cranelift_codegen::Context,
    enter: EnterFn,
    /// Guest accesses rely on host faults (`host_fault`).
    host_faults: bool,
}

impl Backend {
    fn new() -> Result<Backend, String> {
        let mut flags = settings::builder();
        let mut set = |k: &str, v: &str| flags.set(k, v).map_err(|e| e.to_string());
        set("opt_level", "speed")?;
        set("is_pic", "false")?;
        set("use_colocated_libcalls", "false")?;
        // Cranelift's tail calls (exits chaining to the next translation) need them.
        set("preserve_frame_pointers", "true")?;
        // The IR verifier costs about as much as compiling; debug builds (the tests) keep it.
        set(
            "enable_verifier",
            if cfg!(debug_assertions) {
                "true"
            } else {
                "false"
            },
        )?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("no Cranelift backend for this host: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let arena = host_fault::CodeArena::new()?;
        let host_faults = arena.known() && host_fault::available();
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        builder.memory_provider(Box::new(arena));
        let mut module = JITModule::new(builder);
        let mut ctx = module.make_context();
        let enter = Backend::entry(&mut module, &mut ctx)?;
        Ok(Backend {
            module,
            ctx,
            enter,
            host_faults,
        })
    }

    /// The host-convention function that calls a translation (tail convention).
    fn entry(
        module: &mut JITModule,
        ctx: &mut cranelift_codegen::Context,
    ) -> Result<EnterFn, String> {
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        let id = module
            .declare_function("enter", Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        ctx.func.signature = sig;
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let blk = b.create_block();
        b.append_block_params_for_function_params(blk);
        b.switch_to_block(blk);
        let (st, code) = (b.block_params(blk)[0], b.block_params(blk)[1]);
        let tail = b.import_signature(state::block_signature());
        let call = b.ins().call_indirect(tail, code, &[st]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
        b.seal_all_blocks();
        b.finalize();
        module.define_function(id, ctx).map_err(|e| e.to_string())?;
        module.clear_context(ctx);
        module.finalize_definitions().map_err(|e| e.to_string())?;
        // SAFETY: built with the `EnterFn` signature in the host's convention.
        Ok(unsafe { std::mem::transmute::<*const u8, EnterFn>(module.get_finalized_function(id)) })
    }
}

pub struct Jit {
    /// `None` until needed; `Some(Err)` if this host has no usable backend.
    backend: Option<Result<Backend, ()>>,
    fctx: FunctionBuilderContext,
    cache: BlockCache<BlockFn>,
    next_id: u32,
    /// Runs of a block start before it is translated.
    pub threshold: u32,
    pub stats: Stats,
    /// Keep each translation's host code listing (`-d out_asm`) in `listings`.
    pub out_asm: bool,
    /// Fill exits' link cells, so that translations go on into one another (off:
    /// `-d nochain`).
    pub chain: bool,
    /// Let the host check guest accesses of compiled code (`host_fault`; off:
    /// `-d nohostfault`, compiled code checks the page table).
    pub host_faults: bool,
    /// Float slow paths leave for the interpreter (`Lx::slow_leaves`), but at the
    /// instructions in `float_calls`, which did so `FLOAT_LEFT_MAX` times: they call
    /// the helpers, and once there are `FLOAT_CALLS_MAX` of them, all do.
    pub float_leaves: bool,
    float_calls: BTreeSet<u64>,
    float_left: rustc_hash::FxHashMap<u64, u32>,
    pub listings: Vec<String>,
    /// Addresses where compiled code hands back to the caller before executing
    /// them (a debugger's breakpoints); see `set_stops`.
    stops: BTreeSet<u64>,
    /// Link cells of call sites and exits in compiled code (`nest::call`,
    /// `Lx::chain`): each holds the translation they go on in once known. Boxed, so that their addresses, which the
    /// code holds, stay put.
    #[allow(clippy::vec_box)]
    links: Vec<Box<crate::engine::jit::state::LinkCell>>,
}

/// What `Jit::run` did.
pub enum Ran {
    /// Compiled code ran; `cpu.ip` is where to continue.
    Block,
    /// Nothing compiled here (yet): interpret the wide instruction at `cpu.ip`.
    Interpret,
    /// A system call to serve or a fault, after the instruction that raised it.
    Event(crate::engine::event::Event),
}

impl Jit {
    /// A JIT; Cranelift itself is set up when the first block becomes hot.
    pub fn new(threshold: u32) -> Jit {
        Jit {
            backend: None,
            fctx: FunctionBuilderContext::new(),
            cache: BlockCache::default(),
            next_id: 0,
            threshold,
            stats: Stats::default(),
            out_asm: false,
            chain: true,
            host_faults: true,
            float_leaves: true,
            float_calls: BTreeSet::new(),
            float_left: Default::default(),
            listings: vec![],
            stops: BTreeSet::new(),
            links: vec![],
        }
    }

    /// Makes `run` return before executing any of `stops` (other than where it
    /// starts), retranslating what was compiled without them.
    pub fn set_stops(&mut self, stops: BTreeSet<u64>) {
        if stops != self.stops {
            self.stops = stops;
            self.invalidate();
        }
    }

    /// Forgets every translation (guest code was written or remapped).
    pub fn invalidate(&mut self) {
        if !self.cache.is_empty() {
            self.stats.invalidations += 1;
        }
        self.cache.clear();
        // The translations holding their addresses are unreachable now (nothing
        // compiled is running: the machine invalidates between blocks).
        self.links.clear();
    }

    fn compile(&mut self, mem: &GuestMemory, key: Key) -> Entry<BlockFn> {
        let t = Instant::now();
        let backend = self.backend.get_or_insert_with(|| {
            Backend::new().map_err(|e| eprintln!("e2k-emu: JIT unavailable, interpreting: {e}"))
        });
        let Ok(be) = backend.as_mut() else {
            self.stats.refused += 1;
            return Entry::Refused;
        };
        let sig = state::block_signature();
        let host_cc = be.module.isa().default_call_conv();
        let host_faults = be.host_faults && self.host_faults;
        let (float_leaves, float_calls) = (self.float_leaves, &self.float_calls);
        self.next_id += 1;
        let name = format!("block_{:x}_{}", key.ip, self.next_id);
        let Ok(id) = be.module.declare_function(&name, Linkage::Local, &sig) else {
            return Entry::Refused;
        };
        // Builds the function into `be.ctx` with what an earlier translation learnt;
        // what this one learnt, or `None`.
        let fctx = &mut self.fctx;
        let stops = &self.stops;
        let links = &mut self.links;
        let mut build = |be: &mut Backend, learnt: &translate::Learnt| {
            be.module.clear_context(&mut be.ctx);
            be.ctx.func.signature = sig.clone();
            be.ctx.func.name = UserFuncName::user(0, id.as_u32());
            let b = FunctionBuilder::new(&mut be.ctx.func, fctx);
            translate::block(
                b,
                &*mem,
                &key,
                learnt,
                translate::JitSide {
                    stops,
                    links,
                    host_cc,
                    host_faults,
                    float_leaves,
                    float_calls,
                },
            )
        };
        // Once to learn which registers the block uses and what it changes, once more
        // keeping them in variables (and learning the same).
        let mut first = build(be, &translate::Learnt::default());
        // Again while the build learns (up to 6 times) of loops followed by calls,
        // which it then ends before (so that the loops keep registers in variables),
        // or of calls inlined whose code it left before they returned or that are to
        // recursive procedures, which it then makes by `nest` (what that frees may let
        // others overflow, and the calls made so may cut loops).
        for _ in 0..6 {
            let Some(learnt) = first.as_ref().map(|(_, l)| l) else {
                break;
            };
            let cut: std::collections::BTreeSet<u64> =
                learnt.cut.union(&learnt.cuts()).copied().collect();
            let no_inline: std::collections::BTreeSet<u64> = learnt
                .no_inline
                .union(&learnt.overflowed)
                .copied()
                .collect();
            if cut == learnt.cut && no_inline == learnt.no_inline {
                break;
            }
            let learnt = translate::Learnt {
                cut,
                no_inline,
                ..Default::default()
            };
            first = build(be, &learnt);
        }
        let second =
            first.and_then(|(_, learnt)| build(be, &learnt).filter(|(_, again)| *again == learnt));
        let dump = self.out_asm;
        be.ctx.set_disasm(dump);
        let entry = match second {
            Some((tr, _))
                if be.module.define_function(id, &mut be.ctx).is_ok()
                    && be.module.finalize_definitions().is_ok() =>
            {
                if let (true, Some(c)) = (dump, be.ctx.compiled_code()) {
                    let what = format!(
                        "OUT: [size={}] {name} ({} wide instructions)\n",
                        c.code_buffer().len(),
                        tr.bundles
                    );
                    self.listings.push(what + c.vcode.as_deref().unwrap_or(""));
                }
                for &(a, n) in &tr.code {
                    mem.mark_code(a, n);
                }
                let code = be.module.get_finalized_function(id);
                self.stats.translated += 1;
                self.stats.translated_bundles += tr.bundles as u64;
                self.stats.inlined_sites += tr.inlined as u64;
                self.stats.overflowed_sites += tr.not_inlined as u64;
                Entry::Compiled(BlockFn(code))
            }
            _ => {
                self.stats.refused += 1;
                Entry::Refused
            }
        };
        be.module.clear_context(&mut be.ctx);
        self.stats.compile_time += t.elapsed();
        entry
    }

    /// A float operation at `pc` took its slow path through the interpreter; one
    /// that keeps doing so gets the helper calls back (every translation is made
    /// again, so that none leaves there).
    fn float_slow_path_left(&mut self, pc: u64) {
        const FLOAT_LEFT_MAX: u32 = 64;
        const FLOAT_CALLS_MAX: usize = 16;
        self.stats.float_left += 1;
        let n = self.float_left.entry(pc).or_insert(0);
        *n += 1;
        if *n == FLOAT_LEFT_MAX {
            self.float_calls.insert(pc);
            if self.float_calls.len() >= FLOAT_CALLS_MAX {
                self.float_leaves = false;
            }
            self.invalidate();
        }
    }

    /// The compiled code for `key`, translating it if it became hot.
    fn lookup(&mut self, mem: &GuestMemory, key: Key) -> Option<BlockFn> {
        match self.cache.get(&key) {
            Some((Entry::Compiled(f), found)) => {
                match found {
                    Found::Recent => self.stats.hits_recent += 1,
                    Found::Map => self.stats.hits_map += 1,
                }
                Some(f)
            }
            Some((Entry::Refused, _)) => {
                self.stats.misses += 1;
                None
            }
            None => {
                if !self.cache.hot(key, self.threshold) {
                    self.stats.misses += 1;
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
    pub fn run(&mut self, cpu: &mut Cpu, mem: &GuestMemory) -> Ran {
        let Some(mut f) = self.lookup(mem, Key::of(cpu)) else {
            return Ran::Interpret;
        };
        let Some(Ok(be)) = &self.backend else {
            return Ran::Interpret;
        };
        let enter = be.enter;
        loop {
            let mut st = JitState::of(cpu, mem);
            st.jit = self as *mut Jit as *mut ();
            st.lookup = lookup_for;
            // SAFETY: the pointers stay valid while the block runs: the helpers it
            // calls change the machine and the JIT through them (nothing here holds a
            // borrow across the call), and it checks every guest access against
            // `pages` and `mem_size`.
            let before = host_fault::enter(&mut st);
            let out = unsafe { enter(&mut st, f.0) };
            host_fault::leave(before);
            st.store(cpu);
            self.stats.host_faults += st.faulted as u64;
            if st.float_left != 0 {
                self.float_slow_path_left(out & !EXIT_FLAGS);
            }
            self.stats.runs += 1 + st.nested_runs;
            self.stats.nested_calls += st.calls;
            self.stats.nested_returns += st.returns;
            cpu.ip = out & !EXIT_FLAGS;
            if out & EXIT_FLAGS == EXIT_AT {
                cpu.ip = st.exit_code;
                self.stats.exits_interpret += 1;
                return Ran::Interpret;
            }
            if out & EXIT_FLAGS == EXIT_EVENT {
                self.stats.exits_control += 1;
                match st.pending.take() {
                    Some(e) => return Ran::Event(e),
                    None => return Ran::Interpret,
                }
            }
            if out & EXIT_INTERPRET != 0 {
                self.stats.exits_interpret += 1;
                // At a stop the caller decides before anything executes there.
                if self.stops.contains(&cpu.ip) {
                    return Ran::Block;
                }
                return Ran::Interpret;
            }
            if out & EXIT_CONTROL != 0 {
                self.stats.exits_control += 1;
                match interp::apply_control(cpu, mem, st.ev_next, &st.control()) {
                    Ok(None) => {}
                    Ok(Some(e)) | Err(e) => return Ran::Event(e),
                }
            } else {
                self.stats.exits_transfer += 1;
            }
            if crate::engine::interrupt::requested() || self.stops.contains(&cpu.ip) {
                return Ran::Block;
            }
            let key = Key::of(cpu);
            match self.lookup(mem, key) {
                Some(g) => {
                    // The exit's cell: this translation, for this state, from now on.
                    if st.link_out != 0 && self.chain {
                        let [a, b, c] = key.ctpr;
                        // SAFETY: a link cell of a live translation (nothing was
                        // invalidated since the block returned).
                        unsafe { *(st.link_out as *mut LinkCell) = [g.0 as u64, key.ip, a, b, c] };
                    }
                    f = g
                }
                None => return Ran::Block,
            }
        }
    }
}

/// `JitState::lookup` of a `Jit`: the compiled code for `cpu`'s state, or 0.
///
/// # Safety
/// `jit` is the `Jit` running the block that calls this (through a helper).
unsafe fn lookup_for(jit: *mut (), mem: &GuestMemory, cpu: &Cpu) -> usize {
    // SAFETY: the caller's contract; `Jit::run` holds no borrow of it across blocks.
    let jit = unsafe { &mut *(jit as *mut Jit) };
    jit.lookup(mem, Key::of(cpu)).map_or(0, |f| f.0 as usize)
}
