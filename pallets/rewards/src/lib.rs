//! # Rewards
//!
//! ## Overview
//!
//! Each epoch this pallet mints the epoch's emission, splits it into pools, and lets owners
//! claim their devices' shares. It never loops over devices: closing an epoch costs the same
//! at a thousand or a million devices, and each device settles its own share lazily, the
//! next time it is touched.
//!
//! ## Terminology
//!
//! - **Emission**: what is minted for an epoch, from the governance-set
//!   [`EmissionSchedule`]: a fixed amount per epoch that halves every `halving_interval`
//!   epochs (exact integer halving), never taking total issuance above `supply_cap`.
//! - **Pools**: the emission split by [`PoolSplit`] (shares summing to 100 %): coverage and
//!   uptime (minted into the pallet's pot for devices), data transfer (minted into the pot
//!   for devices by the service usage they settled, reported by service payments through
//!   [`depin_primitives::UsageSink`]; never more than the tokens burned for that usage, the
//!   rest to the treasury), staking (handed to `pallet-staking` as its era payout,
//!   so stakers are paid from the same emission, not from a second inflation), treasury.
//! - **Closing** an epoch: when proof of coverage says an epoch's scores are final
//!   ([`depin_primitives::ScoreSink::epoch_scored`]), the emission is minted and the pools
//!   and total score fixed ([`EpochRewards`]). A pool nobody scored in goes to the treasury.
//! - **Settling**: turning a device's score for a closed epoch into an amount,
//!   `pool · score / total score` rounded down, moved from the epoch's pools to the device's
//!   [`DeviceLedger`]. A device is settled when it is **touched**: its first attestation of a
//!   later epoch ([`depin_primitives::ScoreSink::devices_active`], once per device and epoch)
//!   or a claim. A ledger holds at most two unsettled epochs (the one in progress and the one
//!   in its grace period), so settling never loops over epochs.
//! - **Claiming**: [`Pallet::claim_rewards`] pays the device's current owner what is settled
//!   and pending. Unclaimed rewards travel with the device: a buyer of a device gets what the
//!   seller did not claim.
//! - **Expiry**: an epoch's rewards expire `expiry_horizon` epochs after it. What its pools
//!   still owe (shares nobody settled, rounding) goes to the treasury when the later epoch
//!   closes. A device's settled but unclaimed amount expires `expiry_horizon` epochs after
//!   the newest epoch in it (so an owner of a device that keeps earning loses nothing by
//!   claiming rarely), at the device's next touch or when the bounded `on_idle` sweep
//!   reaches its ledger.
//!
//! ## Accounting
//!
//! Everything minted is accounted ([`Totals`]): minted for devices = claimed + expired + what
//! ledgers hold + what open pools still owe; rounding dust stays in the pools and expires to
//! the treasury with them. `try_state` checks it, and that the pot holds at least that.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod impl_epochs;
mod impl_queries;
mod impl_settlement;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use depin_primitives::{DeviceId, DeviceInspect, EpochIndex, EpochScore, EpochScores};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
	PalletId,
};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

/// The runtime's balance type.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// The schedule with the runtime's balance.
pub type ScheduleOf<T> = EmissionSchedule<BalanceOf<T>>;
/// An epoch's pools with the runtime's balance.
pub type EpochPoolsOf<T> = EpochPools<BalanceOf<T>>;
/// Usage with the runtime's balance.
pub type DataTransferUsageOf<T> = DataTransferUsage<BalanceOf<T>>;
/// A device ledger with the runtime's balance.
pub type DeviceLedgerOf<T> = DeviceLedger<BalanceOf<T>>;
/// The totals with the runtime's balance.
pub type RewardTotalsOf<T> = RewardTotals<BalanceOf<T>>;

/// How benchmarks set up devices and scores (only with `runtime-benchmarks`).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers a device for `owner` (funding them as needed); returns its id and index.
	fn register_device(owner: &AccountId, seed: u32) -> (DeviceId, depin_primitives::DeviceIndex);

	/// Makes [`Config::Scores`] report `score` for the device in `epoch`.
	fn set_score(
		device: &DeviceId,
		index: depin_primitives::DeviceIndex,
		epoch: EpochIndex,
		score: EpochScore,
	);

	/// Adds `count` more registered devices to the chain's state (for scale benchmarks).
	fn add_devices(count: u32);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of rewards.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native token: minted into the pot and paid out of it.
		type Currency: Mutate<Self::AccountId>;

		/// The device registry (owners, indexes), read through its trait.
		type Devices: DeviceInspect<Self::AccountId>;

		/// Devices' scores per epoch (proof of coverage).
		type Scores: EpochScores;

		/// Origin that sets the schedule, the split and the expiry horizon.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The pot's id: rewards minted for devices wait in its account until claimed.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The treasury's account.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Schedule until governance sets one.
		type DefaultSchedule: Get<ScheduleOf<Self>>;

		/// Split until governance sets one.
		type DefaultSplit: Get<PoolSplit>;

		/// Expiry horizon (epochs) until governance sets one.
		#[pallet::constant]
		type DefaultExpiryHorizon: Get<EpochIndex>;

		/// Longest expiry horizon: at most the epochs for which [`Config::Scores`] keeps
		/// scores, so that every device can settle before its epoch's scores are gone.
		#[pallet::constant]
		type MaxExpiryHorizon: Get<EpochIndex>;

		/// Most devices in one claim (and in one page of `claim_all`).
		#[pallet::constant]
		type MaxClaimDevices: Get<u32>;

		/// Weights of this pallet.
		type WeightInfo: WeightInfo;

		/// Sets up devices and scores for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	#[pallet::type_value]
	pub fn DefaultScheduleValue<T: Config>() -> ScheduleOf<T> {
		T::DefaultSchedule::get()
	}

	#[pallet::type_value]
	pub fn DefaultSplitValue<T: Config>() -> PoolSplit {
		T::DefaultSplit::get()
	}

	#[pallet::type_value]
	pub fn DefaultExpiryHorizonValue<T: Config>() -> EpochIndex {
		T::DefaultExpiryHorizon::get()
	}

	/// The emission schedule in force.
	#[pallet::storage]
	pub type Schedule<T: Config> =
		StorageValue<_, ScheduleOf<T>, ValueQuery, DefaultScheduleValue<T>>;

	/// The pool split in force.
	#[pallet::storage]
	pub type Split<T: Config> = StorageValue<_, PoolSplit, ValueQuery, DefaultSplitValue<T>>;

	/// Epochs after which an epoch's rewards expire to the treasury.
	#[pallet::storage]
	pub type ExpiryHorizon<T: Config> =
		StorageValue<_, EpochIndex, ValueQuery, DefaultExpiryHorizonValue<T>>;

	/// The pools of each closed epoch that has not expired yet.
	#[pallet::storage]
	pub type EpochRewards<T: Config> =
		StorageMap<_, Twox64Concat, EpochIndex, EpochPoolsOf<T>, OptionQuery>;

	/// The last epoch closed; `None` before the first.
	#[pallet::storage]
	pub type LastClosedEpoch<T: Config> = StorageValue<_, EpochIndex, OptionQuery>;

	/// The oldest epoch that may still have pools in [`EpochRewards`].
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, EpochIndex, ValueQuery>;

	/// All usage settled in each epoch not closed yet (taken when the epoch closes).
	#[pallet::storage]
	pub type EpochUsage<T: Config> =
		StorageMap<_, Twox64Concat, EpochIndex, DataTransferUsageOf<T>, OptionQuery>;

	/// Usage each device settled in an epoch, until the device is settled for the epoch (or
	/// the epoch expires).
	#[pallet::storage]
	pub type DeviceUsage<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		DeviceId,
		DataTransferUsageOf<T>,
		ValueQuery,
	>;

	/// Each device's settled rewards and unsettled epochs. Absent: nothing owed.
	#[pallet::storage]
	pub type Ledgers<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, DeviceLedgerOf<T>, OptionQuery>;

	/// The staking share accrued since staking's last era payout.
	#[pallet::storage]
	pub type StakingPayoutDue<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Where everything minted went.
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, RewardTotalsOf<T>, ValueQuery>;

	/// Where the `on_idle` sweep of ledgers resumes (a raw storage key).
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<128>>, OptionQuery>;

	/// Genesis: the economics, and the pot and treasury accounts made to exist.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Schedule; `None` keeps `Config::DefaultSchedule`.
		pub schedule: Option<ScheduleOf<T>>,
		/// Split; `None` keeps `Config::DefaultSplit`.
		pub split: Option<PoolSplit>,
		/// Expiry horizon; `None` keeps `Config::DefaultExpiryHorizon`.
		pub expiry_horizon: Option<EpochIndex>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(schedule) = &self.schedule {
				Schedule::<T>::put(schedule);
			}
			if let Some(split) = &self.split {
				assert!(split.is_complete(), "reward split does not sum to 100%");
				Split::<T>::put(split);
			}
			if let Some(horizon) = self.expiry_horizon {
				assert!(
					(1..=T::MaxExpiryHorizon::get()).contains(&horizon),
					"expiry horizon out of range"
				);
				ExpiryHorizon::<T>::put(horizon);
			}
			// The pot and the treasury receive amounts below the existential deposit; they
			// must exist first.
			let minimum = T::Currency::minimum_balance();
			for account in [Pallet::<T>::pot(), T::TreasuryAccount::get()] {
				let missing = minimum.saturating_sub(T::Currency::balance(&account));
				if !missing.is_zero() {
					let _ = T::Currency::mint_into(&account, missing);
				}
			}
		}
	}

	/// What happened in rewards.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An epoch's scores became final: its emission was minted and split.
		EpochClosed {
			/// The epoch.
			epoch: EpochIndex,
			/// Its emission (after the supply cap).
			emission: BalanceOf<T>,
			/// Minted for devices by coverage score.
			coverage_pool: BalanceOf<T>,
			/// Minted for devices by uptime score.
			uptime_pool: BalanceOf<T>,
			/// Minted for devices by the usage they settled (the data-transfer share, at most
			/// the usage's value; the rest is in `treasury`).
			data_transfer_pool: BalanceOf<T>,
			/// Handed to staking's next era payout.
			staking_pool: BalanceOf<T>,
			/// Minted to the treasury.
			treasury: BalanceOf<T>,
			/// The epoch's total score.
			total_score: EpochScore,
			/// Credits settled by devices in the epoch.
			usage_units: depin_primitives::Credits,
			/// What was burned for those credits.
			usage_value: BalanceOf<T>,
		},
		/// Service payments reported usage a device settled: it shares the epoch's
		/// data-transfer pool.
		UsageRecorded {
			/// The device.
			device: DeviceId,
			/// The epoch it counts in.
			epoch: EpochIndex,
			/// Credits paid.
			units: depin_primitives::Credits,
			/// What was burned for them.
			value: BalanceOf<T>,
		},
		/// A device's score for a closed epoch became an amount in its ledger.
		DeviceSettled {
			/// The device.
			device: DeviceId,
			/// The epoch.
			epoch: EpochIndex,
			/// Its share of the epoch's pools.
			amount: BalanceOf<T>,
		},
		/// An owner claimed a device's rewards.
		RewardsClaimed {
			/// The device.
			device: DeviceId,
			/// Its owner, who was paid.
			owner: T::AccountId,
			/// The amount paid.
			amount: BalanceOf<T>,
		},
		/// A page of `claim_all` was processed.
		ClaimPageProcessed {
			/// The owner.
			owner: T::AccountId,
			/// Devices looked at.
			devices: u32,
			/// Paid in all.
			amount: BalanceOf<T>,
			/// Where the next page starts (`claim_all(Some(next))`), if the page was full.
			next: Option<DeviceId>,
		},
		/// A device's unclaimed rewards expired to the treasury.
		RewardsExpired {
			/// The device.
			device: DeviceId,
			/// The amount moved to the treasury.
			amount: BalanceOf<T>,
		},
		/// An epoch expired: what its pools still owed went to the treasury.
		EpochExpired {
			/// The epoch.
			epoch: EpochIndex,
			/// Unsettled shares and rounding moved to the treasury.
			remainder: BalanceOf<T>,
		},
		/// Staking took the accrued staking share as its era payout.
		StakingPayoutHanded {
			/// The amount staking will mint for validators and nominators.
			amount: BalanceOf<T>,
		},
		/// Governance set the emission schedule.
		ScheduleSet {
			/// The schedule now in force.
			schedule: ScheduleOf<T>,
		},
		/// Governance set the pool split.
		SplitSet {
			/// The split now in force.
			split: PoolSplit,
		},
		/// Governance set the expiry horizon.
		ExpiryHorizonSet {
			/// Epochs after which rewards expire.
			epochs: EpochIndex,
		},
	}

	/// Why a rewards call failed.
	#[pallet::error]
	pub enum Error<T> {
		/// The device is not registered (a device whose bond was withdrawn cannot claim).
		UnknownDevice,
		/// The caller does not own the device.
		NotOwner,
		/// Nothing is pending or settleable for these devices.
		NothingToClaim,
		/// The pot cannot pay (it holds less than it owes: a bug, reported by `try_state`).
		PotCannotPay,
		/// The split's shares do not sum to exactly 100 %.
		SplitNotComplete,
		/// The expiry horizon must be between 1 and `MaxExpiryHorizon` epochs.
		HorizonOutOfRange,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::sweep_ledgers(remaining)
		}

		fn integrity_test() {
			assert!(T::DefaultSplit::get().is_complete(), "DefaultSplit does not sum to 100%");
			assert!(
				(1..=T::MaxExpiryHorizon::get()).contains(&T::DefaultExpiryHorizon::get()),
				"DefaultExpiryHorizon out of range"
			);
			assert!(T::MaxClaimDevices::get() > 0, "MaxClaimDevices must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays the caller what `devices` (each owned by the caller) have earned: their
		/// settled rewards plus their closed epochs not settled yet.
		///
		/// Emits `DeviceSettled` per epoch settled and `RewardsClaimed` per device paid.
		/// Fails with `NotOwner`/`UnknownDevice` for a device the caller does not own, and
		/// `NothingToClaim` when none of them has anything. A claim that pays is free (its
		/// fee is refunded): spam is bounded by what devices earn.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_rewards(devices.len() as u32))]
		pub fn claim_rewards(
			origin: OriginFor<T>,
			devices: BoundedVec<DeviceId, T::MaxClaimDevices>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut paid = BalanceOf::<T>::zero();
			for device in &devices {
				let info = T::Devices::device(device).ok_or(Error::<T>::UnknownDevice)?;
				ensure!(info.owner == who, Error::<T>::NotOwner);
				paid = paid.saturating_add(Self::claim_device(device, info.index, &who)?);
			}
			ensure!(!paid.is_zero(), Error::<T>::NothingToClaim);
			Ok(Pays::No.into())
		}

		/// Claims for the caller's devices one page at a time: up to `MaxClaimDevices` devices
		/// after `after` (from the first with `None`). The `ClaimPageProcessed` event says
		/// where the next page starts.
		///
		/// Emits `RewardsClaimed` per device paid and `ClaimPageProcessed`. Free when it pays.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_all(T::MaxClaimDevices::get()))]
		pub fn claim_all(
			origin: OriginFor<T>,
			after: Option<DeviceId>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let limit = T::MaxClaimDevices::get();
			let page = T::Devices::devices_of(&who, after, limit);
			let mut paid = BalanceOf::<T>::zero();
			for device in &page {
				if let Some(info) = T::Devices::device(device) {
					paid = paid.saturating_add(Self::claim_device(device, info.index, &who)?);
				}
			}
			let next = if page.len() as u32 == limit { page.last().copied() } else { None };
			Self::deposit_event(Event::ClaimPageProcessed {
				owner: who,
				devices: page.len() as u32,
				amount: paid,
				next,
			});
			let pays = if paid.is_zero() { Pays::Yes } else { Pays::No };
			Ok(frame_support::dispatch::PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::claim_all(page.len() as u32)),
				pays_fee: pays,
			})
		}

		/// Sets the emission schedule (governance); halvings count from the next epoch to
		/// close.
		///
		/// Emits `ScheduleSet`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_emission_schedule())]
		pub fn set_emission_schedule(
			origin: OriginFor<T>,
			mut schedule: ScheduleOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			schedule.start_epoch = LastClosedEpoch::<T>::get().map_or(0, |e| e.saturating_add(1));
			Schedule::<T>::put(&schedule);
			Self::deposit_event(Event::ScheduleSet { schedule });
			Ok(())
		}

		/// Sets the pool split (governance); it applies from the next epoch to close.
		///
		/// Emits `SplitSet`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_pool_split())]
		pub fn set_pool_split(origin: OriginFor<T>, split: PoolSplit) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(split.is_complete(), Error::<T>::SplitNotComplete);
			Split::<T>::put(split);
			Self::deposit_event(Event::SplitSet { split });
			Ok(())
		}

		/// Sets after how many epochs rewards expire (governance), `1..=MaxExpiryHorizon`.
		///
		/// Emits `ExpiryHorizonSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_expiry_horizon())]
		pub fn set_expiry_horizon(origin: OriginFor<T>, epochs: EpochIndex) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				(1..=T::MaxExpiryHorizon::get()).contains(&epochs),
				Error::<T>::HorizonOutOfRange
			);
			ExpiryHorizon::<T>::put(epochs);
			Self::deposit_event(Event::ExpiryHorizonSet { epochs });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The pot's account: rewards minted for devices wait there until claimed.
	pub fn pot() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Whether `epoch` is closed (its pools are fixed or already expired).
	pub fn is_closed(epoch: EpochIndex) -> bool {
		LastClosedEpoch::<T>::get().is_some_and(|last| epoch <= last)
	}

	/// What the pot owes: ledgers' pending amounts and what open pools still owe.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn liabilities() -> BalanceOf<T> {
		let pending = Ledgers::<T>::iter_values()
			.fold(BalanceOf::<T>::zero(), |sum, ledger| sum.saturating_add(ledger.pending));
		EpochRewards::<T>::iter_values()
			.fold(pending, |sum, pools| sum.saturating_add(pools.unsettled()))
	}

	/// The pallet's invariants: everything minted for devices is claimed, expired or still
	/// owed, and the pot holds at least what it owes; ledgers hold at most two unsettled
	/// epochs, in order, none of them expired.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let totals = Totals::<T>::get();
		let owed = Self::liabilities();
		ensure!(
			totals.minted_for_devices
				== totals.claimed.saturating_add(totals.expired).saturating_add(owed),
			"minted for devices != claimed + expired + owed"
		);
		let pot = T::Currency::balance(&Self::pot());
		ensure!(
			pot >= owed.saturating_add(T::Currency::minimum_balance()),
			"the pot holds less than it owes"
		);
		for (_, ledger) in Ledgers::<T>::iter() {
			ensure!(
				ledger.unsettled.windows(2).all(|pair| pair[0] < pair[1]),
				"unsettled epochs out of order"
			);
		}
		for (epoch, pools) in EpochRewards::<T>::iter() {
			ensure!(Self::is_closed(epoch), "pools of an epoch that is not closed");
			ensure!(epoch >= ExpiryCursor::<T>::get(), "pools below the expiry cursor");
			ensure!(pools.settled <= pools.for_devices(), "an epoch settled more than its pools");
			ensure!(pools.data_transfer <= pools.usage_value, "usage paid more than its value");
		}
		Ok(())
	}
}
