// A person's answers in the inbox, read each pass for the tasks that wait for one (plan() takes them
// as values). A file a person left malformed (the marked line gone, binary, huge) or removed is said
// once, and the task keeps waiting: nothing is taken from it.
import path from "node:path";
import type { InboxFiles, TaskState } from "../store/index.js";
import type { Problem } from "../util/index.js";
import type { EventSink } from "./events.js";
import { readAnswer } from "./inbox.js";

/** Reads the answers of waiting tasks; says each problem once (and its clearing). */
export class InboxAnswers {
  private shown = "[]";
  constructor(
    private readonly inbox: Pick<InboxFiles, "root" | "path" | "readChecked">,
    private readonly emit: EventSink,
  ) {}

  /**
   * For the tasks `actual` records as WaitingForPerson: their answers (task → answer, when the file
   * has one) and their files' texts as read (the question file leaves only while it still says that).
   */
  read(actual: ReadonlyMap<string, Pick<TaskState, "phase">>): { answers: Map<string, string>; texts: Map<string, string> } {
    const answers = new Map<string, string>();
    const texts = new Map<string, string>();
    const problems: Problem[] = [];
    for (const [id, s] of actual) {
      if (s.phase !== "WaitingForPerson") continue;
      const file = path.relative(this.inbox.root, this.inbox.path(id));
      const r = this.inbox.readChecked(id);
      if ("missing" in r) {
        problems.push({ code: "inbox-missing", severity: "error", file, line: 0, col: 0, message: `${id} waits for a person, but its question file is gone`, hint: `Answer with \`orch answer ${id} "…"\`, or \`orch retry ${id}\` to run it again without an answer.` });
        continue;
      }
      if ("text" in r) texts.set(id, r.text);
      const a = "problem" in r ? r : readAnswer(r.text, file, id);
      if ("problem" in a) problems.push(a.problem);
      else if (a.answer) answers.set(id, a.answer);
    }
    this.report(problems);
    return { answers, texts };
  }

  private report(problems: Problem[]): void {
    const key = JSON.stringify(problems);
    if (key === this.shown) return;
    if (problems.length) this.emit({ type: "problems", source: "inbox", problems });
    else this.emit({ type: "problems-cleared", source: "inbox" });
    this.shown = key;
  }
}
