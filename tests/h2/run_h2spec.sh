#!/bin/sh
# run_h2spec.sh H2SPEC H2_SERVER [tls] - run h2spec (strict, -S) against
# the minimal server on a free loopback port: h2c with prior knowledge,
# or with "tls" h2 over TLS (a throw-away certificate made with the
# openssl CLI). Fails unless every test passes; prints h2spec's summary.
set -u
h2spec=$1
server=$2
mode=${3:-h2c}
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
set -- 0
tlsflags=""
if [ "$mode" = tls ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1 \
    || { echo "openssl could not make a certificate"; exit 1; }
  set -- 0 "$dir/cert.pem" "$dir/key.pem"
  tlsflags="-t -k"
fi
"$server" "$@" >"$dir/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 150); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/log")
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { cat "$dir/log"; exit 1; }
# shellcheck disable=SC2086
# -o: seconds h2spec waits for each expected frame; generous for sanitizer
# builds on a loaded machine (the verdicts do not depend on it).
out=$("$h2spec" -S $tlsflags -h 127.0.0.1 -p "$port" -o 10 2>&1)
rc=$?
echo "$out" | sed -n '/^Failures/,$p'
summary=$(echo "$out" | tail -n 1)
echo "h2spec ($mode): $summary"
[ $rc -eq 0 ] && echo "$summary" | grep -q ", 0 failed"
