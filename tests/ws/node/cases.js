'use strict';
// The case list shared by every client of the interop matrix; the same
// payloads as tests/ws/gointerop/cases.go and tests/ws/ws_client.c.

// n bytes of a fixed sequence: byte i = (i*7 + floor(i/251)) mod 256.
function pattern(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + Math.floor(i / 251)) & 0xff;
  return b;
}

// 4 MiB of text cycling through 1-, 2-, 3- and 4-byte UTF-8 sequences.
function utf8Text() {
  const size = 4 << 20;
  const unit = Buffer.from('a\u00e9\u20ac\u{1F600}', 'utf8'); // 10 bytes
  const reps = Math.floor(size / unit.length);
  return Buffer.concat([Buffer.alloc(reps * unit.length, unit), Buffer.alloc(size - reps * unit.length, 'x')]);
}

function pipelined(i) {
  if (i % 2 === 0) {
    return { text: true, data: Buffer.from(`pipelined-${String(i).padStart(3, '0')}:${'z'.repeat(i * 13)}`) };
  }
  return { text: false, data: pattern(i * 37) };
}

function echoCases() {
  const zeroTo255 = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) zeroTo255[i] = i;
  const many = [];
  for (let i = 0; i < 100; i++) many.push(pipelined(i));
  return [
    ['text_hello', [{ text: true, data: Buffer.from('Hello, WebSocket!') }]],
    ['text_empty', [{ text: true, data: Buffer.alloc(0) }]],
    ['binary_0_255', [{ text: false, data: zeroTo255 }]],
    ['binary_125', [{ text: false, data: pattern(125) }]],
    ['binary_126', [{ text: false, data: pattern(126) }]],
    ['binary_65535', [{ text: false, data: pattern(65535) }]],
    ['binary_65536', [{ text: false, data: pattern(65536) }]],
    ['binary_1MiB', [{ text: false, data: pattern(1 << 20) }]],
    ['text_4MiB_utf8', [{ text: true, data: utf8Text() }]],
    ['pipelined_100', many],
  ];
}

// Text fragments; the second ends inside U+20AC, the third completes it.
const fragments = [
  Buffer.from('fragment-one|' + 'a'.repeat(5000)),
  Buffer.concat([Buffer.from('fragment-two \u20ac|' + 'b'.repeat(5000)), Buffer.from([0xe2, 0x82])]),
  Buffer.concat([Buffer.from([0xac]), Buffer.from('|fragment-three' + 'c'.repeat(5000))]),
];

const pingPayload = 'ping-payload-123';
const closeReason = 'bye-from-client';

// '' when the echo equals what was sent, else why not.
function sameMessage(want, gotText, got) {
  if (want.text !== gotText) return `opcode: sent text=${want.text}, echo text=${gotText}`;
  if (!want.data.equals(got)) {
    let i = 0;
    while (i < got.length && i < want.data.length && got[i] === want.data[i]) i++;
    return `payload differs: sent ${want.data.length} bytes, echo ${got.length} bytes, first difference at ${i}`;
  }
  return '';
}

module.exports = { pattern, utf8Text, echoCases, fragments, pingPayload, closeReason, sameMessage };
