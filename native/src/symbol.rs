//! `symbol`: the source text and range of one declaration, by name (`Class.method` for members).
use crate::files::DEFAULT_MAX_FILE_BYTES;
use crate::outline::{outline_file, Symbol};
use crate::paths::{open_root, relative, resolve};
use crate::rpc::{params, to_value, RpcError, RpcResult, NOT_FOUND, UNREADABLE, UNSUPPORTED_LANGUAGE};
use serde::Deserialize;
use serde_json::{json, Value};
use tree_sitter::Parser;

/// Longest symbol text returned; longer bodies are cut and flagged.
const MAX_TEXT_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SymbolParams {
    root: String,
    path: String,
    name: String,
}

/// Finds a symbol by dotted path, or by plain name anywhere (outermost first).
pub fn find<'a>(syms: &'a [Symbol], name: &str) -> Option<&'a Symbol> {
    if let Some(s) = syms.iter().find(|s| s.name == name) {
        return Some(s);
    }
    if let Some((head, rest)) = name.split_once('.') {
        if let Some(s) = syms.iter().find(|s| s.name == head).and_then(|s| find(&s.children, rest)) {
            return Some(s);
        }
    }
    syms.iter().find_map(|s| find(&s.children, name))
}

/// Handles a `symbol` request.
pub fn symbol(p: Value) -> RpcResult {
    let p: SymbolParams = params(p)?;
    let root = open_root(&p.root)?;
    let abs = resolve(&root, &p.path)?;
    let rel = relative(&root, &abs);
    let (fo, src) = outline_file(&mut Parser::new(), &abs, rel.clone(), DEFAULT_MAX_FILE_BYTES);
    if let Some(e) = fo.error {
        let code = if e == "unsupported language" { UNSUPPORTED_LANGUAGE } else { UNREADABLE };
        return Err(RpcError::with_path(code, format!("{rel}: {e}"), &rel));
    }
    let s = find(&fo.symbols, &p.name)
        .ok_or_else(|| RpcError::with_path(NOT_FOUND, format!("no symbol {:?} in {rel}", p.name), &rel))?;
    let (a, b) = s.bytes;
    let truncated = b - a > MAX_TEXT_BYTES;
    let text = String::from_utf8_lossy(&src[a..b.min(a + MAX_TEXT_BYTES)]).into_owned();
    to_value(&json!({
        "path": rel, "name": s.name, "kind": s.kind, "range": s.range,
        "signature": s.signature, "text": text, "truncated": truncated,
    }))
}
