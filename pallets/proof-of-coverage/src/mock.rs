//! A test runtime: System and proof of coverage, with an in-memory device registry, a
//! deterministic randomness source and a score sink that records what it is told.

use crate::{self as pallet_proof_of_coverage, AttestationBatch, BatchOf, PocParameters};
use codec::Encode;
use core::cell::RefCell;
use depin_primitives::{
	attestation::{
		beacon_commitment, witness_tag, Beacon, BeaconPayload, BeaconReveal, BeaconSecret,
		HeartbeatPayload, WitnessPayload,
	},
	device::pair::DevicePair,
	DeviceId, DeviceInfo, DeviceInspect, DeviceKind, DeviceStatus, EpochIndex, EpochScore, H3Cell,
	Heartbeat, OracleId, OracleSignature, ScoreSink, SignatureScheme, SignedAttestation,
	SignedPayload, SlotIndex, WitnessReport,
};
use frame_support::{
	derive_impl,
	dispatch::PostDispatchInfo,
	pallet_prelude::{TransactionSource, TransactionValidityError},
	parameter_types,
	traits::{Authorize, ConstU32, Randomness},
};
use frame_system::EnsureRoot;
use sp_core::{Pair as _, H256};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{
	traits::Dispatchable, BoundedVec, BuildStorage, DispatchResultWithInfo, Perbill,
	RuntimeAppPublic,
};
use std::collections::BTreeMap;

pub type AccountId = u64;
pub type Extrinsic =
	frame_system::mocking::MockUncheckedExtrinsic<Test, (), frame_system::AuthorizeCall<Test>>;
type Block = frame_support::sp_runtime::generic::Block<
	frame_support::sp_runtime::generic::Header<u64, sp_runtime::traits::BlakeTwo256>,
	Extrinsic,
>;

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;

pub const EPOCH_LENGTH: u64 = 10;
pub const SLOTS: u16 = 10;
pub const GRACE: u64 = 3;
/// Uptime score of one counted heartbeat.
pub const HEARTBEAT_SCORE: u64 = depin_primitives::attestation::SCORE_UNIT;
pub const BEACON_SCORE: u64 = 10_000_000;
pub const WITNESS_SCORE: u64 = 5_000_000;
pub const MAX_WITNESSES: u32 = 3;
/// Witness reports a beacon holds until its reveal.
pub const MAX_CANDIDATES: u32 = 5;
/// The first blocks of an epoch that still take the previous epoch's beacons and witnesses.
pub const WITNESS_GRACE: u64 = 3;
/// Epochs a device that made an invalid tag may not witness.
pub const BAR_EPOCHS: u32 = 2;
/// What the score sink charges per device it hears of (non-zero, so charges show).
pub const DEVICE_ACTIVE_WEIGHT: u64 = 1_000_000;
/// The recording sink's fixed part of a call (`devices_active_weight(0)`).
pub const DEVICES_ACTIVE_BASE_WEIGHT: u64 = 3_000_000;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ProofOfCoverage: pallet_proof_of_coverage,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	// Real database weights, so that page refunds show in the tests.
	type DbWeight = frame_support::weights::constants::ParityDbWeight;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = frame_system::AuthorizeCall<Test>;
	fn create_transaction(call: RuntimeCall, extension: Self::Extension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() -> Self::Extension {
		frame_system::AuthorizeCall::new()
	}
}

thread_local! {
	static DEVICES: RefCell<BTreeMap<DeviceId, DeviceInfo<AccountId>>> = const { RefCell::new(BTreeMap::new()) };
	static NEXT_INDEX: RefCell<u32> = const { RefCell::new(0) };
	static ACTIVE: RefCell<Vec<(DeviceId, EpochIndex)>> = const { RefCell::new(Vec::new()) };
	static SINK_CALLS: RefCell<u32> = const { RefCell::new(0) };
	static SCORED: RefCell<Vec<(EpochIndex, EpochScore)>> = const { RefCell::new(Vec::new()) };
	static SETTLED: RefCell<Vec<(DeviceId, EpochIndex, Option<EpochScore>)>> = const { RefCell::new(Vec::new()) };
	static RANDOM_SEED: RefCell<u8> = const { RefCell::new(0) };
}

/// The next device index, as the registry hands them out.
fn next_index() -> u32 {
	NEXT_INDEX.with(|n| {
		let index = *n.borrow();
		*n.borrow_mut() = index + 1;
		index
	})
}

/// Skips `count` device indexes (the next device lands in another page).
pub fn skip_device_indexes(count: u32) {
	NEXT_INDEX.with(|n| *n.borrow_mut() += count);
}

/// The registry as proof of coverage sees it.
pub struct MockDevices;

impl MockDevices {
	pub fn insert(pair: &DevicePair, owner: AccountId, location: H3Cell) -> DeviceId {
		let key = pair.public();
		let id = key.device_id();
		let index = next_index();
		DEVICES.with(|d| {
			d.borrow_mut().insert(
				id,
				DeviceInfo {
					index,
					owner,
					key,
					kind: DeviceKind::Hotspot,
					location,
					status: DeviceStatus::Active,
				},
			)
		});
		id
	}

	pub fn set_status(id: &DeviceId, status: DeviceStatus) {
		DEVICES.with(|d| {
			if let Some(info) = d.borrow_mut().get_mut(id) {
				info.status = status;
			}
		});
	}
}

pub const DENSITY_RESOLUTION: u8 = 7;

impl DeviceInspect<AccountId> for MockDevices {
	fn device(id: &DeviceId) -> Option<DeviceInfo<AccountId>> {
		DEVICES.with(|d| d.borrow().get(id).cloned())
	}
	fn devices_of(owner: &AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId> {
		DEVICES.with(|d| {
			d.borrow()
				.iter()
				.filter(|(id, info)| info.owner == *owner && after.is_none_or(|a| **id > a))
				.take(limit as usize)
				.map(|(id, _)| *id)
				.collect()
		})
	}
	fn density_resolution() -> u8 {
		DENSITY_RESOLUTION
	}
	fn active_devices_in_cell(cell: H3Cell) -> u32 {
		DEVICES.with(|d| {
			d.borrow()
				.values()
				.filter(|info| info.status == DeviceStatus::Active)
				.filter(|info| info.location.parent(DENSITY_RESOLUTION) == Some(cell))
				.count() as u32
		})
	}
}

/// Records what proof of coverage reports.
pub struct RecordingSink;

impl ScoreSink for RecordingSink {
	/// Records each device, and reads its score of two epochs back as rewards does when it
	/// settles that epoch at this moment.
	fn devices_active(
		devices: &[(DeviceId, depin_primitives::DeviceIndex, EpochIndex)],
	) -> frame_support::weights::Weight {
		SINK_CALLS.with(|c| *c.borrow_mut() += 1);
		for (device, index, epoch) in devices {
			ACTIVE.with(|a| a.borrow_mut().push((*device, *epoch)));
			if let Some(old) = epoch.checked_sub(2) {
				let score = crate::Pallet::<Test>::score_of(device, *index, old);
				SETTLED.with(|s| s.borrow_mut().push((*device, old, score)));
			}
		}
		Self::devices_active_weight(devices.len() as u32)
	}
	fn epoch_scored(epoch: EpochIndex, totals: &EpochScore) {
		SCORED.with(|s| s.borrow_mut().push((epoch, *totals)));
	}
	/// A fixed part and `DEVICE_ACTIVE_WEIGHT` per device.
	fn devices_active_weight(n: u32) -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(
			DEVICES_ACTIVE_BASE_WEIGHT + DEVICE_ACTIVE_WEIGHT * u64::from(n),
			0,
		)
	}
	fn epoch_scored_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// What the sink read back of `device`'s epoch `epoch` when it heard of the device two
/// epochs later (as rewards settles it then).
pub fn settled_score(device: &DeviceId, epoch: EpochIndex) -> Option<Option<EpochScore>> {
	SETTLED.with(|s| {
		s.borrow().iter().find(|(d, e, _)| d == device && *e == epoch).map(|(_, _, score)| *score)
	})
}

thread_local! {
	static SLASHED: RefCell<Vec<(DeviceId, Perbill)>> = const { RefCell::new(Vec::new()) };
}

/// Share of the bond slashed per invalid tag in tests.
pub const TAG_SLASH: Perbill = Perbill::from_percent(5);

/// Records the bond slashes proof of coverage asks of the registry.
pub struct RecordingPenalties;
impl depin_primitives::DevicePenalty for RecordingPenalties {
	fn slash_bond(device: &DeviceId, share: Perbill) {
		SLASHED.with(|s| s.borrow_mut().push((*device, share)));
	}
}

/// The slashes asked of the registry, in order.
pub fn slashed() -> Vec<(DeviceId, Perbill)> {
	SLASHED.with(|s| s.borrow().clone())
}

/// What proof of coverage reports of `pair`'s device in `epoch`.
pub fn report(
	pair: &DevicePair,
	epoch: EpochIndex,
) -> Option<depin_primitives::api::DeviceEpochReport> {
	crate::Pallet::<Test>::device_report(&pair.public().device_id(), epoch)
}

/// Weight of `reads` page reads and `writes` page writes.
pub fn page_ops(reads: u64, writes: u64) -> frame_support::weights::Weight {
	let db: frame_support::weights::RuntimeDbWeight =
		<Test as frame_system::Config>::DbWeight::get();
	db.reads(reads).saturating_add(db.writes(writes))
}

/// Devices reported active, in order, with the epoch.
/// How many times the score sink's `devices_active` was called.
pub fn sink_calls() -> u32 {
	SINK_CALLS.with(|c| *c.borrow())
}

pub fn active_devices() -> Vec<(DeviceId, EpochIndex)> {
	ACTIVE.with(|a| a.borrow().clone())
}

pub fn scored_epochs() -> Vec<(EpochIndex, EpochScore)> {
	SCORED.with(|s| s.borrow().clone())
}

/// Randomness that depends on the block and a seed the test can change.
pub struct TestRandomness;

impl Randomness<Option<H256>, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (Option<H256>, u64) {
		let block = System::block_number();
		let seed = RANDOM_SEED.with(|s| *s.borrow());
		let mut input = subject.to_vec();
		input.extend_from_slice(&block.to_le_bytes());
		input.push(seed);
		(Some(H256(sp_io::hashing::blake2_256(&input))), block)
	}
}

parameter_types! {
	pub const DefaultParameters: PocParameters<u64> = PocParameters {
		epoch_length: EPOCH_LENGTH,
		slots_per_epoch: SLOTS,
		heartbeat_grace: GRACE,
		witness_grace: WITNESS_GRACE,
		challenge_rate: Perbill::from_percent(50),
		max_witnesses_per_beacon: MAX_WITNESSES,
		max_witness_candidates: MAX_CANDIDATES,
		invalid_tag_bar_epochs: BAR_EPOCHS,
		invalid_tag_slash: TAG_SLASH,
		min_witness_distance_m: 300,
		max_witness_distance_m: 20_000,
		max_eirp_dbm: 36,
		rssi_margin_db: 6,
		min_frequency_khz: 400_000,
		max_frequency_khz: 6_000_000,
		target_density: 4,
		beacon_score: BEACON_SCORE,
		witness_score: WITNESS_SCORE,
		// Off in most tests, which count heartbeats of lone devices; `tests/located_uptime.rs`
		// turns it on.
		uptime_needs_coverage: false,
		max_batches_per_block: 8,
		batch_longevity: 5,
	};
}

impl pallet_proof_of_coverage::Config for Test {
	type Devices = MockDevices;
	type Randomness = TestRandomness;
	type ScoreSink = RecordingSink;
	type Penalties = RecordingPenalties;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type DefaultParameters = DefaultParameters;
	type MaxBatchSize = ConstU32<200>;
	type MaxWitnessesPerBeacon = ConstU32<5>;
	type MaxWitnessCandidates = ConstU32<8>;
	type MaxOracles = ConstU32<3>;
	type EpochHistory = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockDevices;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockDevices {
	fn register_device(
		owner: &AccountId,
		key: depin_primitives::DeviceKey,
		location: H3Cell,
		_proof: depin_primitives::DeviceSignature,
	) {
		DEVICES.with(|d| {
			d.borrow_mut().insert(
				key.device_id(),
				DeviceInfo {
					index: next_index(),
					owner: *owner,
					key,
					kind: DeviceKind::Hotspot,
					location,
					status: DeviceStatus::Active,
				},
			)
		});
	}

	fn skip_device_indexes(count: u32) {
		skip_device_indexes(count);
	}
}

/// Test externalities with a keystore holding one authorised oracle key ([`oracle`]).
pub fn new_test_ext() -> sp_io::TestExternalities {
	DEVICES.with(|d| d.borrow_mut().clear());
	ACTIVE.with(|a| a.borrow_mut().clear());
	NEXT_INDEX.with(|n| *n.borrow_mut() = 0);
	SCORED.with(|s| s.borrow_mut().clear());
	SETTLED.with(|s| s.borrow_mut().clear());
	SLASHED.with(|s| s.borrow_mut().clear());
	RANDOM_SEED.with(|s| *s.borrow_mut() = 0);
	let keystore = MemoryKeystore::new();
	let oracle = keystore
		.sr25519_generate_new(depin_primitives::oracle::KEY_TYPE, Some("//Oracle"))
		.expect("keystore works");
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_proof_of_coverage::GenesisConfig::<Test> {
		oracles: vec![OracleId::from(oracle)],
		parameters: None,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(keystore));
	ext.execute_with(|| run_to_block(1));
	ext
}

/// Runs `test` in fresh externalities, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
	});
}

/// The hash the mock gives block `n` (block 0's is the genesis hash).
pub fn block_hash_of(n: u64) -> H256 {
	H256(sp_io::hashing::blake2_256(&(b"mock block", n).encode()))
}

/// Moves to block `n`, recording the parent's hash and running `on_initialize` of each block
/// on the way.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n || System::block_number() == 0 {
		let next = System::block_number() + 1;
		if next >= 2 {
			frame_system::BlockHash::<Test>::insert(next - 1, block_hash_of(next - 1));
		}
		System::set_block_number(next);
		ProofOfCoverage::on_initialize(next);
	}
}

/// Moves to the first block at which epoch `epoch`'s beacons may be revealed (its witness
/// window is over).
pub fn run_to_reveals(epoch: EpochIndex) {
	let start = 1 + u64::from(epoch + 1) * EPOCH_LENGTH;
	run_to_block(start + WITNESS_GRACE);
}

/// The authorised oracle of the test keystore.
pub fn oracle() -> OracleId {
	OracleId::from(sp_core::sr25519::Pair::from_string("//Oracle", None).unwrap().public())
}

/// A device key pair from a small number.
pub fn pair(scheme: SignatureScheme, n: u32) -> DevicePair {
	let mut seed = [0u8; 32];
	seed[..4].copy_from_slice(&n.to_le_bytes());
	seed[4] = scheme as u8;
	DevicePair::from_seed(scheme, seed)
}

/// Latitude/longitude to a resolution-12 cell.
pub fn cell(lat: f64, lng: f64) -> H3Cell {
	H3Cell::from_lat_lng(lat, lng, 12).unwrap()
}

/// Notre-Dame de Paris.
pub fn paris() -> H3Cell {
	cell(48.8530, 2.3499)
}

/// About 1.1 km north of [`paris`].
pub fn paris_north() -> H3Cell {
	cell(48.8630, 2.3499)
}

pub fn genesis() -> H256 {
	crate::Pallet::<Test>::genesis_hash()
}

pub fn current_epoch() -> EpochIndex {
	crate::CurrentEpoch::<Test>::get().unwrap().index
}

/// The slot the current block is in.
pub fn current_slot() -> SlotIndex {
	let epoch = crate::CurrentEpoch::<Test>::get().unwrap();
	epoch.slot_at(System::block_number()).unwrap()
}

/// The anchor of `slot` of `epoch`: the hash of the block before the slot's first block
/// (zeros if that block is not in the state yet, as a device guessing would sign).
pub fn slot_anchor(epoch: EpochIndex, slot: SlotIndex) -> [u8; 32] {
	let Some(info) = crate::Pallet::<Test>::epoch_info(epoch) else { return [0; 32] };
	let (from, _) = info.slot_bounds(slot);
	match from.checked_sub(1) {
		Some(block) if block < System::block_number() => System::block_hash(block).0,
		_ => [0; 32],
	}
}

pub fn heartbeat(pair: &DevicePair, epoch: EpochIndex, slot: SlotIndex) -> SignedAttestation {
	heartbeat_anchored(pair, epoch, slot, slot_anchor(epoch, slot))
}

/// A heartbeat that binds `anchor` as its slot anchor.
pub fn heartbeat_anchored(
	pair: &DevicePair,
	epoch: EpochIndex,
	slot: SlotIndex,
	anchor: [u8; 32],
) -> SignedAttestation {
	let heartbeat = Heartbeat { device: pair.public().device_id(), epoch, slot, anchor };
	let signature = pair.sign(
		&HeartbeatPayload { genesis_hash: &genesis(), heartbeat: &heartbeat }.signing_bytes(),
	);
	SignedAttestation::Heartbeat { heartbeat, signature }
}

/// The secret `pair` broadcasts over the air as its beacon of `epoch`.
pub fn secret(pair: &DevicePair, epoch: EpochIndex) -> BeaconSecret {
	sp_io::hashing::blake2_256(&(b"mock secret", pair.public().device_id(), epoch).encode())
}

/// The commitment to [`secret`].
pub fn commitment(pair: &DevicePair, epoch: EpochIndex) -> [u8; 32] {
	beacon_commitment(&genesis(), &pair.public().device_id(), epoch, &secret(pair, epoch))
}

/// `pair`'s beacon of `epoch`: its signed commitment to [`secret`].
pub fn beacon(pair: &DevicePair, epoch: EpochIndex) -> SignedAttestation {
	beacon_committing(pair, epoch, commitment(pair, epoch))
}

/// `pair`'s beacon of `epoch`, committing to `commitment`.
pub fn beacon_committing(
	pair: &DevicePair,
	epoch: EpochIndex,
	commitment: [u8; 32],
) -> SignedAttestation {
	let info = crate::Pallet::<Test>::epoch_info(epoch).expect("open epoch");
	let beacon = Beacon { device: pair.public().device_id(), epoch, commitment };
	let signature = pair.sign(
		&BeaconPayload { genesis_hash: &genesis(), beacon: &beacon, randomness: &info.randomness }
			.signing_bytes(),
	);
	SignedAttestation::Beacon { beacon, signature }
}

/// `pair`'s reveal of its beacon of `epoch`.
pub fn reveal(pair: &DevicePair, epoch: EpochIndex) -> SignedAttestation {
	SignedAttestation::Reveal(BeaconReveal {
		device: pair.public().device_id(),
		epoch,
		secret: secret(pair, epoch),
	})
}

/// A witness report of a device that heard `beaconer`'s secret, with a plausible -100 dBm
/// at 868.1 MHz.
pub fn witness(
	witness: &DevicePair,
	beaconer: &DevicePair,
	epoch: EpochIndex,
) -> SignedAttestation {
	witness_with(witness, beaconer, epoch, |_| {})
}

/// A witness report, changed by `edit` before the witness signs it.
pub fn witness_with(
	witness: &DevicePair,
	beaconer: &DevicePair,
	epoch: EpochIndex,
	edit: impl FnOnce(&mut WitnessReport),
) -> SignedAttestation {
	let witness_id = witness.public().device_id();
	let mut report = WitnessReport {
		witness: witness_id,
		beaconer: beaconer.public().device_id(),
		epoch,
		commitment: commitment(beaconer, epoch),
		tag: witness_tag(&secret(beaconer, epoch), &witness_id),
		rssi_dbm: -100,
		snr_decibels_x10: 55,
		frequency_khz: 868_100,
	};
	edit(&mut report);
	sign_witness(witness, report)
}

/// `report` signed by `witness`.
pub fn sign_witness(witness: &DevicePair, report: WitnessReport) -> SignedAttestation {
	let signature =
		witness.sign(&WitnessPayload { genesis_hash: &genesis(), report: &report }.signing_bytes());
	SignedAttestation::Witness { report, signature }
}

/// A device of `scheme` that is (or is not) challenged in `epoch`, registered to `owner`
/// at `location`. Searches small seeds from `from`.
pub fn device_challenged(
	challenged: bool,
	epoch: EpochIndex,
	owner: AccountId,
	location: H3Cell,
	from: u32,
) -> DevicePair {
	for n in from.. {
		let candidate = pair(SignatureScheme::Ed25519, n);
		let id = candidate.public().device_id();
		if crate::Pallet::<Test>::is_challenged(&id, epoch) == Some(challenged) {
			MockDevices::insert(&candidate, owner, location);
			return candidate;
		}
	}
	unreachable!()
}

/// Device `n` of `scheme`, registered to Alice in Paris.
pub fn alice_device(scheme: SignatureScheme, n: u32) -> DevicePair {
	let device = pair(scheme, n);
	MockDevices::insert(&device, ALICE, paris());
	device
}

/// The test oracle's next batch (the sequence the chain expects), for the current block.
pub fn signed_batch(attestations: Vec<SignedAttestation>) -> (BatchOf<Test>, OracleSignature) {
	let sequence = crate::Oracles::<Test>::get(oracle()).map_or(0, |state| state.batches);
	batch_with(sequence, System::block_number(), attestations)
}

/// A batch of the test oracle with `sequence`, for `block`, signed.
pub fn batch_with(
	sequence: u64,
	block: u64,
	attestations: Vec<SignedAttestation>,
) -> (BatchOf<Test>, OracleSignature) {
	let batch = AttestationBatch {
		oracle: oracle(),
		sequence,
		block,
		charge: crate::Pallet::<Test>::charge_of(&attestations),
		attestations: BoundedVec::truncate_from(attestations),
	};
	let signature = oracle().sign(&crate::Pallet::<Test>::batch_signing_bytes(&batch)).unwrap();
	(batch, signature)
}

/// What `AuthorizeCall` does with a batch in a block: authorize, then dispatch as `Authorized`.
pub fn submit(
	batch: BatchOf<Test>,
	signature: OracleSignature,
) -> Result<DispatchResultWithInfo<PostDispatchInfo>, TransactionValidityError> {
	System::reset_events();
	let call = RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature });
	call.authorize(TransactionSource::InBlock).expect("the call authorizes itself")?;
	Ok(call.dispatch(frame_system::RawOrigin::Authorized.into()))
}

/// Submits `attestations` in the oracle's next batch for the current block; expects it valid.
pub fn land(attestations: Vec<SignedAttestation>) {
	let (batch, signature) = signed_batch(attestations);
	submit(batch, signature).expect("authorized").expect("dispatched");
}

/// Rejection events of the last batch, as (index, reason).
pub fn rejections() -> Vec<(u32, depin_primitives::AttestationRejection)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ProofOfCoverage(crate::Event::AttestationRejected {
				index,
				reason,
				..
			}) => Some((index, reason)),
			_ => None,
		})
		.collect()
}

/// The (accepted, rejected) counts of the last `BatchProcessed` event.
pub fn last_batch_counts() -> (u32, u32) {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::ProofOfCoverage(crate::Event::BatchProcessed {
				accepted,
				rejected,
				..
			}) => Some((accepted, rejected)),
			_ => None,
		})
		.expect("a batch was processed")
}
