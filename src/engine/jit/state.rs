//! What compiled code sees of the machine (`JitState`, its field offsets `off` and its
//! event bits `ev`), and how a block's result says why it exited.

use crate::engine::interp;
use crate::guest::cpu::Cpu;
use crate::guest::memory::GuestMemory;

/// Low bits of a block's result. Interpret the wide instruction at the address:
pub const EXIT_INTERPRET: u64 = 1;
/// The wide instruction at the address has landed except for the window, rotation
/// and control changes described in the `ev_*` fields (`interp::apply_control`).
pub const EXIT_CONTROL: u64 = 2;
/// The wide instruction at the address raised `JitState::pending` (its control
/// code ran in a helper, see `nest`).
pub const EXIT_EVENT: u64 = EXIT_INTERPRET | EXIT_CONTROL;
/// A `return` landed at the address (in a helper, see `nest`): continue there.
pub const EXIT_RETURNED: u64 = 4;
/// Execution goes on at `JitState::exit_code`, an address not aligned to a wide
/// instruction (which the interpreter faults on).
pub const EXIT_AT: u64 = EXIT_RETURNED | EXIT_INTERPRET;
/// All the flag bits of a block's result (wide instructions are 8-byte aligned).
pub const EXIT_FLAGS: u64 = 7;

/// Where compiled code caches the translation it goes on with (`nest::call`,
/// `Lx::chain`): its code (0 until known), and the state it was made for, the wide
/// instruction's address and %ctpr1..3 (what an exit may not know at translation).
pub type LinkCell = [u64; 5];

/// The signature of a translation, `(state: *mut JitState) -> u64`, in Cranelift's
/// tail calling convention (its exits tail-call the next translation).
pub fn block_signature() -> cranelift_codegen::ir::Signature {
    use cranelift_codegen::ir::{types, AbiParam};
    let mut sig = cranelift_codegen::ir::Signature::new(cranelift_codegen::isa::CallConv::Tail);
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// What compiled code sees of the machine (field offsets in `off`).
#[repr(C)]
pub struct JitState {
    pub regs: *mut crate::guest::window::Reg,
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
    pub ev_mask: u32,
    pub ev_window: u32,
    pub ev_rotation: u32,
    pub ev_psz: u32,
    pub ev_wbs: u32,
    pub ev_pad: u32,
    pub ev_target: u64,
    pub ev_jump: u64,
    pub ev_next: u64,
    /// Control words pure helpers read, and the exception flags they raised.
    pub pfpfr: u32,
    pub fp_flags: u32,
    pub fpcr: u32,
    pub fpx_flags: u32,
    /// The bits above the low 64 of a wide pure helper's result.
    pub ret_hi: u64,
    /// Flags raised by the current wide instruction's helpers, folded into
    /// `fp_flags`/`fpx_flags` when it completes (one that leaves part-way raises none:
    /// the interpreter runs it again).
    pub fp_flags_now: u32,
    pub fpx_flags_now: u32,
    /// A guest access of compiled code faulted on the host (`host_fault`).
    pub faulted: u32,
    /// A float operation's slow path left for the interpreter (`Lx::leave_unless`).
    pub float_left: u32,
    /// The stack pointer (getsp) and its bounds.
    pub sp: u64,
    pub stack_limit: u64,
    pub stack_top: u64,
    /// BR (`Rotation::pack`), changed by setbn/setbp inside compiled code.
    pub br: u64,
    /// The machine, for helpers compiled code calls to change the window (`set_window`).
    pub cpu: *mut Cpu,
    pub gmem: *const GuestMemory,
    /// Calls compiled code has nested on the host stack (`nest`), and the window size
    /// (which a `return` restores from the callee's parameter size).
    pub depth: u32,
    pub wd_size: u32,
    /// The rest of the window, the chain stack and the register file's resident
    /// range: calls and returns compiled code makes itself (`nest`) change them here,
    /// and `sync_to` hands them to the machine (`regs_end` may lie below the file's
    /// end after a return; the registers above it are dropped then).
    pub wd_base: u64,
    pub wd_psize: u32,
    pub wd_fx: u8,
    pub wd_dbl: u8,
    pub regs_first: u64,
    pub regs_end: u64,
    pub pcs_base: u64,
    pub pcs_ind: u64,
    /// Bytes of the chain stack compiled code may use itself (0: none, helpers push
    /// and pop): its frames are aligned and inside guest memory.
    pub pcs_room: u64,
    /// What a helper tells compiled code to return (`nest::call`).
    pub exit_code: u64,
    /// The JIT of this thread, for helpers that look up translations: `lookup(jit,
    /// ..)` gives the compiled code for the machine's state, or 0.
    pub jit: *mut (),
    pub lookup: unsafe fn(*mut (), &GuestMemory, &Cpu) -> usize,
    /// Calls and returns made by helpers for compiled code, and the callees' compiled
    /// code called natively (`nest`).
    pub calls: u64,
    pub returns: u64,
    pub nested_runs: u64,
    /// The link cell of the exit that returned, for the dispatcher to fill with the
    /// next translation (`Lx::chain_to`), or 0.
    pub link_out: usize,
    /// The event of an `EXIT_EVENT` result.
    pub pending: Option<crate::engine::event::Event>,
}

impl JitState {
    pub(super) fn of(cpu: &mut Cpu, mem: &GuestMemory) -> JitState {
        let pos = cpu.wd.base;
        JitState {
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
            ev_mask: 0,
            ev_window: 0,
            ev_rotation: 0,
            ev_psz: 0,
            ev_wbs: 0,
            ev_pad: 0,
            ev_target: 0,
            ev_jump: 0,
            ev_next: 0,
            pfpfr: cpu.pfpfr as u32,
            fp_flags: 0,
            fpcr: cpu.fpcr as u32,
            fpx_flags: 0,
            ret_hi: 0,
            fp_flags_now: 0,
            fpx_flags_now: 0,
            faulted: 0,
            float_left: 0,
            sp: cpu.stack.sp,
            stack_limit: cpu.stack.limit,
            stack_top: cpu.stack.top,
            br: cpu.br.pack(),
            wd_size: cpu.wd.size,
            wd_base: cpu.wd.base,
            wd_psize: cpu.wd.psize,
            wd_fx: cpu.wd.fx as u8,
            wd_dbl: cpu.wd.dbl as u8,
            regs_first: cpu.regs.first(),
            regs_end: cpu.regs.end(),
            pcs_base: cpu.pcs.base,
            pcs_ind: cpu.pcs.ind,
            pcs_room: pcs_room(cpu, mem),
            cpu: cpu as *mut Cpu,
            gmem: mem as *const GuestMemory,
            depth: 0,
            exit_code: 0,
            jit: std::ptr::null_mut(),
            lookup: |_, _, _| 0,
            calls: 0,
            returns: 0,
            nested_runs: 0,
            link_out: 0,
            pending: None,
        }
    }

    /// Hands what compiled code keeps here to the machine, for a helper to run the
    /// interpreter's control code (the instruction count and flags stay here: `store`
    /// adds them once).
    pub(super) fn sync_to(&self, cpu: &mut Cpu) {
        // SAFETY: plain reads of own fields (see `store`).
        let rd = |p: &u64| unsafe { std::ptr::read_volatile(p) };
        let rd32 = |p: &u32| unsafe { std::ptr::read_volatile(p) };
        cpu.preds = rd32(&self.preds);
        cpu.pred_tags = rd32(&self.pred_tags);
        cpu.ctpr = [
            rd(&self.ctpr[0]),
            rd(&self.ctpr[1]),
            rd(&self.ctpr[2]),
            rd(&self.ctpr[3]),
        ];
        cpu.lsr = rd(&self.lsr);
        cpu.stack.sp = rd(&self.sp);
        cpu.br = crate::guest::cpu::Rotation::unpack(rd(&self.br));
        self.sync_window_to(cpu);
    }

    /// Hands the window, the chain stack's index and the register file's end to the
    /// machine.
    pub(super) fn sync_window_to(&self, cpu: &mut Cpu) {
        // SAFETY: plain reads of own fields (see `store`).
        let rd = |p: &u64| unsafe { std::ptr::read_volatile(p) };
        let rd32 = |p: &u32| unsafe { std::ptr::read_volatile(p) };
        let rd8 = |p: &u8| unsafe { std::ptr::read_volatile(p) };
        cpu.wd = crate::guest::cpu::Window {
            base: rd(&self.wd_base),
            size: rd32(&self.wd_size),
            psize: rd32(&self.wd_psize),
            fx: rd8(&self.wd_fx) != 0,
            dbl: rd8(&self.wd_dbl) != 0,
        };
        cpu.pcs.ind = rd(&self.pcs_ind);
        // SAFETY: compiled code that raised `regs_end` (`setwd`) wrote the registers
        // it added through `regs`, which `RegFile::ptr` gave.
        unsafe { cpu.regs.set_end(rd(&self.regs_end)) };
    }

    /// Takes back what `sync_window_to` handed over, as the machine has it now.
    pub(super) fn refresh_window_from(&mut self, cpu: &mut Cpu, mem: &GuestMemory) {
        self.regs = cpu.regs.ptr(cpu.wd.base);
        self.wd_size = cpu.wd.size;
        self.wd_base = cpu.wd.base;
        self.wd_psize = cpu.wd.psize;
        self.wd_fx = cpu.wd.fx as u8;
        self.wd_dbl = cpu.wd.dbl as u8;
        self.regs_first = cpu.regs.first();
        self.regs_end = cpu.regs.end();
        self.pcs_base = cpu.pcs.base;
        self.pcs_ind = cpu.pcs.ind;
        self.pcs_room = pcs_room(cpu, mem);
    }

    /// Takes back what `sync_to` handed over, as the control code left it.
    pub(super) fn refresh_from(&mut self, cpu: &mut Cpu, mem: &GuestMemory) {
        self.refresh_window_from(cpu, mem);
        self.preds = cpu.preds;
        self.pred_tags = cpu.pred_tags;
        self.ctpr = cpu.ctpr;
        self.lsr = cpu.lsr;
        self.sp = cpu.stack.sp;
        self.br = cpu.br.pack();
    }

    pub(super) fn store(&self, cpu: &mut Cpu) {
        // Field by field, at the width compiled code stored them: a wider load over
        // several just-made stores cannot be forwarded and stalls.
        self.sync_to(cpu);
        // SAFETY: plain reads of own fields.
        let rd = |p: &u64| unsafe { std::ptr::read_volatile(p) };
        let rd32 = |p: &u32| unsafe { std::ptr::read_volatile(p) };
        cpu.executed += rd(&self.executed);
        cpu.raise_pfpfr(rd32(&self.fp_flags));
        cpu.raise_fpsr(rd32(&self.fpx_flags));
    }

    /// The control changes a block handed over.
    pub(super) fn control(&self) -> interp::Control {
        // SAFETY: plain reads of own fields (one load each, see `store`).
        let rd32 = |p: &u32| unsafe { std::ptr::read_volatile(p) };
        let m = rd32(&self.ev_mask);
        let has = |b: u32| m & b != 0;
        let w = rd32(&self.ev_window);
        let r = rd32(&self.ev_rotation);
        interp::Control {
            window: has(ev::WINDOW).then_some((w & 0xff, w >> 8 & 1 != 0, w >> 9 & 1 != 0)),
            reg_rotation: has(ev::REG_ROTATION).then_some((
                r & 0xff,
                r >> 8 & 0xff,
                r >> 16 & 0xff,
            )),
            pred_rotation: has(ev::PRED_ROTATION).then_some(self.ev_psz),
            rotate_regs: has(ev::ROTATE_REGS),
            rotate_preds: has(ev::ROTATE_PREDS),
            transfer: if has(ev::CALL) {
                Some(interp::Transfer::Call(self.ev_target, self.ev_wbs))
            } else if has(ev::SYSCALL) {
                Some(interp::Transfer::Syscall(self.ev_target, self.ev_wbs))
            } else if has(ev::RETURN) {
                Some(interp::Transfer::Return)
            } else if has(ev::JUMP) {
                Some(interp::Transfer::Jump(self.ev_jump))
            } else {
                None
            },
        }
    }
}

/// `JitState::pcs_room` of the machine's chain stack.
fn pcs_room(cpu: &Cpu, mem: &GuestMemory) -> u64 {
    let (base, size) = (cpu.pcs.base, cpu.pcs.size);
    let inside = base.checked_add(size).is_some_and(|end| end <= mem.size());
    if inside && base.is_multiple_of(crate::guest::chain::FRAME_BYTES) {
        size
    } else {
        0
    }
}

/// Offsets in `JitState` .
pub mod off {
    use crate::engine::jit::state::JitState;
    use std::mem::offset_of;
    pub const REGS: i32 = offset_of!(JitState, regs) as i32;
    pub const GLOBALS: i32 = offset_of!(JitState, globals) as i32;
    pub const GLOBAL_TAGS: i32 = offset_of!(JitState, global_tags) as i32;
    pub const MEM: i32 = offset_of!(JitState, mem) as i32;
    pub const PAGES: i32 = offset_of!(JitState, pages) as i32;
    pub const MEM_SIZE: i32 = offset_of!(JitState, mem_size) as i32;
    pub const PREDS: i32 = offset_of!(JitState, preds) as i32;
    pub const PRED_TAGS: i32 = offset_of!(JitState, pred_tags) as i32;
    pub const CTPR: i32 = offset_of!(JitState, ctpr) as i32;
    pub const LSR: i32 = offset_of!(JitState, lsr) as i32;
    pub const EXECUTED: i32 = offset_of!(JitState, executed) as i32;
    pub const EV_MASK: i32 = offset_of!(JitState, ev_mask) as i32;
    pub const EV_WINDOW: i32 = offset_of!(JitState, ev_window) as i32;
    pub const EV_ROTATION: i32 = offset_of!(JitState, ev_rotation) as i32;
    pub const EV_PSZ: i32 = offset_of!(JitState, ev_psz) as i32;
    pub const EV_WBS: i32 = offset_of!(JitState, ev_wbs) as i32;
    pub const EV_TARGET: i32 = offset_of!(JitState, ev_target) as i32;
    pub const EV_JUMP: i32 = offset_of!(JitState, ev_jump) as i32;
    pub const EV_NEXT: i32 = offset_of!(JitState, ev_next) as i32;
    pub const PFPFR: i32 = offset_of!(JitState, pfpfr) as i32;
    pub const FP_FLAGS: i32 = offset_of!(JitState, fp_flags) as i32;
    pub const FPCR: i32 = offset_of!(JitState, fpcr) as i32;
    pub const FPX_FLAGS: i32 = offset_of!(JitState, fpx_flags) as i32;
    pub const RET_HI: i32 = offset_of!(JitState, ret_hi) as i32;
    pub const FP_FLAGS_NOW: i32 = offset_of!(JitState, fp_flags_now) as i32;
    pub const FPX_FLAGS_NOW: i32 = offset_of!(JitState, fpx_flags_now) as i32;
    pub const FAULTED: i32 = offset_of!(JitState, faulted) as i32;
    pub const FLOAT_LEFT: i32 = offset_of!(JitState, float_left) as i32;
    pub const SP: i32 = offset_of!(JitState, sp) as i32;
    pub const STACK_LIMIT: i32 = offset_of!(JitState, stack_limit) as i32;
    pub const STACK_TOP: i32 = offset_of!(JitState, stack_top) as i32;
    pub const BR: i32 = offset_of!(JitState, br) as i32;
    pub const DEPTH: i32 = offset_of!(JitState, depth) as i32;
    pub const WD_SIZE: i32 = offset_of!(JitState, wd_size) as i32;
    pub const WD_BASE: i32 = offset_of!(JitState, wd_base) as i32;
    pub const WD_PSIZE: i32 = offset_of!(JitState, wd_psize) as i32;
    pub const WD_FX: i32 = offset_of!(JitState, wd_fx) as i32;
    pub const WD_DBL: i32 = offset_of!(JitState, wd_dbl) as i32;
    pub const REGS_FIRST: i32 = offset_of!(JitState, regs_first) as i32;
    pub const REGS_END: i32 = offset_of!(JitState, regs_end) as i32;
    pub const PCS_BASE: i32 = offset_of!(JitState, pcs_base) as i32;
    pub const PCS_IND: i32 = offset_of!(JitState, pcs_ind) as i32;
    pub const PCS_ROOM: i32 = offset_of!(JitState, pcs_room) as i32;
    pub const CALLS: i32 = offset_of!(JitState, calls) as i32;
    pub const RETURNS: i32 = offset_of!(JitState, returns) as i32;
    pub const NESTED_RUNS: i32 = offset_of!(JitState, nested_runs) as i32;
    pub const EXIT_CODE: i32 = offset_of!(JitState, exit_code) as i32;
    pub const LINK_OUT: i32 = offset_of!(JitState, link_out) as i32;
}

/// Bits of `JitState::ev_mask`: what the interpreter's control code must do.
pub mod ev {
    pub const WINDOW: u32 = 1;
    pub const REG_ROTATION: u32 = 2;
    pub const PRED_ROTATION: u32 = 4;
    pub const ROTATE_REGS: u32 = 8;
    pub const ROTATE_PREDS: u32 = 16;
    pub const CALL: u32 = 32;
    pub const SYSCALL: u32 = 64;
    pub const RETURN: u32 = 128;
    pub const JUMP: u32 = 256;
}

/// Called from compiled code for a `setwd` that keeps or grows the window: the
/// interpreter's control code changes it (registers made resident, spilled or filled)
/// and `regs` follows the register file. 0 if done; 1 if it cannot be (the window is
/// as before: the interpreter runs the instruction and raises the fault).
///
/// # Safety
/// `st` is the `JitState` of the running block, its `cpu` and `gmem` valid.
pub unsafe extern "C" fn set_window(st: *mut JitState, w: u32) -> u32 {
    // SAFETY: the caller passes the running block's state; the dispatcher does not
    // touch the machine while the block runs.
    let st = unsafe { &mut *st };
    let (cpu, mem) = unsafe { (&mut *st.cpu, &*st.gmem) };
    st.sync_window_to(cpu);
    let old = cpu.wd;
    let ip = cpu.ip;
    let c = interp::Control {
        window: Some((w & 0xff, w >> 8 & 1 != 0, w >> 9 & 1 != 0)),
        ..Default::default()
    };
    let r = interp::apply_control(cpu, mem, ip, &c);
    cpu.ip = ip;
    match r {
        Ok(None) => {
            st.refresh_window_from(cpu, mem);
            0
        }
        _ => {
            cpu.wd = old;
            let _ = cpu
                .regs
                .frame(old.base, old.base + old.size as u64, mem, &mut cpu.ps);
            st.refresh_window_from(cpu, mem);
            1
        }
    }
}
