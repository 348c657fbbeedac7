// Service payments with a real client: a consumer burns tokens for credits, opens a channel
// to a registered device, signs two cumulative usage receipts off-chain in JavaScript, and the
// device's owner settles the second. Balances, total issuance and events match; older,
// replayed and forged receipts fail with named errors; the usage is paid from the epoch's
// data-transfer pool once the epoch closes.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';

import {
  deviceId,
  registrationPayload,
  signUsageReceipt,
  usageReceiptPayload,
} from '../lib/depin.mjs';
import { DepinNode, connect, sendAndFinalize, waitFor } from '../lib/node.mjs';

const UNIT = 10n ** 12n;
const PARIS = 0x8c1fb46624125ffn;

describe('service payments with polkadot.js', { timeout: 600_000 }, () => {
  let node;
  let api;
  let consumer;
  let provider;
  let genesisHash;

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('payments', ['--dev']);
    api = await connect(node);
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    consumer = keyring.addFromUri('//Dave');
    provider = keyring.addFromUri('//Eve');
    genesisHash = api.genesisHash.toU8a();
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  /** The events of a kind among `events`. */
  const find = (events, section, method) =>
    events.filter(({ event }) => api.events[section][method].is(event)).map(({ event }) => event.data);

  /** Free balance and total issuance at `blockHash`. */
  async function stateAt(blockHash, who) {
    const at = await api.at(blockHash);
    return {
      free: (await at.query.system.account(who)).data.free.toBigInt(),
      issuance: (await at.query.balances.totalIssuance()).toBigInt(),
    };
  }

  test('buy credits, open a channel, settle the second of two JS-signed receipts', async () => {
    // Eve registers a device (Ed25519 key held here).
    const pair = ed25519PairFromSeed(randomBytes(32));
    const device = deviceId('Ed25519', pair.publicKey);
    await sendAndFinalize(api, api.tx.deviceRegistry.registerDevice(
      { Ed25519: pair.publicKey }, 'Hotspot', PARIS, { model: 'e2e', firmware: '1', uri: '' },
      { Ed25519: ed25519Sign(registrationPayload(genesisHash, provider.address, 'Ed25519', pair.publicKey), pair) },
      null,
    ), provider);

    // Dave burns 5 tokens: 100,000 credits a token at the default price.
    const parameters = await api.query.servicePayments.parameters();
    assert.equal(parameters.revenueShare.toNumber(), 200_000_000, '20 % revenue share');
    const bought = await sendAndFinalize(api, api.tx.servicePayments.buyCredits(5n * UNIT, null), consumer);
    const [event] = find(bought.events, 'servicePayments', 'CreditsBought');
    assert.equal(event.buyer.toString(), consumer.address);
    assert.equal(event.beneficiary.toString(), consumer.address);
    assert.equal(event.burned.toBigInt(), 5n * UNIT);
    assert.equal(event.credits.toBigInt(), 500_000n);
    // Total issuance fell by exactly the burn (plus whatever else the block minted).
    const block = await api.rpc.chain.getHeader(bought.blockHash);
    const parent = await stateAt(block.parentHash.toHex(), consumer.address);
    const now = await stateAt(bought.blockHash, consumer.address);
    const blockEvents = await (await api.at(bought.blockHash)).query.system.events();
    const minted = find(blockEvents, 'balances', 'Minted').reduce((s, e) => s + e.amount.toBigInt(), 0n);
    const burned = find(blockEvents, 'balances', 'Burned').reduce((s, e) => s + e.amount.toBigInt(), 0n);
    assert.equal(burned, 5n * UNIT);
    assert.equal(now.issuance, parent.issuance - 5n * UNIT + minted);
    const [fee] = find(bought.events, 'transactionPayment', 'TransactionFeePaid');
    assert.equal(parent.free - now.free, 5n * UNIT + fee.actualFee.toBigInt());
    // Dave's credits carry the 5 tokens he burned for them.
    const account = await api.query.servicePayments.creditBalances(consumer.address);
    assert.equal(account.credits.toBigInt(), 500_000n);
    assert.equal(account.backing.toBigInt(), 5n * UNIT);

    // A channel of 300,000 credits to Eve's device: they take 3 of Dave's tokens of backing.
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const opened = await sendAndFinalize(
      api, api.tx.servicePayments.openChannel(device, 300_000, best + 500), consumer);
    const [open] = find(opened.events, 'servicePayments', 'ChannelOpened');
    const channel = open.channel.toNumber();
    assert.equal(u8aToHex(open.device), u8aToHex(device));
    assert.equal(open.deposit.toBigInt(), 300_000n);
    assert.equal(open.backing.toBigInt(), 3n * UNIT);
    const left = await api.query.servicePayments.creditBalances(consumer.address);
    assert.equal(left.credits.toBigInt(), 200_000n);
    assert.equal(left.backing.toBigInt(), 2n * UNIT);

    // Off-chain: Dave signs two cumulative receipts as he is served.
    const first = signUsageReceipt(consumer, genesisHash, channel, 100_000n);
    const second = signUsageReceipt(consumer, genesisHash, channel, 250_000n);
    // The bytes signed are the domain tag and the payload's SCALE encoding from metadata.
    const receiptType = api.tx.servicePayments.settle.meta.args[1].type.toString();
    const encoded = api.createType(receiptType, second).payload.toU8a();
    assert.equal(u8aToHex(usageReceiptPayload(genesisHash, channel, 250_000n).slice(22)), u8aToHex(encoded));

    // Eve settles the newest: 250,000 of the channel's 300,000 credits, backed by the 3 tokens
    // Dave burned for them, are worth 2.5 tokens (what Dave paid, whatever others paid).
    const settled = await sendAndFinalize(api, api.tx.servicePayments.settle(channel, second), provider);
    const [paid] = find(settled.events, 'servicePayments', 'ChannelSettled');
    assert.equal(paid.channel.toNumber(), channel);
    assert.equal(paid.provider.toString(), provider.address);
    assert.equal(paid.credits.toBigInt(), 250_000n);
    assert.equal(paid.cumulative.toBigInt(), 250_000n);
    assert.equal(paid.value.toBigInt(), 5n * UNIT / 2n);
    assert.equal(paid.revenue.toBigInt(), UNIT / 2n, '20 % of the value to the treasury');
    const [revenue] = find(settled.events, 'balances', 'Minted');
    assert.equal(revenue.amount.toBigInt(), UNIT / 2n);
    const epoch = paid.epoch.toNumber();
    const [usage] = find(settled.events, 'rewards', 'UsageRecorded');
    assert.equal(usage.units.toBigInt(), 250_000n);
    assert.equal(usage.value.toBigInt(), 5n * UNIT / 2n);
    const state = (await api.query.servicePayments.channels(channel)).unwrap();
    assert.equal(state.settled.toBigInt(), 250_000n);
    assert.equal(state.backing.toBigInt(), UNIT / 2n, 'the 50,000 credits left keep their backing');

    // The older receipt, a replay and a forgery all fail with named errors.
    await assert.rejects(sendAndFinalize(api, api.tx.servicePayments.settle(channel, first), provider),
      /servicePayments\.StaleReceipt/);
    await assert.rejects(sendAndFinalize(api, api.tx.servicePayments.settle(channel, second), provider),
      /servicePayments\.StaleReceipt/);
    const forger = new Keyring({ type: 'sr25519' }).addFromUri('//Ferdie');
    await assert.rejects(
      sendAndFinalize(api, api.tx.servicePayments.settle(channel, signUsageReceipt(forger, genesisHash, channel, 300_000n)), provider),
      /servicePayments\.BadReceiptSignature/);
    await assert.rejects(
      sendAndFinalize(api, api.tx.servicePayments.settle(channel, signUsageReceipt(consumer, new Uint8Array(32).fill(1), channel, 300_000n)), provider),
      /servicePayments\.WrongChain/);
    await assert.rejects(
      sendAndFinalize(api, api.tx.servicePayments.settle(channel, signUsageReceipt(consumer, genesisHash, channel, 300_000n)), consumer),
      /servicePayments\.NotProvider/);

    // The epoch closes (when the one after next starts): its data-transfer pool pays the
    // usage's value, and Eve claims exactly that (the device sent no heartbeat).
    await waitFor(`epoch ${epoch} closed`, async () => {
      const last = await api.query.rewards.lastClosedEpoch();
      return last.isSome && last.unwrap().toNumber() >= epoch;
    }, { timeoutMs: 240_000, intervalMs: 3000 });
    const pools = (await api.query.rewards.epochRewards(epoch)).unwrap();
    assert.equal(pools.dataTransfer.toBigInt(), 5n * UNIT / 2n);
    assert.equal(pools.usageValue.toBigInt(), 5n * UNIT / 2n);
    const claim = await sendAndFinalize(api, api.tx.rewards.claimRewards([device]), provider);
    const [claimed] = find(claim.events, 'rewards', 'RewardsClaimed');
    assert.equal(claimed.amount.toBigInt(), 5n * UNIT / 2n);
  });
});
