//! Evaluation of whole expressions and the parse-time argument checks, through
//! [`super::parse`] and [`super::eval`].

use serde_json::{Value, json};

use super::{eval as eval_expr, parse};
use crate::error::ErrorKind;
use crate::expr::{EvalError, FieldPath};

fn eval(expr: &str, record: &Value) -> Result<Option<Value>, EvalError> {
    let e = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
    eval_expr(&e, &|f: &FieldPath| f.get(record))
}

fn s(expr: &str, record: &Value) -> Value {
    eval(expr, record).unwrap().unwrap_or(Value::Null)
}

#[test]
fn upper_is_full_unicode() {
    let r = json!({"n": "straße"});
    assert_eq!(s("upper(n)", &r), json!("STRASSE"));
    assert_eq!(s("upper(\"ä\")", &r), json!("Ä"));
    assert_eq!(s("lower(\"ÄÖ\")", &r), json!("äö"));
}

#[test]
fn truncate_counts_characters_not_bytes() {
    let r = json!({"n": "ääkkönen"});
    assert_eq!(s("truncate(n, 3)", &r), json!("ääk"));
    assert_eq!("ääk".len(), 5);
    assert_eq!(s("truncate(n, 0)", &r), json!(""));
    assert_eq!(s("truncate(n, 100)", &r), json!("ääkkönen"));
}

#[test]
fn ascii_transliterates() {
    let r = json!({"n": "Hämeenkatu Åbo ß æ ø é 😀"});
    let out = s("ascii(n)", &r);
    let out = out.as_str().unwrap();
    assert!(out.starts_with("Hameenkatu Abo ss ae o e"), "{out}");
    assert!(out.is_ascii());
}

#[test]
fn trim_digits_pad_part_replace() {
    let r = json!({"p": "  FI-00100 ", "name": "Matti Juhani Meikäläinen"});
    assert_eq!(s("trim(p)", &r), json!("FI-00100"));
    assert_eq!(s("digits(p)", &r), json!("00100"));
    assert_eq!(s("pad_left(\"42\", 5, \"0\")", &r), json!("00042"));
    assert_eq!(s("pad_left(\"123456\", 5, \"0\")", &r), json!("123456"));
    assert_eq!(s("part(name, \" \", 0)", &r), json!("Matti"));
    assert_eq!(s("part(name, \" \", -1)", &r), json!("Meikäläinen"));
    assert_eq!(eval("part(name, \" \", 5)", &r).unwrap(), None);
    assert_eq!(
        s("replace(name, \" \", \".\")", &r),
        json!("Matti.Juhani.Meikäläinen")
    );
    assert_eq!(s("trim(\"   \")", &r), json!(""));
}

#[test]
fn concat_and_missing_values() {
    let r = json!({"a": "x", "n": 12000, "z": null});
    assert_eq!(s("concat(\"u\", upper(a), n)", &r), json!("uX12000"));
    assert_eq!(eval("concat(a, missing)", &r).unwrap(), None);
    assert_eq!(eval("upper(missing)", &r).unwrap(), None);
    assert_eq!(s("default(missing, \"n/a\")", &r), json!("n/a"));
    assert_eq!(s("default(z, 0)", &r), json!(0));
    assert_eq!(s("default(a, 0)", &r), json!("x"));
    assert_eq!(s("upper(z)", &r), Value::Null);
}

#[test]
fn string_and_number() {
    let r = json!({"n": 12, "t": " 42.5 ", "b": "abc"});
    assert_eq!(s("string(n)", &r), json!("12"));
    assert_eq!(s("number(t)", &r), json!(42.5));
    assert_eq!(s("number(n)", &r), json!(12));
    assert!(eval("number(b)", &r).is_err());
    assert!(eval("upper(x)", &json!({"x": [1]})).is_err());
}

#[test]
fn errors_have_kinds_and_spans() {
    let e = parse("lowr(x)").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownFunction);
    assert_eq!(e.span, 0..4);
    assert_eq!(e.help.as_deref(), Some("did you mean `lower`?"));
    let e = parse("truncate(x)").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Arity);
    assert!(
        e.message.contains("truncate takes 2 arguments"),
        "{}",
        e.message
    );
    let e = parse("truncate(x, y)").unwrap_err();
    assert_eq!((e.kind, e.span), (ErrorKind::Arity, 12..13));
    let e = parse("pad_left(x, 5, \"00\")").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Arity);
    let e = parse("lower(x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    let e = parse("\"abc").unwrap_err();
    assert_eq!(e.message, "unterminated string");
    let e = parse("x #").unwrap_err();
    assert_eq!(e.span, 2..3);
    assert!(parse("concat()").is_err());
    assert!(parse("").is_err());
}
