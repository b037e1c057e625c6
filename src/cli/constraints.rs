//! `ripple constraints PIPELINE [--entry S] [--emit-schema]`

use std::path::PathBuf;

use ripple::report::{Options, trace as out};
use ripple::{Error, ErrorKind, Errors, constraints, pipeline, suggest};

use super::{Format, Outcome, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file.
    pipeline: PathBuf,
    /// The entry system (needed when the pipeline has several).
    #[arg(long, value_name = "SYSTEM")]
    entry: Option<String>,
    /// Print the entry schema tightened so that nothing downstream rejects what it accepts.
    #[arg(long)]
    emit_schema: bool,
    /// Output format (ignored with --emit-schema, which prints JSON Schema).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Outcome, Errors> {
    let pipeline = pipeline::load(&args.pipeline)?;
    let entries: Vec<usize> = pipeline.entries().collect();
    let entry = match &args.entry {
        Some(name) => pipeline.system_id(name).ok_or_else(|| {
            Error::new(ErrorKind::UnknownSystem, format!("unknown system `{name}`")).help(
                suggest::help(
                    name,
                    pipeline.systems.iter().map(|s| s.id.as_str()),
                    "systems",
                ),
            )
        })?,
        None => match entries.as_slice() {
            [one] => *one,
            _ => {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "the pipeline has several entry systems: name one with --entry",
                )
                .help(format!(
                    "entry systems: {}",
                    entries
                        .iter()
                        .map(|&e| pipeline.systems[e].id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
        },
    };
    if !pipeline.systems[entry].entry {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("`{}` is not an entry system", pipeline.systems[entry].id),
        )
        .into());
    }
    let eff = constraints::effective(&pipeline, entry);
    if args.emit_schema {
        let schema = constraints::emit_schema(&pipeline, entry, &eff);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        emit(&text)?;
        return Ok(Outcome::Clean);
    }
    let text = match args.format {
        Format::Human => out::constraints_human(&pipeline, &eff, opts),
        Format::Json => out::constraints_json(&pipeline, &eff),
    };
    emit(&text)?;
    Ok(
        if !eff.sums.is_empty() || eff.fields.iter().any(|f| !f.narrowed_by.is_empty()) {
            Outcome::Findings
        } else {
            Outcome::Clean
        },
    )
}
