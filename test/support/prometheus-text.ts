// A strict reader of Prometheus' text exposition format (version 0.0.4), for tests: every line must
// be a comment, a HELP/TYPE line or a sample; names, labels, escapes and values as the format says;
// TYPE before a family's samples, once; a histogram's buckets ordered, cumulative, ending at +Inf
// with its _count. Anything else throws, with the line.

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family. */
export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Parses the text; throws on the first line that breaks the format. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, Family>();
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === "") return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail("bad metric name");
      const f = families.get(name) ?? { name, type: "untyped" as const, samples: [] };
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) fail("unknown type");
        if (families.has(name) && (f.samples.length || f.type !== "untyped")) fail("TYPE after samples or twice");
        f.type = rest as Family["type"];
      } else {
        if (f.help !== undefined) fail("HELP twice");
        f.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      }
      families.set(name, f);
      return;
    }
    if (line.startsWith("#")) return;
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families) ?? fail("sample of no declared family");
    family.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line) ?? fail("not a sample");
  const labels: Record<string, string> = {};
  if (m[2]) {
    let rest = m[2].slice(1, -1);
    while (rest.length) {
      const lm = /^([^=]+)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest) ?? fail("bad label");
      if (!LABEL.test(lm[1]!)) fail("bad label name");
      if (lm[1]! in labels) fail("label twice");
      labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
      rest = rest.slice(lm[0].length);
    }
  }
  const raw = m[3]!;
  const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : raw === "NaN" ? NaN : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : fail("bad value");
  return { name: m[1]!, labels, value };
}

/** The family a sample belongs to: its own name, or a histogram's/summary's _bucket, _sum, _count. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own) return own;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name);
  const f = base && families.get(base[1]!);
  return f && (f.type === "histogram" || (f.type === "summary" && base![2] !== "bucket")) ? f : undefined;
}

function checkHistogram(f: Family): void {
  const buckets = f.samples.filter((s) => s.name === `${f.name}_bucket`);
  const count = f.samples.find((s) => s.name === `${f.name}_count`);
  if (!count || !f.samples.some((s) => s.name === `${f.name}_sum`)) throw new Error(`${f.name}: a histogram needs _sum and _count`);
  let le = -Infinity;
  let n = 0;
  for (const b of buckets) {
    const bound = b.labels.le === "+Inf" ? Infinity : Number(b.labels.le);
    if (!(bound > le) || b.value < n) throw new Error(`${f.name}: buckets not ordered or not cumulative at le=${b.labels.le}`);
    le = bound;
    n = b.value;
  }
  if (le !== Infinity || n !== count.value) throw new Error(`${f.name}: the +Inf bucket must be last and equal _count`);
}

/** Every counter sample (counters, and histograms' buckets, sums and counts) by name and labels. */
export function counterValues(families: Map<string, Family>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families.values())
    if (f.type === "counter" || f.type === "histogram") for (const s of f.samples) out.set(`${s.name}${JSON.stringify(s.labels)}`, s.value);
  return out;
}
