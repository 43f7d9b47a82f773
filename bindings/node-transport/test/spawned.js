// A consumer-process.js started by a test: its "ready" line, its "stats" line, SIGKILL.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createInterface } from 'node:readline';

export async function spawnConsumer(log, ...args) {
  const err = openSync(log, 'a');
  const child = spawn(process.execPath, [new URL('./consumer-process.js', import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', err] });
  const lines = [];
  let wake = null;
  createInterface({ input: child.stdout }).on('line', (l) => { lines.push(l); wake?.(); });
  const exited = new Promise((r) => child.once('exit', (code, signal) => { wake?.(); r({ code, signal }); }));
  let done = false;
  exited.then(() => { done = true; });
  const waitFor = async (prefix) => {
    for (;;) {
      const l = lines.find((x) => x.startsWith(prefix));
      if (l) return l;
      if (done) return null;
      await new Promise((r) => { wake = r; setTimeout(r, 200); });
    }
  };
  const ready = await waitFor('ready');
  // A plan that kills at the first message may do so before "ready" reaches the pipe.
  if (!ready && (await exited).signal !== 'SIGKILL') throw new Error(`consumer process ended before it was ready; see ${log}`);
  return {
    ready,
    exited,
    kill: async () => { child.kill('SIGKILL'); return exited; },
    /** Waits for the end; → { code, signal, stats } (stats null if killed). */
    async awaitStats(seconds) {
      const t = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
      const r = await exited;
      clearTimeout(t);
      return { ...r, stats: lines.find((x) => x.startsWith('stats ')) ?? null };
    },
  };
}
