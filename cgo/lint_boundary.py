#!/usr/bin/env python3
"""lint_boundary.py - enforce the cgo boundary rules of docs STYLE.md.

Run from the repository root (build.sh check does):

    python3 cgo/lint_boundary.py [ROOT]

Rules, each reported as FILE:LINE: message:

1. Every C.<name>( call in cgo/*.go targets a go_* shim, a cgo helper or C
   type conversion, or a function on PURE below (C functions that never
   raise, so they may be called without a TRY).
2. No Go package outside cgo/ does import "C" (exactly one package compiles
   the C core; the others use it through Go types).
3. `#cgo nocallback` names a go_* shim whose C body marks the thread
   (GO_CALL_NOCB or GO_NOCB_ENTER) and never uses the callback-capable
   GO_CALL, or a PURE function. `#cgo noescape` requires nocallback too
   (cgo only honours it then, and a Go callback could move the stack).
4. Build flags (#cgo CFLAGS/LDFLAGS/pkg-config/...) live in cgo/cflags.go.
5. A file with //export keeps only declarations in its preamble (cgo copies
   it into _cgo_export.h).
6. No file under cgo/ includes a "-private.h" header: a shim only calls
   public or documented library functions (the original's headers and our
   extension headers include/<module>/*Ext.h), catches and converts.

Exit status 0 when clean, 1 when any rule is broken. Standard library only.
"""
import os
import re
import sys

# C functions Go may call directly: none of them raises, whatever the input
# (checked against csrc/ when added), and none calls back into Go.
PURE = {
    "SocketUTF8_validate",       # returns a result enum; NULL gives INVALID
    "SocketUTF8_result_string",  # static table
    "SocketCrypto_base64_encode",  # returns -1 on bad arguments
    "SocketCrypto_base64_decode",  # returns -1 on bad input
    "SocketCrypto_hex_decode",     # returns -1 on bad input
    "SocketCrypto_secure_compare",  # CRYPTO_memcmp; -1 for NULL
    "SocketMetrics_name",        # static table, "unknown" out of range
    "SocketLog_levelname",       # static table, "UNKNOWN" out of range
}
# Not pure although it looks it: SocketCrypto_hex_encode raises on NULL.

# cgo pseudo-functions and libc helpers that are not library calls.
HELPERS = {"CString", "CBytes", "GoString", "GoStringN", "GoBytes", "free",
           "malloc"}

# C types used as conversions, e.g. C.size_t(n).
C_TYPES = {
    "char", "schar", "uchar", "short", "ushort", "int", "uint", "long",
    "ulong", "longlong", "ulonglong", "float", "double", "size_t", "ssize_t",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
    "uint32_t", "uint64_t", "uintptr_t",
    # typedefs of the library
    "SocketMetric", "SocketLogLevel", "SocketUTF8_Result", "SocketEventType",
    "SocketRateLimit_T", "GoErr",
}
TYPE_PREFIXES = ("struct_", "enum_", "union_")

BUILD_FLAG_FILE = "cflags.go"
NOCB_MARKERS = ("GO_CALL_NOCB", "GO_NOCB_ENTER")
SKIP_DIRS = {"vendor", "testdata", "node_modules"}


def strip_go(src):
    """Blank out comments, strings and runes (keeping newlines), and return
    (code, comments) where comments is a list of (start, end, text)."""
    out = []
    comments = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            comments.append((i, j, src[i + 2:j]))
            out.append(" " * (j - i))
            i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            comments.append((i, j, src[i + 2:j - 2]))
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else src[i:j])
            i = j
        elif c == "`":
            j = src.find("`", i + 1)
            j = n if j < 0 else j + 1
            out.append("`" + re.sub(r"[^\n]", " ", src[i + 1:j - 1]) + "`")
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out), comments


def without_comments(src, comments):
    text = list(src)
    for start, end, _ in comments:
        for k in range(start, end):
            if text[k] != "\n":
                text[k] = " "
    return "".join(text)


def import_c_positions(src):
    """Offsets of every import of "C" (single or grouped import)."""
    code, comments = strip_go(src)
    text = without_comments(src, comments)  # strings intact, comments gone
    found = []
    for m in re.finditer(r"\bimport\b\s*", code):
        k = m.end()
        if code.startswith("(", k):
            end = code.find(")", k)
            end = len(code) if end < 0 else end
            for s in re.finditer(r'"C"', text[k:end]):
                if code[k + s.start()] == '"':  # a literal, not inside one
                    found.append(k + s.start())
        else:
            s = re.match(r'(?:[\w.]+\s+)?"C"', text[k:])
            if s:
                found.append(m.start())
    return found, comments


def imports_c(src):
    return bool(import_c_positions(src)[0])


def preamble(src):
    """The cgo preamble: the comments right before import "C"."""
    found, comments = import_c_positions(src)
    if not found:
        return None, 0
    parts, pos = [], found[0]
    for start, end, text in reversed([c for c in comments if c[1] <= pos]):
        if src[end:pos].strip():
            break
        parts.insert(0, text)
        pos = start
    return "\n".join(parts), src.count("\n", 0, pos) + 1


def line_of(src, pos):
    return src.count("\n", 0, pos) + 1


def c_bodies(cgo_dir):
    """Map go_* function name -> body text from cgo/*.c."""
    bodies = {}
    for name in sorted(os.listdir(cgo_dir)):
        if not name.endswith(".c") or name.startswith("zz_"):
            continue
        with open(os.path.join(cgo_dir, name), encoding="utf-8") as f:
            src = f.read()
        for m in re.finditer(r"^(go_\w+)\s*\([^;{]*\)\s*\{", src, re.M):
            depth, k = 0, m.end() - 1
            while k < len(src):
                if src[k] == "{":
                    depth += 1
                elif src[k] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            bodies[m.group(1)] = src[m.end():k]
    return bodies


def lint(root):
    errors = []
    cgo_dir = os.path.join(root, "cgo")
    bodies = c_bodies(cgo_dir)
    nocallback, noescape = {}, {}

    for name in sorted(os.listdir(cgo_dir)):
        if not name.endswith(".go"):
            continue
        path = os.path.join("cgo", name)
        with open(os.path.join(root, path), encoding="utf-8") as f:
            src = f.read()
        code, _ = strip_go(src)

        # Rule 1: C calls.
        for m in re.finditer(r"(?<![\w.])C\.(\w+)\s*\(", code):
            fn = m.group(1)
            if (fn.startswith("go_") or fn in HELPERS or fn in C_TYPES
                    or fn.startswith(TYPE_PREFIXES) or fn in PURE):
                continue
            errors.append(f"{path}:{line_of(code, m.start())}: C.{fn} is "
                          "neither a go_* shim nor on the PURE allowlist "
                          "(call it through a TRY shim)")

        pre, pre_line = preamble(src)
        if pre is None:
            continue
        for k, line in enumerate(pre.splitlines()):
            m = re.match(r"\s*#cgo\s+(.*)$", line)
            if not m:
                continue
            words = m.group(1).split()
            where = f"{path}:{pre_line + k}"
            if words and words[0] in ("nocallback", "noescape"):
                if len(words) != 2:
                    errors.append(f"{where}: malformed #cgo {words[0]}")
                    continue
                table = nocallback if words[0] == "nocallback" else noescape
                table[words[1]] = where
            elif name != BUILD_FLAG_FILE:
                # Rule 4.
                errors.append(f"{where}: build flags belong in "
                              f"cgo/{BUILD_FLAG_FILE}")

        # Rule 5.
        if re.search(r"^//export\s", src, re.M):
            decl = re.sub(r"/\*.*?\*/", "", pre, flags=re.S)
            decl = "\n".join(l for l in decl.splitlines()
                             if not l.lstrip().startswith("#"))
            if re.search(r"\)\s*\{", decl) or re.search(r"[^=!<>]=[^=]", decl):
                errors.append(f"{path}:{pre_line}: preamble of a file with "
                              "//export must hold declarations only")

    # Rule 6.
    for name in sorted(os.listdir(cgo_dir)):
        if not name.endswith((".c", ".h", ".go")):
            continue
        path = os.path.join("cgo", name)
        with open(os.path.join(root, path), encoding="utf-8") as f:
            for k, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s*[<"]([^>"]*-private\.h)[>"]', line)
                if m:
                    errors.append(f"{path}:{k}: includes {m.group(1)}; shims "
                                  "use public or extension headers only")

    # Rule 3.
    for fn, where in sorted(nocallback.items()):
        if fn.startswith("go_"):
            body = bodies.get(fn)
            if body is None:
                errors.append(f"{where}: nocallback shim {fn} has no "
                              "definition in cgo/*.c")
            elif not any(mk in body for mk in NOCB_MARKERS):
                errors.append(f"{where}: nocallback shim {fn} must use "
                              "GO_CALL_NOCB or GO_NOCB_ENTER")
            elif re.search(r"\bGO_CALL\s*\(", body):
                errors.append(f"{where}: nocallback shim {fn} uses the "
                              "callback-capable GO_CALL")
        elif fn not in PURE:
            errors.append(f"{where}: nocallback on {fn}, which is not on "
                          "the PURE allowlist")
    for fn, where in sorted(noescape.items()):
        if fn not in nocallback:
            errors.append(f"{where}: noescape on {fn} without nocallback")

    # Rule 2.
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith((".", "_", "build"))
                             and d not in SKIP_DIRS
                             and not (rel == "." and d == "cgo"))
        for name in sorted(filenames):
            if not name.endswith(".go"):
                continue
            path = os.path.normpath(os.path.join(rel, name))
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                if imports_c(f.read()):
                    errors.append(f"{path}:1: only cgo/ may import \"C\"")
    return errors


def main(argv):
    root = argv[1] if len(argv) > 1 else "."
    if not os.path.isdir(os.path.join(root, "cgo")):
        print(f"lint_boundary: no cgo/ under {root}", file=sys.stderr)
        return 2
    errors = lint(root)
    for e in errors:
        print(e)
    if errors:
        print(f"lint_boundary: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print("lint_boundary: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
