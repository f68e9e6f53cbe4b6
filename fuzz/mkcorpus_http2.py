#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_http2_conn (fuzz/corpus/http2_conn/,
files named by SHA-256): frame sequences a peer sends, valid and broken,
each prefixed with the harness's mode byte (see fuzz_http2_conn.c).

Usage: mkcorpus_http2.py [OUTDIR]
"""
import hashlib
import os
import struct
import sys


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def lit(name, value):
    """HPACK literal without indexing, new name, no Huffman."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


SETTINGS = frame(4, 0, 0)
SETTINGS_ACK = frame(4, 1, 0)
REQ = lit(b":method", b"GET") + lit(b":scheme", b"http") + lit(b":path", b"/") + lit(b":authority", b"x")
POST = lit(b":method", b"POST") + lit(b":scheme", b"http") + lit(b":path", b"/u") + lit(b"content-length", b"5")
RESP = b"\x88" + lit(b"content-type", b"text/plain")

SERVER_SEEDS = [
    SETTINGS + SETTINGS_ACK + frame(1, 5, 1, REQ),
    SETTINGS + frame(1, 4, 1, POST) + frame(0, 0, 1, b"ab") + frame(0, 1, 1, b"cde"),
    SETTINGS + frame(1, 0, 1, REQ[:5]) + frame(9, 0, 1, REQ[5:9]) + frame(9, 4, 1, REQ[9:]) + frame(0, 1, 1),
    SETTINGS + frame(6, 0, 0, b"12345678") + frame(8, 0, 0, b"\x00\x01\x00\x00"),
    SETTINGS + frame(1, 4, 1, REQ) + frame(3, 0, 1, b"\x00\x00\x00\x08") + frame(0, 0, 1, b"x"),
    SETTINGS + frame(2, 0, 3, b"\x00\x00\x00\x01\x10") + frame(1, 0x25, 3, b"\x00\x00\x00\x00\x10" + REQ),
    SETTINGS + frame(1, 0x0d, 1, b"\x03" + REQ + b"\x00\x00\x00") + frame(7, 0, 0, b"\x00\x00\x00\x01\x00\x00\x00\x00"),
    SETTINGS + frame(4, 0, 0, b"\x00\x04\x00\x00\x00\x00") + frame(1, 5, 1, REQ) + frame(4, 0, 0, b"\x00\x04\x00\x01\x00\x00"),
    SETTINGS + frame(1, 4, 1, REQ) + frame(1, 5, 1, lit(b"x-trailer", b"1")),
    SETTINGS + frame(0x42, 0xff, 0, b"abc") + frame(1, 5, 1, REQ) + frame(8, 0, 1, b"\x00\x00\x00\x00"),
]
CLIENT_SEEDS = [
    SETTINGS + SETTINGS_ACK + frame(1, 4, 1, RESP) + frame(0, 1, 1, b"hello"),
    SETTINGS + frame(1, 4, 1, b"\x89") + frame(1, 4, 1, RESP) + frame(0, 0, 1, b"x") + frame(1, 5, 1, lit(b"grpc-status", b"0")),
    SETTINGS + frame(5, 4, 1, b"\x00\x00\x00\x02" + REQ) + frame(1, 4, 2, RESP) + frame(0, 1, 2, b"pushed") + frame(1, 5, 1, RESP),
    SETTINGS + frame(7, 0, 0, b"\x00\x00\x00\x00\x00\x00\x00\x00debug"),
    SETTINGS + frame(8, 0, 0, b"\x7f\xff\xff\xff"),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "http2_conn")
    os.makedirs(out, exist_ok=True)
    seeds = []
    for s in SERVER_SEEDS:
        seeds += [bytes([0x01 | 0x50]) + s, bytes([0x07 | 0x00]) + s, bytes([0x05 | 0x20]) + s]
    for s in CLIENT_SEEDS:
        seeds += [bytes([0x00 | 0x50]) + s, bytes([0x02 | 0x10]) + s]
    for s in seeds:
        name = hashlib.sha256(s).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(s)


if __name__ == "__main__":
    main()
