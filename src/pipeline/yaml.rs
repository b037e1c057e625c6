//! YAML to JSON, remembering where every value came from.
//!
//! Pipelines are checked against `schemas/pipeline.schema.json` and then turned into the
//! model, both of which work on JSON values; the [`SpanIndex`] maps each value's JSON Pointer
//! back to its place in the YAML file, so every later error can point at line and column.
//! Built on `saphyr-parser`'s event stream rather than a YAML tree library because we need
//! both duplicate-key rejection and a span for every key and value.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind};
use crate::span::{Location, SourceFile, Span};

/// Deepest nesting accepted; deeper documents are rejected rather than risking the stack.
pub const MAX_DEPTH: usize = 64;
/// Most values a document may expand to (aliases included), against alias bombs.
pub const MAX_NODES: usize = 1_000_000;

/// Where each value (by JSON Pointer) and each mapping key stands in the file.
#[derive(Debug, Default)]
pub struct SpanIndex {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
}

impl SpanIndex {
    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    #[must_use]
    pub fn value(&self, pointer: &str) -> Span {
        let mut p = pointer;
        loop {
            if let Some(span) = self.values.get(p) {
                return *span;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Span::default(),
            }
        }
    }

    /// The span of the key whose value is at `pointer`, falling back to the value's span.
    #[must_use]
    pub fn key(&self, pointer: &str) -> Span {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.value(pointer))
    }
}

/// Converts between saphyr's character-based markers and byte offsets.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            starts: crate::span::line_starts(text),
        }
    }

    fn offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(col)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    fn span(&self, span: &YamlSpan) -> Span {
        let start = self.offset(span.start.line(), span.start.col());
        let end = self.offset(span.end.line(), span.end.col()).max(start);
        Span::from_offsets_in(self.text, &self.starts, start, end)
    }
}

enum Frame {
    Seq(Vec<Value>, Span),
    Map {
        map: Map<String, Value>,
        span: Span,
        key: Option<(String, Span)>,
    },
}

/// Parses `file` as one YAML document into JSON, with the span of every value.
///
/// # Errors
/// Bad YAML, duplicate keys, non-string keys, tags, multiple documents, and documents
/// beyond [`MAX_DEPTH`] or [`MAX_NODES`], each located in the file.
pub fn parse(file: &Arc<SourceFile>) -> Result<(Value, SpanIndex), Error> {
    Builder::new(file).run()
}

struct Builder<'f> {
    file: &'f Arc<SourceFile>,
    lines: Lines<'f>,
    index: SpanIndex,
    stack: Vec<Frame>,
    path: Vec<String>,
    anchors: HashMap<usize, Value>,
    /// Anchor of each open container, and whether it pushed a segment onto `path`.
    open: Vec<(usize, bool)>,
    nodes: usize,
    root: Option<Value>,
}

impl<'f> Builder<'f> {
    fn new(file: &'f Arc<SourceFile>) -> Self {
        Self {
            file,
            lines: Lines::new(&file.text),
            index: SpanIndex::default(),
            stack: Vec::new(),
            path: Vec::new(),
            anchors: HashMap::new(),
            open: Vec::new(),
            nodes: 0,
            root: None,
        }
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Yaml, message).at(Location::new(self.file, span))
    }

    fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            out.push('/');
            out.push_str(&crate::pointer::escape(seg));
        }
        out
    }

    fn run(mut self) -> Result<(Value, SpanIndex), Error> {
        let mut parser = Parser::new_from_str(&self.file.text);
        let mut documents = 0;
        while let Some(next) = parser.next_event() {
            let (event, yspan) = next.map_err(|e| {
                let m = e.marker();
                let at = self.lines.offset(m.line(), m.col());
                self.error(
                    self.file.span(at, at),
                    format!("invalid YAML: {}", e.info()),
                )
            })?;
            let span = self.lines.span(&yspan);
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(self
                            .error(
                                span,
                                "a pipeline file holds one YAML document, found a second",
                            )
                            .help("remove the `---` line, or split the file in two"));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    if let Some(tag) = tag
                        && !tag.is_yaml_core_schema()
                    {
                        return Err(self.error(
                            span,
                            format!("YAML tag `{}{}` is not supported", tag.handle, tag.suffix),
                        ));
                    }
                    let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                    if is_key {
                        self.push_key(text, span)?;
                    } else {
                        let value = scalar(&text, style);
                        self.push_value(value, span, anchor)?;
                    }
                }
                Event::Alias(id) => {
                    let Some(value) = self.anchors.get(&id).cloned() else {
                        return Err(self.error(span, "alias to an unknown anchor"));
                    };
                    self.nodes = self.nodes.saturating_add(count_nodes(&value));
                    if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                        match value {
                            Value::String(s) => self.push_key(Cow::Owned(s), span)?,
                            _ => return Err(self.error(span, "mapping keys must be strings")),
                        }
                    } else {
                        self.push_value(value, span, 0)?;
                    }
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                        return Err(self.error(span, "mapping keys must be strings"));
                    }
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(Error::new(
                            ErrorKind::Limit,
                            format!("nested deeper than {MAX_DEPTH} levels"),
                        )
                        .at(Location::new(self.file, span)));
                    }
                    let segment = match self.stack.last() {
                        Some(Frame::Map {
                            key: Some((name, _)),
                            ..
                        }) => Some(name.clone()),
                        Some(Frame::Seq(items, _)) => Some(items.len().to_string()),
                        _ => None,
                    };
                    let pushed = segment.is_some();
                    self.path.extend(segment);
                    self.open.push((anchor, pushed));
                    self.stack
                        .push(if matches!(event, Event::SequenceStart(..)) {
                            Frame::Seq(Vec::new(), span)
                        } else {
                            Frame::Map {
                                map: Map::new(),
                                span,
                                key: None,
                            }
                        });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (value, start) = match self.stack.pop() {
                        Some(Frame::Seq(items, start)) => (Value::Array(items), start),
                        Some(Frame::Map { map, span, .. }) => (Value::Object(map), span),
                        None => continue,
                    };
                    let (anchor, pushed) = self.open.pop().unwrap_or((0, false));
                    if pushed {
                        self.path.pop();
                    }
                    let whole = self.file.span(start.start, span.end);
                    self.push_value(value, whole, anchor)?;
                }
                _ => {}
            }
        }
        let root = self.root.take().unwrap_or(Value::Null);
        Ok((root, self.index))
    }

    fn push_key(&mut self, text: Cow<'_, str>, span: Span) -> Result<(), Error> {
        let Some(Frame::Map { map, key, .. }) = self.stack.last_mut() else {
            return Ok(());
        };
        if map.contains_key(text.as_ref()) {
            let message = format!("duplicate key `{text}`");
            return Err(self
                .error(span, message)
                .help("each key may appear once in a mapping; the later one would silently win"));
        }
        *key = Some((text.into_owned(), span));
        Ok(())
    }

    fn push_value(&mut self, value: Value, span: Span, anchor: usize) -> Result<(), Error> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("the document expands to more than {MAX_NODES} values"),
            )
            .at(Location::new(self.file, span)));
        }
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.index.values.insert(String::new(), span);
                self.root = Some(value);
            }
            Some(Frame::Seq(items, _)) => {
                self.path.push(items.len().to_string());
                let ptr = self.pointer();
                self.path.pop();
                self.index.values.insert(ptr, span);
                if let Some(Frame::Seq(items, _)) = self.stack.last_mut() {
                    items.push(value);
                }
            }
            Some(Frame::Map { key, .. }) => {
                let Some((name, key_span)) = key.take() else {
                    return Ok(());
                };
                self.path.push(name.clone());
                let ptr = self.pointer();
                self.path.pop();
                self.index.keys.insert(ptr.clone(), key_span);
                self.index.values.insert(ptr, span);
                if let Some(Frame::Map { map, .. }) = self.stack.last_mut() {
                    map.insert(name, value);
                }
            }
        }
        Ok(())
    }
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves a scalar by the YAML 1.2 core schema: quoted and block scalars are strings;
/// plain scalars may be null, booleans, integers or floats.
fn scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Value::Number(n);
    }
    if looks_like_float(text)
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_owned())
}

fn integer(text: &str) -> Option<Number> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix != 10 && text.starts_with(['-', '+']) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if neg {
        let n = i64::try_from(magnitude).ok()?;
        Some(Number::from(-n))
    } else {
        Some(Number::from(magnitude))
    }
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && body.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<(Value, SpanIndex), Error> {
        parse(&SourceFile::new("t.yaml", text))
    }

    #[test]
    fn values_and_spans() -> Result<(), Error> {
        let (v, idx) = load("a: 1\nb:\n  c: \"x\"\n  d: [true, null, 2.5]\n")?;
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": {"c": "x", "d": [true, null, 2.5]}})
        );
        let c = idx.value("/b/c");
        assert_eq!((c.line, c.column), (3, 6));
        let k = idx.key("/b/c");
        assert_eq!((k.line, k.column), (3, 3));
        let d1 = idx.value("/b/d/1");
        assert_eq!((d1.line, d1.column), (4, 13));
        Ok(())
    }

    #[test]
    fn duplicate_keys_are_rejected_at_the_second() {
        let err = load("a: 1\nb: 2\na: 3\n").err();
        let loc = err
            .and_then(|e| e.location)
            .map(|l| (l.span.line, l.span.column));
        assert_eq!(loc, Some((3, 1)));
    }

    #[test]
    fn bad_yaml_is_located() {
        let err = load("a: [1, 2\nb: 3\n").err();
        assert!(err.is_some_and(|e| e.kind == ErrorKind::Yaml && e.location.is_some()));
    }

    #[test]
    fn deep_nesting_is_a_limit_error() {
        let text = "[".repeat(10_000);
        let err = load(&text).err();
        assert!(err.is_some_and(|e| e.kind == ErrorKind::Limit || e.kind == ErrorKind::Yaml));
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = load(&text).err();
        assert!(err.is_some_and(|e| e.kind == ErrorKind::Limit));
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(scalar("0x1F", ScalarStyle::Plain), serde_json::json!(31));
        assert_eq!(scalar("-7", ScalarStyle::Plain), serde_json::json!(-7));
        assert_eq!(scalar("1e3", ScalarStyle::Plain), serde_json::json!(1000.0));
        assert_eq!(
            scalar("02:00", ScalarStyle::Plain),
            serde_json::json!("02:00")
        );
        assert_eq!(
            scalar("true", ScalarStyle::SingleQuoted),
            serde_json::json!("true")
        );
        assert_eq!(
            scalar("lower(x)", ScalarStyle::Plain),
            serde_json::json!("lower(x)")
        );
    }
}
