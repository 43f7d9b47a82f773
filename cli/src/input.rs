//! Reads a file or stdin in fixed chunks and feeds every chunk to the decoder
//! ([`for_each`], into a command's [`Sink`]) or to a std-layer [`Session`], with the filter
//! inside ([`for_each_session_event`]).
//! A long run shows its progress and rate on stderr when that is a terminal.

// Bytes read at a time: the std layer's (why that size: there).
use crate::parallel::Sink;
use eindkomst::reader::CHUNK;
use eindkomst::{Progress as Fed, Session};
use eindkomst_core::{Counts, Decoder, Event, Options};
use indicatif::{HumanCount, ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;
use std::time::Instant;

/// Input this large is a long run: a file of at least this size, or stdin
/// once this much has been read, shows a progress line (a few seconds'
/// work). `EINDKOMST_PROGRESS_AFTER=BYTES` changes it (the tests set 0).
const PROGRESS_AFTER: u64 = 64 * 1024 * 1024;

/// What a command writes to stdout while it reads. The progress line (on
/// stderr) is kept off a terminal that records or findings stream to: its
/// redraws would overwrite their lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stdout {
    /// Records or findings, as they come (`decode`, `validate`).
    Streams,
    /// Only a report after the last line (`stats`).
    AtEnd,
}

/// Decodes `path` (or stdin for `-`) on this thread, handing `sink` the
/// records of each batch ([`Sink::record`]) and every other event but
/// `NeedInput`/`End` ([`Sink::event`]). Returns the final counts.
pub fn for_each<A>(path: &Path, opts: Options, stdout: Stdout, sink: &mut impl Sink<A>) -> Result<Counts, String> {
    let (mut reader, size) = open(path)?;
    let mut progress = Progress::new(size, stdout);
    let mut decoder = Decoder::new(opts);
    let mut buf = vec![0u8; CHUNK];
    let io_err = |e: io::Error| format!("{}: {e}", path.display());
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        let mut input = &buf[..n];
        loop {
            // Clean records come in batches, without a call per record.
            let mut failed = None;
            let (event, used) = eindkomst_core::on_this_cpu(
                #[inline(always)]
                || {
                    decoder.decode_records(
                        input,
                        // The sink's writer in the wider build too (`decode
                        // --raw` 628 -> 617 instructions a record).
                        #[inline(always)]
                        |r| {
                            if failed.is_none() {
                                failed = sink.record(&r).err();
                            }
                        },
                    )
                },
            );
            input = &input[used..];
            if let Some(e) = failed {
                return Err(io_err(e));
            }
            match event {
                Event::NeedInput => break,
                Event::End => break,
                event => other_event(&progress, event, sink).map_err(io_err)?,
            }
        }
        if decoder.stopped() {
            break;
        }
        progress.read(n as u64, decoder.counts().lines);
    }
    loop {
        match decoder.finish() {
            Event::End => break,
            Event::NeedInput => continue,
            event => other_event(&progress, event, sink).map_err(io_err)?,
        }
    }
    progress.finish();
    Ok(*decoder.counts())
}

/// An event of [`for_each`] but a batch's record, out of its loop: inlined
/// there, `validate` took 259 instructions a record, not 250 (2026-12-04).
#[inline(never)]
fn other_event<A>(progress: &Progress, event: Event<'_>, sink: &mut impl Sink<A>) -> io::Result<()> {
    progress.around(event, &mut |e| sink.event(e))
}

/// `path` to read (stdin for `-`) and its size when known.
fn open(path: &Path) -> Result<(Box<dyn Read>, Option<u64>), String> {
    if path == Path::new("-") {
        return Ok((Box::new(io::stdin().lock()), None));
    }
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), size))
}

/// Decodes `path` (or stdin for `-`) through the std layer's [`Session`]
/// (the one batch loop, with its filter inside when it has one), calling
/// `on_event` for every event in input order. Returns the decoder's final
/// counts; the filter's are in `session`.
pub fn for_each_session_event(
    path: &Path,
    session: &mut Session,
    stdout: Stdout,
    mut on_event: impl FnMut(eindkomst::Event<'_>) -> io::Result<()>,
) -> Result<Counts, String> {
    let (mut reader, size) = open(path)?;
    let mut progress = Progress::new(size, stdout);
    let mut buf = vec![0u8; CHUNK];
    let io_err = |e: io::Error| format!("{}: {e}", path.display());
    let mut failed = None;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        let bar = progress.bar.clone();
        // The sink takes every event: the whole chunk is used, or the decoder stopped.
        let (_, fed) = session
            .feed(&buf[..n], &mut |e: eindkomst::Event<'_>| deliver(&mut failed, bar.as_ref(), &mut on_event, e));
        if let Some(e) = failed.take() {
            return Err(io_err(e));
        }
        if fed == Fed::Stopped {
            break;
        }
        progress.read(n as u64, session.counts().lines);
    }
    let bar = progress.bar.clone();
    while !session.finish(&mut |e: eindkomst::Event<'_>| deliver(&mut failed, bar.as_ref(), &mut on_event, e)) {}
    if let Some(e) = failed {
        return Err(io_err(e));
    }
    progress.finish();
    Ok(*session.counts())
}

/// Hands `event` on unless an earlier one failed; a finding written to
/// stderr must not tear the bar, so the bar steps aside while it is written.
fn deliver(
    failed: &mut Option<io::Error>,
    bar: Option<&ProgressBar>,
    on_event: &mut impl FnMut(eindkomst::Event<'_>) -> io::Result<()>,
    event: eindkomst::Event<'_>,
) {
    if failed.is_some() {
        return;
    }
    let result = match (bar, &event) {
        (Some(bar), eindkomst::Event::Finding(_)) => bar.suspend(|| on_event(event)),
        _ => on_event(event),
    };
    *failed = result.err();
}

/// The progress line (one line within 80 columns): a bar with percent,
/// bytes, MB/s, lines/s and time left for a file; a spinner with bytes,
/// MB/s, lines and lines/s for stdin. Hidden unless stderr is a
/// terminal (and stdout is not one a command streams to).
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    /// Whether a bar may be shown at all.
    allowed: bool,
    size: Option<u64>,
    read: u64,
    after: u64,
    start: Instant,
}

impl Progress {
    pub(crate) fn new(size: Option<u64>, stdout: Stdout) -> Progress {
        let allowed = io::stderr().is_terminal() && (stdout == Stdout::AtEnd || !io::stdout().is_terminal());
        let after =
            std::env::var("EINDKOMST_PROGRESS_AFTER").ok().and_then(|v| v.parse().ok()).unwrap_or(PROGRESS_AFTER);
        Progress { bar: None, allowed, size, read: 0, after, start: Instant::now() }
    }

    /// Counts `n` more bytes read, `lines` lines decoded so far.
    pub(crate) fn read(&mut self, n: u64, lines: u64) {
        self.read += n;
        if self.bar.is_none() && self.allowed && self.size.unwrap_or(self.read) >= self.after {
            self.bar = Some(bar(self.size));
        }
        if let Some(bar) = &self.bar {
            let rate = HumanCount((lines as f64 / self.start.elapsed().as_secs_f64().max(1e-3)) as u64);
            match self.size {
                Some(_) => bar.set_message(format!("{rate} lines/s")),
                None => bar.set_message(format!("{} lines, {rate} lines/s", HumanCount(lines))),
            }
            bar.set_position(self.read);
        }
    }

    /// Hands `event` on; a finding written to stderr must not tear the bar,
    /// so the bar steps aside while it is written.
    pub(crate) fn around(
        &self,
        event: Event<'_>,
        on_event: &mut impl FnMut(Event<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        match (&self.bar, &event) {
            (Some(bar), Event::Rejected(_) | Event::Error(_) | Event::Warning(_)) => bar.suspend(|| on_event(event)),
            _ => on_event(event),
        }
    }

    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn bar(size: Option<u64>) -> ProgressBar {
    let (bar, template) = match size {
        Some(total) => (ProgressBar::new(total), "{bar:20} {percent:>3}% {bytes}, {bytes_per_sec}, {msg}, {eta} left"),
        None => (ProgressBar::new_spinner(), "{spinner} {bytes} read, {bytes_per_sec}, {msg}"),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
