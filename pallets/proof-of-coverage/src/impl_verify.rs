//! Verifying attestations one by one, and folding a batch's effects into as few writes as
//! possible: one per touched bitmap page (heartbeats, activity) and one per device with
//! coverage activity.

use crate::{
	locate, ActivityOf, BatchOf, Config, DeviceActivity, EpochInfoOf, EpochTotals, Event,
	HeartbeatPage, HeartbeatPageOf, HeartbeatPages, Oracles, PageIndex, Pallet, Parameters,
	ParametersOf, TallyPage, TallyPageOf, TallyPages,
};
use alloc::{collections::BTreeMap, vec::Vec};
use codec::Encode;
use depin_primitives::{
	attestation::{
		is_challenged, Beacon, BeaconPayload, HeartbeatPayload, WitnessPayload, SCORE_UNIT,
	},
	radio::max_plausible_rssi_centi_dbm,
	AttestationRejection as Rejection, DeviceId, DeviceIndex, DeviceInfo, DeviceInspect,
	DeviceSignature, DeviceStatus, EpochIndex, EpochScore, H3Cell, Heartbeat, ScoreSink,
	SignedAttestation, SignedPayload, SlotIndex, WitnessReport,
};
use frame_support::{traits::Get, weights::Weight, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{Perbill, SaturatedConversion};

/// Pages an attestation of each kind is charged for (a read and a write each): a heartbeat
/// touches its slot's heartbeat page and its tally page, a beacon its tally page, a witness
/// its tally page and, when it is the first witness of an accepted beacon, the beaconer's.
pub(crate) fn pages_charged(attestation: &SignedAttestation) -> u64 {
	match attestation {
		SignedAttestation::Heartbeat { .. } => 2,
		SignedAttestation::Beacon(_) => 1,
		// Its own tally page, and the beaconer's when it is the beacon's first witness.
		SignedAttestation::Witness { .. } => 2,
	}
}

/// A page as a batch holds it.
struct PageEntry<Page> {
	page: Page,
	/// The batch set a bit in it.
	dirty: bool,
	/// An earlier transaction of this block wrote it: it is in the block's overlay, so
	/// neither reading nor writing it again touches the database.
	in_overlay: bool,
}

impl<Page> PageEntry<Page> {
	/// The `stored` page (in the block's overlay if it was written in block `now`), or a
	/// `fresh` one when there is none yet.
	fn load<BlockNumber: PartialEq>(
		stored: Option<Page>,
		now: &BlockNumber,
		written_in: impl Fn(&Page) -> &BlockNumber,
		fresh: impl FnOnce() -> Page,
	) -> Self {
		match stored {
			Some(page) => {
				let in_overlay = written_in(&page) == now;
				Self { page, dirty: false, in_overlay }
			}
			None => Self { page: fresh(), dirty: false, in_overlay: false },
		}
	}
}

/// What one batch reads and changes, kept in memory until the batch ends so that each
/// device's record is read once and written once.
pub(crate) struct BatchContext<T: Config> {
	genesis_hash: T::Hash,
	now: u64,
	parameters: ParametersOf<T>,
	current: Option<EpochInfoOf<T>>,
	previous: Option<EpochInfoOf<T>>,
	devices: BTreeMap<DeviceId, Option<DeviceInfo<T::AccountId>>>,
	density: BTreeMap<H3Cell, Perbill>,
	/// Each touched device's record, and whether the batch changed it.
	activity: BTreeMap<DeviceId, (ActivityOf<T>, bool)>,
	/// Heartbeat pages read by the batch.
	heartbeat_pages: BTreeMap<(EpochIndex, SlotIndex, PageIndex), PageEntry<HeartbeatPageOf<T>>>,
	/// Tally pages read by the batch.
	tally_pages: BTreeMap<(EpochIndex, PageIndex), PageEntry<TallyPageOf<T>>>,
	/// Devices whose first attestation of an epoch this batch accepted, in order.
	newly_active: Vec<(DeviceId, DeviceIndex, EpochIndex)>,
	totals: BTreeMap<EpochIndex, EpochScore>,
	/// Weight charged for signature checks that turned out unnecessary.
	pub(crate) unused: Weight,
}

impl<T: Config> BatchContext<T> {
	/// A context reading the chain as it is now.
	pub(crate) fn new() -> Self {
		Self {
			genesis_hash: Pallet::<T>::genesis_hash(),
			now: frame_system::Pallet::<T>::block_number().saturated_into(),
			parameters: Parameters::<T>::get(),
			current: crate::CurrentEpoch::<T>::get(),
			previous: crate::PreviousEpoch::<T>::get(),
			devices: BTreeMap::new(),
			density: BTreeMap::new(),
			activity: BTreeMap::new(),
			heartbeat_pages: BTreeMap::new(),
			tally_pages: BTreeMap::new(),
			newly_active: Vec::new(),
			totals: BTreeMap::new(),
			unused: Weight::zero(),
		}
	}

	fn epoch(&self, index: EpochIndex) -> Result<EpochInfoOf<T>, Rejection> {
		self.current
			.iter()
			.chain(self.previous.iter())
			.find(|e| e.index == index)
			.cloned()
			.ok_or(Rejection::WrongEpoch)
	}

	fn device(&mut self, id: &DeviceId) -> Option<DeviceInfo<T::AccountId>> {
		self.devices.entry(*id).or_insert_with(|| T::Devices::device(id)).clone()
	}

	/// The device, if registered and active; the reason otherwise.
	fn active_device(&mut self, id: &DeviceId) -> Result<DeviceInfo<T::AccountId>, Rejection> {
		let device = self.device(id).ok_or(Rejection::UnknownDevice)?;
		if device.status != DeviceStatus::Active {
			return Err(Rejection::DeviceNotActive);
		}
		Ok(device)
	}

	fn entry(&mut self, id: &DeviceId) -> &mut (ActivityOf<T>, bool) {
		self.activity
			.entry(*id)
			.or_insert_with(|| (DeviceActivity::<T>::get(id).unwrap_or_default(), false))
	}

	/// The device's record, read once per batch.
	fn activity(&mut self, id: &DeviceId) -> &ActivityOf<T> {
		&self.entry(id).0
	}

	/// The device's record, to change: it is written back when the batch ends.
	fn activity_mut(&mut self, id: &DeviceId) -> &mut ActivityOf<T> {
		let entry = self.entry(id);
		entry.1 = true;
		&mut entry.0
	}

	/// `min(1, target / active devices in the device's density cell)`.
	fn density_factor(&mut self, location: H3Cell) -> Perbill {
		let Some(cell) = location.parent(T::Devices::density_resolution()) else {
			return Perbill::one();
		};
		let target = self.parameters.target_density;
		*self.density.entry(cell).or_insert_with(|| {
			let count = T::Devices::active_devices_in_cell(cell);
			Perbill::from_rational(target, count.max(target))
		})
	}

	/// Credits `device` (at `location`) with `units` of coverage scaled by its density
	/// factor.
	fn credit_coverage(
		&mut self,
		device: &DeviceId,
		location: H3Cell,
		epoch: EpochIndex,
		units: u64,
	) {
		let scaled = self.density_factor(location).mul_floor(units);
		let activity = self.activity_mut(device).get_mut(epoch);
		activity.coverage = activity.coverage.saturating_add(scaled);
		let total = self.totals.entry(epoch).or_default();
		total.coverage = total.coverage.saturating_add(scaled);
	}

	/// The heartbeat page of `device` for `(epoch, slot)`, read once per batch, and the
	/// device's position in it.
	fn heartbeat_page(
		&mut self,
		epoch: EpochIndex,
		slot: SlotIndex,
		device: &DeviceInfo<T::AccountId>,
	) -> (&mut PageEntry<HeartbeatPageOf<T>>, usize) {
		let now: BlockNumberFor<T> = self.now.saturated_into();
		let (page, at) = locate(device.index);
		let entry = self.heartbeat_pages.entry((epoch, slot, page)).or_insert_with(|| {
			let stored = HeartbeatPages::<T>::get(epoch, (slot, page));
			PageEntry::load(stored, &now, |p| &p.written_in, || HeartbeatPage::new(now))
		});
		(entry, at)
	}

	/// The tally page of `device` for `epoch`, read once per batch, and the device's position
	/// in it.
	fn tally_page(
		&mut self,
		epoch: EpochIndex,
		device: &DeviceInfo<T::AccountId>,
	) -> (&mut PageEntry<TallyPageOf<T>>, usize) {
		let now: BlockNumberFor<T> = self.now.saturated_into();
		let (page, at) = locate(device.index);
		let entry = self.tally_pages.entry((epoch, page)).or_insert_with(|| {
			let stored = TallyPages::<T>::get(epoch, page);
			PageEntry::load(stored, &now, |p| &p.written_in, || TallyPage::new(now))
		});
		(entry, at)
	}

	/// Counts `device`'s heartbeat for `(epoch, slot)`.
	fn count_heartbeat(
		&mut self,
		id: &DeviceId,
		device: &DeviceInfo<T::AccountId>,
		epoch: EpochIndex,
		slot: SlotIndex,
	) {
		let (entry, at) = self.heartbeat_page(epoch, slot, device);
		entry.page.set(at);
		entry.dirty = true;
		let (entry, at) = self.tally_page(epoch, device);
		entry.dirty = true;
		if entry.page.add_heartbeat(at) {
			self.newly_active.push((*id, device.index, epoch));
		}
		let total = self.totals.entry(epoch).or_default();
		total.uptime = total.uptime.saturating_add(SCORE_UNIT);
	}

	/// Flags `device`'s coverage activity in `epoch` in its tally.
	fn mark_coverage(
		&mut self,
		id: &DeviceId,
		device: &DeviceInfo<T::AccountId>,
		epoch: EpochIndex,
	) {
		let (entry, at) = self.tally_page(epoch, device);
		if entry.page.has_coverage(at) {
			return;
		}
		entry.dirty = true;
		if entry.page.mark_coverage(at) {
			self.newly_active.push((*id, device.index, epoch));
		}
	}

	/// Writes everything the batch changed: rewards hears of newly active devices first
	/// (while the device's records of two epochs back are still stored), then one write per
	/// touched page, device record and epoch total. Returns the weight charged but not used:
	/// skipped signature checks, pages already in the block's overlay or shared with other
	/// attestations of the batch, devices already active.
	fn commit(mut self, attestations: &[SignedAttestation]) -> Weight {
		for (device, index, epoch) in &self.newly_active {
			T::ScoreSink::device_active(device, *index, *epoch);
		}
		let now: BlockNumberFor<T> = self.now.saturated_into();
		let (mut reads, mut writes) = (0u64, 0u64);
		let mut count = |in_overlay: bool, dirty: bool| {
			if !in_overlay {
				reads += 1;
				writes += u64::from(dirty);
			}
		};
		for ((epoch, slot, index), mut entry) in self.heartbeat_pages {
			count(entry.in_overlay, entry.dirty);
			if entry.dirty {
				entry.page.written_in = now;
				HeartbeatPages::<T>::insert(epoch, (slot, index), entry.page);
			}
		}
		for ((epoch, index), mut entry) in self.tally_pages {
			count(entry.in_overlay, entry.dirty);
			if entry.dirty {
				entry.page.written_in = now;
				TallyPages::<T>::insert(epoch, index, entry.page);
			}
		}
		for (device, (record, changed)) in self.activity {
			if changed {
				DeviceActivity::<T>::insert(device, record);
			}
		}
		for (epoch, delta) in self.totals {
			EpochTotals::<T>::mutate(epoch, |total| total.saturating_accrue(&delta));
		}

		let charged: u64 = attestations.iter().map(pages_charged).sum();
		let db = T::DbWeight::get();
		let unused_pages = db
			.reads(charged.saturating_sub(reads))
			.saturating_add(db.writes(charged.saturating_sub(writes)));
		let silent = (attestations.len() as u64).saturating_sub(self.newly_active.len() as u64);
		let unused_sink = T::ScoreSink::device_active_weight().saturating_mul(silent);
		self.unused = self.unused.saturating_add(unused_pages).saturating_add(unused_sink);
		self.unused
	}

	/// Verifies `attestation` and applies it to the context.
	pub(crate) fn apply(&mut self, attestation: &SignedAttestation) -> Result<(), Rejection> {
		match attestation {
			SignedAttestation::Heartbeat { heartbeat, signature } => {
				self.apply_heartbeat(heartbeat, signature)
			}
			SignedAttestation::Beacon(beacon) => self.apply_beacon(beacon),
			SignedAttestation::Witness { report, signature } => {
				self.apply_witness(report, signature)
			}
		}
	}

	fn apply_heartbeat(
		&mut self,
		heartbeat: &Heartbeat,
		signature: &DeviceSignature,
	) -> Result<(), Rejection> {
		let epoch = self.epoch(heartbeat.epoch)?;
		if heartbeat.slot >= epoch.slots {
			return Err(Rejection::SlotOutOfRange);
		}
		let (from, to) = epoch.slot_bounds(heartbeat.slot);
		let grace: u64 = self.parameters.heartbeat_grace.saturated_into();
		if self.now < from {
			return Err(Rejection::SlotNotStarted);
		}
		if self.now >= to.saturating_add(grace) {
			return Err(Rejection::SlotExpired);
		}
		let device = self.active_device(&heartbeat.device)?;
		let (entry, at) = self.heartbeat_page(heartbeat.epoch, heartbeat.slot, &device);
		if entry.page.get(at) {
			return Err(Rejection::Duplicate);
		}
		let payload = HeartbeatPayload { genesis_hash: &self.genesis_hash, heartbeat };
		if !device.key.verify(&payload.signing_bytes(), signature) {
			return Err(Rejection::BadSignature);
		}
		self.count_heartbeat(&heartbeat.device, &device, heartbeat.epoch, heartbeat.slot);
		Ok(())
	}

	fn apply_beacon(&mut self, beacon: &Beacon) -> Result<(), Rejection> {
		let epoch = self.epoch(beacon.epoch)?;
		let device = self.active_device(&beacon.device)?;
		if !is_challenged(&epoch.randomness, &beacon.device, epoch.challenge_rate.deconstruct()) {
			return Err(Rejection::NotChallenged);
		}
		let payload_hash = sp_io::hashing::blake2_256(&beacon.payload.encode());
		// What is known of this beacon: (already accepted, hash of the payload seen).
		let known = self
			.activity(&beacon.device)
			.get(beacon.epoch)
			.and_then(|a| a.beacon.as_ref())
			.map(|b| (b.beacon_accepted, b.payload_hash));
		if known.is_some_and(|(accepted, _)| accepted) {
			return Err(Rejection::Duplicate);
		}
		if known.is_some_and(|(_, hash)| hash == payload_hash) {
			// A witness already proved this exact payload valid.
			self.unused =
				self.unused.saturating_add(Pallet::<T>::verify_weight(beacon.payload.scheme()));
		} else if !self.beacon_payload_valid(&device, &beacon.device, &epoch, &beacon.payload) {
			return Err(Rejection::BadSignature);
		}
		let activity = self.activity_mut(&beacon.device).get_mut(beacon.epoch);
		let record = activity.beacon.get_or_insert_with(|| crate::BeaconRecord {
			payload_hash,
			beacon_accepted: false,
			witnesses: BoundedVec::new(),
		});
		record.beacon_accepted = true;
		// A beacon proves the device was up, not where: it scores once a witness heard it.
		if !record.witnesses.is_empty() {
			self.credit_beacon(&beacon.device, &device, beacon.epoch);
		}
		Ok(())
	}

	/// Credits a beaconer whose beacon is both accepted and witnessed (once per beacon).
	fn credit_beacon(
		&mut self,
		id: &DeviceId,
		device: &DeviceInfo<T::AccountId>,
		epoch: EpochIndex,
	) {
		let units = self.parameters.beacon_score;
		self.credit_coverage(id, device.location, epoch, units);
		self.mark_coverage(id, device, epoch);
	}

	fn beacon_payload_valid(
		&self,
		beaconer: &DeviceInfo<T::AccountId>,
		id: &DeviceId,
		epoch: &EpochInfoOf<T>,
		payload: &DeviceSignature,
	) -> bool {
		let message = BeaconPayload {
			genesis_hash: &self.genesis_hash,
			device: id,
			epoch: epoch.index,
			randomness: &epoch.randomness,
		};
		beaconer.key.verify(&message.signing_bytes(), payload)
	}

	fn apply_witness(
		&mut self,
		report: &WitnessReport,
		signature: &DeviceSignature,
	) -> Result<(), Rejection> {
		let epoch = self.epoch(report.epoch)?;
		let parameters = &self.parameters;
		if !(parameters.min_frequency_khz..=parameters.max_frequency_khz)
			.contains(&report.frequency_khz)
		{
			return Err(Rejection::FrequencyOutOfBand);
		}
		let witness = self.active_device(&report.witness)?;
		if report.witness == report.beaconer {
			return Err(Rejection::SameOwner);
		}
		let beaconer = match self.active_device(&report.beaconer) {
			Ok(beaconer) => beaconer,
			Err(_) => return Err(Rejection::UnknownBeaconer),
		};
		if witness.owner == beaconer.owner {
			return Err(Rejection::SameOwner);
		}
		if !is_challenged(&epoch.randomness, &report.beaconer, epoch.challenge_rate.deconstruct()) {
			return Err(Rejection::BeaconerNotChallenged);
		}
		let distance = witness.location.distance_m(beaconer.location).ok_or(Rejection::TooFar)?;
		if distance < u64::from(self.parameters.min_witness_distance_m) {
			return Err(Rejection::TooClose);
		}
		if distance > u64::from(self.parameters.max_witness_distance_m) {
			return Err(Rejection::TooFar);
		}
		let max_rssi = max_plausible_rssi_centi_dbm(
			distance,
			report.frequency_khz,
			self.parameters.max_eirp_dbm,
			self.parameters.rssi_margin_db,
		);
		if i64::from(report.rssi_dbm) * 100 > max_rssi {
			return Err(Rejection::RssiTooStrong);
		}
		let cap = self.parameters.max_witnesses_per_beacon as usize;
		// What is known of the beacon: (this witness already counted, witnesses, payload hash).
		let known =
			self.activity(&report.beaconer).get(report.epoch).and_then(|a| a.beacon.as_ref()).map(
				|b| (b.witnesses.contains(&report.witness), b.witnesses.len(), b.payload_hash),
			);
		if known.is_some_and(|(seen, _, _)| seen) {
			return Err(Rejection::Duplicate);
		}
		if known.map_or(0, |(_, count, _)| count) >= cap {
			return Err(Rejection::WitnessCapReached);
		}
		let message = WitnessPayload { genesis_hash: &self.genesis_hash, report };
		if !witness.key.verify(&message.signing_bytes(), signature) {
			return Err(Rejection::BadSignature);
		}
		let payload_hash = sp_io::hashing::blake2_256(&report.beacon_payload.encode());
		if known.is_some_and(|(_, _, hash)| hash == payload_hash) {
			self.unused = self
				.unused
				.saturating_add(Pallet::<T>::verify_weight(report.beacon_payload.scheme()));
		} else if !self.beacon_payload_valid(
			&beaconer,
			&report.beaconer,
			&epoch,
			&report.beacon_payload,
		) {
			return Err(Rejection::InvalidBeaconPayload);
		}

		let beacon =
			self.activity_mut(&report.beaconer).get_mut(report.epoch).beacon.get_or_insert_with(
				|| crate::BeaconRecord {
					payload_hash,
					beacon_accepted: false,
					witnesses: BoundedVec::new(),
				},
			);
		// Checked against the cap (≤ the bound) above.
		if beacon.witnesses.try_push(report.witness).is_err() {
			return Err(Rejection::WitnessCapReached);
		}
		let completes_beacon = beacon.beacon_accepted && beacon.witnesses.len() == 1;
		let activity = self.activity_mut(&report.witness).get_mut(report.epoch);
		activity.witness_reports = activity.witness_reports.saturating_add(1);
		let units = self.parameters.witness_score;
		self.credit_coverage(&report.witness, witness.location, report.epoch, units);
		self.mark_coverage(&report.witness, &witness, report.epoch);
		if completes_beacon {
			self.credit_beacon(&report.beaconer, &beaconer, report.epoch);
		}
		Ok(())
	}

	/// Refunds the signature checks charged for `attestation` that its refusal for `reason`
	/// made unnecessary (a refusal before the check skips it).
	pub(crate) fn refund_unchecked(&mut self, attestation: &SignedAttestation, reason: Rejection) {
		let verify = |scheme| Pallet::<T>::verify_weight(scheme);
		let unused = match (attestation, reason) {
			// The failing check ran; anything after it did not.
			(SignedAttestation::Witness { report, .. }, Rejection::BadSignature) => {
				verify(report.beacon_payload.scheme())
			}
			(_, Rejection::BadSignature | Rejection::InvalidBeaconPayload) => Weight::zero(),
			(SignedAttestation::Witness { report, signature }, _) => {
				verify(signature.scheme()).saturating_add(verify(report.beacon_payload.scheme()))
			}
			(other, _) => verify(other.signature().scheme()),
		};
		self.unused = self.unused.saturating_add(unused);
	}

	/// The checks a node's RPC makes before queueing: signer registered and active, epoch
	/// open, device signature valid (for a witness, also the beacon payload).
	pub(crate) fn precheck(&mut self, attestation: &SignedAttestation) -> Result<(), Rejection> {
		let epoch = self.epoch(attestation.epoch())?;
		let device = self.active_device(&attestation.device())?;
		match attestation {
			SignedAttestation::Heartbeat { heartbeat, signature } => {
				let payload = HeartbeatPayload { genesis_hash: &self.genesis_hash, heartbeat };
				device.key.verify(&payload.signing_bytes(), signature)
			}
			SignedAttestation::Beacon(beacon) => {
				self.beacon_payload_valid(&device, &beacon.device, &epoch, &beacon.payload)
			}
			SignedAttestation::Witness { report, signature } => {
				let message = WitnessPayload { genesis_hash: &self.genesis_hash, report };
				device.key.verify(&message.signing_bytes(), signature)
			}
		}
		.then_some(())
		.ok_or(Rejection::BadSignature)
	}
}

impl<T: Config> Pallet<T> {
	/// Verifies and scores every attestation of `batch` (its authorization already checked),
	/// records the oracle's progress, and returns the weight charged but not used.
	pub(crate) fn land_batch(batch: BatchOf<T>) -> Weight {
		let now = frame_system::Pallet::<T>::block_number();
		let mut context = BatchContext::<T>::new();
		let (mut accepted, mut rejected) = (0u32, 0u32);
		for (index, attestation) in batch.attestations.iter().enumerate() {
			match context.apply(attestation) {
				Ok(()) => accepted += 1,
				Err(reason) => {
					rejected += 1;
					context.refund_unchecked(attestation, reason);
					Self::deposit_event(Event::AttestationRejected {
						oracle: batch.oracle.clone(),
						index: index as u32,
						device: attestation.device(),
						reason,
					});
				}
			}
		}
		let unused = context.commit(&batch.attestations);
		Oracles::<T>::mutate(&batch.oracle, |state| {
			if let Some(state) = state {
				state.last_batch = Some((batch.block, batch.index));
				if state.landed_in == now {
					state.landed_count = state.landed_count.saturating_add(1);
				} else {
					state.landed_in = now;
					state.landed_count = 1;
				}
				state.batches = state.batches.saturating_add(1);
				state.accepted = state.accepted.saturating_add(u64::from(accepted));
				state.rejected = state.rejected.saturating_add(u64::from(rejected));
			}
		});
		Self::deposit_event(Event::BatchProcessed { oracle: batch.oracle, accepted, rejected });
		unused
	}

	/// For each attestation, whether the node's RPC should queue it (see
	/// [`BatchContext::precheck`]).
	pub fn precheck_attestations(
		attestations: &[SignedAttestation],
	) -> alloc::vec::Vec<Result<(), Rejection>> {
		let mut context = BatchContext::<T>::new();
		attestations.iter().map(|a| context.precheck(a)).collect()
	}

	/// The current epoch for the runtime API.
	pub fn current_epoch_summary() -> Option<depin_primitives::api::EpochSummary<BlockNumberFor<T>>>
	{
		crate::CurrentEpoch::<T>::get().map(|e| e.summary())
	}
}
