//! The streaming decoder: bytes in, [`Event`]s out.
//!
//! The caller feeds chunks of any size to [`Decoder::decode`], which returns one
//! event and how many input bytes it consumed; the caller passes the rest of the
//! chunk on the next call. A line split across chunks is completed in a fixed
//! line buffer, so nothing is allocated. After the last chunk the caller calls
//! [`Decoder::finish`] until it returns [`Event::End`]; `finish` first frames
//! whatever the decoder holds (a Base64 tail, a last line without terminator),
//! so it may be called at any point, also right after an event other than
//! [`Event::NeedInput`].
//!
//! Order of events: a line's record (or its rejection) comes first, then any
//! warnings and stream errors about that same line.
//!
//! Inside (private modules): `frame` cuts lines (carry buffer, blank lines,
//! Base64 buffer), `fast` decodes a clean line of a fixed-width family in one
//! pass, `line` reads any line against its [`Family`] (key, line number,
//! variant, encoding, separated fields, trimmed tails, field checks,
//! cross-record rules), `grammar` keeps the open records.

mod encoding;
mod fast;
mod frame;
mod grammar;
mod line;
mod stitch;

pub use encoding::Encoding;
pub use fast::Clean;
pub use stitch::Speculation;

use crate::error::{Error, ErrorKind};
use crate::layout::{Family, RecordLayout, EMPLOYER};
use crate::plan::Plans;
use crate::record::{RawLine, Record};
use frame::{Base64Buf, Carry};
use grammar::Grammar;

/// Longest line the decoder accepts (the longest employer record is 146
/// bytes; the margin leaves room for other families).
pub const MAX_LINE: usize = 512;

/// Most diagnostics kept for one line (and for the lines held while the
/// decoder checks that a file is in its family); more are counted in
/// [`Counts::suppressed`], never silently dropped.
const QUEUE: usize = 40;

/// Lines the decoder reads before it decides that a file whose lines all
/// fail is not in its family at all (one `wrong_family` finding instead).
pub const PROBATION_LINES: u8 = 8;

/// Most queue places the lines held while the family is decided may take;
/// at this many the decoder stops holding them (blank lines do not count
/// towards [`PROBATION_LINES`], so a run of them could fill the queue, and a
/// held line must never be dropped).
const HOLD_LIMIT: usize = QUEUE - 8;

/// What to do with a line whose record key has no layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unknown {
    /// Reject it (`unknown_record_type`).
    #[default]
    Reject,
    /// Pass it through as [`Event::Raw`] (key and bytes), with a
    /// `passed_raw` warning, so nothing received before its layout is known
    /// is lost.
    Raw,
}

impl Unknown {
    /// The option's name: `reject`, `raw`.
    pub fn name(&self) -> &'static str {
        match self {
            Unknown::Reject => "reject",
            Unknown::Raw => "raw",
        }
    }

    /// The choice called `name`.
    pub fn from_name(name: &str) -> Option<Unknown> {
        [Unknown::Reject, Unknown::Raw].into_iter().find(|u| u.name() == name)
    }
}

/// Decoder settings.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Stop at the first rejected line or stream error (default: report and go on).
    pub strict: bool,
    /// Input is Base64 text (Beskedfordeler message body); whitespace is skipped.
    pub base64: bool,
    /// Decimals in amounts. *Uncertain in the employer spec:* default 6
    /// (TaxCardBuilder's 10 integer + 6 decimal digits).
    pub amount_scale: u8,
    /// A code outside an open value set rejects the line instead of warning.
    pub unknown_codes_reject: bool,
    /// The record family to decode (the employer family by default).
    pub family: &'static Family,
    /// Layouts forced for their record type instead of the family's variant
    /// rules (e.g. the employer's pre-TIN 6000); see [`Options::with_layout`].
    pub forced: [Option<&'static RecordLayout>; 4],
    /// How characters are encoded.
    pub encoding: Encoding,
    /// What to do with unknown record keys.
    pub unknown: Unknown,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            base64: false,
            amount_scale: 6,
            unknown_codes_reject: false,
            family: &EMPLOYER,
            forced: [None; 4],
            encoding: Encoding::Auto,
            unknown: Unknown::Reject,
        }
    }
}

impl Options {
    /// These options with `layout` forced for its record type (replacing an
    /// earlier choice for that type). Up to four record types can be forced.
    ///
    /// ```
    /// use eindkomst_core::{layout::EMPLOYER, Options};
    /// let pre_tin = EMPLOYER.variant(6000, "v7.1").unwrap();
    /// let opts = Options::default().with_layout(pre_tin);
    /// assert_eq!(opts.forced_layout(6000).map(|l| l.variant), Some("v7.1"));
    /// ```
    pub fn with_layout(mut self, layout: &'static RecordLayout) -> Options {
        let slot = self.forced.iter().position(|f| f.is_some_and(|f| f.rec_nr == layout.rec_nr));
        let slot = slot.or_else(|| self.forced.iter().position(Option::is_none)).unwrap_or(self.forced.len() - 1);
        self.forced[slot] = Some(layout);
        self
    }

    /// The layout forced for `rec_nr`, if any.
    pub fn forced_layout(&self, rec_nr: u16) -> Option<&'static RecordLayout> {
        self.forced.iter().flatten().copied().find(|l| l.rec_nr == rec_nr)
    }
}

/// What the decoder found next.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A decoded record.
    Record(Record<'a>),
    /// A line with an unknown record key, passed through as it stands
    /// ([`Unknown::Raw`]); counted in [`Counts::raw`].
    Raw(RawLine<'a>),
    /// A line that could not be decoded; it is counted in [`Counts::rejected`].
    Rejected(Error),
    /// A problem of the stream, not of one line's content (line number
    /// sequence, control figures, missing end record, Base64, another
    /// family); no line is dropped by it.
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

/// What the decoder has seen. Invariant: `lines == decoded + rejected + raw`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Lines seen (every line except one blank line at the very end).
    pub lines: u64,
    /// Records decoded.
    pub decoded: u64,
    /// Lines rejected.
    pub rejected: u64,
    /// Lines passed through raw ([`Unknown::Raw`]).
    pub raw: u64,
    /// Warnings reported.
    pub warnings: u64,
    /// Stream errors reported (not counting rejections).
    pub errors: u64,
    /// Diagnostics beyond the per-line limit: counted, not reported one by one.
    pub suppressed: u64,
    /// Bytes of record data consumed (after Base64 decoding).
    pub bytes: u64,
    /// Per record type, in the order of the family's records.
    pub by_type: [TypeCount; 32],
    /// Rejected lines whose record type could not be read.
    pub rejected_untyped: u64,
}

impl Counts {
    fn new(family: &Family) -> Counts {
        let mut by_type = [TypeCount::default(); 32];
        for (slot, l) in by_type.iter_mut().zip(family.records) {
            slot.rec_nr = l.rec_nr;
        }
        Counts {
            lines: 0,
            decoded: 0,
            rejected: 0,
            raw: 0,
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
        self.lines == self.decoded + self.rejected + self.raw
            && typed_dec == self.decoded
            && typed_rej + self.rejected_untyped == self.rejected
    }
}

/// Where the bytes of a finished step live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    /// The caller's input of the current call.
    Input,
    /// The carry buffer (a line split across chunks, or the last line).
    Carry,
    /// The Base64 output buffer.
    Base64,
    /// The transcoded (UTF-8 → ISO-8859-1) line.
    Transcoded,
    /// The canonical line (padded, or built from separated fields).
    Canonical,
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

/// A raw line before it is tied to its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RawMeta {
    src: Src,
    start: usize,
    len: usize,
    key_start: usize,
    key_len: usize,
    line: u64,
    lb_nr: Option<u32>,
    offset: u64,
}

/// An event that does not borrow yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Record(Meta),
    Raw(RawMeta),
    /// A rejected line, with the record type it was counted under (`None`:
    /// untyped), so a line dropped unreported can be uncounted.
    Rejected(Error, Option<u16>),
    Error(Error),
    Warning(Error),
    NeedInput,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    /// `finish`: frame what the Base64 buffer still holds.
    DrainBase64,
    /// `finish`: the Base64 decoder's last group.
    Base64Tail,
    LastLine,
    EndChecks,
    Done,
}

/// The first bytes of the stream, for telling what a file is.
const HEAD: usize = 160;

/// All decoder state except the byte buffers (so a line can borrow a buffer
/// while the state changes).
#[derive(Clone, Debug)]
struct State {
    opts: Options,
    counts: Counts,
    grammar: Grammar,
    /// Physical line number of the last line started.
    line: u64,
    /// Stream offset of the next unread byte.
    offset: u64,
    /// Stream offset where the current (carried) line began.
    line_start: u64,
    /// The Lb_nr the next line must carry.
    lb: fast::LineNumber,
    /// Variant choices the fast path may reuse.
    choices: fast::Choices,
    /// The key word and plan of the last line the fast path found by key alone.
    last_plan: fast::LastPlan,
    /// The plans the fast path found lately, by key word.
    plan_cache: fast::PlanCache,
    /// The key words and plans of the last lines of the last two plans
    /// with runs ([`crate::plan::Plan::run`]) the fast path took its
    /// shortest way, the latest first: their next lines may come in runs
    /// ([`fast::Taking::run`]). Two, as a person's 6001s and its 6005 take
    /// turns: with one, each 6005 and the 6001 after it went the general way.
    run_keys: [fast::LastPlan; 2],
    /// Shapes of lines the fast path learned ([`crate::plan::Shape`]).
    shapes: fast::Shapes,
    /// Blank lines reported (they are lines, not records, for the trailer count).
    blank_lines: u64,
    blank_pending: Option<(u64, u64)>,
    queue: [Option<Step>; QUEUE],
    queue_head: usize,
    queue_len: usize,
    /// Queue length when the current line began (its own findings follow).
    line_mark: usize,
    stopped: bool,
    /// Stop once the queue is empty (after a `wrong_family` finding).
    stop_when_drained: bool,
    phase: Phase,
    /// The file date (role `file_date`, `YYYYMMDD`), 0 until seen.
    file_date: u32,
    /// Auto encoding: decided UTF-8 (`Some(true)`) or ISO-8859-1.
    utf8: Option<bool>,
    /// Lines left before the decoder stops holding findings back to see
    /// whether the file is in its family at all; 0 = decided.
    probation: u8,
    head: [u8; HEAD],
    head_len: usize,
    /// Stream offset just past the line end of the line being framed.
    line_end: u64,
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
    bufs: line::Buffers,
    plans: Plans,
}

impl State {
    /// The state at the start of a stream (`opts.amount_scale` already capped).
    fn new(opts: Options) -> State {
        State {
            opts,
            counts: Counts::new(opts.family),
            grammar: Grammar::new(opts.family),
            line: 0,
            offset: 0,
            line_start: 0,
            lb: fast::LineNumber::new(opts.family.line_number),
            choices: fast::Choices::new(),
            last_plan: fast::LastPlan::NONE,
            plan_cache: fast::PlanCache::NONE,
            run_keys: [fast::LastPlan::NONE; 2],
            shapes: fast::Shapes::new(),
            blank_lines: 0,
            blank_pending: None,
            queue: [None; QUEUE],
            queue_head: 0,
            queue_len: 0,
            line_mark: 0,
            stopped: false,
            stop_when_drained: false,
            phase: Phase::Running,
            file_date: 0,
            utf8: match opts.encoding {
                Encoding::Auto => None,
                Encoding::Latin1 => Some(false),
                Encoding::Utf8 => Some(true),
            },
            probation: PROBATION_LINES,
            head: [0; HEAD],
            head_len: 0,
            line_end: 0,
        }
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(Options::default())
    }
}

impl Decoder {
    /// A decoder with these options.
    pub fn new(opts: Options) -> Decoder {
        let mut opts = opts;
        opts.amount_scale = opts.amount_scale.min(16);
        Decoder {
            state: State::new(opts),
            carry: Carry::new(),
            b64: Base64Buf::new(),
            bufs: line::Buffers::new(),
            plans: Plans::new(opts.family, opts.amount_scale),
        }
    }

    /// Starts a new stream with the same options, as
    /// `Decoder::new(*decoder.options())` would, but keeps the layouts' compiled
    /// validation plans, the costly part of [`Decoder::new`]. For callers that
    /// decode many small inputs in turn (single events from the
    /// Beskedfordeler, one file after another).
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event, Options};
    ///
    /// let sample = eindkomst_core::testing::SAMPLE;
    /// let mut decoder = Decoder::new(Options::default());
    /// decoder.decode(&sample[..100]); // a stream left half-way
    /// decoder.reset();
    /// let (mut input, mut records) = (sample, 0);
    /// loop {
    ///     let (event, used) = decoder.decode(input);
    ///     input = &input[used..];
    ///     match event {
    ///         Event::Record(_) => records += 1,
    ///         Event::NeedInput => break,
    ///         other => panic!("{other:?}"),
    ///     }
    /// }
    /// while decoder.finish() != Event::End {}
    /// // Line numbers, Lb_nr and counts start again from the first line.
    /// assert_eq!((decoder.counts().lines, decoder.counts().decoded), (records, records));
    /// ```
    pub fn reset(&mut self) {
        self.state = State::new(self.state.opts);
        self.carry = Carry::new();
        self.b64 = Base64Buf::new();
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.state.opts
    }

    /// What has been seen so far.
    pub fn counts(&self) -> &Counts {
        &self.state.counts
    }

    /// Whether strict mode (or a file of another family) stopped the decoder.
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

    /// Whether the fast path may take the next lines of a batch (the state's
    /// `State::fast_ready` and the decoder's own buffers). A clean record changes
    /// none of this, so a batch asks once.
    fn batch_ready(&self) -> bool {
        self.state.phase == Phase::Running
            && !self.state.opts.base64
            && self.state.queue_len == 0
            && !self.carry.busy()
            && self.state.fast_ready()
    }

    /// As [`Decoder::decode`], but hands the records that come before the
    /// next other event to `on_record` instead of returning them one by one:
    /// a batch with no per-record call overhead (the CLI's loop). The event
    /// returned (which may itself be a record) comes after those records.
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event};
    /// let mut dec = Decoder::default();
    /// let mut input = eindkomst_core::testing::SAMPLE;
    /// let mut records = 0;
    /// loop {
    ///     let (event, used) = dec.decode_records(input, |_record| records += 1);
    ///     input = &input[used..];
    ///     match event {
    ///         Event::Record(_) => records += 1,
    ///         Event::NeedInput => break,
    ///         _ => {}
    ///     }
    /// }
    /// while dec.finish() != Event::End {}
    /// assert_eq!(records, 27);
    /// ```
    #[inline(always)]
    pub fn decode_records<'a>(
        &'a mut self,
        input: &'a [u8],
        mut on_record: impl FnMut(Record<'_>),
    ) -> (Event<'a>, usize) {
        let mut used = 0;
        if self.batch_ready() {
            let s = &self.state;
            let mut taking = fast::Taking::new(s.line + 1, s.offset, s.opts.amount_scale);
            let key = s.opts.family.key.range();
            loop {
                taking.run(
                    &mut self.state,
                    &self.plans,
                    input,
                    key.start,
                    // Else a caller's larger `on_record` (the CLI's writers)
                    // stays a call of its own, outside `on_this_cpu`'s build.
                    #[inline(always)]
                    |record| {
                        on_record(record);
                        true
                    },
                );
                let rest = taking.rest(input);
                let Some((plan, clean)) = self.state.precheck_plan(&self.plans, rest, key.clone()) else { break };
                let Some(record) = taking.take(&mut self.state, plan, &clean, input) else { break };
                on_record(record);
            }
            used = taking.end(&mut self.state).1;
        }
        let rest = input.get(used..).unwrap_or(&[]);
        let (event, n) = self.decode(rest);
        (event, used + n)
    }

    /// Completes a line that a [`Prechecker`] found clean (at the start of
    /// `rest`, the bytes it was checked on): the record, and the bytes used,
    /// when the line is clean in this decoder's context too (line number,
    /// grammar, encoding, file date). `None`: feed the line to
    /// [`Decoder::decode`] instead. Either way the events are exactly those
    /// of decoding the stream in one piece.
    pub fn accept<'a>(&mut self, rest: &'a [u8], clean: &Clean) -> Option<(Record<'a>, usize)> {
        let mut record = None;
        let (_, used) = self.accept_run(rest, [Some(*clean)], |_, r| {
            record = Some(r);
            true
        });
        record.map(|r| (r, used))
    }

    /// [`Decoder::accept`] for consecutive prechecked lines (`lines`: what
    /// [`Prechecker::check`] gave for each, `None` for a line it did not
    /// find clean), with no per-line call: hands each record with its index
    /// to `on_record` while the lines are clean in this decoder's context
    /// and `on_record` returns true. Returns the lines accepted and the
    /// bytes they used; the next line, if any, is for [`Decoder::decode`].
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event, Options, Prechecker};
    /// let input = eindkomst_core::testing::SAMPLE;
    /// let line_end = |at: usize| input[at..].iter().position(|&b| b == b'\n').map_or(input.len(), |i| at + i + 1);
    /// // Every line prechecked first (on other threads, in a real program).
    /// let mut pre = Prechecker::new(Options::default(), 20250203);
    /// let (mut lines, mut at) = (Vec::new(), 0);
    /// while at < input.len() {
    ///     lines.push(pre.check(&input[at..]));
    ///     at = line_end(at);
    /// }
    /// let mut dec = Decoder::default();
    /// let (mut i, mut at, mut records, mut accepted) = (0, 0, 0, 0);
    /// while i < lines.len() {
    ///     let (n, used) = dec.accept_run(&input[at..], lines[i..].iter().copied(), |_, _| {
    ///         accepted += 1;
    ///         true
    ///     });
    ///     (i, at) = (i + n, at + used);
    ///     if i == lines.len() {
    ///         break;
    ///     }
    ///     // Line i is not clean here: the ordinary way.
    ///     let mut line = &input[at..line_end(at)];
    ///     while !line.is_empty() {
    ///         let (event, used) = dec.decode(line);
    ///         line = &line[used..];
    ///         match event {
    ///             Event::Record(_) => records += 1,
    ///             Event::NeedInput => break,
    ///             _ => {}
    ///         }
    ///     }
    ///     (i, at) = (i + 1, line_end(at));
    /// }
    /// while dec.finish() != Event::End {}
    /// assert_eq!((accepted, records), (23, 4)); // 27 records, 23 of them accepted in runs
    /// assert!(dec.counts().balanced());
    /// ```
    pub fn accept_run<'a>(
        &mut self,
        rest: &'a [u8],
        lines: impl IntoIterator<Item = Option<Clean>>,
        mut on_record: impl FnMut(usize, Record<'a>) -> bool,
    ) -> (usize, usize) {
        if !self.batch_ready() {
            return (0, 0);
        }
        let s = &self.state;
        let mut taking = fast::Taking::new(s.line + 1, s.offset, s.opts.amount_scale);
        for clean in lines {
            let Some(clean) = clean else { break };
            let Some(plan) = self.plans.at(clean.plan) else { break };
            let Some(record) = taking.take(&mut self.state, plan, &clean, rest) else { break };
            if !on_record(taking.lines - 1, record) {
                break;
            }
        }
        taking.end(&mut self.state)
    }

    /// The file date seen so far (role `file_date`, `YYYYMMDD`; 0 = none yet),
    /// for a [`Prechecker`].
    pub fn file_date(&self) -> u32 {
        self.state.file_date
    }

    /// Ends the stream: frames what is still buffered (Base64 bytes, a last
    /// line without terminator), checks the end record and reports what is
    /// pending. Call until [`Event::End`].
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
                    self.state.phase = if self.state.opts.base64 { Phase::DrainBase64 } else { Phase::LastLine };
                }
                Phase::DrainBase64 => {
                    // Bytes decoded before `finish` was called come first.
                    if self.b64.pos < self.b64.len {
                        if let Some(step) = self.frame_base64() {
                            return step;
                        }
                        continue;
                    }
                    if let Some(e) = self.b64.error.take() {
                        self.state.push(Step::Error(e));
                        continue;
                    }
                    self.state.phase = Phase::Base64Tail;
                    if !self.b64.failed {
                        let mut tail = [0u8; 3];
                        match self.b64.codec.finish(&mut tail) {
                            Ok(n) => {
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
                Phase::Base64Tail => {
                    if self.b64.pos < self.b64.len {
                        if let Some(step) = self.frame_base64() {
                            return step;
                        }
                    } else {
                        self.state.phase = Phase::LastLine;
                    }
                }
                Phase::LastLine => {
                    self.state.phase = Phase::EndChecks;
                    if let Some(step) = frame::last_line(&mut self.state, &mut self.carry, &mut self.bufs, &self.plans)
                    {
                        return step;
                    }
                }
                Phase::EndChecks => {
                    self.state.phase = Phase::Done;
                    self.state.end_checks();
                }
                Phase::Done => return Step::End,
            }
        }
    }

    fn view<'a>(&'a self, step: Step, input: &'a [u8]) -> Event<'a> {
        let bytes = |src: Src, start: usize, len: usize| -> &'a [u8] {
            let buf: &'a [u8] = match src {
                Src::Input => input,
                Src::Carry => &self.carry.buf,
                Src::Base64 => &self.b64.buf,
                Src::Transcoded => &self.bufs.transcoded,
                Src::Canonical => &self.bufs.canonical,
            };
            buf.get(start..start + len).unwrap_or(&[])
        };
        match step {
            Step::Record(m) => Event::Record(Record {
                layout: m.layout,
                bytes: bytes(m.src, m.start, m.len),
                line: m.line,
                lb_nr: m.lb_nr,
                offset: m.offset,
                amount_scale: self.state.opts.amount_scale,
                known_plain: false,
            }),
            Step::Raw(m) => {
                let line = bytes(m.src, m.start, m.len);
                Event::Raw(RawLine {
                    key: line.get(m.key_start..m.key_start + m.key_len).unwrap_or(&[]),
                    bytes: line,
                    line: m.line,
                    lb_nr: m.lb_nr,
                    offset: m.offset,
                })
            }
            Step::Rejected(e, _) => Event::Rejected(e),
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
        frame::frame(&mut self.state, &mut self.carry, &mut self.bufs, &self.plans, input, Src::Input, 0)
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
                if let Some(step) = self.frame_base64() {
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
            // The bad character is consumed with its error: else a caller that
            // stops feeding here hears of a byte it never handed over.
            used += read + usize::from(error.is_some());
            self.b64.pos = 0;
            self.b64.len = written;
            if let Some(e) = error {
                self.b64.failed = true;
                self.b64.error = Some(e);
            }
        }
    }

    /// Frames the unread Base64-decoded bytes; `None` when they are used up.
    fn frame_base64(&mut self) -> Option<Step> {
        let (pos, len) = (self.b64.pos, self.b64.len);
        let bytes = &self.b64.buf[pos..len];
        let (step, used) =
            frame::frame(&mut self.state, &mut self.carry, &mut self.bufs, &self.plans, bytes, Src::Base64, pos);
        self.b64.pos += used;
        (step != Step::NeedInput).then_some(step)
    }
}

/// Checks one value against a field of a layout, by the rules the decoder
/// applies to that field in a line (digits, dates, codes, mandatory, sign),
/// so a caller can check a single CPR or SE-nr without writing a record.
/// A numeric value must fill its field exactly; a text value may be shorter
/// (it is blank-padded, as in a record). A value of an identifying field
/// (the record's identity roles in its family) must identify on its own:
/// blank or all zeros is `no_identity`. `Ok(Some(kind))` is a warning;
/// `Err((kind, at))` gives the position of the problem in `value`.
///
/// ```
/// use eindkomst_core::{check_field, layout::{Role, EMPLOYER}, ErrorKind, Options};
/// let person = EMPLOYER.get(6000).unwrap();
/// let cpr = person.field_with(Role::Cpr).unwrap();
/// let opts = Options::default();
/// assert_eq!(check_field(person, cpr, b"6101901234", &opts), Ok(None));
/// assert_eq!(check_field(person, cpr, b"61019O1234", &opts), Err((ErrorKind::NotDigit, 5)));
/// assert_eq!(check_field(person, cpr, b"610190123", &opts), Err((ErrorKind::WrongLength { expected: 10, found: 9 }, 9)));
/// assert_eq!(check_field(person, cpr, b"0000000000", &opts), Err((ErrorKind::NoIdentity, 0)));
/// ```
pub fn check_field(
    layout: &crate::layout::RecordLayout,
    f: &crate::layout::FieldDesc,
    value: &[u8],
    opts: &Options,
) -> Result<Option<ErrorKind>, (ErrorKind, usize)> {
    let len = f.len as usize;
    if value.len() > len {
        return Err((ErrorKind::FieldTooLong { limit: f.len }, len));
    }
    if f.ty == crate::layout::FieldType::Numeric && value.len() != len {
        return Err((ErrorKind::WrongLength { expected: f.len, found: value.len() as u32 }, value.len()));
    }
    let mut padded = [b' '; MAX_LINE];
    padded[..value.len()].copy_from_slice(value);
    let v = &padded[..len];
    let verdict = line::check_value(f, v, false, false, opts.amount_scale, opts.unknown_codes_reject)?;
    let identifying = opts.family.placement(layout.rec_nr).is_some_and(|p| p.identity.contains(&f.role));
    if identifying && !crate::field::given(v) {
        return Err((ErrorKind::NoIdentity, 0));
    }
    Ok(verdict)
}

/// The context-free half of the fast path, for decoding one file on
/// several threads with output identical to one decoder: each thread
/// prechecks the lines of its chunk ([`Prechecker::check`]), and one
/// [`Decoder`] completes them in file order ([`Decoder::accept`]), decoding
/// whatever was not clean (or is not in its context) the ordinary way.
///
/// ```
/// use eindkomst_core::{Decoder, Event, Options, Prechecker};
/// let input = eindkomst_core::testing::SAMPLE;
/// let mut pre = Prechecker::new(Options::default(), 20250203); // file date from the 1000
/// let mut dec = Decoder::default();
/// let (mut at, mut records) = (0, 0);
/// while at < input.len() {
///     let rest = &input[at..];
///     if let Some((_record, used)) = pre.check(rest).and_then(|c| dec.accept(rest, &c)) {
///         records += 1;
///         at += used;
///         continue;
///     }
///     // Not clean here: this one line the ordinary way.
///     let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
///     let mut line = &rest[..end];
///     loop {
///         let (event, used) = dec.decode(line);
///         line = &line[used..];
///         match event {
///             Event::Record(_) => records += 1,
///             Event::NeedInput => break,
///             _ => {}
///         }
///     }
///     at += end;
/// }
/// while dec.finish() != Event::End {}
/// assert_eq!(records, 27);
/// assert!(dec.counts().balanced());
/// ```
#[derive(Clone, Debug)]
pub struct Prechecker {
    state: State,
    plans: Plans,
    /// The options allow no fast path (Base64, a separated family).
    off: bool,
    /// The speculative run going on ([`Prechecker::assume`]), and the
    /// counts it starts from.
    run: Option<stitch::Run>,
    fresh: Counts,
}

impl Prechecker {
    /// A prechecker for lines decoded with `opts`, in a file whose file date
    /// (role `file_date`, `YYYYMMDD`) is `file_date` (0 if none yet).
    pub fn new(opts: Options, file_date: u32) -> Prechecker {
        let mut dec = Decoder::new(opts);
        dec.state.file_date = file_date;
        let off = opts.base64 || opts.family.separator.is_some();
        Prechecker { fresh: dec.state.counts, state: dec.state, plans: dec.plans, off, run: None }
    }

    /// The context-free checks of the line at the start of `rest` (it must
    /// hold the whole line and its terminator): `Some` when it is clean.
    /// Inlined into the caller's loop, as the decoder's own batch loop is.
    #[inline(always)]
    pub fn check(&mut self, rest: &[u8]) -> Option<Clean> {
        if self.off {
            return None;
        }
        self.state.precheck(&self.plans, rest)
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

    /// Puts `step` at queue position `at`, before what was pushed after it.
    /// A line's own step (record, raw line, rejection) is never dropped: in
    /// a full queue the last finding gives way to it (counted in
    /// `suppressed`); lines held while the family is decided take at most
    /// [`HOLD_LIMIT`] places, so there always is one.
    fn insert(&mut self, at: usize, step: Step) {
        if self.queue_len == QUEUE {
            let finding = (0..self.queue_len).rev().find(|&i| {
                matches!(self.queue[(self.queue_head + i) % QUEUE], Some(Step::Warning(_) | Step::Error(_)))
            });
            match finding {
                Some(i) if matches!(step, Step::Record(_) | Step::Raw(_) | Step::Rejected(..)) => {
                    for j in i..self.queue_len - 1 {
                        self.queue[(self.queue_head + j) % QUEUE] = self.queue[(self.queue_head + j + 1) % QUEUE];
                    }
                    self.queue_len -= 1;
                    self.queue[(self.queue_head + self.queue_len) % QUEUE] = None;
                    self.counts.suppressed += 1;
                }
                _ => {
                    self.counts.suppressed += 1;
                    return;
                }
            }
        }
        let at = at.min(self.queue_len);
        let mut i = self.queue_len;
        while i > at {
            self.queue[(self.queue_head + i) % QUEUE] = self.queue[(self.queue_head + i - 1) % QUEUE];
            i -= 1;
        }
        self.queue[(self.queue_head + at) % QUEUE] = Some(step);
        self.queue_len += 1;
    }

    fn pop(&mut self) -> Option<Step> {
        if self.queue_len == 0 || self.probation > 0 {
            if self.queue_len == 0 && self.stop_when_drained {
                self.stopped = true;
            }
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
        if self.opts.strict && matches!(step, Some(Step::Error(_) | Step::Rejected(..))) {
            self.stop();
        }
        step
    }

    /// Strict mode: nothing after the first error. The lines waiting in the
    /// queue are not reported, so they are not counted either.
    fn stop(&mut self) {
        self.stopped = true;
        while self.queue_len > 0 {
            let step = self.queue[self.queue_head].take();
            self.queue_head = (self.queue_head + 1) % QUEUE;
            self.queue_len -= 1;
            if let Some(step) = step {
                self.uncount(&step);
            }
        }
    }

    /// Takes back the counting of a line's step that will never be
    /// reported (findings are counted when they are reported, so they need
    /// nothing): the counts stay exactly what the caller was told.
    fn uncount(&mut self, step: &Step) {
        match *step {
            Step::Record(m) => {
                self.counts.lines -= 1;
                self.counts.decoded -= 1;
                if let Some(t) = self.type_slot(m.layout.rec_nr) {
                    t.decoded -= 1;
                }
            }
            Step::Raw(_) => {
                self.counts.lines -= 1;
                self.counts.raw -= 1;
            }
            Step::Rejected(e, rec) => {
                self.counts.lines -= 1;
                self.counts.rejected -= 1;
                match rec.and_then(|r| self.type_slot(r)) {
                    Some(t) => t.rejected -= 1,
                    None => self.counts.rejected_untyped -= 1,
                }
                if e.kind == ErrorKind::BlankLine {
                    self.blank_lines -= 1;
                }
            }
            Step::Error(_) | Step::Warning(_) | Step::NeedInput | Step::End => {}
        }
    }

    fn consume(&mut self, n: usize) {
        self.offset += n as u64;
        self.counts.bytes += n as u64;
    }

    /// Keeps the stream's first bytes, for [`crate::detect`]: `bytes` start
    /// at stream offset `at`; only those not kept yet are added.
    fn keep_head(&mut self, bytes: &[u8], at: u64) {
        let Some(skip) = (self.head_len as u64).checked_sub(at) else { return };
        let new = bytes.get(skip as usize..).unwrap_or(&[]);
        let n = new.len().min(HEAD - self.head_len);
        self.head[self.head_len..self.head_len + n].copy_from_slice(&new[..n]);
        self.head_len += n;
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

    /// What the end of the stream says: no records, no end record, or a
    /// file that was never in this family.
    fn end_checks(&mut self) {
        // One blank line at the very end is the file's last line break: ignored.
        self.blank_pending = None;
        if self.probation > 0 {
            self.decide_family();
        }
        let at = Error {
            kind: ErrorKind::EmptyInput,
            line: self.line,
            lb_nr: None,
            record: None,
            field: None,
            offset: self.offset,
        };
        if self.stop_when_drained {
            return;
        }
        if self.counts.lines == 0 {
            self.push(Step::Error(at));
        } else if self.opts.family.last.is_some() && !self.grammar.ended {
            self.push(Step::Error(Error { kind: ErrorKind::MissingEndRecord, ..at }));
        }
    }

    /// After [`PROBATION_LINES`] lines (or the end) without one decoded
    /// record: is the file in this family at all? If not, its lines are not
    /// reported one by one; one `wrong_family` finding says what it is.
    fn decide_family(&mut self) {
        self.probation = 0;
        // Only blank lines (or nothing) so far: nothing to tell.
        if self.counts.decoded > 0 || self.counts.lines == self.blank_lines {
            return;
        }
        // Only the bytes of the lines read so far: what was seen beyond them
        // depends on how the input was cut into chunks.
        // The line being delivered counts too (its bytes are not consumed yet).
        let seen = (self.head_len as u64).min(self.offset.max(self.line_end)) as usize;
        let kind = crate::detect::detect(&self.head[..seen], self.opts.family);
        if kind == crate::detect::FileKind::ThisFamily {
            return;
        }
        let e = Error {
            kind: ErrorKind::WrongFamily { detected: kind },
            line: 0,
            lb_nr: None,
            record: None,
            field: None,
            offset: 0,
        };
        if self.opts.unknown == Unknown::Raw
            && matches!(
                kind,
                crate::detect::FileKind::Separated { .. }
                    | crate::detect::FileKind::OtherText
                    | crate::detect::FileKind::Employer
            )
        {
            // The caller wants every line kept: say what the file is, then pass it on.
            self.insert(0, Step::Error(e));
            return;
        }
        // The held lines' steps give way to the one finding (and are not
        // counted: what was reported before, e.g. leading blank lines, is);
        // a Base64 error does not: it is about the transport, and often why
        // the bytes are not in the family.
        let queued = core::mem::replace(&mut self.queue_len, 0);
        for i in 0..queued {
            let Some(step) = self.queue[(self.queue_head + i) % QUEUE].take() else { continue };
            self.uncount(&step);
            if let Step::Error(err) = step {
                if matches!(
                    err.kind,
                    ErrorKind::InvalidBase64 { .. } | ErrorKind::Base64Padding | ErrorKind::Base64Truncated
                ) {
                    self.push(Step::Error(err));
                }
            }
        }
        self.push(Step::Error(e));
        self.stop_when_drained = true;
    }
}
