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
            DecodeError::Misaligned(_) => nix::libc::SIGBUS,
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
        ] {
            if let Some(s) = slot_of(name) {
                p.fixed.push((s, v));
            }
        }
        ops.push(p);
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
    Ok(Prepared {
        decoded: d,
        len,
        ops,
        ctls,
    })
}
