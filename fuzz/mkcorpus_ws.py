#!/usr/bin/env python3
"""Seed corpora for the WebSocket harnesses (fuzz_ws_frame, fuzz_ws_handshake,
fuzz_ws_utf8). Files are named by the SHA-256 of their content.
Usage: python3 fuzz/mkcorpus_ws.py  (from the repository root)"""
import hashlib, os, struct, zlib

def frame(op, payload, fin=True, rsv=0, mask=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    if n < 126:
        h = bytes([b0, n | (0x80 if mask else 0)])
    elif n <= 0xffff:
        h = bytes([b0, 126 | (0x80 if mask else 0)]) + struct.pack('>H', n)
    else:
        h = bytes([b0, 127 | (0x80 if mask else 0)]) + struct.pack('>Q', n)
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        h += mask
    return h + payload

def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]

def write(target, items):
    d = os.path.join('fuzz', 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for it in items:
        name = hashlib.sha256(it).hexdigest()
        with open(os.path.join(d, name), 'wb') as f:
            f.write(it)

M = b'\x11\x22\x33\x44'
frames = []
for mode in (0x01, 0x00, 0x03, 0x02, 0x11, 0x21, 0x31, 0x05, 0x09):
    masked = M if mode & 1 else None
    seq = frame(1, b'Hello', mask=masked) + frame(2, bytes(range(256)) * 3, mask=masked)
    seq += frame(1, b'frag', fin=False, mask=masked) + frame(9, b'ping', mask=masked)
    seq += frame(0, b'ment \xc3\xa9', mask=masked) + frame(10, b'', mask=masked)
    if mode & 2:
        seq += frame(1, deflate(b'compressed ' * 50), rsv=4, mask=masked)
        z = deflate(b'x' * 5000)
        seq += frame(2, z[:3], fin=False, rsv=4, mask=masked) + frame(0, z[3:], mask=masked)
    seq += frame(1, b'\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5', mask=masked)
    seq += frame(8, struct.pack('>H', 1000) + b'bye', mask=masked)
    frames.append(bytes([mode, 7]) + seq)
frames.append(bytes([1, 1]) + frame(1, b'\xed\xa0\x80', mask=M))
frames.append(bytes([1, 2]) + frame(3, b'x', mask=M))
frames.append(bytes([1, 3]) + frame(9, b'x' * 126, mask=M))
frames.append(bytes([1, 4]) + frame(8, b'\x03', mask=M))
frames.append(bytes([0x11, 5]) + frame(2, b'y' * 2000, mask=M))
frames.append(bytes([0x23, 6]) + frame(2, deflate(b'\x00' * 300000), rsv=4, mask=M))
write('ws_frame', frames)

req = (b'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n'
       b'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
       b'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n')
hs = [b'\x00' + req + b'\r\n',
      b'\x00' + req + b'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
      b'\x00' + req + b'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_no_context_takeover, permessage-deflate\r\n\r\n',
      b'\x00GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Version: 12\r\n\r\n',
      b'\x01HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      b'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n'
      b'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n',
      b'\x01HTTP/1.1 302 Found\r\nLocation: ws://elsewhere/\r\nContent-Length: 0\r\n\r\n',
      b'\x01HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      b'Sec-WebSocket-Accept: wrong\r\n\r\n']
write('ws_handshake', hs)

texts = [b'', b'hello', 'κόσμε'.encode(), b'\xf0\x90\x80\x80\xf4\x8f\xbf\xbf', b'\xed\xa0\x80',
         b'\xc0\xaf', b'ab\xc2', b'\xf4\x90\x80\x80', 'ascii then é and 😀'.encode() + b'\xff',
         'x'.encode() * 300 + '€'.encode() * 50]
write('ws_utf8', [bytes([i * 37 % 256]) + t for i, t in enumerate(texts)])
