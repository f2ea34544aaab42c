// Names unique across processes and calls: random per process, then a counter. The pid is not
// enough (pid namespaces, other hosts on a shared folder); a random draw per name costs a syscall.
import { randomBytes } from "node:crypto";

const PROCESS = randomBytes(6).toString("hex");
let n = 0;

/** A short hex token no other call, in this process or another, returns. */
export function uniqueToken(): string {
  return `${PROCESS}${(n++).toString(16)}`;
}
