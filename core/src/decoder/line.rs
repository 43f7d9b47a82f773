//! One line against its family: encoding, record key and line number, the
//! layout (variant, separated fields, optional or trimmed tail), the grammar,
//! every field, and the rules that span records.
//!
//! Positions inside this module are positions in the line; they become
//! stream offsets (mapped back through transcoding and separated fields) only
//! when a finding is made.

use super::encoding::{self, char_to_byte, looks_utf8};
use super::grammar::Parent;
use super::{Meta, RawMeta, Src, State, Step, Unknown, MAX_LINE};
use crate::error::{Error, ErrorKind, FieldRef};
use crate::field::{self, given};
use crate::layout::{Condition, FieldDesc, FieldType, Format, Mandatory, RecordLayout, Role};
use crate::plan::{Bulk, Plan, Plans};

/// Most fields of a separated record.
const MAX_FIELDS: usize = 64;

/// Line buffers for lines that are not read where they stand.
#[derive(Clone, Debug)]
pub(super) struct Buffers {
    /// A UTF-8 line transcoded to ISO-8859-1.
    pub transcoded: [u8; MAX_LINE],
    /// A padded line, or the fixed-width form of a separated line.
    pub canonical: [u8; MAX_LINE],
    /// Where each field of a separated line stands: (start, length).
    spans: [(u16, u16); MAX_FIELDS],
}

impl Buffers {
    pub fn new() -> Buffers {
        Buffers { transcoded: [0; MAX_LINE], canonical: [0; MAX_LINE], spans: [(0, 0); MAX_FIELDS] }
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

/// The bytes of field `index` of a separated line, with their start.
fn nth_field(text: &[u8], sep: u8, index: usize) -> Option<(usize, &[u8])> {
    let mut start = 0;
    for (i, part) in text.split(|&b| b == sep).enumerate() {
        if i == index {
            return Some((start, part));
        }
        start += part.len() + 1;
    }
    None
}

/// How positions in the line read map back to the bytes received.
struct LineMap<'a> {
    /// The line as received (after CR and BOM).
    raw: &'a [u8],
    /// The line was transcoded from UTF-8.
    utf8: bool,
    /// A separated line: the field spans and the layout it was read with.
    fields: Option<(&'a [(u16, u16)], &'static RecordLayout)>,
}

impl LineMap<'_> {
    /// The byte position in the received line of position `pos` in the
    /// line as read (canonical for separated lines).
    fn raw_pos(&self, pos: usize) -> usize {
        let pos = match self.fields {
            Some((spans, layout)) => {
                let i = layout.fields.iter().position(|f| f.range().contains(&pos)).unwrap_or(layout.fields.len());
                match (layout.fields.get(i), spans.get(i)) {
                    (Some(f), Some(&(start, len))) => {
                        let inner = pos - f.start as usize;
                        let pad = (f.len - len) as usize;
                        let inner =
                            if f.ty == FieldType::Numeric && len > 0 { inner.saturating_sub(pad) } else { inner };
                        start as usize + inner.min(len as usize)
                    }
                    _ => spans.iter().map(|&(s, l)| (s + l) as usize).max().unwrap_or(0),
                }
            }
            None => pos,
        };
        if self.utf8 {
            char_to_byte(self.raw, pos)
        } else {
            pos
        }
    }
}

impl State {
    /// Decodes one complete line. `at` is where the line starts in its source.
    pub(super) fn line(
        &mut self,
        plans: &Plans,
        bufs: &mut Buffers,
        raw: &[u8],
        src: Src,
        at: usize,
        newline: bool,
    ) -> Option<Step> {
        self.line += 1;
        self.line_mark = self.queue_len;
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
                let at0 =
                    Error { kind: ErrorKind::Utf8Bom, line: 1, lb_nr: None, record: None, field: None, offset: 0 };
                // The byte order mark alone does not make a file UTF-8 (it is
                // still decided by its first non-ASCII line); unless the caller
                // said UTF-8, it is reported.
                if self.utf8 != Some(true) {
                    self.push(Step::Error(at0));
                }
                line = rest;
                at += 3;
                offset += 3;
                if line.is_empty() {
                    self.line -= 1;
                    return super::frame::blank(self);
                }
            }
        }
        if line.len() > MAX_LINE {
            self.line -= 1;
            return Some(super::frame::reject_too_long(self));
        }
        let from = self.queue_len;
        let step = self.decode_line(plans, bufs, line, src, at, newline);
        Some(self.offsets_in_stream(step, offset, from))
    }

    /// Turns the line positions of this line's findings (queued from `from`
    /// on) into stream offsets.
    fn offsets_in_stream(&mut self, step: Step, line_offset: u64, from: usize) -> Step {
        let fix = |e: Error| Error { offset: line_offset + e.offset, ..e };
        for i in from..self.queue_len {
            let slot = &mut self.queue[(self.queue_head + i) % super::QUEUE];
            *slot = match *slot {
                Some(Step::Warning(e)) => Some(Step::Warning(fix(e))),
                Some(Step::Error(e)) => Some(Step::Error(fix(e))),
                Some(Step::Rejected(e, rec)) => Some(Step::Rejected(fix(e), rec)),
                other => other,
            };
        }
        match step {
            Step::Rejected(e, rec) => Step::Rejected(fix(e), rec),
            Step::Record(m) => Step::Record(Meta { offset: line_offset, ..m }),
            Step::Raw(m) => Step::Raw(RawMeta { offset: line_offset, ..m }),
            other => other,
        }
    }

    /// Reads the line; findings carry positions in the line (see
    /// [`State::offsets_in_stream`]).
    fn decode_line(
        &mut self,
        plans: &Plans,
        bufs: &mut Buffers,
        raw: &[u8],
        src: Src,
        at: usize,
        newline: bool,
    ) -> Step {
        let fam = self.opts.family;
        let Buffers { transcoded, canonical, spans } = bufs;

        // Characters: a UTF-8 line is read in its ISO-8859-1 form.
        let (mut text, mut text_src, mut text_at, mut utf8) = (raw, src, at, false);
        let mut bad_char = None;
        if self.utf8 != Some(false) && encoding::has_high(raw) {
            if self.utf8.is_none() {
                let decided = self.utf8_file(plans, raw);
                self.utf8 = Some(decided);
                if decided {
                    let kind = ErrorKind::Utf8Encoded { transcoded: true };
                    let e = Error { kind, line: self.line, lb_nr: None, record: None, field: None, offset: 0 };
                    self.push(Step::Warning(e));
                }
            }
            if self.utf8 == Some(true) {
                match encoding::transcode(raw, transcoded) {
                    Ok(n) => {
                        text = &transcoded[..n];
                        (text_src, text_at, utf8) = (Src::Transcoded, 0, true);
                    }
                    // Rejected below, once its key and line number are read.
                    Err(bad) => bad_char = Some(bad),
                }
            }
        }
        let mut map = LineMap { raw, utf8, fields: None };
        let sep = fam.separator;

        // Record key and line number.
        let (key_range, lb_range) = match sep {
            Some(sep) => {
                let key = nth_field(text, sep, 0).map_or(0..0, |(s, b)| s..s + b.len());
                let lb = fam.line_number.map(|n| {
                    nth_field(text, sep, n.start as usize).map_or(text.len()..text.len(), |(s, b)| s..s + b.len())
                });
                (key, lb)
            }
            None => (fam.key.range(), fam.line_number.map(|n| n.range())),
        };
        let key_bytes = text.get(key_range.clone());
        let key_digits = |b: &[u8]| b.len() <= fam.key.len as usize && !b.is_empty();
        let rec =
            key_bytes.filter(|b| key_digits(b)).and_then(field::parse_short_number).and_then(|n| u16::try_from(n).ok());
        let lb_nr = lb_range.clone().and_then(|r| text.get(r)).and_then(field::parse_short_number);
        let mut lb_finding = None;
        if fam.line_number.is_some() {
            // Line numbers run 1, 2, 3, ... over every line, decoded or not.
            let expected = self.lb.number();
            self.lb.set(lb_nr.map_or(expected, |n| n).wrapping_add(1));
            lb_finding = match lb_nr {
                Some(n) if n > expected => Some(ErrorKind::LbNrGap { expected, found: n }),
                Some(n) if n < expected => Some(ErrorKind::LbNrRepeat { expected, found: n }),
                _ => None,
            };
        }
        let err = Error { kind: ErrorKind::EmptyInput, line: self.line, lb_nr, record: rec, field: None, offset: 0 };
        let plan = rec.and_then(|r| self.choose(plans, r, text));
        let known = plan.map(|p| p.layout.rec_nr);
        if let Some((kind, i)) = bad_char {
            return self.reject_with(Error { kind, offset: i as u64, ..err }, known, lb_finding);
        }

        // Bytes: ISO-8859-1 printable only. A line of its layout's length
        // gets the printable and the digit check in one pass.
        let mut bulk = None;
        let bad_byte = match plan {
            Some(p) if sep.is_none() && text.len() == p.layout.length as usize => {
                let (ok, digits) = p.scan(text);
                bulk = Some(digits);
                (!ok).then(|| text.iter().position(|&b| !printable(b)).unwrap_or(0))
            }
            _ => text.iter().position(|&b| !printable(b)),
        };
        if let Some(i) = bad_byte {
            let b = text[i];
            let pair = i > 0 && matches!((text[i - 1], b), (0xC2 | 0xC3, 0x80..=0xBF));
            let kind = match b {
                b'\r' => ErrorKind::BareCarriageReturn,
                _ if pair => ErrorKind::Utf8Encoded { transcoded: false },
                _ => ErrorKind::ByteOutsideCharset { byte: b },
            };
            let field = plan.and_then(|p| match sep {
                Some(s) => p.layout.fields.get(text[..i].iter().filter(|&&c| c == s).count()),
                None => p.layout.fields.iter().find(|f| f.range().contains(&i)),
            });
            let e = Error { kind, field: field.map(field_ref), offset: map.raw_pos(i) as u64, ..err };
            return self.reject_with(e, known, lb_finding);
        }

        // Enough of a line to hold its key and line number.
        let needed = key_range.end.max(lb_range.clone().map_or(0, |r| r.end));
        if sep.is_none() && text.len() < needed {
            let kind = if newline { ErrorKind::LineTooShort } else { ErrorKind::TruncatedLastLine };
            return self.reject_with(Error { kind, ..err }, None, lb_finding);
        }
        if rec.is_none() && self.opts.unknown == Unknown::Raw {
            return self.pass_raw(text, text_src, text_at, key_range, lb_nr, err);
        }
        let digits_error = |role: Role, range: core::ops::Range<usize>| {
            let bytes = text.get(range.clone()).unwrap_or(&[]);
            let bad = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len());
            let field = fam.records.first().and_then(|l| l.field_with(role));
            Error {
                kind: ErrorKind::NotDigit,
                field: field.map(field_ref),
                offset: map.raw_pos(range.start + bad) as u64,
                ..err
            }
        };
        if let (Some(range), None) = (lb_range.clone(), lb_nr) {
            return self.reject_with(digits_error(Role::LineNumber, range), None, lb_finding);
        }
        let Some(rec_nr) = rec else {
            let mut e = digits_error(Role::RecordKey, key_range.clone());
            if key_bytes.is_some_and(|b| !b.is_empty() && b.iter().all(u8::is_ascii_digit)) {
                e = Error { kind: ErrorKind::UnknownRecordType, offset: map.raw_pos(key_range.start) as u64, ..e };
            }
            return self.reject_with(e, None, lb_finding);
        };
        let Some(plan) = plan else {
            if self.opts.unknown == Unknown::Raw {
                return self.pass_raw(text, text_src, text_at, key_range, lb_nr, err);
            }
            let field = fam.records.first().and_then(|l| l.field_with(Role::RecordKey));
            let e = Error {
                kind: ErrorKind::UnknownRecordType,
                field: field.map(field_ref),
                offset: map.raw_pos(key_range.start) as u64,
                ..err
            };
            return self.reject_with(e, None, lb_finding);
        };
        let layout = plan.layout;

        // The line in its layout's fixed width.
        let (line, line_src, line_at): (&[u8], Src, usize) = if let Some(s) = sep {
            match separated(text, s, layout, canonical, spans) {
                Ok(()) => {
                    map.fields = Some((&spans[..layout.fields.len().min(MAX_FIELDS)], layout));
                    (&canonical[..layout.length as usize], Src::Canonical, 0)
                }
                Err((kind, pos, field)) => {
                    let f = field.and_then(|i| layout.fields.get(i)).map(field_ref);
                    let e = Error { kind, field: f, offset: map.raw_pos(pos) as u64, ..err };
                    return self.reject_with(e, Some(rec_nr), lb_finding);
                }
            }
        } else if text.len() == layout.length as usize {
            (text, text_src, text_at)
        } else {
            let len = text.len();
            let whole = layout.whole_at(len);
            let trimmed =
                !whole && newline && fam.pad_trimmed && len < layout.length as usize && paddable(layout, len, text);
            if whole || trimmed {
                canonical[..len].copy_from_slice(text);
                canonical[len..layout.length as usize].fill(b' ');
                if trimmed {
                    let first_cut = layout.fields.iter().find(|f| f.range().end > len);
                    let kind = ErrorKind::TrailingBlanksTrimmed;
                    self.push(Step::Warning(Error {
                        kind,
                        field: first_cut.map(field_ref),
                        offset: map.raw_pos(len) as u64,
                        ..err
                    }));
                }
                (&canonical[..layout.length as usize], Src::Canonical, 0)
            } else {
                let kind = if !newline && len < layout.length as usize {
                    ErrorKind::TruncatedLastLine
                } else if !utf8 && looks_utf8(text) {
                    ErrorKind::Utf8Encoded { transcoded: false }
                } else {
                    ErrorKind::WrongLength { expected: layout.length, found: len as u32 }
                };
                let pos = len.min(layout.length as usize);
                let e = Error { kind, offset: map.raw_pos(pos) as u64, ..err };
                return self.reject_with(e, Some(rec_nr), lb_finding);
            }
        };

        // Place in the grammar.
        if fam.first.is_some_and(|first| first != rec_nr)
            && !self.grammar.started
            && !self.grammar.missing_start_reported
        {
            self.grammar.missing_start_reported = true;
            self.grammar.start_without_first();
            self.push(Step::Error(Error { kind: ErrorKind::MissingStartRecord, ..err }));
        }
        let parent = match self.grammar.check(fam, rec_nr) {
            Ok(p) => p,
            Err(kind) => return self.reject_with(Error { kind, ..err }, Some(rec_nr), lb_finding),
        };

        // Fields: the first error rejects the line; warnings wait in the queue.
        let mark = self.queue_len;
        let bulk = match bulk {
            Some(b) if line_src != Src::Canonical => b,
            _ => plan.scan(line).1,
        };
        let checked = match bulk {
            Bulk::Digits => {
                self.check_fields(layout, line, &err, &map, plan.checks().iter().map(|&i| i as usize), true)
            }
            Bulk::CheckAll => match plan.slow() {
                Some(slow) => self.check_fields(layout, line, &err, &map, slow.iter().map(|&i| i as usize), false),
                None => self.check_fields(layout, line, &err, &map, 0..layout.fields.len(), false),
            },
        };
        let checked = checked.and_then(|()| self.check_rules(plan, line, parent, &err, &map));
        if let Err(e) = checked {
            self.queue_len = mark; // warnings of a rejected line are moot
            return self.reject_with(e, Some(rec_nr), lb_finding);
        }
        if let Some(kind) = lb_finding {
            self.push(Step::Error(Error { kind, ..err }));
        }
        let value = match self.match_role() {
            Role::None => &[][..],
            role => plan.role(role).and_then(|f| line.get(f.range())).filter(|v| given(v)).unwrap_or(&[]),
        };
        self.grammar.update(fam, rec_nr, false, value);
        if self.file_date == 0 {
            if let Some(d) = plan.role(Role::FileDate).and_then(|f| line.get(f.range())).and_then(field::parse_date) {
                self.file_date = d.yyyymmdd();
            }
        }
        self.counts.lines += 1;
        self.counts.decoded += 1;
        if let Some(t) = self.counts.by_type.get_mut(plan.slot as usize) {
            t.decoded += 1;
        }
        let (start, len) = (line_at, line.len());
        Step::Record(Meta { layout, src: line_src, start, len, line: self.line, lb_nr: lb_nr.unwrap_or(0), offset: 0 })
    }

    /// The family's `matches_parent` role (one per family).
    fn match_role(&self) -> Role {
        self.opts.family.grammar.iter().map(|p| p.matches_parent).find(|r| *r != Role::None).unwrap_or(Role::None)
    }

    /// Auto encoding, at the first line with non-ASCII bytes: is the file
    /// UTF-8? Only when the line is valid UTF-8 and its bytes do not fit its
    /// layout's length.
    fn utf8_file(&self, plans: &Plans, raw: &[u8]) -> bool {
        if core::str::from_utf8(raw).is_err() {
            return false;
        }
        let fam = self.opts.family;
        if fam.separator.is_some() {
            return true;
        }
        // A line whose bytes fit its layout exactly is ISO-8859-1, even when
        // some of its bytes happen to form UTF-8 ("Ã©").
        let key = raw.get(fam.key.range()).and_then(field::parse_short_number);
        !key.is_some_and(|k| plans.all(k as u16).any(|p| p.layout.whole_at(raw.len())))
    }

    /// Which layout of `rec` reads `text`: a forced one, else the only one
    /// whose length fits, else the family's variant rules.
    pub(super) fn choose<'p>(&self, plans: &'p Plans, rec: u16, text: &[u8]) -> Option<&'p Plan> {
        self.choose_why(plans, rec, text).map(|(p, _)| p)
    }

    /// [`State::choose`], and whether the choice read the line's content
    /// (else it holds for every line of this type and length while the file
    /// date stays the same).
    pub(super) fn choose_why<'p>(&self, plans: &'p Plans, rec: u16, text: &[u8]) -> Option<(&'p Plan, bool)> {
        let current = plans.get(rec)?;
        if let Some(l) = self.opts.forced_layout(rec) {
            return Some((plans.of(l).unwrap_or(current), false));
        }
        if !current.has_variants {
            return Some((current, false));
        }
        let fam = self.opts.family;
        let fields = fam.separator.map(|s| text.iter().filter(|&&b| b == s).count() + 1);
        let fits = |p: &Plan| match fields {
            Some(n) => n == p.layout.fields.len() || p.layout.fields.get(n).is_some_and(|f| f.tail),
            None => p.layout.whole_at(text.len()),
        };
        let (cands, rules) = plans.choices(current);
        let (mut fitting, mut only) = (0, None);
        for p in cands {
            if fits(p) {
                fitting += 1;
                only = Some(p);
            }
        }
        if let (1, Some(p)) = (fitting, only) {
            return Some((p, fields.is_some()));
        }
        let pool = |p: &Plan| fitting == 0 || fits(p);
        let mut content = fields.is_some();
        for rule in rules.iter().filter_map(|&r| fam.variant_rules.get(r as usize)) {
            let Some(p) = plans.choices(current).0.find(|p| p.layout.variant == rule.variant && pool(p)) else {
                continue;
            };
            content |= matches!(rule.when, Condition::Blank(_) | Condition::NotBlank(_));
            if self.holds(rule.when, text, p) {
                return Some((p, content));
            }
        }
        if pool(current) {
            Some((current, content))
        } else {
            plans.choices(current).0.find(|p| pool(p)).map(|p| (p, content))
        }
    }

    /// Whether a variant rule's condition holds for `text` read with `plan`.
    fn holds(&self, cond: Condition, text: &[u8], plan: &Plan) -> bool {
        let bytes = |span: crate::layout::Span| -> &[u8] {
            match self.opts.family.separator {
                Some(s) => {
                    let i = plan.layout.fields.iter().position(|f| f.start == span.start);
                    i.and_then(|i| nth_field(text, s, i)).map_or(&[], |(_, b)| b)
                }
                None => text
                    .get(span.start as usize..(span.start + span.len) as usize)
                    .unwrap_or(&text[text.len().min(span.start as usize)..]),
            }
        };
        match cond {
            Condition::Always => true,
            Condition::FileDateFrom(d) => self.file_date != 0 && self.file_date >= d,
            Condition::FileDateBefore(d) => self.file_date != 0 && self.file_date < d,
            Condition::Blank(span) => field::is_blank(bytes(span)),
            Condition::NotBlank(span) => !field::is_blank(bytes(span)),
        }
    }

    /// A line with an unknown key, passed through as it stands.
    fn pass_raw(
        &mut self,
        text: &[u8],
        src: Src,
        at: usize,
        key: core::ops::Range<usize>,
        lb_nr: Option<u32>,
        err: Error,
    ) -> Step {
        self.counts.lines += 1;
        self.counts.raw += 1;
        self.push(Step::Warning(Error { kind: ErrorKind::PassedRaw, ..err }));
        let key_len = key.end.min(text.len()).saturating_sub(key.start);
        Step::Raw(RawMeta {
            src,
            start: at,
            len: text.len(),
            // In the line (its view is `bytes[start..start + len]`), not
            // in the buffer the line sits in.
            key_start: key.start.min(text.len()),
            key_len,
            line: self.line,
            lb_nr,
            offset: 0,
        })
    }

    /// Rejects the line (with a line-number finding after it, if any).
    fn reject_with(&mut self, e: Error, rec: Option<u16>, lb_finding: Option<ErrorKind>) -> Step {
        if let Some(kind) = lb_finding {
            self.push(Step::Error(Error { kind, field: None, offset: 0, ..e }));
        }
        self.reject(e, rec)
    }

    fn reject(&mut self, e: Error, rec: Option<u16>) -> Step {
        self.count_rejected(rec);
        match rec {
            Some(r) => self.grammar.update(self.opts.family, r, true, &[]),
            None => self.grammar.untyped(),
        }
        Step::Rejected(e, rec)
    }

    fn warn(&mut self, kind: ErrorKind, f: &FieldDesc, ctx: &Error, map: &LineMap<'_>) {
        let offset = map.raw_pos(f.start as usize) as u64;
        self.push(Step::Warning(Error { kind, field: Some(field_ref(f)), offset, ..*ctx }));
    }

    /// Checks the fields `which` of `line`. With `digits_known`, the bulk
    /// check has proven every numeric byte a digit (so no numeric field is blank).
    fn check_fields(
        &mut self,
        layout: &RecordLayout,
        line: &[u8],
        ctx: &Error,
        map: &LineMap<'_>,
        which: impl Iterator<Item = usize>,
        digits_known: bool,
    ) -> Result<(), Error> {
        let fields = layout.fields;
        let (scale, strict_codes) = (self.opts.amount_scale, self.opts.unknown_codes_reject);
        for i in which {
            let Some(f) = fields.get(i) else { continue };
            if matches!(f.role, Role::RecordKey | Role::LineNumber) {
                continue;
            }
            let v = line.get(f.range()).unwrap_or(&[]);
            let prev_blank = i
                .checked_sub(1)
                .and_then(|p| fields.get(p))
                .is_some_and(|p| field::is_blank(line.get(p.range()).unwrap_or(&[])));
            match check_value(f, v, prev_blank, digits_known, scale, strict_codes) {
                Ok(None) => {}
                Ok(Some(warning)) => self.warn(warning, f, ctx, map),
                Err((kind, at)) => {
                    let offset = map.raw_pos(f.start as usize + at) as u64;
                    return Err(Error { kind, field: Some(field_ref(f)), offset, ..*ctx });
                }
            }
        }
        Ok(())
    }

    /// Rules that span fields or records, from the family's grammar and the
    /// fields' roles: identity, children per parent, values that must match
    /// the parent's, the trailer count.
    fn check_rules(
        &mut self,
        plan: &Plan,
        line: &[u8],
        parent: Parent,
        ctx: &Error,
        map: &LineMap<'_>,
    ) -> Result<(), Error> {
        let fam = self.opts.family;
        let layout = plan.layout;
        let rec = layout.rec_nr;
        let at =
            |f: &FieldDesc| Error { field: Some(field_ref(f)), offset: map.raw_pos(f.start as usize) as u64, ..*ctx };
        let first_data = layout.fields.iter().find(|f| !matches!(f.role, Role::RecordKey | Role::LineNumber));
        if let Some(p) = fam.placement(rec) {
            if !p.identity.is_empty() {
                let mut fields = p.identity.iter().filter_map(|r| plan.role(*r)).peekable();
                let first = fields.peek().copied();
                if !fields.any(|f| line.get(f.range()).is_some_and(given)) {
                    let f = first.or(first_data);
                    return Err(Error { kind: ErrorKind::NoIdentity, ..f.map_or(*ctx, at) });
                }
            }
            if let Parent::At(i) = parent {
                if p.max > 0 && self.grammar.count_child(i, rec) == p.max + 1 {
                    if let Some(f) = first_data {
                        self.warn(ErrorKind::TooManyRecords { max: p.max }, f, ctx, map);
                    }
                }
                if p.matches_parent != Role::None {
                    let mine = plan.role(p.matches_parent).map(|f| (f, line.get(f.range()).unwrap_or(&[])));
                    let theirs = self.grammar.value_at(i);
                    if let Some((f, v)) = mine {
                        if given(v) && !theirs.is_empty() && v != theirs {
                            self.warn(ErrorKind::CountryMismatch, f, ctx, map);
                        }
                    }
                }
            }
        }
        if let (Some(t), Some(f)) = (fam.trailer.filter(|t| t.rec_nr == rec), plan.role(Role::TrailerCount)) {
            // Records so far, this trailer included; blank lines are not records.
            let counted = (self.counts.lines - self.blank_lines + 1) as u32;
            let stated = line.get(f.range()).and_then(field::parse_number).unwrap_or(0) as u32;
            // N+1 is TaxCardBuilder's reading only if no line went missing
            // (the trailer's own line number agrees with what was seen).
            let numbered_ok = fam.line_number.is_none() || ctx.lb_nr == Some(counted);
            if t.plus_one_warns && stated == counted.wrapping_add(1) && numbered_ok {
                self.push(Step::Warning(Error { kind: ErrorKind::ControlCountPlusOne, ..at(f) }));
            } else if stated != counted {
                self.push(Step::Error(Error { kind: ErrorKind::ControlCount { counted, stated }, ..at(f) }));
            }
        }
        Ok(())
    }
}

/// Whether the part of `layout` from byte `len` on may have been blanks
/// trimmed in transit: no number, sign or structural field is cut or
/// missing, and a field missing entirely may be blank. A mandatory text
/// field cut inside its value keeps its value (only its padding went).
fn paddable(layout: &RecordLayout, len: usize, line: &[u8]) -> bool {
    layout.fields.iter().filter(|f| f.range().end > len).all(|f| {
        let text = f.ty == FieldType::Alpha && f.format != Format::Sign && !f.tail;
        let structural = matches!(f.role, Role::RecordKey | Role::LineNumber);
        let present = line.get(f.start as usize..len).is_some_and(|v| !field::is_blank(v));
        text && !structural && (f.mandatory != Mandatory::Yes || present)
    })
}

/// The fixed-width form of a separated line, in `out`: numbers right-aligned
/// and zero-filled, text left-aligned and blank-filled, absent fields blank.
/// `spans` gets where each field stood. Errors: kind, position, field index.
fn separated(
    text: &[u8],
    sep: u8,
    layout: &RecordLayout,
    out: &mut [u8; MAX_LINE],
    spans: &mut [(u16, u16); MAX_FIELDS],
) -> Result<(), (ErrorKind, usize, Option<usize>)> {
    let n = text.iter().filter(|&&b| b == sep).count() + 1;
    let count_ok = n == layout.fields.len() || layout.fields.get(n).is_some_and(|f| f.tail);
    if !count_ok || layout.fields.len() > MAX_FIELDS {
        let pos = nth_field(text, sep, layout.fields.len()).map_or(text.len(), |(s, _)| s.saturating_sub(1));
        let kind = ErrorKind::WrongFieldCount { expected: layout.fields.len() as u16, found: n as u32 };
        return Err((kind, pos, None));
    }
    let mut parts = text.split(|&b| b == sep);
    let mut start = 0usize;
    for (i, f) in layout.fields.iter().enumerate() {
        let part = parts.next();
        let value = part.unwrap_or(&[]);
        let slot = &mut out[f.range()];
        if value.len() > slot.len() {
            return Err((ErrorKind::FieldTooLong { limit: f.len }, start + f.len as usize, Some(i)));
        }
        slot.fill(b' ');
        if f.ty == FieldType::Numeric && !value.is_empty() {
            let pad = slot.len() - value.len();
            slot[..pad].fill(b'0');
            slot[pad..].copy_from_slice(value);
        } else {
            slot[..value.len()].copy_from_slice(value);
        }
        spans[i] = (start as u16, value.len() as u16);
        if part.is_some() {
            start += value.len() + 1;
        }
    }
    Ok(())
}

/// What the bytes `v` of field `f` say: nothing, a warning, or why they are
/// rejected (with the position in the field). `prev_blank`: the field before
/// is blank (a sign may then be blank too); `digits_known`: a bulk check has
/// proven every byte of a numeric field a digit.
pub(crate) fn check_value(
    f: &FieldDesc,
    v: &[u8],
    prev_blank: bool,
    digits_known: bool,
    amount_scale: u8,
    unknown_codes_reject: bool,
) -> Result<Option<ErrorKind>, (ErrorKind, usize)> {
    let numeric = f.ty == FieldType::Numeric;
    match f.format {
        Format::Filler => return Ok(None),
        Format::Sign => {
            return match v {
                b"+" | b"-" => Ok(None),
                // A sign is needed exactly when its value is given.
                b" " if f.mandatory != Mandatory::Yes && prev_blank => Ok(None),
                _ => Err((ErrorKind::InvalidSign, 0)),
            };
        }
        _ => {}
    }
    if !(digits_known && numeric) && field::is_blank(v) {
        return match f.mandatory {
            Mandatory::Yes => Err((ErrorKind::MissingMandatory, 0)),
            Mandatory::ThirdParty => Ok(Some(ErrorKind::MissingField)),
            _ => Ok(None),
        };
    }
    if numeric && !digits_known {
        if let Some(bad) = v.iter().position(|b| !b.is_ascii_digit()) {
            return Err((ErrorKind::NotDigit, bad));
        }
    }
    let zero = || v.iter().all(|&b| b == b'0');
    let mut warning = None;
    match f.format {
        Format::Date if field::parse_date(v).is_none() && !(f.mandatory != Mandatory::Yes && zero()) => {
            return Err((ErrorKind::InvalidDate, 0))
        }
        Format::Time if field::parse_time(v).is_none() => return Err((ErrorKind::InvalidTime, 0)),
        Format::Amount if amount_scale > 2 => {
            let sub_ore = v.len().saturating_sub(amount_scale as usize - 2);
            if v[sub_ore..].iter().any(|&b| b != b'0') {
                warning = Some(ErrorKind::SubOrePrecision);
            }
        }
        _ => {}
    }
    if let Some(set) = f.values {
        if !set.contains(v) {
            if numeric && !set.closed && f.mandatory != Mandatory::Yes && zero() {
                return Ok(warning); // zero-filled optional code: "not given"
            }
            if set.closed || unknown_codes_reject {
                return Err((ErrorKind::InvalidCode, 0));
            }
            warning = Some(ErrorKind::UnknownCode);
        }
    }
    Ok(warning)
}
