// A person's editor, as a real process: loads TODO.md, adds a note line, saves; n times.
// Like real editors it reloads when the file changed on disk since it was loaded, then saves either
// in place (truncate + write, as VS Code does) or by writing a temp file and renaming it (as vim and
// JetBrains IDEs do). Usage: node editor.mjs <file> <inplace|rename> <n>
import fs from "node:fs";
import path from "node:path";

const [file, style, n] = process.argv.slice(2);
// ~100 saves a second: a hundred times faster than a person, to make collisions likely.
const pause = () => new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
// orch swaps the file in with rename + link, so for microseconds it can be absent (as during a vim save).
function read(f) {
  for (let i = 0; ; i++) {
    try {
      return fs.readFileSync(f, "utf8");
    } catch (err) {
      if (err.code !== "ENOENT" || i > 1000) throw err;
    }
  }
}
for (let k = 0; k < Number(n); k++) {
  let loaded = read(file);
  await pause(); // "typing"
  let text = `${loaded}- note ${k}\n`;
  // Save, but first the editor's own "changed on disk?" check: reload and redo the edit.
  const onDisk = read(file);
  if (onDisk !== loaded) text = `${onDisk}- note ${k}\n`;
  if (style === "inplace") fs.writeFileSync(file, text);
  else {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.swp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  await pause();
}
process.stdout.write("done\n");
