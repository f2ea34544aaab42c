//! TypeScript, TSX and JavaScript declarations.
use super::{head_and_value, make, name_of, pos, signature, text, with_children, Ctx};
use crate::outline::{Range, Symbol};
use tree_sitter::Node;

pub(super) fn visit(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    let named = |default: Option<&str>| name_of(ctx, node).or_else(|| default.map(String::from));
    let export_default = (outer.kind() == "export_statement").then_some("default");
    match node.kind() {
        "export_statement" | "ambient_declaration" => {
            let mut c = node.walk();
            for d in node.named_children(&mut c) {
                visit(ctx, d, outer, in_class, out);
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
                visit(ctx, m, outer, in_class, out);
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
                        (None, Some(v)) => format!("{prefix} {}", head_and_value(ctx, d.start_byte(), v)),
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
                    s.signature = Some(head_and_value(ctx, outer.start_byte(), v));
                }
                out.push(s);
            }
        }
        _ => {}
    }
}
