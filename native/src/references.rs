//! `references`: where an identifier occurs, per the syntax tree. A byte search finds
//! candidates fast; the tree keeps only hits that are identifier tokens, so occurrences in
//! strings, comments and longer names are dropped.
use crate::files::{clip, read_text, walker, Skipped, DEFAULT_MAX_FILE_BYTES};
use crate::lang::Lang;
use crate::outline::expand;
use crate::paths::{open_root, relative};
use crate::rpc::{params, to_value, RpcError, RpcResult};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use tree_sitter::{Node, Parser};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefParams {
    root: String,
    name: String,
    paths: Option<Vec<String>>,
    max_results: Option<usize>,
    max_file_bytes: Option<u64>,
}

/// One occurrence; `definition` when it is the name of a declaration.
#[derive(Serialize, Debug, Clone)]
pub struct Reference {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub definition: bool,
    pub text: String,
}

#[derive(Serialize)]
struct RefResult {
    references: Vec<Reference>,
    truncated: bool,
    /// Files not searched (too large, binary, unreadable), at most 100.
    skipped: Vec<Skipped>,
}

/// Identifier occurrences of `name` in one buffer.
pub fn find_in(parser: &mut Parser, lang: Lang, src: &[u8], name: &str, rel: &str) -> Vec<Reference> {
    let finder = memchr::memmem::Finder::new(name.as_bytes());
    let hits: Vec<usize> = finder.find_iter(src).collect();
    if hits.is_empty() || parser.set_language(lang.grammar()).is_err() {
        return vec![];
    }
    let Some(tree) = parser.parse(src, None) else { return vec![] };
    let root = tree.root_node();
    let mut out = Vec::new();
    for start in hits {
        let end = start + name.len();
        let Some(node) = root.descendant_for_byte_range(start, end) else { continue };
        if node.start_byte() != start || node.end_byte() != end || !is_identifier(node) {
            continue;
        }
        let p = node.start_position();
        let line_start = start - p.column;
        let line_end = memchr::memchr(b'\n', &src[start..]).map_or(src.len(), |i| start + i);
        out.push(Reference {
            path: rel.to_string(),
            line: p.row + 1,
            column: p.column + 1,
            definition: is_definition(node),
            text: clip(&src[line_start..line_end], 300),
        });
    }
    out
}

fn is_identifier(n: Node) -> bool {
    n.child_count() == 0 && n.kind().ends_with("identifier")
}

fn is_definition(n: Node) -> bool {
    // An import names a symbol declared elsewhere; it is not a definition.
    n.parent()
        .filter(|p| !p.kind().contains("import") && !p.kind().contains("export_specifier"))
        .and_then(|p| p.child_by_field_name("name"))
        .map_or(false, |x| x.id() == n.id())
}

/// Handles a `references` request.
pub fn references(p: Value) -> RpcResult {
    let p: RefParams = params(p)?;
    if p.name.is_empty() || p.name.contains(char::is_whitespace) {
        return Err(RpcError::invalid_params("name must be a single identifier"));
    }
    let root = open_root(&p.root)?;
    let max_bytes = p.max_file_bytes.unwrap_or(DEFAULT_MAX_FILE_BYTES);
    let files: Vec<(PathBuf, String)> = match &p.paths {
        Some(list) if !list.is_empty() => expand(&root, list)?.0,
        _ => walker(&root)
            .build()
            .flatten()
            .filter(|e| e.file_type().map_or(false, |t| t.is_file()) && Lang::of(e.path()).is_some())
            .map(|e| (e.path().to_path_buf(), relative(&root, e.path())))
            .collect(),
    };
    let per_file: Vec<Result<Vec<Reference>, Skipped>> = files
        .par_iter()
        .map_init(Parser::new, |parser, (abs, rel)| {
            let Some(lang) = Lang::of(abs) else { return Ok(vec![]) };
            match read_text(abs, max_bytes) {
                Ok(src) => Ok(find_in(parser, lang, &src, &p.name, rel)),
                Err(reason) => Err(Skipped { path: rel.clone(), reason }),
            }
        })
        .collect();
    let mut refs = Vec::new();
    let mut skipped = Vec::new();
    for r in per_file {
        match r {
            Ok(v) => refs.extend(v),
            Err(s) if skipped.len() < 100 => skipped.push(s),
            Err(_) => {}
        }
    }
    refs.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)).then(a.column.cmp(&b.column)));
    let max = p.max_results.unwrap_or(5_000);
    let truncated = refs.len() > max;
    refs.truncate(max);
    to_value(&RefResult { references: refs, truncated, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_strings_comments_and_longer_names() {
        let src = br#"// Foo in a comment
import { Foo } from "./foo";
const s = "Foo";
function Foo() { return FooBar + Foo.x; }
class K { Foo = 1; m() { return this.Foo; } }
"#;
        let mut p = Parser::new();
        let refs = find_in(&mut p, Lang::TypeScript, src, "Foo", "a.ts");
        let at: Vec<(usize, usize, bool)> = refs.iter().map(|r| (r.line, r.column, r.definition)).collect();
        assert_eq!(at, vec![(2, 10, false), (4, 10, true), (4, 34, false), (5, 11, true), (5, 38, false)]);
    }

    #[test]
    fn works_in_python_and_rust() {
        let mut p = Parser::new();
        let py = find_in(&mut p, Lang::Python, b"def run():\n    # run\n    return run\n", "run", "a.py");
        assert_eq!(py.len(), 2);
        let rs = find_in(&mut p, Lang::Rust, b"fn go() { let s = \"go\"; go(); }\n", "go", "a.rs");
        assert_eq!(rs.len(), 2);
    }
}
