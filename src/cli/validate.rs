//! `ripple validate PIPELINE [CHANGE] [--set k=v]…`

use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::live::{self, LiveOptions, LiveStatus};
use ripple::report::Additions;
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
    /// Also ask each reached system's dry-run endpoint (`endpoint.validate`), concurrently.
    #[arg(long)]
    live: bool,
    /// Per-request time-out (`500ms`, `5s`; a bare number is milliseconds); overrides the
    /// endpoints' `timeout_ms`. Default 5s.
    #[arg(long, value_name = "DURATION", value_parser = super::duration)]
    timeout: Option<Duration>,
    /// Time allowed for all live dry runs together.
    #[arg(long, value_name = "DURATION", value_parser = super::duration, default_value = "15s")]
    deadline: Duration,
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
    let (report, propagation) = validate::validate_propagation(&pipeline, &graph, &change)
        .map_err(|e| {
            // Errors about the change itself name where it came from.
            match (&e.file, &args.change) {
                (None, Some(path)) => e.in_file(path),
                (None, None) => e.label("from --set"),
                _ => e,
            }
        })?;
    let live_opts = LiveOptions {
        timeout: args.timeout,
        deadline: args.deadline,
    };
    let outcomes = if args.live {
        let requests = live::requests(&pipeline, &propagation, live_opts);
        tracing::info!(endpoints = requests.len(), "asking dry-run endpoints");
        Some(live::ask(requests, live_opts)?)
    } else {
        None
    };
    let additions = Additions {
        live: outcomes.as_deref(),
    };
    let text = match args.format {
        Format::Human => {
            let mut text = report::human::validate(&pipeline, &report, opts);
            if let Some(outcomes) = &outcomes {
                text.push_str(&report::human::live(&pipeline, outcomes, opts));
            }
            text
        }
        Format::Json => report::json::validate_with(&pipeline, &report, additions, opts),
    };
    emit(&text)?;
    let live_status = |s: LiveStatus| outcomes.iter().flatten().any(|o| o.status == s);
    // An unreachable endpoint leaves the verdict incomplete, which outranks a rejection:
    // like grep, an error wins over a finding.
    Ok(if live_status(LiveStatus::Unreachable) {
        Outcome::Incomplete
    } else if !report.ok() || live_status(LiveStatus::Rejected) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
