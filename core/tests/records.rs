//! One hand-written line per record type; every field asserted by value.
//!
//! Lines are written field by field (`concat!`), so each segment can be read
//! against the spec's table. CPRs are synthetic (day + 60).

use eindkomst_core::field::{Date, Decimal, Time, Value};
use eindkomst_core::{Decoder, ErrorKind, Event, Record};

const L1000: &str = concat!(
    "0000001",
    "1000",
    "20250203",
    "061500",
    "12345678",
    "12345678",
    "01",
    "     ",
    "0",
    "Kommunal L\u{f8}n        ",
    "4.2.1               ",
    "HOVED2025020001 ",
    "2.0",
    "P",
    "                                ",
    "E"
);
const L2001: &str = concat!("0000002", "2001", "                ", "12345678", " ", "DKK");
const L2101: &str = concat!(
    "0000003",
    "2101",
    "6101901234",
    "        ",
    "M-1001         ",
    "20240801",
    "        ",
    "                        ",
    "1",
    "20240801",
    "Afd. \u{c6}r\u{f8}                                          ",
    "R"
);
const L5000: &str = concat!(
    "0000003",
    "5000",
    " ",
    "LOEN202501000001",
    "                ",
    "20250101",
    "20250131",
    "20250130",
    " ",
    "B",
    "   ",
    "00"
);
const L6000: &str = concat!(
    "0000004",
    "6000",
    "00000000",
    "6101901234",
    "        ",
    "M-1001         ",
    "                           ",
    "  ",
    "0000",
    "1012345678"
);

/// Decodes `context` + `line` as one stream (Latin-1) and hands the last record to `check`.
fn with_record(context: &[&str], line: &str, check: impl FnOnce(&Record<'_>)) {
    let text: String = context.iter().chain([&line]).map(|l| format!("{l}\n")).collect();
    let bytes: Vec<u8> = text.chars().map(|c| u8::try_from(c as u32).expect("Latin-1 only")).collect();
    let mut dec = Decoder::default();
    let mut input = &bytes[..];
    let mut seen = 0;
    loop {
        let (event, used) = dec.decode(input);
        input = &input[used..];
        match event {
            Event::Record(r) => {
                seen += 1;
                if seen == context.len() + 1 {
                    assert_eq!(r.bytes().len(), r.layout().length as usize);
                    check(&r);
                    return;
                }
            }
            Event::NeedInput => panic!("line not decoded"),
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn text(s: &str) -> Value<'static> {
    Value::Text(Box::leak(s.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>().into_boxed_slice()))
}
fn num(n: u64) -> Value<'static> {
    Value::Number(n)
}
fn date(y: u16, m: u8, d: u8) -> Value<'static> {
    Value::Date(Date { year: y, month: m, day: d })
}
fn dec(units: i64, scale: u8) -> Value<'static> {
    Value::Decimal(Decimal { units, scale })
}

fn assert_fields(r: &Record<'_>, want: &[(u8, Value<'static>)]) {
    let numbers: Vec<u8> = r.layout().fields.iter().map(|f| f.no).collect();
    let asserted: Vec<u8> = want.iter().map(|(no, _)| *no).collect();
    assert_eq!(asserted, numbers, "every field of {} must be asserted", r.record_type());
    for (no, v) in want {
        assert_eq!(r.value(*no).as_ref(), Some(v), "record {} field {no}", r.record_type());
    }
    // The amount reader totals use reads every amount, quantity and signed
    // count as the typed value does, and nothing else.
    for idx in 0..numbers.len() {
        let typed = match r.value_at(idx) {
            Some(Value::Decimal(d)) => Some(d),
            _ => None,
        };
        assert_eq!(r.decimal_at(idx), typed, "record {} field index {idx}", r.record_type());
    }
}

#[test]
fn record_1000_start() {
    with_record(&[], L1000, |r| {
        assert_eq!(r.record_type(), 1000);
        assert_fields(
            r,
            &[
                (1, num(1)),
                (2, num(1000)),
                (3, date(2025, 2, 3)),
                (4, Value::Time(Time { hour: 6, minute: 15, second: 0 })),
                (5, num(12345678)),
                (6, num(12345678)),
                (7, num(1)),
                (8, Value::Absent),
                (9, num(0)),
                (10, text("Kommunal Løn")),
                (11, text("4.2.1")),
                (12, text("HOVED2025020001")),
                (13, text("2.0")),
                (14, text("P")),
                (15, Value::Absent),
                (16, text("E")),
            ],
        );
        assert_eq!(r.se_nr(), Some(12345678));
    });
}

#[test]
fn record_2001_company() {
    with_record(&[L1000], L2001, |r| {
        assert_fields(
            r,
            &[
                (1, num(2)),
                (2, num(2001)),
                (3, Value::Absent),
                (4, num(12345678)),
                (5, Value::Absent),
                (6, text("DKK")),
            ],
        );
        assert_eq!(r.se_nr(), Some(12345678));
    });
}

#[test]
fn record_2101_tax_card_request() {
    with_record(&[L1000, L2001], L2101, |r| {
        assert_fields(
            r,
            &[
                (1, num(3)),
                (2, num(2101)),
                (3, num(6101901234)),
                (4, Value::Absent),
                (5, text("M-1001")),
                (6, date(2024, 8, 1)),
                (7, Value::Absent),
                (8, Value::Absent),
                (9, num(1)),
                (10, date(2024, 8, 1)),
                (11, text("Afd. Ærø")),
                (12, text("R")),
            ],
        );
        assert_eq!(r.cpr(), Some(&b"6101901234"[..]));
    });
}

#[test]
fn record_2111_ip() {
    let line = concat!("0000004", "2111", "0100", "000000000001", "20240801");
    with_record(&[L1000, L2001, L2101], line, |r| {
        assert_fields(r, &[(1, num(4)), (2, num(2111)), (3, num(100)), (4, num(1)), (5, date(2024, 8, 1))]);
    });
}

#[test]
fn record_3101_company_level() {
    let line = concat!(
        "0000003",
        "3101",
        "B",
        "VIRK202501000001",
        "REF0000000000001",
        "20250101",
        "20250131",
        " ",
        "0059",
        "0000001500250000",
        "-"
    );
    with_record(&[L1000, L2001], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(3)),
                (2, num(3101)),
                (3, text("B")),
                (4, text("VIRK202501000001")),
                (5, text("REF0000000000001")),
                (6, date(2025, 1, 1)),
                (7, date(2025, 1, 31)),
                (8, Value::Absent),
                (9, num(59)),
                (10, dec(-1_500_250_000, 6)),
                (11, text("-")),
            ],
        );
        assert_eq!(r.amount().and_then(|a| a.ore()), Some(-150_025));
        assert_eq!(r.feltnummer(), Some(59));
    });
}

#[test]
fn record_4101_reversal() {
    let line = concat!("0000003", "4101", "LOEN202412000007", "                ", " ", "J", "6512851234");
    with_record(&[L1000, L2001], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(3)),
                (2, num(4101)),
                (3, text("LOEN202412000007")),
                (4, Value::Absent),
                (5, Value::Absent),
                (6, text("J")),
                (7, num(6512851234)),
            ],
        );
    });
}

#[test]
fn record_5000_report() {
    with_record(&[L1000, L2001], L5000, |r| {
        assert_fields(
            r,
            &[
                (1, num(3)),
                (2, num(5000)),
                (3, Value::Absent),
                (4, text("LOEN202501000001")),
                (5, Value::Absent),
                (6, date(2025, 1, 1)),
                (7, date(2025, 1, 31)),
                (8, date(2025, 1, 30)),
                (9, Value::Absent),
                (10, text("B")),
                (11, Value::Absent),
                (12, num(0)),
            ],
        );
    });
}

#[test]
fn record_6000_person_with_tin() {
    let line = concat!(
        "0000004",
        "6000",
        "00000000",
        "7204881234",
        "        ",
        "M-2002         ",
        "12345678901                ",
        "DE",
        "0011",
        "1012345678"
    );
    with_record(&[L1000, L2001, L5000], line, |r| {
        assert_eq!(r.layout().variant, "");
        assert_fields(
            r,
            &[
                (1, num(4)),
                (2, num(6000)),
                (3, text("00000000")),
                (4, num(7204881234)),
                (5, Value::Absent),
                (6, text("M-2002")),
                (7, text("12345678901")),
                (8, text("DE")),
                (10, num(11)),
                (11, num(1012345678)),
            ],
        );
    });
}

/// A pre-TIN 6000 (guide v7.1): E101 attest at 53, fillers after it.
const L6000_PRE_TIN: &str = concat!(
    "0000004",
    "6000",
    "00000000",
    "6101901234",
    "        ",
    "M-1001         ",
    "E",
    "   ",
    "                         ",
    "0000",
    "1012345678"
);

/// The sample's 1000 sent on another day (Dato_sendt).
fn l1000_sent(day: &str) -> String {
    L1000.replacen("20250203", day, 1)
}

fn pre_tin_fields(r: &Record<'_>) {
    assert_eq!(r.layout().variant, "v7.1");
    assert_fields(
        r,
        &[
            (1, num(4)),
            (2, num(6000)),
            (3, text("00000000")),
            (4, num(6101901234)),
            (5, Value::Absent),
            (6, text("M-1001")),
            (7, text("E")),
            (8, Value::Absent),
            (9, Value::Absent),
            (10, num(0)),
            (11, num(1012345678)),
        ],
    );
}

#[test]
fn record_6000_of_a_delivery_before_tin_uses_the_old_layout() {
    pre_tin_fields_with(&l1000_sent("20221015"), L5000);
}

fn pre_tin_fields_with(l1000: &str, l5000: &str) {
    with_record(&[l1000, L2001, l5000], L6000_PRE_TIN, pre_tin_fields);
}

#[test]
fn record_6000_layout_follows_the_delivery_not_the_period() {
    // Sent 2025, correcting a 2022 pay period: today's layout, whatever the period.
    let l5000_2022 = L5000.replace("2025013120250130", "2022013120220130").replace("20250101", "20220101");
    with_record(&[L1000, L2001, &l5000_2022], L6000, |r| {
        assert_eq!(r.layout().variant, "");
        assert_eq!(r.value(7), Some(Value::Absent)); // TIN
    });
}

#[test]
fn record_6000_in_the_tin_transition_is_read_by_its_content() {
    // Sent between 2023-07-01 and 2024-06-30: a TIN (or its country) means
    // today's layout, none the pre-TIN one.
    let sent = l1000_sent("20231120");
    pre_tin_fields_with(&sent, L5000);
    let with_tin = concat!(
        "0000004",
        "6000",
        "00000000",
        "6101901234",
        "        ",
        "M-1001         ",
        "12345678901                ",
        "DE",
        "0000",
        "1012345678"
    );
    with_record(&[&sent, L2001, L5000], with_tin, |r| {
        assert_eq!(r.layout().variant, "");
        assert_eq!(r.value(7), Some(text("12345678901")));
        assert_eq!(r.value(8), Some(text("DE")));
    });
}

#[test]
fn record_6000_without_file_date_or_tin_is_today_s() {
    // TaxCardBuilder leaves Dato_sendt blank: no date, no TIN: today's layout.
    let undated = L1000.replacen("20250203061500", "              ", 1);
    with_record(&[&undated, L2001, L5000], L6000, |r| assert_eq!(r.layout().variant, ""));
}

#[test]
fn record_6000_as_taxcardbuilder_writes_it() {
    // 99 bytes: filler 12, CPR at 24. Chosen by its length; its fields carry
    // the official names and roles.
    let line = concat!(
        "0000004",
        "6000",
        "            ",
        "6101901234",
        "00000000",
        "M-1001         ",
        "                           ",
        "  ",
        "0000",
        "1012345678"
    );
    with_record(&[L1000, L2001, L5000], line, |r| {
        assert_eq!((r.layout().variant, r.bytes().len()), ("TaxCardBuilder", 99));
        assert_eq!(r.cpr(), Some(&b"6101901234"[..]));
        assert_eq!(r.layout().field(4).unwrap().name, "Person_CPR_nr");
        assert_eq!(r.value(6), Some(text("M-1001")));
    });
}

#[test]
fn record_6000_layout_can_be_forced() {
    use eindkomst_core::{layout::EMPLOYER, Options};
    let pre_tin = EMPLOYER.variant(6000, "v7.1").unwrap();
    let text = format!("{L1000}\n{L2001}\n{L5000}\n{L6000_PRE_TIN}\n");
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let mut dec = Decoder::new(Options::default().with_layout(pre_tin));
    let mut input = &bytes[..];
    let mut variants = Vec::new();
    loop {
        let (event, used) = dec.decode(input);
        input = &input[used..];
        match event {
            Event::Record(r) if r.record_type() == 6000 => variants.push(r.layout().variant),
            Event::NeedInput => break,
            _ => {}
        }
    }
    assert_eq!(variants, ["v7.1"]);
}

#[test]
fn record_6001_amount() {
    let line = concat!("0000005", "6001", "0013", "0000032500000000", "+");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(r, &[(1, num(5)), (2, num(6001)), (3, num(13)), (4, dec(32_500_000_000, 6)), (5, text("+"))]);
        assert_eq!(r.amount().and_then(|a| a.ore()), Some(3_250_000));
    });
}

#[test]
fn record_6002_code() {
    let line = concat!("0000005", "6002", "0209", "0033088566");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(r, &[(1, num(5)), (2, num(6002)), (3, num(209)), (4, text("0033088566"))]);
    });
}

#[test]
fn record_6003_flag() {
    let line = concat!("0000005", "6003", "0063", "X");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(r, &[(1, num(5)), (2, num(6003)), (3, num(63)), (4, text("X"))]);
    });
}

#[test]
fn record_6004_text() {
    let line =
        concat!("0000005", "6004", "0068", "Overarbejde januar, afdeling \u{c6}r\u{f8}                          ");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(r, &[(1, num(5)), (2, num(6004)), (3, num(68)), (4, text("Overarbejde januar, afdeling Ærø"))]);
    });
}

#[test]
fn record_6005_quantity() {
    let line = concat!("0000005", "6005", "0200", "00016050", "-");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(r, &[(1, num(5)), (2, num(6005)), (3, num(200)), (4, dec(-16_050, 2)), (5, text("-"))]);
    });
}

#[test]
fn record_6102_net_holiday_pay() {
    let line = concat!("0000005", "6102", "0000004500000000", "+", "1250", "+", "9999", "20250131");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(5)),
                (2, num(6102)),
                (3, dec(4_500_000_000, 6)),
                (4, text("+")),
                (5, dec(1250, 2)),
                (6, text("+")),
                (7, num(9999)),
                (8, date(2025, 1, 31)),
            ],
        );
    });
}

#[test]
fn record_6202_gross_holiday_pay() {
    let line = concat!("0000005", "6202", "0000005100000000", "-", "0050", "-", "2025", "20250131");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(5)),
                (2, num(6202)),
                (3, dec(-5_100_000_000, 6)),
                (4, text("-")),
                (5, dec(-50, 2)),
                (6, text("-")),
                (7, num(2025)),
                (8, date(2025, 1, 31)),
            ],
        );
    });
}

#[test]
fn record_6111_il() {
    let line = concat!("0000005", "6111", "0010", "0000000160", "+", "0000032500000000", "+");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(5)),
                (2, num(6111)),
                (3, num(10)),
                (4, dec(160, 0)), // a count carries the sign after it
                (5, text("+")),
                (6, dec(32_500_000_000, 6)),
                (7, text("+")),
            ],
        );
    });
}

#[test]
fn record_6111_negative_unit_count() {
    let line = concat!("0000005", "6111", "0010", "0000000005", "-", "0000032500000000", "-");
    with_record(&[L1000, L2001, L5000, L6000], line, |r| {
        assert_eq!(r.value(4), Some(dec(-5, 0)));
        assert_eq!(r.value(6), Some(dec(-32_500_000_000, 6)));
    });
}

#[test]
fn record_8001_supplementary_person() {
    let person_de =
        L6000.replace("                           ", "12345678901                ").replacen("  0000", "DE0000", 1);
    let line = concat!(
        "0000005",
        "8001",
        "19880412",
        "2",
        "DE",
        "M\u{fc}ller, Anna                            ",
        "Hauptstra\u{df}e 5                           ",
        "10115    ",
        "Berlin                             "
    );
    with_record(&[L1000, L2001, L5000, &person_de], line, |r| {
        assert_fields(
            r,
            &[
                (1, num(5)),
                (2, num(8001)),
                (3, date(1988, 4, 12)),
                (4, num(2)),
                (5, text("DE")),
                (6, text("Müller, Anna")),
                (7, text("Hauptstraße 5")),
                (8, text("10115")),
                (9, text("Berlin")),
            ],
        );
    });
}

#[test]
fn record_9999_end() {
    let line = concat!("0000002", "9999", "0000002");
    with_record(&[L1000], line, |r| {
        assert_fields(r, &[(1, num(2)), (2, num(9999)), (3, num(2))]);
    });
}

#[test]
fn every_record_type_has_a_test_here() {
    let src = include_str!("records.rs");
    for layout in eindkomst_core::layout::EMPLOYER.records {
        assert!(src.contains(&format!("fn record_{}_", layout.rec_nr)), "no test for {}", layout.rec_nr);
    }
    // Used so the import stays honest if the tests above change.
    let _ = ErrorKind::EmptyInput;
}

/// The records the decoder knows to be plain, unpadded JSON text
/// (`Record::known_plain`) are the sample's 6001s its fast path took in a
/// run (every one but the file's first, which starts the run key), each
/// what `json_text` says; the knowledge is no part of a record's equality,
/// and a projection, whose bytes differ, does not keep it.
#[test]
fn known_plain_records_are_the_run_lines_and_are_plain() {
    use eindkomst_core::field::json_text;
    use eindkomst_core::filter::{Filter, FilterOptions, MINIMAL};
    let filter = Filter::new(FilterOptions { profile: MINIMAL, ..FilterOptions::default() }).unwrap();
    let (mut dec, mut input) = (Decoder::default(), eindkomst_core::testing::SAMPLE);
    let (mut known, mut records) = (Vec::new(), 0);
    loop {
        let (event, used) = dec.decode_records(input, |r| {
            records += 1;
            if r.known_plain() {
                assert_eq!(json_text(r.bytes()), (true, true), "line {}", r.line());
                known.push(r.line());
                let rebuilt =
                    Record::from_parts(r.layout(), r.bytes(), r.line(), r.lb_nr(), r.offset(), r.amount_scale())
                        .unwrap();
                assert!(!rebuilt.known_plain() && rebuilt == r);
                let mut buf = [0u8; 64];
                assert!(!filter.projector().project(&r, &mut buf).unwrap().record.known_plain());
            }
        });
        input = &input[used..];
        match event {
            Event::Record(r) => {
                records += 1;
                assert!(!r.known_plain(), "line {}", r.line());
            }
            Event::NeedInput => break,
            _ => {}
        }
    }
    assert_eq!(known, [11, 12, 13, 23, 24, 26]);
    assert_eq!(records, 27);
}
