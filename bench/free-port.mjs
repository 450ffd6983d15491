// A loopback port free right now, for a server a bench starts. Shared by the bench scripts.
import { createServer } from 'node:net';

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
