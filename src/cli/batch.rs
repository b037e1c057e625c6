//! `ripple validate PIPELINE --batch FILE [--jobs N]`: the policy (fast path, order,
//! summary) is in `ripple::batch`; this reads the input, shows progress on a terminal and
//! writes the output as it comes.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ripple::batch::{self, BatchOptions, InputFormat, Outcome};
use ripple::report::{Options, batch as out};
use ripple::{Error, ErrorKind, Errors};

use super::{Format, Verdict};

/// Malformed lines listed in human output; the rest are counted.
const LISTED: usize = 20;

pub(crate) fn run(
    pipeline_path: &Path,
    input: &Path,
    jobs: Option<u16>,
    entry: Option<String>,
    format: Format,
    opts: Options,
) -> Result<Verdict, Errors> {
    let pipeline = super::load(pipeline_path)?;
    let jobs = jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        usize::from,
    );
    let progress = Arc::new(AtomicU64::new(0));
    let (reader, total): (Box<dyn std::io::BufRead + Send>, Option<u64>) =
        if input.as_os_str() == "-" {
            (Box::new(BufReader::new(std::io::stdin())), None)
        } else {
            let file = File::open(input).map_err(|e| Error::io(input, &e))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(BufReader::with_capacity(256 * 1024, file)), size)
        };
    let options = BatchOptions {
        jobs,
        format: InputFormat::of_path(input),
        entry,
        progress: Some(Arc::clone(&progress)),
    };
    let bar = progress_bar(total);
    let json = format == Format::Json;
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    let mut write_error = None;
    let mut malformed: Vec<(u64, String)> = Vec::new();
    let mut seen = 0u64;
    let summary = batch::run(&pipeline, reader, &options, |o| {
        seen += 1;
        if let Some(bar) = &bar
            && seen.is_multiple_of(1024)
        {
            bar.set_position(progress.load(Ordering::Relaxed));
            let secs = bar.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{seen} records, {:.0}/s", seen as f64 / secs));
        }
        if let Outcome::Malformed { line, error } = o
            && malformed.len() < LISTED
        {
            malformed.push((*line, error.clone()));
        }
        if json
            && write_error.is_none()
            && let Some(text) = out::outcome_line(&pipeline, o, opts)
            && let Err(e) = stdout.write_all(text.as_bytes())
        {
            write_error = Some(e);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let tail = if json {
        out::summary_line(&pipeline, &summary)
    } else {
        out::summary_human(&pipeline, &summary, &malformed, opts)
    };
    let result = match write_error {
        Some(e) => Err(e),
        None => stdout
            .write_all(tail.as_bytes())
            .and_then(|()| stdout.flush()),
    };
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::new(ErrorKind::Io, format!("cannot write output: {e}")).into());
    }
    Ok(if summary.malformed > 0 {
        Verdict::Incomplete
    } else {
        Verdict::found(summary.rejected > 0)
    })
}

/// A progress bar on stderr when it is a terminal: bytes read of the file (ETA), records
/// seen and their rate; nothing otherwise.
fn progress_bar(total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let style =
        indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}, ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(bar)
}
