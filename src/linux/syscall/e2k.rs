//! System calls only E2K has: access_hw_stacks, the guest's view of its procedure
//! stack and chain stack (which live in kernel memory).

use super::abi::{put, val, Sys, SysResult, EFAULT, EINVAL, ENOMEM};

pub fn access_hw_stacks(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let [mode, _frame, out, size, real_size, _] = a;
    let (data, addr) = match mode {
        // Read the chain stack or the procedure stack as it stands.
        0 => (s.cpu.pcs.ind, s.cpu.pcs.base),
        1 => (s.cpu.ps.ind, s.cpu.ps.base),
        3 | 4 => return val(s.cpu.pcs.ind as i64),
        5 => return val(s.cpu.ps.ind as i64),
        _ => return val(-EINVAL),
    };
    if size < data {
        return val(-ENOMEM);
    }
    let mut bytes = vec![0u8; data as usize];
    // The stacks are kernel memory: read them past the guest's permissions.
    if s.mem.read_initial(addr, &mut bytes).is_err() {
        return val(-EFAULT);
    }
    put(s, out, &bytes)?;
    put(s, real_size, &data.to_le_bytes())?;
    val(0)
}
