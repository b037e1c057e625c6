//! `validate --submit` and `journal resume`: sending a change to its entry system (README, "`--submit`").
//!
//! The change is in the [`Journal`] before the first byte is sent, and every request
//! carries the same `Idempotency-Key`, so a retry, or a resume after a crash, can never make
//! the entry system apply it twice. Time-outs, connection failures, 429 and 5xx are retried
//! with exponential backoff and full jitter, honouring `Retry-After` (capped); any other 4xx
//! is the system refusing the change and is final. The bearer token comes from the
//! environment variable named by `endpoint.token_env`; it goes into the `Authorization`
//! header and nowhere else: not the journal, not a log line, not an error message.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::http::{self, Exchange, Secret, Step};
use crate::journal::{self, EntryStatus, FieldValue, Inserted, Journal, NewEntry};
use crate::live::{self, LiveStatus};
use crate::pipeline::{Pipeline, SystemId};
use crate::propagate::Propagation;

/// How hard to try a submit (the retry policy is shared with reads: [`http::RetryOptions`]).
pub type SubmitOptions = http::RetryOptions;

pub use crate::http::{backoff, retry_after};

/// Where and how a change is sent.
#[derive(Debug, Clone)]
pub struct Target {
    /// The entry system's id.
    pub system: String,
    /// The submit URL with the key filled in.
    pub url: String,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The bearer token, when the endpoint names `token_env`.
    pub token: Option<Secret>,
    /// Per-request time-out.
    pub timeout: Duration,
}

/// Resolves where `entry`'s changes go: its `endpoint.submit` with `{key}` filled in
/// (percent-encoded), its method, its token and time-out.
///
/// # Errors
/// No submit endpoint, a `{key}` but no key, a URL that does not parse, or an unset token
/// variable (named, never its value).
pub fn target(
    pipeline: &Pipeline,
    entry: SystemId,
    key: Option<&str>,
    timeout: Option<Duration>,
) -> Result<Target, Error> {
    let system = &pipeline.systems[entry];
    let at = pipeline.location(system.span);
    let endpoint = system.endpoint.as_ref();
    let Some(template) = endpoint.and_then(|e| e.submit.as_deref()) else {
        return Err(Error::new(
            ErrorKind::Http,
            format!("`{}` declares no submit endpoint", system.id),
        )
        .at(at)
        .help("add `endpoint: { submit: https://…/{key} }` to the entry system"));
    };
    let url = if template.contains("{key}") {
        let key = key.filter(|k| !k.is_empty()).ok_or_else(|| {
            Error::new(
                ErrorKind::Change,
                format!(
                    "the change has no `key`, and `{}`'s submit URL needs one",
                    system.id
                ),
            )
            .help(r#"add "key": "customer-1042" to the change request"#)
        })?;
        http::fill_key(template, key)
    } else {
        template.to_owned()
    };
    if url::Url::parse(&url).is_err() {
        return Err(Error::new(
            ErrorKind::Http,
            format!("`{}`'s submit URL is not a valid URL", system.id),
        )
        .at(pipeline.location(system.span))
        .label(template.to_owned()));
    }
    let method_name = endpoint.map_or("PUT", |e| e.method.as_str());
    let method =
        reqwest::Method::from_bytes(method_name.to_ascii_uppercase().as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::Http,
                format!("`{method_name}` is not an HTTP method"),
            )
            .at(pipeline.location(system.span))
        })?;
    let token = http::token(endpoint)?;
    let timeout = http::timeout(endpoint, timeout);
    Ok(Target {
        system: system.id.clone(),
        url,
        method,
        token,
        timeout,
    })
}

/// What came of a submit.
#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    /// The idempotency key.
    pub id: String,
    /// The entry system.
    pub system: String,
    /// Where the change stands now.
    pub status: EntryStatus,
    /// Requests made for it, over all runs.
    pub attempts: u32,
    /// Requests made by this run.
    pub sent: u32,
    /// The last HTTP status.
    pub http_status: Option<u16>,
    /// Why it is not acknowledged.
    pub last_error: Option<String>,
    /// Whether the journal already had it acknowledged, so nothing was sent.
    pub already_acknowledged: bool,
}

/// One request's result.
enum Attempt {
    Acknowledged(u16),
    Refused(u16, String),
    Retry {
        http_status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
    },
}

/// Sends `record` as journal entry `id` to `target`, retrying as the module describes and
/// recording every attempt in `journal`. The entry must already be in the journal.
///
/// # Errors
/// When the journal cannot be written.
pub async fn send(
    client: &reqwest::Client,
    journal: &Journal,
    id: &str,
    target: &Target,
    record: &Value,
    opts: SubmitOptions,
) -> Result<Submission, Error> {
    let ((status, http_status, last_error), sent) = http::retry(opts, |n| async move {
        tracing::info!(system = %target.system, id, attempt = n, "sending change");
        Ok(match attempt(client, target, id, record).await {
            Attempt::Acknowledged(status) => {
                journal.record_attempt(id, EntryStatus::Acknowledged, Some(status), None)?;
                Step::Done((EntryStatus::Acknowledged, Some(status), None))
            }
            Attempt::Refused(status, error) => {
                journal.record_attempt(id, EntryStatus::Failed, Some(status), Some(&error))?;
                Step::Done((EntryStatus::Failed, Some(status), Some(error)))
            }
            Attempt::Retry {
                http_status,
                error,
                retry_after,
            } => {
                journal.record_attempt(id, EntryStatus::Pending, http_status, Some(&error))?;
                tracing::info!(id, attempt = n, http_status, error = %error, "not acknowledged");
                Step::Again(
                    (EntryStatus::Pending, http_status, Some(error)),
                    retry_after,
                )
            }
        })
    })
    .await?;
    let total = journal.get(id)?.map_or(sent, |e| e.attempts);
    Ok(Submission {
        id: id.to_owned(),
        system: target.system.clone(),
        status,
        attempts: total,
        sent,
        http_status,
        last_error,
        already_acknowledged: false,
    })
}

async fn attempt(client: &reqwest::Client, target: &Target, id: &str, record: &Value) -> Attempt {
    let builder = client
        .request(target.method.clone(), &target.url)
        .header("Idempotency-Key", id)
        .json(record);
    let exchange = match http::exchange(builder, target.token.as_ref(), target.timeout).await {
        Ok(exchange) => exchange,
        Err(e) => return Attempt::Refused(0, e.message),
    };
    let retry_after = exchange.retry_after();
    match exchange {
        Exchange::Failed(error) => Attempt::Retry {
            http_status: None,
            error,
            retry_after,
        },
        Exchange::Busy(answer) => Attempt::Retry {
            http_status: Some(answer.status),
            error: summary(&answer),
            retry_after,
        },
        Exchange::Answer(answer) if (200..=299).contains(&answer.status) => {
            Attempt::Acknowledged(answer.status)
        }
        Exchange::Answer(answer) => Attempt::Refused(answer.status, summary(&answer)),
    }
}

/// What an answer that is not a success says, in one line.
pub(crate) fn summary(answer: &http::Answer) -> String {
    let (status, errors, reason) = live::interpret(answer);
    if status == LiveStatus::Rejected && !errors.is_empty() {
        let said: Vec<String> = errors
            .iter()
            .map(|e| match &e.pointer {
                Some(p) => format!("{p}: {}", e.detail),
                None => e.detail.clone(),
            })
            .collect();
        format!("HTTP {}: {}", answer.status, said.join("; "))
    } else {
        reason.unwrap_or_else(|| format!("HTTP {}", answer.status))
    }
}

/// Every value the change derives in every system it reaches, for the journal's value
/// index ([`Journal::find_by_value`]).
#[must_use]
pub fn derived_values(pipeline: &Pipeline, propagation: &Propagation) -> Vec<FieldValue> {
    let mut out: Vec<FieldValue> = Vec::new();
    for arrival in &propagation.arrivals {
        let system = &pipeline.systems[arrival.system].id;
        for (pointer, value) in journal::leaves(&arrival.record.doc) {
            let v = FieldValue {
                system: system.clone(),
                pointer,
                value,
            };
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Journals `new` (pending, durable) and then sends it to `target`. An id already in the
/// journal is sent again only if it is not acknowledged, and only for the same change.
///
/// # Errors
/// When the journal cannot be written, or the id is journalled for a different change.
pub fn journal_and_send(
    journal: &mut Journal,
    new: &NewEntry<'_>,
    target: &Target,
    opts: SubmitOptions,
) -> Result<Submission, Error> {
    match journal.insert(new)? {
        Inserted::New(_) => {}
        Inserted::Existing(entry) => {
            if entry.record != *new.record
                || entry.entry != new.entry
                || entry.key.as_deref() != new.key
            {
                return Err(Error::new(
                    ErrorKind::Change,
                    format!(
                        "the change id `{}` is already in the journal for a different change",
                        new.id
                    ),
                )
                .help("an idempotency key names one change; give this change a new `id`"));
            }
            if entry.status == EntryStatus::Acknowledged {
                return Ok(Submission {
                    id: entry.id,
                    system: target.system.clone(),
                    status: entry.status,
                    attempts: entry.attempts,
                    sent: 0,
                    http_status: entry.http_status,
                    last_error: None,
                    already_acknowledged: true,
                });
            }
        }
    }
    tracing::info!(id = new.id, journal = %journal.path().display(), "change journalled as pending");
    let client = http::client()?;
    http::block_on(send(&client, journal, new.id, target, new.record, opts))?
}

/// What `journal resume` did with one pending entry.
#[derive(Debug)]
pub struct Resumed {
    /// The entry's idempotency key.
    pub id: String,
    /// The submission, or why the entry could not be sent (its pipeline is gone, its token
    /// unset, …).
    pub result: Result<Submission, Error>,
}

/// Sends every pending entry of `journal` again, with its own idempotency key, to the
/// endpoint its pipeline declares now.
///
/// # Errors
/// When the journal cannot be read or the HTTP client cannot start.
pub fn resume(journal: &Journal, opts: SubmitOptions) -> Result<Vec<Resumed>, Error> {
    let pending = journal.pending()?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let client = http::client()?;
    http::block_on(async {
        let mut out = Vec::new();
        for entry in pending {
            let result = match resume_target(&entry, opts) {
                Ok(target) => send(&client, journal, &entry.id, &target, &entry.record, opts).await,
                Err(e) => Err(e),
            };
            out.push(Resumed {
                id: entry.id,
                result,
            });
        }
        out
    })
}

/// The target of a journalled entry, from its pipeline as it is now.
fn resume_target(entry: &journal::Entry, opts: SubmitOptions) -> Result<Target, Error> {
    let pipeline =
        crate::pipeline::load(Path::new(&entry.pipeline)).map_err(|errors| {
            errors.0.into_iter().next().unwrap_or_else(|| {
                Error::new(ErrorKind::Io, format!("cannot load {}", entry.pipeline))
            })
        })?;
    let system = pipeline.system_id(&entry.entry).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownSystem,
            format!(
                "`{}` no longer declares the system `{}`",
                entry.pipeline, entry.entry
            ),
        )
    })?;
    target(&pipeline, system, entry.key.as_deref(), opts.timeout)
}

/// A fresh idempotency key for a change that brings none (a random UUID).
#[must_use]
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
