//! One device, for real (protocol v2): a heartbeat every slot bound to the slot's anchor; when
//! the epoch's randomness challenges it, a beacon's commitment on chain and its secret over
//! the air, then the secret's reveal once the witness window is over; and witness reports of
//! the secrets it hears, all posted to a node's `depin_submitAttestations`.
//!
//! The "air" is UDP here: a device broadcasts its beacon secret as a datagram to its peers
//! (`--air-peer`), and a receiver computes the signal it would have heard from the two
//! devices' positions with the path-loss model. On hardware, the radio takes its place and
//! the RSSI comes from the receiver.

use crate::{
	attest,
	fleet::say,
	geo::Position,
	keys::DeviceSecret,
	radio::RadioModel,
	rng::SimRng,
	rpc::{EpochView, NodeClient},
};
use codec::{Decode, Encode};
use depin_primitives::{
	attestation::{is_challenged, Hash32},
	device::pair::DevicePair,
	BeaconSecret, DeviceId, EpochIndex, SignedAttestation,
};
use depin_runtime::BlockNumber;
use sp_core::H256;
use std::{
	collections::{BTreeMap, BTreeSet},
	net::{SocketAddr, UdpSocket},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::Duration,
};

/// How many times a beacon frame is sent over the UDP air.
const AIR_REPEATS: u32 = 4;
/// Slot anchors kept (block number → hash).
const ANCHORS_KEPT: usize = 16;
/// The node's answer to a witness report whose beacon has not landed yet: send it again.
pub const BEACON_NOT_COMMITTED: &str = "BeaconNotCommitted";
/// The node's answer to a reveal sent before the witness window closed: send it again.
pub const REVEAL_TOO_EARLY: &str = "RevealTooEarly";

/// What a beacon datagram carries: the beaconer, the epoch, the secret (only ever sent over
/// the air, until its reveal) and where its sender stands.
#[derive(Encode, Decode, Debug, PartialEq)]
pub struct AirFrame {
	/// The beaconing device.
	pub beaconer: DeviceId,
	/// The epoch it was challenged in.
	pub epoch: EpochIndex,
	/// Its secret: a witness's commitment and tag come from it.
	pub secret: BeaconSecret,
	/// Sender latitude, 10⁻⁷ degrees.
	pub lat_e7: i32,
	/// Sender longitude, 10⁻⁷ degrees.
	pub lng_e7: i32,
}

impl AirFrame {
	fn position(&self) -> Position {
		Position { lat: f64::from(self.lat_e7) / 1e7, lng: f64::from(self.lng_e7) / 1e7 }
	}
}

/// How `run` runs.
pub struct RunOptions {
	/// The device key.
	pub secret: DeviceSecret,
	/// The node's RPC address.
	pub node: String,
	/// Where the device stands (needed to send or hear beacons over the UDP air).
	pub position: Option<Position>,
	/// UDP address to hear beacons on.
	pub air_listen: Option<SocketAddr>,
	/// UDP addresses to broadcast beacons to.
	pub air_peers: Vec<SocketAddr>,
}

/// What the node said to one attestation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
	/// Queued for the node's oracle batches.
	Queued,
	/// Refused, with the node's reason (`WrongSlotAnchor`, `BeaconNotCommitted`, …).
	Refused(String),
	/// The call failed (node unreachable, queue full).
	Failed(String),
}

impl Answer {
	/// Whether the node refused it for `reason`.
	pub fn is(&self, reason: &str) -> bool {
		matches!(self, Answer::Refused(r) if r == reason)
	}
}

/// A running device and what it remembers between rounds.
struct Device {
	client: NodeClient,
	genesis: H256,
	pair: DevicePair,
	id: DeviceId,
	seed: [u8; 32],
	position: Option<Position>,
	air: Option<UdpSocket>,
	peers: Vec<SocketAddr>,
	radio: RadioModel,
	rng: SimRng,
	/// The last (epoch, slot) it sent a heartbeat for.
	last_slot: Option<(EpochIndex, u16)>,
	/// Slot anchors fetched: block number → hash.
	anchors: BTreeMap<BlockNumber, Hash32>,
	/// The epoch it last beaconed in.
	beaconed: Option<EpochIndex>,
	/// Secrets of its beacons not yet revealed, by epoch.
	secrets: BTreeMap<EpochIndex, BeaconSecret>,
	/// The frame on the air and how many more times it goes out.
	on_air: Option<(Vec<u8>, u32)>,
	/// Beacons heard: (beaconer, epoch).
	heard: BTreeSet<(DeviceId, EpochIndex)>,
	/// Witness reports waiting for their beacon's commitment to land, with what they say.
	waiting: Vec<(String, SignedAttestation)>,
}

/// Runs the device until `stop` is set.
pub fn run(options: RunOptions, stop: Arc<AtomicBool>) -> Result<(), String> {
	let client = NodeClient::new(&options.node);
	client.wait_ready(Duration::from_secs(60))?;
	let chain = client.chain_info()?;
	let pair = options.secret.pair();
	let id = pair.public().device_id();
	say(&format!("device {id:?} on {} (genesis {:?})", client.url(), chain.genesis));
	let air = match options.air_listen {
		Some(addr) => {
			let socket = UdpSocket::bind(addr).map_err(|e| format!("air socket {addr}: {e}"))?;
			socket.set_nonblocking(true).map_err(|e| e.to_string())?;
			Some(socket)
		}
		None => None,
	};
	let mut device = Device {
		client,
		genesis: chain.genesis,
		pair,
		id,
		seed: options.secret.seed,
		position: options.position,
		air,
		peers: options.air_peers,
		radio: RadioModel::default(),
		rng: SimRng::new(u64::from_le_bytes(id.0[..8].try_into().expect("8 bytes"))),
		last_slot: None,
		anchors: BTreeMap::new(),
		beaconed: None,
		secrets: BTreeMap::new(),
		on_air: None,
		heard: BTreeSet::new(),
		waiting: Vec::new(),
	};

	while !stop.load(Ordering::Relaxed) {
		let best = device.client.best_number()?;
		let Some(view) = device.client.queue_status()?.epoch else {
			std::thread::sleep(Duration::from_secs(1));
			continue;
		};
		device.heartbeats(&view, best)?;
		device.beacon(&view);
		device.broadcast();
		device.listen();
		device.resend_waiting();
		device.reveal(&view, best);
		std::thread::sleep(Duration::from_millis(500));
	}
	Ok(())
}

impl Device {
	/// A heartbeat for every slot up to the next block's, from the epoch's first block (its
	/// slot 0) on, each with its slot's anchor. A slot whose anchor block is not out yet
	/// waits for the next round.
	fn heartbeats(&mut self, view: &EpochView, best: BlockNumber) -> Result<(), String> {
		let Some(next_slot) = view.slot_at(best + 1) else { return Ok(()) };
		let from = match self.last_slot {
			Some((epoch, slot)) if epoch == view.index => slot + 1,
			_ => view.slot_at(best).unwrap_or(next_slot),
		};
		for slot in from..=next_slot {
			let Some(anchor) = self.anchor(view, slot)? else { break };
			let heartbeat =
				attest::heartbeat(&self.pair, self.id, &self.genesis, view.index, slot, anchor);
			let answer = submit(&self.client, heartbeat);
			tell(&format!("epoch {} slot {slot}: heartbeat", view.index), &answer);
			self.last_slot = Some((view.index, slot));
		}
		Ok(())
	}

	/// The anchor of `slot`: the hash of the block before its first block (fetched once).
	fn anchor(&mut self, view: &EpochView, slot: u16) -> Result<Option<Hash32>, String> {
		let Some(block) = view.anchor_block(slot) else { return Ok(None) };
		if let Some(hash) = self.anchors.get(&block) {
			return Ok(Some(*hash));
		}
		let Some(hash) = self.client.block_hash(block)? else { return Ok(None) };
		self.anchors.insert(block, hash.0);
		while self.anchors.len() > ANCHORS_KEPT {
			self.anchors.pop_first();
		}
		Ok(Some(hash.0))
	}

	/// When challenged, once an epoch: the commitment to this epoch's secret on chain, and
	/// the secret on the air.
	fn beacon(&mut self, view: &EpochView) {
		let randomness = view.randomness_bytes();
		if self.beaconed == Some(view.index)
			|| !is_challenged(&randomness, &self.id, view.challenge_rate)
		{
			return;
		}
		let secret = attest::beacon_secret(&self.seed, &self.genesis, view.index, &randomness);
		let (beacon, commitment) =
			attest::beacon(&self.pair, self.id, &self.genesis, view.index, &randomness, &secret);
		let answer = submit(&self.client, beacon);
		tell(
			&format!("epoch {}: challenged, beacon commitment {:?}", view.index, H256(commitment)),
			&answer,
		);
		// Unreachable node: try again next round.
		if matches!(answer, Answer::Failed(_)) {
			return;
		}
		self.beaconed = Some(view.index);
		// The secret is derived from the key, so a restarted device commits the same again:
		// already queued or on chain is as good as queued.
		let committed =
			answer == Answer::Queued || answer.is("AlreadyQueued") || answer.is("Duplicate");
		if !committed {
			return;
		}
		self.secrets.insert(view.index, secret);
		if let Some(position) = self.position {
			let frame = AirFrame {
				beaconer: self.id,
				epoch: view.index,
				secret,
				lat_e7: (position.lat * 1e7) as i32,
				lng_e7: (position.lng * 1e7) as i32,
			};
			self.on_air = Some((frame.encode(), AIR_REPEATS));
		}
	}

	/// The beacon goes out a few times, half a second apart: datagrams (like radio frames)
	/// can be lost, and a peer may only be starting to listen. Receivers keep the first.
	fn broadcast(&mut self) {
		let (Some(socket), Some((frame, left))) = (&self.air, self.on_air.as_mut()) else {
			return;
		};
		for peer in &self.peers {
			let _ = socket.send_to(frame, peer);
		}
		*left -= 1;
		if *left == 0 {
			self.on_air = None;
		}
	}

	/// Beacons heard since the last round: a witness report of each, from its secret.
	fn listen(&mut self) {
		let (Some(socket), Some(position)) = (&self.air, self.position) else { return };
		let mut buffer = [0u8; 512];
		let mut frames = Vec::new();
		while let Ok((len, from)) = socket.recv_from(&mut buffer) {
			match AirFrame::decode(&mut &buffer[..len]) {
				Ok(frame) => frames.push(frame),
				Err(_) => say(&format!("ignored a malformed frame from {from}")),
			}
		}
		for frame in frames {
			if frame.beaconer == self.id || !self.heard.insert((frame.beaconer, frame.epoch)) {
				continue;
			}
			let distance = position.distance_m(&frame.position());
			let Some(reception) = self.radio.receive(distance, &mut self.rng) else {
				say(&format!("a beacon {distance:.0} m away was too weak to hear"));
				continue;
			};
			let witness = attest::witness(
				&self.pair,
				self.id,
				&self.genesis,
				frame.beaconer,
				frame.epoch,
				&frame.secret,
				reception,
			);
			let what = format!(
				"heard {:?}'s beacon of epoch {} at {distance:.0} m, {} dBm: witness",
				frame.beaconer, frame.epoch, reception.rssi_dbm
			);
			self.send_witness(what, witness);
		}
	}

	/// Sends a witness report; keeps it for the next rounds while its beacon's commitment
	/// has not landed (the node answers `BeaconNotCommitted`).
	fn send_witness(&mut self, what: String, witness: SignedAttestation) {
		let answer = submit(&self.client, witness.clone());
		if answer.is(BEACON_NOT_COMMITTED) {
			self.waiting.push((what, witness));
		} else {
			tell(&what, &answer);
		}
	}

	/// The witness reports still waiting, again: until queued, or refused for another
	/// reason (`WitnessWindowClosed` once the window is over).
	fn resend_waiting(&mut self) {
		for (what, witness) in std::mem::take(&mut self.waiting) {
			self.send_witness(what, witness);
		}
	}

	/// Reveals of the previous epoch's beacon once its witness window is over (the node
	/// refuses them earlier: `RevealTooEarly`); secrets too old to reveal are forgotten.
	fn reveal(&mut self, view: &EpochView, best: BlockNumber) {
		let epochs: Vec<EpochIndex> = self.secrets.keys().copied().collect();
		for epoch in epochs {
			if epoch.saturating_add(1) < view.index {
				say(&format!("epoch {epoch}: the beacon's reveal window passed, secret dropped"));
				self.secrets.remove(&epoch);
				continue;
			}
			if !view.reveals_open(epoch, best) {
				continue;
			}
			let secret = self.secrets[&epoch];
			let answer = submit(&self.client, attest::reveal(self.id, epoch, secret));
			if answer.is(REVEAL_TOO_EARLY) {
				continue;
			}
			tell(&format!("epoch {epoch}: reveal of the beacon's secret"), &answer);
			if !matches!(answer, Answer::Failed(_)) {
				self.secrets.remove(&epoch);
			}
		}
	}
}

/// Posts one attestation; the node's answer.
fn submit(client: &NodeClient, attestation: SignedAttestation) -> Answer {
	// "Retry shortly" (busy, or a flood spending the node's budget for new callers) is
	// retried for up to three seconds, well inside a slot.
	match client.submit_attestations_retrying(&[attestation], 10, Duration::from_millis(300)) {
		Ok(results) => match results.first() {
			Some(r) if r.queued => Answer::Queued,
			Some(r) => Answer::Refused(r.error.clone().unwrap_or_default()),
			None => Answer::Failed("no answer".into()),
		},
		Err(e) => Answer::Failed(e),
	}
}

/// Prints what happened to `what`.
fn tell(what: &str, answer: &Answer) {
	match answer {
		Answer::Queued => say(&format!("{what} queued")),
		Answer::Refused(reason) => say(&format!("{what} refused: {reason}")),
		Answer::Failed(e) => say(&format!("{what}: {e}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_air_frame_carries_the_secret_and_the_position() {
		let frame = AirFrame {
			beaconer: DeviceId([1; 32]),
			epoch: 4,
			secret: [2; 32],
			lat_e7: 488_530_000,
			lng_e7: 23_499_000,
		};
		let bytes = frame.encode();
		// Beaconer, epoch, secret, latitude, longitude: no signature, no commitment.
		assert_eq!(bytes.len(), 32 + 4 + 32 + 4 + 4);
		assert_eq!(&bytes[36..68], &[2; 32]);
		let decoded = AirFrame::decode(&mut &bytes[..]).unwrap();
		assert_eq!(decoded, frame);
		let p = decoded.position();
		assert!((p.lat - 48.853).abs() < 1e-9 && (p.lng - 2.3499).abs() < 1e-9);
	}

	#[test]
	fn answers_name_their_reason() {
		let answer = Answer::Refused(BEACON_NOT_COMMITTED.into());
		assert!(answer.is("BeaconNotCommitted"));
		assert!(!answer.is(REVEAL_TOO_EARLY));
		assert!(!Answer::Queued.is(BEACON_NOT_COMMITTED));
	}
}
