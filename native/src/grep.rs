//! `grep`: a parallel, .gitignore-aware regex search, one match per matching line (like rg -n).
//! `globs` select files in the same dialect as `glob` (see `glob::Matcher`).
use crate::files::{clip, read_text, walker, Skipped, DEFAULT_MAX_FILE_BYTES};
use crate::glob::Matcher;
use crate::paths::{open_root, relative};
use crate::rpc::{params, to_value, RpcError, RpcResult};
use ignore::WalkState;
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const MAX_LINE_BYTES: usize = 300;
const MAX_SKIPPED_REPORTED: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GrepParams {
    root: String,
    pattern: String,
    #[serde(default)]
    globs: Vec<String>,
    #[serde(default)]
    case_insensitive: bool,
    max_results: Option<usize>,
    max_file_bytes: Option<u64>,
}

/// One matching line; line and column are 1-based, column counts bytes.
#[derive(Serialize, Debug, Clone)]
pub struct Match {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GrepResult {
    matches: Vec<Match>,
    truncated: bool,
    files_searched: usize,
    skipped: Vec<Skipped>,
}

/// Handles a `grep` request.
pub fn grep(p: Value) -> RpcResult {
    let p: GrepParams = params(p)?;
    let root = open_root(&p.root)?;
    let re = RegexBuilder::new(&p.pattern)
        .case_insensitive(p.case_insensitive)
        .multi_line(true)
        .build()
        .map_err(|e| RpcError::invalid_params(format!("bad pattern: {e}")))?;
    let max_results = p.max_results.unwrap_or(10_000).max(1);
    let max_bytes = p.max_file_bytes.unwrap_or(DEFAULT_MAX_FILE_BYTES);
    let m = Matcher::new(&p.globs)?;
    let walk = walker(&root).build_parallel();

    let found = AtomicUsize::new(0);
    let searched = AtomicUsize::new(0);
    let all: Mutex<Vec<Match>> = Mutex::new(Vec::new());
    let skipped: Mutex<Vec<Skipped>> = Mutex::new(Vec::new());
    walk.run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else { return WalkState::Continue };
            if !entry.file_type().map_or(false, |t| t.is_file()) {
                return WalkState::Continue;
            }
            let rel = relative(&root, entry.path());
            if !m.is_match(&rel) {
                return WalkState::Continue;
            }
            match read_text(entry.path(), max_bytes) {
                Ok(bytes) => {
                    searched.fetch_add(1, Ordering::Relaxed);
                    let ms = search(&re, &bytes, &rel);
                    if !ms.is_empty() {
                        let n = found.fetch_add(ms.len(), Ordering::Relaxed) + ms.len();
                        all.lock().unwrap().extend(ms);
                        // Stop once there is one match more than asked for: then `truncated` is exact.
                        if n > max_results {
                            return WalkState::Quit;
                        }
                    }
                }
                Err(reason) => {
                    let mut s = skipped.lock().unwrap();
                    if s.len() < MAX_SKIPPED_REPORTED {
                        s.push(Skipped { path: rel, reason });
                    }
                }
            }
            WalkState::Continue
        })
    });
    let mut matches = all.into_inner().unwrap();
    matches.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    let truncated = matches.len() > max_results;
    matches.truncate(max_results);
    let mut skipped = skipped.into_inner().unwrap();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    to_value(&GrepResult { matches, truncated, files_searched: searched.into_inner(), skipped })
}

/// All matching lines of one buffer. Searches the whole buffer at once (fast for literals) and
/// counts newlines only between hits.
pub fn search(re: &Regex, bytes: &[u8], rel: &str) -> Vec<Match> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    let mut counted_to = 0;
    while pos <= bytes.len() {
        let Some(m) = re.find_at(bytes, pos) else { break };
        let start = m.start();
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        out.push(Match {
            path: rel.to_string(),
            line,
            column: start - line_start + 1,
            text: clip(&bytes[line_start..line_end], MAX_LINE_BYTES),
        });
        counted_to = start;
        // One entry per line: continue after this line's end.
        pos = line_end + 1;
    }
    out
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_match_per_line_with_positions() {
        let re = RegexBuilder::new("foo").multi_line(true).build().unwrap();
        let ms = search(&re, b"a foo foo\nbar\n  foo\n", "x.ts");
        assert_eq!(ms.len(), 2);
        assert_eq!((ms[0].line, ms[0].column, ms[0].text.as_str()), (1, 3, "a foo foo"));
        assert_eq!((ms[1].line, ms[1].column, ms[1].text.as_str()), (3, 3, "  foo"));
    }

    #[test]
    fn anchors_work_per_line() {
        let re = RegexBuilder::new("^bar$").multi_line(true).build().unwrap();
        let ms = search(&re, b"foo\nbar\nbarx\n", "x");
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].line, 2);
    }

    #[test]
    fn globs_use_the_glob_dialect() {
        let d = std::env::temp_dir().join(format!("orch-native-grep-globs-{}", std::process::id()));
        std::fs::create_dir_all(d.join("docs")).unwrap();
        for f in ["a.ts", "docs/b.ts", "TODO.md", "docs/TODO.md"] {
            std::fs::write(d.join(f), "needle\n").unwrap();
        }
        let paths = |globs: &[&str]| -> Vec<String> {
            let v: Value = serde_json::from_str(&grep(serde_json::json!({ "root": d.to_str().unwrap(), "pattern": "needle", "globs": globs })).unwrap()).unwrap();
            v["matches"].as_array().unwrap().iter().map(|m| m["path"].as_str().unwrap().to_string()).collect()
        };
        // `*` stays in one folder; `!` excludes exactly the path it names.
        assert_eq!(paths(&["*.ts"]), ["a.ts"]);
        assert_eq!(paths(&["**/*.ts"]), ["a.ts", "docs/b.ts"]);
        assert_eq!(paths(&["!TODO.md"]), ["a.ts", "docs/TODO.md", "docs/b.ts"]);
        assert_eq!(paths(&["**", "!docs/**"]), ["TODO.md", "a.ts"]);
        assert!(grep(serde_json::json!({ "root": d.to_str().unwrap(), "pattern": "x", "globs": ["a["] })).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn empty_matches_do_not_loop() {
        let re = RegexBuilder::new("x*").multi_line(true).build().unwrap();
        assert_eq!(search(&re, b"a\nb", "x").len(), 2);
    }
}
