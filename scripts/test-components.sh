#!/usr/bin/env bash
# Self-tests of the real components the sign-in and inbox tests run against (installs what they
# need: tests/idp/node_modules, the moto virtualenv):
#   - the OpenID provider and the browser bot, end to end (node --test tests/idp/idp.test.mjs)
#   - the fault-injecting proxy (tests/idp/faultproxy_test.py)
#   - moto: web-identity credentials from an ID token sign real S3 calls (tests/idp/moto_smoke.py)
#   - PostgreSQL with TLS: psql with sslmode=verify-full trusts its CA and refuses another
#     (tests/pg/pg_smoke.py, through scripts/pg.sh smoke; postgresql from scripts/setup.sh)
# Each suite prints a "test result: ok. N passed; M failed;" line (the form scripts/test.sh sums);
# the last line is "components: N passed, M failed", and the exit status is 1 when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
bash scripts/idp.sh install || exit 2
bash scripts/moto.sh install || exit 2

total_pass=0
total_fail=0
count() { # NAME PASSED FAILED
  echo "test result: $([ "$3" -eq 0 ] && echo ok || echo FAILED). $2 passed; $3 failed; ($1)"
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
}

echo "== the OpenID provider and the browser bot"
node --test tests/idp/idp.test.mjs >target/idp-test-output.txt 2>&1
grep -E '^(not )?ok ' target/idp-test-output.txt
p="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' target/idp-test-output.txt)"
f="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' target/idp-test-output.txt)"
[ -n "$p" ] || { echo "(no count line: see target/idp-test-output.txt)"; p=0; f=1; }
[ "$f" -eq 0 ] || grep -A15 '^not ok' target/idp-test-output.txt
count idp "$p" "$f"

for suite in "faultproxy_test python3 tests/idp/faultproxy_test.py" "moto_smoke target/test-venv/bin/python tests/idp/moto_smoke.py" \
  "pg_smoke bash scripts/pg.sh smoke"; do
  set -- $suite
  name=$1
  shift
  echo "== $name"
  out="$("$@" 2>&1)"
  line="$(echo "$out" | grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" | tail -n1)"
  case "$line" in *" 0 failed") echo "$out" | grep -E '^ok - |^test_.* \.\.\. ok$' ;; *) echo "$out" ;; esac
  if [ -n "$line" ]; then
    count "$name" "$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')" "$(echo "$line" | sed -E 's/.*, ([0-9]+) failed/\1/')"
  else
    count "$name" 0 1
  fi
done

echo "components: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
