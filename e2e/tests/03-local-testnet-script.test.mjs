// scripts/local-testnet.sh as an operator runs it: three validators come up on 127.0.0.1,
// finalize blocks, and Ctrl-C (SIGINT) stops them all and removes their base paths.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { finalizedNumber, repoRoot, rpc, waitFor } from '../lib/node.mjs';

test('local-testnet.sh runs three finalizing validators and stops cleanly on Ctrl-C', { timeout: 600_000 }, async () => {
  let output = '';
  const proc = spawn('bash', [path.join(repoRoot, 'scripts', 'local-testnet.sh')], {
    env: { ...process.env, SKIP_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));

  try {
    await waitFor('three validators finalizing', async () => {
      for (const port of [9944, 9945, 9946]) {
        if ((await finalizedNumber(port)) < 3) return false;
      }
      return true;
    }, { timeoutMs: 300_000, intervalMs: 2000 });
    for (const port of [9944, 9945, 9946]) {
      const health = await rpc(port, 'system_health');
      assert.ok(health.peers >= 2, `node on ${port} has ${health.peers} peers`);
    }
  } finally {
    proc.kill('SIGINT');
  }
  const { code } = await exited;
  assert.equal(code, 0, `script exit code ${code}; output:\n${output}`);
  assert.match(output, /stopped/);
  const root = output.match(/log (\/\S+)\/alice\.log/);
  assert.ok(root, `no log path in output:\n${output}`);
  assert.ok(!fs.existsSync(root[1]), `base paths left behind in ${root[1]}`);
  // Nothing listens any more on the validators' RPC ports.
  await assert.rejects(rpc(9944, 'system_health'));
});
