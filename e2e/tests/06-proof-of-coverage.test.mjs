// Proof of coverage end to end: devices sign heartbeats outside polkadot.js's keyring
// (util-crypto Ed25519, and OpenSSL P-256 as a secure element would), post them to the node's
// depin_submitAttestations RPC, the node's off-chain worker lands them in an oracle batch,
// and the scores are read back from chain storage with polkadot.js.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign as opensslSign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import {
  blake2AsU8a,
  cryptoWaitReady,
  decodeAddress,
  ed25519PairFromSeed,
  ed25519Sign,
} from '@polkadot/util-crypto';

import { DepinNode, connect, rpc, sendAndFinalize, waitFor } from '../lib/node.mjs';

// Notre-Dame de Paris and the Louvre, H3 resolution 12.
const PARIS = 0x8c1fb46624125ffn;
const LOUVRE = 0x8c1fb4662c745ffn;
const SCHEME = { Ed25519: 0, Sr25519: 1, EcdsaSecp256k1: 2, EcdsaP256: 3 };
const SCORE_UNIT = 1_000_000n;

const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const u16le = (n) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, n, true); return b; };

function registrationPayload(genesisHash, ownerAddress, scheme, publicKey) {
  return u8aConcat(stringToU8a('depin/register/v1'), genesisHash, decodeAddress(ownerAddress),
    new Uint8Array([SCHEME[scheme]]), publicKey);
}

const deviceId = (scheme, publicKey) =>
  blake2AsU8a(u8aConcat(new Uint8Array([SCHEME[scheme]]), publicKey), 256);

/** The bytes a device signs for a heartbeat (docs/proof-of-coverage.md). */
const heartbeatPayload = (genesisHash, id, epoch, slot) =>
  u8aConcat(stringToU8a('depin/heartbeat/v1'), genesisHash, id, u32le(epoch), u16le(slot));

/** SCALE of `SignedAttestation::Heartbeat`: variant 0, device, epoch, slot, signature. */
const encodeHeartbeat = (id, epoch, slot, scheme, signature) =>
  u8aToHex(u8aConcat(new Uint8Array([0]), id, u32le(epoch), u16le(slot),
    new Uint8Array([SCHEME[scheme]]), signature));

function p256Device() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const point = spki.subarray(spki.length - 65);
  const compressed = u8aConcat(new Uint8Array([point[64] & 1 ? 3 : 2]), point.subarray(1, 33));
  const sign = (message) =>
    new Uint8Array(opensslSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
  return { publicKey: compressed, sign };
}

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
      const landed = await waitFor('the heartbeat on chain', () => activity(device, epoch), { timeoutMs: 60_000 });
      assert.equal(landed.heartbeatSlots.toBigInt(), 1n << BigInt(slot));
      assert.ok(landed.score.uptime.toBigInt() > 0n);
      assert.ok(landed.score.uptime.toBigInt() <= SCORE_UNIT);
    }
    const totals = await api.query.proofOfCoverage.epochTotals(epoch);
    assert.ok(totals.uptime.toBigInt() >= 2n * SCORE_UNIT / 10n);
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
      const a = await activity(devices.ed, epoch);
      return a && (a.heartbeatSlots.toBigInt() & (1n << BigInt(slot))) !== 0n;
    }, { timeoutMs: 60_000 });
  });

  test('a call with too many attestations is refused as a whole', async () => {
    const many = Array.from({ length: 1025 }, () => '0x00');
    await assert.rejects(rpc(node.rpcPort, 'depin_submitAttestations', [many]), /at most 1024/);
  });
});
