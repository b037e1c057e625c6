//! `ripple graph`: Mermaid and DOT, with a lineage highlighted.

use super::run;

#[test]
fn mermaid_with_a_highlighted_lineage() {
    let (code, out, err) = run(&[
        "graph",
        "pipelines/customer-identity.yaml",
        "--highlight",
        "payroll:/login",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("customer_identity_mermaid", out);
}

#[test]
fn dot_marks_only_the_lineage() {
    let (code, out, _) = run(&[
        "graph",
        "pipelines/customer-identity.yaml",
        "--format",
        "dot",
        "--highlight",
        "statement:address_line",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph \"customer-identity\""), "{out}");
    let red: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("->") && l.contains("color=red"))
        .collect();
    assert_eq!(red.len(), 3, "web → crm → core → statement: {red:?}");
    assert!(
        out.lines()
            .any(|l| l.contains("\"ad\"") && !l.contains("color=red")),
        "{out}"
    );
}

#[test]
fn a_bad_highlight_is_an_input_error() {
    for bad in ["payrol:/login", "payroll:/nope", "payroll"] {
        let (code, _, err) = run(&[
            "graph",
            "pipelines/customer-identity.yaml",
            "--highlight",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {err}");
    }
}
