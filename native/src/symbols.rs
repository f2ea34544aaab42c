//! Symbol extraction per language: a walk over declaration containers (module, class body,
//! impl block, namespace), mapping declaration node kinds to symbols. Function bodies are not
//! entered: an outline lists what a file declares, not its locals.
use crate::lang::Lang;
use crate::outline::{Pos, Range, Symbol};
use tree_sitter::Node;

const MAX_SIGNATURE: usize = 200;

struct Ctx<'a> {
    lang: Lang,
    src: &'a [u8],
}

/// The symbols declared in a syntax tree.
pub fn extract(lang: Lang, src: &[u8], root: Node) -> Vec<Symbol> {
    let ctx = Ctx { lang, src };
    let mut out = Vec::new();
    collect(&ctx, root, false, &mut out);
    out
}

fn collect(ctx: &Ctx, container: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let mut cursor = container.walk();
    for child in container.named_children(&mut cursor) {
        visit(ctx, child, child, in_class, out);
    }
}

fn visit(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    match ctx.lang {
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => visit_js(ctx, node, outer, in_class, out),
        Lang::Python => visit_py(ctx, node, outer, in_class, out),
        Lang::Rust => visit_rs(ctx, node, outer, in_class, out),
        Lang::Go => visit_go(ctx, node, out),
    }
}

fn text<'a>(ctx: &'a Ctx, n: Node) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(&ctx.src[n.byte_range()])
}

fn name_of(ctx: &Ctx, n: Node) -> Option<String> {
    n.child_by_field_name("name").map(|x| text(ctx, x).into_owned())
}

/// Source text from `start` to `end` with whitespace runs collapsed, cut to MAX_SIGNATURE.
fn signature(ctx: &Ctx, start: usize, end: usize) -> String {
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

/// At most `max` bytes of `s` on a char boundary, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn pos(p: tree_sitter::Point) -> Pos {
    Pos { line: p.row + 1, column: p.column + 1 }
}

/// A symbol spanning `outer` (with export/decorators) whose signature runs up to `body`.
fn make(ctx: &Ctx, node: Node, outer: Node, name: String, kind: &'static str, body: Option<Node>) -> Symbol {
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

fn with_children(ctx: &Ctx, mut s: Symbol, body: Option<Node>, in_class: bool) -> Symbol {
    if let Some(b) = body {
        collect(ctx, b, in_class, &mut s.children);
    }
    s
}

fn visit_js(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    let named = |default: Option<&str>| name_of(ctx, node).or_else(|| default.map(String::from));
    let export_default = (outer.kind() == "export_statement").then_some("default");
    match node.kind() {
        "export_statement" | "ambient_declaration" => {
            let mut c = node.walk();
            for d in node.named_children(&mut c) {
                visit_js(ctx, d, outer, in_class, out);
            }
        }
        "function_declaration" | "generator_function_declaration" | "function_signature" | "function" | "function_expression" => {
            if let Some(n) = named(export_default) {
                out.push(make(ctx, node, outer, n, "function", body));
            }
        }
        "class_declaration" | "abstract_class_declaration" | "class" => {
            if let Some(n) = named(export_default) {
                out.push(with_children(ctx, make(ctx, node, outer, n, "class", body), body, true));
            }
        }
        "interface_declaration" => {
            if let Some(n) = named(None) {
                out.push(with_children(ctx, make(ctx, node, outer, n, "interface", body), body, true));
            }
        }
        "type_alias_declaration" => {
            if let Some(n) = named(None) {
                out.push(make(ctx, node, outer, n, "type", None));
            }
        }
        "enum_declaration" => {
            if let Some(n) = named(None) {
                out.push(make(ctx, node, outer, n, "enum", body));
            }
        }
        // `namespace N {}` parses as an expression statement holding an internal_module.
        "expression_statement" => {
            if let Some(m) = node.named_child(0).filter(|m| m.kind() == "internal_module") {
                visit_js(ctx, m, outer, in_class, out);
            }
        }
        "internal_module" | "module" => {
            if let Some(n) = named(None) {
                out.push(with_children(ctx, make(ctx, node, outer, n, "namespace", body), body, false));
            }
        }
        "lexical_declaration" | "variable_declaration" if !in_class => {
            let keyword = node.child(0).map(|k| text(ctx, k).into_owned()).unwrap_or_default();
            let mut c = node.walk();
            for d in node.named_children(&mut c) {
                if d.kind() != "variable_declarator" {
                    continue;
                }
                let Some(name) = d.child_by_field_name("name").filter(|n| n.kind() == "identifier") else { continue };
                let value = d.child_by_field_name("value");
                let func = value.filter(|v| matches!(v.kind(), "arrow_function" | "function_expression" | "function" | "generator_function"));
                let kind = if func.is_some() { "function" } else if keyword == "const" { "constant" } else { "variable" };
                let sig_end = func.and_then(|f| f.child_by_field_name("body")).map_or(d.end_byte(), |b| b.start_byte());
                let prefix = signature(ctx, outer.start_byte(), d.start_byte());
                let one = node.named_child_count() == 1;
                out.push(Symbol {
                    name: text(ctx, name).into_owned(),
                    kind,
                    range: if one {
                        Range { start: pos(outer.start_position()), end: pos(node.end_position()) }
                    } else {
                        Range { start: pos(d.start_position()), end: pos(d.end_position()) }
                    },
                    signature: Some(match (func, value) {
                        // A plain value: its head only, so a large object literal stays one short line.
                        (None, Some(v)) => format!("{prefix} {} {}", signature(ctx, d.start_byte(), v.start_byte()), clip(&signature(ctx, v.start_byte(), v.end_byte()), 60)),
                        _ => format!("{prefix} {}", signature(ctx, d.start_byte(), sig_end)),
                    }),
                    children: vec![],
                    bytes: if one { (outer.start_byte(), node.end_byte()) } else { (d.start_byte(), d.end_byte()) },
                });
            }
        }
        "method_definition" | "method_signature" | "abstract_method_signature" if in_class => {
            if let Some(n) = named(None) {
                out.push(make(ctx, node, outer, n, "method", body));
            }
        }
        "public_field_definition" | "field_definition" | "property_signature" if in_class => {
            let n = name_of(ctx, node).or_else(|| node.child_by_field_name("property").map(|p| text(ctx, p).into_owned()));
            let value = node.child_by_field_name("value");
            // An arrow-function field reads like a method: stop at its body; other values are cut short.
            let arrow_body = value.filter(|v| v.kind() == "arrow_function").and_then(|v| v.child_by_field_name("body"));
            if let Some(n) = n {
                let mut s = make(ctx, node, outer, n, "property", arrow_body);
                if let (None, Some(v)) = (arrow_body, value) {
                    s.signature = Some(format!("{} {}", signature(ctx, outer.start_byte(), v.start_byte()), clip(&signature(ctx, v.start_byte(), v.end_byte()), 60)));
                }
                out.push(s);
            }
        }
        _ => {}
    }
}

fn visit_py(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    match node.kind() {
        "decorated_definition" => {
            if let Some(d) = node.child_by_field_name("definition") {
                visit_py(ctx, d, outer, in_class, out);
            }
        }
        "function_definition" => {
            if let Some(n) = name_of(ctx, node) {
                out.push(make(ctx, node, outer, n, if in_class { "method" } else { "function" }, body));
            }
        }
        "class_definition" => {
            if let Some(n) = name_of(ctx, node) {
                out.push(with_children(ctx, make(ctx, node, outer, n, "class", body), body, true));
            }
        }
        "expression_statement" => {
            let Some(a) = node.named_child(0).filter(|a| a.kind() == "assignment") else { return };
            let Some(left) = a.child_by_field_name("left").filter(|l| l.kind() == "identifier") else { return };
            let kind = if in_class { "property" } else { "variable" };
            out.push(make(ctx, node, outer, text(ctx, left).into_owned(), kind, None));
        }
        _ => {}
    }
}

fn visit_rs(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    let kind = match node.kind() {
        "function_item" | "function_signature_item" => if in_class { "method" } else { "function" },
        "struct_item" | "union_item" => "struct",
        "enum_item" => "enum",
        "trait_item" => "trait",
        "mod_item" => "module",
        "const_item" | "static_item" => "constant",
        "type_item" => "type",
        "macro_definition" => "macro",
        "field_declaration" if in_class => "field",
        "enum_variant" if in_class => "variant",
        "impl_item" => {
            let ty = node.child_by_field_name("type").map(|t| text(ctx, t).into_owned()).unwrap_or_default();
            let name = match node.child_by_field_name("trait") {
                Some(t) => format!("{} for {ty}", text(ctx, t)),
                None => ty,
            };
            out.push(with_children(ctx, make(ctx, node, outer, name, "impl", body), body, true));
            return;
        }
        _ => return,
    };
    let Some(name) = name_of(ctx, node) else { return };
    let s = make(ctx, node, outer, name, kind, body);
    // Members of containers: trait/impl methods, struct fields, enum variants, module items.
    let inner = matches!(kind, "struct" | "enum" | "trait");
    out.push(if inner || kind == "module" { with_children(ctx, s, body, inner) } else { s });
}

fn visit_go(ctx: &Ctx, node: Node, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    match node.kind() {
        "function_declaration" | "method_declaration" => {
            let kind = if node.kind() == "method_declaration" { "method" } else { "function" };
            if let Some(n) = name_of(ctx, node) {
                out.push(make(ctx, node, node, n, kind, body));
            }
        }
        "type_declaration" | "const_declaration" | "var_declaration" | "var_spec_list" | "const_spec_list" => {
            let mut c = node.walk();
            for d in node.named_children(&mut c) {
                visit_go(ctx, d, out);
            }
        }
        "type_spec" | "type_alias" => {
            let Some(n) = name_of(ctx, node) else { return };
            let ty = node.child_by_field_name("type");
            let kind = match ty.map(|t| t.kind()) {
                Some("struct_type") => "struct",
                Some("interface_type") => "interface",
                _ => "type",
            };
            let members = ty.filter(|_| kind != "type");
            let mut s = make(ctx, node, node, n, kind, members);
            if let Some(t) = members {
                go_members(ctx, t, &mut s.children);
            }
            out.push(s);
        }
        "const_spec" | "var_spec" => {
            let kind = if node.kind() == "const_spec" { "constant" } else { "variable" };
            let mut c = node.walk();
            for n in node.children_by_field_name("name", &mut c) {
                out.push(make(ctx, node, node, text(ctx, n).into_owned(), kind, None));
            }
        }
        _ => {}
    }
}

/// Struct fields and interface methods of a Go type.
fn go_members(ctx: &Ctx, ty: Node, out: &mut Vec<Symbol>) {
    let mut stack = vec![ty];
    while let Some(n) = stack.pop() {
        let mut c = n.walk();
        for ch in n.named_children(&mut c) {
            match ch.kind() {
                "field_declaration_list" => stack.push(ch),
                "field_declaration" => {
                    let mut c2 = ch.walk();
                    for name in ch.children_by_field_name("name", &mut c2) {
                        out.push(make(ctx, ch, ch, text(ctx, name).into_owned(), "field", None));
                    }
                }
                "method_elem" | "method_spec" => {
                    if let Some(name) = name_of(ctx, ch) {
                        out.push(make(ctx, ch, ch, name, "method", None));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort_by_key(|s| s.bytes.0);
}
