//! `ripple check [PATHS…]`

use std::path::PathBuf;

use ripple::report::{self, Options};
use ripple::{Errors, check};

use super::args::formats;
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Pipeline files or folders, searched recursively for `*.yaml` and `*.yml`
    /// (default: `pipelines/`).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "human", value_parser = formats(&[Format::Human, Format::Json, Format::Sarif, Format::Junit, Format::Github]))]
    format: Format,
    /// Candidate changes run per pipeline when looking for witnesses; fields left
    /// undecided when it runs out say so (raise it for large graphs).
    #[arg(long, value_name = "N", default_value_t = check::WITNESS_BUDGET)]
    witness_budget: usize,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("pipelines")]
    } else {
        args.paths
    };
    let report = check::check_paths_with(
        &paths,
        check::CheckOptions {
            witness_budget: args.witness_budget,
        },
    )?;
    super::warn(&report.warnings);
    let text = match args.format {
        Format::Json => report::json::check(&report),
        Format::Sarif => report::sarif::check(&report),
        Format::Junit => report::junit::check(&report),
        Format::Github => report::github::check(&report),
        _ => report::human::check(&report, opts),
    };
    emit(&text)?;
    Ok(report.verdict())
}
