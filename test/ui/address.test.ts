// Where the board listens (src/ui/address.ts): loopback unless the person names another address, and
// then a token. One table.
import { describe, expect, it } from "vitest";
import { parseListen } from "../../src/ui/address.js";

describe("ui: --ui [host:port]", () => {
  const token = () => "TOKEN";
  it.each([
    { spec: "", want: { host: "127.0.0.1", port: 0 } },
    { spec: undefined, want: { host: "127.0.0.1", port: 0 } },
    { spec: "7420", want: { host: "127.0.0.1", port: 7420 } },
    { spec: ":7420", want: { host: "127.0.0.1", port: 7420 } },
    { spec: "127.0.0.2:80", want: { host: "127.0.0.2", port: 80 } },
    { spec: "localhost", want: { host: "localhost", port: 0 } },
    { spec: "[::1]:7420", want: { host: "::1", port: 7420 } },
    { spec: "0.0.0.0:7420", want: { host: "0.0.0.0", port: 7420, token: "TOKEN" } },
    { spec: "192.168.1.5", want: { host: "192.168.1.5", port: 0, token: "TOKEN" } },
    { spec: "[::]:1", want: { host: "::", port: 1, token: "TOKEN" } },
  ])("$spec → $want", ({ spec, want }) => expect(parseListen(spec, token)).toEqual(want));
  it.each(["example.com:80", "127.0.0.1:99999", "127.0.0.1:x", "1.2.3:80"])("%s is a usage error (exit 2)", (spec) => {
    expect(() => parseListen(spec, token)).toThrow(expect.objectContaining({ code: "usage", options: expect.objectContaining({ exitCode: 2 }) }));
  });
});
