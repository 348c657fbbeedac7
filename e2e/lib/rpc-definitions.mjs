// `@polkadot/api` definitions of the `depin_*` methods (docs/rpc.md): pass as
// `ApiPromise.create({ provider, rpc: DEPIN_RPC })`, then call e.g. `api.rpc.depin.device(id)`.
// Answers are `Json` codecs (`.toJSON()` gives the documented object), `Option<Json>` where
// the method may answer `null`.

const at = { name: 'at', type: 'Hash', isOptional: true };
const device = { name: 'device', type: 'H256' };
const epoch = { name: 'epoch', type: 'u32' };
const page = [
  { name: 'owner', type: 'Text' },
  { name: 'after', type: 'Option<H256>', isOptional: true },
  { name: 'limit', type: 'Option<u32>', isOptional: true },
  at,
];

export const DEPIN_RPC = {
  depin: {
    device: { description: 'A device by id', params: [device, at], type: 'Option<Json>' },
    devicesOf: { description: "A page of an owner's devices", params: page, type: 'Json' },
    currentEpoch: { description: 'The epoch in progress', params: [at], type: 'Option<Json>' },
    deviceScore: { description: "A device's score in an epoch", params: [device, epoch, at], type: 'Option<Json>' },
    isChallenged: { description: 'Whether a device is challenged', params: [device, epoch, at], type: 'Option<bool>' },
    deviceRewards: { description: "A device's rewards", params: [device, at], type: 'Option<Json>' },
    ownerRewards: { description: "An owner's rewards over a page of devices", params: page, type: 'Json' },
    closedEpoch: { description: "A closed epoch's pools", params: [epoch, at], type: 'Option<Json>' },
    cellCoverage: { description: 'Active devices in an H3 cell and its parent', params: [{ name: 'cell', type: 'Text' }, at], type: 'Json' },
    cellDevices: {
      description: 'Active devices in an H3 cell with their scores',
      params: [
        { name: 'cell', type: 'Text' },
        { name: 'epoch', type: 'Option<u32>', isOptional: true },
        { name: 'after', type: 'Option<H256>', isOptional: true },
        { name: 'limit', type: 'Option<u32>', isOptional: true },
        at,
      ],
      type: 'Json',
    },
    credits: { description: "An account's service credits", params: [{ name: 'account', type: 'Text' }, at], type: 'Text' },
    channel: { description: 'A payment channel', params: [{ name: 'channel', type: 'u64' }, at], type: 'Option<Json>' },
    economics: { description: 'The economic parameters', params: [at], type: 'Json' },
    subscribeEpochs: {
      description: 'New epochs at finalized blocks',
      params: [],
      pubsub: ['epochStarted', 'subscribeEpochs', 'unsubscribeEpochs'],
      type: 'Json',
    },
  },
};
