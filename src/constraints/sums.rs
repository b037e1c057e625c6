//! Limits on the total length of fields that a `concat` joins, written in JSON Schema as an
//! exact `anyOf` over the ways to split the budget.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A limit on the total length of several entry fields that a downstream `concat` joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumConstraint {
    /// The entry fields (JSON Pointers) whose lengths add up, one per part of the join (a
    /// field joined twice, `concat(a, a)`, is named twice).
    pub fields: Vec<String>,
    /// `maxLength` (characters) or `x-maxBytes` (UTF-8 bytes).
    pub keyword: &'static str,
    /// Most characters (or bytes) they may have together: the downstream limit less the
    /// literal text joined with them and what the functions on the way add for sure.
    pub max: u64,
    /// The literal text (and what the functions on the way add) alone exceeds the limit:
    /// no values of the fields pass together (`max` is then 0).
    pub never: bool,
    /// The downstream field that joins them: system and pointer.
    pub at: (SystemId, String),
    /// Case and ASCII functions a field passes on the way: the sum is exact only for
    /// characters they keep at one character, so the field is restricted to those.
    pub safe: Vec<(String, Func)>,
    /// Per part, the length `pad_left` gives it at least on the way (0: none).
    pub floors: Vec<u64>,
}

/// How long a part of a join can be, given the length `L` of the field it reads: at most
/// `max(L + add, floor)` (characters or bytes); `floor >= add`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Growth {
    add: u64,
    floor: u64,
}

impl Growth {
    /// `outer` applied to what `self` gives.
    fn then(self, outer: Growth) -> Growth {
        Growth {
            add: self.add.saturating_add(outer.add),
            floor: self.floor.saturating_add(outer.add).max(outer.floor),
        }
    }

    /// A bound on both `self` and `other`.
    fn either(self, other: Growth) -> Growth {
        Growth {
            add: self.add.max(other.add),
            floor: self.floor.max(other.floor),
        }
    }
}

/// Characters (`bytes == false`) or UTF-8 bytes of a literal.
fn size(text: &str, bytes: bool) -> u64 {
    if bytes {
        text.len() as u64
    } else {
        text.chars().count() as u64
    }
}

/// What one function call does to the length of the field it reads (`args[i]`), when that
/// is bounded by the input's length plus a constant: a `concat` with one field and
/// literals adds them; `pad_left` pads to a floor (in bytes: it may add every pad
/// character); the others never lengthen (given the safe characters of a per-character
/// map). Each function says so in its [`LengthEffect`](crate::func::LengthEffect).
fn call_growth(func: Func, args: &[Expr], bytes: bool) -> Option<(usize, Growth)> {
    let lits: Vec<Option<Value>> = args.iter().map(crate::func::literal_value).collect();
    if func == Func::Concat {
        let fields: Vec<usize> = (0..args.len()).filter(|&i| has_field(&args[i])).collect();
        let [i] = fields.as_slice() else { return None };
        let mut lit = 0u64;
        for (k, a) in args.iter().enumerate() {
            if k != *i {
                lit = lit.saturating_add(size(&literal_text(a)?, bytes));
            }
        }
        return Some((
            *i,
            Growth {
                add: lit,
                floor: lit,
            },
        ));
    }
    if args.iter().skip(1).any(has_field) {
        return None;
    }
    let n = func.length_effect(&lits).never_longer()?;
    if n == 0 {
        return Some((0, Growth::default()));
    }
    if !bytes {
        return Some((0, Growth { add: 0, floor: n }));
    }
    let width = lits
        .get(2)
        .and_then(Option::as_ref)
        .and_then(Value::as_str)
        .and_then(|c| c.chars().next())
        .map_or(4, |c| c.len_utf8() as u64);
    let pad = n.saturating_mul(width);
    Some((
        0,
        Growth {
            add: pad,
            floor: pad,
        },
    ))
}

/// An expression whose length is bounded by the field it reads (given that the field holds
/// only characters the case and ASCII functions on the way keep at one character): that
/// field, the per-character functions, and the bound ([`Growth`]).
pub(super) fn part_growth(expr: &Expr, bytes: bool) -> Option<(&FieldPath, Vec<Func>, Growth)> {
    match &expr.kind {
        ExprKind::Field(f) => Some((f, Vec::new(), Growth::default())),
        ExprKind::Call { func, args, .. } => {
            let (i, outer) = call_growth(*func, args, bytes)?;
            let (f, mut funcs, inner) = part_growth(args.get(i)?, bytes)?;
            if func.char_map().is_some() {
                funcs.push(*func);
            }
            Some((f, funcs, inner.then(outer)))
        }
        _ => None,
    }
}

/// The entry field a part of a `concat` at `system` comes from, when every hop back to the
/// entry bounds its length by the field's plus a constant ([`Growth`]).
pub(super) fn part_origin(
    pipeline: &Pipeline,
    system: SystemId,
    part: &Expr,
    entry: SystemId,
    bytes: bool,
) -> Option<(String, Vec<Func>, Growth)> {
    let (field, mut funcs, outer) = part_growth(part, bytes)?;
    if system == entry {
        return Some((field.pointer(), funcs, outer));
    }
    let mut origin: Option<String> = None;
    let mut total: Option<Growth> = None;
    for chain in chains(pipeline, system, &field.pointer(), Some(entry)) {
        let mut g = outer;
        for k in (1..chain.len()).rev() {
            let m = mapping_of(pipeline, &chain[k])?;
            let (f, more, inner) = part_growth(&m.expr, bytes)?;
            if f.pointer() != chain[k - 1].pointer {
                return None;
            }
            funcs.extend(more);
            g = inner.then(g);
        }
        let first = chain.first()?.pointer.clone();
        if origin.as_ref().is_some_and(|o| *o != first) {
            return None;
        }
        origin = Some(first);
        total = Some(total.map_or(g, |t| t.either(g)));
    }
    Some((origin?, funcs, total?))
}

/// The length limits on the result of each hop `j` of `chain` (index `j`; `0` unused)
/// from every field from there on: the fields' own limits pulled back to it. One walk back
/// per field, so quadratic in the chain's length (a walk per pair was cubic, minutes on a
/// 50-system chain).
fn limits_on(pipeline: &Pipeline, chain: &[Hop]) -> Vec<Constraint> {
    let mut out = vec![Constraint::default(); chain.len()];
    for k in 1..chain.len() {
        super::chains::pull_chain_each(pipeline, chain, k, 1, &mut |j, pulled| {
            if let Some(c) = out.get_mut(j) {
                c.meet(&Constraint {
                    min_len: pulled.min_len,
                    max_len: pulled.max_len,
                    max_bytes: pulled.max_bytes,
                    ..Constraint::default()
                });
            }
        });
    }
    out
}

/// Every `concat` of several fields on `chain` whose result has a length limit: the hop,
/// the call's arguments and the limits on its result.
fn sites_on<'p>(pipeline: &'p Pipeline, chain: &[Hop]) -> Vec<(usize, &'p [Expr], Constraint)> {
    let mut out = Vec::new();
    let mut limits: Option<Vec<Constraint>> = None;
    for j in 1..chain.len() {
        let Some(m) = mapping_of(pipeline, &chain[j]) else {
            continue;
        };
        if chain[j].inside_copy || *m.target_pointer != *chain[j].pointer {
            continue;
        }
        let limit = limits
            .get_or_insert_with(|| limits_on(pipeline, chain))
            .get(j)
            .cloned()
            .unwrap_or_default();
        if limit.is_empty() {
            continue;
        }
        for (site, c) in concat_sites(&m.expr, limit) {
            if let ExprKind::Call { args, .. } = &site.kind {
                out.push((j, args.as_slice(), c));
            }
        }
    }
    out
}

/// Sum limits found on `chain`: where a hop joins several fields with `concat` (at the
/// top of its mapping or inside it) and the joined text (or something derived from it
/// downstream on the chain) has a length limit. Returns notes for the chain's origin
/// where a part's length cannot be traced back to an entry field (so no sum is written).
pub(crate) fn chain_sums(
    pipeline: &Pipeline,
    chain: &[Hop],
    entry: SystemId,
    out: &mut Vec<SumConstraint>,
) -> Vec<String> {
    let mut notes = Vec::new();
    for (j, args, c) in sites_on(pipeline, chain) {
        for (keyword, n, bytes) in [
            ("maxLength", c.max_len, false),
            ("x-maxBytes", c.max_bytes, true),
        ] {
            let Some(n) = n else { continue };
            let at = (chain[j].system, chain[j].pointer.clone());
            match site_sum(pipeline, (chain[j - 1].system, entry), args, bytes, n, at) {
                Some(mut sum) => {
                    sum.keyword = keyword;
                    keep_tightest(out, sum);
                }
                None => notes.push(format!(
                    "a concat() at {} {}: its total length (at most {n} {}) is not pulled back",
                    pipeline.systems[chain[j].system].id,
                    chain[j].pointer,
                    if bytes { "UTF-8 bytes" } else { "characters" },
                )),
            }
        }
    }
    notes
}

/// A minimum total length of entry fields a downstream `concat` joins, each part never
/// shorter than its field: met when the fields' own minimums add up to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MinSum {
    /// The entry fields, one per part.
    pub fields: Vec<String>,
    /// The fewest characters they must have together.
    pub min: u64,
    /// Where they are joined, for the note.
    pub at: String,
}

/// The minimum-length sums on `chain` (see [`MinSum`]); notes where a part may be shorter
/// than any entry field it comes from.
pub(crate) fn chain_min_sums(
    pipeline: &Pipeline,
    chain: &[Hop],
    entry: SystemId,
    out: &mut Vec<MinSum>,
) -> Vec<String> {
    let mut notes = Vec::new();
    for (j, args, c) in sites_on(pipeline, chain) {
        let at = format!(
            "{} {}",
            pipeline.systems[chain[j].system].id, chain[j].pointer
        );
        let mut fields = Vec::new();
        let mut literal = Some(0u64);
        for a in args {
            if has_field(a) {
                fields.push(min_origin(pipeline, chain[j - 1].system, a, entry));
            } else {
                literal = literal
                    .zip(literal_text(a))
                    .map(|(n, t)| n + size(&t, false));
            }
        }
        // An argument that is neither a field nor a literal adds nothing for sure.
        let min = c.min_len.saturating_sub(literal.unwrap_or(0));
        if min == 0 {
            continue;
        }
        match fields.into_iter().collect::<Option<Vec<String>>>() {
            Some(fields) => {
                let sum = MinSum { fields, min, at };
                if !out.contains(&sum) {
                    out.push(sum);
                }
            }
            None => notes.push(format!(
                "a concat() at {at}: its total length (at least {min} characters) is not pulled back"
            )),
        }
    }
    notes
}

/// The entry field a part of a `concat` at `system` comes from when every function on the
/// way makes it no shorter (README, "Mapping expressions": the length column).
fn min_origin(
    pipeline: &Pipeline,
    system: SystemId,
    part: &Expr,
    entry: SystemId,
) -> Option<String> {
    fn field(expr: &Expr) -> Option<&FieldPath> {
        match &expr.kind {
            ExprKind::Field(f) => Some(f),
            ExprKind::Call { func, args, .. } => {
                let reading: Vec<&Expr> = args.iter().filter(|a| has_field(a)).collect();
                let [arg] = reading.as_slice() else {
                    return None;
                };
                let lits: Vec<Option<Value>> =
                    args.iter().map(crate::func::literal_value).collect();
                let first = args.first().is_some_and(|a| std::ptr::eq(a, *arg));
                let longer =
                    *func == Func::Concat || (first && func.length_effect(&lits).never_shorter());
                longer.then_some(())?;
                field(arg)
            }
            _ => None,
        }
    }
    let f = field(part)?;
    if system == entry {
        return Some(f.pointer());
    }
    let mut origin: Option<String> = None;
    for chain in chains(pipeline, system, &f.pointer(), Some(entry)) {
        for k in 1..chain.len() {
            let m = mapping_of(pipeline, &chain[k])?;
            if field(&m.expr)?.pointer() != chain[k - 1].pointer {
                return None;
            }
        }
        let first = chain.first()?.pointer.clone();
        if origin.as_ref().is_some_and(|o| *o != first) {
            return None;
        }
        origin = Some(first);
    }
    origin
}

/// The sum limit of one `concat(args…)` read from system `from` (`systems`: that and the
/// entry) into a field limited to `n` characters (or bytes): `None` when a part's length is
/// not bounded by an entry field's.
fn site_sum(
    pipeline: &Pipeline,
    (from, entry): (SystemId, SystemId),
    args: &[Expr],
    bytes: bool,
    n: u64,
    at: (SystemId, String),
) -> Option<SumConstraint> {
    let mut fixed = 0u64;
    let mut fields = Vec::new();
    let mut floors = Vec::new();
    let mut safe = Vec::new();
    for a in args {
        if !has_field(a) {
            fixed = fixed.saturating_add(size(&literal_text(a)?, bytes));
            continue;
        }
        let (f, funcs, g) = part_origin(pipeline, from, a, entry, bytes)?;
        fixed = fixed.saturating_add(g.add);
        floors.push(g.floor.saturating_sub(g.add));
        safe.extend(funcs.into_iter().map(|func| (f.clone(), func)));
        fields.push(f);
    }
    Some(SumConstraint {
        fields,
        keyword: "maxLength",
        max: n.saturating_sub(fixed),
        never: fixed > n,
        at,
        safe,
        floors,
    })
}

/// Adds `sum` to `out` unless a sum over the same parts is already as tight; drops those
/// it is tighter than.
fn keep_tightest(out: &mut Vec<SumConstraint>, sum: SumConstraint) {
    let same = |s: &SumConstraint| {
        s.fields == sum.fields && s.keyword == sum.keyword && s.floors == sum.floors
    };
    let tighter = |a: &SumConstraint, b: &SumConstraint| (a.never, b.max) >= (b.never, a.max);
    if !out.iter().any(|s| same(s) && tighter(s, &sum)) {
        out.retain(|s| !(same(s) && tighter(&sum, s)));
        out.push(sum);
    }
}

/// Most a field may hold in the sum's unit by its effective constraint (characters, or
/// bytes: four per character when only characters are known); unbounded when nothing is
/// known.
fn field_max(sum: &SumConstraint, c: Option<&Constraint>) -> u64 {
    let chars = c.and_then(|c| c.max_len);
    let max = if sum.keyword == "x-maxBytes" {
        c.and_then(|c| c.max_bytes)
            .or(chars.map(|n| n.saturating_mul(4)))
    } else {
        chars
    };
    max.unwrap_or(u64::MAX)
}

/// What part `i` can contribute to a sum: its field's effective maximum, and at least its
/// `pad_left` floor.
fn part_max(sum: &SumConstraint, i: usize, c: Option<&Constraint>) -> u64 {
    field_max(sum, c).max(sum.floors.get(i).copied().unwrap_or(0))
}

/// Whether a sum limit can be exceeded by values each field's own effective constraint
/// (`effective_of` a field's pointer) allows.
pub(crate) fn binding<'a>(
    sum: &SumConstraint,
    effective_of: impl Fn(&str) -> Option<&'a Constraint>,
) -> bool {
    let total = sum.fields.iter().enumerate().fold(0u64, |acc, (i, p)| {
        acc.saturating_add(part_max(sum, i, effective_of(p)))
    });
    sum.never || total > sum.max
}

/// The distinct fields of a sum, in order.
pub(crate) fn distinct(sum: &SumConstraint) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for f in &sum.fields {
        if !out.contains(&f.as_str()) {
            out.push(f);
        }
    }
    out
}

/// The parts of a sum that read one field: their floors, and the most the field may
/// contribute to the sum's limit on its own (at least its floors).
struct Group<'s> {
    field: &'s str,
    floors: Vec<u64>,
    max: u64,
}

impl Group<'_> {
    /// What the parts add up to when the field is `len` long.
    fn total(&self, len: u64) -> u64 {
        self.floors
            .iter()
            .fold(0u64, |acc, &f| acc.saturating_add(len.max(f)))
    }

    /// The longest the field may be for its parts to fit in `budget`; `None` when not
    /// even an empty field does.
    fn longest(&self, budget: u64) -> Option<u64> {
        if self.total(0) > budget {
            return None;
        }
        // total(len) >= len, so the answer is in 0..=budget; total is monotone.
        let (mut lo, mut hi) = (0u64, budget);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.total(mid) <= budget {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Some(lo)
    }
}

/// A sum limit as JSON Schema, exact for one or two distinct fields: for one (`concat(a,
/// a)`), the longest the field may be; for two, `anyOf` over the ways to split the budget
/// (each field's own maximum bounds the split); `false` for each field when nothing fits.
/// A field that may be a number or a boolean gets its limit as `nontext` states it for
/// those. `None` for more than two fields (the caller says so in a note).
pub(super) fn sum_schema<'a>(
    sum: &SumConstraint,
    effective_of: impl Fn(&str) -> Option<&'a Constraint>,
    types_of: impl Fn(&str) -> crate::schema::TypeSet,
) -> Option<Value> {
    let names = distinct(sum);
    if names.len() > 2 || !binding(sum, &effective_of) {
        return None;
    }
    let groups: Vec<Group<'_>> = names
        .iter()
        .map(|&field| {
            let floors: Vec<u64> = (0..sum.fields.len())
                .filter(|&i| sum.fields[i] == field)
                .map(|i| sum.floors.get(i).copied().unwrap_or(0))
                .collect();
            let most = floors.iter().copied().max().unwrap_or(0);
            Group {
                field,
                max: field_max(sum, effective_of(field)).max(most),
                floors,
            }
        })
        .collect();
    let limit = |field: &str, n: u64| {
        let mut c = Constraint::default();
        if sum.keyword == "x-maxBytes" {
            c.max_bytes = Some(n);
        } else {
            c.max_len = Some(n);
        }
        super::effective::with_nontext(c.to_schema(), &c, types_of(field))
    };
    let none = || record_fragment(names.iter().map(|&f| (f, json!(false))));
    let n = sum.max;
    if sum.never {
        return Some(none());
    }
    let branches = match groups.as_slice() {
        [a] => match a.longest(n) {
            Some(len) => vec![record_fragment([(a.field, limit(a.field, len))])],
            None => return Some(none()),
        },
        [a, b] => {
            let Some(hi) = n
                .checked_sub(b.total(0))
                .and_then(|rest| a.longest(rest))
                .map(|h| h.min(a.max))
            else {
                return Some(none());
            };
            // b's longest when a is `len` long (a fits for len <= hi, so b does empty).
            let rest = |len: u64| b.longest(n - a.total(len)).unwrap_or(0);
            (0..=hi)
                .filter(|&len| len == hi || rest(len + 1).min(b.max) < rest(len).min(b.max))
                .map(|len| {
                    record_fragment([
                        (a.field, limit(a.field, len)),
                        (b.field, limit(b.field, rest(len))),
                    ])
                })
                .collect()
        }
        _ => return None,
    };
    Some(json!({ "anyOf": branches }))
}
