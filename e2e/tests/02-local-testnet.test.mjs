// Multi-validator networks on 127.0.0.1: every validator authors, GRANDPA finalizes, and
// the network rides through a validator being killed and restarted.
//
// GRANDPA finalizes with more than 2/3 of the voters. With three validators one missing
// voter leaves exactly 2/3, so finality waits for it (BABE keeps producing blocks); with four,
// three remain and finality goes on. Both behaviours are tested, on `local` (Alice, Bob,
// Charlie, as `scripts/local-testnet.sh` runs it) and on `local-bft` (plus Dave).

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { DepinNode, connect, finalizedNumber, blockNumber, rpc, sleep, waitFor } from '../lib/node.mjs';

const NAMES = ['alice', 'bob', 'charlie', 'dave'];

/** Starts `count` validators of `chain`, the first one the others' bootnode. */
async function startNetwork(chain, count) {
  const nodes = [];
  for (const name of NAMES.slice(0, count)) {
    const bootnodes = nodes.length ? ['--bootnodes', nodes[0].multiaddr] : [];
    // A fixed node key per validator: authorities must have one, and a stable peer id
    // lets the others find it again after a restart.
    const nodeKey = (NAMES.indexOf(name) + 1).toString(16).padStart(64, '0');
    nodes.push(await DepinNode.start(`${chain}-${name}`, [
      '--chain', chain, `--${name}`, '--validator', '--node-key', nodeKey, ...bootnodes,
    ]));
  }
  return nodes;
}

/** Stash accounts that authored blocks in (from, to], read with polkadot.js from `node`. */
async function authors(node, from, to) {
  const api = await connect(node);
  try {
    const seen = new Set();
    for (let n = from + 1; n <= to; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const header = await api.derive.chain.getHeader(hash);
      if (header.author) seen.add(header.author.toString());
    }
    return seen;
  } finally {
    await api.disconnect();
  }
}

async function waitFinalizedAtLeast(node, n, timeoutMs = 180_000) {
  return waitFor(`${node.name} finalized >= ${n}`, async () => {
    const f = await finalizedNumber(node.rpcPort);
    return f >= n ? f : 0;
  }, { timeoutMs });
}

describe('three-validator local testnet', { timeout: 900_000 }, () => {
  let nodes = [];
  after(async () => {
    for (const n of nodes) await n.cleanup();
  });

  test('all three author and blocks finalize', async () => {
    await cryptoWaitReady();
    nodes = await startNetwork('local', 3);
    const [alice] = nodes;
    // Each validator is connected to the other two.
    await waitFor('peers', async () => {
      for (const n of nodes) {
        const health = await rpc(n.rpcPort, 'system_health');
        if (health.peers < 2) return false;
      }
      return true;
    });
    await waitFinalizedAtLeast(alice, 12, 240_000);
    const best = await blockNumber(alice.rpcPort);
    const seen = await authors(alice, 0, best);
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    for (const who of ['Alice', 'Bob', 'Charlie']) {
      const stash = keyring.addFromUri(`//${who}//stash`).address;
      assert.ok(seen.has(stash), `${who} authored no block in 1..${best}; authors: ${[...seen]}`);
    }
  });

  test('with one validator killed blocks go on, finality waits, and resumes after restart', async () => {
    const [alice, bob, charlie] = nodes;
    const finalizedBefore = await finalizedNumber(alice.rpcPort);
    await charlie.kill();
    const bestAtKill = await blockNumber(alice.rpcPort);
    // BABE: the two remaining validators keep authoring.
    await waitFor('blocks after the kill', async () => (await blockNumber(alice.rpcPort)) >= bestAtKill + 4, { timeoutMs: 120_000 });
    // GRANDPA: 2 of 3 voters is not more than 2/3, so nothing new beyond the rounds Charlie
    // voted in before it died (its best block may have been one ahead of Alice's).
    await sleep(12_000);
    const finalizedWhileDown = await finalizedNumber(alice.rpcPort);
    assert.ok(finalizedWhileDown <= bestAtKill + 1, `finalized ${finalizedWhileDown} past the best block at kill ${bestAtKill}`);
    assert.ok(finalizedWhileDown >= finalizedBefore);

    await charlie.spawn();
    const target = (await blockNumber(alice.rpcPort)) + 2;
    await waitFinalizedAtLeast(alice, target);
    await waitFinalizedAtLeast(bob, target);
    // The restarted validator catches up to the others' finalized head.
    const aliceFinal = await finalizedNumber(alice.rpcPort);
    await waitFinalizedAtLeast(charlie, aliceFinal);
  });
});

describe('four-validator local testnet (local-bft)', { timeout: 900_000 }, () => {
  let nodes = [];
  after(async () => {
    for (const n of nodes) await n.cleanup();
  });

  test('keeps finalizing with one validator killed, and the restarted one catches up', async () => {
    await cryptoWaitReady();
    nodes = await startNetwork('local-bft', 4);
    const [alice, bob, , dave] = nodes;
    await waitFinalizedAtLeast(alice, 3, 240_000);

    await dave.kill();
    const finalizedAtKill = await finalizedNumber(alice.rpcPort);
    // Three of four voters: finality goes on without Dave.
    await waitFinalizedAtLeast(alice, finalizedAtKill + 5);
    await waitFinalizedAtLeast(bob, finalizedAtKill + 5);

    await dave.spawn();
    const aliceFinal = await finalizedNumber(alice.rpcPort);
    await waitFinalizedAtLeast(dave, aliceFinal);
  });
});
