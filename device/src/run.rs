//! One device, for real: heartbeats every slot, a beacon when the epoch's randomness
//! challenges it, and witness reports of the beacons it hears, all posted to a node's
//! `depin_submitAttestations`.
//!
//! The "air" is UDP here: a device broadcasts its beacon as a datagram to its peers
//! (`--air-peer`), and a receiver computes the signal it would have heard from the two
//! devices' positions with the path-loss model. On hardware, the radio takes its place and
//! the RSSI comes from the receiver.

use crate::{
	attest, fleet::say, geo::Position, keys::DeviceSecret, radio::RadioModel, rng::SimRng,
	rpc::NodeClient,
};
use codec::{Decode, Encode};
use depin_primitives::{attestation::is_challenged, Beacon, EpochIndex, SignedAttestation};
use std::{
	net::{SocketAddr, UdpSocket},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::Duration,
};

/// How many times a beacon frame is sent over the UDP air.
const AIR_REPEATS: u32 = 4;

/// What a beacon datagram carries: the beacon and where its sender stands (micro-degrees).
#[derive(Encode, Decode, Debug, PartialEq)]
pub struct AirFrame {
	/// The beacon as broadcast.
	pub beacon: Beacon,
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
	let radio = RadioModel::default();
	let mut rng = SimRng::new(u64::from_le_bytes(id.0[..8].try_into().expect("8 bytes")));
	let mut last_slot: Option<(EpochIndex, u16)> = None;
	let mut beaconed: Option<EpochIndex> = None;
	let mut on_air: Option<(Vec<u8>, u32)> = None;
	let mut heard = std::collections::BTreeSet::new();

	while !stop.load(Ordering::Relaxed) {
		let best = client.best_number()?;
		let Some(view) = client.queue_status()?.epoch else {
			std::thread::sleep(Duration::from_secs(1));
			continue;
		};
		// Every slot up to the next block's, from the epoch's first block (its slot 0) on.
		if let Some(next_slot) = view.slot_at(best + 1) {
			let from = match last_slot {
				Some((epoch, slot)) if epoch == view.index => slot + 1,
				_ => view.slot_at(best).unwrap_or(next_slot),
			};
			for slot in from..=next_slot {
				let heartbeat = attest::heartbeat(&pair, id, &chain.genesis, view.index, slot);
				report(&client, &format!("epoch {} slot {slot}: heartbeat", view.index), heartbeat);
			}
			last_slot = Some((view.index, next_slot));
		}
		let randomness = view.randomness_bytes();
		if beaconed != Some(view.index) && is_challenged(&randomness, &id, view.challenge_rate) {
			beaconed = Some(view.index);
			let beacon = attest::beacon(&pair, id, &chain.genesis, view.index, &randomness);
			report(
				&client,
				&format!("epoch {}: challenged, beacon", view.index),
				SignedAttestation::Beacon(beacon.clone()),
			);
			if let Some(position) = options.position {
				let frame = AirFrame {
					beacon,
					lat_e7: (position.lat * 1e7) as i32,
					lng_e7: (position.lng * 1e7) as i32,
				};
				on_air = Some((frame.encode(), AIR_REPEATS));
			}
		}
		// The beacon goes out a few times, half a second apart: datagrams (like radio frames)
		// can be lost, and a peer may only be starting to listen. Receivers keep the first.
		if let (Some(socket), Some((frame, left))) = (&air, on_air.as_mut()) {
			for peer in &options.air_peers {
				let _ = socket.send_to(frame, peer);
			}
			*left -= 1;
			if *left == 0 {
				on_air = None;
			}
		}
		// Beacons heard since the last round.
		if let (Some(socket), Some(position)) = (&air, options.position) {
			let mut buffer = [0u8; 512];
			while let Ok((len, from)) = socket.recv_from(&mut buffer) {
				let Ok(frame) = AirFrame::decode(&mut &buffer[..len]) else {
					say(&format!("ignored a malformed frame from {from}"));
					continue;
				};
				if !heard.insert((frame.beacon.device, frame.beacon.epoch)) {
					continue;
				}
				let distance = position.distance_m(&frame.position());
				match radio.receive(distance, &mut rng) {
					Some(reception) => {
						let witness =
							attest::witness(&pair, id, &chain.genesis, &frame.beacon, reception);
						report(
							&client,
							&format!(
								"heard {:?}'s beacon at {:.0} m, {} dBm: witness",
								frame.beacon.device, distance, reception.rssi_dbm
							),
							witness,
						);
					}
					None => say(&format!("a beacon {distance:.0} m away was too weak to hear")),
				}
			}
		}
		std::thread::sleep(Duration::from_millis(500));
	}
	Ok(())
}

fn report(client: &NodeClient, what: &str, attestation: SignedAttestation) {
	match client.submit_attestations(&[attestation]) {
		Ok(results) => match results.first() {
			Some(r) if r.queued => say(&format!("{what} queued")),
			Some(r) => say(&format!("{what} refused: {}", r.error.clone().unwrap_or_default())),
			None => say(&format!("{what}: no answer")),
		},
		Err(e) => say(&format!("{what}: {e}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use depin_primitives::{DeviceId, DeviceSignature};

	#[test]
	fn an_air_frame_round_trips_with_its_position() {
		let frame = AirFrame {
			beacon: Beacon {
				device: DeviceId([1; 32]),
				epoch: 4,
				payload: DeviceSignature::Ed25519([2; 64]),
			},
			lat_e7: 488_530_000,
			lng_e7: 23_499_000,
		};
		let decoded = AirFrame::decode(&mut &frame.encode()[..]).unwrap();
		assert_eq!(decoded, frame);
		let p = decoded.position();
		assert!((p.lat - 48.853).abs() < 1e-9 && (p.lng - 2.3499).abs() < 1e-9);
	}
}
