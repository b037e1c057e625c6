use proptest::prelude::*;

use super::*;

/// Parses with no argument check: the syntax alone (the `func` module checks arguments).
fn parse(text: &str) -> Result<Expr, ExprError> {
    parse_with(text, &|_, _, _| Ok(()))
}

#[test]
fn fields_in_order_with_spans() {
    let e = parse("concat(last, \", \", first)").unwrap();
    let f: Vec<(String, std::ops::Range<usize>)> = e
        .fields()
        .into_iter()
        .map(|(p, r)| (p.to_string(), r))
        .collect();
    assert_eq!(f, vec![("last".into(), 7..11), ("first".into(), 19..24)]);
}

#[test]
fn syntax_errors_have_kinds_and_spans() {
    let e = parse("lowr(x)").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownFunction);
    assert_eq!(e.span, 0..4);
    assert_eq!(e.help.as_deref(), Some("did you mean `lower`?"));
    let e = parse("lower(x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    let e = parse("\"abc").unwrap_err();
    assert_eq!(e.message, "unterminated string");
    let e = parse("x #").unwrap_err();
    assert_eq!(e.span, 2..3);
    assert!(parse("").is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}x{}", "lower(".repeat(10_000), ")".repeat(10_000));
    assert!(parse(&text).is_err());
}

fn arb_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z_][a-z0-9_]{0,6}(\\.[a-z][a-z0-9]{0,4}){0,2}",
        "\"[a-zäö ß\\\\\"]{0,6}\"".prop_map(|s| s),
        (0u32..100).prop_map(|n| n.to_string()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("lower({a})")),
            inner.clone().prop_map(|a| format!("upper( {a} )")),
            (inner.clone(), 0u32..10).prop_map(|(a, n)| format!("truncate({a}, {n})")),
            prop::collection::vec(inner, 1..4).prop_map(|v| format!("concat({})", v.join(", "))),
        ]
    })
}

proptest! {
    #[test]
    fn parse_never_panics(text in "\\PC{0,40}") {
        let _ = parse(&text);
    }

    #[test]
    fn display_reparses_to_the_same_tree(text in arb_expr()) {
        if let Ok(e) = parse(&text) {
            let again = parse(&e.to_string()).unwrap();
            prop_assert_eq!(e.to_string(), again.to_string());
        }
    }
}
