//! Owned events: a [`Batch`] keeps a run of events in input order, every
//! line's bytes copied into one text buffer. It is `Send`, so batches
//! decoded on worker threads can be written in order by another (a CLI's
//! `--jobs N`), and reusable: [`Batch::clear`] keeps its memory, so a loop
//! that refills one batch allocates nothing per record.

use crate::session::{Event, Finding, Sink};
use eindkomst_core::filter::Pseudonym;
use eindkomst_core::layout::RecordLayout;
use eindkomst_core::{RawLine, Record};

/// What an item is, beside its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Record { layout: &'static RecordLayout, amount_scale: u8, pseudonym: Option<Pseudonym> },
    Raw { key_start: u16, key_len: u16, lb_nr: Option<u32> },
    Finding(Finding),
}

/// One event, its bytes in the batch text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Item {
    kind: Kind,
    start: u32,
    len: u32,
    line: u64,
    lb_nr: u32,
    offset: u64,
}

/// Events in input order, owned. See the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    items: Vec<Item>,
    text: Vec<u8>,
    limit: Option<usize>,
}

impl Batch {
    /// An empty batch without a limit.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// An empty batch that takes at most `limit` events (at least 16).
    pub fn with_limit(limit: usize) -> Batch {
        Batch { items: Vec::with_capacity(limit.min(1 << 16)), text: Vec::new(), limit: Some(limit.max(16)) }
    }

    /// Forgets the events, keeping the memory.
    pub fn clear(&mut self) {
        self.items.clear();
        self.text.clear();
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `i`-th event.
    pub fn get(&self, i: usize) -> Option<Event<'_>> {
        self.items.get(i).map(|item| self.event(item))
    }

    /// The events in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Event<'_>> + '_ {
        self.items.iter().map(|item| self.event(item))
    }

    /// Every line's bytes, back to back, in event order.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    fn event(&self, item: &Item) -> Event<'_> {
        let bytes = self.text.get(item.start as usize..(item.start + item.len) as usize).unwrap_or_default();
        match item.kind {
            Kind::Record { layout, amount_scale, pseudonym } => {
                // The bytes came from a record of this layout, so this cannot fail.
                let record = Record::from_parts(layout, bytes, item.line, item.lb_nr, item.offset, amount_scale);
                match record {
                    Some(record) => Event::Record { record, pseudonym },
                    None => unreachable!("a batch keeps whole records"),
                }
            }
            Kind::Raw { key_start, key_len, lb_nr } => Event::Raw(RawLine {
                key: bytes.get(key_start as usize..(key_start + key_len) as usize).unwrap_or_default(),
                bytes,
                line: item.line,
                lb_nr,
                offset: item.offset,
            }),
            Kind::Finding(f) => Event::Finding(f),
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        (start, bytes.len() as u32)
    }
}

impl Sink for Batch {
    fn room(&self) -> usize {
        self.limit.map_or(usize::MAX, |l| l.saturating_sub(self.items.len()))
    }

    fn event(&mut self, event: Event<'_>) {
        let item = match event {
            Event::Record { record, pseudonym } => {
                let (start, len) = self.push_bytes(record.bytes());
                Item {
                    kind: Kind::Record { layout: record.layout(), amount_scale: record.amount_scale(), pseudonym },
                    start,
                    len,
                    line: record.line(),
                    lb_nr: record.lb_nr(),
                    offset: record.offset(),
                }
            }
            Event::Raw(raw) => {
                // The key is a part of the line (the core slices it out of it).
                let key_start = (raw.key.as_ptr() as usize).saturating_sub(raw.bytes.as_ptr() as usize);
                let (start, len) = self.push_bytes(raw.bytes);
                Item {
                    kind: Kind::Raw { key_start: key_start as u16, key_len: raw.key.len() as u16, lb_nr: raw.lb_nr },
                    start,
                    len,
                    line: raw.line,
                    lb_nr: raw.lb_nr.unwrap_or(0),
                    offset: raw.offset,
                }
            }
            Event::Finding(f) => {
                Item { kind: Kind::Finding(f), start: 0, len: 0, line: f.error.line, lb_nr: 0, offset: f.error.offset }
            }
        };
        self.items.push(item);
    }
}
