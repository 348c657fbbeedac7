//! The adversaries that attack protocol v2 itself: witness farmers, who claim beacons they
//! never heard with data copied from the pool and the chain, and pre-signers, who sign their
//! heartbeats ahead and go off.

use super::{Fleet, Role, SimDevice};
use crate::{
	attest,
	geo::{Area, Position},
	rng::SimRng,
	rpc::EpochView,
};
use depin_primitives::{
	attestation::{beacon_commitment, witness_tag, Hash32},
	DeviceId, EpochIndex, SignedAttestation, WitnessReport,
};
use depin_runtime::BlockNumber;
use sp_core::H256;

/// Closest and farthest beaconer a witness farmer claims to hear, metres (between the
/// registered cells): inside the chain's witness distance window (300 m to 50 km by default),
/// with room to spare.
pub const FARM_RANGE_M: (f64, f64) = (500.0, 40_000.0);
/// The signal farmers report, dBm: weak, so below the free-space bound at any distance.
pub const FARM_RSSI_DBM: f64 = -120.0;
/// Where witness farmers stand: this far from a cluster's centre, metres.
pub const FARM_DISTANCE_FROM_CLUSTER_M: (f64, f64) = (1_000.0, 10_000.0);
/// Epochs pre-signers sign ahead when the run has no end (`--epochs` absent).
pub const PRESIGNED_EPOCHS: u32 = 3;

/// Where a witness farmer stands: 1 to 10 km from one of the area's clusters, within the
/// witness distance of the devices there.
pub fn farm_position(area: &Area, rng: &mut SimRng) -> Position {
	if area.clusters.is_empty() {
		return area.place(rng);
	}
	let cluster = &area.clusters[rng.index(area.clusters.len())];
	let (near, far) = FARM_DISTANCE_FROM_CLUSTER_M;
	cluster.centre.offset(rng.range(near, far), rng.range(0.0, 360.0))
}

/// One witness report a farmer makes up.
struct Claim {
	farmer: usize,
	epoch: EpochIndex,
	beaconer: DeviceId,
	commitment: Hash32,
	tag: Hash32,
	/// Made from the revealed secret, after the window.
	late: bool,
}

impl Fleet {
	/// Whether `farmer` would claim to hear `beaconer`: another device whose registered
	/// place is within [`FARM_RANGE_M`] of the farmer's (the registry is public).
	fn in_farm_range(&self, farmer: &SimDevice, beaconer: &DeviceId) -> bool {
		let Some(beaconer) = self.device(beaconer) else { return false };
		let distance = farmer.claimed.distance_m(&beaconer.claimed);
		beaconer.id != farmer.id && (FARM_RANGE_M.0..=FARM_RANGE_M.1).contains(&distance)
	}

	/// The witness farmers' round. They never listen to the air; from the public record
	/// (what the fleet posted and the node queued in earlier ticks) each farmer claims every
	/// beacon in range once during its witness window, copying the commitment and tag of a
	/// report another device made (its own id and key, a weak signal); and once the beacon
	/// is revealed, claims it again with the right tag, which can only arrive after the
	/// window.
	pub(super) fn farm(
		&mut self,
		view: &EpochView,
		best: BlockNumber,
		genesis: &H256,
	) -> Vec<(Role, SignedAttestation)> {
		let public = &self.coverage.public;
		let mut claims = Vec::new();
		for (i, farmer) in self.devices.iter().enumerate() {
			if farmer.role != Role::WitnessFarmer {
				continue;
			}
			for ((epoch, beaconer), seen) in &public.reports {
				let key = (farmer.id, *epoch, *beaconer, false);
				if !view.witness_window_open(*epoch, best)
					|| self.coverage.farmed.contains(&key)
					|| !self.in_farm_range(farmer, beaconer)
				{
					continue;
				}
				// Another farmer's copy carries a tag as worthless as its own would be.
				let copied = seen.iter().find(|(witness, _, _)| {
					self.device(witness).is_none_or(|d| d.role != Role::WitnessFarmer)
				});
				if let Some((_, copied_commitment, tag)) = copied {
					// The beacon's own commitment where the pool showed it, else the copy's.
					let commitment =
						public.commitments.get(&(*epoch, *beaconer)).unwrap_or(copied_commitment);
					claims.push(Claim {
						farmer: i,
						epoch: *epoch,
						beaconer: *beaconer,
						commitment: *commitment,
						tag: *tag,
						late: false,
					});
				}
			}
			for ((epoch, beaconer), secret) in &public.secrets {
				let key = (farmer.id, *epoch, *beaconer, true);
				if self.coverage.farmed.contains(&key) || !self.in_farm_range(farmer, beaconer) {
					continue;
				}
				claims.push(Claim {
					farmer: i,
					epoch: *epoch,
					beaconer: *beaconer,
					commitment: beacon_commitment(genesis, beaconer, *epoch, secret),
					tag: witness_tag(secret, &farmer.id),
					late: true,
				});
			}
		}
		claims.into_iter().map(|claim| self.claim(claim, genesis)).collect()
	}

	/// A farmer's report of `claim`, signed with its own key.
	fn claim(&mut self, claim: Claim, genesis: &H256) -> (Role, SignedAttestation) {
		let reception = self.radio.reception(FARM_RSSI_DBM + self.rng.range(-4.0, 4.0));
		let farmer = &self.devices[claim.farmer];
		self.coverage.farmed.insert((farmer.id, claim.epoch, claim.beaconer, claim.late));
		let report = WitnessReport {
			witness: farmer.id,
			beaconer: claim.beaconer,
			epoch: claim.epoch,
			commitment: claim.commitment,
			tag: claim.tag,
			rssi_dbm: reception.rssi_dbm,
			snr_decibels_x10: reception.snr_decibels_x10,
			frequency_khz: reception.frequency_khz,
		};
		(Role::WitnessFarmer, attest::signed_witness(&farmer.pair, genesis, report))
	}

	/// Pre-signers, once at the start: a heartbeat for every slot of this epoch and the next
	/// ones (`--epochs` + 1, or [`PRESIGNED_EPOCHS`]) whose anchor block is not out yet, with
	/// the only anchors they can have: zeros (half of them) or the best block's hash now.
	/// Returns how many they signed; they post them slot by slot and sign nothing else.
	pub(super) fn presign(
		&mut self,
		view: &EpochView,
		best: BlockNumber,
		best_hash: Hash32,
		genesis: &H256,
	) -> usize {
		let ahead = self.options.epochs.map_or(PRESIGNED_EPOCHS, |epochs| epochs + 1);
		let mut signed = 0;
		let presigners = self.devices.iter_mut().filter(|d| d.role == Role::PreSigner);
		for (k, device) in presigners.enumerate() {
			let anchor = if k % 2 == 0 { [0u8; 32] } else { best_hash };
			for epoch in view.index..=view.index + ahead {
				let future = view.predicted(epoch);
				for slot in 0..future.slots {
					// A slot whose anchor block is out can be signed properly: not ahead.
					if future.anchor_block(slot).is_none_or(|block| block <= best) {
						continue;
					}
					let heartbeat =
						attest::heartbeat(&device.pair, device.id, genesis, epoch, slot, anchor);
					device.presigned.insert((epoch, slot), heartbeat);
					signed += 1;
				}
			}
		}
		signed
	}
}
