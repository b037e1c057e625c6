//! `ripple validate PIPELINE [CHANGE] [--set k=v]… [--live] [--submit]`

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ValueEnum;
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::journal::{self, EntryStatus, Journal, NewEntry};
use ripple::live::{self, LiveOptions, LiveStatus};
use ripple::pipeline::Pipeline;
use ripple::propagate::Propagation;
use ripple::report::{self, Additions, Options, SubmitReport};
use ripple::submit::{self, Submission, SubmitOptions};
use ripple::validate::Report;
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
    /// If nothing rejects, send the change to the entry system's `endpoint.submit` and
    /// record it in the journal.
    #[arg(long)]
    submit: bool,
    /// Requests at most per submit, the first included (time-outs, connection failures,
    /// 429 and 5xx are retried with backoff).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    attempts: u32,
    /// The journal database.
    #[arg(long, value_name = "PATH", default_value = journal::DEFAULT_PATH, env = "RIPPLE_JOURNAL")]
    journal: PathBuf,
    /// The record's key in the entry system (`{key}` in the submit URL); overrides the
    /// change's `key`.
    #[arg(long)]
    key: Option<String>,
    /// The change's id, used as the idempotency key; overrides the change's `id`. A new
    /// one is generated and printed when neither gives one.
    #[arg(long)]
    id: Option<String>,
    /// Who asks for the change; overrides the change's `requested_by`.
    #[arg(long)]
    requested_by: Option<String>,
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
    change.key = args.key.or(change.key);
    change.id = args.id.or(change.id);
    change.requested_by = args.requested_by.or(change.requested_by);
    if args.submit && args.pipeline.as_os_str() == "-" {
        return Err(ripple::Error::new(
            ripple::ErrorKind::Usage,
            "`--submit` needs the pipeline as a file",
        )
        .help("the journal keeps the pipeline's path so `ripple journal resume` finds the endpoint again")
        .into());
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
    let live_status = |s: LiveStatus| outcomes.iter().flatten().any(|o| o.status == s);
    let withheld = if !report.ok() {
        Some("a system rejects this change; a rejected change is never submitted")
    } else if live_status(LiveStatus::Rejected) {
        Some("a live endpoint rejects this change; a rejected change is never submitted")
    } else if live_status(LiveStatus::Unreachable) {
        Some("a live endpoint could not be reached, so the change is not known to be accepted")
    } else {
        None
    };
    let personal = propagation
        .arrivals
        .first()
        .map(|a| live::personal_values(&pipeline, a.system, &a.record))
        .unwrap_or_default();
    let submission = match (args.submit, withheld) {
        (true, None) => Some(submit_change(
            &args.pipeline,
            &args.journal,
            &pipeline,
            &report,
            &propagation,
            &change,
            SubmitOptions {
                attempts: args.attempts,
                timeout: args.timeout,
                ..SubmitOptions::default()
            },
        )?),
        _ => None,
    };
    let submit_report = match (&submission, withheld) {
        (Some(submission), _) => Some(SubmitReport::Sent {
            submission,
            personal: &personal,
        }),
        (None, Some(reason)) if args.submit => Some(SubmitReport::Withheld(reason)),
        _ => None,
    };
    let additions = Additions {
        live: outcomes.as_deref(),
        submit: submit_report,
    };
    let text = match args.format {
        Format::Human => {
            let mut text = report::human::validate(&pipeline, &report, opts);
            if let Some(outcomes) = &outcomes {
                text.push_str(&report::human::live(&pipeline, outcomes, opts));
            }
            if let Some(s) = submit_report {
                text.push_str(&report::human::submit(s, opts));
            }
            text
        }
        Format::Json => report::json::validate_with(&pipeline, &report, additions, opts),
    };
    emit(&text)?;
    // An unreachable endpoint leaves the verdict incomplete, which outranks a rejection:
    // like grep, an error wins over a finding.
    let submit_status = submission.as_ref().map(|s| s.status);
    Ok(
        if live_status(LiveStatus::Unreachable) || submit_status == Some(EntryStatus::Pending) {
            Outcome::Incomplete
        } else if !report.ok()
            || live_status(LiveStatus::Rejected)
            || submit_status == Some(EntryStatus::Failed)
        {
            Outcome::Findings
        } else {
            Outcome::Clean
        },
    )
}

/// Journals the change (pending, on disk) and sends it to the entry system.
fn submit_change(
    pipeline_path: &Path,
    journal_path: &Path,
    pipeline: &Pipeline,
    report: &Report,
    propagation: &Propagation,
    change: &ChangeRequest,
    opts: SubmitOptions,
) -> Result<Submission, Errors> {
    // Everything that can be wrong with the endpoint is found before the journal is
    // written, so a pending entry is always one that can be sent.
    let target = submit::target(pipeline, report.entry, change.key.as_deref(), opts.timeout)?;
    let absolute =
        std::path::absolute(pipeline_path).map_err(|e| ripple::Error::io(pipeline_path, &e))?;
    let id = change.id.clone().unwrap_or_else(submit::new_id);
    let values = submit::derived_values(pipeline, propagation);
    let mut journal = Journal::open(journal_path)?;
    let record = propagation
        .arrivals
        .first()
        .map_or(&change.record, |a| &a.record.doc);
    let new = NewEntry {
        id: &id,
        pipeline: &absolute.display().to_string(),
        entry: &pipeline.systems[report.entry].id,
        key: change.key.as_deref(),
        requested_by: change.requested_by.as_deref(),
        record,
        values: &values,
    };
    Ok(submit::journal_and_send(&mut journal, &new, &target, opts)?)
}
