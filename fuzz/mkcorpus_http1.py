#!/usr/bin/env python3
"""Seed corpora for the HTTP/1.1, URI and HTTP-date fuzz targets.

usage: mkcorpus_http1.py [TESTDATA_DIR]   (default: tests/data)

Reads the llhttp fixtures (tests/data/http1/llhttp, see tests/data/README.md for
the format) and writes, named by the SHA-256 of their content:
  corpus/http1_request/   request cases, 3 option bytes + the raw input
  corpus/http1_response/  response cases, likewise
  corpus/http1_chunked/   bodies of the chunked cases (after the head)
  corpus/uri/             url.md inputs and the request-targets
  corpus/http_date/       the three date forms and a few invalid ones
Option byte 0 is 0 (strict) or 1 (lenient, for the fixtures' lenient types);
bytes 1 and 2 pick split points and the body output size.
"""
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def expand(raw):
    """The upstream harness's transformation of an http block into bytes."""
    if raw.endswith('\n'):
        raw = raw[:-1]
    raw = re.sub(r'\\\n', '', raw)
    raw = raw.replace('\n', '\r\n')
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == '\\' and i + 1 < len(raw):
            e = raw[i + 1]
            simple = {'r': '\r', 'n': '\n', 't': '\t', 'f': '\f'}
            if e in simple:
                out.append(simple[e])
                i += 2
                continue
            m = re.match(r'x([0-9a-fA-F]{2})', raw[i + 1:])
            if m:
                out.append(chr(int(m.group(1), 16)))
                i += 4
                continue
            m = re.match(r'([0-7]{3})', raw[i + 1:])
            if m:
                out.append(chr(int(m.group(1), 8)))
                i += 4
                continue
        out.append(c)
        i += 1
    return ''.join(out).encode('utf-8')


def cases(path):
    text = open(path, encoding='utf-8').read()
    meta = ''
    for m in re.finditer(r'(<!-- meta=(.*?)-->)|```(http|url)\n(.*?)```', text, re.S):
        if m.group(1):
            meta = m.group(2)
        else:
            yield meta, m.group(3), expand(m.group(4))
            meta = ''


def write(target, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def main():
    testdata = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', 'tests', 'data')
    base = os.path.join(testdata, 'http1', 'llhttp')
    for sub in ('request', 'response'):
        for fn in sorted(os.listdir(os.path.join(base, sub))):
            for meta, kind, data in cases(os.path.join(base, sub, fn)):
                lenient = 1 if 'lenient' in meta else 0
                response = '"response' in meta
                write('http1_response' if response else 'http1_request',
                      bytes([lenient, len(data) & 0xFF, 7]) + data)
                if not response:
                    target = data.split(b' ')[1] if data.count(b' ') >= 2 else b''
                    if target:
                        write('uri', target)
                head_end = data.find(b'\r\n\r\n')
                if b'chunked' in data.lower() and head_end >= 0:
                    write('http1_chunked', bytes([lenient, 3, 1]) + data[head_end + 4:])
    for meta, kind, data in cases(os.path.join(base, 'url.md')):
        write('uri', data)
    for d in (b'Sun, 06 Nov 1994 08:49:37 GMT', b'Sunday, 06-Nov-94 08:49:37 GMT',
              b'Sun Nov  6 08:49:37 1994', b'Thu, 01 Jan 1970 00:00:00 GMT',
              b'Fri, 31 Dec 9999 23:59:59 GMT', b'Mon, 29 Feb 2000 12:00:60 GMT',
              b'Tue, 29 Feb 1900 00:00:00 GMT', b'Sun, 06 Nov 1994 08:49:37 UTC',
              b'Sun Nov 06 08:49:37 1994'):
        write('http_date', d)


if __name__ == '__main__':
    main()
