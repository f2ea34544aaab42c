// esbuild plugins of scripts/bundle.mjs that patch third-party code for start-up time; each fails
// the build when the code it expects is gone. test/cli/bundle.test.ts checks they change no result.
import { readFileSync } from "node:fs";

/**
 * string-width (three copies: yargs', cliui's and wrap-ansi's) measures yargs' help text, which
 * yargs renders for every command it runs (to have it at hand on a failure). Two costs, both on
 * every start-up: each copy makes an ICU segmenter when it loads (7+ ms), and the two 7.x copies
 * segment every string into graphemes, ASCII too (~10 ms; 8.x has an ASCII fast path). Make the
 * segmenter on first use, and give the 7.x copies 8.x's fast path: printable ASCII is as wide as
 * it is long. Fails the build if a copy no longer has the lines this expects.
 */
const STRING_WIDTH = /[\\/]string-width[\\/]index\.js$/;
export const fastStringWidth = {
  name: "fast-string-width",
  setup(b) {
    b.onLoad({ filter: STRING_WIDTH }, (args) => {
      let text = readFileSync(args.path, "utf8");
      const replaceOnce = (from, to) => {
        if (text.split(from).length !== 2) throw new Error(`${args.path}: expected one \`${from}\` to patch`);
        text = text.replace(from, to);
      };
      replaceOnce("const segmenter = new Intl.Segmenter();", "let orchSegmenter; const segmenter = { segment: (s) => (orchSegmenter ??= new Intl.Segmenter()).segment(s) };");
      const v7 = "export default function stringWidth(string, options = {}) {";
      if (text.includes(v7)) replaceOnce(v7, `${v7}\n\tif (typeof string === "string" && /^[\\u0020-\\u007E]*$/.test(string)) return string.length;`);
      else {
        if (!text.includes("Fast path: printable ASCII")) throw new Error(`${args.path}: neither \`${v7}\` nor an ASCII fast path`);
        // 8.x: two Unicode-set regexes (4+ ms to build at load), used with .test only past the fast path.
        replaceOnce("const spacingMarkRegex = /\\p{Spacing_Mark}/v;", "let orchSpacingMark; const spacingMarkRegex = { test: (s) => (orchSpacingMark ??= /\\p{Spacing_Mark}/v).test(s) };");
        replaceOnce("const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;", "let orchRgiEmoji; const rgiEmojiRegex = { test: (s) => (orchRgiEmoji ??= /^\\p{RGI_Emoji}$/v).test(s) };");
        if (/(spacingMarkRegex|rgiEmojiRegex)\.(?!test\()/.test(text)) throw new Error(`${args.path}: a lazy regex is used other than with .test()`);
      }
      return { contents: text, loader: "js" };
    });
  },
};

/**
 * zod's `z` namespace re-exports all of its ~50 locales (a third of the bundled zod, ~360 KB);
 * orch uses English, the default. Keep `locales.en` only: less to load and cache on every start.
 * Fails the build if the index no longer exports `en` the way this expects.
 */
const ZOD_LOCALES = /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
export const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onLoad({ filter: ZOD_LOCALES }, (args) => {
      const en = 'export { default as en } from "./en.js";';
      if (!readFileSync(args.path, "utf8").includes(en)) throw new Error(`${args.path}: expected \`${en}\``);
      return { contents: en, loader: "js" };
    });
  },
};

/**
 * js-yaml 3 (gray-matter's) loads esprima, a 280 KB parser, when it loads: through a `require` that
 * esbuild cannot see, so Node compiles it from node_modules on every start (5+ ms). It serves only
 * `!!js/function` in js-yaml's unsafe schema; gray-matter parses with safeLoad, which has no such
 * type. Fails the build if js-yaml no longer loads it this way.
 */
const JS_YAML_FUNCTION = /[\\/]js-yaml[\\/]lib[\\/]js-yaml[\\/]type[\\/]js[\\/]function\.js$/;
export const jsYamlWithoutEsprima = replaceOncePlugin("js-yaml-without-esprima", JS_YAML_FUNCTION, "esprima = _require('esprima');", "esprima = undefined; // orch: safeLoad only (scripts/bundle-plugins.mjs)");

/**
 * yargs(argv) calls .version() for every instance, which looks for the nearest package.json above
 * the script (reading each folder on the way up) and parses it, to print on --version: ~3 ms of
 * every start. orch gives its version itself (.version(packageVersion()) in cli/main.ts, from the
 * package.json packageRoot() reads anyway), so the bundle skips that default call. Fails the build
 * if the factory no longer makes it.
 */
const YARGS_FACTORY = /[\\/]yargs[\\/]build[\\/]lib[\\/]yargs-factory\.js$/;
export const yargsWithoutVersionGuess = replaceOncePlugin(
  "yargs-without-version-guess",
  YARGS_FACTORY,
  "        yargs.help();\n        yargs.version();\n",
  "        yargs.help(); // orch: no .version() guess (scripts/bundle-plugins.mjs)\n",
);

/** A plugin that replaces `from`, which must occur exactly once, with `to` in the file `filter` matches. */
function replaceOncePlugin(name, filter, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (text.split(from).length !== 2) throw new Error(`${args.path}: expected one \`${from.trim()}\` to patch`);
        return { contents: text.replace(from, to), loader: "js" };
      });
    },
  };
}

/** The file each patch above must meet (scripts/bundle.mjs fails the build when one met nothing). */
export const patchedFiles = {
  [fastStringWidth.name]: STRING_WIDTH,
  [zodEnglishOnly.name]: ZOD_LOCALES,
  [jsYamlWithoutEsprima.name]: JS_YAML_FUNCTION,
  [yargsWithoutVersionGuess.name]: YARGS_FACTORY,
};
