//! Record families loaded at run time from JSON, so a new family is data,
//! not code. The same reading generates the built-in employer family
//! (`core/tests/layout_json.rs`). The format is described in
//! `docs/layouts.md`.
//!
//! The decoder borrows families for `'static`. A process loads a family once
//! and keeps it, so leaking it is the simple, correct owner; [`parse`] and
//! [`load`] return the family already loaded for the same text, so loading
//! one file again (a host that makes a decoder per message) costs no memory.
//! A text that fails leaks nothing; its error is kept too, so trying the
//! same text again costs nothing more.
//!
//! [`check`] is the same reading without the leak: every check of [`parse`],
//! into owned values ([`Checked`]) that are dropped like any other (for
//! fuzzers and validators that read many texts). [`parse`] is [`check`] plus
//! the leak and the cache. Errors are masked like every face's
//! ([`crate::mask_cpr_like`]): a text that echoes a key or a name never
//! carries a CPR-like number.

use eindkomst_core::decoder::MAX_LINE;
use eindkomst_core::layout::{
    code_key, CodePattern, Condition, Family, FieldDesc, FieldType, Format, Mandatory, Placement, RecordLayout, Role,
    Span, Trailer, ValueSet, VariantRule,
};
use serde_json::{Map, Value};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// Most record types in one family (the decoder's count slots).
pub const MAX_RECORD_TYPES: usize = 32;
/// Most layouts (record types plus variants) in one family.
pub const MAX_LAYOUTS: usize = 40;
/// Highest field number (filters keep fields in 64-bit sets).
pub const MAX_FIELD_NO: u64 = 63;

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Vec::leak(v)
}

fn leak_str(s: &str) -> &'static str {
    String::leak(s.to_owned())
}

/// A value set as read; [`OwnedSet::leak`] makes the decoder's [`ValueSet`].
struct OwnedSet {
    name: String,
    codes: Vec<String>,
    keys: Vec<u64>,
    patterns: Vec<CodePattern>,
    closed: bool,
    numbers: Vec<u64>,
}

impl OwnedSet {
    fn leak(self) -> &'static ValueSet {
        Box::leak(Box::new(ValueSet {
            name: leak_str(&self.name),
            codes: leak(self.codes.iter().map(|c| leak_str(c)).collect()),
            keys: leak(self.keys),
            patterns: leak(self.patterns),
            closed: self.closed,
            numbers: leak(self.numbers),
        }))
    }
}

fn value_set(name: &str, set: &Value) -> Result<OwnedSet, String> {
    let mut codes = Vec::new();
    let mut patterns = Vec::new();
    for v in set["values"].as_array().into_iter().flatten() {
        match v["code"].as_str() {
            Some("ISO 3166-1 alpha-2") => patterns.push(CodePattern::CountryCode),
            Some("YYYY") => patterns.push(CodePattern::Year),
            // No field value is empty; and `code_key` of an empty code overflowed its shift (a panic in
            // debug builds; found by the family_json fuzz target, fuzz/regressions/family_json/empty-code).
            Some("") => return Err(format!("value set {name:?}: an empty code")),
            Some(code) => codes.push(code.to_owned()),
            None => {}
        }
    }
    codes.sort_unstable();
    codes.dedup();
    let keys = if codes.iter().all(|c| c.len() <= 8) {
        codes.iter().map(|c| code_key(c.as_bytes())).collect()
    } else {
        Vec::new()
    };
    let strs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let numbers = eindkomst_core::layout::number_bits(&strs).map_or(Vec::new(), |b| b.to_vec());
    Ok(OwnedSet {
        name: name.to_owned(),
        codes,
        keys,
        patterns,
        closed: set["closed"].as_bool().unwrap_or(false),
        numbers,
    })
}

/// A field as read: `desc` without its name and value set (`""`, `None`),
/// which [`OwnedField::leak`] fills in.
struct OwnedField {
    desc: FieldDesc,
    name: String,
    values: Option<OwnedSet>,
}

impl OwnedField {
    fn leak(self) -> FieldDesc {
        FieldDesc { name: leak_str(&self.name), values: self.values.map(OwnedSet::leak), ..self.desc }
    }
}

/// A record layout as read: `layout` without its texts and fields, which
/// [`OwnedLayout::leak`] fills in.
struct OwnedLayout {
    layout: RecordLayout,
    key: String,
    variant: String,
    name: String,
    fields: Vec<OwnedField>,
}

impl OwnedLayout {
    fn leak(self) -> RecordLayout {
        RecordLayout {
            key: leak_str(&self.key),
            variant: leak_str(&self.variant),
            name: leak_str(&self.name),
            fields: leak(self.fields.into_iter().map(OwnedField::leak).collect()),
            ..self.layout
        }
    }

    fn field_named(&self, name: &str) -> Option<&FieldDesc> {
        self.fields.iter().find(|f| f.name == name).map(|f| &f.desc)
    }
}

/// A placement as read: `placement` without its lists.
struct OwnedPlacement {
    placement: Placement,
    parents: Vec<u16>,
    identity: Vec<Role>,
}

/// A variant rule as read: `layout` is the index of its layout in the
/// records, then the variants (the rule shares the layout's variant name).
struct OwnedRule {
    rec_nr: u16,
    when: Condition,
    layout: usize,
}

/// A family document read and checked by [`check`], owning its parts:
/// what [`parse`] leaks into a `&'static Family`.
pub struct Checked {
    /// Everything but the name and the lists.
    family: Family,
    name: String,
    records: Vec<OwnedLayout>,
    variants: Vec<OwnedLayout>,
    grammar: Vec<OwnedPlacement>,
    rules: Vec<OwnedRule>,
}

impl Checked {
    /// The family's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Each layout (current layouts, then variants): record type, variant
    /// name, length and fields, in the family's order.
    pub fn layouts(&self) -> impl Iterator<Item = (u16, &str, u16, usize)> {
        self.records
            .iter()
            .chain(&self.variants)
            .map(|l| (l.layout.rec_nr, l.variant.as_str(), l.layout.length, l.fields.len()))
    }

    /// Leaks it into the family the decoder borrows (see module docs).
    fn leak(self) -> &'static Family {
        let records = leak(self.records.into_iter().map(OwnedLayout::leak).collect());
        let variants = leak(self.variants.into_iter().map(OwnedLayout::leak).collect());
        let grammar = self
            .grammar
            .into_iter()
            .map(|g| Placement { parents: leak(g.parents), identity: leak(g.identity), ..g.placement })
            .collect();
        let layouts: Vec<&RecordLayout> = records.iter().chain(variants).collect();
        let rules = self
            .rules
            .iter()
            .map(|r| VariantRule { rec_nr: r.rec_nr, when: r.when, variant: layouts[r.layout].variant })
            .collect();
        Box::leak(Box::new(Family {
            name: leak_str(&self.name),
            records,
            variants,
            grammar: leak(grammar),
            variant_rules: leak(rules),
            ..self.family
        }))
    }
}

/// How the family's lines are split, as far as reading a record needs it.
struct Shape {
    separated: bool,
}

fn field(f: &Value, sets: &Map<String, Value>, rec: &str, start: u16, shape: &Shape) -> Result<OwnedField, String> {
    let err = |what: &str| format!("record {rec}: field {}: {what}", f["no"]);
    let num = |key: &str| f[key].as_u64().ok_or_else(|| err(&format!("missing {key}")));
    let name = f["name"].as_str().ok_or_else(|| err("missing name"))?;
    let role = match f["role"].as_str() {
        None => Role::None,
        Some(r) => Role::from_name(r).ok_or_else(|| err(&format!("unknown role {r:?}")))?,
    };
    let set_name = f["value_set"].as_str();
    let format = if f["filler"].as_bool() == Some(true) {
        Format::Filler
    } else if set_name == Some("fortegn") || role == Role::Sign {
        Format::Sign
    } else {
        match f["format"].as_str() {
            None => Format::Plain,
            Some("date") => Format::Date,
            Some("time") => Format::Time,
            Some("amount16") | Some("amount") => Format::Amount,
            Some("qty8") | Some("qty4") => Format::Quantity(2),
            Some("quantity") => {
                let d = f["decimals"].as_u64().ok_or_else(|| err("a quantity needs \"decimals\""))?;
                Format::Quantity(u8::try_from(d).ok().filter(|d| *d <= 16).ok_or_else(|| err("decimals > 16"))?)
            }
            Some(other) => return Err(err(&format!("unknown format {other:?}"))),
        }
    };
    let values = match (set_name, f.get("values")) {
        (Some(n), _) if sets.contains_key(n) => Some(value_set(n, &sets[n])?),
        (Some(n), None) => return Err(err(&format!("unknown value set {n:?}"))),
        (_, Some(inline)) => {
            let codes: Vec<Value> =
                inline.as_array().into_iter().flatten().map(|c| serde_json::json!({ "code": c })).collect();
            Some(value_set(set_name.unwrap_or(name), &serde_json::json!({ "values": codes, "closed": true }))?)
        }
        _ => None,
    };
    let no = num("no")?;
    if no == 0 || no > MAX_FIELD_NO {
        return Err(err(&format!("field numbers run 1-{MAX_FIELD_NO}")));
    }
    let len = u16::try_from(num("len")?).ok().filter(|l| *l > 0).ok_or_else(|| err("len must be 1 or more"))?;
    // A separated family's fields have no fixed place in the line; their
    // canonical place follows from the lengths.
    if !shape.separated {
        let given = num("start")?.checked_sub(1).ok_or_else(|| err("start is 1-based"))?;
        if given != start as u64 {
            return Err(format!("record {rec}: field {no} starts at {} but {} was expected", given + 1, start + 1));
        }
    }
    let ty = match f["type"].as_str() {
        Some("N") => FieldType::Numeric,
        Some("A") => FieldType::Alpha,
        _ => return Err(err("type must be \"N\" or \"A\"")),
    };
    let desc = FieldDesc {
        no: no as u8,
        name: "",
        start,
        len,
        ty,
        format,
        mandatory: match f["mandatory"].as_str() {
            Some("J") => Mandatory::Yes,
            Some("N") => Mandatory::No,
            Some("(J)") => Mandatory::Conditional,
            Some("J?") => Mandatory::ThirdParty,
            _ => Mandatory::Unknown,
        },
        values: None,
        personal: role == Role::Cpr || f["personal"].as_bool() == Some(true),
        role,
        tail: f["tail"].as_bool() == Some(true),
    };
    Ok(OwnedField { desc, name: name.to_owned(), values })
}

/// The key of a record in the file: digits, as wide as the family's key.
fn rec_key(key: &str, width: usize, separated: bool) -> Result<u16, String> {
    let digits = !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit());
    let wide = if separated { key.len() <= width } else { key.len() == width };
    match key.parse::<u16>() {
        Ok(n) if digits && wide => Ok(n),
        _ if separated => Err(format!("record key {key:?}: must be 1-{width} digits (at most 65535)")),
        _ => Err(format!("record key {key:?}: must be {width} digits (at most 65535)")),
    }
}

fn record(key: &str, r: &Value, sets: &Map<String, Value>, fam: &Family, shape: &Shape) -> Result<OwnedLayout, String> {
    let (rec, variant) = key.split_once('@').unwrap_or((key, ""));
    let rec_nr = rec_key(rec, fam.key.len as usize, shape.separated)?;
    let mut fields = Vec::new();
    let mut next = 0u16;
    for f in r["fields"].as_array().ok_or(format!("record {key}: no fields"))? {
        let desc = field(f, sets, key, next, shape)?;
        next = next.checked_add(desc.desc.len).ok_or(format!("record {key}: too long"))?;
        fields.push(desc);
    }
    let length = next;
    if length as usize > MAX_LINE {
        return Err(format!("record {key}: length {length} exceeds {MAX_LINE}"));
    }
    if !shape.separated {
        let stated = r["length"].as_u64().ok_or(format!("record {key}: no length"))?;
        if stated != length as u64 {
            return Err(format!("record {key}: fields cover {length} bytes but the length is {stated}"));
        }
    }
    let layout = OwnedLayout {
        layout: RecordLayout { rec_nr, key: "", variant: "", name: "", length, fields: &[] },
        key: rec.to_owned(),
        variant: variant.to_owned(),
        name: r["name"].as_str().unwrap_or(rec).split(" (").next().unwrap_or(rec).to_owned(),
        fields,
    };
    check_record(&layout, fam, shape)?;
    Ok(layout)
}

/// What every layout of a family must agree on.
fn check_record(l: &OwnedLayout, fam: &Family, shape: &Shape) -> Result<(), String> {
    let fields: Vec<&FieldDesc> = l.fields.iter().map(|f| &f.desc).collect();
    let name = if l.variant.is_empty() { l.key.to_string() } else { format!("{}@{}", l.key, l.variant) };
    let mut nos: Vec<u8> = fields.iter().map(|f| f.no).collect();
    nos.sort_unstable();
    if nos.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("record {name}: field numbers repeat"));
    }
    let key_field = fields.iter().position(|f| f.role == Role::RecordKey);
    let at = |i: Option<usize>| i.and_then(|i| fields.get(i));
    if shape.separated {
        if key_field != Some(0) {
            return Err(format!("record {name}: the first field of a separated record is its key (role record_key)"));
        }
        if let Some(n) = fam.line_number {
            let lf = fields.iter().position(|f| f.role == Role::LineNumber);
            if lf != Some(n.start as usize) {
                return Err(format!("record {name}: field {} must be the line number", n.start + 1));
            }
        }
    } else {
        let kf = at(key_field).ok_or(format!("record {name}: no field with role record_key"))?;
        if kf.start != fam.key.start || kf.len != fam.key.len {
            return Err(format!(
                "record {name}: the record key field must sit at {}-{} like the family's key",
                fam.key.start + 1,
                fam.key.start + fam.key.len
            ));
        }
        if let Some(n) = fam.line_number {
            let lf = at(fields.iter().position(|f| f.role == Role::LineNumber))
                .ok_or(format!("record {name}: no field with role line_number"))?;
            if lf.start != n.start || lf.len != n.len {
                return Err(format!(
                    "record {name}: the line number field must sit at {}-{}",
                    n.start + 1,
                    n.start + n.len
                ));
            }
        }
    }
    if let Some(t) = fields.iter().position(|f| f.tail) {
        if fields[t..].iter().any(|f| !f.tail) {
            return Err(format!("record {name}: only the last fields may be a tail"));
        }
        if fields[..t].iter().any(|f| matches!(f.role, Role::RecordKey | Role::LineNumber)) && t == 0 {
            return Err(format!("record {name}: the key cannot be in the tail"));
        }
    }
    for role in [Role::Cpr, Role::Se, Role::SenderSe, Role::PersonSe, Role::PeriodStart, Role::PeriodEnd] {
        if fields.iter().filter(|f| f.role == role).count() > 1 {
            return Err(format!("record {name}: more than one field with role {}", role.name()));
        }
    }
    for (i, f) in fields.iter().enumerate() {
        if f.format == Format::Sign && f.len != 1 {
            return Err(format!("record {name}: sign field {} must be 1 byte", f.no));
        }
        let signed = matches!(f.format, Format::Amount | Format::Quantity(_)) || f.role == Role::Count;
        if signed && f.ty != FieldType::Numeric {
            return Err(format!("record {name}: field {} ({}) must be numeric", f.no, f.role.name()));
        }
        if matches!(f.format, Format::Amount | Format::Quantity(_))
            && fields.get(i + 1).is_none_or(|s| s.format != Format::Sign)
        {
            return Err(format!("record {name}: amount/quantity field {} needs a sign field after it", f.no));
        }
    }
    Ok(())
}

fn span(v: &Value, what: &str, separated: bool) -> Result<Span, String> {
    if separated {
        let field = v["field"].as_u64().ok_or(format!("family {what}: a separated family gives {{\"field\": N}}"))?;
        let len = v["len"].as_u64().unwrap_or(9);
        return match (u16::try_from(field), u16::try_from(len)) {
            (Ok(f), Ok(l)) if f >= 1 && l >= 1 => Ok(Span { start: f - 1, len: l }),
            _ => Err(format!("family {what}: bad field or len")),
        };
    }
    let start = v["start"].as_u64().ok_or(format!("family {what}: needs start (1-based) and len"))?;
    let len = v["len"].as_u64().ok_or(format!("family {what}: needs len"))?;
    match (u16::try_from(start), u16::try_from(len)) {
        (Ok(s), Ok(l)) if s >= 1 && l >= 1 && (s + l) as usize <= MAX_LINE => Ok(Span { start: s - 1, len: l }),
        _ => Err(format!("family {what}: bad start or len")),
    }
}

fn date(v: &Value, what: &str) -> Result<u32, String> {
    let s = v.as_str().ok_or(format!("{what}: a date \"YYYY-MM-DD\""))?;
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    eindkomst_core::field::parse_date(digits.as_bytes())
        .map(|d| d.yyyymmdd())
        .ok_or(format!("{what}: {s:?} is not a date"))
}

/// Texts read so far and what they gave. A list, not a hash map: a process
/// loads a handful of families, and a hash table's interior pointers would
/// make leak checkers (valgrind) call every loaded family "possibly lost".
type Loaded = Vec<(String, Result<&'static Family, String>)>;

fn loaded() -> &'static Mutex<Loaded> {
    static LOADED: OnceLock<Mutex<Loaded>> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// Parses a family document (see `docs/layouts.md`) into a family that
/// lives for the rest of the process (see module docs). The error says what
/// is wrong and where (record, field), never a value of a record.
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/families/employer.json");
/// let family = eindkomst::family::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
/// assert_eq!(family.get(6001).unwrap().length, 32);
/// assert_eq!(family.placement(6001).unwrap().parents, &[6000]);
/// // The same text gives the same family.
/// assert!(std::ptr::eq(family, eindkomst::family::load(path).unwrap()));
/// ```
pub fn parse(text: &str) -> Result<&'static Family, String> {
    let mut loaded = loaded().lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, result)) = loaded.iter().find(|(t, _)| t == text) {
        return result.clone();
    }
    let result = check(text).map(Checked::leak);
    loaded.push((text.to_owned(), result.clone()));
    result
}

/// Reads and parses the family file at `path`; errors start with the path.
pub fn load(path: impl AsRef<Path>) -> Result<&'static Family, String> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads and checks a family document like [`parse`], into owned values
/// that leak nothing: every check of [`parse`] runs (it is [`parse`] without
/// the leak and the cache).
///
/// ```
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/families/demo.json");
/// let checked = eindkomst::family::check(&std::fs::read_to_string(path).unwrap()).unwrap();
/// assert_eq!(checked.name(), "demo");
/// let err = eindkomst::family::check(r#"{"family": {"name": "x", "key": {"start": 1, "len": 4}, "first": "0101604321"}}"#);
/// assert_eq!(err.err().unwrap(), "record key \"**********\": must be 4 digits (at most 65535)");
/// ```
pub fn check(text: &str) -> Result<Checked, String> {
    read(text).map_err(|e| crate::mask_cpr_like(&e).into_owned())
}

fn read(text: &str) -> Result<Checked, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let fam = json.get("family").ok_or(
        "no \"family\" section: a layout file says how its family is read (key, line numbers, grammar); see docs/layouts.md",
    )?;
    let separator = match fam.get("separator").and_then(Value::as_str) {
        None => None,
        Some(s) if s.len() == 1 && s.as_bytes()[0].is_ascii_punctuation() => Some(s.as_bytes()[0]),
        Some(s) => return Err(format!("family separator {s:?}: one ASCII punctuation character")),
    };
    let shape = Shape { separated: separator.is_some() };
    let key = span(fam.get("key").ok_or("family: no \"key\"")?, "key", shape.separated)?;
    if key.len > 4 && !shape.separated {
        return Err("family key: at most 4 digits".into());
    }
    if shape.separated && key.start != 0 {
        return Err("family key: the key of a separated family is field 1".into());
    }
    let line_number = match fam.get("line_number") {
        None | Some(Value::Null) => None,
        Some(v) => Some(span(v, "line_number", shape.separated)?),
    };
    let name = fam["name"].as_str().ok_or("family: no \"name\"")?;
    let mut family = Family {
        // Filled in by `Checked::leak`.
        name: "",
        key: Span { len: if shape.separated { key.len.min(4) } else { key.len }, ..key },
        line_number,
        separator,
        first: None,
        last: None,
        trailer: None,
        pad_trimmed: fam["pad_trimmed"].as_bool().unwrap_or(false),
        records: &[],
        variants: &[],
        grammar: &[],
        variant_rules: &[],
    };
    let width = family.key.len as usize;
    let key_of = |k: &Value, what: &str| -> Result<u16, String> {
        rec_key(k.as_str().ok_or(format!("family {what}: a record key string"))?, width, shape.separated)
    };
    family.first = fam.get("first").map(|k| key_of(k, "first")).transpose()?;
    family.last = fam.get("last").map(|k| key_of(k, "last")).transpose()?;
    if let Some(t) = fam.get("trailer_count") {
        family.trailer = Some(Trailer {
            rec_nr: key_of(&t["record"], "trailer_count.record")?,
            plus_one_warns: match t["plus_one"].as_str() {
                None | Some("error") => false,
                Some("warning") => true,
                Some(other) => {
                    return Err(format!("family trailer_count.plus_one {other:?}: \"warning\" or \"error\""))
                }
            },
        });
    }

    let empty = Map::new();
    let sets = json["value_sets"].as_object().unwrap_or(&empty);
    let parse_all = |section: &str| -> Result<Vec<OwnedLayout>, String> {
        json[section].as_object().unwrap_or(&empty).iter().map(|(k, r)| record(k, r, sets, &family, &shape)).collect()
    };
    let records = parse_all("records")?;
    let variants = parse_all("record_variants")?;
    if records.is_empty() {
        return Err("no \"records\"".into());
    }
    if records.len() > MAX_RECORD_TYPES || records.len() + variants.len() > MAX_LAYOUTS {
        return Err(format!("at most {MAX_RECORD_TYPES} record types and {MAX_LAYOUTS} layouts per family"));
    }
    let mut keys: Vec<u16> = records.iter().map(|r| r.layout.rec_nr).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err("two records with the same key".into());
    }
    for v in &variants {
        if v.variant.is_empty() || !keys.contains(&v.layout.rec_nr) {
            return Err(format!("variant {}@{}: needs a name and a record of its key", v.key, v.variant));
        }
    }
    let known = |k: u16, what: &str| {
        if keys.binary_search(&k).is_ok() {
            Ok(k)
        } else {
            Err(format!("family {what}: no record {k}"))
        }
    };
    for (k, what) in
        [(family.first, "first"), (family.last, "last"), (family.trailer.map(|t| t.rec_nr), "trailer_count")]
    {
        if let Some(k) = k {
            known(k, what)?;
        }
    }
    if let Some(t) = family.trailer {
        let has_count = records
            .iter()
            .any(|r| r.layout.rec_nr == t.rec_nr && r.fields.iter().any(|f| f.desc.role == Role::TrailerCount));
        if !has_count {
            return Err(format!("family trailer_count: record {} has no field with role trailer_count", t.rec_nr));
        }
    }

    let mut grammar = Vec::new();
    for (k, g) in fam.get("grammar").and_then(Value::as_object).unwrap_or(&empty) {
        let rec_nr = known(key_of(&Value::from(k.as_str()), "grammar")?, "grammar")?;
        let what = format!("grammar {k}");
        let parents = g["parents"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| key_of(p, &what).and_then(|p| known(p, &what)))
            .collect::<Result<Vec<_>, _>>()?;
        let roles = |v: &Value| -> Result<Vec<Role>, String> {
            let names: Vec<&Value> = match v {
                Value::Null => Vec::new(),
                Value::Array(a) => a.iter().collect(),
                one => std::vec![one],
            };
            names
                .into_iter()
                .map(|n| n.as_str().and_then(Role::from_name).ok_or(format!("{what}: unknown role {n}")))
                .collect()
        };
        let matches_parent = roles(&g["matches_parent"])?;
        if matches_parent.len() > 1 {
            return Err(format!("{what}: matches_parent names one role"));
        }
        if let Some(r) = matches_parent.first() {
            if grammar
                .iter()
                .any(|p: &OwnedPlacement| p.placement.matches_parent != Role::None && p.placement.matches_parent != *r)
            {
                return Err(format!("{what}: one family compares one role with the parent's"));
            }
        }
        if g["directly_after"].as_bool() == Some(true) && parents.is_empty() {
            return Err(format!("{what}: directly_after needs parents"));
        }
        let placement = Placement {
            rec_nr,
            parents: &[],
            directly_after: g["directly_after"].as_bool().unwrap_or(false),
            max: g["max"].as_u64().map_or(Ok(0), |m| u16::try_from(m).map_err(|_| format!("{what}: max too big")))?,
            identity: &[],
            matches_parent: matches_parent.first().copied().unwrap_or(Role::None),
            header: g["header"].as_bool().unwrap_or(false),
        };
        grammar.push(OwnedPlacement { placement, parents, identity: roles(&g["identity"])? });
    }

    let layouts: Vec<&OwnedLayout> = records.iter().chain(&variants).collect();
    let mut rules = Vec::new();
    for (k, list) in fam.get("variant_rules").and_then(Value::as_object).unwrap_or(&empty) {
        let rec_nr = known(key_of(&Value::from(k.as_str()), "variant_rules")?, "variant_rules")?;
        for rule in list.as_array().ok_or(format!("variant_rules {k}: a list of rules"))? {
            let what = format!("variant_rules {k}");
            let variant = rule["use"].as_str().ok_or(format!("{what}: each rule says which layout to \"use\""))?;
            let index = layouts
                .iter()
                .position(|l| l.layout.rec_nr == rec_nr && l.variant == variant)
                .ok_or(format!("{what}: no layout {k}@{variant}"))?;
            let layout = layouts[index];
            let field_span = |name: &Value| -> Result<Span, String> {
                let name = name.as_str().ok_or(format!("{what}: a field name"))?;
                let f = layout.field_named(name).ok_or(format!("{what}: {k}@{variant} has no field {name:?}"))?;
                Ok(Span { start: f.start, len: f.len })
            };
            let when = &rule["when"];
            let cond = if when.is_null() {
                Condition::Always
            } else if let Some(d) = when.get("file_date_from") {
                Condition::FileDateFrom(date(d, &what)?)
            } else if let Some(d) = when.get("file_date_before") {
                Condition::FileDateBefore(date(d, &what)?)
            } else if let Some(f) = when.get("blank") {
                Condition::Blank(field_span(f)?)
            } else if let Some(f) = when.get("not_blank") {
                Condition::NotBlank(field_span(f)?)
            } else {
                return Err(format!("{what}: unknown condition {when}"));
            };
            rules.push(OwnedRule { rec_nr, when: cond, layout: index });
        }
    }

    Ok(Checked { family, name: name.to_owned(), records, variants, grammar, rules })
}

/// Position of `layout` in `family.layouts()` (current layouts, then
/// variants), by identity: the number the faces give a record's layout.
///
/// ```
/// use eindkomst_core::EMPLOYER;
/// let pre_tin = EMPLOYER.variant(6000, "v7.1").unwrap();
/// let i = eindkomst::family::layout_index(&EMPLOYER, pre_tin).unwrap();
/// assert!(std::ptr::eq(EMPLOYER.layouts().nth(i as usize).unwrap(), pre_tin));
/// ```
pub fn layout_index(family: &Family, layout: &RecordLayout) -> Option<u16> {
    let size = std::mem::size_of::<RecordLayout>();
    let addr = layout as *const RecordLayout as usize;
    let mut base = 0;
    for set in [family.records, family.variants] {
        let start = set.as_ptr() as usize;
        if addr >= start && addr < start + std::mem::size_of_val(set) {
            return u16::try_from(base + (addr - start) / size).ok();
        }
        base += set.len();
    }
    None
}

/// The employer family's 6000 (person) layout, chosen by name: a
/// convenience over `Options::with_layout` that every face offers
/// (`--person-layout`, `personLayout`, `PersonLayout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PersonLayout {
    /// The family's variant rules (line length, delivery date, content).
    #[default]
    Auto,
    /// Always today's layout (with TIN).
    Current,
    /// Always the pre-TIN layout (`v7.1`).
    PreTin,
    /// Always TaxCardBuilder's 99-byte 6000.
    TaxCardBuilder,
}

impl PersonLayout {
    /// Every choice, in the order of their numbers on the C ABI.
    pub const ALL: [PersonLayout; 4] =
        [PersonLayout::Auto, PersonLayout::Current, PersonLayout::PreTin, PersonLayout::TaxCardBuilder];

    /// `auto`, `current`, `pre-tin`, `taxcardbuilder`.
    pub fn name(&self) -> &'static str {
        match self {
            PersonLayout::Auto => "auto",
            PersonLayout::Current => "current",
            PersonLayout::PreTin => "pre-tin",
            PersonLayout::TaxCardBuilder => "taxcardbuilder",
        }
    }

    /// The choice called `name`.
    pub fn from_name(name: &str) -> Option<PersonLayout> {
        PersonLayout::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The employer variant it forces (`None` for `Auto`).
    pub fn variant(&self) -> Option<&'static str> {
        match self {
            PersonLayout::Auto => None,
            PersonLayout::Current => Some(""),
            PersonLayout::PreTin => Some("v7.1"),
            PersonLayout::TaxCardBuilder => Some("TaxCardBuilder"),
        }
    }

    /// `opts` with the layout forced, when its family is the employer
    /// family (or has a 6000 of that variant).
    ///
    /// ```
    /// use eindkomst::family::PersonLayout;
    /// let opts = PersonLayout::TaxCardBuilder.apply(eindkomst_core::Options::default()).unwrap();
    /// assert_eq!(opts.forced_layout(6000).map(|l| l.length), Some(99));
    /// ```
    pub fn apply(&self, opts: eindkomst_core::Options) -> Result<eindkomst_core::Options, String> {
        let Some(variant) = self.variant() else {
            return Ok(opts);
        };
        let layout = opts
            .family
            .variant(6000, variant)
            .ok_or_else(|| format!("person layout {}: family {} has no such 6000", self.name(), opts.family.name))?;
        Ok(opts.with_layout(layout))
    }
}
