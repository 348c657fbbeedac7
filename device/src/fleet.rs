//! A simulated fleet: N devices in a real-looking geography, registered on-chain by their
//! owners with signed transactions, sending heartbeats every slot (anchored to the chain),
//! beacon commitments when challenged with their secrets over a simulated air, witness
//! reports of the secrets they hear through a path-loss model, and reveals once the witness
//! window is over (protocol v2); plus adversaries switched on by flags. It reports what the
//! chain accepted, rejected and paid, per group.

mod adversaries;
mod coverage;

pub use coverage::WITNESS_DELAY_BLOCKS;

use crate::{
	attest,
	extrinsic::signed_extrinsic,
	geo::{Area, Position},
	radio::RadioModel,
	rng::SimRng,
	rpc::{ChainInfo, EpochView, NodeClient, SubmissionResult},
};
use codec::{Decode, Encode};
use depin_primitives::{
	api::DeviceEpochReport,
	attestation::{Hash32, WitnessReport},
	device::pair::DevicePair,
	DeviceId, EpochIndex, H3Cell, SignatureScheme, SignedAttestation, SlotIndex,
};
use depin_runtime::{BlockNumber, Runtime, RuntimeCall, RuntimeEvent, UNIT};
use serde::Serialize;
use sp_core::{crypto::AccountId32, sr25519, Pair, H256};
use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	io::{IsTerminal, Write},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

/// Most attestations one `depin_submitAttestations` call may carry.
const MAX_PER_CALL: usize = 1024;
/// The chain's reason for a witness report beyond a beacon's candidate list
/// (`max_witness_candidates`): a full beacon, not a failed proof.
const LIST_FULL: &str = "WitnessListFull";
/// Registrations per `utility.batchAll`.
const REGISTRATIONS_PER_BATCH: usize = 25;
/// Transfers per `utility.batchAll` when funding owners.
const TRANSFERS_PER_BATCH: usize = 200;

/// What a simulated device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
	/// Tells the truth.
	Honest,
	/// Registered at a location far from where it stands.
	Spoofer,
	/// In a ring that shares beacon secrets over the internet and witnesses them all with
	/// made-up signal strengths.
	Colluder,
	/// Resends old attestations (its own and others') instead of signing new ones.
	Replayer,
	/// Signs attestations in other devices' names with its own key.
	Forger,
	/// Never listens to the air: claims beacons with commitments and tags copied from other
	/// devices' reports in the pool, and with the right tag once the secret is revealed.
	WitnessFarmer,
	/// Signs its heartbeats for the next epochs in advance, then goes off and posts them.
	PreSigner,
	/// Floods its node with distinct attestations signed with its own key: every tick,
	/// heartbeats for slot numbers of its choosing and witness reports with made-up fields,
	/// besides its own heartbeat.
	Flooder,
}

/// Junk attestations a flooder sends each tick (half heartbeats, half witness reports).
pub const FLOOD_PER_TICK: usize = 64;

impl Role {
	/// All roles, in table order.
	pub const ALL: [Role; 8] = [
		Role::Honest,
		Role::Spoofer,
		Role::Colluder,
		Role::Replayer,
		Role::Forger,
		Role::WitnessFarmer,
		Role::PreSigner,
		Role::Flooder,
	];

	/// Its name in tables.
	pub fn name(self) -> &'static str {
		match self {
			Role::Honest => "honest",
			Role::Spoofer => "spoofer",
			Role::Colluder => "colluder",
			Role::Replayer => "replayer",
			Role::Forger => "forger",
			Role::WitnessFarmer => "witness farmer",
			Role::PreSigner => "pre-signer",
			Role::Flooder => "flooder",
		}
	}

	/// Whether it commits a beacon when challenged.
	pub fn beacons(self) -> bool {
		matches!(self, Role::Honest | Role::Spoofer | Role::Colluder | Role::WitnessFarmer)
	}

	/// Whether it has a radio: sends its beacon's secret over the air and hears others'.
	pub fn has_radio(self) -> bool {
		matches!(self, Role::Honest | Role::Spoofer | Role::Colluder)
	}

	/// An adversary other than the collusion ring (whose coverage is an open issue, see
	/// docs/fleet.md): what the chain's rules must keep at (nearly) nothing.
	pub fn is_stopped_adversary(self) -> bool {
		!matches!(self, Role::Honest | Role::Colluder)
	}
}

/// How a fleet is made and run.
#[derive(Clone, Debug)]
pub struct FleetOptions {
	/// Honest devices.
	pub devices: u32,
	/// Area preset or bounding box.
	pub area: String,
	/// Key scheme of every device.
	pub scheme: SignatureScheme,
	/// Location spoofers (in addition to `devices`).
	pub spoofers: u32,
	/// Members of the collusion ring.
	pub colluders: u32,
	/// Replayers.
	pub replayers: u32,
	/// Forgers.
	pub forgers: u32,
	/// Witness farmers.
	pub witness_farmers: u32,
	/// Pre-signers.
	pub pre_signers: u32,
	/// Flooders.
	pub flooders: u32,
	/// How far from the truth spoofers claim to be, km.
	pub spoof_distance_km: f64,
	/// Chance per slot that an up device goes down (for 1 to 5 slots).
	pub downtime: f64,
	/// Stop after this many whole epochs are scored (`None`: until Ctrl-C).
	pub epochs: Option<u32>,
	/// Seed of keys and draws: the same seed makes the same fleet.
	pub seed: u64,
	/// Secret URI of the account that funds the owners (e.g. `//Alice` on a dev chain).
	pub funder: String,
	/// Honest devices per owner account.
	pub devices_per_owner: u32,
	/// Read each device's score when an epoch is scored (one runtime call per device).
	pub read_scores: bool,
	/// Where to write the final report as JSON.
	pub summary_json: Option<std::path::PathBuf>,
}

/// One simulated device.
pub struct SimDevice {
	/// What it is.
	pub role: Role,
	/// Its key.
	pub pair: DevicePair,
	/// Its id.
	pub id: DeviceId,
	/// Index of its owner in [`Fleet::owners`].
	pub owner: usize,
	/// Where it really is.
	pub position: Position,
	/// Where it says it is (registered).
	pub claimed: Position,
	/// The registered cell.
	pub cell: H3Cell,
	/// The seed of its key (and of its beacon secrets).
	seed: [u8; 32],
	/// Down until this global slot (epoch × slots + slot).
	down_until: u64,
	/// A replayer's cached heartbeat of this epoch.
	cached: Option<SignedAttestation>,
	/// A pre-signer's heartbeats signed ahead, by (epoch, slot).
	presigned: BTreeMap<(EpochIndex, SlotIndex), SignedAttestation>,
}

/// A made fleet (not yet registered).
pub struct Fleet {
	/// Its options.
	pub options: FleetOptions,
	/// Its area.
	pub area: Area,
	/// Its devices.
	pub devices: Vec<SimDevice>,
	/// Owner accounts.
	pub owners: Vec<sr25519::Pair>,
	/// The radio model.
	pub radio: RadioModel,
	rng: SimRng,
	index_of: BTreeMap<DeviceId, usize>,
	/// Beacons in flight: secrets, waiting witness reports, the public record.
	coverage: coverage::Coverage,
}

/// A slot the fleet attests in.
#[derive(Clone, Copy)]
pub struct SlotTick<'a> {
	/// The epoch.
	pub view: &'a EpochView,
	/// The slot.
	pub slot: SlotIndex,
	/// Its anchor: the hash of the block just before the slot's first block.
	pub anchor: Hash32,
	/// The best block (witness reports of beacons heard now go out a little later).
	pub best: BlockNumber,
	/// The first slot the fleet attests in this epoch: beacons go out with it.
	pub new_epoch: bool,
}

fn derived_seed(domain: &[u8], seed: u64, index: u64) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(domain, seed, index).encode())
}

impl Fleet {
	/// Places and keys the devices.
	pub fn new(options: FleetOptions) -> Result<Fleet, String> {
		let mut rng = SimRng::new(options.seed);
		let area = Area::parse(&options.area, &mut rng)?;
		let per_owner = options.devices_per_owner.max(1);
		let honest_owners = options.devices.div_ceil(per_owner).max(1) as usize;
		let mut devices = Vec::new();
		let mut next_owner = honest_owners;
		let roles = Role::ALL.iter().flat_map(|role| {
			let count = match role {
				Role::Honest => options.devices,
				Role::Spoofer => options.spoofers,
				Role::Colluder => options.colluders,
				Role::Replayer => options.replayers,
				Role::Forger => options.forgers,
				Role::WitnessFarmer => options.witness_farmers,
				Role::PreSigner => options.pre_signers,
				Role::Flooder => options.flooders,
			};
			std::iter::repeat_n(*role, count as usize)
		});
		for (i, role) in roles.enumerate() {
			let seed = derived_seed(b"depin-fleet/device", options.seed, i as u64);
			let pair = DevicePair::from_seed(options.scheme, seed);
			let id = pair.public().device_id();
			let position = match role {
				// The ring spreads out so its members are not each other's radio neighbours.
				Role::Colluder => area.uniform(&mut rng),
				// Farms sit within the witness distance of the clusters' devices.
				Role::WitnessFarmer => adversaries::farm_position(&area, &mut rng),
				_ => area.place(&mut rng),
			};
			let claimed = match role {
				Role::Spoofer => {
					position.offset(options.spoof_distance_km * 1_000.0, rng.range(0.0, 360.0))
				}
				_ => position,
			};
			// Honest devices share owners (several hotspots per owner, spread over the
			// city); each adversary has its own account, as a careful attacker would.
			let owner = if role == Role::Honest {
				i % honest_owners
			} else {
				next_owner += 1;
				next_owner - 1
			};
			devices.push(SimDevice {
				role,
				pair,
				id,
				owner,
				position,
				claimed,
				cell: claimed.cell(),
				seed,
				down_until: 0,
				cached: None,
				presigned: BTreeMap::new(),
			});
		}
		let owners = (0..next_owner)
			.map(|k| {
				sr25519::Pair::from_seed(&derived_seed(
					b"depin-fleet/owner",
					options.seed,
					k as u64,
				))
			})
			.collect();
		let index_of = devices.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
		Ok(Fleet {
			options,
			area,
			devices,
			owners,
			radio: RadioModel::default(),
			rng,
			index_of,
			coverage: coverage::Coverage::default(),
		})
	}

	/// The fleet's device with `id`.
	pub fn device(&self, id: &DeviceId) -> Option<&SimDevice> {
		self.index_of.get(id).map(|i| &self.devices[*i])
	}

	/// Devices of `role`.
	pub fn count(&self, role: Role) -> usize {
		self.devices.iter().filter(|d| d.role == role).count()
	}

	/// Funds the owners from the funder and registers every device not yet registered, with
	/// real signed transactions; returns when all are on chain.
	pub fn register(&self, client: &NodeClient, chain: &ChainInfo) -> Result<(), String> {
		let missing: Vec<usize> = (0..self.devices.len())
			.filter(|i| {
				let key =
					pallet_device_registry::Devices::<Runtime>::hashed_key_for(self.devices[*i].id);
				!matches!(client.storage(&key, None), Ok(Some(_)))
			})
			.collect();
		if missing.is_empty() {
			say(&format!("all {} devices are already registered", self.devices.len()));
			return Ok(());
		}
		let bond = client.device_bond()?;
		let mut per_owner: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
		for i in &missing {
			per_owner.entry(self.devices[*i].owner).or_default().push(*i);
		}

		// 1. Fund the owners: bonds plus fees.
		let funder = sr25519::Pair::from_string(&self.options.funder, None)
			.map_err(|e| format!("funder `{}`: {e:?}", self.options.funder))?;
		let funder_id: AccountId32 = funder.public().into();
		let first_nonce = client.next_nonce(&funder_id)?;
		let need = |count: usize| (count as u128) * (bond + UNIT) + 10 * UNIT;
		let transfers: Vec<RuntimeCall> = per_owner
			.iter()
			.filter_map(|(owner, devices)| {
				let account: AccountId32 = self.owners[*owner].public().into();
				let have = client.free_balance(&account).unwrap_or(0);
				let want = need(devices.len());
				(have < want).then(|| {
					RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
						dest: account.into(),
						value: want - have,
					})
				})
			})
			.collect();
		let total: u128 = transfers
			.iter()
			.map(|call| match call {
				RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
					value, ..
				}) => *value,
				_ => 0,
			})
			.sum();
		let available = client.free_balance(&funder_id)?;
		if available < total + UNIT {
			return Err(format!(
				"the funder {} has {}, the owners need {} (bonds and fees): fund it or use fewer devices",
				self.options.funder,
				tokens(available),
				tokens(total)
			));
		}
		say(&format!(
			"funding {} owner accounts from {} ({} per device bond)",
			transfers.len(),
			self.options.funder,
			tokens(bond)
		));
		for (nonce, calls) in (first_nonce..).zip(transfers.chunks(TRANSFERS_PER_BATCH)) {
			let call =
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: calls.to_vec() });
			client.submit_extrinsic(&signed_extrinsic(call, &funder, nonce, chain))?;
		}
		wait_until(Duration::from_secs(180), "owner accounts funded", || {
			Ok(per_owner.iter().all(|(owner, devices)| {
				let account: AccountId32 = self.owners[*owner].public().into();
				client.free_balance(&account).unwrap_or(0) >= need(devices.len())
			}))
		})?;

		// 2. Each owner registers its devices, in batches.
		say(&format!("registering {} devices ({} owners)", missing.len(), per_owner.len()));
		let from_block = client.best_number()?;
		for (owner, devices) in &per_owner {
			let pair = &self.owners[*owner];
			let account: AccountId32 = pair.public().into();
			let first_nonce = client.next_nonce(&account)?;
			for (nonce, chunk) in (first_nonce..).zip(devices.chunks(REGISTRATIONS_PER_BATCH)) {
				let calls = chunk
					.iter()
					.map(|i| {
						let device = &self.devices[*i];
						crate::extrinsic::register_call(
							&device.pair,
							device.cell,
							&account,
							chain,
							// Fleet keys are fresh: never registered, so their counter is 0.
							0,
							"depin-device fleet",
						)
					})
					.collect();
				let call = RuntimeCall::Utility(pallet_utility::Call::batch_all { calls });
				client.submit_extrinsic(&signed_extrinsic(call, pair, nonce, chain))?;
			}
		}
		let wanted: BTreeSet<DeviceId> = missing.iter().map(|i| self.devices[*i].id).collect();
		let mut registered = BTreeSet::new();
		let mut failures = Vec::new();
		let mut next = from_block + 1;
		wait_until(Duration::from_secs(240), "devices registered", || {
			let best = client.best_number()?;
			while next <= best {
				let hash = client.block_hash(next)?.ok_or("block vanished")?;
				for record in client.events(hash)? {
					match record.event {
						RuntimeEvent::DeviceRegistry(
							pallet_device_registry::Event::DeviceRegistered { device, .. },
						) if wanted.contains(&device) => {
							registered.insert(device);
						}
						RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
							dispatch_error,
							..
						}) => failures.push(format!("block #{next}: {dispatch_error:?}")),
						_ => {}
					}
				}
				next += 1;
			}
			if !failures.is_empty() {
				return Err(format!("registration transactions failed: {}", failures.join("; ")));
			}
			Ok(registered.len() == wanted.len())
		})?;
		say(&format!("{} devices registered", registered.len()));
		Ok(())
	}

	/// Whether device `i` is up in global slot `slot` (and draws its next outage).
	fn is_up(&mut self, i: usize, slot: u64) -> bool {
		let device = &mut self.devices[i];
		if device.down_until > slot {
			return false;
		}
		if self.rng.chance(self.options.downtime) {
			device.down_until = slot + 1 + self.rng.index(5) as u64;
			return false;
		}
		true
	}

	/// The attestations of the fleet for one slot: every up device's heartbeat with the
	/// slot's anchor, the adversaries' versions, and at the epoch's first tick the beacons of
	/// challenged devices (their witnesses' reports wait in [`coverage::Coverage`]). Each
	/// comes with the role of the device that sent it.
	fn attestations(
		&mut self,
		tick: SlotTick<'_>,
		genesis: &H256,
		captured: &mut VecDeque<(EpochIndex, SignedAttestation)>,
	) -> Vec<(Role, SignedAttestation)> {
		let SlotTick { view, slot, anchor, best, new_epoch } = tick;
		let global = u64::from(view.index) * u64::from(view.slots) + u64::from(slot);
		let up: Vec<bool> = (0..self.devices.len()).map(|i| self.is_up(i, global)).collect();
		let honest: Vec<DeviceId> =
			self.devices.iter().filter(|d| d.role == Role::Honest).map(|d| d.id).collect();
		// Honest witness reports whose window is over: refused whoever resends them.
		let stale_reports: Vec<&SignedAttestation> = self
			.coverage
			.replayable
			.iter()
			.filter(|(epoch, _)| !view.witness_window_open(*epoch, best))
			.map(|(_, report)| report)
			.collect();
		let mut out = Vec::new();

		for (i, device) in self.devices.iter_mut().enumerate() {
			// Pre-signers post what they signed at the start, up or not.
			if device.role == Role::PreSigner {
				if let Some(heartbeat) = device.presigned.remove(&(view.index, slot)) {
					out.push((Role::PreSigner, heartbeat));
				}
				continue;
			}
			if !up[i] {
				continue;
			}
			match device.role {
				Role::Honest
				| Role::Spoofer
				| Role::Colluder
				| Role::WitnessFarmer
				| Role::Flooder => {
					let hb = attest::heartbeat(
						&device.pair,
						device.id,
						genesis,
						view.index,
						slot,
						anchor,
					);
					if device.role == Role::Honest && captured.len() < 4_096 {
						captured.push_back((view.index, hb.clone()));
					}
					out.push((device.role, hb));
					if device.role == Role::Flooder {
						out.extend(Self::flood(
							device, genesis, view.index, global, &honest, anchor,
						));
					}
				}
				Role::Replayer => {
					// Signs once an epoch, then replays that heartbeat as if it were new and
					// signs later slots with the anchor it already has; replays another
					// device's heartbeat from two epochs ago and an honest witness report
					// whose window is over.
					let fresh =
						new_epoch || device.cached.as_ref().is_none_or(|c| c.epoch() != view.index);
					if fresh {
						let hb = attest::heartbeat(
							&device.pair,
							device.id,
							genesis,
							view.index,
							slot,
							anchor,
						);
						device.cached = Some(hb.clone());
						out.push((Role::Replayer, hb));
					} else if let Some(cached) = &device.cached {
						out.push((Role::Replayer, cached.clone()));
						if let SignedAttestation::Heartbeat { heartbeat, .. } = cached {
							if heartbeat.slot != slot {
								let stale = attest::heartbeat(
									&device.pair,
									device.id,
									genesis,
									view.index,
									slot,
									heartbeat.anchor,
								);
								out.push((Role::Replayer, stale));
							}
						}
					}
					if let Some((_, old)) =
						captured.iter().find(|(epoch, _)| epoch + 2 <= view.index)
					{
						out.push((Role::Replayer, old.clone()));
					}
					if !stale_reports.is_empty() {
						let pick = (global as usize + i) % stale_reports.len();
						out.push((Role::Replayer, stale_reports[pick].clone()));
					}
				}
				Role::Forger => {
					// An honest device's heartbeat, signed with the forger's own key.
					if let Some(victim) = honest.get(i % honest.len().max(1)) {
						out.push((
							Role::Forger,
							attest::heartbeat(
								&device.pair,
								*victim,
								genesis,
								view.index,
								slot,
								anchor,
							),
						));
					}
				}
				Role::PreSigner => {}
			}
		}
		while captured.front().is_some_and(|(epoch, _)| epoch + 2 < view.index) {
			captured.pop_front();
		}

		if new_epoch {
			out.extend(self.beacons_and_witnesses(view, &up, genesis, best));
		}
		out
	}
}

impl Fleet {
	/// A flooder's junk for one tick: distinct heartbeats for slot numbers the chain will
	/// not take (any `u16` it likes, with the real anchor) and witness reports of honest
	/// beaconers with made-up commitments, tags and signal figures, all signed with its own
	/// key. Without the node's quota and rules they would fill its queue.
	fn flood(
		device: &SimDevice,
		genesis: &H256,
		epoch: EpochIndex,
		global: u64,
		honest: &[DeviceId],
		anchor: Hash32,
	) -> Vec<(Role, SignedAttestation)> {
		(0..FLOOD_PER_TICK as u64)
			.map(|k| {
				let n = global.wrapping_mul(FLOOD_PER_TICK as u64).wrapping_add(k);
				let junk =
					sp_io::hashing::blake2_256(&(b"depin-fleet/flood", device.seed, n).encode());
				let attestation = if k % 2 == 0 {
					// Slot numbers from the top of the range down: past any epoch's slots.
					let slot = SlotIndex::MAX - (n % 30_000) as SlotIndex;
					attest::heartbeat(&device.pair, device.id, genesis, epoch, slot, anchor)
				} else {
					let beaconer = honest.get(n as usize % honest.len().max(1)).copied();
					let report = WitnessReport {
						witness: device.id,
						beaconer: beaconer.unwrap_or(device.id),
						epoch,
						commitment: junk,
						tag: sp_io::hashing::blake2_256(&junk),
						rssi_dbm: -60 - (junk[0] % 60) as i16,
						snr_decibels_x10: junk[1] as i16,
						frequency_khz: 868_000 + u32::from(junk[2]) * 100,
					};
					attest::signed_witness(&device.pair, genesis, report)
				};
				(Role::Flooder, attestation)
			})
			.collect()
	}
}

/// Counts of one group.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupReport {
	/// Devices in the group.
	pub devices: usize,
	/// Attestations sent to the node (each counted once, at its last answer).
	pub sent: u64,
	/// Queued by the node (passed its checks).
	pub queued: u64,
	/// Answers after which the device kept the attestation and sent it again: a witness
	/// report before its beacon's commitment landed (`BeaconNotCommitted`), a reveal before
	/// the window closed (`RevealTooEarly`). Not in `sent` nor `refused_at_node`.
	pub resent: u64,
	/// Refused by the node's RPC, by reason.
	pub refused_at_node: BTreeMap<String, u64>,
	/// Refused on chain (in an oracle batch), by reason.
	pub rejected_on_chain: BTreeMap<String, u64>,
	/// Uptime score earned in the scored epochs, score units.
	pub uptime_score: u64,
	/// Coverage score earned in the scored epochs, score units.
	pub coverage_score: u64,
	/// Device-epochs (of the scored epochs) in which the group's devices were located: a
	/// reveal credited them with coverage in the epoch or the one before, so their heartbeats
	/// earned uptime (`uptime_needs_coverage`; every epoch with heartbeats when it is off).
	pub located: u64,
	/// Attestations the chain counted for the group's devices in the scored epochs
	/// (heartbeats, accepted beacons, accepted witness reports), read from the device reports;
	/// `None` without `read_scores`.
	pub counted: Option<u64>,
	/// Rewards the group's devices earned in the scored epochs (their shares of the epochs'
	/// pools, paid when each device is next touched or claims), smallest units.
	pub rewards_earned: u128,
	/// The part of `rewards_earned` paid from the coverage pool (the rest is uptime).
	pub coverage_rewards: u128,
	/// Rewards settled to the group's devices during the run, smallest units.
	pub rewards_settled: u128,
	/// The group's share of the rewards all groups earned, percent (`None` when nothing was
	/// earned or scores were not read).
	pub reward_share: Option<f64>,
	/// The group's beacons revealed on chain (`BeaconRevealed`).
	pub beacons_revealed: u64,
	/// Witnesses credited to those beacons at their reveals.
	pub beacon_witnesses: u64,
	/// The group's witness reports whose tag a reveal proved wrong (`WitnessTagInvalid`:
	/// each bars the witness from witnessing for `invalid_tag_bar_epochs`).
	pub invalid_tags: u64,
}

impl GroupReport {
	/// Witness reports refused because the beacon's candidate list was full: not a failed
	/// proof, a full beacon.
	pub fn capped(&self) -> u64 {
		self.rejected_on_chain.get(LIST_FULL).copied().unwrap_or(0)
	}

	/// Accepted on chain: what the device reports counted, or (without them) queued and not
	/// rejected, which overstates it when the node's queue did not drain.
	pub fn accepted(&self) -> u64 {
		self.counted
			.unwrap_or_else(|| self.queued.saturating_sub(self.rejected_on_chain.values().sum()))
	}
}

/// What a run saw.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetReport {
	/// Epochs whose scores were read (the measured window).
	pub epochs_scored: Vec<EpochIndex>,
	/// Per group.
	pub groups: BTreeMap<Role, GroupReport>,
	/// Attestations accepted on chain (all oracle batches).
	pub accepted_on_chain: u64,
	/// Minted for devices by the closed epochs (coverage + uptime pools).
	pub minted_for_devices: u128,
	/// First and last block with attestations accepted on chain.
	pub accepted_blocks: Option<(BlockNumber, BlockNumber)>,
	/// Attestations accepted on chain per second of block time over those blocks (the
	/// chain's end-to-end throughput when the fleet sends faster than it accepts).
	pub accepted_per_second: Option<f64>,
	/// Whether every block with accepted attestations was finalized when the run ended.
	pub all_finalized: bool,
	/// Blocks the run watched.
	pub blocks: u32,
	/// Seconds the attestation phase took.
	pub seconds: f64,
	/// Rewards all groups earned in the scored epochs, smallest units.
	pub rewards_earned: u128,
	/// The share of those rewards that went to adversaries other than the collusion ring
	/// (spoofers, replayers, forgers, witness farmers, pre-signers), percent.
	pub adversaries_except_ring_share: Option<f64>,
	/// The part of that share paid from the coverage pool (the rest is uptime from their
	/// heartbeats), percent of all rewards earned.
	pub adversaries_except_ring_coverage_share: Option<f64>,
}

impl FleetReport {
	/// The share of the rewards earned that went to the groups `pick` selects, percent
	/// (`None` when nothing was earned).
	pub fn reward_share(&self, pick: impl Fn(Role) -> bool) -> Option<f64> {
		self.share_of_rewards(pick, |g| g.rewards_earned)
	}

	/// The share of the rewards earned that the groups `pick` selects earned from the
	/// coverage pool, percent.
	pub fn coverage_reward_share(&self, pick: impl Fn(Role) -> bool) -> Option<f64> {
		self.share_of_rewards(pick, |g| g.coverage_rewards)
	}

	fn share_of_rewards(
		&self,
		pick: impl Fn(Role) -> bool,
		part_of: impl Fn(&GroupReport) -> u128,
	) -> Option<f64> {
		let total: u128 = self.groups.values().map(|g| g.rewards_earned).sum();
		let part: u128 =
			self.groups.iter().filter(|(role, _)| pick(**role)).map(|(_, g)| part_of(g)).sum();
		(total > 0).then(|| part as f64 * 100.0 / total as f64)
	}

	/// Fills in the rewards' total and shares (each group's, the stopped adversaries').
	pub fn fill_shares(&mut self) {
		self.rewards_earned = self.groups.values().map(|g| g.rewards_earned).sum();
		let shares: Vec<(Role, Option<f64>)> =
			self.groups.keys().map(|role| (*role, self.reward_share(|r| r == *role))).collect();
		for (role, share) in shares {
			if let Some(group) = self.groups.get_mut(&role) {
				group.reward_share = share;
			}
		}
		self.adversaries_except_ring_share = self.reward_share(Role::is_stopped_adversary);
		self.adversaries_except_ring_coverage_share =
			self.coverage_reward_share(Role::is_stopped_adversary);
	}
}

/// Runs `fleet` against `client` until `stop` is set or the epochs asked for are scored.
pub fn run(
	mut fleet: Fleet,
	client: &NodeClient,
	stop: Arc<AtomicBool>,
) -> Result<FleetReport, String> {
	client.wait_ready(Duration::from_secs(60))?;
	let chain = client.chain_info()?;
	say(&format!(
		"fleet: {} devices in {} ({} honest, {} spoofers, {} colluders, {} replayers, {} forgers, \
		 {} witness farmers, {} pre-signers, {} flooders), scheme {}, seed {}, node {}",
		fleet.devices.len(),
		fleet.area.name,
		fleet.count(Role::Honest),
		fleet.count(Role::Spoofer),
		fleet.count(Role::Colluder),
		fleet.count(Role::Replayer),
		fleet.count(Role::Forger),
		fleet.count(Role::WitnessFarmer),
		fleet.count(Role::PreSigner),
		fleet.count(Role::Flooder),
		crate::keys::scheme_name(fleet.options.scheme),
		fleet.options.seed,
		client.url(),
	));
	let status = client.queue_status()?;
	if !status.has_oracle_key {
		say("warning: this node holds no oracle key; its queue is never drained (use --dev)");
	}
	fleet.register(client, &chain)?;

	let mut report = FleetReport::default();
	for role in Role::ALL {
		let devices = fleet.count(role);
		if devices > 0 {
			report.groups.insert(role, GroupReport { devices, ..Default::default() });
		}
	}
	let started = Instant::now();
	let mut watcher = Watcher::new(&fleet, client.best_number()?);
	let mut captured = VecDeque::new();
	let mut sent_slot: Option<(EpochIndex, u16)> = None;
	let mut first_epoch: Option<EpochIndex> = None;
	let mut last_epoch_seen: Option<EpochIndex> = None;
	let mut anchors: BTreeMap<BlockNumber, Hash32> = BTreeMap::new();
	let mut presigned = false;
	let mut progress = Progress::new();

	loop {
		if stop.load(Ordering::Relaxed) {
			progress.finish();
			say("stopping (Ctrl-C): attestations still queued are not counted as rejected");
			break;
		}
		let best = client.best_number()?;
		if best < watcher.next {
			std::thread::sleep(Duration::from_millis(200));
			continue;
		}
		let scored_done = watcher.catch_up(client, best, &fleet, &mut report, &mut progress)?;
		let Some(view) = client.queue_status()?.epoch else { continue };
		// The whole epochs measured: from the first that starts after registration.
		// With `--epochs`, whole epochs only; otherwise start at once.
		let first =
			*first_epoch.get_or_insert(view.index + u32::from(fleet.options.epochs.is_some()));
		watcher.window_from = Some(first);
		if let Some(epochs) = fleet.options.epochs {
			let last = first + epochs - 1;
			if scored_done.is_some_and(|e| e >= last) {
				progress.finish();
				break;
			}
		}
		if !presigned {
			presigned = true;
			let best_hash = client.block_hash(best)?.map_or([0u8; 32], |hash| hash.0);
			let signed = fleet.presign(&view, best, best_hash, &chain.genesis);
			if signed > 0 {
				progress.line(&format!(
					"pre-signers signed {signed} heartbeats ahead (anchors they cannot know yet) and went off"
				));
			}
		}
		// New heartbeats and beacons in the measured epochs; their witness reports land and
		// their beacons are revealed in the next epoch too.
		let sending = view.index >= first
			&& fleet.options.epochs.is_none_or(|epochs| view.index < first + epochs);
		let following = view.index >= first
			&& fleet.options.epochs.is_none_or(|epochs| view.index <= first + epochs);
		let mut batch = Vec::new();
		// Up to the slot of the next block (what lands in it must be for a started slot),
		// catching up on this epoch's earlier slots still within the grace: the first block
		// of an epoch is its slot 0, and the epoch is only known once that block is. Each
		// slot's anchor (the block before it) is out by then.
		if let (true, Some(next_slot)) = (sending, view.slot_at(best + 1)) {
			let from = match sent_slot {
				Some((epoch, slot)) if epoch == view.index => slot + 1,
				_ => view.slot_at(best).unwrap_or(next_slot),
			};
			for slot in from..=next_slot {
				let Some(anchor) = slot_anchor(client, &mut anchors, &view, slot)? else { break };
				let new_epoch = last_epoch_seen != Some(view.index);
				last_epoch_seen = Some(view.index);
				let tick = SlotTick { view: &view, slot, anchor, best, new_epoch };
				batch.extend(fleet.attestations(tick, &chain.genesis, &mut captured));
				sent_slot = Some((view.index, slot));
			}
		}
		if following {
			batch.extend(fleet.coverage_round(&view, best, &chain.genesis));
		}
		if !batch.is_empty() {
			let results = submit(client, &batch);
			fleet.record(batch, results, &mut report, best);
		}
		progress.show(&view, best, client.finalized_number().unwrap_or(0), &report);
	}
	report.blocks = watcher.next.saturating_sub(watcher.first);
	report.seconds = started.elapsed().as_secs_f64();
	if let Some((first, last)) = report.accepted_blocks {
		let block_seconds = depin_runtime::MILLISECS_PER_BLOCK as f64 / 1_000.0;
		let span = f64::from(last - first + 1) * block_seconds;
		report.accepted_per_second = Some(report.accepted_on_chain as f64 / span);
		// Finality follows a few blocks behind: wait for it to pass the last one.
		report.all_finalized = wait_until(Duration::from_secs(60), "finality", || {
			Ok(client.finalized_number()? >= last)
		})
		.is_ok();
	}
	report.fill_shares();
	Ok(report)
}

/// The anchor of `view`'s `slot`: the hash of the block before its first block, asked of the
/// node once (`None` while that block is not out).
fn slot_anchor(
	client: &NodeClient,
	anchors: &mut BTreeMap<BlockNumber, Hash32>,
	view: &EpochView,
	slot: SlotIndex,
) -> Result<Option<Hash32>, String> {
	let Some(block) = view.anchor_block(slot) else { return Ok(None) };
	if let Some(hash) = anchors.get(&block) {
		return Ok(Some(*hash));
	}
	let Some(hash) = client.block_hash(block)? else { return Ok(None) };
	anchors.insert(block, hash.0);
	// The slots still signable are within the last epochs: forget older anchors.
	while anchors.len() > 4 * usize::from(view.slots.max(1)) {
		anchors.pop_first();
	}
	Ok(Some(hash.0))
}

/// Posts `batch`, in calls of at most [`MAX_PER_CALL`]; the node's answer to each item, in
/// order (a call the node refused as a whole answers each of its items with the reason).
fn submit(client: &NodeClient, batch: &[(Role, SignedAttestation)]) -> Vec<SubmissionResult> {
	let mut answers = Vec::with_capacity(batch.len());
	for chunk in batch.chunks(MAX_PER_CALL) {
		let attestations: Vec<SignedAttestation> = chunk.iter().map(|(_, a)| a.clone()).collect();
		let results = match client.submit_attestations(&attestations) {
			Ok(results) => results,
			// The node refused the whole call (queue full, no oracle key): count it, go on.
			Err(e) => chunk
				.iter()
				.enumerate()
				.map(|(index, _)| SubmissionResult {
					index: index as u32,
					queued: false,
					error: Some(format!("call refused: {}", short(&e))),
				})
				.collect(),
		};
		// One answer per item whatever the node sent back.
		let mut results = results.into_iter();
		for index in 0..chunk.len() {
			answers.push(results.next().unwrap_or(SubmissionResult {
				index: index as u32,
				queued: false,
				error: Some("no answer".into()),
			}));
		}
	}
	answers
}

fn short(error: &str) -> String {
	error.chars().take(80).collect()
}

/// Follows the chain's events block by block.
struct Watcher {
	first: BlockNumber,
	next: BlockNumber,
	roles: BTreeMap<DeviceId, Role>,
	/// Epochs whose scores count: from the first the fleet attested in.
	window_from: Option<EpochIndex>,
	/// Each closed epoch's pools for devices: (coverage, uptime).
	pools: BTreeMap<EpochIndex, (u128, u128)>,
}

impl Watcher {
	fn new(fleet: &Fleet, best: BlockNumber) -> Self {
		let roles = fleet.devices.iter().map(|d| (d.id, d.role)).collect();
		Self { first: best + 1, next: best + 1, roles, window_from: None, pools: BTreeMap::new() }
	}

	/// Reads the events up to `best`; returns the newest epoch scored in them.
	fn catch_up(
		&mut self,
		client: &NodeClient,
		best: BlockNumber,
		fleet: &Fleet,
		report: &mut FleetReport,
		progress: &mut Progress,
	) -> Result<Option<EpochIndex>, String> {
		let mut scored = None;
		while self.next <= best {
			let hash = client.block_hash(self.next)?.ok_or("block vanished")?;
			for record in client.events(hash)? {
				match record.event {
					RuntimeEvent::ProofOfCoverage(event) => {
						use pallet_proof_of_coverage::Event as Poc;
						match event {
							Poc::AttestationRejected { device, reason, .. } => {
								if let Some(role) = self.roles.get(&device) {
									let group = report.groups.entry(*role).or_default();
									*group
										.rejected_on_chain
										.entry(format!("{reason:?}"))
										.or_default() += 1;
								}
							}
							Poc::BeaconRevealed { device, witnesses, .. } => {
								if let Some(role) = self.roles.get(&device) {
									let group = report.groups.entry(*role).or_default();
									group.beacons_revealed += 1;
									group.beacon_witnesses += u64::from(witnesses);
								}
							}
							Poc::WitnessTagInvalid { witness, .. } => {
								if let Some(role) = self.roles.get(&witness) {
									report.groups.entry(*role).or_default().invalid_tags += 1;
								}
							}
							Poc::BatchProcessed { accepted, .. } => {
								report.accepted_on_chain += u64::from(accepted);
								if accepted > 0 {
									let first =
										report.accepted_blocks.map_or(self.next, |(f, _)| f);
									report.accepted_blocks = Some((first, self.next));
								}
							}
							Poc::EpochScored { epoch, totals } => {
								progress.line(&format!(
									"epoch {epoch} scored at block #{}: uptime {} · coverage {} (score points, all devices)",
									self.next,
									points(totals.uptime),
									points(totals.coverage),
								));
								if self.window_from.is_some_and(|from| epoch >= from) {
									if fleet.options.read_scores {
										let pools =
											self.pools.get(&epoch).copied().unwrap_or_default();
										read_scores(
											client,
											hash,
											epoch,
											(&totals, pools),
											fleet,
											report,
										)?;
									}
									report.epochs_scored.push(epoch);
									scored = Some(epoch);
								}
							}
							_ => {}
						}
					}
					RuntimeEvent::Rewards(event) => {
						use pallet_rewards::Event as Rewards;
						match event {
							Rewards::EpochClosed {
								epoch,
								emission,
								coverage_pool,
								uptime_pool,
								..
							} => {
								report.minted_for_devices += coverage_pool + uptime_pool;
								self.pools.insert(epoch, (coverage_pool, uptime_pool));
								progress.line(&format!(
									"epoch {epoch} closed: emission {} · devices' pools {} (coverage {}, uptime {})",
									tokens(emission),
									tokens(coverage_pool + uptime_pool),
									tokens(coverage_pool),
									tokens(uptime_pool),
								));
							}
							Rewards::DeviceSettled { device, amount, .. } => {
								if let Some(role) = self.roles.get(&device) {
									report.groups.entry(*role).or_default().rewards_settled +=
										amount;
								}
							}
							_ => {}
						}
					}
					_ => {}
				}
			}
			self.next += 1;
		}
		Ok(scored)
	}
}

/// Reads every device's score for `epoch` and its share of the epoch's pools (what
/// settlement will pay: `pool × score / total`, rounded down).
fn read_scores(
	client: &NodeClient,
	at: H256,
	epoch: EpochIndex,
	(totals, (coverage_pool, uptime_pool)): (&depin_primitives::EpochScore, (u128, u128)),
	fleet: &Fleet,
	report: &mut FleetReport,
) -> Result<(), String> {
	let share = |pool: u128, part: u64, total: u64| {
		if total == 0 {
			0
		} else {
			pool.saturating_mul(u128::from(part)) / u128::from(total)
		}
	};
	for device in &fleet.devices {
		let raw = client.runtime_call(
			"ProofOfCoverageApi_device_report",
			&(device.id, epoch).encode(),
			Some(at),
		)?;
		let found = Option::<DeviceEpochReport>::decode(&mut &raw[..])
			.map_err(|e| format!("device report: {e}"))?;
		if let Some(found) = found {
			let group = report.groups.entry(device.role).or_default();
			let counted = u64::from(found.heartbeats())
				+ u64::from(found.beacon_accepted)
				+ u64::from(found.witness_reports);
			group.counted = Some(group.counted.unwrap_or(0) + counted);
			group.uptime_score += found.score.uptime;
			group.coverage_score += found.score.coverage;
			group.located += u64::from(found.located);
			let coverage = share(coverage_pool, found.score.coverage, totals.coverage);
			group.coverage_rewards += coverage;
			group.rewards_earned +=
				coverage + share(uptime_pool, found.score.uptime, totals.uptime);
		}
	}
	Ok(())
}

/// The live status line (rewritten in place on a terminal, one line per block otherwise).
struct Progress {
	terminal: bool,
	last: String,
}

impl Progress {
	fn new() -> Self {
		Self { terminal: std::io::stderr().is_terminal(), last: String::new() }
	}

	fn show(
		&mut self,
		view: &EpochView,
		best: BlockNumber,
		finalized: BlockNumber,
		report: &FleetReport,
	) {
		let (mut sent, mut queued, mut refused, mut rejected) = (0, 0, 0, 0);
		let (mut earned, mut settled) = (0, 0);
		for group in report.groups.values() {
			sent += group.sent;
			queued += group.queued;
			refused += group.refused_at_node.values().sum::<u64>();
			rejected += group.rejected_on_chain.values().sum::<u64>();
			earned += group.rewards_earned;
			settled += group.rewards_settled;
		}
		let slot = view.slot_at(best).map_or("-".into(), |s| (s + 1).to_string());
		let line = format!(
			"epoch {} slot {slot}/{} · block #{best} (final #{finalized}) · sent {sent} · queued {queued} · refused {refused} · on chain: accepted {} rejected {rejected} · rewards earned {} settled {}",
			view.index,
			view.slots,
			report.accepted_on_chain,
			tokens(earned),
			tokens(settled),
		);
		if line == self.last {
			return;
		}
		let mut err = std::io::stderr().lock();
		if self.terminal {
			let _ = write!(err, "\r\x1b[2K{line}");
		} else {
			let _ = writeln!(err, "{line}");
		}
		let _ = err.flush();
		self.last = line;
	}

	/// A line that stays.
	fn line(&mut self, text: &str) {
		let mut err = std::io::stderr().lock();
		if self.terminal {
			let _ = write!(err, "\r\x1b[2K");
		}
		let _ = writeln!(err, "{text}");
		self.last.clear();
	}

	fn finish(&mut self) {
		if self.terminal && !self.last.is_empty() {
			eprintln!();
		}
	}
}

/// Prints a status message.
pub fn say(text: &str) {
	eprintln!("[depin-device] {text}");
}

/// An amount in whole tokens, two decimals.
pub fn tokens(amount: u128) -> String {
	format!("{}.{:02} {}", amount / UNIT, (amount % UNIT) * 100 / UNIT, depin_runtime::TOKEN_SYMBOL)
}

fn points(score: u64) -> String {
	format!("{:.1}", score as f64 / depin_primitives::attestation::SCORE_UNIT as f64)
}

fn wait_until(
	timeout: Duration,
	what: &str,
	mut done: impl FnMut() -> Result<bool, String>,
) -> Result<(), String> {
	let deadline = Instant::now() + timeout;
	while !done()? {
		if Instant::now() > deadline {
			return Err(format!("timed out after {}s waiting for {what}", timeout.as_secs()));
		}
		std::thread::sleep(Duration::from_millis(500));
	}
	Ok(())
}

/// The end-of-run table: honest against adversarial devices.
pub fn table(report: &FleetReport) -> String {
	let total_uptime: u64 = report.groups.values().map(|g| g.uptime_score).sum();
	let total_coverage: u64 = report.groups.values().map(|g| g.coverage_score).sum();
	let share = |part: u64, total: u64| {
		if total == 0 {
			"-".to_string()
		} else {
			format!("{:.1} %", part as f64 * 100.0 / total as f64)
		}
	};
	let percent = |share: Option<f64>| share.map_or("-".to_string(), |s| format!("{s:.1} %"));
	let mut out = format!(
		"\nepochs scored: {:?} · attestations accepted on chain: {}{} · minted for devices: {}\n\n",
		report.epochs_scored,
		report.accepted_on_chain,
		report.accepted_per_second.map_or(String::new(), |rate| format!(
			" ({rate:.1}/s of block time{})",
			if report.all_finalized { ", all finalized" } else { "" }
		)),
		tokens(report.minted_for_devices)
	);
	out.push_str(&format!(
		"{:<14} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>16} {:>8}\n",
		"group",
		"devices",
		"sent",
		"queued",
		"refused",
		"rejected",
		"full",
		"accepted",
		"uptime",
		"coverage",
		"rewards earned",
		"share"
	));
	for (role, group) in &report.groups {
		out.push_str(&format!(
			"{:<14} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>16} {:>8}\n",
			role.name(),
			group.devices,
			group.sent,
			group.queued,
			group.refused_at_node.values().sum::<u64>(),
			group.rejected_on_chain.values().sum::<u64>() - group.capped(),
			group.capped(),
			group.accepted(),
			share(group.uptime_score, total_uptime),
			share(group.coverage_score, total_coverage),
			tokens(group.rewards_earned),
			percent(report.reward_share(|r| r == *role)),
		));
	}
	out.push_str(&format!(
		"\nshare of rewards earned: honest {} · collusion ring {} · adversaries except the ring {} \
		 ({} from coverage) · of {}\n",
		percent(report.reward_share(|r| r == Role::Honest)),
		percent(report.reward_share(|r| r == Role::Colluder)),
		percent(report.reward_share(Role::is_stopped_adversary)),
		percent(report.coverage_reward_share(Role::is_stopped_adversary)),
		tokens(report.groups.values().map(|g| g.rewards_earned).sum::<u128>()),
	));
	out.push_str("\nrefused by the node (before queueing) and rejected on chain, by reason:\n");
	for (role, group) in &report.groups {
		let reasons = |map: &BTreeMap<String, u64>| {
			if map.is_empty() {
				"none".to_string()
			} else {
				map.iter().map(|(r, n)| format!("{r} {n}")).collect::<Vec<_>>().join(", ")
			}
		};
		let mut line = format!(
			"  {:<14} node: {} | chain: {}",
			role.name(),
			reasons(&group.refused_at_node),
			reasons(&group.rejected_on_chain)
		);
		if group.beacons_revealed > 0 {
			line.push_str(&format!(
				" | beacons revealed {} ({} witnesses credited)",
				group.beacons_revealed, group.beacon_witnesses
			));
		}
		if group.invalid_tags > 0 {
			line.push_str(&format!(" | invalid tags {} (barred)", group.invalid_tags));
		}
		if group.resent > 0 {
			line.push_str(&format!(" | resent {}", group.resent));
		}
		out.push_str(&line);
		out.push('\n');
	}
	out.push_str(
		"\nrefused: by the node's RPC before queueing; rejected: in an oracle batch on chain;\n\
		 full: witness reports refused because the beacon's candidate list was full (not a failed proof);\n\
		 accepted: counted in the devices' reports (with --no-scores: queued - rejected);\n\
		 uptime/coverage: the group's share of the fleet's score in the scored epochs;\n\
		 rewards earned: the group's shares of those epochs' pools (settled lazily, claimable);\n\
		 share: of the rewards all groups earned; adversaries except the ring: spoofers, replayers,\n\
		 forgers, witness farmers and pre-signers together;\n\
		 invalid tags: witness reports a reveal proved copied or guessed (WitnessTagInvalid);\n\
		 resent: answers BeaconNotCommitted / RevealTooEarly after which the same attestation was\n\
		 sent again (not counted in sent or refused).\n",
	);
	out
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::run::{BEACON_NOT_COMMITTED, REVEAL_TOO_EARLY};
	use depin_primitives::attestation::{beacon_commitment, witness_tag};

	fn options() -> FleetOptions {
		FleetOptions {
			devices: 40,
			area: "paris".into(),
			scheme: SignatureScheme::Ed25519,
			spoofers: 3,
			colluders: 4,
			replayers: 2,
			forgers: 2,
			witness_farmers: 2,
			pre_signers: 2,
			flooders: 1,
			spoof_distance_km: 100.0,
			downtime: 0.0,
			epochs: Some(2),
			seed: 11,
			funder: "//Alice".into(),
			devices_per_owner: 4,
			read_scores: true,
			summary_json: None,
		}
	}

	fn honest_only() -> FleetOptions {
		FleetOptions {
			spoofers: 0,
			colluders: 0,
			replayers: 0,
			forgers: 0,
			witness_farmers: 0,
			pre_signers: 0,
			flooders: 0,
			..options()
		}
	}

	fn view(index: EpochIndex, rate: u32) -> EpochView {
		EpochView {
			index,
			start: 10 * index + 1,
			length: 10,
			slots: 10,
			randomness: format!("0x{}", "42".repeat(32)),
			challenge_rate: rate,
			witness_grace: 3,
			best_block: 10 * index + 1,
		}
	}

	/// Slot `slot` of `view` at its first block, with anchor `[slot + 1; 32]`.
	fn tick(view: &EpochView, slot: SlotIndex, new_epoch: bool) -> SlotTick<'_> {
		SlotTick {
			view,
			slot,
			anchor: [slot as u8 + 1; 32],
			best: view.slot_start(slot),
			new_epoch,
		}
	}

	fn of(role: Role, list: &[(Role, SignedAttestation)]) -> Vec<SignedAttestation> {
		list.iter().filter(|(r, _)| *r == role).map(|(_, a)| a.clone()).collect()
	}

	/// The node's answer to every item of `batch`: queued, or refused for `error`.
	fn answers(batch: &[(Role, SignedAttestation)], error: Option<&str>) -> Vec<SubmissionResult> {
		(0..batch.len())
			.map(|i| SubmissionResult {
				index: i as u32,
				queued: error.is_none(),
				error: error.map(String::from),
			})
			.collect()
	}

	fn is_heartbeat(a: &SignedAttestation) -> bool {
		matches!(a, SignedAttestation::Heartbeat { .. })
	}

	fn is_beacon(a: &SignedAttestation) -> bool {
		matches!(a, SignedAttestation::Beacon { .. })
	}

	fn is_witness(a: &SignedAttestation) -> bool {
		matches!(a, SignedAttestation::Witness { .. })
	}

	/// Epoch 5 with everyone challenged: the first tick queued, then the witness reports
	/// queued once due. Returns the fleet, the report and the first tick's best block.
	fn epoch_five(options: FleetOptions) -> (Fleet, FleetReport, BlockNumber) {
		let mut fleet = Fleet::new(options).unwrap();
		let genesis = H256::repeat_byte(1);
		let mut report = FleetReport::default();
		let v = view(5, 1_000_000_000);
		let t = tick(&v, 0, true);
		let first = fleet.attestations(t, &genesis, &mut VecDeque::new());
		fleet.record(first.clone(), answers(&first, None), &mut report, t.best);
		let due = t.best + WITNESS_DELAY_BLOCKS;
		let reports = fleet.coverage_round(&v, due, &genesis);
		fleet.record(reports.clone(), answers(&reports, None), &mut report, due);
		(fleet, report, t.best)
	}

	#[test]
	fn a_fleet_is_reproducible_from_its_seed() {
		let a = Fleet::new(options()).unwrap();
		let b = Fleet::new(options()).unwrap();
		assert_eq!(a.devices.len(), 56);
		assert!(a
			.devices
			.iter()
			.zip(&b.devices)
			.all(|(x, y)| x.id == y.id && x.position == y.position));
		let c = Fleet::new(FleetOptions { seed: 12, ..options() }).unwrap();
		assert_ne!(a.devices[0].id, c.devices[0].id);
		// Ten owners for forty honest devices, one each for the sixteen adversaries.
		assert_eq!(a.owners.len(), 10 + 16);
		// Honest devices are the same with or without adversaries.
		let alone = Fleet::new(honest_only()).unwrap();
		assert!(alone
			.devices
			.iter()
			.zip(&a.devices)
			.all(|(x, y)| x.id == y.id && x.position == y.position && y.role == Role::Honest));
	}

	#[test]
	fn spoofers_claim_a_cell_far_from_where_they_stand() {
		let fleet = Fleet::new(options()).unwrap();
		for device in &fleet.devices {
			let gap = device.position.distance_m(&device.claimed);
			if device.role == Role::Spoofer {
				assert!((gap - 100_000.0).abs() < 1.0, "{gap}");
			} else {
				assert_eq!(gap, 0.0);
			}
			assert_eq!(device.cell, device.claimed.cell());
		}
	}

	#[test]
	fn witness_farmers_stand_near_the_clusters() {
		let fleet = Fleet::new(options()).unwrap();
		for farm in fleet.devices.iter().filter(|d| d.role == Role::WitnessFarmer) {
			let nearest = fleet
				.area
				.clusters
				.iter()
				.map(|c| c.centre.distance_m(&farm.position))
				.fold(f64::MAX, f64::min);
			assert!(nearest < 10_100.0, "{nearest}");
		}
	}

	#[test]
	fn every_role_sends_what_it_should() {
		let mut fleet = Fleet::new(options()).unwrap();
		let genesis = H256::repeat_byte(1);
		let mut captured = VecDeque::new();
		let mut report = FleetReport::default();
		// Epoch 5, everyone challenged: heartbeats with the slot's anchor and beacons.
		let v = view(5, 1_000_000_000);
		let t = tick(&v, 0, true);
		let first = fleet.attestations(t, &genesis, &mut captured);
		let honest = of(Role::Honest, &first);
		assert_eq!(honest.iter().filter(|a| is_heartbeat(a)).count(), 40);
		assert!(honest.iter().all(|a| match a {
			SignedAttestation::Heartbeat { heartbeat, .. } => heartbeat.anchor == [1u8; 32],
			_ => true,
		}));
		assert_eq!(honest.iter().filter(|a| is_beacon(a)).count(), 40);
		// Witness reports wait for the beacons' commitments to land.
		assert!(!first.iter().any(|(role, a)| *role != Role::Flooder && is_witness(a)));
		assert!(fleet.coverage.waiting.iter().any(|w| w.role == Role::Honest));
		for waiting in &fleet.coverage.waiting {
			let SignedAttestation::Witness { report, .. } = &waiting.attestation else {
				panic!("a witness report")
			};
			let secret = fleet.coverage.secrets[&(5, report.beaconer)];
			assert_eq!(
				report.commitment,
				beacon_commitment(&genesis, &report.beaconer, 5, &secret)
			);
			assert_eq!(report.tag, witness_tag(&secret, &report.witness));
			assert_eq!(waiting.due, t.best + WITNESS_DELAY_BLOCKS);
			// Only devices with a radio are heard and hear.
			assert!(waiting.role.has_radio());
			assert!(fleet.device(&report.beaconer).unwrap().role.has_radio());
		}
		// Colluders witness every other ring member, wherever they are.
		let ring: Vec<DeviceId> =
			fleet.devices.iter().filter(|d| d.role == Role::Colluder).map(|d| d.id).collect();
		for member in &ring {
			let witnessed: BTreeSet<DeviceId> = fleet
				.coverage
				.waiting
				.iter()
				.filter_map(|w| match &w.attestation {
					SignedAttestation::Witness { report, .. } if report.witness == *member => {
						Some(report.beaconer)
					}
					_ => None,
				})
				.collect();
			assert!(ring.iter().filter(|m| *m != member).all(|m| witnessed.contains(m)));
		}
		// Witness farmers heartbeat and commit their beacons, with nothing on the air.
		let farmers = of(Role::WitnessFarmer, &first);
		assert_eq!(farmers.iter().filter(|a| is_heartbeat(a)).count(), 2);
		assert_eq!(farmers.iter().filter(|a| is_beacon(a)).count(), 2);
		// A flooder sends its own heartbeat and distinct junk, all signed with its key.
		let flood = of(Role::Flooder, &first);
		assert_eq!(flood.len(), 1 + FLOOD_PER_TICK);
		let distinct: std::collections::BTreeSet<Vec<u8>> =
			flood.iter().map(|a| a.encode()).collect();
		assert_eq!(distinct.len(), flood.len());
		let flooder = fleet.devices.iter().find(|d| d.role == Role::Flooder).unwrap().id;
		assert!(flood.iter().all(|a| a.device() == flooder));
		assert_eq!(flood.iter().filter(|a| is_witness(a)).count(), FLOOD_PER_TICK / 2);
		// Replayers, forgers, pre-signers and flooders beacon nothing.
		for role in [Role::Replayer, Role::Forger, Role::PreSigner, Role::Flooder] {
			assert!(!of(role, &first).iter().any(is_beacon), "{role:?}");
		}
		// Forgers sign honest devices' heartbeats with their own keys.
		let forged = of(Role::Forger, &first);
		assert_eq!(forged.len(), 2);
		for attestation in &forged {
			assert_eq!(fleet.device(&attestation.device()).unwrap().role, Role::Honest);
		}
		fleet.record(first.clone(), answers(&first, None), &mut report, t.best);
		let due = t.best + WITNESS_DELAY_BLOCKS;
		let reports = fleet.coverage_round(&v, due, &genesis);
		fleet.record(reports.clone(), answers(&reports, None), &mut report, due);

		// Epoch 7: replayers sign one heartbeat, and replay a heartbeat two epochs old and
		// an honest witness report whose window is over.
		let v7 = view(7, 0);
		let later =
			of(Role::Replayer, &fleet.attestations(tick(&v7, 3, false), &genesis, &mut captured));
		assert!(
			later.iter().any(|a| is_heartbeat(a) && a.epoch() == 5),
			"a heartbeat two epochs old"
		);
		assert!(later.iter().any(|a| is_witness(a) && a.epoch() == 5), "an old witness report");
		let fresh: Vec<SignedAttestation> = later
			.iter()
			.filter(|a| {
				is_heartbeat(a)
					&& a.epoch() == 7
					&& fleet.device(&a.device()).unwrap().role == Role::Replayer
			})
			.cloned()
			.collect();
		assert_eq!(fresh.len(), 2);
		// The next slot: the same heartbeat again, and one for the slot with the old anchor.
		let again =
			of(Role::Replayer, &fleet.attestations(tick(&v7, 4, false), &genesis, &mut captured));
		assert!(fresh.iter().all(|cached| again.contains(cached)));
		let stale = again
			.iter()
			.filter(|a| match a {
				SignedAttestation::Heartbeat { heartbeat, .. } => {
					heartbeat.slot == 4 && heartbeat.anchor == [4u8; 32]
				}
				_ => false,
			})
			.count();
		assert_eq!(stale, 2);
	}

	#[test]
	fn beacons_commit_then_witnesses_report_then_beaconers_reveal() {
		let mut fleet = Fleet::new(honest_only()).unwrap();
		let genesis = H256::repeat_byte(1);
		let mut report = FleetReport::default();
		let v = view(5, 1_000_000_000);
		let t = tick(&v, 0, true);
		let first = fleet.attestations(t, &genesis, &mut VecDeque::new());
		fleet.record(first.clone(), answers(&first, None), &mut report, t.best);
		assert_eq!(report.groups[&Role::Honest].sent, first.len() as u64);
		assert_eq!(fleet.coverage.public.commitments.len(), 40);
		// Nothing is due before the delay.
		assert!(fleet.coverage_round(&v, t.best + 1, &genesis).is_empty());
		let due = t.best + WITNESS_DELAY_BLOCKS;
		let round = fleet.coverage_round(&v, due, &genesis);
		assert!(!round.is_empty() && round.iter().all(|(_, a)| is_witness(a)));
		// The beacons have not landed yet: every report waits and goes out again.
		fleet.record(round.clone(), answers(&round, Some(BEACON_NOT_COMMITTED)), &mut report, due);
		let honest = &report.groups[&Role::Honest];
		assert_eq!(honest.resent, round.len() as u64);
		assert_eq!(honest.sent, first.len() as u64);
		assert!(honest.refused_at_node.is_empty());
		let again = fleet.coverage_round(&v, due + 1, &genesis);
		assert_eq!(again, round);
		fleet.record(again.clone(), answers(&again, None), &mut report, due + 1);
		assert!(fleet.coverage.waiting.is_empty());
		assert_eq!(
			fleet.coverage.public.reports.values().map(Vec::len).sum::<usize>(),
			round.len()
		);

		// Reveals: none during the next epoch's witness grace, one per beacon after.
		let next = view(6, 0);
		assert!(fleet.coverage_round(&next, next.reveals_from() - 1, &genesis).is_empty());
		let reveals = fleet.coverage_round(&next, next.reveals_from(), &genesis);
		assert_eq!(reveals.len(), 40);
		for (_, attestation) in &reveals {
			let SignedAttestation::Reveal(reveal) = attestation else { panic!("a reveal") };
			let commitment = fleet.coverage.public.commitments[&(5, reveal.device)];
			assert_eq!(beacon_commitment(&genesis, &reveal.device, 5, &reveal.secret), commitment);
		}
		// Too early: kept; queued: forgotten.
		let at = next.reveals_from();
		fleet.record(reveals.clone(), answers(&reveals, Some(REVEAL_TOO_EARLY)), &mut report, at);
		assert_eq!(fleet.coverage_round(&next, at + 1, &genesis), reveals);
		fleet.record(reveals.clone(), answers(&reveals, None), &mut report, at + 1);
		assert!(fleet.coverage_round(&next, at + 2, &genesis).is_empty());
		assert_eq!(fleet.coverage.public.secrets.len(), 40);
		// A refused beacon is never revealed.
		let mut fleet = Fleet::new(honest_only()).unwrap();
		let first = fleet.attestations(t, &genesis, &mut VecDeque::new());
		fleet.record(first.clone(), answers(&first, Some("NotChallenged")), &mut report, t.best);
		assert!(fleet.coverage.secrets.is_empty());
	}

	#[test]
	fn witness_farmers_copy_what_the_pool_shows_and_the_right_tag_comes_too_late() {
		let with_farmers = FleetOptions { witness_farmers: 2, ..honest_only() };
		let (mut fleet, mut report, best) = epoch_five(with_farmers);
		let genesis = H256::repeat_byte(1);
		let v = view(5, 1_000_000_000);
		let farmers: Vec<DeviceId> =
			fleet.devices.iter().filter(|d| d.role == Role::WitnessFarmer).map(|d| d.id).collect();
		// They heard nothing: no report of theirs waited for the air's delay.
		assert!(!fleet.coverage.waiting.iter().any(|w| w.role == Role::WitnessFarmer));
		let round = fleet.coverage_round(&v, best + WITNESS_DELAY_BLOCKS + 1, &genesis);
		let copies = of(Role::WitnessFarmer, &round);
		assert!(!copies.is_empty());
		for copy in &copies {
			let SignedAttestation::Witness { report: r, .. } = copy else { panic!("a report") };
			assert!(farmers.contains(&r.witness));
			let secret = fleet.coverage.secrets[&(5, r.beaconer)];
			// The right commitment, another device's tag: worthless to the farmer.
			assert_eq!(r.commitment, beacon_commitment(&genesis, &r.beaconer, 5, &secret));
			assert_ne!(r.tag, witness_tag(&secret, &r.witness));
			let seen = &fleet.coverage.public.reports[&(5, r.beaconer)];
			assert!(seen.iter().any(|(w, _, tag)| *tag == r.tag && !farmers.contains(w)));
			assert!((-125..=-115).contains(&r.rssi_dbm), "{}", r.rssi_dbm);
		}
		// Each beacon once per farmer.
		let later = fleet.coverage_round(&v, best + WITNESS_DELAY_BLOCKS + 2, &genesis);
		assert!(of(Role::WitnessFarmer, &later).iter().all(|a| !is_witness(a)));

		// After the reveals, the right tag: but the window is over.
		let next = view(6, 0);
		let at = next.reveals_from();
		let reveals = fleet.coverage_round(&next, at, &genesis);
		fleet.record(reveals.clone(), answers(&reveals, None), &mut report, at);
		let late = fleet.coverage_round(&next, at + 1, &genesis);
		let late: Vec<SignedAttestation> =
			of(Role::WitnessFarmer, &late).into_iter().filter(is_witness).collect();
		assert!(!late.is_empty());
		assert!(!next.witness_window_open(5, at + 1));
		for claim in &late {
			let SignedAttestation::Witness { report: r, .. } = claim else { panic!("a report") };
			let secret = fleet.coverage.public.secrets[&(5, r.beaconer)];
			assert_eq!(r.tag, witness_tag(&secret, &r.witness));
		}
	}

	#[test]
	fn pre_signers_post_heartbeats_signed_before_their_anchors_existed() {
		let mut fleet = Fleet::new(FleetOptions { pre_signers: 2, ..honest_only() }).unwrap();
		let genesis = H256::repeat_byte(1);
		// At block 41 (epoch 4's first): epoch 4's slots from 2 on and all of epochs 5-7.
		let signed = fleet.presign(&view(4, 0), 41, [7u8; 32], &genesis);
		assert_eq!(signed, 2 * (8 + 3 * 10));
		let early = fleet.attestations(tick(&view(4, 0), 1, false), &genesis, &mut VecDeque::new());
		assert!(of(Role::PreSigner, &early).is_empty());
		let v = view(5, 1_000_000_000);
		let out = fleet.attestations(tick(&v, 0, true), &genesis, &mut VecDeque::new());
		let posted = of(Role::PreSigner, &out);
		assert_eq!(posted.len(), 2);
		let anchors: BTreeSet<Hash32> = posted
			.iter()
			.map(|a| match a {
				SignedAttestation::Heartbeat { heartbeat, .. } => heartbeat.anchor,
				_ => panic!("only heartbeats"),
			})
			.collect();
		assert_eq!(anchors, BTreeSet::from([[0u8; 32], [7u8; 32]]));
		assert!(!anchors.contains(&[1u8; 32]));
		// Off: no beacon, no report.
		assert!(!fleet.coverage.waiting.iter().any(|w| w.role == Role::PreSigner));
		assert!(!fleet
			.coverage
			.secrets
			.keys()
			.any(|(_, id)| fleet.device(id).unwrap().role == Role::PreSigner));
	}

	#[test]
	fn witnesses_hear_neighbours_not_the_far_side_of_the_area() {
		let mut fleet = Fleet::new(honest_only()).unwrap();
		let beacons =
			fleet.beacons_and_witnesses(&view(1, 1_000_000_000), &[true; 40], &H256::zero(), 11);
		assert_eq!(beacons.len(), 40);
		assert!(!fleet.coverage.waiting.is_empty());
		let range = fleet.radio.median_range_m();
		for waiting in &fleet.coverage.waiting {
			let SignedAttestation::Witness { report, .. } = &waiting.attestation else {
				panic!("a witness report")
			};
			let w = fleet.device(&report.witness).unwrap();
			let b = fleet.device(&report.beaconer).unwrap();
			assert!(w.position.distance_m(&b.position) < 3.0 * range);
			assert!(report.rssi_dbm >= -134);
		}
	}

	#[test]
	fn downtime_takes_devices_off_for_a_few_slots() {
		let mut fleet = Fleet::new(FleetOptions { downtime: 0.2, ..options() }).unwrap();
		let mut down = 0;
		for slot in 0..100u64 {
			for i in 0..fleet.devices.len() {
				if !fleet.is_up(i, slot) {
					down += 1;
				}
			}
		}
		let share = down as f64 / (100.0 * fleet.devices.len() as f64);
		// Each outage lasts 1-5 slots (mean 3): down about 0.2·3/(1+0.2·3) ≈ 40 % of slots.
		assert!((0.3..0.5).contains(&share), "{share}");
	}

	#[test]
	fn the_table_names_groups_shares_and_reasons() {
		let mut report = FleetReport::default();
		let mut honest = GroupReport {
			devices: 2,
			sent: 10,
			queued: 10,
			uptime_score: 3,
			rewards_earned: 990,
			..Default::default()
		};
		honest.rejected_on_chain.insert("TooClose".into(), 1);
		honest.rejected_on_chain.insert(LIST_FULL.into(), 2);
		let mut forger = GroupReport { devices: 1, sent: 4, ..Default::default() };
		forger.refused_at_node.insert("BadSignature".into(), 4);
		let mut farmer = GroupReport {
			devices: 1,
			sent: 4,
			queued: 3,
			rewards_earned: 10,
			invalid_tags: 2,
			..Default::default()
		};
		farmer.refused_at_node.insert("WitnessWindowClosed".into(), 1);
		report.groups.insert(Role::Honest, honest);
		report.groups.insert(Role::Forger, forger);
		report.groups.insert(Role::WitnessFarmer, farmer);
		let text = table(&report);
		assert!(text.contains("honest"));
		assert!(text.contains("witness farmer"));
		assert!(text.contains("100.0 %"));
		assert!(text.contains("99.0 %"));
		assert!(text.contains("BadSignature 4"));
		assert!(text.contains("TooClose 1"));
		assert!(text.contains("invalid tags 2"));
		assert!(text.contains("adversaries except the ring 1.0 %"));
		assert_eq!(report.groups[&Role::Honest].accepted(), 7);
		assert_eq!(report.groups[&Role::Honest].capped(), 2);
		report.fill_shares();
		assert_eq!(report.rewards_earned, 1_000);
		assert_eq!(report.groups[&Role::Honest].reward_share, Some(99.0));
		assert_eq!(report.groups[&Role::Forger].reward_share, Some(0.0));
		assert_eq!(report.adversaries_except_ring_share, Some(1.0));
		let json = serde_json::to_value(&report).unwrap();
		assert!(json["groups"]["witnessFarmer"]["invalidTags"] == 2);
		assert!(json["adversariesExceptRingShare"] == 1.0);
	}
}
