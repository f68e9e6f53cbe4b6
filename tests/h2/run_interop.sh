#!/bin/sh
# run_interop.sh NGHTTPD H2LOAD H2_SERVER H2_CLIENT - loopback interop of
# the HTTP/2 engine with nghttp2's tools (h2c prior knowledge):
#   our client -> nghttpd: 1000 concurrent 1 MB downloads, 5 x 4 MB uploads
#   h2load -> our server: 20000 requests, 100 streams per connection, and
#   uploads of 4 MB bodies; curl (if installed) -> our server.
# Fails on any incomplete request. Prints the h2load summary lines.
set -u
nghttpd=$1; h2load=$2; server=$3; client=$4
dir=$(mktemp -d)
trap 'kill $spid $npid 2>/dev/null; rm -rf "$dir"' EXIT
head -c 1000000 /dev/urandom >"$dir/big.bin"
head -c 4000000 /dev/urandom >"$dir/up.bin"
echo hello >"$dir/index.html"

npid=""; nport=""
for try in 1 2 3 4 5 6 7 8; do
  p=$(( 20000 + ($$ * 7 + try * 1009) % 30000 ))
  "$nghttpd" --no-tls -d "$dir" "$p" >"$dir/nghttpd.log" 2>&1 &
  npid=$!
  sleep 0.3
  if kill -0 "$npid" 2>/dev/null; then nport=$p; break; fi
done
[ -n "$nport" ] || { echo "nghttpd did not start"; exit 1; }

"$server" 0 >"$dir/server.log" 2>&1 &
spid=$!
sport=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  sport=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.log")
  [ -n "$sport" ] && break
  sleep 0.2
done
[ -n "$sport" ] || { echo "h2_server did not start"; exit 1; }

fail=0
out=$("$client" "$nport" /big.bin 1000) || fail=1
n=$(echo "$out" | grep -c '^status=200 bytes=1000000$')
echo "our client -> nghttpd: $n/1000 downloads of 1 MB"
[ "$n" -eq 1000 ] || fail=1
out=$("$client" "$nport" /index.html 5 4000000) || fail=1
n=$(echo "$out" | grep -c '^status=200')
echo "our client -> nghttpd: $n/5 uploads of 4 MB"
[ "$n" -eq 5 ] || fail=1

for args in "-n 20000 -c 4 -m 100" "-n 200 -c 2 -m 10 -d $dir/up.bin"; do
  # shellcheck disable=SC2086
  res=$("$h2load" $args "http://127.0.0.1:$sport/" 2>&1 | grep -E '^(finished in|requests:)')
  echo "h2load $args -> our server: $res" | tr '\n' ' '; echo
  echo "$res" | grep -q ' 0 failed, 0 errored' || fail=1
done
# curl, when installed: h2c prior knowledge, GET and a 4 MB POST.
if command -v curl >/dev/null 2>&1; then
  r=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code} %{http_version}' "http://127.0.0.1:$sport/")
  r2=$(curl -s --http2-prior-knowledge --data-binary @"$dir/up.bin" -o /dev/null -w '%{http_code} %{size_upload}' \
       "http://127.0.0.1:$sport/up")
  echo "curl -> our server: GET $r, POST $r2"
  [ "$r" = "200 2" ] && [ "$r2" = "200 4000000" ] || fail=1
fi
exit $fail
