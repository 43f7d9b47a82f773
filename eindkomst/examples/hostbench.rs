//! The native side of `benches/hosts/run.sh`: the same two workloads every
//! host binding runs, through the std crate's [`Reader`].
//!
//! * `A FILE`: sum the 6001 amounts (øre) per feltnummer; prints
//!   `felt<TAB>øre` for every feltnummer with records, ascending.
//! * `B FILE`: every field of every record as a string (ISO-8859-1 →
//!   UTF-8, trailing blanks trimmed, as `--raw`); prints the number of
//!   fields and of characters.

use eindkomst::{Event, Reader, Session};
use eindkomst_core::field::{latin1_chars, trim_end};
use eindkomst_core::Options;
use std::fs::File;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(work), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: hostbench A|B FILE");
        return ExitCode::from(2);
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let session = Session::new(Options::default(), None).expect("no filter");
    let mut reader = Reader::new(file, session);
    let result = if work == "A" {
        let mut sums = vec![0i64; 10_000];
        let mut seen = vec![false; 10_000];
        let r = reader.for_each_event(|e| {
            if let Event::Record { record, .. } = e {
                if record.record_type() == 6001 {
                    if let (Some(felt), Some(ore)) = (record.feltnummer(), record.amount().and_then(|a| a.ore())) {
                        sums[felt as usize] += ore;
                        seen[felt as usize] = true;
                    }
                }
            }
        });
        for (felt, sum) in sums.iter().enumerate().filter(|(f, _)| seen[*f]) {
            println!("{felt}\t{sum}");
        }
        r
    } else {
        let (mut fields, mut chars) = (0u64, 0u64);
        let r = reader.for_each_event(|e| {
            if let Event::Record { record, .. } = e {
                for (_, raw) in record.fields() {
                    let s: String = latin1_chars(trim_end(raw)).collect();
                    fields += 1;
                    chars += s.chars().count() as u64;
                }
            }
        });
        println!("fields {fields} chars {chars}");
        r
    };
    if let Err(e) = result {
        eprintln!("{path}: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
