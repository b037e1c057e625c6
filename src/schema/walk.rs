//! Finding the subschemas that govern a field, for "is this field declared?", `x-pii`
//! lookups and (later) static reasoning. Follows `$ref` within the document and into
//! sibling files, which are read once at load.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::SystemSchema;
use super::lint::Doc;
use crate::error::{Error, io_reason};
use crate::span::SourceFile;

/// How deep `$ref` chains and applicators are followed before giving up (cycles).
const MAX_DEPTH: usize = 32;

/// Reads every file a `$ref` in `value` (the document `doc`, at absolute path `abs`)
/// points to, recursively, into `docs` (by absolute path) and `loaded`.
pub(super) fn load_refs(
    doc: &Doc,
    abs: &Path,
    value: &Value,
    docs: &mut HashMap<PathBuf, Value>,
    loaded: &mut Vec<(Doc, PathBuf)>,
) -> Result<(), Error> {
    let mut refs = Vec::new();
    collect_refs(value, &mut String::new(), &mut refs, 0);
    for (pointer, r) in refs {
        let file_part = r.split('#').next().unwrap_or_default();
        if file_part.is_empty() {
            continue;
        }
        if file_part.contains("://") && !file_part.starts_with("file://") {
            return Err(doc.error(&pointer, format!(
                "`$ref: {r}` points to the network; ripple never fetches schemas from the network — copy it next to the schema and refer to it by a relative path"
            ), false));
        }
        let target = resolve(abs, file_part);
        if docs.contains_key(&target) || target == abs {
            continue;
        }
        let shown = resolve(&doc.path, file_part);
        let text = std::fs::read_to_string(&target).map_err(|e| {
            doc.error(
                &pointer,
                format!(
                    "`$ref: {r}` does not resolve: cannot read {}: {}",
                    shown.display(),
                    io_reason(&e)
                ),
                false,
            )
        })?;
        let file = SourceFile::new(&shown, crate::text::strip_bom(text));
        let referenced: Value = serde_json::from_str(&file.text).map_err(|e| {
            let error = crate::span::json_error(&file, &e);
            match doc.locate(&pointer, false) {
                Some(at) => error.help(format!("the file is referenced by `$ref` at {at}")),
                None => error,
            }
        })?;
        docs.insert(target.clone(), referenced.clone());
        let next = Doc::new(shown, Some(file));
        load_refs(&next, &target, &referenced, docs, loaded)?;
        loaded.push((next, target));
    }
    Ok(())
}

/// The `$ref` strings in `v`, with the pointers of their values.
fn collect_refs(v: &Value, pointer: &mut String, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > 128 {
        return;
    }
    let len = pointer.len();
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointer.push('/');
                pointer.push_str(&crate::json_spans::escape(k));
                match (k.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push((pointer.clone(), r.clone())),
                    ("enum" | "const" | "examples" | "default", _) => {}
                    _ => collect_refs(child, pointer, out, depth + 1),
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                collect_refs(item, pointer, out, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn resolve(from: &Path, file_part: &str) -> PathBuf {
    let rel = file_part.strip_prefix("file://").unwrap_or(file_part);
    let joined = from
        .parent()
        .map_or_else(|| PathBuf::from(rel), |d| d.join(rel));
    normalize(&joined)
}

pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

type Node<'a> = (&'a Path, &'a Value);

/// The schemas (with `$ref`s and applicators expanded) that apply at `pointer`.
pub(super) fn subschemas<'a>(schema: &'a SystemSchema, pointer: &str) -> Vec<&'a Value> {
    let root_path = schema.abs.as_path();
    let mut current: Vec<Node<'a>> = Vec::new();
    expand(schema, (root_path, &schema.raw), &mut current, 0);
    for segment in pointer.split('/').skip(1) {
        let segment: std::borrow::Cow<'_, str> = if segment.contains('~') {
            segment.replace("~1", "/").replace("~0", "~").into()
        } else {
            segment.into()
        };
        let mut next = Vec::new();
        for &(path, node) in &current {
            for child in children(node, &segment) {
                expand(schema, (path, child), &mut next, 0);
            }
        }
        if next.is_empty() {
            return Vec::new();
        }
        current = next;
    }
    current.into_iter().map(|(_, v)| v).collect()
}

fn children<'a>(node: &'a Value, segment: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    if let Some(p) = node.get("properties").and_then(|p| p.get(segment)) {
        out.push(p);
    }
    if let Some(Value::Object(patterns)) = node.get("patternProperties") {
        for (pattern, sub) in patterns {
            if regex::Regex::new(pattern).is_ok_and(|r| r.is_match(segment)) {
                out.push(sub);
            }
        }
    }
    if out.is_empty()
        && let Some(add @ Value::Object(_)) = node.get("additionalProperties")
    {
        out.push(add);
    }
    if let Ok(index) = segment.parse::<usize>() {
        if let Some(p) = node.get("prefixItems").and_then(|p| p.get(index)) {
            out.push(p);
        } else if let Some(items @ Value::Object(_)) = node.get("items") {
            out.push(items);
        } else if let Some(Value::Array(items)) = node.get("items") {
            // draft-07 tuple form
            if let Some(p) = items.get(index) {
                out.push(p);
            }
        }
    }
    out
}

fn expand<'a>(schema: &'a SystemSchema, node: Node<'a>, out: &mut Vec<Node<'a>>, depth: usize) {
    let (path, value) = node;
    if depth > MAX_DEPTH || !value.is_object() {
        return;
    }
    if out.iter().any(|(_, v)| std::ptr::eq(*v, value)) {
        return;
    }
    out.push(node);
    if let Some(Value::String(r)) = value.get("$ref")
        && let Some(target) = follow(schema, path, r)
    {
        expand(schema, target, out, depth + 1);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = value.get(key) {
            for item in items {
                expand(schema, (path, item), out, depth + 1);
            }
        }
    }
    for key in ["then", "else"] {
        if let Some(sub) = value.get(key) {
            expand(schema, (path, sub), out, depth + 1);
        }
    }
}

fn follow<'a>(schema: &'a SystemSchema, from: &'a Path, reference: &str) -> Option<Node<'a>> {
    let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let (doc_path, doc): (&'a Path, &'a Value) = if file_part.is_empty() {
        if from == schema.abs.as_path() {
            (from, &schema.raw)
        } else {
            let (p, d) = schema.docs.get_key_value(from)?;
            (p.as_path(), d)
        }
    } else {
        let target = resolve(from, file_part);
        let (p, d) = schema.docs.get_key_value(&target)?;
        (p.as_path(), d)
    };
    let fragment = percent_decode(fragment);
    let value = if fragment.is_empty() {
        doc
    } else {
        doc.pointer(&fragment)?
    };
    Some((doc_path, value))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Walks to the field at `pointer`, keeping apart the subschemas that always apply from
/// the limits that apply under a condition (see [`super::leaf`]).
pub(super) fn leaf(schema: &SystemSchema, pointer: &str) -> super::Leaf {
    let segs = super::leaf::segments(pointer);
    let mut acc = LeafAcc::default();
    let root = (schema.abs.as_path(), &schema.raw);
    collect(schema, root, &segs, None, 0, &mut acc);
    super::Leaf::build(&acc.must, acc.conditional, acc.declared)
}

#[derive(Default)]
struct LeafAcc<'a> {
    must: Vec<&'a Value>,
    conditional: Vec<super::Conditional>,
    declared: bool,
    /// (node, segments left, conditional) already visited: `$ref` cycles and diamonds.
    seen: Vec<(*const Value, usize, bool)>,
}

fn collect<'a>(
    schema: &'a SystemSchema,
    node: Node<'a>,
    segs: &[std::borrow::Cow<'_, str>],
    cond: Option<(&'static str, bool)>,
    depth: usize,
    acc: &mut LeafAcc<'a>,
) {
    let (path, value) = node;
    if depth > MAX_DEPTH {
        return;
    }
    let key = (std::ptr::from_ref(value), segs.len(), cond.is_some());
    if acc.seen.contains(&key) {
        return;
    }
    acc.seen.push(key);
    if segs.is_empty() {
        acc.declared = true;
        match cond {
            None => acc.must.push(value),
            Some((applicator, at_field)) => {
                let keywords = if value == &Value::Bool(false) {
                    vec!["false".to_owned()]
                } else {
                    super::leaf::value_keywords(value)
                };
                if !keywords.is_empty() {
                    acc.conditional.push(super::Conditional {
                        applicator,
                        keywords,
                        at_field,
                    });
                }
            }
        }
    } else if cond.is_none() {
        // A whole-object `enum`/`const` above the field limits it too, in a way ripple
        // does not take apart.
        for k in ["enum", "const"] {
            if value.get(k).is_some() {
                acc.conditional.push(super::Conditional {
                    applicator: k,
                    keywords: vec![k.to_owned()],
                    at_field: false,
                });
            }
        }
    }
    if !value.is_object() {
        return;
    }
    // An applicator met on the field's own schema (not on an object above it) limits the
    // field's value alone.
    let under = |applicator| Some((applicator, cond.map_or(segs.is_empty(), |(_, f)| f)));
    if let Some(Value::String(r)) = value.get("$ref")
        && let Some(target) = follow(schema, path, r)
    {
        collect(schema, target, segs, cond, depth + 1, acc);
    }
    if let Some(Value::Array(items)) = value.get("allOf") {
        for item in items {
            collect(schema, (path, item), segs, cond, depth + 1, acc);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = value.get(key) {
            // One branch is no choice: it always applies.
            let c = if items.len() == 1 { cond } else { under(key) };
            for item in items {
                collect(schema, (path, item), segs, c, depth + 1, acc);
            }
        }
    }
    for (key, applicator) in [("then", "if"), ("else", "if"), ("not", "not")] {
        if let Some(sub) = value.get(key) {
            collect(schema, (path, sub), segs, under(applicator), depth + 1, acc);
        }
    }
    for key in ["dependentSchemas", "dependencies"] {
        if let Some(Value::Object(deps)) = value.get(key) {
            for (name, sub) in deps.iter().filter(|(_, s)| s.is_object()) {
                // Triggered by the property the field is (or sits in): whenever the field
                // has a value the trigger is present, so the schema always applies to it.
                let own = segs
                    .first()
                    .is_some_and(|first| first.as_ref() == name.as_str());
                let c = if own { cond } else { under("dependentSchemas") };
                collect(schema, (path, sub), segs, c, depth + 1, acc);
            }
        }
    }
    if let Some((first, rest)) = segs.split_first() {
        for child in children(value, first) {
            collect(schema, (path, child), rest, cond, depth + 1, acc);
        }
    }
}
