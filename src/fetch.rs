//! `validate --fetch-current`: reading the entry record as it is now from the entry system
//! (README, "`--fetch-current`").
//!
//! ripple sends `GET` to the entry system's `endpoint.read`, `{key}` filled in from the
//! change's key (percent-encoded), with the endpoint's bearer token (`token_env`) and
//! time-out (`timeout_ms`, `--timeout` overrides). Time-outs, connection failures, 429 and
//! 5xx are retried with backoff honouring `Retry-After`, by the loop submits use
//! ([`http::retry`]). The answer must be the record: a JSON object. Every way this fails is
//! an [`Error`] (exit 2) naming the system and the URL; the token is in the `Authorization`
//! header and nowhere else, and a server echoing it back has it scrubbed
//! ([`http::Secret::scrub`]).

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::http::{self, Answer, Exchange, RetryOptions, Secret, Step};
use crate::pipeline::{Pipeline, SystemId};

/// How hard to try a read: attempts, time-out and backoff, the policy submits use.
pub type FetchOptions = RetryOptions;

/// Where a record is read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The entry system's id.
    pub system: String,
    /// The record's key, when the URL has `{key}`.
    pub key: Option<String>,
    /// The read URL with the key filled in.
    pub url: String,
    /// The variable the token comes from, to name it when the token is refused.
    pub token_env: Option<String>,
    /// The bearer token, when the endpoint names `token_env`.
    pub token: Option<Secret>,
    /// Per-request time-out.
    pub timeout: Duration,
}

/// Resolves where `entry`'s records are read: its `endpoint.read` with `{key}` filled in
/// (percent-encoded), its token and its time-out (`timeout` overrides the endpoint's).
///
/// # Errors
/// No read endpoint, a `{key}` in the URL but no key (a usage error), a URL that does not
/// parse, or an unset token variable (named, never a value).
pub fn source(
    pipeline: &Pipeline,
    entry: SystemId,
    key: Option<&str>,
    timeout: Option<Duration>,
) -> Result<Source, Error> {
    let system = &pipeline.systems[entry];
    let endpoint = system.endpoint.as_ref();
    let Some(template) = endpoint.and_then(|e| e.read.as_deref()) else {
        return Err(Error::new(
            ErrorKind::Http,
            format!("`{}` declares no read endpoint", system.id),
        )
        .at(pipeline.location(system.span))
        .help("add `endpoint: { read: https://…/{key} }` to the entry system, or pass the record with --current FILE"));
    };
    let key = key.filter(|k| !k.is_empty());
    let url = if template.contains("{key}") {
        let key = key.ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "--fetch-current needs the record's key: `{}`'s read URL has `{{key}}`, and the change has no `key`",
                    system.id
                ),
            )
            .help(r#"add "key": "customer-1042" to the change request, or pass --key customer-1042"#)
        })?;
        http::fill_key(template, key)
    } else {
        template.to_owned()
    };
    if url::Url::parse(&url).is_err() {
        return Err(Error::new(
            ErrorKind::Http,
            format!("`{}`'s read URL is not a valid URL", system.id),
        )
        .at(pipeline.location(system.span))
        .label(template.to_owned()));
    }
    Ok(Source {
        system: system.id.clone(),
        key: template
            .contains("{key}")
            .then(|| key.unwrap_or_default().to_owned()),
        url,
        token_env: endpoint.and_then(|e| e.token_env.clone()),
        token: http::token(endpoint)?,
        timeout: http::timeout(endpoint, timeout),
    })
}

/// Reads the record `key` from `entry`'s `endpoint.read`, retrying as the module says: the
/// current record to merge a change into (`ChangeRequest::current`).
///
/// # Errors
/// Everything [`source`] finds; the HTTP client or runtime not starting; and what the
/// system answers ([`read`]): no such record (404), the token refused (401, 403), another
/// refusal, a body that is not a JSON object, or no usable answer after the last attempt.
pub fn fetch_current(
    pipeline: &Pipeline,
    entry: SystemId,
    key: Option<&str>,
    opts: FetchOptions,
) -> Result<Value, Error> {
    let source = source(pipeline, entry, key, opts.timeout)?;
    let client = http::client()?;
    http::block_on(read(&client, &source, opts))?
}

/// One attempt's result.
enum Read {
    /// An answer that settles it.
    Final(Result<Value, Error>),
    /// No usable answer (why, in a few words); worth another attempt.
    Unanswered(String),
}

/// Reads the record at `source`, retrying time-outs, connection failures, 429 and 5xx.
///
/// # Errors
/// As [`fetch_current`], except the configuration errors [`source`] finds.
pub async fn read(
    client: &reqwest::Client,
    source: &Source,
    opts: FetchOptions,
) -> Result<Value, Error> {
    let (last, attempts) = http::retry(opts, |n| async move {
        tracing::info!(system = %source.system, attempt = n, "reading the current record");
        let builder = client
            .get(&source.url)
            .header(reqwest::header::ACCEPT, "application/json");
        let exchange = http::exchange(builder, source.token.as_ref(), source.timeout).await?;
        let retry_after = exchange.retry_after();
        Ok(match exchange {
            Exchange::Answer(answer) => Step::Done(Read::Final(record(source, &answer))),
            Exchange::Busy(answer) => Step::Again(
                Read::Unanswered(crate::submit::summary(&answer)),
                retry_after,
            ),
            Exchange::Failed(why) => Step::Again(Read::Unanswered(why), None),
        })
    })
    .await?;
    match last {
        Read::Final(result) => result,
        Read::Unanswered(why) => Err(Error::new(
            ErrorKind::Http,
            format!(
                "could not read the current record from `{}` at {}: {why} ({attempts} attempt{})",
                source.system,
                source.url,
                if attempts == 1 { "" } else { "s" }
            ),
        )
        .help("try again later, raise --timeout or --attempts, or pass the record with --current FILE")),
    }
}

/// The record in a final answer, or what the answer says is wrong.
fn record(source: &Source, answer: &Answer) -> Result<Value, Error> {
    let from = format!("HTTP {} from {}", answer.status, source.url);
    let system = &source.system;
    match answer.status {
        200..=299 => body(source, answer),
        404 => Err(Error::new(
            ErrorKind::Change,
            match &source.key {
                Some(key) => format!("`{system}` has no record `{key}` ({from})"),
                None => format!("`{system}` has no record ({from})"),
            },
        )
        .help("check the change's `key` (or --key); a change that creates the record takes --create instead")),
        401 | 403 => Err(match &source.token_env {
            Some(name) => Error::new(
                ErrorKind::Http,
                format!("`{system}` refused the token from `{name}` ({from})"),
            )
            .help(format!(
                "check that `{name}` holds a token allowed to read records; ripple never prints it"
            )),
            None => Error::new(
                ErrorKind::Http,
                format!("`{system}` asks for a token ({from}), and its endpoint names no `token_env`"),
            )
            .help("add `token_env: NAME` to the entry system's endpoint and export NAME=…"),
        }),
        _ => Err(Error::new(
            ErrorKind::Http,
            format!(
                "`{system}` did not give the current record: {} (from {})",
                crate::submit::summary(answer),
                source.url
            ),
        )),
    }
}

/// The JSON object in a 2xx answer's body.
fn body(source: &Source, answer: &Answer) -> Result<Value, Error> {
    let not_a_record = |what: String| {
        Error::new(
            ErrorKind::Http,
            format!(
                "`{}` answered {} with {what}, not a record (a JSON object)",
                source.system, source.url
            ),
        )
    };
    if answer.body.len() >= http::MAX_BODY_BYTES {
        return Err(not_a_record(format!(
            "more than {} KiB",
            http::MAX_BODY_BYTES / 1024
        )));
    }
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(value) => Err(not_a_record(format!("a JSON {}", json_type(&value)))),
        Err(_) if answer.body.iter().all(u8::is_ascii_whitespace) => {
            Err(not_a_record("an empty body".to_owned()))
        }
        Err(_) => Err(not_a_record("a body that is not JSON".to_owned())),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
