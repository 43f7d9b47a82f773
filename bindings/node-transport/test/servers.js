// Real servers for the tests, on 127.0.0.1 with their own ports and temp dirs:
// rabbitmq-server (Debian) and OpenSSH sshd. Each returns { ..., stop() }.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, rmSync, openSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Also when a test process ends abnormally: no server is left behind.
const running = new Set();
process.on('exit', () => { for (const c of running) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } } });
const track = (child) => { running.add(child); child.once('exit', () => running.delete(child)); return child; };

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const listening = (port) => new Promise((resolve) => {
  const c = connect(port, '127.0.0.1');
  c.on('connect', () => { c.destroy(); resolve(true); });
  c.on('error', () => resolve(false));
});

function stopProcess(child, ms = 60000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); }, ms);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  });
}

const RABBIT = '/usr/lib/rabbitmq/bin/';

/**
 * A throw-away test CA (openssl) in `dir`: server.{crt,key} with subjectAltName `san`, client.{crt,key} with CN
 * `clientCn`, and stranger.{crt,key}: the same name, self-signed (not issued by the CA). Returns the PEM buffers.
 */
export function makeCerts(dir, clientCn, san = 'IP:127.0.0.1,DNS:localhost') {
  const ssl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\n`);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=eik-test-ca', '-days', '2');
  for (const [who, subj] of [['server', '/CN=localhost'], ['client', `/CN=${clientCn}`], ['stranger', `/CN=${clientCn}`]]) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', subj);
  }
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
  ssl('x509', '-req', '-in', 'stranger.csr', '-signkey', 'stranger.key', '-out', 'stranger.crt', '-days', '2');
  const read = (f) => readFileSync(join(dir, f));
  return {
    dir, ca: read('ca.crt'),
    server: { cert: read('server.crt'), key: read('server.key') },
    client: { cert: read('client.crt'), key: read('client.key') },
    stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
  };
}

/** A real rabbitmq-server; with `tls` (from makeCerts) also a TLS 1.2 listener (`tlsPort`) with EXTERNAL login by certificate CN. */
export async function startRabbit({ tls } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-rabbit-'));
  for (const d of ['home', 'mnesia', 'log']) mkdirSync(join(dir, d));
  const port = await freePort();
  const distPort = await freePort();
  const tlsPort = tls ? await freePort() : 0;
  const node = `eiknode-${randomUUID().slice(0, 8)}@localhost`;
  writeFileSync(join(dir, 'rabbitmq.conf'), 'loopback_users = none\nlog.console = false\n' + (tls ? [
    `listeners.ssl.1 = 127.0.0.1:${tlsPort}`, `ssl_options.cacertfile = ${join(tls.dir, 'ca.crt')}`,
    `ssl_options.certfile = ${join(tls.dir, 'server.crt')}`, `ssl_options.keyfile = ${join(tls.dir, 'server.key')}`,
    'ssl_options.verify = verify_peer', 'ssl_options.fail_if_no_peer_cert = true', 'ssl_options.versions.1 = tlsv1.2',
    'auth_mechanisms.1 = PLAIN', 'auth_mechanisms.2 = EXTERNAL', 'ssl_cert_login_from = common_name', ''].join('\n') : ''));
  writeFileSync(join(dir, 'enabled_plugins'), tls ? '[rabbitmq_auth_mechanism_ssl].\n' : '[].\n');
  const env = {
    ...process.env, HOME: join(dir, 'home'), RABBITMQ_NODENAME: node, RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'), RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'), ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}/%2F`;
  let child;
  const r = {
    port, tlsPort, url, dir, node,
    async start() {
      const out = openSync(join(dir, 'server.out'), 'a');
      child = track(spawn(`${RABBIT}rabbitmq-server`, [], {
        cwd: dir, stdio: ['ignore', out, out], detached: true, // own process group: the broker's Erlang VM goes with it
        env: { ...env, RABBITMQ_NODE_PORT: String(port), RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1', RABBITMQ_DIST_PORT: String(distPort), RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}' },
      }));
      const deadline = Date.now() + 90000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`rabbitmq-server exited; see ${dir}/server.out`);
        try { const c = await amqp.connect(url); await c.close(); return; } catch { await sleep(300); }
      }
      throw new Error(`rabbitmq-server did not start; see ${dir}`);
    },
    async stop() { if (child) await stopProcess(child); child = null; },
    async restart() { await r.stop(); await r.start(); },
    closeAllConnections() {
      execFileSync(`${RABBIT}rabbitmqctl`, ['-n', node, 'close_all_connections', 'test: connection killed'], { env, stdio: 'ignore' });
    },
    /** Runs rabbitmqctl against this node; returns its output. */
    ctl(...args) {
      return execFileSync(`${RABBIT}rabbitmqctl`, ['-n', node, ...args], { env, encoding: 'utf8' });
    },
    async destroy() { await r.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
  await r.start();
  return r;
}

export async function startSshd() {
  const dir = mkdtempSync(join(tmpdir(), 'eik-node-sshd-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'IN'), { recursive: true });
  const keygen = (...a) => execFileSync('ssh-keygen', ['-q', ...a], { stdio: 'ignore' });
  keygen('-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519'));
  keygen('-t', 'ed25519', '-N', '', '-f', join(dir, 'user_ed25519'));
  copyFileSync(join(dir, 'user_ed25519.pub'), join(dir, 'authorized_keys'));
  const port = await freePort();
  const user = userInfo().username;
  writeFileSync(join(dir, 'sshd_config'), [
    'ListenAddress 127.0.0.1', `Port ${port}`, `HostKey ${join(dir, 'host_ed25519')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', `AllowUsers ${user}`, 'UsePAM no', 'StrictModes no',
    'AllowTcpForwarding no', 'X11Forwarding no', `Subsystem sftp internal-sftp -d ${root}`, ''].join('\n'));
  mkdirSync('/run/sshd', { recursive: true });
  const out = openSync(join(dir, 'sshd.log'), 'a');
  const child = track(spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', out, out], detached: true }));
  const deadline = Date.now() + 20000;
  while (!(await listening(port))) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
    if (Date.now() > deadline) throw new Error('sshd did not listen');
    await sleep(100);
  }
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ')[1];
  return {
    port, user, root, dir,
    privateKey: readFileSync(join(dir, 'user_ed25519')),
    hostKey: Buffer.from(hostKey, 'base64'),
    /** Kills the per-connection sshd processes (children of the listener): open transfers break. */
    killSessions() {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const pid of kids) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } }
    },
    async stop() {
      try { this.killSessions(); } catch { /* none */ }
      await stopProcess(child, 10000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
