//! A scriptable HTTP/1.1 server on 127.0.0.1 for fault tests: each connection gets its own
//! thread, one request per connection, and a handler decides what happens (answer, hang,
//! reset, garbage, a body that trickles in). Every request is recorded for assertions.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// What the server does with one request.
pub enum Reply {
    /// Waits, then answers.
    Answer {
        delay: Duration,
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Never answers (holds the connection for a minute).
    Hang,
    /// Closes the connection with a TCP reset before answering.
    Reset,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// Sends the head at once, then the body a byte per `every`.
    SlowBody { every: Duration },
}

impl Reply {
    pub fn status(status: u16, body: &str) -> Self {
        Self::Answer {
            delay: Duration::ZERO,
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }

    pub fn json(status: u16, content_type: &str, body: &str) -> Self {
        Self::Answer {
            delay: Duration::ZERO,
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body: body.to_owned(),
        }
    }

    pub fn after(delay: Duration, status: u16) -> Self {
        Self::Answer {
            delay,
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// A running server; it lives as long as the test process.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts a server whose `handler` gets each request and its 0-based number.
    pub fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handler: Arc<Handler> = Arc::new(handler);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                let handler = Arc::clone(&handler);
                thread::spawn(move || serve(stream, &seen, &*handler));
            }
        });
        Self { port, requests }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<Request>>, handler: &Handler) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let number = {
        let mut all = seen.lock().expect("requests lock");
        all.push(request.clone());
        all.len() - 1
    };
    match handler(&request, number) {
        Reply::Answer {
            delay,
            status,
            headers,
            body,
        } => {
            thread::sleep(delay);
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(status),
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
        Reply::Hang => thread::sleep(Duration::from_secs(60)),
        Reply::Reset => {
            // A zero linger time makes close() send RST instead of FIN.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Reply::Garbage => {
            let _ = stream.write_all(b"\x00\x01garbage, not HTTP at all\r\n\r\n");
            let _ = stream.flush();
        }
        Reply::SlowBody { every } => {
            let body = "{\"ok\": true}";
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            for b in body.bytes() {
                thread::sleep(every);
                if stream.write_all(&[b]).is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads the head and (by Content-Length) the body.
fn read_request(mut stream: &TcpStream) -> Option<Request> {
    let mut data = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        409 => "Conflict",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Writes the pipeline template `tests/fixtures/submit/pipelines/NAME` into `dir` with the
/// server's port and the absolute schema folder filled in; returns its path.
pub fn pipeline(dir: &Path, name: &str, port: u16) -> PathBuf {
    let root = super::root().join("tests/fixtures/submit");
    let template = std::fs::read_to_string(root.join("pipelines").join(name))
        .unwrap_or_else(|e| panic!("template {name}: {e}"));
    let text = template
        .replace("{PORT}", &port.to_string())
        .replace("{SCHEMAS}", &root.join("schemas").display().to_string());
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write pipeline");
    path
}
