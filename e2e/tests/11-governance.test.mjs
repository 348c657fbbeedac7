// Token holders change a DePIN parameter by referendum, with a real client and no sudo:
// Alice gives up the sudo key, a plain account's direct call fails with BadOrigin, then the new
// emission schedule is noted as a preimage, submitted on the network-parameters track, its
// decision deposit placed, voted on with conviction by four dev accounts (and against by a
// fifth), passes, is enacted, is read back, and the next epoch to close mints the new amount.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { compactToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { u32le } from '../lib/depin.mjs';
import { DepinNode, connect, sendAndFinalize, waitFor } from '../lib/node.mjs';

const UNIT = 10n ** 12n;
const NETWORK_PARAMETERS_TRACK = 10;

/** The scheduler task name referenda give referendum `index`'s enactment:
 * blake2_256 of the SCALE tuple (b"assembly", "enactment", index). */
const enactmentTask = (index) => blake2AsHex(u8aConcat(
  stringToU8a('assembly'), compactToU8a('enactment'.length), stringToU8a('enactment'), u32le(index),
));

describe('governance by referendum with polkadot.js', { timeout: 600_000 }, () => {
  let node;
  let api;
  let keyring;
  const seen = []; // every event of every new block, with its block number
  let unsubscribe;

  before(async () => {
    await cryptoWaitReady();
    node = await DepinNode.start('governance', ['--dev']);
    api = await connect(node);
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
      const events = await (await api.at(header.hash)).query.system.events();
      for (const { event } of events) seen.push({ block: header.number.toNumber(), event });
    });
  });

  after(async () => {
    if (unsubscribe) unsubscribe();
    if (api) await api.disconnect();
    if (node) await node.cleanup();
  });

  /** The first event `section.method` seen at or after block `from` that satisfies `pred`. */
  const seenEvent = (section, method, from = 0, pred = () => true) =>
    seen.find(({ block, event }) => block >= from && api.events[section][method].is(event) && pred(event.data));

  test('a network-parameters referendum changes the emission, effective the next epoch', async () => {
    const alice = keyring.addFromUri('//Alice');
    const ferdie = keyring.addFromUri('//Ferdie');
    const voters = [
      [keyring.addFromUri('//Bob'), 'Locked1x'],
      [keyring.addFromUri('//Charlie'), 'Locked3x'],
      [keyring.addFromUri('//Dave'), 'Locked6x'],
      [keyring.addFromUri('//Eve'), 'Locked2x'],
    ];

    // No sudo from here on: governance alone changes the chain.
    await sendAndFinalize(api, api.tx.sudo.removeKey(), alice);
    assert.ok((await api.query.sudo.key()).isNone, 'sudo key removed');

    const before = await api.query.rewards.schedule();
    assert.equal(before.initialPerEpoch.toBigInt(), 1_000n * UNIT);
    const newEmission = 600n * UNIT;
    const proposal = api.tx.rewards.setEmissionSchedule({
      initialPerEpoch: newEmission,
      halvingInterval: before.halvingInterval,
      startEpoch: 0, // the pallet counts halvings from the next epoch to close
      supplyCap: before.supplyCap,
    });

    // A token holder cannot make the change directly.
    await assert.rejects(sendAndFinalize(api, proposal, ferdie), /BadOrigin/);

    // 1. The proposal's preimage.
    const noted = await sendAndFinalize(api, api.tx.preimage.notePreimage(proposal.method.toHex()), alice);
    const hash = proposal.method.hash.toHex();
    assert.ok(noted.events.some(({ event }) => api.events.preimage.Noted.is(event) && event.data[0].toHex() === hash));
    const len = proposal.method.encodedLength;

    // 2. Submitted on the network-parameters track (the `NetworkParameters` origin), enacted one
    //    block after approval.
    const index = (await api.query.referenda.referendumCount()).toNumber();
    const submitted = await sendAndFinalize(api, api.tx.referenda.submit(
      { Origins: 'NetworkParameters' }, { Lookup: { hash, len } }, { After: 1 },
    ), alice);
    const [sub] = submitted.events.filter(({ event }) => api.events.referenda.Submitted.is(event));
    assert.equal(sub.event.data.index.toNumber(), index);
    assert.equal(sub.event.data.track.toNumber(), NETWORK_PARAMETERS_TRACK);

    // 3. The decision deposit of the track.
    const track = api.consts.referenda.tracks.find(([id]) => id.toNumber() === NETWORK_PARAMETERS_TRACK)[1];
    // Names are fixed-length, zero-padded strings.
    assert.equal(track.name.toString().replace(/\0+$/, ''), 'network_parameters');
    const deposited = await sendAndFinalize(api, api.tx.referenda.placeDecisionDeposit(index), alice);
    const [dep] = deposited.events.filter(({ event }) => api.events.referenda.DecisionDepositPlaced.is(event));
    assert.equal(dep.event.data.amount.toBigInt(), track.decisionDeposit.toBigInt());

    // 4. Votes with conviction: four ayes of 900,000 DPIN (a quarter of the issuance), one nay.
    const aye = 900_000n * UNIT;
    await Promise.all([
      ...voters.map(([who, conviction]) => sendAndFinalize(api, api.tx.convictionVoting.vote(
        index, { Standard: { vote: { aye: true, conviction }, balance: aye } },
      ), who)),
      sendAndFinalize(api, api.tx.convictionVoting.vote(
        index, { Standard: { vote: { aye: false, conviction: 'None' }, balance: 500_000n * UNIT } },
      ), ferdie),
    ]);
    const tally = (await api.query.referenda.referendumInfoFor(index)).unwrap().asOngoing.tally;
    // Conviction multiplies the votes (1x + 3x + 2x + 6x = 12x), not the support.
    assert.equal(tally.ayes.toBigInt(), 12n * aye);
    assert.equal(tally.nays.toBigInt(), 500_000n * UNIT / 10n);
    assert.equal(tally.support.toBigInt(), 4n * aye);
    // Each voter's balance is locked on the track for its conviction's period.
    const [bob] = voters[0];
    const locks = await api.query.convictionVoting.classLocksFor(bob.address);
    assert.deepEqual(locks.map(([cls, amount]) => [cls.toNumber(), amount.toBigInt()]), [[NETWORK_PARAMETERS_TRACK, aye]]);

    // 5. Deciding, confirming, approved, enacted.
    const approved = await waitFor('the referendum to be confirmed', async () =>
      seenEvent('referenda', 'Confirmed', 0, (d) => d.index.toNumber() === index), { timeoutMs: 300_000 });
    assert.ok(seenEvent('referenda', 'DecisionStarted', 0, (d) => d.index.toNumber() === index));
    assert.ok(seenEvent('referenda', 'ConfirmStarted', 0, (d) => d.index.toNumber() === index));
    const enacted = await waitFor('the proposal to be enacted', async () =>
      seenEvent('rewards', 'ScheduleSet', approved.block), { timeoutMs: 120_000 });
    const task = enactmentTask(index);
    const dispatched = seenEvent('scheduler', 'Dispatched', approved.block,
      (d) => d.id.isSome && d.id.unwrap().toHex() === task);
    assert.ok(dispatched, 'the scheduler dispatched the proposal');
    assert.ok(dispatched.event.data.result.isOk, `enactment failed: ${dispatched.event.data.result}`);
    assert.ok((await api.query.referenda.referendumInfoFor(index)).unwrap().isApproved);

    // 6. Read back, and effective from the next epoch to close.
    const after = await api.query.rewards.schedule();
    assert.equal(after.initialPerEpoch.toBigInt(), newEmission);
    const closed = await waitFor('the next epoch to close', async () =>
      seenEvent('rewards', 'EpochClosed', enacted.block + 1), { timeoutMs: 180_000 });
    assert.equal(closed.event.data.epoch.toNumber(), after.startEpoch.toNumber());
    assert.equal(closed.event.data.emission.toBigInt(), newEmission);
    // Epochs closed before the enactment minted the old amount.
    const earlier = seen.filter(({ block, event }) => block <= enacted.block && api.events.rewards.EpochClosed.is(event));
    for (const { event } of earlier) assert.equal(event.data.emission.toBigInt(), 1_000n * UNIT);

    // The decision deposit is refundable once the referendum is approved.
    await sendAndFinalize(api, api.tx.referenda.refundDecisionDeposit(index), alice);
  });
});
