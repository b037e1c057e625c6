//! Argument groups every command shares, declared once: the output format, the journal.
//! (`--show-values`, `--quiet`, `--verbose` and `--color` are global flags in `cli/mod.rs`.)

use std::path::PathBuf;

use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};

/// Every output format ripple has; each command accepts the ones it can write (see
/// [`formats`]), so `--help` lists only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people at a terminal.
    Human,
    /// For scripts: stable keys, documented per command in the README.
    Json,
    /// JSON Lines: one object per event as it is found, then a summary object.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions workflow annotations.
    Github,
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// A `--format` parser accepting only `allowed`.
pub(crate) fn formats(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(allowed.iter().filter_map(ValueEnum::to_possible_value))
        // The parser above only lets through names of `allowed`.
        .map(|name| Format::from_str(&name, true).unwrap_or(Format::Human))
}

/// `--format human|json`, the choice of most commands.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct HumanOrJson {
    /// Output format.
    #[arg(long, default_value = "human", value_parser = formats(&[Format::Human, Format::Json]))]
    pub(crate) format: Format,
}

/// `--journal PATH`: the journal of submitted changes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct JournalArg {
    /// The journal database (default `.ripple/journal.db`).
    #[arg(long, value_name = "PATH", env = "RIPPLE_JOURNAL", global = true)]
    pub(crate) journal: Option<PathBuf>,
}
