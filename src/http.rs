//! HTTP plumbing shared by live dry runs ([`crate::live`]) and submits ([`crate::submit`]).
//!
//! One place decides how ripple talks to endpoints: the client's settings, how much of an
//! answer is read (a server that streams 50 MB gets a shortened reply, not an out-of-memory
//! error), and how a transport failure is described. Descriptions are built from the error
//! kind, never from reqwest's `Display`, which includes the URL; no description ever holds a
//! request header, so a bearer token cannot leak through an error message.

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Per-request time-out when neither the endpoint nor `--timeout` sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Most bytes of an answer ripple reads; the rest is ignored.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

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
/// to the text is [`Secret::expose`], used once, to build the `Authorization` header.
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
