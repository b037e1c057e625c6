//! RFC 4512 §4.1 definitions: `( oid NAME 'x' SUP y SYNTAX 1.2.3{32} SINGLE-VALUE … )`.

/// Keywords without a value.
const FLAGS: [&str; 7] = [
    "OBSOLETE",
    "SINGLE-VALUE",
    "COLLECTIVE",
    "NO-USER-MODIFICATION",
    "ABSTRACT",
    "STRUCTURAL",
    "AUXILIARY",
];

/// A parsed definition: its OID and each keyword's values, in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Description {
    pub(super) oid: String,
    pub(super) fields: Vec<(String, Vec<String>)>,
}

impl Description {
    /// The values of `keyword` (`NAME ( 'a' 'b' )` → `a`, `b`; `MUST ( a $ b )` → `a`, `b`).
    pub(super) fn all(&self, keyword: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == keyword)
            .flat_map(|(_, v)| v.iter().cloned())
            .collect()
    }

    /// The first value of `keyword`.
    pub(super) fn first(&self, keyword: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == keyword)
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// Whether the flag `keyword` is set.
    pub(super) fn has(&self, keyword: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == keyword)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Dollar,
    Quoted(String),
    Word(String),
}

/// Splits a definition into tokens with their byte offsets.
fn lex(text: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push((Tok::Open, i)),
            ')' => out.push((Tok::Close, i)),
            '$' => out.push((Tok::Dollar, i)),
            '\'' => {
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => value.push(c),
                        None => return Err((i, "a quoted string is not closed".to_owned())),
                    }
                }
                out.push((Tok::Quoted(value), i));
            }
            _ => {
                let mut word = String::from(c);
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '$' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push((Tok::Word(word), i));
            }
        }
    }
    Ok(out)
}

/// Parses one definition; errors carry the byte offset in `text`.
pub(super) fn parse(text: &str) -> Result<Description, (usize, String)> {
    let tokens = lex(text)?;
    let mut it = tokens.into_iter().peekable();
    match it.next() {
        Some((Tok::Open, _)) => {}
        Some((_, at)) => return Err((at, "expected `(` to open the definition".to_owned())),
        None => return Err((0, "expected a definition in parentheses".to_owned())),
    }
    let oid = match it.next() {
        Some((Tok::Word(w), _)) => w,
        Some((_, at)) => return Err((at, "expected the definition's OID".to_owned())),
        None => return Err((text.len(), "the definition ends before its OID".to_owned())),
    };
    let mut fields = Vec::new();
    loop {
        let keyword = match it.next() {
            Some((Tok::Close, _)) => break,
            Some((Tok::Word(w), _)) => w.to_ascii_uppercase(),
            Some((_, at)) => {
                return Err((at, "expected a keyword (NAME, SYNTAX, MUST …)".to_owned()));
            }
            None => {
                return Err((
                    text.len(),
                    "the definition is not closed with `)`".to_owned(),
                ));
            }
        };
        if FLAGS.contains(&keyword.as_str()) {
            fields.push((keyword, Vec::new()));
            continue;
        }
        let values = match it.next() {
            Some((Tok::Word(w) | Tok::Quoted(w), _)) => vec![w],
            Some((Tok::Open, _)) => {
                let mut values = Vec::new();
                loop {
                    match it.next() {
                        Some((Tok::Close, _)) => break,
                        Some((Tok::Dollar, _)) => {}
                        Some((Tok::Word(w) | Tok::Quoted(w), _)) => values.push(w),
                        Some((Tok::Open, at)) => {
                            return Err((at, format!("unexpected `(` in the values of {keyword}")));
                        }
                        None => {
                            return Err((
                                text.len(),
                                format!("the values of {keyword} are not closed with `)`"),
                            ));
                        }
                    }
                }
                values
            }
            Some((_, at)) => return Err((at, format!("expected a value for {keyword}"))),
            None => return Err((text.len(), format!("expected a value for {keyword}"))),
        };
        fields.push((keyword, values));
    }
    if let Some((_, at)) = it.next() {
        return Err((at, "unexpected text after the definition's `)`".to_owned()));
    }
    Ok(Description { oid, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_parse() {
        let d =
            parse("( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s)' SUP name )")
                .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.oid, "2.5.4.3");
        assert_eq!(d.all("NAME"), ["cn", "commonName"]);
        assert_eq!(d.first("SUP"), Some("name"));
        let d = parse("( 1.1 NAME 'x' SUP top STRUCTURAL MUST ( a $ b ) MAY c X-ORIGIN 'me' )")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.all("MUST"), ["a", "b"]);
        assert_eq!(d.all("MAY"), ["c"]);
        assert!(d.has("STRUCTURAL"));
        let d = parse("( 1.2 NAME 'y' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{64} SINGLE-VALUE )")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.first("SYNTAX"), Some("1.3.6.1.4.1.1466.115.121.1.15{64}"));
        assert!(d.has("SINGLE-VALUE"));
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(
            parse("( 1.1 NAME 'x "),
            Err((11, "a quoted string is not closed".into()))
        );
        assert_eq!(
            parse("( 1.1 NAME 'x'"),
            Err((14, "the definition is not closed with `)`".into()))
        );
        assert_eq!(parse("1.1 )").map_err(|e| e.0), Err(0));
    }
}
