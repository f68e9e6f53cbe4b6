#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_http2_conn (fuzz/corpus/http2_conn/)
and fuzz_http2_frame (fuzz/corpus/http2_frame/), files named by SHA-256:
frame sequences a peer sends, valid and broken, each prefixed with the
harness's option byte (see the harnesses).

Usage: mkcorpus_http2.py [CORPUS_DIR]
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


FRAME_SEEDS = [
    b"\x00" + frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64\x00\x04\x00\x01\x00\x00") + frame(4, 1, 0),
    b"\x01" + frame(1, 0x2d, 1, b"\x02\x80\x00\x00\x03\x10\x82\x00\x00") + frame(9, 4, 1, b"\x84"),
    b"\x00" + frame(0, 0x09, 1, b"\x03abc\x00\x00\x00") + frame(0, 1, 1),
    b"\x02" + frame(5, 4, 1, b"\x00\x00\x00\x02\x82") + frame(8, 0, 0, b"\x00\x00\x10\x00"),
    b"\x00" + frame(6, 0, 0, b"12345678") + frame(7, 0, 0, b"\x00\x00\x00\x01\x00\x00\x00\x00dbg")
    + frame(3, 0, 1, b"\x00\x00\x00\x08"),
    b"\x00" + frame(2, 0, 3, b"\x00\x00\x00\x03\x10") + frame(0x42, 0xff, 7, b"x"),
    b"\x00" + struct.pack(">I", 20000)[1:] + b"\x00\x00\x00\x00\x00\x01",
]


def write_all(out, seeds):
    os.makedirs(out, exist_ok=True)
    for s in seeds:
        with open(os.path.join(out, hashlib.sha256(s).hexdigest()), "wb") as f:
            f.write(s)


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    write_all(os.path.join(base, "http2_frame"), FRAME_SEEDS)
    seeds = []
    for s in SERVER_SEEDS:
        seeds += [bytes([0x01 | 0x50]) + s, bytes([0x07 | 0x00]) + s, bytes([0x05 | 0x20]) + s]
    for s in CLIENT_SEEDS:
        seeds += [bytes([0x00 | 0x50]) + s, bytes([0x02 | 0x10]) + s]
    write_all(os.path.join(base, "http2_conn"), seeds)


if __name__ == "__main__":
    main()
