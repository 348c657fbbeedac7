//! Benchmarks: epoch close, a device's touch, claims, the idle sweep and the governance calls,
//! each in its worst case; and epoch close and a claim with 10^3 to 10^6 registered devices
//! and ledgers, to show they do not depend on the number of devices.

use super::*;
use crate::{impl_settlement::MAX_SWEPT_PER_BLOCK, Pallet as Rewards};
use alloc::vec::Vec;
use depin_primitives::{attestation::SCORE_UNIT, DeviceIndex, ScoreSink};
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// A score with both parts, so settling reads both.
fn score() -> EpochScore {
	EpochScore { uptime: 3 * SCORE_UNIT, coverage: 10 * SCORE_UNIT }
}

/// Closes epochs `0..count`, each with the benchmark score as its total.
fn close_epochs<T: Config>(count: EpochIndex) {
	for epoch in 0..count {
		Rewards::<T>::close_epoch(epoch, &score());
	}
}

/// Usage worth something, so settling pays from the data-transfer pool too.
fn usage<T: Config>() -> DataTransferUsageOf<T> {
	DataTransferUsage { units: 1_000, value: 1_000u32.into() }
}

/// A registered device of `owner` with `score()` and `usage()` in each of `epochs`.
fn scored_device<T: Config>(
	owner: &T::AccountId,
	seed: u32,
	epochs: &[EpochIndex],
) -> (DeviceId, DeviceIndex) {
	let (device, index) = T::BenchmarkHelper::register_device(owner, seed);
	for epoch in epochs {
		T::BenchmarkHelper::set_score(&device, index, *epoch, score());
		DeviceUsage::<T>::insert(epoch, device, usage::<T>());
		EpochUsage::<T>::insert(epoch, usage::<T>());
	}
	(device, index)
}

/// `count` more registered devices, each with a ledger: the state of a large network.
fn populate<T: Config>(count: u32) {
	T::BenchmarkHelper::add_devices(count);
	for n in 0..count {
		let mut id = [0xffu8; 32];
		id[..4].copy_from_slice(&n.to_le_bytes());
		let ledger = DeviceLedger {
			pending: 1u32.into(),
			last_reward_epoch: 0,
			unsettled: BoundedVec::truncate_from(alloc::vec![1, 2]),
		};
		Ledgers::<T>::insert(DeviceId(id), ledger);
	}
}

/// A device whose ledger holds two closed unsettled epochs and a pending amount: a claim
/// settles twice and pays.
fn claimable_device<T: Config>(owner: &T::AccountId, seed: u32) -> DeviceId {
	let (device, index) = scored_device::<T>(owner, seed, &[1, 2]);
	Rewards::<T>::touch(&device, index, 1);
	Rewards::<T>::touch(&device, index, 2);
	device
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// Closing an epoch the worst way: minting all parts and expiring two old epochs.
fn close_worst_case<T: Config>() -> EpochIndex {
	let horizon = ExpiryHorizon::<T>::get();
	close_epochs::<T>(horizon + 1);
	// Two epochs with unsettled pools to expire at the next close.
	ExpiryCursor::<T>::put(0);
	for epoch in [0, 1] {
		let pools = EpochPools {
			coverage: 1_000u32.into(),
			uptime: 1_000u32.into(),
			total_score: score(),
			settled: Zero::zero(),
			data_transfer: 1_000u32.into(),
			usage_value: 1_000u32.into(),
		};
		EpochRewards::<T>::insert(epoch, pools);
	}
	let _ = T::Currency::mint_into(&Rewards::<T>::pot(), 6_000u32.into());
	// The closing epoch had usage: the data-transfer pool is minted too.
	EpochUsage::<T>::insert(horizon + 1, usage::<T>());
	horizon + 1
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Closing an epoch: mint the pools and the treasury part, accrue staking, expire two
	/// old epochs. No device is touched.
	#[benchmark]
	fn close_epoch() {
		let epoch = close_worst_case::<T>();
		#[block]
		{
			Rewards::<T>::epoch_scored(epoch, &score());
		}
		assert_eq!(LastClosedEpoch::<T>::get(), Some(epoch));
		assert_eq!(ExpiryCursor::<T>::get(), 2);
	}

	/// `close_epoch` with `10^e` registered devices with ledgers.
	#[benchmark]
	fn close_epoch_at_scale(e: Linear<3, 6>) {
		populate::<T>(10u32.pow(e));
		let epoch = close_worst_case::<T>();
		#[block]
		{
			Rewards::<T>::epoch_scored(epoch, &score());
		}
		assert_eq!(LastClosedEpoch::<T>::get(), Some(epoch));
	}

	/// Control for `close_epoch_at_scale`: the storage reads of an epoch close, the same keys
	/// through the same getters, and none of its logic. `close_epoch_at_scale - this` is the
	/// pallet's own time; this is what the benchmark database charges for the reads at `10^e`.
	#[benchmark]
	fn close_epoch_reads_at_scale(e: Linear<3, 6>) {
		populate::<T>(10u32.pow(e));
		let epoch = close_worst_case::<T>();
		let (pot, treasury) = (Rewards::<T>::pot(), T::TreasuryAccount::get());
		#[block]
		{
			core::hint::black_box((
				Schedule::<T>::get(),
				T::Currency::total_issuance(),
				StakingPayoutDue::<T>::get(),
				Split::<T>::get(),
				T::Currency::balance(&pot),
				T::Currency::balance(&treasury),
				Totals::<T>::get(),
				ExpiryHorizon::<T>::get(),
				ExpiryCursor::<T>::get(),
				EpochRewards::<T>::get(0),
				EpochRewards::<T>::get(1),
			));
		}
		assert_eq!(LastClosedEpoch::<T>::get(), Some(epoch - 1));
	}

	/// `n` devices made active by one batch, each in its dearest case: its old pending
	/// amount expired, both its closed epochs settled (two unsettled epochs at least two
	/// back, with usage in each), the new one noted. What they share (the clock, the horizon,
	/// the two epochs' pools, one transfer of what expired to the treasury, their tally pages)
	/// is the fixed part.
	#[benchmark]
	fn devices_active(n: Linear<1, 1024>) {
		let horizon = ExpiryHorizon::<T>::get();
		close_epochs::<T>(horizon);
		// The two epochs settled were scored by all `n` devices: each earns its share.
		let total =
			EpochScore { uptime: score().uptime * n as u64, coverage: score().coverage * n as u64 };
		Rewards::<T>::close_epoch(horizon, &total);
		Rewards::<T>::close_epoch(horizon + 1, &total);
		let owner: T::AccountId = account("owner", 0, 0);
		let epoch = horizon + 3;
		let devices: Vec<(DeviceId, DeviceIndex, EpochIndex)> = (0..n)
			.map(|seed| {
				let (device, index) = scored_device::<T>(&owner, seed, &[horizon, horizon + 1]);
				Ledgers::<T>::insert(
					device,
					DeviceLedger {
						pending: 1_000u32.into(),
						last_reward_epoch: 0,
						unsettled: BoundedVec::truncate_from(alloc::vec![horizon, horizon + 1]),
					},
				);
				(device, index, epoch)
			})
			.collect();
		// The pot holds the pending amounts it owes.
		let _ = T::Currency::mint_into(&Rewards::<T>::pot(), (1_000u32 * n).into());
		#[block]
		{
			Rewards::<T>::touch_all(&devices);
		}
		for (device, _, _) in &devices {
			let ledger = Ledgers::<T>::get(device).expect("kept");
			assert_eq!(ledger.unsettled.to_vec(), alloc::vec![epoch]);
			assert!(!ledger.pending.is_zero());
		}
	}

	/// `n` devices made active by one batch with nothing to settle or expire (each active
	/// in the epoch before only): what a touch costs before any settlement. With
	/// [`Self::devices_active`] it prices a settlement ([`Pallet::touch_all`]'s weight).
	#[benchmark]
	fn devices_active_fresh(n: Linear<1, 1024>) {
		let horizon = ExpiryHorizon::<T>::get();
		close_epochs::<T>(horizon + 2);
		let owner: T::AccountId = account("owner", 0, 0);
		let epoch = horizon + 3;
		let devices: Vec<(DeviceId, DeviceIndex, EpochIndex)> = (0..n)
			.map(|seed| {
				let (device, index) = T::BenchmarkHelper::register_device(&owner, seed);
				Ledgers::<T>::insert(
					device,
					DeviceLedger {
						pending: Zero::zero(),
						last_reward_epoch: 0,
						unsettled: BoundedVec::truncate_from(alloc::vec![epoch - 1]),
					},
				);
				(device, index, epoch)
			})
			.collect();
		#[block]
		{
			Rewards::<T>::touch_all(&devices);
		}
		for (device, _, _) in &devices {
			let ledger = Ledgers::<T>::get(device).expect("kept");
			assert_eq!(ledger.unsettled.to_vec(), alloc::vec![epoch - 1, epoch]);
		}
	}

	/// Claiming for `n` devices, each settling two epochs and paid.
	#[benchmark]
	fn claim_rewards(n: Linear<1, { T::MaxClaimDevices::get() }>) {
		let owner: T::AccountId = whitelisted_caller();
		let devices: Vec<DeviceId> =
			(0..n).map(|seed| claimable_device::<T>(&owner, seed)).collect();
		close_epochs::<T>(3);
		let before = T::Currency::balance(&owner);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), BoundedVec::truncate_from(devices));
		assert!(T::Currency::balance(&owner) > before);
	}

	/// One device's claim with `10^e` registered devices with ledgers.
	#[benchmark]
	fn claim_at_scale(e: Linear<3, 6>) {
		populate::<T>(10u32.pow(e));
		let owner: T::AccountId = whitelisted_caller();
		let device = claimable_device::<T>(&owner, 0);
		close_epochs::<T>(3);
		let before = T::Currency::balance(&owner);
		#[extrinsic_call]
		claim_rewards(
			RawOrigin::Signed(owner.clone()),
			BoundedVec::truncate_from(alloc::vec![device]),
		);
		assert!(T::Currency::balance(&owner) > before);
	}

	/// Control for `claim_at_scale`: the storage reads of one device's claim, the same keys
	/// through the same getters, and none of its logic.
	#[benchmark]
	fn claim_reads_at_scale(e: Linear<3, 6>) {
		populate::<T>(10u32.pow(e));
		let owner: T::AccountId = whitelisted_caller();
		let device = claimable_device::<T>(&owner, 0);
		close_epochs::<T>(3);
		let pot = Rewards::<T>::pot();
		#[block]
		{
			let index = T::Devices::device(&device).map_or(0, |info| info.index);
			core::hint::black_box((
				Ledgers::<T>::get(device),
				LastClosedEpoch::<T>::get(),
				EpochRewards::<T>::get(1),
				EpochRewards::<T>::get(2),
				T::Scores::score(&device, index, 1),
				T::Scores::score(&device, index, 2),
				T::Currency::balance(&pot),
				T::Currency::balance(&owner),
				Totals::<T>::get(),
			));
		}
		assert!(T::Devices::device(&device).is_some());
	}

	/// A page of `claim_all` with `n` devices, each settling two epochs and paid.
	#[benchmark]
	fn claim_all(n: Linear<0, { T::MaxClaimDevices::get() }>) {
		let owner: T::AccountId = whitelisted_caller();
		for seed in 0..n {
			claimable_device::<T>(&owner, seed);
		}
		close_epochs::<T>(3);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), None);
		assert_eq!(Ledgers::<T>::iter().count(), 0);
	}

	/// The idle sweep over `n` ledgers whose pending amounts expired, each with an expired
	/// unsettled epoch and usage in it to drop.
	#[benchmark]
	fn sweep_ledgers(n: Linear<0, MAX_SWEPT_PER_BLOCK>) {
		let horizon = ExpiryHorizon::<T>::get();
		close_epochs::<T>(horizon + 1);
		assert!(ExpiryCursor::<T>::get() > 0, "epoch 0 expired");
		for seed in 0..n {
			let mut id = [0xeeu8; 32];
			id[..4].copy_from_slice(&seed.to_le_bytes());
			let ledger = DeviceLedger {
				pending: 1_000u32.into(),
				last_reward_epoch: 0,
				unsettled: BoundedVec::truncate_from(alloc::vec![0]),
			};
			Ledgers::<T>::insert(DeviceId(id), ledger);
			DeviceUsage::<T>::insert(0, DeviceId(id), usage::<T>());
		}
		let owed: BalanceOf<T> = 1_000u32.into();
		let _ = T::Currency::mint_into(&Rewards::<T>::pot(), owed.saturating_mul(n.into()));
		#[block]
		{
			Rewards::<T>::sweep_ledgers(Weight::MAX);
		}
		assert_eq!(Ledgers::<T>::iter().count(), 0);
		assert_eq!(DeviceUsage::<T>::iter().count(), 0);
	}

	#[benchmark]
	fn set_emission_schedule() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let schedule = T::DefaultSchedule::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, schedule.clone());
		assert_eq!(Schedule::<T>::get().initial_per_epoch, schedule.initial_per_epoch);
		Ok(())
	}

	#[benchmark]
	fn set_pool_split() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let split = T::DefaultSplit::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, split);
		assert_eq!(Split::<T>::get(), split);
		Ok(())
	}

	#[benchmark]
	fn set_expiry_horizon() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1);
		assert_eq!(ExpiryHorizon::<T>::get(), 1);
		Ok(())
	}

	impl_benchmark_test_suite!(Rewards, crate::mock::new_test_ext(), crate::mock::Test);
}
