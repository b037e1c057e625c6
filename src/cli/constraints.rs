//! `ripple constraints PIPELINE [--entry S] [--emit-schema]`

use std::path::PathBuf;

use ripple::report::{Options, trace as out};
use ripple::{Errors, constraints};

use super::args::HumanOrJson;
use super::{Format, Verdict, emit};

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
    #[command(flatten)]
    format: HumanOrJson,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let pipeline = super::load(&args.pipeline)?;
    let entry = pipeline.resolve_entry(args.entry.as_deref())?;
    let eff = constraints::effective(&pipeline, entry);
    if args.emit_schema {
        let schema = constraints::emit_schema(&pipeline, entry, &eff);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        emit(&text)?;
        return Ok(Verdict::Clean);
    }
    let text = match args.format.format {
        Format::Json => out::constraints_json(&pipeline, &eff),
        _ => out::constraints_human(&pipeline, &eff, opts),
    };
    emit(&text)?;
    Ok(Verdict::found(eff.narrows()))
}
