//! Commit–reveal beacons in the fleet (protocol v2): what the fleet's beaconers keep (their
//! secrets, until revealed), what its witnesses keep (reports waiting for their beacon's
//! commitment to land), and what anyone watching the node's pool sees of it all: the
//! commitments, witness reports and revealed secrets the fleet posted, the witness farmers'
//! only source.

use super::{Fleet, FleetReport, Role};
use crate::{
	attest,
	rpc::{EpochView, SubmissionResult},
	run::{BEACON_NOT_COMMITTED, REVEAL_TOO_EARLY},
};
use depin_primitives::{
	attestation::{is_challenged, Hash32},
	BeaconSecret, DeviceId, EpochIndex, SignedAttestation,
};
use depin_runtime::BlockNumber;
use sp_core::H256;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Blocks between hearing a beacon and first sending its witness report: the beacon's
/// commitment, queued at the same tick, lands through the node's oracle about two blocks
/// later (a report sent earlier is answered `BeaconNotCommitted` and sent again).
pub const WITNESS_DELAY_BLOCKS: BlockNumber = 2;
/// Honest witness reports kept for replayers to resend.
const REPLAYABLE_KEPT: usize = 1_024;

/// A witness report waiting to be sent.
pub struct Waiting {
	/// The group of the witness.
	pub role: Role,
	/// The first best block at which it goes out.
	pub due: BlockNumber,
	/// The report.
	pub attestation: SignedAttestation,
}

/// A witness report as an observer sees it: (witness, commitment, tag).
pub type ObservedReport = (DeviceId, Hash32, Hash32);

/// What a pool or chain observer has seen of the fleet's beacons: what the fleet posted and
/// the node queued.
#[derive(Default)]
pub struct Observed {
	/// Beacon commitments, by (epoch, beaconer).
	pub commitments: BTreeMap<(EpochIndex, DeviceId), Hash32>,
	/// Witness reports, by (epoch, beaconer): (witness, commitment, tag), in order seen.
	pub reports: BTreeMap<(EpochIndex, DeviceId), Vec<ObservedReport>>,
	/// Revealed secrets, by (epoch, beaconer).
	pub secrets: BTreeMap<(EpochIndex, DeviceId), BeaconSecret>,
}

impl Observed {
	/// Forgets what is about epochs before `epoch` (no attestation of them lands any more).
	fn forget_before(&mut self, epoch: EpochIndex) {
		self.commitments.retain(|(e, _), _| *e >= epoch);
		self.reports.retain(|(e, _), _| *e >= epoch);
		self.secrets.retain(|(e, _), _| *e >= epoch);
	}
}

/// The fleet's beacons in flight.
#[derive(Default)]
pub struct Coverage {
	/// Secrets of beacons not yet revealed, by (epoch, beaconer).
	pub secrets: BTreeMap<(EpochIndex, DeviceId), BeaconSecret>,
	/// Witness reports not sent yet, or answered `BeaconNotCommitted`, in order heard.
	pub waiting: Vec<Waiting>,
	/// The public record.
	pub public: Observed,
	/// Honest witness reports queued, with their epoch: what replayers resend.
	pub replayable: VecDeque<(EpochIndex, SignedAttestation)>,
	/// Beacons each witness farmer already claimed: (farmer, epoch, beaconer, after the
	/// reveal).
	pub farmed: BTreeSet<(DeviceId, EpochIndex, DeviceId, bool)>,
}

impl Coverage {
	/// Adds what the node queued to the public record.
	fn observe(&mut self, role: Role, attestation: &SignedAttestation) {
		match attestation {
			SignedAttestation::Beacon { beacon, .. } => {
				self.public.commitments.insert((beacon.epoch, beacon.device), beacon.commitment);
			}
			SignedAttestation::Witness { report, .. } => {
				self.public.reports.entry((report.epoch, report.beaconer)).or_default().push((
					report.witness,
					report.commitment,
					report.tag,
				));
				if role == Role::Honest {
					self.replayable.push_back((report.epoch, attestation.clone()));
					while self.replayable.len() > REPLAYABLE_KEPT {
						self.replayable.pop_front();
					}
				}
			}
			SignedAttestation::Reveal(reveal) => {
				self.public.secrets.insert((reveal.epoch, reveal.device), reveal.secret);
			}
			SignedAttestation::Heartbeat { .. } => {}
		}
	}
}

impl Fleet {
	/// At an epoch's first tick: the beacons of challenged up devices (their secrets kept for
	/// the reveal), and the witness reports of every device that hears a secret over the air
	/// (or, in the ring, over the internet), waiting to go out [`WITNESS_DELAY_BLOCKS`] later.
	pub(super) fn beacons_and_witnesses(
		&mut self,
		view: &EpochView,
		up: &[bool],
		genesis: &H256,
		best: BlockNumber,
	) -> Vec<(Role, SignedAttestation)> {
		let randomness = view.randomness_bytes();
		let mut out = Vec::new();
		let mut air: Vec<(usize, BeaconSecret)> = Vec::new();
		for (i, device) in self.devices.iter().enumerate() {
			if !up[i]
				|| !device.role.beacons()
				|| !is_challenged(&randomness, &device.id, view.challenge_rate)
			{
				continue;
			}
			let secret = attest::beacon_secret(&device.seed, genesis, view.index, &randomness);
			let (beacon, _) =
				attest::beacon(&device.pair, device.id, genesis, view.index, &randomness, &secret);
			out.push((device.role, beacon));
			self.coverage.secrets.insert((view.index, device.id), secret);
			if device.role.has_radio() {
				air.push((i, secret));
			}
		}
		let reach = self.radio.median_range_m() * 3.0;
		for (j, secret) in &air {
			let beaconer = &self.devices[*j];
			for (i, witness) in self.devices.iter().enumerate() {
				if i == *j || !up[i] {
					continue;
				}
				let ring = witness.role == Role::Colluder && beaconer.role == Role::Colluder;
				let reception =
					if ring {
						// The secret, shared over the internet, with a signal as strong as a real
						// one at the claimed distance would be, never stronger (it would be caught).
						let claimed = witness.claimed.distance_m(&beaconer.claimed);
						Some(self.radio.reception(
							self.radio.median_rssi_dbm(claimed) + self.rng.range(-3.0, 3.0),
						))
					} else if witness.role.has_radio() {
						let distance = witness.position.distance_m(&beaconer.position);
						if distance > reach {
							continue;
						}
						self.radio.receive(distance, &mut self.rng)
					} else {
						None
					};
				if let Some(reception) = reception {
					let report = attest::witness(
						&witness.pair,
						witness.id,
						genesis,
						beaconer.id,
						view.index,
						secret,
						reception,
					);
					self.coverage.waiting.push(Waiting {
						role: witness.role,
						due: best + WITNESS_DELAY_BLOCKS,
						attestation: report,
					});
				}
			}
		}
		out
	}

	/// Every tick while beacons are in flight: the witness reports due, the witness farmers'
	/// copies, and the reveals of the previous epoch's beacons once its witness window is
	/// over (secrets too old to reveal are dropped).
	pub(super) fn coverage_round(
		&mut self,
		view: &EpochView,
		best: BlockNumber,
		genesis: &H256,
	) -> Vec<(Role, SignedAttestation)> {
		let oldest = view.index.saturating_sub(1);
		self.coverage.public.forget_before(oldest);
		self.coverage.farmed.retain(|(_, epoch, _, _)| *epoch >= oldest);
		self.coverage.secrets.retain(|(epoch, _), _| *epoch >= oldest);

		let (due, later): (Vec<Waiting>, Vec<Waiting>) =
			std::mem::take(&mut self.coverage.waiting).into_iter().partition(|w| w.due <= best);
		self.coverage.waiting = later;
		let mut out: Vec<(Role, SignedAttestation)> =
			due.into_iter().map(|w| (w.role, w.attestation)).collect();
		out.extend(self.farm(view, best, genesis));
		for ((epoch, device), secret) in &self.coverage.secrets {
			if view.reveals_open(*epoch, best) {
				let role = self.device(device).map_or(Role::Honest, |d| d.role);
				out.push((role, attest::reveal(*device, *epoch, *secret)));
			}
		}
		out
	}

	/// Counts the node's answers to `batch` per group and acts on them: a witness report
	/// answered `BeaconNotCommitted` waits for the next tick and a reveal answered
	/// `RevealTooEarly` is sent again (both counted as `resent`, not as sent); whatever the
	/// node queued joins the public record; a refused beacon or a reveal sent is forgotten.
	pub(super) fn record(
		&mut self,
		batch: Vec<(Role, SignedAttestation)>,
		results: Vec<SubmissionResult>,
		report: &mut FleetReport,
		best: BlockNumber,
	) {
		for ((role, attestation), result) in batch.into_iter().zip(results) {
			let group = report.groups.entry(role).or_default();
			let error = (!result.queued).then(|| result.error.unwrap_or_else(|| "unknown".into()));
			// Some(true): wait for the next tick; Some(false): sent again by the next round.
			let again = match (&attestation, error.as_deref()) {
				(SignedAttestation::Witness { .. }, Some(BEACON_NOT_COMMITTED)) => Some(true),
				(SignedAttestation::Reveal(_), Some(REVEAL_TOO_EARLY)) => Some(false),
				_ => None,
			};
			if let Some(waits) = again {
				group.resent += 1;
				if waits {
					self.coverage.waiting.push(Waiting { role, due: best + 1, attestation });
				}
				continue;
			}
			group.sent += 1;
			match &attestation {
				SignedAttestation::Beacon { beacon, .. } if error.is_some() => {
					self.coverage.secrets.remove(&(beacon.epoch, beacon.device));
				}
				SignedAttestation::Reveal(reveal) => {
					self.coverage.secrets.remove(&(reveal.epoch, reveal.device));
				}
				_ => {}
			}
			match error {
				None => {
					group.queued += 1;
					self.coverage.observe(role, &attestation);
				}
				Some(reason) => *group.refused_at_node.entry(reason).or_default() += 1,
			}
		}
	}
}
