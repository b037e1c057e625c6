//! `check` on a generated 200-system graph with two-way syncs (the benchmark's generator,
//! `tests/support/graph.rs`) finishes, checks every flow field, and reports echoes with
//! witnesses. A guard against searches that grow with the number of paths (a cyclic graph
//! has exponentially many): such a search did not finish here at all, so the bound is
//! generous — the figures themselves are the benchmark's (`cargo bench --bench check`,
//! README "Performance").
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::mpsc;
use std::time::Duration;

use ripple::check::{self, CheckReport};
use ripple::pipeline;

#[path = "support/graph.rs"]
mod graph;

/// Far above the few seconds a debug build takes on two cores.
const GUARD: Duration = Duration::from_secs(180);

#[test]
fn check_on_a_generated_200_system_graph_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let path = graph::generate(dir.path(), 200, 42);
    let p = pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"));
    // Every flow field but those written back into the entry (what the user typed).
    let entry = p.system_id("s0").unwrap();
    let flow_fields: usize = p
        .flows
        .iter()
        .filter(|f| f.to != entry)
        .map(|f| f.mappings.len())
        .sum();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut report = CheckReport::default();
        check::check_pipeline(&p, &mut report);
        let _ = tx.send(report);
    });
    let report = rx
        .recv_timeout(GUARD)
        .unwrap_or_else(|_| panic!("check did not finish within {GUARD:?}"));
    assert_eq!(report.checked.len(), flow_fields);
    let echoes: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code() == check::Code::Echo)
        .collect();
    assert!(
        !echoes.is_empty(),
        "the graph's two-way syncs rewrite values"
    );
    for f in echoes {
        let path = f.path();
        assert_eq!(path.first().map(String::as_str), Some("s0"), "{f:?}");
        assert_eq!(path.last().map(String::as_str), f.system(), "{f:?}");
        assert!(
            f.witness()
                .is_some_and(|w| w.as_object().is_some_and(|m| !m.is_empty()))
        );
    }
}
