//! `ripple check [PATHS…]`

use std::io::Write as _;
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
    /// Report only findings not in this baseline file (and how many of its findings no
    /// longer occur).
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Write the current findings' fingerprints to FILE, to accept them with `--baseline`.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("pipelines")]
    } else {
        args.paths
    };
    let mut report = check::check_paths_with(
        &paths,
        check::CheckOptions {
            witness_budget: args.witness_budget,
        },
    )?;
    super::warn(&report.warnings);
    if let Some(path) = &args.write_baseline {
        let baseline = check::Baseline::of(&report.findings);
        baseline.write(path)?;
        let _ = writeln!(
            std::io::stderr(),
            "wrote {} finding{} to the baseline {}",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        );
        // Every finding is now accepted: the verdict is the one `--baseline FILE` gives.
        report.apply_baseline(&check::Baseline::load(path)?);
    } else if let Some(path) = &args.baseline {
        report.apply_baseline(&check::Baseline::load(path)?);
    }
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
