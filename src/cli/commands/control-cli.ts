// Shared by `orch suspend|resume|retry`: check the ids against TODO.md, write the request, note it in history.
import { randomUUID } from "node:crypto";
import { loadMission } from "../../spec/index.js";
import type { Mission } from "../../spec/index.js";
import { checkTaskIds, validRepoConfig } from "../repo.js";
import { openStore, type Store } from "../../store/index.js";
import { OrchError } from "../../util/index.js";

/** Opens the store and checks that every id is a task of the mission. */
export async function openForControl(dir: string, ids: readonly string[]): Promise<{ store: Store; root: string; mission: Mission }> {
  const { root, config } = await validRepoConfig(dir);
  const mission = await loadMission(root, config);
  checkTaskIds(mission, ids);
  return { store: openStore(root), root, mission };
}

/** A fresh request stamp: time plus a nonce, so two retries in the same millisecond still differ. */
export function requestStamp(): string {
  return `${new Date().toISOString()}#${randomUUID().slice(0, 8)}`;
}

/** yargs positional + --all, shared by suspend and resume. */
export function idsOrAll<T>(y: import("yargs").Argv<T>) {
  return y
    .positional("ids", { type: "string", array: true, describe: "Task ids, e.g. T3 T4" })
    .option("all", { type: "boolean", default: false, describe: "The whole mission" });
}

/** Either ids or --all: a usage error (exit 2) otherwise. */
export function checkIdsOrAll(ids: readonly string[], all: boolean): void {
  if (!all && ids.length === 0) throw new OrchError("usage", "name task ids, or pass --all for the whole mission", { exitCode: 2, hint: "e.g. `orch suspend T3` or `orch suspend --all`." });
  if (all && ids.length > 0) throw new OrchError("usage", "pass either task ids or --all, not both", { exitCode: 2 });
}
