//! Python declarations: functions, classes (methods, class attributes), module variables.
use super::{head_and_value, make, name_of, text, with_children, Ctx};
use crate::outline::Symbol;
use tree_sitter::Node;

pub(super) fn visit(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
    let body = node.child_by_field_name("body");
    match node.kind() {
        "decorated_definition" => {
            if let Some(d) = node.child_by_field_name("definition") {
                visit(ctx, d, outer, in_class, out);
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
            let mut s = make(ctx, node, outer, text(ctx, left).into_owned(), kind, None);
            if let Some(v) = a.child_by_field_name("right") {
                s.signature = Some(head_and_value(ctx, node.start_byte(), v));
            }
            out.push(s);
        }
        _ => {}
    }
}
