#!/usr/bin/env bash
# The CLI's time to a doubly signed report, whole process: the README's county-trust flow
# (its shell block, as written) up to the signed report, then the report step timed three
# times with /usr/bin/time (both passwords checked, both keys unlocked at the standard
# costs, rendered, signed twice, written), and `verify` after each.
#   cargo build --release && scripts/signing-times.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export EA=${EA:-target/release/elder-assess}
flow=$(awk '/^# county-trust-flow$/{on=1} on && /^```$/{exit} on' README.md | sed '/^# 7\. /,$d')
timing='
for n in 1 2 3; do
  /usr/bin/time -f "report, signed by both: %e s, max RSS %M KB" $EA --data-dir "$D" report "$N" \
    --out "$D/t$n.pdf" --as liming --password-file "$D/liming.pw" --sign --passphrase-file "$D/liming.pass" \
    --cosign-as yangfang --cosign-password-file "$D/yangfang.pw" --cosign-passphrase-file "$D/yangfang.pass" >/dev/null
  /usr/bin/time -f "verify: %e s" $EA --data-dir "$D" verify "$D/t$n.pdf" >/dev/null
done
rm -rf "$D"'
bash -c "set -euo pipefail; $flow $timing" 2>&1 | grep -E '^(report, signed|verify:)'
