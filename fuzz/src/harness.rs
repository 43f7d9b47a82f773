//! Drives a [`Decoder`] over chunks and checks what must hold for every input.
//!
//! Every event is copied into an owned [`Ev`] so two runs can be compared
//! (differential checks), and every call is checked on the spot:
//!
//! * `decode` never consumes more than it was given; `NeedInput` means all of it;
//! * `End` comes from `decode` only once strict mode stopped the decoder;
//! * after every call `lines == decoded + rejected`, and after every event
//!   `counts().balanced()` (the per-type counts too);
//! * a record's bytes have its layout's length; in plain mode they are the
//!   input's bytes at the record's offset, and a record that borrows the
//!   caller's chunk does so exactly at that offset;
//! * records and rejections come in strictly increasing line order;
//! * no error's `Display` holds a run of 10 digits (a CPR cannot leak), nor
//!   its `Debug`: every finding's numbers are below 10^9, and the texts are
//!   checked for the first finding of each kind and shape;
//! * every accessor of a record runs without panicking;
//! * strict mode reports nothing after its first rejection or error;
//! * at the end, the events match the counts one for one;
//! * the number of calls is bounded by the input size (no livelock).

use eindkomst_core::field::Value;
use eindkomst_core::{Clean, Counts, Decoder, Error, ErrorKind, Event, Options, Prechecker, Record, Speculation};
use eindkomst_std::family::PersonLayout;
use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::mem::Discriminant;

/// An owned copy of an [`Event`] (`NeedInput` and `End` are not kept).
#[derive(Clone, PartialEq, Eq)]
pub enum Ev {
    /// A decoded record, bytes copied.
    Record {
        /// Physical line.
        line: u64,
        /// Lb_nr as decoded.
        lb_nr: u32,
        /// Record type.
        rec: u16,
        /// Layout variant used (`""` = current).
        variant: &'static str,
        /// Stream offset of the line.
        offset: u64,
        /// The line's bytes.
        bytes: Vec<u8>,
    },
    /// A rejected line.
    Rejected(Error),
    /// A stream error.
    Error(Error),
    /// A warning.
    Warning(Error),
}

impl fmt::Debug for Ev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ev::Record {
                line,
                lb_nr,
                rec,
                variant,
                offset,
                bytes,
            } => write!(
                f,
                "Record {{ line: {line}, lb_nr: {lb_nr}, rec: {rec}, variant: {variant:?}, offset: {offset}, bytes: {:?} }}",
                Bytes(bytes)
            ),
            Ev::Rejected(e) => write!(f, "Rejected({e:?})"),
            Ev::Error(e) => write!(f, "Error({e:?})"),
            Ev::Warning(e) => write!(f, "Warning({e:?})"),
        }
    }
}

/// Bytes that print as an escaped byte string (`b"0000001\n..."`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes<T: AsRef<[u8]>>(pub T);

impl<T: AsRef<[u8]>> fmt::Debug for Bytes<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("b\"")?;
        for &b in self.0.as_ref() {
            for c in std::ascii::escape_default(b) {
                f.write_char(c as char)?;
            }
        }
        f.write_char('"')
    }
}

/// What one run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Every event, in order.
    pub events: Vec<Ev>,
    /// The final counts.
    pub counts: Counts,
    /// Strict mode stopped the decoder.
    pub stopped: bool,
}

impl Run {
    /// Events that are findings (rejections, errors, warnings).
    pub fn findings(&self) -> impl Iterator<Item = &Ev> {
        self.events.iter().filter(|e| !matches!(e, Ev::Record { .. }))
    }
}

/// Decoder options from one byte: bit 0 strict, bit 1 unknown codes reject,
/// bits 2-3 person layout, bits 4-7 amount scale (0 means the default 6).
pub fn options_from(flags: u8, base64: bool) -> Options {
    let opts = Options {
        strict: flags & 1 != 0,
        base64,
        amount_scale: match flags >> 4 {
            0 => 6,
            n => n,
        },
        unknown_codes_reject: flags & 2 != 0,
        ..Options::default()
    };
    PersonLayout::ALL[(flags as usize >> 2) & 3].apply(opts).expect("employer 6000 variants")
}

/// Options without the layout tables, for reproducers.
pub struct ShortOptions(pub Options);

impl fmt::Debug for ShortOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.0;
        write!(
            f,
            "Options {{ strict: {}, base64: {}, amount_scale: {}, forced: {:?}, unknown_codes_reject: {} }}",
            o.strict,
            o.base64,
            o.amount_scale,
            o.forced_layout(6000).map(|l| l.variant),
            o.unknown_codes_reject
        )
    }
}

/// A new decoder, as `Decoder::new(opts)` makes it. `new` builds the
/// validation plan of every layout, which costs more than decoding a short
/// input, and copying a made decoder (it is tens of KB) was a quarter of an
/// execution of decode_raw: so decoders wait in a pool per distinct `opts`
/// (the targets use at most a few hundred), and one taken from it is
/// [`Decoder::reset`] in place. The core's tests prove a reset decoder
/// decodes as a new one.
pub fn new_decoder(opts: Options) -> PooledDecoder {
    // Every field of Options, so a new one cannot be forgotten here.
    let Options { strict, base64, amount_scale, unknown_codes_reject, family, forced, encoding, unknown } = opts;
    let forced = forced.map(|l| l.map_or(0, |l| l as *const _ as usize));
    let key = (
        strict,
        base64,
        amount_scale,
        unknown_codes_reject,
        family as *const _ as usize,
        forced,
        encoding as u8,
        unknown as u8,
    );
    let dec = POOL.with_borrow_mut(|pool| match pool.iter().position(|(k, _)| *k == key) {
        Some(i) => {
            let mut dec = pool.swap_remove(i).1;
            dec.reset();
            dec
        }
        None => Box::new(Decoder::new(opts)),
    });
    PooledDecoder { key, dec: Some(dec) }
}

type PoolKey = (bool, bool, u8, bool, usize, [usize; 4], u8, u8);

thread_local!(static POOL: RefCell<Vec<(PoolKey, Box<Decoder>)>> = const { RefCell::new(Vec::new()) });

/// A decoder from [`new_decoder`]; it goes back to the pool when dropped.
pub struct PooledDecoder {
    key: PoolKey,
    dec: Option<Box<Decoder>>,
}

impl std::ops::Deref for PooledDecoder {
    type Target = Decoder;
    fn deref(&self) -> &Decoder {
        self.dec.as_deref().expect("decoder until dropped")
    }
}

impl std::ops::DerefMut for PooledDecoder {
    fn deref_mut(&mut self) -> &mut Decoder {
        self.dec.as_deref_mut().expect("decoder until dropped")
    }
}

impl Drop for PooledDecoder {
    fn drop(&mut self) {
        if let Some(dec) = self.dec.take() {
            POOL.with_borrow_mut(|pool| pool.push((self.key, dec)));
        }
    }
}

/// Feeds chunks to a decoder, checking every call.
pub struct Driver<'s> {
    // Boxed (in the pool): moving a driver must not copy a decoder.
    dec: PooledDecoder,
    strict: bool,
    base64: bool,
    /// The plain (decoded) stream, when known: records must be its bytes.
    plain: Option<&'s [u8]>,
    /// Bytes of the raw input consumed so far.
    fed: u64,
    events: Vec<Ev>,
    calls: u64,
    budget: u64,
    done: bool,
    last_line: u64,
    first_failure: Option<usize>,
    /// Some record was its line transcoded from UTF-8.
    transcoded: bool,
    /// Index of the `wrong_family` error, once reported.
    wrong_family: Option<usize>,
}

impl<'s> Driver<'s> {
    /// A driver for an input of `raw_len` bytes whose plain stream is `plain`
    /// (the input itself in plain mode; the encoded data in Base64 mode).
    pub fn new(opts: Options, raw_len: usize, plain: Option<&'s [u8]>) -> Driver<'s> {
        Driver {
            dec: new_decoder(opts),
            strict: opts.strict,
            base64: opts.base64,
            plain,
            fed: 0,
            events: Vec::new(),
            calls: 0,
            // Per line: a record or rejection plus at most 16 queued findings;
            // per chunk: one NeedInput. Generous, but finite.
            budget: 64 * (raw_len as u64 + 16),
            done: false,
            last_line: 0,
            first_failure: None,
            transcoded: false,
            wrong_family: None,
        }
    }

    /// Whether the decoder has ended (strict mode stopped it).
    pub fn done(&self) -> bool {
        self.done
    }

    fn tick(&mut self) {
        self.calls += 1;
        assert!(self.calls <= self.budget, "no progress: {} decoder calls for this input", self.calls);
    }

    /// Feeds one chunk, calling `decode` until it asks for more.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.feed_via(chunk, false);
    }

    /// As [`Driver::feed`]; `batched`: through the batch loop
    /// ([`Decoder::decode_records`]: the CLI's, the std crate's and the
    /// ABI's) instead of one `decode` call per event.
    fn feed_via(&mut self, chunk: &[u8], batched: bool) {
        if self.done {
            return;
        }
        let mut rest = chunk;
        loop {
            self.tick();
            let base = self.fed;
            let mut batch = Vec::new();
            let Driver { dec, plain, base64, transcoded, .. } = self;
            let (ev, used) = if batched {
                // In the wider build where the CPU has it, as the CLI and the std crate call it
                // (the closure inlined, or it stays outside that build).
                eindkomst_core::on_this_cpu(
                    #[inline(always)]
                    || {
                        dec.decode_records(rest, |r| {
                            batch.push(own(Event::Record(r), Some((rest, base)), *plain, *base64, transcoded));
                        })
                    },
                )
            } else {
                dec.decode(rest)
            };
            assert!(used <= rest.len(), "decode consumed {used} of {} bytes", rest.len());
            let ev = match ev {
                Event::NeedInput => {
                    assert_eq!(used, rest.len(), "NeedInput with input left");
                    None
                }
                Event::End => {
                    // Strict mode stops at its first failure; any mode after
                    // a `wrong_family` error (nothing more of the input is read).
                    assert!(
                        self.strict || self.wrong_family.is_some(),
                        "decode returned End in lenient mode without a wrong_family error"
                    );
                    assert!(self.dec.stopped(), "decode ended without a stop");
                    self.done = true;
                    None
                }
                other => Some(own(other, Some((rest, base)), self.plain, self.base64, &mut self.transcoded)),
            };
            let (stop, events) = (ev.is_none(), !batch.is_empty() || ev.is_some());
            for e in batch.into_iter().chain(ev) {
                self.push(e);
            }
            // Per record type only after an event: a NeedInput ends no line,
            // and with 1-byte chunks the full check was a sixth of a run.
            self.check_counts(events);
            self.fed += used as u64;
            rest = &rest[used..];
            if stop {
                break;
            }
        }
    }

    /// Feeds one chunk of whole lines (the last may lack its line end) as
    /// `eindkomst --jobs` does: every line prechecked first, and from each
    /// anchor line on run in the context the worker assumes (with the
    /// encoding decided so far); in order, each run stitched at once when
    /// its context is the true one ([`Decoder::stitch`]), else its lines
    /// prechecked again; the clean ones completed in runs
    /// ([`Decoder::accept_run`]), each other line decoded the ordinary way.
    pub fn feed_prechecked(&mut self, chunk: &[u8], pre: &mut Prechecker) {
        let line_end = |rest: &[u8]| rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
        // The worker. A run's records carry line and offset from the
        // chunk's start (corrected when the run is taken).
        let utf8 = self.dec.utf8();
        let mut lines: Vec<Option<Clean>> = Vec::new();
        let mut runs: Vec<(usize, usize, Vec<Ev>, Speculation)> = Vec::new();
        let mut going: Option<(usize, usize, Vec<Ev>)> = None;
        let mut at = 0;
        while at < chunk.len() {
            let rest = &chunk[at..];
            if let Some((_, _, records)) = going.as_mut() {
                if let Some((r, used)) = pre.check_accept(rest, lines.len() as u64 + 1, at as u64) {
                    records.push(own(Event::Record(r), None, None, self.base64, &mut self.transcoded));
                    lines.push(None);
                    at += used;
                    continue;
                }
                if let (Some((first, first_at, records)), Some(s)) = (going.take(), pre.speculation()) {
                    runs.push((first, first_at, records, s));
                }
            }
            let clean = pre.check(rest);
            if let Some(c) = clean.filter(|c| pre.assume(rest, c, utf8) && pre.accept(rest, c)) {
                let r = c.record(rest, lines.len() as u64 + 1, at as u64, self.dec.options().amount_scale);
                let record = own(Event::Record(r), None, None, self.base64, &mut self.transcoded);
                going = Some((lines.len(), at, vec![record]));
            }
            at += clean.map_or_else(|| line_end(rest), |c| c.used());
            lines.push(clean);
        }
        if let (Some((first, first_at, records)), Some(s)) = (going.take(), pre.speculation()) {
            runs.push((first, first_at, records, s));
        }
        // In order.
        let mut next_run = 0;
        let (mut i, mut at) = (0, 0);
        while i < lines.len() && !self.done {
            self.tick();
            if let Some((_, first_at, records, s)) = runs.get(next_run).filter(|r| r.0 == i) {
                next_run += 1;
                let (line_before, fed) = (self.dec.counts().lines, self.fed);
                assert_eq!(*first_at, at, "a run's anchor where the line starts");
                if self.dec.stitch(s) {
                    assert_eq!(
                        (s.lines(), self.dec.counts().lines - line_before),
                        (records.len(), records.len() as u64)
                    );
                    for ev in records {
                        let mut ev = ev.clone();
                        if let Ev::Record { line, offset, .. } = &mut ev {
                            // Lines counted from the chunk's start: this decoder's count before the chunk.
                            *line += line_before - i as u64;
                            *offset += fed - at as u64;
                        }
                        self.push(ev);
                    }
                    self.check_counts(true);
                    self.fed += s.bytes() as u64;
                    (i, at) = (i + s.lines(), at + s.bytes());
                    continue;
                }
                // Not taken: its lines prechecked again.
                let mut k_at = at;
                for clean in &mut lines[i..i + s.lines()] {
                    if clean.is_none() {
                        *clean = pre.check(&chunk[k_at..]);
                    }
                    k_at += clean.map_or_else(|| line_end(&chunk[k_at..]), |c| c.used());
                }
            }
            let limit = runs.get(next_run).map_or(lines.len(), |r| r.0);
            let rest = &chunk[at..];
            let base = self.fed;
            let mut run = Vec::new();
            let Driver { dec, plain, base64, transcoded, .. } = self;
            let (n, used) = dec.accept_run(rest, lines[i..limit].iter().copied(), |_, r| {
                run.push(own(Event::Record(r), Some((rest, base)), *plain, *base64, transcoded));
                true
            });
            assert!(n <= limit - i && used <= rest.len(), "accept_run: {n} lines, {used} bytes");
            for ev in run {
                self.push(ev);
            }
            self.check_counts(true);
            self.fed += used as u64;
            (i, at) = (i + n, at + used);
            if i < limit {
                let end = at + line_end(&chunk[at..]);
                self.feed(&chunk[at..end]);
                (i, at) = (i + 1, end);
            }
        }
    }

    fn push(&mut self, ev: Ev) {
        if let Ev::Rejected(e) | Ev::Error(e) | Ev::Warning(e) = &ev {
            // Formatting every finding was a quarter of an execution of
            // decode_raw (perf). An error holds numbers and fixed words only
            // (field names, messages), and its text puts a word or
            // punctuation between any two numbers, so it shows ten digits in
            // a row only when one of its numbers has ten digits (checked for
            // every finding) or the format of its kind and shape does (its
            // `Display` and `Debug` checked for the first such finding).
            small_numbers(e);
            let shape = (std::mem::discriminant(&e.kind), e.lb_nr.is_some(), e.record.is_some(), e.field.is_some());
            if TEXT_CHECKED.with_borrow_mut(|seen| {
                !seen.contains(&shape) && {
                    seen.push(shape);
                    true
                }
            }) {
                error_check(e, false);
                error_check(e, true);
            }
        }
        if let Ev::Record { line, .. } | Ev::Rejected(Error { line, .. }) = &ev {
            assert!(*line > self.last_line, "line {line} reported after line {}: {ev:?}", self.last_line);
            self.last_line = *line;
        }
        assert!(
            self.wrong_family.is_none(),
            "{ev:?} reported after the wrong_family error {:?}",
            self.wrong_family.map(|i| &self.events[i])
        );
        if let Ev::Error(Error { kind: ErrorKind::WrongFamily { .. }, .. }) = &ev {
            self.wrong_family = Some(self.events.len());
        }
        if self.strict {
            assert!(
                self.first_failure.is_none(),
                "strict mode reported {ev:?} after its first failure {:?}",
                self.first_failure.map(|i| &self.events[i])
            );
            if matches!(ev, Ev::Rejected(_) | Ev::Error(_)) {
                self.first_failure = Some(self.events.len());
            }
        }
        self.events.push(ev);
    }

    /// `lines == decoded + rejected`; with `by_type`, the per-type counts too.
    fn check_counts(&self, by_type: bool) {
        let c = self.dec.counts();
        let ok = if by_type { c.balanced() } else { c.lines == c.decoded + c.rejected };
        assert!(ok, "counts unbalanced: {}", short(c));
    }

    /// Ends the stream and returns what the run produced.
    pub fn finish(mut self) -> Run {
        loop {
            self.tick();
            let ev = self.dec.finish();
            match ev {
                Event::End => break,
                Event::NeedInput => panic!("finish returned NeedInput"),
                other => {
                    let ev = own(other, None, self.plain, self.base64, &mut self.transcoded);
                    self.push(ev);
                    self.check_counts(true);
                }
            }
        }
        assert_eq!(self.dec.finish(), Event::End, "finish after End");
        assert_eq!(self.dec.decode(b"0000001").0, Event::End, "decode after End");
        let counts = *self.dec.counts();
        assert!(counts.balanced(), "counts unbalanced: {}", short(&counts));
        let n = |f: fn(&Ev) -> bool| self.events.iter().filter(|e| f(e)).count() as u64;
        let records = n(|e| matches!(e, Ev::Record { .. }));
        let rejected = n(|e| matches!(e, Ev::Rejected(_)));
        let errors = n(|e| matches!(e, Ev::Error(_)));
        let warnings = n(|e| matches!(e, Ev::Warning(_)));
        // Warnings and stream errors are counted when they are reported.
        assert_eq!(errors, counts.errors, "error events vs counts {}", short(&counts));
        assert_eq!(warnings, counts.warnings, "warning events vs counts {}", short(&counts));
        let stopped = self.dec.stopped();
        if let Some(wf) = self.wrong_family {
            // Not a file of the family: the lines' findings give way to the
            // one `wrong_family` error (core decide_family), which is the
            // last event; no record is counted. Only a Base64 error (kept:
            // it is the cause) and blank lines' rejections (they do not count
            // towards the decision and go out at once while nothing is held)
            // may come before it.
            assert_eq!(wf, self.events.len() - 1, "wrong_family is not the last event");
            for ev in &self.events[..wf] {
                let ok = match ev {
                    Ev::Rejected(e) => e.kind == ErrorKind::BlankLine,
                    Ev::Error(e) => matches!(
                        e.kind,
                        ErrorKind::InvalidBase64 { .. } | ErrorKind::Base64Padding | ErrorKind::Base64Truncated
                    ),
                    _ => false,
                };
                assert!(ok, "{ev:?} reported before wrong_family");
            }
            assert_eq!(counts.decoded + counts.raw, 0, "lines counted with wrong_family: {}", short(&counts));
            assert!(stopped, "wrong_family without a stop");
        } else if self.strict && self.first_failure.is_some() {
            // Strict mode stops at its first failure (the last event).
            assert_eq!(self.first_failure, Some(self.events.len() - 1), "strict: events after the stop");
        }
        // In every mode the counts are what was reported: lines held back
        // (family detection) and dropped unreported (the family decision,
        // a strict stop) are not counted.
        assert_eq!(records, counts.decoded, "record events vs counts {}", short(&counts));
        assert_eq!(rejected, counts.rejected, "rejection events vs counts {}", short(&counts));
        if let Some(plain) = self.plain {
            assert!(
                counts.bytes <= plain.len() as u64,
                "counted {} bytes of a {}-byte stream",
                counts.bytes,
                plain.len()
            );
        }
        // A file is read as UTF-8 with one `utf8_encoded` warning for it:
        // records transcoded only then, and only once said.
        let utf8 = self
            .events
            .iter()
            .filter(|e| matches!(e, Ev::Warning(Error { kind: ErrorKind::Utf8Encoded { transcoded: true }, .. })))
            .count();
        assert!(utf8 <= 1, "{utf8} utf8_encoded warnings");
        if self.transcoded {
            assert_eq!(utf8, 1, "records transcoded from UTF-8 without a utf8_encoded warning");
        }
        // Strict mode stops exactly at its first rejection or error; any
        // mode at a wrong_family error.
        assert_eq!(stopped, (self.strict && self.first_failure.is_some()) || self.wrong_family.is_some(), "stopped");
        Run { events: self.events, counts, stopped }
    }
}

/// Counts without the empty per-type slots.
pub fn short(c: &Counts) -> String {
    let types: Vec<String> = c
        .by_type
        .iter()
        .filter(|t| t.decoded + t.rejected > 0)
        .map(|t| format!("{}:{}+{}", t.rec_nr, t.decoded, t.rejected))
        .collect();
    format!(
        "lines {} = decoded {} + rejected {} (untyped {}), warnings {}, errors {}, suppressed {}, bytes {}, by type [{}]",
        c.lines,
        c.decoded,
        c.rejected,
        c.rejected_untyped,
        c.warnings,
        c.errors,
        c.suppressed,
        c.bytes,
        types.join(" ")
    )
}

/// Decodes `input` fed in the given chunk lengths (the rest as one chunk).
pub fn run_chunks(opts: Options, input: &[u8], plain: Option<&[u8]>, cuts: &[usize]) -> Run {
    run_cut(opts, input, plain, cuts, false)
}

/// As [`run_chunks`], through the batch loop ([`Decoder::decode_records`]).
pub fn run_batched(opts: Options, input: &[u8], plain: Option<&[u8]>, cuts: &[usize]) -> Run {
    run_cut(opts, input, plain, cuts, true)
}

fn run_cut(opts: Options, input: &[u8], plain: Option<&[u8]>, cuts: &[usize], batched: bool) -> Run {
    let mut d = Driver::new(opts, input.len(), plain);
    let mut rest = input;
    for &c in cuts {
        if d.done() {
            break;
        }
        let (head, tail) = rest.split_at(c.min(rest.len()));
        d.feed_via(head, batched);
        rest = tail;
    }
    d.feed_via(rest, batched);
    d.finish()
}

/// Decodes `input` as `eindkomst --jobs` does: in chunks of whole lines
/// (each at least the next of `cuts` long, then to its line end), every
/// line prechecked with the file date a decoder knows after the first
/// 4 KiB, the clean ones completed in runs, the rest decoded.
pub fn run_prechecked(opts: Options, input: &[u8], plain: Option<&[u8]>, cuts: &[usize]) -> Run {
    let file_date = {
        let mut dec = new_decoder(opts);
        let mut head = &input[..input.len().min(4096)];
        loop {
            let (ev, used) = dec.decode(head);
            head = &head[used..];
            if matches!(ev, Event::NeedInput | Event::End) {
                break dec.file_date();
            }
        }
    };
    let mut pre = Prechecker::new(opts, file_date);
    let mut d = Driver::new(opts, input.len(), plain);
    let mut rest = input;
    for &c in cuts.iter().chain(std::iter::once(&usize::MAX)) {
        if d.done() || rest.is_empty() {
            break;
        }
        let end = match rest.get(c..) {
            Some(tail) => c + tail.iter().position(|&b| b == b'\n').map_or(tail.len(), |i| i + 1),
            None => rest.len(),
        };
        let (head, tail) = rest.split_at(end);
        d.feed_prechecked(head, &mut pre);
        rest = tail;
    }
    d.finish()
}

/// Decodes `input` in one piece.
pub fn run_whole(opts: Options, input: &[u8], plain: Option<&[u8]>) -> Run {
    run_chunks(opts, input, plain, &[])
}

/// Fails if the error's text (`Display`, or with `debug` its `Debug`) holds
/// 10 digits in a row.
/// Kinds and shapes (which of Lb_nr, record, field it names) of findings
/// whose texts were checked.
type Shape = (Discriminant<ErrorKind>, bool, bool, bool);

thread_local!(static TEXT_CHECKED: RefCell<Vec<Shape>> = const { RefCell::new(Vec::new()) });

/// No number of a finding has ten digits (a CPR could not show in its text).
pub fn small_numbers(e: &Error) {
    let (a, b) = e.kind.numbers();
    let numbers = [e.line, e.lb_nr.unwrap_or(0).into(), e.offset, a, b];
    assert!(numbers.iter().all(|&n| n < 1_000_000_000), "a finding holds a 10-digit number: {e:?}");
}

fn error_check(e: &Error, debug: bool) {
    let mut text = Text { buf: [0; 1024], len: 0 };
    let fits = if debug { write!(text, "{e:?}") } else { write!(text, "{e}") };
    let bytes = &text.buf[..text.len];
    // The text as a `String` only for the message: made for every finding
    // it was a sixth of what the harness costs (profile of decode_raw).
    if fits.is_err() || ten_digits(bytes) {
        let text = String::from_utf8_lossy(bytes);
        assert!(fits.is_ok(), "an error's text is over 1 KiB: {text}...");
        panic!("an error prints a 10-digit number: {text}");
    }
}

/// A fixed buffer for an error's text: formatting into a `String` (growing
/// it piece by piece) was the largest single cost of an execution.
struct Text {
    buf: [u8; 1024],
    len: usize,
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whether `text` holds 10 ASCII digits in a row. Every such run covers a byte
/// at an index of 9 mod 10, so only those bytes are looked at closely: this
/// runs on every finding of every fuzz input, and a per-byte loop (with the
/// fuzzer's comparison tracing on each byte) was a third of an execution.
pub fn ten_digits(text: &[u8]) -> bool {
    (9..text.len()).step_by(10).any(|i| {
        let run = |bytes: &mut dyn Iterator<Item = &u8>| bytes.take_while(|b| b.is_ascii_digit()).count();
        text[i].is_ascii_digit() && run(&mut text[..i].iter().rev()) + 1 + run(&mut text[i + 1..].iter()) >= 10
    })
}

/// Copies an event, checking it. `chunk` is the caller's input of this call
/// and the stream offset of its first byte.
/// `transcoded` is set when the record's bytes are its line read as UTF-8.
fn own(ev: Event<'_>, chunk: Option<(&[u8], u64)>, plain: Option<&[u8]>, base64: bool, transcoded: &mut bool) -> Ev {
    match ev {
        Event::Record(r) => {
            *transcoded |= record_check(&r, chunk, plain, base64);
            Ev::Record {
                line: r.line(),
                lb_nr: r.lb_nr(),
                rec: r.record_type(),
                variant: r.layout().variant,
                offset: r.offset(),
                bytes: r.bytes().to_vec(),
            }
        }
        Event::Rejected(e) => Ev::Rejected(e),
        Event::Error(e) => Ev::Error(e),
        Event::Warning(e) => Ev::Warning(e),
        Event::Raw(_) => unreachable!("the harness never asks for raw lines"),
        Event::NeedInput | Event::End => unreachable!(),
    }
}

/// Checks a record; returns whether its bytes are its line transcoded from
/// UTF-8 (then they are not the stream's bytes).
fn record_check(r: &Record<'_>, chunk: Option<(&[u8], u64)>, plain: Option<&[u8]>, base64: bool) -> bool {
    let bytes = r.bytes();
    assert_eq!(bytes.len(), r.layout().length as usize, "record of the wrong length: {:?}", Bytes(bytes));
    // What the decoder says it knows of the bytes is what a look at them says.
    if r.known_plain() {
        assert_eq!(eindkomst_core::field::json_text(bytes), (true, true), "known plain: {:?}", Bytes(bytes));
    }
    if let Some((chunk, base)) = chunk {
        let start = chunk.as_ptr() as usize;
        let p = bytes.as_ptr() as usize;
        if p >= start && p < start + chunk.len() {
            assert!(!base64, "a Base64-mode record borrows the encoded input");
            assert!(p + bytes.len() <= start + chunk.len());
            assert_eq!(r.offset(), base + (p - start) as u64, "record borrows the input away from its offset");
        }
    }
    let mut transcoded = false;
    if let Some(plain) = plain {
        // The record is its line in the stream: the bytes as they stand, or
        // (a file read as UTF-8, `Encoding::Auto`) the line transcoded to
        // ISO-8859-1; a line whose trailing blanks were trimmed is padded
        // back with blanks.
        let at = r.offset() as usize;
        let rest = plain.get(at..).unwrap_or(&[]);
        let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let fits = |text: &[u8]| {
            text.len() <= bytes.len() && bytes[..text.len()] == *text && bytes[text.len()..].iter().all(|&b| b == b' ')
        };
        if !fits(line) {
            transcoded = latin1_of_utf8(line).is_some_and(|t| t != line && fits(&t));
            assert!(
                transcoded,
                "record bytes are not the stream's bytes at offset {at} (nor their UTF-8 reading)\n  record: {:?}\n  stream: {:?}",
                Bytes(bytes),
                Bytes(line)
            );
        }
    }
    // Every accessor, for panics.
    let mut sink = String::new();
    for (f, raw) in r.fields() {
        assert_eq!(Some(raw), r.raw(f.no));
        let _ = r.text(f.no);
        match r.value(f.no) {
            Some(Value::Decimal(d)) => {
                let _ = write!(sink, "{d}");
                let _ = d.ore();
            }
            Some(Value::Date(d)) => {
                let _ = write!(sink, "{d}");
                let _ = d.yyyymmdd();
            }
            Some(Value::Time(t)) => {
                let _ = write!(sink, "{t}");
            }
            _ => {}
        }
        let _ = r.value_named(f.name);
    }
    let _ = (r.cpr(), r.se_nr(), r.feltnummer(), r.amount(), r.lb_nr());
    transcoded
}

/// `line` read as UTF-8 and written in ISO-8859-1, if it is UTF-8 of
/// ISO-8859-1 characters.
fn latin1_of_utf8(line: &[u8]) -> Option<Vec<u8>> {
    std::str::from_utf8(line).ok()?.chars().map(|c| u8::try_from(c as u32).ok()).collect()
}

/// Panics with both runs and the first difference when they differ.
///
/// After a strict stop, `counts.bytes` may differ: a chunked feed hands the
/// decoder the start of the next line (carried, so consumed) before the line
/// that stops it is complete, a whole feed does not. Only then is it ignored.
pub fn assert_same_run(what: &str, a: &Run, b: &Run) {
    let same = if a.stopped && b.stopped {
        let mut b2 = b.clone();
        b2.counts.bytes = a.counts.bytes;
        *a == b2
    } else {
        a == b
    };
    if same {
        return;
    }
    let i = a.events.iter().zip(&b.events).position(|(x, y)| x != y).unwrap_or(a.events.len().min(b.events.len()));
    panic!(
        "{what}: runs differ at event {i}\n  left:  {:?}\n  right: {:?}\n\
         left counts:  {}\nright counts: {}\nleft: {} events, right: {} events",
        a.events.get(i),
        b.events.get(i),
        short(&a.counts),
        short(&b.counts),
        a.events.len(),
        b.events.len()
    );
}
