// OpenCode's error shapes → orch's SessionError with stable codes. Pure, table-tested.
import type { SessionError } from "./types.js";

/** Builds a SessionError. */
export function sessionError(code: string, message: string, flags: { terminal?: boolean; infrastructure?: boolean; unreachable?: boolean } = {}): SessionError {
  return { code, message, terminal: flags.terminal ?? false, infrastructure: flags.infrastructure ?? false, ...(flags.unreachable ? { unreachable: true } : {}) };
}

// What the AI SDK and Bun's fetch say when nothing answers at the provider's URL (refused, no route, no DNS).
const UNREACHABLE_RE = /cannot connect to api|unable to connect|econnrefused|enotfound|ehostunreach|enetunreach|connection ?refused/i;

const RATE_RE = /rate.?limit|\b429\b|too many requests|quota|overloaded|resource.?exhausted/i;

/** Classifies a provider failure from an HTTP status (when known) and its message. */
export function providerError(status: number | undefined, message: string): SessionError {
  // A provider nobody answers for is an outage, like a server that is down: not the task's failure.
  if (status === undefined && UNREACHABLE_RE.test(message))
    return sessionError("provider-unreachable", `the model provider cannot be reached: ${message}`, { infrastructure: true, unreachable: true });
  if (status === 429 || (status === undefined && RATE_RE.test(message))) return sessionError("rate-limited", message);
  if (status === 401 || status === 403) return sessionError("auth", message, { terminal: true });
  if (status === 404) return sessionError("unknown-model", message, { terminal: true });
  if (status !== undefined && status >= 500) return sessionError("provider-error", message, { infrastructure: true });
  if (status !== undefined && status >= 400) return sessionError("model-error", message);
  // A retry status without a code: OpenCode retries only transient failures (5xx, overload).
  return sessionError("provider-error", message, { infrastructure: true });
}

/**
 * OpenCode 2's structured errors (`{ type, message, status }`), by type. Types not listed are
 * classified by their HTTP status and message like any provider failure.
 */
function mapV2Error(e: { type: string; message?: unknown; status?: unknown }): SessionError {
  const message = (typeof e.message === "string" ? e.message : e.type).split("\n")[0]!.slice(0, 500);
  const status = typeof e.status === "number" && e.status >= 400 ? e.status : undefined;
  switch (e.type) {
    case "aborted":
      return sessionError("aborted", message);
    case "provider.rate-limit":
    case "provider.quota":
    case "provider.free-limit":
      return sessionError("rate-limited", message);
    case "provider.auth":
      return sessionError("auth", message, { terminal: true });
    case "provider.no-route":
      return sessionError("unknown-model", message, { terminal: true });
    case "provider.content-filter":
      return sessionError("content-filter", message, { terminal: true });
    case "context-overflow":
    case "provider.context-overflow":
      return sessionError("context-overflow", message, { terminal: true });
    case "provider.invalid-output":
    case "provider.invalid-request":
    case "provider.unsupported-operation":
      return sessionError("model-error", message);
    case "provider.connect":
      return providerError(undefined, `Cannot connect to API: ${message}`);
    default:
      return providerError(status, message);
  }
}

/** Maps the `error` of an assistant message or a `session.error` event (OpenCode 1's `{ name, data }` or 2's `{ type, message }`). */
export function mapOpencodeError(err: unknown): SessionError {
  const v2 = err as { type?: unknown; name?: unknown } | null;
  if (v2 && typeof v2.type === "string" && v2.name === undefined) return mapV2Error(v2 as { type: string });
  const e = (err ?? {}) as { name?: unknown; data?: { message?: unknown; statusCode?: unknown } };
  const name = typeof e.name === "string" ? e.name : "UnknownError";
  // OpenCode may put a stack trace in the message: keep the first line, it says what happened.
  const message = (typeof e.data?.message === "string" ? e.data.message : name).split("\n")[0]!.slice(0, 500);
  const status = typeof e.data?.statusCode === "number" ? e.data.statusCode : undefined;
  switch (name) {
    case "MessageAbortedError":
      return sessionError("aborted", message);
    case "APIError":
      return providerError(status, message);
    case "ProviderAuthError":
      return sessionError("auth", message, { terminal: true });
    case "ProviderModelNotFoundError":
    case "ModelNotFoundError":
      return sessionError("unknown-model", message, { terminal: true });
    case "ContextOverflowError":
      return sessionError("context-overflow", message, { terminal: true });
    case "ContentFilterError":
      return sessionError("content-filter", message, { terminal: true });
    case "MessageOutputLengthError":
      return sessionError("output-length", message);
    default:
      // Some typed errors arrive wrapped as UnknownError("<Name>: …").
      if (/^(ProviderModelNotFoundError|ModelNotFoundError)\b|Model not found/.test(message))
        return sessionError("unknown-model", message, { terminal: true });
      // Unparseable or malformed model output (garbage, broken JSON, schema violations).
      return sessionError("model-error", message);
  }
}
