#!/bin/bash
# run_interop.sh [OUR_SERVER [OUR_CLIENT]] - WebSocket interop matrix on
# loopback, every pair with permessage-deflate off and on:
#   node ws client       -> server under test
#   8 concurrent clients -> server under test (gorilla, coder, node mixed)
#   our client           -> server under test
#   our client           -> node ws echo server
#   gorilla/coder client -> server under test
#   our client           -> gorilla and coder echo servers
#   headless Chromium    -> server under test (page.html served by it)
#   over TLS (when the server under test takes --tls CERT KEY and openssl
#   is there): node ws client and Chromium over wss
# Every client runs the same case list (text, empty, binary 0..255,
# 125/126/65535/65536 bytes, 1 MiB binary, 4 MiB UTF-8 text, fragmented,
# 100 pipelined, ping/pong, close 1000 + reason) and prints PASS/FAIL per
# case; a pair passes when its client exits 0 with no FAIL line, printed
# every case, and the negotiated extensions match the run (deflate or not).
# Our server (not a stand-in) must also exit with status 0 on SIGTERM at
# the end: it frees everything first, so a sanitizer build checks it for
# leaks too.
#
# Server interface: SERVER [--deflate] --page FILE [--tls CERT KEY], prints
# "listening on 127.0.0.1:PORT", echoes on /echo, serves FILE on GET / and
# prints each text message that starts with "REPORT " on stdout.
# Client interface: CLIENT [--deflate] ws://127.0.0.1:PORT/echo.
#
# Stand-ins (to prove the harness with reference peers):
#   WS_SERVER_CMD  used instead of OUR_SERVER: "node", "gorilla" or "coder"
#                  (the reference echo servers here), or a command (words
#                  are split)
#   WS_CLIENT_CMD  used instead of OUR_CLIENT: "node", "gorilla", "coder"
#                  or a command
#   WS_TLS=0       skip the TLS pairs; WS_TLS=1 run them with a stand-in
#                  server (default: only for OUR_SERVER)
#   WS_PEERS       peers to use (default "node go chromium")
# Optional peers: node + tests/ws/node/node_modules (npm ci), go (builds
# tests/ws/gointerop, module proxy on first use), chromium. A missing
# one is reported as SKIP; exit 77 when none is there, 0 when every pair
# run passed, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
pids=() chromium_pg=""
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -- "$p" 2>/dev/null; done
  [ -n "$chromium_pg" ] && kill -- "-$chromium_pg" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE # run the EXIT trap (stop the servers) on signals too

server=() client=()
if [ -n "${WS_SERVER_CMD:-}" ]; then read -r -a server <<<"$WS_SERVER_CMD"; elif [ -n "${1:-}" ]; then server=("$1"); fi
if [ -n "${WS_CLIENT_CMD:-}" ]; then read -r -a client <<<"$WS_CLIENT_CMD"; elif [ -n "${2:-}" ]; then client=("$2"); fi
if [ ${#server[@]} -eq 0 ] || [ ${#client[@]} -eq 0 ]; then
  echo "usage: $0 OUR_SERVER OUR_CLIENT (or WS_SERVER_CMD / WS_CLIENT_CMD)" >&2
  exit 2
fi
tls_wanted=${WS_TLS:-}
[ -z "$tls_wanted" ] && { [ -n "${WS_SERVER_CMD:-}" ] && tls_wanted=0 || tls_wanted=1; }
peers=" ${WS_PEERS-node go chromium} "
CLIENT_TIMEOUT=300 # seconds per client run; generous for loaded machines
NCASES=13          # cases every client reports

# --- which peers are there
node_bin=$(command -v node || true)
have_node=0 have_go=0 have_chromium=0
if [[ $peers == *" node "* ]]; then
  if [ -z "$node_bin" ]; then
    echo "SKIP node peers: node not found"
  elif [ ! -f "$here/node/node_modules/ws/package.json" ]; then
    echo "SKIP node peers: tests/ws/node/node_modules missing (run npm ci there; build.sh peer_deps does)"
  else
    have_node=1
  fi
fi
if [[ $peers == *" go "* ]]; then
  go_bin=$(command -v go || true)
  [ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
  if [ -z "$go_bin" ]; then
    echo "SKIP Go peers: go not found"
  elif (cd "$here/gointerop" && "$go_bin" build -o "$dir/gointerop" .) >"$dir/gobuild.log" 2>&1; then
    have_go=1
  else
    echo "SKIP Go peers: go build of tests/ws/gointerop failed (offline?):"
    sed 's/^/  /' "$dir/gobuild.log" | head -5
  fi
fi
if [[ $peers == *" chromium "* ]]; then
  chromium_bin=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$chromium_bin" ]; then echo "SKIP Chromium: not found"; else have_chromium=1; fi
fi
if [ $((have_node + have_go + have_chromium)) -eq 0 ]; then
  echo "no WebSocket peer available: skipped"
  exit 77
fi

# Reference peers standing in for ours.
stand_in() { # stand_in server|client NAME: sets $cmd, 1 if that peer is missing
  case "$2" in
    node) [ $have_node = 1 ] || return 1
          cmd=("$node_bin" "$here/node/$([ "$1" = server ] && echo echo-server.js || echo client.js)") ;;
    gorilla) [ $have_go = 1 ] || return 1
          cmd=("$dir/gointerop" "$([ "$1" = server ] && echo server || echo client)") ;;
    coder) [ $have_go = 1 ] || return 1
          cmd=("$dir/gointerop" "$([ "$1" = server ] && echo coderserver || echo coderclient)") ;;
    *) return 0 ;;
  esac
}
cmd=()
if [ -n "${WS_SERVER_CMD:-}" ]; then
  stand_in server "$WS_SERVER_CMD" || { echo "stand-in server $WS_SERVER_CMD unavailable: skipped"; exit 77; }
  [ ${#cmd[@]} -gt 0 ] && server=("${cmd[@]}")
fi
cmd=()
if [ -n "${WS_CLIENT_CMD:-}" ]; then
  stand_in client "$WS_CLIENT_CMD" || { echo "stand-in client $WS_CLIENT_CMD unavailable: skipped"; exit 77; }
  [ ${#cmd[@]} -gt 0 ] && client=("${cmd[@]}")
fi
echo "server under test: ${server[*]}"
echo "client under test: ${client[*]}"

# Our own programs built without permessage-deflate (ENABLE_WEBSOCKET_DEFLATE
# off, or no zlib) refuse --deflate: run only the deflate-off pairs then.
deflate_modes="0 1"
tls_dflag=(--deflate) tls_mode="deflate on" tls_deflate=1
for ours in "${server[0]}" "${client[0]}"; do
  case "$ours" in
    */ws_echo_server|*/ws_client)
      if ! "$ours" --deflate-available; then
        echo "$ours: permessage-deflate not compiled in: the deflate-on pairs are skipped"
        deflate_modes="0" tls_dflag=() tls_mode="deflate off" tls_deflate=0
      fi ;;
  esac
done

fail=0 npass=0 nfail=0
check() { # check NAME EXIT-STATUS
  if [ "$2" -eq 0 ]; then
    echo "PASS $1"; npass=$((npass + 1))
  else
    echo "FAIL $1"; nfail=$((nfail + 1)); fail=1
  fi
}

# start_server NAME CMD...: runs CMD in the background with its output in
# $dir/NAME.log; sets $port once it listens (printed port, then a /dev/tcp
# probe). Returns 1 if it exits or does not listen within ~60 s.
start_server() {
  local name=$1 log="$dir/$1.log" pid i
  shift
  : >"$log" # exists before the background redirection opens it
  "$@" >"$log" 2>&1 &
  pid=$!
  server_pid=$pid
  pids+=("$pid")
  port=""
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    [ -z "$port" ] && port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
    if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server $name did not start:"
  sed 's/^/  /' "$log" | head -20
  port=""
  return 1
}

# run_client PAIR DEFLATE URL CMD...: runs the client, prints its output
# indented, then the pair's verdict.
run_client() {
  local pair=$1 deflate=$2 url=$3 out rc ext ok=0
  shift 3
  local args=()
  [ "$deflate" = 1 ] && args+=(--deflate)
  out=$(timeout "$CLIENT_TIMEOUT" "$@" "${args[@]}" "$url" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/    /'
  ext=$(echo "$out" | sed -n 's/^INFO extensions=//p')
  [ $rc -eq 0 ] || ok=1
  echo "$out" | grep -q '^FAIL' && ok=1
  [ "$(echo "$out" | grep -c '^PASS ')" -ge $NCASES ] || ok=1
  if [ "$deflate" = 1 ]; then
    [[ $ext == *permessage-deflate* ]] || { echo "    (permessage-deflate not negotiated)"; ok=1; }
  else
    [[ $ext == *permessage-deflate* ]] && { echo "    (permessage-deflate negotiated without --deflate)"; ok=1; }
  fi
  check "$pair" $ok
}

# run_chromium PAIR DEFLATE SERVERNAME URL: loads URL (the server's page)
# and waits up to 60 s for a new REPORT line in the server's log.
run_chromium() {
  local pair=$1 deflate=$2 log="$dir/$3.log" url=$4 before cpid i report ok=0 pass fails ext
  before=$(grep -c '^REPORT ' "$log")
  local udd
  udd=$(mktemp -d "$dir/chromium.XXXXXX")
  setsid "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --ignore-certificate-errors --user-data-dir="$udd" "$url" >"$udd.log" 2>&1 &
  cpid=$!
  chromium_pg=$cpid # its own process group: the browser and its helpers
  report=""
  for i in $(seq 1 600); do
    if [ "$(grep -c '^REPORT ' "$log")" -gt "$before" ]; then
      report=$(grep '^REPORT ' "$log" | tail -n 1)
      break
    fi
    kill -0 "$cpid" 2>/dev/null || break
    sleep 0.1
  done
  kill -- "-$cpid" 2>/dev/null
  wait "$cpid" 2>/dev/null
  chromium_pg=""
  if [ -z "$report" ]; then
    echo "    no REPORT from the page within 60 s; Chromium said:"
    tail -n 5 "$udd.log" | sed 's/^/    /'
    check "$pair" 1
    return
  fi
  pass=$(echo "$report" | grep -o '"pass":[0-9]*' | cut -d: -f2)
  fails=$(echo "$report" | grep -o '"fail":[0-9]*' | cut -d: -f2)
  ext=$(echo "$report" | grep -o '"extensions":"[^"]*"' | cut -d'"' -f4)
  echo "    page: pass=$pass fail=$fails extensions=$ext"
  echo "$report" | grep -o '{"name":"[^"]*","ok":false,"why":"[^"]*"}' | sed 's/^/    FAIL /'
  [ "${fails:-1}" = 0 ] && [ "${pass:-0}" -ge 12 ] || ok=1
  if [ "$deflate" = 1 ]; then
    [[ $ext == *permessage-deflate* ]] || { echo "    (permessage-deflate not negotiated)"; ok=1; }
    # Chromium offers context takeover; our server should keep it (a
    # stand-in such as gorilla may refuse it: not ours to judge).
    if [ -z "${WS_SERVER_CMD:-}" ] && [[ $ext == *no_context_takeover* ]]; then
      echo "    (our server refused Chromium's context takeover)"; ok=1
    fi
  else
    [[ $ext == *permessage-deflate* ]] && { echo "    (permessage-deflate negotiated without --deflate)"; ok=1; }
  fi
  check "$pair" $ok
}

# run_concurrent DEFLATE MODE URL: 8 clients at once (gorilla, coder and
# node ones, as available), each running the whole case list: the server
# under test has to serve many connections from one loop.
run_concurrent() {
  local deflate=$1 mode=$2 url=$3 kinds=() k i rc ok=0 args=() cpids=()
  [ $have_go = 1 ] && kinds+=(gorilla coder)
  [ $have_node = 1 ] && kinds+=(node)
  [ ${#kinds[@]} -eq 0 ] && return 0
  [ "$deflate" = 1 ] && args+=(--deflate)
  echo "  8 concurrent clients (${kinds[*]}) -> server under test ($mode)"
  for i in 0 1 2 3 4 5 6 7; do
    k=${kinds[$((i % ${#kinds[@]}))]}
    case $k in
      gorilla) cmd=("$dir/gointerop" client) ;;
      coder) cmd=("$dir/gointerop" coderclient) ;;
      node) cmd=("${node_client[@]}") ;;
    esac
    timeout "$CLIENT_TIMEOUT" "${cmd[@]}" "${args[@]}" "$url" >"$dir/conc$i.log" 2>&1 &
    cpids+=($!)
  done
  for i in 0 1 2 3 4 5 6 7; do
    wait "${cpids[$i]}"
    rc=$?
    if [ $rc -ne 0 ] || grep -q '^FAIL' "$dir/conc$i.log" \
       || [ "$(grep -c '^PASS ' "$dir/conc$i.log")" -lt $NCASES ]; then
      echo "    client $i (${kinds[$((i % ${#kinds[@]}))]}) exit $rc:"
      grep -v '^PASS ' "$dir/conc$i.log" | sed 's/^/      /'
      ok=1
    fi
  done
  [ $ok -eq 0 ] && echo "    8/8 clients passed every case"
  check "8 concurrent clients -> server ($mode)" $ok
}

page="$here/page.html"
suts=() # name:pid of each server-under-test instance
node_server=("$node_bin" "$here/node/echo-server.js")
node_client=("$node_bin" "$here/node/client.js")

for deflate in $deflate_modes; do
  dflag=() mode="deflate off"
  [ $deflate = 1 ] && dflag=(--deflate) mode="deflate on"
  echo "=== permessage-deflate $([ $deflate = 1 ] && echo on || echo off)"
  if start_server "sut$deflate" "${server[@]}" "${dflag[@]}" --page "$page"; then
    sut=$port
    suts+=("sut$deflate:$server_pid")
    if [ $have_node = 1 ]; then
      echo "  node ws client -> server under test ($mode)"
      run_client "node client -> server ($mode)" $deflate "ws://127.0.0.1:$sut/echo" "${node_client[@]}"
    fi
    if [ $have_go = 1 ]; then
      for c in client coderclient; do
        name=gorilla; [ $c = coderclient ] && name=coder
        echo "  $name client -> server under test ($mode)"
        run_client "$name client -> server ($mode)" $deflate "ws://127.0.0.1:$sut/echo" "$dir/gointerop" $c
      done
    fi
    echo "  our client -> server under test ($mode)"
    run_client "client -> server ($mode)" $deflate "ws://127.0.0.1:$sut/echo" "${client[@]}"
    run_concurrent "$deflate" "$mode" "ws://127.0.0.1:$sut/echo"
    if [ $have_chromium = 1 ]; then
      echo "  Chromium -> server under test ($mode)"
      run_chromium "Chromium -> server ($mode)" $deflate "sut$deflate" "http://127.0.0.1:$sut/"
    fi
  else
    check "server under test starts ($mode)" 1
  fi
  if [ $have_node = 1 ]; then
    if start_server "node$deflate" "${node_server[@]}" "${dflag[@]}"; then
      echo "  our client -> node ws server ($mode)"
      run_client "client -> node ws server ($mode)" $deflate "ws://127.0.0.1:$port/echo" "${client[@]}"
    else
      check "node ws server starts ($mode)" 1
    fi
  fi
  if [ $have_go = 1 ]; then
    for s in server coderserver; do
      name=gorilla; [ $s = coderserver ] && name=coder
      if start_server "$s$deflate" "$dir/gointerop" $s "${dflag[@]}"; then
        echo "  our client -> $name server ($mode)"
        run_client "client -> $name server ($mode)" $deflate "ws://127.0.0.1:$port/echo" "${client[@]}"
      else
        check "$name server starts ($mode)" 1
      fi
    done
  fi
done

# --- wss: node client and Chromium against the server under test over TLS
if [ "$tls_wanted" = 1 ] && [ $((have_node + have_chromium)) -gt 0 ] && command -v openssl >/dev/null; then
  echo "=== TLS (wss)"
  if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" \
       -out "$dir/cert.pem" -days 2 -subj /CN=localhost \
       -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 \
     && start_server sut_tls "${server[@]}" "${tls_dflag[@]}" --page "$page" --tls "$dir/cert.pem" "$dir/key.pem"; then
    suts+=("sut_tls:$server_pid")
    if [ $have_node = 1 ]; then
      echo "  node ws client -> server under test over wss ($tls_mode)"
      NODE_TLS_REJECT_UNAUTHORIZED=0 NODE_NO_WARNINGS=1 \
        run_client "node client -> server over wss ($tls_mode)" $tls_deflate "wss://127.0.0.1:$port/echo" "${node_client[@]}"
    fi
    if [ $have_chromium = 1 ]; then
      echo "  Chromium -> server under test over wss ($tls_mode)"
      run_chromium "Chromium -> server over wss ($tls_mode)" $tls_deflate sut_tls "https://127.0.0.1:$port/"
    fi
  else
    check "server under test starts with --tls" 1
  fi
fi

# --- our server stops cleanly (stand-ins are not ours to judge)
if [ -z "${WS_SERVER_CMD:-}" ]; then
  for s in "${suts[@]}"; do
    name=${s%%:*} pid=${s##*:}
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    [ $rc -eq 0 ] || { echo "    exit status $rc; its log ends:"; tail -n 30 "$dir/$name.log" | sed 's/^/    /'; }
    check "server under test ($name) exits cleanly on SIGTERM" $rc
  done
fi

echo "ws_interop: $npass passed, $nfail failed"
exit $fail
