// The dApp developer's interface: every example request in docs/rpc.md is sent over plain
// HTTP to a dev node in a known state and must return what the doc shows ("*" in the doc
// matches any value; `$NAME` in a request is a value only known at run time). Every method is
// also called through @polkadot/api with the custom definitions of e2e/lib/rpc-definitions.mjs,
// a historical `at` query reads the past, the runtime API decodes from metadata, and
// depin_subscribeEpochs delivers a new epoch.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import { deviceId, registrationPayload } from '../lib/depin.mjs';
import { DepinNode, repoRoot, sendAndFinalize, waitFor } from '../lib/node.mjs';
import { DEPIN_RPC } from '../lib/rpc-definitions.mjs';

const PARIS = 0x8c1fb46624125ffn;
const UNIT = 10n ** 12n;

/** The documented examples: each ```json request block and the ```json response after it. */
export function documentedExamples(markdown) {
  const blocks = [...markdown.matchAll(/```json (request|response)\n([\s\S]*?)```/g)];
  const examples = [];
  for (let i = 0; i + 1 < blocks.length; i += 1) {
    if (blocks[i][1] === 'request' && blocks[i + 1][1] === 'response') {
      examples.push({ request: blocks[i][2], response: JSON.parse(blocks[i + 1][2]) });
    }
  }
  return examples;
}

/** Whether `actual` matches `expected`, where "*" matches anything; throws with the path. */
function assertMatches(actual, expected, where) {
  if (expected === '*') return;
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertMatches(actual[i], e, `${where}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${where}: expected an object, got ${JSON.stringify(actual)}`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: fields`);
    for (const key of Object.keys(expected)) assertMatches(actual[key], expected[key], `${where}.${key}`);
  } else {
    assert.deepEqual(actual, expected, where);
  }
}

async function post(port, body) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return res.json();
}

describe('depin_* JSON-RPC and the DepinApi runtime API', { timeout: 900_000 }, () => {
  let node;
  let api;
  const vars = {};

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('rpc', ['--dev']);
    api = await ApiPromise.create({
      provider: new WsProvider(node.wsUrl, 1000),
      rpc: DEPIN_RPC,
      noInitWarn: true,
    });
    // The state the examples describe: Alice's Ed25519 device (seed 0x07…07) in Paris; Dave
    // with 100,000 credits, 40,000 of them in channel 0 to that device until block 5,000.
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const alice = keyring.addFromUri('//Alice');
    const dave = keyring.addFromUri('//Dave');
    const genesisHash = api.genesisHash.toU8a();
    const pair = ed25519PairFromSeed(new Uint8Array(32).fill(7));
    vars.DEVICE = u8aToHex(deviceId('Ed25519', pair.publicKey));
    vars.BEFORE_CREDITS = (await api.rpc.chain.getFinalizedHead()).toHex();
    await sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
      { Ed25519: pair.publicKey }, 'Hotspot', PARIS, { model: 'rpc-doc', firmware: '1.0.0', uri: '' },
      { Ed25519: ed25519Sign(registrationPayload(genesisHash, alice.address, 'Ed25519', pair.publicKey), pair) },
      null,
    ), alice);
    await sendAndFinalize(api, api.tx.servicePayments.buyCredits(UNIT, null), dave);
    await sendAndFinalize(api, api.tx.servicePayments.openChannel(vars.DEVICE, 40_000, 5_000), dave);
    vars.EPOCH = (await api.rpc.depin.currentEpoch()).toJSON().index;
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  test('every example in docs/rpc.md returns what the doc shows', async () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'rpc.md'), 'utf8');
    const examples = documentedExamples(doc);
    assert.ok(examples.length >= 15, `found ${examples.length} examples`);
    for (const { request, response } of examples) {
      const body = request.replace(/\$([A-Z_]+)/g, (_, name) => {
        assert.ok(name in vars, `unknown variable $${name}`);
        return typeof vars[name] === 'number' ? String(vars[name]) : vars[name];
      });
      const actual = await post(node.rpcPort, body);
      assertMatches(actual, response, JSON.parse(body).method);
    }
  });

  test('every method answers the same through @polkadot/api', async () => {
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    const dave = '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy';
    const finalized = (await api.rpc.chain.getFinalizedHead()).toHex();
    const calls = {
      device: [vars.DEVICE],
      devicesOf: [alice, null, 10],
      currentEpoch: [],
      deviceScore: [vars.DEVICE, vars.EPOCH],
      isChallenged: [vars.DEVICE, vars.EPOCH],
      deviceRewards: [vars.DEVICE],
      ownerRewards: [alice, null, 10],
      closedEpoch: [0],
      cellCoverage: ['8c1fb46624125ff'],
      cellDevices: ['8c1fb46624125ff', vars.EPOCH, null, 10],
      credits: [dave],
      channel: [0],
      economics: [],
    };
    for (const [method, params] of Object.entries(calls)) {
      const viaApi = (await api.rpc.depin[method](...params, finalized)).toJSON();
      const viaHttp = await post(node.rpcPort, JSON.stringify({
        jsonrpc: '2.0', id: 1, method: `depin_${method}`, params: [...params, finalized],
      }));
      assert.deepEqual(viaApi, viaHttp.result, method);
    }
    // Errors reach polkadot.js with their code and message.
    await assert.rejects(api.rpc.depin.devicesOf(alice, null, 1_000), /4005: limit must be 1..=100/);
    await assert.rejects(api.rpc.depin.cellCoverage('paris'), /-32602: cell: expected a valid H3 cell index in hex/);
  });

  test('a historical `at` query reads the state of that block', async () => {
    const dave = '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy';
    assert.equal((await api.rpc.depin.credits(dave, vars.BEFORE_CREDITS)).toJSON(), '0');
    assert.equal((await api.rpc.depin.credits(dave)).toJSON(), '60000');
    assert.equal((await api.rpc.depin.device(vars.DEVICE, vars.BEFORE_CREDITS)).toJSON(), null);
  });

  test('the runtime API decodes from metadata without custom types', async () => {
    const parameters = await api.call.depinApi.economicParameters();
    assert.equal(parameters.deviceBond.toBigInt(), 100n * UNIT);
    const device = (await api.call.depinApi.device(vars.DEVICE)).unwrap();
    assert.equal(device.status.toString(), 'Active');
    assert.equal(device.kind.toString(), 'Hotspot');
    const channel = (await api.call.depinApi.channel(0)).unwrap();
    assert.equal(channel.deposit.toBigInt(), 40_000n);
    // And storage and calls decode from metadata too.
    const credits = await api.query.servicePayments.creditBalances('5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy');
    assert.equal(credits.credits.toBigInt(), 60_000n);
    // The 60,000 credits left keep their share of the token Dave burned (40,000 went to channel 0).
    assert.equal(credits.backing.toBigInt(), UNIT * 6n / 10n);
  });

  test('depin_subscribeEpochs announces the next epoch', async () => {
    const current = (await api.rpc.depin.currentEpoch()).toJSON().index;
    const seen = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no epoch notification in 180 s')), 180_000);
      let unsubscribe;
      api.rpc.depin.subscribeEpochs((item) => {
        const value = item.toJSON();
        if (value.epoch.index > current) {
          clearTimeout(timer);
          if (unsubscribe) unsubscribe();
          resolve(value);
        }
      }).then((u) => { unsubscribe = u; }, reject);
    });
    assert.equal(seen.epoch.index, current + 1);
    assert.ok(seen.epoch.blocksLeft < seen.epoch.length);
    assert.equal(seen.epoch.witnessGrace, 3);
    assert.ok(seen.lastClosed === null || typeof seen.lastClosed.coveragePool === 'string');
  });
});
