//! `ripple diff OLD NEW` and `ripple diff [PATH] --base REV`

use std::path::PathBuf;

use ripple::report::{self, Options};
use ripple::{Error, ErrorKind, Errors, check, diff};

use super::args::formats;
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The old pipeline file or folder; with `--base`, the pipelines to compare
    /// (default: `pipelines/`).
    old: Option<PathBuf>,
    /// The new pipeline file or folder.
    new: Option<PathBuf>,
    /// Compare the working tree's pipelines with this git revision (read with `git show`,
    /// no checkout).
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Output format (SARIF and GitHub annotations carry the new findings).
    #[arg(long, default_value = "human", value_parser = formats(&[Format::Human, Format::Json, Format::Sarif, Format::Github]))]
    format: Format,
    /// Candidate changes run per pipeline when looking for witnesses (as in `check`).
    #[arg(long, value_name = "N", default_value_t = check::WITNESS_BUDGET)]
    witness_budget: usize,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let check_opts = check::CheckOptions {
        witness_budget: args.witness_budget,
    };
    let report = match (&args.base, args.old, args.new) {
        (Some(rev), path, None) => diff::diff_base(
            rev,
            &path.unwrap_or_else(|| PathBuf::from("pipelines")),
            check_opts,
        )?,
        (None, Some(old), Some(new)) => diff::diff_paths(&old, &new, check_opts)?,
        (Some(_), _, Some(_)) => {
            return Err(usage(
                "with --base, give one path: the pipelines to compare",
            ));
        }
        (None, _, _) => {
            return Err(usage(
                "give the OLD and NEW pipeline files or folders, or --base REV",
            ));
        }
    };
    super::warn(&report.warnings);
    let text = match args.format {
        Format::Json => report::diff::json(&report),
        Format::Sarif => report::diff::sarif(&report),
        Format::Github => report::diff::github(&report),
        _ => report::diff::human(&report, opts),
    };
    emit(&text)?;
    Ok(report.verdict())
}

fn usage(message: &str) -> Errors {
    Error::new(ErrorKind::Usage, message)
        .help("`ripple diff old.yaml new.yaml`, `ripple diff old/ new/` or `ripple diff --base origin/main`")
        .into()
}
