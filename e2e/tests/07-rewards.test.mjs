// Rewards end to end: a device heartbeats in epoch e through depin_submitAttestations, the
// epoch closes (the one after next starts), and its owner claims with a transaction signed
// in polkadot.js: the free balance rises by exactly the amount of the RewardsClaimed event
// (a claim that pays is free). A lone device's uptime earns only once governance (sudo on a
// dev chain) turns off `uptimeNeedsCoverage`: before that nobody can hear it, so its
// heartbeats count but earn nothing.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import { deviceId, encodeHeartbeat, heartbeatPayload, registrationPayload, slotAnchor } from '../lib/depin.mjs';
import { DepinNode, connect, rpc, sendAndFinalize, waitFor } from '../lib/node.mjs';

const PARIS = 0x8c1fb46624125ffn;

describe('rewards: attest, epoch closes, claim from polkadot.js', { timeout: 600_000 }, () => {
  let node;
  let api;

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('rewards', ['--dev']);
    api = await connect(node);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  test('a device that attested in epoch e is paid after e closes, exactly the claimed amount', async () => {
    const genesisHash = api.genesisHash.toU8a();
    const owner = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Ferdie');
    const pair = ed25519PairFromSeed(randomBytes(32));
    const id = deviceId('Ed25519', pair.publicKey);
    const sign = (m) => ed25519Sign(m, pair);
    await sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
      { Ed25519: pair.publicKey }, 'Hotspot', PARIS, { model: 'e2e', firmware: '1', uri: '' },
      { Ed25519: sign(registrationPayload(genesisHash, owner.address, 'Ed25519', pair.publicKey)) },
      null,
    ), owner);

    // On a dev chain uptime needs proven coverage: a heartbeat of a device nobody hears
    // counts (heartbeatSlots) but earns nothing (located false, uptime 0).
    const beat = async () => {
      const { epoch: status } = await rpc(node.rpcPort, 'depin_queueStatus');
      const slot = Math.floor(((status.bestBlock - status.start) * status.slots) / status.length);
      const anchor = await slotAnchor(api, status, slot);
      const results = await rpc(node.rpcPort, 'depin_submitAttestations', [[
        encodeHeartbeat(id, status.index, slot, anchor, 'Ed25519', sign(heartbeatPayload(genesisHash, id, status.index, slot, anchor))),
      ]]);
      assert.deepEqual(results, [{ index: 0, queued: true }]);
      let report;
      await waitFor('the heartbeat on chain', async () => {
        report = await api.call.proofOfCoverageApi.deviceReport(id, status.index);
        return report.isSome && report.unwrap().heartbeatSlots.toBigInt() !== 0n;
      }, { timeoutMs: 60_000 });
      return { epoch: status.index, report: report.unwrap() };
    };
    const parameters = (await api.query.proofOfCoverage.parameters()).toJSON();
    assert.equal(parameters.uptimeNeedsCoverage, true);
    const lone = await beat();
    assert.equal(lone.report.located.isTrue, false);
    assert.equal(lone.report.score.uptime.toBigInt(), 0n);

    // Governance turns the rule off; it holds from the next epoch.
    const sudo = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
    await sendAndFinalize(api, api.tx.sudo.sudo(api.tx.proofOfCoverage.setParameters(
      { ...parameters, uptimeNeedsCoverage: false },
    )), sudo);
    const changedIn = (await rpc(node.rpcPort, 'depin_queueStatus')).epoch.index;
    await waitFor('the next epoch', async () =>
      (await rpc(node.rpcPort, 'depin_queueStatus')).epoch.index > changedIn,
    { timeoutMs: 120_000, intervalMs: 2000 });

    // One heartbeat in the current slot of epoch e, bound to the slot's anchor block: it earns.
    const { epoch, report } = await beat();
    assert.equal(report.located.isTrue, true);
    assert.ok(report.score.uptime.toBigInt() > 0n);

    // Epoch e closes when epoch e + 2 starts: its emission is minted and split.
    await waitFor(`epoch ${epoch} closed`, async () => {
      const last = await api.query.rewards.lastClosedEpoch();
      return last.isSome && last.unwrap().toNumber() >= epoch;
    }, { timeoutMs: 240_000, intervalMs: 3000 });
    const pools = (await api.query.rewards.epochRewards(epoch)).unwrap();
    assert.ok(pools.uptime.toBigInt() > 0n, 'the uptime pool of a scored epoch is minted');

    const before = (await api.query.system.account(owner.address)).data.free.toBigInt();
    const { blockHash, events } = await sendAndFinalize(api, api.tx.rewards.claimRewards([id]), owner);
    const claimed = events.find(({ event }) => api.events.rewards.RewardsClaimed.is(event));
    assert.ok(claimed, 'a RewardsClaimed event');
    const { device, owner: paidTo, amount } = claimed.event.data;
    assert.equal(device.toHex(), `0x${Buffer.from(id).toString('hex')}`);
    assert.equal(paidTo.toString(), owner.address);
    assert.ok(amount.toBigInt() > 0n);
    const settled = events.find(({ event }) => api.events.rewards.DeviceSettled.is(event));
    assert.equal(settled.event.data.epoch.toNumber(), epoch);

    const apiAt = await api.at(blockHash);
    const afterClaim = (await apiAt.query.system.account(owner.address)).data.free.toBigInt();
    assert.equal(afterClaim - before, amount.toBigInt());

    // Nothing left: a second claim is refused with a readable error.
    await assert.rejects(
      sendAndFinalize(api, api.tx.rewards.claimRewards([id]), owner),
      /rewards\.NothingToClaim/,
    );
  });
});
