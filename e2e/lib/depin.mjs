// What devices sign and send, byte for byte as docs/proof-of-coverage.md and
// docs/devices.md define it: shared by the end-to-end tests.

import { generateKeyPairSync, sign as opensslSign } from 'node:crypto';

import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

import { rpc } from './node.mjs';

export const SCHEME = { Ed25519: 0, Sr25519: 1, EcdsaSecp256k1: 2, EcdsaP256: 3 };

export const i16le = (n) => { const b = new Uint8Array(2); new DataView(b.buffer).setInt16(0, n, true); return b; };
export const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
export const u16le = (n) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, n, true); return b; };

/**
 * The bytes a device key signs to register for `ownerAddress` (docs/devices.md):
 * `"depin/register/v2" ‖ genesis ‖ owner ‖ SCALE(key) ‖ registrations (u32 LE)`, where
 * `registrations` is the key's counter `deviceRegistry.keyRegistrations(deviceId)` (0 for a
 * key never registered): a proof is good for one registration only.
 */
export function registrationPayload(genesisHash, ownerAddress, scheme, publicKey, registrations = 0) {
  return u8aConcat(stringToU8a('depin/register/v2'), genesisHash, decodeAddress(ownerAddress),
    new Uint8Array([SCHEME[scheme]]), publicKey, u32le(registrations));
}

export const deviceId = (scheme, publicKey) =>
  blake2AsU8a(u8aConcat(new Uint8Array([SCHEME[scheme]]), publicKey), 256);

/** A signature as SCALE carries it: the scheme byte, then the signature's bytes. */
const signatureField = (scheme, signature) => u8aConcat(new Uint8Array([SCHEME[scheme]]), signature);

/** A block number from a JSON number or a polkadot.js integer codec. */
const toNumber = (v) => (typeof v?.toNumber === 'function' ? v.toNumber() : Number(v));

/**
 * A heartbeat's slot anchor (docs/proof-of-coverage.md): the hash of block
 * `start + ⌊length·slot/slots⌋ − 1`, the block just before the slot's first one, asked with
 * `chain_getBlockHash`. `node` is a polkadot.js `ApiPromise` or a node's RPC port; `epoch` is
 * the epoch as `depin_queueStatus().epoch`, `depin_currentEpoch` or
 * `api.query.proofOfCoverage.currentEpoch()` gives it (`start`, `length`, `slots`). Throws
 * while that block is not authored: until then nobody knows the anchor, so nobody can sign
 * the slot's heartbeat. A slot starting at block 0 has no block before it (the chain checks
 * no anchor): 32 zero bytes.
 */
export async function slotAnchor(node, epoch, slot) {
  const start = toNumber(epoch.start);
  const length = toNumber(epoch.length);
  const slots = toNumber(epoch.slots);
  const block = start + Math.floor((length * slot) / slots) - 1;
  if (block < 0) return new Uint8Array(32);
  const hash = typeof node === 'number'
    ? await rpc(node, 'chain_getBlockHash', [block])
    : (await node.rpc.chain.getBlockHash(block)).toHex();
  if (!hash || /^0x0*$/.test(hash)) {
    throw new Error(`block ${block}, the anchor of slot ${slot} of epoch ${epoch.index}, is not authored yet`);
  }
  return hexToU8a(hash);
}

/**
 * The bytes a device signs for a heartbeat (docs/proof-of-coverage.md), 120 bytes:
 * `"depin/heartbeat/v2" ‖ genesis ‖ device ‖ epoch (u32 LE) ‖ slot (u16 LE) ‖ anchor`, where
 * `anchor` is the slot's anchor ({@link slotAnchor}).
 */
export const heartbeatPayload = (genesisHash, id, epoch, slot, anchor) =>
  u8aConcat(stringToU8a('depin/heartbeat/v2'), genesisHash, id, u32le(epoch), u16le(slot), anchor);

/**
 * SCALE of `SignedAttestation::Heartbeat`: variant 0, device, epoch, slot, anchor, scheme
 * byte, signature (136 bytes with Ed25519).
 */
export const encodeHeartbeat = (id, epoch, slot, anchor, scheme, signature) =>
  u8aToHex(u8aConcat(new Uint8Array([0]), id, u32le(epoch), u16le(slot), anchor,
    signatureField(scheme, signature)));

/**
 * A beacon's commitment to its secret (docs/proof-of-coverage.md):
 * `blake2_256("depin/beacon-commitment/v2" ‖ genesis ‖ beaconer ‖ epoch (u32 LE) ‖ secret)`.
 * The 32-byte secret goes over the air only; the chain holds the commitment, and a witness
 * recomputes it from the secret it heard.
 */
export const beaconCommitment = (genesisHash, id, epoch, secret) =>
  blake2AsU8a(u8aConcat(stringToU8a('depin/beacon-commitment/v2'), genesisHash, id, u32le(epoch), secret), 256);

/**
 * The bytes a challenged device signs to publish its beacon's commitment
 * (docs/proof-of-coverage.md), 147 bytes:
 * `"depin/beacon/v2" ‖ genesis ‖ device ‖ epoch (u32 LE) ‖ commitment ‖ epoch randomness`.
 */
export const beaconPayload = (genesisHash, id, epoch, commitment, randomness) =>
  u8aConcat(stringToU8a('depin/beacon/v2'), genesisHash, id, u32le(epoch), commitment, randomness);

/**
 * SCALE of `SignedAttestation::Beacon`: variant 1, device, epoch, commitment, scheme byte,
 * signature (134 bytes with Ed25519).
 */
export const encodeBeacon = (id, epoch, commitment, scheme, signature) =>
  u8aToHex(u8aConcat(new Uint8Array([1]), id, u32le(epoch), commitment, signatureField(scheme, signature)));

/**
 * A witness's tag (docs/proof-of-coverage.md): `blake2_256("depin/witness-tag/v2" ‖ secret ‖
 * witness)`. Only a device that heard the secret can make it before the reveal, and it names
 * the witness: copied into another device's report, it fails at the reveal.
 */
export const witnessTag = (secret, witnessId) =>
  blake2AsU8a(u8aConcat(stringToU8a('depin/witness-tag/v2'), secret, witnessId), 256);

/** A witness report's fields after the two device ids, as signed and as encoded. */
const reportBody = (epoch, commitment, tag, rssi, snr, freqKhz) =>
  u8aConcat(u32le(epoch), commitment, tag, i16le(rssi), i16le(snr), u32le(freqKhz));

/**
 * The bytes a witness signs (docs/proof-of-coverage.md), 188 bytes:
 * `"depin/witness/v2" ‖ genesis ‖ witness ‖ beaconer ‖ epoch (u32 LE) ‖ commitment ‖ tag ‖
 * rssi dBm (i16 LE) ‖ SNR in tenths of a dB (i16 LE) ‖ frequency kHz (u32 LE)`.
 */
export const witnessPayload = (genesisHash, witness, beaconer, epoch, commitment, tag, rssi, snr, freqKhz) =>
  u8aConcat(stringToU8a('depin/witness/v2'), genesisHash, witness, beaconer,
    reportBody(epoch, commitment, tag, rssi, snr, freqKhz));

/**
 * SCALE of `SignedAttestation::Witness`: variant 2, witness, beaconer, epoch, commitment, tag,
 * rssi, snr, frequency, scheme byte, signature (206 bytes with Ed25519).
 */
export const encodeWitness = (witness, beaconer, epoch, commitment, tag, rssi, snr, freqKhz, scheme, signature) =>
  u8aToHex(u8aConcat(new Uint8Array([2]), witness, beaconer,
    reportBody(epoch, commitment, tag, rssi, snr, freqKhz), signatureField(scheme, signature)));

/**
 * SCALE of `SignedAttestation::Reveal`: variant 3, device, epoch, secret (69 bytes). Not
 * signed: the chain checks the secret against the beacon's signed commitment. Accepted only
 * after the epoch's witness window (from block `start(epoch + 1) + witnessGrace`).
 */
export const encodeReveal = (id, epoch, secret) =>
  u8aToHex(u8aConcat(new Uint8Array([3]), id, u32le(epoch), secret));

/** Whether `id` is challenged in an epoch: blake2(randomness ‖ id), first 4 bytes LE, below the rate. */
export function isChallenged(randomness, id, ratePerBillion) {
  const hash = blake2AsU8a(u8aConcat(randomness, id), 256);
  const draw = BigInt(new DataView(hash.buffer, hash.byteOffset).getUint32(0, true));
  return draw * 1_000_000_000n < BigInt(ratePerBillion) << 32n;
}

export function p256Device() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const point = spki.subarray(spki.length - 65);
  const compressed = u8aConcat(new Uint8Array([point[64] & 1 ? 3 : 2]), point.subarray(1, 33));
  const sign = (message) =>
    new Uint8Array(opensslSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
  return { publicKey: compressed, sign };
}


const u64le = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
const u128le = (n) => u8aConcat(u64le(BigInt(n) & ((1n << 64n) - 1n)), u64le(BigInt(n) >> 64n));

/**
 * The bytes a consumer's account signs for a usage receipt (docs/service-payments.md):
 * `"depin/usage-receipt/v1" ‖ genesis hash ‖ channel (u64 LE) ‖ cumulative credits (u128 LE)`.
 */
export const usageReceiptPayload = (genesisHash, channel, cumulative) =>
  u8aConcat(stringToU8a('depin/usage-receipt/v1'), genesisHash, u64le(channel), u128le(cumulative));

/** A receipt signed by `consumer` (a polkadot.js keyring pair), as `settle` takes it. */
export function signUsageReceipt(consumer, genesisHash, channel, cumulative) {
  const signature = consumer.sign(usageReceiptPayload(genesisHash, channel, cumulative));
  const scheme = { sr25519: 'Sr25519', ed25519: 'Ed25519', ecdsa: 'Ecdsa' }[consumer.type];
  return {
    payload: { genesisHash, channel, cumulative },
    signature: { [scheme]: signature },
  };
}
