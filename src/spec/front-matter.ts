// A fast path for the plain YAML that task files' front matter is mostly made of:
// `key: scalar`, `key: [a, b]`, block lists (`key:` then `  - item`) and one level of
// nested `key:` / `  sub: scalar` maps. For that subset the result equals gray-matter +
// js-yaml (pinned by a property test); anything else returns undefined and goes to them.
// js-yaml costs ~40 µs a file, which is most of loading 10,000 task files.

type Scalar = string | number | boolean;
type Value = Scalar | Scalar[] | Record<string, Scalar | Scalar[]>;

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*?))? *$/;
const INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
// Words js-yaml would read as null or as a boolean spelled differently: leave them to it.
const SPECIAL = new Set(["null", "Null", "NULL", "True", "TRUE", "False", "FALSE"]);

/** A plain or simply quoted scalar, or undefined when it is outside the subset. */
function scalar(raw: string, inFlow: boolean): Scalar | undefined {
  if (raw.length === 0) return undefined;
  const q = raw[0];
  if (q === '"' || q === "'") {
    const inner = raw.slice(1, -1);
    if (raw.length < 2 || raw[raw.length - 1] !== q || inner.includes(q) || inner.includes("\\")) return undefined;
    return inner;
  }
  if (INT.test(raw)) return Number(raw);
  if (raw === "true") return true;
  if (raw === "false") return false;
  // Plain strings: start with a letter, `.`, `/` or `_` (not `.` followed by a digit or `inf`/`nan`),
  // no `: ` or ` #`, no trailing `:`, and in a flow list none of its delimiters.
  if (!/^[A-Za-z_/]|^\.[A-Za-z_/]/.test(raw) || /^\.(?:inf|nan|Inf|NaN|INF|NAN)$/.test(raw)) return undefined;
  if (SPECIAL.has(raw) || raw.includes(": ") || raw.includes(" #") || raw.endsWith(":") || raw.includes("\t")) return undefined;
  if (inFlow && /[[\]{},"']/.test(raw)) return undefined;
  return raw;
}

function flowList(raw: string): Scalar[] | undefined {
  const inner = raw.slice(1, -1).trim();
  if (inner === "") return [];
  const out: Scalar[] = [];
  for (const part of inner.split(",")) {
    const v = scalar(part.trim(), true);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

function value(raw: string): Scalar | Scalar[] | undefined {
  if (raw.startsWith("[")) return raw.endsWith("]") ? flowList(raw) : undefined;
  if (raw.startsWith("{")) return undefined;
  return scalar(raw, false);
}

/** Parses the YAML subset; undefined when the text is outside it. `keyLines`: 0-based line of each top-level key. */
function parseSimpleYaml(yaml: string): { data: Record<string, Value>; keyLines: Record<string, number> } | undefined {
  const keyLines: Record<string, number> = {};
  const lines = yaml.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const out: Record<string, Value> = {};
  let i = 0;
  const skip = (l: string) => {
    const t = l.trim();
    return t === "" || t[0] === "#";
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (skip(line)) {
      i++;
      continue;
    }
    const m = KEY.exec(line);
    if (!m || Object.hasOwn(out, m[1]!) || m[1] === "__proto__") return undefined;
    const key = m[1]!;
    keyLines[key] = i;
    i++;
    if (m[2] !== undefined) {
      const v = value(m[2]);
      if (v === undefined) return undefined;
      out[key] = v;
      continue;
    }
    // `key:` alone: an indented block list or map must follow.
    const block: string[] = [];
    while (i < lines.length && (skip(lines[i]!) || /^ +\S/.test(lines[i]!))) {
      if (!skip(lines[i]!)) block.push(lines[i]!);
      i++;
    }
    if (block.length === 0) return undefined; // null: leave to js-yaml
    const indent = /^ +/.exec(block[0]!)![0];
    if (!block.every((l) => l.startsWith(indent) && l[indent.length] !== " ")) return undefined;
    if (block[0]!.startsWith(`${indent}- `)) {
      const list: Scalar[] = [];
      for (const l of block) {
        if (!l.startsWith(`${indent}- `)) return undefined;
        const v = scalar(l.slice(indent.length + 2).trim(), false);
        if (v === undefined) return undefined;
        list.push(v);
      }
      out[key] = list;
    } else {
      const map: Record<string, Scalar | Scalar[]> = {};
      for (const l of block) {
        const km = KEY.exec(l.slice(indent.length));
        if (!km || km[2] === undefined || Object.hasOwn(map, km[1]!) || km[1] === "__proto__") return undefined;
        const v = value(km[2]);
        if (v === undefined) return undefined;
        map[km[1]!] = v;
      }
      out[key] = map;
    }
  }
  return { data: out, keyLines };
}

/**
 * Splits `---\n<yaml>\n---\n<body>` and parses the YAML subset. undefined means "use
 * gray-matter" (no plain front matter, or YAML outside the subset).
 */
export function fastFrontMatter(src: string): { data: Record<string, unknown>; content: string; keyLines: Record<string, number> } | undefined {
  const open = src.startsWith("---\n") ? 4 : src.startsWith("---\r\n") ? 5 : 0;
  if (!open) return undefined;
  const close = src.indexOf("\n---", open - 1);
  if (close === -1) return undefined;
  let after = close + 4;
  if (src[after] === "\r") after++;
  if (after < src.length && src[after] !== "\n") return undefined; // `---x` closing lines: gray-matter's rules
  const parsed = parseSimpleYaml(src.slice(open, close));
  if (!parsed || Object.keys(parsed.data).length === 0) return undefined;
  // File lines are 1-based and the YAML starts on line 2.
  for (const k in parsed.keyLines) parsed.keyLines[k]! += 2;
  return { data: parsed.data, content: src.slice(after + 1), keyLines: parsed.keyLines };
}
