//! Per-path analysis: prove a target field safe, or find and verify a witness.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::domain::{self, Abs, Num, Str};
use super::{Code, Derivation, Finding};
use crate::expr::{Expr, ExprKind, FieldPath};
use crate::pipeline::{FlowId, Mapping, Pipeline, SystemId};
use crate::propagate::{self, FieldRef};
use crate::validate::{self, Status, Violation};

/// Most candidate changes tried for one target field.
const MAX_CANDIDATES: usize = 400;

/// Keywords that do not constrain a leaf value.
const STRUCTURAL: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "definitions",
    "$comment",
    "$anchor",
    "title",
    "description",
    "examples",
    "default",
    "allOf",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "items",
    "prefixItems",
    "x-pii",
    "readOnly",
    "writeOnly",
    "deprecated",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "propertyNames",
];

/// The verdict on one field of one path.
pub(super) struct Analysis {
    pub field: String,
    pub finding: Option<Finding>,
}

/// Analyses every mapping of the last flow of a path.
pub(super) fn analyze_path(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
) -> Vec<Analysis> {
    let Some(&last) = flows.last() else {
        return Vec::new();
    };
    pipeline.flows[last]
        .mappings
        .iter()
        .map(|m| Analysis {
            field: m.target_pointer.to_string(),
            finding: analyze(pipeline, systems, flows, m),
        })
        .collect()
}

fn analyze(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    mapping: &Mapping,
) -> Option<Finding> {
    let k = systems.len() - 1;
    let target = &pipeline.systems[systems[k]];
    let subs = target.schema.subschemas(&mapping.target_pointer);
    let mut acc = Acc::default();
    let derived = derive_expr(pipeline, systems, flows, k - 1, &mapping.expr, &mut acc)?;
    let derivation = Derivation {
        abs: derived,
        origins: acc.origins,
    };
    let mut unproven = unproven(&derivation.abs, &subs);
    if acc.may_fail {
        unproven.push((
            "mapping".to_owned(),
            Value::String(mapping.source.to_string()),
        ));
    }
    if unproven.is_empty() {
        return None;
    }
    let file = &pipeline.file.path;
    let id = |s: SystemId| pipeline.systems[s].id.clone();
    let path: Vec<String> = systems.iter().map(|&s| id(s)).collect();
    let entry = &pipeline.systems[systems[0]];
    let origin: Vec<FieldRef> = derivation
        .origins
        .iter()
        .map(|o| FieldRef {
            system: entry.id.as_str().into(),
            field: o.as_str().into(),
        })
        .collect();
    let found = search(pipeline, systems, flows, mapping, &derivation);
    let mut f = match found {
        Search::Exhausted => return None,
        Search::Found(record, v) => {
            let (record, v) = shrink(pipeline, systems, flows, mapping, &derivation, record, *v);
            let mut f = Finding::new(
                Code::Incompatible,
                format!(
                    "`{}` accepts values that `{}` rejects at {} ({} {})",
                    entry.id,
                    target.id,
                    mapping.target_pointer,
                    v.keyword,
                    crate::report::display_value(&v.limit)
                ),
                file,
            );
            f.keyword = Some(v.keyword.clone());
            f.limit = Some(v.limit.clone());
            f.value = v.value.clone();
            f.label = Some(v.message.clone());
            f.help = Some(suggest_fix(pipeline, systems, &derivation, &v));
            f.witness = Some(record);
            f
        }
        Search::NotFound => {
            let what: Vec<String> = unproven
                .iter()
                .map(|(k, v)| format!("{k} {}", crate::report::display_value(v)))
                .collect();
            let mut f = Finding::new(
                Code::Undecided,
                format!(
                    "cannot prove that `{}` accepts every value of {} from `{}`: {} not proven, and no counterexample found",
                    target.id,
                    mapping.target_pointer,
                    entry.id,
                    what.join(", ")
                ),
                file,
            );
            f.keyword = unproven.first().map(|(k, _)| k.clone());
            f.limit = unproven.first().map(|(_, v)| v.clone());
            f.help = Some("state the constraint upstream (in the entry schema or an earlier system) in a form ripple models: maxLength, x-maxBytes, x-charset, or a pattern of one character class".into());
            f
        }
    };
    f.location = Some(pipeline.location(mapping.span));
    f.system = Some(target.id.clone());
    f.field = Some(mapping.target_pointer.to_string());
    f.origin = origin;
    f.path = path;
    Some(f)
}

/// What a derivation collects besides the value description.
#[derive(Default)]
struct Acc {
    /// Entry fields (JSON Pointers) the value derives from.
    origins: BTreeSet<String>,
    /// A mapping on the way can fail for some inputs (`number("abc")`).
    may_fail: bool,
}

/// What the field at `pointer` of `systems[k]` can hold on this path (`None`: not filled).
fn derive_field(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    k: usize,
    pointer: &str,
    origins: &mut Acc,
) -> Option<Abs> {
    let system = &pipeline.systems[systems[k]];
    let subs = system.schema.subschemas(pointer);
    if k == 0 {
        origins.origins.insert(pointer.to_owned());
        return Some(domain::from_schemas(&subs));
    }
    let flow = &pipeline.flows[flows[k - 1]];
    let m = flow
        .mappings
        .iter()
        .find(|m| *m.target_pointer == *pointer)?;
    let abs = derive_expr(pipeline, systems, flows, k - 1, &m.expr, origins)?;
    // The value was accepted by this (earlier) system, so its constraints hold.
    Some(domain::refine(abs, &subs))
}

fn derive_expr(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    k: usize,
    expr: &Expr,
    origins: &mut Acc,
) -> Option<Abs> {
    Some(match &expr.kind {
        ExprKind::Field(f) => derive_field(pipeline, systems, flows, k, &f.pointer(), origins)?,
        ExprKind::Str(s) => Abs::Str(Str::literal(s)),
        ExprKind::Number(n) => {
            let v = n.as_f64();
            Abs::Num(Num {
                integer: n.is_i64() || n.is_u64(),
                min: v,
                max: v,
                multiple: None,
            })
        }
        ExprKind::Bool(_) | ExprKind::Null => Abs::Any,
        ExprKind::Call { func, args, .. } => {
            let mut abs = Vec::with_capacity(args.len());
            let mut lits = Vec::with_capacity(args.len());
            for (i, a) in args.iter().enumerate() {
                let d = derive_expr(pipeline, systems, flows, k, a, origins);
                match d {
                    Some(d) => abs.push(d),
                    None if *func == crate::expr::Func::Default && i == 0 => abs.push(Abs::Any),
                    None => return None,
                }
                lits.push(literal(a));
            }
            if *func == crate::expr::Func::Default
                && let (Some(ExprKind::Field(f)), Some(fallback)) =
                    (args.first().map(|a| &a.kind), abs.get(1))
            {
                // `default(x, v)` with x absent on this path is just v.
                let mut scratch = Acc::default();
                if derive_field(pipeline, systems, flows, k, &f.pointer(), &mut scratch).is_none() {
                    return Some(fallback.clone());
                }
            }
            if *func == crate::expr::Func::Number {
                let safe = match abs.first() {
                    Some(Abs::Num(_)) => true,
                    Some(Abs::Str(s)) => {
                        s.min > 0 && domain::subset(&s.chars, &domain::chars_of(&[('0', '9')]))
                    }
                    _ => false,
                };
                origins.may_fail |= !safe;
            }
            domain::apply(*func, &abs, &lits)
        }
    })
}

fn literal(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Str(s) => Some(Value::String(s.clone())),
        ExprKind::Number(n) => Some(Value::Number(n.clone())),
        _ => None,
    }
}

/// The target's value constraints that `abs` does not provably satisfy.
fn unproven(abs: &Abs, subs: &[&serde_json::Value]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for sub in subs {
        let Some(map) = sub.as_object() else { continue };
        for (k, v) in map {
            if STRUCTURAL.contains(&k.as_str())
                || (k.starts_with("x-") && !matches!(k.as_str(), "x-maxBytes" | "x-charset"))
            {
                continue;
            }
            if !proves(abs, k, v) {
                out.push((k.clone(), v.clone()));
            }
        }
    }
    out
}

fn proves(abs: &Abs, keyword: &str, limit: &Value) -> bool {
    match (abs, keyword) {
        (Abs::Str(_), "type") => type_allows(limit, "string"),
        (Abs::Num(n), "type") => {
            type_allows(limit, "number") || (n.integer && type_allows(limit, "integer"))
        }
        (Abs::Str(s), "maxLength") => limit
            .as_u64()
            .is_some_and(|n| s.max.is_some_and(|m| m <= n)),
        (Abs::Str(s), "minLength") => limit.as_u64().is_some_and(|n| s.min >= n),
        (Abs::Str(s), "x-maxBytes") => limit
            .as_u64()
            .is_some_and(|n| s.max_bytes().is_some_and(|m| m <= n)),
        (Abs::Str(s), "x-charset") => limit
            .as_str()
            .and_then(domain::charset)
            .is_some_and(|c| domain::subset(&s.chars, &c)),
        (Abs::Str(s), "pattern") => {
            limit
                .as_str()
                .and_then(domain::simple_pattern)
                .is_some_and(|(c, lo, hi)| {
                    domain::subset(&s.chars, &c)
                        && s.min >= lo
                        && hi.is_none_or(|h| s.max.is_some_and(|m| m <= h))
                })
        }
        (Abs::Str(s), "format") => limit
            .as_str()
            .is_some_and(|f| s.format.as_deref() == Some(f)),
        (Abs::Num(x), "minimum") => limit
            .as_f64()
            .is_some_and(|n| x.min.is_some_and(|m| m >= n)),
        (Abs::Num(x), "maximum") => limit
            .as_f64()
            .is_some_and(|n| x.max.is_some_and(|m| m <= n)),
        (Abs::Num(x), "exclusiveMinimum") => {
            limit.as_f64().is_some_and(|n| x.min.is_some_and(|m| m > n))
        }
        (Abs::Num(x), "exclusiveMaximum") => {
            limit.as_f64().is_some_and(|n| x.max.is_some_and(|m| m < n))
        }
        (Abs::Num(x), "multipleOf") => limit.as_f64().is_some_and(|n| {
            n > 0.0
                && ((x.integer && (n - 1.0).abs() < f64::EPSILON)
                    || x.multiple.is_some_and(|k| (k / n).fract() == 0.0))
        }),
        _ => false,
    }
}

fn type_allows(limit: &Value, name: &str) -> bool {
    match limit {
        Value::String(t) => t == name || (name == "integer" && t == "number"),
        Value::Array(ts) => ts.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// Characters tried first: ordinary ones, then the ones real systems trip on.
const SAMPLES: &[char] = &[
    'a', 'm', 'A', 'Z', '0', '9', ' ', 'ä', 'ö', 'Ä', 'å', 'ß', 'é', '-', '.', '_', '\'', '/', '!',
    '@', 'ÿ', 'ı', 'İ', 'Ł', '€', '中', '😀', '\t',
];

/// Candidate values for one entry field.
fn candidates(abs: &Abs, subs: &[&Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    match abs {
        Abs::Str(s) => {
            let chars: Vec<char> = SAMPLES
                .iter()
                .copied()
                .filter(|c| domain::contains(&s.chars, *c))
                .collect();
            let base = chars.first().copied().unwrap_or('a');
            let hi = s.max.unwrap_or(300).min(300);
            let mut lengths = vec![s.min.max(1).min(hi), 8.clamp(s.min, hi.max(s.min)), hi];
            lengths.dedup();
            for &len in &lengths {
                for &c in &chars {
                    let n = usize::try_from(len).unwrap_or(0);
                    out.push(Value::String(std::iter::repeat_n(c, n).collect()));
                    if c != base && n > 0 {
                        let mut t: String = std::iter::repeat_n(base, n - 1).collect();
                        t.push(c);
                        out.push(Value::String(t));
                    }
                }
            }
            if s.min == 0 {
                out.push(Value::String(String::new()));
            }
        }
        Abs::Num(num) => {
            let mut nums = vec![0.0, 1.0, -1.0, 1e6, 123_456_789.0];
            if !num.integer {
                nums.push(0.5);
            }
            nums.extend(num.min.iter().chain(num.max.iter()).copied());
            if let Some(k) = num.multiple {
                nums.extend([k, 2.0 * k, 3.0 * k, 7.0 * k]);
            }
            for n in nums {
                out.push(serde_json::Number::from_f64(n).map_or(Value::Null, |x| {
                    if num.integer || n.fract() == 0.0 {
                        Value::from(n as i64)
                    } else {
                        Value::Number(x)
                    }
                }));
            }
        }
        Abs::Any => {
            for s in ["a", "ä", "Ä", "a b", "😀"] {
                out.push(Value::String(s.into()));
            }
            out.push(Value::String("a".repeat(80)));
            out.push(Value::from(0));
        }
    }
    for sub in subs {
        if let Some(p) = sub.get("pattern").and_then(Value::as_str)
            && let Some(w) = jsonschema_regex::pattern_witness(p)
        {
            out.insert(0, Value::String(w));
        }
        if sub.get("format").and_then(Value::as_str) == Some("email") {
            for e in [
                "a@example.com",
                "ä@example.com",
                "first.last+tag@example.com",
            ] {
                out.push(Value::String(e.into()));
            }
            out.push(Value::String(format!("{}@example.com", "a".repeat(60))));
            let want = sub
                .get("maxLength")
                .and_then(Value::as_u64)
                .unwrap_or(254)
                .min(254);
            let mut domain_part = String::from("com");
            while (64 + 1 + domain_part.len() + 64) as u64 <= want {
                domain_part = format!("{}.{domain_part}", "a".repeat(63));
            }
            let local = usize::try_from(want)
                .unwrap_or(64)
                .saturating_sub(domain_part.len() + 1)
                .clamp(1, 64);
            out.push(Value::String(format!(
                "{}@{domain_part}",
                "a".repeat(local)
            )));
        }
        for key in ["enum", "const"] {
            match sub.get(key) {
                Some(Value::Array(items)) => out.extend(items.iter().cloned()),
                Some(v) if key == "const" => out.push(v.clone()),
                _ => {}
            }
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|v| seen.insert(v.to_string()));
    out
}

/// The finite set of values a field can take (`enum`, `const`, `boolean`), if any.
fn finite(subs: &[&Value]) -> Option<Vec<Value>> {
    for sub in subs {
        if let Some(Value::Array(items)) = sub.get("enum") {
            return Some(items.clone());
        }
        if let Some(v) = sub.get("const") {
            return Some(vec![v.clone()]);
        }
        if sub.get("type").and_then(Value::as_str) == Some("boolean") {
            return Some(vec![Value::Bool(false), Value::Bool(true)]);
        }
    }
    None
}

/// What the witness search found.
pub(super) enum Search {
    /// A verified witness: the entry record and the target's violation.
    Found(Value, Box<Violation>),
    /// Every value the origins can take was tried: the target accepts them all.
    Exhausted,
    /// Nothing found among the candidates tried.
    NotFound,
}

/// Looks for a change the entry and every system before the target accept and the target
/// rejects at the mapping's field, verified by real propagation and validation.
fn search(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    mapping: &Mapping,
    derivation: &Derivation,
) -> Search {
    let entry = &pipeline.systems[systems[0]];
    let mut all_finite = true;
    let fields: Vec<(FieldPath, Vec<Value>)> = derivation
        .origins
        .iter()
        .filter_map(|o| {
            let subs = entry.schema.subschemas(o);
            let values = if let Some(values) = finite(&subs) {
                values
            } else {
                all_finite = false;
                candidates(&domain::from_schemas(&subs), &subs)
            };
            Some((FieldPath::parse(o).ok()?, values))
        })
        .collect();
    if fields.is_empty() {
        return Search::NotFound;
    }
    let try_record = |values: &[&Value]| -> Option<(Value, Violation)> {
        let mut record = Value::Object(Map::new());
        for ((path, _), v) in fields.iter().zip(values) {
            path.set(&mut record, (*v).clone()).ok()?;
        }
        let verdict = verify(pipeline, systems, flows, mapping, &record)?;
        Some((record, verdict))
    };
    let product = fields
        .iter()
        .try_fold(1usize, |acc, (_, c)| acc.checked_mul(c.len().max(1)));
    if all_finite && product.is_some_and(|p| p <= MAX_CANDIDATES) {
        // Small finite domains: try every combination, which proves compatibility too.
        let mut index = vec![0usize; fields.len()];
        loop {
            let values: Vec<&Value> = fields
                .iter()
                .zip(&index)
                .map(|((_, c), &i)| c.get(i).unwrap_or(&Value::Null))
                .collect();
            if let Some((record, v)) = try_record(&values) {
                return Search::Found(record, Box::new(v));
            }
            let mut k = 0;
            loop {
                if k == index.len() {
                    return Search::Exhausted;
                }
                index[k] += 1;
                if index[k] < fields[k].1.len() {
                    break;
                }
                index[k] = 0;
                k += 1;
            }
        }
    }
    let mut tried = 0;
    // Each field varies while the others keep their first candidate; then all vary together.
    let firsts: Vec<&Value> = fields
        .iter()
        .map(|(_, c)| c.first().unwrap_or(&Value::Null))
        .collect();
    for (i, (_, cands)) in fields.iter().enumerate() {
        for c in cands {
            if tried >= MAX_CANDIDATES {
                return Search::NotFound;
            }
            tried += 1;
            let mut values = firsts.clone();
            values[i] = c;
            if let Some((record, v)) = try_record(&values) {
                return Search::Found(record, Box::new(v));
            }
        }
    }
    let longest = fields.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    for j in 0..longest {
        if tried >= MAX_CANDIDATES {
            break;
        }
        tried += 1;
        let values: Vec<&Value> = fields
            .iter()
            .map(|(_, c)| c.get(j).or(c.last()).unwrap_or(&Value::Null))
            .collect();
        if let Some((record, v)) = try_record(&values) {
            return Search::Found(record, Box::new(v));
        }
    }
    Search::NotFound
}

/// Makes a witness smaller: each string origin is cut to the shortest prefix that still
/// reproduces (binary search; length limits are monotone), so people read `aaaaaaaaa`
/// (9 characters) rather than 300 of them.
fn shrink(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    mapping: &Mapping,
    derivation: &Derivation,
    mut record: Value,
    mut violation: Violation,
) -> (Value, Violation) {
    for origin in &derivation.origins {
        let Ok(path) = FieldPath::parse(origin) else {
            continue;
        };
        let Some(Value::String(text)) = path.get(&record).cloned() else {
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let mut candidate = record.clone();
            let cut: String = chars[..mid].iter().collect();
            if path.set(&mut candidate, Value::String(cut)).is_err() {
                break;
            }
            match verify(pipeline, systems, flows, mapping, &candidate) {
                Some(v) if v.keyword == violation.keyword => {
                    record = candidate;
                    violation = v;
                    hi = mid;
                }
                _ => lo = mid + 1,
            }
        }
    }
    (record, violation)
}

/// Runs the real propagation and validators on `record`; returns the target's violation at
/// the mapping's field when the entry and every earlier system on the path accept.
fn verify(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[FlowId],
    mapping: &Mapping,
    record: &Value,
) -> Option<Violation> {
    let entry = systems[0];
    let prop = propagate::along(pipeline, entry, flows, record);
    if prop.arrivals.len() != systems.len() {
        return None;
    }
    let report = validate::judge(pipeline, entry, &prop);
    if report.systems[..systems.len() - 1]
        .iter()
        .any(|s| s.status != Status::Accepted)
    {
        return None;
    }
    let target = systems[systems.len() - 1];
    let field = &*mapping.target_pointer;
    report.violations.into_iter().find(|v| {
        v.system == target
            && v.path == systems
            && (v.field == field || v.field.starts_with(&format!("{field}/")))
    })
}

/// Which side to change, and to what.
fn suggest_fix(
    pipeline: &Pipeline,
    systems: &[SystemId],
    derivation: &Derivation,
    v: &Violation,
) -> String {
    let entry = &pipeline.systems[systems[0]];
    let origins: Vec<&str> = derivation.origins.iter().map(String::as_str).collect();

    match v.keyword.as_str() {
        "maxLength" => format!(
            "limit {} at `{}` so the derived value stays within {} characters, or truncate() in the mapping",
            origins.join(", "),
            entry.id,
            v.limit
        ),
        "x-maxBytes" => format!(
            "limit {} at `{}` (x-maxBytes or an ASCII-only pattern), or ascii()/truncate() in the mapping: the target counts bytes, {} at most",
            origins.join(", "),
            entry.id,
            v.limit
        ),
        "x-charset" | "pattern" => format!(
            "restrict the characters of {} at `{}`, or transform them in the mapping (ascii(), upper(), replace())",
            origins.join(", "),
            entry.id
        ),
        _ => format!(
            "tighten {} at `{}` to what `{}` accepts ({} {})",
            origins.join(", "),
            entry.id,
            pipeline.systems[v.system].id,
            v.keyword,
            v.limit
        ),
    }
}
