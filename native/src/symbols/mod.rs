//! Symbol extraction per language: a walk over declaration containers (module, class body,
//! impl block, namespace), mapping declaration node kinds to symbols. Function bodies are not
//! entered: an outline lists what a file declares, not its locals.
use crate::lang::Lang;
use crate::outline::{Pos, Range, Symbol};
use tree_sitter::Node;

mod go;
mod js;
mod python;
mod rust;

const MAX_SIGNATURE: usize = 200;

pub(super) struct Ctx<'a> {
    pub(super) lang: Lang,
    pub(super) src: &'a [u8],
}

/// The symbols declared in a syntax tree.
pub fn extract(lang: Lang, src: &[u8], root: Node) -> Vec<Symbol> {
    let ctx = Ctx { lang, src };
    let mut out = Vec::new();
    collect(&ctx, root, false, &mut out);
    out
}

pub(super) fn collect(ctx: &Ctx, container: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let mut cursor = container.walk();
    for child in container.named_children(&mut cursor) {
        visit(ctx, child, child, in_class, out);
    }
}

fn visit(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    match ctx.lang {
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => js::visit(ctx, node, outer, in_class, out),
        Lang::Python => python::visit(ctx, node, outer, in_class, out),
        Lang::Rust => rust::visit(ctx, node, outer, in_class, out),
        Lang::Go => go::visit(ctx, node, out),
    }
}

pub(super) fn text<'a>(ctx: &'a Ctx, n: Node) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(&ctx.src[n.byte_range()])
}

pub(super) fn name_of(ctx: &Ctx, n: Node) -> Option<String> {
    n.child_by_field_name("name").map(|x| text(ctx, x).into_owned())
}

/// Source text from `start` to `end` with whitespace runs collapsed, cut to MAX_SIGNATURE.
pub(super) fn signature(ctx: &Ctx, start: usize, end: usize) -> String {
    let raw = String::from_utf8_lossy(&ctx.src[start..end.max(start)]);
    let mut s = String::with_capacity(raw.len().min(MAX_SIGNATURE + 4));
    let mut space = false;
    for ch in raw.chars() {
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !s.is_empty() {
            s.push(' ');
        }
        space = false;
        s.push(ch);
        if s.len() >= MAX_SIGNATURE {
            s.push('…');
            break;
        }
    }
    s
}

/// A declaration head with its value cut short: `const X = {a: 1, …`, so that a large literal
/// stays one short line.
pub(super) fn head_and_value(ctx: &Ctx, start: usize, value: Node) -> String {
    format!("{} {}", signature(ctx, start, value.start_byte()), clip(&signature(ctx, value.start_byte(), value.end_byte()), 60))
}

/// At most `max` bytes of `s` on a char boundary, with an ellipsis when cut.
pub(super) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

pub(super) fn pos(p: tree_sitter::Point) -> Pos {
    Pos { line: p.row + 1, column: p.column + 1 }
}

/// A symbol spanning `outer` (with export/decorators) whose signature runs up to `body`.
pub(super) fn make(ctx: &Ctx, node: Node, outer: Node, name: String, kind: &'static str, body: Option<Node>) -> Symbol {
    let sig_start = if ctx.lang == Lang::Python { node.start_byte() } else { outer.start_byte() };
    let sig_end = body.map_or(node.end_byte(), |b| b.start_byte());
    Symbol {
        name,
        kind,
        range: Range { start: pos(outer.start_position()), end: pos(node.end_position()) },
        signature: Some(signature(ctx, sig_start, sig_end)),
        children: vec![],
        bytes: (outer.start_byte(), node.end_byte()),
    }
}

pub(super) fn with_children(ctx: &Ctx, mut s: Symbol, body: Option<Node>, in_class: bool) -> Symbol {
    if let Some(b) = body {
        collect(ctx, b, in_class, &mut s.children);
    }
    s
}
