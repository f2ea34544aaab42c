// The code-tools contract: what orch-native answers (zod schemas, checked on every reply) and
// the CodeTools interface that both the native pool and the TypeScript fallback implement.
import { z } from "zod";

const pos = z.object({ line: z.number().int().positive(), column: z.number().int().positive() });
/** A 1-based line/column range (columns count bytes). */
const RangeSchema = z.object({ start: pos, end: pos });
type Range = z.infer<typeof RangeSchema>;

/** One outline entry; children are members (methods, fields, variants). */
export interface OutlineSymbol {
  name: string;
  kind: string;
  range: Range;
  signature?: string;
  children?: OutlineSymbol[];
}
/** Schema of OutlineSymbol (recursive through children). */
const OutlineSymbolSchema: z.ZodType<OutlineSymbol> = z.lazy(() =>
  z.object({
    name: z.string(),
    kind: z.string(),
    range: RangeSchema,
    signature: z.string().optional(),
    children: z.array(OutlineSymbolSchema).optional(),
  }),
);

/** A file a request did not read, and why (binary, too large, unreadable). */
const SkippedSchema = z.object({ path: z.string(), reason: z.string() });

/** One matching line of `grep` (1-based line and byte column). */
const GrepMatchSchema = z.object({ path: z.string(), line: z.number().int(), column: z.number().int(), text: z.string() });
export type GrepMatch = z.infer<typeof GrepMatchSchema>;
/** Reply of `grep`. */
export const GrepResultSchema = z.object({
  matches: z.array(GrepMatchSchema),
  truncated: z.boolean(),
  filesSearched: z.number().int(),
  skipped: z.array(SkippedSchema),
});
export type GrepResult = z.infer<typeof GrepResultSchema>;

/** Reply of `glob`: sorted root-relative paths. */
export const GlobResultSchema = z.object({ paths: z.array(z.string()), truncated: z.boolean() });
export type GlobResult = z.infer<typeof GlobResultSchema>;

/** One file of an `outline` reply; `error` instead of symbols when it could not be parsed. */
const FileOutlineSchema = z.object({
  path: z.string(),
  language: z.string().nullable(),
  symbols: z.array(OutlineSymbolSchema),
  partial: z.boolean().optional(),
  lossy: z.boolean().optional(),
  error: z.string().optional(),
});
export type FileOutline = z.infer<typeof FileOutlineSchema>;
/** Reply of `outline`. */
export const OutlineResultSchema = z.object({ files: z.array(FileOutlineSchema) });

/** One identifier occurrence; `definition` when it names a declaration. */
const ReferenceSchema = z.object({
  path: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  definition: z.boolean(),
  text: z.string(),
});
export type Reference = z.infer<typeof ReferenceSchema>;
/** Reply of `references`. */
export const ReferencesResultSchema = z.object({ references: z.array(ReferenceSchema), truncated: z.boolean(), skipped: z.array(SkippedSchema) });
export type ReferencesResult = z.infer<typeof ReferencesResultSchema>;

/** Reply of `symbol`: one declaration's source text and range. */
export const SymbolResultSchema = z.object({
  path: z.string(),
  name: z.string(),
  kind: z.string(),
  range: RangeSchema,
  signature: z.string().nullable().optional(),
  text: z.string(),
  truncated: z.boolean(),
});
export type SymbolResult = z.infer<typeof SymbolResultSchema>;

/** grep parameters, relative to the tools' root. */
export interface GrepOptions {
  pattern: string;
  globs?: string[];
  caseInsensitive?: boolean;
  maxResults?: number;
}

/**
 * Code intelligence over one repository root. `kind: "fallback"` is the plain-TypeScript
 * implementation used when orch-native is absent: grep and glob only.
 */
export interface CodeTools {
  readonly kind: "native" | "fallback";
  readonly root: string;
  grep(opts: GrepOptions): Promise<GrepResult>;
  glob(patterns: string[]): Promise<GlobResult>;
  outline?(paths: string[]): Promise<FileOutline[]>;
  references?(name: string, paths?: string[]): Promise<ReferencesResult>;
  symbol?(path: string, name: string): Promise<SymbolResult>;
  /** Stops any processes; the tools are unusable afterwards. */
  close(): Promise<void>;
}
