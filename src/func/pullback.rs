//! Pulling a constraint on a mapping's result back to the fields it reads: the walk over
//! an expression; each function's *sufficient* rule lives in its own file beside this one.

use serde_json::Value;

use super::Func;
pub(crate) use super::concat::{literal_text, reads_field as has_field};
use crate::domain::Constraint;
use crate::expr::{Expr, ExprKind, FieldPath};

/// Pulls `c`, a constraint on the value of `expr`, back to the fields `expr` reads: for
/// each, a constraint that (together with the others) makes the value satisfy `c`.
#[must_use]
pub fn pull_back(expr: &Expr, c: Constraint) -> Vec<(FieldPath, Constraint)> {
    let mut out = Walk::default();
    pull(expr, c, &mut out);
    out.fields
}

/// The `concat` calls with several field arguments inside `expr`, each with the constraint
/// on its own result that pulling `c` back through `expr` reaches it with: their length
/// limits are limits on a sum of parts, which [`pull_back`] leaves to the caller.
#[must_use]
pub fn concat_sites(expr: &Expr, c: Constraint) -> Vec<(&Expr, Constraint)> {
    let mut out = Walk::default();
    pull(expr, c, &mut out);
    out.sites
}

/// What a pull-back walk gathers: per field read, its constraint; per `concat` of several
/// fields, the constraint on its result.
#[derive(Default)]
pub(crate) struct Walk<'e> {
    fields: Vec<(FieldPath, Constraint)>,
    sites: Vec<(&'e Expr, Constraint)>,
}

pub(crate) fn pull<'e>(expr: &'e Expr, c: Constraint, out: &mut Walk<'e>) {
    match &expr.kind {
        ExprKind::Field(f) => out.fields.push((f.clone(), c)),
        ExprKind::Call { func, args, .. } => {
            let fields: Vec<usize> = (0..args.len()).filter(|&i| has_field(&args[i])).collect();
            if fields.is_empty() {
                return;
            }
            if *func == Func::Concat && fields.len() > 1 {
                out.sites.push((expr, c.clone()));
                return pull_concat_many(args, &fields, c, out);
            }
            if *func == Func::Default {
                // The result is `x` or `v`: each must meet the whole constraint, but a
                // `null` `x` gives `v`, so `x` may also be `null`.
                // A literal `v` that fails the constraint makes a `null` `x` fail too (and an
                // absent one, which no field constraint can forbid: said in a note).
                let fallback_ok = match args.get(1).map(|a| &a.kind) {
                    // Keywords ripple does not evaluate itself (a field-level `anyOf`)
                    // are judged by the real validator.
                    Some(ExprKind::Str(v)) => {
                        c.text_passes(v)
                            || (c.text_fits(v) && literal_passes(&c, &Value::String(v.clone())))
                    }
                    Some(ExprKind::Number(n)) => literal_passes(&c, &Value::Number(n.clone())),
                    Some(ExprKind::Bool(b)) => literal_passes(&c, &Value::Bool(*b)),
                    Some(ExprKind::Null) => literal_passes(&c, &Value::Null),
                    Some(_) => has_field(&args[1]),
                    None => false,
                };
                for &j in &fields {
                    let mut cj = c.clone();
                    if j == 0 && fallback_ok {
                        admit_null(&mut cj);
                    } else if j == 0 && !has_field(args.get(1).unwrap_or(&args[0])) {
                        cj.verbatim
                            .push(("not".to_owned(), serde_json::json!({"type": "null"})));
                        cj.notes.push(format!(
                            "{} left out gives {}, which a downstream system rejects",
                            args[0],
                            args.get(1).map(ToString::to_string).unwrap_or_default()
                        ));
                    }
                    pull(&args[j], cj, out);
                }
                return;
            }
            let Some(&i) = fields.first() else { return };
            if fields.len() > 1 || (i != 0 && *func != Func::Concat) {
                // Fields as literal arguments (a field as the truncate length): no rule.
                let mut loose = Constraint::default();
                loose.notes.push(format!(
                    "{} with several field arguments: its limits are not pulled back",
                    func.name()
                ));
                for &j in &fields {
                    pull(&args[j], loose.clone(), out);
                }
                return;
            }
            let lits: Vec<Option<String>> = args.iter().map(literal_text).collect();
            let next = through(*func, &args[i], &lits, c);
            pull(&args[i], next, out);
        }
        _ => {}
    }
}

/// Whether a literal (a `default()` fallback such as `0`, or text that fits the structured
/// limits) meets `c`, judged by the real validator on the constraint as a schema, with the
/// options `validate` uses (a `format` asserted: `"n/a"` is no e-mail address).
fn literal_passes(c: &Constraint, literal: &Value) -> bool {
    c.never.is_none()
        && crate::schema::validator_options()
            .build(&c.to_schema())
            .is_ok_and(|v| v.is_valid(literal))
}

/// Lets `null` through the keywords of `c` that would reject it: `type`, `enum` and
/// `const` take `null` in; any other keyword that rejects `null` (a field-level `anyOf`
/// whose branches are strings) becomes `anyOf [{"type": "null"}, {keyword}]`. The
/// structured limits do not apply to `null`.
fn admit_null(c: &mut Constraint) {
    c.verbatim
        .retain(|(k, v)| !(k == "not" && *v == serde_json::json!({"type": "null"})));
    for (k, v) in &mut c.verbatim {
        match (k.as_str(), &*v) {
            ("type", Value::String(t)) if t != "null" => {
                *v = Value::from(vec![t.clone(), "null".to_owned()]);
            }
            ("type", Value::Array(ts)) if !ts.contains(&Value::from("null")) => {
                let mut ts = ts.clone();
                ts.push(Value::from("null"));
                *v = Value::Array(ts);
            }
            ("enum", Value::Array(items)) if !items.contains(&Value::Null) => {
                let mut items = items.clone();
                items.push(Value::Null);
                *v = Value::Array(items);
            }
            ("const", other) if !other.is_null() => {
                *k = "enum".to_owned();
                *v = Value::Array(vec![other.clone(), Value::Null]);
            }
            ("type" | "enum" | "const", _) => {}
            _ if !rejects_null(k, v) => {}
            _ => {
                let kept = serde_json::json!({ k.as_str(): v.clone() });
                *k = "anyOf".to_owned();
                *v = serde_json::json!([{ "type": "null" }, kept]);
            }
        }
    }
}

/// Whether the keyword `k: v` alone rejects `null`, judged by the real validator (a
/// keyword it cannot compile is taken to reject it).
fn rejects_null(k: &str, v: &Value) -> bool {
    !jsonschema::validator_for(&serde_json::json!({ k: v })).is_ok_and(|s| s.is_valid(&Value::Null))
}

pub(crate) fn pull_concat_many<'e>(
    args: &'e [Expr],
    fields: &[usize],
    c: Constraint,
    out: &mut Walk<'e>,
) {
    for (i, part) in crate::func::concat::backward_many(args, fields, &c, has_field) {
        pull(&args[i], part, out);
    }
}

/// The constraint on `f`'s text argument that makes `f(arg, lits…)` satisfy `c`: the
/// function's own backward rule ([`Func::backward`]).
pub(crate) fn through(
    func: Func,
    arg: &Expr,
    lits: &[Option<String>],
    c: Constraint,
) -> Constraint {
    // Every function but `default` gives `null` for `null`: whatever its own rule keeps, a
    // result that may not be `null` needs an argument that is not.
    let not_null = func != Func::Default && c.excludes_null();
    let mut out = func.backward(arg, lits, c);
    if not_null && !out.excludes_null() {
        out.verbatim
            .push(("not".to_owned(), serde_json::json!({"type": "null"})));
    }
    out
}
