//! Differential property tests: `check`, `trace` and `constraints --emit-schema` against
//! `validate` (the ground truth: the real mappings and validators) on small random
//! pipelines (`generator`, in `gen.rs`) written to a temporary directory and loaded through
//! the normal loader. The properties (`props.rs`), one `#[test]` each:
//!
//! 1. every `check` R301 witness reproduces under `validate`, at the finding's system, field
//!    and path, with no earlier system on the path rejecting;
//! 2. a flow field `check` proves is never rejected on sampled records the entry and every
//!    earlier system accept;
//! 3. `trace SYSTEM:FIELD` says "every system on the lineage accepts" only where `check`
//!    proves the field on every path;
//! 4. (a) every sampled record the emitted entry schema accepts passes every system, except
//!    for limits the emitted schema says (in a note) it leaves out; (b) a record every system
//!    accepts is not rejected by the emitted schema for its type;
//! 5. every `check` R205 (rewriting-echo) witness replays under `validate`: the same echo
//!    at the same system, field and round trip.
//!
//! CI runs a fixed seed and [`CI_CASES`] cases per property with
//! [`generator::Features::ci`]: features a known bug makes fail are switched off there, each
//! with a comment naming the bug and its fixture. All of it takes 4–17 s in a debug build
//! on two cores. A long run (green; `RIPPLE_AGREE_ALL=1` also turns on what CI gates off for an open bug):
//!
//! ```sh
//! RIPPLE_AGREE_CASES=2000 cargo test --release --test agreement -- --nocapture
//! ```
//!
//! Environment:
//! - `RIPPLE_AGREE_CASES=N` (or `PROPTEST_CASES=N`): cases per property (CI: [`CI_CASES`]).
//! - `RIPPLE_AGREE_SEED=N`: another fixed seed (default [`SEED`]).
//! - `RIPPLE_AGREE_RECORDS=N`: sampled records per pipeline (default [`RECORDS`]).
//! - `RIPPLE_AGREE_BUDGET=N`: `check`'s witness budget (default [`props::WITNESS_BUDGET`]).
//! - `RIPPLE_AGREE_SYSTEMS=N` or `MIN-MAX`: pipelines of 2 to N (or MIN to MAX) systems,
//!   up to 64, the shapes repeated (default 2–4; `10-50` for the size teams write).
//! - `RIPPLE_AGREE_ALL=1`: every generator feature on (what CI gates off for an open bug; none today).
//! - `RIPPLE_AGREE_OFF=a,b`: switch these features off too (field names of `Features`).
//! - `RIPPLE_AGREE_SAVE=DIR`: save a shrunk failing case as a fixture under `DIR/<property>`
//!   (`pipeline.yaml`, `schemas/`, `case.json`), ready to minimise by hand and move to
//!   `tests/fixtures/agreement/`.
//!
//! Regression fixtures (`tests/fixtures/agreement/<name>/`: `pipeline.yaml`, `schemas/`,
//! `case.json` with the property, the bug, the records and what `validate` says about them)
//! are replayed by `regressions.rs`, one `#[test]` each, `#[ignore]`d while the bug is open.
//! `cargo test --test agreement refresh_fixture_truth -- --ignored` rewrites their `truth`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "gen.rs"]
mod generator; // `gen` is a reserved word in edition 2024
mod props;
mod regressions;
mod replay;

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::Value;

/// The CI seed.
pub const SEED: u64 = 0x5249_5050_4c45;
/// Cases per property in CI (all properties together well under a minute in a debug build
/// on two cores).
pub const CI_CASES: u32 = 64;
/// Entry records sampled per pipeline.
pub const RECORDS: usize = 12;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn cases() -> u32 {
    env_u64("RIPPLE_AGREE_CASES")
        .or_else(|| env_u64("PROPTEST_CASES"))
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(CI_CASES)
}

/// The features for `property`: [`generator::Features::ci`], or all with `RIPPLE_AGREE_ALL`;
/// then minus those named in `RIPPLE_AGREE_OFF` (comma-separated field names).
fn features(property: &str) -> generator::Features {
    let mut f = if std::env::var_os("RIPPLE_AGREE_ALL").is_some() {
        generator::Features::default()
    } else {
        generator::Features::ci(property)
    };
    if let Ok(off) = std::env::var("RIPPLE_AGREE_OFF") {
        for name in off.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match f.switch(name) {
                Some(s) => *s = false,
                None => panic!(
                    "RIPPLE_AGREE_OFF: no feature `{name}`; one of {:?}",
                    generator::Features::NAMES
                ),
            }
        }
    }
    f
}

/// The pipeline sizes: [`generator::Sizes::default`], or `RIPPLE_AGREE_SYSTEMS`.
fn sizes() -> generator::Sizes {
    match std::env::var("RIPPLE_AGREE_SYSTEMS") {
        Ok(text) => generator::Sizes::parse(&text).unwrap_or_else(|| {
            panic!(
                "RIPPLE_AGREE_SYSTEMS: `{text}` is not N or MIN-MAX within 2-{}",
                generator::MAX_SYSTEMS
            )
        }),
        Err(_) => generator::Sizes::default(),
    }
}

type Property = fn(&props::Loaded, &[Value]) -> props::Outcome;

/// Runs `property` on generated pipelines; panics with the shrunk counterexample.
fn run(name: &str, property: Property) {
    run_with(name, property, sizes(), cases());
}

/// [`run`] on pipelines of `sizes`, `cases` of them.
fn run_with(name: &str, property: Property, sizes: generator::Sizes, cases: u32) {
    let features = &features(name);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(env_u64("RIPPLE_AGREE_SEED").unwrap_or(SEED)),
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (
        generator::pipeline(features, sizes),
        proptest::collection::vec(
            generator::record(features),
            env_u64("RIPPLE_AGREE_RECORDS").map_or(RECORDS, |n| n as usize),
        ),
    );
    let result = runner.run(&strategy, |(spec, records)| {
        let rendered = spec.render();
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = rendered
            .write(dir.path())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let loaded = props::Loaded::load(&path).map_err(|e| {
            TestCaseError::fail(format!("{e}\n--- pipeline.yaml\n{}", rendered.yaml))
        })?;
        let records: Vec<Value> = records.iter().map(|r| rendered.record(r)).collect();
        property(&loaded, &records).map_err(|f| TestCaseError::fail(format!("{f:?}")))
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, (spec, records))) => {
            let rendered = spec.render();
            let records: Vec<Value> = records.iter().map(|r| rendered.record(r)).collect();
            // Re-run the shrunk case for its failure (the record that shows it).
            let dir = tempfile::tempdir().unwrap();
            let path = rendered.write(dir.path()).unwrap();
            let failure = props::Loaded::load(&path)
                .map_err(|e| props::Failure {
                    message: e,
                    record: None,
                })
                .and_then(|l| property(&l, &records))
                .err();
            let mut saved = String::new();
            if let (Some(root), Some(f)) = (std::env::var_os("RIPPLE_AGREE_SAVE"), &failure) {
                match replay::save(std::path::Path::new(&root), name, &rendered, name, f) {
                    Ok(d) => saved = format!("\nsaved to {}", d.display()),
                    Err(e) => saved = format!("\nnot saved: {e}"),
                }
            }
            let schemas: String = rendered
                .schemas
                .iter()
                .map(|(id, s)| format!("--- schemas/{id}.json\n{s}\n"))
                .collect();
            panic!(
                "{name} fails: {why}\n--- pipeline.yaml\n{}{schemas}--- failure\n{failure:#?}{saved}",
                rendered.yaml
            );
        }
        Err(TestError::Abort(why)) => panic!("{name} aborted: {why}"),
    }
}

#[test]
fn p5_every_echo_replays() {
    run("echoes_replay", props::echoes_replay);
}

#[test]
fn p1_every_witness_reproduces() {
    run("witnesses_reproduce", props::witnesses_reproduce);
}

#[test]
fn p2_every_proof_holds() {
    run("proofs_hold", props::proofs_hold);
}

#[test]
fn p3_trace_accepts_only_what_check_proves() {
    run("trace_agrees", props::trace_agrees);
}

#[test]
fn p4a_emitted_schema_is_sufficient() {
    run(
        "emitted_schema_sufficient",
        props::emitted_schema_sufficient,
    );
}

#[test]
fn p4b_emitted_schema_keeps_types() {
    run(
        "emitted_schema_keeps_types",
        props::emitted_schema_keeps_types,
    );
}

/// Cases of [`large_pipelines_keep_witnesses_and_proofs`] in CI.
pub const LARGE_CI_CASES: u32 = 24;

/// Properties 1 and 2 on pipelines of 10–50 systems (the shapes repeated), a few cases in
/// CI; `RIPPLE_AGREE_SYSTEMS` and `RIPPLE_AGREE_CASES` run the others at any size.
#[test]
fn large_pipelines_keep_witnesses_and_proofs() {
    fn both(l: &props::Loaded, records: &[Value]) -> props::Outcome {
        props::witnesses_reproduce(l, records)?;
        props::proofs_hold(l, records)
    }
    let sizes = generator::Sizes { min: 10, max: 50 };
    run_with("large_pipelines", both, sizes, LARGE_CI_CASES);
}

/// Up to four systems the shapes are the ones CI has always drawn; past four every
/// system is reached by a flow from an earlier one, each flow's source is filled before
/// it (a flow back last), and sizes parse as documented.
#[test]
fn generator_shapes_keep_small_pipelines_and_grow_in_order() {
    use generator::Topology::{Chain, Diamond, Fork, RoundTrip};
    type Edges = &'static [(usize, usize)];
    let small: [(generator::Topology, usize, Edges); 8] = [
        (Chain, 4, &[(0, 1), (1, 2), (2, 3)]),
        (Fork, 3, &[(0, 1), (0, 2)]),
        (Fork, 4, &[(0, 1), (0, 2), (1, 3)]),
        (Diamond, 3, &[(0, 1), (0, 2), (1, 2)]),
        (Diamond, 4, &[(0, 1), (0, 2), (1, 3), (2, 3)]),
        (RoundTrip, 2, &[(0, 1), (1, 0)]),
        (RoundTrip, 3, &[(0, 1), (1, 2), (2, 1)]),
        (RoundTrip, 4, &[(0, 1), (1, 2), (2, 3), (3, 0)]),
    ];
    for (shape, n, edges) in small {
        assert_eq!(shape.edges(n), edges, "{shape:?} {n}");
    }
    for shape in [Chain, Fork, Diamond, RoundTrip] {
        for n in 5..=generator::MAX_SYSTEMS {
            let edges = shape.edges(n);
            let forward: Vec<_> = edges.iter().filter(|(a, b)| a < b).collect();
            for i in 1..n {
                assert!(
                    forward.iter().any(|(_, b)| *b == i),
                    "{shape:?} {n}: s{i} unreached"
                );
            }
            let first_back = edges.iter().position(|(a, b)| a > b).unwrap_or(edges.len());
            assert!(
                edges[first_back..].iter().all(|(a, b)| a > b),
                "{shape:?} {n}: flows back last"
            );
            assert!(edges.iter().all(|&(a, b)| a < n && b < n && a != b));
        }
    }
    let parse = |t: &str| generator::Sizes::parse(t).map(|s| (s.min, s.max));
    assert_eq!(parse("50"), Some((2, 50)));
    assert_eq!(parse("10-50"), Some((10, 50)));
    assert_eq!(parse("1-4"), None);
    assert_eq!(parse("9-5"), None);
    assert_eq!(parse("65"), None);
}

/// The generator produces pipelines that load and records the entry accepts often enough
/// for the properties to say something.
#[test]
fn generator_produces_loadable_pipelines_and_accepted_records() {
    let f = generator::Features::default();
    let config = Config {
        cases: 96,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (
        generator::pipeline(&f, generator::Sizes::default()),
        proptest::collection::vec(generator::record(&f), RECORDS),
    );
    let accepted = std::cell::Cell::new(0usize);
    let total = std::cell::Cell::new(0usize);
    runner
        .run(&strategy, |(spec, records)| {
            let rendered = spec.render();
            let dir = tempfile::tempdir().unwrap();
            let path = rendered.write(dir.path()).unwrap();
            let loaded = props::Loaded::load(&path)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", rendered.yaml)))?;
            for r in &records {
                let record = rendered.record(r);
                total.set(total.get() + 1);
                if loaded.pipeline.systems[0]
                    .schema
                    .validate(&record)
                    .is_empty()
                {
                    accepted.set(accepted.get() + 1);
                }
            }
            Ok(())
        })
        .unwrap();
    // About 19 % at the CI seed (2 of 12 records per pipeline).
    assert!(
        accepted.get() * 6 >= total.get(),
        "the entry accepts only {} of {} records",
        accepted.get(),
        total.get()
    );
}

/// Counters of [`r302_rate`].
static CHECKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static REFUTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static UNDECIDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Of them, the fields a sampled record reaches (`RIPPLE_AGREE_REACHED=1`): all, R301, R302.
static REACHED: [std::sync::atomic::AtomicUsize; 3] = [
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
    std::sync::atomic::AtomicUsize::new(0),
];

fn count_verdicts(l: &props::Loaded, records: &[Value]) -> props::Outcome {
    use std::sync::atomic::Ordering::Relaxed;
    let report = l.check();
    let reached = std::env::var_os("RIPPLE_AGREE_REACHED").map(|_| props::reached(l, records));
    for (_, name, range) in &report.checked {
        CHECKED.fetch_add(1, Relaxed);
        let verdict = report.findings.get(range.clone()).and_then(<[_]>::first);
        let is_reached = reached.as_ref().is_some_and(|set| {
            name.split_once(" → ")
                .and_then(|(from, rest)| Some((from, rest.split_once(' ')?)))
                .is_some_and(|(from, (to, pointer))| {
                    set.contains(&(from.to_owned(), to.to_owned(), pointer.to_owned()))
                })
        });
        if is_reached {
            let k = match verdict {
                None => 0,
                Some(f) if f.code() == ripple::check::Code::Incompatible => 1,
                Some(_) => 2,
            };
            REACHED[0].fetch_add(1, Relaxed);
            if k > 0 {
                REACHED[k].fetch_add(1, Relaxed);
            }
        }
        match verdict {
            Some(f) if f.code() == ripple::check::Code::Incompatible => {
                REFUTED.fetch_add(1, Relaxed);
                if std::env::var_os("RIPPLE_R301_SEEN").is_some() {
                    let seen = name.split_once(" → ").and_then(|(from, rest)| {
                        let (to, pointer) = rest.split_once(' ')?;
                        Some(props::sampled_arrival(l, records, (from, to, pointer)))
                    });
                    eprintln!("R301 {seen:?}");
                }
            }
            Some(f) => {
                UNDECIDED.fetch_add(1, Relaxed);
                if std::env::var_os("RIPPLE_R302_SHOW").is_some() {
                    // Whether a sampled record brings the field there, and whether it
                    // is rejected: a rough split into "vacuous" and "missed witness".
                    let seen = name.split_once(" → ").and_then(|(from, rest)| {
                        let (to, pointer) = rest.split_once(' ')?;
                        Some(props::sampled_arrival(l, records, (from, to, pointer)))
                    });
                    eprintln!("R302 {seen:?} {}", f.message());
                }
                if let Some(root) = std::env::var_os("RIPPLE_R302_DUMP") {
                    // `RIPPLE_R302_DUMP_MISSED=1`: only the fields a sampled record is
                    // rejected at (missed witnesses), with the records.
                    let missed = std::env::var_os("RIPPLE_R302_DUMP_MISSED").is_some();
                    let seen = name.split_once(" → ").and_then(|(from, rest)| {
                        let (to, pointer) = rest.split_once(' ')?;
                        Some(props::sampled_arrival(l, records, (from, to, pointer)))
                    });
                    if !missed || seen == Some((true, true)) {
                        let text = format!(
                            "{}\n{name}\n{}",
                            f.message(),
                            serde_json::to_string_pretty(records).unwrap()
                        );
                        dump_case(std::path::Path::new(&root), l, &text);
                    }
                }
            }
            None => {}
        }
    }
    Ok(())
}

/// Copies the pipeline of an undecided field to `root/<n>/` (with the R302 message in
/// `r302.txt`), for `RIPPLE_R302_DUMP=DIR`: the first 400 only.
fn dump_case(root: &std::path::Path, l: &props::Loaded, message: &str) {
    static DUMPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = DUMPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if n >= 400 {
        return;
    }
    let from = l.pipeline.file.path.parent().unwrap().to_path_buf();
    let to = root.join(n.to_string());
    let copy = |rel: &str| {
        for entry in std::fs::read_dir(from.join(rel))
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.path().is_file() {
                std::fs::create_dir_all(to.join(rel)).unwrap();
                std::fs::copy(entry.path(), to.join(rel).join(entry.file_name())).unwrap();
            }
        }
    };
    copy("");
    copy("schemas");
    std::fs::write(to.join("r302.txt"), message).unwrap();
}

/// How often `check` leaves a generated flow field undecided (R302), for the README:
/// `RIPPLE_AGREE_CASES=2000 cargo test --release --test agreement r302_rate -- --ignored --nocapture`.
/// `RIPPLE_AGREE_REACHED=1` also splits the fields a sampled record reaches (every earlier
/// system accepting): the rest may be proven only because no value gets there.
#[test]
#[ignore = "measurement: prints check's R302 rate on generated pipelines"]
fn r302_rate() {
    use std::sync::atomic::Ordering::Relaxed;
    run("r302_rate", count_verdicts);
    let (n, r301, r302) = (
        CHECKED.load(Relaxed),
        REFUTED.load(Relaxed),
        UNDECIDED.load(Relaxed),
    );
    let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
    println!(
        "{n} flow fields: {:.1} % proven, {:.1} % R301, {:.1} % R302 ({r302})",
        pct(n - r301 - r302),
        pct(r301),
        pct(r302)
    );
    let reached = REACHED.each_ref().map(|c| c.load(Relaxed));
    if std::env::var_os("RIPPLE_AGREE_REACHED").is_some() {
        let of = |k: usize| 100.0 * k as f64 / reached[0].max(1) as f64;
        println!(
            "{} of them a sampled record reaches: {:.1} % proven, {:.1} % R301, {:.1} % R302 ({})",
            reached[0],
            of(reached[0] - reached[1] - reached[2]),
            of(reached[1]),
            of(reached[2]),
            reached[2]
        );
    }
}

/// How many of the echoes `validate` shows on sampled records `check` reports (R205), for
/// the README: `RIPPLE_AGREE_CASES=2000 cargo test --release --test agreement echo_recall --
/// --ignored --nocapture`.
#[test]
#[ignore = "measurement: prints the share of sampled echoes check reports"]
fn echo_recall() {
    use std::sync::atomic::AtomicUsize;
    use std::sync::atomic::Ordering::Relaxed;
    static SHOWN: AtomicUsize = AtomicUsize::new(0);
    static FOUND: AtomicUsize = AtomicUsize::new(0);
    run("echo_recall", |l, records| {
        let (shown, found) = props::echo_recall(l, records);
        SHOWN.fetch_add(shown, Relaxed);
        FOUND.fetch_add(found, Relaxed);
        Ok(())
    });
    let (shown, found) = (SHOWN.load(Relaxed), FOUND.load(Relaxed));
    println!(
        "{shown} echoes shown by validate on sampled records: {found} reported by check ({:.1} %)",
        100.0 * found as f64 / shown.max(1) as f64
    );
}
