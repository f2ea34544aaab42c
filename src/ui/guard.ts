// Who may read the board: requests for this server's own host (a DNS-rebinding page names another),
// from no other origin, and with the token when the board listens beyond loopback. Pure.
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isLoopback } from "./address.js";

/** The cookie that carries the token once the page was opened with ?token=. */
export const TOKEN_COOKIE = "orch_board";

/** A refusal: its status and why. */
export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** The server's address as the guard needs it. */
export interface GuardConfig {
  host: string;
  port: number;
  token?: string;
}

/** The Host values a request may carry. A wildcard bind (0.0.0.0, ::) takes any: the token guards it. */
export function allowedHosts(c: GuardConfig): Set<string> | "any" {
  if (c.host === "0.0.0.0" || c.host === "::") return "any";
  const names = isLoopback(c.host) ? ["127.0.0.1", "localhost", "[::1]", c.host.includes(":") ? `[${c.host}]` : c.host] : [c.host.includes(":") ? `[${c.host}]` : c.host];
  return new Set(names.map((n) => `${n}:${c.port}`));
}

/** Undefined when the request may be answered, else why not. */
export function refusal(c: GuardConfig, hosts: Set<string> | "any", url: URL, headers: IncomingHttpHeaders): Refusal | undefined {
  const host = headers.host?.toLowerCase();
  if (!host || (hosts !== "any" && !hosts.has(host))) return { status: 403, message: `Host ${JSON.stringify(headers.host ?? "")} is not this board's address` };
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, message: `requests from ${origin} are refused: the board answers only its own page` };
  if (headers["sec-fetch-site"] === "cross-site") return { status: 403, message: "cross-site requests are refused" };
  if (c.token !== undefined && !hasToken(c.token, url, headers)) return { status: 401, message: "this board needs its token: open the URL orch printed (it carries ?token=…)" };
  return undefined;
}

/** The token in ?token=, the cookie, or an Authorization: Bearer header (for a Prometheus scraper). */
function hasToken(token: string, url: URL, headers: IncomingHttpHeaders): boolean {
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
  const cookie = (headers.cookie ?? "")
    .split(";")
    .map((c) => c.trim().split("="))
    .find(([k]) => k === TOKEN_COOKIE)?.[1];
  return [url.searchParams.get("token"), bearer, cookie].some((t) => t != null && same(t, token));
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
