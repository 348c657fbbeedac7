// Proof of coverage end to end: devices sign heartbeats outside polkadot.js's keyring
// (util-crypto Ed25519, and OpenSSL P-256 as a secure element would), bound to their slot's
// anchor block, post them to the node's depin_submitAttestations RPC, the node's off-chain
// worker lands them in an oracle batch, and the scores are read back with polkadot.js: from
// storage and through the ProofOfCoverageApi runtime API (decoded from metadata, no custom
// types). A challenged device then runs the commit–reveal beacon protocol with an honest
// witness and a witness farmer that copies the honest report.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import {
  beaconCommitment, beaconPayload, deviceId, encodeBeacon, encodeHeartbeat, encodeReveal,
  encodeWitness, heartbeatPayload, isChallenged, p256Device, registrationPayload, slotAnchor,
  witnessPayload, witnessTag,
} from '../lib/depin.mjs';
import { DepinNode, connect, rpc, sendAndFinalize, sleep, waitFor } from '../lib/node.mjs';

// Notre-Dame de Paris and the Louvre, H3 resolution 12.
const PARIS = 0x8c1fb46624125ffn;
const LOUVRE = 0x8c1fb4662c745ffn;
const SCORE_UNIT = 1_000_000n;

describe('proof of coverage through depin_submitAttestations', { timeout: 900_000 }, () => {
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

  /** The current epoch as depin_queueStatus shows it, its index and the slot of the best block. */
  async function currentSlot() {
    const { epoch } = await rpc(node.rpcPort, 'depin_queueStatus');
    assert.ok(epoch, 'an epoch has started');
    const slot = Math.floor(((epoch.bestBlock - epoch.start) * epoch.slots) / epoch.length);
    return { view: epoch, epoch: epoch.index, slot };
  }

  /** `device`'s heartbeat for `slot` of `epoch`, bound to `anchor`, signed for `genesis`. */
  const heartbeat = (device, epoch, slot, anchor, genesis = genesisHash) => encodeHeartbeat(
    device.id, epoch, slot, anchor, device.scheme,
    device.sign(heartbeatPayload(genesis, device.id, epoch, slot, anchor)));

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

  /** A hex attestation decoded with the runtime's own `SignedAttestation` type, from metadata. */
  function decodeAttestation(hex) {
    const entry = api.registry.lookup.types.find(({ type }) =>
      type.path[0]?.toString() === 'depin_primitives' && type.path.join('::').endsWith('::SignedAttestation'));
    assert.ok(entry, 'SignedAttestation is in the metadata');
    const decoded = api.createType(api.registry.createLookupType(entry.id), hexToU8a(hex));
    assert.equal(u8aToHex(decoded.toU8a()), hex, 'the runtime type re-encodes the same bytes');
    return decoded;
  }

  /**
   * The proof-of-coverage events of every block from `from` on, read block by block: each call
   * reads the blocks authored since the last and returns all the events seen so far.
   */
  function eventLog(from) {
    let next = from;
    const seen = [];
    return async () => {
      const best = (await api.rpc.chain.getHeader()).number.toNumber();
      for (; next <= best; next += 1) {
        const hash = await api.rpc.chain.getBlockHash(next);
        for (const { event } of await api.query.system.events.at(hash)) {
          if (event.section === 'proofOfCoverage' || event.section === 'deviceRegistry') seen.push(event);
        }
      }
      return seen;
    };
  }

  test('the dev node is an oracle and reports its epoch and windows', async () => {
    const status = await rpc(node.rpcPort, 'depin_queueStatus');
    assert.equal(status.hasOracleKey, true);
    assert.equal(status.epoch.length, 10);
    assert.equal(status.epoch.slots, 10);
    assert.equal(status.epoch.witnessGrace, 3);
    assert.ok(status.epoch.finalizedBlock <= status.epoch.bestBlock);
    assert.equal(status.epoch.challengeRate, 250_000_000);
    const oracles = await api.query.proofOfCoverage.oracles.keys();
    assert.equal(oracles.length, 1);
    const parameters = await api.query.proofOfCoverage.parameters();
    assert.equal(parameters.heartbeatGrace.toNumber(), 5);
    assert.equal(parameters.witnessGrace.toNumber(), 3);
    assert.equal(parameters.maxWitnessesPerBeacon.toNumber(), 14);
    assert.equal(parameters.maxWitnessCandidates.toNumber(), 20);
    assert.equal(parameters.invalidTagBarEpochs.toNumber(), 24);
  });

  test('signed heartbeats are queued, landed by the off-chain worker and counted', async () => {
    const { view, epoch, slot } = await currentSlot();
    // The slot's anchor is the hash of the block before the slot's first block (one block per slot).
    const anchor = await slotAnchor(api, view, slot);
    assert.equal(u8aToHex(anchor), await rpc(node.rpcPort, 'chain_getBlockHash', [view.start + slot - 1]));
    assert.deepEqual(await slotAnchor(node.rpcPort, view, slot), anchor);
    const beats = [heartbeat(devices.ed, epoch, slot, anchor), heartbeat(devices.p256, epoch, slot, anchor)];
    // Variant, device, epoch, slot, anchor, scheme byte and a 64-byte signature (Ed25519, P-256 r‖s).
    for (const beat of beats) assert.equal(hexToU8a(beat).length, 136);
    const decoded = decodeAttestation(beats[0]);
    assert.ok(decoded.isHeartbeat);
    assert.equal(decoded.asHeartbeat.heartbeat.anchor.toHex(), u8aToHex(anchor));
    assert.equal(decoded.asHeartbeat.heartbeat.slot.toNumber(), slot);
    assert.equal(decoded.asHeartbeat.signature.isEd25519, true);
    assert.equal(decodeAttestation(beats[1]).asHeartbeat.signature.isEcdsaP256, true);

    const results = await rpc(node.rpcPort, 'depin_submitAttestations', [beats]);
    assert.deepEqual(results, [{ index: 0, queued: true }, { index: 1, queued: true }]);

    for (const device of [devices.ed, devices.p256]) {
      const landed = await waitFor('the heartbeat on chain', () => deviceReport(device, epoch), { timeoutMs: 60_000 });
      assert.equal(landed.heartbeatSlots.toBigInt(), 1n << BigInt(slot));
      // Counted, not earning: nobody has witnessed these devices, so they are not located
      // (uptimeNeedsCoverage) and their heartbeats earn no uptime unless coverage comes in.
      assert.equal(landed.located.isTrue, false);
      assert.equal(landed.score.uptime.toBigInt(), 0n);
      assert.equal(landed.score.coverage.toBigInt(), 0n);
      // Heartbeats write no per-device record: they are bits in pages over device indexes.
      assert.equal((await api.query.proofOfCoverage.deviceActivity(device.id)).isNone, true);
    }
  });

  test('bad attestations are refused at once with a reason per item', async () => {
    const { view, epoch, slot } = await currentSlot();
    const anchor = await slotAnchor(api, view, slot);
    const good = heartbeat(devices.ed, epoch, slot, anchor);
    const forged = encodeHeartbeat(devices.ed.id, epoch, slot, anchor, 'Ed25519', new Uint8Array(64).fill(1));
    const stranger = ed25519PairFromSeed(randomBytes(32));
    const strangerId = deviceId('Ed25519', stranger.publicKey);
    const unknown = encodeHeartbeat(strangerId, epoch, slot, anchor, 'Ed25519',
      ed25519Sign(heartbeatPayload(genesisHash, strangerId, epoch, slot, anchor), stranger));
    const otherChain = heartbeat(devices.ed, epoch, slot, anchor, new Uint8Array(32).fill(7));
    const oldEpoch = heartbeat(devices.ed, epoch + 5, 0, anchor);
    // Pre-signed: made before the slot's anchor block existed, so with a guessed anchor (zeros).
    const presigned = heartbeat(devices.p256, epoch, slot, new Uint8Array(32));

    const results = await rpc(node.rpcPort, 'depin_submitAttestations',
      [[good, forged, unknown, otherChain, '0x0102', oldEpoch, presigned, good]]);
    assert.deepEqual(results.map((r) => r.error ?? 'queued'), [
      'queued', 'BadSignature', 'UnknownDevice', 'BadSignature',
      results[4].error, 'WrongEpoch', 'WrongSlotAnchor', 'AlreadyQueued',
    ]);
    assert.match(results[4].error, /^Malformed/);
    // Sending the same heartbeat again later is refused by the node, before the chain.
    const again = await rpc(node.rpcPort, 'depin_submitAttestations', [[good]]);
    assert.equal(again[0].error, 'AlreadyQueued');
    // A heartbeat several slots ahead cannot even be made: its anchor block does not exist yet.
    await assert.rejects(slotAnchor(api, view, slot + 5), /not authored yet/);
    await waitFor('the good one on chain', async () => {
      const r = await deviceReport(devices.ed, epoch);
      return r && (r.heartbeatSlots.toBigInt() & (1n << BigInt(slot))) !== 0n;
    }, { timeoutMs: 60_000 });
  });

  test('commit–reveal: a challenged beacon and its witness 1 km away score; a witness farmer is caught', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const charlie = keyring.addFromUri('//Charlie');
    const dave = keyring.addFromUri('//Dave');
    const eve = keyring.addFromUri('//Eve');
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
    // Eight candidate beaconers of Charlie's (a quarter are challenged each epoch) in Paris; at
    // the Louvre, Dave's honest witness and Eve's witness farmer.
    const beaconers = Array.from({ length: 8 }, newDevice);
    const witness = newDevice();
    const farmer = newDevice();
    await Promise.all([
      registerAll(charlie, beaconers, PARIS),
      registerAll(dave, [witness], LOUVRE),
      registerAll(eve, [farmer], LOUVRE),
    ]);

    // Beacon, two witness reports one after the other (~6 blocks) before the witness window
    // (the epoch and 3 blocks of the next) closes.
    let found;
    await waitFor('an epoch in which a candidate is challenged, with 7 blocks left', async () => {
      const { epoch } = await rpc(node.rpcPort, 'depin_queueStatus');
      const randomness = hexToU8a(epoch.randomness);
      const left = epoch.start + epoch.length - epoch.bestBlock;
      const beaconer = beaconers.find((d) => isChallenged(randomness, d.id, epoch.challengeRate));
      if (beaconer && left >= 7) found = { view: epoch, randomness, beaconer };
      else await sleep(2000);
      return found;
    }, { timeoutMs: 240_000 });
    const { view, randomness, beaconer } = found;
    const epoch = view.index;
    // The chain agrees it is challenged (the JS draw is the chain's).
    assert.equal(await rpc(node.rpcPort, 'depin_isChallenged', [u8aToHex(beaconer.id), epoch]), true);
    const events = eventLog(view.bestBlock);

    // The beaconer's secret, sent over the air only; on chain, its signed commitment.
    const secret = new Uint8Array(randomBytes(32));
    const commitment = beaconCommitment(genesisHash, beaconer.id, epoch, secret);
    const beacon = encodeBeacon(beaconer.id, epoch, commitment, 'Ed25519',
      beaconer.sign(beaconPayload(genesisHash, beaconer.id, epoch, commitment, randomness)));
    // A witness report of the secret heard at -100 dBm, SNR 5.5 dB, 868.1 MHz: the commitment
    // the witness computes from the secret, and a tag.
    const report = (device, tag) => encodeWitness(device.id, beaconer.id, epoch, commitment, tag, -100, 55, 868_100,
      'Ed25519', device.sign(witnessPayload(genesisHash, device.id, beaconer.id, epoch, commitment, tag, -100, 55, 868_100)));
    const honestTag = witnessTag(secret, witness.id);
    const witnessed = report(witness, honestTag);
    const reveal = encodeReveal(beaconer.id, epoch, secret);

    // The encodings, checked against the runtime's types.
    assert.equal(witnessPayload(genesisHash, witness.id, beaconer.id, epoch, commitment, honestTag, -100, 55, 868_100).length, 188);
    assert.equal(beaconPayload(genesisHash, beaconer.id, epoch, commitment, randomness).length, 147);
    assert.deepEqual([beacon, witnessed, reveal].map((a) => hexToU8a(a).length), [134, 206, 69]);
    assert.equal(decodeAttestation(beacon).asBeacon.beacon.commitment.toHex(), u8aToHex(commitment));
    const decodedReport = decodeAttestation(witnessed).asWitness.report;
    assert.equal(decodedReport.tag.toHex(), u8aToHex(honestTag));
    assert.equal(decodedReport.rssiDbm.toNumber(), -100);
    assert.equal(decodedReport.snrDecibelsX10.toNumber(), 55);
    assert.equal(decodedReport.frequencyKhz.toNumber(), 868_100);
    assert.equal(decodeAttestation(reveal).asReveal.secret.toHex(), u8aToHex(secret));

    // Commitment and report sent together: the node holds no report of a beacon whose
    // commitment is not on chain yet.
    const first = await rpc(node.rpcPort, 'depin_submitAttestations', [[beacon, witnessed]]);
    assert.deepEqual(first.map((r) => r.error ?? 'queued'), ['queued', 'BeaconNotCommitted']);
    // The witness sends its report again until the commitment has landed.
    const sent = await waitFor('the witness report queued once the commitment landed', async () => {
      const [result] = await rpc(node.rpcPort, 'depin_submitAttestations', [[witnessed]]);
      return result.error === 'BeaconNotCommitted' ? null : result;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(sent, { index: 0, queued: true });
    const committed = (await api.query.proofOfCoverage.beacons(epoch, beaconer.id)).unwrap();
    assert.equal(committed.commitment.toHex(), u8aToHex(commitment));
    assert.equal(committed.revealed.isTrue, false);

    // The secret may not be revealed while reports can still land: the node refuses it.
    const early = await rpc(node.rpcPort, 'depin_submitAttestations', [[reveal]]);
    assert.deepEqual(early.map((r) => r.error ?? 'queued'), ['RevealTooEarly']);

    const held = await waitFor('the witness report held with the beacon', async () => {
      const state = (await api.query.proofOfCoverage.beacons(epoch, beaconer.id)).unwrap();
      return state.candidates.length >= 1 && state;
    }, { timeoutMs: 60_000 });
    assert.equal(held.candidates.length, 1);
    assert.equal(held.candidates[0].witness.toHex(), u8aToHex(witness.id));
    assert.equal(held.candidates[0].tag.toHex(), u8aToHex(honestTag));
    // Nothing is credited before the reveal.
    const uncredited = await deviceReport(witness, epoch);
    assert.ok(uncredited === null
      || (uncredited.witnessReports.toNumber() === 0 && uncredited.score.coverage.toBigInt() === 0n));

    // The witness farmer never heard the secret: it copies the commitment and the honest tag
    // from the chain and signs them as its own report. Its commitment is right: accepted.
    const copiedTag = held.candidates[0].tag.toU8a();
    const farmed = await rpc(node.rpcPort, 'depin_submitAttestations', [[report(farmer, copiedTag)]]);
    assert.deepEqual(farmed, [{ index: 0, queued: true }]);
    const heldBoth = await waitFor('the farmed report held too', async () => {
      const state = (await api.query.proofOfCoverage.beacons(epoch, beaconer.id)).unwrap();
      return state.candidates.length >= 2 && state;
    }, { timeoutMs: 60_000 });
    assert.deepEqual(heldBoth.candidates.map((c) => c.witness.toHex()), [u8aToHex(witness.id), u8aToHex(farmer.id)]);

    // The reveal window: from block start(e + 1) + witnessGrace to the end of e + 1.
    const window = await waitFor(`the reveal window of epoch ${epoch}`, async () => {
      const { epoch: now } = await rpc(node.rpcPort, 'depin_queueStatus');
      if (now.index > epoch + 1) throw new Error(`epoch ${now.index} already: the reveal window of ${epoch} was missed`);
      // The node queues a reveal once its finalized block is past the witness window.
      return now.index === epoch + 1 && now.finalizedBlock >= now.start + now.witnessGrace && now;
    }, { timeoutMs: 120_000 });
    assert.equal(window.witnessGrace, 3);
    const wrong = encodeReveal(beaconer.id, epoch, new Uint8Array(32).fill(1));
    const revealed = await rpc(node.rpcPort, 'depin_submitAttestations', [[wrong, reveal]]);
    assert.deepEqual(revealed.map((r) => r.error ?? 'queued'), ['InvalidReveal', 'queued']);

    const isOurs = (id) => [beaconer, witness, farmer].some((d) => id.toHex() === u8aToHex(d.id));
    const revealEvent = await waitFor('BeaconRevealed', async () => (await events()).find((event) =>
      api.events.proofOfCoverage.BeaconRevealed.is(event) && event.data.device.toHex() === u8aToHex(beaconer.id)),
    { timeoutMs: 60_000 });
    assert.equal(revealEvent.data.epoch.toNumber(), epoch);
    assert.equal(revealEvent.data.witnesses.toNumber(), 1);
    assert.equal(revealEvent.data.invalidTags.toNumber(), 1);
    const seen = await events();
    // Every attestation of the three devices was accepted when it landed.
    const rejected = seen.filter((event) =>
      api.events.proofOfCoverage.AttestationRejected.is(event) && isOurs(event.data.device));
    assert.deepEqual(rejected.map((event) => event.data.reason.toString()), []);
    // The farmer's copied tag failed at the reveal: it is barred from witnessing.
    const invalid = seen.filter((event) => api.events.proofOfCoverage.WitnessTagInvalid.is(event));
    assert.equal(invalid.length, 1);
    const { witness: caught, beaconer: claimed, epoch: of, barredUntil } = invalid[0].data;
    assert.equal(caught.toHex(), u8aToHex(farmer.id));
    assert.equal(claimed.toHex(), u8aToHex(beaconer.id));
    assert.equal(of.toNumber(), epoch);
    const { invalidTagBarEpochs } = await api.query.proofOfCoverage.parameters();
    // Revealed in epoch e + 1: barred until e + 1 + invalidTagBarEpochs + 1.
    assert.equal(barredUntil.toNumber(), epoch + 2 + invalidTagBarEpochs.toNumber());
    assert.equal((await api.query.proofOfCoverage.witnessBars(farmer.id)).unwrap().toNumber(), barredUntil.toNumber());
    // ... and the junk tag cost it invalidTagSlash of its bond, sent to the treasury.
    const { invalidTagSlash } = await api.query.proofOfCoverage.parameters();
    assert.equal(invalid[0].data.slashed.toNumber(), invalidTagSlash.toNumber());
    const slash = seen.find((event) => api.events.deviceRegistry.DeviceSlashed.is(event)
      && event.data.device.toHex() === u8aToHex(farmer.id));
    assert.ok(slash, 'a DeviceSlashed event for the farmer');
    const { deviceBond } = await api.query.deviceRegistry.parameters();
    const expected = (deviceBond.toBigInt() * invalidTagSlash.toBigInt()) / 1_000_000_000n;
    assert.equal(slash.data.amount.toBigInt(), expected);
    const farmerRecord = (await api.query.deviceRegistry.devices(farmer.id)).unwrap();
    assert.equal(farmerRecord.bond.toBigInt(), deviceBond.toBigInt() - expected);

    // The beacon is judged: revealed, one witness credited, no report held any more.
    const judged = (await api.query.proofOfCoverage.beacons(epoch, beaconer.id)).unwrap();
    assert.equal(judged.revealed.isTrue, true);
    assert.equal(judged.witnesses.toNumber(), 1);
    assert.equal(judged.candidates.length, 0);
    // Beaconer and honest witness scored coverage, in storage and through the runtime API.
    const beaconReport = await deviceReport(beaconer, epoch);
    assert.equal(beaconReport.beaconAccepted.isTrue, true);
    // The reveal located it: its heartbeats of this epoch and the next earn uptime.
    assert.equal(beaconReport.located.isTrue, true);
    assert.equal(beaconReport.beaconWitnesses.toNumber(), 1);
    assert.ok(beaconReport.score.coverage.toBigInt() > 0n);
    assert.equal((await activity(beaconer, epoch)).coverage.toBigInt(), beaconReport.score.coverage.toBigInt());
    const heardReport = await deviceReport(witness, epoch);
    assert.equal(heardReport.witnessReports.toNumber(), 1);
    assert.ok(heardReport.score.coverage.toBigInt() > 0n);
    const heard = await activity(witness, epoch);
    assert.equal(heard.witnessReports.toNumber(), 1);
    assert.equal(heard.coverage.toBigInt(), heardReport.score.coverage.toBigInt());
    // The farmer: nothing.
    const farmerReport = await deviceReport(farmer, epoch);
    assert.ok(farmerReport === null
      || (farmerReport.witnessReports.toNumber() === 0 && farmerReport.score.coverage.toBigInt() === 0n));
    assert.equal(await activity(farmer, epoch), null);
    // The same through depin_deviceScore.
    const score = (device) => rpc(node.rpcPort, 'depin_deviceScore', [u8aToHex(device.id), epoch]);
    const beaconScore = await score(beaconer);
    assert.equal(beaconScore.beaconAccepted, true);
    assert.equal(beaconScore.beaconWitnesses, 1);
    assert.equal(BigInt(beaconScore.coverage), beaconReport.score.coverage.toBigInt());
    assert.equal(beaconScore.located, true);
    const witnessScore = await score(witness);
    assert.equal(witnessScore.witnessReports, 1);
    assert.equal(witnessScore.located, true);
    assert.equal(BigInt(witnessScore.coverage), heardReport.score.coverage.toBigInt());
    const farmerScore = await score(farmer);
    assert.ok(farmerScore === null
      || (farmerScore.coverage === 0 && farmerScore.witnessReports === 0 && farmerScore.located === false));
    const totals = await api.query.proofOfCoverage.epochTotals(epoch);
    assert.ok(totals.coverage.toBigInt() >= beaconReport.score.coverage.toBigInt() + heardReport.score.coverage.toBigInt());
  });

  test('a call with too many attestations is refused as a whole', async () => {
    const many = Array.from({ length: 1025 }, () => '0x00');
    await assert.rejects(rpc(node.rpcPort, 'depin_submitAttestations', [many]), /at most 1024/);
  });
});
