//! `glob`: files under root matching gitignore-style patterns (`*` stays in a folder, `**`
//! crosses folders, `!` excludes), honouring .gitignore. Paths come back sorted.
use crate::files::walker;
use crate::paths::{open_root, relative};
use crate::rpc::{params, to_value, RpcError, RpcResult};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GlobParams {
    root: String,
    #[serde(default)]
    patterns: Vec<String>,
    max_results: Option<usize>,
}

#[derive(Serialize)]
struct GlobResult {
    paths: Vec<String>,
    truncated: bool,
}

/// Include and exclude sets built from a pattern list.
pub struct Matcher {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Matcher {
    /// Builds a matcher; an empty include list matches every file.
    pub fn new(patterns: &[String]) -> Result<Matcher, RpcError> {
        let mut inc = GlobSetBuilder::new();
        let mut exc = GlobSetBuilder::new();
        let mut n_inc = 0;
        for p in patterns {
            let (neg, pat) = match p.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, p.as_str()),
            };
            let pat = pat.strip_prefix("./").unwrap_or(pat);
            let g = GlobBuilder::new(pat)
                .literal_separator(true)
                .build()
                .map_err(|e| RpcError::invalid_params(format!("bad pattern {p:?}: {e}")))?;
            if neg {
                exc.add(g);
            } else {
                inc.add(g);
                n_inc += 1;
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| RpcError::invalid_params(e.to_string()));
        Ok(Matcher { include: if n_inc > 0 { Some(build(inc)?) } else { None }, exclude: build(exc)? })
    }

    /// Whether a root-relative path (forward slashes) is selected.
    pub fn is_match(&self, rel: &str) -> bool {
        self.include.as_ref().map_or(true, |s| s.is_match(rel)) && !self.exclude.is_match(rel)
    }
}

/// Every walkable file under root selected by `m`, sorted, at most `max`.
pub fn list(root: &Path, m: &Matcher, max: usize) -> Result<(Vec<String>, bool), RpcError> {
    let mut out = Vec::new();
    let mut truncated = false;
    for entry in walker(root).build() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().map_or(false, |t| t.is_file()) {
            continue;
        }
        let rel = relative(root, entry.path());
        if m.is_match(&rel) {
            if out.len() >= max {
                truncated = true;
                break;
            }
            out.push(rel);
        }
    }
    out.sort();
    Ok((out, truncated))
}

/// Handles a `glob` request.
pub fn glob(p: Value) -> RpcResult {
    let p: GlobParams = params(p)?;
    let root = open_root(&p.root)?;
    let m = Matcher::new(&p.patterns)?;
    let (paths, truncated) = list(&root, &m, p.max_results.unwrap_or(100_000))?;
    to_value(&GlobResult { paths, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_folder_and_negation_excludes() {
        let m = Matcher::new(&["src/*.ts".into(), "lib/**/*.rs".into(), "!src/skip.ts".into()]).unwrap();
        assert!(m.is_match("src/a.ts"));
        assert!(!m.is_match("src/deep/a.ts"));
        assert!(m.is_match("lib/a.rs"));
        assert!(m.is_match("lib/x/y/a.rs"));
        assert!(!m.is_match("src/skip.ts"));
        assert!(Matcher::new(&[]).unwrap().is_match("anything"));
        assert!(Matcher::new(&["a[".into()]).is_err());
    }
}
