//! Framing: lines out of chunks. A line split across chunks is completed in
//! the carry buffer; blank lines are held back (one at the very end is the
//! file's last line break); while the decoder has not yet seen a decoded
//! record, findings are held back too, so a file of another family ends in
//! one finding rather than one per line.

use super::line::Buffers;
use super::{State, Step, MAX_LINE};
use crate::base64::Base64;
use crate::error::{Error, ErrorKind};
use crate::plan::Plans;

/// A line being completed across chunks.
#[derive(Clone, Debug)]
pub(super) struct Carry {
    pub buf: [u8; MAX_LINE + 1],
    pub len: usize,
    /// The line outgrew the buffer: the rest is skipped, only its length counted.
    pub overflow: bool,
}

impl Carry {
    pub fn new() -> Carry {
        Carry { buf: [0; MAX_LINE + 1], len: 0, overflow: false }
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.overflow || self.len + bytes.len() > self.buf.len() {
            self.overflow = true;
            self.len += bytes.len();
            return;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    pub fn busy(&self) -> bool {
        self.len > 0 || self.overflow
    }
}

/// Bytes decoded from Base64 and not yet framed into lines.
#[derive(Clone, Debug)]
pub(super) struct Base64Buf {
    pub codec: Base64,
    pub buf: [u8; 3072],
    pub pos: usize,
    pub len: usize,
    pub failed: bool,
    /// A Base64 error waits until the bytes decoded before it are framed,
    /// so it never overtakes the lines that precede it.
    pub error: Option<Error>,
}

impl Base64Buf {
    pub fn new() -> Base64Buf {
        Base64Buf { codec: Base64::new(), buf: [0; 3072], pos: 0, len: 0, failed: false, error: None }
    }
}

/// Takes the next line from `bytes` (completing a carried line first).
/// `base` is where `bytes` starts within its source buffer.
pub(super) fn frame(
    state: &mut State,
    carry: &mut Carry,
    bufs: &mut Buffers,
    plans: &Plans,
    bytes: &[u8],
    src: super::Src,
    base: usize,
) -> (Step, usize) {
    let mut used = 0;
    loop {
        let rest = &bytes[used..];
        if rest.is_empty() {
            return (Step::NeedInput, used);
        }
        if !carry.busy() && state.fast_ready() {
            if let Some((meta, n)) = state.fast(plans, rest, src, base + used) {
                state.consume(n);
                return (Step::Record(meta), used + n);
            }
        }
        if state.head_len < super::HEAD {
            state.keep_head(rest, state.offset);
        }
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            // No line end yet: keep the bytes for the next chunk.
            if !carry.busy() {
                state.line_start = state.offset;
            }
            carry.append(rest);
            state.consume(rest.len());
            return (Step::NeedInput, used + rest.len());
        };
        let line = &rest[..nl];
        let continuing = carry.busy();
        // A CRLF blank line may arrive split: its CR carried, its LF here.
        let carried_cr = continuing && !carry.overflow && carry.buf[..carry.len] == *b"\r" && line.is_empty();
        let blank = carried_cr || (!continuing && (line.is_empty() || line == b"\r"));
        if !blank {
            if let Some(step) = take_blank(state) {
                // The held-back blank line is a real one because this line
                // follows it. The evidence is consumed with the rejection
                // (carried, as a line split across chunks; its line end comes
                // next call): else a caller that stops here would hear of a
                // blank line its consumed bytes end with.
                if !carry.busy() {
                    state.line_start = state.offset;
                }
                carry.append(line);
                state.consume(line.len());
                return (step, used + line.len());
            }
        }
        // Set only for a line read now: the line carried above is not, and
        // its line end is not consumed (the family decision must not see it).
        state.line_end = state.offset + nl as u64 + 1;
        let step = if carried_cr {
            carry.len = 0;
            self::blank(state)
        } else if continuing {
            carry.append(line);
            let len = carry.len;
            let step = if carry.overflow {
                Some(reject_too_long(state))
            } else if let Some(meta) = fast_carried(state, plans, carry) {
                Some(Step::Record(meta))
            } else {
                state.line(plans, bufs, &carry.buf[..len], super::Src::Carry, 0, true)
            };
            carry.len = 0;
            carry.overflow = false;
            step.and_then(|s| deliver(state, s, bufs, &carry.buf))
        } else {
            state.line_start = state.offset;
            if blank {
                self::blank(state)
            } else if line.len() > MAX_LINE + 1 {
                let s = reject_too_long(state);
                deliver(state, s, bufs, &[])
            } else {
                let source = if src == super::Src::Input { bytes } else { &[][..] };
                state.line(plans, bufs, line, src, base + used, true).and_then(|s| deliver(state, s, bufs, source))
            }
        };
        state.consume(nl + 1);
        used += nl + 1;
        if let Some(step) = step {
            return (step, used);
        }
    }
}

/// A line completed in `carry` (a line split across chunks: one per
/// chunk), on the fast path when it is clean: its line end is put back
/// after it, where the fast path frames it.
fn fast_carried(state: &mut State, plans: &Plans, carry: &mut Carry) -> Option<super::Meta> {
    let len = carry.len;
    *carry.buf.get_mut(len)? = b'\n';
    state.fast_carried(plans, &carry.buf[..=len])
}

/// `finish`: the last line, when it has no terminator.
pub(super) fn last_line(state: &mut State, carry: &mut Carry, bufs: &mut Buffers, plans: &Plans) -> Option<Step> {
    if !carry.busy() {
        return None;
    }
    if let Some(step) = take_blank(state) {
        // A blank line before the last line: report it, then come back.
        state.phase = super::Phase::LastLine;
        return Some(step);
    }
    let len = carry.len;
    let step = if carry.overflow {
        Some(reject_too_long(state))
    } else {
        state.line(plans, bufs, &carry.buf[..len], super::Src::Carry, 0, false)
    };
    carry.len = 0;
    carry.overflow = false;
    step.and_then(|s| deliver(state, s, bufs, &carry.buf))
}

/// Hands a line's main step on, or holds it while the decoder is still
/// seeing whether the file is in its family. `source` is the buffer a
/// record or raw line in the caller's input or the carry buffer lives in
/// (it is copied before it waits in the queue).
fn deliver(state: &mut State, step: Step, bufs: &mut Buffers, source: &[u8]) -> Option<Step> {
    if state.probation == 0 {
        if state.opts.strict && matches!(step, Step::Rejected(..)) {
            state.stop();
        }
        return Some(step);
    }
    let mark = state.line_mark.min(state.queue_len);
    // This line's own findings, queued after `mark`.
    let own = state.queue_len - mark;
    match step {
        Step::Record(_) | Step::Raw(_) => {
            if matches!(step, Step::Raw(_)) {
                // A raw line is passed on whatever the file is; say now what it is.
                state.decide_family();
                if state.stop_when_drained {
                    // Not reported: not counted.
                    state.uncount(&step);
                    return state.pop();
                }
            }
            state.probation = 0;
            if state.queue_len == own {
                return Some(step);
            }
            // Findings of earlier lines wait in the queue: the line joins them.
            let step = hold_bytes(step, bufs, source);
            state.insert(state.queue_len - own, step);
            state.pop()
        }
        other => {
            state.insert(mark, other);
            state.probation -= 1;
            if state.queue_len >= super::HOLD_LIMIT {
                return release(state);
            }
            if state.probation == 0 {
                state.probation = 1;
                state.decide_family();
                return state.pop();
            }
            None
        }
    }
}

/// The held lines fill the queue (a run of blank lines, which do not count
/// towards the decision): the decoder stops holding and reports them one by
/// one, as in a file of its family with damaged first lines. Deciding on the
/// bytes read so far instead would take a bad first line and blank lines for
/// a file of another family and drop the valid lines after them.
fn release(state: &mut State) -> Option<Step> {
    state.probation = 0;
    state.pop()
}

/// A record or raw line whose bytes would not outlive this call, with its
/// bytes copied to the canonical buffer.
fn hold_bytes(step: Step, bufs: &mut Buffers, source: &[u8]) -> Step {
    let (src, start, len) = match step {
        Step::Record(m) => (m.src, m.start, m.len),
        Step::Raw(m) => (m.src, m.start, m.len),
        other => return other,
    };
    if !matches!(src, super::Src::Input | super::Src::Carry) {
        return step;
    }
    let bytes = source.get(start..start + len).unwrap_or(&[]);
    bufs.canonical[..bytes.len()].copy_from_slice(bytes);
    match step {
        Step::Record(m) => Step::Record(super::Meta { src: super::Src::Canonical, start: 0, ..m }),
        Step::Raw(m) => Step::Raw(super::RawMeta { src: super::Src::Canonical, start: 0, ..m }),
        other => other,
    }
}

pub(super) fn reject_too_long(state: &mut State) -> Step {
    state.line += 1;
    state.line_mark = state.queue_len;
    state.count_rejected(None);
    state.lb.step();
    state.grammar.untyped();
    Step::Rejected(
        Error {
            kind: ErrorKind::LineTooLong { limit: MAX_LINE as u32 },
            line: state.line,
            lb_nr: None,
            record: None,
            field: None,
            offset: state.line_start,
        },
        None,
    )
}

/// A blank line is held back: it is an error unless it is the last line.
/// Returns the rejection of the blank line before it, if there was one
/// (two in a row: the first is surely not the final one).
pub(super) fn blank(state: &mut State) -> Option<Step> {
    state.line += 1;
    let before = take_blank(state);
    state.blank_pending = Some((state.line, state.line_start));
    before
}

/// Reports the held-back blank line, now that another line follows it.
fn take_blank(state: &mut State) -> Option<Step> {
    let (line, offset) = state.blank_pending.take()?;
    state.blank_lines += 1;
    state.count_rejected(None);
    let e = Error { kind: ErrorKind::BlankLine, line, lb_nr: None, record: None, field: None, offset };
    if state.probation > 0 && state.queue_len > 0 {
        // Lines are held while the decoder sees whether the file is in its
        // family: the blank line waits behind them (it does not count towards
        // the decision).
        state.insert(state.queue_len, Step::Rejected(e, None));
        if state.queue_len >= super::HOLD_LIMIT {
            return release(state);
        }
        return None;
    }
    if state.opts.strict {
        state.stop();
    }
    Some(Step::Rejected(e, None))
}
