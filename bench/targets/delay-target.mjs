// The accuracy row's target for `npm run bench`: every JSON-RPC request is
// answered exactly 20 ms after its last byte was read, and the target times
// that itself (GET /truth: the held times since the last /truth, then clears).
//   node delay-target.mjs PORT
//
// Why raw `net` and a spinning loop rather than node:http and a timer: the
// truth must hold everything the target adds. Measured with tcpdump on this
// 2-core VM, a node:http target that sleeps between requests answered
// 0.6-0.9 ms later on the wire than its own clock said (wake-up from epoll,
// the HTTP parser, writeHead/end), which an accuracy row would have charged to
// the generator. Here the loop never sleeps (a timer cannot wake a process on
// time to 0.1 ms), the request is parsed by hand, and the reply is one write.
import { createServer } from 'node:net';

const DELAY_MS = 20;
const RESULT = '"result":{"content":[{"type":"text","text":"5"}],"structuredContent":{"result":5}}}';
const port = Number(process.argv[2] ?? 18091);
let held = []; // how long each request was held here (ms), for the truth
const due = []; // replies waiting for their time, in time order: { at, socket, reply, readAt }

function httpReply(status, body, extra = '') {
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** Sends every reply whose time has come, then turns again at once. */
function turn() {
  const now = performance.now();
  while (due.length > 0 && due[0].at <= now) {
    const { socket, reply, readAt } = due.shift();
    held.push(performance.now() - readAt);
    if (!socket.destroyed) socket.write(reply);
  }
  setImmediate(turn);
}
turn();

function truth() {
  const sorted = held.sort((a, b) => a - b);
  held = [];
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return JSON.stringify({ count: sorted.length, p50: at(50), p99: at(99) });
}

function schedule(socket, reply, readAt) {
  const at = readAt + DELAY_MS;
  let i = due.length;
  while (i > 0 && due[i - 1].at > at) i--;
  due.splice(i, 0, { at, socket, reply, readAt });
}

/** One complete request out of `text`: its head, its body, and where the next begins; undefined while incomplete. */
function nextRequest(text) {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = text.slice(0, headEnd);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const end = headEnd + 4 + length;
  if (text.length < end) return undefined;
  return { head, body: text.slice(headEnd + 4, end), end };
}

createServer({ noDelay: true }, (socket) => {
  let pending = '';
  socket.on('data', (chunk) => {
    const readAt = performance.now();
    pending += chunk.toString('latin1');
    for (let request = nextRequest(pending); request; request = nextRequest(pending)) {
      pending = pending.slice(request.end);
      if (request.head.startsWith('GET /truth')) {
        socket.write(httpReply('200 OK', truth()));
        continue;
      }
      let message;
      try {
        message = JSON.parse(request.body);
      } catch {
        socket.write(httpReply('400 Bad Request', '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}'));
        continue;
      }
      if (message.id === undefined) {
        socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n'); // a notification: nothing to hold
        continue;
      }
      schedule(socket, httpReply('200 OK', `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},${RESULT}`), readAt);
    }
  });
  socket.on('error', () => {});
}).listen(port, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
