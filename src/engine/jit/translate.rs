//! Translation of a run of wide instructions into one Cranelift function. Each wide
//! instruction keeps the interpreter's two phases: its operations (generated
//! lowering) read the old state and record effects, which `Lx::commit` applies at
//! its end. The block ends after a transfer, before an instruction that cannot be
//! lowered, or at a size limit; a transfer back to the block's start loops inside.

use crate::engine::interp::{self, Place, Prepared};
use crate::engine::jit::block_cache::Key;
use crate::engine::jit::inline;
use crate::engine::jit::ir::{self, Effect, Lx, NoLower, LV};
pub use crate::engine::jit::ir::{JitSide, Learnt};
use crate::engine::jit::lower::{LVals, CTL_JIT, JIT_LOWER};
use crate::engine::jit::state::{off, EXIT_AT, EXIT_FLAGS, EXIT_INTERPRET};
use crate::guest::memory::GuestMemory;
use cranelift_codegen::ir::{types, Block, InstBuilder, MemFlags};
use cranelift_frontend::FunctionBuilder;
use std::collections::BTreeSet;
use std::collections::HashMap;

/// Most wide instructions in one translation.
pub const MAX_BUNDLES: usize = 64;

/// What a translation covers.
pub struct Translated {
    pub bundles: usize,
    /// Address and length of every wide instruction translated (their pages become
    /// code pages: stores there drop the translation).
    pub code: Vec<(u64, u64)>,
    /// Call sites inlined, and those not inlined, found too big or recursive
    /// (`Learnt::no_inline`).
    pub inlined: usize,
    pub not_inlined: usize,
}

fn read(x: &mut Lx, place: Place, ty: u8) -> Result<LV, NoLower> {
    match place {
        Place::Const(v) => Ok(LV::C(
            v & crate::isa::bits::mask(match ty {
                b'S' => 32,
                b'X' => 80,
                b'Q' | b'P' => 128,
                _ => 64,
            }),
        )),
        Place::Reg(n) => x.read_reg(n, ty),
        Place::Based(n) => {
            // Outside the based area: the interpreter raises the fault.
            let i = x.br.based_checked(n).map_err(|_| NoLower)?;
            x.read_reg(i, ty)
        }
        Place::Global(n) => x.read_global(n & 31, ty),
        Place::Pred(n) => {
            let p = x.br.pred_index(n);
            x.read_pred(p)
        }
        Place::Ctpr(n) => Ok(x.read_ctpr(n)),
        Place::Nowhere => Ok(LV::C(0)),
    }
}

fn write(x: &mut Lx, place: Place, ty: u8, v: LV) -> Result<(), NoLower> {
    // A register beyond the window: `Lx::commit` refuses it, after this instruction's
    // `setwd` (which may open it).
    match place {
        Place::Reg(n) => x.effect(Effect::Reg(n, ty, v)),
        Place::Based(n) => {
            // Outside the based area: the interpreter raises the fault.
            let i = x.br.based_checked(n).map_err(|_| NoLower)?;
            x.effect(Effect::Reg(i, ty, v))
        }
        Place::Global(n) => x.effect(Effect::Global(n & 31, ty, v)),
        Place::Pred(n) => {
            let p = x.br.pred_index(n);
            x.effect(Effect::Pred(p, v))
        }
        Place::Ctpr(n) => {
            // As the interpreter writes an ALU result into %ctpr: a disp-kind target.
            let t = ir::and(x, ir::narrow(v), LV::C(0xffff_ffff_ffff))?;
            let t = ir::or(x, t, LV::C(3 << 54))?;
            x.effect(Effect::Ctpr(n & 3, t))
        }
        Place::Nowhere | Place::Const(_) => Ok(()),
    }
}

fn condition(x: &mut Lx, c: crate::isa::decode::Condition) -> Result<LV, NoLower> {
    let v = match (c.pred(), c.pcnt()) {
        (Some(p), _) => {
            let p = x.br.pred_index(p as u32);
            x.read_pred(p)?
        }
        (_, Some(n)) => {
            let lsr = x.read_lsr();
            let pcnt = ir::slice(x, lsr, 48, 5)?;
            ir::ule(x, pcnt, LV::C(n as u128))?
        }
        _ => return Err(NoLower),
    };
    if c.negated {
        ir::eq(x, v, LV::C(0))
    } else {
        Ok(v)
    }
}

/// Phase one and two of one wide instruction; `Some(target)` if it may transfer.
fn bundle(x: &mut Lx, p: &Prepared) -> Result<Option<(LV, LV)>, NoLower> {
    x.begin(p.decoded.addr);
    let lm = if p.lm_stores {
        Some(loop_stores(x)?)
    } else {
        None
    };
    for op in &p.ops {
        // A speculative operation differs only where it would trap, fault or read a
        // tag, and each of those leaves compiled code for the interpreter (entry
        // checks tags, traps and bad accesses are side exits), so it lowers as usual.
        let mut cond = LV::C(1);
        if let (true, Some((suppressed, _))) = (op.lm_store, lm) {
            cond = ir::eq(x, suppressed, LV::C(0))?;
        }
        for c in &op.rlp {
            let v = condition(x, *c)?;
            cond = ir::land(x, cond, v)?;
        }
        x.push_path(cond)?;
        let mut v = LVals::default();
        for (s, val) in &op.fixed {
            *v.slot_mut(*s).ok_or(NoLower)? = LV::C(*val);
        }
        if let (Some(c), Some(s)) = (op.mrgc, op.cond_slot) {
            let c = condition(x, c)?;
            *v.slot_mut(s).ok_or(NoLower)? = c;
        }
        if let Some(s) = op.amc_slot {
            let mut holds = LV::C(1);
            for c in &op.amc {
                let v = condition(x, *c)?;
                holds = ir::land(x, holds, v)?;
            }
            *v.slot_mut(s).ok_or(NoLower)? = holds;
        }
        for (s, place, ty) in &op.srcs {
            let val = read(x, *place, *ty)?;
            *v.slot_mut(*s).ok_or(NoLower)? = val;
        }
        x.mas = op.mas;
        x.ch = op.ch;
        JIT_LOWER[op.op as usize](x, &mut v)?;
        if let Some((s, place, ty)) = op.dst {
            write(x, place, ty, v.slot(s))?;
        }
        if let Some((s, n)) = op.pdst {
            let val = ir::and(x, v.slot(s), LV::C(1))?;
            write(x, Place::Pred(n), b' ', val)?;
        }
        x.pop_path();
    }
    for &(k, i) in &p.ctls {
        let f = CTL_JIT[k as usize].ok_or(NoLower)?;
        f(&p.decoded.bundle, p.decoded.addr, i, x)?;
    }
    if let Some((_, strmd_dec)) = lm {
        x.push_path(strmd_dec)?;
        x.effect(Effect::StrmdDec)?;
        x.pop_path();
    }
    x.commit()?;
    Ok(x.transfer)
}

/// `interp::loop_stores` on the LSR before the instruction: whether its loop-mode
/// stores are suppressed, and whether they run at the loop's end taking one from
/// `strmd` (rule L1).
fn loop_stores(x: &mut Lx) -> Result<(LV, LV), NoLower> {
    let lsr = x.read_lsr();
    let vlc = ir::slice(x, lsr, 37, 1)?;
    let ecnt = ir::slice(x, lsr, 32, 5)?;
    let lcnt = ir::slice(x, lsr, 0, 32)?;
    let e0 = ir::eq(x, ecnt, LV::C(0))?;
    let l1 = ir::ule(x, lcnt, LV::C(1))?;
    let loop_end = ir::land(x, vlc, e0)?;
    let loop_end = ir::land(x, loop_end, l1)?;
    let pcnt = ir::slice(x, lsr, 48, 5)?;
    let strmd = ir::slice(x, lsr, 53, 7)?;
    let prologue = ir::ne(x, pcnt, LV::C(0))?;
    let s0 = ir::eq(x, strmd, LV::C(0))?;
    let ended = ir::land(x, loop_end, s0)?;
    let suppressed = ir::lor(x, prologue, ended)?;
    let kernel = ir::eq(x, pcnt, LV::C(0))?;
    let s1 = ir::ne(x, strmd, LV::C(0))?;
    let dec = ir::land(x, kernel, loop_end)?;
    let dec = ir::land(x, dec, s1)?;
    Ok((suppressed, dec))
}

/// Ends the current path at a transfer to a run-time target: on in the translation
/// there (`Lx::chain`), or back to the block's start (unless the start is a stop:
/// `home` false).
fn leave(x: &mut Lx, t: LV, start: u64, head: (Block, ir::Assumed), home: bool) {
    let target = x.value(t);
    if !matches!(t, LV::C(_)) {
        // The low bits of a result are flags: an address not aligned to a wide
        // instruction goes in `exit_code` (the interpreter faults there).
        let odd = x.b.ins().band_imm(target, EXIT_FLAGS as i64);
        let away = x.b.create_block();
        let on = x.b.create_block();
        x.b.set_cold_block(away);
        x.b.ins().brif(odd, away, &[], on, &[]);
        x.b.switch_to_block(away);
        leave_at(x, target);
        x.b.switch_to_block(on);
    }
    // The head's code holds only under the assumptions it was translated for.
    let (head, assumed) = head;
    if x.assumed() != assumed || !home {
        x.chain(t);
        return;
    }
    let home = x.b.ins().icmp_imm(
        cranelift_codegen::ir::condcodes::IntCC::Equal,
        target,
        start as i64,
    );
    let out = x.b.create_block();
    let back = x.b.create_block();
    x.b.ins().brif(home, back, &[], out, &[]);
    x.b.switch_to_block(back);
    jump_unless_interrupted(x, head, start);
    x.b.switch_to_block(out);
    x.chain(t);
}

/// Leaves for the dispatcher to go on at `target`, which is not aligned to a wide
/// instruction.
fn leave_at(x: &mut Lx, target: cranelift_codegen::ir::Value) {
    x.b.ins()
        .store(MemFlags::trusted(), target, x.state, off::EXIT_CODE);
    let code = x.b.ins().iconst(types::I64, EXIT_AT as i64);
    x.leave_with(code);
}

/// Jumps to `blk`, the wide instruction at `pc`, unless a signal is pending: then
/// leaves for the dispatcher at `pc`, so that a loop kept inside one translation
/// still lets the signal in.
fn jump_unless_interrupted(x: &mut Lx, blk: Block, pc: u64) {
    let pending = x.signal_pending();
    let out = x.b.create_block();
    x.b.ins().brif(pending, out, &[], blk, &[]);
    x.b.switch_to_block(out);
    let code = x.b.ins().iconst(types::I64, pc as i64);
    x.leave_with(code);
}

/// Where translation stands: wide instructions already given a Cranelift block (with
/// the %ctpr values, window size and rotation their code assumed) and those still to
/// translate.
struct Plan<'s> {
    /// By `spot`.
    placed: HashMap<Spot, (Block, ir::Assumed)>,
    pending: Vec<(u64, Block, ir::Assumed)>,
    /// Wide instructions left to translate of the block's own code, and of callees
    /// inlined.
    budget: usize,
    inline_budget: usize,
    /// Addresses compiled code must not enter: it returns to the dispatcher there.
    stops: &'s BTreeSet<u64>,
}

/// Where code is placed: the address and inlined call (`Lx::ctx`), and inside an
/// inlined call the assumptions too. The block's own code reached under other
/// assumptions goes on in another translation (made for them); an inlined callee's
/// is translated again, since leaving it costs a return through the dispatcher (a
/// loop whose %ctpr values differ on the way back closes on its second copy).
type Spot = (u64, usize, Option<ir::Assumed>);

fn spot(pc: u64, x: &Lx) -> Spot {
    (pc, x.ctx, (x.ctx != 0).then(|| x.assumed()))
}

impl Plan<'_> {
    /// Room left in the context `ctx`.
    fn left(&self, ctx: usize) -> usize {
        if ctx == 0 {
            self.budget
        } else {
            self.inline_budget
        }
    }

    fn spend(&mut self, ctx: usize) {
        if ctx == 0 {
            self.budget -= 1;
        } else {
            self.inline_budget -= 1;
        }
    }

    /// Continues the current path at `t`: inside the function if it is (or can be)
    /// translated here under the same assumptions, else through the dispatcher.
    fn goto(&mut self, x: &mut Lx, t: LV, start: u64) {
        let home = !self.stops.contains(&start);
        let LV::C(t) = t else {
            return leave(x, t, start, self.placed[&(start, 0, None)], home);
        };
        self.go(x, t as u64, true);
    }

    /// `goto` a known `t` (`within`: from the same context, where a jump back is a
    /// loop).
    fn go(&mut self, x: &mut Lx, t: u64, within: bool) {
        if t & EXIT_FLAGS != 0 {
            let v = x.b.ins().iconst(types::I64, t as i64);
            return leave_at(x, v);
        }
        if self.stops.contains(&t) {
            let code = x.b.ins().iconst(types::I64, t as i64);
            return x.leave_with(code);
        }
        match self.placed.get(&spot(t, x)) {
            Some((blk, assumed)) if *assumed == x.assumed() => {
                let blk = *blk;
                if within && t <= x.pc && x.ctx == 0 {
                    x.seen.loops.insert((t, x.pc));
                }
                jump_unless_interrupted(x, blk, t);
            }
            None if self.left(x.ctx) > 0 => {
                let blk = x.b.create_block();
                self.placed.insert(spot(t, x), (blk, x.assumed()));
                self.pending.push((t, blk, x.assumed()));
                x.b.ins().jump(blk, &[]);
            }
            // Translated here under other assumptions, or no room: another
            // translation, for the state at run time.
            _ => {
                x.cut_inlined();
                x.chain(LV::C(t as u128))
            }
        }
    }
}

/// Builds the function for the block at `start`, with the registers `learnt` names
/// kept in variables and stored at exits as it says; `None` if not even its first
/// wide instruction can be translated. Returns what the translation learnt: translate
/// once with nothing learnt, then again with what that gave.
///
/// Translation follows the code from `start` along fall-throughs and known transfer
/// targets (ibranch, or a %ctpr prepared in the block), up to `MAX_BUNDLES` wide
/// instructions; a transfer to a wide instruction already translated jumps to it, so
/// loops stay inside the function. Other transfers leave for the dispatcher, and so
/// does every path that reaches one of `stops` (a debugger's breakpoints) after the
/// first wide instruction.
pub fn block(
    b: FunctionBuilder,
    mem: &GuestMemory,
    key: &Key,
    learnt: &ir::Learnt,
    side: ir::JitSide,
) -> Option<(Translated, ir::Learnt)> {
    let stops = side.stops;
    let (start, iset) = (key.ip, key.iset());
    let mut b = b;
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let state = b.block_params(entry)[0];
    let head = b.create_block();
    let mut x = Lx::new(b, state, key, learnt, head, side);
    let mut plan = Plan {
        placed: HashMap::new(),
        pending: vec![],
        budget: MAX_BUNDLES,
        inline_budget: inline::MAX_INLINED_BUNDLES,
        stops,
    };
    plan.placed.insert((start, 0, None), (head, x.assumed()));
    let mut done = 0;
    let mut code = vec![];
    let mut pc = start;
    'paths: loop {
        loop {
            // Each wide instruction starts a Cranelift block others may jump to.
            if pc != start || done > 0 {
                if plan.stops.contains(&pc) {
                    let code = x.b.ins().iconst(types::I64, pc as i64);
                    x.leave_with(code);
                    break;
                }
                if x.seen.cut.contains(&pc) {
                    x.chain(LV::C(pc as u128));
                    break;
                }
                match plan.placed.get(&spot(pc, &x)) {
                    Some((blk, assumed))
                        if *assumed == x.assumed() && x.b.current_block() != Some(*blk) =>
                    {
                        let blk = *blk;
                        jump_unless_interrupted(&mut x, blk, pc);
                        break;
                    }
                    Some((blk, _)) if x.b.current_block() == Some(*blk) => {}
                    // Translated already under other assumptions, or no room left:
                    // continue in another translation.
                    Some(_) => {
                        x.cut_inlined();
                        x.chain(LV::C(pc as u128));
                        break;
                    }
                    None if plan.left(x.ctx) == 0 => {
                        x.cut_inlined();
                        x.chain(LV::C(pc as u128));
                        break;
                    }
                    None => {
                        let blk = x.b.create_block();
                        x.b.ins().jump(blk, &[]);
                        x.b.switch_to_block(blk);
                        plan.placed.insert(spot(pc, &x), (blk, x.assumed()));
                    }
                }
            }
            if plan.left(x.ctx) == 0 {
                // Placed while there was room: another translation continues here.
                x.cut_inlined();
                x.chain(LV::C(pc as u128));
                break;
            }
            let prepared = interp::prepare(mem, pc, iset).ok();
            let outcome = match &prepared {
                Some(p) => bundle(&mut x, p),
                None => Err(NoLower),
            };
            let Ok(transfer) = outcome else {
                // Leave for the interpreter here (anything this instruction stored it
                // will store again, with the same values).
                let code = x.b.ins().iconst(types::I64, (pc | EXIT_INTERPRET) as i64);
                x.leave_with(code);
                break;
            };
            done += 1;
            plan.spend(x.ctx);
            let next = pc + prepared.as_ref().map_or(8, |p| p.len);
            code.push((pc, next - pc));
            x.count();
            match x.inline_target(next) {
                Some((target, wbs))
                    if plan.inline_budget >= inline::ROOM_TO_INLINE
                        && !x.seen.no_inline.contains(&pc) =>
                {
                    // (It fails only as `emit_events` would: the translation is
                    // then refused.)
                    if x.call_inlined(pc, target, wbs, next).is_ok() {
                        plan.go(&mut x, target, false);
                    }
                    break;
                }
                _ => {}
            }
            match x.return_inlined() {
                Some(r) => {
                    plan.go(&mut x, r.next, false);
                    x.stay_inlined(&r);
                    if r.ends {
                        break;
                    }
                }
                None => {
                    if x.emit_events(next).unwrap_or(true) {
                        break;
                    }
                }
            }
            match transfer {
                Some((LV::C(0), _)) | None => {}
                Some((LV::C(_), t)) => {
                    plan.goto(&mut x, t, start);
                    break;
                }
                // A conditional transfer: the taken side goes its way, this path
                // goes on along the fall-through.
                Some((c, t)) => {
                    let f = x.value(c);
                    let taken = x.b.create_block();
                    let stay = x.b.create_block();
                    x.b.ins().brif(f, taken, &[], stay, &[]);
                    x.b.switch_to_block(taken);
                    plan.goto(&mut x, t, start);
                    x.b.switch_to_block(stay);
                }
            }
            pc = next;
        }
        let Some((p, blk, known)) = plan.pending.pop() else {
            break 'paths;
        };
        x.b.switch_to_block(blk);
        x.assume(known);
        pc = p;
    }
    x.finish();
    x.b.seal_all_blocks();
    let learnt = std::mem::take(&mut x.seen);
    let inlined = x.inlined.len();
    x.b.finalize();
    (done > 0).then_some((
        Translated {
            bundles: done,
            code,
            inlined,
            not_inlined: learnt.no_inline.len(),
        },
        learnt,
    ))
}
