// Writes schemas/*.schema.json from the zod schemas (the single source). Run: npm run gen:schemas.
import { writeFileSync, mkdirSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ConfigSchema } from "./config.js";
import { TaskFrontMatterSchema } from "./task-file.js";
import { PlanSchema } from "./plan-schema.js";
import { packageRoot } from "../util/index.js";

/** File name → JSON text of every generated schema. */
export function schemaTexts(): Record<string, string> {
  // io "input": the files describe what a person writes, so keys with defaults are optional.
  const gen = (schema: z.ZodType, title: string) =>
    `${JSON.stringify({ ...z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }), title }, null, 2)}\n`;
  return {
    "config.schema.json": gen(ConfigSchema, "orch .orchestrator/config.json"),
    "task-file.schema.json": gen(TaskFrontMatterSchema, "orch task file front matter (tasks/<id>.md)"),
    "plan.schema.json": gen(PlanSchema, "orch plan: the planner's answer (orch plan, a split)"),
  };
}

function main(): void {
  const dir = path.join(packageRoot(), "schemas");
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(schemaTexts())) {
    writeFileSync(path.join(dir, name), text);
    process.stdout.write(`wrote schemas/${name}\n`);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main();
