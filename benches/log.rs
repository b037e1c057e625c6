//! Benchmark for the log scanner behind `ripple trace --log`: throughput of
//! [`ripple::logscan::scan`] on a generated mixed log, next to `grep -E -c` with the same
//! trigger patterns on the same file.
//!
//! The log is mostly noise (application, web server and database lines, some of them near
//! misses such as `ORA-00001` or `ERROR 1062`) with about 5% rejections spread evenly over
//! the five presets and a custom pattern. Its size is `RIPPLE_LOG_BENCH_MB` (default 64).
//!
//! Run with `cargo bench --bench log`; `RIPPLE_LOG_BENCH_MB=2048 cargo bench --bench log`
//! for a multi-GB file. The one-shot figures (MB/s, lines/s, grep time, peak RSS) are
//! printed before criterion's own measurements. `RIPPLE_LOG_BENCH_FILE=PATH` keeps the
//! generated log at PATH (to time the whole `ripple trace --log` command on it), and
//! `RIPPLE_LOG_BENCH_DENSE_FILE=PATH` the dense one (40% rejections).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ripple::logscan::{Scanner, Stats, scan};
use ripple::pipeline;

const PIPELINE: &str = "tests/fixtures/logs/pipelines/logs.yaml";

/// The same triggers as the presets' and the fixture's custom patterns, in POSIX ERE.
const GREP_PATTERN: &str = concat!(
    r"ORA-12899:|ORA-01400:|ERROR:  (value too long for type|null value in column)",
    r"|Data too long for column |Incorrect string value: |Column '[^']*' cannot be null",
    r"|Msg (2628|8152|515), Level |String or binary data would be truncated",
    r"|Cannot insert the value NULL into column ",
    r"|Constraint violation \(19\)|Invalid syntax \(21\)|err=(19|21) |error code (19|21|80) ",
    r"|Result Code (19|21) |DSID-|constraint violation on |mailbox quota exceeded for ",
);

/// A small deterministic generator (xorshift), so every run scans the same log.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NAMES: [&str; 6] = [
    "matti.meikalainen",
    "tiina.teekkari",
    "väinö.ilmari",
    "anna-kaisa.wallenius",
    "aleksanteri.kivi",
    "jussi",
];

/// Writes one noise line.
fn noise(w: &mut impl Write, rng: &mut Rng, n: u64) -> std::io::Result<()> {
    let (s, ms) = (n % 60, n % 1000);
    let name = NAMES[rng.below(NAMES.len() as u64) as usize];
    match rng.below(10) {
        0 | 1 => writeln!(
            w,
            "2026-11-20 02:{:02}:{s:02},{ms:03} INFO  [hr-sync] Exported employee {name} (row {n}) to payroll in {} ms",
            n % 60,
            rng.below(900)
        ),
        2 | 3 => writeln!(
            w,
            "10.20.{}.{} - - [20/Nov/2026:02:00:{s:02} +0000] \"GET /api/customers/{n}?expand=address HTTP/1.1\" 200 {} \"-\" \"okhttp/4.12.0\"",
            rng.below(255),
            rng.below(255),
            rng.below(20_000)
        ),
        4 => writeln!(
            w,
            "2026-11-20 02:00:{s:02}.{ms:03} UTC [{}] LOG:  duration: {}.{:03} ms  statement: SELECT uid, cn FROM directory.users WHERE uid = '{name}'",
            4000 + rng.below(300),
            rng.below(90),
            rng.below(1000)
        ),
        5 => writeln!(
            w,
            "\tat com.example.sync.DirectoryWriter.write(DirectoryWriter.java:{})",
            rng.below(400)
        ),
        6 => writeln!(
            w,
            "2026-11-20 02:00:{s:02},{ms:03} DEBUG [ad-sync] LDAP search base=OU=Users,DC=corp,DC=example filter=(sAMAccountName={name}) took {} ms",
            rng.below(50)
        ),
        // near misses: errors ripple does not trace, and mentions of the codes
        7 => writeln!(
            w,
            "2026-11-20 02:00:{s:02},{ms:03} ERROR [hr-sync] Row {n} rejected: ORA-00001: unique constraint (PAYROLL.EMP_PK) violated"
        ),
        8 => writeln!(
            w,
            "ERROR 1062 (23000): Duplicate entry '{name}' for key 'contacts.login'"
        ),
        _ => writeln!(
            w,
            "Nov 20 02:00:{s:02} ldap1 slapd[812]: conn={n} op=2 SRCH base=\"ou=people,dc=example,dc=com\" scope=2 deref=0 filter=\"(uid={name})\""
        ),
    }
}

/// Writes one rejection (one to three lines) of a preset or the custom pattern.
fn rejection(w: &mut impl Write, rng: &mut Rng, n: u64) -> std::io::Result<u64> {
    let name = NAMES[rng.below(NAMES.len() as u64) as usize];
    let pid = 4000 + rng.below(300);
    let len = name.chars().count();
    Ok(match rng.below(6) {
        0 => {
            writeln!(
                w,
                "2026-11-20 02:00:02,551 ERROR [hr-sync] Row {n} rejected: java.sql.SQLException: ORA-12899: value too large for column \"PAYROLL\".\"EMPLOYEES\".\"LOGIN\" (actual: {}, maximum: 9)",
                len + 1
            )?;
            1
        }
        1 => {
            writeln!(
                w,
                "2026-11-20 02:00:13.123 UTC [{pid}] ERROR:  value too long for type character varying(8)"
            )?;
            writeln!(
                w,
                "2026-11-20 02:00:13.123 UTC [{pid}] STATEMENT:  INSERT INTO directory.users (uid, cn, email) VALUES ('{name}', 'Some Body', 'x@example.com')"
            )?;
            2
        }
        2 => {
            writeln!(
                w,
                "ERROR 1406 (22001): Data too long for column 'login' at row {}",
                n % 7 + 1
            )?;
            1
        }
        3 => {
            writeln!(w, "Msg 2628, Level 16, State 1, Server SHOPDB01, Line 1")?;
            writeln!(
                w,
                "String or binary data would be truncated in table 'Shop.dbo.Customers', column 'name'. Truncated value: '{name}'."
            )?;
            writeln!(w, "The statement has been terminated.")?;
            3
        }
        4 => {
            writeln!(w, "ldap_modify: Constraint violation (19)")?;
            writeln!(w, "\tadditional info: modify breaks constraint on uid")?;
            2
        }
        _ => {
            writeln!(
                w,
                "2026-11-20 02:00:51 sync[77]: constraint violation on uid for cn={n}: \"{name}\""
            )?;
            1
        }
    })
}

/// Writes a log of about `mb` megabytes to `path`; about 5% of its lines start a
/// rejection.
fn generate(path: &Path, mb: u64) -> std::io::Result<u64> {
    generate_with(path, mb, 5)
}

/// Writes a log of about `mb` megabytes in which `percent` of the lines start a rejection.
fn generate_with(path: &Path, mb: u64, percent: u64) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let target = mb << 20;
    let (mut n, mut written) = (0u64, 0u64);
    let mut line = Vec::with_capacity(512);
    while written < target {
        line.clear();
        n += 1;
        if rng.below(100) < percent {
            rejection(&mut line, &mut rng, n)?;
        } else {
            noise(&mut line, &mut rng, n)?;
        }
        w.write_all(&line)?;
        written += line.len() as u64;
    }
    w.flush()?;
    Ok(written)
}

fn scan_file(pipeline: &pipeline::Pipeline, path: &Path) -> Stats {
    let mut scanner = Scanner::new(pipeline, None).unwrap();
    let file = BufReader::with_capacity(256 * 1024, File::open(path).unwrap());
    scan(
        &mut scanner,
        file,
        |e| {
            black_box(e);
        },
        |n, text| {
            black_box((n, text));
        },
    )
    .unwrap()
}

fn grep_count(path: &Path) -> u64 {
    let out = Command::new("grep")
        .env("LC_ALL", "C")
        .args(["-E", "-c", GREP_PATTERN])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// The process's peak resident set size, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l["VmHWM:".len()..].trim().to_owned())
}

fn mb_per_s(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / f64::from(1 << 20) / took.as_secs_f64()
}

fn benches(c: &mut Criterion) {
    let mb: u64 = std::env::var("RIPPLE_LOG_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pipeline = pipeline::load(&root.join(PIPELINE)).unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    // `RIPPLE_LOG_BENCH_FILE=/tmp/x.log` keeps the log, to time `ripple trace --log` on it.
    let path = std::env::var_os("RIPPLE_LOG_BENCH_FILE")
        .map_or_else(|| dir.path().join("mixed.log"), std::path::PathBuf::from);
    let size = generate(&path, mb).unwrap();
    // warm the page cache so both tools read from memory
    let lines = BufReader::new(File::open(&path).unwrap())
        .split(b'\n')
        .count();

    let start = Instant::now();
    let stats = scan_file(&pipeline, &path);
    let took = start.elapsed();
    let start = Instant::now();
    let grep_lines = grep_count(&path);
    let grep_took = start.elapsed();
    println!(
        "log: {:.1} MB, {lines} lines; scan: {:.2} s, {:.0} MB/s, {:.0} lines/s, {} events, {} unmatched; grep -E -c: {:.2} s, {:.0} MB/s, {grep_lines} lines; ratio {:.2}x; peak RSS {}",
        size as f64 / f64::from(1 << 20),
        took.as_secs_f64(),
        mb_per_s(size, took),
        stats.lines as f64 / took.as_secs_f64(),
        stats.events,
        stats.unmatched,
        grep_took.as_secs_f64(),
        mb_per_s(size, grep_took),
        took.as_secs_f64() / grep_took.as_secs_f64(),
        peak_rss().unwrap_or_else(|| "unknown".into()),
    );

    let mut group = c.benchmark_group("log");
    group.throughput(Throughput::Bytes(size));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if mb > 256 { 60 } else { 10 }));
    group.bench_function("scan", |b| b.iter(|| scan_file(&pipeline, &path)));
    group.bench_function("grep -E -c", |b| b.iter(|| grep_count(&path)));
    group.finish();
    dense(c, &pipeline, dir.path(), mb.min(64));
}

/// The whole `trace --log` (origins, journal-free, output rendered to a sink) on a log
/// where 40% of the lines start a rejection — a batch that failed badly, exactly when ops
/// read it — for people and as JSON, next to `grep -E -c` on the same file.
fn dense(c: &mut Criterion, pipeline: &pipeline::Pipeline, dir: &Path, mb: u64) {
    use ripple::report::Options;
    use ripple::report::log::{LogFormat, LogWriter};
    // `RIPPLE_LOG_BENCH_DENSE_FILE=/tmp/d.log` keeps it, to time the whole command on it.
    let path = std::env::var_os("RIPPLE_LOG_BENCH_DENSE_FILE")
        .map_or_else(|| dir.join("dense.log"), std::path::PathBuf::from);
    let size = generate_with(&path, mb, 40).unwrap();
    let trace = |format: LogFormat| {
        let file = BufReader::with_capacity(256 * 1024, File::open(&path).unwrap());
        let mut writer = LogWriter::new(pipeline, format, Options::default(), std::io::sink());
        let summary =
            ripple::trace::trace_log(pipeline, file, None, None, |e| writer.event(e)).unwrap();
        writer.finish(&summary).unwrap();
        summary.stats.events
    };
    let mut group = c.benchmark_group("log, 40% rejections");
    group.throughput(Throughput::Bytes(size));
    group.sample_size(10);
    group.bench_function("trace --log (human)", |b| {
        b.iter(|| trace(LogFormat::Human))
    });
    group.bench_function("trace --log (json)", |b| b.iter(|| trace(LogFormat::Json)));
    group.bench_function("grep -E -c", |b| b.iter(|| grep_count(&path)));
    group.finish();
}

criterion_group!(log, benches);
criterion_main!(log);
