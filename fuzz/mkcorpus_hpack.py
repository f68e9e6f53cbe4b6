#!/usr/bin/env python3
"""mkcorpus_hpack.py - seed corpora for the HPACK harnesses.

Usage: python3 fuzz/mkcorpus_hpack.py [TESTDATA_DIR]   (default: tests/data)

Writes fuzz/corpus/{hpack_decode,hpack_diff,huffman_decode,hpack_roundtrip}/
<sha256> from RFC 7541 Appendix C, the hpack-test-case stories (the first
cases of a few stories per encoder folder, raw-data header lists) and a
handful of malformed blocks. Input formats: fuzz_hpack.h (decode, diff),
fuzz_hpack_roundtrip.c, fuzz_huffman_decode.c (bare Huffman strings).
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))
import mkhpacktbl  # noqa: E402  (RFC parser shared with the table generator)

def rfc_blocks(text):
    """The 16 hex dumps of Appendix C, grouped as the RFC chains them:
    C.2.1-C.2.4 alone, C.3, C.4 (table 4096) and C.5, C.6 (table 256)."""
    dumps = []
    for part in text.split("Hex dump of encoded data:")[1:]:
        lines = part.split("\n")[2:]
        hexdigits = ""
        for line in lines:
            if "|" not in line:
                break
            hexdigits += line.split("|")[0].replace(" ", "")
        dumps.append(bytes.fromhex(hexdigits))
    assert len(dumps) == 16
    groups = [(0, [d]) for d in dumps[:4]]
    groups += [(0, dumps[4:7]), (0, dumps[7:10]), (1, dumps[10:13]), (1, dumps[13:16])]
    return groups


MALFORMED = [
    "80", "be", "7e", "ff", "ffffffffffffffffffffff7f", "4003616263", "000361626381ff",
    "0003616263811f", "3fe21f", "20202082", "8220", "3f", "00036162638affffffffff",
    "0001610000", "1f0800", "3fe11f3fe11f82", "0f808080800000", "0f80808080800000",
]


def write(target, blob):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha256(blob).hexdigest()), "wb") as f:
        f.write(blob)


def decode_input(options, blocks, resizes=None):
    out = bytearray([options])
    for i, blk in enumerate(blocks):
        size = resizes[i] if resizes else None
        word = len(blk) | (0x8000 if size is not None else 0)
        out += bytes([word >> 8, word & 0xFF])
        if size is not None:
            out += bytes([size >> 8, size & 0xFF])
        out += blk
    return bytes(out)


def huffman(codes, data):
    acc, n, out = 0, 0, bytearray()
    for b in data:
        code, length = codes[b]
        acc, n = (acc << length) | code, n + length
        while n >= 8:
            n -= 8
            out.append((acc >> n) & 0xFF)
    if n:
        out.append(((acc << (8 - n)) | ((1 << (8 - n)) - 1)) & 0xFF)
    return bytes(out)


def story_cases(path, count):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["cases"][:count]


def roundtrip_input(cases, options):
    out = bytearray([options])
    for case in cases:
        fields = [(k.encode(), v.encode()) for h in case["headers"] for k, v in h.items()]
        fields = [(k[:255], v[:255]) for k, v in fields][:15]
        out.append(len(fields))
        for name, value in fields:
            out += bytes([0, len(name)]) + name + bytes([len(value)]) + value
    return bytes(out)


def main():
    if len(sys.argv) > 2:
        raise SystemExit(__doc__)
    testdata = sys.argv[1] if len(sys.argv) == 2 else os.path.join(HERE, "..", "tests", "data")
    rfc = os.path.join(testdata, "rfc", "rfc7541.txt")
    _, codes = mkhpacktbl.parse(rfc)
    hpack = os.path.join(testdata, "hpack")

    with open(rfc, encoding="ascii") as f:
        groups = rfc_blocks(f.read())
    for options, blocks in groups:
        blob = decode_input(options, blocks)
        write("hpack_decode", blob)
        write("hpack_diff", blob)
    for hexblock in MALFORMED:
        blob = decode_input(0, [bytes.fromhex(hexblock)])
        write("hpack_decode", blob)
        write("hpack_diff", blob)
    write("hpack_decode", decode_input(4, [bytes.fromhex("82848786")]))
    for folder in ("go-hpack", "nghttp2", "nghttp2-change-table-size", "swift-nio-hpack-plain-text"):
        for story in ("story_00.json", "story_07.json", "story_21.json"):
            cases = story_cases(os.path.join(hpack, folder, story), 8)
            blocks = [bytes.fromhex(c["wire"]) for c in cases]
            resizes = [c.get("header_table_size") for c in cases]
            if not any(r is not None and r != 4096 for r in resizes):
                resizes = None
            blob = decode_input(0, blocks, resizes)
            write("hpack_decode", blob)
            write("hpack_diff", blob)

    vectors = [b"www.example.com", b"no-cache", b"custom-key", b"custom-value", b"302", b"private",
               b"Mon, 21 Oct 2013 20:13:21 GMT", b"https://www.example.com", b"", b"\x00\xff\x7f",
               bytes(range(256))]
    for v in vectors:
        write("huffman_decode", huffman(codes, v))
    for bad in ("ffffffff", "1fffffffff", "18", "1d", "ff", "1fff", "f1e3c2e5f23a6ba0ab90f4ffff"):
        write("huffman_decode", bytes.fromhex(bad))

    for story in ("story_00.json", "story_05.json", "story_12.json", "story_30.json"):
        cases = story_cases(os.path.join(hpack, "raw-data", story), 6)
        for options in (0x3, 0x0, 0x7):
            write("hpack_roundtrip", roundtrip_input(cases, options))
    write("hpack_roundtrip", bytes([3, 0x42, 8, 0, 1, 0x61, 1, 0x62, 0x02, 3, 0x61, 0x3d, 0x62]))


if __name__ == "__main__":
    main()
