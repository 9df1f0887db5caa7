#!/usr/bin/env bash
# Cold start to first frame of the release build under Xvfb, N runs (default 5).
# Needs: xvfb (Xvfb), a release build (`cargo build --release`).
# Prints one figure per run: milliseconds from exec to the first frame drawn.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bin=./target/release/elder-assess
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1
data=$(mktemp -d)
for i in $(seq "$runs"); do
  start=$(date +%s%3N)
  out=$(DISPLAY=$display ELDER_ASSESS_PROBE_FRAMES=3 "$bin" --data-dir "$data" 2>&1 >/dev/null || true)
  first=$(printf '%s\n' "$out" | sed -n 's/^first-frame-unix-ms=//p' | head -1)
  [ -n "$first" ] || { echo "run $i: no frame drawn: $out" >&2; exit 1; }
  echo "run $i: first frame after $((first - start)) ms"
done
rm -rf "$data"
