import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { schemaTexts } from "../../src/spec/gen-schemas.js";
import { parseConfig } from "../../src/spec/config-problems.js";

describe("schemas/*.schema.json", () => {
  for (const [name, text] of Object.entries(schemaTexts())) {
    it(`${name} matches the zod schema (run \`npm run gen:schemas\` if this fails)`, () => {
      expect(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), "utf8")).toBe(text);
    });
  }
  it("the repository's own config is valid and points at the schema", () => {
    const text = readFileSync(new URL("../../.orchestrator/config.json", import.meta.url), "utf8");
    expect(parseConfig(text, "config.json").problems).toEqual([]);
    expect(JSON.parse(text).$schema).toBe("../schemas/config.schema.json");
  });
});
