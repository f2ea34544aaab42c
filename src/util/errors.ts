/** A user-facing problem in a file orch reads: printed as `file:line:col: message` plus a hint. */
export interface Problem {
  /** Stable machine code, e.g. "duplicate-id", "unknown-dep", "cycle". */
  code: string;
  severity: "error" | "warning";
  /** Path relative to the mission root (or absolute when outside it). */
  file: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  line: number;
  col: number;
  message: string;
  /** How to fix it, one sentence. */
  hint?: string;
}

/** Formats a problem the way compilers do, so editors can jump to it. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return `${where}: ${p.severity === "warning" ? "warning: " : ""}${p.message}${p.hint ? `\n  hint: ${p.hint}` : ""}`;
}

/**
 * An internal failure with a stable code. The CLI's single top-level catch turns an
 * OrchError into a clear message and exit code, with no stack trace.
 */
export class OrchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { hint?: string; file?: string; exitCode?: number; problems?: Problem[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OrchError";
  }
  get exitCode(): number {
    return this.options.exitCode ?? 1;
  }
}

/** What ends a command, as the CLI reports it: an OrchError as it is, anything else an internal error (exit 70). */
export interface Failure {
  code: string;
  message: string;
  hint?: string;
  exitCode: number;
}

/** The failure `err` stands for (stderr and the --json `stopped` event say the same). */
export function failureOf(err: unknown): Failure {
  if (err instanceof OrchError) return { code: err.code, message: err.message, ...(err.options.hint ? { hint: err.options.hint } : {}), exitCode: err.exitCode };
  return { code: "internal", message: `internal error: ${err instanceof Error ? err.message : String(err)}`, exitCode: 70 };
}
