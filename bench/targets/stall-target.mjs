// A loopback JSON-RPC target for the coordinated-omission row of `npm run bench`:
// instant replies, but every 5 s the server stalls for 1 s, and requests
// arriving in a stall are answered when it ends.
//   node stall-target.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 18092);
const REPLY = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"5"}],"structuredContent":{"result":5}}}';
const STALL_EVERY_MS = 5000;
const STALL_MS = 1000;
const t0 = performance.now();
let stallQueue = [];

const inStall = (at) => (at - t0) % STALL_EVERY_MS >= STALL_EVERY_MS - STALL_MS;

/** The fixed reply, with the request's JSON-RPC id echoed (clients check it). */
function answer(res) {
  const body = REPLY.replace('"id":1', `"id":${JSON.stringify(res.rpcId ?? 1)}`);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// At the end of each stall, everything that arrived during it is answered at once.
setInterval(() => {
  if (!inStall(performance.now()) && stallQueue.length > 0) {
    const queue = stallQueue;
    stallQueue = [];
    for (const res of queue) answer(res);
  }
}, 1).unref();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      res.rpcId = JSON.parse(Buffer.concat(chunks).toString('utf8')).id;
    } catch {
      res.rpcId = null;
    }
    if (inStall(performance.now())) stallQueue.push(res);
    else answer(res);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
