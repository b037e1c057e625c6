//! Benchmark for `ripple check` on generated graphs: N systems, 4N flows, 20 string fields
//! per system, random (seeded) limits and mappings. Measured at three sizes to show how the
//! cost grows. The graph is generated into a temporary directory, not committed.
//!
//! Run with `cargo bench --bench check`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ripple::check::{self, CheckReport};
use ripple::pipeline;

#[path = "../tests/support/graph.rs"]
mod graph;
use graph::generate;

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("check generated graph");
    group.sample_size(10);
    for systems in [50, 200, 500] {
        let dir = tempfile::tempdir().unwrap();
        let path = generate(dir.path(), systems, 42);
        let p = pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut report = CheckReport::default();
        check::check_pipeline(&p, &mut report);
        // Per flow field: proven (no finding), refuted (R301 first) or undecided (R302).
        let (mut proven, mut refuted, mut undecided) = (0, 0, 0);
        for (_, _, range) in &report.checked {
            match report.findings[range.clone()].first().map(|f| f.code()) {
                None => proven += 1,
                Some(check::Code::Incompatible) => refuted += 1,
                Some(_) => undecided += 1,
            }
        }
        eprintln!(
            "{systems} systems, {} flows: {} flow fields ({proven} proven, {refuted} R301, \
             {undecided} R302), {} findings",
            p.flows.len(),
            report.checked.len(),
            report.findings.len()
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{systems} systems")),
            &p,
            |b, p| {
                b.iter(|| {
                    let mut report = CheckReport::default();
                    check::check_pipeline(black_box(p), &mut report);
                    report
                });
            },
        );
    }
    group.finish();
}

criterion_group!(check_benches, benches);
criterion_main!(check_benches);
