//! Prints decode+validate throughput of the native core on a generated input.
//! `cargo run --release -p eindkomst-benches --example throughput -- [--json] [MB|FILE] [rounds]`
//! (`--json`: one JSON object, `{"bytes","records","secs","mb_s","rec_s"}`, for scripts).

use eindkomst_benches::{decode_all, generated};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let json = args.next_if(|a| a == "--json").is_some();
    let what = args.next().unwrap_or_else(|| "100".into());
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let input = match what.parse::<usize>() {
        Ok(mb) => generated(mb << 20, 1),
        Err(_) => std::fs::read(&what).expect("read input"),
    };
    let mut best = f64::MAX;
    let mut lines = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let (counts, check) = decode_all(&input, 256 * 1024, Default::default());
        let s = t.elapsed().as_secs_f64();
        assert!(check != 0 && counts.rejected == 0);
        lines = counts.lines;
        best = best.min(s);
    }
    if json {
        println!(
            "{{\"bytes\":{},\"records\":{lines},\"secs\":{best:.6},\"mb_s\":{:.1},\"rec_s\":{:.0}}}",
            input.len(),
            input.len() as f64 / best / 1e6,
            lines as f64 / best
        );
        return;
    }
    println!(
        "native core: {:.0} MB/s, {:.2} M records/s ({} bytes, {} records, best of {rounds})",
        input.len() as f64 / best / 1e6,
        lines as f64 / best / 1e6,
        input.len(),
        lines
    );
}
