//! Decoding: bytes and an ISA version to a typed wide instruction. The syllable layout and
//! every table used here are generated from `isa/`; this module only walks them.

use crate::isa::version::Iset;
use crate::isa::{self, Bundle, KindClass, LayoutError, Role};
use std::fmt;

/// An operand of an ALU operation, resolved from its byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operand {
    /// Index of the field in the format's field list.
    pub field: u8,
    /// Index into `isa::KINDS`.
    pub kind: u8,
    /// The kind's number (register number, immediate, LTS index, ...).
    pub n: u8,
    /// Operand type letter (S, D, X, Q, P) for register operands, or ' '.
    pub ty: u8,
    /// The literal's value for literal references (as stored, not extended).
    pub value: u64,
    /// A literal reference whose LTS the bundle lacks.
    pub missing: bool,
}

impl Operand {
    pub fn kind_info(&self) -> &'static isa::KindInfo {
        &isa::KINDS[self.kind as usize]
    }
}

/// One decoded ALU operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AluOp {
    pub channel: u8,
    /// Index into `isa::ENCODINGS`.
    pub enc: u16,
    /// Index into `isa::OPS`.
    pub op: u16,
    pub speculative: bool,
    pub operands: Vec<Operand>,
}

impl AluOp {
    pub fn info(&self) -> &'static isa::OpInfo {
        &isa::OPS[self.op as usize]
    }
    pub fn encoding(&self) -> &'static isa::EncInfo {
        &isa::ENCODINGS[self.enc as usize]
    }
    pub fn format(&self) -> &'static isa::FormatInfo {
        &isa::FORMATS[self.encoding().format as usize]
    }
    /// The operand for the format field called `name`.
    pub fn operand(&self, name: &str) -> Option<&Operand> {
        let fields = self.format().fields;
        self.operands
            .iter()
            .find(|o| fields[o.field as usize].name == name)
    }
}

/// A decoded wide instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub addr: u64,
    pub iset: Iset,
    pub bundle: Bundle,
    pub alu: [Option<AluOp>; 6],
    /// Channels whose ALS could not be decoded (only from `decode_lenient`).
    pub bad: Vec<(u8, DecodeError)>,
}

impl Decoded {
    pub fn len(&self) -> usize {
        self.bundle.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.bundle.len == 0
    }
}

/// A condition a CDS entry attaches to an ALU channel: RLP (the operation runs only
/// when it holds) or MRGC (the select input of a merge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    pub negated: bool,
    /// `%predN` (0x60 | N), `%pcntN` (0x40 | N); other codes are invalid.
    pub code: u8,
}

impl Condition {
    pub fn pred(self) -> Option<u8> {
        (self.code & 0x60 == 0x60).then_some(self.code & 0x1f)
    }
    pub fn pcnt(self) -> Option<u8> {
        (self.code & 0x60 == 0x40).then_some(self.code & 0x1f)
    }
}

/// The RLP (`mrgc = false`) or MRGC conditions of channel `ch`, in CDS order. Each
/// 16-bit entry names a cluster (channels 0-2 or 3-5), a channel mask, per-channel
/// negation and the predicate.
pub fn conditions(b: &Bundle, ch: u8, mrgc: bool) -> impl Iterator<Item = Condition> + '_ {
    let cluster = u32::from(ch >= 3);
    let pos = u32::from(ch % 3);
    cds_entries(b, if mrgc { 2 + cluster } else { cluster }, pos, pos)
}

/// The AM conditions of channel 2 or 5: RLP entries of its cluster with mask bit 3
/// (negation bit 2), which gate the increment of an array store.
pub fn am_conditions(b: &Bundle, ch: u8) -> impl Iterator<Item = Condition> + '_ {
    cds_entries(b, u32::from(ch >= 3), 3, 2)
}

fn cds_entries(
    b: &Bundle,
    kind: u32,
    mask_bit: u32,
    neg_bit: u32,
) -> impl Iterator<Item = Condition> + '_ {
    b.cds
        .iter()
        .flatten()
        .flat_map(|cds| [cds.0 & 0xffff, cds.0 >> 16])
        .filter_map(move |half| {
            let opc = half >> 14;
            let mask = (half >> 10) & 0xf;
            (opc == kind && mask & (1 << mask_bit) != 0).then(|| Condition {
                negated: (half >> 7) & 7 & (1 << neg_bit) != 0,
                code: (half & 0x7f) as u8,
            })
        })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The address is not 8-byte aligned.
    Misaligned(u64),
    Layout(LayoutError),
    /// No operation of this ISA version has this encoding in this channel.
    UnknownOperation {
        channel: u8,
        als: u32,
        ales: Option<u16>,
    },
    /// An operand field holds a value that is not an operand of its kind.
    BadOperand {
        channel: u8,
        field: &'static str,
        value: u8,
    },
    /// An operand refers to a literal syllable the bundle does not have.
    MissingLiteral {
        channel: u8,
        lts: u8,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Misaligned(a) => {
                write!(f, "wide instruction address {a:#x} is not 8-byte aligned")
            }
            DecodeError::Layout(e) => write!(f, "{e}"),
            DecodeError::UnknownOperation { channel, als, ales } => match ales {
                Some(e) => write!(
                    f,
                    "no operation in channel {channel} is encoded as ALS {als:#010x} ALES {e:#06x}"
                ),
                None => write!(
                    f,
                    "no operation in channel {channel} is encoded as ALS {als:#010x}"
                ),
            },
            DecodeError::BadOperand {
                channel,
                field,
                value,
            } => {
                write!(
                    f,
                    "channel {channel}: {value:#04x} is not a valid `{field}` operand"
                )
            }
            DecodeError::MissingLiteral { channel, lts } => {
                write!(f, "channel {channel} refers to literal LTS{lts}, which the wide instruction does not have")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<LayoutError> for DecodeError {
    fn from(e: LayoutError) -> Self {
        DecodeError::Layout(e)
    }
}

/// Decodes the wide instruction at the start of `bytes`, which sits at guest address `addr`.
pub fn decode(bytes: &[u8], addr: u64, iset: Iset) -> Result<Decoded, DecodeError> {
    let d = decode_lenient(bytes, addr, iset)?;
    match d.bad.first() {
        Some((_, e)) => Err(e.clone()),
        None => Ok(d),
    }
}

/// Like `decode`, but an undecodable ALU channel is recorded in `bad` instead of
/// failing the whole wide instruction (for listings).
pub fn decode_lenient(bytes: &[u8], addr: u64, iset: Iset) -> Result<Decoded, DecodeError> {
    if !addr.is_multiple_of(8) {
        return Err(DecodeError::Misaligned(addr));
    }
    let bundle = isa::unpack(bytes)?;
    let mut alu: [Option<AluOp>; 6] = Default::default();
    let mut bad = Vec::new();
    for ch in 0..6u8 {
        if let Some(als) = bundle.als[ch as usize] {
            match decode_alu(&bundle, ch, als.0, iset) {
                Ok((op, problem)) => {
                    alu[ch as usize] = Some(op);
                    bad.extend(problem.map(|e| (ch, e)));
                }
                Err(e) => bad.push((ch, e)),
            }
        }
    }
    Ok(Decoded {
        addr,
        iset,
        bundle,
        alu,
        bad,
    })
}

/// Finds the encoding row of the operation in channel `ch`.
pub fn find_encoding(ch: u8, als: u32, ales: Option<u16>, iset: Iset) -> Option<usize> {
    let opc = ((als >> 24) & 0x7f) as usize;
    let (start, end) = isa::OPC_INDEX[opc];
    (start as usize..end as usize).find(|&i| {
        let e = &isa::ENCODINGS[i];
        if e.channels & (1 << ch) == 0 || e.versions & iset.mask() == 0 {
            return false;
        }
        if als & e.als_mask != e.als_value {
            return false;
        }
        let fmt = &isa::FORMATS[e.format as usize];
        match (fmt.ales, ales) {
            (false, None) => true,
            (true, Some(x)) => x & e.ales_mask == e.ales_value,
            _ => false,
        }
    })
}

/// The operation, and the first operand problem that still lets it be printed (a
/// missing literal, an invalid operand value).
fn decode_alu(
    b: &Bundle,
    ch: u8,
    als: u32,
    iset: Iset,
) -> Result<(AluOp, Option<DecodeError>), DecodeError> {
    let ales = b.ales[ch as usize].map(|a| a.0);
    let Some(ei) = find_encoding(ch, als, ales, iset) else {
        return Err(DecodeError::UnknownOperation {
            channel: ch,
            als,
            ales,
        });
    };
    let enc = &isa::ENCODINGS[ei];
    let info = &isa::OPS[enc.op as usize];
    let fmt = &isa::FORMATS[enc.format as usize];
    let mut types = info.args.bytes();
    let mut operands = Vec::with_capacity(fmt.fields.len());
    let mut problem = None;
    for (fi, f) in fmt.fields.iter().enumerate() {
        let word = if f.in_ales {
            ales.unwrap_or(0) as u32
        } else {
            als
        };
        let v = ((word >> f.lo) & ((1u32 << f.width) - 1)) as u8;
        let ty = match f.role {
            Role::Src | Role::Dst => types.next().unwrap_or(b' '),
            _ => b' ',
        };
        let map = &isa::OPERANDS[f.operand as usize];
        let Some((kind, n)) = map.table[v as usize] else {
            return Err(DecodeError::BadOperand {
                channel: ch,
                field: f.name,
                value: v,
            });
        };
        let mut missing = false;
        let value = match isa::KINDS[kind as usize].class {
            KindClass::Lit { bits, shift } => literal(b, n, bits, shift).unwrap_or_else(|| {
                missing = true;
                problem.get_or_insert(DecodeError::MissingLiteral {
                    channel: ch,
                    lts: n,
                });
                0
            }),
            KindClass::Imm => n as u64,
            KindClass::Invalid => {
                problem.get_or_insert(DecodeError::BadOperand {
                    channel: ch,
                    field: f.name,
                    value: v,
                });
                0
            }
            _ => 0,
        };
        operands.push(Operand {
            field: fi as u8,
            kind,
            n,
            ty,
            value,
            missing,
        });
    }
    Ok((
        AluOp {
            channel: ch,
            enc: ei as u16,
            op: enc.op,
            speculative: als >> 31 != 0,
            operands,
        },
        problem,
    ))
}

/// The raw literal: `bits` wide from bit `shift` of LTS n (64-bit ones also use LTS n+1).
fn literal(b: &Bundle, n: u8, bits: u32, shift: u32) -> Option<u64> {
    let lts = |i: usize| b.lts.get(i).copied().flatten().map(|l| l.0 as u64);
    let n = n as usize;
    Some(match bits {
        64 => lts(n)? | lts(n + 1)? << 32,
        32 => lts(n)?,
        w => (lts(n)? >> shift) & ((1 << w) - 1),
    })
}
