//! Parsing JSON into a value that is already there (README, "`cargo bench --bench
//! batch`"): batch validation reads one record per line, and consecutive lines are
//! usually records of the same shape. [`parse_into`] overwrites the previous line's
//! value in place: an object member whose key is the one at the same place last time
//! keeps its key and its slot in the map (no `String` for the key, no hashing), a string
//! overwrites the previous string's buffer. Whatever the value held before, the result is
//! the value `serde_json::from_str` gives, and so are the errors.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text` into `value`, reusing the keys, maps and strings `value` already has
/// where the new value has the same ones at the same places. On success `value` is what
/// `serde_json::from_str(text)` gives, and the answer is whether it has the same shape as
/// what `value` held: every object the same keys in the same order, every array the same
/// length, no object or array where there was none or the other way round (scalars may
/// differ). On an error (the same error) `value` holds anything (a later `parse_into`
/// overwrites it whole).
///
/// # Errors
/// `text` is not one JSON value.
pub fn parse_into(text: &str, value: &mut Value) -> Result<bool, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut changed = false;
    InPlace(value, &mut changed).deserialize(&mut de)?;
    de.end()?;
    Ok(!changed)
}

/// Deserializes a JSON value over the one it holds, noting a change of shape.
struct InPlace<'a>(&'a mut Value, &'a mut bool);

impl InPlace<'_> {
    /// Overwrites the value with a scalar.
    fn scalar(self, v: Value) {
        *self.1 |= matches!(self.0, Value::Array(_) | Value::Object(_));
        *self.0 = v;
    }
}

impl<'de> DeserializeSeed<'de> for InPlace<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for InPlace<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As `serde_json::Value` says.
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.scalar(Value::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.scalar(Value::Number(v.into()));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.scalar(Value::Number(v.into()));
        Ok(())
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<(), E> {
        // As `serde_json::Value` reads one.
        let de = serde::de::value::I128Deserializer::new(v);
        self.scalar(Value::Number(serde::Deserialize::deserialize(de)?));
        Ok(())
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<(), E> {
        let de = serde::de::value::U128Deserializer::new(v);
        self.scalar(Value::Number(serde::Deserialize::deserialize(de)?));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.scalar(Number::from_f64(v).map_or(Value::Null, Value::Number));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        match self.0 {
            Value::String(s) => {
                s.clear();
                s.push_str(v);
            }
            _ => self.scalar(Value::String(v.to_owned())),
        }
        Ok(())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.scalar(Value::String(v));
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.scalar(Value::Null);
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.scalar(Value::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.0.is_array() {
            *self.0 = Value::Array(Vec::new());
            *self.1 = true;
        }
        let changed = self.1;
        let Value::Array(items) = self.0 else {
            return Ok(());
        };
        let before = items.len();
        let mut n = 0;
        loop {
            if n == items.len() {
                items.push(Value::Null);
            }
            let Some(slot) = items.get_mut(n) else { break };
            if seq
                .next_element_seed(InPlace(slot, &mut *changed))?
                .is_none()
            {
                break;
            }
            n += 1;
        }
        *changed |= n != before;
        items.truncate(n);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        if !self.0.is_object() {
            *self.0 = Value::Object(Map::new());
            *self.1 = true;
        }
        let changed = self.1;
        let Value::Object(map) = self.0 else {
            return Ok(());
        };
        // Members whose key is the one at the same place last time, overwritten in place;
        // from the first other key on, the members are collected and inserted afresh (as
        // `serde_json` inserts every member: a repeated key keeps its first place and
        // takes its last value).
        let mut kept = 0;
        let mut rest: Vec<(String, Value)> = Vec::new();
        let mut members = map.iter_mut();
        loop {
            let (key, value) = members
                .next()
                .map_or((None, None), |(k, v)| (Some(k), Some(v)));
            match (access.next_key_seed(Key(key))?, value) {
                (None, _) => break,
                (Some(None), Some(value)) => {
                    access.next_value_seed(InPlace(value, &mut *changed))?;
                    kept += 1;
                }
                (Some(key), _) => {
                    let mut value = Value::Null;
                    access.next_value_seed(InPlace(&mut value, &mut *changed))?;
                    rest.push((key_or_empty(key), value));
                    break;
                }
            }
        }
        if !rest.is_empty() {
            loop {
                let Some(key) = access.next_key_seed(Key(None))? else {
                    break;
                };
                let mut value = Value::Null;
                access.next_value_seed(InPlace(&mut value, &mut *changed))?;
                rest.push((key_or_empty(key), value));
            }
        }
        *changed |= !rest.is_empty() || map.len() > kept;
        if map.len() > kept {
            let mut at = 0;
            map.retain(|_, _| {
                at += 1;
                at <= kept
            });
        }
        for (key, value) in rest {
            map.insert(key, value);
        }
        Ok(())
    }
}

/// A key [`Key`] read: `None` only when one was expected and it is that one (never
/// where this is called).
fn key_or_empty(key: Option<String>) -> String {
    key.unwrap_or_default()
}

/// Reads an object's key, compared with the key expected at its place: `None` when it is
/// that key (nothing copied), else the key.
struct Key<'a>(Option<&'a String>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match self.0 {
            Some(k) if k == v => None,
            _ => Some(v.to_owned()),
        })
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(match self.0 {
            Some(k) if *k == v => None,
            _ => Some(v),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Parses each text in turn into one value, checking each result (or error) against
    /// `serde_json::from_str`.
    fn same_as_serde(texts: &[String]) {
        let mut value = Value::Null;
        for text in texts {
            let expected: Result<Value, String> =
                serde_json::from_str(text).map_err(|e| e.to_string());
            let before = value.clone();
            let got = parse_into(text, &mut value).map_err(|e| e.to_string());
            match expected {
                Ok(v) => {
                    assert_eq!(got, Ok(same_shape(&before, &v)), "{text}");
                    assert_eq!(value, v, "{text}");
                    // The order of the members too (`preserve_order`).
                    assert_eq!(value.to_string(), v.to_string(), "{text}");
                }
                Err(e) => assert_eq!(got, Err(e), "{text}"),
            }
        }
    }

    /// Whether `a` and `b` have the same shape, as [`parse_into`] tells.
    fn same_shape(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && same_shape(va, vb))
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_shape(x, y))
            }
            (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
                false
            }
            _ => true,
        }
    }

    #[test]
    fn records_of_changing_shapes() {
        let texts = [
            r#"{"a": "x", "b": {"c": "y", "d": [1, 2]}, "e": null}"#,
            r#"{"a": "xx", "b": {"c": "yy", "d": [3]}, "e": true}"#,
            r#"{"a": "x", "e": 1.5, "b": {"d": [], "c": 7}}"#,
            r#"{"a": "x", "a": "z", "b": 1}"#,
            r#"{"b": 2, "a": "q", "b": 3}"#,
            r#"{}"#,
            r#"{"a": "x", "b": {"c": "y", "d": [1, 2, {"f": "g"}]}}"#,
            r#"{"a": "x", "b": {"c": "y", "d": [1, 2, {"f": "h"}]}}"#,
            r#"["a", {"a": 1}]"#,
            r#"{"a\"": "\u00e4\n", "b": 18446744073709551615, "c": -9223372036854775808}"#,
            r#"{"a": 1e400}"#,
            r#"{"a": "x""#,
            r#"{"a": "x"} x"#,
            r#"{"a": "x", 1: 2}"#,
            r#"{"a": "x",}"#,
            r#""just text""#,
            r#"{"a": "x", "b": {"c": "y", "d": [1, 2]}, "e": null}"#,
        ];
        same_as_serde(&texts.map(String::from));
    }

    #[test]
    fn deep_nesting_is_the_same_error() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        same_as_serde(&[deep, "[[1]]".into()]);
        let mut v = json!({"keep": "me"});
        assert!(parse_into("{\"keep\": ", &mut v).is_err());
        parse_into("{\"keep\": \"you\"}", &mut v).unwrap();
        assert_eq!(v, json!({"keep": "you"}));
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-c\u{e4}\"\\\\]{0,4}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-d]", inner), 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_sequence_of_values_parses_as_serde_does(
            values in prop::collection::vec(value(), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut texts: Vec<String> = values.iter().map(Value::to_string).collect();
            // One text cut short, for the errors.
            let last = texts[texts.len() - 1].clone();
            let at = cut.index(last.len() + 1);
            if last.is_char_boundary(at) {
                texts.push(last[..at].to_owned());
                texts.push(last);
            }
            same_as_serde(&texts);
        }
    }
}
