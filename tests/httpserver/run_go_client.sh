#!/bin/bash
# run_go_client.sh GO SRCDIR HS_SERVER - Go's net/http + x/net/http2
# client (tests/h2/gointerop "client" mode: 200 concurrent h2c requests,
# every second one a 300 KB POST) against SocketHTTPServer (hs_server).
# Exit 77 when the Go program cannot be built (no toolchain or module
# proxy).
set -u
go=$1; src=$2; server=$3
dir=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE
(cd "$src/tests/h2/gointerop" && "$go" build -o "$dir/gointerop" .) || { echo "go build failed: skipped"; exit 77; }
"$server" 0 >"$dir/server.log" 2>&1 &
spid=$!
port=""
# readiness: the port line (up to 60 s for sanitizer builds under load)
for _ in $(seq 1 600); do
  port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.log")
  [ -n "$port" ] && break
  kill -0 "$spid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$dir/server.log"; exit 1; }
timeout 240 "$dir/gointerop" client "$port"
