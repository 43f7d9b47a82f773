//! Layout tooling for the people who transcribe a family's layout (KOMBIT's
//! data attachment for SF0770_E, say) into a family file:
//!
//! - `layout infer SAMPLE...` prints a draft family file: per record key the
//!   line lengths seen, per column the classes of bytes seen, and fields cut
//!   where the classes change. A draft to correct, not a layout to trust.
//! - `layout check FAMILY SAMPLE...` decodes the samples with a family file
//!   and reports the fit per record type and field; exit 0 only when every
//!   line decodes and the stream has no errors.
//! - `detect FILE...` says what each file is.

use crate::output::key_text;
use eindkomst_core::detect::{detect, FileKind};
use eindkomst_core::field;
use eindkomst_core::{Decoder, Error, ErrorKind, Event, Family, Options};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the key (and line number) sit in the samples, or their separator.
#[derive(Clone, Debug)]
pub struct Shape {
    /// 0-based start and length of the record key (field index for separated samples).
    pub key: (usize, usize),
    /// 0-based start and length of a running line number, if any.
    pub line_number: Option<(usize, usize)>,
    /// Field separator of separated samples.
    pub separator: Option<u8>,
}

/// `START:LEN` (1-based start) as a 0-based pair.
pub fn parse_span(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(':').ok_or(format!("{s}: START:LEN"))?;
    match (a.parse::<usize>(), b.parse::<usize>()) {
        (Ok(a), Ok(b)) if a >= 1 && b >= 1 => Ok((a - 1, b)),
        _ => Err(format!("{s}: START:LEN, 1-based, both at least 1")),
    }
}

/// Byte classes seen in one column (or one separated field).
#[derive(Clone, Copy, Default, Debug)]
struct Seen {
    digit: u64,
    letter: u64,
    blank: u64,
    other: u64,
    absent: u64,
    first: Option<u8>,
    constant: bool,
}

impl Seen {
    fn add(&mut self, b: Option<u8>) {
        let Some(b) = b else {
            self.absent += 1;
            return;
        };
        match b {
            b'0'..=b'9' => self.digit += 1,
            b' ' => self.blank += 1,
            b'A'..=b'Z' | b'a'..=b'z' | 0xC0..=0xFF => self.letter += 1,
            _ => self.other += 1,
        }
        match self.first {
            None => {
                self.first = Some(b);
                self.constant = true;
            }
            Some(f) => self.constant &= f == b,
        }
    }

    /// One character per column: `9` digits, `0` digits or blank, `A`
    /// letters (with blanks or punctuation), `X` mixed text with digits,
    /// `=` one constant byte, `_` always blank, `.` absent in some lines.
    fn class(&self) -> char {
        let present = self.digit + self.letter + self.blank + self.other;
        if present == 0 {
            return '.';
        }
        if self.constant && self.blank == 0 && present > 1 {
            return '=';
        }
        match (self.digit > 0, self.letter + self.other > 0, self.blank > 0) {
            (_, _, true) if self.digit + self.letter + self.other == 0 => '_',
            (true, false, false) => '9',
            (true, false, true) => '0',
            (false, true, _) => 'A',
            _ => 'X',
        }
    }
}

/// Lines of one record key.
#[derive(Default)]
struct Group {
    lines: u64,
    lengths: BTreeMap<usize, u64>,
    columns: Vec<Seen>,
    /// For separated samples: the values of each field, for date guesses.
    dates_ok: Vec<bool>,
}

fn lines_of(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).filter(|l| !l.is_empty())
}

/// Reads the samples: one group per record key (the key as it stands).
fn gather(samples: &[PathBuf], shape: &Shape) -> Result<(BTreeMap<String, Group>, Vec<String>), String> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut firsts = Vec::new();
    for path in samples {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, line) in lines_of(&bytes).enumerate() {
            let parts: Vec<&[u8]> = match shape.separator {
                Some(s) => line.split(|&b| b == s).collect(),
                None => Vec::new(),
            };
            let key = match shape.separator {
                Some(_) => parts.get(shape.key.0).copied().unwrap_or(&[]),
                None => line.get(shape.key.0..shape.key.0 + shape.key.1).unwrap_or(&[]),
            };
            let key = field::Latin1(key).to_string();
            if i == 0 {
                firsts.push(key.clone());
            }
            let g = groups.entry(key).or_default();
            g.lines += 1;
            match shape.separator {
                Some(_) => {
                    *g.lengths.entry(parts.len()).or_default() += 1;
                    if g.columns.len() < parts.len() {
                        g.columns.resize(parts.len(), Seen::default());
                        g.dates_ok.resize(parts.len(), true);
                    }
                    for (j, seen) in g.columns.iter_mut().enumerate() {
                        match parts.get(j) {
                            Some(p) => {
                                p.iter().for_each(|&b| seen.add(Some(b)));
                                if p.is_empty() {
                                    seen.add(Some(b' '));
                                }
                                g.dates_ok[j] &= p.is_empty() || (p.len() == 8 && field::parse_date(p).is_some());
                            }
                            None => seen.add(None),
                        }
                    }
                }
                None => {
                    *g.lengths.entry(line.len()).or_default() += 1;
                    if g.columns.len() < line.len() {
                        g.columns.resize(line.len(), Seen { absent: g.lines - 1, ..Seen::default() });
                    }
                    for (j, seen) in g.columns.iter_mut().enumerate() {
                        seen.add(line.get(j).copied());
                    }
                }
            }
        }
    }
    Ok((groups, firsts))
}

/// Cuts a fixed-width group into candidate fields: runs of one class,
/// blanks after text joined to the text (padding).
fn candidate_fields(g: &Group, shape: &Shape, bytes_of: &dyn Fn(usize, usize) -> bool) -> Vec<Value> {
    let classes: Vec<char> = g.columns.iter().map(Seen::class).collect();
    let min_len = g.lengths.keys().next().copied().unwrap_or(0);
    let structural = |p: usize| {
        let in_span = |s: (usize, usize)| p >= s.0 && p < s.0 + s.1;
        in_span(shape.key) || shape.line_number.is_some_and(in_span)
    };
    // What a run of columns is: digits, text (blanks inside it are spaces or
    // padding), blanks, constants, absent.
    let kind = |p: usize| match classes[p] {
        '9' | '0' => 'D',
        'A' | 'X' => 'T',
        '=' if g.columns[p].first.is_some_and(|b| b.is_ascii_digit()) => 'D',
        '=' => 'T',
        other => other,
    };
    let mut cuts = vec![0usize];
    let mut run = if classes.is_empty() { '.' } else { kind(0) };
    for p in 1..classes.len() {
        let next = kind(p);
        let span_edge = structural(p) != structural(p - 1)
            || [Some(shape.key.0), shape.line_number.map(|n| n.0)].contains(&Some(p))
            || [Some(shape.key.0 + shape.key.1), shape.line_number.map(|n| n.0 + n.1)].contains(&Some(p));
        let tail_edge = p == min_len && min_len < classes.len();
        let same = next == run || (run == 'T' && next == '_');
        if span_edge || tail_edge || !same {
            cuts.push(p);
            run = next;
        }
    }
    cuts.push(classes.len());
    // A long run of digits that starts with a date: the date is a field of its own.
    let mut i = 0;
    while i + 1 < cuts.len() {
        let (start, end) = (cuts[i], cuts[i + 1]);
        let digits = (start..end).all(|p| kind(p) == 'D');
        if digits && end - start > 8 && !structural(start) && bytes_of(start, start + 8) {
            cuts.insert(i + 1, start + 8);
        }
        i += 1;
    }
    let mut fields = Vec::new();
    for (no, w) in cuts.windows(2).enumerate() {
        let (start, end) = (w[0], w[1]);
        let run: String = classes[start..end].iter().collect();
        let numeric = run.chars().all(|c| matches!(c, '9' | '0' | '='))
            && g.columns[start..end].iter().all(|s| s.letter + s.other == 0);
        let mut f = json!({
            "no": no + 1,
            "name": format!("Felt_{}", no + 1),
            "start": start + 1,
            "len": end - start,
            "type": if numeric { "N" } else { "A" },
            "mandatory": "?",
            "classes": run,
        });
        if start == shape.key.0 && end - start == shape.key.1 {
            f["name"] = "Rec".into();
            f["role"] = "record_key".into();
            f["mandatory"] = "J".into();
        } else if shape.line_number.is_some_and(|n| n.0 == start && n.1 == end - start) {
            f["name"] = "Lb_nr".into();
            f["role"] = "line_number".into();
            f["mandatory"] = "J".into();
        } else if numeric && end - start == 8 && bytes_of(start, end) {
            f["format"] = "date".into();
        }
        if start >= min_len {
            f["tail"] = true.into();
        }
        fields.push(f);
    }
    fields
}

/// `eindkomst layout infer`: a draft family file on stdout.
pub fn infer(samples: &[PathBuf], shape: &Shape) -> Result<bool, String> {
    let (groups, firsts) = gather(samples, shape)?;
    let mut records = Map::new();
    for (key, g) in &groups {
        let lengths: Map<String, Value> = g.lengths.iter().map(|(l, n)| (l.to_string(), (*n).into())).collect();
        let fields: Vec<Value> = match shape.separator {
            Some(_) => {
                let min = g.lengths.keys().next().copied().unwrap_or(0);
                g.columns
                    .iter()
                    .enumerate()
                    .map(|(j, s)| {
                        let class = s.class();
                        let numeric = s.letter + s.other == 0 && s.digit > 0;
                        let mut f = json!({
                            "no": j + 1, "name": if j == shape.key.0 { "Rec".to_string() } else { format!("Felt_{}", j + 1) },
                            "len": 1, "type": if numeric { "N" } else { "A" }, "mandatory": "?", "classes": class.to_string(),
                        });
                        if j == shape.key.0 {
                            f["role"] = "record_key".into();
                        }
                        if numeric && g.dates_ok[j] && s.digit > 0 {
                            f["format"] = "date".into();
                        }
                        if j >= min {
                            f["tail"] = true.into();
                        }
                        f
                    })
                    .collect()
            }
            None => {
                let bytes = std::fs::read(&samples[0]).unwrap_or_default();
                let dates = |start: usize, end: usize| {
                    lines_of(&bytes)
                        .filter(|l| l.get(shape.key.0..shape.key.0 + shape.key.1) == Some(key.as_bytes()))
                        .filter_map(|l| l.get(start..end))
                        .all(|v| field::is_blank(v) || field::parse_date(v).is_some())
                };
                candidate_fields(g, shape, &dates)
            }
        };
        let mut rec = json!({ "name": format!("Record {key} (draft)"), "fields": fields, "lines_seen": g.lines, "lengths_seen": lengths });
        if shape.separator.is_none() {
            rec["length"] = g.columns.len().into();
        }
        records.insert(key.clone(), rec);
    }
    // Separated fields' lengths: the longest value seen.
    if shape.separator.is_some() {
        let maxima = max_field_lengths(samples, shape)?;
        for (key, rec) in records.iter_mut() {
            for f in rec["fields"].as_array_mut().into_iter().flatten() {
                let j = f["no"].as_u64().unwrap_or(1) as usize - 1;
                f["len"] = maxima.get(&(key.clone(), j)).copied().unwrap_or(1).max(1).into();
            }
        }
    }
    let mut family = json!({
        "name": "draft",
        "description": "DRAFT inferred from samples by `eindkomst layout infer`: check every field against the family's documentation, name the fields, give roles, the grammar, first/last records; see docs/layouts.md",
    });
    family["key"] = match shape.separator {
        Some(_) => json!({ "field": shape.key.0 + 1, "len": shape.key.1 }),
        None => json!({ "start": shape.key.0 + 1, "len": shape.key.1 }),
    };
    if let Some((s, l)) = shape.line_number {
        family["line_number"] = json!({ "start": s + 1, "len": l });
    }
    if let Some(sep) = shape.separator {
        family["separator"] = (sep as char).to_string().into();
    }
    if !firsts.is_empty() && firsts.iter().all(|f| *f == firsts[0]) {
        family["first"] = firsts[0].clone().into();
    }
    let doc = json!({ "family": family, "records": records });
    println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
    eprintln!("classes: 9 digits, 0 digits or blank, A text, X text with digits, = constant, _ blank, . absent (tail)");
    Ok(true)
}

fn max_field_lengths(samples: &[PathBuf], shape: &Shape) -> Result<BTreeMap<(String, usize), usize>, String> {
    let sep = shape.separator.unwrap_or(b'\'');
    let mut max = BTreeMap::new();
    for path in samples {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for line in lines_of(&bytes) {
            let parts: Vec<&[u8]> = line.split(|&b| b == sep).collect();
            let key = field::Latin1(parts.get(shape.key.0).copied().unwrap_or(&[])).to_string();
            for (j, p) in parts.iter().enumerate() {
                let m = max.entry((key.clone(), j)).or_insert(0);
                *m = (*m).max(p.len());
            }
        }
    }
    Ok(max)
}

/// How well a family fits the samples.
#[derive(Default)]
struct Fit {
    /// Per record type: decoded, rejected.
    types: BTreeMap<u16, (u64, u64)>,
    /// Per (record, field no, field name, kind): count and first line.
    fields: BTreeMap<(u16, u8, &'static str, &'static str), (u64, u64)>,
    /// Per kind of finding without a field (line, stream): count and first line.
    other: BTreeMap<(Option<u16>, &'static str), (u64, u64)>,
    raw: u64,
    stream_errors: u64,
    /// What the samples look like when they are not in the family.
    looks_like: Option<&'static str>,
}

impl Fit {
    fn finding(&mut self, e: &Error) {
        match e.kind {
            ErrorKind::PassedRaw => return, // counted as raw lines
            ErrorKind::WrongFamily { detected } => {
                self.looks_like = Some(detected.describe());
                return;
            }
            _ => {}
        }
        match (e.record, e.field) {
            (Some(r), Some(f)) => {
                let slot = self.fields.entry((r, f.no, f.name, e.kind.code())).or_insert((0, e.line));
                slot.0 += 1;
            }
            _ => {
                let slot = self.other.entry((e.record, e.kind.code())).or_insert((0, e.line));
                slot.0 += 1;
            }
        }
    }
}

/// `eindkomst layout check`: the fit of a family file to samples.
pub fn check(family: &'static Family, samples: &[PathBuf]) -> Result<bool, String> {
    let mut fit = Fit::default();
    let mut lines = 0;
    for path in samples {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let opts = Options { family, unknown: eindkomst_core::Unknown::Raw, ..Options::default() };
        let mut dec = Decoder::new(opts);
        let mut input = &bytes[..];
        let on = |ev: Event<'_>, fit: &mut Fit| match ev {
            Event::Record(r) => fit.types.entry(r.record_type()).or_default().0 += 1,
            Event::Raw(_) => fit.raw += 1,
            Event::Rejected(e) => {
                if let Some(r) = e.record {
                    fit.types.entry(r).or_default().1 += 1;
                }
                fit.finding(&e);
            }
            Event::Error(e) => {
                fit.stream_errors += 1;
                fit.finding(&e);
            }
            Event::Warning(e) => fit.finding(&e),
            Event::NeedInput | Event::End => {}
        };
        loop {
            let (ev, used) = dec.decode(input);
            input = &input[used..];
            if matches!(ev, Event::NeedInput | Event::End) {
                break;
            }
            on(ev, &mut fit);
        }
        loop {
            let ev = dec.finish();
            if ev == Event::End {
                break;
            }
            on(ev, &mut fit);
        }
        lines += dec.counts().lines;
    }
    if let Some(what) = fit.looks_like {
        println!("the samples are not in this family: they look like {what}");
    }
    let decoded: u64 = fit.types.values().map(|t| t.0).sum();
    let rejected: u64 = fit.types.values().map(|t| t.1).sum();
    println!("family {}: {lines} lines in {} file(s)", family.name, samples.len());
    for (rec, (d, r)) in &fit.types {
        let mark = if *r == 0 { "ok" } else { "MISFIT" };
        println!("  {:>6}: {d} decoded, {r} rejected  {mark}", key_text(family, *rec));
    }
    if fit.raw > 0 {
        println!("  unknown record keys: {} lines (no layout in the family)", fit.raw);
    }
    if !fit.fields.is_empty() {
        println!("fields:");
        for ((rec, no, name, kind), (n, first)) in &fit.fields {
            println!("  {} field {no} {name}: {kind} x{n} (first at line {first})", key_text(family, *rec));
        }
    }
    for ((rec, kind), (n, first)) in &fit.other {
        let rec = rec.map_or("-".to_string(), |r| key_text(family, r));
        println!("  record {rec}: {kind} x{n} (first at line {first})");
    }
    let full = rejected == 0 && fit.raw == 0 && fit.stream_errors == 0 && decoded > 0;
    println!("{}", if full { "full fit" } else { "NOT a full fit" });
    Ok(full)
}

/// `eindkomst detect`: what each file is, seen from the given families
/// (the employer family first).
pub fn detect_files(files: &[PathBuf], families: &[&'static Family]) -> Result<bool, String> {
    for path in files {
        let mut head = vec![0u8; 4096];
        let n = {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            f.read(&mut head).map_err(|e| format!("{}: {e}", path.display()))?
        };
        head.truncate(n);
        let found = families.iter().find(|f| detect(&head, f) == FileKind::ThisFamily);
        match found {
            Some(f) => println!("{}: family {}", path.display(), f.name),
            None => println!("{}: {}", path.display(), detect(&head, families[0]).describe()),
        }
    }
    Ok(true)
}
