#!/usr/bin/env bash
# The README's screenshots of the wizard, taken from the real window under Xvfb and driven
# by the keyboard (xdotool): A.2 at 1280×800 and 100 %, and the same at 800×600 and 200 %.
#
#   scripts/screenshots.sh [BINARY] [OUT_DIR]   # defaults: target/debug/elder-assess, docs/screenshots
#
# Needs Xvfb, xdotool, xwd and ImageMagick (convert). Only fake values are typed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/debug/elder-assess}")
out=$(realpath "${2:-docs/screenshots}")
for tool in Xvfb xdotool xwd convert; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
work=$(mktemp -d)
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
app=""
cleanup() { [ -n "$app" ] && kill "$app" 2>/dev/null; kill "$xvfb" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export DISPLAY=$display
sleep 1
"$bin" --data-dir "$work/data" >"$work/app.log" 2>&1 &
app=$!
win=$(timeout 30 xdotool search --sync --pid "$app" | head -1)
sleep 3
xdotool windowfocus "$win"
key() { xdotool key "$@"; sleep 0.3; }
type() { xdotool type --delay 30 "$1"; sleep 0.3; }
shot() { sleep 1; xwd -root -silent | convert xwd:- -crop "$2+0+0" +repage "$out/$1"; echo "wrote $out/$1"; }

# 新建评估 (the home screen's first button), then A.1 by keyboard: the reference date has
# the focus; 评估原因 1 首次评估; 乡镇 the first; 评估地点; Enter goes on to A.2.
xdotool mousemove 98 78 click 1; sleep 1.5
xdotool windowfocus "$win"
key Tab; key 1; key Down; key Tab; type 'Mengding Village 5'; key Return
# A.2: name, ID number (fills sex and birth date), height, weight, 民族 2 少数民族 and
# 族别, 宗教信仰 1 无, 文化程度 2 小学, 居住情况 2 与配偶居住, 婚姻状况 2 已婚.
type 'Zhang Ceshi'; key Return
type '530926194503021239'; key Return
key Tab; key Tab
type '165'; key Return
type '58.5'; key Return
key 2; type 'Dai'; key Return
key 1; key 2; key 2; key Tab; key 2
shot a2-1280x800-100.png 1280x800
# 200 % (ten steps of 10 %) in an 800×600 window.
# (Ctrl+= steps 10 %; each press waits for the redraw at the new size.)
for _ in $(seq 10); do xdotool key ctrl+equal; sleep 1.5; done
xdotool windowsize "$win" 800 600
# Pointer moves make the app draw frames at the new size.
for i in 1 2 3 4 5; do sleep 0.8; xdotool mousemove $((400 + i * 5)) 300; done
shot a2-800x600-200.png 800x600
