// depin-device end to end: a key made by `key generate` registers from polkadot.js with the
// proof `register-proof` prints; then a small simulated fleet (20 honest devices plus
// forgers, replayers and location spoofers) runs two whole epochs on a dev node. Honest
// devices get attestations accepted and scores and rewards above zero; forged and replayed
// attestations are refused, spoofers earn no coverage.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { DepinNode, connect, rpc, sendAndFinalize, sleep } from '../lib/node.mjs';

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

  test('`register` then `run`: two devices heartbeat every slot and hear each other over the UDP air', async () => {
    const devices = [
      { owner: '//Charlie', location: '48.8530,2.3499', port: 47_811 },
      { owner: '//Ferdie', location: '48.8630,2.3499', port: 47_812 },
    ];
    for (const [i, d] of devices.entries()) {
      d.keyFile = path.join(dir, `run-${i}.json`);
      await run(deviceBinary(), ['key', 'generate', '--scheme', 'ed25519', '--file', d.keyFile]);
      const { stdout } = await run(deviceBinary(), [
        'register', '--key-file', d.keyFile, '--owner-uri', d.owner, '--location', d.location,
        '--node', node.wsUrl,
      ]);
      assert.match(stdout, /Registered:\s+block #\d+/);
      d.id = stdout.match(/Device id:\s+(0x[0-9a-f]+)/)[1];
    }
    // Registering the same key again is refused with the registry's error.
    await assert.rejects(run(deviceBinary(), [
      'register', '--key-file', devices[0].keyFile, '--owner-uri', '//Charlie',
      '--location', devices[0].location, '--node', node.wsUrl,
    ]), /DeviceAlreadyRegistered|failed/);

    const logs = devices.map(() => []);
    const procs = devices.map((d, i) => {
      const peer = devices[1 - i];
      const proc = spawn(deviceBinary(), [
        'run', '--key-file', d.keyFile, '--node', node.wsUrl, '--location', d.location,
        '--air-listen', `127.0.0.1:${d.port}`, '--air-peer', `127.0.0.1:${peer.port}`,
      ]);
      proc.stderr.on('data', (chunk) => logs[i].push(chunk.toString()));
      return proc;
    });
    await sleep(45_000);
    await Promise.all(procs.map((p) => new Promise((resolve) => { p.on('exit', resolve); p.kill('SIGINT'); })));
    for (const [i, log] of logs.entries()) {
      const text = log.join('');
      const queued = (text.match(/heartbeat queued/g) || []).length;
      assert.ok(queued >= 5, `device ${i} queued ${queued} heartbeats:\n${text}`);
      // Whoever was challenged beaconed over the air, and the other device reported it.
      if (/challenged, beacon queued/.test(text)) {
        assert.match(logs[1 - i].join(''), /beacon at \d+ m, -\d+ dBm: witness queued/);
      }
    }
    // The chain counted them: heartbeat bits in the device reports of the last two epochs.
    const { epoch } = await rpc(node.rpcPort, 'depin_queueStatus');
    for (const d of devices) {
      let counted = 0;
      for (const e of [epoch.index - 1, epoch.index]) {
        const report = await api.call.proofOfCoverageApi.deviceReport(d.id, e);
        if (report.isSome) counted += [...report.unwrap().heartbeatSlots.toBigInt().toString(2)].filter((b) => b === '1').length;
      }
      assert.ok(counted >= 3, `${d.id}: ${counted} heartbeats counted`);
    }
  });

  test('a fleet of 20 over two epochs: honest devices scored, forgeries and replays refused', async () => {
    const summary = path.join(dir, 'fleet.json');
    const { stdout } = await run(deviceBinary(), [
      'fleet', '--devices', '20', '--epochs', '2', '--seed', '42',
      '--forgers', '2', '--replayers', '2', '--spoofers', '1', '--flooders', '1', '--downtime', '0',
      '--funder', '//Eve', '--node', node.wsUrl, '--summary-json', summary,
    ], { maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
    assert.match(stdout, /group\s+devices\s+sent/);
    const report = JSON.parse(fs.readFileSync(summary, 'utf8'));
    assert.equal(report.epochsScored.length, 2);
    const { honest, forger, replayer, spoofer, flooder } = report.groups;

    // Honest devices: every heartbeat of two epochs queued, accepted on chain, scored, paid.
    assert.equal(honest.devices, 20);
    // Every honest attestation queued, or refused by the node for a rule the chain would have
    // refused it for anyway (the node now applies every rule state decides, e.g. a witness
    // list already full): never for its signature, its quota or a copy it did not send.
    const honestRefused = Object.values(honest.refusedAtNode ?? {}).reduce((a, b) => a + b, 0);
    assert.equal(honest.queued + honestRefused, honest.sent);
    for (const reason of ['BadSignature', 'QuotaExceeded']) {
      assert.equal(honest.refusedAtNode?.[reason] ?? 0, 0, `honest refused ${reason}`);
    }
    assert.ok(honestRefused * 20 <= honest.sent, `honest refused at the node: ${JSON.stringify(honest.refusedAtNode)}`);
    assert.ok(honest.sent >= 20 * 2 * 10, `${honest.sent} sent`);
    assert.ok(honest.queued - Object.values(honest.rejectedOnChain).reduce((a, b) => a + b, 0) >= 360);
    assert.ok(honest.counted >= 20 * 2 * 9, `${honest.counted} counted`);
    // Their heartbeats earn in the epochs they are located (coverage proven by a reveal).
    assert.ok(honest.located > 0 && honest.uptimeScore > 0, `located ${honest.located}`);
    assert.ok(honest.uptimeScore <= honest.located * 10 * 1_000_000);
    assert.ok(BigInt(honest.rewardsEarned) > 0n);

    // Forgers: every attestation refused by the node, nothing earned: by the native signature
    // check, or before it when the honest device's own heartbeat for that slot is queued or
    // counted already (a forgery never takes the place of the genuine one).
    assert.ok(forger.sent > 0);
    assert.equal(forger.queued, 0);
    assert.equal(Object.values(forger.refusedAtNode).reduce((a, b) => a + b, 0), forger.sent);
    assert.deepEqual(Object.keys(forger.refusedAtNode)
      .filter((r) => !['BadSignature', 'AlreadyQueued', 'Duplicate'].includes(r)), []);
    assert.equal(forger.uptimeScore + forger.coverageScore, 0);

    // The flooder: 65 distinct attestations a slot signed with its own key; its quota (16 a
    // slot) is all that reaches the chain's rules, its junk is refused there, and its queue
    // share is its own heartbeats. Never located, it earns nothing.
    assert.ok(flooder.sent >= 65 * 10, `${flooder.sent} sent`);
    assert.ok(flooder.refusedAtNode.QuotaExceeded > 0, JSON.stringify(flooder.refusedAtNode));
    assert.ok(flooder.queued * 65 <= flooder.sent * 16, `${flooder.queued} of ${flooder.sent} queued`);
    assert.equal(flooder.uptimeScore + flooder.coverageScore, 0);
    assert.equal(BigInt(flooder.rewardsEarned), 0n);

    // Replayers: resent heartbeats refused as already queued; one heartbeat an epoch counts.
    assert.ok(replayer.refusedAtNode.AlreadyQueued > 0);
    // Without a radio they are never located: that heartbeat earns nothing.
    assert.equal(replayer.uptimeScore, 0, `replayers' uptime ${replayer.uptimeScore}`);

    // Spoofers (registered 100 km from where they stand): no coverage score; on chain their
    // reports are refused for distance (or because the beacon's list of reports was full).
    assert.equal(spoofer.coverageScore, 0);
    // Nobody can hear them where they claim to be: their uptime earns nothing either.
    assert.equal(spoofer.located, 0);
    assert.equal(spoofer.uptimeScore, 0);
    assert.deepEqual(Object.keys(spoofer.rejectedOnChain).filter((r) => r !== 'TooFar' && r !== 'WitnessListFull'), []);
  });
});
