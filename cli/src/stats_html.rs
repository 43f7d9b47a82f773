//! `eindkomst stats --html FILE`: the figures of [`crate::stats`] as one
//! self-contained HTML page, for people who would rather look than read:
//! totals, then small bar charts (inline SVG) of records per type, amount sums
//! per Feltnummer and findings per kind, each bar labelled with its exact
//! value. No script, no external resource (a Content-Security-Policy of
//! `default-src 'none'` makes sure), no CPR number: the page can be mailed
//! or archived as it is.

use crate::stats::Report;
use std::fmt::Write;

/// One bar of a chart: a key for tests (`data-key`), a label, its segments
/// (length, CSS class) and the exact value as text.
struct Bar {
    key: String,
    label: String,
    segments: Vec<(f64, &'static str)>,
    value: String,
    title: String,
}

const ROW: u32 = 22;
const LABEL_W: u32 = 200;
const BAR_W: f64 = 320.0;
const WIDTH: u32 = 660;
/// Characters of a record type's name that fit beside its number in the label column.
const LABEL_CHARS: usize = 20;

/// The page for the report on `source` (a file name, shown as the title).
pub fn page(source: &str, r: &Report) -> String {
    let c = &r.counts;
    let clean = c.rejected == 0 && c.errors == 0;
    let mut s = String::new();
    let title = format!("eindkomst stats: {}", esc(source));
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    let _ = writeln!(
        s,
        "<p id=\"verdict\" class=\"{}\">{}</p>",
        if clean { "clean" } else { "not-clean" },
        if clean { "clean: every line decoded, no stream error" } else { "NOT clean" }
    );

    s += "<dl id=\"totals\">\n";
    let mut total = |key: &str, label: &str, value: u64| {
        let _ = writeln!(s, "<div data-key=\"{key}\"><dt>{label}</dt><dd>{value}</dd></div>");
    };
    total("lines", "Lines", c.lines);
    total("decoded", "Decoded", c.decoded);
    total("rejected", "Rejected", c.rejected);
    total("errors", "Stream errors", c.errors);
    total("warnings", "Warnings", c.warnings);
    total("persons", "Persons (CPR)", r.persons as u64);
    total("se_numbers", "SE-numbers (employers)", r.se_numbers as u64);
    if let Some(f) = &r.filter {
        total("filter_seen", "Filter: seen", f.seen);
        total("filter_passed", "Filter: passed", f.passed);
    }
    s += "</dl>\n";

    // Records per type: decoded and rejected, stacked.
    let mut bars: Vec<Bar> = c
        .by_type
        .iter()
        .filter(|t| t.decoded + t.rejected > 0)
        .map(|t| {
            let name = r.family.get(t.rec_nr).map_or("", |l| l.name);
            let key = crate::output::key_text(r.family, t.rec_nr);
            Bar {
                key: key.clone(),
                label: format!("{key} {}", shorten(name, LABEL_CHARS)),
                segments: vec![(t.decoded as f64, "decoded"), (t.rejected as f64, "rejected")],
                value: if t.rejected > 0 {
                    format!("{} + {} rejected", t.decoded, t.rejected)
                } else {
                    t.decoded.to_string()
                },
                title: format!("{key} {name}: {} decoded, {} rejected", t.decoded, t.rejected),
            }
        })
        .collect();
    if c.rejected_untyped > 0 {
        bars.push(Bar {
            key: "untyped".into(),
            label: "record type unreadable".into(),
            segments: vec![(c.rejected_untyped as f64, "rejected")],
            value: format!("{} rejected", c.rejected_untyped),
            title: format!("{} rejected lines without a readable record type", c.rejected_untyped),
        });
    }
    section(&mut s, "records", "Records per type", "decoded; rejected in red", &bars);

    // Amounts: one bar per record type and Feltnummer, length by absolute value.
    let bars: Vec<Bar> = r
        .sums
        .iter()
        .map(|(key, sum)| {
            let label = match key.split_once('/') {
                Some((rec, felt)) => format!("{rec} Feltnummer {felt}"),
                None => format!("{key} Beløb"),
            };
            Bar {
                key: key.clone(),
                label,
                segments: vec![(sum.units.unsigned_abs() as f64, if sum.units < 0 { "negative" } else { "amount" })],
                value: format!("{sum} kr"),
                title: format!("{key}: {sum} kr"),
            }
        })
        .collect();
    section(&mut s, "amounts", "Amounts per Feltnummer", "sums in kroner; negative sums in orange", &bars);

    let mut bars: Vec<Bar> = r
        .findings
        .iter()
        .map(|((reported_as, code), n)| Bar {
            key: format!("{reported_as}/{code}"),
            label: format!("{code} ({reported_as})"),
            segments: vec![(*n as f64, reported_as_class(reported_as))],
            value: n.to_string(),
            title: format!("{code}, {reported_as}: {n}"),
        })
        .collect();
    if c.suppressed > 0 {
        // Counted by the decoder but not reported one by one, so without a kind.
        bars.push(Bar {
            key: "suppressed".into(),
            label: "beyond the per-line limit".into(),
            segments: vec![(c.suppressed as f64, "warning")],
            value: c.suppressed.to_string(),
            title: format!("{} findings counted but not reported (per-line limit)", c.suppressed),
        });
    }
    section(
        &mut s,
        "findings",
        "Findings per kind",
        "rejected lines in red, stream errors in purple, warnings in amber",
        &bars,
    );

    s += "<footer>Made by <code>eindkomst stats --html</code>; the exact figures are those of <code>eindkomst stats --json</code>.</footer>\n</body>\n</html>\n";
    s
}

fn reported_as_class(reported_as: &str) -> &'static str {
    match reported_as {
        "rejected" => "rejected",
        "error" => "error",
        _ => "warning",
    }
}

/// A titled section with one horizontal bar chart, or a line saying there is nothing.
fn section(s: &mut String, id: &str, heading: &str, legend: &str, bars: &[Bar]) {
    let _ = writeln!(s, "<section id=\"{id}\">\n<h2>{heading}</h2>");
    if bars.is_empty() {
        s.push_str("<p class=\"none\">none</p>\n</section>\n");
        return;
    }
    let _ = writeln!(s, "<p class=\"legend\">{legend}</p>");
    let max = bars.iter().map(|b| b.segments.iter().map(|x| x.0).sum::<f64>()).fold(0.0, f64::max);
    let height = ROW * bars.len() as u32;
    let _ = writeln!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{heading}\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\">"
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as u32 * ROW;
        let _ = write!(
            s,
            "<g class=\"bar\" data-key=\"{}\"><title>{}</title><text class=\"label\" x=\"{}\" y=\"{}\">{}</text>",
            esc(&b.key),
            esc(&b.title),
            LABEL_W - 8,
            y + 15,
            esc(&b.label)
        );
        let mut x = LABEL_W as f64;
        for &(len, class) in &b.segments {
            let w = if max > 0.0 { len / max * BAR_W } else { 0.0 };
            if len > 0.0 {
                // At least one pixel, so a small but present value is seen.
                let w = w.max(1.0);
                let _ = write!(
                    s,
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\"/>",
                    y + 3,
                    ROW - 6
                );
                x += w;
            }
        }
        let _ = writeln!(s, "<text class=\"value\" x=\"{:.1}\" y=\"{}\">{}</text></g>", x + 6.0, y + 15, esc(&b.value));
    }
    s.push_str("</svg>\n</section>\n");
}

/// `text` cut to `max` characters, the cut marked with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// HTML text escaping (file names and labels).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

const STYLE: &str = "
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 720px; color: #222; padding: 0 1em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin: 1.6em 0 .2em; }
#verdict { font-weight: 600; } .clean { color: #17692c; } .not-clean { color: #b3261e; }
#totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .5em; margin: 1em 0; }
#totals div { background: #f3f4f6; border-radius: 6px; padding: .4em .6em; }
#totals dt { font-size: .8em; color: #555; } #totals dd { margin: 0; font-size: 1.3em; font-variant-numeric: tabular-nums; }
.legend, .none, footer { color: #666; font-size: .85em; margin: 0 0 .4em; }
footer { margin-top: 2em; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #222; dominant-baseline: auto; }
svg text.label { text-anchor: end; } svg text.value { font-variant-numeric: tabular-nums; }
rect.decoded, rect.amount { fill: #3b6fb6; } rect.rejected { fill: #c62828; } rect.negative { fill: #e07b00; }
rect.error { fill: #7b1fa2; } rect.warning { fill: #f2b705; }
";

#[cfg(test)]
mod tests {
    use super::{esc, page, shorten};
    use crate::stats::Report;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }

    #[test]
    fn long_names_are_cut() {
        assert_eq!(shorten("Virksomhedsniveau-indberetning", 20), "Virksomhedsniveau-i…");
        assert_eq!(shorten("Løn", 3), "Løn");
    }

    #[test]
    fn suppressed_findings_get_a_bar() {
        let mut counts = *eindkomst_core::Decoder::default().counts();
        counts.suppressed = 3;
        let report = Report {
            family: &eindkomst_core::EMPLOYER,
            counts,
            persons: 0,
            se_numbers: 0,
            sums: Default::default(),
            findings: Default::default(),
            filter: None,
        };
        let html = page("x.txt", &report);
        assert!(html.contains("<g class=\"bar\" data-key=\"suppressed\"><title>3 findings counted but not reported (per-line limit)</title>"), "{html}");
        assert!(html.contains(">beyond the per-line limit</text>"));
    }
}
