// The notification hook (config `notify`): tells a person when something needs them. The command runs
// without a shell with the event as JSON on stdin; it never holds up the loop, and a failing command
// is reported once.
import { spawn } from "node:child_process";
import type { Config } from "../spec/index.js";
import type { LoopEvent } from "../reconcile/index.js";

/** What a person is told about. */
type NotifyKind = "failed" | "waiting" | "done";

/** The JSON the command reads on stdin. */
interface Notification {
  event: NotifyKind;
  /** The mission root. */
  root: string;
  at: string;
  task?: string;
  message: string;
}

/** Receives loop events; `drain` waits (bounded) for commands still running, before orch exits. */
export interface Notifier {
  event(e: LoopEvent): void;
  drain(timeoutMs?: number): Promise<void>;
}

/** The notification a loop event calls for, if any; `changed`: a task changed phase since the last "done". */
function notificationOf(e: LoopEvent, changed: boolean): Omit<Notification, "root" | "at"> | undefined {
  if (e.type === "phase" && e.to === "Failed") return { event: "failed", task: e.task, message: `${e.task} failed: ${e.message}` };
  if (e.type === "phase" && e.to === "WaitingForPerson") return { event: "waiting", task: e.task, message: `${e.task} waits for your answer: .orchestrator/inbox/${e.task}.md or orch answer ${e.task} "…"` };
  if (e.type === "phase" && e.to === "AwaitingApproval") return { event: "waiting", task: e.task, message: `${e.task} waits for your approval: ${e.message}` };
  if (e.type === "idle" && changed && e.total > 0 && e.done === e.total) return { event: "done", message: `mission done: ${e.done}/${e.total} tasks` };
  return undefined;
}

/**
 * The notifier of `config.notify` (none: a no-op). `report` gets the first failure of the command
 * (it could not start, or exited non-zero); later ones are not repeated.
 */
export function createNotifier(config: Config, root: string, report: (message: string) => void, now: () => number = Date.now): Notifier {
  const hook = config.notify;
  const pending = new Set<Promise<void>>();
  let changed = false;
  let reported = false;
  const fail = (message: string) => {
    if (reported) return;
    reported = true;
    report(`notify: ${message} (further failures are not reported)`);
  };
  const send = (n: Notification) => {
    const [cmd, ...args] = hook!.command;
    const p = new Promise<void>((resolve) => {
      let stderr = "";
      const child = spawn(cmd!, args, { cwd: root, stdio: ["pipe", "ignore", "pipe"] });
      child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
      child.on("error", (err) => (fail(`\`${cmd}\` could not start: ${err.message}`), resolve()));
      child.on("close", (code, signal) => {
        if (code !== 0 && code !== null) fail(`\`${cmd}\` exited ${code}${stderr.trim() ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`);
        else if (signal) fail(`\`${cmd}\` was killed (${signal})`);
        resolve();
      });
      child.stdin.on("error", () => {}); // a command that does not read its stdin is not a failure
      child.stdin.end(`${JSON.stringify(n)}\n`);
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  return {
    event(e) {
      if (!hook) return;
      const n = notificationOf(e, changed);
      if (e.type === "phase") changed = true;
      if (n?.event === "done") changed = false;
      if (n && hook.on.includes(n.event)) send({ ...n, root, at: new Date(now()).toISOString() });
    },
    async drain(timeoutMs = 5_000) {
      if (pending.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(pending), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
