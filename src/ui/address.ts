// Where the board listens, from `--ui [host:port]`: loopback unless the person names another address,
// and then a token is required (a random one, printed in the URL).
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { OrchError } from "../util/index.js";

/** A parsed listen address. */
export interface ListenAddress {
  host: string;
  port: number;
  /** Required on every request when the address is not loopback. */
  token?: string;
}

/** The default: loopback, a free port (the URL is printed). */
const DEFAULT_HOST = "127.0.0.1";

/** Parses "", "port", ":port", "host", "host:port" or "[v6]:port"; OrchError "usage" (exit 2) when it is none of these. */
export function parseListen(spec: string | undefined, token: () => string = newToken): ListenAddress {
  const s = (spec ?? "").trim();
  let host = DEFAULT_HOST;
  let port = "0";
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) [host, port] = [v6[1]!, v6[2] ?? "0"];
  else if (/^\d+$/.test(s)) port = s;
  else if (s.includes(":")) {
    const i = s.lastIndexOf(":");
    host = s.slice(0, i) || DEFAULT_HOST;
    port = s.slice(i + 1);
  } else if (s) host = s;
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535 || (host !== "localhost" && !isIP(host)))
    throw new OrchError("usage", `--ui ${JSON.stringify(spec)} is not an address to listen on`, { exitCode: 2, hint: "Give host:port with an IP address or localhost, e.g. --ui 127.0.0.1:7420 (or --ui alone for loopback on a free port)." });
  return { host, port: n, ...(isLoopback(host) ? {} : { token: token() }) };
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function newToken(): string {
  return randomBytes(18).toString("base64url");
}
