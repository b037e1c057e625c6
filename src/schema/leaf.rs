//! Typed schema leaves: what a system's schema says about one field, parsed once into
//! [`Keyword`]s that every reader (the check's domain and proofs, witness candidates,
//! constraints and trace) uses, instead of each reading keywords by string.
//!
//! The walk keeps apart what holds for *every* value the system accepts (the field's own
//! keywords, `allOf`, `$ref`) from what holds only under a condition (`anyOf`, `oneOf`,
//! `if`/`then`/`else`, `not`, `dependentSchemas`, at the field or at any object above it).
//! Reading a branch as if it always held is unsound both ways: `anyOf [{nick ≤ 3}, {nick ≤
//! 100}]` does not make nick ≤ 3. Conditional limits are kept as [`Conditional`]s, which no
//! proof can discharge (README, "What `check` can prove").

use std::borrow::Cow;

use serde_json::Value;

use super::Charset;

/// A JSON Schema `type` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeName {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `integer` (any number with no fractional part, `1.0` included)
    Integer,
    /// `number`
    Number,
    /// `string`
    String,
    /// `array`
    Array,
    /// `object`
    Object,
}

impl TypeName {
    /// Every type, in JSON Schema's order.
    pub const ALL: [TypeName; 7] = [
        TypeName::Null,
        TypeName::Boolean,
        TypeName::Integer,
        TypeName::Number,
        TypeName::String,
        TypeName::Array,
        TypeName::Object,
    ];

    /// Parses a type name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The name used in schemas.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            TypeName::Null => "null",
            TypeName::Boolean => "boolean",
            TypeName::Integer => "integer",
            TypeName::Number => "number",
            TypeName::String => "string",
            TypeName::Array => "array",
            TypeName::Object => "object",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of JSON types (what `type: ["string", "null"]` allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeSet(u8);

impl TypeSet {
    /// Every type: no `type` keyword.
    pub const ANY: TypeSet = TypeSet(0x7f);

    /// The types a `type` keyword's value names; `None` when it is malformed.
    #[must_use]
    pub fn parse(v: &Value) -> Option<Self> {
        let mut bits = 0;
        match v {
            Value::String(s) => bits |= TypeName::from_name(s)?.bit(),
            Value::Array(items) => {
                for i in items {
                    bits |= TypeName::from_name(i.as_str()?)?.bit();
                }
            }
            _ => return None,
        }
        Some(TypeSet(bits))
    }

    /// Whether a value of type `t` passes. `number` admits integers too.
    #[must_use]
    pub fn allows(self, t: TypeName) -> bool {
        self.0 & t.bit() != 0 || (t == TypeName::Integer && self.0 & TypeName::Number.bit() != 0)
    }

    /// Both sets at once.
    #[must_use]
    pub fn meet(self, other: TypeSet) -> TypeSet {
        // `integer` ∩ `number` is `integer`.
        let mut bits = self.0 & other.0;
        for (a, b) in [(self, other), (other, self)] {
            if a.0 & TypeName::Integer.bit() != 0 && b.0 & TypeName::Number.bit() != 0 {
                bits |= TypeName::Integer.bit();
            }
        }
        TypeSet(bits)
    }

    /// The set without `t`.
    #[must_use]
    pub fn without(self, t: TypeName) -> TypeSet {
        TypeSet(self.0 & !t.bit())
    }

    /// Whether `v`'s JSON type is in the set, as the `type` keyword judges it (an
    /// integral float such as `1.0` is an `integer`).
    #[must_use]
    pub fn admits(self, v: &Value) -> bool {
        match v {
            Value::Null => self.allows(TypeName::Null),
            Value::Bool(_) => self.allows(TypeName::Boolean),
            Value::Number(n) => {
                self.allows(TypeName::Number)
                    || (self.allows(TypeName::Integer)
                        && (n.is_i64()
                            || n.is_u64()
                            || n.as_f64().is_some_and(|f| f.fract() == 0.0)))
            }
            Value::String(_) => self.allows(TypeName::String),
            Value::Array(_) => self.allows(TypeName::Array),
            Value::Object(_) => self.allows(TypeName::Object),
        }
    }

    /// Whether exactly the numeric types (integer and/or number) are allowed.
    #[must_use]
    pub fn only_numbers(self) -> bool {
        self.0 != 0 && self.0 & !(TypeName::Integer.bit() | TypeName::Number.bit()) == 0
    }

    /// Whether only `t` is allowed.
    #[must_use]
    pub fn only(self, t: TypeName) -> bool {
        self.0 == t.bit()
    }

    /// The names, for messages and emitted schemas.
    #[must_use]
    pub fn names(self) -> Vec<&'static str> {
        TypeName::ALL
            .into_iter()
            .filter(|t| self.0 & t.bit() != 0)
            .map(TypeName::name)
            .collect()
    }
}

/// One limit a schema puts on a field's value, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyword {
    /// `type`, with the value as written (its order is kept in messages).
    Type(TypeSet, Value),
    /// `minLength`
    MinLength(u64),
    /// `maxLength`
    MaxLength(u64),
    /// `x-maxBytes`: UTF-8 bytes.
    MaxBytes(u64),
    /// `x-maxBytes` beside an `x-encoding` other than UTF-8: bytes in that encoding.
    EncodedBytes(super::Encoding, u64),
    /// `x-encoding: cp1252`: only the characters Windows-1252 can store.
    Encodable(super::Encoding),
    /// `x-charset`
    Charset(Charset),
    /// `pattern` (the JSON Schema dialect, unanchored)
    Pattern(String),
    /// `format`
    Format(String),
    /// `enum`
    Enum(Vec<Value>),
    /// `const`
    Const(Value),
    /// `minimum`
    Minimum(f64),
    /// `maximum`
    Maximum(f64),
    /// `exclusiveMinimum` (draft 2020-12 number form)
    ExclusiveMinimum(f64),
    /// `exclusiveMaximum` (draft 2020-12 number form)
    ExclusiveMaximum(f64),
    /// `multipleOf`
    MultipleOf(f64),
    /// Limits on the parts of an object or array value (`properties`, `items`,
    /// `required`, …): vacuous for strings and numbers, unmodelled for objects.
    Structure(String, Value),
    /// A `false` schema: nothing passes.
    Never,
    /// A keyword ripple does not model: never proven, ignored when narrowing.
    Other(String, Value),
}

/// Keywords that say nothing about a value: annotations and what the walk itself follows.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "definitions",
    "$comment",
    "$anchor",
    "$vocabulary",
    "title",
    "description",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "allOf",
    "anyOf",
    "oneOf",
    "if",
    "then",
    "else",
    "not",
    "dependentSchemas",
    "dependencies",
];

/// Keywords about the parts of objects and arrays.
const STRUCTURE: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "items",
    "prefixItems",
    "additionalItems",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "propertyNames",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedProperties",
    "unevaluatedItems",
];

fn count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9e15)
            .map(|f| f as u64)
    })
}

impl Keyword {
    /// Parses one keyword of a schema object; `None` for annotations and for ripple's own
    /// annotations (`x-pii`, other `x-` keys).
    #[must_use]
    pub fn parse(name: &str, v: &Value) -> Option<Keyword> {
        if ANNOTATIONS.contains(&name) {
            return None;
        }
        if STRUCTURE.contains(&name) {
            return Some(Keyword::Structure(name.to_owned(), v.clone()));
        }
        let parsed = match name {
            "type" => TypeSet::parse(v).map(|t| Keyword::Type(t, v.clone())),
            "minLength" => count(v).map(Keyword::MinLength),
            "maxLength" => count(v).map(Keyword::MaxLength),
            "x-maxBytes" => count(v).map(Keyword::MaxBytes),
            "x-charset" => v
                .as_str()
                .and_then(Charset::from_name)
                .map(Keyword::Charset),
            "pattern" => v.as_str().map(|p| Keyword::Pattern(p.to_owned())),
            "format" => v.as_str().map(|f| Keyword::Format(f.to_owned())),
            "enum" => v.as_array().map(|a| Keyword::Enum(a.clone())),
            "const" => Some(Keyword::Const(v.clone())),
            "minimum" => v.as_f64().map(Keyword::Minimum),
            "maximum" => v.as_f64().map(Keyword::Maximum),
            "exclusiveMinimum" => v.as_f64().map(Keyword::ExclusiveMinimum),
            "exclusiveMaximum" => v.as_f64().map(Keyword::ExclusiveMaximum),
            "multipleOf" => v.as_f64().filter(|m| *m > 0.0).map(Keyword::MultipleOf),
            _ if name.starts_with("x-") => return None,
            _ => None,
        };
        Some(parsed.unwrap_or_else(|| Keyword::Other(name.to_owned(), v.clone())))
    }

    /// The keywords of one schema object, read together: `x-maxBytes` counts UTF-8 bytes
    /// unless the object names another `x-encoding`; then it is [`Keyword::EncodedBytes`]
    /// in that encoding. The encoding's own character set is [`Keyword::Charset`] for
    /// latin1 and [`Keyword::Encodable`] for cp1252.
    #[must_use]
    pub fn parse_object(map: &serde_json::Map<String, Value>) -> Vec<Keyword> {
        let encoding = super::Encoding::of(map);
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            match (k.as_str(), encoding) {
                ("x-maxBytes", e) if e != super::Encoding::Utf8 => {
                    out.push(match v.as_u64() {
                        Some(n) => Keyword::EncodedBytes(e, n),
                        None => Keyword::Other(k.clone(), v.clone()),
                    });
                }
                ("x-encoding", super::Encoding::Latin1) => {
                    out.push(Keyword::Charset(Charset::Latin1));
                }
                ("x-encoding", super::Encoding::Cp1252) => {
                    out.push(Keyword::Encodable(super::Encoding::Cp1252));
                }
                ("x-encoding", _)
                    if super::Encoding::from_name(v.as_str().unwrap_or("")).is_none() =>
                {
                    out.push(Keyword::Other(k.clone(), v.clone()));
                }
                _ => out.extend(Keyword::parse(k, v)),
            }
        }
        out
    }

    /// The keyword's name in schemas.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Keyword::Type(..) => "type",
            Keyword::MinLength(_) => "minLength",
            Keyword::MaxLength(_) => "maxLength",
            Keyword::MaxBytes(_) | Keyword::EncodedBytes(..) => "x-maxBytes",
            Keyword::Encodable(_) => "x-encoding",
            Keyword::Charset(_) => "x-charset",
            Keyword::Pattern(_) => "pattern",
            Keyword::Format(_) => "format",
            Keyword::Enum(_) => "enum",
            Keyword::Const(_) => "const",
            Keyword::Minimum(_) => "minimum",
            Keyword::Maximum(_) => "maximum",
            Keyword::ExclusiveMinimum(_) => "exclusiveMinimum",
            Keyword::ExclusiveMaximum(_) => "exclusiveMaximum",
            Keyword::MultipleOf(_) => "multipleOf",
            Keyword::Never => "false",
            Keyword::Structure(name, _) | Keyword::Other(name, _) => name,
        }
    }

    /// The keyword's value as written in schemas.
    #[must_use]
    pub fn value(&self) -> Value {
        match self {
            Keyword::MinLength(n)
            | Keyword::MaxLength(n)
            | Keyword::MaxBytes(n)
            | Keyword::EncodedBytes(_, n) => Value::from(*n),
            Keyword::Encodable(e) => Value::from(e.name()),
            Keyword::Charset(c) => Value::from(c.name()),
            Keyword::Pattern(s) | Keyword::Format(s) => Value::from(s.as_str()),
            Keyword::Enum(items) => Value::Array(items.clone()),
            Keyword::Type(_, v)
            | Keyword::Const(v)
            | Keyword::Structure(_, v)
            | Keyword::Other(_, v) => v.clone(),
            Keyword::Minimum(x)
            | Keyword::Maximum(x)
            | Keyword::ExclusiveMinimum(x)
            | Keyword::ExclusiveMaximum(x)
            | Keyword::MultipleOf(x) => number(*x),
            Keyword::Never => Value::Bool(false),
        }
    }
}

/// A whole number prints as one (`5`, not `5.0`).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// A limit on a field that holds only under a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    /// The applicator it sits under (`anyOf`, `oneOf`, `if`, `not`, `dependentSchemas`,
    /// or `enum`/`const` on an enclosing object).
    pub applicator: &'static str,
    /// The value keywords the branch puts on the field (`maxLength`, …).
    pub keywords: Vec<String>,
    /// The applicator sits on the field's own schema, not on an object above it: it limits
    /// the field's value alone (and a plain copy can carry it as it is, see
    /// [`Leaf::applicators`]).
    pub at_field: bool,
}

/// Everything a schema says about one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Leaf {
    /// Limits that hold for every value the system accepts at this field.
    pub keywords: Vec<Keyword>,
    /// Limits that hold only under a condition: ripple cannot prove them.
    pub conditional: Vec<Conditional>,
    /// Whether any subschema (conditional or not) names the field.
    pub declared: bool,
    /// The applicators on the field's own schema (`anyOf`, `oneOf`, `not`, `if`/`then`/
    /// `else`) as written: a plain copy carries them unchanged.
    pub applicators: Vec<(String, Value)>,
    /// Whether [`Leaf::applicators`] lists every applicator on the field's own schema (one
    /// holding a `$ref` is left out of it).
    pub applicators_complete: bool,
}

impl Leaf {
    /// The types every accepted value has (`ANY` without a `type`).
    #[must_use]
    pub fn types(&self) -> TypeSet {
        self.keywords.iter().fold(TypeSet::ANY, |t, k| match k {
            Keyword::Type(s, _) => t.meet(*s),
            _ => t,
        })
    }

    /// Whether the field's value set is exactly modelled: no conditional and no unmodelled
    /// keyword.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.conditional.is_empty()
            && !self.keywords.iter().any(|k| {
                // A UTF-16 byte limit bounds the characters only loosely (2 or 4 bytes
                // each); latin1 and cp1252 take one byte per character.
                matches!(
                    k,
                    Keyword::Other(..) | Keyword::EncodedBytes(super::Encoding::Utf16, _)
                )
            })
    }

    /// The finite set of values the field can take (`enum`, `const`, `boolean`), if any.
    /// Only unconditional keywords count: an `enum` inside one `anyOf` branch is not the
    /// field's whole value set.
    #[must_use]
    pub fn finite(&self) -> Option<Vec<Value>> {
        for k in &self.keywords {
            match k {
                Keyword::Enum(items) => return Some(items.clone()),
                Keyword::Const(v) => return Some(vec![v.clone()]),
                _ => {}
            }
        }
        let t = self.types();
        if !t.without(TypeName::Null).only(TypeName::Boolean) {
            return None;
        }
        let mut values = vec![Value::Bool(false), Value::Bool(true)];
        if t.allows(TypeName::Null) {
            values.insert(0, Value::Null);
        }
        Some(values)
    }

    /// Builds a leaf from the subschemas that always apply and the conditional limits.
    pub(super) fn build(must: &[&Value], conditional: Vec<Conditional>, declared: bool) -> Self {
        let mut keywords = Vec::new();
        let mut applicators = Vec::new();
        let mut applicators_complete = true;
        for sub in must {
            for k in ["anyOf", "oneOf", "not", "if", "then", "else"] {
                match sub.get(k) {
                    // One branch always applies; its keywords are read as the field's.
                    Some(Value::Array(items)) if items.len() == 1 => {}
                    // A `$ref` inside would not resolve where the limit is carried to.
                    Some(v) if !v.to_string().contains("\"$ref\"") => {
                        applicators.push((k.to_owned(), v.clone()));
                    }
                    Some(_) => applicators_complete = false,
                    None => {}
                }
            }
            match sub {
                Value::Bool(false) => keywords.push(Keyword::Never),
                Value::Object(map) => keywords.extend(Keyword::parse_object(map)),
                _ => {}
            }
        }
        Self {
            keywords,
            conditional,
            declared,
            applicators,
            applicators_complete,
        }
    }
}

/// The value keywords of a schema object, by name (for conditional limits).
pub(super) fn value_keywords(node: &Value) -> Vec<String> {
    node.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| k.as_str() == "x-encoding" || Keyword::parse(k, v).is_some())
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Splits a JSON Pointer into unescaped segments.
pub(super) fn segments(pointer: &str) -> Vec<Cow<'_, str>> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| {
            if s.contains('~') {
                Cow::Owned(s.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(s)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn type_sets() {
        let t = TypeSet::parse(&json!(["string", "null"])).unwrap();
        assert!(t.allows(TypeName::Null) && t.allows(TypeName::String));
        assert!(!t.allows(TypeName::Integer));
        let n = TypeSet::parse(&json!("number")).unwrap();
        assert!(n.allows(TypeName::Integer) && n.only_numbers());
        let i = TypeSet::parse(&json!("integer")).unwrap();
        assert_eq!(n.meet(i), i);
        assert!(TypeSet::parse(&json!(["string", 3])).is_none());
    }

    #[test]
    fn keywords_parse_once_and_round_trip() {
        for (k, v) in [
            ("maxLength", json!(8)),
            ("x-charset", json!("latin1")),
            ("type", json!(["string", "null"])),
            ("minimum", json!(5)),
            ("enum", json!(["a", 1])),
        ] {
            let kw = Keyword::parse(k, &v).unwrap();
            assert_eq!((kw.name(), kw.value()), (k, v));
        }
        assert_eq!(
            Keyword::parse("maxLength", &json!(3.0)),
            Some(Keyword::MaxLength(3))
        );
        assert_eq!(Keyword::parse("x-pii", &json!(true)), None);
        assert!(matches!(
            Keyword::parse("minItems", &json!(1)),
            Some(Keyword::Structure(..))
        ));
        assert!(matches!(
            Keyword::parse("uniqueness", &json!(1)),
            Some(Keyword::Other(..))
        ));
    }
}
