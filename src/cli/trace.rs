//! `ripple trace PIPELINE SYSTEM:FIELD` and `ripple trace PIPELINE --log FILE [--system S]`

use std::path::PathBuf;

use clap::ValueEnum;
use ripple::lineage::FieldSpec;
use ripple::report::{Options, trace as out};
use ripple::{Error, ErrorKind, Errors, pipeline, trace};

use super::{Outcome, emit};

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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Outcome, Errors> {
    let pipeline = pipeline::load(&args.pipeline)?;
    let Some(field) = &args.field else {
        return Err(Error::new(ErrorKind::Usage, "log mode is not built yet").into());
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
