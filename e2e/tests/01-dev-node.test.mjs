// A `--dev` node: blocks are produced and finalized, metadata is served, and a real
// polkadot.js client can transfer, bond and nominate.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';

import { DepinNode, connect, finalizedNumber, rpc, sendAndFinalize, waitFor } from '../lib/node.mjs';

const UNIT = 10n ** 12n;

describe('dev node', { timeout: 600_000 }, () => {
  let node;
  let api;
  let keyring;
  let alice;

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('dev', ['--dev']);
    api = await connect(node);
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    alice = keyring.addFromUri('//Alice');
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  test('produces and finalizes blocks', async () => {
    const finalized = await waitFor('finalized block >= 3', async () => {
      const n = await finalizedNumber(node.rpcPort);
      return n >= 3 ? n : 0;
    }, { timeoutMs: 180_000 });
    assert.ok(finalized >= 3, `finalized ${finalized}`);
  });

  test('serves metadata and chain properties over RPC', async () => {
    const metadata = await rpc(node.rpcPort, 'state_getMetadata');
    // SCALE-encoded metadata starts with the magic "meta" (0x6d657461).
    assert.match(metadata, /^0x6d657461/);
    const version = await rpc(node.rpcPort, 'state_getRuntimeVersion');
    assert.equal(version.specName, 'depin');
    const props = await rpc(node.rpcPort, 'system_properties');
    assert.equal(props.tokenSymbol, 'DPIN');
    assert.equal(props.tokenDecimals, 12);
    // The pallets a client relies on are in the metadata polkadot.js decoded.
    for (const pallet of ['balances', 'staking', 'session', 'babe', 'grandpa', 'proxy', 'multisig', 'utility', 'sudo',
      'preimage', 'scheduler', 'referenda', 'convictionVoting', 'treasury']) {
      assert.ok(api.tx[pallet], `pallet ${pallet} missing from metadata`);
    }
  });

  test('polkadot.js transfers from Alice to a fresh account', async () => {
    const fresh = keyring.addFromMnemonic(mnemonicGenerate());
    const amount = 5n * UNIT;
    const { blockHash, events } = await sendAndFinalize(
      api,
      api.tx.balances.transferKeepAlive(fresh.address, amount),
      alice,
    );
    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'no balances.Transfer event');
    const [from, to, value] = transfer.event.data;
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), fresh.address);
    assert.equal(value.toBigInt(), amount);

    // The event is in the finalized block's events, not only in the pool's view.
    const finalizedHead = await api.rpc.chain.getFinalizedHead();
    const finalizedNum = (await api.rpc.chain.getHeader(finalizedHead)).number.toNumber();
    const blockNum = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    assert.ok(blockNum <= finalizedNum);
    const atBlock = await api.at(blockHash);
    const blockEvents = await atBlock.query.system.events();
    assert.ok(blockEvents.some(({ event }) => api.events.balances.Transfer.is(event) && event.data[1].toString() === fresh.address));

    const { data } = await api.query.system.account(fresh.address);
    assert.equal(data.free.toBigInt(), amount);
  });

  test('Alice bonds and nominates, and the nomination is readable', async () => {
    const target = keyring.addFromUri('//Alice//stash').address;
    const bond = 1000n * UNIT;
    await sendAndFinalize(
      api,
      api.tx.utility.batchAll([
        api.tx.staking.bond(bond, 'Staked'),
        api.tx.staking.nominate([target]),
      ]),
      alice,
    );
    const ledger = (await api.query.staking.ledger(alice.address)).unwrap();
    assert.equal(ledger.active.toBigInt(), bond);
    const nominations = (await api.query.staking.nominators(alice.address)).unwrap();
    assert.deepEqual(nominations.targets.map((t) => t.toString()), [target]);
    // The bond is a hold on Alice's balance, not a lock.
    const holds = await api.query.balances.holds(alice.address);
    assert.ok(holds.some((h) => h.amount.toBigInt() === bond), `holds: ${holds.toString()}`);
  });

  test('serves Prometheus metrics with the block heights', async () => {
    const res = await fetch(`http://127.0.0.1:${node.prometheusPort}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /substrate_block_height\{status="finalized"/);
    assert.match(text, /substrate_block_height\{status="best"/);
  });

  test('a validator rotates its session keys and registers them with a proof', async () => {
    // As in docs/operator.md: keys generated in the node's keystore, bound to the stash.
    const stash = keyring.addFromUri('//Alice//stash');
    const generated = await rpc(node.rpcPort, 'author_rotateKeysWithOwner', [u8aToHex(decodeAddress(stash.address))]);
    assert.ok(generated.keys && generated.proof, JSON.stringify(generated));
    assert.equal(await rpc(node.rpcPort, 'author_hasSessionKeys', [generated.keys]), true);
    await sendAndFinalize(api, api.tx.session.setKeys(generated.keys, generated.proof), stash);
    const next = (await api.query.session.nextKeys(stash.address)).unwrap();
    assert.equal(next.toHex(), generated.keys);

    // A proof made for another owner does not let Bob register these keys.
    const bob = keyring.addFromUri('//Bob');
    await assert.rejects(
      sendAndFinalize(api, api.tx.session.setKeys(generated.keys, generated.proof), bob),
      /session\.InvalidProof/,
    );
  });

  test('a transaction with a bad signature is refused by the pool', async () => {
    const bob = keyring.addFromUri('//Bob');
    const tx = api.tx.balances.transferKeepAlive(bob.address, UNIT);
    await tx.signAsync(alice);
    // Flip one byte of the signature: the node must reject the transaction.
    const hex = tx.toHex();
    const sigStart = hex.indexOf(tx.signature.toHex().slice(2));
    assert.ok(sigStart > 0);
    const flipped = hex.slice(0, sigStart) + (hex[sigStart] === 'a' ? 'b' : 'a') + hex.slice(sigStart + 1);
    await assert.rejects(rpc(node.rpcPort, 'author_submitExtrinsic', [flipped]), /Invalid Transaction|bad signature|BadProof/i);
  });
});
