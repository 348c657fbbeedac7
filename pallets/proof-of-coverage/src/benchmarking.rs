//! Benchmarks: a batch of each attestation kind as a function of its size (every item from
//! another device in another bitmap page, the worst case for storage, which is what a batch
//! is charged before its refunds), heartbeats from devices sharing one page (what a dense
//! batch really costs), one signature verification per scheme, the pool's authorization of
//! a batch, a beacon's reveal by the number of witnesses it credits and of invalid tags it
//! finds, epoch turns, page
//! pruning and the governance calls.

use super::*;
use crate::Pallet as ProofOfCoverage;
use depin_primitives::{
	attestation::{
		beacon_commitment, witness_tag, Beacon, BeaconPayload, BeaconReveal, BeaconSecret,
		HeartbeatPayload, WitnessPayload,
	},
	device::p256_sign,
	DeviceKey, DeviceSignature, H3Cell, Heartbeat, RegistrationPayload, SignedPayload,
	WitnessReport,
};
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
use frame_system::RawOrigin;
use sp_core::crypto::KeyTypeId;
use sp_runtime::{Perbill, RuntimeAppPublic};

/// Key type of the throwaway device keys benchmarks create in the keystore.
const BENCH_KEY: KeyTypeId = KeyTypeId(*b"dbnc");
/// Notre-Dame de Paris and a cell 1 km north, at resolution 12.
const PARIS: u64 = 0x8c1fb46624125ff;
const PARIS_NORTH: u64 = 0x8c1fb4662c745ff;
/// Largest batch measured; weights are linear in the batch size.
const MAX_MEASURED: u32 = 200;

/// A device key in the keystore, registered to its own owner at `cell`.
struct BenchDevice {
	id: DeviceId,
	public: sp_core::ed25519::Public,
}

impl BenchDevice {
	fn sign(&self, message: &[u8]) -> DeviceSignature {
		let signature =
			sp_io::crypto::ed25519_sign(BENCH_KEY, &self.public, message).expect("key exists");
		DeviceSignature::Ed25519(signature.0)
	}
}

/// A device registered in a bitmap page of its own.
fn device<T: Config>(n: u32, cell: u64) -> BenchDevice {
	T::BenchmarkHelper::skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE);
	device_next_in_page::<T>(n, cell)
}

/// A device registered with the next device index (in the previous device's page, unless
/// that page is full).
fn device_next_in_page<T: Config>(n: u32, cell: u64) -> BenchDevice {
	let seed = alloc::format!("//depin-poc-bench-{n}").into_bytes();
	let public = sp_io::crypto::ed25519_generate(BENCH_KEY, Some(seed));
	let key = DeviceKey::Ed25519(public.0);
	let owner: T::AccountId = account("owner", n, 0);
	let genesis = ProofOfCoverage::<T>::genesis_hash();
	let proof =
		RegistrationPayload { genesis_hash: &genesis, owner: &owner, key: &key, registrations: 0 }
			.signing_bytes();
	let proof = sp_io::crypto::ed25519_sign(BENCH_KEY, &public, &proof).expect("key exists");
	T::BenchmarkHelper::register_device(
		&owner,
		key.clone(),
		H3Cell(cell),
		DeviceSignature::Ed25519(proof.0),
	);
	BenchDevice { id: key.device_id(), public }
}

/// Starts an epoch at block 1 in which every device is challenged and any witness geometry
/// passes.
fn epoch<T: Config>() -> EpochInfoOf<T> {
	let mut parameters = T::DefaultParameters::get();
	parameters.challenge_rate = Perbill::one();
	parameters.max_witnesses_per_beacon = T::MaxWitnessesPerBeacon::get();
	parameters.max_witness_candidates = T::MaxWitnessCandidates::get();
	parameters.min_witness_distance_m = 0;
	parameters.max_witness_distance_m = u32::MAX;
	// Credits then locate devices: the longer path.
	parameters.uptime_needs_coverage = true;
	Parameters::<T>::put(parameters);
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	CurrentEpoch::<T>::kill();
	PreviousEpoch::<T>::kill();
	ProofOfCoverage::<T>::on_block(1u32.into());
	CurrentEpoch::<T>::get().expect("just started")
}

/// The secret `device` broadcasts in `epoch`.
fn secret(device: &BenchDevice, epoch: EpochIndex) -> BeaconSecret {
	sp_io::hashing::blake2_256(&(b"bench secret", device.id, epoch).encode())
}

fn commitment<T: Config>(device: &BenchDevice, epoch: EpochIndex) -> [u8; 32] {
	let genesis = ProofOfCoverage::<T>::genesis_hash();
	beacon_commitment(&genesis, &device.id, epoch, &secret(device, epoch))
}

fn beacon<T: Config>(device: &BenchDevice, epoch: &EpochInfoOf<T>) -> SignedAttestation {
	let genesis = ProofOfCoverage::<T>::genesis_hash();
	let beacon = Beacon {
		device: device.id,
		epoch: epoch.index,
		commitment: commitment::<T>(device, epoch.index),
	};
	let message =
		BeaconPayload { genesis_hash: &genesis, beacon: &beacon, randomness: &epoch.randomness };
	let signature = device.sign(&message.signing_bytes());
	SignedAttestation::Beacon { beacon, signature }
}

/// `device`'s beacon of `epoch`, committed on chain without a batch (setup for witnesses).
fn committed<T: Config>(device: &BenchDevice, epoch: EpochIndex) {
	Beacons::<T>::insert(epoch, device.id, BeaconStateOf::<T>::new(commitment::<T>(device, epoch)));
}

/// The anchor of slot 0 of an epoch starting at block 1: the genesis hash.
fn slot_zero_anchor<T: Config>() -> [u8; 32] {
	let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let mut anchor = [0u8; 32];
	anchor.copy_from_slice(&hash.as_ref()[..32]);
	anchor
}

fn heartbeat<T: Config>(device: &BenchDevice, epoch: EpochIndex) -> SignedAttestation {
	let genesis = ProofOfCoverage::<T>::genesis_hash();
	let heartbeat =
		Heartbeat { device: device.id, epoch, slot: 0, anchor: slot_zero_anchor::<T>() };
	let signature = device
		.sign(&HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }.signing_bytes());
	SignedAttestation::Heartbeat { heartbeat, signature }
}

fn witness<T: Config>(
	witness: &BenchDevice,
	beaconer: &BenchDevice,
	epoch: &EpochInfoOf<T>,
) -> SignedAttestation {
	let genesis = ProofOfCoverage::<T>::genesis_hash();
	let report = WitnessReport {
		witness: witness.id,
		beaconer: beaconer.id,
		epoch: epoch.index,
		commitment: commitment::<T>(beaconer, epoch.index),
		tag: witness_tag(&secret(beaconer, epoch.index), &witness.id),
		rssi_dbm: -100,
		snr_decibels_x10: 50,
		frequency_khz: 868_100,
	};
	let signature =
		witness.sign(&WitnessPayload { genesis_hash: &genesis, report: &report }.signing_bytes());
	SignedAttestation::Witness { report, signature }
}

fn reveal(device: &BenchDevice, epoch: EpochIndex) -> SignedAttestation {
	SignedAttestation::Reveal(BeaconReveal {
		device: device.id,
		epoch,
		secret: secret(device, epoch),
	})
}

/// Moves from `epoch` (started at its first block) into the next epoch's reveal window.
fn to_reveals<T: Config>(epoch: &EpochInfoOf<T>) {
	let next = epoch.start + epoch.length;
	frame_system::Pallet::<T>::set_block_number(next);
	ProofOfCoverage::<T>::on_block(next);
	let reveals = next + Parameters::<T>::get().witness_grace;
	frame_system::Pallet::<T>::set_block_number(reveals);
}

/// A resolution-12 cell near Paris whose density cell (resolution 7) is the `i`-th of 49
/// distinct ones: witnesses credited at a reveal each read their own density count, as
/// witnesses up to 50 km apart do.
fn spread_cell(i: u32) -> u64 {
	let region = H3Cell(PARIS_NORTH).parent(5).expect("valid cell");
	let density_cells: alloc::vec::Vec<H3Cell> =
		region.children().into_iter().flat_map(|c| c.children()).collect();
	let mut cell = density_cells[i as usize % density_cells.len()];
	while cell.resolution().is_some_and(|r| r < 12) {
		cell = cell.children()[0];
	}
	cell.0
}

/// `device`'s heartbeat of `epoch` counted in its tally page (not located), as a batch
/// would have written it.
fn tally_heartbeat<T: Config>(device: &BenchDevice, epoch: EpochIndex) {
	let index = T::Devices::device(&device.id).expect("registered").index;
	let (page, at) = locate(index);
	let mut tally =
		TallyPages::<T>::get(epoch, page).unwrap_or_else(|| TallyPageOf::<T>::new(1u32.into()));
	tally.add_heartbeat(at);
	TallyPages::<T>::insert(epoch, page, tally);
}

/// A batch of `attestations` signed by a fresh authorised oracle.
fn batch<T: Config>(attestations: Vec<SignedAttestation>) -> (BatchOf<T>, OracleSignature) {
	let oracle = OracleId::generate_pair(None);
	if !Oracles::<T>::contains_key(&oracle) {
		Oracles::<T>::insert(&oracle, OracleStateOf::<T>::default());
		OracleCount::<T>::mutate(|n| *n += 1);
	}
	let batch = AttestationBatch {
		oracle: oracle.clone(),
		sequence: crate::Oracles::<T>::get(&oracle).map_or(0, |state| state.batches),
		block: frame_system::Pallet::<T>::block_number(),
		charge: ProofOfCoverage::<T>::charge_of(&attestations),
		attestations: BoundedVec::truncate_from(attestations),
	};
	let signature = oracle.sign(&ProofOfCoverage::<T>::batch_signing_bytes(&batch)).expect("key");
	(batch, signature)
}

fn assert_all_accepted<T: Config>(oracle: OracleId, n: u32) {
	frame_system::Pallet::<T>::assert_last_event(
		Event::<T>::BatchProcessed { oracle, accepted: n, rejected: 0 }.into(),
	);
}

/// A heartbeat-sized message (its signing bytes are 120 bytes long).
fn message() -> Vec<u8> {
	alloc::vec![0x5a; 120]
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n` heartbeats from `n` devices.
	#[benchmark]
	fn heartbeats(n: Linear<0, MAX_MEASURED>) {
		let epoch = epoch::<T>();
		let items = (0..n).map(|i| heartbeat::<T>(&device::<T>(i, PARIS), epoch.index)).collect();
		let (batch, signature) = batch::<T>(items);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, n);
	}

	/// `n` heartbeats from `n` devices with consecutive indexes: one page, read and written
	/// once, as in the dense batches an oracle builds from a busy queue.
	#[benchmark]
	fn heartbeats_one_page(n: Linear<0, MAX_MEASURED>) {
		let epoch = epoch::<T>();
		T::BenchmarkHelper::skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE);
		let items = (0..n)
			.map(|i| heartbeat::<T>(&device_next_in_page::<T>(i, PARIS), epoch.index))
			.collect();
		let (batch, signature) = batch::<T>(items);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, n);
	}

	/// `n` heartbeats from `n` devices in one page, each already active in the epoch (an
	/// earlier slot's heartbeat counted): what a heartbeat costs when it is not its device's
	/// first of the epoch, so the score sink does not hear of it.
	#[benchmark]
	fn heartbeats_active(n: Linear<0, MAX_MEASURED>) {
		let epoch = epoch::<T>();
		T::BenchmarkHelper::skip_device_indexes(depin_primitives::attestation::DEVICES_PER_PAGE);
		let items = (0..n)
			.map(|i| {
				let device = device_next_in_page::<T>(i, PARIS);
				tally_heartbeat::<T>(&device, epoch.index);
				heartbeat::<T>(&device, epoch.index)
			})
			.collect();
		let (batch, signature) = batch::<T>(items);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, n);
	}

	/// `n` beacons from `n` challenged devices.
	#[benchmark]
	fn beacons(n: Linear<0, MAX_MEASURED>) {
		let epoch = epoch::<T>();
		let items = (0..n).map(|i| beacon::<T>(&device::<T>(i, PARIS), &epoch)).collect();
		let (batch, signature) = batch::<T>(items);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, n);
	}

	/// `n` witness reports from `n` devices, each of another committed beacon.
	#[benchmark]
	fn witnesses(n: Linear<0, MAX_MEASURED>) {
		let epoch = epoch::<T>();
		let items = (0..n)
			.map(|i| {
				let beaconer = device::<T>(2 * i, PARIS);
				let heard_by = device::<T>(2 * i + 1, PARIS_NORTH);
				committed::<T>(&beaconer, epoch.index);
				witness::<T>(&heard_by, &beaconer, &epoch)
			})
			.collect();
		let (batch, signature) = batch::<T>(items);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, n);
	}

	/// A beacon's reveal crediting `c` witnesses: valid tags, each from a device in a page
	/// and a density cell of its own with a heartbeat in the beacon's epoch and the next, so
	/// each credit locates its device in both (two tally pages), writes its activity record
	/// and reads its density count; the beaconer is credited too.
	#[benchmark]
	fn reveals(c: Linear<0, { T::MaxWitnessesPerBeacon::get() }>) {
		let epoch = epoch::<T>();
		let beaconer = device::<T>(0, PARIS);
		let mut state = BeaconStateOf::<T>::new(commitment::<T>(&beaconer, epoch.index));
		let mut heard = alloc::vec![];
		for i in 0..c {
			let heard_by = device::<T>(i + 1, spread_cell(i));
			let tag = witness_tag(&secret(&beaconer, epoch.index), &heard_by.id);
			state
				.candidates
				.try_push(WitnessCandidate { witness: heard_by.id, tag })
				.expect("within the bound");
			tally_heartbeat::<T>(&heard_by, epoch.index);
			heard.push(heard_by);
		}
		Beacons::<T>::insert(epoch.index, beaconer.id, state);
		to_reveals::<T>(&epoch);
		for heard_by in &heard {
			tally_heartbeat::<T>(heard_by, epoch.index + 1);
		}
		let (batch, signature) = batch::<T>(alloc::vec![reveal(&beaconer, epoch.index)]);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, 1);
		let state = Beacons::<T>::get(epoch.index, beaconer.id).expect("kept");
		assert!(state.revealed && state.witnesses == c);
	}

	/// A beacon's reveal finding `c` invalid tags: each bars its witness (a bar written, an
	/// event).
	#[benchmark]
	fn reveals_invalid(c: Linear<0, { T::MaxWitnessCandidates::get() }>) {
		let epoch = epoch::<T>();
		let beaconer = device::<T>(0, PARIS);
		let mut state = BeaconStateOf::<T>::new(commitment::<T>(&beaconer, epoch.index));
		for i in 0..c {
			let farmer = device::<T>(i + 1, PARIS_NORTH);
			state
				.candidates
				.try_push(WitnessCandidate { witness: farmer.id, tag: [0x5a; 32] })
				.expect("within the bound");
		}
		Beacons::<T>::insert(epoch.index, beaconer.id, state);
		to_reveals::<T>(&epoch);
		let (batch, signature) = batch::<T>(alloc::vec![reveal(&beaconer, epoch.index)]);
		let oracle = batch.oracle.clone();

		#[extrinsic_call]
		submit_attestations(RawOrigin::Authorized, batch, signature);

		assert_all_accepted::<T>(oracle, 1);
		assert_eq!(WitnessBars::<T>::iter().count() as u32, c);
	}

	/// The pool's check of a batch of `n` attestations: oracle state, hash, one sr25519
	/// signature.
	#[benchmark]
	fn authorize_batch(n: Linear<0, MAX_MEASURED>) -> Result<(), BenchmarkError> {
		let epoch = epoch::<T>();
		let one = device::<T>(0, PARIS);
		let items = (0..n).map(|_| heartbeat::<T>(&one, epoch.index)).collect();
		let (batch, signature) = batch::<T>(items);
		let call = Call::<T>::submit_attestations { batch, signature };

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("the call authorizes itself")?
				.map_err(|_| "authorized")?;
		}
		Ok(())
	}

	#[benchmark]
	fn verify_ed25519() {
		let public = sp_io::crypto::ed25519_generate(BENCH_KEY, None);
		let signature = sp_io::crypto::ed25519_sign(BENCH_KEY, &public, &message()).unwrap();
		let key = DeviceKey::Ed25519(public.0);
		let signature = DeviceSignature::Ed25519(signature.0);
		let valid;
		#[block]
		{
			valid = key.verify(&message(), &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn verify_sr25519() {
		let public = sp_io::crypto::sr25519_generate(BENCH_KEY, None);
		let signature = sp_io::crypto::sr25519_sign(BENCH_KEY, &public, &message()).unwrap();
		let key = DeviceKey::Sr25519(public.0);
		let signature = DeviceSignature::Sr25519(signature.0);
		let valid;
		#[block]
		{
			valid = key.verify(&message(), &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn verify_ecdsa_secp256k1() {
		let public = sp_io::crypto::ecdsa_generate(BENCH_KEY, None);
		let signature = sp_io::crypto::ecdsa_sign(BENCH_KEY, &public, &message()).unwrap();
		let key = DeviceKey::EcdsaSecp256k1(public.0);
		let signature = DeviceSignature::EcdsaSecp256k1(signature.0);
		let valid;
		#[block]
		{
			valid = key.verify(&message(), &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn verify_ecdsa_p256() {
		let (key, signature) = p256_sign(&[7u8; 32], &message()).expect("valid scalar");
		let valid;
		#[block]
		{
			valid = key.verify(&message(), &signature);
		}
		assert!(valid);
	}

	/// A block in which no epoch starts.
	#[benchmark]
	fn on_initialize_idle() {
		epoch::<T>();
		#[block]
		{
			ProofOfCoverage::<T>::on_block(2u32.into());
		}
		assert_eq!(CurrentEpoch::<T>::get().map(|e| e.index), Some(0));
	}

	/// A block that closes an epoch's grace period and starts the next epoch.
	#[benchmark]
	fn on_initialize_epoch_turn() {
		let first = epoch::<T>();
		let next = first.start + first.length;
		ProofOfCoverage::<T>::on_block(next);
		let turn = next + first.length;
		#[block]
		{
			ProofOfCoverage::<T>::on_block(turn);
		}
		assert_eq!(CurrentEpoch::<T>::get().map(|e| e.index), Some(2));
	}

	/// A device's score read back by rewards: its tally page and, as it has coverage, its
	/// activity record.
	#[benchmark]
	fn device_score() {
		let epoch = epoch::<T>();
		let beaconer = device::<T>(0, PARIS);
		// A beacon scores once witnessed and revealed.
		let heard_by = device::<T>(1, PARIS_NORTH);
		let (attestations, signature) = batch::<T>(alloc::vec![
			heartbeat::<T>(&beaconer, epoch.index),
			beacon::<T>(&beaconer, &epoch),
			witness::<T>(&heard_by, &beaconer, &epoch),
		]);
		ProofOfCoverage::<T>::submit_attestations(
			RawOrigin::Authorized.into(),
			attestations,
			signature,
		)
		.expect("lands");
		to_reveals::<T>(&epoch);
		let (revealing, signature) = batch::<T>(alloc::vec![reveal(&beaconer, epoch.index)]);
		ProofOfCoverage::<T>::submit_attestations(
			RawOrigin::Authorized.into(),
			revealing,
			signature,
		)
		.expect("lands");
		let index = T::Devices::device(&beaconer.id).expect("registered").index;
		let score;
		#[block]
		{
			score = ProofOfCoverage::<T>::score_of(&beaconer.id, index, epoch.index);
		}
		let score = score.expect("kept");
		assert!(score.uptime > 0 && score.coverage > 0);
	}

	/// `on_idle` removing `n` pages of an expired epoch.
	#[benchmark]
	fn prune_pages(n: Linear<0, MAX_PAGES_PRUNED_PER_BLOCK>) {
		let first = epoch::<T>();
		// Half heartbeat pages, half tally pages (the larger values).
		for page in 0..n {
			if page % 2 == 0 {
				let bits = HeartbeatPageOf::<T>::new(1u32.into());
				HeartbeatPages::<T>::insert(first.index, (0, page), bits);
			} else {
				TallyPages::<T>::insert(first.index, page, TallyPageOf::<T>::new(1u32.into()));
			}
		}
		// Enough epochs later that the first is out of history.
		let mut now = first.start;
		for _ in 0..T::EpochHistory::get() {
			now += first.length;
			ProofOfCoverage::<T>::on_block(now);
		}
		#[block]
		{
			ProofOfCoverage::<T>::prune_pages(Weight::MAX);
		}
		assert_eq!(HeartbeatPages::<T>::iter_prefix(first.index).count(), 0);
		assert_eq!(TallyPages::<T>::iter_prefix(first.index).count(), 0);
		assert_eq!(PagesKeptFrom::<T>::get(), first.index + 1);
	}

	#[benchmark]
	fn add_oracle() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let oracle = OracleId::generate_pair(None);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, oracle.clone());
		assert!(Oracles::<T>::contains_key(&oracle));
		Ok(())
	}

	#[benchmark]
	fn remove_oracle() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let oracle = OracleId::generate_pair(None);
		Oracles::<T>::insert(&oracle, OracleStateOf::<T>::default());
		OracleCount::<T>::mutate(|n| *n += 1);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, oracle.clone());
		assert!(!Oracles::<T>::contains_key(&oracle));
		Ok(())
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let parameters = T::DefaultParameters::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, parameters.clone());
		assert_eq!(Parameters::<T>::get(), parameters);
		Ok(())
	}

	impl_benchmark_test_suite!(ProofOfCoverage, crate::mock::new_test_ext(), crate::mock::Test);
}
