//! `ripple trace PIPELINE SYSTEM:FIELD` and `ripple trace PIPELINE --log FILE [--system S]`

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};

use ripple::lineage::FieldSpec;
use ripple::report::log::{LogFormat, LogWriter};
use ripple::report::{Options, trace as out};
use ripple::{Error, ErrorKind, Errors, request, trace};

use super::args::{JournalArg, formats};
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file.
    pipeline: PathBuf,
    /// The field to trace: `payroll:/login` or `payroll:login`.
    #[arg(
        value_name = "SYSTEM:FIELD",
        required_unless_present = "log",
        conflicts_with = "log"
    )]
    field: Option<String>,
    /// A downstream error log to trace, line by line (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// With --log: every line comes from this system.
    #[arg(long, value_name = "SYSTEM", requires = "log")]
    system: Option<String>,
    /// With --log: the journal whose changes events are linked to (used when it exists).
    #[command(flatten)]
    journal: JournalArg,
    /// Output format; `jsonl` (with --log) streams one JSON object per event, then a
    /// summary object.
    #[arg(long, default_value = "human", value_parser = formats(&[Format::Human, Format::Json, Format::Jsonl]))]
    format: Format,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let pipeline = super::load(&args.pipeline)?;
    if let Some(log) = &args.log {
        return run_log(&pipeline, &args, log, opts);
    }
    let Some(field) = &args.field else {
        return Err(Error::new(ErrorKind::Usage, "name a SYSTEM:FIELD or a --log FILE").into());
    };
    let spec = FieldSpec::parse(&pipeline, field)?;
    let t = trace::trace_field(&pipeline, &spec);
    let text = match args.format {
        Format::Human => out::field_human(&pipeline, &t, opts),
        Format::Json => out::field_json(&pipeline, &t),
        _ => {
            return Err(
                Error::new(ErrorKind::Usage, "`--format jsonl` is for `--log`")
                    .help("use `--format json` to trace a field")
                    .into(),
            );
        }
    };
    emit(&text)?;
    Ok(t.exit_verdict())
}

fn run_log(
    pipeline: &ripple::pipeline::Pipeline,
    args: &Args,
    log: &Path,
    opts: Options,
) -> Result<Verdict, Errors> {
    let journal = request::existing_journal(args.journal.journal.as_deref())?;
    let reader: Box<dyn BufRead> = if log == Path::new("-") {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            std::io::stdin().lock(),
        ))
    } else {
        let file = File::open(log).map_err(|e| Error::io(log, &e))?;
        Box::new(BufReader::with_capacity(256 * 1024, file))
    };
    let format = match args.format {
        Format::Json => LogFormat::Json,
        Format::Jsonl => LogFormat::JsonLines,
        _ => LogFormat::Human,
    };
    let out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut writer = LogWriter::new(pipeline, format, opts, out);
    let summary = trace::trace_log(
        pipeline,
        reader,
        args.system.as_deref(),
        journal.as_ref(),
        |event| writer.event(event),
    )?;
    writer
        .finish(&summary)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write output: {e}")))?;
    Ok(Verdict::found(summary.stats.events > 0))
}
