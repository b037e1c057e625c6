//! `ripple graph PIPELINE [--format mermaid|dot] [--highlight SYSTEM:FIELD]`

use std::path::PathBuf;

use clap::ValueEnum;
use ripple::lineage::{self, FieldSpec};
use ripple::report::graph;
use ripple::{Errors, pipeline};

use super::{Outcome, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file.
    pipeline: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    format: Format,
    /// Mark the lineage of a field: `payroll:/login` or `payroll:login`.
    #[arg(long, value_name = "SYSTEM:FIELD")]
    highlight: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Mermaid,
    Dot,
}

pub(crate) fn run(args: Args) -> Result<Outcome, Errors> {
    let pipeline = pipeline::load(&args.pipeline)?;
    let lineage = match &args.highlight {
        Some(spec) => Some(lineage::backwards(
            &pipeline,
            &FieldSpec::parse(&pipeline, spec)?,
        )),
        None => None,
    };
    let text = match args.format {
        Format::Mermaid => graph::mermaid(&pipeline, lineage.as_ref()),
        Format::Dot => graph::dot(&pipeline, lineage.as_ref()),
    };
    emit(&text)?;
    Ok(Outcome::Clean)
}
