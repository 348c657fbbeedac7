// A hardware owner's path with a real client: generate a device key, sign the registration
// payload exactly as docs/devices.md says, register with polkadot.js, read the device back.
// The P-256 case signs with Node's own crypto (OpenSSL), as a secure element would, outside
// polkadot.js's keyring.

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

import { DepinNode, connect, sendAndFinalize } from '../lib/node.mjs';

const UNIT = 10n ** 12n;
// Notre-Dame de Paris and the Louvre, H3 resolution 12.
const PARIS = 0x8c1fb46624125ffn;
const LOUVRE = 0x8c1fb4662c745ffn;
const SCHEME = { Ed25519: 0, Sr25519: 1, EcdsaSecp256k1: 2, EcdsaP256: 3 };

/** A u32, little-endian (SCALE). */
function u32le(n) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n, true);
  return bytes;
}

/**
 * The bytes a device key signs to be registered for `owner` (docs/devices.md); `registrations`
 * is the key's counter `deviceRegistry.keyRegistrations(deviceId)`, 0 for a new key.
 */
function registrationPayload(genesisHash, ownerAddress, scheme, publicKey, registrations = 0) {
  return u8aConcat(
    stringToU8a('depin/register/v2'),
    genesisHash,
    decodeAddress(ownerAddress),
    new Uint8Array([SCHEME[scheme]]),
    publicKey,
    u32le(registrations),
  );
}

/** The device id: blake2-256 of the SCALE-encoded key (scheme byte, then the key). */
function deviceId(scheme, publicKey) {
  return blake2AsU8a(u8aConcat(new Uint8Array([SCHEME[scheme]]), publicKey), 256);
}

/** A P-256 key pair from OpenSSL: compressed SEC1 public key and a signer (ECDSA-SHA256, r‖s). */
function p256Device() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const point = spki.subarray(spki.length - 65); // 0x04 ‖ x ‖ y
  const x = point.subarray(1, 33);
  const y = point.subarray(33, 65);
  const compressed = u8aConcat(new Uint8Array([y[31] & 1 ? 3 : 2]), x);
  const signer = (message) =>
    new Uint8Array(opensslSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
  return { publicKey: compressed, sign: signer };
}

const metadata = (model) => ({ model, firmware: '1.0.0', uri: 'ipfs://bafybeigdyrzt' });

describe('device registry with polkadot.js', { timeout: 600_000 }, () => {
  let node;
  let api;
  let alice;
  let bob;
  let genesisHash;

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('registry', ['--dev']);
    api = await connect(node);
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    genesisHash = api.genesisHash.toU8a();
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  async function held(address) {
    const holds = await api.query.balances.holds(address);
    return holds
      .filter((h) => h.id.isDeviceRegistry)
      .reduce((sum, h) => sum + h.amount.toBigInt(), 0n);
  }

  test('an Ed25519 device signed with @polkadot/util-crypto registers and reads back', async () => {
    const device = ed25519PairFromSeed(randomBytes(32));
    // A new key: its registration counter is 0, and that is what the proof signs.
    assert.equal((await api.query.deviceRegistry.keyRegistrations(deviceId('Ed25519', device.publicKey))).toNumber(), 0);
    const proof = ed25519Sign(
      registrationPayload(genesisHash, alice.address, 'Ed25519', device.publicKey),
      device,
    );
    const bond = (await api.query.deviceRegistry.parameters()).deviceBond.toBigInt();
    assert.equal(bond, 100n * UNIT);
    const heldBefore = await held(alice.address);

    const tx = api.tx.deviceRegistry.registerDevice(
      { Ed25519: device.publicKey },
      'Hotspot',
      PARIS,
      metadata('RAK7268'),
      { Ed25519: proof },
      null,
    );
    const { events } = await sendAndFinalize(api, tx, alice);
    const registered = events.find(({ event }) => api.events.deviceRegistry.DeviceRegistered.is(event));
    assert.ok(registered, 'DeviceRegistered event');
    const id = deviceId('Ed25519', device.publicKey);
    assert.equal(registered.event.data.device.toHex(), u8aToHex(id));
    assert.equal(registered.event.data.owner.toString(), alice.address);

    const record = (await api.query.deviceRegistry.devices(id)).unwrap();
    assert.equal(record.owner.toString(), alice.address);
    assert.ok(record.key.isEd25519);
    assert.equal(record.key.asEd25519.toHex(), u8aToHex(device.publicKey));
    assert.ok(record.kind.isHotspot);
    assert.equal(record.location.toBigInt(), PARIS);
    assert.ok(record.state.isActive);
    assert.equal(record.bond.toBigInt(), bond);
    assert.equal(record.metadata.model.toUtf8(), 'RAK7268');
    assert.equal(await held(alice.address), heldBefore + bond);

    const owned = await api.query.deviceRegistry.ownerDevices.keys(alice.address);
    assert.ok(owned.some((k) => k.args[1].toHex() === u8aToHex(id)));
    // The registration spent the proof: the key's counter moved to 1, so this proof never
    // registers the key again (not even after a transfer, retirement and withdrawal).
    assert.equal((await api.query.deviceRegistry.keyRegistrations(id)).toNumber(), 1);
  });

  test('a P-256 key signed by OpenSSL (the secure-element path) registers end to end', async () => {
    const device = p256Device();
    const proof = device.sign(
      registrationPayload(genesisHash, bob.address, 'EcdsaP256', device.publicKey),
    );
    assert.equal(proof.length, 64);
    const tx = api.tx.deviceRegistry.registerDevice(
      { EcdsaP256: device.publicKey },
      'Sensor',
      LOUVRE,
      metadata('ATECC608-devkit'),
      { EcdsaP256: proof },
      null,
    );
    await sendAndFinalize(api, tx, bob);
    const record = (await api.query.deviceRegistry.devices(deviceId('EcdsaP256', device.publicKey))).unwrap();
    assert.equal(record.owner.toString(), bob.address);
    assert.ok(record.key.isEcdsaP256);
    assert.ok(record.kind.isSensor);
    assert.equal(record.location.toBigInt(), LOUVRE);
  });

  test('forged, other-owner and other-chain proofs fail with a named error and store nothing', async () => {
    const device = ed25519PairFromSeed(randomBytes(32));
    const impostor = ed25519PairFromSeed(randomBytes(32));
    const id = deviceId('Ed25519', device.publicKey);
    const attempt = (signer, proof) =>
      sendAndFinalize(
        api,
        api.tx.deviceRegistry.registerDevice(
          { Ed25519: device.publicKey },
          'Hotspot',
          PARIS,
          metadata('x'),
          { Ed25519: proof },
          null,
        ),
        signer,
      );
    const countBefore = (await api.query.deviceRegistry.deviceCount()).toNumber();

    // Signed by a key that is not the device's.
    await assert.rejects(
      attempt(alice, ed25519Sign(registrationPayload(genesisHash, alice.address, 'Ed25519', device.publicKey), impostor)),
      /deviceRegistry\.InvalidRegistrationProof/,
    );
    // Alice's valid proof replayed by Bob.
    const alicesProof = ed25519Sign(registrationPayload(genesisHash, alice.address, 'Ed25519', device.publicKey), device);
    await assert.rejects(attempt(bob, alicesProof), /deviceRegistry\.InvalidRegistrationProof/);
    // A proof made for another chain (other genesis hash).
    const otherChain = new Uint8Array(32).fill(7);
    await assert.rejects(
      attempt(alice, ed25519Sign(registrationPayload(otherChain, alice.address, 'Ed25519', device.publicKey), device)),
      /deviceRegistry\.InvalidRegistrationProof/,
    );
    // A proof signed with the wrong registration counter (1, for a key never registered).
    await assert.rejects(
      attempt(alice, ed25519Sign(registrationPayload(genesisHash, alice.address, 'Ed25519', device.publicKey, 1), device)),
      /deviceRegistry\.InvalidRegistrationProof/,
    );

    assert.ok((await api.query.deviceRegistry.devices(id)).isNone);
    assert.equal((await api.query.deviceRegistry.deviceCount()).toNumber(), countBefore);
    // Failed attempts do not move the counter.
    assert.equal((await api.query.deviceRegistry.keyRegistrations(id)).toNumber(), 0);
    // The real proof still works afterwards, and is then spent.
    await attempt(alice, alicesProof);
    assert.ok((await api.query.deviceRegistry.devices(id)).isSome);
    assert.equal((await api.query.deviceRegistry.keyRegistrations(id)).toNumber(), 1);
  });
});
