//! What each command asks of the library, and the verdict it gets back.
//!
//! The CLI parses arguments into a request, calls the library, renders the outcome and
//! maps its [`Verdict`] to an exit code; every policy a command has lives here or in the
//! module the request names, never in argument parsing (README, "Exit codes"). Policies
//! here: a rejected change is never submitted; an incomplete answer outranks a finding.

use std::path::{Path, PathBuf};

use crate::change::{ChangeRequest, Op};
use crate::error::{Error, ErrorKind, Errors};
use crate::fetch::{self, FetchOptions};
use crate::graph::SystemGraph;
use crate::journal::{self, EntryStatus, Journal, NewEntry};
use crate::live::{self, LiveOptions, LiveOutcome, LiveStatus};
use crate::pipeline::Pipeline;
use crate::propagate::Propagation;
use crate::submit::{self, Submission, SubmitOptions};
use crate::validate::{self, Report};

/// What a command found, one rule for every command (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing found: exit 0.
    Clean,
    /// Findings (a rejection, an incompatibility, a narrowed constraint): exit 1.
    Findings,
    /// ripple could not do its whole job (an input that does not load, nothing to check,
    /// an unreachable endpoint): exit 2. Like grep, an error outranks a finding.
    Incomplete,
}

impl Verdict {
    /// The process exit code.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Findings => 1,
            Self::Incomplete => 2,
        }
    }

    /// `Findings` when `found`, else `Clean`.
    #[must_use]
    pub fn found(found: bool) -> Self {
        if found { Self::Findings } else { Self::Clean }
    }
}

/// Where `--journal` points: the path given, or the default (`.ripple/journal.db`).
#[must_use]
pub fn journal_path(given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| PathBuf::from(journal::DEFAULT_PATH), Path::to_path_buf)
}

/// The journal to read when one is optional (`trace --log`): the one given, which must
/// exist, or the default one when it exists.
///
/// # Errors
/// A journal that was named and does not open.
pub fn existing_journal(given: Option<&Path>) -> Result<Option<Journal>, Error> {
    match given {
        Some(path) => Journal::open_existing(path).map(Some),
        None => {
            let default = Path::new(journal::DEFAULT_PATH);
            if default.exists() {
                Journal::open_existing(default).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

/// `--submit`: where the journal is and how to send.
#[derive(Debug, Clone)]
pub struct SubmitRequest {
    /// The pipeline file, kept in the journal so `journal resume` finds the endpoint.
    pub pipeline_path: PathBuf,
    /// The journal database.
    pub journal: PathBuf,
    /// Retries and time-outs.
    pub options: SubmitOptions,
}

/// `ripple validate`: a change, and what to do beyond the local verdict.
#[derive(Debug, Clone)]
pub struct ValidateRequest {
    /// The change, with every command-line override applied.
    pub change: ChangeRequest,
    /// Ask the systems' dry-run endpoints too.
    pub live: Option<LiveOptions>,
    /// Send the change when nothing rejects it.
    pub submit: Option<SubmitRequest>,
    /// A mapping not checked (the change carries only some of its inputs) is a finding.
    pub strict: bool,
}

/// `validate --fetch-current`: reads the entry record as it is now from the entry system
/// and makes it the change's current record, replacing any `current` the change carries
/// (as `--current` does). A create has no current record, so it is refused.
///
/// # Errors
/// A create; an entry system that does not resolve; and everything [`fetch::fetch_current`]
/// reports (no read endpoint, no key, no such record, the token refused, no answer).
pub fn fetch_current(
    pipeline: &Pipeline,
    change: &mut ChangeRequest,
    opts: FetchOptions,
) -> Result<(), Error> {
    if change.op == Op::Create {
        return Err(Error::new(
            ErrorKind::Usage,
            "a create has no current record to fetch: leave out --fetch-current or `op: create`",
        ));
    }
    let entry = pipeline.resolve_entry(change.entry.as_deref())?;
    if change.current.is_some() {
        tracing::info!(
            "the change's `current` is replaced by the record read from the entry system"
        );
    }
    change.current = Some(fetch::fetch_current(
        pipeline,
        entry,
        change.key.as_deref(),
        opts,
    )?);
    Ok(())
}

/// Everything `validate` found and did.
#[derive(Debug)]
pub struct ValidateOutcome {
    /// Every system's verdict.
    pub report: Report,
    /// The derived records.
    pub propagation: Propagation,
    /// The dry runs, when asked for.
    pub live: Option<Vec<LiveOutcome>>,
    /// The submit, when asked for and allowed.
    pub submission: Option<Submission>,
    /// Why the change was not sent, when `--submit` was asked for and it was not.
    pub withheld: Option<&'static str>,
    /// The entry record's personal values, to mask in what servers answer.
    pub personal: Vec<String>,
    /// Whether skipped mappings are findings (`--strict`).
    pub strict: bool,
}

impl ValidateOutcome {
    fn live_has(&self, status: LiveStatus) -> bool {
        self.live.iter().flatten().any(|o| o.status == status)
    }

    /// The verdict: an unreachable endpoint or a submit left pending makes the answer
    /// incomplete, which outranks a rejection; a rejection anywhere is a finding.
    #[must_use]
    pub fn verdict(&self) -> Verdict {
        let submit = self.submission.as_ref().map(|s| s.status);
        if self.live_has(LiveStatus::Unreachable) || submit == Some(EntryStatus::Pending) {
            Verdict::Incomplete
        } else {
            Verdict::found(
                !self.report.ok()
                    || (self.strict && !self.report.skipped.is_empty())
                    || self.live_has(LiveStatus::Rejected)
                    || submit == Some(EntryStatus::Failed),
            )
        }
    }
}

/// Validates a change, asks the live endpoints when requested, and submits it only when
/// nothing rejects it and every endpoint answered.
///
/// # Errors
/// A change the pipeline cannot take (unknown entry, undeclared field), an endpoint that
/// is not configured, or a journal that cannot be written.
pub fn validate(pipeline: &Pipeline, request: &ValidateRequest) -> Result<ValidateOutcome, Errors> {
    let graph = SystemGraph::new(pipeline);
    let (report, propagation) = validate::validate_propagation(pipeline, &graph, &request.change)?;
    let live = match request.live {
        Some(opts) => {
            let requests = live::requests(pipeline, &propagation, opts);
            tracing::info!(endpoints = requests.len(), "asking dry-run endpoints");
            Some(live::ask(requests, opts)?)
        }
        None => None,
    };
    let personal = propagation
        .arrivals
        .first()
        .map(|a| live::personal_values(pipeline, a.system, &a.record))
        .unwrap_or_default();
    let mut outcome = ValidateOutcome {
        report,
        propagation,
        live,
        submission: None,
        withheld: None,
        personal,
        strict: request.strict,
    };
    if let Some(submit) = &request.submit {
        outcome.withheld = withheld(&outcome);
        if outcome.withheld.is_none() {
            outcome.submission = Some(submit_change(pipeline, &outcome, &request.change, submit)?);
        }
    }
    Ok(outcome)
}

/// Why a change must not be sent: a rejected change is never submitted, nor one an
/// endpoint could not confirm.
fn withheld(outcome: &ValidateOutcome) -> Option<&'static str> {
    if !outcome.report.ok() {
        Some("a system rejects this change; a rejected change is never submitted")
    } else if outcome.strict && !outcome.report.skipped.is_empty() {
        Some("with --strict, a change with mappings not checked is not submitted")
    } else if outcome.live_has(LiveStatus::Rejected) {
        Some("a live endpoint rejects this change; a rejected change is never submitted")
    } else if outcome.live_has(LiveStatus::Unreachable) {
        Some("a live endpoint could not be reached, so the change is not known to be accepted")
    } else {
        None
    }
}

/// Journals the change (pending, on disk) and sends it to the entry system.
fn submit_change(
    pipeline: &Pipeline,
    outcome: &ValidateOutcome,
    change: &ChangeRequest,
    request: &SubmitRequest,
) -> Result<Submission, Errors> {
    if request.pipeline_path.as_os_str() == "-" {
        return Err(Error::new(ErrorKind::Usage, "`--submit` needs the pipeline as a file")
            .help("the journal keeps the pipeline's path so `ripple journal resume` finds the endpoint again")
            .into());
    }
    // Everything that can be wrong with the endpoint is found before the journal is
    // written, so a pending entry is always one that can be sent.
    let entry = outcome.report.entry;
    let target = submit::target(
        pipeline,
        entry,
        change.key.as_deref(),
        request.options.timeout,
    )?;
    let absolute = std::path::absolute(&request.pipeline_path)
        .map_err(|e| Error::io(&request.pipeline_path, &e))?;
    let id = change.id.clone().unwrap_or_else(submit::new_id);
    let values = submit::derived_values(pipeline, &outcome.propagation);
    let mut journal = Journal::open(&request.journal)?;
    let record = outcome
        .propagation
        .arrivals
        .first()
        .map_or(&change.record, |a| &a.record.doc);
    let new = NewEntry {
        id: &id,
        pipeline: &absolute.display().to_string(),
        entry: &pipeline.systems[entry].id,
        key: change.key.as_deref(),
        requested_by: change.requested_by.as_deref(),
        record,
        change: &change.record,
        current: change.current.as_ref(),
        values: &values,
    };
    Ok(submit::journal_and_send(
        &mut journal,
        &new,
        &target,
        request.options,
    )?)
}
