//! Character sets: how a class is written in the JSON Schema regex dialect and for people,
//! and which characters keep a length limit exact through a per-character function.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The characters `func` (`upper`, `lower` or `ascii`) maps to exactly one character of at
/// most the same UTF-8 width: where length and byte limits pass through it unchanged
/// ([`crate::func::CharMap::safe`]); every character for other functions.
pub(super) fn safe_chars(func: Func) -> Chars {
    func.char_map()
        .map_or_else(domain::all_chars, |m| m.safe().clone())
}
