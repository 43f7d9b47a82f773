//! Decode + validate throughput on generated input (MB/s and records/s).
//! Run: `cargo bench -p eindkomst-benches --bench decode`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use eindkomst_benches::{decode_all, generated};
use eindkomst_core::Options;
use std::hint::black_box;

fn decode(c: &mut Criterion) {
    for (name, size) in [("1MB", 1usize << 20), ("100MB", 100 << 20)] {
        let input = generated(size, 1);
        let (counts, _) = decode_all(&input, 256 * 1024, Options::default());
        assert_eq!(counts.rejected, 0);
        let mut group = c.benchmark_group(format!("decode_validate/{name}"));
        group.throughput(Throughput::ElementsAndBytes { elements: counts.lines, bytes: input.len() as u64 });
        if size > 10 << 20 {
            group.sample_size(10);
        }
        group.bench_function("chunks_256KiB", |b| {
            b.iter(|| decode_all(black_box(&input), 256 * 1024, Options::default()))
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
