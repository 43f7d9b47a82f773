//! The Rust `fixed_width` crate as a user would use it: lines framed with BufRead,
//! each line deserialized (serde) into the struct of its record type with the
//! crate's FieldSet (layouts.rs, every field of every type), then the checks the
//! crate does not make: line length, Lb_nr sequence, dates, signs, closed codes.
use eindkomst_peers::layouts::*;
use eindkomst_peers::Totals;
use std::io::{BufRead, BufReader};

/// øre from a 10+6-digit amount and its sign.
fn ore(units: Option<u64>, sign: &[u8]) -> Option<i64> {
    let u = units?;
    assert!(u % 10_000 == 0, "amount finer than øre");
    Some(if sign == b"-" { -((u / 10_000) as i64) } else { (u / 10_000) as i64 })
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: fixed_width_peer FILE");
    let mut input = BufReader::with_capacity(1 << 16, std::fs::File::open(&path).expect("open input"));
    let mut totals = Totals::default();
    let (mut line, mut next_lb, mut rejected) = (Vec::with_capacity(256), 1u64, 0u64);
    let mut pre_tin = false;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("read input") == 0 {
            break;
        }
        let l = line.strip_suffix(b"\n").unwrap_or(&line);
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        macro_rules! parse {
            ($t:ty, $len:expr) => {
                match (l.len() == $len).then(|| fixed_width::from_bytes::<$t>(l).ok()).flatten() {
                    Some(r) if r.check() => Some(r),
                    _ => None,
                }
            };
        }
        let rec = l.get(7..11).unwrap_or(b"");
        let mut amount: Option<(String, Option<i64>)> = None;
        let ok = match rec {
            b"1000" => parse!(R1000, 142).map(|r| r.lbNr),
            b"2001" => parse!(R2001, 39).map(|r| r.lbNr),
            b"2101" => parse!(R2101, 144).map(|r| r.lbNr),
            b"2111" => parse!(R2111, 35).map(|r| r.lbNr),
            b"3101" => parse!(R3101, 82).map(|r| {
                let felt = std::str::from_utf8(r.feltnummer).unwrap_or("?");
                amount = Some((format!("3101/{felt}"), ore(r.beloeb, r.fortegn)));
                r.lbNr
            }),
            b"4101" => parse!(R4101, 55).map(|r| r.lbNr),
            b"5000" => parse!(R5000, 75).map(|r| {
                pre_tin = r.loenperiodeSlut.is_some_and(|d| d < 20230701);
                r.lbNr
            }),
            b"6000" if pre_tin => parse!(R6000PreTin, 95)
                .filter(|r| r.personCprNr.unwrap_or(0) > 0 || r.personCvrSeNr.unwrap_or(0) > 0)
                .map(|r| r.lbNr),
            b"6000" => parse!(R6000, 95)
                .filter(|r| r.personCprNr.unwrap_or(0) > 0 || r.personCvrSeNr.unwrap_or(0) > 0)
                .map(|r| r.lbNr),
            b"6001" => parse!(R6001, 32).map(|r| {
                let felt = std::str::from_utf8(r.feltnummer).unwrap_or("?");
                amount = Some((format!("6001/{felt}"), ore(r.beloeb, r.fortegn)));
                r.lbNr
            }),
            b"6002" => parse!(R6002, 25).map(|r| r.lbNr),
            b"6003" => parse!(R6003, 16).map(|r| r.lbNr),
            b"6004" => parse!(R6004, 73).map(|r| r.lbNr),
            b"6005" => parse!(R6005, 24).map(|r| r.lbNr),
            b"6102" => parse!(R6102, 45).map(|r| {
                amount = Some(("6102".into(), ore(r.beloebFeriepenge, r.fortegnBeloeb)));
                r.lbNr
            }),
            b"6202" => parse!(R6202, 45).map(|r| {
                amount = Some(("6202".into(), ore(r.beloebFeriepenge, r.fortegnBeloeb)));
                r.lbNr
            }),
            b"6111" => parse!(R6111, 43).map(|r| {
                amount = Some(("6111".into(), ore(r.beloeb, r.fortegnBeloeb)));
                r.lbNr
            }),
            b"8001" => parse!(R8001, 146).map(|r| r.lbNr),
            b"9999" => parse!(R9999, 18).map(|r| r.lbNr),
            _ => None,
        };
        match ok {
            Some(lb) => {
                if lb != next_lb {
                    eprintln!("fixed_width: Lb_nr {lb}, expected {next_lb}");
                }
                next_lb = lb + 1;
                let t: u16 = std::str::from_utf8(rec).unwrap().parse().unwrap();
                *totals.records.entry(t).or_default() += 1;
                if let Some((key, Some(v))) = amount {
                    *totals.amounts.entry(key).or_default() += v;
                }
            }
            None => {
                next_lb += 1;
                rejected += 1;
            }
        }
    }
    totals.print();
    eprintln!("fixed_width: {rejected} rejected");
}
