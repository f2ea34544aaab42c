// The reference parser: unified + remark-parse + remark-gfm, reduced to RawBlocks.
import { unified } from "unified";
import remarkParse from "remark-parse";
import remarkGfm from "remark-gfm";
import type { Nodes, Root, ListItem } from "mdast";
import { collapse, type RawBlock } from "./todo-blocks.js";

const processor = unified().use(remarkParse).use(remarkGfm);

/**
 * Parses markdown with remark. `openAtEnd` says the text ends inside a root-level fenced
 * code or HTML block, which could swallow whatever follows (so a slice cannot end there).
 */
export function remarkBlocks(text: string): { blocks: RawBlock[]; openAtEnd: boolean } {
  const base = 0;
  const tree = processor.parse(text) as Root;
  const out: RawBlock[] = [];
  for (const child of tree.children) {
    if (child.type === "heading") {
      const first = child.children[0]?.position?.start.offset;
      const last = child.children[child.children.length - 1]?.position?.end.offset;
      const raw = first === undefined || last === undefined ? "" : text.slice(first, last);
      out.push({
        kind: "heading",
        depth: child.depth,
        text: collapse(raw),
        offset: base + child.position!.start.offset!,
        end: base + child.position!.end.offset!,
      });
    } else {
      visit(child, -1, text, base, out);
    }
  }
  return { blocks: out, openAtEnd: openAtEnd(tree, text) };
}

// Conservative: a trailing code or html block with nothing after it may still be open.
function openAtEnd(tree: Root, text: string): boolean {
  const last = tree.children[tree.children.length - 1];
  if (!last || (last.type !== "code" && last.type !== "html")) return false;
  const end = last.position!.end.offset!;
  if (text.slice(end).trim() !== "") return false;
  if (last.type === "html") return true;
  const src = text.slice(last.position!.start.offset!, end);
  const open = /^ {0,3}(`{3,}|~{3,})/.exec(src);
  if (!open) return false; // indented code: closed by the heading that follows
  const lines = src.split(/\r?\n/);
  const close = lines.length > 1 ? /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[lines.length - 1]!) : null;
  return !(close && close[1]![0] === open[1]![0] && close[1]!.length >= open[1]!.length);
}

// Quotes, footnote definitions and code/html nodes hold no tasks: only lists are entered.
function visit(node: Nodes, parent: number, text: string, base: number, out: RawBlock[]): void {
  if (node.type === "list") {
    for (const item of node.children) visitItem(item, parent, text, base, out);
  }
}

function visitItem(item: ListItem, parent: number, text: string, base: number, out: RawBlock[]): void {
  let myParent = parent;
  const para = item.children[0];
  if (typeof item.checked === "boolean" && para?.type === "paragraph") {
    // Only the marker and blanks precede the checkbox. (The paragraph's own start is not
    // reliable: mdast moves it past the checkbox only when the line begins with plain text.)
    const open = text.indexOf("[", item.position!.start.offset!);
    out.push({
      kind: "item",
      checked: item.checked,
      offset: base + item.position!.start.offset!,
      checkbox: base + open + 1,
      textStart: base + textStartAfter(text, open + 3),
      textEnd: base + para.position!.end.offset!,
      end: base + item.position!.end.offset!,
      parent,
    });
    myParent = out.length - 1;
  }
  for (const c of item.children) visit(c, myParent, text, base, out);
}

// Where the item's text starts, given the offset just past `]`: one blank after it on the same
// line, or, when the checkbox ends its line (`- [ ]` then the text indented on the next line,
// still a task for GFM), the first character of the next line's text, past its line break.
function textStartAfter(text: string, afterBracket: number): number {
  const ends = /[ \t]*(?:\r\n|\n|\r)[ \t]*/y;
  ends.lastIndex = afterBracket;
  return ends.test(text) ? ends.lastIndex : afterBracket + 1;
}
