//! `ripple graph PIPELINE [--format mermaid|dot] [--highlight SYSTEM:FIELD]`

use std::path::PathBuf;

use ripple::Errors;
use ripple::lineage::{self, FieldSpec};
use ripple::report::graph;

use super::args::formats;
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file.
    pipeline: PathBuf,
    /// Output format.
    #[arg(long, default_value = "mermaid", value_parser = formats(&[Format::Mermaid, Format::Dot]))]
    format: Format,
    /// Mark the lineage of a field: `payroll:/login` or `payroll:login`.
    #[arg(long, value_name = "SYSTEM:FIELD")]
    highlight: Option<String>,
}

pub(crate) fn run(args: Args) -> Result<Verdict, Errors> {
    let pipeline = super::load(&args.pipeline)?;
    let lineage = match &args.highlight {
        Some(spec) => Some(lineage::backwards(
            &pipeline,
            &FieldSpec::parse(&pipeline, spec)?,
        )),
        None => None,
    };
    let text = match args.format {
        Format::Dot => graph::dot(&pipeline, lineage.as_ref()),
        _ => graph::mermaid(&pipeline, lineage.as_ref()),
    };
    emit(&text)?;
    Ok(Verdict::Clean)
}
