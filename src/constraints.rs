//! Effective constraints: what an entry field must satisfy so that no system downstream
//! rejects what is derived from it (SPEC 2, 4.3, 4.4).
//!
//! A downstream limit is pulled back through each mapping to the fields it reads, hop by
//! hop, until it reaches an entry system. Each function has a pull-back rule that keeps the
//! result *sufficient*: a value that satisfies the pulled-back constraint always satisfies
//! the original one after the mapping. Where the exact condition cannot be written as JSON
//! Schema (a sum of two fields' lengths, `trim` emptying a string, `number` parsing), the
//! rule says so in a note instead of guessing, and the emitted schema leaves it out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::check::domain::{self, Chars};
use crate::expr::{Expr, ExprKind, FieldPath, Func};
use crate::pipeline::{FlowId, Pipeline, SystemId};

/// Most chains followed backwards from one field, so a dense graph cannot explode a trace.
const MAX_CHAINS: usize = 10_000;

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
const STRUCTURED: &[&str] = &["minLength", "maxLength", "x-maxBytes", "x-charset"];

impl Constraint {
    /// The leaf constraints of the subschemas that apply to one field.
    #[must_use]
    pub fn from_schemas(subs: &[&Value]) -> Self {
        let mut c = Self::default();
        for sub in subs {
            let Some(map) = sub.as_object() else { continue };
            for (k, v) in map {
                if !is_value_keyword(k) {
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
            self.digits = Some((a.max(lo), min_opt(b, hi)));
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

    fn restrict_chars(&mut self, set: &Chars) {
        let mut c = self.chars.take().unwrap_or_else(domain::all_chars);
        c.intersect(set);
        self.chars = Some(c);
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
        if let Some(c) = &self.chars
            && own.chars.as_ref().is_none_or(|o| !domain::subset(o, c))
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
        for (k, v) in &self.verbatim {
            if self.captured.iter().any(|(ck, cv)| ck == k && cv == v) {
                continue;
            }
            if !own.verbatim.iter().any(|(ok, ov)| ok == k && ov == v) {
                out.push(format!("{k} {v}"));
            }
        }
        out
    }
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Whether a schema keyword constrains a leaf value (rather than structure or annotation).
fn is_value_keyword(k: &str) -> bool {
    !crate::check::STRUCTURAL_KEYWORDS.contains(&k)
        && (!k.starts_with("x-") || matches!(k, "x-maxBytes" | "x-charset"))
}

/// A character class in the JSON Schema (ECMA 262) regex dialect.
fn class_regex(chars: &Chars) -> String {
    let mut negated = chars.clone();
    negated.negate();
    let (set, mut out) = if negated.ranges().len() < chars.ranges().len() {
        (&negated, String::from("[^"))
    } else {
        (chars, String::from("["))
    };
    if set.ranges().is_empty() {
        // The empty class `[]` matches nothing; `[^]` is not portable.
        return if out == "[" {
            "[]".into()
        } else {
            "[\\s\\S]".into()
        };
    }
    for r in set.ranges() {
        push_class_char(&mut out, r.start());
        if r.end() != r.start() {
            if u32::from(r.end()) > u32::from(r.start()) + 1 {
                out.push('-');
            }
            push_class_char(&mut out, r.end());
        }
    }
    out.push(']');
    out
}

/// A character set for people: the class when it is short, else its ASCII part and a count
/// of the rest.
fn describe_chars(chars: &Chars) -> String {
    let full = class_regex(chars);
    if full.chars().count() <= 60 {
        return full;
    }
    let mut ascii = chars.clone();
    ascii.intersect(&domain::chars_of(&[('\0', '\x7f')]));
    let mut rest = chars.clone();
    rest.difference(&ascii);
    let n = domain::count(&rest);
    let all = domain::count(&domain::chars_of(&[('\u{80}', char::MAX)]));
    let others = if n * 2 > all {
        format!("all but {} non-ASCII characters", all.saturating_sub(n))
    } else {
        format!("{n} non-ASCII characters")
    };
    format!("{} and {others}", class_regex(&ascii))
}

fn push_class_char(out: &mut String, c: char) {
    match c {
        '\\' | ']' | '[' | '^' | '-' => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_graphic() || c == ' ' => out.push(c),
        c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        c => out.push(c),
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Characters whose upper/lower case differs from themselves; computed once.
fn cased() -> &'static [char] {
    static CASED: OnceLock<Vec<char>> = OnceLock::new();
    CASED.get_or_init(|| {
        (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| {
                let mut u = c.to_uppercase();
                let mut l = c.to_lowercase();
                !(u.next() == Some(c) && u.next().is_none() && l.next() == Some(c))
                    || l.next().is_some()
            })
            .collect()
    })
}

/// The scalar value after `c`, skipping the surrogate gap.
fn next_char(c: char) -> Option<char> {
    if c == '\u{D7FF}' {
        return Some('\u{E000}');
    }
    char::from_u32(u32::from(c) + 1)
}

fn set_of(chars: impl IntoIterator<Item = char>) -> Chars {
    let mut v: Vec<char> = chars.into_iter().collect();
    v.sort_unstable();
    let mut ranges: Vec<(char, char)> = Vec::new();
    for c in v {
        match ranges.last_mut() {
            Some((_, end)) if next_char(*end) == Some(c) => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    domain::chars_of(&ranges)
}

/// The characters `c` for which `f(c)` only holds characters of `target`, where `f` changes
/// only the characters in `changed` (every other character maps to itself).
fn preimage(target: &Chars, changed: &[char], f: impl Fn(char) -> String) -> Chars {
    let mut out = target.clone();
    out.difference(&set_of(changed.iter().copied()));
    let good = changed
        .iter()
        .copied()
        .filter(|&c| f(c).chars().all(|d| domain::contains(target, d)));
    out.union(&set_of(good));
    out
}

/// Characters `f` maps to exactly one character of at most the same UTF-8 width.
fn length_safe(changed: &[char], f: impl Fn(char) -> String) -> Chars {
    let mut out = domain::all_chars();
    let bad = changed.iter().copied().filter(|&c| {
        let s = f(c);
        s.chars().count() != 1 || s.len() > c.len_utf8()
    });
    out.difference(&set_of(bad));
    out
}

fn non_ascii_mappable() -> &'static [char] {
    static ALL: OnceLock<Vec<char>> = OnceLock::new();
    ALL.get_or_init(|| {
        (0x80..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .collect()
    })
}

fn apply_char(func: Func, c: char) -> String {
    let s = c.to_string();
    crate::expr::func::apply_text(func, &s, &[]).unwrap_or(s)
}

fn literal_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Number(n) => Some(n.to_string()),
        ExprKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn has_field(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) => true,
        ExprKind::Call { args, .. } => args.iter().any(has_field),
        _ => false,
    }
}

/// Pulls `c`, a constraint on the value of `expr`, back to the fields `expr` reads: for
/// each, a constraint that (together with the others) makes the value satisfy `c`.
#[must_use]
pub fn pull_back(expr: &Expr, c: Constraint) -> Vec<(FieldPath, Constraint)> {
    let mut out = Vec::new();
    pull(expr, c, &mut out);
    out
}

fn pull(expr: &Expr, c: Constraint, out: &mut Vec<(FieldPath, Constraint)>) {
    match &expr.kind {
        ExprKind::Field(f) => out.push((f.clone(), c)),
        ExprKind::Call { func, args, .. } => {
            let fields: Vec<usize> = (0..args.len()).filter(|&i| has_field(&args[i])).collect();
            if fields.is_empty() {
                return;
            }
            if *func == Func::Concat && fields.len() > 1 {
                return pull_concat_many(args, &fields, c, out);
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

fn pull_concat_many(
    args: &[Expr],
    fields: &[usize],
    c: Constraint,
    out: &mut Vec<(FieldPath, Constraint)>,
) {
    // Each part's characters end up in the result, so the character limits hold per part;
    // the length limit is on the sum, which JSON Schema cannot say per field.
    let lit_len: u64 = args
        .iter()
        .filter_map(literal_text)
        .map(|s| s.chars().count() as u64)
        .sum();
    let mut part = Constraint {
        chars: c.chars.clone(),
        verbatim: Vec::new(),
        never: c.never.clone(),
        ..Constraint::default()
    };
    let plain = fields
        .iter()
        .all(|&i| matches!(args[i].kind, ExprKind::Field(_)));
    if let Some(n) = c.max_len.filter(|_| !plain) {
        // Plain fields are covered by the sum limits of [`effective`].
        let names: Vec<String> = fields.iter().map(|&i| args[i].to_string()).collect();
        part.notes.push(format!(
            "{} together: at most {} characters",
            names.join(" + "),
            n.saturating_sub(lit_len)
        ));
    }
    for &i in fields {
        pull(&args[i], part.clone(), out);
    }
}

/// The constraint on `f`'s text argument that makes `f(arg, lits…)` satisfy `c`.
#[allow(clippy::too_many_lines)]
fn through(func: Func, arg: &Expr, lits: &[Option<String>], mut c: Constraint) -> Constraint {
    let lit_u64 = |i: usize| {
        lits.get(i)
            .and_then(|l| l.as_deref())
            .and_then(|s| s.parse::<u64>().ok())
    };
    let lit_str = |i: usize| lits.get(i).and_then(Clone::clone);
    let name = func.name();
    // What survives only a plain copy.
    let drop_verbatim = |c: &mut Constraint| {
        let captured = std::mem::take(&mut c.captured);
        for (k, v) in std::mem::take(&mut c.verbatim) {
            if (k == "type" && v == json!("string")) || captured.contains(&(k.clone(), v.clone())) {
                continue;
            }
            c.notes.push(format!(
                "{k} {v} after {name}({arg}) cannot be stated on {arg}"
            ));
        }
    };
    match func {
        Func::Default | Func::String => c,
        Func::Upper | Func::Lower | Func::Ascii => {
            drop_verbatim(&mut c);
            let changed: &[char] = if func == Func::Ascii {
                non_ascii_mappable()
            } else {
                cased()
            };
            let f = |ch: char| apply_char(func, ch);
            if let Some(target) = c.chars.take() {
                c.chars = Some(preimage(&target, changed, f));
            }
            if c.max_len.is_some() || c.max_bytes.is_some() || c.digits.is_some() {
                // Only characters that stay one character of no more bytes keep the
                // length and byte limits exact (upper("ß") is "SS").
                let safe = length_safe(changed, f);
                c.restrict_chars(&safe);
            }
            if !c.forbid.is_empty() {
                c.notes.push(format!(
                    "forbidden text after {name}() is not pulled back through it"
                ));
                c.forbid.clear();
            }
            c
        }
        Func::Trim => {
            drop_verbatim(&mut c);
            if c.min_len > 0 {
                c.notes.push(format!(
                    "at least {} characters after trim({arg}): spaces at the ends do not count",
                    c.min_len
                ));
                c.min_len = 0;
            }
            c
        }
        Func::Truncate => {
            drop_verbatim(&mut c);
            let Some(n) = lit_u64(1) else { return c };
            if c.max_len.is_some_and(|m| m >= n) {
                c.max_len = None;
            }
            if c.max_bytes.is_some_and(|m| m >= n.saturating_mul(4)) {
                c.max_bytes = None;
            }
            if c.min_len > n {
                c.never = Some(format!(
                    "truncate({arg}, {n}) is shorter than the {} characters required",
                    c.min_len
                ));
            }
            if let Some((lo, _)) = &mut c.digits
                && *lo > 0
            {
                c.notes
                    .push("a minimum number of digits after truncate() is not pulled back".into());
                *lo = 0;
            }
            c
        }
        Func::Concat => {
            drop_verbatim(&mut c);
            let lit: Vec<String> = lits.iter().flatten().cloned().collect();
            let chars: u64 = lit.iter().map(|s| s.chars().count() as u64).sum();
            let bytes: u64 = lit.iter().map(|s| s.len() as u64).sum();
            let digits: u64 = lit
                .iter()
                .map(|s| s.chars().filter(char::is_ascii_digit).count() as u64)
                .sum();
            if let Some(m) = c.max_len {
                if chars > m {
                    c.never = Some(format!("the literal text alone exceeds {m} characters"));
                }
                c.max_len = Some(m.saturating_sub(chars));
            }
            if let Some(m) = c.max_bytes {
                if bytes > m {
                    c.never = Some(format!("the literal text alone exceeds {m} bytes"));
                }
                c.max_bytes = Some(m.saturating_sub(bytes));
            }
            c.min_len = c.min_len.saturating_sub(chars);
            if let Some(set) = &c.chars
                && let Some(bad) = lit
                    .iter()
                    .flat_map(|s| s.chars())
                    .find(|&ch| !domain::contains(set, ch))
            {
                c.never = Some(format!("the literal character {bad:?} is not allowed"));
            }
            if let Some((lo, hi)) = &mut c.digits {
                *lo = lo.saturating_sub(digits);
                *hi = hi.map(|h| h.saturating_sub(digits));
            }
            if !c.forbid.is_empty() {
                c.notes
                    .push("forbidden text across a concat() boundary is not pulled back".into());
            }
            c
        }
        Func::PadLeft => {
            drop_verbatim(&mut c);
            let n = lit_u64(1).unwrap_or(0);
            let pad = lit_str(2).and_then(|s| s.chars().next()).unwrap_or(' ');
            if c.max_len.is_some_and(|m| n > m) {
                c.never = Some(format!(
                    "pad_left makes at least {n} characters, more than {}",
                    c.max_len.unwrap_or(0)
                ));
            }
            if c.max_bytes
                .is_some_and(|m| n.saturating_mul(pad.len_utf8() as u64) > m)
            {
                c.notes.push(format!(
                    "pad_left({arg}, {n}, {pad:?}) bytes: not pulled back"
                ));
            }
            if c.min_len <= n {
                c.min_len = 0;
            }
            if let Some(set) = &c.chars
                && !domain::contains(set, pad)
            {
                c.min_len = c.min_len.max(n);
            }
            if c.digits.is_some() && pad.is_ascii_digit() {
                c.notes
                    .push("digit padding changes the digit count: not pulled back".into());
                c.digits = None;
            }
            c
        }
        Func::Replace => {
            drop_verbatim(&mut c);
            let (Some(from), Some(to)) = (lit_str(1), lit_str(2)) else {
                return c;
            };
            if from.is_empty() {
                return c;
            }
            let grows = to.chars().count() > from.chars().count() || to.len() > from.len();
            let shrinks = to.chars().count() < from.chars().count();
            let to_ok = c
                .chars
                .as_ref()
                .is_none_or(|set| to.chars().all(|ch| domain::contains(set, ch)));
            if (grows && (c.max_len.is_some() || c.max_bytes.is_some()))
                || (shrinks && c.min_len > 0)
                || !to_ok
                || c.digits.is_some()
            {
                // Values without `from` pass through unchanged.
                c.forbid.insert(from);
            }
            c
        }
        Func::Digits => {
            drop_verbatim(&mut c);
            let lo = c.min_len;
            let hi = c.max_len;
            let hi = match (hi, c.max_bytes) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let mut out = Constraint {
                notes: std::mem::take(&mut c.notes),
                never: c.never.take(),
                ..Constraint::default()
            };
            if lo > 0 || hi.is_some() {
                out.digits = Some((lo, hi));
            }
            if let Some(set) = &c.chars {
                let mut bad = domain::chars_of(&[('0', '9')]);
                bad.difference(set);
                if !bad.ranges().is_empty() {
                    let mut allowed = domain::all_chars();
                    allowed.difference(&bad);
                    out.chars = Some(allowed);
                }
            }
            out
        }
        Func::Part => {
            drop_verbatim(&mut c);
            if c.min_len > 0 {
                c.notes.push(format!(
                    "at least {} characters in a part() of {arg}: not pulled back",
                    c.min_len
                ));
                c.min_len = 0;
            }
            c
        }
        Func::Number => {
            let mut out = Constraint::default();
            for (k, v) in c.verbatim {
                if k != "type" {
                    out.notes.push(format!(
                        "{k} {v} on number({arg}) cannot be stated on the text"
                    ));
                }
            }
            out.notes.extend(c.notes);
            out
        }
    }
}

/// One hop of a lineage: a field of a system and the mapping that fills it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hop {
    /// The system.
    pub system: SystemId,
    /// The field, as a JSON Pointer.
    pub pointer: String,
    /// The flow whose mapping fills it (`None` at the origin).
    pub flow: Option<FlowId>,
}

/// A chain of hops from an entry field (first) to the traced field (last).
pub type Chain = Vec<Hop>;

/// Every chain by which `(system, pointer)` is filled from an entry system's field, found by
/// following mappings backwards; a chain never visits a system twice. With `entry`, only
/// chains that start there.
#[must_use]
pub fn chains(
    pipeline: &Pipeline,
    system: SystemId,
    pointer: &str,
    entry: Option<SystemId>,
) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut stack = vec![Hop {
        system,
        pointer: pointer.to_owned(),
        flow: None,
    }];
    walk_back(pipeline, &mut stack, entry, &mut out);
    out
}

fn walk_back(
    pipeline: &Pipeline,
    stack: &mut Vec<Hop>,
    entry: Option<SystemId>,
    out: &mut Vec<Chain>,
) {
    if out.len() >= MAX_CHAINS {
        return;
    }
    let Some(top) = stack.last().cloned() else {
        return;
    };
    if pipeline.systems[top.system].entry && entry.is_none_or(|e| e == top.system) {
        let mut chain: Chain = stack.clone();
        chain.reverse();
        out.push(chain);
        if stack.len() > 1 {
            // An entry system is where values start; it is not also a relay.
            return;
        }
    }
    for (fid, flow) in pipeline.flows.iter().enumerate() {
        if flow.to != top.system || stack.iter().any(|h| h.system == flow.from) {
            continue;
        }
        for m in flow
            .mappings
            .iter()
            .filter(|m| *m.target_pointer == *top.pointer)
        {
            if let Some(last) = stack.last_mut() {
                last.flow = Some(fid);
            }
            for (_, input) in &m.inputs {
                stack.push(Hop {
                    system: flow.from,
                    pointer: input.clone(),
                    flow: None,
                });
                walk_back(pipeline, stack, entry, out);
                stack.pop();
            }
        }
    }
    if let Some(last) = stack.last_mut() {
        last.flow = top.flow;
    }
}

/// Pulls the constraint of `chain`'s field at position `at` back to the chain's origin.
#[must_use]
pub fn pull_chain(pipeline: &Pipeline, chain: &[Hop], at: usize) -> Constraint {
    pull_chain_to(pipeline, chain, at, 0)
}

/// Pulls the constraint of `chain`'s field at position `at` back to position `stop`.
fn pull_chain_to(pipeline: &Pipeline, chain: &[Hop], at: usize, stop: usize) -> Constraint {
    let Some(hop) = chain.get(at) else {
        return Constraint::default();
    };
    let subs = pipeline.systems[hop.system].schema.subschemas(&hop.pointer);
    let mut c = Constraint::from_schemas(&subs);
    for k in (stop + 1..=at).rev() {
        let (here, prev) = (&chain[k], &chain[k - 1]);
        let Some(m) = mapping_of(pipeline, here) else {
            break;
        };
        let pulled = pull_back(&m.expr, c);
        let mut next = Constraint::default();
        for (f, fc) in pulled {
            if f.pointer() == prev.pointer {
                next.meet(&fc);
            }
        }
        c = next;
    }
    c
}

fn mapping_of<'p>(pipeline: &'p Pipeline, hop: &Hop) -> Option<&'p crate::pipeline::Mapping> {
    pipeline.flows[hop.flow?]
        .mappings
        .iter()
        .find(|m| *m.target_pointer == *hop.pointer)
}

/// A limit on the total length of several entry fields that a downstream `concat` joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumConstraint {
    /// The entry fields (JSON Pointers) whose lengths add up.
    pub fields: Vec<String>,
    /// `maxLength` (characters) or `x-maxBytes` (UTF-8 bytes).
    pub keyword: &'static str,
    /// Most characters (or bytes) they may have together.
    pub max: u64,
    /// The downstream field that joins them: system and pointer.
    pub at: (SystemId, String),
    /// Case and ASCII functions a field passes on the way: the sum is exact only for
    /// characters they keep at one character, so the field is restricted to those.
    pub safe: Vec<(String, Func)>,
    /// Per field, the length `pad_left` gives it at least on the way (0: none).
    pub floors: Vec<u64>,
}

/// An expression that never makes a value longer than the field it reads (given that the
/// field holds only characters the case and ASCII functions on the way keep at one
/// character), except that `pad_left(x, n, c)` makes it at least `n` long: that field, the
/// functions, and that floor.
fn shrinking_field_floor(expr: &Expr) -> Option<(&FieldPath, Vec<Func>, u64)> {
    if let ExprKind::Call {
        func: Func::PadLeft,
        args,
        ..
    } = &expr.kind
    {
        let n = args.get(1).and_then(literal_text)?.parse::<u64>().ok()?;
        let pad = args.get(2).and_then(literal_text)?;
        if pad.chars().count() != 1 {
            return None;
        }
        let (f, funcs, floor) = shrinking_field_floor(args.first()?)?;
        return Some((f, funcs, floor.max(n)));
    }
    match &expr.kind {
        ExprKind::Field(f) => Some((f, Vec::new(), 0)),
        ExprKind::Call { func, args, .. } => match func {
            Func::Trim | Func::Truncate | Func::Part | Func::Digits | Func::String => {
                shrinking_field_floor(args.first()?)
            }
            Func::Upper | Func::Lower | Func::Ascii => {
                let (f, mut funcs, floor) = shrinking_field_floor(args.first()?)?;
                funcs.push(*func);
                Some((f, funcs, floor))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The characters `func` keeps at one character of no more bytes.
fn safe_chars(func: Func) -> Chars {
    let changed: &[char] = if func == Func::Ascii {
        non_ascii_mappable()
    } else {
        cased()
    };
    length_safe(changed, |c| apply_char(func, c))
}

/// The entry field a part of a `concat` at `system` comes from, when every hop back to the
/// entry can only keep or shrink its length.
fn shrinking_origin(
    pipeline: &Pipeline,
    system: SystemId,
    part: &Expr,
    entry: SystemId,
) -> Option<(String, Vec<Func>, u64)> {
    let (field, mut funcs, mut floor) = shrinking_field_floor(part)?;
    if system == entry {
        return Some((field.pointer(), funcs, floor));
    }
    let mut origin: Option<String> = None;
    for chain in chains(pipeline, system, &field.pointer(), Some(entry)) {
        for k in 1..chain.len() {
            let m = mapping_of(pipeline, &chain[k])?;
            let (f, more, at_least) = shrinking_field_floor(&m.expr)?;
            if f.pointer() != chain[k - 1].pointer {
                return None;
            }
            funcs.extend(more);
            floor = floor.max(at_least);
        }
        let first = chain.first()?.pointer.clone();
        if origin.as_ref().is_some_and(|o| *o != first) {
            return None;
        }
        origin = Some(first);
    }
    Some((origin?, funcs, floor))
}

/// Sum limits found on `chain`: where a hop joins several fields with `concat` and the
/// joined field (or something derived from it downstream on the chain) has a length limit.
pub(crate) fn chain_sums(
    pipeline: &Pipeline,
    chain: &[Hop],
    entry: SystemId,
    out: &mut Vec<SumConstraint>,
) {
    for j in 1..chain.len() {
        let Some(m) = mapping_of(pipeline, &chain[j]) else {
            continue;
        };
        let ExprKind::Call {
            func: Func::Concat,
            args,
            ..
        } = &m.expr.kind
        else {
            continue;
        };
        let parts: Vec<&Expr> = args.iter().filter(|a| has_field(a)).collect();
        if parts.len() < 2 {
            continue;
        }
        let lits: Vec<String> = args.iter().filter_map(literal_text).collect();
        let literal_chars: u64 = lits.iter().map(|t| t.chars().count() as u64).sum();
        let literal_bytes: u64 = lits.iter().map(|t| t.len() as u64).sum();
        let Some(resolved) = parts
            .iter()
            .map(|p| shrinking_origin(pipeline, chain[j - 1].system, p, entry))
            .collect::<Option<Vec<(String, Vec<Func>, u64)>>>()
        else {
            continue;
        };
        let fields: Vec<String> = resolved.iter().map(|(f, _, _)| f.clone()).collect();
        let floors: Vec<u64> = resolved.iter().map(|(_, _, n)| *n).collect();
        let safe: Vec<(String, Func)> = resolved
            .iter()
            .flat_map(|(f, funcs, _)| funcs.iter().map(move |&func| (f.clone(), func)))
            .collect();
        let pulled: Vec<Constraint> = (j..chain.len())
            .map(|k| pull_chain_to(pipeline, chain, k, j))
            .collect();
        let chars = pulled.iter().filter_map(|c| c.max_len).min();
        let bytes = pulled.iter().filter_map(|c| c.max_bytes).min();
        for (keyword, limit, literal) in [
            ("maxLength", chars, literal_chars),
            ("x-maxBytes", bytes, literal_bytes),
        ] {
            let Some(n) = limit else { continue };
            let sum = SumConstraint {
                fields: fields.clone(),
                keyword,
                max: n.saturating_sub(literal),
                at: (chain[j].system, chain[j].pointer.clone()),
                safe: safe.clone(),
                floors: floors.clone(),
            };
            let same = |s: &SumConstraint| s.fields == sum.fields && s.keyword == keyword;
            if !out.iter().any(|s| same(s) && s.max <= sum.max) {
                out.retain(|s| !(same(s) && s.max > sum.max));
                out.push(sum);
            }
        }
    }
}

/// Whether a sum limit can be exceeded by values each field's own effective constraint
/// allows.
pub(crate) fn binding(sum: &SumConstraint, fields: &[FieldConstraint]) -> bool {
    let total = sum.fields.iter().enumerate().try_fold(0u64, |acc, (i, p)| {
        let c = fields
            .iter()
            .find(|f| f.pointer == *p)
            .map(|f| &f.effective)?;
        let max = if sum.keyword == "x-maxBytes" {
            c.max_bytes.or(c.max_len.map(|n| n.saturating_mul(4)))
        } else {
            c.max_len
        }?;
        Some(acc.saturating_add(max.max(sum.floors.get(i).copied().unwrap_or(0))))
    });
    total.is_none_or(|t| t > sum.max)
}

/// A sum limit as JSON Schema: `anyOf` over the ways to split the budget between two
/// fields (exact; each field's own maximum bounds the split), `None` for more than two.
fn sum_schema(sum: &SumConstraint, fields: &[FieldConstraint]) -> Option<Value> {
    let [a, b] = sum.fields.as_slice() else {
        return None;
    };
    let bytes = sum.keyword == "x-maxBytes";
    let max_of = |p: &str| {
        let c = fields.iter().find(|f| f.pointer == p).map(|f| &f.effective);
        let chars = c.and_then(|c| c.max_len);
        if bytes {
            c.and_then(|c| c.max_bytes)
                .or(chars.map(|n| n.saturating_mul(4)))
                .unwrap_or(u64::MAX)
        } else {
            chars.unwrap_or(u64::MAX)
        }
    };
    let (ma, mb) = (max_of(a), max_of(b));
    let n = sum.max;
    let kw = sum.keyword;
    // A padded part is at least its floor long, whatever the field holds.
    let fa = sum.floors.first().copied().unwrap_or(0);
    let fb = sum.floors.get(1).copied().unwrap_or(0);
    if ma.max(fa).saturating_add(mb.max(fb)) <= n {
        return None;
    }
    if fa.saturating_add(fb) > n {
        return Some(json!(false));
    }
    // k: the share of the first part; the field may use all of it, the floor is spent anyway.
    let lo = n.saturating_sub(mb.max(fb)).max(fa);
    let hi = ma.max(fa).min(n.saturating_sub(fb));
    let branches: Vec<Value> = (lo..=hi)
        .map(|k| {
            record_fragment([
                (a.as_str(), json!({ kw: k })),
                (b.as_str(), json!({ kw: n - k })),
            ])
        })
        .collect();
    Some(json!({ "anyOf": branches }))
}

/// An entry field's own and effective constraint, and the downstream fields that narrow it.
#[derive(Debug, Clone)]
pub struct FieldConstraint {
    /// The entry system.
    pub entry: SystemId,
    /// The entry field, as a JSON Pointer.
    pub pointer: String,
    /// What the entry schema itself says.
    pub own: Constraint,
    /// Own and every downstream limit pulled back.
    pub effective: Constraint,
    /// Downstream fields whose pulled-back limit is tighter than the own constraint, with the
    /// chain from this field and the ways it is tighter.
    pub narrowed_by: Vec<(Chain, Vec<String>)>,
}

/// The effective constraint of every entry field of `entry` that reaches some downstream
/// system, in the order fields first appear in flows.
#[must_use]
pub fn effective(pipeline: &Pipeline, entry: SystemId) -> Effective {
    let mut sums = Vec::new();
    let mut by_field: BTreeMap<String, FieldConstraint> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut seen: BTreeSet<(SystemId, String)> = BTreeSet::new();
    for flow in &pipeline.flows {
        for m in &flow.mappings {
            if !seen.insert((flow.to, m.target_pointer.to_string())) {
                continue;
            }
            for chain in chains(pipeline, flow.to, &m.target_pointer, Some(entry)) {
                let Some(origin) = chain.first() else {
                    continue;
                };
                let fc = by_field.entry(origin.pointer.clone()).or_insert_with(|| {
                    order.push(origin.pointer.clone());
                    let own = Constraint::from_schemas(
                        &pipeline.systems[entry].schema.subschemas(&origin.pointer),
                    );
                    FieldConstraint {
                        entry,
                        pointer: origin.pointer.clone(),
                        effective: own.clone(),
                        own,
                        narrowed_by: Vec::new(),
                    }
                });
                let pulled = pull_chain(pipeline, &chain, chain.len() - 1);
                chain_sums(pipeline, &chain, entry, &mut sums);
                let why = pulled.tighter_than(&fc.own);
                fc.effective.meet(&pulled);
                if !why.is_empty() && !fc.narrowed_by.iter().any(|(c, _)| *c == chain) {
                    fc.narrowed_by.push((chain, why));
                }
            }
        }
    }
    let snapshot: Vec<FieldConstraint> = by_field.values().cloned().collect();
    sums.retain(|s| binding(s, &snapshot));
    for sum in &sums {
        for (pointer, func) in &sum.safe {
            if let Some(fc) = by_field.get_mut(pointer) {
                fc.effective.restrict_chars(&safe_chars(*func));
            }
        }
    }
    let fields = order
        .into_iter()
        .filter_map(|p| by_field.remove(&p))
        .collect();
    Effective { fields, sums }
}

/// What [`effective`] finds: per entry field, and limits on sums of fields.
#[derive(Debug, Clone, Default)]
pub struct Effective {
    /// Each entry field that reaches a downstream system.
    pub fields: Vec<FieldConstraint>,
    /// Total-length limits on fields a downstream `concat` joins.
    pub sums: Vec<SumConstraint>,
}

/// The entry schema tightened so that nothing downstream rejects what it accepts, as far as
/// JSON Schema can say it (see [`Constraint::notes`]): the original document with one more
/// `allOf` branch holding each narrowed field's effective constraint.
#[must_use]
pub fn emit_schema(pipeline: &Pipeline, entry: SystemId, eff: &Effective) -> Value {
    let fields = &eff.fields;
    let mut doc = pipeline.systems[entry].schema.raw().clone();
    let narrowed: Vec<(&str, Value)> = fields
        .iter()
        .filter(|f| !f.narrowed_by.is_empty() || f.effective != f.own)
        .map(|f| (f.pointer.as_str(), f.effective.to_schema()))
        .collect();
    let sums: Vec<Value> = eff
        .sums
        .iter()
        .filter_map(|s| sum_schema(s, fields))
        .collect();
    if narrowed.is_empty() && sums.is_empty() {
        return doc;
    }
    let mut branch = record_fragment(narrowed);
    if let Some(obj) = branch.as_object_mut() {
        obj.insert(
            "$comment".into(),
            json!(
                "added by `ripple constraints --emit-schema`: what every downstream system accepts"
            ),
        );
        if !sums.is_empty() {
            obj.insert("allOf".into(), Value::Array(sums));
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        match obj.get_mut("allOf") {
            Some(Value::Array(all)) => all.push(branch),
            _ => {
                obj.insert("allOf".into(), json!([branch]));
            }
        }
    }
    doc
}

/// A record-level fragment `{"properties": {…}}` that puts each fragment at its field's
/// JSON Pointer (nested objects through `properties`).
#[must_use]
pub fn record_fragment<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut props = Map::new();
    for (pointer, fragment) in fields {
        if let Ok(path) = FieldPath::parse(pointer) {
            insert_at(&mut props, &path, fragment);
        }
    }
    json!({ "properties": props })
}

fn insert_at(props: &mut Map<String, Value>, path: &FieldPath, leaf: Value) {
    use crate::expr::field::Segment;
    let segs = path.segments();
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let Segment::Key(name) = first else { return };
    if rest.is_empty() {
        props.insert(name.clone(), leaf);
        return;
    }
    let entry = props
        .entry(name.clone())
        .or_insert_with(|| json!({ "properties": {} }));
    if let Some(inner) = entry.get_mut("properties").and_then(Value::as_object_mut) {
        insert_at(inner, &FieldPath::from_segments(rest.to_vec()), leaf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulled(expr: &str, schema: Value) -> Constraint {
        let e = crate::expr::parse(expr).unwrap_or_else(|e| panic!("{e:?}"));
        let c = Constraint::from_schemas(&[&schema]);
        let mut out = pull_back(&e, c);
        assert_eq!(out.len(), 1, "{expr}: one field");
        out.remove(0).1
    }

    #[test]
    fn concat_with_literals_subtracts_their_length_and_bytes() {
        let c = pulled(
            r#"concat("u", x)"#,
            json!({"maxLength": 9, "x-maxBytes": 12}),
        );
        assert_eq!(c.max_len, Some(8));
        assert_eq!(c.max_bytes, Some(11));
    }

    #[test]
    fn truncate_lifts_a_length_limit_it_already_enforces() {
        assert_eq!(
            pulled("truncate(x, 8)", json!({"maxLength": 10})).max_len,
            None
        );
        assert_eq!(
            pulled("truncate(x, 20)", json!({"maxLength": 10})).max_len,
            Some(10)
        );
        assert!(
            pulled("truncate(x, 2)", json!({"minLength": 3}))
                .never
                .is_some()
        );
    }

    #[test]
    fn upper_keeps_length_only_for_characters_that_stay_one() {
        let c = pulled("upper(x)", json!({"maxLength": 8}));
        let chars = c.chars.unwrap_or_else(domain::all_chars);
        assert!(!domain::contains(&chars, 'ß'), "ß becomes SS");
        assert!(domain::contains(&chars, 'ä'));
        assert_eq!(c.max_len, Some(8));
    }

    #[test]
    fn upper_pulls_a_character_class_back_to_both_cases() {
        let c = pulled("upper(x)", json!({"pattern": "^[A-Z]*$"}));
        let chars = c.chars.unwrap_or_else(domain::all_chars);
        assert!(domain::contains(&chars, 'a') && domain::contains(&chars, 'Z'));
        assert!(!domain::contains(&chars, 'ä'), "Ä is not in [A-Z]");
    }

    #[test]
    fn digits_bounds_the_digit_count_not_the_length() {
        let c = pulled("digits(x)", json!({"maxLength": 5}));
        assert_eq!(c.max_len, None);
        assert_eq!(c.digits, Some((0, Some(5))));
        let s = c.to_schema();
        let re = regex::Regex::new(s["allOf"][0]["pattern"].as_str().unwrap()).unwrap();
        assert!(re.is_match("FI-12 345"));
        assert!(!re.is_match("123456"));
    }

    #[test]
    fn pad_left_wider_than_the_limit_can_never_pass() {
        assert!(
            pulled(r#"pad_left(x, 6, "0")"#, json!({"maxLength": 5}))
                .never
                .is_some()
        );
        assert_eq!(
            pulled(r#"pad_left(x, 6, "0")"#, json!({"maxLength": 5})).to_schema(),
            json!(false)
        );
    }

    #[test]
    fn a_copy_keeps_every_keyword_verbatim() {
        let c = pulled("x", json!({"format": "email", "maxLength": 40}));
        let s = c.to_schema();
        assert_eq!(s["format"], "email");
        assert_eq!(s["maxLength"], 40);
        let through = pulled("lower(x)", json!({"format": "email"}));
        assert!(
            through.notes.iter().any(|n| n.contains("format")),
            "{:?}",
            through.notes
        );
    }

    #[test]
    fn a_class_renders_as_an_ecma_class_that_matches_the_same_characters() {
        let set = domain::chars_of(&[('a', 'z'), ('-', '-'), ('ä', 'ä')]);
        let re = regex::Regex::new(&format!("^{}*$", class_regex(&set))).unwrap();
        assert!(re.is_match("a-ä"));
        assert!(!re.is_match("A"));
    }
}
