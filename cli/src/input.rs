//! Reads a file or stdin in fixed chunks and feeds every chunk to the decoder.

use eindkomst_core::{Counts, Decoder, Event, Options};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::Path;

/// Chunk size: large enough that per-call costs vanish, small enough for L2.
const CHUNK: usize = 256 * 1024;

/// Decodes `path` (or stdin for `-`), calling `on_event` for every event
/// except `NeedInput`/`End`. Returns the final counts.
pub fn for_each_event(
    path: &Path,
    opts: Options,
    mut on_event: impl FnMut(Event<'_>) -> io::Result<()>,
) -> Result<Counts, String> {
    let (mut reader, size): (Box<dyn Read>, Option<u64>) = if path == Path::new("-") {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let progress = progress_bar(size);
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
            let (event, used) = decoder.decode_records(input, |r| {
                if failed.is_none() {
                    failed = on_event(Event::Record(r)).err();
                }
            });
            input = &input[used..];
            if let Some(e) = failed {
                return Err(io_err(e));
            }
            match event {
                Event::NeedInput => break,
                Event::End => break,
                event => on_event(event).map_err(io_err)?,
            }
        }
        if decoder.stopped() {
            break;
        }
        if let Some(p) = &progress {
            p.inc(n as u64);
        }
    }
    loop {
        match decoder.finish() {
            Event::End => break,
            Event::NeedInput => continue,
            event => on_event(event).map_err(io_err)?,
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    Ok(*decoder.counts())
}

/// A progress bar on stderr, only for files of known size when stderr is a terminal.
fn progress_bar(size: Option<u64>) -> Option<ProgressBar> {
    let size = size.filter(|&s| s > 64 * 1024 * 1024)?;
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}") {
        bar.set_style(style);
    }
    Some(bar)
}
