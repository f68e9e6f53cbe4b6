#!/usr/bin/env bash
# Every public header compiles on its own in a strict C program
# (-std=c11 and -std=c17 without feature macros, -Wall -Wextra -Werror;
# C11 because the README forms use _Generic and anonymous unions),
# with and without TLS: what a user's build with default flags sees.
# usage: check_headers.sh CC INCLUDE_DIR ["0 1" | "0"] [extra -I flags]
# (TLS levels to try: "0 1" when OpenSSL's headers are there.)
set -u
cc=$1
inc=$2
tls_levels=${3:-"0 1"}
extra=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
count=0
while IFS= read -r h; do
  printf '#include "%s"\nint main(void) { return 0; }\n' "$h" > "$tmp/t.c"
  for std in c11 c17; do
    for tls in $tls_levels; do
      count=$((count + 1))
      if ! "$cc" -std=$std -Wall -Wextra -Werror -DSOCKET_HAS_TLS=$tls -I"$inc" $extra \
          -c "$tmp/t.c" -o "$tmp/t.o" 2> "$tmp/err"; then
        echo "FAIL: $h (-std=$std, SOCKET_HAS_TLS=$tls)"
        head -5 "$tmp/err"
        fail=1
      fi
    done
  done
done < <(cd "$inc" && find . -name '*.h' | sed 's|^\./||' | sort)
echo "public headers: $count compiles, $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
