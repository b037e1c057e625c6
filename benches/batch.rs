//! Throughput of `ripple validate --batch` on the example pipeline
//! (`pipelines/customer-identity.yaml`, 8 systems), against the floor: jsonschema's
//! `is_valid` on the same records already derived for every system they reach, with no
//! propagation. Both in records per second, the batch path with 1 and 2 workers.
//!
//! Run with `cargo bench --bench batch`; figures are in the README.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ripple::batch::{self, BatchOptions, InputFormat};
use ripple::graph::SystemGraph;
use ripple::pipeline::{Pipeline, SystemId};
use ripple::propagate::{self, Start};
use serde_json::{Value, json};

/// The allocator the `ripple` binary runs with (`src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RECORDS: usize = 20_000;

/// Generated entry records, as a migration dry run sees them: most are accepted; about 2%
/// are rejected somewhere (a non-ASCII street the statement printer refuses, a login too
/// long for payroll's bytes), so they take the full validation with provenance. E-mail
/// addresses are ASCII (`vaino` for `väinö`): the `email` format refuses a non-ASCII
/// local part, which once made a sixth of the records rejected at the entry.
fn records() -> Vec<Value> {
    let mut rng = fastrand::Rng::with_seed(42);
    let names = ["matti", "anna", "pekka", "liisa", "juha", "väinö"];
    let mail_names = ["matti", "anna", "pekka", "liisa", "juha", "vaino"];
    (0..RECORDS)
        .map(|i| {
            let pick = rng.usize(..names.len());
            let n = names[pick];
            let bad = rng.u8(..100) < 2;
            let username = if bad && rng.bool() {
                format!("{n}.meikalainen{i}")
            } else {
                format!("{n}{}", i % 100)
            };
            let street = if bad { "Hämeenkatu 1" } else { "MAIN ST 1" };
            json!({
                "username": username,
                "first_name": "Anna",
                "last_name": n,
                "email": format!("{}{i}@example.com", mail_names[pick]),
                "address": { "street": street, "city": "Tampere" }
            })
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/customer-identity.yaml");
    let pipeline = ripple::pipeline::load(&path).unwrap();
    let input = records();
    let text: String = input.iter().map(|r| format!("{r}\n")).collect();

    // The mix the figures are for.
    let opts = BatchOptions {
        jobs: 1,
        format: InputFormat::JsonLines,
        entry: None,
        progress: None,
    };
    let summary = batch::run(&pipeline, Cursor::new(text.as_bytes()), &opts, |_| {}).unwrap();
    eprintln!(
        "batch bench: {} records, {} rejected ({:.1}%)",
        summary.records,
        summary.rejected,
        100.0 * summary.rejected as f64 / summary.records as f64
    );

    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    for jobs in [1, 2] {
        group.bench_function(format!("validate --batch, {jobs} job(s)"), |b| {
            b.iter(|| {
                let opts = BatchOptions {
                    jobs,
                    format: InputFormat::JsonLines,
                    entry: None,
                    progress: None,
                };
                batch::run(&pipeline, Cursor::new(text.as_bytes()), &opts, |_| {}).unwrap()
            });
        });
    }

    // The floor: every derived record each reached system validates, derived beforehand.
    let graph = SystemGraph::new(&pipeline);
    let entry = pipeline.resolve_entry(None).unwrap();
    let derived: Vec<Vec<(SystemId, Value)>> = input
        .iter()
        .map(|r| {
            propagate::propagate_with(&pipeline, &graph, entry, Start::partial(r), false)
                .unwrap()
                .arrivals
                .into_iter()
                .map(|a| (a.system, a.record.doc))
                .collect()
        })
        .collect();
    // One untimed pass, as for the batch path above: what callgrind counts
    // (`--toggle-collect='batch::floor*'`, README).
    eprintln!(
        "floor: {} of {} records valid everywhere",
        floor(&pipeline, &derived),
        derived.len()
    );
    group.bench_function("floor: is_valid on derived records, 1 core", |b| {
        b.iter(|| floor(&pipeline, &derived));
    });
    group.finish();
}

/// The floor: every derived record validated by the system it reaches, as the batch path
/// does for accepted records; how many records every system accepts. Not inlined, so
/// callgrind can count it alone.
#[inline(never)]
fn floor(pipeline: &Pipeline, derived: &[Vec<(SystemId, Value)>]) -> usize {
    let mut valid = 0usize;
    for arrivals in derived {
        let ok = arrivals
            .iter()
            .filter(|(s, doc)| pipeline.systems[*s].schema.is_valid(doc))
            .count();
        valid += usize::from(ok == arrivals.len());
    }
    valid
}

criterion_group!(batch_benches, benches);
criterion_main!(batch_benches);
