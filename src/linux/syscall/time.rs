//! Clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep,
//! clock_nanosleep, times. E2K's timespec and timeval are two 64-bit words.
//!
//! SAFETY (every libc call here): pointers passed to the host are null or checked
//! guest memory (`buf`/`buf_mut`), or host locals.

use super::abi::{blocking, buf, errno, opt_buf_mut, put, val, words, Sys, SysResult};
use nix::libc;
use std::time::{SystemTime, UNIX_EPOCH};

fn since_epoch() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn clock(
    s: &mut Sys,
    a: [u64; 6],
    f: unsafe extern "C" fn(libc::clockid_t, *mut libc::timespec) -> i32,
) -> SysResult {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    if unsafe { f(a[0] as i32, &mut ts) } < 0 {
        return val(errno());
    }
    put(s, a[1], &words(&[ts.tv_sec as u64, ts.tv_nsec as u64]))?;
    val(0)
}

pub fn clock_gettime(s: &mut Sys, a: [u64; 6]) -> SysResult {
    clock(s, a, libc::clock_gettime)
}

pub fn clock_getres(s: &mut Sys, a: [u64; 6]) -> SysResult {
    clock(s, a, libc::clock_getres)
}

pub fn gettimeofday(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let now = since_epoch();
    put(
        s,
        a[0],
        &words(&[now.as_secs(), now.subsec_micros() as u64]),
    )?;
    // The time zone: UTC, no daylight saving.
    put(s, a[1], &[0u8; 8])?;
    val(0)
}

pub fn time(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let now = since_epoch().as_secs();
    put(s, a[0], &now.to_le_bytes())?;
    val(now as i64)
}

pub fn nanosleep(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let req = buf(s, a[0], 16)? as u64;
    let rem = opt_buf_mut(s, a[1], 16)? as u64;
    val(unsafe { blocking(s, libc::SYS_nanosleep, [req, rem, 0, 0, 0, 0]) })
}

pub fn clock_nanosleep(s: &mut Sys, a: [u64; 6]) -> SysResult {
    let req = buf(s, a[2], 16)? as u64;
    let rem = opt_buf_mut(s, a[3], 16)? as u64;
    val(unsafe { blocking(s, libc::SYS_clock_nanosleep, [a[0], a[1], req, rem, 0, 0]) })
}

pub fn times(s: &mut Sys, a: [u64; 6]) -> SysResult {
    // SAFETY: `tms` is plain data; zero is a valid value.
    let mut t: libc::tms = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::times(&mut t) };
    let w = [t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime].map(|x| x as u64);
    put(s, a[0], &words(&w))?;
    val(r as i64)
}
