#!/bin/bash
# run_gointerop.sh GO SRCDIR H2_SERVER H2_CLIENT [H2LOAD] - loopback interop
# with Go's golang.org/x/net/http2 (h2c):
#   our client -> Go server: 50 x 1 MiB with trailers, 20 uploads of
#     500 KB, a 64 MiB download and a 64 MiB upload (Go server with 64 KiB
#     receive windows; SHA-256 checked on the receiving side)
#   Go client -> our server: 200 concurrent requests, half with 300 KB
#     bodies; a 64 MiB download and upload with 64 KiB client windows
#     (SHA-256 checked)
#   h2load (H2LOAD, else from PATH, if any) against the Go server and our
#     server in the same run: a peer sanity check, req/s printed for both
set -u
go=$1; src=$2; server=$3; client=$4
h2load=${5:-$(command -v h2load || true)}
dir=$(mktemp -d)
gpid=""; spid=""
trap '[ -n "$gpid" ] && kill "$gpid" 2>/dev/null; [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE  # run the EXIT trap (stop the servers) on signals too
# Its own module (x/net is fetched through the module proxy on first use).
(cd "$src/tests/h2/gointerop" && "$go" build -o "$dir/gointerop" .) || { echo "go build failed: skipped"; exit 77; }

# wait_listen PID PORT: 0 once PORT accepts connections (up to ~30 s),
# 1 if PID exits first (a fixed sleep is not enough on a loaded machine).
wait_listen() {
  for _ in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

gport=""
for try in 1 2 3 4 5 6 7 8; do
  p=$(( 20000 + ($$ * 13 + try * 997) % 30000 ))
  "$dir/gointerop" server "$p" >"$dir/go.log" 2>&1 &
  gpid=$!
  if wait_listen "$gpid" "$p"; then gport=$p; break; fi
  kill "$gpid" 2>/dev/null
done
[ -n "$gport" ] || { cat "$dir/go.log"; exit 1; }

"$server" 0 >"$dir/server.log" 2>&1 &
spid=$!
sport=""
for _ in $(seq 1 150); do
  sport=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.log")
  [ -n "$sport" ] && break
  sleep 0.2
done
[ -n "$sport" ] || exit 1

big=67108864
head -c $big /dev/urandom >"$dir/huge.bin"
huge_sha=$(sha256sum "$dir/huge.bin" | cut -d' ' -f1)
fail=0
check() { # check NAME EXIT-STATUS
  if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi
}
n=$("$client" "$gport" / 50 | grep -c "^status=200 bytes=1048576 ")
echo "our client -> Go server: $n/50 downloads of 1 MiB"
[ "$n" -eq 50 ]; check "client->Go 50 downloads of 1 MiB" $?
n=$("$client" "$gport" / 20 500000 | grep -c "^status=200 bytes=1048576 ")
echo "our client -> Go server: $n/20 uploads of 500 KB"
[ "$n" -eq 20 ]; check "client->Go 20 uploads of 500 KB" $?
out=$("$client" "$gport" /bytes/$big); rc=$?
echo "$out" | sed -n 1p
# x-sha256 is the Go server's SHA-256 of its pattern, sha256 ours of the bytes received.
[ $rc -eq 0 ] && echo "$out" | grep -Eq "^status=200 bytes=$big sha256=([0-9a-f]{64}) x-sha256=\1\$"
check "client->Go 64 MiB download, SHA-256 matches" $?
out=$("$client" "$gport" /sha256 1 @"$dir/huge.bin"); rc=$?
wu=$(echo "$out" | sed -n 's/^window_updates=//p')
echo "our client -> Go server: 64 MiB upload, $wu stream WINDOW_UPDATEs, $(echo "$out" | grep -o 'x-sha256=.*')"
[ $rc -eq 0 ] && echo "$out" | grep -q "^status=200 .* x-sha256=$huge_sha\$" && [ "${wu:-0}" -ge 1000 ]
check "client->Go 64 MiB upload, SHA-256 matches" $?
"$dir/gointerop" client "$sport"; check "Go client->our server 200 requests" $?
"$dir/gointerop" big "$sport" $big; check "Go client->our server 64 MiB download and upload" $?
if [ -n "$h2load" ]; then
  for target in "Go:$gport/small" "our:$sport/"; do
    res=$("$h2load" -n 20000 -c 4 -m 100 "http://127.0.0.1:${target#*:}" 2>&1 | grep -E '^(finished in|requests:)')
    echo "h2load -n 20000 -c 4 -m 100 -> ${target%%:*} server: $res" | tr '\n' ' '; echo
    echo "$res" | grep -q ' 20000 succeeded, 0 failed, 0 errored'
    check "h2load -> ${target%%:*} server" $?
  done
fi
exit $fail
