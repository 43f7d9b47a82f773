//! The streaming decoder: bytes in, [`Event`]s out.
//!
//! The caller feeds chunks of any size to [`Decoder::decode`], which returns one
//! event and how many input bytes it consumed; the caller passes the rest of the
//! chunk on the next call. A line split across chunks is completed in a fixed
//! line buffer, so nothing is allocated. After the last chunk the caller calls
//! [`Decoder::finish`] until it returns [`Event::End`].
//!
//! Order of events: a line's record (or its rejection) comes first, then any
//! warnings and stream errors about that same line.

use crate::base64::Base64;
use crate::error::{Error, ErrorKind, FieldRef};
use crate::field::{self, Date};
use crate::layout::{FieldDesc, FieldType, Format, LayoutSet, Mandatory, RecordLayout, BUILTIN};
use crate::plan::{Bulk, Plan, Plans, NONE};
use crate::record::Record;

/// Longest line the decoder accepts (the longest eIndkomst record is 146
/// bytes; the margin leaves room for run-time layout families).
pub const MAX_LINE: usize = 512;

/// Most diagnostics kept for one line; more are counted in
/// [`Counts::suppressed`], never silently dropped.
const QUEUE: usize = 16;

/// The 6000 layout changed with TIN (guide v10.8, 2023). *Assumption:* reports
/// whose Lønperiode slut is before this date use the pre-TIN layout.
pub const TIN_LAYOUT_FROM: u32 = 20230701;

/// Which 6000 layout to decode with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonLayout {
    /// By the open 5000's Lønperiode slut: before [`TIN_LAYOUT_FROM`] the
    /// pre-TIN layout (`v7.1`), else the current one.
    Auto,
    /// Always the current (TIN) layout.
    Current,
    /// Always the pre-TIN layout (`v7.1`).
    PreTin,
}

/// Decoder settings.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Stop at the first rejected line or stream error (default: report and go on).
    pub strict: bool,
    /// Input is Base64 text (Beskedfordeler message body); whitespace is skipped.
    pub base64: bool,
    /// Decimals in 16-digit amounts. *Uncertain in the spec:* default 6
    /// (TaxCardBuilder's 10 integer + 6 decimal digits).
    pub amount_scale: u8,
    /// Which 6000 layout to use.
    pub person_layout: PersonLayout,
    /// A code outside an open value set rejects the line instead of warning.
    pub unknown_codes_reject: bool,
    /// The layouts to decode with (the published format by default).
    pub layouts: &'static LayoutSet,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            base64: false,
            amount_scale: 6,
            person_layout: PersonLayout::Auto,
            unknown_codes_reject: false,
            layouts: &BUILTIN,
        }
    }
}

/// What the decoder found next.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A decoded record.
    Record(Record<'a>),
    /// A line that could not be decoded; it is counted in [`Counts::rejected`].
    Rejected(Error),
    /// A problem of the stream, not of one line's content (Lb_nr sequence,
    /// control figures, missing end record, Base64); no line is dropped by it.
    Error(Error),
    /// Something uncertain; the record it names was decoded.
    Warning(Error),
    /// All input consumed: feed more, or call [`Decoder::finish`].
    NeedInput,
    /// Finished (or stopped, in strict mode). Nothing more will come.
    End,
}

/// Accounting for one record type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeCount {
    /// Record type.
    pub rec_nr: u16,
    /// Lines of this type decoded.
    pub decoded: u64,
    /// Lines of this type rejected.
    pub rejected: u64,
}

/// What the decoder has seen. Invariant: `lines == decoded + rejected`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Lines seen (every line except one blank line at the very end).
    pub lines: u64,
    /// Records decoded.
    pub decoded: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Warnings reported.
    pub warnings: u64,
    /// Stream errors reported (not counting rejections).
    pub errors: u64,
    /// Diagnostics beyond the per-line limit: counted, not reported one by one.
    pub suppressed: u64,
    /// Bytes of record data consumed (after Base64 decoding).
    pub bytes: u64,
    /// Per record type, in the order of the layout set.
    pub by_type: [TypeCount; 32],
    /// Rejected lines whose record type could not be read.
    pub rejected_untyped: u64,
}

impl Counts {
    fn new(layouts: &LayoutSet) -> Counts {
        let mut by_type = [TypeCount::default(); 32];
        for (slot, l) in by_type.iter_mut().zip(layouts.records) {
            slot.rec_nr = l.rec_nr;
        }
        Counts {
            lines: 0,
            decoded: 0,
            rejected: 0,
            warnings: 0,
            errors: 0,
            suppressed: 0,
            bytes: 0,
            by_type,
            rejected_untyped: 0,
        }
    }

    /// The counts of one record type.
    pub fn of(&self, rec_nr: u16) -> TypeCount {
        self.by_type.iter().find(|t| t.rec_nr == rec_nr && rec_nr != 0).copied().unwrap_or_default()
    }

    /// Whether every line is accounted for.
    pub fn balanced(&self) -> bool {
        let typed_dec: u64 = self.by_type.iter().map(|t| t.decoded).sum();
        let typed_rej: u64 = self.by_type.iter().map(|t| t.rejected).sum();
        self.lines == self.decoded + self.rejected
            && typed_dec == self.decoded
            && typed_rej + self.rejected_untyped == self.rejected
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    No,
    Yes,
    Rejected,
}

/// Where the decoder is in the record grammar (spec §3).
#[derive(Clone, Copy, Debug)]
struct Structure {
    started: bool,
    ended: bool,
    missing_start_reported: bool,
    company: Open,
    request: Open,
    report: Open,
    person: Open,
    prev: u16,
    prev_rejected: bool,
    holiday: u8,
    person_country: [u8; 2],
    period_end: u32,
}

impl Structure {
    const fn new() -> Structure {
        Structure {
            started: false,
            ended: false,
            missing_start_reported: false,
            company: Open::No,
            request: Open::No,
            report: Open::No,
            person: Open::No,
            prev: 0,
            prev_rejected: false,
            holiday: 0,
            person_country: *b"  ",
            period_end: 0,
        }
    }

    /// The grammar check for a record of type `rec` at this point.
    fn check(&self, rec: u16) -> Result<(), ErrorKind> {
        let parent = |open: Open, needs: u16| match open {
            Open::Yes => Ok(()),
            Open::No => Err(ErrorKind::OutOfOrder { needs }),
            Open::Rejected => Err(ErrorKind::ParentRejected),
        };
        if self.ended {
            return Err(ErrorKind::RecordAfterEnd);
        }
        match rec {
            1000 if self.started || self.prev != 0 => Err(ErrorKind::DuplicateStartRecord),
            2101 | 3101 | 4101 | 5000 => parent(self.company, 2001),
            2111 => parent(self.request, 2101),
            6000 => parent(self.report, 5000),
            6001..=6005 | 6102 | 6202 | 6111 => parent(self.person, 6000),
            8001 => match (self.prev, self.prev_rejected) {
                (6000 | 2101, false) => Ok(()),
                (6000 | 2101, true) => Err(ErrorKind::ParentRejected),
                _ => Err(ErrorKind::OutOfOrder { needs: 6000 }),
            },
            _ => Ok(()),
        }
    }

    /// Opens and closes contexts after a line of type `rec`.
    fn update(&mut self, rec: u16, rejected: bool) {
        let state = if rejected { Open::Rejected } else { Open::Yes };
        match rec {
            1000 => self.started = true,
            2001 => {
                self.company = state;
                self.request = Open::No;
                self.report = Open::No;
                self.person = Open::No;
            }
            2101 => {
                self.request = state;
                self.report = Open::No;
                self.person = Open::No;
            }
            3101 | 4101 => {
                self.request = Open::No;
                self.report = Open::No;
                self.person = Open::No;
            }
            5000 => {
                self.report = state;
                self.request = Open::No;
                self.person = Open::No;
            }
            6000 => {
                self.person = state;
                self.holiday = 0;
            }
            // A rejected 9999 does not end the stream: its count was not checked.
            9999 => self.ended = !rejected,
            _ => {}
        }
        self.prev = rec;
        self.prev_rejected = rejected;
    }
}

/// Where the bytes of a finished step live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    Input,
    Carry,
    Base64,
}

/// A decoded record before it is tied to its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Meta {
    layout: &'static RecordLayout,
    src: Src,
    start: usize,
    len: usize,
    line: u64,
    lb_nr: u32,
    offset: u64,
}

/// An event that does not borrow yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Record(Meta),
    Rejected(Error),
    Error(Error),
    Warning(Error),
    NeedInput,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    FlushBase64,
    LastLine,
    EndChecks,
    Done,
}

/// All decoder state except the byte buffers (so a line can borrow a buffer
/// while the state changes).
#[derive(Clone, Debug)]
struct State {
    opts: Options,
    counts: Counts,
    structure: Structure,
    /// Physical line number of the last line started.
    line: u64,
    /// Stream offset of the next unread byte.
    offset: u64,
    /// Stream offset where the current (carried) line began.
    line_start: u64,
    next_lb_nr: u32,
    /// Blank lines reported (they are lines, not records, for the 9999 count).
    blank_lines: u64,
    blank_pending: Option<(u64, u64)>,
    queue: [Option<Step>; QUEUE],
    queue_head: usize,
    queue_len: usize,
    stopped: bool,
    phase: Phase,
}

/// A line being completed across chunks.
#[derive(Clone, Debug)]
struct Carry {
    buf: [u8; MAX_LINE + 1],
    len: usize,
    /// The line outgrew the buffer: the rest is skipped, only its length counted.
    overflow: bool,
}

/// Bytes decoded from Base64 and not yet framed into lines.
#[derive(Clone, Debug)]
struct Base64Buf {
    codec: Base64,
    buf: [u8; 3072],
    pos: usize,
    len: usize,
    failed: bool,
    /// A Base64 error waits until the bytes decoded before it are framed,
    /// so it never overtakes the lines that precede it.
    error: Option<Error>,
}

/// The streaming decoder. See the module docs for the calling pattern.
///
/// ```
/// use eindkomst_core::{Decoder, Event, Options};
///
/// let mut decoder = Decoder::new(Options::default());
/// let mut types = Vec::new();
/// for chunk in eindkomst_core::testing::SAMPLE.chunks(100) {
///     let mut input = chunk;
///     loop {
///         let (event, used) = decoder.decode(input);
///         input = &input[used..];
///         match event {
///             Event::Record(r) => types.push(r.record_type()),
///             Event::NeedInput => break,
///             other => panic!("{other:?}"),
///         }
///     }
/// }
/// while decoder.finish() != Event::End {}
/// assert_eq!(types.first(), Some(&1000));
/// assert_eq!(types.last(), Some(&9999));
/// assert!(decoder.counts().balanced());
/// ```
#[derive(Clone, Debug)]
pub struct Decoder {
    state: State,
    carry: Carry,
    b64: Base64Buf,
    plans: Plans,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(Options::default())
    }
}

fn field_ref(f: &FieldDesc) -> FieldRef {
    FieldRef { no: f.no, name: f.name }
}

/// A byte that may stand in a record: ISO-8859-1 printable.
#[inline]
fn printable(b: u8) -> bool {
    (0x20..0x7F).contains(&b) || b >= 0xA0
}

/// Whether `line` holds a UTF-8 two-byte sequence as used for Latin-1 letters.
fn looks_utf8(line: &[u8]) -> bool {
    line.windows(2).any(|w| matches!(w, [0xC2 | 0xC3, 0x80..=0xBF]))
}

impl Decoder {
    /// A decoder with these options.
    pub fn new(opts: Options) -> Decoder {
        let mut opts = opts;
        opts.amount_scale = opts.amount_scale.min(16);
        Decoder {
            state: State {
                opts,
                counts: Counts::new(opts.layouts),
                structure: Structure::new(),
                line: 0,
                offset: 0,
                line_start: 0,
                next_lb_nr: 1,
                blank_lines: 0,
                blank_pending: None,
                queue: [None; QUEUE],
                queue_head: 0,
                queue_len: 0,
                stopped: false,
                phase: Phase::Running,
            },
            carry: Carry { buf: [0; MAX_LINE + 1], len: 0, overflow: false },
            b64: Base64Buf { codec: Base64::new(), buf: [0; 3072], pos: 0, len: 0, failed: false, error: None },
            plans: Plans::new(opts.layouts),
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.state.opts
    }

    /// What has been seen so far.
    pub fn counts(&self) -> &Counts {
        &self.state.counts
    }

    /// Whether strict mode stopped the decoder.
    pub fn stopped(&self) -> bool {
        self.state.stopped
    }

    /// Decodes from `input` until one event is ready. Returns the event and
    /// the number of bytes of `input` consumed; pass `&input[used..]` next.
    /// [`Event::NeedInput`] means every byte was consumed.
    pub fn decode<'a>(&'a mut self, input: &'a [u8]) -> (Event<'a>, usize) {
        if self.state.phase != Phase::Running {
            return match self.state.pop() {
                Some(step) => (self.view(step, input), 0),
                None => (Event::End, 0),
            };
        }
        let (step, used) = if self.state.opts.base64 { self.step_base64(input) } else { self.step_plain(input) };
        (self.view(step, input), used)
    }

    /// Ends the stream: decodes a last line without terminator, checks the end
    /// record and reports what is still pending. Call until [`Event::End`].
    pub fn finish(&mut self) -> Event<'_> {
        let step = self.finish_step();
        self.view(step, &[])
    }

    fn finish_step(&mut self) -> Step {
        loop {
            if let Some(step) = self.state.pop() {
                return step;
            }
            if self.state.stopped {
                return Step::End;
            }
            match self.state.phase {
                Phase::Running => {
                    self.state.phase = Phase::FlushBase64;
                    if self.state.opts.base64 && !self.b64.failed {
                        let mut tail = [0u8; 3];
                        match self.b64.codec.finish(&mut tail) {
                            Ok(n) => {
                                // The buffer is drained before finish (decode returns
                                // NeedInput only then), so the tail fits at its start.
                                self.b64.buf[..n].copy_from_slice(&tail[..n]);
                                self.b64.pos = 0;
                                self.b64.len = n;
                            }
                            Err(e) => {
                                self.b64.failed = true;
                                self.state.push(Step::Error(e));
                            }
                        }
                    }
                }
                Phase::FlushBase64 => {
                    if self.b64.pos < self.b64.len {
                        let (step, used) = self.frame(Src::Base64);
                        self.b64.pos += used;
                        if step != Step::NeedInput {
                            return step;
                        }
                    } else {
                        self.state.phase = Phase::LastLine;
                    }
                }
                Phase::LastLine => {
                    self.state.phase = Phase::EndChecks;
                    if self.carry.len > 0 || self.carry.overflow {
                        if let Some(step) = self.state.take_blank() {
                            // A blank line before the last line: report it, then come back.
                            self.state.phase = Phase::LastLine;
                            return step;
                        }
                        let len = self.carry.len;
                        let step = if self.carry.overflow {
                            Some(self.state.reject_too_long(len))
                        } else {
                            self.state.line(&self.plans, &self.carry.buf[..len], Src::Carry, 0, false)
                        };
                        self.carry.len = 0;
                        self.carry.overflow = false;
                        if let Some(step) = step {
                            return step;
                        }
                    }
                }
                Phase::EndChecks => {
                    self.state.phase = Phase::Done;
                    // One blank line at the very end is the file's last line break: ignored.
                    self.state.blank_pending = None;
                    let s = &mut self.state;
                    let at = Error {
                        kind: ErrorKind::EmptyInput,
                        line: s.line,
                        lb_nr: None,
                        record: None,
                        field: None,
                        offset: s.offset,
                    };
                    if s.counts.lines == 0 {
                        s.push(Step::Error(at));
                    } else if !s.structure.ended {
                        s.push(Step::Error(Error { kind: ErrorKind::MissingEndRecord, ..at }));
                    }
                }
                Phase::Done => return Step::End,
            }
        }
    }

    fn view<'a>(&'a self, step: Step, input: &'a [u8]) -> Event<'a> {
        match step {
            Step::Record(m) => {
                let src: &'a [u8] = match m.src {
                    Src::Input => input,
                    Src::Carry => &self.carry.buf,
                    Src::Base64 => &self.b64.buf,
                };
                Event::Record(Record {
                    layout: m.layout,
                    bytes: src.get(m.start..m.start + m.len).unwrap_or(&[]),
                    line: m.line,
                    lb_nr: m.lb_nr,
                    offset: m.offset,
                    amount_scale: self.state.opts.amount_scale,
                })
            }
            Step::Rejected(e) => Event::Rejected(e),
            Step::Error(e) => Event::Error(e),
            Step::Warning(e) => Event::Warning(e),
            Step::NeedInput => Event::NeedInput,
            Step::End => Event::End,
        }
    }

    fn step_plain(&mut self, input: &[u8]) -> (Step, usize) {
        if let Some(step) = self.state.pop() {
            return (step, 0);
        }
        if self.state.stopped {
            return (Step::End, 0);
        }
        self.frame_bytes(input, Src::Input, 0)
    }

    fn step_base64(&mut self, input: &[u8]) -> (Step, usize) {
        let mut used = 0;
        loop {
            if let Some(step) = self.state.pop() {
                return (step, used);
            }
            if self.state.stopped {
                return (Step::End, used);
            }
            if self.b64.pos < self.b64.len {
                let (step, n) = self.frame(Src::Base64);
                self.b64.pos += n;
                if step != Step::NeedInput {
                    return (step, used);
                }
            }
            if let Some(e) = self.b64.error.take() {
                self.state.push(Step::Error(e));
                continue;
            }
            let rest = input.get(used..).unwrap_or(&[]);
            if rest.is_empty() {
                return (Step::NeedInput, used);
            }
            if self.b64.failed {
                // Nothing after a Base64 error can be trusted; skip it (already reported).
                return (Step::NeedInput, input.len());
            }
            let (read, written, error) = self.b64.codec.decode(rest, &mut self.b64.buf);
            // The bad character is consumed with its error: else a caller that stops feeding here
            // (`decode(&[])`, then `finish`) hears of a byte it never handed over.
            used += read + usize::from(error.is_some());
            self.b64.pos = 0;
            self.b64.len = written;
            if let Some(e) = error {
                self.b64.failed = true;
                self.b64.error = Some(e);
            }
        }
    }

    /// Frames the unread Base64-decoded bytes.
    fn frame(&mut self, src: Src) -> (Step, usize) {
        debug_assert_eq!(src, Src::Base64);
        let (pos, len) = (self.b64.pos, self.b64.len);
        let bytes = &self.b64.buf[pos..len];
        Self::frame_in(&mut self.state, &mut self.carry, &self.plans, bytes, Src::Base64, pos)
    }

    fn frame_bytes(&mut self, input: &[u8], src: Src, base: usize) -> (Step, usize) {
        Self::frame_in(&mut self.state, &mut self.carry, &self.plans, input, src, base)
    }

    /// Takes the next line from `bytes` (completing a carried line first).
    /// `base` is where `bytes` starts within its source buffer.
    fn frame_in(
        state: &mut State,
        carry: &mut Carry,
        plans: &Plans,
        bytes: &[u8],
        src: Src,
        base: usize,
    ) -> (Step, usize) {
        let mut used = 0;
        loop {
            // What an earlier line queued (a first line of only a BOM: its error, then a held-back
            // blank line) comes before anything of a later line, however the input is chunked.
            if let Some(step) = state.pop() {
                return (step, used);
            }
            let rest = &bytes[used..];
            if rest.is_empty() {
                return (Step::NeedInput, used);
            }
            let Some(nl) = memchr::memchr(b'\n', rest) else {
                // No line end yet: keep the bytes for the next chunk.
                state.begin_carry(carry.len == 0 && !carry.overflow);
                carry.append(rest);
                state.consume(rest.len());
                return (Step::NeedInput, used + rest.len());
            };
            let line = &rest[..nl];
            let continuing = carry.len > 0 || carry.overflow;
            // A CRLF blank line may arrive split: its CR carried, its LF here.
            let carried_cr = continuing && !carry.overflow && carry.buf[..carry.len] == *b"\r" && line.is_empty();
            let blank = carried_cr || (!continuing && (line.is_empty() || line == b"\r"));
            if !blank {
                if let Some(step) = state.take_blank() {
                    // The held-back blank line is a real one because this line follows it. The
                    // evidence is consumed with the rejection (carried, as a line split across
                    // chunks; its line end comes next call): else a caller that stops here would
                    // hear of a blank line its consumed bytes end with.
                    state.begin_carry(!continuing);
                    carry.append(line);
                    state.consume(line.len());
                    return (step, used + line.len());
                }
            }
            let step = if carried_cr {
                carry.len = 0;
                state.blank()
            } else if continuing {
                carry.append(line);
                let len = carry.len;
                let step = if carry.overflow {
                    Some(state.reject_too_long(len))
                } else {
                    state.line(plans, &carry.buf[..len], Src::Carry, 0, true)
                };
                carry.len = 0;
                carry.overflow = false;
                step
            } else {
                state.line_start = state.offset;
                if blank {
                    state.blank()
                } else if line.len() > MAX_LINE + 1 {
                    Some(state.reject_too_long(line.len()))
                } else {
                    state.line(plans, line, src, base + used, true)
                }
            };
            state.consume(nl + 1);
            used += nl + 1;
            if let Some(step) = step {
                return (step, used);
            }
        }
    }
}

impl Carry {
    fn append(&mut self, bytes: &[u8]) {
        if self.overflow || self.len + bytes.len() > self.buf.len() {
            self.overflow = true;
            self.len += bytes.len();
            return;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

impl State {
    fn push(&mut self, step: Step) {
        if self.queue_len == QUEUE {
            self.counts.suppressed += 1;
            return;
        }
        self.queue[(self.queue_head + self.queue_len) % QUEUE] = Some(step);
        self.queue_len += 1;
    }

    fn pop(&mut self) -> Option<Step> {
        if self.queue_len == 0 {
            return None;
        }
        let step = self.queue[self.queue_head].take();
        self.queue_head = (self.queue_head + 1) % QUEUE;
        self.queue_len -= 1;
        match step {
            Some(Step::Warning(_)) => self.counts.warnings += 1,
            Some(Step::Error(_)) => self.counts.errors += 1,
            _ => {}
        }
        if self.opts.strict && matches!(step, Some(Step::Error(_) | Step::Rejected(_))) {
            self.stop();
        }
        step
    }

    /// Strict mode: nothing after the first error.
    fn stop(&mut self) {
        self.stopped = true;
        self.queue_len = 0;
    }

    fn consume(&mut self, n: usize) {
        self.offset += n as u64;
        self.counts.bytes += n as u64;
    }

    fn begin_carry(&mut self, fresh: bool) {
        if fresh {
            self.line_start = self.offset;
        }
    }

    /// A blank line is held back: it is an error unless it is the last line.
    /// Returns the rejection of the blank line before it, if there was one
    /// (two in a row: the first is surely not the final one).
    fn blank(&mut self) -> Option<Step> {
        self.line += 1;
        let before = self.take_blank();
        self.blank_pending = Some((self.line, self.line_start));
        before
    }

    /// Reports the held-back blank line, now that another line follows it.
    fn take_blank(&mut self) -> Option<Step> {
        let (line, offset) = self.blank_pending.take()?;
        self.blank_lines += 1;
        self.count_rejected(None);
        Some(self.finish_rejected(Error {
            kind: ErrorKind::BlankLine,
            line,
            lb_nr: None,
            record: None,
            field: None,
            offset,
        }))
    }

    fn type_slot(&mut self, rec: u16) -> Option<&mut TypeCount> {
        self.counts.by_type.iter_mut().find(|t| t.rec_nr == rec && rec != 0)
    }

    fn count_rejected(&mut self, rec: Option<u16>) {
        self.counts.lines += 1;
        self.counts.rejected += 1;
        match rec.and_then(|r| self.type_slot(r)) {
            Some(t) => t.rejected += 1,
            None => self.counts.rejected_untyped += 1,
        }
    }

    fn reject_too_long(&mut self, len: usize) -> Step {
        self.line += 1;
        self.count_rejected(None);
        self.next_lb_nr += 1;
        let e = Error {
            kind: ErrorKind::LineTooLong { limit: MAX_LINE as u32 },
            line: self.line,
            lb_nr: None,
            record: None,
            field: None,
            offset: self.line_start,
        };
        let _ = len;
        self.structure.prev = 0;
        self.finish_rejected(e)
    }

    fn finish_rejected(&mut self, e: Error) -> Step {
        if self.opts.strict {
            self.stop();
        }
        Step::Rejected(e)
    }

    /// Decodes one complete line. `at` is where the line starts in its source.
    fn line(&mut self, plans: &Plans, raw: &[u8], src: Src, at: usize, newline: bool) -> Option<Step> {
        self.line += 1;
        let mut line = raw;
        let mut at = at;
        let mut offset = self.line_start;
        if newline {
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
        }
        if self.line == 1 {
            if let [0xEF, 0xBB, 0xBF, rest @ ..] = line {
                self.push(Step::Error(Error {
                    kind: ErrorKind::Utf8Bom,
                    line: 1,
                    lb_nr: None,
                    record: None,
                    field: None,
                    offset: 0,
                }));
                line = rest;
                at += 3;
                offset += 3;
                if line.is_empty() {
                    self.line -= 1;
                    return self.blank();
                }
            }
        }
        if line.len() > MAX_LINE {
            self.line -= 1;
            return Some(self.reject_too_long(line.len()));
        }
        Some(self.decode_line(plans, line, src, at, offset, newline))
    }

    fn decode_line(&mut self, plans: &Plans, line: &[u8], src: Src, at: usize, offset: u64, newline: bool) -> Step {
        let lb_nr = line.get(0..7).and_then(field::parse_short_number);
        let rec = line.get(7..11).and_then(field::parse_short_number).map(|n| n as u16);
        let mut err = Error { kind: ErrorKind::EmptyInput, line: self.line, lb_nr, record: rec, field: None, offset };

        // Lb_nr runs 1, 2, 3, ... over every line, decoded or not.
        let expected = self.next_lb_nr;
        self.next_lb_nr = lb_nr.map_or(expected.wrapping_add(1), |n| n.wrapping_add(1));
        let lb_finding = match lb_nr {
            Some(n) if n > expected => Some(ErrorKind::LbNrGap { expected, found: n }),
            Some(n) if n < expected => Some(ErrorKind::LbNrRepeat { expected, found: n }),
            _ => None,
        };

        let plan = rec.and_then(|r| self.plan_for(plans, r));
        let layout = plan.map(|p| p.layout);
        let reject = |this: &mut State, e: Error, rec: Option<u16>| {
            this.count_rejected(rec);
            if let Some(r) = rec {
                this.structure.update(r, true);
            } else {
                this.structure.prev = 0;
            }
            if let Some(kind) = lb_finding {
                this.push(Step::Error(Error { kind, field: None, ..e }));
            }
            this.finish_rejected(e)
        };
        let known = layout.map(|l| l.rec_nr);

        let (all_printable, bulk) = match plan {
            Some(p) => p.scan(line),
            None => (crate::plan::printable_line(line), Bulk::CheckAll),
        };
        if !all_printable {
            let i = line.iter().position(|&b| !printable(b)).unwrap_or(0);
            let b = line[i];
            let utf8 = i > 0 && matches!((line[i - 1], b), (0xC2 | 0xC3, 0x80..=0xBF));
            err.kind = match b {
                b'\r' => ErrorKind::BareCarriageReturn,
                _ if utf8 => ErrorKind::Utf8Encoded,
                _ => ErrorKind::ByteOutsideCharset { byte: b },
            };
            err.offset = offset + i as u64;
            err.field = layout.and_then(|l| l.fields.iter().find(|f| f.range().contains(&i))).map(field_ref);
            return reject(self, err, known);
        }
        if line.len() < 11 {
            err.kind = if newline { ErrorKind::LineTooShort } else { ErrorKind::TruncatedLastLine };
            return reject(self, err, None);
        }
        let (Some(lb_nr), Some(rec_nr)) = (lb_nr, rec) else {
            let (no, name, range) = if lb_nr.is_none() { (1, "Lb_nr", 0..7) } else { (2, "Rec_nr", 7..11) };
            let bad = line[range.clone()].iter().position(|b| !b.is_ascii_digit()).unwrap_or(0);
            err.kind = ErrorKind::NotDigit;
            err.field = Some(FieldRef { no, name });
            err.offset = offset + (range.start + bad) as u64;
            return reject(self, err, None);
        };
        let Some(plan) = plan else {
            err.kind = ErrorKind::UnknownRecordType;
            err.field = Some(FieldRef { no: 2, name: "Rec_nr" });
            err.offset = offset + 7;
            return reject(self, err, None);
        };
        let layout = plan.layout;
        if line.len() != layout.length as usize {
            err.kind = if !newline && line.len() < layout.length as usize {
                ErrorKind::TruncatedLastLine
            } else if looks_utf8(line) {
                ErrorKind::Utf8Encoded
            } else {
                ErrorKind::WrongLength { expected: layout.length, found: line.len() as u32 }
            };
            err.offset = offset + line.len().min(layout.length as usize) as u64;
            return reject(self, err, Some(rec_nr));
        }
        if !self.structure.started && rec_nr != 1000 && !self.structure.missing_start_reported {
            self.structure.missing_start_reported = true;
            self.structure.started = true;
            self.push(Step::Error(Error { kind: ErrorKind::MissingStartRecord, ..err }));
        }
        if let Err(kind) = self.structure.check(rec_nr) {
            err.kind = kind;
            return reject(self, err, Some(rec_nr));
        }
        // Fields: the first error rejects the line; warnings wait in the queue.
        let mark = self.queue_len;
        // Bulk check first: when every numeric byte is a digit, only the fields
        // with codes, dates, signs or mandatory text need a look of their own.
        let checked = match bulk {
            Bulk::Digits => self.check_fields(layout, line, &err, plan.checks().iter().map(|&i| i as usize), true),
            Bulk::CheckAll => match plan.slow() {
                Some(slow) => self.check_fields(layout, line, &err, slow.iter().map(|&i| i as usize), false),
                None => self.check_fields(layout, line, &err, 2..layout.fields.len(), false),
            },
        };
        if let Err(e) = checked {
            self.queue_len = mark; // warnings of a rejected line are moot
            return reject(self, e, Some(rec_nr));
        }
        if let Err(e) = self.check_record(plan, line, &err) {
            self.queue_len = mark;
            return reject(self, e, Some(rec_nr));
        }
        if let Some(kind) = lb_finding {
            self.push(Step::Error(Error { kind, ..err }));
        }
        self.structure.update(rec_nr, false);
        self.counts.lines += 1;
        self.counts.decoded += 1;
        if let Some(t) = self.counts.by_type.get_mut(plan.slot as usize) {
            t.decoded += 1;
        }
        Step::Record(Meta { layout, src, start: at, len: line.len(), line: self.line, lb_nr, offset })
    }

    fn plan_for<'p>(&self, plans: &'p Plans, rec: u16) -> Option<&'p Plan> {
        let current = plans.get(rec)?;
        if rec != 6000 {
            return Some(current);
        }
        let pre_tin = match self.opts.person_layout {
            PersonLayout::Current => false,
            PersonLayout::PreTin => true,
            PersonLayout::Auto => self.structure.period_end != 0 && self.structure.period_end < TIN_LAYOUT_FROM,
        };
        Some(if pre_tin { plans.pre_tin().unwrap_or(current) } else { current })
    }

    fn warn(&mut self, kind: ErrorKind, f: &FieldDesc, ctx: &Error) {
        self.push(Step::Warning(Error {
            kind,
            field: Some(field_ref(f)),
            offset: ctx.offset + f.start as u64,
            ..*ctx
        }));
    }

    /// Checks every field against its layout entry.
    /// Checks the fields `which` of `line`. With `digits_known`, the bulk
    /// check has proven every numeric byte a digit (so no numeric field is blank).
    fn check_fields(
        &mut self,
        layout: &RecordLayout,
        line: &[u8],
        ctx: &Error,
        which: impl Iterator<Item = usize>,
        digits_known: bool,
    ) -> Result<(), Error> {
        let fields = layout.fields;
        for i in which {
            let Some(f) = fields.get(i) else { continue };
            let v = line.get(f.range()).unwrap_or(&[]);
            let fail = |kind, at: usize| Error {
                kind,
                field: Some(field_ref(f)),
                offset: ctx.offset + (f.start as usize + at) as u64,
                ..*ctx
            };
            let numeric = f.ty == FieldType::Numeric;
            match f.format {
                Format::Filler => continue,
                Format::Sign => {
                    match v {
                        b"+" | b"-" => {}
                        // A sign is needed exactly when its value is given.
                        b" " if f.mandatory != Mandatory::Yes
                            && i.checked_sub(1)
                                .and_then(|p| fields.get(p))
                                .is_some_and(|p| field::is_blank(line.get(p.range()).unwrap_or(&[]))) => {}
                        _ => return Err(fail(ErrorKind::InvalidSign, 0)),
                    }
                    continue;
                }
                _ => {}
            }
            if !(digits_known && numeric) && field::is_blank(v) {
                match f.mandatory {
                    Mandatory::Yes => return Err(fail(ErrorKind::MissingMandatory, 0)),
                    Mandatory::ThirdParty => self.warn(ErrorKind::MissingField, f, ctx),
                    _ => {}
                }
                continue;
            }
            if numeric && !digits_known {
                if let Some(bad) = v.iter().position(|b| !b.is_ascii_digit()) {
                    return Err(fail(ErrorKind::NotDigit, bad));
                }
            }
            let zero = || v.iter().all(|&b| b == b'0');
            match f.format {
                Format::Date if field::parse_date(v).is_none() && !(f.mandatory != Mandatory::Yes && zero()) => {
                    return Err(fail(ErrorKind::InvalidDate, 0))
                }
                Format::Time if field::parse_time(v).is_none() => return Err(fail(ErrorKind::InvalidTime, 0)),
                Format::Amount if self.opts.amount_scale > 2 => {
                    let sub_ore = v.len().saturating_sub(self.opts.amount_scale as usize - 2);
                    if v[sub_ore..].iter().any(|&b| b != b'0') {
                        self.warn(ErrorKind::SubOrePrecision, f, ctx);
                    }
                }
                _ => {}
            }
            if let Some(set) = f.values {
                if !set.contains(v) {
                    if numeric && !set.closed && f.mandatory != Mandatory::Yes && zero() {
                        continue; // zero-filled optional code: "not given"
                    }
                    if set.closed || self.opts.unknown_codes_reject {
                        return Err(fail(ErrorKind::InvalidCode, 0));
                    }
                    self.warn(ErrorKind::UnknownCode, f, ctx);
                }
            }
        }
        Ok(())
    }

    /// Rules that span fields or records (spec §3-§4).
    fn check_record(&mut self, plan: &Plan, line: &[u8], ctx: &Error) -> Result<(), Error> {
        let field = |i: u8| if i == NONE { None } else { plan.layout.fields.get(i as usize) };
        let bytes = |i: u8| field(i).and_then(|f| line.get(f.range()));
        let at = |f: &FieldDesc| Error { field: Some(field_ref(f)), offset: ctx.offset + f.start as u64, ..*ctx };
        match plan.layout.rec_nr {
            5000 => {
                let end = bytes(plan.period_end).and_then(field::parse_date);
                self.structure.period_end = end.map_or(0, |d: Date| d.yyyymmdd());
            }
            6000 => {
                let given = |i| bytes(i).is_some_and(|v| v.iter().any(|b| b.is_ascii_digit() && *b != b'0'));
                if !given(plan.cpr) && !given(plan.se) {
                    let f = field(plan.cpr).or(plan.layout.fields.get(2));
                    return Err(Error { kind: ErrorKind::NoIdentity, ..f.map_or(*ctx, at) });
                }
                self.structure.person_country = match bytes(plan.country) {
                    Some([a, b]) => [*a, *b],
                    _ => *b"  ",
                };
            }
            6102 | 6202 => {
                self.structure.holiday += 1;
                if self.structure.holiday == 4 {
                    if let Some(f) = plan.layout.fields.get(2) {
                        self.warn(ErrorKind::TooManyHolidayRecords, f, ctx);
                    }
                }
            }
            8001 => {
                let pc = self.structure.person_country;
                if let (Some(f), Some(v)) = (field(plan.country), bytes(plan.country)) {
                    if self.structure.prev == 6000 && pc != *b"  " && v != pc {
                        self.warn(ErrorKind::CountryMismatch, f, ctx);
                    }
                }
            }
            9999 => {
                if let Some(f) = field(plan.count) {
                    // Records so far, this 9999 included; blank lines are not records.
                    let counted = (self.counts.lines - self.blank_lines + 1) as u32;
                    let stated = bytes(plan.count).and_then(field::parse_number).unwrap_or(0) as u32;
                    // N+1 is TaxCardBuilder's reading only if no line went missing
                    // (the 9999's own Lb_nr agrees with what was seen).
                    let tcb_style = stated == counted.wrapping_add(1) && ctx.lb_nr == Some(counted);
                    if tcb_style {
                        self.push(Step::Warning(Error { kind: ErrorKind::ControlCountPlusOne, ..at(f) }));
                    } else if stated != counted {
                        self.push(Step::Error(Error { kind: ErrorKind::ControlCount { counted, stated }, ..at(f) }));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
