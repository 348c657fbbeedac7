// depin-device end to end: a key made by `key generate` registers from polkadot.js with the
// proof `register-proof` prints; then a small simulated fleet (20 honest devices plus
// forgers, replayers and location spoofers) runs two whole epochs on a dev node. Honest
// devices get attestations accepted and scores and rewards above zero; forged and replayed
// attestations are refused, spoofers earn no coverage.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { DepinNode, connect, sendAndFinalize } from '../lib/node.mjs';

const run = promisify(execFile);
const PARIS = 0x8c1fb46624125ffn;

/** The depin-device binary next to the node under test. */
function deviceBinary() {
  if (process.env.DEPIN_DEVICE) return process.env.DEPIN_DEVICE;
  const target = process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'depin-target');
  return path.join(target, 'release', 'depin-device');
}

describe('depin-device: keys, registration proof and a simulated fleet', { timeout: 900_000 }, () => {
  let node;
  let api;
  let dir;

  before(async () => {
    await cryptoWaitReady();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depin-e2e-device-'));
    node = await DepinNode.start('fleet', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a P-256 key from `key generate` registers with the proof `register-proof` prints', async () => {
    const keyFile = path.join(dir, 'device.json');
    const { stdout: keyJson } = await run(deviceBinary(), [
      'key', 'generate', '--scheme', 'p256', '--file', keyFile, '--output-type', 'json',
    ]);
    const key = JSON.parse(keyJson);
    assert.equal(key.scheme, 'p256');
    assert.equal(key.secretSeed, undefined, 'the secret went to the file, not to stdout');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);

    const owner = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave');
    const { stdout } = await run(deviceBinary(), [
      'register-proof', '--key-file', keyFile, '--owner', owner.address, '--node', node.wsUrl,
    ]);
    const field = (name) => stdout.match(new RegExp(`${name}:\\s+(0x[0-9a-f]+)`))[1];
    assert.equal(field('Device id'), key.deviceId);
    assert.equal(field('Genesis'), api.genesisHash.toHex());
    // Both are SCALE: the enum variant byte 3 (EcdsaP256), then the bytes.
    const deviceKey = api.createType('DepinPrimitivesDeviceDeviceKey', hexToU8a(field('Device key \\(SCALE\\)')));
    const proof = api.createType('DepinPrimitivesDeviceDeviceSignature', hexToU8a(field('Proof \\(SCALE\\)')));
    assert.ok(deviceKey.isEcdsaP256 && proof.isEcdsaP256);

    const { events } = await sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
      deviceKey, 'Hotspot', PARIS, { model: 'e2e', firmware: '1', uri: '' }, proof, null,
    ), owner);
    const registered = events.find(({ event }) => api.events.deviceRegistry.DeviceRegistered.is(event));
    assert.ok(registered, 'DeviceRegistered');
    assert.equal(registered.event.data.device.toHex(), key.deviceId);
  });

  test('a fleet of 20 over two epochs: honest devices scored, forgeries and replays refused', async () => {
    const summary = path.join(dir, 'fleet.json');
    const { stdout } = await run(deviceBinary(), [
      'fleet', '--devices', '20', '--epochs', '2', '--seed', '42',
      '--forgers', '2', '--replayers', '2', '--spoofers', '1', '--downtime', '0',
      '--funder', '//Eve', '--node', node.wsUrl, '--summary-json', summary,
    ], { maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
    assert.match(stdout, /group\s+devices\s+sent/);
    const report = JSON.parse(fs.readFileSync(summary, 'utf8'));
    assert.equal(report.epochsScored.length, 2);
    const { honest, forger, replayer, spoofer } = report.groups;

    // Honest devices: every heartbeat of two epochs queued, accepted on chain, scored, paid.
    assert.equal(honest.devices, 20);
    assert.equal(honest.queued, honest.sent);
    assert.ok(honest.sent >= 20 * 2 * 10, `${honest.sent} sent`);
    assert.ok(honest.queued - Object.values(honest.rejectedOnChain).reduce((a, b) => a + b, 0) >= 400);
    assert.ok(honest.uptimeScore >= 20 * 2 * 9 * 1_000_000, `uptime ${honest.uptimeScore}`);
    assert.ok(BigInt(honest.rewardsEarned) > 0n);

    // Forgers: every attestation refused by the node's signature check, nothing earned.
    assert.ok(forger.sent > 0);
    assert.equal(forger.queued, 0);
    assert.equal(forger.refusedAtNode.BadSignature, forger.sent);
    assert.equal(forger.uptimeScore + forger.coverageScore, 0);

    // Replayers: resent heartbeats refused as already queued; one heartbeat an epoch counts.
    assert.ok(replayer.refusedAtNode.AlreadyQueued > 0);
    assert.ok(replayer.uptimeScore <= 2 * 2 * 1_000_000, `replayers' uptime ${replayer.uptimeScore}`);

    // Spoofers (registered 100 km from where they stand): no coverage score.
    assert.equal(spoofer.coverageScore, 0);
    assert.equal(Object.keys(spoofer.rejectedOnChain).filter((r) => r !== 'TooFar' && r !== 'WitnessCapReached').length, 0);
  });
});
