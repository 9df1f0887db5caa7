#!/usr/bin/env bash
# Frame times of the release app under Xvfb while one assessment is typed, signed and
# exported as a signed PDF, driven by xdotool (issue 11, point 4).
#
#   scripts/frame-times.sh [BINARY]          # default: target/release/elder-assess
#
# Needs: Xvfb, xdotool, xwd and ImageMagick (convert), a release build with the frame-time
# probe (ELDER_ASSESS_PROBE_FRAME_TIMES=SECONDS: the app records each frame's cpu_usage,
# closes itself after SECONDS and prints `frame-times frames=… p50=… p99=… max=… over16=…
# over50=…` in ms on stderr at exit).
#
# Phases: the app is started once per phase on the same data directory, so each phase gets
# its own frame-times line (the app reopens the assessment that was open when it closed):
#   idle     start, draw the home screen, close: the start-up frames every phase contains
#   typing   新建评估, Annex A text fields and choices, the 26 Annex B items by keyboard,
#            the signers' names
#   drawing  the three signature pads (one stroke of SIG_STEPS mouse moves each), 完成评估
#   export   导出 PDF…, both assessors' passphrases, 保存, until the PDF is on disk
# Every line includes the start-up frames of that run (see the idle line for their share).
#
# Environment: SHOTS_DIR=DIR keeps the screenshots taken at each check (default: thrown
# away with the temporary directory). Only the fake test values below are typed; the
# script prints no record content.
#
# Layout assumptions (1280x800 window at 100 % text size, light theme, no window
# manager so the window sits at the screen's origin): every coordinate below is relative
# to the window's top-left corner and was read off screenshots. When the UI changes,
# adjust the variables in this block; each step is checked (a section's dot in the side
# panel turning green, a pad getting ink, the PDF appearing and verifying), so a wrong
# coordinate fails loudly instead of measuring nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/release/elder-assess}
[ -x "$bin" ] || { echo "no binary at $bin: build first (cargo build --release)" >&2; exit 2; }
bin=$(realpath "$bin")

# ---- fake test values ------------------------------------------------------------------
ELDER_NAME='Zhang Ceshi'
ELDER_ID='530926194503021239'          # valid check digit, fictional: male, 1945-03-02
HEIGHT='165'
WEIGHT='58.5'
PLACE='Mengding Village 5'
INFORMANT='Zhang Erzi'
PHONE='13800000000'
OTHER_HEALTH='none'
ASSESSOR1='Wang Ceshi'                 # key names = the names typed in the signature block,
ASSESSOR2='Li Ceshi'                   # so the export dialog preselects each assessor's key
PASS1='frame-times-key-1'              # at least 10 characters
PASS2='frame-times-key-2'
# Scores for B.1.1 … B.4.5 in order (each one the item offers).
SCORES=(4 3 4 3 4 3 4 3  3 3 2 2  4 3 3 3 4 4 1 1 2  2 2 3 3 3)

# ---- timing ----------------------------------------------------------------------------
IDLE_SECONDS=6                         # probe budget per phase: the app closes after it;
TYPING_SECONDS=60                      # the script fails if a phase's actions outlast it
DRAWING_SECONDS=30                     # (on the idle 2-core machine: typing ~30 s, drawing
EXPORT_SECONDS=25                      # ~16 s, export ~6 s)
TYPE_DELAY_MS=30                       # xdotool type --delay
KEY_PAUSE=0.15                         # between Annex B keys (each key in its own frame)
STEP_PAUSE=0.25                        # after a click that moves focus or changes screen
SIG_STEPS=300                          # mouse moves per signature stroke
SIG_STEP_DELAY=0.01                    # seconds between two moves

# ---- layout (window coordinates, see the header) ---------------------------------------
HOME_NEW=(98 78)                       # home: ＋ 新建评估
SIDE_B1=(100 664)                      # side panel (under ← 返回列表 and 删除草稿)
SIDE_DOT_X=30                          # x of the ●/○ in the side panel's rows
SIDE_DOT_Y_A=(358 409 460 511 562)     # A.1–A.5 (side panel scrolled to the top)
SIDE_DOT_Y_B=(664 715 766)             # B.1–B.3 (B.4 is below the fold)
SIDE_SCROLL_AT=(140 600)               # wheel here scrolls the side panel
SIDE_SIGN_BOTTOM=(60 778)              # 签名, side panel scrolled to the bottom
SIDE_DOT_Y_SIGN_BOTTOM=778
SIDE_DOT_Y_B4_BOTTOM=647               # B.4, side panel scrolled to the bottom
CONTENT_SCROLL_AT=(700 500)            # wheel here scrolls the central panel
OK_COLOUR='srgb(46,125,50)'            # theme::OK: the dot of a complete section
# 签名 (central panel at the top)
SIGN_NAME1=(590 163); SIGN_NAME2=(590 399)
SIGN_BLANK=(1100 700)                  # a click here takes the focus off the name fields
PAD1=(330 220 600 120); PAD2=(330 456 600 120); PAD3=(330 685 600 95)   # x y w h of the stroke
COMPLETE_BOTTOM=(408 768)              # 完成评估, central panel scrolled to the bottom
INK_COLOUR_MAX=100                     # a pad pixel darker than this (0–255 grey) is ink
# 导出 PDF (read-only header, then the dialog with both keys preselected)
EXPORT_BUTTON=(603 78)
EXPORT_PASS1=(270 233); EXPORT_PASS2=(270 376); EXPORT_SAVE=(90 712)
EXPORT_WAIT_SECONDS=30                 # for the PDF to appear after 保存

# ---- setup -----------------------------------------------------------------------------
for tool in Xvfb xdotool xwd convert; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install xvfb xdotool x11-apps imagemagick)" >&2; exit 2; }
done
tmp=$(mktemp -d -t frame-times.XXXXXX)
data=$tmp/data
home=$tmp/home
shots=${SHOTS_DIR:-$tmp/shots}
mkdir -p "$data" "$home/Documents" "$shots" "$tmp/xdg"
chmod 700 "$tmp/xdg"
xvfb=''
app=''
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

display=''
for n in $(seq $((90 + RANDOM % 50)) 199); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=:$n; break; }
done
[ -n "$display" ] || { echo "no free X display" >&2; exit 1; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
export DISPLAY=$display XDG_RUNTIME_DIR=$tmp/xdg

# Two signing keys named like the assessors; a plain store (no accounts), so no sign-in.
ELDER_ASSESS_PASSPHRASE=$PASS1 "$bin" --data-dir "$data" keys new --name "$ASSESSOR1" >/dev/null
ELDER_ASSESS_PASSPHRASE=$PASS2 "$bin" --data-dir "$data" keys new --name "$ASSESSOR2" >/dev/null

# ---- helpers ---------------------------------------------------------------------------
win_x=0; win_y=0
fail() {                                        # keeps the screenshots, then exits 1
  if [ -z "${SHOTS_DIR:-}" ]; then
    local keep; keep=$(mktemp -d -t frame-times-shots.XXXXXX); cp "$shots"/*.png "$keep"/ 2>/dev/null || true
    shots=$keep
  fi
  echo "frame-times.sh: FAILED: $*" >&2
  echo "  screenshots: $shots; app stderr: $(tail -c 300 "$tmp/${phase:-none}.err" 2>/dev/null || true)" >&2
  exit 1
}
shot() {                                        # shot NAME: screenshot, prints its path
  # Called in $(…), so the number comes from the files already there, not a variable.
  local f; f=$(printf '%s/%02d-%s.png' "$shots" "$(find "$shots" -name '*.png' | wc -l)" "$1")
  xwd -root -silent -display "$DISPLAY" | convert xwd:- "$f"
  echo "$f"
}
pixel() { convert "$1" -crop "1x1+$((win_x + $2))+$((win_y + $3))" -format '%[pixel:p{0,0}]' info:; }
click() { xdotool mousemove $((win_x + $1)) $((win_y + $2)) click 1; sleep "$STEP_PAUSE"; }
field() {                                       # field X Y TEXT: click, select all, type
  click "$1" "$2"
  xdotool key ctrl+a
  xdotool type --delay "$TYPE_DELAY_MS" "$3"
  sleep "$STEP_PAUSE"
}
wheel() {                                       # wheel X Y up|down COUNT
  local button=5; [ "$3" = up ] && button=4
  xdotool mousemove $((win_x + $1)) $((win_y + $2)) click --repeat "$4" --delay 20 "$button"
  sleep "$STEP_PAUSE"
}
expect_green() {                                # expect_green SHOT WHAT X Y
  local colour; colour=$(pixel "$1" "$3" "$4")
  [ "$colour" = "$OK_COLOUR" ] || fail "$2 not complete (dot at $3,$4 is $colour, want $OK_COLOUR; see $1)"
}
expect_ink() {                                  # expect_ink SHOT WHAT X Y W H: dark pixels in the box
  local dark
  dark=$(convert "$1" -crop "${5}x${6}+$((win_x + $3))+$((win_y + $4))" -colorspace gray \
    -threshold "$(( INK_COLOUR_MAX * 100 / 255 ))%" -negate -format '%[fx:int(mean*w*h+0.5)]' info:)
  [ "$dark" -gt 50 ] || fail "$2: no ink on the pad ($dark dark pixels; see $1)"
}
draw() {                                        # draw X Y W H: one stroke, SIG_STEPS moves
  local cmds
  cmds=$(awk -v x0=$((win_x + $1)) -v y0=$((win_y + $2)) -v w="$3" -v h="$4" -v n="$SIG_STEPS" \
    -v d="$SIG_STEP_DELAY" 'BEGIN { for (i = 0; i <= n; i++) { t = i / n;
      x = x0 + w * t; y = y0 + h / 2 + h * 0.4 * sin(t * 6.283 * 4) * (0.6 + 0.4 * cos(t * 20));
      printf "mousemove %d %d sleep %s ", x, y, d } }')
  # shellcheck disable=SC2086 # one xdotool process for the whole stroke
  xdotool mousemove $((win_x + $1)) $((win_y + $2 + $4 / 2)) mousedown 1 $cmds mouseup 1
  sleep "$STEP_PAUSE"
}
start_app() {                                   # start_app PHASE SECONDS
  phase=$1
  phase_start=$(date +%s)
  phase_budget=$2
  HOME=$home ELDER_ASSESS_PROBE_FRAME_TIMES=$2 "$bin" --data-dir "$data" \
    >"$tmp/$phase.out" 2>"$tmp/$phase.err" &
  app=$!
  local win
  win=$(timeout 30 xdotool search --sync --pid "$app" 2>/dev/null | head -1) \
    || fail "$phase: no window within 30 s"
  local geometry
  geometry=$(xdotool getwindowgeometry --shell "$win")
  win_x=$(sed -n 's/^X=//p' <<<"$geometry"); win_y=$(sed -n 's/^Y=//p' <<<"$geometry")
  xdotool windowfocus "$win" 2>/dev/null || true
  sleep 1.5                                     # the first frames
}
declare -A result
finish_app() {                                  # finish_app: wait for the app to close itself
  kill -0 "$app" 2>/dev/null \
    || fail "$phase: the app closed before the phase's actions ended (raise ${phase^^}_SECONDS)"
  local used=$(( $(date +%s) - phase_start ))
  wait "$app" || true
  app=''
  local line; line=$(grep '^frame-times ' "$tmp/$phase.err" || true)
  [ -n "$line" ] || fail "$phase: no frame-times line on stderr"
  result[$phase]="$line"
  printf '%-8s %s   (actions %d s of %d s)\n' "$phase" "$line" "$used" "$phase_budget"
}

echo "binary: $bin"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- phase 0: idle ---------------------------------------------------------------------
start_app idle "$IDLE_SECONDS"
s=$(shot idle-home)
finish_app

# ---- phase 1: typing -------------------------------------------------------------------
start_app typing "$TYPING_SECONDS"
click "${HOME_NEW[@]}"
sleep 0.5
# Annex A by keyboard (each section opens on its first field; Enter goes on, a digit
# chooses the option of that number, a single choice then moves on).
k() { xdotool key "$@"; sleep "$KEY_PAUSE"; }
t() { xdotool type --delay "$TYPE_DELAY_MS" "$1"; sleep "$KEY_PAUSE"; }
# A.1: reference date (kept), 评估原因 1, 乡镇 the first, 评估地点; Enter: A.2.
k Tab; k 1; k Down; k Tab; t "$PLACE"; k Return
# A.2: name, ID number (fills sex and birth date), height, weight, 民族 1, 宗教 1,
# 文化程度 2, 居住 2, 婚姻 2, 医疗费用 2, 经济来源 1, the five A.2.14 counts 无, 其他's
# blank; Enter: A.3.
t "$ELDER_NAME"; k Return; t "$ELDER_ID"; k Return; k Tab; k Tab
t "$HEIGHT"; k Return; t "$WEIGHT"; k Return
k 1; k 1; k 2; k 2; k Tab; k 2; k 2; k Tab; k 1; k Tab
k 1; k 1; k 1; k 1; k 1; k Return
s=$(shot typing-a2)
# A.3: informant, 关系 3 子女, contact, phone; Enter: A.4.
t "$INFORMANT"; k Return; k 3; t "$INFORMANT"; k Return; t "$PHONE"; k Return
# A.4: 24 以上均无 (two digits), 其他诊断 left blank; Enter: A.5.
k 2; k 4; k Tab; k Return
# A.5: every list 无 (A.5.6: 无缺损 in its first list), 其他; Enter: the county section.
k 1; k 1; k 1; k Tab; k 1; k Tab; k 1; k 1; k Tab; k Tab; k Tab; k 1; k Tab; k 1; k Tab
k 1; k 1; k 1; t "$OTHER_HEALTH"; k Return
s=$(shot typing-a5)
for i in 0 1 2 3 4; do expect_green "$s" "A.$((i + 1))" "$SIDE_DOT_X" "${SIDE_DOT_Y_A[$i]}"; done
# Annex B by keyboard: the score's digit, then Enter (next item; after B.4.5 the result).
click "${SIDE_B1[@]}"
for score in "${SCORES[@]}"; do
  xdotool key "$score"; sleep "$KEY_PAUSE"
  xdotool key Return; sleep "$KEY_PAUSE"
done
sleep 0.5
s=$(shot typing-b)
for i in 0 1 2; do expect_green "$s" "B.$((i + 1))" "$SIDE_DOT_X" "${SIDE_DOT_Y_B[$i]}"; done
# 签名: the two assessors' names (the informant's defaults to A.3.1).
wheel "${SIDE_SCROLL_AT[@]}" down 10
s=$(shot typing-side-bottom)
expect_green "$s" "B.4" "$SIDE_DOT_X" "$SIDE_DOT_Y_B4_BOTTOM"
click "${SIDE_SIGN_BOTTOM[@]}"
field "${SIGN_NAME1[@]}" "$ASSESSOR1"
field "${SIGN_NAME2[@]}" "$ASSESSOR2"
click "${SIGN_BLANK[@]}"
s=$(shot typing-names)
finish_app

# ---- phase 2: drawing ------------------------------------------------------------------
start_app drawing "$DRAWING_SECONDS"
wheel "${SIDE_SCROLL_AT[@]}" down 10
click "${SIDE_SIGN_BOTTOM[@]}"
draw "${PAD1[@]}"; draw "${PAD2[@]}"; draw "${PAD3[@]}"
sleep 0.5
s=$(shot drawing-pads)
expect_ink "$s" "assessor 1" "${PAD1[@]}"
expect_ink "$s" "assessor 2" "${PAD2[@]}"
expect_ink "$s" "informant" "${PAD3[@]}"
expect_green "$s" "签名" "$SIDE_DOT_X" "$SIDE_DOT_Y_SIGN_BOTTOM"
wheel "${CONTENT_SCROLL_AT[@]}" down 20
click "${COMPLETE_BOTTOM[@]}"
sleep 0.5
s=$(shot drawing-completed)
finish_app

# ---- phase 3: export -------------------------------------------------------------------
start_app export "$EXPORT_SECONDS"
before=$(shot export-reopened)
click "${EXPORT_BUTTON[@]}"
sleep 0.3
s=$(shot export-dialog)
cmp -s <(convert "$before" rgb:-) <(convert "$s" rgb:-) && fail "导出 PDF… opened nothing (see $s)"
click "${EXPORT_PASS1[@]}"; xdotool type --delay "$TYPE_DELAY_MS" "$PASS1"; sleep "$STEP_PAUSE"
click "${EXPORT_PASS2[@]}"; xdotool type --delay "$TYPE_DELAY_MS" "$PASS2"; sleep "$STEP_PAUSE"
t0=$(date +%s%3N)
xdotool mousemove $((win_x + EXPORT_SAVE[0])) $((win_y + EXPORT_SAVE[1])) click 1
pdf=''
while [ -z "$pdf" ] && [ $(( $(date +%s%3N) - t0 )) -lt $((EXPORT_WAIT_SECONDS * 1000)) ]; do
  pdf=$(find "$home/Documents" -maxdepth 1 -name '*.pdf' -print -quit)
  [ -n "$pdf" ] || sleep 0.02
done
export_ms=$(( $(date +%s%3N) - t0 ))
sleep 1
s=$(shot export-done)
[ -n "$pdf" ] || fail "no PDF in the save folder $EXPORT_WAIT_SECONDS s after 保存 (see $s)"
finish_app
verify='failed'
"$bin" verify "$pdf" >/dev/null 2>&1 && verify='ok (both signatures intact)'

# ---- summary ---------------------------------------------------------------------------
echo
echo "phases: typing ok (A.1–A.5 and B.1–B.4 complete), drawing ok (3 pads inked, 签名 complete),"
echo "        export ok: PDF on disk ${export_ms} ms after 保存 (poll every 20 ms), verify ${verify}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# What the session left in the audit trail (the store is plain: no accounts were made).
python3 - "$data/elder-assess.sqlite3" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
rows, size = conn.execute(
    "SELECT count(*), coalesce(sum(length(coalesce(old_value, '')) + length(coalesce(new_value, ''))), 0)"
    " FROM audit WHERE record_id IS NOT NULL").fetchone()
sig = conn.execute("SELECT count(*) FROM audit WHERE field LIKE 'signatures.%'").fetchone()[0]
idn = conn.execute("SELECT count(*) FROM audit WHERE field = 'subject.id_number'").fetchone()[0]
print(f"audit    rows={rows} value-bytes={size} signature-rows={sig} id-number-rows={idn}")
PY
for p in idle typing drawing export; do printf '%-8s %s\n' "$p" "${result[$p]}"; done
