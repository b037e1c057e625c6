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
use std::time::{Duration, SystemTime};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::http::{self, Secret};
use crate::journal::{self, EntryStatus, FieldValue, Inserted, Journal, NewEntry};
use crate::live::{self, LiveStatus};
use crate::pipeline::{Pipeline, SystemId};
use crate::propagate::Propagation;

/// Characters of a key that stay as they are in a URL path segment (RFC 3986 unreserved).
const KEY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct SubmitOptions {
    /// Requests at most, the first included.
    pub attempts: u32,
    /// Per-request time-out overriding the endpoint's `timeout_ms`.
    pub timeout: Option<Duration>,
    /// The first backoff; each retry doubles it, up to `max_backoff`.
    pub base_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` ripple waits for.
    pub max_retry_after: Duration,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        Self {
            attempts: 5,
            timeout: None,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

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
        template.replace("{key}", &utf8_percent_encode(key, KEY_ESCAPE).to_string())
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
    let token = match endpoint.and_then(|e| e.token_env.as_deref()) {
        Some(name) => Some(Secret::from_env(name)?),
        None => None,
    };
    let timeout = timeout
        .or_else(|| {
            endpoint
                .and_then(|e| e.timeout_ms)
                .map(Duration::from_millis)
        })
        .unwrap_or(http::DEFAULT_TIMEOUT);
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
    let attempts = opts.attempts.max(1);
    let mut sent = 0;
    let mut last: (EntryStatus, Option<u16>, Option<String>) = (EntryStatus::Pending, None, None);
    for n in 1..=attempts {
        tracing::info!(system = %target.system, id, attempt = n, "sending change");
        let result = attempt(client, target, id, record).await;
        sent += 1;
        let retry_after = match result {
            Attempt::Acknowledged(status) => {
                journal.record_attempt(id, EntryStatus::Acknowledged, Some(status), None)?;
                last = (EntryStatus::Acknowledged, Some(status), None);
                break;
            }
            Attempt::Refused(status, error) => {
                journal.record_attempt(id, EntryStatus::Failed, Some(status), Some(&error))?;
                last = (EntryStatus::Failed, Some(status), Some(error));
                break;
            }
            Attempt::Retry {
                http_status,
                error,
                retry_after,
            } => {
                journal.record_attempt(id, EntryStatus::Pending, http_status, Some(&error))?;
                tracing::info!(id, attempt = n, http_status, error = %error, "not acknowledged");
                last = (EntryStatus::Pending, http_status, Some(error));
                retry_after
            }
        };
        if n < attempts {
            let wait = backoff(n, retry_after, opts);
            tracing::debug!(
                id,
                wait_ms = wait.as_millis(),
                "waiting before the next attempt"
            );
            tokio::time::sleep(wait).await;
        }
    }
    let total = journal.get(id)?.map_or(sent, |e| e.attempts);
    Ok(Submission {
        id: id.to_owned(),
        system: target.system.clone(),
        status: last.0,
        attempts: total,
        sent,
        http_status: last.1,
        last_error: last.2,
        already_acknowledged: false,
    })
}

async fn attempt(client: &reqwest::Client, target: &Target, id: &str, record: &Value) -> Attempt {
    let mut builder = client
        .request(target.method.clone(), &target.url)
        .timeout(target.timeout)
        .header("Idempotency-Key", id)
        .json(record);
    if let Some(token) = &target.token {
        match token.header() {
            Ok(value) => builder = builder.header(reqwest::header::AUTHORIZATION, value),
            Err(e) => return Attempt::Refused(0, e.message),
        }
    }
    let answer = match builder.send().await {
        Ok(response) => http::read(response).await,
        Err(e) => Err(e),
    };
    match answer {
        Err(e) => Attempt::Retry {
            http_status: None,
            error: http::describe(&e, Some(target.timeout)),
            retry_after: None,
        },
        Ok(mut answer) => {
            if let Some(token) = &target.token {
                token.scrub(&mut answer);
            }
            match answer.status {
                200..=299 => Attempt::Acknowledged(answer.status),
                429 | 500..=599 => Attempt::Retry {
                    http_status: Some(answer.status),
                    error: summary(&answer),
                    retry_after: answer
                        .retry_after
                        .as_deref()
                        .and_then(|h| retry_after(h, SystemTime::now())),
                },
                status => Attempt::Refused(status, summary(&answer)),
            }
        }
    }
}

/// What an answer that is not a success says, in one line.
fn summary(answer: &http::Answer) -> String {
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

/// The wait before attempt `n + 1`: the server's `Retry-After` (capped) when it gave one,
/// otherwise a random time up to `base · 2^(n-1)` (capped): full jitter, so clients that
/// failed together do not retry together.
#[must_use]
pub fn backoff(n: u32, retry_after: Option<Duration>, opts: SubmitOptions) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(opts.max_retry_after);
    }
    let factor = 1_u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
    let ceiling = opts
        .base_backoff
        .saturating_mul(factor)
        .min(opts.max_backoff);
    let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=ms))
}

/// Reads a `Retry-After` header: seconds, or an HTTP date (a date in the past means now).
#[must_use]
pub fn retry_after(header: &str, now: SystemTime) -> Option<Duration> {
    let header = header.trim();
    if let Ok(secs) = header.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(header).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after("1", now), Some(Duration::from_secs(1)));
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let opts = SubmitOptions::default();
        for n in 1..40 {
            let wait = backoff(n, None, opts);
            assert!(wait <= opts.max_backoff, "{n}: {wait:?}");
        }
        assert!(backoff(1, None, opts) <= opts.base_backoff);
        assert_eq!(
            backoff(3, Some(Duration::from_secs(3600)), opts),
            opts.max_retry_after
        );
    }

    #[test]
    fn keys_are_percent_encoded() {
        let key = utf8_percent_encode("a b/ä?x", KEY_ESCAPE).to_string();
        assert_eq!(key, "a%20b%2F%C3%A4%3Fx");
    }
}
