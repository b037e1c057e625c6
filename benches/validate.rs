//! Benchmarks for `ripple validate` on the example pipeline (`pipelines/customer-identity.yaml`):
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
//! loading it, validating one change in-process, and the whole process end to end.
//!
//! Run with `cargo bench --bench validate`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::{pipeline, validate};

const PIPELINE: &str = "pipelines/customer-identity.yaml";

fn root(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn change(name: &str) -> ChangeRequest {
    ChangeRequest::read(&root(&format!("pipelines/changes/{name}.json")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn benches(c: &mut Criterion) {
    let path = root(PIPELINE);
    c.bench_function("load customer-identity", |b| {
        b.iter(|| pipeline::load(black_box(&path)).unwrap_or_else(|e| panic!("{e}")));
    });

    let pipeline = pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let graph = SystemGraph::new(&pipeline);
    for name in ["accepted", "rejected-payroll-bytes", "rejected-statement"] {
        let change = change(name);
        c.bench_function(&format!("validate {name} (in-process)"), |b| {
            b.iter(|| {
                validate::validate(&pipeline, &graph, black_box(&change))
                    .unwrap_or_else(|e| panic!("{e}"))
            });
        });
    }

    let exe = env!("CARGO_BIN_EXE_ripple");
    let change = root("pipelines/changes/rejected-statement.json");
    let mut group = c.benchmark_group("process");
    group.sample_size(30);
    group.bench_function("ripple validate (whole process)", |b| {
        b.iter(|| {
            let out = Command::new(exe)
                .arg("validate")
                .arg(&path)
                .arg(&change)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out.status.code(), Some(1));
        });
    });
    group.finish();
}

criterion_group!(validate_benches, benches);
criterion_main!(validate_benches);
