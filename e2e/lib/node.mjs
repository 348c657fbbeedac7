// Start, watch and stop real depin-node processes for the end-to-end tests.
//
// Every node gets its own temporary base path and free loopback ports; its output goes to a
// log file whose path the failure message names, so a red test can be read afterwards.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

/** The node binary under test: $DEPIN_NODE, else the release build in the shared target dir. */
export function nodeBinary() {
  if (process.env.DEPIN_NODE) return process.env.DEPIN_NODE;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'depin-target');
  return path.join(target, 'release', 'depin-node');
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns that value. */
export async function waitFor(what, fn, { timeoutMs = 120_000, intervalMs = 1000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
}

/** One JSON-RPC call over HTTP. */
export async function rpc(port, method, params = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Number of the block with the given hash (or the best block). */
export async function blockNumber(port, hash) {
  const header = await rpc(port, 'chain_getHeader', hash ? [hash] : []);
  return parseInt(header.number, 16);
}

/** Number of the last finalized block. */
export async function finalizedNumber(port) {
  const hash = await rpc(port, 'chain_getFinalizedHead');
  return blockNumber(port, hash);
}

/**
 * A running depin-node. `args` are extra CLI flags; the base path, ports and log file are
 * chosen here. Keeps the base path on restart so a stopped node resumes from its database.
 */
export class DepinNode {
  constructor(name, args, { basePath, p2pPort, rpcPort, prometheusPort } = {}) {
    this.name = name;
    this.args = args;
    this.basePath = basePath;
    this.p2pPort = p2pPort;
    this.rpcPort = rpcPort;
    this.prometheusPort = prometheusPort;
    this.proc = null;
    this.logPath = null;
  }

  static async start(name, args, opts = {}) {
    const node = new DepinNode(name, args, {
      basePath: opts.basePath || fs.mkdtempSync(path.join(os.tmpdir(), `depin-e2e-${name}-`)),
      p2pPort: opts.p2pPort || (await freePort()),
      rpcPort: opts.rpcPort || (await freePort()),
      prometheusPort: opts.prometheusPort || (await freePort()),
    });
    await node.spawn();
    return node;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.rpcPort}`;
  }

  get multiaddr() {
    return `/ip4/127.0.0.1/tcp/${this.p2pPort}/p2p/${this.peerId}`;
  }

  async spawn() {
    const bin = nodeBinary();
    if (!fs.existsSync(bin)) throw new Error(`node binary not found at ${bin}: build it with 'cargo build --release'`);
    this.logPath = path.join(this.basePath, `node-${Date.now()}.log`);
    const log = fs.openSync(this.logPath, 'a');
    const args = [
      ...this.args,
      '--base-path', this.basePath,
      '--port', String(this.p2pPort),
      '--rpc-port', String(this.rpcPort),
      '--prometheus-port', String(this.prometheusPort),
      '--no-telemetry',
      '--no-mdns',
      '--rpc-cors', 'all',
    ];
    this.proc = spawn(bin, args, { stdio: ['ignore', log, log] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    fs.closeSync(log);
    await waitFor(`${this.name} RPC on port ${this.rpcPort} (log: ${this.logPath})`, async () => {
      if (this.proc.exitCode !== null) throw new Error(`${this.name} exited with ${this.proc.exitCode}; log: ${this.logPath}`);
      return rpc(this.rpcPort, 'system_health');
    }, { timeoutMs: 90_000, intervalMs: 500 });
    this.peerId = await rpc(this.rpcPort, 'system_localPeerId');
  }

  /** SIGKILL: the process dies with no chance to flush anything, as in a crash. */
  async kill() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGINT, as Ctrl-C: a clean shutdown. */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGINT');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the node and removes its base path unless E2E_KEEP is set. */
  async cleanup() {
    await this.stop();
    if (!process.env.E2E_KEEP) fs.rmSync(this.basePath, { recursive: true, force: true });
  }
}

/** A polkadot.js client connected to `node`. */
export async function connect(node) {
  const provider = new WsProvider(node.wsUrl, 1000);
  return ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
}

/**
 * Signs and sends `tx` from `signer`, resolves when the block that includes it is finalized,
 * with that block's hash and the events the extrinsic emitted. Rejects on a dispatch error.
 */
export function sendAndFinalize(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        let msg = dispatchError.toString();
        if (dispatchError.isModule) {
          const d = api.registry.findMetaError(dispatchError.asModule);
          msg = `${d.section}.${d.name}: ${d.docs.join(' ')}`;
        }
        if (unsub) unsub();
        reject(new Error(msg));
        return;
      }
      if (status.isFinalized) {
        if (unsub) unsub();
        resolve({ blockHash: status.asFinalized.toHex(), events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        if (unsub) unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}
