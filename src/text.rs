//! Text helpers shared by messages and renderers.

/// Longest value echoed in messages and output, in characters.
pub const MAX_VALUE_CHARS: usize = 120;

/// Shortens a string for display: the first [`MAX_VALUE_CHARS`] characters and a count of
/// the rest, so a 50 MB value is reported, not echoed.
#[must_use]
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters)", &text[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(1000);
        let s = shorten(&long);
        assert!(s.starts_with(&"x".repeat(MAX_VALUE_CHARS)));
        assert!(s.ends_with("(880 more characters)"));
        assert_eq!(shorten("äö"), "äö");
    }
}
