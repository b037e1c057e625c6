//! Severity overrides in `ripple.toml` and ignore comments in pipelines (README,
//! "`ripple check`", "Severity overrides and ignore comments").
//!
//! `ripple.toml` is looked for in the pipeline's folder, then each parent up to the
//! repository root (a folder holding `.git`) or the filesystem root; the first one found
//! wins. Its `[severity]` table maps a code (`R302` or `undecided`) to `error`, `warning`,
//! `note` or `ignore`.
//!
//! An ignore comment sits on the line a finding is located on:
//! `uid: lower(username)  # ripple: ignore R301 the directory truncates on import`. The
//! reason is required; a comment without one (or naming no known code) is an R110 finding.
//! The YAML parser drops comments, so the pipeline text is scanned for them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::codes::{Code, Severity};
use super::finding::Finding;
use super::outcome::CheckReport;
pub use super::outcome::Ignored;
use crate::error::{Error, ErrorKind};
use crate::pipeline::Pipeline;
use crate::span::{Location, SourceFile};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "ripple.toml";

/// What `ripple.toml` sets for one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// Report the code's findings with this severity.
    Severity(Severity),
    /// Leave the code's findings out (listed as ignored).
    Ignore,
}

/// A `ripple.toml`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// The `[severity]` table.
    pub severity: Vec<(Code, Override)>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    severity: std::collections::BTreeMap<String, String>,
}

impl Config {
    /// Parses a `ripple.toml`'s text.
    ///
    /// # Errors
    /// Text that is not TOML, an unknown key, code or severity.
    pub fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let bad = |message: String| {
            Error::new(ErrorKind::Format, message).in_file(path).help(
                "write e.g. `[severity]` and `R302 = \"ignore\"` (error, warning, note or ignore)",
            )
        };
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            bad(format!(
                "{} is not a valid ripple.toml: {e}",
                path.display()
            ))
        })?;
        let mut severity = Vec::new();
        for (key, value) in file.severity {
            let code = Code::find(&key)
                .ok_or_else(|| bad(format!("unknown code `{key}` in {}", path.display())))?;
            let setting = match value.as_str() {
                "error" => Override::Severity(Severity::Error),
                "warning" => Override::Severity(Severity::Warning),
                "note" => Override::Severity(Severity::Note),
                "ignore" => Override::Ignore,
                other => {
                    return Err(bad(format!(
                        "`{key} = \"{other}\"` in {}: the severity is error, warning, note or ignore",
                        path.display()
                    )));
                }
            };
            severity.push((code, setting));
        }
        Ok(Self {
            path: path.to_path_buf(),
            severity,
        })
    }

    /// What the file sets for `code`.
    #[must_use]
    pub fn lookup(&self, code: Code) -> Option<Override> {
        self.severity
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, o)| *o)
    }

    /// The `ripple.toml` that applies to a pipeline file: in its folder or the nearest
    /// parent, up to the repository root or the filesystem root.
    ///
    /// # Errors
    /// A `ripple.toml` that cannot be read or parsed.
    pub fn find(pipeline: &Path) -> Result<Option<Self>, Error> {
        let start = pipeline.parent().unwrap_or(Path::new(""));
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = Some(start.as_path());
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                let text =
                    std::fs::read_to_string(&candidate).map_err(|e| Error::io(&candidate, &e))?;
                // Named as the user would: relative to the current folder when inside it.
                let shown = std::env::current_dir()
                    .ok()
                    .and_then(|here| candidate.strip_prefix(here).ok().map(Path::to_path_buf))
                    .unwrap_or_else(|| candidate.clone());
                return Self::parse(&text, &shown).map(Some);
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        Ok(None)
    }
}

/// The configurations found so far, per folder.
#[derive(Debug, Default)]
pub(crate) struct Configs(HashMap<PathBuf, Option<Arc<Config>>>);

impl Configs {
    /// The configuration for a pipeline file, read once per folder.
    pub(crate) fn for_pipeline(&mut self, file: &Path) -> Result<Option<Arc<Config>>, Error> {
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        if let Some(found) = self.0.get(&dir) {
            return Ok(found.clone());
        }
        let found = Config::find(file)?.map(Arc::new);
        self.0.insert(dir, found.clone());
        Ok(found)
    }
}

/// One `# ripple: ignore CODE reason` comment.
#[derive(Debug)]
struct Comment {
    line: usize,
    codes: Vec<Code>,
    reason: String,
}

/// The ignore comments of a pipeline text, and an R110 finding for each malformed one.
fn scan(file: &Arc<SourceFile>) -> (Vec<Comment>, Vec<Finding>) {
    let mut comments = Vec::new();
    let mut bad = Vec::new();
    let mut offset = 0;
    for (index, line) in file.text.split_inclusive('\n').enumerate() {
        if let Some(at) = directive(line) {
            let body = line[at..].trim_end();
            let span = file.span(offset + at, offset + at + body.len());
            match parse_comment(body) {
                Ok((codes, reason)) => comments.push(Comment {
                    line: index + 1,
                    codes,
                    reason,
                }),
                Err(problem) => {
                    let f = Finding::bad_ignore(problem, &file.path, Location::new(file, span))
                        .with_help(Some(
                            "write `# ripple: ignore R301 why this is acceptable` on the finding's line"
                                .into(),
                        ));
                    bad.push(f);
                }
            }
        }
        offset += line.len();
    }
    (comments, bad)
}

/// Where `# ripple:` starts on a line: at its start or after white space (a YAML comment).
fn directive(line: &str) -> Option<usize> {
    line.match_indices('#').map(|(i, _)| i).find(|&i| {
        (i == 0 || line[..i].ends_with([' ', '\t']))
            && line[i + 1..].trim_start().starts_with("ripple:")
    })
}

/// Parses `# ripple: ignore R301[,R302] reason` into its codes and reason.
fn parse_comment(body: &str) -> Result<(Vec<Code>, String), String> {
    let rest = body
        .trim_start_matches('#')
        .trim_start()
        .trim_start_matches("ripple:")
        .trim_start();
    let Some(rest) = rest.strip_prefix("ignore") else {
        return Err(format!(
            "`{body}` is not a ripple comment; the only one is `# ripple: ignore CODE reason`"
        ));
    };
    let rest = rest.trim_start();
    let (list, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if list.is_empty() {
        return Err("an ignore comment names no code".to_owned());
    }
    let mut codes = Vec::new();
    for name in list.split(',').filter(|n| !n.is_empty()) {
        codes.push(
            Code::find(name)
                .ok_or_else(|| format!("an ignore comment names an unknown code `{name}`"))?,
        );
    }
    let reason = reason
        .trim()
        .trim_start_matches(['-', '—', ':'])
        .trim()
        .to_owned();
    if reason.is_empty() {
        return Err(format!(
            "an ignore comment for {list} gives no reason; say why the finding is acceptable"
        ));
    }
    Ok((codes, reason))
}

/// Applies ignore comments and `ripple.toml` to the findings from index `start` on (those
/// of `pipeline`): suppressed ones move to [`CheckReport::ignored`], overridden ones change
/// severity; a malformed ignore comment adds an R110 finding.
pub(crate) fn apply(
    pipeline: &Pipeline,
    config: Option<&Config>,
    report: &mut CheckReport,
    start: usize,
) {
    let (comments, bad) = scan(&pipeline.file);
    report.findings.extend(bad);
    let mut reasons: Vec<Option<String>> = vec![None; report.findings.len()];
    for (i, f) in report.findings.iter_mut().enumerate().skip(start) {
        let line = f.location().map(|l| l.span.line);
        let comment = comments.iter().find(|c| {
            Some(c.line) == line && f.file() == pipeline.file.path && c.codes.contains(&f.code())
        });
        if let Some(c) = comment {
            reasons[i] = Some(c.reason.clone());
            continue;
        }
        match config.and_then(|c| c.lookup(f.code())) {
            Some(Override::Ignore) => {
                reasons[i] = Some(format!(
                    "{} = \"ignore\" in {}",
                    f.code().code(),
                    config.map_or_else(String::new, |c| c.path.display().to_string())
                ));
            }
            Some(Override::Severity(s)) => f.set_severity(s),
            None => {}
        }
    }
    let keep: Vec<bool> = reasons.iter().map(Option::is_none).collect();
    let removed = report.take_findings(&keep);
    report.ignored.extend(
        removed
            .into_iter()
            .zip(reasons.into_iter().flatten())
            .map(|(finding, reason)| Ignored { finding, reason }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_need_a_code_and_a_reason() {
        let ok = parse_comment("# ripple: ignore R301 the directory truncates");
        assert_eq!(
            ok,
            Ok((
                vec![Code::Incompatible],
                "the directory truncates".to_owned()
            ))
        );
        assert!(parse_comment("# ripple: ignore R301").is_err());
        assert!(parse_comment("# ripple: ignore R999 why").is_err());
        assert!(parse_comment("# ripple: ignroe R301 why").is_err());
        let two = parse_comment("#ripple: ignore R301,undecided -- both known");
        assert_eq!(
            two,
            Ok((
                vec![Code::Incompatible, Code::Undecided],
                "both known".to_owned()
            ))
        );
    }

    #[test]
    fn only_yaml_comments_count() {
        assert_eq!(directive("  uid: x  # ripple: ignore R301 y"), Some(10));
        assert_eq!(directive("# ripple: ignore R301 y"), Some(0));
        assert_eq!(directive("  uid: a#ripple: ignore"), None);
        assert_eq!(directive("  uid: x # other comment"), None);
    }

    #[test]
    fn config_parses_codes_and_names() {
        let c = Config::parse(
            "[severity]\nR302 = \"ignore\"\nunreachable-system = \"error\"\n",
            Path::new("ripple.toml"),
        );
        let c = c.unwrap_or_default();
        assert_eq!(c.lookup(Code::Undecided), Some(Override::Ignore));
        assert_eq!(
            c.lookup(Code::UnreachableSystem),
            Some(Override::Severity(Severity::Error))
        );
        assert!(Config::parse("[severity]\nR302 = \"loud\"\n", Path::new("r.toml")).is_err());
        assert!(Config::parse("[other]\n", Path::new("r.toml")).is_err());
    }
}
