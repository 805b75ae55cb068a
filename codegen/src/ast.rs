//! Syntax tree of the ISA description, as parsed, with source locations.

use std::fmt;
use std::rc::Rc;

/// A position in a description file (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: Rc<str>,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[derive(Clone, Debug)]
pub struct Syllable {
    pub name: String,
    pub width: u32,
    pub fields: Vec<Field>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub hi: u32,
    pub lo: u32,
    pub signed: bool,
    pub loc: Loc,
}

/// A slot of the bundle: a syllable instance, or a family such as `ALS[0..6]`.
#[derive(Clone, Debug)]
pub struct Slot {
    pub name: String,
    /// `None` for a single syllable, otherwise the indices of the family members.
    pub indices: Option<Vec<u32>>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum LayoutItem {
    Let {
        name: String,
        value: Expr,
    },
    Word {
        slot: Slot,
        cond: Option<Expr>,
    },
    Half {
        slot: Slot,
        cond: Option<Expr>,
    },
    Pair {
        hi: Slot,
        lo: Slot,
        cond: Expr,
        read: Expr,
        default: u32,
    },
    Align,
    Check {
        cond: Expr,
        message: String,
    },
    Tail {
        slot: Slot,
        count: Option<Expr>,
    },
}

#[derive(Clone, Debug)]
pub struct KindDef {
    pub name: String,
    pub class: String,
    pub params: Vec<u64>,
    pub template: String,
    pub missing: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct OperandArm {
    pub lo: u32,
    pub hi: u32,
    pub kind: String,
    /// Parameter of the first value of the range (0 unless written).
    pub first: u32,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct OperandDef {
    pub name: String,
    pub arms: Vec<OperandArm>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq, Copy)]
pub enum AlesUse {
    None,
    Present,
}

#[derive(Clone, Debug, PartialEq, Eq, Copy)]
pub enum Role {
    Src,
    Dst,
    Pred,
    None,
}

#[derive(Clone, Debug)]
pub struct FieldRef {
    pub syllable: String,
    pub field: String,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct FormatKey {
    pub name: String,
    pub field: FieldRef,
    pub default: Option<u64>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct FormatField {
    pub name: String,
    pub field: FieldRef,
    pub operand: String,
    pub role: Role,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct FormatDef {
    pub name: String,
    pub ales: Option<AlesUse>,
    pub keys: Vec<FormatKey>,
    pub fields: Vec<FormatField>,
    pub syntax: Option<(String, Loc)>,
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerRange {
    pub lo: u32,
    pub hi: u32,
}

#[derive(Clone, Debug)]
pub enum EncValue {
    Int(u64),
    Name(String),
}

#[derive(Clone, Debug)]
pub struct Enc {
    pub format: String,
    pub channels: Option<Vec<u32>>,
    pub second: Vec<u32>,
    pub ver: Option<VerRange>,
    pub attrs: Vec<(String, EncValue, Loc)>,
    pub loc: Loc,
}

/// `asm NAME "SYNTAX" FIELD=VALUE...;`: another spelling the assembler accepts.
#[derive(Clone, Debug)]
pub struct AsmForm {
    pub name: String,
    pub syntax: String,
    /// Fields (or `mas`) the spelling fixes.
    pub fixed: Vec<(String, u64)>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct OpDef {
    pub name: String,
    pub args: String,
    /// Other names of the same operation (`also`).
    pub also: Vec<String>,
    /// The operation may write a %ctpr (`writes_ctpr`).
    pub writes_ctpr: bool,
    /// gas writes ALES2/ALES5 for it on v4 (`explicit_ales25_v4`).
    pub explicit_ales25_v4: bool,
    /// Assembler-only spellings (`asm`).
    pub asm: Vec<AsmForm>,
    pub encs: Vec<Enc>,
    pub sem: Vec<Stmt>,
    pub group: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct CtlDef {
    pub name: String,
    pub syllable: String,
    pub when: Option<Expr>,
    pub ver: Option<VerRange>,
    pub syntax: Option<(String, Loc)>,
    /// Further spellings the assembler accepts.
    pub also: Vec<(String, Loc)>,
    pub lets: Vec<(String, Expr)>,
    /// What the operation does; `None` when not described yet (execution refuses it).
    pub sem: Option<Vec<Stmt>>,
    pub group: Option<String>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct GroupDef {
    pub name: String,
    pub title: String,
    pub loc: Loc,
}

#[derive(Clone, Debug, Default)]
pub struct Description {
    pub syllables: Vec<Syllable>,
    pub layout: Vec<(LayoutItem, Loc)>,
    pub layout_loc: Option<Loc>,
    pub kinds: Vec<KindDef>,
    pub operands: Vec<OperandDef>,
    pub formats: Vec<FormatDef>,
    pub ops: Vec<OpDef>,
    pub ctls: Vec<CtlDef>,
    pub groups: Vec<GroupDef>,
    pub consts: Vec<(String, u64, Loc)>,
    pub helpers: Vec<HelperDef>,
    pub texts: Vec<TextDef>,
    pub defines: Vec<(String, Expr, Loc)>,
    /// `define NAME = ... inverse SYL.FIELD = EXPR`: (define, field, expression).
    pub inverses: Vec<(String, FieldRef, Expr)>,
}

/// A spelling chosen by cases: the first case whose condition holds is printed.
#[derive(Clone, Debug)]
pub struct TextDef {
    pub name: String,
    pub params: Vec<String>,
    /// (condition or `None` for `else`, template, location)
    pub cases: Vec<(Option<Expr>, String, Loc)>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct HelperDef {
    pub name: String,
    pub params: Vec<String>,
    pub ret: String,
    /// `in KIND`: a pure routine of a known kind, which the generated `Exec` trait
    /// calls itself (see `HELPER_HOMES`); `None`: the machine implements it.
    pub home: Option<String>,
    pub loc: Loc,
}

/// A kind of pure helper: the Rust module holding one function per helper, the
/// control register its functions read and the flags register they raise bits in.
/// `fadd_s(S, S) -> S in float` becomes a default `Exec::fadd_s` that calls
/// `MODULE::fadd_s(self.CONTROL(), a0, a1)`, which returns `(value, flags)`, and
/// hands the flags to `self.RAISE(flags)`.
pub struct HelperHome {
    pub name: &'static str,
    pub module: &'static str,
    pub control: &'static str,
    pub raise: &'static str,
}

pub const HELPER_HOMES: &[HelperHome] = &[
    HelperHome {
        name: "float",
        module: "crate::isa::float::helpers",
        control: "pfpfr",
        raise: "raise_pfpfr",
    },
    HelperHome {
        name: "float_x",
        module: "crate::isa::float::helpers",
        control: "fpcr",
        raise: "raise_fpsr",
    },
];

#[derive(Clone, Debug, PartialEq, Eq, Copy)]
pub enum BinOp {
    LOr,
    LAnd,
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    Shl,
    Shr,
    Sar,
    Add,
    Sub,
    Mul,
}

#[derive(Clone, Debug, PartialEq, Eq, Copy)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(u128),
    Bool(bool),
    Var(String),
    Field(String, String),
    Call(String, Vec<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Bit(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, u32, u32),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        name: String,
        value: Expr,
        loc: Loc,
    },
    Assign {
        target: String,
        index: Option<Expr>,
        value: Expr,
        loc: Loc,
    },
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
        loc: Loc,
    },
    Trap {
        kind: String,
        cond: Expr,
        loc: Loc,
    },
    Call {
        call: Expr,
        loc: Loc,
    },
}
