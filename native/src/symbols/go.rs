//! Go declarations: functions, methods, types (struct fields, interface methods), consts, vars.
use super::{make, name_of, text, Ctx};
use crate::outline::Symbol;
use tree_sitter::Node;

pub(super) fn visit(ctx: &Ctx, node: Node, out: &mut Vec<Symbol>) {
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
                visit(ctx, d, out);
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
