#!/bin/bash
# run_interop.sh NGHTTPD H2LOAD H2_SERVER H2_CLIENT - loopback interop of
# the HTTP/2 engine with nghttp2's tools and curl (h2c prior knowledge,
# and h2 over TLS with ALPN for nghttp):
#   our client -> nghttpd: 1000 downloads of 66536 bytes on one connection
#     (as many at once as nghttpd's stream limit allows; more
#     than the 65535-byte stream window: each needs WINDOW_UPDATEs), 5 x 4 MB
#     uploads, one 64 MiB download (SHA-256 checked) and one 64 MiB
#     upload (64 KiB windows: >= 1000 WINDOW_UPDATEs counted)
#   h2load -> our server: 20000 requests at 100 streams per connection,
#     4 MB uploads, and 10000 requests at -m 1000 on one connection (the
#     server allows 1000 streams); our client -> our server: 1000 streams
#     open at once on one connection, all answered
#   curl -> our server: GET, 4 MB POST, 64 MiB download and 64 MiB upload
#     (SHA-256 of the body checked on the receiving side)
#   nghttp -> our server: server push (PUSH_PROMISE and the pushed
#     response), GET over h2c and over TLS (ALPN h2)
#   our client -> nghttpd over TLS (ALPN h2, certificate verified for
#     localhost): 10 concurrent 1 MB downloads, SHA-256 checked
# Prints one pass/fail line per check; fails on any incomplete request.
set -u
nghttpd=$1; h2load=$2; server=$3; client=$4
dir=$(mktemp -d)
npid=""; spid=""; tpid=""; ntpid=""
trap 'for p in $npid $spid $tpid $ntpid; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE  # run the EXIT trap (stop the servers) on signals too
big=67108864
head -c 1000000 /dev/urandom >"$dir/big.bin"
head -c 66536 /dev/urandom >"$dir/mid.bin"
head -c 4000000 /dev/urandom >"$dir/up.bin"
head -c $big /dev/urandom >"$dir/huge.bin"
huge_sha=$(sha256sum "$dir/huge.bin" | cut -d' ' -f1)
echo hello >"$dir/index.html"

fail=0
check() { # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi
}

# wait_listen PID PORT: 0 once PORT accepts connections (up to ~30 s),
# 1 if PID exits first. Being alive is not enough: under load nghttpd can
# take longer than any fixed sleep to bind.
wait_listen() {
  for _ in $(seq 1 300); do
    kill -0 "$1" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

nport=""
for try in 1 2 3 4 5 6 7 8; do
  p=$(( 20000 + ($$ * 7 + try * 1009) % 30000 ))
  "$nghttpd" --no-tls -d "$dir" "$p" >"$dir/nghttpd.log" 2>&1 &
  npid=$!
  if wait_listen "$npid" "$p"; then nport=$p; break; fi
  kill "$npid" 2>/dev/null
done
[ -n "$nport" ] || { echo "nghttpd did not start"; exit 1; }

# start_server LOG ARGS...: prints the port
start_server() {
  log=$1; shift
  "$server" "$@" >"$log" 2>&1 &
  lastpid=$!
  for _ in $(seq 1 150); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.2
  done
  return 1
}
start_server "$dir/server.log" -m 1000 0 || { echo "h2_server did not start"; exit 1; }
spid=$lastpid; sport=$port

# --- our client -> nghttpd
out=$("$client" "$nport" /mid.bin 1000); rc=$?
n=$(echo "$out" | grep -c "^status=200 bytes=66536 sha256=$(sha256sum "$dir/mid.bin" | cut -d' ' -f1)\$")
echo "our client -> nghttpd: $n/1000 downloads of 66536 bytes with matching SHA-256, $(echo "$out" | sed -n 's/^max_open_streams=//p') at once"
[ $rc -eq 0 ] && [ "$n" -eq 1000 ]; check "client->nghttpd 1000 downloads on one connection" $?
out=$("$client" "$nport" /index.html 5 4000000); rc=$?
n=$(echo "$out" | grep -c '^status=200')
echo "our client -> nghttpd: $n/5 uploads of 4 MB"
[ $rc -eq 0 ] && [ "$n" -eq 5 ]; check "client->nghttpd 5 uploads of 4 MB" $?
out=$("$client" "$nport" /huge.bin); rc=$?
echo "$out" | sed -n 1p
[ $rc -eq 0 ] && echo "$out" | grep -q "^status=200 bytes=$big sha256=$huge_sha\$"
check "client->nghttpd 64 MiB download, SHA-256 matches" $?
out=$("$client" "$nport" /index.html 1 @"$dir/huge.bin"); rc=$?
wu=$(echo "$out" | sed -n 's/^window_updates=//p')
echo "our client -> nghttpd: 64 MiB upload, $wu stream WINDOW_UPDATEs (nghttpd discards the body: status only)"
[ $rc -eq 0 ] && echo "$out" | grep -q '^status=200 ' && [ "${wu:-0}" -ge 1000 ]
check "client->nghttpd 64 MiB upload" $?

# --- h2load -> our server
for args in "-n 20000 -c 4 -m 100" "-n 200 -c 2 -m 10 -d $dir/up.bin" "-n 10000 -c 1 -m 1000"; do
  # shellcheck disable=SC2086
  res=$("$h2load" $args "http://127.0.0.1:$sport/" 2>&1 | grep -E '^(finished in|requests:)')
  echo "h2load $args -> our server: $res" | tr '\n' ' '; echo
  echo "$res" | grep -q ' 0 failed, 0 errored' && echo "$res" | grep -q ' succeeded'
  check "h2load $args -> our server" $?
done

# Our client opens streams while the server's limit allows: all 1000 at once.
out=$("$client" "$sport" / 1000); rc=$?
n=$(echo "$out" | grep -c '^status=200 bytes=24 ')
mo=$(echo "$out" | sed -n 's/^max_open_streams=//p')
echo "our client -> our server: $n/1000 responses, $mo streams open at once"
[ $rc -eq 0 ] && [ "$n" -eq 1000 ] && [ "${mo:-0}" -eq 1000 ]; check "1000 concurrent streams on one connection" $?

# --- curl -> our server
if command -v curl >/dev/null 2>&1; then
  r=$(curl -s --http2-prior-knowledge -o /dev/null -w '%{http_code} %{http_version}' "http://127.0.0.1:$sport/")
  r2=$(curl -s --http2-prior-knowledge --data-binary @"$dir/up.bin" -o /dev/null -w '%{http_code} %{size_upload}' \
       "http://127.0.0.1:$sport/up")
  echo "curl -> our server: GET $r, POST $r2"
  [ "$r" = "200 2" ] && [ "$r2" = "200 4000000" ]; check "curl GET and 4 MB POST" $?
  got=$(curl -s --http2-prior-knowledge -D "$dir/h.txt" "http://127.0.0.1:$sport/bytes/$big" | sha256sum | cut -d' ' -f1)
  want=$(tr -d '\r' <"$dir/h.txt" | sed -n 's/^x-sha256: //p')
  echo "curl -> our server: 64 MiB download sha256 $got (server: $want)"
  [ -n "$want" ] && [ "$got" = "$want" ]; check "curl 64 MiB download, SHA-256 matches" $?
  r=$(curl -s --http2-prior-knowledge --data-binary @"$dir/huge.bin" "http://127.0.0.1:$sport/sha256")
  echo "curl -> our server: 64 MiB upload, server saw: $r"
  [ "$r" = "$huge_sha $big" ]; check "curl 64 MiB upload, SHA-256 matches" $?
fi

# A throw-away certificate for localhost: our TLS server, nghttpd TLS.
tlsport=""
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" \
     -out "$dir/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1 \
   && start_server "$dir/tls.log" 0 "$dir/cert.pem" "$dir/key.pem"; then
  tpid=$lastpid; tlsport=$port
else
  check "certificate and TLS server start" 1
fi

# --- nghttp -> our server: push, h2c and TLS GET
if command -v nghttp >/dev/null 2>&1; then
  out=$(nghttp -v "http://127.0.0.1:$sport/push" 2>&1)
  echo "$out" | grep -q 'recv PUSH_PROMISE frame' && echo "$out" | grep -q ':path: /pushed.txt' \
    && echo "$out" | grep -q '^pushed by libsocket h2$' && echo "$out" | grep -q '^hello from libsocket h2$'
  check "nghttp: PUSH_PROMISE for /pushed.txt and both responses received" $?
  out=$(nghttp -ans "http://127.0.0.1:$sport/push" 2>&1)
  echo "$out" | grep -E '/push(ed.txt)?$'
  echo "$out" | grep -Eq ' 200 +23 /pushed.txt$' && echo "$out" | grep -Eq ' 200 +24 /push$'
  check "nghttp -s: pushed stream and request stream complete" $?
  out=$(nghttp "http://127.0.0.1:$sport/" 2>&1)
  [ "$out" = "hello from libsocket h2" ]; check "nghttp GET over h2c" $?
  if [ -n "$tlsport" ]; then
    out=$(nghttp -v "https://127.0.0.1:$tlsport/" 2>&1)
    echo "$out" | grep -q 'The negotiated protocol: h2' && echo "$out" | grep -q '^hello from libsocket h2$'
    check "nghttp GET over TLS (ALPN h2)" $?
  fi
fi

# --- our client -> nghttpd over TLS (ALPN h2, certificate verified)
if [ -n "$tlsport" ]; then
  ntport=""
  for try in 1 2 3 4 5 6 7 8; do
    p=$(( 20000 + ($$ * 11 + try * 1013) % 30000 ))
    "$nghttpd" -d "$dir" "$p" "$dir/key.pem" "$dir/cert.pem" >"$dir/nghttpd-tls.log" 2>&1 &
    ntpid=$!
    if wait_listen "$ntpid" "$p"; then ntport=$p; break; fi
    kill "$ntpid" 2>/dev/null
  done
  if [ -n "$ntport" ]; then
    out=$("$client" -T "$dir/cert.pem" "$ntport" /big.bin 10); rc=$?
    n=$(echo "$out" | grep -c "^status=200 bytes=1000000 sha256=$(sha256sum "$dir/big.bin" | cut -d' ' -f1)\$")
    echo "our client -> nghttpd over TLS: $(echo "$out" | sed -n 1p), $n/10 downloads of 1 MB with matching SHA-256"
    [ $rc -eq 0 ] && echo "$out" | grep -q '^tls alpn=h2$' && [ "$n" -eq 10 ]
    check "client->nghttpd over TLS (ALPN h2)" $?
  else
    check "nghttpd TLS start" 1
  fi
fi
exit $fail
