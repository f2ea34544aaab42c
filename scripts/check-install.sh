#!/usr/bin/env bash
# CI: orch as a user installs it. Packs the package (npm pack builds it), installs the tarball
# with `npm install -g` into a temporary prefix, and runs the installed `orch` in a fresh git repo
# outside this clone: --version, init, validate, status, doctor (which must find opencode, and
# orch-native when it was built, and say that no model is configured yet), and `orch ui` (the board's
# page and script ship in the package).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" >/dev/null
npm install -g --prefix "$tmp/prefix" --prefer-offline --no-audit --no-fund --loglevel=error "$tmp"/orch-*.tgz >/dev/null
export PATH="$tmp/prefix/bin:$PATH"
repo="$tmp/repo"
mkdir "$repo" && cd "$repo" && git init -q
[ "$(orch --version)" = "$version" ]
orch init >/dev/null
orch validate
orch status >/dev/null
# A fresh `orch init` names no model yet: doctor says so (and exits 1); what it finds is still checked.
doctor=$(orch doctor || true)
grep -E '^FAIL +model +no model is configured' <<<"$doctor" >/dev/null
grep -E '^ok +opencode +'"$tmp/prefix/" <<<"$doctor"
# orch-native goes in the package when it was built before packing (CI builds it).
if tar -tzf "$tmp"/orch-*.tgz | grep -x package/native/target/release/orch-native >/dev/null; then
  grep -E '^ok +orch-native +'"$tmp/prefix/" <<<"$doctor"
fi
# The board: `orch ui` prints its URL; the page and its bundled script are served from the package.
orch ui >"$tmp/ui.out" 2>&1 &
ui=$!
for _ in $(seq 100); do grep -q 'http://' "$tmp/ui.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/ui.out")
curl -sf "$url" | grep -q '<script src="/board.js"'
curl -sf "${url}board.js" | grep -q 'EventSource'
kill "$ui" && wait "$ui"
echo "check-install: ok ($(command -v orch))"
