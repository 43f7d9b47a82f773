//! Speculation and stitching: a line decoded on another thread before the
//! lines in front of it are.
//!
//! A worker that prechecks a chunk of a file does not know the context at
//! the chunk's start. At an *anchor* line (a container record whose parent
//! chain is one line of types up to a top-level type, such as 6000 under
//! 5000 under 2001) it assumes the context the record needs: those records
//! open, not rejected, the Lb_nr the line carries expected, the file date
//! and encoding as it was told. From there it runs the fast path's
//! contextual half ([`Prechecker::accept`]) until a line is not clean in
//! that context; [`Prechecker::speculation`] says what the run assumed and
//! where it ended. The thread in order decodes up to the anchor line
//! itself, and [`Decoder::stitch`] takes the whole run at once when the
//! true context is the one assumed, in O(1) per run; when it is not,
//! nothing changes and the lines are decoded the ordinary way. Nothing is
//! guessed: what the run read of its context is compared exactly, and what
//! it could not know (the values and child counts of the assumed records)
//! it refuses to read.

use super::grammar::Grammar;
use super::{fast, Clean, Counts, Decoder, Prechecker, State};
use crate::layout::Chain;
use crate::Record;

/// What a speculative run assumed at its anchor line, and the state it
/// reached: handed from the worker to [`Decoder::stitch`].
#[derive(Clone, Debug)]
pub struct Speculation {
    /// The records assumed open under the anchor, outermost first.
    chain: Chain,
    /// The Lb_nr assumed next (the anchor line's own), the file date and
    /// the encoding assumed (`None`: undecided, so no line with high bytes
    /// was taken).
    lb_nr: u32,
    file_date: u32,
    utf8: Option<bool>,
    /// The state at the run's end; counts, line and offset from zero.
    grammar: Grammar,
    lb: fast::LineNumber,
    counts: Counts,
    line_start: u64,
    /// Lines the run accepted, from the anchor on.
    lines: usize,
    /// Bytes they used, terminators included.
    bytes: usize,
}

impl Speculation {
    /// Lines accepted, from the anchor line on.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// Bytes of those lines, terminators included.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Counts {
    /// Adds what another count saw (a run counted from zero).
    fn add(&mut self, o: &Counts) {
        self.lines += o.lines;
        self.decoded += o.decoded;
        self.rejected += o.rejected;
        self.raw += o.raw;
        self.warnings += o.warnings;
        self.errors += o.errors;
        self.suppressed += o.suppressed;
        self.bytes += o.bytes;
        self.rejected_untyped += o.rejected_untyped;
        for (t, u) in self.by_type.iter_mut().zip(&o.by_type) {
            t.decoded += u.decoded;
            t.rejected += u.rejected;
        }
    }
}

impl Prechecker {
    /// Starts a speculative run at the line at the start of `rest`, which
    /// [`Prechecker::check`] found `clean`, assuming the encoding `utf8`
    /// (what the decoder in order has decided so far, [`Decoder::utf8`]; a
    /// wrong guess costs only speed). False when the line's record type is
    /// no anchor or its Lb_nr cannot be read. The run ends where the next
    /// one starts.
    pub fn assume(&mut self, rest: &[u8], clean: &Clean, utf8: Option<bool>) -> bool {
        let fam = self.state.opts.family;
        let Some(chain) = self.plans.at(clean.plan).and_then(|p| p.fast.anchor) else { return false };
        let lb_nr = match fam.line_number {
            Some(_) => match clean.record(rest, 0, 0, 0).lb_nr() {
                0 => return false,
                n => n,
            },
            None => self.state.lb.number(),
        };
        let s = &mut self.state;
        s.grammar = Grammar::assume(fam, chain.types());
        s.lb.set(lb_nr);
        s.counts = self.fresh;
        (s.line, s.offset, s.line_start) = (0, 0, 0);
        s.utf8 = utf8;
        self.run = Some(Run { chain, lb_nr, utf8, lines: 0, bytes: 0 });
        true
    }

    /// Accepts the line at the start of `rest`, which
    /// [`Prechecker::check`] found `clean`, in the context of the run
    /// started by [`Prechecker::assume`]: false when it is not clean there
    /// (or no run is going on); the run then ends before it.
    #[inline(always)]
    pub fn accept(&mut self, rest: &[u8], clean: &Clean) -> bool {
        let Some(run) = self.run.as_mut() else { return false };
        match self.state.commit(&self.plans, clean, rest, super::Src::Input, 0) {
            Some((_, used)) => {
                self.state.consume(used);
                run.lines += 1;
                run.bytes += used;
                true
            }
            None => false,
        }
    }

    /// [`Prechecker::check`] and [`Prechecker::accept`] in one step (one
    /// pass, as the decoder's own fast path): the record of the line at
    /// the start of `rest`, its physical line number `line` and stream
    /// offset `offset` given, and the bytes it used. `None`: the line is
    /// not clean in the run's context (or no run is going on); the run ends
    /// before it, and the line is for [`Prechecker::check`].
    #[inline(always)]
    pub fn check_accept<'a>(&mut self, rest: &'a [u8], line: u64, offset: u64) -> Option<(Record<'a>, usize)> {
        let mut record = None;
        let (_, used) = self.check_accept_lines(rest, line, offset, |r| {
            record = Some(r);
            false
        });
        record.map(|r| (r, used))
    }

    /// [`Prechecker::check_accept`] for the lines from the start of `rest`
    /// on, with no call per line and the lines counted once at the end:
    /// hands each record to `on_record` (`line` and `offset` are the first
    /// one's) while the lines are clean in the run's context and
    /// `on_record` returns true. Returns the lines taken and the bytes
    /// they used; the line after them, if any, is not clean in the run's
    /// context (or no run is going on), unless `on_record` stopped first.
    #[inline(always)]
    pub fn check_accept_lines<'a>(
        &mut self,
        rest: &'a [u8],
        line: u64,
        offset: u64,
        mut on_record: impl FnMut(Record<'a>) -> bool,
    ) -> (usize, usize) {
        let Some(run) = self.run.as_mut() else { return (0, 0) };
        let s = &mut self.state;
        let mut taking = fast::Taking::new(line, offset, s.opts.amount_scale);
        let key = s.opts.family.key.range();
        loop {
            // A closure, not `&mut on_record`: that one's call stayed a call
            // of its own, outside `on_this_cpu`'s wider build.
            #[allow(clippy::redundant_closure)]
            let go_on = taking.run(
                s,
                &self.plans,
                rest,
                key.start,
                #[inline(always)]
                |r| on_record(r),
            );
            if !go_on {
                break;
            }
            let here = taking.rest(rest);
            let Some((plan, clean)) = s.precheck_plan(&self.plans, here, key.clone()) else { break };
            let Some(record) = taking.take(s, plan, &clean, rest) else { break };
            if !on_record(record) {
                break;
            }
        }
        let (n, used) = taking.end(s);
        run.lines += n;
        run.bytes += used;
        (n, used)
    }

    /// The run started by [`Prechecker::assume`] so far (`None`: none, or
    /// it accepted no line), for [`Decoder::stitch`]; the next `assume`
    /// starts another.
    pub fn speculation(&self) -> Option<Speculation> {
        let run = self.run.filter(|r| r.lines > 0)?;
        let s = &self.state;
        Some(Speculation {
            chain: run.chain,
            lb_nr: run.lb_nr,
            file_date: s.file_date,
            utf8: run.utf8,
            grammar: s.grammar,
            lb: s.lb,
            counts: s.counts,
            line_start: s.line_start,
            lines: run.lines,
            bytes: run.bytes,
        })
    }
}

/// A speculative run going on in a [`Prechecker`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Run {
    chain: Chain,
    lb_nr: u32,
    utf8: Option<bool>,
    lines: usize,
    bytes: usize,
}

impl Decoder {
    /// Takes a speculative run ([`Speculation`]) whose anchor line is the
    /// next line of the stream, when this decoder's context is the one the
    /// run assumed: its lines count as decoded, exactly as decoding them
    /// one by one would (the same records, none reported), and the state
    /// is the run's end. False (nothing changed): decode them the ordinary
    /// way, or [`Decoder::accept_run`] them.
    ///
    /// ```
    /// use eindkomst_core::{Decoder, Event, Options, Prechecker};
    /// let input = eindkomst_core::testing::SAMPLE;
    /// let at = |i: usize| input.split_inclusive(|&b| b == b'\n').take(i).map(<[u8]>::len).sum::<usize>();
    /// // A worker: from line 9 (a 6000 record) on, in a context it assumed.
    /// let mut pre = Prechecker::new(Options::default(), 20250203);
    /// let mut i = 8;
    /// while let Some(clean) = pre.check(&input[at(i)..]) {
    ///     if i == 8 {
    ///         assert!(pre.assume(&input[at(i)..], &clean, None), "an anchor");
    ///     }
    ///     if !pre.accept(&input[at(i)..], &clean) {
    ///         break;
    ///     }
    ///     i += 1;
    /// }
    /// let run = pre.speculation().unwrap();
    /// // In order: eight lines the ordinary way, the run at once, the rest.
    /// let mut dec = Decoder::default();
    /// let mut records = 0;
    /// for part in [&input[..at(8)], &input[at(8) + run.bytes()..]] {
    ///     let mut part = part;
    ///     loop {
    ///         let (event, used) = dec.decode(part);
    ///         part = &part[used..];
    ///         match event {
    ///             Event::Record(_) => records += 1,
    ///             Event::NeedInput => break,
    ///             other => panic!("{other:?}"),
    ///         }
    ///     }
    ///     if records == 8 {
    ///         assert!(dec.stitch(&run));
    ///     }
    /// }
    /// while dec.finish() != Event::End {}
    /// assert_eq!(records + run.lines(), 27);
    /// assert_eq!(dec.counts().decoded, 27);
    /// assert!(dec.counts().balanced());
    /// ```
    pub fn stitch(&mut self, run: &Speculation) -> bool {
        self.batch_ready() && self.state.stitch(run)
    }

    /// The encoding decided so far (`None`: undecided, or none yet):
    /// `Some(true)` UTF-8, `Some(false)` ISO-8859-1. For
    /// [`Prechecker::assume`].
    pub fn utf8(&self) -> Option<bool> {
        self.state.utf8
    }
}

impl State {
    fn stitch(&mut self, run: &Speculation) -> bool {
        let lb_ok = !self.lb.present() || self.lb.number() == run.lb_nr;
        let utf8_ok = run.utf8.is_none() || run.utf8 == self.utf8;
        if !(lb_ok && utf8_ok && self.file_date == run.file_date) {
            return false;
        }
        if !self.grammar.stitch(run.chain.types(), &run.grammar) {
            return false;
        }
        self.lb = run.lb;
        self.line += run.lines as u64;
        self.line_start = self.offset + run.line_start;
        self.offset += run.bytes as u64;
        self.counts.add(&run.counts);
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::{Decoder, Event, Options, Prechecker};

    /// Decodes `lines` the ordinary way.
    fn feed(dec: &mut Decoder, mut lines: &[u8]) {
        loop {
            let (ev, used) = dec.decode(lines);
            lines = &lines[used..];
            if matches!(ev, Event::NeedInput) {
                break;
            }
        }
    }

    #[test]
    fn a_run_is_taken_in_its_context_only() {
        let input = crate::testing::SAMPLE;
        let at = |i: usize| input.split_inclusive(|&b| b == b'\n').take(i).map(<[u8]>::len).sum::<usize>();
        // From line 9 (6000, Lb_nr 9, under 2001 and 5000) to the 6102 (line 18, counted: not clean).
        let mut pre = Prechecker::new(Options::default(), 20250203);
        let clean = pre.check(&input[at(8)..]).unwrap();
        assert!(pre.assume(&input[at(8)..], &clean, Some(false)) && pre.accept(&input[at(8)..], &clean));
        for i in 9..17 {
            let (r, used) = pre.check_accept(&input[at(i)..], i as u64 + 1, at(i) as u64).unwrap();
            assert_eq!(
                (r.line(), r.lb_nr(), r.offset(), used),
                (i as u64 + 1, i as u32 + 1, at(i) as u64, at(i + 1) - at(i))
            );
        }
        assert!(pre.check_accept(&input[at(17)..], 18, at(17) as u64).is_none());
        let run = pre.speculation().unwrap();
        assert_eq!((run.lines(), run.bytes()), (9, at(17) - at(8)));

        // Lines 1 to 7 only: no 5000 open, another Lb_nr next. Refused, nothing changed.
        let mut dec = Decoder::default();
        feed(&mut dec, &input[..at(7)]);
        let before = *dec.counts();
        assert!(!dec.stitch(&run));
        assert_eq!(*dec.counts(), before);
        // Line 8 too: taken, and the rest decodes as in one piece.
        feed(&mut dec, &input[at(7)..at(8)]);
        assert!(dec.stitch(&run));
        feed(&mut dec, &input[at(17)..]);
        while dec.finish() != Event::End {}
        let mut whole = Decoder::default();
        feed(&mut whole, input);
        while whole.finish() != Event::End {}
        assert_eq!(dec.counts(), whole.counts());
        assert_eq!(dec.counts().decoded, 27);
        // Taken once only: the context has moved on.
        assert!(!dec.stitch(&run));
    }

    /// The run's lines at once give what they give one by one: the same
    /// records, lines and bytes taken, and a run the decoder stitches to
    /// the same end; a stop asked by the caller ends the batch there.
    #[test]
    fn lines_at_once_are_lines_one_by_one() {
        let input = crate::testing::SAMPLE;
        let at = |i: usize| input.split_inclusive(|&b| b == b'\n').take(i).map(<[u8]>::len).sum::<usize>();
        let start = || {
            let mut pre = Prechecker::new(Options::default(), 20250203);
            let clean = pre.check(&input[at(8)..]).unwrap();
            assert!(pre.assume(&input[at(8)..], &clean, Some(false)) && pre.accept(&input[at(8)..], &clean));
            pre
        };
        let own = |r: crate::Record<'_>| (r.line(), r.lb_nr(), r.offset(), r.record_type(), r.bytes().to_vec());
        let (mut one, mut one_by_one) = (start(), std::vec::Vec::new());
        let mut i = 9;
        while let Some((r, _)) = one.check_accept(&input[at(i)..], i as u64 + 1, at(i) as u64) {
            one_by_one.push(own(r));
            i += 1;
        }
        let (mut batch, mut at_once) = (start(), std::vec::Vec::new());
        let (n, used) = batch.check_accept_lines(&input[at(9)..], 10, at(9) as u64, |r| {
            at_once.push(own(r));
            true
        });
        assert_eq!((n, used), (8, at(17) - at(9)));
        assert_eq!(at_once, one_by_one);
        // The same end state: both runs stitch, and leave the decoder alike.
        let stitched = |pre: &Prechecker| {
            let mut dec = Decoder::default();
            feed(&mut dec, &input[..at(8)]);
            assert!(dec.stitch(&pre.speculation().unwrap()));
            feed(&mut dec, &input[at(17)..]);
            while dec.finish() != Event::End {}
            *dec.counts()
        };
        assert_eq!(stitched(&batch), stitched(&one));
        // Stopped after three: three taken, the run three lines longer.
        let mut stopped = start();
        let mut seen = 0;
        let (n, used) = stopped.check_accept_lines(&input[at(9)..], 10, at(9) as u64, |_| {
            seen += 1;
            seen < 3
        });
        assert_eq!((n, used, stopped.speculation().unwrap().lines()), (3, at(12) - at(9), 4));
    }
}
