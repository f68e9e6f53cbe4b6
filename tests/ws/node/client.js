'use strict';
// Node ws client of the interop run: node client.js [--deflate] URL
// Runs the case list of cases.js against an echo server and prints one
// "PASS name" / "FAIL name: why" line per case, plus "INFO extensions=..."
// (the server's Sec-WebSocket-Extensions answer). Exit 0 only if all pass.
const WebSocket = require('ws');
const C = require('./cases');

const CASE_TIMEOUT_MS = 60000; // generous: the machine may be loaded

const args = process.argv.slice(2);
const deflate = args[0] === '--deflate';
const url = deflate ? args[1] : args[0];
if (!url) {
  console.error('usage: node client.js [--deflate] ws://HOST:PORT/PATH');
  process.exit(2);
}

// A queue of events with promise-based waits.
function channel() {
  const items = [];
  const waiters = [];
  return {
    push(v) {
      if (waiters.length) waiters.shift()(v);
      else items.push(v);
    },
    next(what) {
      if (items.length) return Promise.resolve(items.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), CASE_TIMEOUT_MS);
        waiters.push((v) => { clearTimeout(t); resolve(v); });
      });
    },
  };
}

async function main() {
  const ws = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 64 << 20 });
  const messages = channel();
  const pongs = channel();
  const closes = channel();
  let extensions = '';
  ws.on('upgrade', (res) => { extensions = res.headers['sec-websocket-extensions'] || ''; });
  ws.on('message', (data, isBinary) => messages.push({ text: !isBinary, data }));
  ws.on('pong', (data) => pongs.push(data.toString()));
  ws.on('close', (code, reason) => {
    const ev = { code, reason: reason.toString() };
    messages.push({ closed: ev });
    closes.push(ev);
  });
  ws.on('error', (err) => console.log(`INFO error: ${err.message}`));
  const opened = await new Promise((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('close', () => resolve(false));
  });
  if (!opened) {
    console.log('FAIL handshake: connection not opened');
    return false;
  }
  console.log(`INFO extensions=${extensions}`);

  let ok = true;
  const report = (name, why) => {
    if (why) {
      console.log(`FAIL ${name}: ${why}`);
      ok = false;
    } else console.log(`PASS ${name}`);
  };
  const recv = async (want) => {
    const m = await messages.next('echo');
    if (m.closed) return `connection closed (${m.closed.code} ${m.closed.reason})`;
    return C.sameMessage(want, m.text, m.data);
  };
  const attempt = async (name, fn) => {
    let why;
    try {
      why = await fn();
    } catch (e) {
      why = e.message;
    }
    report(name, why);
  };

  for (const [name, msgs] of C.echoCases()) {
    await attempt(name, async () => {
      for (const m of msgs) ws.send(m.data, { binary: !m.text });
      for (let i = 0; i < msgs.length; i++) {
        const why = await recv(msgs[i]);
        if (why) return `message ${i}: ${why}`;
      }
      return '';
    });
  }

  // One frame per fragment (fin false, false, true), a ping between the first two.
  await attempt('fragmented', async () => {
    C.fragments.forEach((f, i) => {
      ws.send(f, { binary: false, fin: i === C.fragments.length - 1 });
      if (i === 0) ws.ping('interleaved');
    });
    const why = await recv({ text: true, data: Buffer.concat(C.fragments) });
    if (why) return why;
    const p = await pongs.next('pong of the interleaved ping');
    return p === 'interleaved' ? '' : `pong payload ${JSON.stringify(p)}`;
  });

  await attempt('ping_pong', async () => {
    ws.ping(C.pingPayload);
    const p = await pongs.next('pong');
    return p === C.pingPayload ? '' : `pong payload ${JSON.stringify(p)}, want ${C.pingPayload}`;
  });

  await attempt('close_1000', async () => {
    ws.close(1000, C.closeReason);
    const ev = await closes.next('close');
    if (ev.code !== 1000 || ev.reason !== C.closeReason) {
      return `server closed with ${ev.code} ${JSON.stringify(ev.reason)}, want 1000 ${JSON.stringify(C.closeReason)}`;
    }
    return '';
  });
  return ok;
}

main().then((ok) => process.exit(ok ? 0 : 1), (err) => {
  console.log(`FAIL client: ${err.message}`);
  process.exit(1);
});
