// A loopback JSON-RPC target with a controlled delay, for the accuracy and
// coordinated-omission rows of `npm run bench`.
//   node timed-target.mjs delay PORT     every reply after exactly 20 ms (measured here: GET /truth)
//   node timed-target.mjs stall PORT     instant replies, but every 5 s the server stalls for 1 s:
//                                        requests arriving in a stall are answered when it ends
import { createServer } from 'node:http';

const [mode, portText] = process.argv.slice(2);
const REPLY = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"5"}],"structuredContent":{"result":5}}}';
const DELAY_MS = 20;
const STALL_EVERY_MS = 5000;
const STALL_MS = 1000;
const t0 = performance.now();
const held = []; // server-side handling times (ms), for the truth
let stallQueue = [];

/** The fixed reply, with the request's JSON-RPC id echoed (clients check it). */
function answer(res) {
  const body = REPLY.replace('"id":1', `"id":${JSON.stringify(res.rpcId ?? 1)}`);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Waits `ms` precisely: a timer to just before, then a short spin (timers alone fire up to ~1 ms late). */
function preciseDelay(ms, done) {
  const until = performance.now() + ms;
  setTimeout(function spin() {
    if (performance.now() >= until) done();
    else setImmediate(spin);
  }, Math.max(0, ms - 2));
}

if (mode === 'stall') {
  // At the end of each stall, everything that arrived during it is answered at once.
  setInterval(() => {
    const inStall = (performance.now() - t0) % STALL_EVERY_MS >= STALL_EVERY_MS - STALL_MS;
    if (!inStall && stallQueue.length > 0) {
      const queue = stallQueue;
      stallQueue = [];
      for (const res of queue) answer(res);
    }
  }, 1).unref();
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/truth') {
    const sorted = held.slice().sort((a, b) => a - b);
    const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: sorted.length, p50: at(50), p99: at(99) }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      res.rpcId = JSON.parse(Buffer.concat(chunks).toString('utf8')).id;
    } catch {
      res.rpcId = null;
    }
    const start = performance.now();
    if (mode === 'delay') {
      preciseDelay(DELAY_MS, () => {
        held.push(performance.now() - start);
        answer(res);
      });
    } else if ((start - t0) % STALL_EVERY_MS >= STALL_EVERY_MS - STALL_MS) {
      stallQueue.push(res);
    } else {
      answer(res);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${portText}\n`));
process.on('SIGTERM', () => process.exit(0));
