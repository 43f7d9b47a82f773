//! `decode` and `validate`: records out as NDJSON/JSON/CSV, findings as lines.

use crate::input::{for_each, Stdout};
use crate::parallel::Text;
use crate::Format;
use eindkomst_core::field::{json_plain, json_text, trim_end, trimmed_len, Latin1, Value};
use eindkomst_core::layout::{FieldDesc, RecordLayout};
use eindkomst_core::{
    Counts, Error, Event, Family, Options, Permute, Piece, RawLine, Record, Shuffle, PERMUTE_LINE, PERMUTE_OUT,
    SHUFFLE_OUT,
};
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// One finding as one line: `error: line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: ...`.
pub fn finding_line(what: &str, e: &Error) -> String {
    format!("{what}: {e}")
}

fn label(event: &Event<'_>) -> Option<(&'static str, Error)> {
    match event {
        Event::Rejected(e) => Some(("rejected", *e)),
        Event::Error(e) => Some(("error", *e)),
        Event::Warning(e) => Some(("warning", *e)),
        _ => None,
    }
}

/// Appends `bytes` (ISO-8859-1) to `out` as a JSON string, copying runs
/// of plain ASCII at once.
pub fn push_json_str(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    if json_plain(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if (0x20..0x80).contains(&b) && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        run = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1F => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            }
            // ISO-8859-1 0x80-0xFF is U+0080-U+00FF: two UTF-8 bytes.
            _ => out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]),
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Whether `bytes` need no escape in a JSON string (no control byte,
/// quote or backslash), and whether some are ISO-8859-1 letters (0x80 and
/// up, two bytes each in UTF-8): one pass without branches.
fn unescaped(bytes: &[u8]) -> (bool, bool) {
    bytes
        .iter()
        .fold((true, false), |(all, high), &b| (all & (b >= 0x20) & (b != b'"') & (b != b'\\'), high | (b >= 0x80)))
}

/// Writes `bytes` (ISO-8859-1) as a JSON string.
pub fn write_json_str(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(bytes.len() + 2);
    push_json_str(&mut buf, bytes);
    out.write_all(&buf)
}

/// Appends `n` in decimal.
pub fn push_number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// The `--raw` contract: `{"line":N,"record":"6001","fields":{"1":"...",...}}`,
/// every field of the layout by number, trailing blanks trimmed, UTF-8.
pub fn push_raw(out: &mut Vec<u8>, r: &Record<'_>) {
    // Any line, each value through `push_json_str`: `decode` tries
    // `put_raw` first and comes here for lines it does not take.
    let mut digits = itoa::Buffer::new();
    for piece in raw_head(r, &mut digits) {
        out.extend_from_slice(piece);
    }
    for (i, (f, raw)) in r.fields().enumerate() {
        let (piece, len) = &FIELD_PIECES[f.no as usize];
        let key = &piece[1..*len as usize - 1]; // `,"N":`
        out.extend_from_slice(&key[usize::from(i == 0)..]);
        push_json_str(out, trim_end(raw));
    }
    out.extend_from_slice(b"}}");
}

/// What comes before the fields: `{"line":N,"record":"K","fields":{`.
fn raw_head<'a>(r: &'a Record<'_>, digits: &'a mut itoa::Buffer) -> [&'a [u8]; 5] {
    [b"{\"line\":", digits.format(r.line()).as_bytes(), b",\"record\":\"", r.key().as_bytes(), b"\",\"fields\":{"]
}

/// A line number's digits, kept from one record to the next: the next
/// line's are the last ones counted on by one in ASCII, nine times in ten
/// in one byte (formatting and copying a number of digits known only at
/// run time was a tenth of `--raw`'s time). The digits are kept as words
/// of 8 and counted on by adding a word that holds a one under the last
/// digit (a byte written and a wider block read back over it right after
/// would wait for that store).
#[derive(Default)]
struct LineDigits {
    n: u64,
    /// The digits, left-aligned, little-endian, 8 to a word.
    words: [u64; 3],
    /// A one under the last digit, in the word that holds it.
    one: [u64; 3],
    /// How many times the last digit can be counted on before it is a 9.
    room: u8,
    len: usize,
}

impl LineDigits {
    /// Writes the digits of `n` at `at` in `dst` (a block of 24 bytes,
    /// room made); returns how many of them count.
    #[inline(always)]
    fn put(&mut self, n: u64, dst: &mut [u8], at: usize) -> usize {
        if self.n.checked_add(1) == Some(n) && self.room > 0 {
            let [a, b, c] = self.words;
            let [x, y, z] = self.one;
            self.words = [a + x, b + y, c + z];
            self.room -= 1;
        } else if self.n.checked_add(1) == Some(n) && self.len > 0 {
            self.carry(n);
        } else if n != self.n || self.len == 0 {
            self.count_from(n);
        }
        self.n = n;
        for (i, w) in self.words.iter().enumerate() {
            put(dst, at + 8 * i, &w.to_le_bytes());
        }
        self.len
    }

    /// The digits of `n`, one more than a number ending in 9: its trailing
    /// 9s become 0s and the digit before them counts on, in the word (every
    /// tenth line; formatting anew was 2 % of `--raw`'s time, and bytes
    /// written and read back as a word would wait for the stores). All 9s,
    /// or more than 8 digits: written anew.
    #[inline(never)]
    fn carry(&mut self, n: u64) {
        let len = self.len; // at least 1: a number was written
        if len > 8 {
            return self.count_from(n);
        }
        let w = self.words[0];
        // A 9 becomes a zero byte, and the last digit the top byte: the
        // leading zero bytes are the trailing 9s.
        let nines = (((w ^ u64::from_ne_bytes([b'9'; 8])) << (64 - 8 * len)).leading_zeros() / 8) as usize;
        if nines >= len {
            return self.count_from(n);
        }
        let first = len - nines; // the first of the trailing 9s (nines >= 1: room was 0)
        let nine_bytes = (u64::MAX >> (64 - 8 * nines)) << (8 * first);
        self.words[0] = (w & !nine_bytes | u64::from_ne_bytes([b'0'; 8]) & nine_bytes) + (1 << (8 * (first - 1)));
        // The last digit is a 0: nine more before the next carry.
        self.room = 9;
    }

    /// The digits of `n`, written out anew (a jump, the first line, a digit more).
    #[cold]
    fn count_from(&mut self, n: u64) {
        let (mut buf, mut block) = (itoa::Buffer::new(), [0u8; 24]);
        let text = buf.format(n).as_bytes();
        if let Some(d) = block.get_mut(..text.len()) {
            d.copy_from_slice(text);
        }
        let last = text.len() - 1;
        let word = |i: usize| u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap_or_default());
        let one = |i: usize| u64::from(last / 8 == i) << (8 * (last % 8));
        self.words = [word(0), word(1), word(2)];
        self.one = [one(0), one(1), one(2)];
        self.room = b'9' - text[last];
        self.len = text.len();
    }
}

/// The most bytes [`put_raw`] writes for a record of `layout` whose line
/// is `len` bytes (checked once per layout, in [`RawLayout::new`]): the
/// head (a line number has at most 20 digits, written as 24), a piece per
/// field, the line's bytes (each ISO-8859-1 letter two in UTF-8), the
/// closing 3, and the 16 a value's copy may run past its end.
fn raw_room(layout: &RecordLayout, len: usize) -> usize {
    const HEAD: usize = 8 + 24 + 11 + 12;
    HEAD + layout.key.len() + layout.fields.len() * PIECE + 2 * len + 3 + LANE
}

/// `r` as `--raw` writes it, into `dst` (at least [`ROOM`] + [`SLACK`]
/// bytes, of which it writes no more than [`raw_room`]): the bytes written,
/// or `None` for a line that needs escaping or more room.
///
/// Most lines need no escape ([`unescaped`]): checked once, then the text
/// fixed for the record's layout ([`RawLayout`], built once) and per field
/// the value as it stands (a value with ISO-8859-1 letters byte by byte,
/// each letter two bytes of UTF-8) and the text after it. Pieces and short
/// values are copied whole, running past what they need (the next piece or
/// the final cut covers it): an exact copy per piece and value, a call to
/// `memcpy` each, was most of this function's time.
#[inline(always)]
fn put_raw(dst: &mut [u8], r: &Record<'_>, raw: &mut RawWriter) -> Option<usize> {
    // Two copies: one for lines the decoder knows to be plain and unpadded
    // (no SIMD pass), one that asks. With the test inside one copy, the
    // compiler spilled a register in the general writer's field loop (a
    // 6000 cost 1,195 instructions, not 1,176).
    if r.known_plain() {
        put_raw_as::<true>(dst, r, raw)
    } else {
        put_raw_as::<false>(dst, r, raw)
    }
}

/// [`put_raw`]; `KNOWN_PLAIN`: the record is [`Record::known_plain`].
#[inline(always)]
fn put_raw_as<const KNOWN_PLAIN: bool>(dst: &mut [u8], r: &Record<'_>, raw: &mut RawWriter) -> Option<usize> {
    let line = r.bytes();
    // A line cut short of its layout (an optional tail) takes the escaping
    // path; so does a layout whose records may need more than the room.
    let fixed = raw.layouts.of(r.layout(), RawLayout::new).filter(|f| f.len == line.len())?;
    // The common line first in one quick pass; the rest in another. Where
    // the layout's lines are written by byte permutes, that pass also finds
    // the blanks (which say how long each trimmed value is).
    let blanks = match (fixed.permutes, KNOWN_PLAIN) {
        (false, _) => None,
        (true, true) => Some(0),
        (true, false) => Permute::plain_blanks(line),
    };
    let (plain, unpadded) = match blanks {
        _ if KNOWN_PLAIN => (true, true),
        Some(blanks) => (true, blanks == 0),
        None => json_text(line),
    };
    let high = if plain {
        false
    } else {
        match unescaped(line) {
            (true, high) => high,
            (false, _) => return None,
        }
    };
    // A fixed size, so that the writes below, each of a fixed size at a
    // place taken modulo the room, need no bounds check (the room is
    // enough: the modulo never moves one).
    let dst = dst.first_chunk_mut::<{ ROOM + SLACK }>()?;
    put_fixed(dst, 0, b"{\"line\":");
    let at = 8 + raw.digits.put(r.line(), dst, 8);
    if let (true, Some((shuffle, n))) = (unpadded, &fixed.shuffle) {
        shuffle.apply(line, dst.get_mut(at..)?.first_chunk_mut::<SHUFFLE_OUT>()?);
        return Some(at + n);
    }
    if let Some((permute, n)) = blanks.and_then(|blanks| fixed.permute(blanks)) {
        permute.apply(line, dst.get_mut(at..)?.first_chunk_mut::<PERMUTE_OUT>()?);
        return Some(at + n);
    }
    let copied = raw.line.fill(line)?;
    if unpadded {
        if let Some(end) = fixed.put_whole(dst, at, copied) {
            return Some(end);
        }
    }
    Some(if high { fixed.put::<true>(dst, at, line, copied) } else { fixed.put::<false>(dst, at, line, copied) })
}

/// What `--raw` keeps from record to record: the line number's digits,
/// and what is fixed in the text of each layout's records.
#[derive(Default)]
pub struct RawWriter {
    digits: LineDigits,
    layouts: PerLayout<RawLayout>,
    line: LineCopy,
}

/// The line being written, copied into a block of fixed size: every
/// value's 16 bytes are read from it at its start without a bounds check,
/// those near the line's end too (what lies past the line is never
/// written out: the text after a value covers it).
struct LineCopy {
    bytes: Box<Copied>,
}

/// The longest line [`LineCopy`] holds: a longer one would need more than
/// [`ROOM`] ([`raw_room`]), so its layout has no [`RawLayout`].
const LINE_MAX: usize = ROOM / 2;

impl Default for LineCopy {
    fn default() -> LineCopy {
        LineCopy { bytes: Box::new([0; LINE_MAX + LANE]) }
    }
}

impl LineCopy {
    /// `line` copied in blocks of 16 (the last one ending with it), or
    /// `None` when it is longer than [`LINE_MAX`].
    #[inline(always)]
    fn fill(&mut self, line: &[u8]) -> Option<&Copied> {
        if line.len() > LINE_MAX {
            return None;
        }
        match line.last_chunk::<LANE>() {
            // Blocks from the start while they end before the line's last
            // 16 bytes, then those (a 6001's 32 bytes: two copies, no loop
            // for the rest).
            Some(last) => {
                let mut at = 0;
                while let Some(block) = line.get(at..at + LANE).filter(|_| at + LANE < line.len()) {
                    put_lane(&mut self.bytes, at, block);
                    at += LANE;
                }
                put_lane(&mut self.bytes, line.len() - LANE, last);
            }
            None => self.bytes[..line.len()].copy_from_slice(line),
        }
        Some(&self.bytes)
    }
}

/// Copies a block of 16 bytes into a [`LineCopy`] at `at` (below [`LINE_MAX`]).
#[inline(always)]
fn put_lane(bytes: &mut Copied, at: usize, block: &[u8]) {
    let at = at % LINE_MAX;
    bytes[at..at + LANE].copy_from_slice(block);
}

/// What [`LineCopy`] holds.
type Copied = [u8; LINE_MAX + LANE];

/// The 16 bytes of a [`LineCopy`] from `at` (below [`LINE_MAX`]).
#[inline(always)]
fn copied_lane(bytes: &Copied, at: u16) -> &[u8; LANE] {
    let at = at as usize % LINE_MAX;
    bytes[at..at + LANE].try_into().unwrap_or(&[0; LANE])
}

/// What a writer built once for each layout seen ([`RawLayout`],
/// [`TextLayout`]), found by record type (a slot per type, the layout
/// itself compared: variants share a type).
struct PerLayout<T> {
    known: Vec<(&'static RecordLayout, Option<T>)>,
    /// By record type modulo 32: an index into `known`, plus one.
    slots: [u16; 32],
}

impl<T> Default for PerLayout<T> {
    fn default() -> PerLayout<T> {
        PerLayout { known: Vec::new(), slots: [0; 32] }
    }
}

impl<T> PerLayout<T> {
    /// The most layouts kept (a family has far fewer).
    const MAX: usize = 1024;

    /// What `build` made of `layout` (the first time it is asked for).
    #[inline(always)]
    fn of(&mut self, layout: &'static RecordLayout, build: fn(&'static RecordLayout) -> Option<T>) -> Option<&mut T> {
        let slot = layout.rec_nr as usize % self.slots.len();
        let i = match self.known.get((self.slots[slot] as usize).wrapping_sub(1)) {
            Some((l, _)) if std::ptr::eq(*l, layout) => self.slots[slot] as usize - 1,
            _ => self.find(layout, slot, build)?,
        };
        self.known.get_mut(i)?.1.as_mut()
    }

    #[cold]
    fn find(
        &mut self,
        layout: &'static RecordLayout,
        slot: usize,
        build: fn(&'static RecordLayout) -> Option<T>,
    ) -> Option<usize> {
        let i = match self.known.iter().position(|(l, _)| std::ptr::eq(*l, layout)) {
            Some(i) => i,
            None if self.known.len() < Self::MAX => {
                self.known.push((layout, build(layout)));
                self.known.len() - 1
            }
            None => return None,
        };
        self.slots[slot] = i as u16 + 1;
        Some(i)
    }
}

/// What `--raw` writes around the values of a layout's records, built once
/// per layout: the text from the line number to the first value, and per
/// field where its value lies and the text after it (the next field's key,
/// or the end). For lines of the layout's whole length.
struct RawLayout {
    /// `,"record":"K","fields":{"N":"` (N: the first field's number).
    head: [u8; HEAD_BYTES],
    head_len: u8,
    /// In line order.
    fields: Vec<RawValue>,
    /// The line length this is for.
    len: usize,
    /// Bytes after the line number of a record none of whose values is
    /// trimmed, when each value fits one copy of 16 bytes: then every value
    /// and piece lies at a place fixed for the layout ([`RawLayout::put_whole`]).
    whole_len: Option<u16>,
    /// The same text in one pass of byte shuffles, and its length, for
    /// lines of 16 to 32 bytes whose text fits one [`Shuffle`] (a 6001's:
    /// its four places copied and its line copied first were a third of
    /// its writing).
    shuffle: Option<(Shuffle, usize)>,
    /// Lines of up to [`PERMUTE_LINE`] bytes are written by byte permutes
    /// (the CPU has them, and their text fits the room): one per pattern
    /// of blanks ([`Permute::plain_blanks`]).
    permutes: bool,
    /// The permutes of the last two patterns built, the newer second.
    placed: [Option<Placed>; 2],
    /// Lines of a pattern not built to let pass before the next is built:
    /// a layout whose lines' blanks change all the time builds one now and
    /// then, not one per line.
    unplaced: u32,
}

const HEAD_BYTES: usize = 48;

/// A [`Permute`] for the lines of a layout whose blanks are `blanks`, and
/// how many bytes it writes.
struct Placed {
    blanks: u128,
    permute: Permute,
    len: usize,
}

/// Lines that pass between two permutes built for one layout.
const UNPLACED: u32 = 64;

/// One value of a [`RawLayout`].
struct RawValue {
    start: u16,
    len: u16,
    /// `","N":"` of the next field, or `"}}` after the last.
    after: [u8; LANE],
    after_len: u8,
    /// Where the value and the text after it start, after the line
    /// number, when no value before it is trimmed.
    whole_at: u16,
    whole_after: u16,
}

impl RawLayout {
    fn new(layout: &'static RecordLayout) -> Option<RawLayout> {
        let len = layout.length as usize;
        if raw_room(layout, len) > ROOM {
            return None;
        }
        let first = layout.fields.first()?;
        if layout.fields.iter().any(|f| f.len == 0 || f.start as usize + f.len as usize > len) {
            return None;
        }
        let (piece, n) = &FIRST_PIECES[first.no as usize];
        let head_text = [b",\"record\":\"", layout.key.as_bytes(), b"\",\"fields\":{", &piece[..*n as usize]].concat();
        let mut head = [0u8; HEAD_BYTES];
        head.get_mut(..head_text.len())?.copy_from_slice(&head_text);
        let mut whole_at = head_text.len();
        let fields = layout.fields.iter().enumerate().map(|(i, f)| {
            let mut after = [0u8; LANE];
            let after_len = match layout.fields.get(i + 1) {
                Some(next) => {
                    let (piece, n) = &FIELD_PIECES[next.no as usize];
                    after[..PIECE].copy_from_slice(piece);
                    *n
                }
                None => {
                    after[..3].copy_from_slice(b"\"}}");
                    3
                }
            };
            let (at, after_at) = (whole_at as u16, (whole_at + f.len as usize) as u16);
            let value = RawValue { start: f.start, len: f.len, after, after_len, whole_at: at, whole_after: after_at };
            whole_at += f.len as usize + after_len as usize;
            value
        });
        let fields: Vec<RawValue> = fields.collect();
        // The text after the line number with no value trimmed: the longest.
        let text_len = fields.last().map(|f| f.whole_at + f.len + f.after_len as u16);
        let whole_len = text_len.filter(|&n| n as usize <= WHOLE && fields.iter().all(|f| f.len as usize <= LANE));
        // Written whole from the line number's end (at most 8 + 20 bytes
        // in), within the room the layout's records are promised; byte
        // shuffles only where the CPU has them (byte by byte they are
        // slower than `put_whole`'s copies).
        let fits = 8 + 20 + SHUFFLE_OUT <= raw_room(layout, len);
        let shuffle = if fits && Shuffle::vectorised() {
            let pieces = fields.iter().flat_map(|f| {
                [Piece::Line { start: f.start, len: f.len }, Piece::Text(&f.after[..f.after_len as usize])]
            });
            let pieces: Vec<Piece<'_>> = [Piece::Text(&head_text)].into_iter().chain(pieces).collect();
            Shuffle::new(len, &pieces)
        } else {
            None
        };
        // A permute for every pattern of blanks: the line and its longest
        // text fit one, and the room the whole of what it writes.
        let permutes = len <= PERMUTE_LINE
            && text_len.is_some_and(|n| n as usize <= PERMUTE_OUT)
            && 8 + 20 + PERMUTE_OUT <= raw_room(layout, len)
            && Permute::vectorised();
        let head_len = head_text.len() as u8;
        Some(RawLayout { head, head_len, fields, len, whole_len, shuffle, permutes, placed: [None, None], unplaced: 0 })
    }

    /// The permute that writes a plain line of this layout whose blanks are
    /// `blanks`: one built for them lately, else one built now (now and
    /// then: [`UNPLACED`]). `None`: write it value by value.
    #[inline(always)]
    fn permute(&mut self, blanks: u128) -> Option<(&Permute, usize)> {
        let at = self.placed.iter().position(|p| p.as_ref().is_some_and(|p| p.blanks == blanks));
        let at = match at {
            Some(at) => at,
            None => self.place(blanks)?,
        };
        self.placed[at].as_ref().map(|p| (&p.permute, p.len))
    }

    /// Builds the permute for lines with `blanks` in place of the older
    /// one (each value trimmed where its last byte that is not a blank
    /// lies); where it went, or `None` while lines must still pass.
    #[cold]
    fn place(&mut self, blanks: u128) -> Option<usize> {
        if self.unplaced > 0 {
            self.unplaced -= 1;
            return None;
        }
        self.unplaced = UNPLACED;
        let trimmed = |f: &RawValue| {
            let field = if f.len >= 128 { u128::MAX } else { (1 << f.len) - 1 };
            let kept = !blanks.checked_shr(u32::from(f.start)).unwrap_or(0) & field;
            (u128::BITS - kept.leading_zeros()) as u16
        };
        let pieces = self.fields.iter().flat_map(|f| {
            [Piece::Line { start: f.start, len: trimmed(f) }, Piece::Text(&f.after[..f.after_len as usize])]
        });
        let head = Piece::Text(&self.head[..self.head_len as usize]);
        let pieces: Vec<Piece<'_>> = [head].into_iter().chain(pieces).collect();
        let (permute, len) = Permute::new(self.len, &pieces)?;
        self.placed.swap(0, 1);
        self.placed[1] = Some(Placed { blanks, permute, len });
        Some(1)
    }

    /// [`RawLayout::put`] for a line with no blank (no value to trim) and
    /// nothing to escape or to write as UTF-8 ([`json_text`]): each value
    /// copied whole at its fixed place, and the text after it. Where it
    /// ends, or `None` for a layout with a value longer than one copy or a
    /// text longer than [`WHOLE`].
    #[inline(always)]
    fn put_whole(&self, dst: &mut Room, at: usize, line: &Copied) -> Option<usize> {
        let whole_len = self.whole_len? as usize;
        // Places below `WHOLE` in a block of `WHOLE + LANE`: no bounds to check per copy.
        let out = dst.get_mut(at..)?.first_chunk_mut::<{ WHOLE + LANE }>()?;
        out[..HEAD_BYTES].copy_from_slice(&self.head);
        for f in &self.fields {
            put_whole_value(out, f, copied_lane(line, f.start));
        }
        Some(at + whole_len)
    }

    /// Writes the record after its line number (at `at`); where it ends.
    /// `HIGH`: some bytes of the line are ISO-8859-1 letters.
    #[inline(always)]
    fn put<const HIGH: bool>(&self, dst: &mut Room, mut at: usize, line: &[u8], copied: &Copied) -> usize {
        put_fixed(dst, at, &self.head);
        at += self.head_len as usize;
        for f in &self.fields {
            at = f.put::<HIGH>(dst, at, line, copied);
        }
        at
    }
}

impl RawValue {
    /// Writes the value (of `line`, read from its copy) and the text
    /// after it at `at`; where they end.
    #[inline(always)]
    fn put<const HIGH: bool>(&self, dst: &mut Room, mut at: usize, line: &[u8], copied: &Copied) -> usize {
        let (start, len) = (self.start as usize, self.len as usize);
        let block = copied_lane(copied, self.start);
        match len {
            // Most values are short, end in a byte that is not a blank and
            // (on a line with ISO-8859-1 letters) hold none.
            1..=LANE if block[(len - 1) % LANE] != b' ' && !(HIGH && block[..len].iter().any(|&b| b >= 0x80)) => {
                put_fixed(dst, at, block);
                at += len;
            }
            // A short value padded with blanks: trimmed in its block.
            1..=LANE if !HIGH => {
                put_fixed(dst, at, block);
                at += trimmed_len(block, len);
            }
            // Up to two blocks (a 6000's 27-byte text, mostly blank): its
            // first and last 16 bytes, overlapping, each trimmed in one compare.
            _ if len <= 2 * LANE && !HIGH => {
                let end = copied_lane(copied, (start + len - LANE) as u16);
                put_fixed(dst, at, block);
                put_fixed(dst, at + len - LANE, end);
                at += match trimmed_len(end, LANE) {
                    0 => trimmed_len(block, len - LANE),
                    kept => len - LANE + kept,
                };
            }
            _ => at = self.put_value::<HIGH>(dst, at, line, block),
        }
        put_fixed(dst, at, &self.after);
        at + self.after_len as usize
    }

    /// [`RawValue::put`]'s value the long way: trimmed byte-wise, letters
    /// as UTF-8; where it ends.
    #[inline(never)]
    fn put_value<const HIGH: bool>(&self, dst: &mut Room, mut at: usize, line: &[u8], block: &[u8; LANE]) -> usize {
        let (start, len) = (self.start as usize, self.len as usize);
        let value = trim_end(line.get(start..start + len).unwrap_or_default());
        if HIGH && value.iter().any(|&b| b >= 0x80) {
            for &b in value {
                if b < 0x80 {
                    put_fixed(dst, at, &[b]);
                    at += 1;
                } else {
                    put_fixed(dst, at, &[0xC0 | b >> 6, 0x80 | (b & 0x3F)]);
                    at += 2;
                }
            }
        } else {
            match value.len() {
                0..=LANE => put_fixed(dst, at, block),
                _ => put(dst, at, value),
            }
            at += value.len();
        }
        at
    }
}

/// A value of [`RawLayout::put_whole`] (its 16 bytes from its start) and
/// the text after it, at their places.
#[inline(always)]
fn put_whole_value(out: &mut [u8; WHOLE + LANE], f: &RawValue, value: &[u8; LANE]) {
    let (at, after) = (f.whole_at as u8 as usize, f.whole_after as u8 as usize);
    out[at..at + LANE].copy_from_slice(value);
    out[after..after + LANE].copy_from_slice(&f.after);
}

/// The longest text after the line number that [`RawLayout::put_whole`]
/// writes (a 6001's is 95 bytes); places below it fit a byte.
const WHOLE: usize = 256;

/// The room [`put_raw`] writes a record into (a record needing more takes
/// the escaping path); a power of two.
const ROOM: usize = 1024;

/// Bytes past [`ROOM`] that no write reaches but that let a fixed-size
/// write at any place below `ROOM` be in bounds without a check: at least
/// the widest piece [`put_fixed`] writes.
const SLACK: usize = 64;

/// What [`put_raw`] writes into.
type Room = [u8; ROOM + SLACK];

/// Copies `bytes` into `out` at `at` (room was made: `at` is below
/// [`ROOM`]). Taken modulo `ROOM`, which `SLACK` makes in bounds: no
/// check, no clamp per copy.
#[inline(always)]
fn put_fixed<const N: usize>(out: &mut Room, at: usize, bytes: &[u8; N]) {
    const { assert!(N <= SLACK) };
    let at = at % ROOM;
    out[at..at + N].copy_from_slice(bytes);
}

/// Copies `bytes` into `out` at `at` (room was made).
fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// Bytes of a piece of [`FIELD_PIECES`]; a value's bytes copied at once.
const PIECE: usize = 9;
const LANE: usize = 16;

/// `","N":"` for every field number `N` (closing quote, comma, key,
/// opening quote), in a fixed array, with its length.
static FIELD_PIECES: [([u8; PIECE], u8); 256] = pieces(true);

/// The same without the closing quote and comma: `"N":"`, for the first field.
static FIRST_PIECES: [([u8; PIECE], u8); 256] = pieces(false);

const fn pieces(after_value: bool) -> [([u8; PIECE], u8); 256] {
    let mut table = [([0u8; PIECE], 0u8); 256];
    let mut no = 0;
    while no < 256 {
        let digits = [b'0' + (no / 100) as u8, b'0' + (no / 10 % 10) as u8, b'0' + (no % 10) as u8];
        let mut d = if no >= 100 {
            0
        } else if no >= 10 {
            1
        } else {
            2
        };
        let piece = &mut table[no].0;
        let mut len = 0;
        if after_value {
            (piece[0], piece[1]) = (b'"', b',');
            len = 2;
        }
        piece[len] = b'"';
        len += 1;
        while d < 3 {
            piece[len] = digits[d];
            (len, d) = (len + 1, d + 1);
        }
        (piece[len], piece[len + 1], piece[len + 2]) = (b'"', b':', b'"');
        table[no].1 = len as u8 + 3;
        no += 1;
    }
    table
}

/// `text` as a CSV field: quoted (quotes doubled) when it holds a comma,
/// a quote or a line end. Written in place, quoted afterwards if need be
/// (rarely): no string per field.
fn csv_field(out: &mut Vec<u8>, text: impl std::fmt::Display) -> io::Result<()> {
    let start = out.len();
    write!(out, "{text}")?;
    if out[start..].iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        let plain = out.split_off(start);
        out.push(b'"');
        for b in plain {
            out.extend_from_slice(if b == b'"' { b"\"\"" } else { std::slice::from_ref(&b) });
        }
        out.push(b'"');
    }
    Ok(())
}

/// A line passed through raw (`--unknown raw`): `{"line":N,"raw":true,"key":"150","bytes":"..."}`.
pub fn write_raw_line(out: &mut impl Write, r: &RawLine<'_>) -> io::Result<()> {
    write!(out, "{{\"line\":{},\"raw\":true,\"key\":", r.line)?;
    write_json_str(out, r.key)?;
    out.write_all(b",\"bytes\":")?;
    write_json_str(out, r.bytes)?;
    out.write_all(b"}")
}

/// CSV in long form: one row per field, so record types of any shape mix.
fn write_csv(out: &mut Vec<u8>, r: &Record<'_>, raw: bool, layouts: &mut PerLayout<TextLayout>) -> io::Result<()> {
    let mut built = None;
    let layout = match layouts.of(r.layout(), TextLayout::kept) {
        Some(layout) => layout,
        // More layouts than are kept: built for this record.
        None => built.insert(TextLayout::new(r.layout())),
    };
    // `line,lb_nr,record,` once, copied for the record's other rows.
    let mut start: Option<std::ops::Range<usize>> = None;
    let mut row = |out: &mut Vec<u8>, f: &FieldDesc| {
        match &start {
            Some(head) => out.extend_from_within(head.clone()),
            None => {
                let at = out.len();
                write!(out, "{},{},{},", r.line(), r.lb_nr(), r.key())?;
                start = Some(at..out.len());
            }
        }
        out.extend_from_slice(layout.csv.get(f.no as usize).map_or(&[][..], |t| t));
        Ok::<_, io::Error>(())
    };
    if raw {
        for (f, bytes) in r.fields() {
            row(out, f)?;
            csv_latin1(out, trim_end(bytes))?;
            out.push(b'\n');
        }
    } else {
        // Typed rows: only fields with a value (no fillers, signs folded into amounts).
        for (f, value, bytes) in r.typed_fields().filter(|(_, v, _)| *v != Value::Absent) {
            row(out, f)?;
            match value {
                Value::Text(text) => csv_latin1(out, text)?,
                // Digits only (or the number would not have been read).
                Value::Number(_) => out.extend_from_slice(bytes),
                value => push_value_text(out, value),
            }
            out.push(b'\n');
        }
    }
    Ok(())
}

/// `bytes` (ISO-8859-1) as a CSV field: as they stand when they are
/// plain ASCII without a comma or a quote, else through [`csv_field`].
fn csv_latin1(out: &mut Vec<u8>, bytes: &[u8]) -> io::Result<()> {
    if bytes.iter().all(|&b| (0x20..0x80).contains(&b) && b != b',' && b != b'"') {
        out.extend_from_slice(bytes);
        return Ok(());
    }
    csv_field(out, Latin1(bytes))
}

/// One record as `decode` writes it: NDJSON (with its line end), a JSON
/// array element (without separator), or CSV rows.
fn record_text(
    out: &mut Vec<u8>,
    r: &Record<'_>,
    format: Format,
    raw: bool,
    layouts: &mut PerLayout<TextLayout>,
) -> io::Result<()> {
    match format {
        Format::Csv => write_csv(out, r, raw, layouts),
        Format::Ndjson | Format::Json => {
            if raw {
                push_raw(out, r);
            } else if !put_typed(out, r, layouts) {
                serde_json::to_writer(&mut *out, r)?;
            }
            if format == Format::Ndjson {
                out.push(b'\n');
            }
            Ok(())
        }
    }
}

/// `r` as typed `decode` writes it in JSON, straight into `out`: the text
/// serde_json writes for it (the record's `Serialize`), without a
/// formatter per value (a typed record cost 4,021 instructions that way).
/// `false`, and nothing written, for a record with a control byte, a quote
/// or a backslash in a name or value: serde_json writes those.
fn put_typed(out: &mut Vec<u8>, r: &Record<'_>, layouts: &mut PerLayout<TextLayout>) -> bool {
    let Some(layout) = layouts.of(r.layout(), TextLayout::kept).and_then(|t| t.json.as_ref()) else {
        return false;
    };
    let start = out.len();
    let written = put_typed_fields(out, r, layout).is_some();
    if !written {
        out.truncate(start);
    }
    written
}

/// [`put_typed`]; `None` where it stopped.
fn put_typed_fields(out: &mut Vec<u8>, r: &Record<'_>, layout: &JsonText) -> Option<()> {
    let mut number = itoa::Buffer::new();
    out.extend_from_slice(b"{\"line\":");
    out.extend_from_slice(number.format(r.line()).as_bytes());
    out.extend_from_slice(b",\"lb_nr\":");
    out.extend_from_slice(number.format(r.lb_nr()).as_bytes());
    out.extend_from_slice(b",\"offset\":");
    out.extend_from_slice(number.format(r.offset()).as_bytes());
    out.extend_from_slice(&layout.head);
    for (i, (f, value, raw)) in r.typed_fields().enumerate() {
        let name = layout.names.get(f.no as usize)?;
        out.extend_from_slice(&name[usize::from(i == 0)..]);
        match value {
            Value::Absent => out.extend_from_slice(b"null"),
            Value::Text(text) => push_latin1_str(out, text)?,
            // Digits only (or the number would not have been read).
            Value::Number(_) => push_quoted(out, raw),
            value => {
                out.push(b'"');
                push_value_text(out, value);
                out.push(b'"');
            }
        }
    }
    out.extend_from_slice(b"}}");
    Some(())
}

/// The text of a date, a time or an amount ([`eindkomst_core::field::ValueText`]'s, without a
/// formatter) appended to `out`; nothing for other values.
fn push_value_text(out: &mut Vec<u8>, value: Value<'_>) {
    let mut put = |s: &str| {
        out.extend_from_slice(s.as_bytes());
        Ok::<_, ()>(())
    };
    let _ = match value {
        Value::Date(d) => d.pieces(&mut put),
        Value::Time(t) => t.pieces(&mut put),
        Value::Decimal(d) => d.pieces(&mut put),
        Value::Absent | Value::Text(_) | Value::Number(_) => Ok(()),
    };
}

/// What `decode` writes of a layout's records besides their values and
/// line numbers, built once per layout. By field number: numbers do not
/// repeat within a layout (the family loader refuses a layout where they do).
struct TextLayout {
    /// None for a layout whose key or a name is not plain ASCII that needs
    /// no escape (serde_json writes its records).
    json: Option<JsonText>,
    /// CSV: per field number, `N,Name,` (the name a CSV field).
    csv: Vec<Vec<u8>>,
}

/// JSON: `,"record":"K","fields":{`, and per field number `,"Name":`.
struct JsonText {
    head: Vec<u8>,
    names: Vec<Vec<u8>>,
}

impl TextLayout {
    /// [`TextLayout::new`], to keep in a [`PerLayout`].
    fn kept(layout: &'static RecordLayout) -> Option<TextLayout> {
        Some(TextLayout::new(layout))
    }

    fn new(layout: &'static RecordLayout) -> TextLayout {
        let numbers = layout.fields.iter().map(|f| f.no as usize + 1).max().unwrap_or(0);
        let mut csv = vec![Vec::new(); numbers];
        for f in layout.fields {
            let mut text = format!("{},", f.no).into_bytes();
            let _ = csv_field(&mut text, f.name);
            text.push(b',');
            csv[f.no as usize] = text;
        }
        let plain = |text: &'static str| json_plain(text.as_bytes()).then_some(text);
        let json = || {
            let head = format!(",\"record\":\"{}\",\"fields\":{{", plain(layout.key)?).into_bytes();
            let mut names = vec![Vec::new(); numbers];
            for f in layout.fields {
                names[f.no as usize] = format!(",\"{}\":", plain(f.name)?).into_bytes();
            }
            Some(JsonText { head, names })
        };
        TextLayout { json: json(), csv }
    }
}

/// `bytes` (ISO-8859-1) as a JSON string, if no byte of it needs an escape.
fn push_latin1_str(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    if json_plain(bytes) {
        push_quoted(out, bytes);
        return Some(());
    }
    unescaped(bytes).0.then(|| push_json_str(out, bytes))
}

/// `bytes` between quotes, as they stand.
fn push_quoted(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
}

/// A raw line (`--unknown raw`) as `decode` writes it.
fn raw_line_text(out: &mut Vec<u8>, line: &RawLine<'_>, format: Format) -> io::Result<()> {
    match format {
        Format::Csv => {
            write!(out, "{},,", line.line)?;
            csv_field(out, Latin1(line.key))?;
            out.extend_from_slice(b",,raw,");
            csv_field(out, Latin1(line.bytes))?;
            out.push(b'\n');
            Ok(())
        }
        Format::Ndjson | Format::Json => {
            write_raw_line(out, line)?;
            if format == Format::Ndjson {
                out.push(b'\n');
            }
            Ok(())
        }
    }
}

/// Between two elements of a JSON array.
const JSON_SEPARATOR: &[u8] = b",\n";

/// Standard output through a buffer that `decode --raw` writes records
/// into in place ([`Out::room`], [`Out::wrote`]); other text is copied in.
struct Out<W: Write> {
    /// Always at its full length (zeroed once): written from the start.
    buf: Vec<u8>,
    at: usize,
    sink: W,
}

/// Buffered bytes written out once there are this many.
const OUT_FLUSH: usize = 1 << 16;

impl<W: Write> Out<W> {
    fn new(sink: W) -> Out<W> {
        Out { buf: vec![0; 2 * OUT_FLUSH], at: 0, sink }
    }

    /// At least `n` bytes to write into, after what is buffered.
    #[inline(always)]
    fn room(&mut self, n: usize) -> io::Result<&mut [u8]> {
        if self.at + n > self.buf.len() {
            self.write_out()?;
            if n > self.buf.len() {
                self.buf.resize(n, 0);
            }
        }
        Ok(self.buf.get_mut(self.at..).unwrap_or_default())
    }

    /// The first `n` bytes of the [`Out::room`] were written.
    #[inline(always)]
    fn wrote(&mut self, n: usize) -> io::Result<()> {
        self.at += n;
        if self.at >= OUT_FLUSH {
            self.write_out()?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> io::Result<()> {
        let at = std::mem::take(&mut self.at);
        self.sink.write_all(self.buf.get(..at).unwrap_or_default())
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.len() >= OUT_FLUSH {
            // Large runs (`--jobs`) go out as they are.
            self.write_out()?;
            return self.sink.write(data);
        }
        let dst = self.room(data.len())?;
        put(dst, 0, data);
        self.wrote(data.len())?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.sink.flush()
    }
}

impl<W: Write> Drop for Out<W> {
    /// As `BufWriter` does: what is buffered is written (errors, where
    /// nobody can hear them, are dropped).
    fn drop(&mut self) {
        let _ = self.write_out();
    }
}

/// `decode`'s output: records and raw lines to stdout (a JSON array needs a
/// comma between elements), findings to stderr. `RAW_NDJSON`: `--raw`
/// NDJSON, known when built, so that a record asks nothing of the format.
struct DecodeOut<W: Write, E: Write, const RAW_NDJSON: bool> {
    out: Out<W>,
    err: E,
    format: Format,
    raw: bool,
    first: bool,
    buf: Vec<u8>,
    /// The last record's line number and the layouts' fixed text (`--raw`).
    raw_writer: RawWriter,
    /// The layouts' fixed text in typed JSON and CSV.
    text_layouts: PerLayout<TextLayout>,
}

impl<W: Write, E: Write, const RAW_NDJSON: bool> DecodeOut<W, E, RAW_NDJSON> {
    /// Writes one element's text, with the separator a JSON array needs.
    fn element(&mut self, text: &[u8]) -> io::Result<()> {
        if self.format == Format::Json && !self.first {
            self.out.write_all(JSON_SEPARATOR)?;
        }
        self.first = false;
        self.out.write_all(text)
    }

    /// A record as `--raw` NDJSON or JSON writes it, straight into the
    /// output buffer (no scratch, no copy): `None` when it takes the
    /// general way (escapes, or more room: [`DecodeOut::event`]).
    #[inline(always)]
    fn raw_record(&mut self, r: &Record<'_>) -> Option<io::Result<()>> {
        if !RAW_NDJSON && (!self.raw || !matches!(self.format, Format::Ndjson | Format::Json)) {
            return None;
        }
        // The separator of a JSON array's elements and NDJSON's line end
        // are written always and counted when wanted (else the record or
        // the next one writes over them).
        let ndjson = RAW_NDJSON || self.format == Format::Ndjson;
        let sep = if ndjson || self.first { 0 } else { JSON_SEPARATOR.len() };
        let dst = match self.out.room(JSON_SEPARATOR.len() + ROOM + SLACK) {
            Ok(dst) => dst,
            Err(e) => return Some(Err(e)),
        };
        if !RAW_NDJSON {
            put(dst, 0, JSON_SEPARATOR);
        }
        let n = dst.get_mut(sep..).and_then(|dst| put_raw(dst, r, &mut self.raw_writer))?;
        put(dst, sep + n, b"\n");
        // Only once written: a record that takes the general way is the
        // first element there.
        if !RAW_NDJSON {
            self.first = false;
        }
        Some(self.out.wrote(sep + n + usize::from(ndjson)))
    }

    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        if let Some((what, e)) = label(&event) {
            return writeln!(self.err, "{}", finding_line(what, &e));
        }
        match event {
            Event::Record(r) => self.record(&r),
            event => self.text(event),
        }
    }

    /// A record: `--raw` straight into the output, else its text.
    #[inline(always)]
    fn record(&mut self, r: &Record<'_>) -> io::Result<()> {
        self.raw_record(r).unwrap_or_else(|| self.text(Event::Record(*r)))
    }

    /// The text of a record the general way, or of a raw line, as an element.
    fn text(&mut self, event: Event<'_>) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        match event {
            Event::Record(r) => record_text(&mut buf, &r, self.format, self.raw, &mut self.text_layouts)?,
            Event::Raw(line) => raw_line_text(&mut buf, &line, self.format)?,
            _ => {}
        }
        if !buf.is_empty() {
            self.element(&buf)?;
        }
        self.buf = buf;
        Ok(())
    }
}

/// `decode --jobs`: the workers write each record's text (`RAW_NDJSON`
/// as in [`DecodeOut`]).
struct DecodePre<const RAW_NDJSON: bool> {
    format: Format,
    raw: bool,
}

/// What a `decode --jobs` thread keeps from record to record: the line
/// number's digits (`--raw`), the layouts' fixed text in typed JSON and
/// CSV, and a buffer for that text.
#[derive(Default)]
pub struct RawScratch {
    raw: RawWriter,
    text_layouts: PerLayout<TextLayout>,
    text: Vec<u8>,
}

impl<const RAW_NDJSON: bool> crate::parallel::Pre for DecodePre<RAW_NDJSON> {
    type Acc = RawScratch;

    /// Inlined into the workers' wider build ([`crate::parallel`]).
    #[inline(always)]
    fn pre(&self, r: &Record<'_>, out: &mut Text, scratch: &mut RawScratch) {
        // A JSON array's elements each with the separator before them (the
        // first element's is cut off in order), so that runs of them are
        // written at once.
        if !RAW_NDJSON && self.format == Format::Json {
            out.extend_from_slice(JSON_SEPARATOR);
        }
        if RAW_NDJSON || self.raw && self.format != Format::Csv {
            // In place, with NDJSON's line end written always and counted when wanted.
            let room = out.room(ROOM + SLACK);
            if let Some(n) = put_raw(room, r, &mut scratch.raw) {
                put(room, n, b"\n");
                out.wrote(n + usize::from(RAW_NDJSON || self.format == Format::Ndjson));
                return;
            }
        }
        // Writing to a Vec cannot fail; a record serde cannot write would
        // also fail in order, where the error is reported.
        scratch.text.clear();
        let _ = record_text(&mut scratch.text, r, self.format, self.raw, &mut scratch.text_layouts);
        out.extend_from_slice(&scratch.text);
    }
}

impl<W: Write, E: Write, const RAW_NDJSON: bool> crate::parallel::Sink<RawScratch> for DecodeOut<W, E, RAW_NDJSON> {
    fn accepted(&mut self, text: &[u8]) -> io::Result<()> {
        let text = match text.strip_prefix(JSON_SEPARATOR) {
            Some(rest) if self.format == Format::Json && self.first => rest,
            _ => text,
        };
        self.first = false;
        self.out.write_all(text)
    }

    fn undo(&mut self, _: &Record<'_>) {}

    fn event(&mut self, e: Event<'_>) -> io::Result<()> {
        DecodeOut::event(self, e)
    }

    #[inline(always)]
    fn record(&mut self, r: &Record<'_>) -> io::Result<()> {
        DecodeOut::record(self, r)
    }

    fn merge(&mut self, _: RawScratch) {}
}

/// `eindkomst decode`. Returns whether the input was clean (no rejection, no error).
pub fn decode(path: &Path, opts: Options, format: Format, raw: bool, jobs: usize) -> Result<bool, String> {
    if raw && format == Format::Ndjson {
        decode_as::<true>(path, opts, format, raw, jobs)
    } else {
        decode_as::<false>(path, opts, format, raw, jobs)
    }
}

/// [`decode`], `RAW_NDJSON` as in [`DecodeOut`].
fn decode_as<const RAW_NDJSON: bool>(
    path: &Path,
    opts: Options,
    format: Format,
    raw: bool,
    jobs: usize,
) -> Result<bool, String> {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut d = DecodeOut::<_, _, RAW_NDJSON> {
        out: Out::new(stdout.lock()),
        err: stderr.lock(),
        format,
        raw,
        first: true,
        buf: Vec::with_capacity(512),
        raw_writer: RawWriter::default(),
        text_layouts: PerLayout::default(),
    };
    if format == Format::Json {
        d.out.write_all(b"[").map_err(|e| e.to_string())?;
    } else if format == Format::Csv {
        d.out.write_all(b"line,lb_nr,record,field_no,field_name,value\n").map_err(|e| e.to_string())?;
    }
    let counts = if parallel(path, &opts, jobs) {
        crate::parallel::decode_file(
            path,
            opts,
            jobs,
            Stdout::Streams,
            &DecodePre::<RAW_NDJSON> { format, raw },
            &mut d,
        )?
    } else {
        // A record straight to `--raw`'s writer (no event dispatch per record).
        for_each(path, opts, Stdout::Streams, &mut d)?
    };
    if format == Format::Json {
        d.out.write_all(b"]\n").map_err(|e| e.to_string())?;
    }
    d.out.flush().map_err(|e| e.to_string())?;
    Ok(clean(&counts))
}

/// Whether `--jobs` applies: a file (not stdin, not Base64) and more than one thread.
pub fn parallel(path: &Path, opts: &Options, jobs: usize) -> bool {
    jobs > 1 && path != Path::new("-") && !opts.base64
}

fn clean(c: &Counts) -> bool {
    c.rejected == 0 && c.errors == 0
}

/// A record type's key as the family writes it (`6001`, `120`).
pub fn key_text(family: &Family, rec_nr: u16) -> String {
    family.get(rec_nr).map_or_else(|| rec_nr.to_string(), |l| l.key.to_string())
}

/// The counts as lines: totals, then one line per record type seen.
pub fn summary(c: &Counts, family: &Family) -> String {
    let mut s = format!(
        "lines {}, decoded {}, rejected {}, warnings {}, errors {}",
        c.lines, c.decoded, c.rejected, c.warnings, c.errors
    );
    if c.raw > 0 {
        s += &format!(", passed raw {}", c.raw);
    }
    if c.suppressed > 0 {
        s += &format!(", suppressed {}", c.suppressed);
    }
    for t in c.by_type.iter().filter(|t| t.decoded + t.rejected > 0) {
        s += &format!("\n  {}: decoded {}, rejected {}", key_text(family, t.rec_nr), t.decoded, t.rejected);
    }
    if c.rejected_untyped > 0 {
        s += &format!("\n  ????: rejected {}", c.rejected_untyped);
    }
    s
}

/// `validate`'s output: findings only.
struct Findings<W: Write>(W);

impl<W: Write> Findings<W> {
    fn event(&mut self, event: Event<'_>) -> io::Result<()> {
        match label(&event) {
            Some((what, e)) => writeln!(self.0, "{}", finding_line(what, &e)),
            None => Ok(()),
        }
    }
}

/// `validate --jobs`: nothing to do per clean record.
struct NoWork;

impl crate::parallel::Pre for NoWork {
    type Acc = ();
    const WORK: bool = false;

    fn pre(&self, _: &Record<'_>, _: &mut Text, _: &mut ()) {}
}

impl<W: Write> crate::parallel::Sink<()> for Findings<W> {
    fn accepted(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn undo(&mut self, _: &Record<'_>) {}

    fn event(&mut self, e: Event<'_>) -> io::Result<()> {
        Findings::event(self, e)
    }

    /// Nothing to do for a clean record.
    #[inline(always)]
    fn record(&mut self, _: &Record<'_>) -> io::Result<()> {
        Ok(())
    }

    fn merge(&mut self, _: ()) {}
}

/// `eindkomst validate`: every finding on one line, then the summary.
pub fn validate(path: &Path, opts: Options, jobs: usize) -> Result<bool, String> {
    let stdout = io::stdout();
    let mut f = Findings(BufWriter::new(stdout.lock()));
    let counts = if parallel(path, &opts, jobs) {
        crate::parallel::decode_file(path, opts, jobs, Stdout::Streams, &NoWork, &mut f)?
    } else {
        for_each(path, opts, Stdout::Streams, &mut f)?
    };
    let mut out = f.0;
    let ok = clean(&counts);
    writeln!(out, "{}\n{}", summary(&counts, opts.family), if ok { "clean" } else { "NOT clean" })
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::{csv_field, push_raw, put_raw, raw_room, LineDigits, PerLayout, RawWriter, ROOM, SLACK};
    use eindkomst_core::{Decoder, Encoding, Event, Options};

    /// A CSV field is quoted, its quotes doubled, when it holds a comma, a
    /// quote or a line end, and written as it stands otherwise.
    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        let field = |text: &str| {
            let mut out = b"x,".to_vec();
            csv_field(&mut out, text).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(field("Køge"), "x,Køge");
        assert_eq!(field("a\"b,c"), "x,\"a\"\"b,c\"");
        assert_eq!(field("two\nlines"), "x,\"two\nlines\"");
        assert_eq!(field("cr\r"), "x,\"cr\r\"");
        assert_eq!(field(""), "x,");
    }

    /// Writes every record of `input` in place ([`put_raw`], into room
    /// filled with a marker byte) and through the escaping path; returns how
    /// many were plain. They must agree byte for byte, and the in-place
    /// write must stay inside [`raw_room`].
    fn put_raw_agrees(opts: Options, input: &[u8]) -> (usize, usize) {
        let (mut seen, mut raw) = ((0, 0), RawWriter::default());
        each_record(opts, input, |r| {
            let (mut want, mut got) = (Vec::new(), vec![0xEEu8; ROOM + SLACK]);
            push_raw(&mut want, r);
            seen.0 += 1;
            if let Some(n) = put_raw(&mut got, r, &mut raw) {
                assert_eq!(String::from_utf8_lossy(&got[..n]), String::from_utf8_lossy(&want), "line {}", r.line());
                assert!(
                    got[raw_room(r.layout(), r.bytes().len())..].iter().all(|&b| b == 0xEE),
                    "line {}: past the room",
                    r.line()
                );
                seen.1 += 1;
            }
        });
        seen
    }

    /// Every record `input` decodes to, in turn, through the batch loop as
    /// the CLI decodes (its runs' records are `known_plain`).
    fn each_record(opts: Options, input: &[u8], mut f: impl FnMut(&eindkomst_core::Record<'_>)) {
        let (mut dec, mut rest) = (Decoder::new(opts), input);
        loop {
            let (event, used) = dec.decode_records(rest, |r| f(&r));
            rest = &rest[used..];
            match event {
                Event::Record(r) => f(&r),
                Event::NeedInput => break,
                _ => {}
            }
        }
    }

    /// A layout whose records may need more than the room takes the
    /// escaping path, decided once for the layout; others beside it do not.
    #[test]
    fn a_layout_past_the_room_takes_the_escaping_path() {
        use eindkomst_core::{layout::RecordLayout, layout::EMPLOYER, Record};
        let base = EMPLOYER.get(6001).unwrap();
        let mut fields = base.fields.to_vec();
        let widen = 600 - base.length;
        fields.last_mut().unwrap().len += widen;
        let long: &'static RecordLayout =
            Box::leak(Box::new(RecordLayout { length: 600, fields: Box::leak(fields.into_boxed_slice()), ..*base }));
        assert!(super::raw_room(long, 600) > ROOM && super::raw_room(base, base.length as usize) <= ROOM);
        let mut raw = RawWriter::default();
        let mut got = vec![0u8; ROOM + SLACK];
        for round in 0..2 {
            let line = vec![b'1'; 600];
            let r = Record::from_parts(long, &line, 1, 0, 0, 2).unwrap();
            assert_eq!(put_raw(&mut got, &r, &mut raw), None, "{round}");
            let line = vec![b'1'; base.length as usize];
            let r = Record::from_parts(base, &line, 2, 0, 0, 2).unwrap();
            let mut want = Vec::new();
            push_raw(&mut want, &r);
            let n = put_raw(&mut got, &r, &mut raw).expect("in the room");
            assert_eq!(got[..n], want[..], "{round}");
        }
    }

    /// Counting on in ASCII gives the number's digits: runs across every
    /// carry to seven digits, jumps back and forth, repeats, the extremes.
    #[test]
    fn line_digits_count_on_in_ascii() {
        let mut digits = LineDigits::default();
        let mut asked = 0;
        let mut check = |n: u64| {
            let mut block = [0u8; 24];
            let len = digits.put(n, &mut block, 0);
            assert_eq!(&block[..len], n.to_string().as_bytes(), "{n}");
            asked += 1;
        };
        let extremes = [5, 5, 999, 1, 0, 0, u64::MAX, u64::MAX, 0, 1, 10, 9, 10, 99_999_999, 100_000_000, 100_000_001];
        // Carries of 8 digits (one word, the top byte the last digit) and of 9 and more.
        let wide = (19_999_900..=20_001_000u64).chain(99_999_990..=100_000_010).chain(999_999_990..=1_000_000_010);
        for n in (0..=1_000_100u64).chain(extremes).chain(wide) {
            check(n);
        }
        assert_eq!(asked, 1_000_117 + 1_101 + 21 + 21);
    }

    /// Layouts of one record type (variants), and of types sharing a slot
    /// (2001 and 6001), each get their own fixed text, built once.
    #[test]
    fn raw_layouts_tell_layouts_apart() {
        use eindkomst_core::{layout::EMPLOYER, Record};
        let variant = EMPLOYER.variants.iter().find(|v| v.rec_nr == 6000).expect("a 6000 variant");
        let layouts = [EMPLOYER.get(6000).unwrap(), variant, EMPLOYER.get(2001).unwrap(), EMPLOYER.get(6001).unwrap()];
        let mut raw = RawWriter::default();
        for round in 0..3 {
            for (k, layout) in layouts.iter().enumerate() {
                // Digits with blanks here and there (values to trim), and a letter.
                let bytes: Vec<u8> = (0..layout.length as usize)
                    .map(|i| match (i + round + k) % 9 {
                        3 | 4 => b' ',
                        7 => b'X',
                        d => b'0' + d as u8,
                    })
                    .collect();
                let r = Record::from_parts(layout, &bytes, 10 + k as u64, 0, 0, 2).unwrap();
                let (mut want, mut got) = (Vec::new(), vec![0xEEu8; ROOM + SLACK]);
                push_raw(&mut want, &r);
                let n = put_raw(&mut got, &r, &mut raw).expect("plain");
                assert_eq!(String::from_utf8_lossy(&got[..n]), String::from_utf8_lossy(&want), "{k} {round}");
            }
        }
        assert_eq!(raw.layouts.known.len(), 4);
    }

    /// A value of 17 to 32 bytes (a 6000's 27-byte text) is trimmed in
    /// its first and last blocks: every place its last byte that is not a
    /// blank may stand, with blanks before it or not.
    #[test]
    fn values_of_two_blocks_are_trimmed_as_the_escaping_path_trims() {
        use eindkomst_core::{layout::EMPLOYER, Record};
        let layout = EMPLOYER.get(6000).unwrap();
        let text = layout.fields.iter().find(|f| f.len == 27).unwrap();
        let (at, len) = (text.start as usize, text.len as usize);
        let (mut raw, mut got) = (RawWriter::default(), vec![0u8; ROOM + SLACK]);
        for last in 0..=len {
            for fill in [b'x', b' '] {
                let mut line = vec![b'1'; layout.length as usize];
                line[at..at + len].fill(b' ');
                line[at..at + last].fill(fill);
                if let Some(b) = last.checked_sub(1) {
                    line[at + b] = b'z';
                }
                let r = Record::from_parts(layout, &line, 1, 0, 0, 2).unwrap();
                let mut want = Vec::new();
                push_raw(&mut want, &r);
                let n = put_raw(&mut got, &r, &mut raw).expect("in the room");
                assert_eq!(String::from_utf8_lossy(&got[..n]), String::from_utf8_lossy(&want), "{last} {fill}");
            }
        }
        // The last: blanks kept before the last byte that is not one.
        assert!(String::from_utf8_lossy(&got).contains(&format!("\"{}z\"", " ".repeat(26))));
    }

    /// A line with no blank (most lines: a 6001's) is written with every
    /// value at its layout's fixed place ([`RawLayout::put_whole`]), as
    /// [`RawLayout::put`] writes it; a layout with a value longer than one
    /// copy (a 6000's 27-byte TIN) is not. Lines under 16 bytes and values
    /// at the line's end from the demo family.
    #[test]
    fn a_line_without_blanks_is_written_whole() {
        let demo = eindkomst::family::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/families/demo.json"
        )))
        .unwrap();
        let files: [(Options, &[u8], usize); 2] = [
            (Options::default(), SAMPLE, 16),
            (Options { family: demo, ..Options::default() }, include_bytes!("../../testdata/families/demo.txt"), 6),
        ];
        for (opts, input, want) in files {
            let mut whole = 0;
            each_record(opts, input, |r| {
                let (line, raw) = (r.bytes(), super::RawLayout::new(r.layout()).unwrap());
                let json_text = eindkomst_core::field::json_text;
                let (mut got, mut by_field) = ([0xEEu8; ROOM + SLACK], [0xEEu8; ROOM + SLACK]);
                let mut copy = super::LineCopy::default();
                let copied = copy.fill(line).unwrap();
                match raw.put_whole(&mut got, 5, copied) {
                    Some(n) if json_text(line).1 => {
                        let m = raw.put::<false>(&mut by_field, 5, line, copied);
                        assert_eq!(String::from_utf8_lossy(&got[5..n]), String::from_utf8_lossy(&by_field[5..m]));
                        whole += 1;
                    }
                    _ => assert!(!json_text(line).1 || raw.whole_len.is_none(), "line {}", r.line()),
                }
            });
            assert_eq!(whole, want);
        }
        let tin = eindkomst_core::layout::EMPLOYER.get(6000).unwrap();
        assert!(super::RawLayout::new(tin).unwrap().whole_len.is_none());
    }

    /// Typed JSON written straight ([`put_typed`]) is the text serde_json
    /// writes for the record, byte for byte; records it declines (a quote
    /// and a backslash in a text, names not plain ASCII) are left to
    /// serde_json with nothing written. Returns (records, written straight).
    fn put_typed_agrees(opts: Options, input: &[u8]) -> (usize, usize) {
        let (mut seen, mut typed) = ((0, 0), PerLayout::default());
        each_record(opts, input, |r| {
            let want = serde_json::to_vec(r).unwrap();
            let mut got = b"before".to_vec();
            seen.0 += 1;
            if super::put_typed(&mut got, r, &mut typed) {
                assert_eq!(String::from_utf8_lossy(&got[6..]), String::from_utf8_lossy(&want), "line {}", r.line());
                seen.1 += 1;
            } else {
                assert_eq!(got, b"before", "line {}", r.line());
            }
        });
        seen
    }

    const SAMPLE: &[u8] = include_bytes!("../../testdata/sample.txt");

    /// The sample with the text `januar` (in a record's text field) replaced.
    fn sample_with(text: &[u8; 6]) -> Vec<u8> {
        let mut sample = SAMPLE.to_vec();
        let at = sample.windows(6).position(|w| w == b"januar").unwrap_or_default();
        sample[at..at + 6].copy_from_slice(text);
        sample
    }

    #[test]
    fn put_typed_writes_what_serde_json_writes() {
        assert_eq!(put_typed_agrees(Options::default(), SAMPLE), (27, 27));
        // ISO-8859-1 letters in a text: written straight, as UTF-8.
        let latin1 = Options { encoding: Encoding::Latin1, ..Options::default() };
        assert_eq!(put_typed_agrees(latin1, &sample_with(b"K\xf8ge\xe6s")), (27, 27));
        // A quote and a backslash: serde_json's record.
        assert_eq!(put_typed_agrees(Options::default(), &sample_with(b"\"ja\\n\"")), (27, 26));
        // 3,000 generated lines: every kind of value (dates, amounts with
        // their signs, quantities, blanks) in every record type.
        let mut generated = Vec::new();
        let spec = crate::generate::Spec { records: 3000, seed: 5, errors: 0.0, crlf: false };
        crate::generate::write(&spec, &mut generated).unwrap();
        assert_eq!(put_typed_agrees(Options::default(), &generated), (3000, 3000));
        // A family of its own, and the same with a name in UTF-8 letters
        // (its records are serde_json's, the others' still straight).
        let demo = include_bytes!("../../testdata/families/demo.txt");
        let json = include_str!("../../testdata/families/demo.json");
        for (json, straight) in [(json.to_string(), 10), (json.replace("\"Leverancedato\"", "\"Leverancedåto\""), 9)] {
            let path = std::env::temp_dir().join(format!("eindkomst-typed-{}-{straight}.json", std::process::id()));
            std::fs::write(&path, json).unwrap();
            let family = eindkomst::family::load(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(put_typed_agrees(Options { family, ..Options::default() }, demo), (10, straight));
        }
    }

    /// A layout that says its lines go by byte permutes builds one for
    /// every pattern of blanks: for none (the longest text) in every
    /// layout of the employer family, and for all blanks. Where the CPU has
    /// byte permutes; elsewhere no layout says so.
    #[test]
    fn every_layout_that_permutes_builds_its_permutes() {
        use super::{RawLayout, PERMUTE_LINE};
        let mut permuting = Vec::new();
        for layout in eindkomst_core::EMPLOYER.records {
            let Some(mut raw) = RawLayout::new(layout) else { continue };
            assert_eq!(raw.permutes, raw.permutes && eindkomst_core::Permute::vectorised());
            if raw.permutes {
                assert!(raw.len <= PERMUTE_LINE);
                assert!(raw.place(0).is_some(), "{}", layout.rec_nr);
                raw.unplaced = 0; // else the next pattern waits its turn
                assert!(raw.place(u128::MAX).is_some(), "{}", layout.rec_nr);
                permuting.push(layout.rec_nr);
            }
        }
        // Lines of up to 128 bytes whose text may need more than a shuffle's
        // room: the employer family's 3101, 5000 and 6000.
        let want: &[u16] = if eindkomst_core::Permute::vectorised() { &[3101, 5000, 6000] } else { &[] };
        assert_eq!(permuting, want);
    }

    #[test]
    fn put_raw_writes_what_the_escaping_path_writes() {
        assert_eq!(put_raw_agrees(Options::default(), SAMPLE), (27, 27));
        // A quote and a backslash in a text: the escaping path's line.
        assert_eq!(put_raw_agrees(Options::default(), &sample_with(b"\"ja\\n\"")), (27, 26));
        // Generated lines: runs of 6001s (known plain, byte shuffles where the
        // CPU has them), padded 6000s, the other types; CRLF too.
        for crlf in [false, true] {
            let (mut generated, spec) =
                (Vec::new(), crate::generate::Spec { records: 3000, seed: 7, errors: 0.0, crlf });
            crate::generate::write(&spec, &mut generated).unwrap();
            assert_eq!(put_raw_agrees(Options::default(), &generated), (3000, 3000));
        }
        // 6000s whose employee number (field 6, bytes 37..52) is trimmed to
        // a length of its own on each line in turn, 15 patterns of blanks:
        // permutes built, reused, replaced, and lines written value by value
        // between two builds (where the CPU has byte permutes).
        let (mut generated, spec) =
            (Vec::new(), crate::generate::Spec { records: 3000, seed: 7, errors: 0.0, crlf: false });
        crate::generate::write(&spec, &mut generated).unwrap();
        let mut varied = Vec::new();
        for (i, line) in generated.split_inclusive(|&b| b == b'\n').enumerate() {
            let mut line = line.to_vec();
            if line.get(7..11) == Some(b"6000") {
                let number = format!("{:<15}", format!("E{}", "7".repeat(i % 15)));
                line[37..52].copy_from_slice(number.as_bytes());
            }
            varied.extend_from_slice(&line);
        }
        assert_ne!(varied, generated);
        assert_eq!(put_raw_agrees(Options::default(), &varied), (3000, 3000));
        // A family with lines under 16 bytes, and values at the line's end.
        let family = eindkomst::family::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/families/demo.json"
        )))
        .unwrap();
        let demo = include_bytes!("../../testdata/families/demo.txt");
        assert_eq!(put_raw_agrees(Options { family, ..Options::default() }, demo), (10, 10));
    }
}
