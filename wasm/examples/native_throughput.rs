//! Native baseline for `wasm/bench.mjs`: decodes a file in memory with
//! `eindkomst-core` alone, the same loop the WASM build runs, and prints one
//! JSON line with the best of `runs` timings.
//!
//! `cargo run --release -p eindkomst-wasm --example native_throughput -- FILE [runs]`

use eindkomst_core::{Decoder, Event};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: native_throughput FILE [runs]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut best = f64::INFINITY;
    let (mut records, mut findings, mut touched) = (0u64, 0u64, 0u64);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let mut dec = Decoder::default();
        let (mut n, mut f, mut t) = (0u64, 0u64, 0u64);
        let mut input = &data[..];
        loop {
            let (event, used) = dec.decode(input);
            input = &input[used..];
            match event {
                Event::Record(r) => {
                    n += 1;
                    // Touch the record as the WASM side does (type, line, bytes).
                    t += r.record_type() as u64 + r.line() + r.bytes().len() as u64;
                }
                Event::NeedInput => break,
                Event::End => break,
                _ => f += 1,
            }
        }
        loop {
            match dec.finish() {
                Event::End => break,
                Event::Record(_) => n += 1,
                _ => f += 1,
            }
        }
        let secs = start.elapsed().as_secs_f64();
        best = best.min(secs);
        (records, findings, touched) = (n, f, t);
    }
    println!(
        "{{\"bytes\":{},\"records\":{},\"findings\":{},\"secs\":{:.6},\"mb_s\":{:.1},\"rec_s\":{:.0},\"check\":{}}}",
        data.len(),
        records,
        findings,
        best,
        data.len() as f64 / best / 1e6,
        records as f64 / best,
        touched
    );
}
