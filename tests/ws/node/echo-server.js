'use strict';
// Node ws echo server of the interop run (tests/ws/run_interop.sh):
//   node echo-server.js [--deflate] [--page FILE] [--tls CERT KEY]
// Listens on 127.0.0.1 (any port) and prints "listening on 127.0.0.1:PORT";
// GET / answers FILE (the browser test page), /echo upgrades and echoes
// every message with its opcode (ws answers pings and echoes the close
// code and reason itself). A text message starting with "REPORT " is also
// printed to stdout. --deflate: perMessageDeflate (context takeover);
// --tls: https and wss with that certificate and key (PEM files).
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
let deflate = false;
let page = '';
let tls = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--deflate') deflate = true;
  else if (args[i] === '--page' && i + 1 < args.length) page = args[++i];
  else if (args[i] === '--tls' && i + 2 < args.length) {
    tls = { cert: fs.readFileSync(args[i + 1]), key: fs.readFileSync(args[i + 2]) };
    i += 2;
  }
  else {
    console.error('usage: node echo-server.js [--deflate] [--page FILE] [--tls CERT KEY]');
    process.exit(2);
  }
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: deflate, maxPayload: 64 << 20 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.subarray(0, 7).toString() === 'REPORT ') console.log(data.toString());
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => ws.terminate());
});

const handler = (req, res) => {
  if (req.url !== '/' || page === '') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  fs.readFile(page, (err, body) => {
    if (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  });
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/echo') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${server.address().port}`));
