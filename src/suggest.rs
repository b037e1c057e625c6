//! "Did you mean …?" for misspelt names: systems, fields, functions, keys.

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
#[must_use]
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit && *d < name.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A help line: "did you mean `x`?" or the list of what exists.
#[must_use]
pub fn help<'a, I>(name: &str, candidates: I, what: &str) -> String
where
    I: IntoIterator<Item = &'a str> + Clone,
{
    if let Some(best) = closest(name, candidates.clone()) {
        return format!("did you mean `{best}`?");
    }
    let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
    if all.is_empty() {
        format!("no {what} is declared")
    } else {
        format!("known {what}: {}", all.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_only() {
        assert_eq!(closest("paryoll", ["payroll", "crm"]), Some("payroll"));
        assert_eq!(closest("zzz", ["payroll", "crm"]), None);
        assert_eq!(help("x", ["a", "b"], "systems"), "known systems: `a`, `b`");
    }
}
