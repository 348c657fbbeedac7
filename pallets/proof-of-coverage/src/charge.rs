//! Counting what a batch's heartbeats will cost besides their own checks, the
//! [`BatchCharge`] an oracle declares and signs: distinct bitmap pages, distinct slot
//! anchors, and devices the batch makes active, read from the chain's state where the oracle
//! builds the batch.
//!
//! The count may only err upwards between building and landing: a device active in an epoch
//! stays active in it, pages and anchors are fixed by the heartbeats themselves, and a
//! device the oracle's view does not know is counted at its worst case. Two batches
//! in flight may both count the same device's activation; the second is refunded.

use crate::{locate, BatchCharge, Config, PageIndex, Pallet, TallyPageOf, TallyPages};
use alloc::collections::{BTreeMap, BTreeSet};
use depin_primitives::{
	DeviceId, DeviceIndex, DeviceInspect, EpochIndex, SignedAttestation, SlotIndex,
};
use frame_support::weights::Weight;

/// A bitmap page: a slot's heartbeat page (`Some(slot)`) or the epoch's tally page (`None`).
type PageKey = (EpochIndex, Option<SlotIndex>, PageIndex);

/// Counts a batch's [`BatchCharge`] as attestations join it.
pub(crate) struct ChargeCounter<T: Config> {
	charge: BatchCharge,
	pages: BTreeSet<PageKey>,
	anchors: BTreeSet<(EpochIndex, SlotIndex)>,
	activated: BTreeSet<(EpochIndex, DeviceId)>,
	tallies: BTreeMap<(EpochIndex, PageIndex), Option<TallyPageOf<T>>>,
	indexes: BTreeMap<DeviceId, Option<DeviceIndex>>,
}

impl<T: Config> ChargeCounter<T> {
	pub(crate) fn new() -> Self {
		Self {
			charge: BatchCharge::default(),
			pages: BTreeSet::new(),
			anchors: BTreeSet::new(),
			activated: BTreeSet::new(),
			tallies: BTreeMap::new(),
			indexes: BTreeMap::new(),
		}
	}

	/// The charge of what joined so far.
	pub(crate) fn charge(&self) -> BatchCharge {
		self.charge
	}

	/// The registry index of `device`, read once.
	fn index(&mut self, device: &DeviceId) -> Option<DeviceIndex> {
		*self.indexes.entry(*device).or_insert_with(|| T::Devices::device(device).map(|d| d.index))
	}

	/// What `attestation` adds to the charge, without adding it.
	pub(crate) fn added(&mut self, attestation: &SignedAttestation) -> BatchCharge {
		let SignedAttestation::Heartbeat { heartbeat, .. } = attestation else {
			return BatchCharge::default();
		};
		let (epoch, slot) = (heartbeat.epoch, heartbeat.slot);
		// Counted whether or not the device is known: the chain reads the anchor first.
		let anchors = u32::from(!self.anchors.contains(&(epoch, slot)));
		let Some(index) = self.index(&heartbeat.device) else {
			// Unknown here, it may be registered where the batch lands (the node admitted it
			// on a newer block than the one the worker builds on): its worst case, two pages
			// and an activation, refunded if it stays unknown.
			return BatchCharge { activations: 1, pages: 2, anchors };
		};
		let (page, at) = locate(index);
		let pages = u32::from(!self.pages.contains(&(epoch, Some(slot), page)))
			+ u32::from(!self.pages.contains(&(epoch, None, page)));
		let idle = !self.activated.contains(&(epoch, heartbeat.device))
			&& self
				.tallies
				.entry((epoch, page))
				.or_insert_with(|| TallyPages::<T>::get(epoch, page))
				.as_ref()
				.is_none_or(|tally| tally.is_idle(at));
		BatchCharge { activations: u32::from(idle), pages, anchors }
	}

	/// Adds `attestation`; returns what it adds to the batch's weight (its own weight and its
	/// share of the charge).
	pub(crate) fn add(&mut self, attestation: &SignedAttestation) -> Weight {
		let added = self.added(attestation);
		self.add_counted(attestation, added)
	}

	/// Adds `attestation`, whose share of the charge [`Self::added`] counted as `added`;
	/// returns what it adds to the batch's weight.
	pub(crate) fn add_counted(
		&mut self,
		attestation: &SignedAttestation,
		added: BatchCharge,
	) -> Weight {
		if let SignedAttestation::Heartbeat { heartbeat, .. } = attestation {
			let (epoch, slot) = (heartbeat.epoch, heartbeat.slot);
			self.anchors.insert((epoch, slot));
			if let Some(index) = self.index(&heartbeat.device) {
				let (page, _) = locate(index);
				self.pages.insert((epoch, Some(slot), page));
				self.pages.insert((epoch, None, page));
				if added.activations > 0 {
					self.activated.insert((epoch, heartbeat.device));
				}
			}
		}
		self.charge.activations = self.charge.activations.saturating_add(added.activations);
		self.charge.pages = self.charge.pages.saturating_add(added.pages);
		self.charge.anchors = self.charge.anchors.saturating_add(added.anchors);
		Pallet::<T>::attestation_weight(attestation)
			.saturating_add(Pallet::<T>::charge_weight(&added))
	}
}

impl<T: Config> Pallet<T> {
	/// The [`BatchCharge`] of a batch of `attestations` landing on the current state: what
	/// an oracle declares for it.
	pub fn charge_of(attestations: &[SignedAttestation]) -> BatchCharge {
		let mut counter = ChargeCounter::<T>::new();
		attestations.iter().for_each(|attestation| {
			counter.add(attestation);
		});
		counter.charge()
	}
}
