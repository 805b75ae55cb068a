//! Interpreter speed on E2K kernels (benches/kernels/*.s, assembled with e2k-as):
//! wide instructions per second, release build. `cargo bench --bench interp`.

use e2k_emu::asm::{assemble_elf, Options};
use e2k_emu::machine::{Machine, Options as RunOptions, Outcome};
use e2k_emu::version::Iset;
use std::time::Instant;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/kernels");
    println!("{:<8} {:>14} {:>10} {:>16}", "kernel", "instructions", "seconds", "instructions/s");
    for (name, expect) in [("sum", 200_000_030_000_001u64 as i64 & 0xff), ("sieve", 148_933 & 0xff), ("fib", 196_418 & 0xff)] {
        let src = std::fs::read_to_string(format!("{dir}/{name}.s")).expect("kernel source");
        let image = assemble_elf(&[(format!("{name}.s"), src)], &Options { iset: Iset::new(4).unwrap(), entry: None, text_base: 0x10000 })
            .unwrap_or_else(|e| panic!("{name}: {}", e[0]));
        let mut opts = RunOptions::new(name, &[]);
        opts.jit = false;
        let mut m = Machine::new(&image, opts).expect("loads");
        let t = Instant::now();
        let outcome = m.run();
        let dt = t.elapsed().as_secs_f64();
        assert_eq!(outcome, Outcome::Exited(expect as i32), "{name} result");
        let n = m.cpu.executed;
        println!("{name:<8} {n:>14} {dt:>10.3} {:>16.0}", n as f64 / dt);
    }
}
