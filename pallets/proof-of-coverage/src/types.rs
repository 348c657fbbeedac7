//! Data types stored and accepted by proof of coverage.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use depin_primitives::{
	api::EpochSummary,
	attestation::{Hash32, DEVICES_PER_PAGE},
	oracle::BatchCharge,
	DeviceId, DeviceIndex, EpochIndex, OracleId, SignedAttestation,
};
use frame_support::{
	traits::{ConstU32, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{traits::UniqueSaturatedInto, Perbill};

/// Governance-set rules of proof of coverage. Epoch length, slots and the challenge rate
/// apply from the next epoch on; everything else from the next block.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct PocParameters<BlockNumber> {
	/// Length of an epoch in blocks (at least 1).
	pub epoch_length: BlockNumber,
	/// Uptime slots per epoch, `1..=63`, at most `epoch_length`: a device earns uptime for
	/// each slot it sends a heartbeat in.
	pub slots_per_epoch: u16,
	/// Blocks after a slot ends during which its heartbeat may still land (covers the
	/// oracle queue and inclusion delay).
	pub heartbeat_grace: BlockNumber,
	/// The first `witness_grace` blocks of an epoch still accept the previous epoch's beacons
	/// and witness reports (the oracle queue and inclusion delay); the previous epoch's
	/// reveals are accepted from then to the epoch's end. Below `epoch_length`.
	pub witness_grace: BlockNumber,
	/// Share of devices challenged to beacon each epoch.
	pub challenge_rate: Perbill,
	/// Witnesses rewarded per beacon, at most `Config::MaxWitnessesPerBeacon`.
	pub max_witnesses_per_beacon: u32,
	/// Witness reports (tags) a beacon holds until its reveal, at least
	/// `max_witnesses_per_beacon` and at most `Config::MaxWitnessCandidates`: the first
	/// `max_witnesses_per_beacon` whose tags the reveal proves are rewarded.
	pub max_witness_candidates: u32,
	/// Epochs a device may not witness after one of its tags failed a reveal (a tag that
	/// fails while its commitment matched is proof the device never heard the secret).
	pub invalid_tag_bar_epochs: u32,
	/// Share of a device's bond slashed to the treasury for each of its tags that fails a
	/// reveal: what filling beacons' candidate lists with junk tags (pushing honest
	/// witnesses out) costs. No honest device makes a failing tag: a report is accepted only
	/// with the beacon's commitment, and a tag made from a secret matching it is valid.
	pub invalid_tag_slash: Perbill,
	/// Witnesses closer than this to the beaconer (metres) are refused: co-located
	/// devices prove no coverage.
	pub min_witness_distance_m: u32,
	/// Witnesses farther than this (metres) are refused: no radio of the network reaches so
	/// far.
	pub max_witness_distance_m: u32,
	/// Highest transmit power plus antenna gain a beacon may use (dBm EIRP), the starting
	/// point of the free-space bound on witness RSSI.
	pub max_eirp_dbm: i16,
	/// Tolerance (dB) on top of the free-space bound: receive antenna gain, calibration.
	pub rssi_margin_db: i16,
	/// Lowest carrier frequency a witness may report (kHz).
	pub min_frequency_khz: u32,
	/// Highest carrier frequency a witness may report (kHz).
	pub max_frequency_khz: u32,
	/// Active devices per density cell (`DeviceInspect::density_resolution`) that earn full
	/// score; where more crowd one cell each earns `target / count` of it.
	pub target_density: u32,
	/// Score units per accepted beacon (coverage pool).
	pub beacon_score: u64,
	/// Score units per accepted witness report (coverage pool).
	pub witness_score: u64,
	/// Whether a device's heartbeats of an epoch earn uptime only if it is **located** in
	/// that epoch: a reveal credited it with coverage (a witness of another owner heard it, or
	/// it heard another owner's beacon) in that epoch or the one before. Uptime proves a
	/// device is on, not where: a device nobody hears (a location spoofer, a device with no
	/// radio) then earns nothing for being on. Off: every heartbeat earns (a network too
	/// sparse for devices to hear each other). Fixed for an epoch at its start.
	pub uptime_needs_coverage: bool,
	/// Batches one oracle may land per block.
	pub max_batches_per_block: u16,
	/// Blocks a batch stays valid after the block it was made for.
	pub batch_longevity: BlockNumber,
}

/// An epoch as the chain fixed it at its start.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct EpochInfo<BlockNumber> {
	/// Its index.
	pub index: EpochIndex,
	/// Its first block.
	pub start: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
	/// Its uptime slots.
	pub slots: u16,
	/// Its randomness, fixed at its first block from BABE's VRF output.
	pub randomness: [u8; 32],
	/// Its challenge rate.
	pub challenge_rate: Perbill,
	/// Its first `witness_grace` blocks still accept the previous epoch's beacons and witness
	/// reports; the previous epoch's reveals are accepted after them.
	pub witness_grace: BlockNumber,
	/// Its heartbeats earn only for located devices
	/// ([`PocParameters::uptime_needs_coverage`]).
	pub uptime_needs_coverage: bool,
}

impl<BlockNumber: Copy + UniqueSaturatedInto<u64>> EpochInfo<BlockNumber> {
	/// The first block after the previous epoch's witness window: `start + witness_grace`.
	pub fn reveals_from(&self) -> u64 {
		let start: u64 = self.start.unique_saturated_into();
		start.saturating_add(self.witness_grace.unique_saturated_into())
	}

	/// First block of `slot`, and first block after it: `start + length·slot/slots`.
	pub fn slot_bounds(&self, slot: u16) -> (u64, u64) {
		let start: u64 = self.start.unique_saturated_into();
		let length: u64 = self.length.unique_saturated_into();
		let slots = u64::from(self.slots.max(1));
		let from = start.saturating_add(length.saturating_mul(u64::from(slot)) / slots);
		let to = start.saturating_add(length.saturating_mul(u64::from(slot) + 1) / slots);
		(from, to)
	}

	/// The slot `block` falls in, if it is inside the epoch.
	pub fn slot_at(&self, block: u64) -> Option<u16> {
		let start: u64 = self.start.unique_saturated_into();
		let length: u64 = self.length.unique_saturated_into();
		if block < start || block >= start.saturating_add(length) || length == 0 {
			return None;
		}
		u16::try_from((block - start).saturating_mul(u64::from(self.slots)) / length).ok()
	}

	/// The epoch as the runtime API reports it.
	pub fn summary(&self) -> EpochSummary<BlockNumber> {
		EpochSummary {
			index: self.index,
			start: self.start,
			length: self.length,
			slots: self.slots,
			randomness: self.randomness,
			challenge_rate: self.challenge_rate.deconstruct(),
			witness_grace: self.witness_grace,
		}
	}
}

/// A witness report waiting for its beacon's reveal.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct WitnessCandidate {
	/// The witness.
	pub witness: DeviceId,
	/// Its tag: `witness_tag(secret, witness)` if it heard the secret.
	pub tag: Hash32,
}

/// What the chain knows of a challenged device's beacon in one epoch.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxCandidates))]
pub struct BeaconState<MaxCandidates: Get<u32>> {
	/// The beaconer's signed commitment to its secret.
	pub commitment: Hash32,
	/// Witness reports in order of arrival, until the reveal checks them (emptied then).
	pub candidates: BoundedVec<WitnessCandidate, MaxCandidates>,
	/// Whether the secret was revealed (and the candidates judged).
	pub revealed: bool,
	/// Witnesses credited at the reveal.
	pub witnesses: u32,
}

impl<MaxCandidates: Get<u32>> BeaconState<MaxCandidates> {
	/// A beacon just committed.
	pub fn new(commitment: Hash32) -> Self {
		Self { commitment, candidates: BoundedVec::new(), revealed: false, witnesses: 0 }
	}
}

/// One device's coverage activity in one epoch (heartbeats live in [`HeartbeatPage`]s,
/// beacons in [`crate::Beacons`]).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct EpochActivity {
	/// The epoch.
	pub epoch: EpochIndex,
	/// Witness reports by this device credited in the epoch.
	pub witness_reports: u32,
	/// Coverage score earned in the epoch (beacons and witness reports, density-scaled).
	pub coverage: u64,
}

impl EpochActivity {
	/// Nothing yet in `epoch`.
	pub fn new(epoch: EpochIndex) -> Self {
		Self { epoch, witness_reports: 0, coverage: 0 }
	}
}

/// A device's coverage activity in two epochs of different parity, at index `epoch % 2`.
/// One storage item per device, written once per batch.
///
/// A slot is reused for epoch `e` only after rewards heard that the device is active in `e`
/// ([`depin_primitives::ScoreSink::devices_active`]), and rewards settles every epoch up to
/// `e - 2` at that moment, so the record it replaces is always settled first.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct ActivityRecord {
	/// Activity in an even (`[0]`) and an odd (`[1]`) epoch.
	pub by_parity: [Option<EpochActivity>; 2],
}

impl ActivityRecord {
	/// The activity in `epoch`, if any is recorded.
	pub fn get(&self, epoch: EpochIndex) -> Option<&EpochActivity> {
		self.by_parity[(epoch % 2) as usize].as_ref().filter(|a| a.epoch == epoch)
	}

	/// The activity in `epoch`, starting it (and dropping the older one of the same parity)
	/// if needed.
	pub fn get_mut(&mut self, epoch: EpochIndex) -> &mut EpochActivity {
		let entry = &mut self.by_parity[(epoch % 2) as usize];
		if entry.as_ref().is_some_and(|a| a.epoch != epoch) {
			*entry = None;
		}
		entry.get_or_insert_with(|| EpochActivity::new(epoch))
	}
}

/// Index of a page of devices: devices `page · DEVICES_PER_PAGE ..` of registration order.
pub type PageIndex = u32;

/// The page of `device` and its position in it.
pub fn locate(device: DeviceIndex) -> (PageIndex, usize) {
	(device / DEVICES_PER_PAGE, (device % DEVICES_PER_PAGE) as usize)
}

/// Words of a [`HeartbeatPage`]'s bitmap.
pub const PAGE_WORDS: usize = (DEVICES_PER_PAGE / 64) as usize;

/// One slot's heartbeats of [`DEVICES_PER_PAGE`] consecutive device indexes, one bit each: a
/// batch's heartbeats from many devices cost one write per page instead of one per device.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct HeartbeatPage<BlockNumber> {
	/// The block that last wrote the page. A page already written in the current block is
	/// in the block's overlay: writing it again costs no database write, and the batch is
	/// refunded that write's weight.
	pub written_in: BlockNumber,
	/// Bit `i % 64` of word `i / 64` stands for the page's `i`-th device.
	pub bits: [u64; PAGE_WORDS],
}

impl<BlockNumber> HeartbeatPage<BlockNumber> {
	/// An empty page.
	pub fn new(written_in: BlockNumber) -> Self {
		Self { written_in, bits: [0; PAGE_WORDS] }
	}

	/// Whether position `at` is set.
	pub fn get(&self, at: usize) -> bool {
		self.bits.get(at / 64).is_some_and(|word| word & (1 << (at % 64)) != 0)
	}

	/// Sets position `at`; returns whether it was clear.
	pub fn set(&mut self, at: usize) -> bool {
		match self.bits.get_mut(at / 64) {
			Some(word) => {
				let bit = 1u64 << (at % 64);
				let was_clear = *word & bit == 0;
				*word |= bit;
				was_clear
			}
			None => false,
		}
	}

	/// Positions set.
	pub fn count(&self) -> u32 {
		self.bits.iter().map(|word| word.count_ones()).sum()
	}
}

/// Flag of a [`TallyPage`] entry: the device has coverage activity in the epoch.
pub const TALLY_COVERAGE: u8 = 0x80;

/// Flag of a [`TallyPage`] entry: the device is located in the epoch (coverage in it or the
/// epoch before, or the epoch does not ask for it), so its heartbeats earn uptime.
pub const TALLY_LOCATED: u8 = 0x40;

/// Bits of a [`TallyPage`] entry counting heartbeats (at most `MAX_SLOTS_PER_EPOCH`).
pub const TALLY_HEARTBEATS: u8 = 0x3f;

/// One epoch's tally of [`DEVICES_PER_PAGE`] consecutive device indexes, one byte each:
/// heartbeats counted (low 6 bits, at most `MAX_SLOTS_PER_EPOCH`), [`TALLY_LOCATED`] and
/// [`TALLY_COVERAGE`]. A device's uptime is one read, whatever the number of slots; an entry
/// with neither heartbeats nor coverage (a zero byte, a located-only byte or a position past
/// the end) means the device earned nothing in the epoch.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TallyPage<BlockNumber> {
	/// The block that last wrote the page (see [`HeartbeatPage::written_in`]).
	pub written_in: BlockNumber,
	/// One entry per device of the page, up to the highest position written (a page only as
	/// long as it needs to be; `Bytes` to clients).
	pub entries: BoundedVec<u8, ConstU32<DEVICES_PER_PAGE>>,
}

impl<BlockNumber> TallyPage<BlockNumber> {
	/// An empty page.
	pub fn new(written_in: BlockNumber) -> Self {
		Self { written_in, entries: BoundedVec::new() }
	}

	/// The entry of position `at`, the page grown to hold it (`None` beyond the page).
	fn entry_mut(&mut self, at: usize) -> Option<&mut u8> {
		if at >= DEVICES_PER_PAGE as usize {
			return None;
		}
		if self.entries.len() <= at {
			let mut entries = core::mem::take(&mut self.entries).into_inner();
			entries.resize(at + 1, 0);
			self.entries = BoundedVec::truncate_from(entries);
		}
		self.entries.get_mut(at)
	}

	/// Whether an entry records activity (heartbeats or coverage): the device earned in the
	/// epoch, or may still.
	fn active(entry: u8) -> bool {
		entry & !TALLY_LOCATED != 0
	}

	/// Whether position `at` has no activity yet in the epoch: its next heartbeat or
	/// coverage makes the device active (and the score sink hears of it).
	pub fn is_idle(&self, at: usize) -> bool {
		at < DEVICES_PER_PAGE as usize && self.entries.get(at).is_none_or(|e| !Self::active(*e))
	}

	/// Heartbeats counted for position `at`.
	pub fn heartbeats(&self, at: usize) -> u8 {
		self.entries.get(at).map_or(0, |entry| entry & TALLY_HEARTBEATS)
	}

	/// Heartbeats of position `at` that earn uptime: all of them if the device is located,
	/// none otherwise.
	pub fn earning_heartbeats(&self, at: usize) -> u8 {
		if self.is_located(at) {
			self.heartbeats(at)
		} else {
			0
		}
	}

	/// Whether position `at` has coverage activity.
	pub fn has_coverage(&self, at: usize) -> bool {
		self.entries.get(at).is_some_and(|entry| entry & TALLY_COVERAGE != 0)
	}

	/// Whether position `at` is located (its heartbeats earn).
	pub fn is_located(&self, at: usize) -> bool {
		self.entries.get(at).is_some_and(|entry| entry & TALLY_LOCATED != 0)
	}

	/// Counts a heartbeat for position `at`; returns whether the device was idle until now.
	pub fn add_heartbeat(&mut self, at: usize) -> bool {
		match self.entry_mut(at) {
			Some(entry) => {
				let idle = !Self::active(*entry);
				let count = (*entry & TALLY_HEARTBEATS).saturating_add(1).min(TALLY_HEARTBEATS);
				*entry = (*entry & !TALLY_HEARTBEATS) | count;
				idle
			}
			None => false,
		}
	}

	/// Flags coverage activity for position `at` (which locates it); returns whether the
	/// device was idle until now.
	pub fn mark_coverage(&mut self, at: usize) -> bool {
		match self.entry_mut(at) {
			Some(entry) => {
				let idle = !Self::active(*entry);
				*entry |= TALLY_COVERAGE | TALLY_LOCATED;
				idle
			}
			None => false,
		}
	}

	/// Flags position `at` as located; returns whether it was not located until now.
	pub fn mark_located(&mut self, at: usize) -> bool {
		match self.entry_mut(at) {
			Some(entry) => {
				let was = *entry & TALLY_LOCATED != 0;
				*entry |= TALLY_LOCATED;
				!was
			}
			None => false,
		}
	}

	/// Heartbeats counted on the page.
	pub fn total_heartbeats(&self) -> u64 {
		self.entries.iter().map(|entry| u64::from(entry & TALLY_HEARTBEATS)).sum()
	}

	/// Heartbeats on the page that earn uptime (of located positions).
	pub fn earning_total(&self) -> u64 {
		self.entries
			.iter()
			.filter(|entry| *entry & TALLY_LOCATED != 0)
			.map(|entry| u64::from(entry & TALLY_HEARTBEATS))
			.sum()
	}
}

/// An oracle's batch of attestations.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxBatch))]
// The codec derives add their own `where` bounds on `BlockNumber`.
#[allow(clippy::multiple_bound_locations)]
pub struct AttestationBatch<
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxBatch: Get<u32>,
> {
	/// The oracle that signs the batch.
	pub oracle: OracleId,
	/// The batch's number among the oracle's batches: they land one after another in this
	/// order, none skipped (the next must carry [`OracleState::batches`]), so a batch left
	/// out of a block is never overtaken by a later one.
	pub sequence: u64,
	/// The block the batch was signed for; valid from it for `batch_longevity` blocks. A
	/// batch not landed by then is signed again for a later block, with the same sequence.
	pub block: BlockNumber,
	/// What its heartbeats are charged for besides their own checks (pages, anchors, devices
	/// made active), as the oracle counted it.
	pub charge: BatchCharge,
	/// The attestations, each verified on its own.
	pub attestations: BoundedVec<SignedAttestation, MaxBatch>,
}

/// What the chain remembers of an authorised oracle, to order and rate-limit its batches.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct OracleState<BlockNumber> {
	/// The number of this authorisation ([`crate::OracleAuthorisations`] when it was
	/// granted): batches are signed under it, so one signed under an earlier authorisation
	/// of the same key is refused.
	pub authorisation: u32,
	/// The block its last batch landed in.
	pub landed_in: BlockNumber,
	/// Batches landed in `landed_in`.
	pub landed_count: u16,
	/// Batches landed since it was authorised: the sequence number its next batch carries.
	pub batches: u64,
	/// Attestations accepted from its batches since it was authorised.
	pub accepted: u64,
	/// Attestations rejected from its batches since it was authorised.
	pub rejected: u64,
}
