// The smallest client on the same HTTP library mcpload uses: N connections
// POSTing one JSON-RPC call in a loop for D seconds, timed with
// performance.now() around each request. The accuracy row of `npm run bench`
// runs it beside mcpload, so that what the machine adds (loopback, scheduling,
// undici itself) is told apart from what mcpload adds.
//   node undici-loop.mjs URL CONNECTIONS SECONDS   → prints {"count","p50","p99"} (ms)
import { Pool } from 'undici';

const [url, connsText = '10', secondsText = '8'] = process.argv.slice(2);
const target = new URL(url);
const conns = Number(connsText);
const pool = new Pool(target.origin, { connections: conns });
const body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}';
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const latencies = [];
const end = performance.now() + Number(secondsText) * 1000;

async function loop() {
  while (performance.now() < end) {
    const sent = performance.now();
    const res = await pool.request({ path: target.pathname, method: 'POST', body, headers });
    await res.body.text();
    latencies.push(performance.now() - sent);
  }
}

await Promise.all(Array.from({ length: conns }, loop));
await pool.close();
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
process.stdout.write(`${JSON.stringify({ count: latencies.length, p50: at(50), p99: at(99) })}\n`);
