//! Decoder and disassembler throughput over the sample corpus (one wide instruction per
//! encoding row, channel and ISA version). Prints figures; `cargo bench --bench decode`.

use e2k_emu::isa::decode::decode;
use e2k_emu::isa::disasm::bundle_lines;
use e2k_emu::isa::sample;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let samples = sample::all();
    let bytes: usize = samples.iter().map(|s| s.bytes.len()).sum();
    let rounds = 200;

    let t = Instant::now();
    for _ in 0..rounds {
        for s in &samples {
            black_box(decode(black_box(&s.bytes), 0x10000, s.iset).ok());
        }
    }
    let dt = t.elapsed().as_secs_f64();
    let n = (samples.len() * rounds) as f64;
    println!(
        "decode:      {:>10.0} wide instructions/s  ({:.1} MB/s, {} samples x {rounds})",
        n / dt,
        (bytes * rounds) as f64 / dt / 1e6,
        samples.len()
    );

    let t = Instant::now();
    for _ in 0..rounds / 10 {
        for s in &samples {
            let d = decode(&s.bytes, 0x10000, s.iset).unwrap();
            black_box(bundle_lines(&d));
        }
    }
    let dt = t.elapsed().as_secs_f64();
    let n = (samples.len() * (rounds / 10)) as f64;
    println!("disassemble: {:>10.0} wide instructions/s", n / dt);
}
