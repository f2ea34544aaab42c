//! `outline`: the declarations of each file (name, kind, range, signature, children), read off
//! the tree-sitter syntax tree. Files with syntax errors still get every symbol that parsed.
use crate::files::{read_text, walker, DEFAULT_MAX_FILE_BYTES};
use crate::glob::Matcher;
use crate::lang::Lang;
use crate::paths::{open_root, relative, resolve};
use crate::rpc::{params, to_value, RpcError, RpcResult, NOT_FOUND};
use crate::symbols::extract;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tree_sitter::Parser;

/// A position; line and column are 1-based, column counts bytes.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub start: Pos,
    pub end: Pos,
}

/// One declaration.
#[derive(Serialize, Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub kind: &'static str,
    pub range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Symbol>,
    /// Byte span of the declaration's text (with its export/decorators).
    #[serde(skip)]
    pub bytes: (usize, usize),
}

#[derive(Serialize, Debug)]
pub struct FileOutline {
    pub path: String,
    pub language: Option<&'static str>,
    pub symbols: Vec<Symbol>,
    /// The file has syntax errors: the symbols are those that parsed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// The file is not valid UTF-8: names and signatures were decoded lossily.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lossy: bool,
    /// Why the file has no outline (binary, too large, unsupported language, missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Serialize)]
struct Files {
    files: Vec<FileOutline>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OutlineParams {
    root: String,
    paths: Vec<String>,
    max_file_bytes: Option<u64>,
}

/// Parse time limit per file, so that a pathological input cannot stall the process.
const PARSE_TIMEOUT_MICROS: u64 = 5_000_000;

/// Parses one buffer: its symbols and whether the tree has syntax errors.
pub fn outline_source(parser: &mut Parser, lang: Lang, src: &[u8]) -> Result<(Vec<Symbol>, bool), String> {
    parser.set_language(lang.grammar()).map_err(|e| format!("grammar: {e:?}"))?;
    parser.set_timeout_micros(PARSE_TIMEOUT_MICROS);
    let tree = parser.parse(src, None).ok_or_else(|| "parse timed out".to_string())?;
    let root = tree.root_node();
    Ok((extract(lang, src, root), root.has_error()))
}

/// Outlines one file on disk.
pub fn outline_file(parser: &mut Parser, abs: &Path, rel: String, max_bytes: u64) -> (FileOutline, Vec<u8>) {
    let mut fo = FileOutline { path: rel, language: None, symbols: vec![], partial: false, lossy: false, error: None };
    let Some(lang) = Lang::of(abs) else {
        fo.error = Some("unsupported language".into());
        return (fo, vec![]);
    };
    fo.language = Some(lang.name());
    let src = match read_text(abs, max_bytes) {
        Ok(b) => b,
        Err(reason) => {
            fo.error = Some(reason);
            return (fo, vec![]);
        }
    };
    fo.lossy = std::str::from_utf8(&src).is_err();
    match outline_source(parser, lang, &src) {
        Ok((symbols, partial)) => {
            fo.symbols = symbols;
            fo.partial = partial;
        }
        Err(e) => fo.error = Some(e),
    }
    (fo, src)
}

/// Expands request paths (files, folders, or glob patterns) into (absolute, relative) files.
/// A path that leaves the root is an error for the whole request; a missing one is reported.
pub fn expand(root: &Path, entries: &[String]) -> Result<(Vec<(PathBuf, String)>, Vec<FileOutline>), RpcError> {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let mut patterns = Vec::new();
    for e in entries {
        if e.contains(['*', '?', '[', '{']) {
            patterns.push(e.clone());
            continue;
        }
        match resolve(root, e) {
            Ok(abs) if abs.is_dir() => {
                for entry in walker(&abs).build().flatten() {
                    if entry.file_type().map_or(false, |t| t.is_file()) && Lang::of(entry.path()).is_some() {
                        files.push((entry.path().to_path_buf(), relative(root, entry.path())));
                    }
                }
            }
            Ok(abs) => {
                let rel = relative(root, &abs);
                files.push((abs, rel));
            }
            Err(err) if err.code == NOT_FOUND => missing.push(FileOutline {
                path: e.clone(),
                language: None,
                symbols: vec![],
                partial: false,
                lossy: false,
                error: Some("not found".into()),
            }),
            Err(err) => return Err(err),
        }
    }
    if !patterns.is_empty() {
        let m = Matcher::new(&patterns)?;
        let (rels, _) = crate::glob::list(root, &m, usize::MAX)?;
        files.extend(rels.into_iter().filter(|r| Lang::of(Path::new(r)).is_some()).map(|r| (root.join(&r), r)));
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    files.dedup_by(|a, b| a.1 == b.1);
    Ok((files, missing))
}

/// Handles an `outline` request; files are parsed in parallel.
pub fn outline(p: Value) -> RpcResult {
    let p: OutlineParams = params(p)?;
    let root = open_root(&p.root)?;
    let max_bytes = p.max_file_bytes.unwrap_or(DEFAULT_MAX_FILE_BYTES);
    let (files, mut missing) = expand(&root, &p.paths)?;
    let mut out: Vec<FileOutline> = files
        .par_iter()
        .map_init(Parser::new, |parser, (abs, rel)| outline_file(parser, abs, rel.clone(), max_bytes).0)
        .collect();
    out.append(&mut missing);
    to_value(&Files { files: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Lang, src: &str) -> (Vec<String>, bool) {
        let (syms, partial) = outline_source(&mut Parser::new(), lang, src.as_bytes()).unwrap();
        fn walk(s: &[Symbol], prefix: &str, out: &mut Vec<String>) {
            for x in s {
                out.push(format!("{prefix}{}:{}", x.kind, x.name));
                walk(&x.children, &format!("{prefix}{}.", x.name), out);
            }
        }
        let mut out = vec![];
        walk(&syms, "", &mut out);
        (out, partial)
    }

    #[test]
    fn typescript_declarations() {
        let src = "export function f(a: number): string { return ''; }\n\
            export default class { m() {} }\n\
            interface I { x: number; y(): void }\n\
            type T = { a: 1 };\nenum E { A }\nnamespace N { export const z = 1; }\n\
            export const g = (x: number) => x, h = 2;\nlet v;\n\
            abstract class A { abstract q(): void; private p = 1; }\n";
        let (n, partial) = names(Lang::TypeScript, src);
        assert!(!partial);
        assert_eq!(
            n,
            [
                "function:f", "class:default", "default.method:m", "interface:I", "I.property:x", "I.method:y",
                "type:T", "enum:E", "namespace:N", "N.constant:z", "function:g", "constant:h", "variable:v",
                "class:A", "A.method:q", "A.property:p",
            ]
        );
    }

    #[test]
    fn signature_stops_at_the_body() {
        let src = "export async function load(\n  root: string,\n): Promise<void> {\n  return;\n}\n";
        let (s, _) = outline_source(&mut Parser::new(), Lang::TypeScript, src.as_bytes()).unwrap();
        assert_eq!(s[0].signature.as_deref(), Some("export async function load( root: string, ): Promise<void>"));
        assert_eq!((s[0].range.start.line, s[0].range.end.line), (1, 5));
        let src = "export const BIG = z.object({\n  aaaaaaaaaaaaaaaa: z.string(),\n  bbbbbbbbbbbbbbbbbbbbbbbb: z.number(),\n  cccccccccc: z.boolean(),\n});\n";
        let (s, _) = outline_source(&mut Parser::new(), Lang::TypeScript, src.as_bytes()).unwrap();
        assert_eq!(s[0].signature.as_deref(), Some("export const BIG = z.object({ aaaaaaaaaaaaaaaa: z.string(), bbbbbbbbbbbbbbbbbbb…"));
        let (s, _) = outline_source(&mut Parser::new(), Lang::TypeScript, b"class K {\n  check = async (x: number): Promise<void> => {\n    return;\n  };\n}\n").unwrap();
        assert_eq!(s[0].children[0].signature.as_deref(), Some("check = async (x: number): Promise<void> =>"));
    }

    #[test]
    fn syntax_errors_give_a_partial_outline() {
        let (n, partial) = names(Lang::TypeScript, "function ok() {}\nfunction broken( {\nclass After {}\n");
        assert!(partial);
        assert!(n.contains(&"function:ok".to_string()), "{n:?}");
    }

    #[test]
    fn python_rust_go() {
        let (py, _) = names(Lang::Python, "X = 1\n@dec\ndef f():\n  pass\nclass C:\n  y = 2\n  def m(self):\n    pass\n");
        assert_eq!(py, ["variable:X", "function:f", "class:C", "C.property:y", "C.method:m"]);
        let big = "T = {\n  'aaaaaaaaaaaa': 1, 'bbbbbbbbbbbbbbbb': 2, 'cccccccccccccccc': 3, 'dddddddddddd': 4,\n}\n";
        let (s, _) = outline_source(&mut Parser::new(), Lang::Python, big.as_bytes()).unwrap();
        assert_eq!(s[0].signature.as_deref(), Some("T = { 'aaaaaaaaaaaa': 1, 'bbbbbbbbbbbbbbbb': 2, 'ccccccccccccccc…"));
        let (s, _) = outline_source(&mut Parser::new(), Lang::Rust, b"macro_rules! m { () => { 1 } }\npub const K: [u8; 3] = [1, 2, 3];\n").unwrap();
        assert_eq!(s[0].signature.as_deref(), Some("macro_rules! m"));
        assert_eq!(s[1].signature.as_deref(), Some("pub const K: [u8; 3] = [1, 2, 3]"));
        let (rs, _) = names(
            Lang::Rust,
            "pub struct S { a: u8 }\nimpl S { fn new() -> S { S { a: 0 } } }\ntrait T { fn t(&self); }\nenum E { A, B }\nconst K: u8 = 1;\nmod m { fn inner() {} }\n",
        );
        assert_eq!(
            rs,
            ["struct:S", "S.field:a", "impl:S", "S.method:new", "trait:T", "T.method:t", "enum:E", "E.variant:A", "E.variant:B", "constant:K", "module:m", "m.function:inner"]
        );
        let (go, _) = names(
            Lang::Go,
            "package p\ntype S struct { A, B int }\ntype I interface { M() }\nfunc (s *S) Get() int { return 1 }\nfunc F() {}\nconst C = 1\nvar V int\n",
        );
        assert_eq!(go, ["struct:S", "S.field:A", "S.field:B", "interface:I", "I.method:M", "method:Get", "function:F", "constant:C", "variable:V"]);
    }

    #[test]
    fn tsx_and_javascript() {
        let (tsx, _) = names(Lang::Tsx, "export const App = () => <div>hi</div>;\n");
        assert_eq!(tsx, ["function:App"]);
        let (js, _) = names(Lang::JavaScript, "class K { #p = 1; get x() { return 1 } }\nfunction* gen() {}\n");
        assert_eq!(js, ["class:K", "K.property:#p", "K.method:x", "function:gen"]);
    }
}
