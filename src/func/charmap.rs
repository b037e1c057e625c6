//! Functions that map a string character by character (`upper`, `lower`, `ascii`): their
//! forward rule, character preimages and length-safe characters, all computed from the
//! per-character images the function's own file gives, so they cannot disagree with its
//! evaluation (README, "Mapping expressions" and "How it reasons").

use std::sync::OnceLock;

use super::{ClassMemo, intersect, union};
use crate::domain::{self, Chars, Str};

/// Calls its second argument with every text a character can map to.
pub type Image = fn(char, &mut dyn FnMut(&str));

/// A character-by-character map: every character outside [`CharMap::changed`] maps to
/// itself, every other to one of the texts its `image` gives (several when the result
/// depends on context, as `lower` of `Σ` is `σ` or, ending a word, `ς`).
pub struct CharMap {
    /// The function's name (memo key).
    name: &'static str,
    /// Every character it changes is at most this (scanning less is cheaper).
    last: char,
    /// Whether `c` can map to anything but itself.
    is_changed: fn(char) -> bool,
    /// Calls its argument with every text `c` can map to.
    image: Image,
    changed: OnceLock<Chars>,
    summary: OnceLock<Summary>,
    safe: OnceLock<Chars>,
    nonempty: OnceLock<Chars>,
}

/// What the map does over every changed character at once.
struct Summary {
    /// Every character an image holds.
    outputs: Chars,
    /// Fewest characters in an image.
    min_out: u64,
    /// Most characters in an image.
    max_out: u64,
}

/// Above this many changed characters in a class, the forward rule takes the map's
/// summary over all characters instead of looking at each; above this many non-ASCII
/// characters in its result, every non-ASCII character.
const EXACT_UP_TO: u64 = 4096;

impl std::fmt::Debug for CharMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CharMap({})", self.name)
    }
}

static FORWARD: ClassMemo<Option<(Chars, u64, u64)>> = ClassMemo::new();
static PREIMAGE: ClassMemo<Chars> = ClassMemo::new();

impl CharMap {
    /// A map named `name` changing the characters `is_changed` says, to what `image` gives.
    /// Only characters up to `last` are looked at (a test checks that none beyond it
    /// changes).
    pub(crate) const fn new(
        name: &'static str,
        last: char,
        is_changed: fn(char) -> bool,
        image: Image,
    ) -> Self {
        Self {
            name,
            last,
            is_changed,
            image,
            changed: OnceLock::new(),
            summary: OnceLock::new(),
            safe: OnceLock::new(),
            nonempty: OnceLock::new(),
        }
    }

    /// The characters it can change; computed once.
    pub fn changed(&self) -> &Chars {
        self.changed.get_or_init(|| self.scan(self.last))
    }

    /// The characters up to `last` it changes.
    fn scan(&self, last: char) -> Chars {
        ascending_set(('\0'..=last).filter(|&c| (self.is_changed)(c)))
    }

    fn summary(&self) -> &Summary {
        self.summary.get_or_init(|| {
            let (outputs, min_out, max_out) = self.images(self.changed());
            Summary {
                outputs,
                min_out,
                max_out,
            }
        })
    }

    /// The characters the images of `set`'s characters hold, and the fewest and most
    /// characters an image has (1 and 1 for an empty set).
    fn images(&self, set: &Chars) -> (Chars, u64, u64) {
        // Images are mostly ASCII: those are marked in a table, the rest in a set.
        let mut ascii = [false; 128];
        let mut other = rustc_hash::FxHashSet::default();
        let (mut lo, mut hi) = (u64::MAX, 0);
        for r in set.ranges() {
            for c in r.start()..=r.end() {
                (self.image)(c, &mut |t: &str| {
                    let n = t.chars().count() as u64;
                    lo = lo.min(n);
                    hi = hi.max(n);
                    for d in t.chars() {
                        match ascii.get_mut(d as usize) {
                            Some(seen) => *seen = true,
                            None => {
                                other.insert(d);
                            }
                        }
                    }
                });
            }
        }
        if hi == 0 && lo == u64::MAX {
            (lo, hi) = (1, 1);
        }
        let marked = ('\0'..='\x7f').filter(|&d| ascii.get(d as usize).copied().unwrap_or(false));
        (set_of(marked.chain(other)), lo, hi)
    }

    /// Fewest characters one character can become.
    pub fn min_out(&self) -> u64 {
        self.summary().min_out
    }

    /// Most characters one character can become.
    pub fn max_out(&self) -> u64 {
        self.summary().max_out
    }

    /// Every character an image can hold.
    pub fn outputs(&self) -> &Chars {
        &self.summary().outputs
    }

    /// Every text `c` can map to.
    pub fn image_of(&self, c: char) -> Vec<String> {
        let mut out = Vec::new();
        if (self.is_changed)(c) {
            (self.image)(c, &mut |t: &str| out.push(t.to_owned()));
        } else {
            out.push(c.to_string());
        }
        out
    }

    /// The forward rule: what the map makes of strings described by `s`. Exact in the
    /// characters when at most 4096 of `s`'s characters change (every
    /// case-changing set qualifies) and the result has at most that many non-ASCII
    /// characters; a sound superset otherwise (the images of every character, every
    /// non-ASCII character). The length grows by at most the longest image.
    #[must_use]
    pub fn forward(&self, s: &Str) -> Str {
        // Remembered per input class: the checker asks about the same few classes for
        // every field of a pipeline.
        let out = FORWARD.get(self.name, &s.chars, || {
            let touched = intersect(&s.chars, self.changed());
            if touched.ranges().is_empty() {
                return None;
            }
            let (img, lo, hi) = if domain::count(&touched) <= EXACT_UP_TO {
                self.images(&touched)
            } else {
                let sum = self.summary();
                (sum.outputs.clone(), sum.min_out, sum.max_out)
            };
            let mut kept = s.chars.clone();
            kept.difference(self.changed());
            let mut chars = union(&kept, &img);
            // A huge class cut into hundreds of pieces by case mapping costs every later
            // join more than it tells: keep its ASCII part exact and take every non-ASCII
            // character (a superset, so still sound).
            let non_ascii = domain::chars_of(&[('\u{80}', char::MAX)]);
            if domain::count(&intersect(&chars, &non_ascii)) > EXACT_UP_TO {
                chars.union(&non_ascii);
            }
            Some((chars, lo, hi))
        });
        let Some((chars, lo, hi)) = out else {
            return s.clone();
        };
        Str {
            min: s.min.saturating_mul(lo.min(1)),
            max: s.max.map(|m| m.saturating_mul(hi.max(1))),
            bytes: None,
            chars,
            format: None,
        }
    }

    /// The characters `c` for which every image only holds characters of `target`
    /// (remembered per map and target: `ascii` means looking at every non-ASCII character).
    #[must_use]
    pub fn preimage(&self, target: &Chars) -> Chars {
        PREIMAGE.get(self.name, target, || {
            let mut out = target.clone();
            out.difference(self.changed());
            let mut good = Vec::new();
            for r in self.changed().ranges() {
                for c in r.start()..=r.end() {
                    let mut ok = true;
                    (self.image)(c, &mut |t: &str| {
                        ok &= t.chars().all(|d| domain::contains(target, d));
                    });
                    if ok {
                        good.push(c);
                    }
                }
            }
            out.union(&set_of(good));
            out
        })
    }

    /// The characters it maps to exactly one character of at most the same UTF-8 width:
    /// where length and byte limits pass through it unchanged. Computed once.
    pub fn safe(&self) -> &Chars {
        self.safe.get_or_init(|| {
            let mut bad = Vec::new();
            for r in self.changed().ranges() {
                for c in r.start()..=r.end() {
                    let mut ok = true;
                    (self.image)(c, &mut |t: &str| {
                        ok &= t.chars().count() == 1 && t.len() <= c.len_utf8();
                    });
                    if !ok {
                        bad.push(c);
                    }
                }
            }
            let mut out = domain::all_chars();
            out.difference(&set_of(bad));
            out
        })
    }

    /// The characters it never maps to nothing: where a minimum length passes through it.
    /// Computed once.
    pub fn nonempty(&self) -> &Chars {
        self.nonempty.get_or_init(|| {
            let mut bad = Vec::new();
            for r in self.changed().ranges() {
                for c in r.start()..=r.end() {
                    let mut ok = true;
                    (self.image)(c, &mut |t: &str| ok &= !t.is_empty());
                    if !ok {
                        bad.push(c);
                    }
                }
            }
            let mut out = domain::all_chars();
            out.difference(&set_of(bad));
            out
        })
    }
}

/// The scalar value after `c`, skipping the surrogate gap.
fn next_char(c: char) -> Option<char> {
    if c == '\u{D7FF}' {
        return Some('\u{E000}');
    }
    char::from_u32(u32::from(c) + 1)
}

/// The class of characters given in ascending order.
fn ascending_set(chars: impl Iterator<Item = char>) -> Chars {
    let mut ranges: Vec<(char, char)> = Vec::new();
    for c in chars {
        match ranges.last_mut() {
            Some((_, end)) if next_char(*end) == Some(c) => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    domain::chars_of(&ranges)
}

/// The class of some characters.
pub(crate) fn set_of(chars: impl IntoIterator<Item = char>) -> Chars {
    let mut v: Vec<char> = chars.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    ascending_set(v.into_iter())
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_character_beyond_the_scanned_range_changes() {
        for map in [
            &crate::func::upper::MAP,
            &crate::func::lower::MAP,
            &crate::func::ascii::MAP,
        ] {
            assert_eq!(map.changed(), &map.scan(char::MAX), "{}", map.name);
        }
    }
}
