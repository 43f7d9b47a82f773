//! Layouts loaded at run time from JSON shaped like the spec's
//! `eindkomst-layout.json` (feature `json`, needs `std`), so a new record
//! family is data, not code. The same reading of the JSON generates the
//! built-in tables (test `layout_json`).
//!
//! The decoder borrows layouts for `'static`; a process loads them once, so
//! leaking them is the simple, correct owner.

use crate::layout::{
    code_key, CodePattern, FieldDesc, FieldType, Format, LayoutSet, Mandatory, RecordLayout, ValueSet,
};
use serde_json::Value;
use std::borrow::ToOwned;
use std::boxed::Box;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Vec::leak(v)
}

fn leak_str(s: &str) -> &'static str {
    String::leak(s.to_owned())
}

fn value_set(name: &str, set: &Value) -> &'static ValueSet {
    let mut codes = Vec::new();
    let mut patterns = Vec::new();
    for v in set["values"].as_array().into_iter().flatten() {
        match v["code"].as_str() {
            Some("ISO 3166-1 alpha-2") => patterns.push(CodePattern::CountryCode),
            Some("YYYY") => patterns.push(CodePattern::Year),
            Some(code) => codes.push(leak_str(code)),
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
    Box::leak(Box::new(ValueSet {
        name: leak_str(name),
        codes: leak(codes),
        keys: leak(keys),
        patterns: leak(patterns),
        closed: set["closed"].as_bool().unwrap_or(false),
    }))
}

fn field(f: &Value, sets: &serde_json::Map<String, Value>, rec: &str) -> Result<FieldDesc, String> {
    let err = |what: &str| format!("record {rec}: field {}: {what}", f["no"]);
    let num = |key: &str| f[key].as_u64().ok_or_else(|| err(&format!("missing {key}")));
    let name = f["name"].as_str().ok_or_else(|| err("missing name"))?;
    let set_name = f["value_set"].as_str();
    let format = if f["filler"].as_bool() == Some(true) {
        Format::Filler
    } else if set_name == Some("fortegn") {
        Format::Sign
    } else {
        match f["format"].as_str() {
            None => Format::Plain,
            Some("date") => Format::Date,
            Some("time") => Format::Time,
            Some("amount16") => Format::Amount,
            Some("qty8") | Some("qty4") => Format::Quantity(2),
            Some(other) => return Err(err(&format!("unknown format {other}"))),
        }
    };
    let values = match (set_name, f.get("values")) {
        (Some(n), _) if sets.contains_key(n) => Some(value_set(n, &sets[n])),
        (_, Some(inline)) => {
            let codes: Vec<Value> =
                inline.as_array().into_iter().flatten().map(|c| serde_json::json!({ "code": c })).collect();
            Some(value_set(set_name.unwrap_or(name), &serde_json::json!({ "values": codes, "closed": true })))
        }
        _ => None,
    };
    Ok(FieldDesc {
        no: u8::try_from(num("no")?).map_err(|_| err("no > 255"))?,
        name: leak_str(name),
        start: u16::try_from(num("start")?.checked_sub(1).ok_or_else(|| err("start is 1-based"))?)
            .map_err(|_| err("start too big"))?,
        len: u16::try_from(num("len")?).map_err(|_| err("len too big"))?,
        ty: if f["type"] == "N" { FieldType::Numeric } else { FieldType::Alpha },
        format,
        mandatory: match f["mandatory"].as_str() {
            Some("J") => Mandatory::Yes,
            Some("N") => Mandatory::No,
            Some("(J)") => Mandatory::Conditional,
            Some("J?") => Mandatory::ThirdParty,
            _ => Mandatory::Unknown,
        },
        values,
        personal: name.contains("CPR"),
    })
}

fn record(key: &str, r: &Value, sets: &serde_json::Map<String, Value>) -> Result<RecordLayout, String> {
    let (rec, variant) = key.split_once('@').unwrap_or((key, ""));
    let rec_nr: u16 = rec.parse().map_err(|_| format!("record key {key} is not a number"))?;
    let length = r["length"].as_u64().and_then(|l| u16::try_from(l).ok()).ok_or(format!("record {key}: bad length"))?;
    if length as usize > crate::decoder::MAX_LINE {
        return Err(format!("record {key}: length {length} exceeds {}", crate::decoder::MAX_LINE));
    }
    let fields = r["fields"]
        .as_array()
        .ok_or(format!("record {key}: no fields"))?
        .iter()
        .map(|f| field(f, sets, key))
        .collect::<Result<Vec<_>, _>>()?;
    // Fields must tile the line exactly, starting with Lb_nr (7) and Rec_nr (4).
    let mut next = 0;
    for f in &fields {
        if f.start != next {
            return Err(format!(
                "record {key}: field {} starts at {} but {} was expected",
                f.no,
                f.start + 1,
                next + 1
            ));
        }
        next += f.len;
    }
    if next != length || fields.len() < 2 || fields[0].range() != (0..7) || fields[1].range() != (7..11) {
        return Err(format!(
            "record {key}: fields must tile the {length} bytes, starting with Lb_nr (1-7) and Rec_nr (8-11)"
        ));
    }
    Ok(RecordLayout {
        rec_nr,
        variant: leak_str(variant),
        name: leak_str(r["name"].as_str().unwrap_or(rec).split(" (").next().unwrap_or(rec)),
        length,
        fields: leak(fields),
    })
}

/// Parses a layout JSON document into a layout set (leaked, see module docs).
///
/// ```
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/eindkomst-layout.json")).unwrap();
/// let set = eindkomst_core::layout_json::parse(&text).unwrap();
/// assert_eq!(set.get(6001).unwrap().length, 32);
/// ```
pub fn parse(text: &str) -> Result<&'static LayoutSet, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let empty = serde_json::Map::new();
    let sets = json["value_sets"].as_object().unwrap_or(&empty);
    let records = json["records"].as_object().ok_or("no \"records\" object")?;
    let records = records.iter().map(|(k, r)| record(k, r, sets)).collect::<Result<Vec<_>, _>>()?;
    let variants = json["record_variants"]
        .as_object()
        .unwrap_or(&empty)
        .iter()
        .map(|(k, r)| record(k, r, sets))
        .collect::<Result<Vec<_>, _>>()?;
    if records.len() > 32 {
        return Err("at most 32 record types per layout file".into());
    }
    Ok(Box::leak(Box::new(LayoutSet { records: leak(records), variants: leak(variants) })))
}
