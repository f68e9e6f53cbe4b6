#!/bin/sh
# run_h2spec.sh H2SPEC H2_SERVER - run h2spec (strict, -S) against the
# minimal h2c server on a free loopback port; fails unless every test
# passes. Prints h2spec's summary line.
set -u
h2spec=$1
server=$2
log=$(mktemp)
"$server" 0 >"$log" 2>&1 &
pid=$!
port=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.2
done
if [ -z "$port" ]; then
  kill "$pid" 2>/dev/null
  cat "$log"
  rm -f "$log"
  exit 1
fi
out=$("$h2spec" -S -h 127.0.0.1 -p "$port" -o 3 2>&1)
rc=$?
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -f "$log"
echo "$out" | sed -n '/^Failures/,$p'
summary=$(echo "$out" | tail -n 1)
echo "h2spec: $summary"
[ $rc -eq 0 ] && echo "$summary" | grep -q ", 0 failed" 
