//! What one field must satisfy, as a sufficient condition that can be pulled back through
//! mappings (README, "`ripple constraints`"): below the mapping functions, whose backward
//! rules produce it, and `constraints`, which walks it back along lineages.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::chars::{class_regex, describe_chars, regex_escape};
use super::{self as domain, Chars};

/// What one field must satisfy, in a form that can be pulled back through mappings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraint {
    /// Fewest characters.
    pub min_len: u64,
    /// Most characters.
    pub max_len: Option<u64>,
    /// Most UTF-8 bytes.
    pub max_bytes: Option<u64>,
    /// The characters allowed (`None`: any).
    pub chars: Option<Chars>,
    /// Substrings that must not occur.
    pub forbid: BTreeSet<String>,
    /// Bounds on the number of ASCII digits (`digits()` keeps only those).
    pub digits: Option<(u64, Option<u64>)>,
    /// Keywords that apply unchanged (the field is a plain copy of this one).
    pub verbatim: Vec<(String, Value)>,
    /// Those of [`Self::verbatim`] that the structured part states in full (a pattern that
    /// is one repeated character class): dropping them through a function loses nothing.
    pub captured: Vec<(String, Value)>,
    /// Limits that could not be written as a constraint on this field, and why.
    pub notes: Vec<String>,
    /// No value of this field can pass: the reason.
    pub never: Option<String>,
}

/// Keywords captured by the structured part of [`Constraint`]; everything else a schema
/// says about a leaf is kept verbatim and survives only plain copies.
pub(crate) const STRUCTURED: &[&str] = &["minLength", "maxLength", "x-maxBytes", "x-charset"];

impl Constraint {
    /// Whether the text `t` meets `c`'s structured limits (and `c` has no others).
    pub fn text_passes(&self, t: &str) -> bool {
        self.text_fits(t) && !self.text_verbatim()
    }

    /// Whether the text `t` meets `c`'s structured limits (length, bytes, characters,
    /// forbidden substrings, digits), whatever its verbatim keywords say.
    pub fn text_fits(&self, t: &str) -> bool {
        let c = self;
        let n = t.chars().count() as u64;
        c.never.is_none()
            && n >= c.min_len
            && c.max_len.is_none_or(|m| n <= m)
            && c.max_bytes.is_none_or(|m| t.len() as u64 <= m)
            && c.chars
                .as_ref()
                .is_none_or(|set| t.chars().all(|ch| domain::contains(set, ch)))
            && c.forbid.iter().all(|f| !t.contains(f.as_str()))
            && c.digits.is_none_or(|(lo, _)| lo == 0)
    }

    /// Keywords kept verbatim that ripple does not evaluate on a text of its own (a pattern, a
    /// format, an `anyOf` …): only a `type` that admits strings is known to pass.
    fn text_verbatim(&self) -> bool {
        let c = self;
        c.verbatim.iter().any(|(k, v)| {
            let string_type = k == "type"
                && crate::schema::TypeSet::parse(v)
                    .is_some_and(|t| t.allows(crate::schema::TypeName::String));
            let not_null = k == "not" && *v == json!({"type": "null"});
            // Number keywords do not apply to text.
            let numeric = matches!(
                k.as_str(),
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
            );
            !string_type && !not_null && !numeric && !c.captured.contains(&(k.clone(), v.clone()))
        })
    }

    /// The leaf constraints of the subschemas that apply to one field.
    #[must_use]
    pub fn from_schemas(subs: &[&Value]) -> Self {
        Self::from_pairs(
            subs.iter()
                .filter_map(|s| s.as_object())
                .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone()))),
        )
    }

    /// The constraint a system's schema puts on one field. Limits that hold only under a
    /// condition (`anyOf`, `if`, …) cannot be pulled back field by field: they become notes,
    /// and the field's effective constraint is then not a guarantee.
    #[must_use]
    pub fn from_leaf(leaf: &crate::schema::Leaf) -> Self {
        use crate::schema::Keyword;
        // ripple's own keywords the leaf could not read as modelled limits (a byte limit
        // in another encoding than UTF-8, the Windows-1252 character set) are not pulled
        // back: a note says so, and they are never taken for their UTF-8 namesakes.
        let unmodelled = |k: &Keyword| {
            matches!(k, Keyword::EncodedBytes(..) | Keyword::Encodable(_))
                || matches!(k, Keyword::Other(name, _) if name.starts_with("x-"))
        };
        let mut c = Self::from_pairs(
            leaf.keywords
                .iter()
                .filter(|k| !matches!(k, Keyword::Structure(..)) && !unmodelled(k))
                .map(|k| (k.name().to_owned(), k.value())),
        );
        for k in leaf.keywords.iter().filter(|k| unmodelled(k)) {
            c.notes.push(match k.name() {
                "x-maxBytes" => format!(
                    "x-maxBytes {} counts bytes in the system's x-encoding: not pulled back",
                    k.value()
                ),
                name => format!("{name} {} is not pulled back", k.value()),
            });
        }
        if leaf.keywords.contains(&Keyword::Never) {
            c.never = Some("the schema is `false` here".into());
        }
        // The field's own applicators hold as written (they survive plain copies and are
        // dropped, with a note, through functions); those on an object above it cannot
        // be pulled back field by field.
        c.verbatim.extend(leaf.applicators.iter().cloned());
        for cond in leaf.conditional.iter().filter(|c| !c.at_field) {
            c.notes.push(format!(
                "{} under `{}` hold only under a condition: not pulled back",
                cond.keywords.join(", "),
                cond.applicator
            ));
        }
        c
    }

    fn from_pairs(pairs: impl Iterator<Item = (String, Value)>) -> Self {
        let mut c = Self::default();
        {
            for (k, v) in pairs {
                let (k, v) = (&k, &v);
                if !is_value_keyword(k) || k == "false" {
                    continue;
                }
                match k.as_str() {
                    "minLength" => c.min_len = c.min_len.max(v.as_u64().unwrap_or(0)),
                    "maxLength" => c.max_len = min_opt(c.max_len, v.as_u64()),
                    "x-maxBytes" => c.max_bytes = min_opt(c.max_bytes, v.as_u64()),
                    "x-charset" => {
                        if let Some(set) = v.as_str().and_then(domain::charset) {
                            c.restrict_chars(&set);
                        }
                    }
                    "pattern" => {
                        let text = v.as_str().unwrap_or_default();
                        let simple = domain::simple_pattern(text);
                        // Bounds of other patterns are necessary, not sufficient: kept for
                        // comparisons, while the pattern itself stays verbatim.
                        if let Some((set, lo, hi)) =
                            simple.clone().or_else(|| domain::pattern_bounds(text))
                        {
                            c.restrict_chars(&set);
                            c.min_len = c.min_len.max(lo);
                            c.max_len = min_opt(c.max_len, hi);
                        }
                        if simple.is_some() {
                            c.captured.push((k.clone(), v.clone()));
                        }
                    }
                    _ => {}
                }
                if !STRUCTURED.contains(&k.as_str()) {
                    c.verbatim.push((k.clone(), v.clone()));
                }
            }
        }
        c
    }

    /// Whether it constrains nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Both constraints at once.
    pub fn meet(&mut self, other: &Self) {
        self.min_len = self.min_len.max(other.min_len);
        self.max_len = min_opt(self.max_len, other.max_len);
        self.max_bytes = min_opt(self.max_bytes, other.max_bytes);
        if let Some(c) = &other.chars {
            self.restrict_chars(c);
        }
        self.forbid.extend(other.forbid.iter().cloned());
        if let Some((lo, hi)) = other.digits {
            let (a, b) = self.digits.unwrap_or((0, None));
            let (lo, hi) = (a.max(lo), min_opt(b, hi));
            self.digits = Some((lo, hi));
            if hi.is_some_and(|h| h < lo) && self.never.is_none() {
                // At least `lo` and at most `hi < lo` digits: nothing passes (and `{lo,hi}`
                // would not be a valid pattern).
                self.never = Some(format!(
                    "at least {lo} and at most {} digits",
                    hi.unwrap_or(0)
                ));
            }
        }
        for kv in &other.verbatim {
            if !self.verbatim.contains(kv) {
                self.verbatim.push(kv.clone());
            }
        }
        for kv in &other.captured {
            if !self.captured.contains(kv) {
                self.captured.push(kv.clone());
            }
        }
        for n in &other.notes {
            if !self.notes.contains(n) {
                self.notes.push(n.clone());
            }
        }
        if self.never.is_none() {
            self.never.clone_from(&other.never);
        }
    }

    pub(crate) fn restrict_chars(&mut self, set: &Chars) {
        let mut c = self.chars.take().unwrap_or_else(domain::all_chars);
        c.intersect(set);
        self.chars = Some(c);
    }

    /// Whether `null` fails it: a `type` without `null`, or `not null`.
    #[must_use]
    pub fn excludes_null(&self) -> bool {
        self.typed_not_null() || self.verbatim.iter().any(|(k, v)| is_not_null((k, v)))
    }

    /// Whether a `type` limit already excludes `null` (so `not null` adds nothing).
    fn typed_not_null(&self) -> bool {
        self.verbatim.iter().any(|(k, v)| {
            k == "type"
                && crate::schema::TypeSet::parse(v)
                    .is_some_and(|t| !t.allows(crate::schema::TypeName::Null))
        })
    }

    /// The constraint as a JSON Schema fragment (ripple's `x-` keywords included).
    #[must_use]
    pub fn to_schema(&self) -> Value {
        let mut out = Map::new();
        if self.min_len > 0 {
            out.insert("minLength".into(), json!(self.min_len));
        }
        if let Some(n) = self.max_len {
            out.insert("maxLength".into(), json!(n));
        }
        if let Some(n) = self.max_bytes {
            out.insert("x-maxBytes".into(), json!(n));
        }
        let mut all = Vec::new();
        if let Some(chars) = &self.chars {
            match ["ascii", "latin1", "utf8mb3"]
                .into_iter()
                .find(|n| domain::charset(n).as_ref() == Some(chars))
            {
                Some(name) => {
                    out.insert("x-charset".into(), json!(name));
                }
                None => all.push(json!({ "pattern": format!("^{}*$", class_regex(chars)) })),
            }
        }
        if let Some((lo, hi)) = self.digits {
            let hi = hi.map_or(String::new(), |h| h.to_string());
            all.push(json!({ "pattern": format!("^[^0-9]*(?:[0-9][^0-9]*){{{lo},{hi}}}$") }));
        }
        if !self.forbid.is_empty() {
            let any: Vec<Value> = self
                .forbid
                .iter()
                .map(|s| json!({ "pattern": regex_escape(s) }))
                .collect();
            out.insert("not".into(), json!({ "anyOf": any }));
        }
        for (k, v) in &self.verbatim {
            if is_not_null((k, v)) && self.typed_not_null() {
                continue;
            }
            if out.contains_key(k) {
                all.push(json!({ k.clone(): v.clone() }));
            } else {
                out.insert(k.clone(), v.clone());
            }
        }
        if self.never.is_some() {
            return json!(false);
        }
        if !all.is_empty() {
            out.insert("allOf".into(), Value::Array(all));
        }
        Value::Object(out)
    }

    /// The constraint in words: "at most 8 characters, only [A-Za-z0-9]".
    #[must_use]
    pub fn describe(&self) -> String {
        if let Some(why) = &self.never {
            return format!("nothing can pass ({why})");
        }
        let mut out = Vec::new();
        match (self.min_len, self.max_len) {
            (0, None) => {}
            (0, Some(n)) => out.push(format!("at most {n} characters")),
            (m, None) => out.push(format!("at least {m} characters")),
            (m, Some(n)) if m == n => out.push(format!("exactly {n} characters")),
            (m, Some(n)) => out.push(format!("{m} to {n} characters")),
        }
        if let Some(n) = self.max_bytes {
            out.push(format!("at most {n} UTF-8 bytes"));
        }
        if let Some(c) = &self.chars {
            out.push(
                match ["ascii", "latin1", "utf8mb3"]
                    .into_iter()
                    .find(|n| domain::charset(n).as_ref() == Some(c))
                {
                    Some(name) => format!("{name} characters only"),
                    None => format!("only {}", describe_chars(c)),
                },
            );
        }
        match self.digits {
            Some((0, Some(h))) => out.push(format!("at most {h} digits")),
            Some((l, None)) => out.push(format!("at least {l} digits")),
            Some((l, Some(h))) => out.push(format!("{l} to {h} digits")),
            None => {}
        }
        for f in &self.forbid {
            out.push(format!("no {f:?}"));
        }
        for (k, v) in &self.verbatim {
            if k == "type" && v == "string" {
                continue;
            }
            if is_not_null((k, v)) {
                if !self.typed_not_null() {
                    out.push("not null".to_owned());
                }
                continue;
            }
            out.push(format!("{k} {v}"));
        }
        if out.is_empty() {
            "anything".into()
        } else {
            out.join(", ")
        }
    }

    /// The ways `self` is tighter than `own` (an entry field's own constraint), in words;
    /// empty when the own constraint already implies it as far as ripple can tell.
    #[must_use]
    pub fn tighter_than(&self, own: &Self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(why) = &self.never {
            out.push(format!("no value can pass: {why}"));
        }
        if let Some(n) = self.max_len
            && own.max_len.is_none_or(|o| o > n)
        {
            out.push(format!(
                "at most {n} characters (accepts {})",
                own.max_len.map_or("any length".into(), |o| o.to_string())
            ));
        }
        if self.min_len > own.min_len {
            out.push(format!(
                "at least {} characters (accepts {})",
                self.min_len, own.min_len
            ));
        }
        if let Some(n) = self.max_bytes {
            let own_bytes = match (own.max_bytes, own.max_len, &own.chars) {
                (Some(b), _, _) => Some(b),
                (None, Some(l), Some(c)) => Some(l * domain::width(c)),
                (None, Some(l), None) => Some(l * 4),
                _ => None,
            };
            if own_bytes.is_none_or(|o| o > n) {
                out.push(format!("at most {n} UTF-8 bytes"));
            }
        }
        // A class that takes in every character the origin allows narrows nothing (an
        // origin with no class of its own allows every character).
        if let Some(c) = &self.chars
            && !domain::subset(&own.chars.clone().unwrap_or_else(domain::all_chars), c)
        {
            out.push(format!("only {}", describe_chars(c)));
        }
        if self.digits.is_some() && own.digits.is_none() {
            out.push("a bounded number of digits".into());
        }
        for s in &self.forbid {
            if !own.forbid.contains(s) {
                out.push(format!("must not contain {s:?}"));
            }
        }
        let own_not_null =
            own.typed_not_null() || own.verbatim.iter().any(|(k, v)| is_not_null((k, v)));
        for (k, v) in &self.verbatim {
            if self.captured.iter().any(|(ck, cv)| ck == k && cv == v)
                || (own_not_null && is_not_null((k, v)))
            {
                continue;
            }
            if !own.verbatim.iter().any(|(ok, ov)| ok == k && ov == v) {
                out.push(format!("{k} {v}"));
            }
        }
        out
    }
}

/// `not: {type: null}`: what a function's argument must meet when the result may not be
/// `null` (functions give `null` for `null`).
fn is_not_null((k, v): (&String, &Value)) -> bool {
    k == "not" && *v == json!({"type": "null"})
}

pub(crate) fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Whether a schema keyword constrains a leaf value (rather than structure or annotation).
pub(crate) fn is_value_keyword(k: &str) -> bool {
    !matches!(
        crate::schema::Keyword::parse(k, &Value::Null),
        None | Some(crate::schema::Keyword::Structure(..))
    )
}
