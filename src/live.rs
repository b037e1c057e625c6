//! `validate --live`: asking each reached system's dry-run endpoint about its derived record.
//!
//! The local schemas are a model of what the systems accept; the systems themselves are the
//! truth. For every system the change reaches and that declares `endpoint.validate`, ripple
//! POSTs the record that system would receive, all at once, each request with its own
//! time-out and the whole with a deadline, so one hanging system costs one time-out and not
//! the sum. An answer is read as:
//!
//! - 2xx: accepted;
//! - 4xx: rejected, with what the server said: RFC 9457 problem details (`detail`, and
//!   `errors[]` with `pointer` and `detail`), JSON:API (`errors[]` with `source.pointer` and
//!   `detail` or `title`), or any other body, shortened;
//! - anything else (a time-out, a refused or reset connection, a 5xx, an answer that is not
//!   HTTP): unreachable, which says nothing about the change.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::http::{self, Answer, Secret};
use crate::pipeline::{Pipeline, SystemId};
use crate::propagate::{Propagation, Record};
use crate::text::shorten;
use crate::validate::is_pii;

/// Default for the whole round of dry runs when `--deadline` is not given.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(15);

/// How long to wait for the endpoints.
#[derive(Debug, Clone, Copy)]
pub struct LiveOptions {
    /// Per-request time-out overriding every endpoint's `timeout_ms`.
    pub timeout: Option<Duration>,
    /// Time allowed for all requests together.
    pub deadline: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            timeout: None,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

/// A system's live verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveStatus {
    /// The endpoint answered 2xx.
    Accepted,
    /// The endpoint answered 4xx.
    Rejected,
    /// No usable answer: time-out, connection failure, 5xx or not HTTP.
    Unreachable,
}

/// One thing the server said is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveError {
    /// JSON Pointer into the record sent, when the server gave one.
    pub pointer: Option<String>,
    /// What the server said, shortened.
    pub detail: String,
}

/// One dry run: which system, by which path, and what came of it.
#[derive(Debug, Clone)]
pub struct LiveOutcome {
    /// The system asked.
    pub system: SystemId,
    /// Systems from the entry to this one.
    pub path: Vec<SystemId>,
    /// The verdict.
    pub status: LiveStatus,
    /// What the server objected to (rejected only).
    pub errors: Vec<LiveError>,
    /// The HTTP status, when an answer came.
    pub http_status: Option<u16>,
    /// Time from sending to the verdict.
    pub elapsed_ms: u64,
    /// Why the system is unreachable.
    pub reason: Option<String>,
    /// The personal (`x-pii`) string values of the record sent, so machine output can mask
    /// them wherever the server quotes them.
    pub personal: Vec<String>,
}

/// A dry run to make.
#[derive(Debug, Clone)]
pub struct LiveRequest {
    /// The system asked.
    pub system: SystemId,
    /// Systems from the entry to this one.
    pub path: Vec<SystemId>,
    /// The dry-run URL.
    pub url: String,
    /// Per-request time-out.
    pub timeout: Duration,
    /// The bearer token, or why it is missing, when the endpoint names `token_env`.
    pub token: Option<Result<Secret, String>>,
    /// The record the system would receive.
    pub body: Value,
    /// Personal string values of `body`.
    pub personal: Vec<String>,
}

/// The dry runs for a propagation: one per reached system with `endpoint.validate` and per
/// distinct record it receives (several paths bringing the same record make one request).
#[must_use]
pub fn requests(
    pipeline: &Pipeline,
    propagation: &Propagation,
    opts: LiveOptions,
) -> Vec<LiveRequest> {
    let mut seen: HashSet<(SystemId, String)> = HashSet::new();
    let mut out = Vec::new();
    for arrival in &propagation.arrivals {
        let system = &pipeline.systems[arrival.system];
        let Some(endpoint) = &system.endpoint else {
            continue;
        };
        let Some(url) = &endpoint.validate else {
            continue;
        };
        if !seen.insert((arrival.system, arrival.record.doc.to_string())) {
            continue;
        }
        let timeout = opts
            .timeout
            .or_else(|| endpoint.timeout_ms.map(Duration::from_millis))
            .unwrap_or(http::DEFAULT_TIMEOUT);
        let token = endpoint
            .token_env
            .as_deref()
            .map(|name| Secret::from_env(name).map_err(|e| e.message));
        out.push(LiveRequest {
            system: arrival.system,
            path: arrival.path.clone(),
            url: url.clone(),
            timeout,
            token,
            body: arrival.record.doc.clone(),
            personal: personal_values(pipeline, arrival.system, &arrival.record),
        });
    }
    out
}

/// The string values of `record` that are personal data, longest first (so masking a long
/// value is not spoiled by first masking a shorter one inside it).
#[must_use]
pub fn personal_values(pipeline: &Pipeline, system: SystemId, record: &Record) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), &record.doc)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let escaped = crate::pointer::escape(k);
                    stack.push((format!("{pointer}/{escaped}"), v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{i}"), v));
                }
            }
            Value::String(s)
                if !s.is_empty()
                    && is_pii(pipeline, system, &pointer, &record.provenance_of(&pointer)) =>
            {
                out.push(s.clone());
            }
            _ => {}
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Asks every endpoint of `requests` concurrently; requests still running at the deadline
/// are abandoned and reported unreachable. Outcomes come back in the order of `requests`.
pub async fn ask_all(
    client: &reqwest::Client,
    requests: Vec<LiveRequest>,
    deadline: Duration,
) -> Vec<LiveOutcome> {
    let started = Instant::now();
    let until = tokio::time::Instant::now() + deadline;
    let mut slots: Vec<Option<LiveOutcome>> = vec![None; requests.len()];
    let mut set = tokio::task::JoinSet::new();
    for (index, request) in requests.iter().cloned().enumerate() {
        let client = client.clone();
        set.spawn(async move { (index, ask_one(&client, request).await) });
    }
    loop {
        match tokio::time::timeout_at(until, set.join_next()).await {
            Ok(Some(Ok((index, outcome)))) => {
                if let Some(slot) = slots.get_mut(index) {
                    *slot = Some(outcome);
                }
            }
            // A task that panicked leaves its slot empty and is reported below.
            Ok(Some(Err(_))) => {}
            Ok(None) => break,
            Err(_) => {
                set.abort_all();
                break;
            }
        }
    }
    let elapsed = millis(started.elapsed());
    requests
        .into_iter()
        .zip(slots)
        .map(|(request, slot)| {
            slot.unwrap_or_else(|| LiveOutcome {
                system: request.system,
                path: request.path,
                status: LiveStatus::Unreachable,
                errors: Vec::new(),
                http_status: None,
                elapsed_ms: elapsed,
                reason: Some(format!(
                    "no answer before the deadline of {} ms",
                    deadline.as_millis()
                )),
                personal: request.personal,
            })
        })
        .collect()
}

/// Makes the dry runs of `requests` and waits for them (at most `opts.deadline`).
///
/// # Errors
/// When the HTTP client or runtime cannot start.
pub fn ask(requests: Vec<LiveRequest>, opts: LiveOptions) -> Result<Vec<LiveOutcome>, Error> {
    if requests.is_empty() {
        return Ok(Vec::new());
    }
    let client = http::client()?;
    http::block_on(ask_all(&client, requests, opts.deadline))
}

async fn ask_one(client: &reqwest::Client, request: LiveRequest) -> LiveOutcome {
    let started = Instant::now();
    let mut outcome = LiveOutcome {
        system: request.system,
        path: request.path,
        status: LiveStatus::Unreachable,
        errors: Vec::new(),
        http_status: None,
        elapsed_ms: 0,
        reason: None,
        personal: request.personal,
    };
    let mut builder = client
        .post(&request.url)
        .timeout(request.timeout)
        .json(&request.body);
    let mut secret = None;
    match request.token {
        Some(Ok(token)) => match token.header() {
            Ok(value) => {
                builder = builder.header(reqwest::header::AUTHORIZATION, value);
                secret = Some(token);
            }
            Err(e) => {
                outcome.reason = Some(e.message);
                return outcome;
            }
        },
        Some(Err(why)) => {
            outcome.reason = Some(why);
            return outcome;
        }
        None => {}
    }
    tracing::debug!(system = request.system.index(), url = %request.url, "dry run sent");
    let result = match builder.send().await {
        Ok(response) => http::read(response).await,
        Err(e) => Err(e),
    };
    outcome.elapsed_ms = millis(started.elapsed());
    match result {
        Ok(mut answer) => {
            if let Some(secret) = &secret {
                secret.scrub(&mut answer);
            }
            outcome.http_status = Some(answer.status);
            let (status, errors, reason) = interpret(&answer);
            outcome.status = status;
            outcome.errors = errors;
            outcome.reason = reason;
        }
        Err(e) => outcome.reason = Some(http::describe(&e, Some(request.timeout))),
    }
    tracing::debug!(
        system = outcome.system.index(),
        status = ?outcome.status,
        http_status = outcome.http_status,
        elapsed_ms = outcome.elapsed_ms,
        "dry run answered"
    );
    outcome
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Reads an answer: its verdict, what the server objected to, and why it is unusable.
#[must_use]
pub fn interpret(answer: &Answer) -> (LiveStatus, Vec<LiveError>, Option<String>) {
    match answer.status {
        200..=299 => (LiveStatus::Accepted, Vec::new(), None),
        400..=499 => (LiveStatus::Rejected, server_errors(answer), None),
        status => {
            let text = body_text(answer);
            let reason = if text.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {}", shorten(&text))
            };
            (LiveStatus::Unreachable, Vec::new(), Some(reason))
        }
    }
}

/// The body as one line of text; an HTML error page is reduced to its title.
fn body_text(answer: &Answer) -> String {
    let text = String::from_utf8_lossy(&answer.body);
    let html =
        answer.content_type.as_deref() == Some("text/html") || text.trim_start().starts_with('<');
    let text = if html {
        let lower = text.to_ascii_lowercase();
        let title = lower
            .find("<title>")
            .map(|i| i + "<title>".len())
            .and_then(|start| lower[start..].find("</title>").map(|len| (start, len)))
            .and_then(|(start, len)| text.get(start..start + len));
        match title {
            Some(t) if !t.trim().is_empty() => format!("an HTML page titled \"{}\"", t.trim()),
            _ => "an HTML page".to_owned(),
        }
    } else {
        text.into_owned()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a 4xx body says, in whichever of the common shapes it comes.
fn server_errors(answer: &Answer) -> Vec<LiveError> {
    let mut out = Vec::new();
    if let Ok(json) = serde_json::from_slice::<Value>(&answer.body) {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| shorten(s.trim()));
        if let Some(detail) = text(json.get("detail")).or_else(|| text(json.get("message"))) {
            out.push(LiveError {
                pointer: None,
                detail,
            });
        }
        for e in json
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let pointer = text(e.get("pointer"))
                .or_else(|| text(e.pointer("/source/pointer")))
                .or_else(|| text(e.get("field")));
            let detail = text(e.get("detail"))
                .or_else(|| text(e.get("message")))
                .or_else(|| text(e.get("title")))
                .or_else(|| e.as_str().map(shorten))
                .unwrap_or_else(|| shorten(&e.to_string()));
            out.push(LiveError { pointer, detail });
        }
        if out.is_empty()
            && let Some(title) = text(json.get("title"))
        {
            out.push(LiveError {
                pointer: None,
                detail: title,
            });
        }
        if out.is_empty() {
            out.push(LiveError {
                pointer: None,
                detail: shorten(&json.to_string()),
            });
        }
        return out;
    }
    let text = body_text(answer);
    out.push(LiveError {
        pointer: None,
        detail: if text.is_empty() {
            format!("HTTP {} with no explanation", answer.status)
        } else {
            shorten(&text)
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(content_type.to_owned()),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn problem_details_give_pointers_and_details() {
        let (status, errors, _) = interpret(&answer(
            422,
            "application/problem+json",
            r#"{"type":"about:blank","title":"Invalid","detail":"1 field is invalid",
                "errors":[{"pointer":"/username","detail":"at most 8 characters"}]}"#,
        ));
        assert_eq!(status, LiveStatus::Rejected);
        assert_eq!(
            errors,
            vec![
                LiveError {
                    pointer: None,
                    detail: "1 field is invalid".into()
                },
                LiveError {
                    pointer: Some("/username".into()),
                    detail: "at most 8 characters".into()
                }
            ]
        );
    }

    #[test]
    fn json_api_errors_give_source_pointers() {
        let (_, errors, _) = interpret(&answer(
            400,
            "application/vnd.api+json",
            r#"{"errors":[{"status":"422","source":{"pointer":"/uid"},"title":"Invalid Attribute"}]}"#,
        ));
        assert_eq!(
            errors,
            vec![LiveError {
                pointer: Some("/uid".into()),
                detail: "Invalid Attribute".into()
            }]
        );
    }

    #[test]
    fn other_bodies_are_shortened_and_5xx_is_unreachable() {
        let long = "no ".repeat(500);
        let (status, errors, _) = interpret(&answer(409, "text/plain", &long));
        assert_eq!(status, LiveStatus::Rejected);
        assert!(errors[0].detail.len() < 200, "{}", errors[0].detail);
        let (status, errors, reason) = interpret(&answer(
            503,
            "text/html",
            "<html><head><TITLE>Down for maintenance</TITLE></head><body>…</body></html>",
        ));
        assert_eq!(status, LiveStatus::Unreachable);
        assert!(errors.is_empty());
        assert_eq!(
            reason.as_deref(),
            Some("HTTP 503: an HTML page titled \"Down for maintenance\"")
        );
        let (_, _, reason) = interpret(&answer(502, "text/plain", "bad\n gateway"));
        assert_eq!(reason.as_deref(), Some("HTTP 502: bad gateway"));
        let (status, ..) = interpret(&answer(204, "", ""));
        assert_eq!(status, LiveStatus::Accepted);
    }
}
