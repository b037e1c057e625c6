//! JSON Pointers (RFC 6901), written in one place: escaping a segment, walking a
//! document's leaves, setting a value by pointer.

use serde_json::{Map, Value};

/// Escapes one segment (`~` → `~0`, `/` → `~1`).
#[must_use]
pub fn escape(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_owned()
    }
}

/// Undoes [`escape`].
#[must_use]
pub fn unescape(segment: &str) -> String {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~")
    } else {
        segment.to_owned()
    }
}

/// `pointer` with one more segment.
#[must_use]
pub fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape(segment))
}

/// Every leaf value of `doc` with its pointer, in document order: values that are neither
/// objects nor non-empty arrays (an empty object has no leaf, an empty array is one).
#[must_use]
pub fn leaves(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), doc)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter().rev() {
                    stack.push((child(&pointer, k), v));
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push((format!("{pointer}/{i}"), v));
                }
            }
            other => out.push((pointer, other.clone())),
        }
    }
    out
}

/// Sets the value at `pointer`, creating objects on the way (a non-object on the way is
/// replaced by one).
pub fn put(doc: &mut Value, pointer: &str, value: Value) {
    let mut at = doc;
    for token in pointer.split('/').skip(1) {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        at = map.entry(unescape(token)).or_insert(Value::Null);
    }
    *at = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn segments_round_trip_and_leaves_have_pointers() {
        for s in ["a", "a/b", "m~n", "~1", ""] {
            assert_eq!(unescape(&escape(s)), s);
        }
        let doc = json!({"a": {"b/c": 1, "d": [true, {}]}, "e": []});
        let got: Vec<String> = leaves(&doc).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            got,
            ["/a/b~1c", "/a/d/0", "/e"],
            "an empty object has no leaf"
        );
        let mut out = json!({"a": 1});
        put(&mut out, "/a/x~1y", json!(2));
        put(&mut out, "/b", json!(3));
        assert_eq!(out, json!({"a": {"x/y": 2}, "b": 3}));
    }
}
