// A tiny static file server on 127.0.0.1 for the viewer (wasm/build/site by
// default). `node test/serve.mjs [dir] [port]` serves until stopped; the
// browser test imports serve().
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=iso-8859-1',
};

/** Serves `dir` on 127.0.0.1:`port` (0: any free port). Resolves to {url, close, log}. */
export function serve(dir, port = 0) {
  const root = resolve(dir);
  const log = [];
  const server = createServer(async (req, res) => {
    log.push(`${req.method} ${req.url}`);
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
    try {
      if (!(await stat(file)).isFile()) return send(404, 'not found');
      send(200, await readFile(file), TYPES[extname(file)] || 'application/octet-stream');
    } catch {
      send(404, 'not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}/`, log, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || join(fileURLToPath(new URL('..', import.meta.url)), 'build', 'site');
  const { url } = await serve(dir, Number(process.argv[3] || 8080));
  console.log(`serving ${dir} at ${url} (Ctrl-C stops)`);
}
