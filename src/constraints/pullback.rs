//! Pulling a constraint on a mapping's result back to the fields it reads, one rule per
//! function, each giving a *sufficient* condition.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn literal_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Number(n) => Some(n.to_string()),
        ExprKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn has_field(e: &Expr) -> bool {
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

pub(super) fn pull(expr: &Expr, c: Constraint, out: &mut Vec<(FieldPath, Constraint)>) {
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

pub(super) fn pull_concat_many(
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
pub(super) fn through(
    func: Func,
    arg: &Expr,
    lits: &[Option<String>],
    mut c: Constraint,
) -> Constraint {
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
            if let Some(target) = c.chars.take() {
                c.chars = Some(preimage(func, &target));
            }
            if c.max_len.is_some() || c.max_bytes.is_some() || c.digits.is_some() {
                // Only characters that stay one character of no more bytes keep the
                // length and byte limits exact (upper("ß") is "SS").
                c.restrict_chars(&safe_chars(func));
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
