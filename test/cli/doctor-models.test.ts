// The pure part of `orch doctor`'s model checks (src/cli/doctor-models.ts), over a provider list as
// OpenCode's GET /provider gives it. The real server's answers: test/runtime/providers.test.ts.
import { describe, expect, it } from "vitest";
import { checkModels } from "../../src/cli/doctor-models.js";
import { ConfigSchema } from "../../src/spec/config.js";
import type { ProviderList } from "../../src/runtime/providers.js";

const list: ProviderList = {
  all: [
    { id: "local", env: [], options: { baseURL: "http://127.0.0.1:1/v1", apiKey: "" }, models: { m: {} } },
    { id: "ok", env: [], options: { apiKey: "k" }, models: { m: {} } },
    { id: "anthropic", env: ["ANTHROPIC_API_KEY"], options: {}, models: { "claude-sonnet-4-5": {} } },
  ],
  connected: ["local", "ok"],
};
const noProbe = async () => undefined;

describe("doctor's model checks", () => {
  it.each([
    ["local/m", { local: { options: { apiKey: "{env:LOCAL_KEY}" } } }, "provider local: its apiKey comes from $LOCAL_KEY, which is not set"],
    ["local/m", {}, "provider local: its apiKey is empty"],
    ["anthropic/claude-sonnet-4-5", {}, "provider anthropic: no credentials: set $ANTHROPIC_API_KEY (or run `opencode auth login`)"],
    ["ok/x", {}, 'provider ok has no model "x" (it has m)'],
    ["gone/m", {}, 'the server knows no provider "gone"'],
    ["nomodel", {}, 'model "nomodel" is not of the form provider/model'],
  ])("%s with %j: %s", async (model, raw, detail) => {
    const checks = await checkModels(ConfigSchema.parse({ models: { default: model } }), list, raw, noProbe);
    expect(checks).toEqual([expect.objectContaining({ name: `model ${model}`, ok: false, detail })]);
  });
  it("a model with credentials whose base URL does not answer fails; one that answers passes", async () => {
    const config = ConfigSchema.parse({ models: { default: "ok/m", byRole: { reviewer: "local/m" } } });
    const withKey: ProviderList = { ...list, all: list.all.map((p) => (p.id === "local" ? { ...p, options: { ...p.options, apiKey: "k" } } : p)) };
    const checks = await checkModels(config, withKey, {}, async (u) => (u.includes(":1/") ? "ECONNREFUSED" : undefined));
    expect(checks.map((c) => [c.name, c.ok, c.detail])).toEqual([
      ["model ok/m", true, "provider ok, credentials present"],
      ["model local/m", false, "provider local cannot be reached at http://127.0.0.1:1/v1 (ECONNREFUSED)"],
    ]);
  });
  it("no model in the config: the server's default is checked, or its absence reported", async () => {
    const none = ConfigSchema.parse({});
    expect(await checkModels(none, { ...list, defaultModel: "ok/m" }, {}, noProbe)).toEqual([
      expect.objectContaining({ name: "model", ok: true, detail: "none in the config: the server's default ok/m is used" }),
      expect.objectContaining({ name: "model ok/m", ok: true }),
    ]);
    expect(await checkModels(none, list, {}, noProbe)).toEqual([expect.objectContaining({ name: "model", ok: false })]);
  });
});
