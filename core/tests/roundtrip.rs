//! Property test: random valid records → encoder → decoder give back exactly
//! the same records (every field's bytes), with no findings.

use eindkomst_core::encode::Encoder;
use eindkomst_core::layout::{FieldDesc, FieldType, Format, RecordLayout, EMPLOYER};
use eindkomst_core::{Decoder, Event};
use proptest::prelude::*;

/// A valid value for one field, as the bytes the encoder is given.
fn field_value(f: &'static FieldDesc) -> BoxedStrategy<Vec<u8>> {
    let len = f.len as usize;
    if let Some(set) = f.values {
        if !set.codes.is_empty() && (set.closed || set.patterns.is_empty()) {
            let codes: Vec<Vec<u8>> = set.codes.iter().map(|c| c.as_bytes().to_vec()).collect();
            return proptest::sample::select(codes).boxed();
        }
    }
    match (f.format, f.ty) {
        (Format::Filler, _) => Just(Vec::new()).boxed(),
        (Format::Sign, _) => proptest::sample::select(vec![b"+".to_vec(), b"-".to_vec()]).boxed(),
        (Format::Date, _) => {
            (1900u32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}").into_bytes()).boxed()
        }
        (Format::Time, _) => {
            (0u32..24, 0u32..60, 0u32..60).prop_map(|(h, m, s)| format!("{h:02}{m:02}{s:02}").into_bytes()).boxed()
        }
        (Format::Amount, _) => {
            // Whole øre at the default scale of 6: the last 4 digits are zeros.
            (0u64..1_000_000_000_000).prop_map(|ore| format!("{ore}0000").into_bytes()).boxed()
        }
        (_, FieldType::Numeric) if f.values.is_some_and(|s| !s.patterns.is_empty()) => {
            (1900u32..2100).prop_map(|y| y.to_string().into_bytes()).boxed() // Ferieaar
        }
        (_, FieldType::Numeric) => proptest::collection::vec(b'1'..=b'9', len).boxed(),
        (_, FieldType::Alpha) if f.values.is_some() => {
            proptest::sample::select(vec![b"DE".to_vec(), b"SE".to_vec(), b"XU".to_vec()]).boxed()
            // country codes
        }
        // Any Latin-1 printable text, not starting with a blank (the encoder left-aligns).
        (_, FieldType::Alpha) => (
            any::<u8>().prop_filter("printable", |b| (0x21..0x7F).contains(b) || *b >= 0xA0),
            proptest::collection::vec(
                any::<u8>().prop_filter("printable", |b| (0x20..0x7F).contains(b) || *b >= 0xA0),
                0..len,
            ),
        )
            .prop_map(|(first, rest)| [vec![first], rest].concat())
            .boxed(),
    }
}

/// A record to encode: its type and its fields' values by number.
type Model = (u16, Vec<(u8, Vec<u8>)>);

/// A whole record of one type: the values of every field after Lb_nr and Rec_nr.
fn record(layout: &'static RecordLayout) -> BoxedStrategy<Model> {
    let parts: Vec<BoxedStrategy<(u8, Vec<u8>)>> =
        layout.fields[2..].iter().map(|f| field_value(f).prop_map(move |v| (f.no, v)).boxed()).collect();
    parts.prop_map(move |values| (layout.rec_nr, values)).boxed()
}

/// Person-level records in any order and number (they all follow a 6000).
fn person_records() -> impl Strategy<Value = Vec<Model>> {
    let types: Vec<BoxedStrategy<_>> =
        [6001u16, 6002, 6003, 6004, 6005, 6111].iter().map(|t| record(EMPLOYER.get(*t).unwrap())).collect();
    proptest::collection::vec(proptest::strategy::Union::new(types), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_gives_the_same_records(
        start in record(EMPLOYER.get(1000).unwrap()),
        company in record(EMPLOYER.get(2001).unwrap()),
        report in record(EMPLOYER.get(5000).unwrap()),
        person in record(EMPLOYER.get(6000).unwrap()),
        leaves in person_records(),
        chunk in 1usize..200,
    ) {
        let mut enc = Encoder::new();
        let mut file = Vec::new();
        let mut buf = [0u8; 256];
        let mut all = vec![start, company, report];
        // Current (TIN) 6000 layout: a delivery sent after the TIN cut-over (1000 Dato_sendt).
        all[0].1.iter_mut().filter(|(no, _)| *no == 3).for_each(|(_, v)| *v = b"20250203".to_vec());
        let mut person = person;
        person.1.iter_mut().filter(|(no, _)| *no == 4).for_each(|(_, v)| *v = b"6101901234".to_vec());
        all.push(person);
        all.extend(leaves);
        for (rec, values) in &all {
            let fields: Vec<(u8, &[u8])> = values.iter().map(|(no, v)| (*no, &v[..])).collect();
            let n = enc.record(EMPLOYER.get(*rec).unwrap(), &fields, &mut buf).unwrap();
            file.extend_from_slice(&buf[..n]);
        }
        let n = enc.end(&mut buf).unwrap();
        file.extend_from_slice(&buf[..n]);

        let mut dec = Decoder::default();
        let mut decoded = Vec::new();
        for piece in file.chunks(chunk) {
            let mut rest = piece;
            loop {
                let (ev, used) = dec.decode(rest);
                rest = &rest[used..];
                match ev {
                    Event::Record(r) => decoded.push((r.record_type(), r.fields().map(|(f, b)| (f.no, b.to_vec())).collect::<Vec<_>>())),
                    Event::NeedInput => break,
                    Event::Warning(e) if e.kind == eindkomst_core::ErrorKind::MissingField => {}
                    other => prop_assert!(false, "{other:?}"),
                }
            }
        }
        while dec.finish() != Event::End {}
        prop_assert_eq!(decoded.len(), all.len() + 1);
        for ((rec, values), (got_rec, got_fields)) in all.iter().zip(&decoded) {
            prop_assert_eq!(rec, got_rec);
            let layout = EMPLOYER.get(*rec).unwrap();
            for (no, v) in values {
                let f = layout.field(*no).unwrap();
                let got = &got_fields.iter().find(|(n, _)| n == no).unwrap().1;
                let mut want = vec![b' '; f.len as usize];
                if !v.is_empty() {
                    match f.ty {
                        FieldType::Numeric => { want.fill(b'0'); want[f.len as usize - v.len()..].copy_from_slice(v); }
                        FieldType::Alpha => want[..v.len()].copy_from_slice(v),
                    }
                }
                prop_assert_eq!(got, &want, "record {} field {}", rec, no);
            }
        }
        prop_assert!(dec.counts().balanced());
        prop_assert_eq!(dec.counts().rejected, 0);
    }
}
