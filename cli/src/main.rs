//! `eindkomst`: decode, validate, summarise and generate eIndkomst files.
//!
//! Every command reads its input in fixed chunks and feeds them to the core's
//! streaming [`Decoder`](eindkomst_core::Decoder), so memory stays constant
//! whatever the file size. Findings go to stderr (`decode`) or stdout
//! (`validate`), one line each, never with a CPR value in them.

use eindkomst_cli::{filter, generate, output, stats};

use clap::{Parser, Subcommand, ValueEnum};
use eindkomst_core::{Options, PersonLayout};
use std::path::PathBuf;
use std::process::ExitCode;

/// `eindkomst --help`: one example per command.
const EXAMPLES: &str = "\
Examples:
  eindkomst decode testdata/sample.txt                 every record as one JSON line
  eindkomst validate daily.txt                         findings and a summary; exit 0 when clean
  eindkomst stats --html report.html daily.txt         counts, sums and findings as charts
  eindkomst generate --records 1000000 -o big.txt      a synthetic file to try things on

A file larger than 64 MiB shows its progress and rate on a terminal.";

const DECODE_EXAMPLES: &str = "\
Examples:
  eindkomst decode testdata/sample.txt
  eindkomst decode --format csv --raw daily.txt > daily.csv
  eindkomst decode --base64 - < message-body.txt
  eindkomst decode --profile minimal --records 6000,6001 daily.txt";

const VALIDATE_EXAMPLES: &str = "\
Examples:
  eindkomst validate daily.txt
  eindkomst validate --strict daily.txt && echo clean";

const STATS_EXAMPLES: &str = "\
Examples:
  eindkomst stats testdata/sample.txt
  eindkomst stats --json daily.txt
  eindkomst stats --html report.html daily.txt        one self-contained page with charts";

const GENERATE_EXAMPLES: &str = "\
Examples:
  eindkomst generate --records 27
  eindkomst generate --records 2100000 --seed 7 -o 100mb.txt
  eindkomst generate --records 20000 --errors 0.05 -o damaged.txt";

#[derive(Parser)]
#[command(
    name = "eindkomst",
    version,
    about = "Decode and validate eIndkomst fixed-length income records",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by the commands that read a file.
#[derive(clap::Args, Clone)]
struct DecodeArgs {
    /// Input file, or `-` for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// Input is Base64 text (a Beskedfordeler message body).
    #[arg(long)]
    base64: bool,
    /// Stop at the first rejected line or stream error.
    #[arg(long)]
    strict: bool,
    /// Decimals in 16-digit amounts (spec: uncertain, 10+6 digits assumed).
    #[arg(long, default_value_t = 6)]
    amount_scale: u8,
    /// Which 6000 layout to use.
    #[arg(long, value_enum, default_value_t = PersonArg::Auto)]
    person_layout: PersonArg,
    /// Treat codes outside an open value set as errors, not warnings.
    #[arg(long)]
    unknown_codes_reject: bool,
    /// Decode with the layouts in this JSON file (same shape as the spec's eindkomst-layout.json).
    #[arg(long)]
    layout: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PersonArg {
    Auto,
    Current,
    PreTin,
}

use eindkomst_cli::Format;

#[derive(Subcommand)]
enum Command {
    /// Decode records to NDJSON, JSON or CSV on stdout; findings go to stderr.
    #[command(after_help = DECODE_EXAMPLES)]
    Decode {
        #[command(flatten)]
        args: DecodeArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Ndjson)]
        format: Format,
        /// Raw output: every field by number, as the bytes stand (trailing blanks trimmed).
        #[arg(long)]
        raw: bool,
        /// Dataafgrænsning: which records and fields to write (see docs/filtering.md).
        #[command(flatten)]
        filter: filter::FilterArgs,
    },
    /// Check a file: one line per finding, a summary, exit 0 when clean, 1 when not.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate {
        #[command(flatten)]
        args: DecodeArgs,
    },
    /// Counts per record type, distinct persons and SE-numbers, sums per amount field, findings per kind.
    #[command(after_help = STATS_EXAMPLES)]
    Stats {
        #[command(flatten)]
        args: DecodeArgs,
        /// Print JSON instead of a table.
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// Write one self-contained HTML page with charts to this file (`-`: stdout).
        #[arg(long, value_name = "OUT.html")]
        html: Option<PathBuf>,
        /// Dataafgrænsning: count only what these let through (see docs/filtering.md).
        #[command(flatten)]
        filter: filter::FilterArgs,
    },
    /// Write a realistic synthetic file (synthetic CPRs) to stdout or --output.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate {
        /// Number of lines, 1000 and 9999 included.
        #[arg(long)]
        records: u64,
        /// Seed for the random generator (same seed, same file).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Fraction of 6001 lines to damage (each gets exactly one rejection).
        #[arg(long, default_value_t = 0.0)]
        errors: f64,
        /// CRLF line ends instead of LF.
        #[arg(long)]
        crlf: bool,
        /// Write here instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

impl DecodeArgs {
    fn options(&self) -> Result<Options, String> {
        let mut opts = Options {
            strict: self.strict,
            base64: self.base64,
            amount_scale: self.amount_scale,
            person_layout: match self.person_layout {
                PersonArg::Auto => PersonLayout::Auto,
                PersonArg::Current => PersonLayout::Current,
                PersonArg::PreTin => PersonLayout::PreTin,
            },
            unknown_codes_reject: self.unknown_codes_reject,
            ..Options::default()
        };
        if self.amount_scale > 16 {
            return Err("--amount-scale must be at most 16".into());
        }
        if let Some(path) = &self.layout {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            opts.layouts = eindkomst_core::layout_json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(opts)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { args, format, raw, filter } if filter.active() => {
            args.options().and_then(|o| filter.selection().and_then(|s| filter::decode(&args.file, o, format, raw, &s)))
        }
        Command::Decode { args, format, raw, .. } => {
            args.options().and_then(|o| output::decode(&args.file, o, format, raw))
        }
        Command::Validate { args } => args.options().and_then(|o| output::validate(&args.file, o)),
        Command::Stats { args, json, html, filter } => args.options().and_then(|o| {
            let selection = if filter.active() { Some(filter.selection()?) } else { None };
            let output = match (&html, json) {
                (Some(path), _) => stats::Output::Html(path),
                (None, true) => stats::Output::Json,
                (None, false) => stats::Output::Text,
            };
            stats::run(&args.file, o, output, selection.as_ref())
        }),
        Command::Generate { records, seed, errors, crlf, output } => {
            generate::run(generate::Spec { records, seed, errors, crlf }, output.as_deref())
        }
    };
    match result {
        Ok(clean) => {
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(msg) => {
            eprintln!("eindkomst: {msg}");
            ExitCode::from(2)
        }
    }
}
