//! Settling devices lazily, claims, and expiry of unclaimed rewards.

use crate::{
	BalanceOf, Config, DeviceLedgerOf, DeviceUsage, EpochPoolsOf, EpochRewards, Error, Event,
	ExpiryCursor, ExpiryHorizon, LastClosedEpoch, Ledgers, Pallet, SweepCursor, Totals, WeightInfo,
};
use alloc::{collections::BTreeMap, vec::Vec};
use depin_primitives::{DeviceId, DeviceIndex, DeviceInspect, EpochIndex, EpochScores};
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
	weights::Weight,
};
use sp_runtime::traits::{Saturating, Zero};

/// What the touches, claims and sweeps of one call share, read once and written once: the
/// last closed epoch, the expiry horizon, the pools of the epochs they settle, and what they
/// expire to the treasury (one transfer for all of them). [`Settlement::finish`] writes it.
pub(crate) struct Settlement<T: Config> {
	last_closed: Option<EpochIndex>,
	horizon: EpochIndex,
	/// Pools read so far (`None`: the epoch has no pools, e.g. expired), and whether changed.
	pools: BTreeMap<EpochIndex, (Option<EpochPoolsOf<T>>, bool)>,
	/// Pending amounts expired so far, still in the pot.
	expired: BalanceOf<T>,
	/// Epochs settled and pending amounts expired so far: what a touch costs beyond noting
	/// the new epoch.
	work: u32,
}

impl<T: Config> Settlement<T> {
	/// Reads the clock and the horizon.
	pub(crate) fn new() -> Self {
		Self {
			last_closed: LastClosedEpoch::<T>::get(),
			horizon: ExpiryHorizon::<T>::get(),
			pools: BTreeMap::new(),
			expired: Zero::zero(),
			work: 0,
		}
	}

	/// Whether `epoch` is closed.
	fn is_closed(&self, epoch: EpochIndex) -> bool {
		self.last_closed.is_some_and(|last| epoch <= last)
	}

	/// Settles `epoch` (closed) for `device` into its ledger: its share of the epoch's pools
	/// by score and usage. An expired epoch pays nothing (its pools went to the treasury).
	fn settle(
		&mut self,
		device: &DeviceId,
		index: DeviceIndex,
		ledger: &mut DeviceLedgerOf<T>,
		epoch: EpochIndex,
	) {
		self.work = self.work.saturating_add(1);
		// Most devices have no usage: a read finds that out without a write.
		let usage = if DeviceUsage::<T>::contains_key(epoch, device) {
			DeviceUsage::<T>::take(epoch, device)
		} else {
			Default::default()
		};
		let (pools, changed) =
			self.pools.entry(epoch).or_insert_with(|| (EpochRewards::<T>::get(epoch), false));
		let Some(pools) = pools else { return };
		let score = T::Scores::score(device, index, epoch).unwrap_or_default();
		let amount = pools.payable(&score, usage.value);
		if amount.is_zero() {
			return;
		}
		pools.settled = pools.settled.saturating_add(amount);
		*changed = true;
		ledger.last_reward_epoch =
			if ledger.pending.is_zero() { epoch } else { ledger.last_reward_epoch.max(epoch) };
		ledger.pending = ledger.pending.saturating_add(amount);
		Pallet::<T>::deposit_event(Event::DeviceSettled { device: *device, epoch, amount });
	}

	/// Settles the ledger's closed epochs, at most `limit` of them, oldest first.
	fn settle_closed(
		&mut self,
		device: &DeviceId,
		index: DeviceIndex,
		ledger: &mut DeviceLedgerOf<T>,
		limit: usize,
	) {
		let closed: Vec<EpochIndex> = ledger
			.unsettled
			.iter()
			.copied()
			.filter(|epoch| self.is_closed(*epoch))
			.take(limit)
			.collect();
		for epoch in closed {
			self.settle(device, index, ledger, epoch);
			ledger.unsettled.retain(|e| *e != epoch);
		}
	}

	/// Expires the ledger's pending amount if its newest part is past the horizon (it goes
	/// to the treasury when the settlement finishes).
	fn expire_pending(&mut self, device: &DeviceId, ledger: &mut DeviceLedgerOf<T>) {
		if ledger.pending.is_zero() {
			return;
		}
		let Some(last_closed) = self.last_closed else { return };
		if ledger.last_reward_epoch.saturating_add(self.horizon) > last_closed {
			return;
		}
		self.work = self.work.saturating_add(1);
		let amount = core::mem::take(&mut ledger.pending);
		self.expired = self.expired.saturating_add(amount);
		Pallet::<T>::deposit_event(Event::RewardsExpired { device: *device, amount });
	}

	/// `device` had its first attestation of `epoch` accepted: expire what is too old, settle
	/// every unsettled epoch up to `epoch - 2`, and note `epoch` as unsettled.
	///
	/// Proof of coverage keeps a device's coverage record of `epoch - 2` in the slot it is
	/// about to reuse for `epoch`, and calls this before it writes anything of `epoch`: so
	/// each such epoch (closed by now: its grace ended when `epoch` began) is settled while
	/// its record can still be read. What stays unsettled is `epoch - 1` and `epoch`, two
	/// entries at most (so at most two settlements per touch).
	pub(crate) fn touch(&mut self, device: &DeviceId, index: DeviceIndex, epoch: EpochIndex) {
		let mut ledger = Ledgers::<T>::get(device).unwrap_or_default();
		if ledger.unsettled.contains(&epoch) {
			return;
		}
		self.expire_pending(device, &mut ledger);
		let mut unsettled = ledger.unsettled.to_vec();
		for old in unsettled.iter().copied().filter(|e| e.saturating_add(2) <= epoch) {
			if self.is_closed(old) {
				self.settle(device, index, &mut ledger, old);
			} else {
				frame_support::defensive!("a device touched with an open epoch two back");
			}
		}
		unsettled.retain(|e| e.saturating_add(2) > epoch);
		unsettled.push(epoch);
		unsettled.sort_unstable();
		// Only `epoch - 1` and `epoch` are left.
		ledger.unsettled = BoundedVec::truncate_from(unsettled);
		Pallet::<T>::store(device, ledger);
	}

	/// Writes the pools that changed and moves what expired to the treasury.
	pub(crate) fn finish(self) {
		for (epoch, (pools, changed)) in self.pools {
			if let (Some(pools), true) = (pools, changed) {
				EpochRewards::<T>::insert(epoch, pools);
			}
		}
		let moved = Pallet::<T>::to_treasury(self.expired);
		if moved != self.expired {
			frame_support::defensive!("the pot cannot pay what expired");
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Writes the ledger back, or removes it when nothing is left in it.
	fn store(device: &DeviceId, ledger: DeviceLedgerOf<T>) {
		if ledger.is_empty() {
			Ledgers::<T>::remove(device);
		} else {
			Ledgers::<T>::insert(device, ledger);
		}
	}

	/// One device touched on its own (service usage, tests): see [`Settlement::touch`].
	pub(crate) fn touch(device: &DeviceId, index: DeviceIndex, epoch: EpochIndex) {
		let mut settlement = Settlement::<T>::new();
		settlement.touch(device, index, epoch);
		settlement.finish();
	}

	/// Devices made active by one batch, touched together: what they share is read and
	/// written once. Returns the weight used ([`Self::touch_all_weight`]).
	pub(crate) fn touch_all(devices: &[(DeviceId, DeviceIndex, EpochIndex)]) -> Weight {
		if devices.is_empty() {
			return Weight::zero();
		}
		let mut settlement = Settlement::<T>::new();
		for (device, index, epoch) in devices {
			settlement.touch(device, *index, *epoch);
		}
		let (work, pools) = (settlement.work, settlement.pools.len() as u32);
		settlement.finish();
		Self::touch_all_weight(devices.len() as u32, work, pools)
	}

	/// The dearest case of touching `n` devices: `devices_active(n)` (every device settling
	/// two epochs with usage and expiring its pending amount, the epochs shared) with each
	/// device's two epochs' pools its own (a read and a write each).
	pub fn touch_all_dearest(n: u32) -> Weight {
		T::WeightInfo::devices_active(n)
			.saturating_add(T::DbWeight::get().reads_writes(2 * u64::from(n), 2 * u64::from(n)))
	}

	/// Weight of touching `n` devices that settled or expired `work` epochs in all, from
	/// `pools` epochs' pools: the touches alone (`devices_active_fresh`), and for any work the
	/// fixed part of the dearest case (two pools written, one transfer) plus per unit of work
	/// half of what a device settling two epochs with usage and expiring its pending amount
	/// costs more than one with nothing to settle, plus a read and a write per pool beyond the
	/// two. Never more than [`Self::touch_all_dearest`], what callers are charged.
	pub fn touch_all_weight(n: u32, work: u32, pools: u32) -> Weight {
		let fresh = T::WeightInfo::devices_active_fresh(n);
		let dearest = Self::touch_all_dearest(n);
		if work == 0 {
			return fresh.min(dearest);
		}
		let (fresh_0, dearest_0) =
			(T::WeightInfo::devices_active_fresh(0), T::WeightInfo::devices_active(0));
		let fresh_each = T::WeightInfo::devices_active_fresh(1).saturating_sub(fresh_0);
		let dearest_each = T::WeightInfo::devices_active(1).saturating_sub(dearest_0);
		let per_work = dearest_each.saturating_sub(fresh_each) / 2;
		let more_pools = u64::from(pools.saturating_sub(2));
		fresh
			.saturating_add(dearest_0.saturating_sub(fresh_0))
			.saturating_add(per_work.saturating_mul(u64::from(work)))
			.saturating_add(T::DbWeight::get().reads_writes(more_pools, more_pools))
			.min(dearest)
	}

	/// Settles `device`'s closed epochs and pays its pending rewards to `owner`; returns
	/// the amount paid.
	pub(crate) fn claim_device(
		device: &DeviceId,
		index: DeviceIndex,
		owner: &T::AccountId,
	) -> Result<BalanceOf<T>, DispatchError> {
		let Some(mut ledger) = Ledgers::<T>::get(device) else { return Ok(Zero::zero()) };
		let mut settlement = Settlement::<T>::new();
		settlement.expire_pending(device, &mut ledger);
		settlement.settle_closed(device, index, &mut ledger, 2);
		// The pools and the expired amount are written before the pot pays.
		settlement.finish();
		let amount = ledger.pending;
		if !amount.is_zero() {
			T::Currency::transfer(&Self::pot(), owner, amount, Preservation::Preserve)
				.map_err(|_| Error::<T>::PotCannotPay)?;
			Totals::<T>::mutate(|totals| totals.claimed = totals.claimed.saturating_add(amount));
			ledger.pending = Zero::zero();
			Self::deposit_event(Event::RewardsClaimed {
				device: *device,
				owner: owner.clone(),
				amount,
			});
		}
		Self::store(device, ledger);
		Ok(amount)
	}

	/// What `device` could claim now: pending plus its closed, unexpired epochs' shares.
	pub fn claimable(device: &DeviceId) -> BalanceOf<T> {
		let Some(ledger) = Ledgers::<T>::get(device) else { return Zero::zero() };
		let Some(info) = T::Devices::device(device) else { return Zero::zero() };
		let last_closed = LastClosedEpoch::<T>::get();
		let expired = |epoch: EpochIndex| {
			last_closed.is_some_and(|last| epoch.saturating_add(ExpiryHorizon::<T>::get()) <= last)
		};
		let pending = if expired(ledger.last_reward_epoch) { Zero::zero() } else { ledger.pending };
		ledger.unsettled.iter().filter(|e| Self::is_closed(**e)).fold(pending, |sum, epoch| {
			let share = EpochRewards::<T>::get(epoch).map_or_else(Zero::zero, |pools| {
				let score = T::Scores::score(device, info.index, *epoch).unwrap_or_default();
				pools.payable(&score, DeviceUsage::<T>::get(epoch, device).value)
			});
			sum.saturating_add(share)
		})
	}

	/// The bounded `on_idle` sweep: walks the ledgers from where it stopped, expires
	/// unclaimed rewards that are too old, drops unsettled epochs that expired (and the
	/// device's usage in them), removes empty ledgers. Reaches the devices nobody touches any more (e.g. withdrawn ones).
	pub(crate) fn sweep_ledgers(remaining: Weight) -> Weight {
		let base = T::WeightInfo::sweep_ledgers(0);
		let per_ledger = T::WeightInfo::sweep_ledgers(1).saturating_sub(base);
		if remaining.any_lt(base.saturating_add(per_ledger)) {
			return Weight::zero();
		}
		let limit = remaining
			.saturating_sub(base)
			.ref_time()
			.checked_div(per_ledger.ref_time().max(1))
			.unwrap_or(0)
			.min(u64::from(MAX_SWEPT_PER_BLOCK)) as u32;
		let iter = match SweepCursor::<T>::get() {
			Some(cursor) => Ledgers::<T>::iter_from(cursor.into_inner()),
			None => Ledgers::<T>::iter(),
		};
		// Collected first: the ledgers are changed below.
		let page: Vec<_> = iter.take(limit as usize).collect();
		let swept = page.len() as u32;
		let last_key = page.last().map(|(device, _)| Ledgers::<T>::hashed_key_for(device));
		let expired_below = ExpiryCursor::<T>::get();
		let mut settlement = Settlement::<T>::new();
		for (device, mut ledger) in page {
			let before = ledger.clone();
			settlement.expire_pending(&device, &mut ledger);
			ledger.unsettled.retain(|epoch| {
				let keep = *epoch >= expired_below;
				if !keep {
					DeviceUsage::<T>::remove(epoch, device);
				}
				keep
			});
			if ledger != before || ledger.is_empty() {
				Self::store(&device, ledger);
			}
		}
		settlement.finish();
		// Past the last ledger: start over next time.
		let cursor = if swept < limit { None } else { last_key };
		match cursor.and_then(|key| BoundedVec::try_from(key).ok()) {
			Some(key) => SweepCursor::<T>::put(key),
			None => SweepCursor::<T>::kill(),
		}
		T::WeightInfo::sweep_ledgers(swept)
	}
}

/// Most ledgers the `on_idle` sweep looks at in one block.
pub const MAX_SWEPT_PER_BLOCK: u32 = 256;
