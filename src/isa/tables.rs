//! The ISA as generated from `isa/*.isa`: syllable types, the bundle unpacker, and the
//! tables of operand kinds, formats, operations, encodings and control operations.
//! This file only defines the shapes of those tables; their content is generated.

/// What an operand byte denotes, independent of how it is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindClass {
    /// Rotating based register `%b[n]`.
    Based,
    /// Windowed register `%rn`.
    Reg,
    /// Global register `%gn`.
    Global,
    /// Short immediate carried in the operand byte.
    Imm,
    /// A literal syllable reference: `bits` wide, from bit `shift` of LTS n.
    Lit { bits: u32, shift: u32 },
    /// Control transfer preparation register `%ctprn`.
    Ctpr,
    /// Predicate register `%predn`.
    Pred,
    /// A fixed special operand (`%empty`, `%tst`, a state register, ...).
    Special,
    /// A field value that is not a valid operand; listings print it, execution refuses it.
    Invalid,
}

/// A piece of a syntax template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tmpl {
    Text(&'static str),
    /// A named hole and its format (`""`, `"x"`, `"d"`, `"addr"`).
    Hole(&'static str, &'static str),
}

#[derive(Debug)]
pub struct KindInfo {
    pub name: &'static str,
    pub class: KindClass,
    pub template: &'static [Tmpl],
    /// Spelling of a literal reference whose LTS is absent (empty for other kinds).
    pub missing: &'static [Tmpl],
    pub src: &'static str,
}

/// Spelling prefix of a register operand of the given type letter.
pub fn size_prefix(ty: u8) -> &'static str {
    match ty {
        b'D' => "d",
        // 80-bit values sit in D registers and are spelled as such.
        b'X' => "d",
        b'Q' => "q",
        b'P' => "qp",
        _ => "",
    }
}

fn hole_number(out: &mut String, v: u64, fmt: &str) {
    use std::fmt::Write;
    let _ = match fmt {
        "x" | "addr" => write!(out, "{v:#x}"),
        _ => write!(out, "{v}"),
    };
}

impl KindInfo {
    /// Writes an operand of this kind as the assembler spells it: number `n`, type
    /// letter `ty`, literal value `value`; `missing` for a literal whose LTS is absent.
    /// (Here rather than in `disasm` because the generated printers use it too.)
    pub fn spell(&self, out: &mut String, n: u8, ty: u8, value: u64, missing: bool) {
        let template = if missing { self.missing } else { self.template };
        for t in template {
            match *t {
                Tmpl::Text(s) => out.push_str(s),
                Tmpl::Hole("n", f) => hole_number(out, n as u64, f),
                Tmpl::Hole("sz", _) => out.push_str(size_prefix(ty)),
                Tmpl::Hole("value", f) => {
                    let v = match self.class {
                        KindClass::Lit { .. } | KindClass::Imm => value,
                        _ => n as u64,
                    };
                    hole_number(out, v, f)
                }
                Tmpl::Hole(other, _) => {
                    out.push('<');
                    out.push_str(other);
                    out.push_str("?>");
                }
            }
        }
    }
}

#[derive(Debug)]
pub struct OperandMap {
    pub name: &'static str,
    pub src: &'static str,
    /// Per byte value: (index into `KINDS`, kind parameter).
    pub table: [Option<(u8, u8)>; 256],
}

/// How a format field takes part in an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Src,
    Dst,
    Pred,
    None,
}

#[derive(Debug)]
pub struct FieldInfo {
    pub name: &'static str,
    /// The field lives in the channel's ALES rather than its ALS.
    pub in_ales: bool,
    pub lo: u32,
    pub width: u32,
    /// Index into `OPERANDS`.
    pub operand: u8,
    pub role: Role,
}

#[derive(Debug)]
pub struct FormatInfo {
    pub name: &'static str,
    /// Operations of this format need the channel's ALES.
    pub ales: bool,
    pub fields: &'static [FieldInfo],
    pub syntax: &'static [Tmpl],
    pub src: &'static str,
}

#[derive(Debug)]
pub struct OpInfo {
    pub name: &'static str,
    /// Other names binutils gives the same operation (objdump lists it `ambiguous`).
    pub also: &'static [&'static str],
    /// Operand types, sources first: S 32, D 64, X 80, Q 128 pair, P 128 packed.
    pub args: &'static str,
    pub group: &'static str,
    /// The operation accesses memory (its syntax may carry a MAS).
    pub memory: bool,
    /// It reads memory (a load) / writes memory (a store).
    pub loads: bool,
    pub stores: bool,
    /// It may have a %ctpr destination (`writes_ctpr` in `isa/`).
    pub writes_ctpr: bool,
    /// gas writes the ALES2/ALES5 word for it in channel 2 or 5 on v4 even when it
    /// holds the default (`explicit_ales25_v4` in `isa/`).
    pub explicit_ales25_v4: bool,
    /// Further spellings the assembler accepts (`asm` in `isa/`).
    pub asm: &'static [AsmForm],
    pub src: &'static str,
}

/// An assembler-only spelling of an operation: its mnemonic, its operand syntax (holes
/// are format fields; `:d` a bare number), fields it fixes and the MAS it implies.
#[derive(Debug)]
pub struct AsmForm {
    pub name: &'static str,
    pub syntax: &'static [Tmpl],
    pub fixed: &'static [(&'static str, u32)],
    pub mas: Option<u8>,
    pub src: &'static str,
}

/// One encoding of an operation: ALS/ALES bits to match, channels and ISA versions.
#[derive(Debug)]
pub struct EncInfo {
    /// Index into `OPS`.
    pub op: u16,
    /// Index into `FORMATS`.
    pub format: u8,
    pub als_mask: u32,
    pub als_value: u32,
    pub ales_mask: u16,
    pub ales_value: u16,
    /// Bit c: allowed in channel c.
    pub channels: u8,
    /// Bit c: in channel c this is the second half of a pair operation; the first half
    /// prints the whole operation.
    pub second: u8,
    /// Bit v-1: allowed in ISA version v.
    pub versions: u8,
    pub src: &'static str,
}

/// A control-unit or other non-ALU operation, printed when `matches` holds.
pub struct CtlInfo {
    pub name: &'static str,
    pub syllable: &'static str,
    pub group: &'static str,
    /// How many instances of the syllable a bundle can hold (1, or the family size).
    pub instances: usize,
    /// Instances sit at descending addresses (tail syllables) and print last first.
    pub descending: bool,
    pub versions: u8,
    pub matches: fn(&Bundle, u64, usize) -> bool,
    pub print: fn(&Bundle, u64, usize, &mut String),
    /// What it does (from its `{ ... }` block), or `None` if `isa/` does not say yet.
    /// (Its Cranelift lowering, generated from the same block, is the JIT's `CTL_JIT`.)
    pub exec: Option<CtlExecFn>,
    /// The traps of `exec` that depend only on the bundle (top-level `trap` statements
    /// over its fields): checked before anything in the wide instruction runs.
    pub check: Option<fn(&Bundle, u64, usize) -> Option<crate::isa::semantics::Trap>>,
    pub src: &'static str,
}

/// Semantics of a control operation: bundle, address, instance, machine.
pub type CtlExecFn = fn(
    &Bundle,
    u64,
    usize,
    &mut dyn crate::isa::semantics::Exec,
) -> Result<(), crate::isa::semantics::Trap>;

impl OperandMap {
    /// Writes the operand that field value `value` denotes (control operations that
    /// name registers, such as mova destinations).
    pub fn spell_byte(&self, out: &mut String, value: u8, ty: u8) {
        match self.table[value as usize] {
            Some((kind, n)) => KINDS[kind as usize].spell(out, n, ty, n as u64, false),
            None => {
                out.push_str("<invalid ");
                out.push_str(&format!("{value:#x}"));
                out.push('>');
            }
        }
    }
}

impl std::fmt::Debug for CtlInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CtlInfo({} in {}, {})",
            self.name, self.syllable, self.src
        )
    }
}

include!(concat!(env!("OUT_DIR"), "/isa.rs"));

/// A piece of a control operation's syntax, for the assembler.
#[derive(Clone, Copy)]
pub enum AsmSeg {
    Text(&'static str),
    /// A number or symbol written into a field.
    Field(FieldLoc),
    /// A number that a `define`'s inverse turns into a field (index for `define_inverse`).
    Define(u16),
    /// A `text` spelling (index into `TEXT_ASM`) whose parameters are these fields.
    Call(u16, &'static [FieldLoc]),
    /// A number computed from the instance (`@p{2 * i}`): it selects the instance.
    Instance(fn(usize) -> u64),
}

#[derive(Clone, Copy, Debug)]
pub enum TextSeg {
    Text(&'static str),
    /// Parameter bits: (parameter, low bit, width); width 64 is the whole parameter.
    Param(u8, u8, u8),
    /// A nested spelling whose parameters are bits of ours: (parameter, low bit, width).
    Call(u16, &'static [(u8, u8, u8)]),
    /// An operand spelled through an operand map: (map, parameter, type letter).
    Operand(u8, u8, u8),
    /// A computed hole the assembler cannot read back; the case is skipped.
    Opaque,
}

#[derive(Clone, Copy, Debug)]
pub struct TextCase {
    /// Parameter bits the case's condition requires: (parameter, mask, value).
    pub conds: &'static [(u8, u64, u64)],
    pub segs: &'static [TextSeg],
}

#[derive(Clone, Copy, Debug)]
pub struct TextAsm {
    pub params: u8,
    pub cases: &'static [TextCase],
}

/// How to assemble a control operation: its syntax, the fields its condition fixes,
/// and the syllables it needs present. Results are checked by the operation's own
/// matcher and printer before they are used.
#[derive(Clone, Copy)]
pub struct CtlAsm {
    pub segs: &'static [AsmSeg],
    /// Further accepted spellings (`also`).
    pub also: &'static [&'static [AsmSeg]],
    /// Ways to make the condition true: one list of field values per combination of
    /// its `||` alternatives.
    pub sets: &'static [&'static [(FieldLoc, u64)]],
    pub needs: &'static [(Syl, u8)],
}
