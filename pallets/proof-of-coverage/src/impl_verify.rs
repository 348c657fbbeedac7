//! Verifying attestations one by one, and folding a batch's effects into as few writes as
//! possible: one per touched bitmap page (heartbeats, activity), one per device with coverage
//! activity and one per touched beacon.

use crate::{
	locate, ActivityRecord, BatchOf, BeaconState, BeaconStateOf, Beacons, Config, DeviceActivity,
	EpochInfoOf, EpochTotals, Event, HeartbeatPage, HeartbeatPageOf, HeartbeatPages, Oracles,
	PageIndex, Pallet, Parameters, ParametersOf, TallyPage, TallyPageOf, TallyPages, WitnessBars,
	WitnessCandidate,
};
use alloc::{collections::BTreeMap, vec::Vec};
use depin_primitives::{
	api::{Admission, SignatureCheck},
	attestation::{
		beacon_commitment, is_challenged, witness_tag, Beacon, BeaconPayload, BeaconReveal,
		HeartbeatPayload, WitnessPayload, SCORE_UNIT,
	},
	oracle::BatchCharge,
	radio::max_plausible_rssi_centi_dbm,
	AttestationRejection as Rejection, DeviceId, DeviceIndex, DeviceInfo, DeviceInspect,
	DevicePenalty, DeviceSignature, DeviceStatus, EpochIndex, EpochScore, H3Cell, Heartbeat,
	ScoreSink, SignedAttestation, SignedPayload, SlotIndex, WitnessReport,
};
use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{Perbill, SaturatedConversion};

/// Blocks from the best block to the block a queued attestation is sure to be able to land
/// in: the worker of the best block may have drained the queue already, so the next
/// worker's batch (signed at the next block) lands in the block after it. Admission judges
/// whether a heartbeat's slot is over at that block, so one that could land only sooner is
/// refused (`SlotExpired`) rather than answered `queued` and refused on chain; whether its
/// slot has started, at the next block (the earliest it can land).
pub const ADMISSION_LEAD: u64 = 2;

/// What a reveal's rules hand on: the beacon's epoch, the beaconer, its beacon.
type RevealedBeacon<T> =
	(EpochInfoOf<T>, DeviceInfo<<T as frame_system::Config>::AccountId>, BeaconStateOf<T>);
/// A charge with no limit: for contexts that are not a batch (a node's admission check).
const UNLIMITED: BatchCharge =
	BatchCharge { activations: u32::MAX, pages: u32::MAX, anchors: u32::MAX };

/// The check that `signature` is `signer`'s over `message`.
fn signature_check<AccountId>(
	signer: &DeviceInfo<AccountId>,
	message: Vec<u8>,
	signature: &DeviceSignature,
) -> SignatureCheck {
	SignatureCheck { key: signer.key.clone(), message, signature: signature.clone() }
}

/// A stored value as a batch holds it (`None`: absent) and whether the batch changed it.
type Touched<Value> = (Option<Value>, bool);

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
	/// The block the state is at (in a block: the block being built).
	now: u64,
	/// The block the attestations land in (at the latest, for a heartbeat's slot window):
	/// `now` in a block; `now + ADMISSION_LEAD` for a node's admission check at its best
	/// block.
	landing: u64,
	/// The earliest block the attestations may land in (`landing` for a batch in a block):
	/// a heartbeat of a slot that starts after it is refused `SlotNotStarted`.
	earliest: u64,
	parameters: ParametersOf<T>,
	current: Option<EpochInfoOf<T>>,
	previous: Option<EpochInfoOf<T>>,
	devices: BTreeMap<DeviceId, Option<DeviceInfo<T::AccountId>>>,
	density: BTreeMap<H3Cell, Perbill>,
	/// Each touched device's record, and whether the batch changed it.
	activity: BTreeMap<DeviceId, (ActivityRecord, bool)>,
	/// Each touched beacon, and whether the batch changed it.
	beacons: BTreeMap<(EpochIndex, DeviceId), Touched<BeaconStateOf<T>>>,
	/// Each touched witness bar, and whether the batch changed it.
	bars: BTreeMap<DeviceId, Touched<EpochIndex>>,
	/// Block hashes read as slot anchors.
	anchors: BTreeMap<u64, T::Hash>,
	/// Heartbeat pages read by the batch.
	heartbeat_pages: BTreeMap<(EpochIndex, SlotIndex, PageIndex), PageEntry<HeartbeatPageOf<T>>>,
	/// Tally pages read by the batch.
	tally_pages: BTreeMap<(EpochIndex, PageIndex), PageEntry<TallyPageOf<T>>>,
	/// Devices whose first attestation of an epoch this batch accepted, in order.
	newly_active: Vec<(DeviceId, DeviceIndex, EpochIndex)>,
	/// What the batch's heartbeats were charged for (capped at their worst case).
	charge: BatchCharge,
	/// What is left of it: a heartbeat that needs more is refused.
	left: BatchCharge,
	/// Pages the heartbeats read that an earlier transaction of the block had written (in
	/// the block's overlay: no database access).
	overlay_pages: u64,
	totals: BTreeMap<EpochIndex, EpochScore>,
	/// Weight charged for work that turned out unnecessary.
	pub(crate) unused: Weight,
}

impl<T: Config> BatchContext<T> {
	/// A context reading the chain as it is now, for attestations landing now.
	pub(crate) fn new() -> Self {
		let now: u64 = frame_system::Pallet::<T>::block_number().saturated_into();
		Self {
			genesis_hash: Pallet::<T>::genesis_hash(),
			now,
			landing: now,
			earliest: now,
			parameters: Parameters::<T>::get(),
			current: crate::CurrentEpoch::<T>::get(),
			previous: crate::PreviousEpoch::<T>::get(),
			devices: BTreeMap::new(),
			density: BTreeMap::new(),
			activity: BTreeMap::new(),
			beacons: BTreeMap::new(),
			bars: BTreeMap::new(),
			anchors: BTreeMap::new(),
			heartbeat_pages: BTreeMap::new(),
			tally_pages: BTreeMap::new(),
			newly_active: Vec::new(),
			charge: UNLIMITED,
			left: UNLIMITED,
			overlay_pages: 0,
			totals: BTreeMap::new(),
			unused: Weight::zero(),
		}
	}

	/// A context for a batch whose heartbeats were charged `charge`.
	pub(crate) fn charged(charge: BatchCharge) -> Self {
		Self { charge, left: charge, ..Self::new() }
	}

	/// The current or previous epoch `index`.
	fn epoch(&self, index: EpochIndex) -> Result<EpochInfoOf<T>, Rejection> {
		self.current
			.iter()
			.chain(self.previous.iter())
			.find(|e| e.index == index)
			.cloned()
			.ok_or(Rejection::WrongEpoch)
	}

	/// The first block after the previous epoch's witness window (its reveals from then on).
	fn reveals_from(&self) -> u64 {
		self.current.as_ref().map_or(u64::MAX, |current| current.reveals_from())
	}

	/// Epoch `index`, if its witness window is open: it is the current epoch, or the previous
	/// one and the current epoch's first `witness_grace` blocks are not over.
	fn witness_window(&self, index: EpochIndex) -> Result<EpochInfoOf<T>, Rejection> {
		if let Some(current) = self.current.as_ref().filter(|e| e.index == index) {
			return Ok(current.clone());
		}
		match self.previous.as_ref().filter(|e| e.index == index) {
			Some(_) if self.now >= self.reveals_from() => Err(Rejection::WitnessWindowClosed),
			Some(previous) => Ok(previous.clone()),
			None => Err(Rejection::WrongEpoch),
		}
	}

	/// Epoch `index`, if its reveals are open: it is the previous epoch and its witness window
	/// is over.
	fn reveal_window(&self, index: EpochIndex) -> Result<EpochInfoOf<T>, Rejection> {
		if self.current.as_ref().is_some_and(|e| e.index == index) {
			return Err(Rejection::RevealTooEarly);
		}
		match self.previous.as_ref().filter(|e| e.index == index) {
			Some(_) if self.now < self.reveals_from() => Err(Rejection::RevealTooEarly),
			Some(previous) => Ok(previous.clone()),
			None => Err(Rejection::WrongEpoch),
		}
	}

	/// The index of the current epoch (0 before the first).
	fn current_index(&self) -> EpochIndex {
		self.current.as_ref().map_or(0, |e| e.index)
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

	/// The hash of block `from - 1`, the anchor of a slot starting at `from`; `None` while
	/// that block is not in the state yet (it is the block the state is at: a node checking
	/// a heartbeat for the next block's slot).
	fn slot_anchor(&mut self, from: u64) -> Option<T::Hash> {
		let block = from.checked_sub(1)?;
		if block >= self.now {
			return None;
		}
		Some(*self.anchors.entry(block).or_insert_with(|| {
			frame_system::Pallet::<T>::block_hash(block.saturated_into::<BlockNumberFor<T>>())
		}))
	}

	/// Whether `heartbeat`'s anchor is the hash of the block before its slot (`true` when
	/// that cannot be told yet). A zero hash never matches: it is what the chain answers for a
	/// block whose hash it no longer keeps, and what anyone can put in a heartbeat.
	fn anchor_matches(&mut self, heartbeat: &Heartbeat, from: u64) -> bool {
		self.slot_anchor(from)
			.is_none_or(|hash| hash != T::Hash::default() && hash.as_ref() == &heartbeat.anchor[..])
	}

	fn entry(&mut self, id: &DeviceId) -> &mut (ActivityRecord, bool) {
		self.activity
			.entry(*id)
			.or_insert_with(|| (DeviceActivity::<T>::get(id).unwrap_or_default(), false))
	}

	/// The device's record, to change: it is written back when the batch ends.
	fn activity_mut(&mut self, id: &DeviceId) -> &mut ActivityRecord {
		let entry = self.entry(id);
		entry.1 = true;
		&mut entry.0
	}

	/// The beacon of `device` in `epoch`, read once per batch.
	fn beacon(&mut self, epoch: EpochIndex, device: &DeviceId) -> Option<&BeaconStateOf<T>> {
		self.beacons
			.entry((epoch, *device))
			.or_insert_with(|| (Beacons::<T>::get(epoch, device), false))
			.0
			.as_ref()
	}

	/// Replaces the beacon of `device` in `epoch`: written back when the batch ends.
	fn set_beacon(&mut self, epoch: EpochIndex, device: &DeviceId, beacon: BeaconStateOf<T>) {
		self.beacons.insert((epoch, *device), (Some(beacon), true));
	}

	/// The first epoch in which `device` may witness again, if it is barred now.
	fn barred_until(&mut self, device: &DeviceId) -> Option<EpochIndex> {
		let current = self.current_index();
		let entry =
			self.bars.entry(*device).or_insert_with(|| (WitnessBars::<T>::get(device), false));
		match entry.0 {
			Some(until) if until > current => Some(until),
			Some(_) => {
				// The bar is over: forget it.
				*entry = (None, true);
				None
			}
			None => None,
		}
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

	/// Credits `device` with `units` of coverage in `epoch`, scaled by its density factor,
	/// and flags its coverage in its tally (the moment rewards hears of it, if it was idle:
	/// before the batch writes its record, so the record of two epochs back that it replaces
	/// is settled first).
	fn credit_coverage(
		&mut self,
		id: &DeviceId,
		device: &DeviceInfo<T::AccountId>,
		epoch: EpochIndex,
		units: u64,
	) -> &mut crate::EpochActivity {
		self.mark_coverage(id, device, epoch);
		let scaled = self.density_factor(device.location).mul_floor(units);
		let total = self.totals.entry(epoch).or_default();
		total.coverage = total.coverage.saturating_add(scaled);
		let activity = self.activity_mut(id).get_mut(epoch);
		activity.coverage = activity.coverage.saturating_add(scaled);
		activity
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

	/// Counts `device`'s heartbeat for `(epoch, slot)`: in the epoch's uptime total if the
	/// device is located in it, or the epoch does not ask for it (then the heartbeat locates
	/// the device: it earns like one).
	fn count_heartbeat(
		&mut self,
		id: &DeviceId,
		device: &DeviceInfo<T::AccountId>,
		epoch: &EpochInfoOf<T>,
		slot: SlotIndex,
	) {
		let (entry, at) = self.heartbeat_page(epoch.index, slot, device);
		entry.page.set(at);
		entry.dirty = true;
		let (entry, at) = self.tally_page(epoch.index, device);
		entry.dirty = true;
		if !epoch.uptime_needs_coverage {
			entry.page.mark_located(at);
		}
		let idle = entry.page.add_heartbeat(at);
		let located = entry.page.is_located(at);
		if idle {
			self.left.activations = self.left.activations.saturating_sub(1);
			self.newly_active.push((*id, device.index, epoch.index));
		}
		if located {
			let total = self.totals.entry(epoch.index).or_default();
			total.uptime = total.uptime.saturating_add(SCORE_UNIT);
		}
	}

	/// Flags `device`'s coverage activity in `epoch` in its tally, which locates it in
	/// `epoch` and the epoch after (if that one has started).
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
		let was_located = entry.page.is_located(at);
		let idle = entry.page.mark_coverage(at);
		let heartbeats = entry.page.heartbeats(at);
		if idle {
			self.newly_active.push((*id, device.index, epoch));
		}
		if !was_located {
			self.count_located(epoch, heartbeats);
		}
		let next = epoch.saturating_add(1);
		if next <= self.current_index() {
			self.mark_located(device, next);
		}
	}

	/// Flags `device` as located in `epoch`: its heartbeats of the epoch counted so far join
	/// the uptime total.
	fn mark_located(&mut self, device: &DeviceInfo<T::AccountId>, epoch: EpochIndex) {
		let (entry, at) = self.tally_page(epoch, device);
		if entry.page.is_located(at) {
			return;
		}
		entry.dirty = true;
		entry.page.mark_located(at);
		let heartbeats = entry.page.heartbeats(at);
		self.count_located(epoch, heartbeats);
	}

	/// Adds `heartbeats` of a device just located in `epoch` to the epoch's uptime total.
	fn count_located(&mut self, epoch: EpochIndex, heartbeats: u8) {
		if heartbeats == 0 {
			return;
		}
		let total = self.totals.entry(epoch).or_default();
		total.uptime =
			total.uptime.saturating_add(u64::from(heartbeats).saturating_mul(SCORE_UNIT));
	}

	/// Writes everything the batch changed: rewards hears of newly active devices first
	/// (while the device's records of two epochs back are still stored), then one write per
	/// touched page, device record, beacon, bar and epoch total. Returns the weight charged
	/// but not used: skipped signature checks and candidates, pages already in the block's
	/// overlay or shared with other attestations of the batch, devices already active.
	fn commit(mut self, attestations: &[SignedAttestation]) -> Weight {
		// One call for the batch: what the devices share is read once. It reports no more
		// than its dearest case for as many devices, which the charge holds.
		let sink_charged = Pallet::<T>::activations_base_weight().saturating_add(
			Pallet::<T>::activation_weight().saturating_mul(self.newly_active.len() as u64),
		);
		let sink_used = if self.newly_active.is_empty() {
			Weight::zero()
		} else {
			T::ScoreSink::devices_active(&self.newly_active)
				.saturating_add(T::DbWeight::get().reads(2 * self.newly_active.len() as u64))
		};
		let unused_sink_call = sink_charged.saturating_sub(sink_used);
		let now: BlockNumberFor<T> = self.now.saturated_into();
		for ((epoch, slot, index), mut entry) in self.heartbeat_pages {
			if entry.dirty {
				entry.page.written_in = now;
				HeartbeatPages::<T>::insert(epoch, (slot, index), entry.page);
			}
		}
		for ((epoch, index), mut entry) in self.tally_pages {
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
		for ((epoch, device), (beacon, changed)) in self.beacons {
			if let (Some(beacon), true) = (beacon, changed) {
				Beacons::<T>::insert(epoch, device, beacon);
			}
		}
		for (device, (bar, changed)) in self.bars {
			match (bar, changed) {
				(Some(until), true) => WitnessBars::<T>::insert(device, until),
				(None, true) => WitnessBars::<T>::remove(device),
				_ => {}
			}
		}
		for (epoch, delta) in self.totals {
			EpochTotals::<T>::mutate(epoch, |total| total.saturating_accrue(&delta));
		}

		// What the charge paid for that the batch did not use: declared pages and anchors not
		// read, pages found in the block's overlay (no database access), devices declared
		// active that were not, and reveal candidates that made no device active.
		let db = T::DbWeight::get();
		let unused_pages = Pallet::<T>::page_weight()
			.saturating_mul(u64::from(self.left.pages))
			.saturating_add(db.reads(self.overlay_pages))
			.saturating_add(db.writes(self.overlay_pages));
		let unused_anchors =
			Pallet::<T>::anchor_weight().saturating_mul(u64::from(self.left.anchors));
		let by_heartbeats = self.charge.activations.saturating_sub(self.left.activations);
		let by_reveals = (self.newly_active.len() as u64).saturating_sub(u64::from(by_heartbeats));
		let for_reveals: u64 = attestations.iter().map(Pallet::<T>::activations_charged).sum();
		let silent =
			u64::from(self.left.activations).saturating_add(for_reveals.saturating_sub(by_reveals));
		let unused_sink = Pallet::<T>::activation_weight().saturating_mul(silent);
		self.unused = self
			.unused
			.saturating_add(unused_pages)
			.saturating_add(unused_anchors)
			.saturating_add(unused_sink)
			.saturating_add(unused_sink_call);
		self.unused
	}

	/// Verifies `attestation` and applies it to the context.
	pub(crate) fn apply(&mut self, attestation: &SignedAttestation) -> Result<(), Rejection> {
		match attestation {
			SignedAttestation::Heartbeat { heartbeat, signature } => {
				self.apply_heartbeat(heartbeat, signature)
			}
			SignedAttestation::Beacon { beacon, signature } => self.apply_beacon(beacon, signature),
			SignedAttestation::Witness { report, signature } => {
				self.apply_witness(report, signature)
			}
			SignedAttestation::Reveal(reveal) => self.apply_reveal(reveal),
		}
	}

	/// Every rule of a heartbeat but its signature: epoch open, slot in range and open when
	/// the batch lands, slot anchor, device active, slot not counted yet.
	fn heartbeat_rules(
		&mut self,
		heartbeat: &Heartbeat,
	) -> Result<(EpochInfoOf<T>, DeviceInfo<T::AccountId>), Rejection> {
		let epoch = self.epoch(heartbeat.epoch)?;
		if heartbeat.slot >= epoch.slots {
			return Err(Rejection::SlotOutOfRange);
		}
		let (from, to) = epoch.slot_bounds(heartbeat.slot);
		let grace: u64 = self.parameters.heartbeat_grace.saturated_into();
		if self.earliest < from {
			return Err(Rejection::SlotNotStarted);
		}
		if self.landing >= to.saturating_add(grace) {
			return Err(Rejection::SlotExpired);
		}
		// Within the batch's charge: each read it would add is paid for before it is made.
		let anchor = from.checked_sub(1).filter(|block| *block < self.now);
		if anchor.is_some_and(|block| !self.anchors.contains_key(&block)) {
			self.left.anchors = self.left.anchors.checked_sub(1).ok_or(Rejection::OverCharge)?;
		}
		if !self.anchor_matches(heartbeat, from) {
			return Err(Rejection::WrongSlotAnchor);
		}
		let device = self.active_device(&heartbeat.device)?;
		let (page, _) = locate(device.index);
		let new_bits = !self.heartbeat_pages.contains_key(&(heartbeat.epoch, heartbeat.slot, page));
		let new_tally = !self.tally_pages.contains_key(&(heartbeat.epoch, page));
		let new_pages = u32::from(new_bits) + u32::from(new_tally);
		self.left.pages = self.left.pages.checked_sub(new_pages).ok_or(Rejection::OverCharge)?;
		let (entry, at) = self.heartbeat_page(heartbeat.epoch, heartbeat.slot, &device);
		let (counted, bits_in_overlay) = (entry.page.get(at), entry.in_overlay);
		let (tally, at) = self.tally_page(heartbeat.epoch, &device);
		let (idle, tally_in_overlay) = (tally.page.is_idle(at), tally.in_overlay);
		self.overlay_pages = self
			.overlay_pages
			.saturating_add(u64::from(new_bits && bits_in_overlay))
			.saturating_add(u64::from(new_tally && tally_in_overlay));
		if counted {
			return Err(Rejection::Duplicate);
		}
		if idle && self.left.activations == 0 {
			return Err(Rejection::OverCharge);
		}
		Ok((epoch, device))
	}

	fn heartbeat_check(
		&self,
		device: &DeviceInfo<T::AccountId>,
		heartbeat: &Heartbeat,
		signature: &DeviceSignature,
	) -> SignatureCheck {
		let payload = HeartbeatPayload { genesis_hash: &self.genesis_hash, heartbeat };
		signature_check(device, payload.signing_bytes(), signature)
	}

	fn apply_heartbeat(
		&mut self,
		heartbeat: &Heartbeat,
		signature: &DeviceSignature,
	) -> Result<(), Rejection> {
		let (epoch, device) = self.heartbeat_rules(heartbeat)?;
		if !self.heartbeat_check(&device, heartbeat, signature).verify() {
			return Err(Rejection::BadSignature);
		}
		self.count_heartbeat(&heartbeat.device, &device, &epoch, heartbeat.slot);
		Ok(())
	}

	/// What the beaconer must have signed: the beacon and the epoch's randomness.
	fn beacon_check(
		&self,
		beaconer: &DeviceInfo<T::AccountId>,
		beacon: &Beacon,
		epoch: &EpochInfoOf<T>,
		signature: &DeviceSignature,
	) -> SignatureCheck {
		let message = BeaconPayload {
			genesis_hash: &self.genesis_hash,
			beacon,
			randomness: &epoch.randomness,
		};
		signature_check(beaconer, message.signing_bytes(), signature)
	}

	/// Every rule of a beacon but its signature: witness window open, device active and
	/// challenged, no commitment of it yet.
	fn beacon_rules(
		&mut self,
		beacon: &Beacon,
	) -> Result<(EpochInfoOf<T>, DeviceInfo<T::AccountId>), Rejection> {
		let epoch = self.witness_window(beacon.epoch)?;
		let device = self.active_device(&beacon.device)?;
		if !is_challenged(&epoch.randomness, &beacon.device, epoch.challenge_rate.deconstruct()) {
			return Err(Rejection::NotChallenged);
		}
		// One commitment per beacon: the first that lands is the one witnesses must match.
		if self.beacon(beacon.epoch, &beacon.device).is_some() {
			return Err(Rejection::Duplicate);
		}
		Ok((epoch, device))
	}

	fn apply_beacon(
		&mut self,
		beacon: &Beacon,
		signature: &DeviceSignature,
	) -> Result<(), Rejection> {
		let (epoch, device) = self.beacon_rules(beacon)?;
		if !self.beacon_check(&device, beacon, &epoch, signature).verify() {
			return Err(Rejection::BadSignature);
		}
		self.set_beacon(beacon.epoch, &beacon.device, BeaconState::new(beacon.commitment));
		Ok(())
	}

	/// The physical checks of a witness report: band, registered active devices of
	/// different owners, a challenged beaconer, distance window and the free-space RSSI
	/// bound. Returns the witness.
	fn witness_geometry(
		&mut self,
		report: &WitnessReport,
		epoch: &EpochInfoOf<T>,
	) -> Result<DeviceInfo<T::AccountId>, Rejection> {
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
		Ok(witness)
	}

	/// Every rule of a witness report but its signature: window open, geometry, witness not
	/// barred, the beacon committed with the report's commitment, not revealed, not reported
	/// by this witness yet and not full. Returns the witness and the beacon.
	fn witness_rules(
		&mut self,
		report: &WitnessReport,
	) -> Result<(DeviceInfo<T::AccountId>, BeaconStateOf<T>), Rejection> {
		let epoch = self.witness_window(report.epoch)?;
		let witness = self.witness_geometry(report, &epoch)?;
		if self.barred_until(&report.witness).is_some() {
			return Err(Rejection::WitnessBarred);
		}
		let limit = self.parameters.max_witness_candidates as usize;
		let beacon = self
			.beacon(report.epoch, &report.beaconer)
			.cloned()
			.ok_or(Rejection::BeaconNotCommitted)?;
		if beacon.commitment != report.commitment {
			return Err(Rejection::CommitmentMismatch);
		}
		if beacon.revealed {
			return Err(Rejection::WitnessWindowClosed);
		}
		if beacon.candidates.iter().any(|c| c.witness == report.witness) {
			return Err(Rejection::Duplicate);
		}
		if beacon.candidates.len() >= limit {
			return Err(Rejection::WitnessListFull);
		}
		Ok((witness, beacon))
	}

	fn witness_check(
		&self,
		witness: &DeviceInfo<T::AccountId>,
		report: &WitnessReport,
		signature: &DeviceSignature,
	) -> SignatureCheck {
		let message = WitnessPayload { genesis_hash: &self.genesis_hash, report };
		signature_check(witness, message.signing_bytes(), signature)
	}

	fn apply_witness(
		&mut self,
		report: &WitnessReport,
		signature: &DeviceSignature,
	) -> Result<(), Rejection> {
		let (witness, mut beacon) = self.witness_rules(report)?;
		if !self.witness_check(&witness, report, signature).verify() {
			return Err(Rejection::BadSignature);
		}
		beacon
			.candidates
			.try_push(WitnessCandidate { witness: report.witness, tag: report.tag })
			.map_err(|_| Rejection::WitnessListFull)?;
		self.set_beacon(report.epoch, &report.beaconer, beacon);
		Ok(())
	}

	/// Every rule of a reveal: window open (the beacon's witness window over), beaconer
	/// active, beacon committed and not revealed yet, the secret matching its commitment.
	fn reveal_rules(&mut self, reveal: &BeaconReveal) -> Result<RevealedBeacon<T>, Rejection> {
		let epoch = self.reveal_window(reveal.epoch)?;
		let beaconer = self.active_device(&reveal.device)?;
		let beacon = self
			.beacon(reveal.epoch, &reveal.device)
			.cloned()
			.ok_or(Rejection::BeaconNotCommitted)?;
		if beacon.revealed {
			return Err(Rejection::Duplicate);
		}
		let commitment =
			beacon_commitment(&self.genesis_hash, &reveal.device, epoch.index, &reveal.secret);
		if commitment != beacon.commitment {
			return Err(Rejection::InvalidReveal);
		}
		Ok((epoch, beaconer, beacon))
	}

	/// A beacon's reveal: the secret must match the commitment; then each candidate's tag is
	/// checked in order of arrival. The first `max_witnesses_per_beacon` valid ones (of
	/// witnesses still active) are credited, an invalid one bars its witness, and the
	/// beaconer scores if at least one witness is credited.
	fn apply_reveal(&mut self, reveal: &BeaconReveal) -> Result<(), Rejection> {
		let (epoch, beaconer, mut beacon) = self.reveal_rules(reveal)?;
		let candidates = core::mem::take(&mut beacon.candidates);
		let unjudged =
			u64::from(T::MaxWitnessCandidates::get()).saturating_sub(candidates.len() as u64);
		self.unused = self
			.unused
			.saturating_add(Pallet::<T>::reveal_candidate_weight().saturating_mul(unjudged));
		let cap = self.parameters.max_witnesses_per_beacon;
		let barred_until = self
			.current_index()
			.saturating_add(self.parameters.invalid_tag_bar_epochs)
			.saturating_add(1);
		let (mut credited, mut invalid) = (0u32, 0u32);
		for candidate in candidates {
			if witness_tag(&reveal.secret, &candidate.witness) != candidate.tag {
				invalid = invalid.saturating_add(1);
				self.bars.insert(candidate.witness, (Some(barred_until), true));
				let slashed = self.parameters.invalid_tag_slash;
				T::Penalties::slash_bond(&candidate.witness, slashed);
				Pallet::<T>::deposit_event(Event::WitnessTagInvalid {
					witness: candidate.witness,
					beaconer: reveal.device,
					epoch: epoch.index,
					barred_until,
					slashed,
				});
				continue;
			}
			if credited >= cap {
				continue;
			}
			let Ok(witness) = self.active_device(&candidate.witness) else { continue };
			let units = self.parameters.witness_score;
			let activity = self.credit_coverage(&candidate.witness, &witness, epoch.index, units);
			activity.witness_reports = activity.witness_reports.saturating_add(1);
			credited = credited.saturating_add(1);
		}
		// A beacon proves the device was up, not where: it scores once a witness heard it.
		if credited > 0 {
			let units = self.parameters.beacon_score;
			self.credit_coverage(&reveal.device, &beaconer, epoch.index, units);
		} else {
			self.unused = self.unused.saturating_add(Pallet::<T>::reveal_candidate_weight());
		}
		beacon.revealed = true;
		beacon.witnesses = credited;
		self.set_beacon(reveal.epoch, &reveal.device, beacon);
		Pallet::<T>::deposit_event(Event::BeaconRevealed {
			device: reveal.device,
			epoch: epoch.index,
			witnesses: credited,
			invalid_tags: invalid,
		});
		Ok(())
	}

	/// Refunds the work charged for `attestation` that its refusal for `reason` made
	/// unnecessary (a refusal before the signature check skips it; a refused reveal judges
	/// no candidate).
	pub(crate) fn refund_unchecked(&mut self, attestation: &SignedAttestation, reason: Rejection) {
		let unused = match (attestation, reason) {
			(SignedAttestation::Reveal(_), _) => Pallet::<T>::reveal_candidate_weight()
				.saturating_mul(u64::from(T::MaxWitnessCandidates::get()).saturating_add(1)),
			// The failing check ran.
			(_, Rejection::BadSignature) => Weight::zero(),
			(other, _) => other
				.signature()
				.map_or(Weight::zero(), |signature| Pallet::<T>::verify_weight(signature.scheme())),
		};
		self.unused = self.unused.saturating_add(unused);
	}

	/// Every rule a node's RPC can apply before queueing `attestation` for the next block
	/// (see [`depin_primitives::api::ProofOfCoverageApi::admit_attestations`]), short of the
	/// device signature, which comes back for the node to check.
	pub(crate) fn admit(&mut self, attestation: &SignedAttestation) -> Admission {
		match attestation {
			SignedAttestation::Heartbeat { heartbeat, signature } => {
				let (_, device) = self.heartbeat_rules(heartbeat)?;
				Ok(Some(self.heartbeat_check(&device, heartbeat, signature)))
			}
			SignedAttestation::Beacon { beacon, signature } => {
				let (epoch, device) = self.beacon_rules(beacon)?;
				Ok(Some(self.beacon_check(&device, beacon, &epoch, signature)))
			}
			SignedAttestation::Witness { report, signature } => {
				let (witness, _) = self.witness_rules(report)?;
				Ok(Some(self.witness_check(&witness, report, signature)))
			}
			SignedAttestation::Reveal(reveal) => self.reveal_rules(reveal).map(|_| None),
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Verifies and scores every attestation of `batch` (its authorization already checked),
	/// records the oracle's progress, and returns the weight charged but not used.
	pub(crate) fn land_batch(batch: BatchOf<T>) -> Weight {
		let now = frame_system::Pallet::<T>::block_number();
		let charge = batch.charge.capped(Self::heartbeat_count(&batch.attestations));
		let mut context = BatchContext::<T>::charged(charge);
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

	/// For each attestation, what the chain says of queueing it now, for a batch landing
	/// [`ADMISSION_LEAD`] blocks on: every rule state can decide, and the signature check
	/// left to the caller (see [`BatchContext::admit`]). Checks no signature, so a forged one
	/// costs nothing here.
	pub fn admit_attestations(attestations: &[SignedAttestation]) -> Vec<Admission> {
		Self::admit_landing_within(attestations, ADMISSION_LEAD)
	}

	/// [`Pallet::admit_attestations`] for attestations landing from the next block up to
	/// `lead` blocks on (the oracle's worker: its batch lands in the next block).
	pub(crate) fn admit_landing_within(
		attestations: &[SignedAttestation],
		lead: u64,
	) -> Vec<Admission> {
		let mut context = BatchContext::<T>::new();
		context.earliest = context.now.saturating_add(1);
		context.landing = context.now.saturating_add(lead.max(1));
		attestations.iter().map(|a| context.admit(a)).collect()
	}

	/// [`Pallet::admit_attestations`] with the signatures checked here (in wasm, for a
	/// runtime-API caller: nodes check them natively instead).
	pub fn precheck_attestations(attestations: &[SignedAttestation]) -> Vec<Result<(), Rejection>> {
		Self::admit_attestations(attestations)
			.into_iter()
			.map(|admission| match admission? {
				Some(check) if !check.verify() => Err(Rejection::BadSignature),
				_ => Ok(()),
			})
			.collect()
	}

	/// The current epoch for the runtime API.
	pub fn current_epoch_summary() -> Option<depin_primitives::api::EpochSummary<BlockNumberFor<T>>>
	{
		crate::CurrentEpoch::<T>::get().map(|e| e.summary())
	}
}
