//! A simulated fleet: N devices in a real-looking geography, registered on-chain by their
//! owners with signed transactions, sending heartbeats every slot, beacons when challenged
//! and witness reports of the beacons they hear through a path-loss model; plus adversaries
//! switched on by flags. It reports what the chain accepted, rejected and paid, per group.

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
	api::DeviceEpochReport, attestation::is_challenged, device::pair::DevicePair, Beacon, DeviceId,
	EpochIndex, H3Cell, SignatureScheme, SignedAttestation,
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
/// The chain's reason for a witness report beyond a beacon's witness cap.
const CAPPED: &str = "WitnessCapReached";
/// Registrations per `utility.batchAll`.
const REGISTRATIONS_PER_BATCH: usize = 25;
/// Transfers per `utility.batchAll` when funding owners.
const TRANSFERS_PER_BATCH: usize = 200;

/// What a simulated device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
	/// Tells the truth.
	Honest,
	/// Registered at a location far from where it stands.
	Spoofer,
	/// In a ring that shares beacon payloads over the internet and witnesses them all with
	/// made-up signal strengths.
	Colluder,
	/// Resends old attestations (its own and others') instead of signing new ones.
	Replayer,
	/// Signs attestations in other devices' names with its own key.
	Forger,
}

impl Role {
	/// All roles, in table order.
	pub const ALL: [Role; 5] =
		[Role::Honest, Role::Spoofer, Role::Colluder, Role::Replayer, Role::Forger];

	/// Its name in tables.
	pub fn name(self) -> &'static str {
		match self {
			Role::Honest => "honest",
			Role::Spoofer => "spoofer",
			Role::Colluder => "colluder",
			Role::Replayer => "replayer",
			Role::Forger => "forger",
		}
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
	/// Down until this global slot (epoch × slots + slot).
	down_until: u64,
	/// A replayer's cached heartbeat of this epoch.
	cached: Option<SignedAttestation>,
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
			};
			std::iter::repeat_n(*role, count as usize)
		});
		for (i, role) in roles.enumerate() {
			let pair = DevicePair::from_seed(
				options.scheme,
				derived_seed(b"depin-fleet/device", options.seed, i as u64),
			);
			let id = pair.public().device_id();
			let position = match role {
				// The ring spreads out so its members are not each other's radio neighbours.
				Role::Colluder => area.uniform(&mut rng),
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
				down_until: 0,
				cached: None,
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
		Ok(Fleet { options, area, devices, owners, radio: RadioModel::default(), rng, index_of })
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

	/// The attestations of the fleet for `view`'s slot `slot`: every up device's heartbeat,
	/// and at the epoch's first tick the beacons of challenged devices and the witness reports
	/// of those who hear them. Each comes with the role of the device that sent it.
	fn attestations(
		&mut self,
		view: &EpochView,
		slot: u16,
		new_epoch: bool,
		genesis: &H256,
		captured: &mut VecDeque<(EpochIndex, SignedAttestation)>,
	) -> Vec<(Role, SignedAttestation)> {
		let global = u64::from(view.index) * u64::from(view.slots) + u64::from(slot);
		let up: Vec<bool> = (0..self.devices.len()).map(|i| self.is_up(i, global)).collect();
		let honest: Vec<DeviceId> =
			self.devices.iter().filter(|d| d.role == Role::Honest).map(|d| d.id).collect();
		let mut out = Vec::new();

		for (i, device) in self.devices.iter_mut().enumerate() {
			if !up[i] {
				continue;
			}
			match device.role {
				Role::Honest | Role::Spoofer | Role::Colluder => {
					let hb = attest::heartbeat(&device.pair, device.id, genesis, view.index, slot);
					if device.role == Role::Honest && captured.len() < 4_096 {
						captured.push_back((view.index, hb.clone()));
					}
					out.push((device.role, hb));
				}
				Role::Replayer => {
					// Signs once an epoch, then replays that heartbeat as if it were new, and
					// replays another device's heartbeat from two epochs ago.
					if new_epoch || device.cached.is_none() {
						let hb =
							attest::heartbeat(&device.pair, device.id, genesis, view.index, slot);
						device.cached = Some(hb.clone());
						out.push((Role::Replayer, hb));
					} else if let Some(cached) = &device.cached {
						out.push((Role::Replayer, cached.clone()));
					}
					if let Some((_, old)) =
						captured.iter().find(|(epoch, _)| epoch + 2 <= view.index)
					{
						out.push((Role::Replayer, old.clone()));
					}
				}
				Role::Forger => {
					// An honest device's heartbeat, signed with the forger's own key.
					if let Some(victim) = honest.get(i % honest.len().max(1)) {
						out.push((
							Role::Forger,
							attest::heartbeat(&device.pair, *victim, genesis, view.index, slot),
						));
					}
				}
			}
		}
		while captured.front().is_some_and(|(epoch, _)| epoch + 2 < view.index) {
			captured.pop_front();
		}

		if new_epoch {
			out.extend(self.beacons_and_witnesses(view, &up, genesis));
		}
		out
	}

	fn beacons_and_witnesses(
		&mut self,
		view: &EpochView,
		up: &[bool],
		genesis: &H256,
	) -> Vec<(Role, SignedAttestation)> {
		let randomness = view.randomness_bytes();
		let mut out = Vec::new();
		let mut air: Vec<(usize, Beacon)> = Vec::new();
		for (i, device) in self.devices.iter().enumerate() {
			if !up[i]
				|| device.role == Role::Forger
				|| !is_challenged(&randomness, &device.id, view.challenge_rate)
			{
				continue;
			}
			let beacon = attest::beacon(&device.pair, device.id, genesis, view.index, &randomness);
			out.push((device.role, SignedAttestation::Beacon(beacon.clone())));
			air.push((i, beacon));
		}
		let reach = self.radio.median_range_m() * 3.0;
		for (j, beacon) in &air {
			let beaconer = &self.devices[*j];
			for (i, witness) in self.devices.iter().enumerate() {
				if i == *j || !up[i] || witness.role == Role::Forger {
					continue;
				}
				let reception =
					if witness.role == Role::Colluder && beaconer.role == Role::Colluder {
						// Shared over the internet: a signal as strong as a real one at the
						// claimed distance would be, never stronger (it would be caught).
						let claimed = witness.claimed.distance_m(&beaconer.claimed);
						Some(self.radio.reception(
							self.radio.median_rssi_dbm(claimed) + self.rng.range(-3.0, 3.0),
						))
					} else {
						let distance = witness.position.distance_m(&beaconer.position);
						if distance > reach {
							continue;
						}
						self.radio.receive(distance, &mut self.rng)
					};
				if let Some(reception) = reception {
					out.push((
						witness.role,
						attest::witness(&witness.pair, witness.id, genesis, beacon, reception),
					));
				}
			}
		}
		out
	}
}

/// Counts of one group.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupReport {
	/// Devices in the group.
	pub devices: usize,
	/// Attestations sent to the node.
	pub sent: u64,
	/// Queued by the node (passed its checks).
	pub queued: u64,
	/// Refused by the node's RPC, by reason.
	pub refused_at_node: BTreeMap<String, u64>,
	/// Refused on chain (in an oracle batch), by reason.
	pub rejected_on_chain: BTreeMap<String, u64>,
	/// Uptime score earned in the scored epochs, score units.
	pub uptime_score: u64,
	/// Coverage score earned in the scored epochs, score units.
	pub coverage_score: u64,
	/// Attestations the chain counted for the group's devices in the scored epochs
	/// (heartbeats, accepted beacons, accepted witness reports), read from the device reports;
	/// `None` without `read_scores`.
	pub counted: Option<u64>,
	/// Rewards the group's devices earned in the scored epochs (their shares of the epochs'
	/// pools, paid when each device is next touched or claims), smallest units.
	pub rewards_earned: u128,
	/// Rewards settled to the group's devices during the run, smallest units.
	pub rewards_settled: u128,
}

impl GroupReport {
	/// Witness reports not rewarded because the beacon already had its maximum of witnesses:
	/// not a failed proof, a full beacon.
	pub fn capped(&self) -> u64 {
		self.rejected_on_chain.get(CAPPED).copied().unwrap_or(0)
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
		"fleet: {} devices in {} ({} honest, {} spoofers, {} colluders, {} replayers, {} forgers), \
		 scheme {}, seed {}, node {}",
		fleet.devices.len(),
		fleet.area.name,
		fleet.count(Role::Honest),
		fleet.count(Role::Spoofer),
		fleet.count(Role::Colluder),
		fleet.count(Role::Replayer),
		fleet.count(Role::Forger),
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
		let sending = view.index >= first
			&& fleet.options.epochs.is_none_or(|epochs| view.index < first + epochs);
		// Up to the slot of the next block (what lands in it must be for a started slot),
		// catching up on this epoch's earlier slots still within the grace: the first block
		// of an epoch is its slot 0, and the epoch is only known once that block is.
		if let (true, Some(next_slot)) = (sending, view.slot_at(best + 1)) {
			let from = match sent_slot {
				Some((epoch, slot)) if epoch == view.index => slot + 1,
				_ => view.slot_at(best).unwrap_or(next_slot),
			};
			let mut batch = Vec::new();
			for slot in from..=next_slot {
				let new_epoch = last_epoch_seen != Some(view.index);
				last_epoch_seen = Some(view.index);
				batch.extend(fleet.attestations(
					&view,
					slot,
					new_epoch,
					&chain.genesis,
					&mut captured,
				));
			}
			if from <= next_slot {
				sent_slot = Some((view.index, next_slot));
				submit(client, &batch, &mut report)?;
			}
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
	Ok(report)
}

fn submit(
	client: &NodeClient,
	batch: &[(Role, SignedAttestation)],
	report: &mut FleetReport,
) -> Result<(), String> {
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
		for ((role, _), result) in chunk.iter().zip(results) {
			let group = report.groups.entry(*role).or_default();
			group.sent += 1;
			if result.queued {
				group.queued += 1;
			} else {
				let reason = result.error.unwrap_or_else(|| "unknown".into());
				*group.refused_at_node.entry(reason).or_default() += 1;
			}
		}
	}
	Ok(())
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
			group.rewards_earned += share(coverage_pool, found.score.coverage, totals.coverage)
				+ share(uptime_pool, found.score.uptime, totals.uptime);
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
		"{:<9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>16}\n",
		"group",
		"devices",
		"sent",
		"queued",
		"refused",
		"rejected",
		"capped",
		"accepted",
		"uptime",
		"coverage",
		"rewards earned"
	));
	for (role, group) in &report.groups {
		out.push_str(&format!(
			"{:<9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>16}\n",
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
		));
	}
	out.push_str("\nrefused by the node (before queueing) and rejected on chain, by reason:\n");
	for (role, group) in &report.groups {
		let reasons = |map: &BTreeMap<String, u64>| {
			if map.is_empty() {
				"none".to_string()
			} else {
				map.iter().map(|(r, n)| format!("{r} {n}")).collect::<Vec<_>>().join(", ")
			}
		};
		out.push_str(&format!(
			"  {:<9} node: {} | chain: {}\n",
			role.name(),
			reasons(&group.refused_at_node),
			reasons(&group.rejected_on_chain)
		));
	}
	out.push_str(
		"\nrefused: by the node's RPC before queueing; rejected: in an oracle batch on chain;\n\
		 capped: witness reports beyond a beacon's witness cap (not a failed proof);\n\
		 accepted: counted in the devices' reports (with --no-scores: queued - rejected);\n\
		 uptime/coverage: the group's share of the fleet's score in the scored epochs;\n\
		 rewards earned: the group's shares of those epochs' pools (settled lazily, claimable).\n",
	);
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	fn options() -> FleetOptions {
		FleetOptions {
			devices: 40,
			area: "paris".into(),
			scheme: SignatureScheme::Ed25519,
			spoofers: 3,
			colluders: 4,
			replayers: 2,
			forgers: 2,
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

	fn view(index: EpochIndex, rate: u32) -> EpochView {
		EpochView {
			index,
			start: 10 * index + 1,
			length: 10,
			slots: 10,
			randomness: format!("0x{}", "42".repeat(32)),
			challenge_rate: rate,
			best_block: 10 * index + 1,
		}
	}

	#[test]
	fn a_fleet_is_reproducible_from_its_seed() {
		let a = Fleet::new(options()).unwrap();
		let b = Fleet::new(options()).unwrap();
		assert_eq!(a.devices.len(), 51);
		assert!(a
			.devices
			.iter()
			.zip(&b.devices)
			.all(|(x, y)| x.id == y.id && x.position == y.position));
		let c = Fleet::new(FleetOptions { seed: 12, ..options() }).unwrap();
		assert_ne!(a.devices[0].id, c.devices[0].id);
		// Ten owners for forty honest devices, one each for the eleven adversaries.
		assert_eq!(a.owners.len(), 10 + 11);
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
	fn every_role_sends_what_it_should() {
		let mut fleet = Fleet::new(options()).unwrap();
		let genesis = H256::repeat_byte(1);
		let mut captured = VecDeque::new();
		// Epoch 5, everyone challenged: heartbeats, beacons and witness reports.
		let v = view(5, 1_000_000_000);
		let first = fleet.attestations(&v, 0, true, &genesis, &mut captured);
		let of = |role: Role, list: &[(Role, SignedAttestation)]| {
			list.iter().filter(|(r, _)| *r == role).map(|(_, a)| a.clone()).collect::<Vec<_>>()
		};
		let honest = of(Role::Honest, &first);
		let heartbeats =
			honest.iter().filter(|a| matches!(a, SignedAttestation::Heartbeat { .. })).count();
		assert_eq!(heartbeats, 40);
		assert_eq!(honest.iter().filter(|a| matches!(a, SignedAttestation::Beacon(_))).count(), 40);
		assert!(honest.iter().any(|a| matches!(a, SignedAttestation::Witness { .. })));
		// Colluders witness every other ring member, wherever they are.
		let ring: Vec<DeviceId> =
			fleet.devices.iter().filter(|d| d.role == Role::Colluder).map(|d| d.id).collect();
		for member in &ring {
			let witnessed: BTreeSet<DeviceId> = of(Role::Colluder, &first)
				.iter()
				.filter_map(|a| match a {
					SignedAttestation::Witness { report, .. } if report.witness == *member => {
						Some(report.beaconer)
					}
					_ => None,
				})
				.collect();
			assert!(ring.iter().filter(|m| *m != member).all(|m| witnessed.contains(m)));
		}
		// Forgers sign honest devices' heartbeats with their own keys.
		let forged = of(Role::Forger, &first);
		assert_eq!(forged.len(), 2);
		for attestation in &forged {
			assert_eq!(fleet.device(&attestation.device()).unwrap().role, Role::Honest);
		}
		// Replayers resend their first heartbeat in later slots, and old heartbeats of others.
		let later = fleet.attestations(&view(7, 0), 3, false, &genesis, &mut captured);
		let replayed = of(Role::Replayer, &later);
		assert!(replayed.iter().any(|a| a.epoch() == 5), "a heartbeat two epochs old");
		let again = fleet.attestations(&view(7, 0), 4, false, &genesis, &mut captured);
		let first_cached = of(Role::Replayer, &later)[0].clone();
		assert_eq!(of(Role::Replayer, &again)[0], first_cached);
	}

	#[test]
	fn witnesses_hear_neighbours_not_the_far_side_of_the_area() {
		let mut fleet = Fleet::new(FleetOptions {
			spoofers: 0,
			colluders: 0,
			replayers: 0,
			forgers: 0,
			..options()
		})
		.unwrap();
		let out = fleet.beacons_and_witnesses(&view(1, 1_000_000_000), &[true; 40], &H256::zero());
		let range = fleet.radio.median_range_m();
		for (_, attestation) in &out {
			if let SignedAttestation::Witness { report, .. } = attestation {
				let w = fleet.device(&report.witness).unwrap();
				let b = fleet.device(&report.beaconer).unwrap();
				assert!(w.position.distance_m(&b.position) < 3.0 * range);
				assert!(report.rssi_dbm >= -134);
			}
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
		let mut honest =
			GroupReport { devices: 2, sent: 10, queued: 10, uptime_score: 3, ..Default::default() };
		honest.rejected_on_chain.insert("TooClose".into(), 1);
		honest.rejected_on_chain.insert(CAPPED.into(), 2);
		let mut forger = GroupReport { devices: 1, sent: 4, ..Default::default() };
		forger.refused_at_node.insert("BadSignature".into(), 4);
		report.groups.insert(Role::Honest, honest);
		report.groups.insert(Role::Forger, forger);
		let text = table(&report);
		assert!(text.contains("honest"));
		assert!(text.contains("100.0 %"));
		assert!(text.contains("BadSignature 4"));
		assert!(text.contains("TooClose 1"));
		assert_eq!(report.groups[&Role::Honest].accepted(), 7);
		assert_eq!(report.groups[&Role::Honest].capped(), 2);
	}
}
