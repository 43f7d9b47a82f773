//! Shared by the Rust contenders of benches/peers/run.sh: the totals format.
pub mod layouts;

use std::collections::BTreeMap;
use std::fmt::Write;

/// Records per type and sums in øre per amount key (`6001/0013`, `6102`, ...),
/// printed as every contender prints them.
#[derive(Default)]
pub struct Totals {
    pub records: BTreeMap<u16, u64>,
    pub amounts: BTreeMap<String, i64>,
}

impl Totals {
    pub fn print(&self) {
        let mut out = String::new();
        for (t, n) in &self.records {
            writeln!(out, "records {t} {n}").unwrap();
        }
        for (k, v) in &self.amounts {
            writeln!(out, "amount {k} {v}").unwrap();
        }
        print!("{out}");
    }
}

/// A `YYYYMMDD` on the calendar (absent is fine: the struct field is optional).
pub fn date_ok(v: Option<u64>) -> bool {
    let Some(v) = v else { return true };
    let (y, m, d) = (v / 10_000, v / 100 % 100, v % 100);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// An `HHMMSS` time of day.
pub fn time_ok(v: Option<u64>) -> bool {
    v.is_none_or(|v| v / 10_000 < 24 && v / 100 % 100 < 60 && v % 100 < 60)
}

/// `+`, `-`, or blank (next to a blank value).
pub fn sign_ok(v: &[u8]) -> bool {
    matches!(v, b"+" | b"-" | b" ")
}
