//! Rust items: functions, structs (fields), enums (variants), traits, impls, modules, consts.
use super::{head_and_value, make, name_of, signature, text, with_children, Ctx};
use crate::outline::Symbol;
use tree_sitter::Node;

pub(super) fn visit(ctx: &Ctx, node: Node, outer: Node, in_class: bool, out: &mut Vec<Symbol>) {
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
    let mut s = make(ctx, node, outer, name, kind, body);
    if let Some(v) = node.child_by_field_name("value").filter(|_| kind == "constant") {
        s.signature = Some(head_and_value(ctx, outer.start_byte(), v));
    } else if kind == "macro" {
        // A macro's rules are its body: the head is `macro_rules! name`.
        let end = node.child_by_field_name("name").map_or(node.end_byte(), |n| n.end_byte());
        s.signature = Some(signature(ctx, outer.start_byte(), end));
    }
    // Members of containers: trait/impl methods, struct fields, enum variants, module items.
    let inner = matches!(kind, "struct" | "enum" | "trait");
    out.push(if inner || kind == "module" { with_children(ctx, s, body, inner) } else { s });
}
