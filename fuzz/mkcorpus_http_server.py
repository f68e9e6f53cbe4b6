#!/usr/bin/env python3
"""Write the seed corpus of fuzz_http_server into fuzz/corpus/http_server/.

Each seed is one option byte (see fuzz_http_server.c) followed by what a
client sends. Files are named by the SHA-256 of their content.
"""
import hashlib
import os
import struct

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def h2_get():
    # :method GET, :scheme http, :path /, :authority localhost (HPACK static/literal)
    block = bytes([0x82, 0x86, 0x84, 0x41, 0x09]) + b"localhost"
    post = bytes([0x83, 0x86, 0x44, 0x05]) + b"/echo" + bytes([0x41, 0x09]) + b"localhost"
    return (H2_PREFACE + frame(4, 0, 0, b"") + frame(1, 5, 1, block) + frame(1, 4, 3, post)
            + frame(0, 0, 3, b"abc") + frame(0, 1, 3, b"def") + frame(4, 1, 0, b""))


SEEDS = [
    (0x00, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    (0x30, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
           b"GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n"),
    (0x20, b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n"),
    (0x14, b"PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 200\r\n\r\n" + b"x" * 200),
    (0x40, b"GET /early HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD / HTTP/1.0\r\n\r\n"),
    (0x00, b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
           b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"),
    (0x03, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n" + H2_PREFACE + frame(4, 0, 0, b"")),
    (0x01, h2_get()),
    (0x49, h2_get()),
    (0x04, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 600 + b"\r\n\r\n"),
    (0x00, b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    (0x08, b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" * 4),
]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "http_server")
    os.makedirs(out, exist_ok=True)
    for opt, body in SEEDS:
        data = bytes([opt]) + body
        name = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
