// A loopback MCP-like target for the scale row of `npm run bench`: it answers
// initialize with a fresh session id, notifications with 202 and anything else
// with an empty result for the request's id. It keeps no per-session state, so
// the figure measured is the generator's memory, not the server's.
//   node session-target.mjs PORT
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

const port = Number(process.argv[2] ?? 18090);

const server = createServer((req, res) => {
  if (req.method === 'DELETE') {
    res.writeHead(204).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let msg;
    try {
      msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (msg.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const headers = { 'content-type': 'application/json' };
    let result = {};
    if (msg.method === 'initialize') {
      headers['mcp-session-id'] = randomBytes(16).toString('hex');
      result = { protocolVersion: msg.params?.protocolVersion ?? '2025-11-25', capabilities: {}, serverInfo: { name: 'session-target', version: '1' } };
    }
    res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`session target on ${port}`));
