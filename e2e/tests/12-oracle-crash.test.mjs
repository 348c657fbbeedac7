// An oracle killed with a batch in its transaction pool, not yet in a block, and restarted on
// its database: the batch's attestations land (issue 18, "nothing lost"). The pool lives in
// memory and dies with the process; the off-chain worker keeps every batch in flight in its
// persistent storage until the chain has landed it, and submits it again after the restart.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import { deviceId, encodeHeartbeat, heartbeatPayload, registrationPayload, slotAnchor } from '../lib/depin.mjs';
import { DepinNode, connect, rpc, sendAndFinalize, waitFor } from '../lib/node.mjs';

const PARIS = 0x8c1fb46624125ffn;

describe('an oracle killed with a batch in its pool lands it after a restart', { timeout: 600_000 }, () => {
  let node;
  let api;
  let genesisHash;
  const devices = [];

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('crash', ['--dev']);
    api = await connect(node);
    genesisHash = api.genesisHash.toU8a();
    const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
    for (let n = 0; n < 3; n += 1) {
      const pair = ed25519PairFromSeed(randomBytes(32));
      const device = { id: deviceId('Ed25519', pair.publicKey), sign: (m) => ed25519Sign(m, pair) };
      await sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
        { Ed25519: pair.publicKey }, 'Hotspot', PARIS,
        { model: 'e2e', firmware: '1', uri: '' },
        { Ed25519: device.sign(registrationPayload(genesisHash, alice.address, 'Ed25519', pair.publicKey)) },
        null,
      ), alice);
      devices.push(device);
    }
    // Heartbeats stay valid 20 blocks after their slot: room for a restart.
    const parameters = (await api.query.proofOfCoverage.parameters()).toJSON();
    await sendAndFinalize(api, api.tx.sudo.sudo(api.tx.proofOfCoverage.setParameters(
      { ...parameters, heartbeatGrace: 20 },
    )), alice);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  test('kill -9 once the batch is in the pool, restart, and the heartbeats are counted', async () => {
    const { epoch: view } = await rpc(node.rpcPort, 'depin_queueStatus');
    const slot = Math.floor(((view.bestBlock - view.start) * view.slots) / view.length);
    const anchor = await slotAnchor(api, view, slot);
    const beats = devices.map((d) => encodeHeartbeat(d.id, view.index, slot, anchor, 'Ed25519',
      d.sign(heartbeatPayload(genesisHash, d.id, view.index, slot, anchor))));
    const results = await rpc(node.rpcPort, 'depin_submitAttestations', [beats]);
    assert.deepEqual(results.map((r) => r.queued), [true, true, true]);

    // The off-chain worker takes the queue at the next block import and submits a batch for
    // the block after: kill the node while the batch waits in the pool.
    await waitFor('the batch in the pool', async () =>
      (await rpc(node.rpcPort, 'author_pendingExtrinsics')).length > 0,
    { timeoutMs: 60_000, intervalMs: 100 });
    const status = await rpc(node.rpcPort, 'depin_queueStatus');
    assert.equal(status.queuedChunks, 0, 'the attestations left the queue for the batch');
    await api.disconnect();
    api = null;
    await node.kill();
    const report = () => api.call.proofOfCoverageApi.deviceReport(devices[0].id, view.index);

    await node.spawn();
    api = await connect(node);
    // Not landed before the kill (the batch was only in the pool) ...
    const before = await report();
    assert.ok(before.isNone || (before.unwrap().heartbeatSlots.toBigInt() & (1n << BigInt(slot))) === 0n);
    // ... and landed after the restart, every one of them.
    await waitFor('the heartbeats counted after the restart', async () => {
      for (const device of devices) {
        const r = await api.call.proofOfCoverageApi.deviceReport(device.id, view.index);
        if (r.isNone || (r.unwrap().heartbeatSlots.toBigInt() & (1n << BigInt(slot))) === 0n) return false;
      }
      return true;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    await waitFor('nothing left in flight', async () =>
      (await rpc(node.rpcPort, 'depin_queueStatus')).inFlightBatches === 0,
    { timeoutMs: 60_000, intervalMs: 1000 });
  });
});
