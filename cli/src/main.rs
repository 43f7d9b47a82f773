//! `eindkomst`: decode, validate, summarise and generate eIndkomst files.
//!
//! Every command reads its input in fixed chunks and feeds them to the core's
//! streaming [`Decoder`](eindkomst_core::Decoder), so memory stays constant
//! whatever the file size. Findings go to stderr (`decode`) or stdout
//! (`validate`), one line each, never with a CPR value in them.

use eindkomst_cli::{filter, generate, layout_tool, output, stats};

use clap::{Parser, Subcommand, ValueEnum};
use eindkomst_core::{Encoding, Family, Options, Unknown, EMPLOYER};
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
    /// Which employer 6000 layout to use: by the family's rules (auto: line
    /// length, then the 1000's Dato_sendt, then content), or always one.
    #[arg(long, value_enum, default_value_t = PersonArg::Auto)]
    person_layout: PersonArg,
    /// Force a layout variant for its record type: KEY@VARIANT (e.g. 6000@v7.1); repeatable.
    #[arg(long, value_name = "KEY@VARIANT")]
    variant: Vec<String>,
    /// Treat codes outside an open value set as errors, not warnings.
    #[arg(long)]
    unknown_codes_reject: bool,
    /// Decode another record family: a family file (see docs/layouts.md).
    /// Without it, the employer reporting family.
    #[arg(long, alias = "layout", value_name = "FILE")]
    family: Option<PathBuf>,
    /// Character encoding: auto (ISO-8859-1, or UTF-8 decided once per file), latin1, utf8.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    encoding: EncodingArg,
    /// Lines with an unknown record key: reject them, or pass them through raw.
    #[arg(long, value_enum, default_value_t = UnknownArg::Reject)]
    unknown: UnknownArg,
    /// Threads for a file (0: every core). Output, counts and finding order
    /// are the same as with 1. Standard input, Base64 and filters use one.
    /// As many threads as the cores this process may use (the default) each
    /// stay on a core of their own (Linux). At most 256 (a larger number
    /// once aborted on allocating its queue).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=256))]
    jobs: u16,
}

impl DecodeArgs {
    fn jobs(&self) -> usize {
        if self.jobs == 0 {
            eindkomst_cli::parallel::every_core()
        } else {
            usize::from(self.jobs)
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum PersonArg {
    Auto,
    Current,
    PreTin,
    Taxcardbuilder,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    Auto,
    Latin1,
    Utf8,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnknownArg {
    Reject,
    Raw,
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
    /// Help for transcribing a family's layout: infer a draft, check a family file.
    Layout {
        #[command(subcommand)]
        command: LayoutCommand,
    },
    /// Say what each file is: a family's lines, separated rows, gzip, XML, ...
    Detect {
        /// Files to look at.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Family files to recognise besides the employer family.
        #[arg(long, value_name = "FILE")]
        family: Vec<PathBuf>,
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

#[derive(Subcommand)]
enum LayoutCommand {
    /// Print a draft family file from samples: per record key the line
    /// lengths seen, per column the byte classes, fields cut where they change.
    Infer {
        /// Sample files.
        #[arg(required = true)]
        samples: Vec<PathBuf>,
        /// Where the record key sits, START:LEN (1-based; for separated
        /// samples START is the field). Default: the employer's 8:4 when the
        /// samples are employer files, else 1:3.
        #[arg(long, value_name = "START:LEN")]
        key: Option<String>,
        /// Where a running line number sits, START:LEN.
        #[arg(long, value_name = "START:LEN")]
        line_number: Option<String>,
        /// The samples are separated rows with this separator (e.g. "'").
        #[arg(long)]
        separator: Option<char>,
    },
    /// Decode samples with a family file and report the fit per record type
    /// and field; exit 0 only when every line decodes.
    Check {
        /// The family file.
        family: PathBuf,
        /// Sample files.
        #[arg(required = true)]
        samples: Vec<PathBuf>,
    },
}

impl DecodeArgs {
    fn options(&self) -> Result<Options, String> {
        if self.amount_scale > 16 {
            return Err("--amount-scale must be at most 16".into());
        }
        let family = match &self.family {
            Some(path) => load_family(path)?,
            None => &EMPLOYER,
        };
        let mut opts = Options {
            strict: self.strict,
            base64: self.base64,
            amount_scale: self.amount_scale,
            unknown_codes_reject: self.unknown_codes_reject,
            family,
            encoding: match self.encoding {
                EncodingArg::Auto => Encoding::Auto,
                EncodingArg::Latin1 => Encoding::Latin1,
                EncodingArg::Utf8 => Encoding::Utf8,
            },
            unknown: match self.unknown {
                UnknownArg::Reject => Unknown::Reject,
                UnknownArg::Raw => Unknown::Raw,
            },
            ..Options::default()
        };
        let person = match self.person_layout {
            PersonArg::Auto => None,
            PersonArg::Current => Some(""),
            PersonArg::PreTin => Some("v7.1"),
            PersonArg::Taxcardbuilder => Some("TaxCardBuilder"),
        };
        let forced = person.map(|v| format!("6000@{v}")).into_iter().chain(self.variant.iter().cloned());
        for spec in forced {
            let (key, variant) = spec.split_once('@').ok_or(format!("--variant {spec}: KEY@VARIANT"))?;
            let layout = family
                .layouts()
                .find(|l| l.key == key && l.variant == variant)
                .ok_or_else(|| format!("family {}: no layout {spec}", family.name))?;
            opts = opts.with_layout(layout);
        }
        Ok(opts)
    }
}

/// Where key and line number sit for `layout infer`.
fn infer_shape(
    samples: &[PathBuf],
    key: Option<String>,
    line_number: Option<String>,
    separator: Option<char>,
) -> Result<layout_tool::Shape, String> {
    let separator = match separator {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => return Err(format!("--separator {c}: an ASCII character")),
        None => None,
    };
    let employer = || {
        let head = std::fs::read(&samples[0]).unwrap_or_default();
        eindkomst_core::detect::detect(&head, &EMPLOYER) == eindkomst_core::detect::FileKind::ThisFamily
    };
    let (key, line_number) = match (key, line_number) {
        (Some(k), n) => (layout_tool::parse_span(&k)?, n.map(|n| layout_tool::parse_span(&n)).transpose()?),
        (None, None) if separator.is_none() && employer() => ((7, 4), Some((0, 7))),
        (None, n) => ((0, 3), n.map(|n| layout_tool::parse_span(&n)).transpose()?),
    };
    Ok(layout_tool::Shape { key, line_number, separator })
}

/// Reads a family file.
fn load_family(path: &std::path::Path) -> Result<&'static Family, String> {
    eindkomst::family::load(path)
}

fn main() -> ExitCode {
    // clap's errors quote the offending argument: masked like every error
    // text (a CPR typed where an SE-nr belongs stays out of the log).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            eprint!("{}", eindkomst::mask_cpr_like(&e.render().to_string()));
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Decode { args, format, raw, filter } if filter.active() => {
            args.options().and_then(|o| filter::decode(&args.file, o, format, raw, filter.compile(o.family)?))
        }
        Command::Decode { args, format, raw, .. } => {
            args.options().and_then(|o| output::decode(&args.file, o, format, raw, args.jobs()))
        }
        Command::Validate { args } => args.options().and_then(|o| output::validate(&args.file, o, args.jobs())),
        Command::Stats { args, json, html, filter } => args.options().and_then(|o| {
            let compiled = if filter.active() { Some(filter.compile(o.family)?) } else { None };
            let output = match (&html, json) {
                (Some(path), _) => stats::Output::Html(path),
                (None, true) => stats::Output::Json,
                (None, false) => stats::Output::Text,
            };
            stats::run(&args.file, o, output, compiled, args.jobs())
        }),
        Command::Layout { command: LayoutCommand::Infer { samples, key, line_number, separator } } => {
            infer_shape(&samples, key, line_number, separator).and_then(|shape| layout_tool::infer(&samples, &shape))
        }
        Command::Layout { command: LayoutCommand::Check { family, samples } } => {
            load_family(&family).and_then(|f| layout_tool::check(f, &samples))
        }
        Command::Detect { files, family } => {
            family.iter().map(|p| load_family(p)).collect::<Result<Vec<_>, _>>().and_then(|mut fams| {
                fams.insert(0, &EMPLOYER);
                layout_tool::detect_files(&files, &fams)
            })
        }
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
            eprintln!("eindkomst: {}", eindkomst::mask_cpr_like(&msg));
            ExitCode::from(2)
        }
    }
}
