//! CLI integration tests: the `ripple` binary run against fixtures in `tests/fixtures/`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod batch;
mod check;
mod current;
mod diff;
mod drift;
mod encoding;
mod fetch;
mod graph;
mod import;
mod import_pg;
mod input_errors;
mod interface;
mod live;
mod pg;
mod server;
mod submit;
mod trace;
mod trace_log;
mod validate;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `ripple` binary, run from the repository root with colours off.
pub fn ripple() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("ripple");
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "off")
        // Test servers listen on 127.0.0.1; a proxy from the environment must not get them.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    cmd
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path relative to the repository root, as a string argument.
pub fn fixture(rel: &str) -> String {
    Path::new("tests/fixtures").join(rel).display().to_string()
}

/// Runs ripple and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = ripple()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ripple: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parses stdout as JSON.
pub fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}
