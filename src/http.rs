//! HTTP plumbing shared by live dry runs ([`crate::live`]), submits ([`crate::submit`]) and
//! reads of the current record ([`crate::fetch`]).
//!
//! One place decides how ripple talks to endpoints: the client's settings, an endpoint's
//! token and time-out, how much of an answer is read (a server that streams 50 MB gets a
//! shortened reply, not an out-of-memory error), which failures are retried and how long to
//! wait between attempts ([`retry`]), and how a transport failure is described. Descriptions are built from the error
//! kind, never from reqwest's `Display`, which includes the URL; no description ever holds a
//! request header, so a bearer token cannot leak through an error message.

use std::future::Future;
use std::time::{Duration, SystemTime};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, ErrorKind};
use crate::pipeline::Endpoint;

/// Per-request time-out when neither the endpoint nor `--timeout` sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Most bytes of an answer ripple reads; the rest is ignored.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Characters of a key that stay as they are in a URL path segment (RFC 3986 unreserved).
const KEY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `template` with every `{key}` replaced by `key`, percent-encoded as a path segment.
#[must_use]
pub fn fill_key(template: &str, key: &str) -> String {
    template.replace("{key}", &utf8_percent_encode(key, KEY_ESCAPE).to_string())
}

/// The token of `endpoint`, read from the variable its `token_env` names, if it names one.
///
/// # Errors
/// When the variable is unset or empty (named, never a value).
pub fn token(endpoint: Option<&Endpoint>) -> Result<Option<Secret>, Error> {
    match endpoint.and_then(|e| e.token_env.as_deref()) {
        Some(name) => Secret::from_env(name).map(Some),
        None => Ok(None),
    }
}

/// The per-request time-out: `given` (`--timeout`), else the endpoint's `timeout_ms`, else
/// [`DEFAULT_TIMEOUT`].
#[must_use]
pub fn timeout(endpoint: Option<&Endpoint>, given: Option<Duration>) -> Duration {
    given
        .or_else(|| {
            endpoint
                .and_then(|e| e.timeout_ms)
                .map(Duration::from_millis)
        })
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Builds the HTTP client ripple uses for every endpoint.
///
/// # Errors
/// When the TLS backend cannot be initialised.
pub fn client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(concat!("ripple/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Http,
                format!("cannot start the HTTP client: {}", describe(&e, None)),
            )
        })
}

/// Runs `future` to completion on a single-threaded runtime: ripple's HTTP is I/O-bound and
/// a handful of requests at a time, so one thread drives them all concurrently.
///
/// # Errors
/// When the runtime cannot be created.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Http,
                format!("cannot start the async runtime: {e}"),
            )
        })?;
    Ok(runtime.block_on(future))
}

/// A bearer token read from the environment. Its `Debug` does not show it, and the only way
/// out for the text is [`Secret::header`], the `Authorization` header marked sensitive.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Reads the token from the environment variable `name`.
    ///
    /// # Errors
    /// When the variable is unset, empty or not Unicode; the message names the variable,
    /// never a value.
    pub fn from_env(name: &str) -> Result<Self, Error> {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Self(v.trim().to_owned())),
            _ => Err(Error::new(
                ErrorKind::Http,
                format!(
                    "the environment variable `{name}` holding the endpoint's token is not set"
                ),
            )
            .help(format!(
                "export {name}=… before running ripple; the token is never read from a file"
            ))),
        }
    }

    /// The `Authorization` header value, marked sensitive so HTTP libraries never log it.
    ///
    /// # Errors
    /// When the token holds characters a header cannot carry.
    pub fn header(&self) -> Result<reqwest::header::HeaderValue, Error> {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.0))
            .map_err(|_| {
                Error::new(
                    ErrorKind::Http,
                    "the endpoint token holds characters an HTTP header cannot carry",
                )
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Removes the token from an answer's body (a server could echo it back in an error),
    /// before anything shortens the body and could cut the token in half.
    pub fn scrub(&self, answer: &mut Answer) {
        let needle = self.0.as_bytes();
        if needle.len() < 4 || !answer.body.windows(needle.len()).any(|w| w == needle) {
            return;
        }
        let text = String::from_utf8_lossy(&answer.body).replace(&self.0, "[token]");
        answer.body = text.into_bytes();
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([hidden])")
    }
}

/// An answer as far as ripple reads it.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, lower-cased, without parameters.
    pub content_type: Option<String>,
    /// The `Retry-After` header as sent.
    pub retry_after: Option<String>,
    /// The body, at most [`MAX_BODY_BYTES`].
    pub body: Vec<u8>,
}

/// Reads the head and at most [`MAX_BODY_BYTES`] of the body of `response`.
///
/// # Errors
/// The transport error while reading the body (time-out, reset, malformed chunking).
pub async fn read(mut response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = response.status().as_u16();
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE).map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let retry_after = header(reqwest::header::RETRY_AFTER);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES.saturating_sub(body.len());
        body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        if body.len() >= MAX_BODY_BYTES {
            break;
        }
    }
    Ok(Answer {
        status,
        content_type,
        retry_after,
        body,
    })
}

/// How hard to try a request that may fail for a while: submits and reads of the current
/// record (README, "`--submit`").
#[derive(Debug, Clone, Copy)]
pub struct RetryOptions {
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

impl Default for RetryOptions {
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

/// What one request came to, for [`retry`].
#[derive(Debug)]
pub enum Exchange {
    /// An answer that is final, whatever its status (2xx, and 4xx but 429).
    Answer(Answer),
    /// An answer worth asking again for: 429 or 5xx.
    Busy(Answer),
    /// No answer: a time-out, a refused or reset connection, bytes that are not HTTP; why,
    /// in a few words ([`describe`]).
    Failed(String),
}

impl Exchange {
    /// How long the server asked to wait (`Retry-After`), for a busy answer.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Busy(answer) => answer
                .retry_after
                .as_deref()
                .and_then(|h| retry_after(h, SystemTime::now())),
            _ => None,
        }
    }
}

/// Sends one request with `token` as a bearer `Authorization` header and the time-out,
/// and reads the answer with the token scrubbed from it ([`Secret::scrub`]).
///
/// # Errors
/// When the token cannot be a header value; nothing is sent then.
pub async fn exchange(
    builder: reqwest::RequestBuilder,
    token: Option<&Secret>,
    timeout: Duration,
) -> Result<Exchange, Error> {
    let mut builder = builder.timeout(timeout);
    if let Some(token) = token {
        builder = builder.header(reqwest::header::AUTHORIZATION, token.header()?);
    }
    let answer = match builder.send().await {
        Ok(response) => read(response).await,
        Err(e) => Err(e),
    };
    Ok(match answer {
        Err(e) => Exchange::Failed(describe(&e, Some(timeout))),
        Ok(mut answer) => {
            if let Some(token) = token {
                token.scrub(&mut answer);
            }
            if matches!(answer.status, 429 | 500..=599) {
                Exchange::Busy(answer)
            } else {
                Exchange::Answer(answer)
            }
        }
    })
}

/// One attempt's result, for [`retry`].
#[derive(Debug)]
pub enum Step<T> {
    /// Final: no more attempts.
    Done(T),
    /// Worth another attempt, after the server's `Retry-After` when it gave one.
    Again(T, Option<Duration>),
}

/// Calls `attempt(n)` for n = 1, 2, … until it is [`Step::Done`] or `opts.attempts` were
/// made, waiting [`backoff`] between attempts. Returns the last attempt's value and how
/// many attempts were made. The one retry loop of ripple: submits and reads share it.
///
/// # Errors
/// The first error an attempt returns (nothing is retried after it).
pub async fn retry<T, F, Fut>(opts: RetryOptions, mut attempt: F) -> Result<(T, u32), Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Step<T>, Error>>,
{
    let attempts = opts.attempts.max(1);
    let mut n = 0;
    loop {
        n += 1;
        match attempt(n).await? {
            Step::Done(value) => return Ok((value, n)),
            Step::Again(value, _) if n >= attempts => return Ok((value, n)),
            Step::Again(_, retry_after) => {
                let wait = backoff(n, retry_after, opts);
                tracing::debug!(
                    attempt = n,
                    wait_ms = wait.as_millis(),
                    "waiting before the next attempt"
                );
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// The wait before attempt `n + 1`: the server's `Retry-After` (capped) when it gave one,
/// otherwise a random time up to `base · 2^(n-1)` (capped): full jitter, so clients that
/// failed together do not retry together.
#[must_use]
pub fn backoff(n: u32, retry_after: Option<Duration>, opts: RetryOptions) -> Duration {
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

/// Says in a few words why a request failed, without the URL or any header.
#[must_use]
pub fn describe(err: &reqwest::Error, timeout: Option<Duration>) -> String {
    if err.is_timeout() {
        return match timeout {
            Some(t) => format!("no answer within {} ms", t.as_millis()),
            None => "timed out".to_owned(),
        };
    }
    if let Some(io) = io_source(err) {
        use std::io::ErrorKind as K;
        return match io.kind() {
            K::ConnectionRefused => "connection refused".to_owned(),
            K::ConnectionReset => "connection reset by the server".to_owned(),
            K::ConnectionAborted => "connection aborted".to_owned(),
            K::BrokenPipe => "connection closed while sending".to_owned(),
            K::UnexpectedEof => "connection closed before the answer was complete".to_owned(),
            K::TimedOut => "timed out".to_owned(),
            _ => format!("network error: {}", io.kind()),
        };
    }
    if err.is_connect() {
        return "cannot connect".to_owned();
    }
    if err.is_builder() {
        return "the endpoint URL is not valid".to_owned();
    }
    if err.is_redirect() {
        return "too many redirects".to_owned();
    }
    // The innermost cause is hyper's own wording ("connection closed before message
    // completed", "invalid HTTP version parsed"); reqwest's outer layer adds the URL.
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if std::ptr::addr_eq(cause, err) || text.is_empty() {
        "the request failed".to_owned()
    } else if text.contains("parse") || text.contains("invalid") {
        format!("not a valid HTTP answer ({text})")
    } else {
        text
    }
}

fn io_source(err: &reqwest::Error) -> Option<&std::io::Error> {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(err);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cause = c.source();
    }
    None
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
        let opts = RetryOptions::default();
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
        assert_eq!(fill_key("/c/{key}", "a b/ä?x"), "/c/a%20b%2F%C3%A4%3Fx");
    }

    #[test]
    fn the_retry_loop_stops_when_done_or_out_of_attempts() -> Result<(), Error> {
        let opts = RetryOptions {
            attempts: 3,
            base_backoff: Duration::ZERO,
            ..RetryOptions::default()
        };
        let out = block_on(retry(opts, |n| async move { Ok(Step::Again(n, None)) }))??;
        assert_eq!(out, (3, 3));
        let out = block_on(retry(opts, |n| async move {
            Ok(if n == 2 {
                Step::Done(n)
            } else {
                Step::Again(n, None)
            })
        }))??;
        assert_eq!(out, (2, 2));
        Ok(())
    }

    #[test]
    fn a_refused_connection_is_named_without_the_url() -> Result<(), Error> {
        // A port that was just free on localhost: nothing listens there any more.
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(9);
        drop(listener);
        let client = client()?;
        let url = format!("http://127.0.0.1:{port}/secret-path");
        let err = block_on(async { client.get(&url).send().await.err() })?;
        let text = err.map(|e| describe(&e, None)).unwrap_or_default();
        assert_eq!(text, "connection refused");
        Ok(())
    }
}
