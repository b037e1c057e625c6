//! `ripple trace PIPELINE SYSTEM:FIELD` and `ripple trace PIPELINE --log FILE [--system S]`

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use ripple::journal::{self, Journal};
use ripple::lineage::FieldSpec;
use ripple::report::{Options, trace as out};
use ripple::{Error, ErrorKind, Errors, pipeline, trace};

use super::{Format, Outcome, emit};

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
    /// With --log: the journal whose changes events are linked to (default
    /// `.ripple/journal.db` when it exists).
    #[arg(long, value_name = "PATH", requires = "log", env = "RIPPLE_JOURNAL")]
    journal: Option<PathBuf>,
    /// Show personal (`x-pii`) values instead of masking them.
    #[arg(long)]
    show_values: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: Args, mut opts: Options) -> Result<Outcome, Errors> {
    opts.show_values |= args.show_values;
    let pipeline = pipeline::load(&args.pipeline)?;
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
    };
    emit(&text)?;
    Ok(if t.root_cause.is_some() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn run_log(
    pipeline: &ripple::pipeline::Pipeline,
    args: &Args,
    log: &Path,
    opts: Options,
) -> Result<Outcome, Errors> {
    let journal = match &args.journal {
        Some(path) => Some(Journal::open_existing(path)?),
        None => {
            let default = Path::new(journal::DEFAULT_PATH);
            if default.exists() {
                Some(Journal::open_existing(default)?)
            } else {
                None
            }
        }
    };
    let reader: Box<dyn BufRead> = if log == Path::new("-") {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            std::io::stdin().lock(),
        ))
    } else {
        let file = File::open(log).map_err(|e| Error::io(log, &e))?;
        Box::new(BufReader::with_capacity(256 * 1024, file))
    };
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let json = matches!(args.format, Format::Json);
    let mut write_error: Option<std::io::Error> = None;
    let mut first = true;
    let mut write = |out: &mut BufWriter<_>, text: &str| {
        if write_error.is_none()
            && let Err(e) = out.write_all(text.as_bytes())
        {
            write_error = Some(e);
        }
    };
    if json {
        write(&mut out, "{\"events\": [\n");
    }
    let summary = trace::trace_log(
        pipeline,
        reader,
        args.system.as_deref(),
        journal.as_ref(),
        |event| {
            let text = if json {
                let sep = if first { "  " } else { ",\n  " };
                format!("{sep}{}", out_json(pipeline, event, opts))
            } else if opts.quiet {
                String::new()
            } else {
                out::log_event_human(pipeline, event, opts)
            };
            first = false;
            write(&mut out, &text);
        },
    )?;
    if json {
        let mut tail = out::log_summary_json(pipeline, &summary);
        let body = tail.as_object_mut().map(std::mem::take).unwrap_or_default();
        let mut text = String::from("\n]");
        for (k, v) in body {
            text.push_str(&format!(",\n\"{k}\": {v}"));
        }
        text.push_str("}\n");
        write(&mut out, &text);
    } else {
        write(&mut out, &out::log_summary_human(pipeline, &summary, opts));
    }
    if let Some(e) = write_error.or_else(|| out.flush().err())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::new(ErrorKind::Io, format!("cannot write output: {e}")).into());
    }
    Ok(if summary.stats.events > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn out_json(
    pipeline: &ripple::pipeline::Pipeline,
    event: &trace::TracedEvent,
    opts: Options,
) -> String {
    serde_json::to_string(&out::log_event_json(pipeline, event, opts)).unwrap_or_default()
}
