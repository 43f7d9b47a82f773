//! Benchmarks for eindkomst: `benches/decode.rs` (criterion: decode+validate
//! throughput on generated 1 MB and 100 MB inputs) and `stream.sh` (a 1 GB
//! file through `eindkomst validate` against `wc -l`, with peak memory).
//!
//! [`decode_all`] is the measured loop, shared by the bench and its test.

use eindkomst_core::{Counts, Decoder, Event, Options};

/// Decodes `input` in chunks of `chunk` bytes, touching every record, and
/// returns the counts and a checksum of record bytes (so nothing is optimised away).
pub fn decode_all(input: &[u8], chunk: usize, opts: Options) -> (Counts, u64) {
    let mut dec = Decoder::new(opts);
    let mut check = 0u64;
    for piece in input.chunks(chunk) {
        let mut rest = piece;
        loop {
            let (event, used) = dec.decode(rest);
            rest = &rest[used..];
            match event {
                Event::Record(r) => check = check.wrapping_add(r.bytes().len() as u64 ^ r.lb_nr() as u64),
                Event::NeedInput => break,
                _ => {}
            }
        }
    }
    while dec.finish() != Event::End {}
    (*dec.counts(), check)
}

/// A generated file of about `bytes` bytes (average line ≈ 48 bytes).
pub fn generated(bytes: usize, seed: u64) -> Vec<u8> {
    let spec = eindkomst_cli::generate::Spec { records: (bytes / 48).max(2) as u64, seed, errors: 0.0, crlf: false };
    let mut out = Vec::with_capacity(bytes + bytes / 8);
    eindkomst_cli::generate::write(&spec, &mut out).expect("generate");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bench_input_decodes_cleanly() {
        let input = super::generated(1 << 20, 1);
        let (counts, _) = super::decode_all(&input, 256 * 1024, Default::default());
        assert_eq!((counts.rejected, counts.errors, counts.warnings), (0, 0, 0));
        assert_eq!(counts.lines, (1u64 << 20) / 48);
    }
}
