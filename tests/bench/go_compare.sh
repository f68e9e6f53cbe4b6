#!/usr/bin/env bash
# go_compare.sh BASE_DIR NEW_DIR [ROUNDS] - run the Go benchmarks of two
# checkouts of this module alternately (BASE, NEW, BASE, NEW, ...) so both
# see the same machine load, and print each benchmark's median ns/op and
# the ratio NEW/BASE. GO_COMPARE_PKGS and GO_COMPARE_BENCH narrow the run. Used for the issue-10 comparison in docs/BENCHMARKS.md.
set -euo pipefail
base=$1 new=$2 rounds=${3:-5}
pkgs=${GO_COMPARE_PKGS:-"./gosocket ./gosocket/http1 ./gosocket/hpack ./cgo"}
bench=${GO_COMPARE_BENCH:-.}
out=$(mktemp -d)
for r in $(seq "$rounds"); do
  for side in base new; do
    dir=$base; [ $side = new ] && dir=$new
    (cd "$dir" && go test -run '^$' -bench "$bench" -benchtime 300ms -count 1 $pkgs 2>/dev/null) \
      | awk -v s=$side '/^Benchmark/ {print s, $1, $3}' >> "$out/all"
  done
done
python3 - "$out/all" <<'PY'
import sys, statistics, collections
d = collections.defaultdict(lambda: {"base": [], "new": []})
for line in open(sys.argv[1]):
    side, name, ns = line.split()
    d[name][side].append(float(ns))
print(f"{'benchmark':44} {'base ns/op':>12} {'new ns/op':>12} {'new/base':>9}")
for name in sorted(d):
    b, n = d[name]["base"], d[name]["new"]
    if b and n:
        mb, mn = statistics.median(b), statistics.median(n)
        print(f"{name:44} {mb:12.1f} {mn:12.1f} {mn/mb:9.3f}")
    else:
        print(f"{name:44} {'-' if not b else statistics.median(b):>12} {'-' if not n else statistics.median(n):>12}  (one side only)")
PY
rm -rf "$out"
