//! `--jobs N`: one file decoded on N threads with output, counts and
//! finding order identical to one thread.
//!
//! How: each thread in want of work reads the file's next chunk, cut at
//! a line end (`Source`), and runs the context-free half of the fast
//! path on every line of it ([`Prechecker`]: framing, byte classes,
//! fields) and the command's per-record work for the lines that passed
//! ([`Pre`]: format a record, add to the thread's tally). From each *anchor* line on (a record whose
//! parents are one chain of types, employer: 2001, 5000, 6000) a worker
//! also runs the lines in the context that record needs, assumed
//! ([`Speculation`]: those records open, the Lb_nr the line carries next,
//! the encoding this thread has decided so far), until a line is not
//! clean there. This thread then walks the chunks in file order with the
//! one [`Decoder`]: it decodes the lines before each anchor itself
//! ([`Decoder::accept_run`] for prechecked ones, [`Decoder::decode`] for
//! the rest) and takes a whole run at once when the true context is the
//! assumed one ([`Decoder::stitch`], O(1) per run), handing its output
//! over in one piece. Nothing is guessed: a run whose context differs is
//! prechecked again and decoded here line by line, a line the workers
//! passed but its context refuses is taken back ([`Sink::undo`]) and
//! decoded in order, and what the workers did for lines past a stop
//! (`--strict`) is taken back too. The threads' tallies are merged once,
//! at the end.
//!
//! Memory: at most `2 × jobs` chunks of [`CHUNK`] bytes (with their
//! output) read and not yet done in order (`Slots`), and as many spare
//! buffers kept for reuse (`Spares`, the warmest first).

use crate::input::{Progress, Stdout};
use eindkomst_core::{Clean, Counts, Decoder, Event, Options, Prechecker, Record, Speculation};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// Bytes per chunk (`EINDKOMST_CHUNK` sets another size, for tests that
/// want many chunk boundaries). 1 MiB: a chunk's output (`decode`: about
/// three times its size) is still in the cache when this thread copies it
/// out; with 4 MiB, `decode --raw --jobs 2` spent half again as much CPU
/// as one thread (2026-12-02).
pub const CHUNK: usize = 1 << 20;

fn chunk_size() -> usize {
    std::env::var("EINDKOMST_CHUNK").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(CHUNK)
}

/// The command's per-record work that runs on the worker threads.
pub trait Pre: Sync {
    /// What a thread gathers from the clean records it prechecks (a
    /// tally): one per thread, not per chunk, so that merging costs once
    /// per thread at the end, not once per chunk on the thread in order.
    type Acc: Send + Default;

    /// Whether [`Pre::pre`] does anything: when not, the workers only
    /// precheck (no record is built) and the source does not count lines.
    const WORK: bool = true;

    /// Whether [`Pre::pre`] reads a record's line number: when not, the
    /// source does not count lines (a pass over every byte) and the
    /// records `pre` sees carry no true line number.
    const LINE_NUMBERS: bool = true;

    /// Output bytes for a clean record into `out`, figures into `acc`.
    fn pre(&self, r: &Record<'_>, out: &mut Text, acc: &mut Self::Acc);
}

/// A chunk's output: bytes written after the text there is, into room
/// zeroed once, when the buffer grew (a `Vec` grown per record zero-fills
/// each time; `decode --raw` writes its records in place). Reads as the
/// text written.
#[derive(Default)]
pub struct Text {
    buf: Vec<u8>,
    len: usize,
}

impl Text {
    /// At least `n` bytes to write into, after the text.
    pub fn room(&mut self, n: usize) -> &mut [u8] {
        if self.buf.len() < self.len + n {
            // In steps of 256 KiB: the buffers are kept from chunk to chunk,
            // and every byte zeroed stays resident (doubling cost a quarter
            // more memory in `decode --raw --jobs 2`).
            self.buf.resize((self.len + n).next_multiple_of(1 << 18), 0);
        }
        self.buf.get_mut(self.len..).unwrap_or_default()
    }

    /// The first `n` bytes of the [`Text::room`] are text now.
    pub fn wrote(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        if let Some(room) = self.room(bytes.len()).get_mut(..bytes.len()) {
            room.copy_from_slice(bytes);
        }
        self.wrote(bytes.len());
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

impl std::ops::Deref for Text {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// The command's work in file order.
pub trait Sink<A> {
    /// A run of prechecked records the decoder accepted, with what
    /// [`Pre::pre`] wrote for them, one after the other: handed over at
    /// once (a call and a copy per record were most of this thread's work
    /// in `decode --jobs`).
    fn accepted(&mut self, out: &[u8]) -> io::Result<()>;

    /// A record [`Pre::pre`] saw that the decoder did not accept as it stood
    /// (it comes again as an event, or is rejected): take back what `pre`
    /// added to some thread's tally (tallies add up in any order).
    fn undo(&mut self, r: &Record<'_>);

    /// Any other event: records of the ordinary path, findings.
    fn event(&mut self, e: Event<'_>) -> io::Result<()>;

    /// A record of a batch on one thread ([`crate::input::for_each`]): as
    /// an event, unless the command has a shorter way (a record moved
    /// into an event and out again was a twentieth of `decode --raw`).
    #[inline(always)]
    fn record(&mut self, r: &Record<'_>) -> io::Result<()> {
        self.event(Event::Record(*r))
    }

    /// A thread's tally, once the file is done.
    fn merge(&mut self, acc: A);
}

/// The number of threads `--jobs 0` means: every core.
pub fn every_core() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A chunk as the source cut it and a thread prechecked it.
struct Chunk {
    data: Vec<u8>,
    first_line: u64,
    offset: u64,
    /// Per line: its precheck (`None` also inside a speculative run, after
    /// its anchor), and the end of its output in `out`.
    lines: Lines,
    out: Text,
    /// Speculative runs, in line order; each starts at or after the end of
    /// the one before.
    runs: Vec<Run>,
}

/// A speculative run of a worker ([`Speculation`]) from its anchor line on.
struct Run {
    /// The anchor line's index in the chunk and its byte offset.
    line: usize,
    at: usize,
    speculation: Speculation,
}

/// A chunk's buffers, given back by this thread to the [`Source`] once the
/// chunk is done: a new buffer per chunk cost page faults and their
/// clearing in the kernel, a fifth of the CPU time of `validate --jobs 2`.
struct Buffers {
    data: Vec<u8>,
    lines: Lines,
    out: Text,
    runs: Vec<Run>,
}

/// A chunk's lines: per line, its precheck and the end of its output. Eight
/// bytes a line, the prechecks kept apart: most lines are inside a
/// speculative run and keep none, and a whole `Option<Clean>` per line (48
/// bytes) was nearly as many bytes written as the chunk has.
#[derive(Default)]
struct Lines {
    /// Per line: its precheck's index in `cleans` (`NO_CLEAN`: none), and
    /// the end of its output.
    slots: Vec<(u32, u32)>,
    cleans: Vec<Clean>,
}

const NO_CLEAN: u32 = u32::MAX;

impl Lines {
    fn push(&mut self, clean: Option<Clean>, out_end: u32) {
        let at = self.keep(clean);
        self.slots.push((at, out_end));
    }

    /// Where `clean` is kept.
    fn keep(&mut self, clean: Option<Clean>) -> u32 {
        match clean {
            Some(c) => {
                self.cleans.push(c);
                (self.cleans.len() - 1) as u32
            }
            None => NO_CLEAN,
        }
    }

    /// `n` lines that keep no precheck and end their output at `out_end`
    /// (the lines of a speculative run when the command writes nothing: one
    /// fill, not a push per line).
    fn push_quiet(&mut self, n: usize, out_end: u32) {
        self.slots.resize(self.slots.len() + n, (NO_CLEAN, out_end));
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    /// Line `i`'s precheck.
    fn clean(&self, i: usize) -> Option<Clean> {
        let &(at, _) = self.slots.get(i)?;
        self.cleans.get(at as usize).copied()
    }

    /// Line `i` gets a precheck (one kept none, in a run not taken).
    fn set_clean(&mut self, i: usize, clean: Option<Clean>) {
        let at = self.keep(clean);
        if let Some(slot) = self.slots.get_mut(i) {
            slot.0 = at;
        }
    }

    /// The end of line `i`'s output.
    fn out_end(&self, i: usize) -> u32 {
        self.slots.get(i).map_or(0, |s| s.1)
    }

    /// The prechecks of lines `from..to`.
    fn cleans(&self, from: usize, to: usize) -> impl Iterator<Item = Option<Clean>> + '_ {
        (from..to).map(|i| self.clean(i))
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.cleans.clear();
    }
}

/// The file date (role `file_date`) of the file's first line, if it holds
/// one, for the workers' variant choices. A wrong guess costs only speed:
/// the decoder refuses lines whose variant was chosen with another date.
fn first_file_date(opts: Options, head: &[u8]) -> u32 {
    let end = head.iter().position(|&b| b == b'\n').map_or(head.len(), |i| i + 1);
    let mut dec = Decoder::new(opts);
    let mut line = &head[..end];
    loop {
        let (ev, used) = dec.decode(line);
        line = &line[used..];
        if matches!(ev, Event::NeedInput | Event::End) {
            return dec.file_date();
        }
    }
}

/// Bytes of the line at the start of `rest`, its line end included (a line
/// no precheck framed: searched for).
fn line_len(rest: &[u8]) -> usize {
    memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1)
}

/// Worker: prechecks every line of a chunk and does the command's work on
/// the clean ones. From each anchor line on it runs the lines in a context
/// it assumes (with the encoding `utf8`) for this thread to stitch
/// ([`Speculation`]); a line inside such a run keeps no precheck (`None`),
/// [`unfold`] makes it again if the run is not taken. Inlined into
/// [`eindkomst_core::on_this_cpu`]'s wider build.
#[inline(always)]
fn precheck<P: Pre>(
    checker: &mut Prechecker,
    chunk: &mut Chunk,
    scale: u8,
    pre: &P,
    acc: &mut P::Acc,
    utf8: Option<bool>,
) {
    let mut at = 0;
    let mut line = chunk.first_line;
    // The anchor line (index, offset) of the speculative run going on, and
    // its lines not pushed yet (without `Pre::WORK`).
    let (mut run, mut quiet) = (None, 0);
    while at < chunk.data.len() {
        if run.is_some() {
            // The run's lines at once; the line after them is not clean in its context.
            let (out, lines) = (&mut chunk.out, &mut chunk.lines);
            let (n, used) = checker.check_accept_lines(
                &chunk.data[at..],
                line,
                chunk.offset + at as u64,
                // `Pre::pre` in the wider build too (`decode --raw --jobs 2`
                // about 4 % fewer instructions).
                #[inline(always)]
                |r| {
                    if P::WORK {
                        pre.pre(&r, out, acc);
                        lines.push(None, out.len() as u32);
                    }
                    true
                },
            );
            if !P::WORK {
                quiet += n;
            }
            at += used;
            line += n as u64;
            if at >= chunk.data.len() {
                break;
            }
            chunk.lines.push_quiet(std::mem::take(&mut quiet), chunk.out.len() as u32);
            end_run(checker, &mut run, &mut chunk.runs);
        }
        let rest = &chunk.data[at..];
        let i = chunk.lines.len();
        let used = match checker.check(rest) {
            Some(clean) => {
                if P::WORK {
                    let r = clean.record(rest, line, chunk.offset + at as u64, scale);
                    pre.pre(&r, &mut chunk.out, acc);
                }
                chunk.lines.push(Some(clean), chunk.out.len() as u32);
                if checker.assume(rest, &clean, utf8) && checker.accept(rest, &clean) {
                    run = Some((i, at));
                }
                clean.used()
            }
            None => {
                chunk.lines.push(None, chunk.out.len() as u32);
                line_len(rest)
            }
        };
        at += used;
        line += 1;
    }
    chunk.lines.push_quiet(quiet, chunk.out.len() as u32);
    end_run(checker, &mut run, &mut chunk.runs);
}

/// Ends the speculative run whose anchor is `run`, keeping it if it took a line.
fn end_run(checker: &Prechecker, run: &mut Option<(usize, usize)>, runs: &mut Vec<Run>) {
    if let Some((line, at)) = run.take() {
        if let Some(speculation) = checker.speculation() {
            runs.push(Run { line, at, speculation });
        }
    }
}

/// Prechecks again the lines of a run that is not taken, after its anchor
/// line (which kept its own).
fn unfold(checker: &mut Prechecker, lines: &mut Lines, data: &[u8], run: &Run) {
    let mut at = run.at;
    for i in run.line..run.line + run.speculation.lines() {
        let rest = &data[at..];
        let mut clean = lines.clean(i);
        if clean.is_none() {
            clean = checker.check(rest);
            lines.set_clean(i, clean);
        }
        at += clean.map_or_else(|| line_len(rest), |c| c.used());
    }
}

/// Takes back the work [`Pre::pre`] did on the clean ones of the lines
/// from `from` on, the lines of `data` that the decoder never reached (it
/// stopped).
fn take_back<A, S: Sink<A>>(
    checker: &mut Prechecker,
    lines: &Lines,
    from: usize,
    data: &[u8],
    scale: u8,
    sink: &mut S,
) {
    let mut at = 0;
    for clean in lines.cleans(from, lines.len()) {
        let rest = &data[at..];
        // A line without its precheck kept (inside a speculative run) is prechecked again.
        at += match clean.or_else(|| checker.check(rest)) {
            Some(clean) => {
                sink.undo(&clean.record(rest, 0, 0, scale));
                clean.used()
            }
            None => line_len(rest),
        };
    }
}

/// This thread: a chunk's lines through the decoder, in order (`checker`
/// prechecks again the lines of runs that are not taken).
fn complete<A, S: Sink<A>>(
    dec: &mut Decoder,
    checker: &mut Prechecker,
    chunk: Chunk,
    scale: u8,
    sink: &mut S,
    progress: &mut Progress,
    work: bool,
) -> io::Result<Buffers> {
    let Chunk { data, first_line, offset, mut lines, out, runs } = chunk;
    // The output of lines `i..i + n`: a line's starts where the one before it ends.
    let output = |lines: &Lines, i: usize, n: usize| {
        let start = i.checked_sub(1).map_or(0, |before| lines.out_end(before));
        start as usize..lines.out_end(i + n - 1) as usize
    };
    // Runs start at or after the end of the run before them, and each line
    // up to the next anchor is decoded here: no anchor is passed by.
    let mut next_run = 0;
    let (mut at, mut i) = (0usize, 0usize);
    // The output of the lines accepted since the last line decoded here,
    // handed over in one piece (a clean chunk's at once: a piece per run,
    // each copied into the output's buffer, was a second copy of all the
    // output, 2.5 % of `decode --raw --jobs 2`'s instructions, 2026-12-05).
    let mut pending = 0..0;
    while i < lines.len() {
        if let Some(run) = runs.get(next_run).filter(|r| r.line == i) {
            next_run += 1;
            // Taken at once when its assumed context is the true one.
            let n = run.speculation.lines();
            if dec.stitch(&run.speculation) {
                pending.end = output(&lines, i, n).end;
                (i, at) = (i + n, at + run.speculation.bytes());
                continue;
            }
            unfold(checker, &mut lines, &data, run);
        }
        // The lines clean in the decoder's context too, in one run, up to
        // the next anchor.
        let limit = runs.get(next_run).map_or(lines.len(), |r| r.line);
        let (n, used) = dec.accept_run(&data[at..], lines.cleans(i, limit), |_, _| true);
        if n > 0 {
            pending.end = output(&lines, i, n).end;
        }
        (i, at) = (i + n, at + used);
        if i == limit {
            continue;
        }
        if i >= lines.len() {
            break;
        }
        if !pending.is_empty() {
            sink.accepted(&out[pending.clone()])?;
        }
        // The line decoded here has no output in `out`: the next line's starts where its own ended.
        let end = lines.out_end(i) as usize;
        pending = end..end;
        let clean = lines.clean(i);
        // This line the ordinary way (its precheck's work undone).
        let rest = &data[at..];
        if let (Some(clean), true) = (clean, work) {
            let r = clean.record(rest, first_line + i as u64, offset + at as u64, scale);
            sink.undo(&r);
        }
        let end = line_len(rest);
        let mut line = &rest[..end];
        while !line.is_empty() {
            let (ev, used) = dec.decode(line);
            line = &line[used..];
            match ev {
                Event::NeedInput => break,
                Event::End => {
                    if work {
                        take_back(checker, &lines, i + 1, &data[at + end..], scale, sink);
                    }
                    return Ok(Buffers { data, lines, out, runs });
                }
                ev => progress.around(ev, &mut |e| sink.event(e))?,
            }
        }
        (i, at) = (i + 1, at + end);
    }
    if !pending.is_empty() {
        sink.accepted(&out[pending])?;
    }
    progress.read(data.len() as u64, dec.counts().lines);
    Ok(Buffers { data, lines, out, runs })
}

/// Decodes `path` on `jobs` threads (this one among them), handing the results to `sink`
/// in file order; returns the counts. The same events as one decoder.
pub fn decode_file<P: Pre, S: Sink<P::Acc>>(
    path: &Path,
    opts: Options,
    jobs: usize,
    stdout: Stdout,
    pre: &P,
    sink: &mut S,
) -> Result<Counts, String> {
    let io_err = |e: io::Error| format!("{}: {e}", path.display());
    let mut file = File::open(path).map_err(io_err)?;
    let mut progress = Progress::new(file.metadata().ok().map(|m| m.len()), stdout);
    let mut head = vec![0u8; 4096];
    let n = file.read(&mut head).map_err(io_err)?;
    head.truncate(n);
    let file_date = first_file_date(opts, &head);
    let jobs = jobs.max(1);
    let (order_tx, order_rx) = channel::<Receiver<Chunk>>();
    // Done chunks' buffers back to the source; a full pool drops them.
    // Two chunks in flight per thread: one to precheck, one done and
    // waiting for its turn (a fifth was no faster with `--jobs 2`, 2026-12-04).
    let in_flight = 2 * jobs;
    let spares = Spares { pool: Mutex::new(Vec::new()), keep: in_flight };
    let source = Mutex::new(Source {
        file,
        carry: head,
        line: 1,
        offset: 0,
        eof: false,
        count_lines: P::WORK && P::LINE_NUMBERS,
        order: Some(order_tx),
        spares: &spares,
        error: None,
    });
    // Spinning only while every thread has a core of its own.
    let spin = if jobs <= every_core() { SPIN } else { Duration::ZERO };
    let slots = Slots::new(in_flight, spin);
    // The encoding the decoder in order has decided, for the workers' speculative runs.
    let encoding = AtomicU8::new(0);
    let utf8 = |encoding: &AtomicU8| match encoding.load(Ordering::Relaxed) {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    };

    // The calling thread gets its affinity back when `cores` drops (a panic's unwind too).
    let cores = &Cores::for_jobs(jobs);
    std::thread::scope(|scope| {
        let (source, slots, encoding) = (&source, &slots, &encoding);
        // `jobs - 1` workers; this thread is the last one: it helps them
        // while the next chunk in order is not ready (below).
        let workers: Vec<_> = (1..jobs)
            .map(|k| {
                scope.spawn(move || {
                    cores.pin(k);
                    let mut checker = Prechecker::new(opts, file_date);
                    let mut acc = P::Acc::default();
                    while let Some((mut chunk, done)) =
                        slots.take(true).then(|| Source::next(source, Some(slots.spin))).flatten()
                    {
                        eindkomst_core::on_this_cpu(
                            #[inline(always)]
                            || precheck(&mut checker, &mut chunk, opts.amount_scale, pre, &mut acc, utf8(encoding)),
                        );
                        if done.send(chunk).is_err() {
                            break;
                        }
                    }
                    acc
                })
            })
            .collect();
        cores.pin(0);
        let mut dec = Decoder::new(opts);
        let mut checker = Prechecker::new(opts, file_date);
        let mut helped = P::Acc::default();
        let mut help = |checker: &mut Prechecker, chunk: &mut Chunk| {
            eindkomst_core::on_this_cpu(
                #[inline(always)]
                || precheck(checker, chunk, opts.amount_scale, pre, &mut helped, utf8(encoding)),
            )
        };
        let mut result = Ok(());
        while let Some(rx) = next_in_order(&order_rx, source, slots, |chunk| help(&mut checker, chunk)) {
            let Some(chunk) = next_in_order(&rx, source, slots, |chunk| help(&mut checker, chunk)) else {
                break;
            };
            match complete(&mut dec, &mut checker, chunk, opts.amount_scale, sink, &mut progress, P::WORK) {
                Ok(spare) => {
                    encoding.store(dec.utf8().map_or(0, |u| 1 + u as u8), Ordering::Relaxed);
                    slots.give();
                    spares.put(spare);
                }
                Err(e) => {
                    result = Err(io_err(e));
                    break;
                }
            }
            if dec.stopped() {
                // Chunks read past the stop were tallied: taken back.
                Source::stop(source, slots);
                for rx in order_rx.iter() {
                    let next = next_in_order(&rx, source, slots, |chunk| help(&mut checker, chunk));
                    if let (Some(chunk), true) = (next, P::WORK) {
                        take_back(&mut checker, &chunk.lines, 0, &chunk.data, opts.amount_scale, sink);
                    }
                }
                break;
            }
        }
        // No more chunks are read; a worker waiting for a slot stops.
        Source::stop(source, slots);
        drop(order_rx);
        if result.is_ok() {
            result = finish(&mut dec, sink, &progress).map_err(io_err);
        }
        sink.merge(helped);
        for worker in workers {
            sink.merge(worker.join().map_err(|_| "worker thread panicked".to_string())?);
        }
        progress.finish();
        if let Some(e) = source.lock().ok().and_then(|mut s| s.error.take()) {
            return Err(io_err(e));
        }
        result.map(|()| *dec.counts())
    })
}

/// The cores this process may run on, when the threads of `--jobs` are as
/// many: each thread then stays on a core of its own. Left to the
/// scheduler, a thread that slept (waiting for the chunk in order) woke at
/// times on the other thread's core, and `--jobs 2` on 416 MB was 3–5 %
/// slower (medians of 15 rounds, 2026-12-05). With fewer threads than
/// cores nothing is pinned: two such processes would share the same cores.
struct Cores {
    /// The allowed cores, and this thread's affinity before it was pinned.
    #[cfg(target_os = "linux")]
    pinned: Option<(Vec<usize>, nix::sched::CpuSet)>,
}

impl Cores {
    #[cfg(target_os = "linux")]
    fn for_jobs(jobs: usize) -> Cores {
        use nix::{sched::sched_getaffinity, unistd::Pid};
        let pinned = sched_getaffinity(Pid::from_raw(0)).ok().and_then(|set| {
            let cores = Cores::allowed(&set);
            (jobs > 1 && cores.len() == jobs).then_some((cores, set))
        });
        Cores { pinned }
    }

    #[cfg(not(target_os = "linux"))]
    fn for_jobs(_: usize) -> Cores {
        Cores {}
    }

    /// The cores of an affinity set, in order.
    #[cfg(target_os = "linux")]
    fn allowed(set: &nix::sched::CpuSet) -> Vec<usize> {
        (0..nix::sched::CpuSet::count()).filter(|&c| set.is_set(c).unwrap_or(false)).collect()
    }

    /// Keeps the calling thread, the `k`th, on a core of its own (if the cores are pinned).
    fn pin(&self, k: usize) {
        #[cfg(target_os = "linux")]
        if let Some(&core) = self.pinned.as_ref().and_then(|(cores, _)| cores.get(k)) {
            let mut one = nix::sched::CpuSet::new();
            // Speed only: a core refused leaves the thread where it was.
            if one.set(core).is_ok() {
                let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &one);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = k;
    }
}

impl Drop for Cores {
    /// The thread that made it (pinned as the 0th) may run where it might
    /// before: after the run, or on a panic's way out.
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some((_, before)) = &self.pinned {
            let _ = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), before);
        }
    }
}

/// What `rx` brings next: the next chunk in file order, or (the order
/// queue) where the next chunk's result comes. While it is not ready, this
/// thread reads and prechecks the file's next chunk itself (with `help`),
/// if one more may be in flight, rather than wait: otherwise with `--jobs
/// 2` one core did the work in order and the other the prechecks, and the
/// two halves are not the same size.
fn next_in_order<T>(
    rx: &Receiver<T>,
    source: &Mutex<Source<'_>>,
    slots: &Slots,
    mut help: impl FnMut(&mut Chunk),
) -> Option<T> {
    loop {
        match rx.try_recv() {
            Ok(next) => return Some(next),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        if !slots.take(false) {
            return recv_soon(rx, slots.spin);
        }
        match Source::next(source, None) {
            Some((mut chunk, done)) => {
                help(&mut chunk);
                let _ = done.send(chunk); // its turn may come later; the receiver is in the order queue
            }
            None => {
                slots.give();
                return recv_soon(rx, slots.spin);
            }
        }
    }
}

/// `rx.recv()`, but asked again for a while before the thread sleeps: what
/// it waits for is mostly a read or a chunk's end away, and a sleeping
/// thread woken again costs this VM tens of microseconds.
fn recv_soon<T>(rx: &Receiver<T>, spin: Duration) -> Option<T> {
    let asked = spin_for(spin, || match rx.try_recv() {
        Ok(next) => Some(Some(next)),
        Err(TryRecvError::Disconnected) => Some(None),
        Err(TryRecvError::Empty) => None,
    });
    asked.unwrap_or_else(|| rx.recv().ok())
}

/// What `attempt` gives, asked again for up to `spin`; `None` if it gave
/// nothing (the caller then sleeps until it can).
fn spin_for<T>(spin: Duration, mut attempt: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < spin {
        if let Some(t) = attempt() {
            return Some(t);
        }
        std::hint::spin_loop();
    }
    None
}

/// How long a thread asks again before it sleeps, when the threads are no
/// more than the cores: about a chunk's precheck
/// in `validate` (a thread that slept for a read or a chunk in order, ~200
/// times per 400 MB, left `validate --jobs 2` idle a twentieth of the
/// time; 2026-12-04).
const SPIN: Duration = Duration::from_millis(1);

/// The file, cut into chunks after their last line end, in file order, by
/// whichever thread is out of work: the bytes are then in the cache of the
/// core that prechecks them, and no thread waits for a reader thread that
/// the busy ones keep off the CPU (a reader thread left `validate --jobs 2`
/// idle a tenth of the time, 2026-12-03).
struct Source<'s> {
    file: File,
    /// The rest of a line cut by the chunk before.
    carry: Vec<u8>,
    /// The next chunk's first line number and offset.
    line: u64,
    offset: u64,
    eof: bool,
    /// Whether chunks need their first line number (a count of line ends).
    count_lines: bool,
    /// Where each chunk's result comes, in file order; dropped after the
    /// last chunk (or an error), which ends the loop in order.
    order: Option<Sender<Receiver<Chunk>>>,
    spares: &'s Spares,
    /// A read that failed: reported once the chunks before it are done.
    error: Option<io::Error>,
}

impl<'s> Source<'s> {
    /// The next chunk and where its result goes, for a caller holding a
    /// slot ([`Slots::take`]); `None` at the end of the file, after an
    /// error, once the decoder stopped, or (unless `wait`: how long to ask
    /// again before sleeping on the lock) while another thread reads: this
    /// thread then completes chunks in order instead (a read from a pipe
    /// may wait long).
    fn next(source: &Mutex<Source<'_>>, wait: Option<Duration>) -> Option<(Chunk, Sender<Chunk>)> {
        let mut s = match source.try_lock() {
            Ok(s) => s,
            // Another thread reads: that is a read away; asked again for a
            // while before this thread sleeps (see `recv_soon`).
            Err(TryLockError::WouldBlock) => Source::lock_soon(source, wait?),
            Err(TryLockError::Poisoned(p)) => Source::poisoned(p),
        };
        let next = s.read();
        if next.is_none() {
            s.order = None;
        }
        next
    }

    /// The source, once the thread reading it is done: asked again for a
    /// while before this thread sleeps on the lock.
    fn lock_soon<'g>(source: &'g Mutex<Source<'s>>, spin: Duration) -> MutexGuard<'g, Source<'s>> {
        let asked = spin_for(spin, || match source.try_lock() {
            Ok(s) => Some(s),
            Err(TryLockError::Poisoned(p)) => Some(Source::poisoned(p)),
            Err(TryLockError::WouldBlock) => None,
        });
        asked.unwrap_or_else(|| source.lock().unwrap_or_else(Source::poisoned))
    }

    /// A thread panicked while reading: no more chunks (the loop in order ends).
    fn poisoned<'g>(p: PoisonError<MutexGuard<'g, Source<'s>>>) -> MutexGuard<'g, Source<'s>> {
        let mut s = p.into_inner();
        s.order = None;
        s
    }

    /// No more chunks are read (the ones in flight still come in order).
    fn stop(source: &Mutex<Source<'_>>, slots: &Slots) {
        slots.close();
        source.lock().unwrap_or_else(Source::poisoned).order = None;
    }

    fn read(&mut self) -> Option<(Chunk, Sender<Chunk>)> {
        let size = chunk_size();
        loop {
            let order = self.order.as_ref()?;
            if self.eof && self.carry.is_empty() {
                return None;
            }
            let Buffers { mut data, mut lines, mut out, mut runs } = self.spares.take().unwrap_or_else(|| Buffers {
                data: Vec::new(),
                lines: Lines::default(),
                out: Text::default(),
                runs: Vec::new(),
            });
            data.clear();
            lines.clear();
            out.clear();
            runs.clear();
            data.extend_from_slice(&self.carry);
            self.carry.clear();
            // Read into the spare capacity (no zero fill of a buffer about to be overwritten).
            let want = size.saturating_sub(data.len());
            data.reserve(want);
            if !self.eof {
                match (&mut self.file).take(want as u64).read_to_end(&mut data) {
                    Ok(got) => self.eof = got < want,
                    Err(e) => {
                        self.error = Some(e);
                        return None;
                    }
                }
            }
            // The rest of a line cut by the chunk goes with the next one.
            let cut = if self.eof { data.len() } else { memchr::memrchr(b'\n', &data).map_or(data.len(), |i| i + 1) };
            self.carry.extend_from_slice(&data[cut..]);
            data.truncate(cut);
            if data.is_empty() {
                continue;
            }
            // Each chunk's first line number, for the records the workers build.
            let n_lines = if self.count_lines { memchr::memchr_iter(b'\n', &data).count() as u64 } else { 0 };
            let chunk = Chunk { data, first_line: self.line, offset: self.offset, lines, out, runs };
            self.line += n_lines;
            self.offset += chunk.data.len() as u64;
            let (tx, rx) = channel();
            order.send(rx).ok()?;
            return Some((chunk, tx));
        }
    }
}

/// A done chunk's buffers, kept for the next chunk read: the one given
/// back last is taken first, as its bytes are the likeliest still in a
/// cache (a queue handed out the coldest one).
struct Spares {
    pool: Mutex<Vec<Buffers>>,
    /// How many are kept; more are dropped.
    keep: usize,
}

impl Spares {
    fn put(&self, b: Buffers) {
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < self.keep {
                pool.push(b);
            }
        }
    }

    fn take(&self) -> Option<Buffers> {
        self.pool.lock().ok()?.pop()
    }
}

/// How many more chunks may be read before this thread is done with one:
/// the bound on memory.
struct Slots {
    /// Free slots, and whether reading stopped (the decoder stopped, or failed).
    free: Mutex<(usize, bool)>,
    freed: Condvar,
    /// How long a thread that waits for a chunk in order or for the source
    /// asks again before it sleeps ([`recv_soon`]).
    spin: Duration,
}

impl Slots {
    fn new(n: usize, spin: Duration) -> Slots {
        Slots { free: Mutex::new((n, false)), freed: Condvar::new(), spin }
    }

    /// Takes a slot, waiting for one if `wait`; false once reading stopped
    /// (or when none is free and `wait` is not set).
    fn take(&self, wait: bool) -> bool {
        let Ok(mut free) = self.free.lock() else { return false };
        loop {
            match *free {
                (_, true) => return false,
                (0, _) if wait => match self.freed.wait(free) {
                    Ok(f) => free = f,
                    Err(_) => return false,
                },
                (0, _) => return false,
                (ref mut n, _) => {
                    *n -= 1;
                    return true;
                }
            }
        }
    }

    /// A chunk is done with: a slot is free again.
    fn give(&self) {
        if let Ok(mut free) = self.free.lock() {
            free.0 += 1;
            self.freed.notify_one();
        }
    }

    /// No more chunks are read: threads waiting for a slot go on (and stop).
    fn close(&self) {
        if let Ok(mut free) = self.free.lock() {
            free.1 = true;
            self.freed.notify_all();
        }
    }
}

/// The end of the stream: what the decoder still holds.
fn finish<A, S: Sink<A>>(dec: &mut Decoder, sink: &mut S, progress: &Progress) -> io::Result<()> {
    loop {
        match dec.finish() {
            Event::End => return Ok(()),
            Event::NeedInput => {}
            ev => progress.around(ev, &mut |e| sink.event(e))?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Buffers, Cores, Lines, Slots, Spares, Text};

    /// Slots bound the chunks in flight: a thread waits for one given back,
    /// one that does not wait is refused, and closing lets every waiter go.
    #[test]
    fn slots_bound_the_chunks_in_flight() {
        let slots = Slots::new(2, std::time::Duration::ZERO);
        assert!(slots.take(false) && slots.take(true));
        assert!(!slots.take(false));
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| slots.take(true));
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!waiter.is_finished());
            slots.give();
            assert!(waiter.join().unwrap());
            let waiters: Vec<_> = (0..3).map(|_| scope.spawn(|| slots.take(true))).collect();
            std::thread::sleep(std::time::Duration::from_millis(50));
            slots.close();
            assert_eq!(waiters.into_iter().map(|w| w.join().unwrap()).collect::<Vec<_>>(), [false; 3]);
        });
        slots.give();
        assert!(!slots.take(false)); // closed: no more reading
    }

    /// Spares: the one given back last comes first, and no more than
    /// `keep` are kept.
    #[test]
    fn spares_give_the_warmest_first_and_keep_a_bound() {
        let spares = Spares { pool: std::sync::Mutex::new(Vec::new()), keep: 2 };
        let buffers =
            |tag: u8| Buffers { data: vec![tag], lines: Lines::default(), out: Text::default(), runs: Vec::new() };
        for tag in 1..=3 {
            spares.put(buffers(tag));
        }
        let tags: Vec<_> = std::iter::from_fn(|| spares.take()).map(|b| b.data).collect();
        assert_eq!(tags, [vec![2], vec![1]], "the third was over the bound");
    }

    /// Text reads as what was written, across growth and reuse; room
    /// written but not counted is not text.
    #[test]
    fn text_is_what_was_written() {
        let mut text = Text::default();
        text.extend_from_slice(b"abc");
        let room = text.room(300_000);
        assert!(room.len() >= 300_000);
        room[..4].copy_from_slice(b"defg");
        text.wrote(3);
        assert_eq!(&*text, b"abcdef");
        assert_eq!(text.buf.len(), 1 << 19, "grown in steps of 256 KiB");
        text.clear();
        text.extend_from_slice(b"xy");
        assert_eq!(&*text, b"xy");
        text.wrote(usize::MAX / 2);
        assert_eq!(text.len(), 1 << 19, "never past the buffer");
    }

    /// Threads are pinned only when they are as many as the cores this
    /// process may run on, each to a core of its own, and the thread in
    /// order gets its affinity back, after a panic too (under `taskset -c 0`: one
    /// core, none pinned).
    #[cfg(target_os = "linux")]
    #[test]
    fn threads_are_pinned_only_as_many_as_the_cores_and_then_let_go() {
        use nix::{sched::sched_getaffinity, unistd::Pid};
        let here = || Cores::allowed(&sched_getaffinity(Pid::from_raw(0)).unwrap());
        let before = here();
        let n = before.len();
        assert!(Cores::for_jobs(1).pinned.is_none());
        assert!(Cores::for_jobs(n + 1).pinned.is_none(), "more threads than cores");
        if n > 1 {
            assert!(Cores::for_jobs(n - 1).pinned.is_none(), "fewer threads than cores");
            let cores = Cores::for_jobs(n);
            assert_eq!(cores.pinned.as_ref().map(|(c, _)| c.clone()), Some(before.clone()));
            cores.pin(1);
            assert_eq!(here(), [before[1]]);
            cores.pin(0);
            assert_eq!(here(), [before[0]]);
            drop(cores);
            assert_eq!(here(), before);
            // A panic on the thread in order: its unwind drops `Cores`.
            let panicked = std::panic::catch_unwind(|| {
                let cores = Cores::for_jobs(n);
                cores.pin(1);
                panic!("a panic while pinned");
            });
            assert!(panicked.is_err());
            assert_eq!(here(), before);
        }
    }
}
