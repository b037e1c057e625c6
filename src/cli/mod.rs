//! Argument parsing and exit codes; everything else lives in the library.

mod args;
mod batch;
mod check;
mod constraints;
mod diff;
mod explain;
mod graph;
mod import;
mod journal;
mod trace;
mod validate;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use ripple::report::{self, Options};
use ripple::{Error, Errors};

/// See how a change ripples through your systems before you make it.
#[derive(Debug, Parser)]
#[command(name = "ripple", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only the verdict.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Log what ripple does to stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// When to use colours, in output and in `-v` logs (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// Show personal (`x-pii`) values instead of masking them in machine output and in
    /// what ripple read from elsewhere (logs, the journal, server answers).
    #[arg(long, global = true)]
    show_values: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check one change request against every downstream system.
    Validate(validate::Args),
    /// Prove every place where a value accepted upstream is rejected downstream.
    Check(check::Args),
    /// What a change to the pipelines does: changes classified, findings new and fixed.
    Diff(diff::Args),
    /// Explain a diagnostic code of `check`.
    Explain(explain::Args),
    /// Trace a field, or a downstream error log, back to its upstream source.
    Trace(trace::Args),
    /// Each entry field's effective constraint; `--emit-schema` tightens the entry schema.
    Constraints(constraints::Args),
    /// Draw the systems and flows (Mermaid or DOT), optionally a field's lineage.
    Graph(graph::Args),
    /// List, show and resume submitted changes.
    Journal(journal::Args),
    /// Write system schemas from where the constraints live: SQL DDL, OpenAPI, LDAP.
    Import(import::Args),
    /// Print a shell completion script: `ripple completions bash > ~/.local/share/bash-completion/completions/ripple`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `ripple man > ripple.1`.
    Man,
}

pub(crate) use args::Format;
pub(crate) use ripple::request::Verdict;

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let stdout_color = use_color(cli.color, std::io::stdout().is_terminal());
    let stderr_color = use_color(cli.color, std::io::stderr().is_terminal());
    let _ = STDERR_COLOR.set(stderr_color);
    init_tracing(cli.verbose, stderr_color);
    let opts = Options {
        color: stdout_color,
        quiet: cli.quiet,
        show_values: cli.show_values,
        records: cli.verbose > 0,
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(args, opts),
        Command::Check(args) => check::run(args, opts),
        Command::Diff(args) => diff::run(args, opts),
        Command::Explain(args) => explain::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Trace(args) => trace::run(args, opts),
        Command::Constraints(args) => constraints::run(args, opts),
        Command::Journal(args) => journal::run(args, opts),
        Command::Import(args) => import::run(args),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    };
    match result {
        Ok(verdict) => ExitCode::from(verdict.exit_code()),
        Err(errors) => {
            let text = report::diagnostic::render(&errors.0, stderr_color);
            let _ = std::io::stderr().write_all(text.as_bytes());
            ExitCode::from(Verdict::Incomplete.exit_code())
        }
    }
}

/// Whether stderr gets colour, for warnings printed while a command runs.
static STDERR_COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Prints warnings (unknown schema keywords …) to stderr; they never change the exit code.
pub(crate) fn warn(warnings: &[ripple::error::Warning]) {
    if warnings.is_empty() {
        return;
    }
    let text =
        report::diagnostic::render_warnings(warnings, STDERR_COLOR.get().copied().unwrap_or(false));
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Loads a pipeline and prints its warnings.
pub(crate) fn load(path: &std::path::Path) -> Result<ripple::pipeline::Pipeline, Errors> {
    let pipeline = ripple::pipeline::load(path)?;
    warn(&pipeline.warnings());
    Ok(pipeline)
}

fn completions(shell: clap_complete::Shell) -> Result<Verdict, Errors> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ripple", &mut out);
    emit(&String::from_utf8_lossy(&out))?;
    Ok(Verdict::Clean)
}

fn man() -> Result<Verdict, Errors> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| {
            Error::new(
                ripple::ErrorKind::Io,
                format!("cannot render the man page: {e}"),
            )
        })?;
    emit(&String::from_utf8_lossy(&out))?;
    Ok(Verdict::Clean)
}

fn use_color(when: ColorWhen, terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn init_tracing(verbose: u8, color: bool) {
    let level = match verbose {
        0 => return,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("ripple={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .try_init();
}

/// Parses a duration flag: `250ms`, `5s`, `2m`, or a bare number of milliseconds.
pub(crate) fn duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. `500ms` or `5s`"))?;
    let ms = match unit.trim() {
        "" | "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        _ => None,
    }
    .ok_or_else(|| format!("`{text}` is not a duration; write e.g. `500ms`, `5s` or `2m`"))?;
    if ms == 0 {
        return Err("a duration must be more than zero".to_owned());
    }
    Ok(std::time::Duration::from_millis(ms))
}

/// Writes command output to stdout; a closed pipe (`ripple … | head`) is not an error.
pub(crate) fn emit(text: &str) -> Result<(), Errors> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            Err(Error::new(ripple::ErrorKind::Io, format!("cannot write output: {e}")).into())
        }
    }
}
