//! A throw-away PostgreSQL server for the tests that read a live catalogue: `initdb` in a
//! temporary directory, `pg_ctl start` on a free port of 127.0.0.1 with its unix socket in
//! the same directory, stopped when the [`PgServer`] is dropped.
//!
//! The binaries come from `RIPPLE_PG_BIN`, else `PATH`, else Debian's
//! `/usr/lib/postgresql/<version>/bin` (the newest). `initdb` refuses to run as root, so as
//! root the server runs as `nobody` (through `runuser`). Without a server the tests are
//! skipped with a note, unless `RIPPLE_REQUIRE_POSTGRES=1` (CI sets it), which makes
//! them fail instead.

use std::path::PathBuf;
use std::process::Command;

/// A running server, stopped on drop.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_nobody: bool,
    /// The TCP port on 127.0.0.1.
    pub port: u16,
}

/// The user every test connects as (trust authentication, no password needed).
pub const USER: &str = "ripple";

fn required() -> bool {
    std::env::var("RIPPLE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A server, or `None` (after a printed note) when none can be started here.
pub fn start() -> Option<PgServer> {
    match try_start() {
        Ok(server) => Some(server),
        Err(why) if required() => panic!("PostgreSQL is required but did not start: {why}"),
        Err(why) => {
            eprintln!(
                "note: skipping a PostgreSQL test: {why} (set RIPPLE_REQUIRE_POSTGRES=1 to fail instead)"
            );
            None
        }
    }
}

fn bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("RIPPLE_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, p)| p.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn try_start() -> Result<PgServer, String> {
    let bin = bin_dir().ok_or("no initdb found (install PostgreSQL, or set RIPPLE_PG_BIN)")?;
    let as_nobody = is_root();
    let dir = tempfile::Builder::new()
        .prefix("ripple-pg")
        .tempdir_in("/tmp")
        .map_err(|e| e.to_string())?;
    if as_nobody {
        run(Command::new("chown").arg("nobody").arg(dir.path()), "chown")?;
    }
    let data = dir.path().join("data");
    let mut server = PgServer {
        dir,
        bin,
        as_nobody,
        port: 0,
    };
    let mut initdb = server.command("initdb");
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"])
        .args(["--locale=C"]);
    run(&mut initdb, "initdb")?;
    let mut last = String::new();
    for _ in 0..3 {
        server.port = free_port()?;
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.port,
            server.dir.path().display()
        );
        let mut start = server.command("pg_ctl");
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(server.dir.path().join("log"))
            .args(["-w", "-t", "30", "-o", &options, "start"]);
        match run(&mut start, "pg_ctl start") {
            Ok(()) => return Ok(server),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl PgServer {
    /// `tool` from the server's binaries, as `nobody` when running as root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The URL of database `db` (over TCP, no password).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs `sql` (several statements) in database `db`.
    pub fn execute(&self, db: &str, sql: &str) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&self.url(db), tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(conn);
            client.batch_execute(sql).await.unwrap();
            drop(client);
            let _ = task.await;
        });
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdin(std::process::Stdio::null())
            .output();
    }
}
