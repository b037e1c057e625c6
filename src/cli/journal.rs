//! `ripple journal list|show ID|resume [--journal PATH]`

use std::path::Path;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use ripple::journal::{Entry, EntryStatus, Journal};
use ripple::report::{self, Options};
use ripple::submit::{self, SubmitOptions};
use ripple::{Error, ErrorKind, Errors, pipeline, request};

use super::args::{JournalArg, formats};
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    journal: JournalArg,
    /// Output format.
    #[arg(long, global = true, default_value = "human", value_parser = formats(&[Format::Human, Format::Json]))]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List every journalled change: status, attempts, last error, who asked, when.
    List {
        /// Only entries with this status.
        #[arg(long, value_enum)]
        status: Option<StatusFilter>,
    },
    /// Show one change: its record and the values it derived downstream.
    Show {
        /// The change's id (its idempotency key).
        id: String,
    },
    /// Send every pending change again, with its own idempotency key.
    Resume {
        /// Requests at most per change, the first included.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
        attempts: u32,
        /// Per-request time-out (`500ms`, `5s`); overrides the endpoints' `timeout_ms`.
        #[arg(long, value_name = "DURATION", value_parser = super::duration)]
        timeout: Option<Duration>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatusFilter {
    Pending,
    Acknowledged,
    Failed,
}

pub(crate) fn run(args: Args, opts: Options) -> Result<Verdict, Errors> {
    let journal = Journal::open_existing(&request::journal_path(args.journal.journal.as_deref()))?;
    let json = args.format == Format::Json;
    match args.action {
        Action::List { status } => {
            let mut entries = journal.list()?;
            if let Some(filter) = status {
                let want = match filter {
                    StatusFilter::Pending => EntryStatus::Pending,
                    StatusFilter::Acknowledged => EntryStatus::Acknowledged,
                    StatusFilter::Failed => EntryStatus::Failed,
                };
                entries.retain(|e| e.status == want);
            }
            emit(&if json {
                report::journal::list_json(&entries)
            } else {
                report::journal::list_human(&entries, opts)
            })?;
            Ok(Verdict::Clean)
        }
        Action::Show { id } => {
            let entry = journal.get(&id)?.ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("the journal has no change `{id}`"),
                )
                .help("`ripple journal list` shows the ids")
            })?;
            let values = journal.values(&id)?;
            let pii = pii_oracle(&entry);
            emit(&if json {
                report::journal::show_json(&entry, &values, &pii, opts)
            } else {
                report::journal::show_human(&entry, &values, &pii, opts)
            })?;
            Ok(Verdict::Clean)
        }
        Action::Resume { attempts, timeout } => {
            let resumed = submit::resume(
                &journal,
                SubmitOptions {
                    attempts,
                    timeout,
                    ..SubmitOptions::default()
                },
            )?;
            emit(&if json {
                report::journal::resumed_json(&resumed)
            } else {
                report::journal::resumed_human(&resumed, opts)
            })?;
            let status = |s: EntryStatus| {
                resumed
                    .iter()
                    .any(|r| r.result.as_ref().is_ok_and(|x| x.status == s))
            };
            Ok(
                if resumed.iter().any(|r| r.result.is_err()) || status(EntryStatus::Pending) {
                    Verdict::Incomplete
                } else if status(EntryStatus::Failed) {
                    Verdict::Findings
                } else {
                    Verdict::Clean
                },
            )
        }
    }
}

/// Which values of an entry are personal: by the schemas of its pipeline when it still
/// loads, otherwise every value (masking too much beats leaking).
fn pii_oracle(entry: &Entry) -> impl Fn(&str, &str) -> bool {
    let loaded = pipeline::load(Path::new(&entry.pipeline)).ok();
    move |system: &str, pointer: &str| match &loaded {
        Some(p) => p
            .system_id(system)
            .is_none_or(|s| p.systems[s].schema.is_pii(pointer)),
        None => true,
    }
}
