// The maintenance subcommands an operator uses, run against a real chain database:
// chain specs, node keys, export/import/check of blocks, revert and purge.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DepinNode, finalizedNumber, nodeBinary, waitFor } from '../lib/node.mjs';

/** Runs depin-node with `args`; returns { code, out } (stdout and stderr together). */
function run(args) {
  // Chain specs embed the ~1.5 MB runtime, hence the large buffer.
  const r = spawnSync(nodeBinary(), args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  // `out` is for assertion messages: the log's tail, never a whole chain spec.
  return { code: r.status, out: `${r.error || ''}\n${r.stderr.slice(-3000)}`, stdout: r.stdout };
}

describe('operator subcommands', { timeout: 600_000 }, () => {
  let work;
  let devBase;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'depin-e2e-ops-'));
    // A dev chain with a few finalized blocks, then stopped cleanly.
    const node = await DepinNode.start('ops-dev', ['--dev']);
    devBase = node.basePath;
    await waitFor('finalized >= 3', async () => (await finalizedNumber(node.rpcPort)) >= 3, { timeoutMs: 180_000 });
    await node.stop();
  });

  after(() => {
    if (!process.env.E2E_KEEP) {
      fs.rmSync(work, { recursive: true, force: true });
      if (devBase) fs.rmSync(devBase, { recursive: true, force: true });
    }
  });

  test('export-chain-spec and build-spec give the presets, raw and plain', () => {
    for (const [chain, validators] of [['dev', 1], ['local', 3], ['local-bft', 4]]) {
      const plain = run(['export-chain-spec', '--chain', chain]);
      assert.equal(plain.code, 0, plain.out);
      const spec = JSON.parse(plain.stdout);
      assert.equal(spec.properties.tokenSymbol, 'DPIN');
      assert.equal(spec.genesis.runtimeGenesis.patch.session.keys.length, validators);
    }
    const raw = run(['export-chain-spec', '--chain', 'local', '--raw']);
    assert.equal(raw.code, 0, raw.out);
    assert.ok(JSON.parse(raw.stdout).genesis.raw.top, 'raw spec has no storage');
    // zombienet still calls build-spec.
    const legacy = run(['build-spec', '--chain', 'local', '--raw']);
    assert.equal(legacy.code, 0, legacy.out);
    assert.equal(JSON.parse(legacy.stdout).id, 'depin_local_testnet');
  });

  test('key generate-node-key writes a key and prints its peer id', () => {
    const file = path.join(work, 'node-key');
    const r = run(['key', 'generate-node-key', '--file', file]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /12D3Koo\w+/);
    assert.ok(fs.statSync(file).size > 0);
  });

  test('export-blocks, import-blocks into a new database, check-block', () => {
    const blocks = path.join(work, 'blocks.bin');
    const exp = run(['export-blocks', '--chain', 'dev', '--base-path', devBase, '--to', '3', blocks]);
    assert.equal(exp.code, 0, exp.out);
    assert.ok(fs.statSync(blocks).size > 0);

    const importBase = path.join(work, 'import');
    const imp = run(['import-blocks', '--chain', 'dev', '--base-path', importBase, blocks]);
    assert.equal(imp.code, 0, imp.out);
    assert.match(imp.out, /Imported \d+ blocks\. Best: #3/);

    const check = run(['check-block', '--chain', 'dev', '--base-path', importBase, '2']);
    assert.equal(check.code, 0, check.out);
  });

  test('revert drops unfinalized blocks and purge-chain deletes the database only', () => {
    const revert = run(['revert', '--chain', 'dev', '--base-path', devBase, '1']);
    assert.equal(revert.code, 0, revert.out);

    const purge = run(['purge-chain', '--chain', 'dev', '--base-path', devBase, '-y']);
    assert.equal(purge.code, 0, purge.out);
    const chainDir = path.join(devBase, 'chains', 'depin_dev');
    assert.ok(!fs.existsSync(path.join(chainDir, 'paritydb')), 'database still there');
    assert.ok(fs.existsSync(path.join(chainDir, 'keystore')), 'keystore removed');
  });
});
