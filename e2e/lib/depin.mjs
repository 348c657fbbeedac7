// What devices sign and send, byte for byte as docs/proof-of-coverage.md and
// docs/devices.md define it: shared by the end-to-end tests.

import { generateKeyPairSync, sign as opensslSign } from 'node:crypto';

import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

export const SCHEME = { Ed25519: 0, Sr25519: 1, EcdsaSecp256k1: 2, EcdsaP256: 3 };

export const i16le = (n) => { const b = new Uint8Array(2); new DataView(b.buffer).setInt16(0, n, true); return b; };
export const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
export const u16le = (n) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, n, true); return b; };

export function registrationPayload(genesisHash, ownerAddress, scheme, publicKey) {
  return u8aConcat(stringToU8a('depin/register/v1'), genesisHash, decodeAddress(ownerAddress),
    new Uint8Array([SCHEME[scheme]]), publicKey);
}

export const deviceId = (scheme, publicKey) =>
  blake2AsU8a(u8aConcat(new Uint8Array([SCHEME[scheme]]), publicKey), 256);

/** The bytes a device signs for a heartbeat (docs/proof-of-coverage.md). */
export const heartbeatPayload = (genesisHash, id, epoch, slot) =>
  u8aConcat(stringToU8a('depin/heartbeat/v1'), genesisHash, id, u32le(epoch), u16le(slot));

/** SCALE of `SignedAttestation::Heartbeat`: variant 0, device, epoch, slot, signature. */
export const encodeHeartbeat = (id, epoch, slot, scheme, signature) =>
  u8aToHex(u8aConcat(new Uint8Array([0]), id, u32le(epoch), u16le(slot),
    new Uint8Array([SCHEME[scheme]]), signature));

/** The bytes a challenged device signs: its beacon payload (docs/proof-of-coverage.md). */
export const beaconPayload = (genesisHash, id, epoch, randomness) =>
  u8aConcat(stringToU8a('depin/beacon/v1'), genesisHash, id, u32le(epoch), randomness);

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
