//! Reads pipelines, every file they refer to (the schemas they use, the files those `$ref`,
//! and the `source:` files drift checking imports) and `ripple.toml` files as they were at
//! a git revision into a temporary folder, with `git ls-tree` and `git show` (no checkout, the
//! work tree is never touched).

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Errors};

/// How many files (pipelines, schemas, the files they `$ref` and `source:` files) are read
/// at most.
const MAX_FILES: usize = 10_000;

/// The keys of a `source:` that name a file, relative to the pipeline (README, "Pipelines").
const SOURCE_FILES: [&str; 3] = ["ddl", "openapi", "ldap"];

/// A temporary folder holding the repository's files at a revision, removed on drop.
#[derive(Debug)]
pub(super) struct Tree {
    /// The folder, standing for the repository root.
    pub(super) root: PathBuf,
    /// Where the path compared is inside it.
    pub(super) old_path: PathBuf,
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Runs git in `dir`; its standard output, or an error saying what git said.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot run git: {e}"))
                .help("--base needs git on the PATH")
        })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        Err(Error::new(
            ErrorKind::Usage,
            format!("`git {}` failed: {said}", args.join(" ")),
        ))
    }
}

/// A repository-relative path in git's spelling (`/`-separated).
fn git_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// `base/rel` with `.` and `..` resolved lexically; `None` when it leaves the repository.
fn join(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in base.join(rel).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Reads `path` (a file or folder in the work tree) as it was at `rev`.
///
/// # Errors
/// No git, not in a repository, an unknown revision, a path outside the repository, a
/// temporary folder that cannot be written.
pub(super) fn extract(rev: &str, path: &Path) -> Result<Tree, Errors> {
    let abs = std::fs::canonicalize(path).map_err(|e| Error::io(path, &e))?;
    let here = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent().unwrap_or(&abs)
    };
    let top = git(here, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            format!("{} is not in a git repository", path.display()),
        )
        .help(format!(
            "--base reads the old pipelines from git ({})",
            e.message
        ))
    })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let top = std::fs::canonicalize(&top).map_err(|e| Error::io(&top, &e))?;
    let rel = abs
        .strip_prefix(&top)
        .map_err(|_| {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "{} is outside the git repository at {}",
                    path.display(),
                    top.display()
                ),
            )
        })?
        .to_path_buf();
    git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        Error::new(ErrorKind::Usage, format!("unknown git revision `{rev}`"))
            .help("give a commit, branch or tag: `--base origin/main`, `--base HEAD~1`")
    })?;
    let root = std::env::temp_dir().join(format!("ripple-diff-{}", uuid::Uuid::new_v4().simple()));
    let tree = Tree {
        old_path: root.join(&rel),
        root,
    };
    // Bounds the search for `ripple.toml` at the copy's root, as at the repository's.
    std::fs::create_dir_all(tree.root.join(".git")).map_err(|e| Error::io(&tree.root, &e))?;
    let mut reader = Reader {
        top: &top,
        rev,
        root: &tree.root,
        done: BTreeSet::new(),
    };
    reader.pipelines(&rel)?;
    reader.configs(&rel);
    if abs.is_dir() {
        std::fs::create_dir_all(&tree.old_path).map_err(|e| Error::io(&tree.old_path, &e))?;
    }
    Ok(tree)
}

struct Reader<'a> {
    top: &'a Path,
    rev: &'a str,
    root: &'a Path,
    done: BTreeSet<PathBuf>,
}

impl Reader<'_> {
    /// Copies `rel` from the revision; `Ok(None)` when it is not there.
    fn copy(&mut self, rel: &Path) -> Result<Option<Vec<u8>>, Error> {
        if !self.done.insert(rel.to_path_buf()) || self.done.len() > MAX_FILES {
            return Ok(None);
        }
        let Ok(bytes) = git(
            self.top,
            &["show", &format!("{}:{}", self.rev, git_path(rel))],
        ) else {
            return Ok(None);
        };
        let to = self.root.join(rel);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
        }
        std::fs::write(&to, &bytes).map_err(|e| Error::io(&to, &e))?;
        Ok(Some(bytes))
    }

    /// Every pipeline under `rel` at the revision, and the files they refer to.
    fn pipelines(&mut self, rel: &Path) -> Result<(), Error> {
        let spec = if rel.as_os_str().is_empty() {
            ".".to_owned()
        } else {
            git_path(rel)
        };
        let listed = git(
            self.top,
            &["ls-tree", "-r", "-z", "--name-only", self.rev, "--", &spec],
        )?;
        for name in listed.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let file = PathBuf::from(String::from_utf8_lossy(name).into_owned());
            let inner = file.strip_prefix(rel).unwrap_or(&file);
            let hidden = inner
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            let yaml = file.extension().is_some_and(|x| x == "yaml" || x == "yml");
            if hidden || !yaml {
                continue;
            }
            if let Some(bytes) = self.copy(&file)? {
                self.files_of(&file, &bytes)?;
            }
        }
        Ok(())
    }

    /// The files a pipeline's systems name, relative to its folder: each `schema` (with
    /// what it `$ref`s) and each `source:` file (`ddl`, `openapi`, `ldap`; README,
    /// "Pipelines"), which `check`'s drift findings import (README, "Drift").
    fn files_of(&mut self, pipeline: &Path, bytes: &[u8]) -> Result<(), Error> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let file = crate::span::SourceFile::new(pipeline, text);
        let Ok((doc, _)) = crate::pipeline::yaml::parse(&file) else {
            return Ok(());
        };
        let dir = pipeline.parent().unwrap_or(Path::new(""));
        let systems = doc.get("systems").and_then(Value::as_object);
        for system in systems.into_iter().flat_map(|s| s.values()) {
            if let Some(schema) = system.get("schema").and_then(Value::as_str)
                && let Some(rel) = join(dir, schema)
            {
                self.schema(&rel, 0)?;
            }
            let source = system.get("source").and_then(Value::as_object);
            for key in SOURCE_FILES {
                if let Some(path) = source.and_then(|s| s.get(key)).and_then(Value::as_str)
                    && let Some(rel) = join(dir, path)
                {
                    self.copy(&rel)?;
                }
            }
        }
        Ok(())
    }

    /// A schema and, recursively, the files its `$ref`s name.
    fn schema(&mut self, rel: &Path, depth: usize) -> Result<(), Error> {
        if depth > 32 {
            return Ok(());
        }
        let Some(bytes) = self.copy(rel)? else {
            return Ok(());
        };
        let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
            return Ok(());
        };
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        let dir = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        for r in refs {
            let file_part = r.split('#').next().unwrap_or("");
            if file_part.is_empty() || file_part.contains("://") {
                continue;
            }
            if let Some(target) = join(&dir, file_part) {
                self.schema(&target, depth + 1)?;
            }
        }
        Ok(())
    }

    /// `ripple.toml` in the compared folder and each parent up to the repository root.
    fn configs(&mut self, rel: &Path) {
        let mut dir = Some(rel);
        while let Some(d) = dir {
            let _ = self.copy(&d.join(crate::check::suppress::CONFIG_FILE));
            dir = d.parent();
        }
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == "$ref" => out.push(s.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_repository() {
        assert_eq!(
            join(Path::new("pipelines"), "../schemas/web.json"),
            Some(PathBuf::from("schemas/web.json"))
        );
        assert_eq!(join(Path::new(""), "../x.json"), None);
        assert_eq!(git_path(Path::new("a/b/c.yaml")), "a/b/c.yaml".to_owned());
    }
}
