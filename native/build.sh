#!/usr/bin/env bash
# Builds orch-native offline: crate sources from Debian's librust-*-dev packages (see
# native/apt-packages.txt and native/.cargo/config.toml), grammar C sources from node_modules.
# Result: native/target/release/orch-native
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

fail() { echo "build:native: $*" >&2; exit 1; }

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || fail "cargo not found. Install a Rust toolchain (cargo, rustc >= 1.70)."
command -v cc >/dev/null 2>&1 || fail "no C compiler (cc) found: install gcc or build-essential."
command -v pkg-config >/dev/null 2>&1 || fail "pkg-config not found: apt-get install pkg-config."

registry=/usr/share/cargo/registry
missing=()
for crate in tree-sitter- serde- serde_derive- serde_json- ignore- globset- regex- rayon- memchr- cc-; do
  compgen -G "$registry/${crate}[0-9]*" >/dev/null || missing+=("${crate%-}")
done
if [ ${#missing[@]} -gt 0 ]; then
  fail "crate sources missing under $registry: ${missing[*]}.
  Install them: apt-get install \$(cat native/apt-packages.txt)"
fi

# Link tree-sitter's C runtime statically: expose Debian's libtree-sitter.a outside /usr so
# the pkg-config crate accepts it (native/pkgconfig/tree-sitter.pc points here).
static_lib="$(pkg-config --variable=libdir tree-sitter 2>/dev/null || true)/libtree-sitter.a"
[ -f "$static_lib" ] || fail "libtree-sitter.a not found: apt-get install libtree-sitter-dev."
mkdir -p target/ts-static
ln -sf "$static_lib" target/ts-static/libtree-sitter.a

[ -f ../node_modules/tree-sitter-typescript/typescript/src/parser.c ] || [ -n "${ORCH_GRAMMARS_DIR:-}" ] \
  || fail "grammar sources missing: run \`npm ci\` at the repo root first."

locked=()
[ -f Cargo.lock ] && locked=(--locked)
cargo build --release --offline "${locked[@]}" || fail "cargo build failed (see above)."
echo "build:native: $here/target/release/orch-native"
