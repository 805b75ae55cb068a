//! Decoding a wide instruction once into the form the interpreter executes: each ALU
//! operation with its generated semantics and the places of its operands, and the
//! control operations the bundle holds.

use crate::engine::event::{trap_event, Event};
use crate::guest::memory::GuestMemory;
use crate::isa::decode::{self, Condition, DecodeError, Decoded};
use crate::isa::semantics::{OpVals, SemFn, SEMANTICS};
use crate::isa::{self, KindClass, Role};

/// The longest wide instruction.
const MAX_BUNDLE: usize = 64;

/// Where an operand's value comes from or goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// `%rN` of the current window.
    Reg(u32),
    /// `%b[N]`.
    Based(u32),
    Global(u32),
    /// A number carried in the instruction (short immediate or literal).
    Const(u128),
    Pred(u32),
    Ctpr(u32),
    /// `%empty`, `%tst` and the like: reads give 0, writes vanish.
    Nowhere,
}

#[derive(Clone, Debug)]
pub(crate) struct PreparedOp {
    /// Index into `isa::OPS`.
    pub(crate) op: u16,
    pub(crate) sem: SemFn,
    pub(crate) sm: bool,
    /// Memory access specifier and channel (for loads and stores).
    pub(crate) mas: u8,
    pub(crate) ch: u8,
    /// (value slot, place, type letter) of each source.
    pub(crate) srcs: Vec<(usize, Place, u8)>,
    /// (value slot, place, type letter) of the destination.
    pub(crate) dst: Option<(usize, Place, u8)>,
    /// Value slot and predicate number of a compare's result.
    pub(crate) pdst: Option<(usize, u32)>,
    /// Slots given as plain numbers (state register number, MAS, channel, ...).
    pub(crate) fixed: Vec<(usize, u128)>,
    pub(crate) rlp: Vec<Condition>,
    pub(crate) mrgc: Option<Condition>,
    pub(crate) cond_slot: Option<usize>,
    /// A store of a loop-mode instruction (rule L1: suppressed in the prologue and
    /// after the loop's end unless `LSR.strmd` allows it).
    pub(crate) lm_store: bool,
    /// The AM conditions (array operations' `incr`), and the slot of `amc`.
    pub(crate) amc: Vec<Condition>,
    pub(crate) amc_slot: Option<usize>,
}

/// A decoded wide instruction, ready to execute.
pub struct Prepared {
    pub decoded: Decoded,
    pub len: u64,
    pub(crate) ops: Vec<PreparedOp>,
    /// Control operations present: (index into `isa::CTLS`, instance).
    pub(crate) ctls: Vec<(u16, usize)>,
    /// Some operation is a loop-mode store (`lm_store`).
    pub(crate) lm_stores: bool,
}

impl Prepared {
    /// The operations of the instruction: index into `isa::OPS` for ALU operations,
    /// `OPS.len()` + index into `isa::CTLS` for control operations.
    pub fn op_indices(&self) -> impl Iterator<Item = usize> + '_ {
        let n = isa::OPS.len();
        self.ops
            .iter()
            .map(|o| o.op as usize)
            .chain(self.ctls.iter().map(move |c| n + c.0 as usize))
    }
}

fn slot_of(name: &str) -> Option<usize> {
    OpVals::SLOTS.iter().position(|s| *s == name)
}

fn place(o: &decode::Operand) -> Place {
    let k = o.kind_info();
    match k.class {
        KindClass::Based => Place::Based(o.n as u32),
        KindClass::Reg => Place::Reg(o.n as u32),
        KindClass::Global => Place::Global(o.n as u32),
        KindClass::Imm => Place::Const(o.n as u128),
        KindClass::Lit { bits, .. } => {
            let v = o.value as u128;
            // Literals shorter than 64 bits are signed.
            Place::Const(if bits < 64 {
                crate::isa::bits::sext(v, bits, 64)
            } else {
                v
            })
        }
        KindClass::Pred => Place::Pred(o.n as u32),
        KindClass::Ctpr => Place::Ctpr(o.n as u32),
        KindClass::Special | KindClass::Invalid => Place::Nowhere,
    }
}

/// What makes the ALU operations of one wide instruction an illegal opcode, whatever
/// their conditions (rules C1, C2 and D1 of the exactness document): a %ctpr
/// destination of an operation `isa/` does not mark `writes_ctpr`, or under an RLP
/// condition; a store in channel 2 with a load in channel 3, or a store in channel 5
/// with a load in channel 0.
fn illegal_combination(ops: &[PreparedOp]) -> Option<&'static str> {
    for o in ops {
        if matches!(o.dst, Some((_, Place::Ctpr(_), _))) {
            if !isa::OPS[o.op as usize].writes_ctpr {
                return Some("only movtd, movtcd, movtrd, movtrcd and getpl may write a %ctpr");
            }
            if !o.rlp.is_empty() {
                return Some("a %ctpr write under an RLP condition");
            }
        }
    }
    let on = |ch: u8, f: fn(&isa::OpInfo) -> bool| {
        ops.iter()
            .any(|o| o.ch == ch && f(&isa::OPS[o.op as usize]))
    };
    let (store, load) = (|i: &isa::OpInfo| i.stores, |i: &isa::OpInfo| i.loads);
    if (on(2, store) && on(3, load)) || (on(5, store) && on(0, load)) {
        return Some("a store and a load on mirrored channels (2 and 3, or 5 and 0)");
    }
    None
}

/// Rule L1 for the stores of a loop-mode instruction, from LSR before it: whether they
/// are suppressed (in the prologue, `pcnt != 0`, or at the loop's end with
/// `strmd == 0`), and whether they run at the loop's end and take one from `strmd`
/// (once per instruction, however many stores it holds).
pub fn loop_stores(lsr: u64) -> (bool, bool) {
    let loop_end = lsr >> 37 & 1 != 0 && lsr >> 32 & 0x1f == 0 && lsr & 0xffff_ffff <= 1;
    let pcnt = lsr >> 48 & 0x1f;
    let strmd = lsr >> 53 & 0x7f;
    (
        pcnt != 0 || (loop_end && strmd == 0),
        pcnt == 0 && loop_end && strmd != 0,
    )
}

/// The place an ALU `dst` operand byte names (what a `mova` destination byte names
/// too), with operand type `ty`; `None` for a byte that is no destination.
pub(crate) fn dst_place(byte: u8, ty: u8) -> Option<Place> {
    let map = isa::OPERANDS.iter().find(|m| m.name == "dst")?;
    let (kind, n) = map.table[byte as usize]?;
    Some(place(&decode::Operand {
        field: 0,
        kind,
        n,
        ty,
        value: 0,
        missing: false,
    }))
}

/// Decodes and prepares the wide instruction at `addr`.
pub fn prepare(
    mem: &GuestMemory,
    addr: u64,
    iset: crate::isa::version::Iset,
) -> Result<Prepared, Event> {
    let bytes = mem.fetch(addr, MAX_BUNDLE).map_err(|f| Event::Fault {
        signal: nix::libc::SIGSEGV,
        code: 2,
        addr: f.addr,
        why: format!("instruction fetch: {f}"),
    })?;
    let d = decode::decode(bytes, addr, iset).map_err(|e| {
        let signal = match e {
            // Execution reaching an address not aligned to 8 bytes: an illegal opcode
            // (rule D3; the newer reading, qemu-e2k of 2021 gives SIGSEGV).
            DecodeError::Misaligned(_) => nix::libc::SIGILL,
            DecodeError::Layout(_) if bytes.len() < MAX_BUNDLE => nix::libc::SIGSEGV,
            _ => nix::libc::SIGILL,
        };
        Event::Fault {
            signal,
            code: 1,
            addr,
            why: format!("undecodable wide instruction: {e}"),
        }
    })?;
    let loop_mode = d.bundle.hs.lm() != 0;
    let mut ops = Vec::new();
    for op in d.alu.iter().flatten() {
        let enc = op.encoding();
        if enc.second & (1 << op.channel) != 0 {
            continue;
        }
        let fmt = op.format();
        let mut p = PreparedOp {
            op: op.op,
            sem: SEMANTICS[op.op as usize],
            sm: op.speculative,
            mas: crate::isa::disasm::mas(&d, op.channel) as u8,
            ch: op.channel,
            srcs: vec![],
            dst: None,
            pdst: None,
            fixed: vec![],
            rlp: decode::conditions(&d.bundle, op.channel, false).collect(),
            mrgc: decode::conditions(&d.bundle, op.channel, true).next(),
            cond_slot: slot_of("cond"),
            lm_store: loop_mode && isa::OPS[op.op as usize].stores,
            amc: decode::am_conditions(&d.bundle, op.channel).collect(),
            amc_slot: slot_of("amc"),
        };
        for o in &op.operands {
            let f = &fmt.fields[o.field as usize];
            let Some(slot) = slot_of(f.name) else {
                continue;
            };
            match f.role {
                Role::Src => p.srcs.push((slot, place(o), o.ty)),
                Role::Dst => p.dst = Some((slot, place(o), o.ty)),
                Role::Pred => p.pdst = Some((slot, o.n as u32)),
                Role::None => {
                    let als = d.bundle.als[op.channel as usize].map_or(0, |a| a.0);
                    let word = if f.in_ales {
                        d.bundle.ales[op.channel as usize].map_or(0, |a| a.0 as u32)
                    } else {
                        als
                    };
                    p.fixed
                        .push((slot, ((word >> f.lo) & ((1u32 << f.width) - 1)) as u128));
                }
            }
        }
        for (name, v) in [
            ("sm", op.speculative as u128),
            ("ch", op.channel as u128),
            ("pc", addr as u128),
            ("mas", crate::isa::disasm::mas(&d, op.channel) as u128),
            ("iset", iset.number() as u128),
        ] {
            if let Some(s) = slot_of(name) {
                p.fixed.push((s, v));
            }
        }
        ops.push(p);
    }
    if let Some(why) = illegal_combination(&ops) {
        return Err(Event::Fault {
            signal: nix::libc::SIGILL,
            code: 1,
            addr,
            why: why.into(),
        });
    }
    let mut ctls = Vec::new();
    for (k, c) in isa::CTLS.iter().enumerate() {
        if c.versions & iset.mask() == 0 {
            continue;
        }
        for i in 0..c.instances {
            if (c.matches)(&d.bundle, addr, i) {
                // A trap the bundle alone decides (a PLS combiner reading a result it
                // may not): the whole instruction is refused before anything runs.
                if let Some(t) = c.check.and_then(|f| f(&d.bundle, addr, i)) {
                    return Err(match trap_event(t) {
                        Event::Fault {
                            signal, code, why, ..
                        } => Event::Fault {
                            signal,
                            code,
                            addr,
                            why: format!("`{}`: {why}", c.name),
                        },
                        e => e,
                    });
                }
                ctls.push((k as u16, i));
            }
        }
    }
    let len = d.len() as u64;
    let lm_stores = ops.iter().any(|o| o.lm_store);
    Ok(Prepared {
        decoded: d,
        len,
        ops,
        ctls,
        lm_stores,
    })
}
