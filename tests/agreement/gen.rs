//! The generator: small random pipelines (2–4 systems, one entry; up to [`MAX_SYSTEMS`]
//! with `RIPPLE_AGREE_SYSTEMS`, see [`Sizes`]) as a [`PipelineSpec`]
//! (plain data, so proptest shrinks it), rendered to real files — `pipeline.yaml` and
//! `schemas/*.json` — and loaded through the normal loader; and entry records biased to the
//! limits as [`RecordSpec`]s, resolved against the rendered pipeline (a record can repeat
//! the `from` literal of one of its `replace` calls).
//!
//! Every feature can be switched off with [`Features`] (all on by default); the CI
//! configuration is [`Features::ci`], which switches off only what a known bug makes fail.

use std::path::Path;

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use serde_json::{Map, Value, json};

/// What the generator may produce. One switch per feature, all on by default.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)]
pub struct Features {
    /// Branching graphs (a fork, a diamond) besides chains.
    pub dag: bool,
    /// Two-way syncs: a flow back to an earlier system that writes into fields it already
    /// has (`s1 → s0`), so a value can come back changed (an echo).
    pub round_trips: bool,
    /// The nested entry object `addr` {`street`, `city`} and mappings reading `addr.street`.
    pub nested: bool,
    /// Whole-object copies (`m0_1: addr`) with a nested field limited downstream (needs
    /// `nested`).
    pub object_copies: bool,
    /// Object-level `anyOf` whose branches limit different fields.
    pub object_any_of: bool,
    /// Object-level `oneOf` whose branches limit different fields.
    pub object_one_of: bool,
    /// Object-level `if`/`then`/`else`.
    pub object_if_then_else: bool,
    /// Object-level `dependentSchemas`.
    pub dependent_schemas: bool,
    /// Field-level `anyOf` (a string limit or another type).
    pub field_any_of: bool,
    /// `type` arrays: `["string","null"]`, `["string","integer"]`.
    pub type_arrays: bool,
    /// Fields with no `type` at all.
    pub untyped: bool,
    /// `integer`, `number`, `boolean` and `null` typed fields.
    pub non_string_types: bool,
    /// `maxLength`.
    pub lengths: bool,
    /// `minLength`.
    pub min_length: bool,
    /// `minLength` greater than `maxLength` (an unsatisfiable field) in one schema.
    pub contradictory_lengths: bool,
    /// `x-maxBytes`.
    pub max_bytes: bool,
    /// `x-charset` (ascii, latin1, utf8mb3).
    pub charset: bool,
    /// `pattern` (plain, `\d \s \w` classes).
    pub patterns: bool,
    /// Patterns with inline `(?i)`/`(?m)` flags.
    pub pattern_flags: bool,
    /// `format` (email, date).
    pub formats: bool,
    /// `enum` and `const`.
    pub enums: bool,
    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`.
    pub numeric: bool,
    /// Mapping functions, one switch each.
    pub fn_lower: bool,
    /// `upper`.
    pub fn_upper: bool,
    /// `trim`.
    pub fn_trim: bool,
    /// `ascii`.
    pub fn_ascii: bool,
    /// `truncate`.
    pub fn_truncate: bool,
    /// `concat` (with a literal, and of two fields).
    pub fn_concat: bool,
    /// `concat(x, y)` of two fields (besides `concat` with a literal).
    pub concat_two_fields: bool,
    /// `concat(x, x)`: one field twice.
    pub concat_same_field: bool,
    /// `replace` (literals that grow).
    pub fn_replace: bool,
    /// `digits`.
    pub fn_digits: bool,
    /// `pad_left`.
    pub fn_pad_left: bool,
    /// `part`.
    pub fn_part: bool,
    /// `default` (string and number fallbacks).
    pub fn_default: bool,
    /// `string`.
    pub fn_string: bool,
    /// `number`.
    pub fn_number: bool,
    /// Two functions composed (`upper(truncate(x, 3))`).
    pub composition: bool,
    /// Entry values: `null`.
    pub null_values: bool,
    /// Entry values: integers, integral floats (`1e3`, `42.0`), booleans.
    pub non_string_values: bool,
    /// Entry values: multi-byte and case-changing characters (ß, İ, ı, ǅ, ﬁ, ᾳ, ΐ, ŉ,
    /// U+2028, emoji).
    pub tricky_chars: bool,
}

impl Features {
    /// The switch called `name` (the field's name), for `RIPPLE_AGREE_OFF`.
    pub fn switch(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "dag" => &mut self.dag,
            "round_trips" => &mut self.round_trips,
            "nested" => &mut self.nested,
            "object_copies" => &mut self.object_copies,
            "object_any_of" => &mut self.object_any_of,
            "object_one_of" => &mut self.object_one_of,
            "object_if_then_else" => &mut self.object_if_then_else,
            "dependent_schemas" => &mut self.dependent_schemas,
            "field_any_of" => &mut self.field_any_of,
            "type_arrays" => &mut self.type_arrays,
            "untyped" => &mut self.untyped,
            "non_string_types" => &mut self.non_string_types,
            "lengths" => &mut self.lengths,
            "min_length" => &mut self.min_length,
            "contradictory_lengths" => &mut self.contradictory_lengths,
            "max_bytes" => &mut self.max_bytes,
            "charset" => &mut self.charset,
            "patterns" => &mut self.patterns,
            "pattern_flags" => &mut self.pattern_flags,
            "formats" => &mut self.formats,
            "enums" => &mut self.enums,
            "numeric" => &mut self.numeric,
            "fn_lower" => &mut self.fn_lower,
            "fn_upper" => &mut self.fn_upper,
            "fn_trim" => &mut self.fn_trim,
            "fn_ascii" => &mut self.fn_ascii,
            "fn_truncate" => &mut self.fn_truncate,
            "fn_concat" => &mut self.fn_concat,
            "concat_two_fields" => &mut self.concat_two_fields,
            "concat_same_field" => &mut self.concat_same_field,
            "fn_replace" => &mut self.fn_replace,
            "fn_digits" => &mut self.fn_digits,
            "fn_pad_left" => &mut self.fn_pad_left,
            "fn_part" => &mut self.fn_part,
            "fn_default" => &mut self.fn_default,
            "fn_string" => &mut self.fn_string,
            "fn_number" => &mut self.fn_number,
            "composition" => &mut self.composition,
            "null_values" => &mut self.null_values,
            "non_string_values" => &mut self.non_string_values,
            "tricky_chars" => &mut self.tricky_chars,
            _ => return None,
        })
    }

    /// Every switch's name.
    pub const NAMES: &'static [&'static str] = &[
        "dag",
        "round_trips",
        "nested",
        "object_copies",
        "object_any_of",
        "object_one_of",
        "object_if_then_else",
        "dependent_schemas",
        "field_any_of",
        "type_arrays",
        "untyped",
        "non_string_types",
        "lengths",
        "min_length",
        "contradictory_lengths",
        "max_bytes",
        "charset",
        "patterns",
        "pattern_flags",
        "formats",
        "enums",
        "numeric",
        "fn_lower",
        "fn_upper",
        "fn_trim",
        "fn_ascii",
        "fn_truncate",
        "fn_concat",
        "concat_two_fields",
        "concat_same_field",
        "fn_replace",
        "fn_digits",
        "fn_pad_left",
        "fn_part",
        "fn_default",
        "fn_string",
        "fn_number",
        "composition",
        "null_values",
        "non_string_values",
        "tricky_chars",
    ];

    /// The CI configuration of `property`: everything except what a known bug makes fail
    /// (each such gate names its fixture). No known bug is gated today.
    pub fn ci(_property: &str) -> Self {
        Self::default()
    }
}

impl Default for Features {
    fn default() -> Self {
        Self {
            dag: true,
            round_trips: true,
            nested: true,
            object_copies: true,
            object_any_of: true,
            object_one_of: true,
            object_if_then_else: true,
            dependent_schemas: true,
            field_any_of: true,
            type_arrays: true,
            untyped: true,
            non_string_types: true,
            lengths: true,
            min_length: true,
            contradictory_lengths: true,
            max_bytes: true,
            charset: true,
            patterns: true,
            pattern_flags: true,
            formats: true,
            enums: true,
            numeric: true,
            fn_lower: true,
            fn_upper: true,
            fn_trim: true,
            fn_ascii: true,
            fn_truncate: true,
            fn_concat: true,
            concat_two_fields: true,
            concat_same_field: true,
            fn_replace: true,
            fn_digits: true,
            fn_pad_left: true,
            fn_part: true,
            fn_default: true,
            fn_string: true,
            fn_number: true,
            composition: true,
            null_values: true,
            non_string_values: true,
            tricky_chars: true,
        }
    }
}

/// How the systems are connected (`s0` is the entry). Up to four systems the shapes are
/// the ones named; past four each repeats (see [`Topology::edges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// `s0 → s1 → s2 → s3`.
    Chain,
    /// `s0 → s1`, `s0 → s2`, then `s1 → s3` (a binary tree: `s{(i-1)/2} → s{i}`).
    Fork,
    /// `s0 → s1`, `s0 → s2`, `s1 → s3`, `s2 → s3` (three systems: `s1 → s2` closes it;
    /// past four a ladder: `s{i-2} → s{i}`, and `s{i-1} → s{i}` for odd `i`).
    Diamond,
    /// A chain with a flow back: `s1 → s0` (two systems), `s2 → s1` (three), `s3 → s0`
    /// (four; past four also `s{i} → s{i-3}` for every third `i`).
    RoundTrip,
}

impl Topology {
    /// The flows (from, to) for `n` systems, in an order where every source's inputs come
    /// first (a flow back last, writing into fields its target already has).
    pub fn edges(self, n: usize) -> Vec<(usize, usize)> {
        let chain = || (1..n).map(|i| (i - 1, i));
        match (self, n) {
            (Self::RoundTrip, 2) => vec![(0, 1), (1, 0)],
            (Self::Chain, _) | (_, 2) => chain().collect(),
            (Self::Fork, _) => (1..n).map(|i| ((i - 1) / 2, i)).collect(),
            (Self::Diamond, 3) => vec![(0, 1), (0, 2), (1, 2)],
            (Self::Diamond, _) => {
                let mut edges = vec![(0, 1), (0, 2)];
                for i in 3..n {
                    edges.push((i - 2, i));
                    if i % 2 == 1 {
                        edges.push((i - 1, i));
                    }
                }
                edges
            }
            (Self::RoundTrip, 3) => vec![(0, 1), (1, 2), (2, 1)],
            (Self::RoundTrip, _) => chain()
                .chain((3..n).step_by(3).map(|i| (i, i - 3)))
                .collect(),
        }
    }
}

/// The largest pipeline the generator makes (`RIPPLE_AGREE_SYSTEMS`).
pub const MAX_SYSTEMS: usize = 64;

/// How many systems a generated pipeline has: 2–4 by default (CI), or a range up to
/// [`MAX_SYSTEMS`] for a run at the size teams write (`RIPPLE_AGREE_SYSTEMS=10-50`).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// The fewest systems (at least 2).
    pub min: usize,
    /// The most systems.
    pub max: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        Self { min: 2, max: 4 }
    }
}

impl Sizes {
    /// Reads `N` (2 to N systems) or `MIN-MAX`; `None` when it is neither, or out of
    /// 2..=[`MAX_SYSTEMS`].
    pub fn parse(text: &str) -> Option<Self> {
        let (min, max) = match text.split_once('-') {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => (2, text.trim().parse().ok()?),
        };
        (2 <= min && min <= max && max <= MAX_SYSTEMS).then_some(Self { min, max })
    }

    /// Flow specs drawn per pipeline: one per flow of the largest topology past four
    /// systems, reused in turn up to four (as the CI seed has always drawn them).
    fn flow_specs(self) -> usize {
        if self.max <= 4 { 4 } else { 2 * self.max }
    }
}

/// A JSON `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// No `type` keyword.
    Untyped,
    /// `"string"`.
    String,
    /// `"integer"`.
    Integer,
    /// `"number"`.
    Number,
    /// `"boolean"`.
    Boolean,
    /// `"null"`.
    Null,
    /// `["string","null"]`.
    StringOrNull,
    /// `["string","integer"]`.
    StringOrInteger,
}

/// A branch of a field-level `anyOf`.
#[derive(Debug, Clone, Copy)]
pub enum Alt {
    /// `{"type":"string","maxLength":n}`.
    ShortString(u8),
    /// `{"type":"integer","maximum":n}`.
    SmallInteger(u8),
    /// `{"type":"null"}`.
    Null,
    /// `{"pattern":"^[0-9]+$"}`.
    DigitsPattern,
}

/// One leaf field's schema: every keyword ripple models, each optional.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// `type`.
    pub ty: Ty,
    /// `minLength`.
    pub min_length: Option<u8>,
    /// `maxLength`.
    pub max_length: Option<u8>,
    /// `x-maxBytes`.
    pub max_bytes: Option<u8>,
    /// `x-charset`: index into [`CHARSETS`].
    pub charset: Option<u8>,
    /// `pattern`: index into [`PATTERNS`].
    pub pattern: Option<u8>,
    /// `format`: index into [`FORMATS`].
    pub format: Option<u8>,
    /// `enum`: index into [`enums`].
    pub enumeration: Option<u8>,
    /// `const`: index into [`consts`].
    pub constant: Option<u8>,
    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
    pub bounds: [Option<i16>; 4],
    /// `multipleOf`: index into [`MULTIPLES`].
    pub multiple_of: Option<u8>,
    /// Field-level `anyOf`.
    pub any_of: Option<(Alt, Alt)>,
}

/// `x-charset` values.
pub const CHARSETS: &[&str] = &["ascii", "latin1", "utf8mb3"];
/// `x-encoding` values, chosen by an `x-maxBytes` limit `n` (`n % 8`, none from 4 on), so
/// the byte limit is counted in each encoding ripple knows while half the limits stay
/// plain UTF-8 (entry schemas must still accept most sampled records).
pub const ENCODINGS: &[&str] = &["utf-8", "utf-16", "latin1", "cp1252"];
/// `pattern` values; the first [`PLAIN_PATTERNS`] have no inline flags.
pub const PATTERNS: &[&str] = &[
    "^[a-z0-9]*$",
    "^[A-Z0-9 .-]*$",
    "^\\d{1,5}$",
    "^\\w*$",
    "^\\S+$",
    "^[^\\s]{0,8}$",
    "^[A-Za-z\\u00c0-\\u00ff' -]*$",
    "^[a-z]+(\\s[a-z]+)?$",
    "^[0-9]{1,6}$",
    "(?i)^[a-z]{0,6}$",
    "(?m)^[a-z]+$",
    "(?i)^[A-Z0-9]+$",
];
/// How many of [`PATTERNS`] have no inline flag.
pub const PLAIN_PATTERNS: usize = 9;
/// `format` values.
pub const FORMATS: &[&str] = &["email", "date"];
/// `multipleOf` values.
pub const MULTIPLES: &[f64] = &[1.0, 2.0, 0.5, 10.0];

/// `enum` values.
pub fn enums() -> Vec<Value> {
    vec![
        json!(["a", "b", "AB"]),
        json!(["", "x"]),
        json!([1, 2, 3]),
        json!(["1", "01", 1]),
        json!([null, "n/a"]),
        json!([true, "true"]),
    ]
}

/// `const` values.
pub fn consts() -> Vec<Value> {
    vec![json!("A"), json!(0), json!(null), json!("u")]
}

/// A mapping function, with its literal arguments (indices into the literal pools).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// The input itself.
    Copy,
    /// `lower(x)`.
    Lower,
    /// `upper(x)`.
    Upper,
    /// `trim(x)`.
    Trim,
    /// `ascii(x)`.
    Ascii,
    /// `truncate(x, n)`.
    Truncate(u8),
    /// `concat("lit", x)` (or `concat(x, "lit")` when the flag is set).
    ConcatLit(u8, bool),
    /// `concat(x, y)` with a second input.
    Concat2,
    /// `replace(x, from, to)`: index into [`REPLACES`].
    Replace(u8),
    /// `digits(x)`.
    Digits,
    /// `pad_left(x, n, c)`: c an index into [`PADS`].
    PadLeft(u8, u8),
    /// `part(x, sep, i)`: sep an index into [`SEPARATORS`].
    Part(u8, i8),
    /// `default(x, v)`: v an index into [`default_literals`].
    Default(u8),
    /// `string(x)`.
    String,
    /// `number(x)`.
    Number,
}

/// String literals for `concat`.
pub const LITERALS: &[&str] = &["u", "", "X-", "ä", "ß", "0", "a b", "😀"];
/// `replace` literals (`from`, `to`): `to` longer, or longer when upper-cased.
pub const REPLACES: &[(&str, &str)] = &[
    ("a", "aaa"),
    (" ", "__"),
    ("ß", "SS"),
    ("0", "00"),
    ("x", "ä"),
    ("-", "--"),
    ("i", "İ"),
];
/// `pad_left` characters.
pub const PADS: &[&str] = &["0", " ", "ä", "ß"];
/// `part` separators.
pub const SEPARATORS: &[&str] = &[" ", "-", "@", "."];

/// `default` fallbacks, as expression text.
pub fn default_literals() -> Vec<&'static str> {
    vec!["\"n/a\"", "\"\"", "0", "\"ß\"", "\"unknown-value\""]
}

/// A mapping's expression: `outer(inner(input))`.
#[derive(Debug, Clone)]
pub struct ExprSpec {
    /// Which source field (modulo the source's scalar fields).
    pub input: u8,
    /// A second source field, for `concat(x, y)`.
    pub input2: u8,
    /// The function applied to the input.
    pub inner: Func,
    /// A function applied to that, if any.
    pub outer: Option<Func>,
}

/// What a mapping writes.
#[derive(Debug, Clone)]
pub enum MappingSpec {
    /// A scalar target field.
    Scalar {
        /// The expression.
        expr: ExprSpec,
        /// The target field's schema.
        target: LeafSpec,
    },
    /// A whole-object copy (`m: addr`), the target object's `street` limited.
    ObjectCopy {
        /// Which source object (modulo the source's objects); a scalar copy of the same
        /// index when the source has none.
        which: u8,
        /// The target's `street` schema.
        street: LeafSpec,
    },
}

/// An object-level rule of a downstream system whose branches limit fields.
#[derive(Debug, Clone, Copy)]
pub enum RuleKind {
    /// `anyOf: [{f1 ≤ k1}, {f2 ≤ k2}]`.
    AnyOf,
    /// `oneOf: [{f1 ≤ k1}, {f2 ≤ k2}]`.
    OneOf,
    /// `if {f1 ≤ k1} then {f2 ≤ k2} else {f2 ascii lower}`.
    IfThenElse,
    /// `dependentSchemas: {f1: {f2 ≤ k2}}`.
    Dependent,
}

/// An object-level rule over two of the system's fields (indices modulo its fields).
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    /// The applicator.
    pub kind: RuleKind,
    /// First field.
    pub f1: u8,
    /// Second field.
    pub f2: u8,
    /// First limit.
    pub k1: u8,
    /// Second limit.
    pub k2: u8,
}

/// A downstream system: its object-level rules (its fields are what its flows write).
#[derive(Debug, Clone)]
pub struct SystemSpec {
    /// Object-level rules.
    pub rules: Vec<RuleSpec>,
}

/// A flow's mappings.
#[derive(Debug, Clone)]
pub struct FlowSpec {
    /// One to three mappings.
    pub mappings: Vec<MappingSpec>,
}

/// A whole pipeline.
#[derive(Debug, Clone)]
pub struct PipelineSpec {
    /// How many systems (2–4, or as [`Sizes`] says).
    pub n: usize,
    /// How they are connected.
    pub topology: Topology,
    /// The entry's leaf fields `a`, `b`, `c`.
    pub entry: [LeafSpec; 3],
    /// The entry's `addr` {`street`, `city`} (with [`Features::nested`]).
    pub addr: Option<(LeafSpec, LeafSpec)>,
    /// Downstream systems `s1`… (only the first `n - 1` are used).
    pub systems: Vec<SystemSpec>,
    /// Flows, in [`Topology::edges`] order (only as many as the topology has are used).
    pub flows: Vec<FlowSpec>,
    /// Whether `concat(x, y)` may read one field twice ([`Features::concat_same_field`]).
    pub concat_same_field: bool,
}

/// One entry value.
#[derive(Debug, Clone)]
pub enum ValSpec {
    /// A string from the pool of hard cases.
    Pool(u8),
    /// A random string.
    Text(String),
    /// `null`.
    Null,
    /// An integer.
    Int(i64),
    /// A float from [`FLOATS`].
    Float(u8),
    /// A boolean.
    Bool(bool),
    /// A string of ASCII digits, with leading zeros.
    Digits {
        /// How many zeros first.
        zeros: u8,
        /// The number after them.
        n: u16,
    },
    /// The `from` of one of the pipeline's `replace` calls, repeated, after a prefix.
    Literal {
        /// Which `replace` (modulo the pipeline's).
        which: u8,
        /// How many times.
        times: u8,
        /// A prefix.
        prefix: String,
    },
}

/// Hard strings: multi-byte and case-changing characters, digits with leading zeros and
/// spaces, number-like text.
pub const POOL: &[&str] = &[
    "",
    " ",
    "ß",
    "İ",
    "ı",
    "ǅ",
    "ﬁ",
    "ᾳ",
    "ΐ",
    "ŉ",
    "\u{2028}",
    "😀",
    "000123",
    "00012",
    "0012",
    "12345",
    "1.50",
    " 0012",
    "12 ",
    "007",
    "1e3",
    "42.0",
    "-7",
    "true",
    "null",
    "a@b.co",
    "2024-02-29",
    "2023-02-29",
    "abc\nDEF",
    "Straße",
    "İstanbul",
    "ﬁne",
    "ǅemal",
    "xxxxxxxxxxxx",
    "AB",
    "a",
    "01",
    "a b-c@d.e",
    "ääääää",
    "ßßßß",
];
/// Only ASCII among [`POOL`], for when [`Features::tricky_chars`] is off.
pub fn plain_pool() -> Vec<u8> {
    (0..POOL.len())
        .filter(|&i| POOL[i].is_ascii())
        .map(|i| u8::try_from(i).unwrap_or(0))
        .collect()
}
/// Integral and other floats.
pub const FLOATS: &[f64] = &[1e3, 42.0, 0.5, 1e21, 2.5, -0.0, 100.0];

/// An entry record: values for `a`, `b`, `c`, `addr.street`, `addr.city`.
#[derive(Debug, Clone)]
pub struct RecordSpec {
    /// `a`, `b`, `c`.
    pub leaves: [Option<ValSpec>; 3],
    /// `addr`: present, with `street` and `city`.
    pub addr: Option<(Option<ValSpec>, Option<ValSpec>)>,
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    on: bool,
    p: f64,
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if on && p > 0.0 {
        proptest::option::weighted(p.min(0.95), s).boxed()
    } else {
        Just(None).boxed()
    }
}

fn idx(n: usize) -> impl Strategy<Value = u8> + Clone {
    0..u8::try_from(n).unwrap_or(u8::MAX)
}

fn ty(f: &Features, entry: bool) -> BoxedStrategy<Ty> {
    let mut v: Vec<(u32, Ty)> = vec![(8, Ty::String)];
    if f.type_arrays {
        v.push((if entry { 4 } else { 2 }, Ty::StringOrNull));
        v.push((1, Ty::StringOrInteger));
    }
    if f.untyped {
        v.push((if entry { 4 } else { 2 }, Ty::Untyped));
    }
    if f.non_string_types {
        v.push((1, Ty::Integer));
        v.push((1, Ty::Number));
        if !entry {
            v.push((1, Ty::Boolean));
            v.push((1, Ty::Null));
        }
    }
    proptest::sample::select(
        v.iter()
            .flat_map(|(w, t)| std::iter::repeat_n(*t, *w as usize))
            .collect::<Vec<_>>(),
    )
    .boxed()
}

fn alt() -> impl Strategy<Value = Alt> {
    prop_oneof![
        (0u8..8).prop_map(Alt::ShortString),
        (0u8..50).prop_map(Alt::SmallInteger),
        Just(Alt::Null),
        Just(Alt::DigitsPattern),
    ]
}

/// A leaf schema; `p` is how likely each keyword is (entries are looser than targets).
pub fn leaf(f: &Features, p: f64, entry: bool) -> BoxedStrategy<LeafSpec> {
    let patterns = if f.pattern_flags {
        PATTERNS.len()
    } else {
        PLAIN_PATTERNS
    };
    let max_len = if entry { 3u8..30 } else { 0u8..12 };
    let max_bytes = if entry { 3u8..40 } else { 0u8..16 };
    let strings = (
        ty(f, entry),
        opt(f.min_length, p / 2.0, 0u8..4),
        opt(f.lengths, p * 2.0, max_len),
        opt(f.max_bytes, p, max_bytes),
        opt(f.charset, p, idx(CHARSETS.len())),
        // Entries lean to digit patterns, for number() and digits() downstream.
        opt(
            f.patterns,
            if entry { p * 2.0 } else { p },
            if entry {
                prop_oneof![Just(2u8), Just(8u8), idx(patterns)].boxed()
            } else {
                idx(patterns).boxed()
            },
        ),
        opt(f.formats, p / 3.0, idx(FORMATS.len())),
    );
    let others = (
        opt(f.enums, p / 3.0, idx(enums().len())),
        opt(f.enums, p / 4.0, idx(consts().len())),
        [
            opt(f.numeric, p, -5i16..200),
            opt(f.numeric, p, -5i16..200),
            opt(f.numeric, p / 2.0, -5i16..200),
            opt(f.numeric, p / 2.0, -5i16..200),
        ],
        opt(f.numeric, p / 2.0, idx(MULTIPLES.len())),
        opt(f.field_any_of, p / 2.0, (alt(), alt())),
    );
    let contradictory = f.contradictory_lengths;
    (strings, others)
        .prop_map(
            move |(
                (ty, min_length, max_length, max_bytes, charset, pattern, format),
                (enumeration, constant, bounds, multiple_of, any_of),
            )| LeafSpec {
                ty,
                min_length: match (min_length, max_length) {
                    (Some(lo), Some(hi)) if lo > hi && !contradictory => Some(hi),
                    (lo, _) => lo,
                },
                max_length,
                max_bytes,
                charset,
                pattern,
                format,
                enumeration,
                constant,
                bounds,
                multiple_of,
                any_of,
            },
        )
        .boxed()
}

fn func(f: &Features, outer: bool) -> BoxedStrategy<Func> {
    let mut v: Vec<BoxedStrategy<Func>> = Vec::new();
    if !outer {
        v.push(Just(Func::Copy).boxed());
    }
    let simple = [
        (f.fn_lower, Func::Lower),
        (f.fn_upper, Func::Upper),
        (f.fn_trim, Func::Trim),
        (f.fn_ascii, Func::Ascii),
        (f.fn_digits, Func::Digits),
        (f.fn_string, Func::String),
        (f.fn_number, Func::Number),
    ];
    for (on, func) in simple {
        if on {
            v.push(Just(func).boxed());
        }
    }
    if f.fn_truncate {
        v.push((0u8..8).prop_map(Func::Truncate).boxed());
    }
    if f.fn_concat {
        v.push(
            (idx(LITERALS.len()), any::<bool>())
                .prop_map(|(l, after)| Func::ConcatLit(l, after))
                .boxed(),
        );
        if f.concat_two_fields {
            v.push(Just(Func::Concat2).boxed());
        }
    }
    if f.fn_replace {
        v.push(idx(REPLACES.len()).prop_map(Func::Replace).boxed());
    }
    if f.fn_pad_left {
        v.push(
            (0u8..9, idx(PADS.len()))
                .prop_map(|(n, c)| Func::PadLeft(n, c))
                .boxed(),
        );
    }
    if f.fn_part {
        v.push(
            (idx(SEPARATORS.len()), -2i8..2)
                .prop_map(|(s, i)| Func::Part(s, i))
                .boxed(),
        );
    }
    if f.fn_default {
        v.push(
            idx(default_literals().len())
                .prop_map(Func::Default)
                .boxed(),
        );
    }
    if v.is_empty() {
        v.push(Just(Func::Copy).boxed());
    }
    Union::new(v).boxed()
}

fn expr(f: &Features) -> BoxedStrategy<ExprSpec> {
    (
        any::<u8>(),
        any::<u8>(),
        func(f, false),
        opt(f.composition, 0.35, func(f, true)),
    )
        .prop_map(|(input, input2, inner, outer)| ExprSpec {
            input,
            input2,
            inner,
            outer,
        })
        .boxed()
}

fn mapping(f: &Features) -> BoxedStrategy<MappingSpec> {
    let scalar = (expr(f), leaf(f, 0.3, false))
        .prop_map(|(expr, target)| MappingSpec::Scalar { expr, target })
        .boxed();
    if f.nested && f.object_copies {
        prop_oneof![
            5 => scalar,
            1 => (any::<u8>(), leaf(f, 0.5, false)).prop_map(|(which, street)| MappingSpec::ObjectCopy { which, street }),
        ]
        .boxed()
    } else {
        scalar
    }
}

fn rule(f: &Features) -> Option<BoxedStrategy<RuleSpec>> {
    let kinds: Vec<RuleKind> = [
        (f.object_any_of, RuleKind::AnyOf),
        (f.object_one_of, RuleKind::OneOf),
        (f.object_if_then_else, RuleKind::IfThenElse),
        (f.dependent_schemas, RuleKind::Dependent),
    ]
    .into_iter()
    .filter_map(|(on, k)| on.then_some(k))
    .collect();
    if kinds.is_empty() {
        return None;
    }
    Some(
        (
            proptest::sample::select(kinds),
            any::<u8>(),
            any::<u8>(),
            0u8..8,
            0u8..8,
        )
            .prop_map(|(kind, f1, f2, k1, k2)| RuleSpec {
                kind,
                f1,
                f2,
                k1,
                k2,
            })
            .boxed(),
    )
}

/// A whole pipeline of as many systems as `sizes` allows.
pub fn pipeline(f: &Features, sizes: Sizes) -> BoxedStrategy<PipelineSpec> {
    let topology = match (f.dag, f.round_trips) {
        (true, true) => prop_oneof![
            3 => Just(Topology::Chain),
            1 => Just(Topology::Fork),
            1 => Just(Topology::Diamond),
            1 => Just(Topology::RoundTrip)
        ]
        .boxed(),
        (true, false) => prop_oneof![
            3 => Just(Topology::Chain),
            1 => Just(Topology::Fork),
            1 => Just(Topology::Diamond)
        ]
        .boxed(),
        (false, true) => prop_oneof![
            3 => Just(Topology::Chain),
            1 => Just(Topology::RoundTrip)
        ]
        .boxed(),
        (false, false) => Just(Topology::Chain).boxed(),
    };
    let rules = match rule(f) {
        Some(r) => proptest::collection::vec(r, 0..=1)
            .prop_map(|rules| SystemSpec { rules })
            .boxed(),
        None => Just(SystemSpec { rules: Vec::new() }).boxed(),
    };
    let entry_leaf = leaf(f, 0.1, true);
    let concat_same_field = f.concat_same_field;
    (
        sizes.min..=sizes.max,
        topology,
        [entry_leaf.clone(), entry_leaf.clone(), entry_leaf.clone()],
        opt(f.nested, 0.6, (entry_leaf.clone(), entry_leaf)),
        proptest::collection::vec(rules, sizes.max - 1),
        proptest::collection::vec(
            proptest::collection::vec(mapping(f), 1..=3).prop_map(|mappings| FlowSpec { mappings }),
            sizes.flow_specs(),
        ),
    )
        .prop_map(
            move |(n, topology, entry, addr, systems, flows)| PipelineSpec {
                n,
                topology,
                entry,
                addr,
                systems,
                flows,
                concat_same_field,
            },
        )
        .boxed()
}

fn value(f: &Features) -> BoxedStrategy<ValSpec> {
    let pool: Vec<u8> = if f.tricky_chars {
        (0..POOL.len())
            .map(|i| u8::try_from(i).unwrap_or(0))
            .collect()
    } else {
        plain_pool()
    };
    let text = if f.tricky_chars {
        "[a-zA-Z0-9 ßİıǅﬁᾳΐŉ\u{2028}😀äÄ._@-]{0,10}"
    } else {
        "[a-zA-Z0-9 ._@-]{0,10}"
    };
    let mut v: Vec<(u32, BoxedStrategy<ValSpec>)> = vec![
        (
            4,
            proptest::sample::select(pool)
                .prop_map(ValSpec::Pool)
                .boxed(),
        ),
        (4, text.prop_map(ValSpec::Text).boxed()),
        (
            2,
            (0u8..4, 0u16..1000)
                .prop_map(|(zeros, n)| ValSpec::Digits { zeros, n })
                .boxed(),
        ),
        (
            2,
            (any::<u8>(), 1u8..6, "[a-z0-9 ]{0,2}")
                .prop_map(|(which, times, prefix)| ValSpec::Literal {
                    which,
                    times,
                    prefix,
                })
                .boxed(),
        ),
    ];
    if f.null_values {
        v.push((1, Just(ValSpec::Null).boxed()));
    }
    if f.non_string_values {
        v.push((
            2,
            prop_oneof![-3i64..200, Just(0i64), Just(123), Just(100_000), Just(-1)]
                .prop_map(ValSpec::Int)
                .boxed(),
        ));
        v.push((1, idx(FLOATS.len()).prop_map(ValSpec::Float).boxed()));
        v.push((1, any::<bool>().prop_map(ValSpec::Bool).boxed()));
    }
    proptest::strategy::Union::new_weighted(v).boxed()
}

/// An entry record.
pub fn record(f: &Features) -> BoxedStrategy<RecordSpec> {
    let v = value(f);
    let leafv = proptest::option::weighted(0.75, v.clone());
    (
        [leafv.clone(), leafv.clone(), leafv.clone()],
        opt(
            f.nested,
            0.6,
            (
                proptest::option::weighted(0.85, v.clone()),
                proptest::option::weighted(0.85, v),
            ),
        ),
    )
        .prop_map(|(leaves, addr)| RecordSpec { leaves, addr })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Rendering

/// A rendered pipeline: the YAML, each schema, and what records may use.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// `pipeline.yaml`.
    pub yaml: String,
    /// `schemas/<id>.json`, by system id.
    pub schemas: Vec<(String, Value)>,
    /// The `from` literals of every `replace` in the pipeline.
    pub replace_froms: Vec<String>,
    /// Whether the entry has `addr`.
    pub has_addr: bool,
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        let n = x as i64;
        json!(n)
    } else {
        json!(x)
    }
}

impl LeafSpec {
    /// The schema fragment.
    pub fn schema(&self) -> Value {
        let mut s = Map::new();
        match self.ty {
            Ty::Untyped => {}
            Ty::String => {
                s.insert("type".into(), json!("string"));
            }
            Ty::Integer => {
                s.insert("type".into(), json!("integer"));
            }
            Ty::Number => {
                s.insert("type".into(), json!("number"));
            }
            Ty::Boolean => {
                s.insert("type".into(), json!("boolean"));
            }
            Ty::Null => {
                s.insert("type".into(), json!("null"));
            }
            Ty::StringOrNull => {
                s.insert("type".into(), json!(["string", "null"]));
            }
            Ty::StringOrInteger => {
                s.insert("type".into(), json!(["string", "integer"]));
            }
        }
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                s.insert(k.into(), v);
            }
        };
        put("minLength", self.min_length.map(|n| json!(n)));
        put("maxLength", self.max_length.map(|n| json!(n)));
        put("x-maxBytes", self.max_bytes.map(|n| json!(n)));
        put(
            "x-encoding",
            self.max_bytes
                .and_then(|n| ENCODINGS.get(usize::from(n) % 8))
                .map(|e| json!(e)),
        );
        put(
            "x-charset",
            self.charset.map(|i| json!(CHARSETS[usize::from(i)])),
        );
        put(
            "pattern",
            self.pattern.map(|i| json!(PATTERNS[usize::from(i)])),
        );
        put(
            "format",
            self.format.map(|i| json!(FORMATS[usize::from(i)])),
        );
        put(
            "enum",
            self.enumeration.map(|i| enums()[usize::from(i)].clone()),
        );
        put(
            "const",
            self.constant.map(|i| consts()[usize::from(i)].clone()),
        );
        for (k, b) in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
            .iter()
            .zip(self.bounds)
        {
            put(k, b.map(|n| json!(n)));
        }
        put(
            "multipleOf",
            self.multiple_of.map(|i| number(MULTIPLES[usize::from(i)])),
        );
        if let Some((x, y)) = self.any_of {
            put("anyOf", Some(json!([alt_schema(x), alt_schema(y)])));
        }
        Value::Object(s)
    }
}

fn alt_schema(a: Alt) -> Value {
    match a {
        Alt::ShortString(n) => json!({"type": "string", "maxLength": n}),
        Alt::SmallInteger(n) => json!({"type": "integer", "maximum": n}),
        Alt::Null => json!({"type": "null"}),
        Alt::DigitsPattern => json!({"pattern": "^[0-9]+$"}),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn render_func(func: Func, x: &str, y: &str, froms: &mut Vec<String>) -> String {
    match func {
        Func::Copy => x.to_owned(),
        Func::Lower => format!("lower({x})"),
        Func::Upper => format!("upper({x})"),
        Func::Trim => format!("trim({x})"),
        Func::Ascii => format!("ascii({x})"),
        Func::Truncate(n) => format!("truncate({x}, {n})"),
        Func::ConcatLit(l, after) => {
            let l = quote(LITERALS[usize::from(l)]);
            if after {
                format!("concat({x}, {l})")
            } else {
                format!("concat({l}, {x})")
            }
        }
        Func::Concat2 => format!("concat({x}, {y})"),
        Func::Replace(i) => {
            let (from, to) = REPLACES[usize::from(i)];
            froms.push(from.to_owned());
            format!("replace({x}, {}, {})", quote(from), quote(to))
        }
        Func::Digits => format!("digits({x})"),
        Func::PadLeft(n, c) => format!("pad_left({x}, {n}, {})", quote(PADS[usize::from(c)])),
        Func::Part(s, i) => format!("part({x}, {}, {i})", quote(SEPARATORS[usize::from(s)])),
        Func::Default(v) => format!("default({x}, {})", default_literals()[usize::from(v)]),
        Func::String => format!("string({x})"),
        Func::Number => format!("number({x})"),
    }
}

/// The fields of one system: scalar paths (dotted) and objects.
#[derive(Debug, Clone, Default)]
struct Fields {
    scalars: Vec<String>,
    objects: Vec<String>,
}

fn pick(list: &[String], i: u8) -> &str {
    &list[usize::from(i) % list.len()]
}

fn rule_schema(rule: RuleSpec, fields: &[String]) -> Option<Value> {
    if fields.is_empty() {
        return None;
    }
    let f1 = pick(fields, rule.f1);
    let f2 = pick(fields, rule.f2);
    let limit = |f: &str, k: u8| json!({"properties": {f: {"maxLength": k}}});
    Some(match rule.kind {
        RuleKind::AnyOf => json!({"anyOf": [limit(f1, rule.k1), limit(f2, rule.k2)]}),
        RuleKind::OneOf => json!({"oneOf": [limit(f1, rule.k1), limit(f2, rule.k2)]}),
        RuleKind::IfThenElse => json!({
            "if": limit(f1, rule.k1),
            "then": limit(f2, rule.k2),
            "else": {"properties": {f2: {"pattern": "^[a-z]*$"}}}
        }),
        RuleKind::Dependent => json!({"dependentSchemas": {f1: limit(f2, rule.k2)}}),
    })
}

impl PipelineSpec {
    /// A downstream field's schema: `spec`'s, or none on a pipeline of up to four systems
    /// with a round trip (whose every system must accept a value for it to come back at
    /// all; past four the schemas stay, or a large round trip would limit nothing).
    fn downstream(&self, spec: &LeafSpec) -> Value {
        if self.topology == Topology::RoundTrip && self.n <= 4 {
            json!({})
        } else {
            spec.schema()
        }
    }

    /// The pipeline's files.
    pub fn render(&self) -> Rendered {
        let edges = self.topology.edges(self.n);
        let mut fields: Vec<Fields> = vec![Fields::default(); self.n];
        let mut props: Vec<Map<String, Value>> = vec![Map::new(); self.n];
        for (name, l) in ["a", "b", "c"].iter().zip(&self.entry) {
            fields[0].scalars.push((*name).to_owned());
            props[0].insert((*name).to_owned(), l.schema());
        }
        if let Some((street, city)) = &self.addr {
            fields[0].scalars.push("addr.street".into());
            fields[0].scalars.push("addr.city".into());
            fields[0].objects.push("addr".into());
            props[0].insert(
                "addr".into(),
                json!({"type": "object", "properties": {"street": street.schema(), "city": city.schema()}}),
            );
        }
        let mut froms = Vec::new();
        let mut flows_yaml = String::new();
        for (fi, &(from, to)) in edges.iter().enumerate() {
            let spec = &self.flows[fi % self.flows.len()];
            let _ = std::fmt::Write::write_fmt(
                &mut flows_yaml,
                format_args!("  - from: s{from}\n    to: s{to}\n    map:\n"),
            );
            let src = fields[from].clone();
            // A flow back writes into fields the system already has.
            let targets: Vec<String> = fields[to]
                .scalars
                .iter()
                .filter(|n| !n.contains('.'))
                .cloned()
                .collect();
            if to < from && !targets.is_empty() && !src.scalars.is_empty() {
                let mut used: Vec<&str> = Vec::new();
                for m in &spec.mappings {
                    let MappingSpec::Scalar { expr, .. } = m else {
                        continue;
                    };
                    let name = pick(&targets, expr.input2);
                    if used.contains(&name) {
                        continue;
                    }
                    used.push(name);
                    let x = pick(&src.scalars, expr.input);
                    let mut text = render_func(expr.inner, x, x, &mut froms);
                    if let Some(outer) = expr.outer {
                        text = render_func(outer, &text, x, &mut froms);
                    }
                    let _ = std::fmt::Write::write_fmt(
                        &mut flows_yaml,
                        format_args!("      {name}: {}\n", quote(&text)),
                    );
                }
                if used.is_empty() {
                    let name = pick(&targets, 0);
                    let x = pick(&src.scalars, 0);
                    let _ = std::fmt::Write::write_fmt(
                        &mut flows_yaml,
                        format_args!("      {name}: {}\n", quote(x)),
                    );
                }
                continue;
            }
            for (mi, m) in spec.mappings.iter().enumerate() {
                match m {
                    MappingSpec::ObjectCopy { which, street } if !src.objects.is_empty() => {
                        let name = format!("m{fi}_{mi}");
                        let source = pick(&src.objects, *which);
                        let _ = std::fmt::Write::write_fmt(
                            &mut flows_yaml,
                            format_args!("      {name}: {}\n", quote(source)),
                        );
                        fields[to].scalars.push(format!("{name}.street"));
                        fields[to].scalars.push(format!("{name}.city"));
                        fields[to].objects.push(name.clone());
                        props[to].insert(
                            name,
                            json!({"type": "object", "properties": {"street": self.downstream(street), "city": {}}}),
                        );
                    }
                    MappingSpec::ObjectCopy { which, street } => {
                        let name = format!("t{fi}_{mi}");
                        let source = pick(&src.scalars, *which);
                        let _ = std::fmt::Write::write_fmt(
                            &mut flows_yaml,
                            format_args!("      {name}: {}\n", quote(source)),
                        );
                        fields[to].scalars.push(name.clone());
                        props[to].insert(name, street.schema());
                    }
                    MappingSpec::Scalar { expr, target } => {
                        let name = format!("t{fi}_{mi}");
                        let x = pick(&src.scalars, expr.input);
                        let mut y = pick(&src.scalars, expr.input2);
                        if y == x && !self.concat_same_field {
                            // Another field, or a literal when there is none.
                            y = src
                                .scalars
                                .iter()
                                .find(|s| *s != x)
                                .map_or("\"u\"", String::as_str);
                        }
                        let mut text = render_func(expr.inner, x, y, &mut froms);
                        if let Some(outer) = expr.outer {
                            text = render_func(outer, &text, y, &mut froms);
                        }
                        let _ = std::fmt::Write::write_fmt(
                            &mut flows_yaml,
                            format_args!("      {name}: {}\n", quote(&text)),
                        );
                        fields[to].scalars.push(name.clone());
                        props[to].insert(name, self.downstream(target));
                    }
                }
            }
        }
        let mut yaml = String::from("version: 1\nname: generated\nsystems:\n");
        let mut schemas = Vec::new();
        for (i, p) in props.into_iter().enumerate() {
            let entry = if i == 0 { ", entry: true" } else { "" };
            let _ = std::fmt::Write::write_fmt(
                &mut yaml,
                format_args!("  s{i}: {{ name: S{i}, schema: schemas/s{i}.json{entry} }}\n"),
            );
            let top: Vec<String> = p.keys().filter(|k| !k.starts_with('m')).cloned().collect();
            let mut schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": p,
            });
            if i > 0 {
                let rules: Vec<Value> = self.systems[(i - 1) % self.systems.len()]
                    .rules
                    .iter()
                    .filter_map(|r| rule_schema(*r, &top))
                    .collect();
                if !rules.is_empty() {
                    schema["allOf"] = Value::Array(rules);
                }
            }
            schemas.push((format!("s{i}"), schema));
        }
        yaml.push_str("flows:\n");
        yaml.push_str(&flows_yaml);
        froms.sort();
        froms.dedup();
        Rendered {
            yaml,
            schemas,
            replace_froms: froms,
            has_addr: self.addr.is_some(),
        }
    }
}

impl Rendered {
    /// Writes `pipeline.yaml` and `schemas/*.json` into `dir`; returns the pipeline path.
    ///
    /// # Errors
    /// When a file cannot be written.
    pub fn write(&self, dir: &Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir.join("schemas"))?;
        for (id, schema) in &self.schemas {
            let text = serde_json::to_string_pretty(schema).unwrap_or_default();
            std::fs::write(dir.join("schemas").join(format!("{id}.json")), text + "\n")?;
        }
        let path = dir.join("pipeline.yaml");
        std::fs::write(&path, &self.yaml)?;
        Ok(path)
    }

    /// The entry record a [`RecordSpec`] stands for.
    pub fn record(&self, spec: &RecordSpec) -> Value {
        let mut r = Map::new();
        for (name, v) in ["a", "b", "c"].iter().zip(&spec.leaves) {
            if let Some(v) = v {
                r.insert((*name).to_owned(), self.value(v));
            }
        }
        if let Some((street, city)) = spec.addr.as_ref().filter(|_| self.has_addr) {
            let mut a = Map::new();
            if let Some(v) = street {
                a.insert("street".into(), self.value(v));
            }
            if let Some(v) = city {
                a.insert("city".into(), self.value(v));
            }
            r.insert("addr".into(), Value::Object(a));
        }
        Value::Object(r)
    }

    fn value(&self, v: &ValSpec) -> Value {
        match v {
            ValSpec::Pool(i) => json!(POOL[usize::from(*i) % POOL.len()]),
            ValSpec::Text(s) => json!(s),
            ValSpec::Null => Value::Null,
            ValSpec::Int(n) => json!(n),
            ValSpec::Float(i) => json!(FLOATS[usize::from(*i) % FLOATS.len()]),
            ValSpec::Bool(b) => json!(b),
            ValSpec::Digits { zeros, n } => {
                json!(format!("{}{n}", "0".repeat(usize::from(*zeros))))
            }
            ValSpec::Literal {
                which,
                times,
                prefix,
            } => {
                let from = if self.replace_froms.is_empty() {
                    "a"
                } else {
                    &self.replace_froms[usize::from(*which) % self.replace_froms.len()]
                };
                json!(format!("{prefix}{}", from.repeat(usize::from(*times))))
            }
        }
    }
}
