//! The languages compiled into this build and how file names map to them.
use serde_json::{json, Value};
use std::path::Path;
use tree_sitter::Language;

extern "C" {
    fn tree_sitter_typescript() -> Language;
    fn tree_sitter_tsx() -> Language;
    fn tree_sitter_javascript() -> Language;
    fn tree_sitter_python() -> Language;
    fn tree_sitter_rust() -> Language;
    fn tree_sitter_go() -> Language;
}

/// A language with a grammar in this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Rust,
    Go,
}

pub const ALL: [Lang; 6] = [Lang::TypeScript, Lang::Tsx, Lang::JavaScript, Lang::Python, Lang::Rust, Lang::Go];

impl Lang {
    /// The language of a file, from its extension.
    pub fn of(path: &Path) -> Option<Lang> {
        let ext = path.extension()?.to_str()?;
        ALL.into_iter().find(|l| l.extensions().contains(&ext))
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Rust => "rust",
            Lang::Go => "go",
        }
    }

    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Lang::TypeScript => &["ts", "mts", "cts"],
            Lang::Tsx => &["tsx"],
            Lang::JavaScript => &["js", "mjs", "cjs", "jsx"],
            Lang::Python => &["py", "pyi"],
            Lang::Rust => &["rs"],
            Lang::Go => &["go"],
        }
    }

    pub fn grammar(self) -> Language {
        // SAFETY: each function returns a static TSLanguage compiled by build.rs.
        unsafe {
            match self {
                Lang::TypeScript => tree_sitter_typescript(),
                Lang::Tsx => tree_sitter_tsx(),
                Lang::JavaScript => tree_sitter_javascript(),
                Lang::Python => tree_sitter_python(),
                Lang::Rust => tree_sitter_rust(),
                Lang::Go => tree_sitter_go(),
            }
        }
    }
}

/// The `languages` reply.
pub fn languages_json() -> Value {
    let list: Vec<Value> = ALL.iter().map(|l| json!({ "name": l.name(), "extensions": l.extensions() })).collect();
    json!({ "languages": list })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_into_a_parser() {
        for l in ALL {
            let mut p = tree_sitter::Parser::new();
            p.set_language(l.grammar()).unwrap_or_else(|e| panic!("{}: {e:?}", l.name()));
        }
    }

    #[test]
    fn maps_extensions() {
        assert_eq!(Lang::of(Path::new("a/b.tsx")), Some(Lang::Tsx));
        assert_eq!(Lang::of(Path::new("x.d.ts")), Some(Lang::TypeScript));
        assert_eq!(Lang::of(Path::new("x.py")), Some(Lang::Python));
        assert_eq!(Lang::of(Path::new("Makefile")), None);
    }
}
