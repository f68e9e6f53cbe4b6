#!/usr/bin/env bash
# h2load_compare.sh [ROUNDS] - our HTTP/2 server throughput next to peers,
# in one run on this machine. "Ours" is tests/h2/h2_server (the HTTP/2
# engine alone, issue 12) or, with H2LOAD_SERVER=hs_server, the
# SocketHTTPServer program tests/httpserver/hs_server (then also HTTP/1.1
# with --h1 against ours and Go; nghttpd speaks only HTTP/2).
# Builds ours (Release, build-rel/) and the Go x/net/http2 h2c server
# (tests/h2/gointerop, "bench" mode), starts them and nghttpd (--no-tls)
# each pinned to core 0 (taskset -c 0; Go with GOMAXPROCS=1), and runs
# h2load pinned to core 1 against each: -n N (H2LOAD_N, default 200000)
# with -c 64 -m 10 and -c 10 -m 10, ROUNDS rounds (default 3) with the
# server order rotated per round. All three answer GET / with the same
# 24-byte body "hello from libsocket h2\n" (nghttpd serves it from
# index.html; its response carries a few more headers: server, date,
# content-length, last-modified, etag).
# Prints every run, then per config the median req/s per server and the
# ratios ours/nghttpd and ours/Go.
#
# Reproduce: tests/bench/h2load_compare.sh 3   (from the repository root)
#            tests/bench/httpserver_compare.sh 3   (= H2LOAD_SERVER=hs_server H2LOAD_N=100000)
set -euo pipefail
rounds=${1:-3}
server=${H2LOAD_SERVER:-h2_server}
n=${H2LOAD_N:-200000}
body='hello from libsocket h2'
configs=("-c 64 -m 10" "-c 10 -m 10")
case "$server" in
  h2_server) ours_cmd=(build-rel/tests/h2_server 0) ;;
  hs_server) ours_cmd=(build-rel/tests/hs_server -b "$body"$'\n' 0); configs+=("--h1 -c 64") ;;
  *) echo "H2LOAD_SERVER must be h2_server or hs_server" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v nghttpd >/dev/null && command -v h2load >/dev/null && command -v taskset >/dev/null \
  || { echo "needs nghttpd, h2load and taskset" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 cores (server on 0, h2load on 1)" >&2; exit 1; }
cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-rel -j2 --target "$server" >/dev/null
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM PIPE  # run the EXIT trap (stop the servers) on signals too
(cd tests/h2/gointerop && go build -o "$dir/gointerop" .)
printf '%s\n' "$body" >"$dir/index.html"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

taskset -c 0 "${ours_cmd[@]}" >"$dir/ours.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  ours=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$dir/ours.log"); [ -n "$ours" ] && break; sleep 0.1
done
ng=$(free_port)
taskset -c 0 nghttpd --no-tls -d "$dir" "$ng" >"$dir/nghttpd.log" 2>&1 &
pids+=($!)
gop=$(free_port)
GOMAXPROCS=1 taskset -c 0 "$dir/gointerop" bench "$gop" >"$dir/go.log" 2>&1 &
pids+=($!)
wait_port "$ours" && wait_port "$ng" && wait_port "$gop" || { echo "a server did not start" >&2; exit 1; }

# Every server must answer with the body before we time it.
for p in "$ours" "$ng" "$gop"; do
  [ "$(curl -s --http2-prior-knowledge "http://127.0.0.1:$p/")" = "$body" ] \
    || { echo "server on port $p answers differently" >&2; exit 1; }
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
names=(ours nghttpd go); ports=("$ours" "$ng" "$gop")
for r in $(seq "$rounds"); do
  for cfg in "${configs[@]}"; do
    for k in 0 1 2; do
      i=$(( (k + r) % 3 ))
      [ "${names[$i]}" = nghttpd ] && [ "$cfg" = "--h1 -c 64" ] && continue
      # shellcheck disable=SC2086
      out=$(taskset -c 1 h2load -n "$n" $cfg "http://127.0.0.1:${ports[$i]}/" 2>&1)
      rps=$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')
      ok=$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) succeeded, \([0-9]*\) failed, \([0-9]*\) errored.*/\1 \2 \3/p')
      echo "round $r h2load -n $n $cfg ${names[$i]}: ${rps:-?} req/s (succeeded/failed/errored: $ok)"
      [ "$ok" = "$n 0 0" ] || { echo "incomplete run" >&2; exit 1; }
      echo "$cfg|${names[$i]}|$rps" >>"$dir/results"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$dir/results" "$n" "${configs[@]}" <<'PY'
import sys, statistics, collections
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    cfg, name, rps = line.strip().split("|")
    d[(cfg, name)].append(float(rps))
for cfg in sys.argv[3:]:
    m = {n: statistics.median(d[(cfg, n)]) for n in ("ours", "nghttpd", "go") if d[(cfg, n)]}
    line = f"h2load -n {sys.argv[2]} {cfg}: median req/s " + ", ".join(f"{n} {v:.0f}" for n, v in m.items())
    for ref in ("nghttpd", "go"):
        if ref in m:
            line += f"; ours/{ref} {m['ours'] / m[ref]:.2f}"
    print(line)
PY
echo "reproduce: H2LOAD_SERVER=$server H2LOAD_N=$n tests/bench/h2load_compare.sh $rounds"
