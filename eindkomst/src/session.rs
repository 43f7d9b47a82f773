//! The one batch loop: the core's decoder, with an optional filter inside,
//! turned into one ordered stream of [`Event`]s (records, raw lines and
//! findings interleaved in input order) handed to a [`Sink`].
//!
//! Every face runs this loop: the C ABI's sink writes `eik_event`s into the
//! caller's array, the WASM sink a batch for JS, [`Batch`](crate::Batch)
//! keeps owned copies (for threads, or for a [`Reader`](crate::Reader)),
//! and a closure sees each event without any copy.
//!
//! ```
//! use eindkomst::{Event, Session};
//! use eindkomst_core::Options;
//!
//! let mut session = Session::new(Options::default(), None).unwrap();
//! let mut types = Vec::new();
//! let mut sink = |e: Event<'_>| {
//!     if let Event::Record { record, .. } = e {
//!         types.push(record.record_type());
//!     }
//! };
//! let input = eindkomst_core::testing::SAMPLE;
//! let (used, _) = session.feed(input, &mut sink);
//! assert_eq!(used, input.len());
//! while !session.finish(&mut sink) {}
//! assert_eq!((types.len(), types[0], types[26]), (27, 1000, 9999));
//! ```

use crate::filter::{FilterSpec, Filtering};
use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::filter::{FilterCounts, Pseudonym};
use eindkomst_core::{Counts, Decoder, Error, Options, RawLine, Record, Severity};
use std::fmt;

/// What kind of finding: the line was rejected, the stream has a problem,
/// or something is uncertain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingType {
    /// A line that could not be decoded (counted in `Counts::rejected`).
    Rejected,
    /// A problem of the stream, not of one line's content; no line is
    /// dropped by it.
    Error,
    /// Something uncertain; the record it names was decoded.
    Warning,
}

impl FindingType {
    /// `rejected`, `error` or `warning`: the label in every face's output.
    pub fn label(&self) -> &'static str {
        match self {
            FindingType::Rejected => "rejected",
            FindingType::Error => "error",
            FindingType::Warning => "warning",
        }
    }
}

/// A finding about the input: its type and the core's [`Error`] (kind,
/// line, Lb_nr, record type, field, offset; never a value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Rejected line, stream error or warning.
    pub finding_type: FindingType,
    /// What and where.
    pub error: Error,
}

impl Finding {
    /// Whether it stops a strict decoder (a rejected line or a stream error).
    pub fn is_fatal(&self) -> bool {
        self.finding_type != FindingType::Warning
    }

    /// The kind's severity (a warning, or an error).
    pub fn severity(&self) -> Severity {
        self.error.severity()
    }
}

impl fmt::Display for Finding {
    /// `rejected: line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.finding_type.label(), self.error)
    }
}

/// One event of the stream. Record and raw views borrow bytes that live
/// until the sink returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A decoded record; with a filter, one it keeps, projected (forbidden
    /// fields blank), and the pseudonym for its CPR when pseudonymising.
    Record {
        /// The record.
        record: Record<'a>,
        /// The pseudonym to show in place of its CPR.
        pseudonym: Option<Pseudonym>,
    },
    /// A line with an unknown record key, passed through (`Unknown::Raw`).
    /// Not passed when a filter is set (a filter cannot judge it).
    Raw(RawLine<'a>),
    /// A rejected line, stream error or warning.
    Finding(Finding),
}

/// Where a [`Session`] puts its events.
pub trait Sink {
    /// How many more events fit; the loop stops before a step whose events
    /// might not fit (one record can release held headers: up to 9 events).
    fn room(&self) -> usize {
        usize::MAX
    }

    /// Takes one event.
    fn event(&mut self, event: Event<'_>);
}

impl<F: FnMut(Event<'_>)> Sink for F {
    fn event(&mut self, event: Event<'_>) {
        self(event)
    }
}

/// Why [`Session::feed`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Every byte was used: feed more, or [`Session::finish`].
    NeedInput,
    /// The sink is full: take its events, then feed the rest of the input.
    Full,
    /// The decoder stopped (strict mode after a fatal finding, or a file of
    /// another family); the input counts as used and later input is ignored.
    Stopped,
}

/// The decoder and its filter: see the [module docs](self).
pub struct Session {
    decoder: Decoder,
    filter: Option<Filtering>,
    /// The fewest bytes a record's line can take (terminator included): bounds
    /// how many records a stretch of input can hold.
    min_line: usize,
    /// Where kept records are projected.
    buf: Box<[u8; MAX_LINE]>,
    stopped: bool,
    finished: bool,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("counts", self.decoder.counts())
            .field("filter", &self.filter.as_ref().map(Filtering::counts))
            .field("stopped", &self.stopped)
            .field("finished", &self.finished)
            .finish()
    }
}

impl Session {
    /// A session decoding with `opts`, filtering by `filter` (checked against
    /// the options' family; the error names what is wrong, never a CPR).
    pub fn new(opts: Options, filter: Option<&FilterSpec>) -> Result<Session, String> {
        let filter = match filter {
            None => None,
            Some(spec) => Some(Filtering::start(spec.compile(opts.family)?)?),
        };
        Ok(Session::with_filter(opts, filter))
    }

    /// A session with a filter already started.
    pub fn with_filter(opts: Options, filter: Option<Filtering>) -> Session {
        let min_line = match opts.family.separator {
            Some(_) => 2,
            None => opts.family.layouts().map(|l| l.base_length() as usize + 1).min().unwrap_or(2),
        };
        Session {
            decoder: Decoder::new(opts),
            filter,
            min_line: min_line.max(2),
            buf: Box::new([0; MAX_LINE]),
            stopped: false,
            finished: false,
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        self.decoder.options()
    }

    /// The decoder's accounting: `lines == decoded + rejected + raw`.
    pub fn counts(&self) -> &Counts {
        self.decoder.counts()
    }

    /// The filter, if any.
    pub fn filter(&self) -> Option<&Filtering> {
        self.filter.as_ref()
    }

    /// The filter's accounting, if there is a filter.
    pub fn filter_counts(&self) -> Option<FilterCounts> {
        self.filter.as_ref().map(Filtering::counts)
    }

    /// The field numbers the filter's profile lets through for `rec_nr` (bit
    /// `n`: field `n`); every field without a filter.
    pub fn permitted(&self, rec_nr: u16) -> u64 {
        self.filter.as_ref().map_or(u64::MAX, |f| f.compiled().permitted(rec_nr))
    }

    /// Whether the decoder stopped (strict mode, or another family).
    pub fn stopped(&self) -> bool {
        self.stopped || self.decoder.stopped()
    }

    /// Whether [`Session::finish`] has returned true.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Events one step may produce: the record and the headers it releases.
    fn need(&self) -> usize {
        1 + self.filter.as_ref().map_or(0, |f| f.counts().held as usize)
    }

    /// Decodes `input` until it is used up, the sink is full, or the decoder
    /// stops. Returns the bytes used (pass the rest next time, alone or with
    /// more bytes after it) and why it returned.
    pub fn feed(&mut self, input: &[u8], sink: &mut (impl Sink + ?Sized)) -> (usize, Progress) {
        let mut used = 0;
        loop {
            // The decoder's own stop too (strict mode's first failure): else
            // a batch filled by that very event would say `Full`, not stopped.
            if self.stopped() || self.finished {
                return (input.len(), Progress::Stopped);
            }
            let need = self.need();
            let room = sink.room();
            if room < need {
                return (used, Progress::Full);
            }
            let rest = input.get(used..).unwrap_or_default();
            // Clean records come in a run through the core's fast path, as
            // many as the sink can take: every record gives at most one event
            // of its own plus the headers held before the run, so `room -
            // need` records fit, and a stretch of input holds at most
            // `len / min_line` of them.
            let run = (room - need).saturating_mul(self.min_line);
            let (event, n) = if run >= self.min_line {
                let (filter, buf) = (&mut self.filter, &mut self.buf);
                let part = rest.get(..run.min(rest.len())).unwrap_or(rest);
                let decoder = &mut self.decoder;
                let (event, n) = eindkomst_core::on_this_cpu(
                    #[inline(always)]
                    || decoder.decode_records(part, |r| emit(filter, buf, eindkomst_core::Event::Record(r), sink)),
                );
                // A run cut short of the input ends in NeedInput: go on with the rest.
                if event == eindkomst_core::Event::NeedInput && part.len() < rest.len() {
                    used += n;
                    continue;
                }
                (event, n)
            } else {
                self.decoder.decode(rest)
            };
            used += n;
            match event {
                eindkomst_core::Event::NeedInput => return (used, Progress::NeedInput),
                eindkomst_core::Event::End => {
                    self.stopped = true;
                    return (input.len(), Progress::Stopped);
                }
                event => emit(&mut self.filter, &mut self.buf, event, sink),
            }
        }
    }

    /// Ends the stream: frames what the decoder still holds, runs the
    /// end-of-stream checks and ends the filter. Returns true when done;
    /// false when the sink is full (take its events and call again).
    pub fn finish(&mut self, sink: &mut (impl Sink + ?Sized)) -> bool {
        loop {
            if self.finished {
                return true;
            }
            if sink.room() < self.need() {
                return false;
            }
            match self.decoder.finish() {
                eindkomst_core::Event::End | eindkomst_core::Event::NeedInput => {
                    if let Some(f) = self.filter.as_mut() {
                        f.with_dependent_mut(|_, filter| filter.finish());
                    }
                    self.finished = true;
                    return true;
                }
                event => emit(&mut self.filter, &mut self.buf, event, sink),
            }
        }
    }
}

/// Hands one core event to the sink: through the filter for records.
fn emit(
    filter: &mut Option<Filtering>,
    buf: &mut [u8; MAX_LINE],
    event: eindkomst_core::Event<'_>,
    sink: &mut (impl Sink + ?Sized),
) {
    use eindkomst_core::Event as E;
    let finding = |finding_type, error| Event::Finding(Finding { finding_type, error });
    match event {
        E::Record(r) => match filter {
            None => sink.event(Event::Record { record: r, pseudonym: None }),
            Some(f) => f.with_dependent_mut(|compiled, filter| {
                let projector = filter.projector();
                let projects = compiled.projects();
                for kept in filter.record(&r) {
                    if !projects {
                        sink.event(Event::Record { record: kept, pseudonym: None });
                    } else if let Some(p) = projector.project(&kept, &mut buf[..]) {
                        // Lines never exceed MAX_LINE, so projection always fits.
                        sink.event(Event::Record { record: p.record, pseudonym: p.pseudonym });
                    }
                }
            }),
        },
        E::Raw(raw) if filter.is_none() => sink.event(Event::Raw(raw)),
        E::Raw(_) => {}
        E::Rejected(e) => sink.event(finding(FindingType::Rejected, e)),
        E::Error(e) => sink.event(finding(FindingType::Error, e)),
        E::Warning(e) => sink.event(finding(FindingType::Warning, e)),
        E::NeedInput | E::End => {}
    }
}
