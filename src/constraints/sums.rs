//! Limits on the total length of fields that a `concat` joins, written in JSON Schema as an
//! exact `anyOf` over the ways to split the budget.

#[allow(clippy::wildcard_imports)]
use super::*;

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
/// per-character functions, and that floor. Each function says so in its
/// [`LengthEffect`](crate::func::LengthEffect).
pub(super) fn shrinking_field_floor(expr: &Expr) -> Option<(&FieldPath, Vec<Func>, u64)> {
    match &expr.kind {
        ExprKind::Field(f) => Some((f, Vec::new(), 0)),
        ExprKind::Call { func, args, .. } => {
            let lits: Vec<Option<Value>> = args.iter().map(crate::func::literal_value).collect();
            let effect = func.length_effect(&lits);
            let floor = effect.never_longer()?;
            let (f, mut funcs, below) = shrinking_field_floor(args.first()?)?;
            if func.char_map().is_some() {
                funcs.push(*func);
            }
            Some((f, funcs, below.max(floor)))
        }
        _ => None,
    }
}

/// The entry field a part of a `concat` at `system` comes from, when every hop back to the
/// entry can only keep or shrink its length.
pub(super) fn shrinking_origin(
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

/// What one joined field can contribute to a sum: its effective maximum in the sum's unit
/// (characters, or bytes when only characters are known: four per character), and at
/// least its `pad_left` floor; unbounded when nothing is known.
fn part_max(sum: &SumConstraint, i: usize, c: Option<&Constraint>) -> u64 {
    let chars = c.and_then(|c| c.max_len);
    let max = if sum.keyword == "x-maxBytes" {
        c.and_then(|c| c.max_bytes)
            .or(chars.map(|n| n.saturating_mul(4)))
    } else {
        chars
    };
    max.unwrap_or(u64::MAX)
        .max(sum.floors.get(i).copied().unwrap_or(0))
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
    total > sum.max
}

/// A sum limit as JSON Schema: `anyOf` over the ways to split the budget between two
/// fields (exact; each field's own maximum bounds the split), `None` for more than two.
pub(super) fn sum_schema<'a>(
    sum: &SumConstraint,
    effective_of: impl Fn(&str) -> Option<&'a Constraint>,
) -> Option<Value> {
    let [a, b] = sum.fields.as_slice() else {
        return None;
    };
    if !binding(sum, &effective_of) {
        return None;
    }
    let n = sum.max;
    let kw = sum.keyword;
    // A padded part is at least its floor long, whatever the field holds.
    let fa = sum.floors.first().copied().unwrap_or(0);
    let fb = sum.floors.get(1).copied().unwrap_or(0);
    let (ma, mb) = (
        part_max(sum, 0, effective_of(a)),
        part_max(sum, 1, effective_of(b)),
    );
    if fa.saturating_add(fb) > n {
        return Some(json!(false));
    }
    // k: the share of the first part; the field may use all of it, the floor is spent anyway.
    let lo = n.saturating_sub(mb).max(fa);
    let hi = ma.min(n.saturating_sub(fb));
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
