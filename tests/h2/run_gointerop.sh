#!/bin/sh
# run_gointerop.sh GO SRCDIR H2_SERVER H2_CLIENT - loopback interop with
# Go's golang.org/x/net/http2 (h2c): our client against the Go server
# (50 x 1 MiB with trailers, 20 uploads of 500 KB) and the Go client
# against our server (200 concurrent requests, half with 300 KB bodies).
set -u
go=$1; src=$2; server=$3; client=$4
dir=$(mktemp -d)
gpid=""; spid=""
trap '[ -n "$gpid" ] && kill "$gpid" 2>/dev/null; [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
# Its own module (x/net is fetched through the module proxy on first use).
(cd "$src/tests/h2/gointerop" && "$go" build -o "$dir/gointerop" .) || { echo "go build failed: skipped"; exit 77; }

gport=""
for try in 1 2 3 4 5 6 7 8; do
  p=$(( 20000 + ($$ * 13 + try * 997) % 30000 ))
  "$dir/gointerop" server "$p" >"$dir/go.log" 2>&1 &
  gpid=$!
  sleep 0.3
  if kill -0 "$gpid" 2>/dev/null; then gport=$p; break; fi
done
[ -n "$gport" ] || { cat "$dir/go.log"; exit 1; }

"$server" 0 >"$dir/server.log" 2>&1 &
spid=$!
sport=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  sport=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.log")
  [ -n "$sport" ] && break
  sleep 0.2
done
[ -n "$sport" ] || exit 1

fail=0
n=$("$client" "$gport" / 50 | grep -c "^status=200 bytes=1048576 ")
echo "our client -> Go server: $n/50 downloads of 1 MiB"
[ "$n" -eq 50 ] || fail=1
n=$("$client" "$gport" / 20 500000 | grep -c "^status=200 bytes=1048576 ")
echo "our client -> Go server: $n/20 uploads of 500 KB"
[ "$n" -eq 20 ] || fail=1
"$dir/gointerop" client "$sport" || fail=1
exit $fail
