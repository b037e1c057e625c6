//! Field paths: `address.street`, `phones[0]`, or the JSON Pointer `/address/street`.

use std::fmt;

use serde_json::{Map, Value};

use super::ExprError;
use crate::error::ErrorKind;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path into a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

/// Whether `c` may start an identifier.
pub(crate) fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Whether `c` may continue an identifier.
pub(crate) fn ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl FieldPath {
    /// Parses a dotted path (`address.street`, `phones[0]`) or a JSON Pointer
    /// (`/address/street`, where all-digit tokens are indexes).
    ///
    /// # Errors
    /// A malformed path, with the span of the problem.
    pub fn parse(text: &str) -> Result<Self, ExprError> {
        if text.is_empty() {
            return Ok(Self::default());
        }
        if let Some(rest) = text.strip_prefix('/') {
            let segments = rest
                .split('/')
                .map(|t| {
                    let t = t.replace("~1", "/").replace("~0", "~");
                    match t.parse::<usize>() {
                        Ok(i) if !t.starts_with('+') => Segment::Index(i),
                        _ => Segment::Key(t),
                    }
                })
                .collect();
            return Ok(Self { segments });
        }
        let (path, end) = parse_dotted(text, 0)?;
        if end != text.len() {
            return Err(syntax(
                format!("unexpected `{}` in field path", &text[end..]),
                end..text.len(),
            ));
        }
        Ok(path)
    }

    /// A path from its segments.
    #[must_use]
    pub fn from_segments(segments: Vec<Segment>) -> Self {
        Self { segments }
    }

    /// The segments.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether any segment is an array index.
    #[must_use]
    pub fn has_index(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Index(_)))
    }

    /// The RFC 6901 JSON Pointer (`""` for the root).
    #[must_use]
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for s in &self.segments {
            out.push('/');
            match s {
                Segment::Key(k) => out.push_str(&crate::pointer::escape(k)),
                Segment::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    /// The value at this path in `doc`.
    #[must_use]
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        self.segments.iter().try_fold(doc, |v, s| match s {
            Segment::Key(k) => member(v.as_object()?, k),
            Segment::Index(i) => v.as_array()?.get(*i),
        })
    }

    /// Sets the value at this path, creating objects on the way.
    ///
    /// # Errors
    /// When a non-object stands in the way, or an index is out of range.
    pub fn set(&self, doc: &mut Value, value: Value) -> Result<(), String> {
        self.put(doc, value, false)
    }

    /// [`FieldPath::set`] into a record rewritten record after record (batch validation's
    /// derived records): each key is looked up before it is inserted, so a key the record
    /// already has is not copied again. The same result as `set`, at one more lookup per
    /// key the record does not have.
    ///
    /// # Errors
    /// As [`FieldPath::set`].
    pub fn overwrite(&self, doc: &mut Value, value: Value) -> Result<(), String> {
        self.put(doc, value, true)
    }

    /// The value at this path in a record rewritten record after record, to be
    /// overwritten in place (batch validation's derived records, README "`cargo bench
    /// --bench batch`"): as [`FieldPath::overwrite`] finds it, creating it (`null`) and the
    /// objects on the way when missing. Assigning to it gives what `overwrite` gives.
    ///
    /// # Errors
    /// As [`FieldPath::set`].
    pub fn slot_mut<'a>(&self, doc: &'a mut Value) -> Result<&'a mut Value, String> {
        self.place(doc, true)
    }

    fn put(&self, doc: &mut Value, value: Value, look_first: bool) -> Result<(), String> {
        *self.place(doc, look_first)? = value;
        Ok(())
    }

    /// Where a value at this path goes: the member or element, created (`null`) when it
    /// is missing, with the objects on the way (`look_first`: look each key up before
    /// inserting it).
    fn place<'a>(&self, doc: &'a mut Value, look_first: bool) -> Result<&'a mut Value, String> {
        let mut cur = doc;
        for s in &self.segments {
            cur = match s {
                Segment::Key(k) => {
                    if cur.is_null() {
                        *cur = Value::Object(Map::new());
                    }
                    let map = cur.as_object_mut().ok_or_else(|| {
                        format!("`{self}`: `{k}` is inside a value that is not an object")
                    })?;
                    match look_first.then(|| position(map, k)).flatten() {
                        Some(i) => map
                            .values_mut()
                            .nth(i)
                            .ok_or_else(|| format!("`{self}`: `{k}` vanished"))?,
                        None => map.entry(k.clone()).or_insert(Value::Null),
                    }
                }
                Segment::Index(i) => cur
                    .as_array_mut()
                    .and_then(|a| a.get_mut(*i))
                    .ok_or_else(|| format!("`{self}`: no element [{i}]"))?,
            };
        }
        Ok(cur)
    }

    /// The path one step up, if any.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        let (_, init) = self.segments.split_last()?;
        Some(Self {
            segments: init.to_vec(),
        })
    }

    /// Whether `prefix` is this path or one of its ancestors.
    #[must_use]
    pub fn starts_with(&self, prefix: &Self) -> bool {
        self.segments.starts_with(&prefix.segments)
    }
}

/// Objects of at most this many members are searched by comparing keys: cheaper than
/// hashing the key with SipHash, the only hasher `serde_json::Map` offers (lookups run for
/// every field of every record in a batch).
const SCAN: usize = 16;

/// The member `key` of `map`.
fn member<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= SCAN {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// Where the member `key` is in `map`'s order (`serde_json`'s `preserve_order`).
fn position(map: &Map<String, Value>, key: &str) -> Option<usize> {
    if map.len() <= SCAN {
        map.keys().position(|k| k == key)
    } else if map.contains_key(key) {
        map.keys().position(|k| k == key)
    } else {
        None
    }
}

fn syntax(message: String, span: std::ops::Range<usize>) -> ExprError {
    ExprError {
        kind: ErrorKind::Syntax,
        message,
        span,
        help: None,
    }
}

/// Parses a dotted path starting at byte `start`; returns it and the end offset.
pub(crate) fn parse_dotted(text: &str, start: usize) -> Result<(FieldPath, usize), ExprError> {
    let mut segments = Vec::new();
    let mut i = start;
    let ident = |i: usize| -> Result<(String, usize), ExprError> {
        let rest = &text[i..];
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if ident_start(c) => {}
            Some((_, c)) => {
                return Err(syntax(
                    format!("expected a field name, found `{c}`"),
                    i..i + c.len_utf8(),
                ));
            }
            None => return Err(syntax("expected a field name".into(), i..i)),
        }
        let len = rest
            .char_indices()
            .find(|&(_, c)| !ident_continue(c))
            .map_or(rest.len(), |(j, _)| j);
        Ok((rest[..len].to_owned(), i + len))
    };
    let (name, next) = ident(i)?;
    segments.push(Segment::Key(name));
    i = next;
    loop {
        match text[i..].chars().next() {
            Some('.') => {
                let (name, next) = ident(i + 1)?;
                segments.push(Segment::Key(name));
                i = next;
            }
            Some('[') => {
                let digits = text[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count();
                let close = i + 1 + digits;
                if digits == 0 || !text[close..].starts_with(']') {
                    return Err(syntax(
                        "expected `[digits]`".into(),
                        i..close.min(text.len()),
                    ));
                }
                let index = text[i + 1..close]
                    .parse::<usize>()
                    .map_err(|_| syntax("index too large".into(), i..close + 1))?;
                segments.push(Segment::Index(index));
                i = close + 1;
            }
            _ => break,
        }
    }
    Ok((FieldPath { segments }, i))
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, s) in self.segments.iter().enumerate() {
            match s {
                Segment::Key(k) if n == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dotted_and_pointer_forms_agree() {
        let a = FieldPath::parse("address.street").unwrap();
        let b = FieldPath::parse("/address/street").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.pointer(), "/address/street");
        assert_eq!(a.to_string(), "address.street");
        let p = FieldPath::parse("phones[1].number").unwrap();
        assert_eq!(p.pointer(), "/phones/1/number");
        assert!(p.has_index());
    }

    #[test]
    fn pointer_escaping_round_trips() {
        let p = FieldPath::from_segments(vec![Segment::Key("a/b~c".into())]);
        assert_eq!(p.pointer(), "/a~1b~0c");
        assert_eq!(FieldPath::parse(&p.pointer()).unwrap(), p);
    }

    #[test]
    fn get_and_set() {
        let mut doc = json!({});
        FieldPath::parse("a.b")
            .unwrap()
            .set(&mut doc, json!(1))
            .unwrap();
        assert_eq!(doc, json!({"a": {"b": 1}}));
        assert_eq!(FieldPath::parse("a.b").unwrap().get(&doc), Some(&json!(1)));
        assert!(
            FieldPath::parse("a.b.c")
                .unwrap()
                .set(&mut doc, json!(2))
                .is_err()
        );
        let doc = json!({"p": ["x", "y"]});
        assert_eq!(
            FieldPath::parse("p[1]").unwrap().get(&doc),
            Some(&json!("y"))
        );
        assert_eq!(FieldPath::parse("p[2]").unwrap().get(&doc), None);
    }

    #[test]
    fn bad_paths_are_errors() {
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("a[x]").is_err());
        assert!(FieldPath::parse("1abc").is_err());
        assert!(FieldPath::parse("a b").is_err());
    }
}
