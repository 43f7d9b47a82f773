//! Proves the decoder allocates nothing: a counting global allocator sees zero
//! allocations while a large generated stream is decoded in chunks. (The core
//! is `#![no_std]` without `alloc`, so it could not allocate anyway; this
//! checks its dependencies too.)

use eindkomst_core::encode::Encoder;
use eindkomst_core::layout::EMPLOYER;
use eindkomst_core::{Decoder, Event, Options};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: forwarding the caller's layout to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn stream(people: usize) -> Vec<u8> {
    let mut enc = Encoder::new();
    let mut out = Vec::new();
    let mut buf = [0u8; 256];
    let mut put = |enc: &mut Encoder, rec: u16, values: &[(u8, &[u8])]| {
        let n = enc.record(EMPLOYER.get(rec).unwrap(), values, &mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
    };
    put(&mut enc, 1000, &[(5, b"12345678"), (7, b"01"), (14, b"T"), (16, b"E")]);
    put(&mut enc, 2001, &[(4, b"12345678")]);
    put(&mut enc, 5000, &[(4, b"LOEN1"), (6, b"20250101"), (7, b"20250131"), (12, b"00")]);
    for i in 0..people {
        let cpr = format!("61019{:05}", i % 100_000);
        put(&mut enc, 6000, &[(3, b"0"), (4, cpr.as_bytes()), (6, b"M-1")]);
        put(&mut enc, 6001, &[(3, b"13"), (4, b"32500000000"), (5, b"+")]);
        put(&mut enc, 6001, &[(3, b"15"), (4, b"9100000000"), (5, b"+")]);
        put(&mut enc, 6004, &[(3, b"68"), (4, b"Overarbejde")]);
    }
    let n = enc.end(&mut buf).unwrap();
    out.extend_from_slice(&buf[..n]);
    out
}

#[test]
fn decoding_allocates_nothing() {
    let input = stream(50_000); // ~200k lines, ~7 MB
    for opts in [Options::default(), Options { strict: true, ..Options::default() }] {
        let mut dec = Decoder::new(opts);
        let mut records = 0u64;
        ALLOCATIONS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        for chunk in input.chunks(4093) {
            let mut rest = chunk;
            loop {
                let (ev, used) = dec.decode(rest);
                rest = &rest[used..];
                match ev {
                    Event::Record(_) => records += 1,
                    Event::NeedInput => break,
                    _ => {}
                }
            }
        }
        while dec.finish() != Event::End {}
        COUNTING.store(false, Ordering::SeqCst);
        assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 0);
        assert_eq!(records, 200_004);
        assert_eq!(dec.counts().decoded, 200_004);
    }
}
