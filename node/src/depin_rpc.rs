//! The dApp developer's `depin_*` JSON-RPC methods: devices, epochs, scores, rewards, coverage,
//! service credits and channels, the economic parameters, and a subscription to new epochs.
//! Each method answers from the `DepinApi` runtime API at the best block or at the block
//! `at` names, in JSON with the field names `docs/rpc.md` documents: ids and hashes as `0x`
//! hex, accounts as SS58 (prefix 42), balances and credits as decimal strings (they exceed
//! JavaScript's safe integers), shares as parts per billion.

use std::sync::Arc;

use depin_primitives::{
	api::{
		CellCoverage, ClosedEpoch, DepinApi, DeviceEpochReport, DeviceRewards, EconomicParameters,
		EpochStatus,
	},
	payment::PaymentChannel,
	ChannelId, DeviceId, DeviceInfo, DeviceKey, DeviceKind, DeviceStatus, EpochIndex, H3Cell,
	MILLISECS_PER_BLOCK,
};
use depin_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use futures::StreamExt;
use jsonrpsee::{
	core::{async_trait, RpcResult, SubscriptionResult},
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
	PendingSubscriptionSink, SubscriptionMessage,
};
use sc_client_api::BlockchainEvents;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, H256};

/// Most items in one page (`depin_devicesOf`, `depin_ownerRewards`).
pub const MAX_PAGE: u32 = 100;

/// Error codes of the `depin_*` query methods (4001-4004, 4006 and 4007 are the attestation
/// methods').
pub mod error {
	pub use crate::attestations::error::RUNTIME;
	/// A page larger than [`super::MAX_PAGE`] was asked for.
	pub const PAGE_TOO_BIG: i32 = 4005;
	/// A parameter could not be read (malformed hex, SS58 or H3 cell).
	pub const INVALID_PARAM: i32 = -32602;
}

/// A registered device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceJson {
	/// Its id (blake2-256 of its SCALE-encoded key).
	pub id: String,
	/// Registration index.
	pub index: u32,
	/// Owner, SS58.
	pub owner: String,
	/// Key scheme: `Ed25519`, `Sr25519`, `EcdsaSecp256k1` or `EcdsaP256`.
	pub scheme: String,
	/// Public key, hex.
	pub public_key: String,
	/// `Hotspot`, `Storage`, `Sensor`, `Compute`, `Charger` or `Other`.
	pub kind: String,
	/// Its H3 cell (hex, as H3 tools print it).
	pub cell: String,
	/// The cell centre's latitude and longitude, degrees.
	pub lat_lng: Option<(f64, f64)>,
	/// `Active`, `Suspended` or `Retired`.
	pub status: String,
}

/// One page of an owner's devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePage {
	/// Device ids, hex.
	pub devices: Vec<String>,
	/// Pass as `after` for the next page; `null` on the last page.
	pub next: Option<String>,
}

/// The epoch in progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochJson {
	/// Epoch index.
	pub index: u32,
	/// First block.
	pub start: BlockNumber,
	/// Length in blocks.
	pub length: BlockNumber,
	/// Uptime slots.
	pub slots: u16,
	/// Randomness, hex.
	pub randomness: String,
	/// Challenge rate, parts per billion.
	pub challenge_rate: u32,
	/// The epoch's first blocks that still take the previous epoch's beacons and witness
	/// reports; the previous epoch's reveals are accepted from `start + witnessGrace` on.
	pub witness_grace: BlockNumber,
	/// The block the answer is for.
	pub block: BlockNumber,
	/// Blocks left in the epoch after `block`.
	pub blocks_left: BlockNumber,
	/// Milliseconds left at the target block time.
	pub ms_left: u64,
}

/// A device's activity and score in an epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreJson {
	/// The epoch.
	pub epoch: u32,
	/// Heartbeats counted.
	pub heartbeats: u32,
	/// Bit `s` set: slot `s` counted (decimal string of a u128).
	pub heartbeat_slots: String,
	/// Whether its heartbeats earn uptime (coverage proven in this epoch or the one before,
	/// or the epoch does not ask for it).
	pub located: bool,
	/// Whether it was challenged and its beacon accepted.
	pub beacon_accepted: bool,
	/// Witnesses rewarded for its beacon.
	pub beacon_witnesses: u32,
	/// Its witness reports accepted.
	pub witness_reports: u32,
	/// Uptime score.
	pub uptime: u64,
	/// Coverage score.
	pub coverage: u64,
}

/// Rewards of a device or of a page of an owner's devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardsJson {
	/// Settled and not claimed, plancks.
	pub pending: String,
	/// What a claim would pay now, plancks.
	pub claimable: String,
	/// Epochs not settled yet (a device only).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub unsettled_epochs: Option<Vec<u32>>,
	/// Devices in the page (an owner only).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub devices: Option<u32>,
	/// The next page's `after` (an owner only; `null` on the last page).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub next: Option<Option<String>>,
}

/// Active devices in a cell and its parent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageJson {
	/// The cell at the density resolution.
	pub cell: String,
	/// The density resolution.
	pub resolution: u8,
	/// Active devices in `cell`.
	pub active_devices: u32,
	/// Its parent cell.
	pub parent: Option<String>,
	/// Active devices under the parent.
	pub parent_active_devices: u32,
}

/// A page of the active devices in a cell, with their scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellDevicesJson {
	/// The cell at the density resolution.
	pub cell: String,
	/// The epoch the scores are for.
	pub epoch: u32,
	/// The devices in the page.
	pub devices: Vec<CellDeviceJson>,
	/// Pass as `after` for the next page; `null` on the last page.
	pub next: Option<String>,
}

/// A device in a cell and its score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellDeviceJson {
	/// The device id.
	pub device: String,
	/// Uptime score in the epoch (`null`: nothing recorded).
	pub uptime: Option<u64>,
	/// Coverage score in the epoch (`null`: nothing recorded).
	pub coverage: Option<u64>,
}

/// A payment channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelJson {
	/// Its id.
	pub id: u64,
	/// The consumer, SS58.
	pub consumer: String,
	/// The device, hex.
	pub device: String,
	/// Credits deposited.
	pub deposit: String,
	/// Cumulative credits settled.
	pub settled: String,
	/// Credits left.
	pub remaining: String,
	/// Tokens the consumer burned for the credits left (what settling them is worth),
	/// plancks.
	pub backing: String,
	/// Block it opened in.
	pub opened_at: BlockNumber,
	/// Its expiry block.
	pub expires_at: BlockNumber,
}

/// A closed epoch's pools.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClosedEpochJson {
	/// The epoch.
	pub epoch: u32,
	/// Coverage pool, plancks.
	pub coverage_pool: String,
	/// Uptime pool, plancks.
	pub uptime_pool: String,
	/// Data-transfer pool, plancks.
	pub data_transfer_pool: String,
	/// Settled into device ledgers so far, plancks.
	pub settled: String,
	/// Total uptime score.
	pub total_uptime: u64,
	/// Total coverage score.
	pub total_coverage: u64,
	/// Value of the service usage settled in it, plancks.
	pub usage_value: String,
}

/// The economic parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EconomicsJson {
	/// Minted for the next epoch to close, plancks.
	pub emission_per_epoch: String,
	/// Before the first halving, plancks.
	pub initial_emission_per_epoch: String,
	/// Epochs between halvings (0: never).
	pub halving_interval: u32,
	/// The epoch halvings count from.
	pub halving_start_epoch: u32,
	/// Supply cap, plancks.
	pub supply_cap: Option<String>,
	/// Shares of the emission, parts per billion.
	pub split: SplitJson,
	/// Epochs after which rewards expire.
	pub expiry_horizon: u32,
	/// Bond per device, plancks.
	pub device_bond: String,
	/// Blocks per epoch.
	pub epoch_length: BlockNumber,
	/// Uptime slots per epoch.
	pub slots_per_epoch: u16,
	/// Challenge rate, parts per billion.
	pub challenge_rate: u32,
	/// Most witnesses rewarded per beacon.
	pub max_witnesses_per_beacon: u32,
	/// Service credits per token, decimal.
	pub credits_per_token: String,
	/// Revenue share of spent credits, parts per billion.
	pub revenue_share: u32,
}

/// The emission split, parts per billion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitJson {
	pub coverage: u32,
	pub uptime: u32,
	pub data_transfer: u32,
	pub staking: u32,
	pub treasury: u32,
}

/// What `depin_subscribeEpochs` sends when an epoch starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochStartedJson {
	/// The new epoch (at the finalized block that started or first showed it).
	pub epoch: EpochJson,
	/// The last closed epoch's pools, if any.
	pub last_closed: Option<ClosedEpochJson>,
}

/// The `depin_*` query methods.
#[rpc(server)]
pub trait DepinQueryApi {
	/// A device by id (`0x` + 64 hex); `null` if not registered.
	#[method(name = "depin_device")]
	fn device(&self, device: String, at: Option<H256>) -> RpcResult<Option<DeviceJson>>;

	/// A page of an owner's devices (SS58 or `0x` account), up to `limit` (default and most:
	/// 100) after `after`.
	#[method(name = "depin_devicesOf")]
	fn devices_of(
		&self,
		owner: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicePage>;

	/// The epoch in progress; `null` before the first block.
	#[method(name = "depin_currentEpoch")]
	fn current_epoch(&self, at: Option<H256>) -> RpcResult<Option<EpochJson>>;

	/// A device's activity and score in an epoch; `null` if none is recorded.
	#[method(name = "depin_deviceScore")]
	fn device_score(
		&self,
		device: String,
		epoch: u32,
		at: Option<H256>,
	) -> RpcResult<Option<ScoreJson>>;

	/// Whether a device is challenged in the current or previous epoch (`null` otherwise).
	#[method(name = "depin_isChallenged")]
	fn is_challenged(
		&self,
		device: String,
		epoch: u32,
		at: Option<H256>,
	) -> RpcResult<Option<bool>>;

	/// A device's pending and claimable rewards; `null` if not registered.
	#[method(name = "depin_deviceRewards")]
	fn device_rewards(&self, device: String, at: Option<H256>) -> RpcResult<Option<RewardsJson>>;

	/// An owner's rewards over a page of their devices.
	#[method(name = "depin_ownerRewards")]
	fn owner_rewards(
		&self,
		owner: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<RewardsJson>;

	/// A closed epoch's pools; `null` if not closed or expired.
	#[method(name = "depin_closedEpoch")]
	fn closed_epoch(&self, epoch: u32, at: Option<H256>) -> RpcResult<Option<ClosedEpochJson>>;

	/// Active devices in an H3 cell (hex) and its parent, at the density resolution.
	#[method(name = "depin_cellCoverage")]
	fn cell_coverage(&self, cell: String, at: Option<H256>) -> RpcResult<CoverageJson>;

	/// A page of the active devices in an H3 cell (at the density resolution) with their
	/// scores in `epoch` (the current one by default).
	#[method(name = "depin_cellDevices")]
	fn cell_devices(
		&self,
		cell: String,
		epoch: Option<u32>,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<CellDevicesJson>;

	/// An account's service credits not locked in a channel.
	#[method(name = "depin_credits")]
	fn credits(&self, account: String, at: Option<H256>) -> RpcResult<String>;

	/// A payment channel; `null` if unknown or closed.
	#[method(name = "depin_channel")]
	fn channel(&self, channel: u64, at: Option<H256>) -> RpcResult<Option<ChannelJson>>;

	/// The economic parameters in force.
	#[method(name = "depin_economics")]
	fn economics(&self, at: Option<H256>) -> RpcResult<EconomicsJson>;

	/// A notification each time a new epoch shows at a finalized block, with the last closed
	/// epoch's pools.
	#[subscription(
		name = "depin_subscribeEpochs" => "depin_epochStarted",
		unsubscribe = "depin_unsubscribeEpochs",
		item = EpochStartedJson
	)]
	async fn subscribe_epochs(&self) -> SubscriptionResult;
}

/// The `depin_*` query methods over a client.
pub struct DepinQueries<C> {
	client: Arc<C>,
}

impl<C> DepinQueries<C> {
	/// The methods over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn invalid(what: &str, expected: &str) -> ErrorObjectOwned {
	ErrorObject::owned(error::INVALID_PARAM, format!("{what}: expected {expected}"), None::<()>)
}

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(error::RUNTIME, format!("runtime call failed: {e}"), None::<()>)
}

fn hex32(what: &str, input: &str) -> Result<[u8; 32], ErrorObjectOwned> {
	let expected = || invalid(what, "0x and 64 hex digits");
	if !input.starts_with("0x") {
		return Err(expected());
	}
	let bytes = sp_core::bytes::from_hex(input).map_err(|_| expected())?;
	bytes.try_into().map_err(|_| expected())
}

fn hex(bytes: &[u8]) -> String {
	sp_core::bytes::to_hex(bytes, false)
}

/// A device id from `0x` hex.
pub fn parse_device(input: &str) -> Result<DeviceId, ErrorObjectOwned> {
	hex32("device", input).map(DeviceId)
}

/// An account from SS58 or `0x` hex.
pub fn parse_account(what: &str, input: &str) -> Result<AccountId, ErrorObjectOwned> {
	if input.starts_with("0x") {
		return hex32(what, input).map(AccountId::from);
	}
	AccountId::from_ss58check(input)
		.map_err(|_| invalid(what, "an SS58 address or 0x and 64 hex digits"))
}

/// An H3 cell from its hex index (`8c1fb46624125ff`, with or without `0x`).
pub fn parse_cell(input: &str) -> Result<H3Cell, ErrorObjectOwned> {
	let digits = input.strip_prefix("0x").unwrap_or(input);
	u64::from_str_radix(digits, 16)
		.ok()
		.map(H3Cell)
		.filter(|cell| cell.is_valid())
		.ok_or_else(|| invalid("cell", "a valid H3 cell index in hex"))
}

fn page_limit(limit: Option<u32>) -> Result<u32, ErrorObjectOwned> {
	let limit = limit.unwrap_or(MAX_PAGE);
	if limit == 0 || limit > MAX_PAGE {
		return Err(ErrorObject::owned(
			error::PAGE_TOO_BIG,
			format!("limit must be 1..={MAX_PAGE}"),
			None::<()>,
		));
	}
	Ok(limit)
}

fn account_json(account: &AccountId) -> String {
	account.to_ss58check_with_version(depin_primitives::SS58_PREFIX.into())
}

fn device_json(id: &DeviceId, info: DeviceInfo<AccountId>) -> DeviceJson {
	let (scheme, public_key) = match &info.key {
		DeviceKey::Ed25519(k) => ("Ed25519", hex(k)),
		DeviceKey::Sr25519(k) => ("Sr25519", hex(k)),
		DeviceKey::EcdsaSecp256k1(k) => ("EcdsaSecp256k1", hex(k)),
		DeviceKey::EcdsaP256(k) => ("EcdsaP256", hex(k)),
	};
	DeviceJson {
		id: hex(&id.0),
		index: info.index,
		owner: account_json(&info.owner),
		scheme: scheme.into(),
		public_key,
		kind: kind_name(info.kind).into(),
		cell: format!("{:x}", info.location.0),
		lat_lng: info.location.center_lat_lng(),
		status: match info.status {
			DeviceStatus::Active => "Active",
			DeviceStatus::Suspended => "Suspended",
			DeviceStatus::Retired => "Retired",
		}
		.into(),
	}
}

fn kind_name(kind: DeviceKind) -> &'static str {
	match kind {
		DeviceKind::Hotspot => "Hotspot",
		DeviceKind::Storage => "Storage",
		DeviceKind::Sensor => "Sensor",
		DeviceKind::Charger => "Charger",
		DeviceKind::Compute => "Compute",
		DeviceKind::Other => "Other",
	}
}

fn epoch_json(status: EpochStatus<BlockNumber>) -> EpochJson {
	let e = status.epoch;
	let blocks_left =
		e.start.saturating_add(e.length).saturating_sub(status.block.saturating_add(1));
	EpochJson {
		index: e.index,
		start: e.start,
		length: e.length,
		slots: e.slots,
		randomness: hex(&e.randomness),
		challenge_rate: e.challenge_rate,
		witness_grace: e.witness_grace,
		block: status.block,
		blocks_left,
		ms_left: u64::from(blocks_left) * MILLISECS_PER_BLOCK,
	}
}

fn score_json(report: DeviceEpochReport) -> ScoreJson {
	ScoreJson {
		epoch: report.epoch,
		heartbeats: report.heartbeats(),
		heartbeat_slots: report.heartbeat_slots.to_string(),
		located: report.located,
		beacon_accepted: report.beacon_accepted,
		beacon_witnesses: report.beacon_witnesses,
		witness_reports: report.witness_reports,
		uptime: report.score.uptime,
		coverage: report.score.coverage,
	}
}

fn closed_json(closed: ClosedEpoch<Balance>) -> ClosedEpochJson {
	ClosedEpochJson {
		epoch: closed.epoch,
		coverage_pool: closed.coverage_pool.to_string(),
		uptime_pool: closed.uptime_pool.to_string(),
		data_transfer_pool: closed.data_transfer_pool.to_string(),
		settled: closed.settled.to_string(),
		total_uptime: closed.total_score.uptime,
		total_coverage: closed.total_score.coverage,
		usage_value: closed.usage_value.to_string(),
	}
}

fn fixed_to_string(value: sp_runtime::FixedU128) -> String {
	use sp_runtime::FixedPointNumber;
	let inner = value.into_inner();
	let (whole, frac) = (inner / sp_runtime::FixedU128::DIV, inner % sp_runtime::FixedU128::DIV);
	if frac == 0 {
		return whole.to_string();
	}
	let frac = format!("{frac:018}");
	format!("{whole}.{}", frac.trim_end_matches('0'))
}

fn economics_json(p: EconomicParameters<Balance, BlockNumber>) -> EconomicsJson {
	EconomicsJson {
		emission_per_epoch: p.emission_per_epoch.to_string(),
		initial_emission_per_epoch: p.initial_emission_per_epoch.to_string(),
		halving_interval: p.halving_interval,
		halving_start_epoch: p.halving_start_epoch,
		supply_cap: p.supply_cap.map(|c| c.to_string()),
		split: SplitJson {
			coverage: p.coverage_share.deconstruct(),
			uptime: p.uptime_share.deconstruct(),
			data_transfer: p.data_transfer_share.deconstruct(),
			staking: p.staking_share.deconstruct(),
			treasury: p.treasury_share.deconstruct(),
		},
		expiry_horizon: p.expiry_horizon,
		device_bond: p.device_bond.to_string(),
		epoch_length: p.epoch_length,
		slots_per_epoch: p.slots_per_epoch,
		challenge_rate: p.challenge_rate.deconstruct(),
		max_witnesses_per_beacon: p.max_witnesses_per_beacon,
		credits_per_token: fixed_to_string(p.credits_per_token),
		revenue_share: p.revenue_share.deconstruct(),
	}
}

fn rewards_json(r: DeviceRewards<Balance>) -> RewardsJson {
	RewardsJson {
		pending: r.pending.to_string(),
		claimable: r.claimable.to_string(),
		unsettled_epochs: Some(r.unsettled_epochs),
		devices: None,
		next: None,
	}
}

fn channel_json(id: ChannelId, c: PaymentChannel<AccountId, BlockNumber>) -> ChannelJson {
	ChannelJson {
		id,
		consumer: account_json(&c.consumer),
		device: hex(&c.device.0),
		deposit: c.deposit.to_string(),
		settled: c.settled.to_string(),
		remaining: c.remaining().to_string(),
		backing: c.backing.to_string(),
		opened_at: c.opened_at,
		expires_at: c.expires_at,
	}
}

fn coverage_json(c: CellCoverage) -> CoverageJson {
	CoverageJson {
		cell: format!("{:x}", c.cell.0),
		resolution: c.resolution,
		active_devices: c.active_devices,
		parent: c.parent.map(|p| format!("{:x}", p.0)),
		parent_active_devices: c.parent_active_devices,
	}
}

impl<C> DepinQueries<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DepinApi<Block, AccountId, Balance, BlockNumber>,
{
	fn at(&self, at: Option<H256>) -> H256 {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}

	/// Runs `f` against the runtime API at `at`, mapping its errors.
	fn call<R>(
		&self,
		at: Option<H256>,
		f: impl FnOnce(&sp_api::ApiRef<'_, C::Api>, H256) -> Result<R, sp_api::ApiError>,
	) -> RpcResult<R> {
		let hash = self.at(at);
		let api = self.client.runtime_api();
		f(&api, hash).map_err(runtime_error)
	}
}

#[async_trait]
impl<C> DepinQueryApiServer for DepinQueries<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + BlockchainEvents<Block>,
	C: Send + Sync + 'static,
	C::Api: DepinApi<Block, AccountId, Balance, BlockNumber>,
{
	fn device(&self, device: String, at: Option<H256>) -> RpcResult<Option<DeviceJson>> {
		let id = parse_device(&device)?;
		Ok(self.call(at, |api, hash| api.device(hash, id))?.map(|info| device_json(&id, info)))
	}

	fn devices_of(
		&self,
		owner: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<DevicePage> {
		let owner = parse_account("owner", &owner)?;
		let after = after.as_deref().map(parse_device).transpose()?;
		let limit = page_limit(limit)?;
		let devices = self.call(at, |api, hash| api.devices_of(hash, owner, after, limit))?;
		let next =
			(devices.len() as u32 == limit).then(|| devices.last().map(|d| hex(&d.0))).flatten();
		Ok(DevicePage { devices: devices.iter().map(|d| hex(&d.0)).collect(), next })
	}

	fn current_epoch(&self, at: Option<H256>) -> RpcResult<Option<EpochJson>> {
		Ok(self.call(at, |api, hash| api.current_epoch(hash))?.map(epoch_json))
	}

	fn device_score(
		&self,
		device: String,
		epoch: EpochIndex,
		at: Option<H256>,
	) -> RpcResult<Option<ScoreJson>> {
		let id = parse_device(&device)?;
		Ok(self.call(at, |api, hash| api.device_score(hash, id, epoch))?.map(score_json))
	}

	fn is_challenged(
		&self,
		device: String,
		epoch: EpochIndex,
		at: Option<H256>,
	) -> RpcResult<Option<bool>> {
		let id = parse_device(&device)?;
		self.call(at, |api, hash| api.is_challenged(hash, id, epoch))
	}

	fn device_rewards(&self, device: String, at: Option<H256>) -> RpcResult<Option<RewardsJson>> {
		let id = parse_device(&device)?;
		Ok(self.call(at, |api, hash| api.device_rewards(hash, id))?.map(rewards_json))
	}

	fn owner_rewards(
		&self,
		owner: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<RewardsJson> {
		let owner = parse_account("owner", &owner)?;
		let after = after.as_deref().map(parse_device).transpose()?;
		let limit = page_limit(limit)?;
		let r = self.call(at, |api, hash| api.owner_rewards(hash, owner, after, limit))?;
		Ok(RewardsJson {
			pending: r.pending.to_string(),
			claimable: r.claimable.to_string(),
			unsettled_epochs: None,
			devices: Some(r.devices),
			next: Some(r.next.map(|d| hex(&d.0))),
		})
	}

	fn closed_epoch(
		&self,
		epoch: EpochIndex,
		at: Option<H256>,
	) -> RpcResult<Option<ClosedEpochJson>> {
		Ok(self.call(at, |api, hash| api.closed_epoch(hash, epoch))?.map(closed_json))
	}

	fn cell_coverage(&self, cell: String, at: Option<H256>) -> RpcResult<CoverageJson> {
		let cell = parse_cell(&cell)?;
		self.call(at, |api, hash| api.cell_coverage(hash, cell))?
			.map(coverage_json)
			.ok_or_else(|| invalid("cell", "a cell at or finer than the density resolution"))
	}

	fn cell_devices(
		&self,
		cell: String,
		epoch: Option<EpochIndex>,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<CellDevicesJson> {
		let cell = parse_cell(&cell)?;
		let after = after.as_deref().map(parse_device).transpose()?;
		let limit = page_limit(limit)?;
		let epoch = match epoch {
			Some(epoch) => epoch,
			None => self
				.call(at, |api, hash| api.current_epoch(hash))?
				.map_or(0, |status| status.epoch.index),
		};
		let coverage = self
			.call(at, |api, hash| api.cell_coverage(hash, cell))?
			.ok_or_else(|| invalid("cell", "a cell at or finer than the density resolution"))?;
		let devices = self
			.call(at, |api, hash| api.cell_devices(hash, cell, epoch, after, limit))?
			.unwrap_or_default();
		let next = (devices.len() as u32 == limit)
			.then(|| devices.last().map(|d| hex(&d.device.0)))
			.flatten();
		Ok(CellDevicesJson {
			cell: format!("{:x}", coverage.cell.0),
			epoch,
			devices: devices
				.into_iter()
				.map(|d| CellDeviceJson {
					device: hex(&d.device.0),
					uptime: d.score.map(|s| s.uptime),
					coverage: d.score.map(|s| s.coverage),
				})
				.collect(),
			next,
		})
	}

	fn credits(&self, account: String, at: Option<H256>) -> RpcResult<String> {
		let account = parse_account("account", &account)?;
		Ok(self.call(at, |api, hash| api.credits(hash, account))?.to_string())
	}

	fn channel(&self, channel: ChannelId, at: Option<H256>) -> RpcResult<Option<ChannelJson>> {
		Ok(self.call(at, |api, hash| api.channel(hash, channel))?.map(|c| channel_json(channel, c)))
	}

	fn economics(&self, at: Option<H256>) -> RpcResult<EconomicsJson> {
		Ok(economics_json(self.call(at, |api, hash| api.economic_parameters(hash))?))
	}

	async fn subscribe_epochs(&self, pending: PendingSubscriptionSink) -> SubscriptionResult {
		let sink = pending.accept().await?;
		let mut finalized = self.client.finality_notification_stream();
		let mut last_sent: Option<EpochIndex> = None;
		while let Some(notification) = finalized.next().await {
			let hash = notification.hash;
			let api = self.client.runtime_api();
			let Ok(Some(status)) = api.current_epoch(hash) else { continue };
			if last_sent == Some(status.epoch.index) {
				continue;
			}
			last_sent = Some(status.epoch.index);
			let last_closed = api
				.last_closed_epoch(hash)
				.ok()
				.flatten()
				.and_then(|epoch| api.closed_epoch(hash, epoch).ok().flatten())
				.map(closed_json);
			let item = EpochStartedJson { epoch: epoch_json(status), last_closed };
			let message = SubscriptionMessage::from_json(&item)?;
			if sink.send(message).await.is_err() {
				break;
			}
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn parses_ids_accounts_and_cells_and_refuses_malformed_input() {
		let id = parse_device(&format!("0x{}", "ab".repeat(32))).unwrap();
		assert_eq!(id.0, [0xab; 32]);
		for bad in ["", "0x", "ab".repeat(32).as_str(), "0xzz", &format!("0x{}", "ab".repeat(31))] {
			assert_eq!(parse_device(bad).unwrap_err().code(), error::INVALID_PARAM);
		}
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		assert_eq!(account_json(&parse_account("owner", alice).unwrap()), alice);
		assert!(parse_account("owner", "5Grw").is_err());
		assert_eq!(parse_cell("8c1fb46624125ff").unwrap(), H3Cell(0x8c1fb46624125ff));
		assert_eq!(parse_cell("0x8c1fb46624125ff").unwrap(), H3Cell(0x8c1fb46624125ff));
		assert!(parse_cell("ffffffffffffffff").is_err());
		assert!(parse_cell("paris").is_err());
	}

	#[test]
	fn pages_are_bounded() {
		assert_eq!(page_limit(None).unwrap(), MAX_PAGE);
		assert_eq!(page_limit(Some(5)).unwrap(), 5);
		assert_eq!(page_limit(Some(MAX_PAGE + 1)).unwrap_err().code(), error::PAGE_TOO_BIG);
		assert_eq!(page_limit(Some(0)).unwrap_err().code(), error::PAGE_TOO_BIG);
	}

	#[test]
	fn fixed_point_prices_print_as_decimals() {
		use sp_runtime::FixedU128;
		assert_eq!(fixed_to_string(FixedU128::from_u32(100_000)), "100000");
		assert_eq!(fixed_to_string(FixedU128::from_rational(5, 2)), "2.5");
	}
}
