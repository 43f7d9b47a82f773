//! The fuzz targets' bodies and inputs. The binaries in `fuzz_targets/` only
//! call these, so the regression tests (`tests/regressions.rs`) run exactly
//! the same checks on the stored crashers.

use crate::harness::{
    assert_same_run, new_decoder, options_from, run_batched, run_chunks, run_prechecked, run_whole, Bytes, Ev,
    ShortOptions,
};
use crate::model::{padded, Encoded, FileModel, Want};
use arbitrary::{Arbitrary, Result, Unstructured};
use eindkomst_core::base64::Base64;
use eindkomst_core::field::Value;
use eindkomst_core::Event;

/// Chunk lengths from `cuts`, repeated until they cover `len` bytes (zero
/// lengths feed empty chunks; if all are zero they are used once).
pub fn cyclic(cuts: &[u8], len: usize) -> Vec<usize> {
    let step: usize = cuts.iter().map(|&c| c as usize).sum();
    if step == 0 {
        return cuts.iter().map(|_| 0).collect();
    }
    let mut out = Vec::new();
    let mut total = 0;
    'outer: loop {
        for &c in cuts {
            if total >= len {
                break 'outer;
            }
            out.push(c as usize);
            total += c as usize;
        }
    }
    out
}

// ---------------------------------------------------------------- decode_raw

/// `decode_raw`: the first byte picks the options (bit 0 strict, see
/// [`options_from`]); the rest is the stream, decoded in one piece with every
/// per-call invariant of the harness.
pub fn decode_raw(data: &[u8]) {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    run_whole(options_from(flags, false), input, Some(input));
    json_text_check(input);
    trimmed_len_check(input);
    shuffle_check(input);
    permute_check(input);
}

/// `Shuffle` (AVX2 where the CPU has it) against its scalar twin and the
/// pieces' text written out piece by piece: the input's first byte picks
/// the line's length, the next bytes are the line, and each 3 bytes after
/// them a piece of the line and a piece of text.
fn shuffle_check(input: &[u8]) {
    use eindkomst_core::{Shuffle, SHUFFLE_OUT};
    let Some((&pick, rest)) = input.split_first() else {
        return;
    };
    let len = 16 + usize::from(pick % 17);
    let Some((line, program)) = rest.split_at_checked(len) else {
        return;
    };
    let (pieces, want) = pieces_of(line, program, 40);
    let Some((shuffle, n)) = Shuffle::new(len, &pieces) else {
        assert!(want.len() > SHUFFLE_OUT, "refused {} bytes: {pieces:?}", want.len());
        return;
    };
    let (mut fast, mut reference) = ([0xEEu8; SHUFFLE_OUT], [0xEEu8; SHUFFLE_OUT]);
    shuffle.apply(line, &mut fast);
    if let (Some(first), Some(last)) = (line.first_chunk(), line.last_chunk()) {
        shuffle.apply_scalar(first, last, &mut reference);
    }
    assert_eq!(fast, reference, "{:?} {pieces:?}", Bytes(line));
    assert_eq!((n, &fast[..n]), (want.len(), &want[..]), "{:?} {pieces:?}", Bytes(line));
    assert!(fast[n..].iter().all(|&b| b == 0), "{:?} {pieces:?}", Bytes(line));
}

/// Up to `most` pairs of pieces from `program`, 3 bytes each: a piece of
/// `line` (where it starts and how long, each taken modulo what fits) and
/// a piece of text (the first 0 to 2 of those bytes); and the text they
/// make, written out piece by piece.
fn pieces_of<'a>(line: &[u8], program: &'a [u8], most: usize) -> (Vec<eindkomst_core::Piece<'a>>, Vec<u8>) {
    use eindkomst_core::Piece;
    let (mut pieces, mut want) = (Vec::new(), Vec::new());
    for w in program.chunks_exact(3).take(most) {
        let start = usize::from(w[0]) % (line.len() + 1);
        let n = usize::from(w[1]) % (line.len() - start + 1);
        let text = &w[..usize::from(w[2] % 3)];
        pieces.push(Piece::Line { start: start as u16, len: n as u16 });
        pieces.push(Piece::Text(text));
        want.extend_from_slice(&line[start..start + n]);
        want.extend_from_slice(text);
    }
    (pieces, want)
}

/// `Permute` (AVX-512 VBMI where the CPU has it) against its scalar twin
/// and the pieces' text written out piece by piece, as `shuffle_check`
/// (lines of 0 to 128 bytes); and `Permute::plain_blanks` against its
/// scalar twin and a byte-by-byte reference written here, on that line.
fn permute_check(input: &[u8]) {
    use eindkomst_core::{Permute, PERMUTE_LINE, PERMUTE_OUT};
    let Some((&pick, rest)) = input.split_first() else {
        return;
    };
    let len = usize::from(pick) % (PERMUTE_LINE + 2);
    let Some((line, program)) = rest.split_at_checked(len) else {
        return;
    };
    let plain =
        line.len() <= PERMUTE_LINE && line.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\');
    let blanks = plain.then(|| line.iter().enumerate().fold(0u128, |m, (i, &b)| m | u128::from(b == b' ') << i));
    assert_eq!(Permute::plain_blanks(line), blanks, "{:?}", Bytes(line));
    assert_eq!(Permute::plain_blanks_scalar(line), blanks, "{:?}", Bytes(line));
    let (pieces, want) = pieces_of(line, program, 60);
    let Some((permute, n)) = Permute::new(len, &pieces) else {
        assert!(len > PERMUTE_LINE || want.len() > PERMUTE_OUT, "refused {len}, {} bytes: {pieces:?}", want.len());
        return;
    };
    let (mut fast, mut reference) = ([0xEEu8; PERMUTE_OUT], [0xEEu8; PERMUTE_OUT]);
    permute.apply(line, &mut fast);
    permute.apply_scalar(line, &mut reference);
    assert_eq!(fast, reference, "{:?} {pieces:?}", Bytes(line));
    assert_eq!((n, &fast[..n]), (want.len(), &want[..]), "{:?} {pieces:?}", Bytes(line));
    assert!(fast[n..].iter().all(|&b| b == 0), "{:?} {pieces:?}", Bytes(line));
}

/// `field::trimmed_len` (one SIMD compare of a block) against
/// `field::trim_end`, for each block of 16 bytes of the input and every length.
fn trimmed_len_check(input: &[u8]) {
    use eindkomst_core::field::{trim_end, trimmed_len};
    for block in input.chunks_exact(16).filter_map(|w| <&[u8; 16]>::try_from(w).ok()) {
        for len in 0..=16 {
            assert_eq!(trimmed_len(block, len), trim_end(&block[..len]).len(), "{:?} {len}", Bytes(block));
        }
    }
}

/// `field::json_text` and `field::json_plain` (SIMD blocks, the last
/// overlapping) against a byte-by-byte reference written here, on every
/// line of the input.
fn json_text_check(input: &[u8]) {
    let reference = |line: &[u8]| line.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\');
    for line in input.split(|&b| b == b'\n') {
        let plain = reference(line);
        assert_eq!(eindkomst_core::field::json_plain(line), plain, "{:?}", Bytes(line));
        let unpadded = plain && !line.contains(&b' ');
        assert_eq!(eindkomst_core::field::json_text(line), (plain, unpadded), "{:?}", Bytes(line));
    }
}

// ---------------------------------------------------------------- decode_split

/// Input of `decode_split`: `[flags, n, cut_1 .. cut_n, data...]`. The cuts
/// are chunk lengths (0-255), repeated over the data.
pub struct SplitInput {
    /// Decoder options, as in `decode_raw`.
    pub flags: u8,
    /// Chunk lengths.
    pub cuts: Vec<u8>,
    /// The stream.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for SplitInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SplitInput")
            .field("flags", &self.flags)
            .field("options", &ShortOptions(options_from(self.flags, false)))
            .field("cuts", &self.cuts)
            .field("data", &Bytes(&self.data))
            .finish()
    }
}

fn header_cuts(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let n = u.arbitrary::<u8>()? as usize % 65;
    Ok(u.bytes(n.min(u.len()))?.to_vec())
}

impl<'a> Arbitrary<'a> for SplitInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let flags = u.arbitrary()?;
        let cuts = header_cuts(u)?;
        let data = u.bytes(u.len())?.to_vec();
        Ok(SplitInput { flags, cuts, data })
    }
}

/// `decode_split`: the stream fed in the fuzzer's chunks (call by call, and
/// through the batch loop `decode_records`), and the stream
/// decoded as `eindkomst --jobs` does it (lines prechecked, completed in
/// runs), give exactly the events and counts of the whole stream fed at
/// once (records compared by
/// their bytes, line, Lb_nr, offset and layout).
pub fn decode_split(input: &SplitInput) {
    let opts = options_from(input.flags, false);
    let data = &input.data;
    let whole = run_whole(opts, data, Some(data));
    let cuts = cyclic(&input.cuts, data.len());
    let split = run_chunks(opts, data, Some(data), &cuts);
    assert_same_run("whole vs split", &whole, &split);
    // Through the batch loop of the CLI, the std crate and the ABI.
    let batched = run_batched(opts, data, Some(data), &cuts);
    assert_same_run("whole vs batched", &whole, &batched);
    // As `eindkomst --jobs`: prechecked lines completed in runs.
    let prechecked = run_prechecked(opts, data, Some(data), &cuts);
    assert_same_run("whole vs prechecked", &whole, &prechecked);
}

// ---------------------------------------------------------------- roundtrip

/// `roundtrip`: a valid file built from the model, written by the encoder,
/// decodes without a single finding; every record is the model's line, field
/// by field (raw bytes and typed values); feeding it in chunks changes nothing.
pub fn roundtrip(m: &FileModel) {
    roundtrip_encoded(m, &m.encode());
}

/// The round trip's checks on an encoded model (tests corrupt it on purpose).
pub fn roundtrip_encoded(m: &FileModel, enc: &Encoded) {
    let opts = m.options();
    let file = &enc.bytes;
    let show = || format!("file: {:?}", Bytes(file));
    let whole = run_whole(opts, file, Some(file));
    if let Some(f) = whole.findings().next() {
        panic!("a valid file gave a finding: {f:?}\n{}", show());
    }
    assert_eq!(whole.counts.decoded, enc.lines.len() as u64, "records decoded\n{}", show());
    assert_eq!(whole.counts.lines, enc.lines.len() as u64);
    assert!(!whole.stopped);
    for (i, (ev, line)) in whole.events.iter().zip(&enc.lines).enumerate() {
        let Ev::Record { line: ln, lb_nr, rec, variant, offset, bytes } = ev else { unreachable!() };
        let n = i as u64 + 1;
        // Formatted only on failure: it holds the whole file.
        let at = || format!("line {n} ({rec}) of {}", show());
        assert_eq!((*ln, *lb_nr as u64), (n, n), "{}", at());
        assert_eq!((*rec, *variant), (line.layout.rec_nr, line.layout.variant), "{}", at());
        assert_eq!(*offset, enc.offsets[i], "{}", at());
        for f in line.layout.fields {
            let value = line.values.iter().rev().find(|(no, _)| *no == f.no).map_or(&[][..], |(_, v)| v.as_slice());
            let want = match f.no {
                1 => format!("{n:07}").into_bytes(),
                2 => format!("{:04}", line.layout.rec_nr).into_bytes(),
                _ => padded(line.layout, f.no, value),
            };
            assert_eq!(Bytes(&bytes[f.range()]), Bytes(&want[..]), "field {} {} at {}", f.no, f.name, at());
        }
    }

    // Typed values, straight from the decoder's record views.
    let mut dec = new_decoder(opts);
    let mut input = &file[..];
    let mut i = 0;
    let mut check = |r: &eindkomst_core::Record<'_>| {
        let line = &enc.lines[i];
        for (no, want) in &line.wants {
            let got = r.value(*no).map(|v| match v {
                Value::Absent => Want::Absent,
                Value::Text(t) => Want::Text(t.to_vec()),
                Value::Number(n) => Want::Number(n),
                Value::Date(d) => Want::Date(d),
                Value::Time(t) => Want::Time(t),
                Value::Decimal(d) => Want::Decimal(d),
            });
            assert_eq!(
                got.as_ref(),
                Some(want),
                "value of field {no} in line {} ({})\n{}",
                i + 1,
                line.layout.rec_nr,
                show()
            );
        }
        i += 1;
    };
    loop {
        let (ev, used) = dec.decode(input);
        input = &input[used..];
        match ev {
            Event::Record(r) => check(&r),
            Event::NeedInput => break,
            other => panic!("{other:?}"),
        }
    }
    loop {
        match dec.finish() {
            Event::Record(r) => check(&r),
            Event::End => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(i, enc.lines.len());

    let chunk = (m.opts.chunk as usize).max(1);
    let split = run_chunks(opts, file, Some(file), &cyclic(&[chunk as u8], file.len()));
    assert_same_run("roundtrip whole vs chunked", &whole, &split);
}

// ---------------------------------------------------------------- base64

/// Input of `base64`. Byte 0: bit 7 raw mode; else bit 0 no padding, bit 1
/// CRLF wrapping. Byte 1: decoder flags. Raw mode: `[n, cuts..., text...]`.
/// Encoded mode: byte 2 wrap width in 4-character groups (0: no wrapping),
/// `[n, cuts...]`, `[k, (pos_lo, pos_hi, kind) × k]` whitespace insertions,
/// then the plain data.
pub enum B64Input {
    /// Arbitrary text in Base64 mode.
    Raw {
        /// Decoder flags.
        flags: u8,
        /// Chunk lengths.
        cuts: Vec<u8>,
        /// The text.
        text: Vec<u8>,
    },
    /// Plain bytes, Base64-encoded by the harness.
    Encoded {
        /// Decoder flags.
        flags: u8,
        /// Leave out the `=` padding.
        no_pad: bool,
        /// Wrap with CRLF instead of LF.
        crlf: bool,
        /// Wrap every `4 * wrap` characters.
        wrap: u8,
        /// Chunk lengths of the encoded text.
        cuts: Vec<u8>,
        /// Whitespace to insert: (position, kind).
        ws: Vec<(u16, u8)>,
        /// The plain data.
        data: Vec<u8>,
    },
}

impl std::fmt::Debug for B64Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            B64Input::Raw { flags, cuts, text } => f
                .debug_struct("Raw")
                .field("flags", flags)
                .field("options", &ShortOptions(options_from(*flags, true)))
                .field("cuts", cuts)
                .field("text", &Bytes(text))
                .finish(),
            B64Input::Encoded { flags, no_pad, crlf, wrap, cuts, ws, data } => f
                .debug_struct("Encoded")
                .field("flags", flags)
                .field("options", &ShortOptions(options_from(*flags, true)))
                .field("no_pad", no_pad)
                .field("crlf", crlf)
                .field("wrap", wrap)
                .field("cuts", cuts)
                .field("ws", ws)
                .field("data", &Bytes(data))
                .field("text", &Bytes(self.text()))
                .finish(),
        }
    }
}

impl<'a> Arbitrary<'a> for B64Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mode: u8 = u.arbitrary()?;
        let flags: u8 = u.arbitrary()?;
        if mode & 0x80 != 0 {
            let cuts = header_cuts(u)?;
            let text = u.bytes(u.len())?.to_vec();
            return Ok(B64Input::Raw { flags, cuts, text });
        }
        let wrap = u.arbitrary()?;
        let cuts = header_cuts(u)?;
        let k = u.arbitrary::<u8>()? as usize % 33;
        let mut ws = Vec::new();
        for _ in 0..k {
            if u.len() < 3 {
                break;
            }
            ws.push((u.arbitrary::<u16>()?, u.arbitrary::<u8>()?));
        }
        let data = u.bytes(u.len())?.to_vec();
        Ok(B64Input::Encoded { flags, no_pad: mode & 1 != 0, crlf: mode & 2 != 0, wrap, cuts, ws, data })
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard Base64 (RFC 4648) of `data`.
pub fn encode_b64(data: &[u8], pad: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        let chars = c.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]);
            } else if pad {
                out.push(b'=');
            }
        }
    }
    out
}

impl B64Input {
    /// The text fed to the decoder.
    pub fn text(&self) -> Vec<u8> {
        match self {
            B64Input::Raw { text, .. } => text.clone(),
            B64Input::Encoded { no_pad, crlf, wrap, ws, data, .. } => {
                let plain = encode_b64(data, !no_pad);
                let mut wrapped = Vec::with_capacity(plain.len() * 2);
                let width = *wrap as usize * 4;
                for (i, &c) in plain.iter().enumerate() {
                    if width > 0 && i > 0 && i % width == 0 {
                        if *crlf {
                            wrapped.push(b'\r');
                        }
                        wrapped.push(b'\n');
                    }
                    wrapped.push(c);
                }
                let mut ins: Vec<(usize, &[u8])> = ws
                    .iter()
                    .map(|&(pos, kind)| {
                        let s: &[u8] = match kind % 5 {
                            0 => b" ",
                            1 => b"\t",
                            2 => b"\r",
                            3 => b"\n",
                            _ => b"\r\n",
                        };
                        (pos as usize % (wrapped.len() + 1), s)
                    })
                    .collect();
                ins.sort_by_key(|&(p, _)| p);
                let mut out = Vec::with_capacity(wrapped.len() + 2 * ins.len());
                let mut at = 0;
                for (p, s) in ins {
                    out.extend_from_slice(&wrapped[at..p]);
                    out.extend_from_slice(s);
                    at = p;
                }
                out.extend_from_slice(&wrapped[at..]);
                out
            }
        }
    }
}

/// What the core's Base64 decoder gives for `text` up to its first error:
/// the plain stream the record decoder sees.
pub fn b64_prefix(text: &[u8]) -> Vec<u8> {
    let mut b = Base64::new();
    let mut out = Vec::new();
    let mut buf = [0u8; 64];
    let mut rest = text;
    while !rest.is_empty() {
        let (read, n, err) = b.decode(rest, &mut buf);
        out.extend_from_slice(&buf[..n]);
        if err.is_some() {
            return out;
        }
        rest = &rest[read..];
    }
    let mut tail = [0u8; 3];
    if let Ok(n) = b.finish(&mut tail) {
        out.extend_from_slice(&tail[..n]);
    }
    out
}

/// `base64`. Encoded: the Base64 text (wrapped, with whitespace, in chunks)
/// decodes exactly like the plain bytes fed whole. Raw: arbitrary text in
/// Base64 mode keeps every invariant, records are the bytes its Base64 prefix
/// decodes to, and chunking changes nothing.
pub fn base64(input: &B64Input) {
    let text = input.text();
    match input {
        B64Input::Encoded { flags, cuts, data, .. } => {
            let plain = run_whole(options_from(*flags, false), data, Some(data));
            let b64 = run_chunks(options_from(*flags, true), &text, Some(data), &cyclic(cuts, text.len()));
            assert_same_run("plain vs Base64", &plain, &b64);
        }
        B64Input::Raw { flags, cuts, .. } => {
            let opts = options_from(*flags, true);
            let prefix = b64_prefix(&text);
            let whole = run_whole(opts, &text, Some(&prefix));
            let split = run_chunks(opts, &text, Some(&prefix), &cyclic(cuts, text.len()));
            assert_same_run("Base64 whole vs split", &whole, &split);
        }
    }
}

/// Runs one stored input through the named target (regression tests;
/// `family_json` also decodes with the family, see [`family_json_decodes`]).
pub fn replay(target: &str, bytes: &[u8]) {
    fn typed<'a, T: Arbitrary<'a>>(bytes: &'a [u8], f: impl FnOnce(&T)) {
        if bytes.len() < T::size_hint(0).0 {
            return;
        }
        if let Ok(t) = T::arbitrary_take_rest(Unstructured::new(bytes)) {
            f(&t);
        }
    }
    match target {
        "decode_raw" => decode_raw(bytes),
        "decode_split" => typed(bytes, decode_split),
        "roundtrip" => typed(bytes, roundtrip),
        "base64" => typed(bytes, base64),
        "ffi_calls" => typed(bytes, |i| {
            crate::ffi_calls::ffi_calls(i);
        }),
        "filter_spec" => filter_spec(bytes),
        "family_json" => family_json_decodes(bytes),
        other => panic!("unknown target {other}"),
    }
}

/// The targets `replay` knows.
pub const TARGETS: &[&str] =
    &["decode_raw", "decode_split", "roundtrip", "base64", "ffi_calls", "filter_spec", "family_json"];

/// Filter specs from JSON (every face's `filter` option and profile files):
/// any text gives a spec or an error, never a panic; a spec that compiles
/// filters the sample with its accounting balanced (every decoded record
/// passed or filtered out for one reason, kept records and passed agree);
/// an error's text as the faces show it (`mask_cpr_like`) holds no
/// CPR-like run, and masking it again changes nothing.
pub fn filter_spec(data: &[u8]) {
    use eindkomst_std::filter::FilterSpec;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let check = |e: String| {
        let shown = eindkomst_std::mask_cpr_like(&e);
        assert_eq!(eindkomst_std::mask_cpr_like(&shown), shown, "masking is not complete: {shown}");
    };
    let spec = match FilterSpec::from_json(text) {
        Ok(s) => s,
        Err(e) => return check(e),
    };
    let today = eindkomst_core::field::Date { year: 2025, month: 2, day: 14 };
    let compiled = match spec.compile_at(&eindkomst_core::EMPLOYER, today) {
        Ok(c) => c,
        Err(e) => return check(e),
    };
    let filtering =
        eindkomst_std::filter::Filtering::start(compiled).unwrap_or_else(|e| panic!("compiled, not started: {e}"));
    let mut session = eindkomst_std::Session::with_filter(eindkomst_core::Options::default(), Some(filtering));
    let mut kept = 0u64;
    let mut sink = |e: eindkomst_std::Event<'_>| {
        if let eindkomst_std::Event::Record { .. } = e {
            kept += 1;
        }
    };
    let input = eindkomst_core::testing::SAMPLE;
    let (used, _) = session.feed(input, &mut sink);
    assert_eq!(used, input.len());
    while !session.finish(&mut sink) {}
    let fc = session.filter_counts().expect("a filter");
    assert_eq!(session.counts().decoded, 27);
    assert_eq!(fc.seen, 27, "{fc:?}");
    assert_eq!(fc.held, 0, "{fc:?}");
    assert_eq!(fc.passed, kept, "{fc:?}");
    assert_eq!(fc.passed + fc.filtered_out(), fc.seen, "{fc:?}");
}

// ---------------------------------------------------------------- family_json

/// `family_json`: a family/layout document (`docs/layouts.md`) read by
/// `family::check`, the loader without its leak and cache (so millions of
/// executions keep memory flat): a checked family or an error, never a
/// panic; the error's text is what every face shows (masked at the source)
/// and holds no CPR-like run; a family has 1-32 record types and at most 40
/// layouts, each of 1 to `MAX_LINE` bytes with at least its key field.
///
/// Decoding with the family is not done here: the decoder borrows its
/// family for `'static` (`Options::family`), so every family decoded would
/// be leaked, and a fuzzer finds new loadable families all the time. The
/// replay of the committed inputs does it ([`family_json_decodes`]).
pub fn family_json(data: &[u8]) {
    family_checked(data);
}

fn family_checked(data: &[u8]) -> Option<&str> {
    use eindkomst_std::family::{check, MAX_LAYOUTS, MAX_RECORD_TYPES};
    let text = std::str::from_utf8(data).ok()?;
    let checked = match check(text) {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.is_empty(), "an empty error");
            assert_eq!(eindkomst_std::mask_cpr_like(&e), e, "a CPR-like number in the error");
            return None;
        }
    };
    let mut records = 0;
    let mut layouts = 0;
    for (rec_nr, variant, length, fields) in checked.layouts() {
        layouts += 1;
        records += variant.is_empty() as usize;
        assert!(fields >= 1, "layout {rec_nr}@{variant} without fields");
        let fits = (1..=eindkomst_core::decoder::MAX_LINE).contains(&(length as usize));
        assert!(fits, "layout {rec_nr}@{variant} of {length} bytes");
    }
    assert!(
        (1..=MAX_RECORD_TYPES).contains(&records) && layouts <= MAX_LAYOUTS,
        "{records} records, {layouts} layouts"
    );
    Some(text)
}

/// The fixed input every loadable family decodes in the replay: the
/// employer sample and the two demo families' files.
const FAMILY_INPUTS: [&[u8]; 3] = [
    eindkomst_core::testing::SAMPLE,
    include_bytes!("../../testdata/families/demo.txt"),
    include_bytes!("../../testdata/families/demo-separated.txt"),
];

/// [`family_json`], then (for a family that loads) the public, leaking
/// loader gives the same answer, and the family decodes each of
/// [`FAMILY_INPUTS`] with every invariant of the harness: the line counts
/// balanced (decoded + rejected = lines), the events matching the counts.
/// Leaks each family once: for the replay of committed inputs only.
pub fn family_json_decodes(data: &[u8]) {
    let Some(text) = family_checked(data) else {
        if let Ok(text) = std::str::from_utf8(data) {
            assert!(eindkomst_std::family::parse(text).is_err(), "check refused, parse loaded");
        }
        return;
    };
    let family = eindkomst_std::family::parse(text).unwrap_or_else(|e| panic!("checked, not parsed: {e}"));
    for input in FAMILY_INPUTS {
        let opts = eindkomst_core::Options { family, ..Default::default() };
        // A separated family's records are their fields in canonical
        // places, not the line's bytes.
        let plain = if family.separator.is_some() { None } else { Some(input) };
        let run = run_whole(opts, input, plain);
        let c = &run.counts;
        assert_eq!(c.decoded + c.rejected + c.raw, c.lines, "{c:?}");
        if !run.stopped {
            let lines = input.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
            assert_eq!(c.lines, lines, "every line of the input counted");
        }
        // Whole (the fast path where lines are clean) as byte by byte (the
        // general path) and as prechecked: every family's fast path is the
        // general path's, not only the employer family's.
        let bytewise = run_chunks(opts, input, plain, &cyclic(&[1], input.len()));
        assert_same_run("family: whole vs byte by byte", &run, &bytewise);
        let prechecked = run_prechecked(opts, input, plain, &cyclic(&[97], input.len()));
        assert_same_run("family: whole vs prechecked", &run, &prechecked);
    }
}
