//! `eindkomst generate`: realistic synthetic files of any size for tests and
//! benches. Employers (2001) report each month (5000) for their employees
//! (6000) with the usual amounts (6001 felt 13/15/16, ...), now and then the
//! other record types. CPRs are synthetic (day + 60). Same seed, same bytes.

use eindkomst_core::encode::{amount_digits, write_digits, EncodeError, Encoder};
use eindkomst_core::field::Decimal;
use eindkomst_core::layout::EMPLOYER;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// What to generate.
pub struct Spec {
    /// Total lines, 1000 and 9999 included (at least 2).
    pub records: u64,
    /// Seed of the random generator: same seed, same bytes.
    pub seed: u64,
    /// Fraction of 6001 lines to damage.
    pub errors: f64,
    /// CRLF line ends instead of LF.
    pub crlf: bool,
}

/// Writes lines until the budget (all lines but the 9999) is spent.
struct Writer<W: Write> {
    out: W,
    enc: Encoder,
    budget: u64,
    buf: [u8; 256],
    damage_rate: f64,
    damaged: u64,
}

impl<W: Write> Writer<W> {
    /// Writes one record; `false` once the budget is spent.
    fn emit(&mut self, rng: &mut ChaCha8Rng, rec: u16, values: &[(u8, &[u8])]) -> io::Result<bool> {
        if self.budget == 0 {
            return Ok(false);
        }
        let layout = EMPLOYER.get(rec).ok_or_else(|| other(EncodeError::UnknownRecordType(rec)))?;
        let n = self.enc.record(layout, values, &mut self.buf).map_err(other)?;
        if rec == 6001 && self.damage_rate > 0.0 && rng.random_bool(self.damage_rate) {
            // A letter inside Beloeb: exactly one NotDigit rejection, no cascade (6001 is a leaf).
            self.buf[15 + rng.random_range(0..16)] = b'X';
            self.damaged += 1;
        }
        self.out.write_all(&self.buf[..n])?;
        self.budget -= 1;
        Ok(true)
    }
}

fn other(e: EncodeError) -> io::Error {
    io::Error::other(format!("{e:?}"))
}

fn digits<const N: usize>(n: u64) -> [u8; N] {
    let mut d = [0u8; N];
    write_digits(n, &mut d);
    d
}

fn amount(rng: &mut ChaCha8Rng, lo_kr: u64, hi_kr: u64) -> ([u8; 16], u8) {
    let ore = rng.random_range(lo_kr * 100..hi_kr * 100) as i64;
    amount_digits(Decimal { units: ore, scale: 2 }, 6)
}

/// A synthetic CPR: day + 60, so it can never be a real person's.
fn synthetic_cpr(rng: &mut ChaCha8Rng) -> [u8; 10] {
    let day = rng.random_range(1..=28) + 60;
    let month = rng.random_range(1..=12);
    let year = rng.random_range(40..=99);
    digits::<10>(((day * 100 + month) * 100 + year) * 10_000 + rng.random_range(1000..10_000))
}

fn last_day(month: u64) -> u64 {
    match month {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A foreign resident: country, TIN, name, street, town (ISO-8859-1).
type Foreigner = (&'static [u8], &'static [u8], &'static [u8], &'static [u8], &'static [u8]);

const FOREIGN: [Foreigner; 3] = [
    (b"DE", b"12345678901", b"M\xfcller, Anna", b"Hauptstra\xdfe 5", b"Berlin"),
    (b"SE", b"8507149876", b"Lindstr\xf6m, Erik", b"Storgatan 12", b"Malm\xf6"),
    (b"PL", b"85071412345", b"Nowak, Zofia", b"ul. Dluga 7", b"Gda\xf1sk"),
];

fn generate<W: Write>(w: &mut Writer<W>, rng: &mut ChaCha8Rng) -> io::Result<()> {
    let se = digits::<8>(rng.random_range(10_000_000..100_000_000));
    w.emit(
        rng,
        1000,
        &[
            (3, b"20260105"),
            (4, b"021500"),
            (5, &se),
            (6, &se),
            (7, b"02"),
            (9, b"0"),
            (10, b"eindkomst generate"),
            (11, b"1"),
            (12, b"HOVED2026010001"),
            (13, b"2.0"),
            (14, b"T"),
            (16, b"E"),
        ],
    )?;
    let mut report_no = 0u64;
    loop {
        let se = digits::<8>(rng.random_range(10_000_000..100_000_000));
        if !w.emit(rng, 2001, &[(4, &se), (6, b"DKK")])? {
            return Ok(());
        }
        let staff: Vec<([u8; 10], u64, u8)> = (0..rng.random_range(5..120))
            .map(|_| (synthetic_cpr(rng), rng.random_range(22_000..62_000), rng.random_range(0..100u8)))
            .collect();
        if rng.random_bool(0.3) {
            let cpr = staff[0].0;
            if !w.emit(rng, 2101, &[(3, &cpr), (5, b"M-0001"), (6, b"20251201"), (9, b"1"), (10, b"20260101")])? {
                return Ok(());
            }
            for ip in [&b"0100"[..], b"0700"] {
                if !w.emit(rng, 2111, &[(3, ip), (4, b"1"), (5, b"20251201")])? {
                    return Ok(());
                }
            }
        }
        for month in 1..=12u64 {
            report_no += 1;
            let id = format!("LOEN{:012}", report_no);
            let start = digits::<8>(20250001 + month * 100);
            let end = digits::<8>(20250000 + month * 100 + last_day(month));
            if !w.emit(rng, 5000, &[(4, id.as_bytes()), (6, &start), (7, &end), (8, &end), (10, b"B"), (12, b"00")])? {
                return Ok(());
            }
            for (i, &(cpr, salary, kind)) in staff.iter().enumerate() {
                let employee = format!("M-{:04}", i + 1);
                let foreign = (kind < 3).then(|| FOREIGN[kind as usize]);
                let (tin, country) = foreign.map_or((&b""[..], &b""[..]), |f| (f.1, f.0));
                if !w.emit(
                    rng,
                    6000,
                    &[
                        (3, b"00000000"),
                        (4, &cpr),
                        (6, employee.as_bytes()),
                        (7, tin),
                        (8, country),
                        (10, b"0000"),
                        (11, b"1012345678"),
                    ],
                )? {
                    return Ok(());
                }
                if let Some((country, _, name, street, town)) = foreign {
                    if !w.emit(
                        rng,
                        8001,
                        &[(3, b"19850714"), (4, b"2"), (5, country), (6, name), (7, street), (8, b"10115"), (9, town)],
                    )? {
                        return Ok(());
                    }
                }
                let (gross, _) = amount(rng, salary, salary + 500);
                let (tax, _) = amount(rng, salary * 3 / 10, salary * 3 / 10 + 200);
                let (am, _) = amount(rng, salary * 8 / 100, salary * 8 / 100 + 50);
                for (felt, value) in [(b"0013", gross), (b"0015", tax), (b"0016", am)] {
                    if !w.emit(rng, 6001, &[(3, felt), (4, &value), (5, b"+")])? {
                        return Ok(());
                    }
                }
                if kind % 10 == 5 {
                    let (fri, _) = amount(rng, 1000, 6000);
                    if !w.emit(rng, 6001, &[(3, b"0019"), (4, &fri), (5, b"+")])? {
                        return Ok(());
                    }
                }
                if kind % 7 == 0 && !w.emit(rng, 6005, &[(3, b"0200"), (4, b"16033"), (5, b"+")])? {
                    return Ok(());
                }
                if kind % 11 == 0 && !w.emit(rng, 6002, &[(3, b"0209"), (4, b"0033088566")])? {
                    return Ok(());
                }
                if kind % 13 == 0 && !w.emit(rng, 6003, &[(3, b"0063"), (4, b"X")])? {
                    return Ok(());
                }
                if kind % 17 == 0
                    && !w.emit(rng, 6004, &[(3, b"0068"), (4, b"Till\xe6g for aften- og weekendarbejde")])?
                {
                    return Ok(());
                }
                if kind % 19 == 0
                    && !w.emit(rng, 6111, &[(3, b"0010"), (4, b"160"), (5, b"+"), (6, &gross), (7, b"+")])?
                {
                    return Ok(());
                }
                if kind == 99 && month == 12 {
                    let (ferie, _) = amount(rng, 5000, 15000);
                    for rec in [6102, 6202] {
                        if !w.emit(
                            rng,
                            rec,
                            &[(3, &ferie), (4, b"+"), (5, b"1250"), (6, b"+"), (7, b"2025"), (8, &end)],
                        )? {
                            return Ok(());
                        }
                    }
                }
            }
        }
        if rng.random_bool(0.2) {
            let (value, _) = amount(rng, 100, 5000);
            if !w.emit(
                rng,
                3101,
                &[
                    (3, b"B"),
                    (4, b"VIRK000000000001"),
                    (6, b"20250101"),
                    (7, b"20251231"),
                    (9, b"0059"),
                    (10, &value),
                    (11, b"+"),
                ],
            )? {
                return Ok(());
            }
        }
    }
}

/// Writes a file to `out`; returns the number of damaged lines.
///
/// ```
/// let mut file = Vec::new();
/// let spec = eindkomst_cli::generate::Spec { records: 100, seed: 7, errors: 0.0, crlf: false };
/// eindkomst_cli::generate::write(&spec, &mut file).unwrap();
/// assert_eq!(file.iter().filter(|&&b| b == b'\n').count(), 100);
/// assert!(file.ends_with(b"99990000100\n"));
/// ```
pub fn write(spec: &Spec, out: impl Write) -> Result<u64, String> {
    if spec.records < 2 {
        return Err("--records must be at least 2 (a 1000 and a 9999)".into());
    }
    if !(0.0..=1.0).contains(&spec.errors) {
        return Err("--errors must be between 0 and 1".into());
    }
    let enc = if spec.crlf { Encoder::new().with_crlf() } else { Encoder::new() };
    let mut w = Writer {
        out: BufWriter::with_capacity(1 << 20, out),
        enc,
        budget: spec.records - 1,
        buf: [0; 256],
        damage_rate: spec.errors,
        damaged: 0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let io_err = |e: io::Error| e.to_string();
    generate(&mut w, &mut rng).map_err(io_err)?;
    let n = w.enc.end(&mut w.buf).map_err(|e| format!("{e:?}"))?;
    w.out.write_all(&w.buf[..n]).map_err(io_err)?;
    w.out.flush().map_err(io_err)?;
    Ok(w.damaged)
}

/// `eindkomst generate`: writes the file; reports damaged lines on stderr.
pub fn run(spec: Spec, output: Option<&Path>) -> Result<bool, String> {
    let out: Box<dyn Write> = match output {
        Some(p) => Box::new(File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let damaged = write(&spec, out)?;
    if spec.errors > 0.0 {
        eprintln!("damaged {damaged} lines");
    }
    Ok(true)
}
