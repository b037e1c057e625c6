//! `ripple validate PIPELINE [CHANGE] [--set k=v]…`

use std::path::PathBuf;

use clap::ValueEnum;
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::report::{self, Options};
use ripple::{Errors, pipeline, validate};

use super::{Outcome, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file (`-` for standard input).
    pipeline: PathBuf,
    /// The change request (JSON; `-` for standard input). Optional with `--set`.
    change: Option<PathBuf>,
    /// Set a field of the entry record: `--set address.street="Hämeenkatu 1"`. The value is
    /// JSON when it parses as JSON, a string otherwise.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// The entry system, when the pipeline has several.
    #[arg(long)]
    entry: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Show `x-pii` values in JSON output instead of masking them.
    #[arg(long)]
    show_values: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: Args, mut opts: Options) -> Result<Outcome, Errors> {
    opts.show_values = args.show_values;
    if args.pipeline.as_os_str() == "-"
        && args.change.as_deref().is_some_and(|c| c.as_os_str() == "-")
    {
        return Err(ripple::Error::new(
            ripple::ErrorKind::Usage,
            "the pipeline and the change cannot both come from standard input",
        )
        .into());
    }
    let pipeline = pipeline::load(&args.pipeline)?;
    let mut change = match &args.change {
        Some(path) => ChangeRequest::read(path)?,
        None if args.set.is_empty() => {
            return Err(ripple::Error::new(ripple::ErrorKind::Usage, "no change given")
                .help("pass a change request file (or `-` for stdin), or fields with `--set field=value`")
                .into());
        }
        None => ChangeRequest::default(),
    };
    if !change.record.is_object() {
        change.record = serde_json::Value::Object(serde_json::Map::new());
    }
    for assignment in &args.set {
        change.set(assignment)?;
    }
    if let Some(entry) = args.entry {
        change.entry = Some(entry);
    }
    let graph = SystemGraph::new(&pipeline);
    tracing::info!(
        systems = pipeline.systems.len(),
        flows = pipeline.flows.len(),
        "pipeline loaded"
    );
    let report = validate::validate(&pipeline, &graph, &change).map_err(|e| {
        // Errors about the change itself name where it came from.
        match (&e.file, &args.change) {
            (None, Some(path)) => e.in_file(path),
            (None, None) => e.label("from --set"),
            _ => e,
        }
    })?;
    let text = match args.format {
        Format::Human => report::human::validate(&pipeline, &report, opts),
        Format::Json => report::json::validate(&pipeline, &report, opts),
    };
    emit(&text)?;
    Ok(if report.ok() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
