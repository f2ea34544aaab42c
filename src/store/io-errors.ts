// Turns file-system failures into OrchErrors a person can act on.
import { OrchError } from "../util/index.js";

const HINTS: Record<string, string> = {
  ENOSPC: "The disk is full: free some space, then run orch again.",
  EDQUOT: "The disk quota is exhausted: free some space, then run orch again.",
  EROFS: "The file system is mounted read-only: run orch on a writable checkout.",
  EACCES: "Permission denied: check the owner and mode of the file and its folder.",
  EPERM: "Operation not permitted: check the owner and mode of the file and its folder.",
};

/** The errno code of an error, if it has one. */
export function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Wraps an fs error as OrchError "io" naming the file and the action; OrchErrors pass through. */
export function ioError(err: unknown, action: string, file: string): OrchError {
  if (err instanceof OrchError) return err;
  const code = errno(err) ?? "EIO";
  const msg = err instanceof Error ? err.message : String(err);
  return new OrchError("io", `${file}: cannot ${action}: ${code === "EIO" ? msg : code}`, {
    file,
    hint: HINTS[code] ?? `The system said: ${msg}`,
    cause: err,
  });
}
