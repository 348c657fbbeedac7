// Proof of coverage end to end: devices sign heartbeats outside polkadot.js's keyring
// (util-crypto Ed25519, and OpenSSL P-256 as a secure element would), post them to the node's
// depin_submitAttestations RPC, the node's off-chain worker lands them in an oracle batch,
// and the scores are read back with polkadot.js: from storage and through the
// ProofOfCoverageApi runtime API (decoded from metadata, no custom types).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import {
  SCHEME, beaconPayload, deviceId, encodeHeartbeat, heartbeatPayload, i16le, isChallenged,
  p256Device, registrationPayload, u32le,
} from '../lib/depin.mjs';
import { DepinNode, connect, rpc, sendAndFinalize, sleep, waitFor } from '../lib/node.mjs';

// Notre-Dame de Paris and the Louvre, H3 resolution 12.
const PARIS = 0x8c1fb46624125ffn;
const LOUVRE = 0x8c1fb4662c745ffn;
const SCORE_UNIT = 1_000_000n;

describe('proof of coverage through depin_submitAttestations', { timeout: 600_000 }, () => {
  let node;
  let api;
  let genesisHash;
  const devices = {};

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('poc', ['--dev']);
    api = await connect(node);
    genesisHash = api.genesisHash.toU8a();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');

    const ed = ed25519PairFromSeed(randomBytes(32));
    devices.ed = {
      scheme: 'Ed25519',
      id: deviceId('Ed25519', ed.publicKey),
      sign: (m) => ed25519Sign(m, ed),
    };
    const p256 = p256Device();
    devices.p256 = { scheme: 'EcdsaP256', id: deviceId('EcdsaP256', p256.publicKey), sign: p256.sign };

    const register = (owner, scheme, publicKey, sign, cell) =>
      sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
        { [scheme]: publicKey }, 'Hotspot', cell,
        { model: 'e2e', firmware: '1', uri: '' },
        { [scheme]: sign(registrationPayload(genesisHash, owner.address, scheme, publicKey)) },
        null,
      ), owner);
    await register(alice, 'Ed25519', ed.publicKey, devices.ed.sign, PARIS);
    await register(bob, 'EcdsaP256', p256.publicKey, devices.p256.sign, LOUVRE);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  /** The current epoch and the slot of the best block, from the node. */
  async function currentSlot() {
    const { epoch } = await rpc(node.rpcPort, 'depin_queueStatus');
    assert.ok(epoch, 'an epoch has started');
    const slot = Math.floor(((epoch.bestBlock - epoch.start) * epoch.slots) / epoch.length);
    return { epoch: epoch.index, slot };
  }

  const heartbeat = (device, epoch, slot) => encodeHeartbeat(
    device.id, epoch, slot, device.scheme, device.sign(heartbeatPayload(genesisHash, device.id, epoch, slot)));

  /** The device's epoch report through the runtime API, or null. */
  async function deviceReport(device, epoch) {
    const result = await api.call.proofOfCoverageApi.deviceReport(device.id, epoch);
    return result.isSome ? result.unwrap() : null;
  }

  async function activity(device, epoch) {
    const record = await api.query.proofOfCoverage.deviceActivity(device.id);
    if (record.isNone) return null;
    const entry = record.unwrap().byParity[epoch % 2];
    if (entry.isNone || entry.unwrap().epoch.toNumber() !== epoch) return null;
    return entry.unwrap();
  }

  test('the dev node is an oracle and reports its epoch', async () => {
    const status = await rpc(node.rpcPort, 'depin_queueStatus');
    assert.equal(status.hasOracleKey, true);
    assert.equal(status.epoch.length, 10);
    assert.equal(status.epoch.slots, 10);
    const oracles = await api.query.proofOfCoverage.oracles.keys();
    assert.equal(oracles.length, 1);
  });

  test('signed heartbeats are queued, landed by the off-chain worker and scored', async () => {
    const { epoch, slot } = await currentSlot();
    const results = await rpc(node.rpcPort, 'depin_submitAttestations', [[
      heartbeat(devices.ed, epoch, slot),
      heartbeat(devices.p256, epoch, slot),
    ]]);
    assert.deepEqual(results, [{ index: 0, queued: true }, { index: 1, queued: true }]);

    for (const device of [devices.ed, devices.p256]) {
      const landed = await waitFor('the heartbeat on chain', () => deviceReport(device, epoch), { timeoutMs: 60_000 });
      assert.equal(landed.heartbeatSlots.toBigInt(), 1n << BigInt(slot));
      assert.equal(landed.score.uptime.toBigInt(), SCORE_UNIT);
      assert.equal(landed.score.coverage.toBigInt(), 0n);
      // Heartbeats write no per-device record: they are bits in pages over device indexes.
      assert.equal((await api.query.proofOfCoverage.deviceActivity(device.id)).isNone, true);
    }
    const totals = await api.query.proofOfCoverage.epochTotals(epoch);
    assert.ok(totals.uptime.toBigInt() >= 2n * SCORE_UNIT);
  });

  test('bad attestations are refused at once with a reason per item', async () => {
    const { epoch, slot } = await currentSlot();
    const good = heartbeat(devices.ed, epoch, slot);
    const forged = encodeHeartbeat(devices.ed.id, epoch, slot, 'Ed25519', new Uint8Array(64).fill(1));
    const stranger = ed25519PairFromSeed(randomBytes(32));
    const strangerId = deviceId('Ed25519', stranger.publicKey);
    const unknown = encodeHeartbeat(strangerId, epoch, slot, 'Ed25519',
      ed25519Sign(heartbeatPayload(genesisHash, strangerId, epoch, slot), stranger));
    const otherChain = encodeHeartbeat(devices.ed.id, epoch, slot, 'Ed25519',
      devices.ed.sign(heartbeatPayload(new Uint8Array(32).fill(7), devices.ed.id, epoch, slot)));
    const oldEpoch = heartbeat(devices.ed, epoch + 5, 0);

    const results = await rpc(node.rpcPort, 'depin_submitAttestations',
      [[good, forged, unknown, otherChain, '0x0102', oldEpoch, good]]);
    assert.deepEqual(results.map((r) => r.error ?? 'queued'), [
      'queued', 'BadSignature', 'UnknownDevice', 'BadSignature',
      results[4].error, 'WrongEpoch', 'AlreadyQueued',
    ]);
    assert.match(results[4].error, /^Malformed/);
    // Sending the same heartbeat again later is refused by the node, before the chain.
    const again = await rpc(node.rpcPort, 'depin_submitAttestations', [[good]]);
    assert.equal(again[0].error, 'AlreadyQueued');
    await waitFor('the good one on chain', async () => {
      const r = await deviceReport(devices.ed, epoch);
      return r && (r.heartbeatSlots.toBigInt() & (1n << BigInt(slot))) !== 0n;
    }, { timeoutMs: 60_000 });
  });

  test('a challenged device beacons, a device 1 km away witnesses it, both score coverage', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const charlie = keyring.addFromUri('//Charlie');
    const dave = keyring.addFromUri('//Dave');
    const newDevice = () => {
      const pair = ed25519PairFromSeed(randomBytes(32));
      const id = deviceId('Ed25519', pair.publicKey);
      const sign = (m) => ed25519Sign(m, pair);
      return { pair, id, sign, scheme: 'Ed25519' };
    };
    const registerAll = (owner, list, cell) => sendAndFinalize(api, api.tx.utility.batchAll(list.map((d) =>
      api.tx.deviceRegistry.registerDevice({ Ed25519: d.pair.publicKey }, 'Hotspot', cell,
        { model: 'e2e', firmware: '1', uri: '' },
        { Ed25519: d.sign(registrationPayload(genesisHash, owner.address, 'Ed25519', d.pair.publicKey)) },
        null))), owner);
    // Eight candidate beaconers (a quarter are challenged each epoch) and one witness.
    const beaconers = Array.from({ length: 8 }, newDevice);
    const witness = newDevice();
    await Promise.all([registerAll(charlie, beaconers, PARIS), registerAll(dave, [witness], LOUVRE)]);

    let found;
    await waitFor('an epoch in which a candidate is challenged, with time left', async () => {
      const { epoch } = await rpc(node.rpcPort, 'depin_queueStatus');
      const randomness = new Uint8Array(Buffer.from(epoch.randomness.slice(2), 'hex'));
      const left = epoch.start + epoch.length - epoch.bestBlock;
      const beaconer = beaconers.find((d) => isChallenged(randomness, d.id, epoch.challengeRate));
      if (beaconer && left >= 4) found = { epoch: epoch.index, randomness, beaconer };
      else await sleep(3000);
      return found;
    }, { timeoutMs: 240_000 });

    const { epoch, randomness, beaconer } = found;
    const payload = beaconer.sign(beaconPayload(genesisHash, beaconer.id, epoch, randomness));
    const signatureField = (sig) => u8aConcat(new Uint8Array([SCHEME.Ed25519]), sig);
    const beacon = u8aToHex(u8aConcat(new Uint8Array([1]), beaconer.id, u32le(epoch), signatureField(payload)));
    // What the witness heard: the payload, at -100 dBm, SNR 5.5 dB, 868.1 MHz.
    const report = u8aConcat(witness.id, beaconer.id, u32le(epoch), signatureField(payload),
      i16le(-100), i16le(55), u32le(868_100));
    const reportSignature = witness.sign(u8aConcat(stringToU8a('depin/witness/v1'), genesisHash, report));
    const witnessed = u8aToHex(u8aConcat(new Uint8Array([2]), report, signatureField(reportSignature)));
    // A witness of a device that was not challenged is refused on chain, not by the node.
    const results = await rpc(node.rpcPort, 'depin_submitAttestations', [[beacon, witnessed]]);
    assert.deepEqual(results, [{ index: 0, queued: true }, { index: 1, queued: true }]);

    const beaconed = await waitFor('the beacon on chain', async () => {
      const a = await activity(beaconer, epoch);
      return a && a.beacon.isSome && a.beacon.unwrap().witnesses.length === 1 && a;
    }, { timeoutMs: 60_000 });
    const record = beaconed.beacon.unwrap();
    assert.equal(record.beaconAccepted.isTrue, true);
    assert.equal(record.witnesses[0].toHex(), u8aToHex(witness.id));
    assert.ok(beaconed.coverage.toBigInt() > 0n);
    const heard = await activity(witness, epoch);
    assert.equal(heard.witnessReports.toNumber(), 1);
    assert.ok(heard.coverage.toBigInt() > 0n);
    // The same through the runtime API.
    const beaconReport = await deviceReport(beaconer, epoch);
    assert.equal(beaconReport.beaconAccepted.isTrue, true);
    assert.equal(beaconReport.beaconWitnesses.toNumber(), 1);
    assert.equal(beaconReport.score.coverage.toBigInt(), beaconed.coverage.toBigInt());
    assert.equal((await deviceReport(witness, epoch)).witnessReports.toNumber(), 1);
  });

  test('a call with too many attestations is refused as a whole', async () => {
    const many = Array.from({ length: 1025 }, () => '0x00');
    await assert.rejects(rpc(node.rpcPort, 'depin_submitAttestations', [many]), /at most 1024/);
  });
});
