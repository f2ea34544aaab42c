// Fast path for simple sections (filled in below); undefined means "use remark".
import type { RawBlock } from "./todo-blocks.js";

/** Parses a section made only of simple lines, or returns undefined. */
export function fastBlocks(_text: string): { blocks: RawBlock[]; openAtEnd: boolean } | undefined {
  return undefined;
}
