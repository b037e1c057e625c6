//! `ripple check [PATHS…]`

use std::path::PathBuf;

use clap::ValueEnum;
use ripple::report::{self, Options};
use ripple::{Errors, check};

use super::{Outcome, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Pipeline files or directories (default: `pipelines/`).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Candidate changes run per pipeline when looking for witnesses; fields left
    /// undecided when it runs out say so (raise it for large graphs).
    #[arg(long, value_name = "N", default_value_t = check::WITNESS_BUDGET)]
    witness_budget: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Outcome, Errors> {
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
    let text = match args.format {
        Format::Human => report::human::check(&report, opts),
        Format::Json => report::json::check(&report),
        Format::Sarif => report::sarif::check(&report),
        Format::Junit => report::junit::check(&report),
        Format::Github => report::github::check(&report),
    };
    emit(&text)?;
    Ok(if report.ok() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
