//! `ripple validate PIPELINE [CHANGE] [--set k=v]… [--live] [--submit]`: parses the
//! arguments into a [`ValidateRequest`]; the policy (what may be submitted, the verdict)
//! is in `ripple::request`.

use std::path::PathBuf;
use std::time::Duration;

use ripple::change::{ChangeRequest, Op};
use ripple::live::LiveOptions;
use ripple::report::{self, Additions, Options, SubmitReport};
use ripple::request::{self, SubmitRequest, ValidateRequest};
use ripple::submit::SubmitOptions;
use ripple::{Error, ErrorKind, Errors};

use super::args::{HumanOrJson, JournalArg};
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pipeline file (`-` for standard input).
    pipeline: PathBuf,
    /// The change request (JSON; `-` for standard input). Optional with `--set`.
    #[arg(conflicts_with = "batch")]
    change: Option<PathBuf>,
    /// Validate many entry records: JSON Lines (`.jsonl`, a change request or a bare record
    /// per line) or CSV (`.csv`, a header of dotted field paths), `-` for standard input
    /// (JSON Lines). Prints JSON Lines with `--format json`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["set", "set_str", "submit", "live", "current", "create"])]
    batch: Option<PathBuf>,
    /// With --batch: worker threads (default: every core).
    #[arg(long, value_name = "N", requires = "batch", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Set a field of the entry record: `--set address.street="Hämeenkatu 1"`. The value is
    /// JSON when it parses as JSON (`--set age=42`, `--set vat_id=null`), text otherwise.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// Set a field to text, always, even when it looks like a number or JSON:
    /// `--set-str address.postal_code=01067`.
    #[arg(long = "set-str", value_name = "FIELD=TEXT")]
    set_str: Vec<String>,
    /// The entry system, when the pipeline has several.
    #[arg(long)]
    entry: Option<String>,
    /// The entry record as it is now (JSON; `-` for standard input): the change is merged
    /// into it (JSON Merge Patch: `null` deletes a field), so mappings that combine a
    /// changed field with others are checked too. Overrides the change's `current`.
    #[arg(long, value_name = "FILE", conflicts_with = "create")]
    current: Option<PathBuf>,
    /// The change creates the record: nothing else exists, every `required` field applies.
    #[arg(long)]
    create: bool,
    /// Read the entry record as it is now from the entry system (`endpoint.read`, `{key}`
    /// from the change's key or --key) and merge the change into it, as with --current.
    #[arg(long, conflicts_with_all = ["current", "create", "batch"])]
    fetch_current: bool,
    /// A mapping not checked because the change carries only some of its inputs is a
    /// finding (exit 1), and the change is not submitted.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    format: HumanOrJson,
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
    /// Requests at most per submit or --fetch-current read, the first included (time-outs,
    /// connection failures, 429 and 5xx are retried with backoff).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    attempts: u32,
    #[command(flatten)]
    journal: JournalArg,
    /// The record's key in the entry system (`{key}` in the submit and read URLs); overrides
    /// the change's `key`.
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

/// The change the arguments describe: the file (or stdin), then each `--set`/`--set-str`
/// in order, then the overrides.
fn change(args: &Args) -> Result<ChangeRequest, Errors> {
    let stdin_users = [
        Some(args.pipeline.as_path()),
        args.change.as_deref(),
        args.current.as_deref(),
    ];
    if stdin_users
        .iter()
        .filter(|p| p.is_some_and(|p| p.as_os_str() == "-"))
        .count()
        > 1
    {
        return Err(Error::new(
            ErrorKind::Usage,
            "only one of the pipeline, the change and --current can come from standard input",
        )
        .into());
    }
    let mut change = match &args.change {
        Some(path) => ChangeRequest::read(path)?,
        None if args.set.is_empty() && args.set_str.is_empty() => {
            return Err(Error::new(ErrorKind::Usage, "no change given")
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
    for assignment in &args.set_str {
        change.set_text(assignment)?;
    }
    if let Some(entry) = &args.entry {
        change.entry = Some(entry.clone());
    }
    if let Some(path) = &args.current {
        change.current = Some(ripple::change::read_current(path)?);
    }
    if args.create {
        change.op = Op::Create;
    }
    if change.op == Op::Create && change.current.is_some() {
        return Err(Error::new(
            ErrorKind::Usage,
            "a create has no current record: leave out `current` or `--create`",
        )
        .into());
    }
    change.key = args.key.clone().or(change.key);
    change.id = args.id.clone().or(change.id);
    change.requested_by = args.requested_by.clone().or(change.requested_by);
    Ok(change)
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    if let Some(batch) = &args.batch {
        return super::batch::run(
            &args.pipeline,
            batch,
            args.jobs,
            args.entry.clone(),
            args.format.format,
            opts,
        );
    }
    let mut change = change(&args)?;
    let pipeline = super::load(&args.pipeline)?;
    if args.fetch_current {
        let opts = ripple::fetch::FetchOptions {
            attempts: args.attempts,
            timeout: args.timeout,
            ..ripple::fetch::FetchOptions::default()
        };
        request::fetch_current(&pipeline, &mut change, opts)?;
    }
    tracing::info!(
        systems = pipeline.systems.len(),
        flows = pipeline.flows.len(),
        "pipeline loaded"
    );
    let request = ValidateRequest {
        change,
        live: args.live.then_some(LiveOptions {
            timeout: args.timeout,
            deadline: args.deadline,
        }),
        strict: args.strict,
        submit: args.submit.then(|| SubmitRequest {
            pipeline_path: args.pipeline.clone(),
            journal: request::journal_path(args.journal.journal.as_deref()),
            options: SubmitOptions {
                attempts: args.attempts,
                timeout: args.timeout,
                ..SubmitOptions::default()
            },
        }),
    };
    let outcome = request::validate(&pipeline, &request).map_err(|errors| {
        // Errors about the change itself name where it came from.
        Errors(
            errors
                .0
                .into_iter()
                .map(|e| match (&e.file, &args.change) {
                    (None, Some(path)) => e.in_file(path),
                    (None, None) => e.label("from --set"),
                    _ => e,
                })
                .collect(),
        )
    })?;
    let submit = match (&outcome.submission, outcome.withheld) {
        (Some(submission), _) => Some(SubmitReport::Sent {
            submission,
            personal: &outcome.personal,
        }),
        (None, Some(reason)) => Some(SubmitReport::Withheld(reason)),
        (None, None) => None,
    };
    let text = match args.format.format {
        Format::Json => report::json::validate_with(
            &pipeline,
            &outcome.report,
            Additions {
                live: outcome.live.as_deref(),
                submit,
            },
            opts,
        ),
        _ => {
            let mut text = report::human::validate(&pipeline, &outcome.report, opts);
            if let Some(live) = &outcome.live {
                text.push_str(&report::human::live(&pipeline, live, opts));
            }
            if let Some(s) = submit {
                text.push_str(&report::human::submit(s, opts));
            }
            text
        }
    };
    emit(&text)?;
    Ok(outcome.verdict())
}
