//! eindkomst's own totals: the core decoder (decode + validate every field and the
//! record order) over the file in 256 KiB reads, summing amounts in øre per field
//! number through the public Record API.
//! Exits 1 if any line is rejected, so the reference is only ever a full decode.
//! Stream errors (Lb_nr, the 9999 count) are counted on stderr: a file of more
//! than 9,999,999 lines (the 1 GB input) wraps the 7-digit Lb_nr and cannot
//! state its count, and every contender meets the same three.
use eindkomst_core::{Decoder, Event, Options};
use eindkomst_peers::Totals;
use std::io::Read;

/// (record type, feltnummer or 0) -> øre; a handful of keys, so a linear scan.
fn add(sums: &mut Vec<((u16, u16), i64)>, key: (u16, u16), ore: i64) {
    match sums.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v += ore,
        None => sums.push((key, ore)),
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: reference FILE");
    let mut file = std::fs::File::open(&path).expect("open input");
    let mut buf = vec![0u8; 256 * 1024];
    let mut dec = Decoder::new(Options::default());
    let mut sums = Vec::new();
    let mut rejected = 0u64;
    loop {
        let n = file.read(&mut buf).expect("read input");
        if n == 0 {
            break;
        }
        let mut rest = &buf[..n];
        loop {
            let (event, used) = dec.decode(rest);
            rest = &rest[used..];
            match event {
                Event::Record(r) => {
                    if let Some(a) = r.amount() {
                        let ore = a.ore().expect("amount finer than øre");
                        add(&mut sums, (r.record_type(), r.feltnummer().unwrap_or(0)), ore);
                    }
                }
                Event::Rejected(_) => rejected += 1,
                Event::NeedInput | Event::End => break,
                // Raw lines come only with `Unknown::Raw`, not asked for here.
                Event::Warning(_) | Event::Error(_) | Event::Raw(_) => {}
            }
        }
    }
    loop {
        match dec.finish() {
            Event::End => break,
            Event::Rejected(_) => rejected += 1,
            _ => {}
        }
    }
    let mut totals = Totals::default();
    for t in dec.counts().by_type.iter().filter(|t| t.decoded > 0) {
        totals.records.insert(t.rec_nr, t.decoded);
    }
    for ((rec, felt), ore) in sums {
        let key = if felt == 0 && rec != 3101 && rec != 6001 { format!("{rec}") } else { format!("{rec}/{felt:04}") };
        totals.amounts.insert(key, ore);
    }
    totals.print();
    let c = dec.counts();
    eprintln!("reference: {} lines, {} rejected, {} errors, {} warnings", c.lines, c.rejected, c.errors, c.warnings);
    if rejected > 0 {
        eprintln!("reference: {rejected} rejected lines: not a clean input");
        std::process::exit(1);
    }
}
