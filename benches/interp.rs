//! E2K kernels (benches/kernels/*.s, assembled with e2k-as) on the interpreter and on
//! the JIT, with a native Rust twin computing the same result. Prints wide
//! instructions per second and wall time; `cargo bench --bench interp`.

use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::isa::version::Iset;
use e2k_emu::linux::machine::{Machine, Options as RunOptions, Outcome};
use std::hint::black_box;
use std::time::Instant;

fn sum() -> u64 {
    let (mut s, mut i) = (0u64, 1u64);
    while i <= black_box(20_000_001) {
        s = s.wrapping_add(i);
        i += 1;
    }
    s
}

fn sieve() -> u64 {
    let n = black_box(2_000_000usize);
    let mut flags = vec![0u8; n + 1];
    let mut count = 0;
    for i in 2..=n {
        if flags[i] == 0 {
            count += 1;
            let mut j = i * i;
            while j <= n {
                flags[j] = 1;
                j += i;
            }
        }
    }
    count
}

fn memcpy() -> u64 {
    let n = black_box(131_072usize);
    let src: Vec<u64> = (0..n as u64).map(|k| 1 + 3 * k).collect();
    let mut dst = vec![0u64; n];
    for _ in 0..64 {
        dst.copy_from_slice(black_box(&src));
    }
    dst.iter().fold(0, |a, w| a ^ w)
}

fn crc32() -> u64 {
    let buf: Vec<u8> = (0..black_box(262_144u64))
        .map(|k| (7 + 13 * k) as u8)
        .collect();
    let mut crc = 0xffff_ffffu64;
    for b in buf {
        crc ^= b as u64;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (mask & 0xedb8_8320);
        }
    }
    crc ^ 0xffff_ffff
}

fn matmul() -> u64 {
    let n = black_box(128u64);
    let a: Vec<u64> = (0..n * n).map(|k| k / n + k % n).collect();
    let b: Vec<u64> = (0..n * n).map(|k| (k / n) * (k % n) + 1).collect();
    let mut sum = 0u64;
    for i in 0..n {
        for j in 0..n {
            let mut acc = 0u64;
            for k in 0..n {
                acc =
                    acc.wrapping_add(a[(i * n + k) as usize].wrapping_mul(b[(k * n + j) as usize]));
            }
            sum = sum.wrapping_add(acc);
        }
    }
    sum
}

fn qsort() -> u64 {
    fn sort(a: &mut [u64], lo: i64, hi: i64) {
        if lo >= hi {
            return;
        }
        let pivot = a[hi as usize];
        let mut i = lo;
        for j in lo..hi {
            if a[j as usize] < pivot {
                a.swap(i as usize, j as usize);
                i += 1;
            }
        }
        a.swap(i as usize, hi as usize);
        sort(a, lo, i - 1);
        sort(a, i + 1, hi);
    }
    let mut x = 12345u64;
    let mut a: Vec<u64> = (0..black_box(100_000))
        .map(|_| {
            x = x
                .wrapping_mul(0x5851_f42d_4c95_7f2d)
                .wrapping_add(0x1405_7b7e_f767_814f);
            x
        })
        .collect();
    let n = a.len() as i64;
    sort(&mut a, 0, n - 1);
    a[50_000]
}

fn fib(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Runs the kernel; returns (exit status, wide instructions, seconds, seconds of them
/// spent translating).
fn run(image: &[u8], name: &str, jit: bool) -> (Outcome, u64, f64, f64) {
    let mut opts = RunOptions::new(name, &[]);
    opts.jit = jit;
    let mut m = Machine::new(image, opts).expect("loads");
    let t = Instant::now();
    let outcome = m.run();
    let compile = m
        .jit
        .as_ref()
        .map_or(0.0, |j| j.stats.compile_time.as_secs_f64());
    (outcome, m.cpu.executed, t.elapsed().as_secs_f64(), compile)
}

/// Start-to-exit time of examples/hello under the e2k-emu binary, in milliseconds.
fn hello_startup() -> f64 {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hello.s"))
        .expect("hello.s");
    let image = assemble_elf(
        &[("hello.s".into(), src)],
        &Options {
            iset: Iset::new(4).unwrap(),
            entry: None,
            text_base: 0x10000,
        },
    )
    .expect("assembles");
    let path = std::env::temp_dir().join(format!("e2k-emu-bench-hello-{}", std::process::id()));
    std::fs::write(&path, image).expect("temp file");
    let runs = 50;
    let t = Instant::now();
    for _ in 0..runs {
        let st = std::process::Command::new(env!("CARGO_BIN_EXE_e2k-emu"))
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("runs");
        assert!(st.success());
    }
    let _ = std::fs::remove_file(&path);
    t.elapsed().as_secs_f64() * 1e3 / runs as f64
}

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kernels");
    type Kernel = (&'static str, fn() -> u64);
    let kernels: [Kernel; 7] = [
        ("sum", sum),
        ("sieve", sieve),
        ("memcpy", memcpy),
        ("crc32", crc32),
        ("matmul", matmul),
        ("qsort", qsort),
        ("fib", || fib(black_box(27))),
    ];
    println!(
        "{:<7} {:>12} {:>9} {:>12} {:>9} {:>10} {:>12} {:>9} {:>9} {:>10}",
        "kernel",
        "instructions",
        "interp s",
        "interp i/s",
        "jit s",
        "(compile)",
        "jit i/s",
        "native s",
        "jit/int",
        "jit/native"
    );
    for (name, native) in kernels {
        let src = std::fs::read_to_string(format!("{dir}/{name}.s")).expect("kernel source");
        let image = assemble_elf(
            &[(format!("{name}.s"), src)],
            &Options {
                iset: Iset::new(4).unwrap(),
                entry: None,
                text_base: 0x10000,
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {}", e[0]));
        let t = Instant::now();
        let want = black_box(native());
        let tn = t.elapsed().as_secs_f64();
        let (oi, n, ti, _) = run(&image, name, false);
        let (oj, nj, tj, tc) = run(&image, name, true);
        assert_eq!(
            oi,
            Outcome::Exited((want & 0xff) as i32),
            "{name}: interpreter result"
        );
        assert_eq!(oj, oi, "{name}: the JIT disagrees with the interpreter");
        assert_eq!(nj, n, "{name}: instruction counts differ");
        println!(
            "{name:<7} {n:>12} {ti:>9.3} {:>12.0} {tj:>9.3} {tc:>10.4} {:>12.0} {tn:>9.4} {:>8.1}x {:>9.1}x",
            n as f64 / ti,
            n as f64 / tj,
            ti / tj,
            tj / tn
        );
    }
    println!("hello world, start to exit: {:.2} ms", hello_startup());
}
