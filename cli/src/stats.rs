//! `eindkomst stats`: counts, distinct persons and SE-numbers, amount sums.

use crate::input::for_each_event;
use crate::output::summary;
use eindkomst_core::field::Decimal;
use eindkomst_core::{Event, Options};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Sums keyed `"6001/0013"` (record type / Feltnummer) or `"6102"` (one amount per record).
type Sums = BTreeMap<String, Decimal>;

/// Adds each decoded record's amount to `sums`; `None` on overflow.
pub fn add_amount(sums: &mut Sums, rec: u16, feltnummer: Option<u16>, amount: Decimal) -> Option<()> {
    let key = match feltnummer {
        Some(f) => format!("{rec:04}/{f:04}"),
        None => format!("{rec:04}"),
    };
    let sum = sums.entry(key).or_insert(Decimal { units: 0, scale: amount.scale });
    sum.units = sum.units.checked_add(amount.units)?;
    Some(())
}

pub fn run(path: &Path, opts: Options, json: bool) -> Result<bool, String> {
    let mut persons: HashSet<[u8; 10]> = HashSet::new();
    let mut employers: HashSet<u32> = HashSet::new();
    let mut sums = Sums::new();
    let mut overflow = false;
    let counts = for_each_event(path, opts, |event| {
        if let Event::Record(r) = event {
            match r.record_type() {
                6000 => {
                    if let Some(cpr) = r.cpr().and_then(|c| <[u8; 10]>::try_from(c).ok()) {
                        persons.insert(cpr);
                    }
                }
                2001 => {
                    if let Some(se) = r.se_nr() {
                        employers.insert(se);
                    }
                }
                _ => {}
            }
            if let Some(amount) = r.amount() {
                overflow |= add_amount(&mut sums, r.record_type(), r.feltnummer(), amount).is_none();
            }
        }
        Ok(())
    })?;
    if overflow {
        return Err("an amount sum overflowed 64 bits".into());
    }
    if json {
        let amounts: serde_json::Map<String, serde_json::Value> =
            sums.iter().map(|(k, v)| (k.clone(), v.to_string().into())).collect();
        let by_type: serde_json::Map<String, serde_json::Value> = counts
            .by_type
            .iter()
            .filter(|t| t.decoded + t.rejected > 0)
            .map(|t| (format!("{:04}", t.rec_nr), serde_json::json!({"decoded": t.decoded, "rejected": t.rejected})))
            .collect();
        let doc = serde_json::json!({
            "lines": counts.lines, "decoded": counts.decoded, "rejected": counts.rejected,
            "warnings": counts.warnings, "errors": counts.errors, "rejected_untyped": counts.rejected_untyped,
            "by_type": by_type, "persons": persons.len(), "se_numbers": employers.len(), "amounts": amounts,
        });
        println!("{doc}");
    } else {
        println!("{}", summary(&counts));
        println!("distinct persons (CPR in 6000): {}", persons.len());
        println!("distinct SE-numbers (2001): {}", employers.len());
        println!("amount sums (kr):");
        for (k, v) in &sums {
            println!("  {k:<10} {v:>20}");
        }
    }
    Ok(counts.rejected == 0 && counts.errors == 0)
}
