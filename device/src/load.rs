//! `depin-device load`: a load generator that can saturate the chain, and the benchmark chain
//! spec it runs against.
//!
//! The load devices are Ed25519 keys derived from a seed (`blake2_256(domain ‖ seed ‖ n)`),
//! registered at genesis ([`write_bench_spec`] adds them to a chain spec's genesis patch:
//! `deviceRegistry.devices`, their owners endowed in `balances`), so a run starts at once,
//! whatever the fleet's size. Each uptime slot, as soon as the block its heartbeats must
//! name (the slot's anchor) is known, the generator signs one heartbeat per device on
//! `signers` threads and posts them in calls of [`MAX_PER_CALL`] over `connections` HTTP
//! connections; it follows the chain's blocks and counts what landed. Alongside, on request:
//! - a **flooding device** (one registered load device outside the honest set) posting calls
//!   of junk it signs itself: heartbeats for any slot, witness reports with made-up fields;
//! - a **keyless flooder** posting calls of heartbeats that name a registered device with
//!   random signatures and, on [`KEYLESS_JUNK_THREADS`] more threads, calls of heartbeats of
//!   made-up devices (refused by the chain's rules, before any signature), each call on a
//!   new connection.
//!
//! It is a benchmark tool: `scripts/bench.sh` reads its JSON summary.

use crate::rpc::{EpochView, NodeClient};
use codec::Encode;
use depin_primitives::{
	attestation::{HeartbeatPayload, WitnessPayload},
	device::pair::DevicePair,
	DeviceId, DeviceSignature, Heartbeat, SignatureScheme, SignedAttestation, SignedPayload,
	SlotIndex, WitnessReport,
};
use serde::Serialize;
use serde_json::Value;
use sp_core::{crypto::AccountId32, H256};
use std::{
	collections::BTreeMap,
	path::Path,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		mpsc, Arc, Mutex,
	},
	time::{Duration, Instant},
};

/// Most attestations per call (the node's limit).
pub const MAX_PER_CALL: usize = 1024;
/// Domain of the load devices' seeds and owners.
const LOAD_DOMAIN: &[u8] = b"depin-device/load/v1";

/// The `n`-th load device of `seed`.
pub fn load_pair(seed: u64, n: u32) -> DevicePair {
	let secret = sp_io::hashing::blake2_256(&(LOAD_DOMAIN, seed, n).encode());
	DevicePair::from_seed(SignatureScheme::Ed25519, secret)
}

/// The owner of load devices `k · per_owner ..` (an account nobody holds a key of: load
/// owners never sign anything).
pub fn load_owner(seed: u64, k: u32) -> AccountId32 {
	AccountId32::new(sp_io::hashing::blake2_256(&(LOAD_DOMAIN, b"owner", seed, k).encode()))
}

/// The Ed25519 public key of `pair`.
fn ed25519_public(pair: &DevicePair) -> [u8; 32] {
	match pair.public() {
		depin_primitives::DeviceKey::Ed25519(key) => key,
		_ => unreachable!("load devices are Ed25519"),
	}
}

/// Adds `devices` load devices of `seed` (`per_owner` per owner, spread over a 0.5° square
/// near Paris) and their endowed owners to the genesis patch of the chain spec `base`;
/// writes the result to `out`.
pub fn write_bench_spec(
	base: &Path,
	out: &Path,
	seed: u64,
	devices: u32,
	per_owner: u32,
) -> Result<(), String> {
	let text = std::fs::read_to_string(base).map_err(|e| format!("{}: {e}", base.display()))?;
	let mut spec: Value = serde_json::from_str(&text).map_err(|e| format!("chain spec: {e}"))?;
	let patch = spec
		.pointer_mut("/genesis/runtimeGenesis/patch")
		.ok_or("the chain spec has no genesis patch (export it from a preset)")?;
	let balances = patch
		.pointer_mut("/balances/balances")
		.and_then(Value::as_array_mut)
		.ok_or("the genesis patch has no balances")?;
	let endowment = balances
		.first()
		.and_then(|entry| entry.get(1))
		.cloned()
		.ok_or("the genesis patch endows nobody")?;
	let per_owner = per_owner.max(1);
	let owners = devices.div_ceil(per_owner);
	for k in 0..owners {
		balances.push(serde_json::json!([load_owner(seed, k), endowment.clone()]));
	}
	let mut rng = crate::rng::SimRng::new(seed);
	let entries: Vec<Value> = (0..devices)
		.map(|n| {
			let position =
				crate::geo::Position { lat: rng.range(48.6, 49.1), lng: rng.range(2.1, 2.6) };
			serde_json::json!([
				load_owner(seed, n / per_owner),
				ed25519_public(&load_pair(seed, n)),
				position.cell().0
			])
		})
		.collect();
	patch
		.as_object_mut()
		.ok_or("the genesis patch is not an object")?
		.entry("deviceRegistry")
		.or_insert_with(|| serde_json::json!({}))
		.as_object_mut()
		.ok_or("deviceRegistry is not an object")?
		.insert("devices".into(), Value::Array(entries));
	std::fs::write(out, serde_json::to_vec(&spec).map_err(|e| e.to_string())?)
		.map_err(|e| format!("{}: {e}", out.display()))
}

/// What to run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
	/// Honest load devices: genesis devices `0..devices`.
	pub devices: u32,
	/// The seed the genesis devices were derived from.
	pub seed: u64,
	/// How long to send, seconds.
	pub seconds: u64,
	/// Concurrent connections posting the honest load.
	pub connections: usize,
	/// Threads signing heartbeats.
	pub signers: usize,
	/// Run the flooding device (genesis device `devices`, outside the honest set).
	pub flood_device: bool,
	/// Run the keyless flooder against this registered device.
	pub keyless_victim: Option<DeviceId>,
}

/// What a run sent and what the chain did with it.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadReport {
	/// Honest heartbeats signed and posted.
	pub offered: u64,
	/// Honest heartbeats the node queued.
	pub queued: u64,
	/// Honest heartbeats the node refused, by reason.
	pub refused: BTreeMap<String, u64>,
	/// Attestations accepted on chain in the blocks followed (honest and flooders').
	pub accepted_on_chain: u64,
	/// Honest heartbeats accepted on chain, at least: those accepted less what the flooders
	/// had queued (the chain cannot accept what was never queued).
	pub honest_accepted: u64,
	/// Attestations rejected on chain, by reason.
	pub rejected_on_chain: BTreeMap<String, u64>,
	/// First and last block with accepted attestations.
	pub accepted_blocks: Option<(u32, u32)>,
	/// Seconds the generator sent for.
	pub seconds: f64,
	/// Honest heartbeats posted per second.
	pub offered_per_second: f64,
	/// Attestations accepted per second of block time between the first and last block
	/// with accepted ones.
	pub accepted_per_second: f64,
	/// Share of the honest heartbeats posted that the chain accepted (`honest_accepted /
	/// offered`).
	pub honest_accepted_share: f64,
	/// Weight the chain charged the batches that carried them, after refunds (the
	/// `ExtrinsicSuccess` weight of each extrinsic that processed a batch), in µs of ref time.
	pub charged_micros: f64,
	/// `charged_micros / accepted_on_chain`.
	pub charged_micros_per_attestation: f64,
	/// Each block followed that accepted attestations: its number, how many, and what their
	/// batches were charged (µs); `scripts/bench.sh` joins it with the author's log of how
	/// long each block took to build.
	pub blocks: Vec<BlockLoad>,
	/// Whether the last block counted is finalized.
	pub all_finalized: bool,
	/// CPU seconds the generator used (all its threads), and per second of the run.
	pub generator_cpu_seconds: f64,
	/// Generator CPU per wall-clock second (1.0 = one core).
	pub generator_cores: f64,
	/// Calls and attestations the flooding device posted, and what its calls were answered.
	pub flooding_device: FloodStats,
	/// Calls and attestations the keyless flooder posted, and what its calls were answered.
	pub keyless_flooder: FloodStats,
}

/// What one block carried.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockLoad {
	/// Block number.
	pub number: u32,
	/// Attestations accepted in it.
	pub accepted: u64,
	/// Weight its batches were charged, after refunds, µs of ref time.
	pub charged_micros: f64,
}

/// A flooder's tally.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FloodStats {
	/// Calls posted.
	pub calls: u64,
	/// Attestations posted.
	pub attestations: u64,
	/// Attestations queued.
	pub queued: u64,
	/// Answers by reason (item errors and whole-call errors).
	pub answers: BTreeMap<String, u64>,
}

/// The CPU seconds this process used so far (user + system), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
	let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
	// Fields after the command (which may hold spaces) start after the last ')'.
	let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
	let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
	// utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
	(ticks(11) + ticks(12)) / 100.0
}

/// Heartbeats of `devices` for `slot`, signed on `signers` threads.
fn sign_slot(
	pairs: &Arc<Vec<(DevicePair, DeviceId)>>,
	genesis: H256,
	epoch: u32,
	slot: SlotIndex,
	anchor: [u8; 32],
	signers: usize,
) -> Vec<SignedAttestation> {
	let signers = signers.max(1);
	let per = pairs.len().div_ceil(signers);
	let handles: Vec<_> = (0..signers)
		.map(|t| {
			let pairs = pairs.clone();
			std::thread::spawn(move || {
				let end = ((t + 1) * per).min(pairs.len());
				(t * per..end)
					.map(|i| {
						let (pair, device) = &pairs[i];
						crate::attest::heartbeat(pair, *device, &genesis, epoch, slot, anchor)
					})
					.collect::<Vec<_>>()
			})
		})
		.collect();
	handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
}

/// Records `results` of a call (or its error for each item) in `answers`; returns how many
/// were queued.
fn tally(
	answers: &mut BTreeMap<String, u64>,
	count: usize,
	results: Result<Vec<crate::rpc::SubmissionResult>, String>,
) -> u64 {
	match results {
		Ok(results) => {
			let mut queued = 0;
			for result in results {
				if result.queued {
					queued += 1;
				} else {
					*answers.entry(result.error.unwrap_or_default()).or_default() += 1;
				}
			}
			queued
		}
		Err(e) => {
			// `depin_submitAttestations: {"code":4003,...}`: keep the code and message.
			let reason = e.split_once(": ").map_or(e.as_str(), |(_, rest)| rest).to_string();
			let reason = reason.chars().take(80).collect::<String>();
			*answers.entry(reason).or_default() += count as u64;
			0
		}
	}
}

/// Runs the load for `options.seconds`, then follows the chain until what was queued has
/// landed (or a minute passed); returns the report.
pub fn run(client: &NodeClient, options: &LoadOptions) -> Result<LoadReport, String> {
	let chain = client.chain_info()?;
	let genesis = chain.genesis;
	let pairs: Arc<Vec<(DevicePair, DeviceId)>> = Arc::new(
		(0..options.devices)
			.map(|n| {
				let pair = load_pair(options.seed, n);
				let id = pair.public().device_id();
				(pair, id)
			})
			.collect(),
	);
	let cpu_at_start = cpu_seconds();
	let started = Instant::now();
	let deadline = started + Duration::from_secs(options.seconds);
	let stop = Arc::new(AtomicBool::new(false));
	let mut report = LoadReport::default();

	// Posters: each takes calls from the channel over its own connection.
	let (calls, inbox) = mpsc::sync_channel::<Vec<SignedAttestation>>(64);
	let inbox = Arc::new(Mutex::new(inbox));
	let honest = Arc::new(Mutex::new((0u64, BTreeMap::<String, u64>::new())));
	let posters: Vec<_> = (0..options.connections.max(1))
		.map(|_| {
			let inbox = inbox.clone();
			let honest = honest.clone();
			let node = NodeClient::new(client.url());
			std::thread::spawn(move || loop {
				let call = match inbox.lock() {
					Ok(inbox) => inbox.recv(),
					Err(_) => return,
				};
				let Ok(call) = call else { return };
				// As an honest client does: a busy node (4008), or one refusing callers it
				// has not verified yet while a flood spends its budget (4009), is asked again.
				let results =
					node.submit_attestations_retrying(&call, 50, Duration::from_millis(200));
				let mut tallied = BTreeMap::new();
				let queued = tally(&mut tallied, call.len(), results);
				if let Ok(mut honest) = honest.lock() {
					honest.0 += queued;
					for (reason, n) in tallied {
						*honest.1.entry(reason).or_default() += n;
					}
				}
			})
		})
		.collect();

	let flooders = spawn_flooders(client, options, genesis, &stop);

	let first_block = client.best_number()? + 1;
	let mut sent: Option<(u32, SlotIndex)> = None;
	while Instant::now() < deadline {
		let status = client.queue_status()?;
		let Some(view) = status.epoch else {
			std::thread::sleep(Duration::from_millis(500));
			continue;
		};
		if let Some(slot) = next_slot_to_sign(&view, sent) {
			if let Some(anchor_block) = view.anchor_block(slot) {
				if let Some(anchor) = client.block_hash(anchor_block)? {
					let beats =
						sign_slot(&pairs, genesis, view.index, slot, anchor.0, options.signers);
					report.offered += beats.len() as u64;
					for call in beats.chunks(MAX_PER_CALL) {
						calls.send(call.to_vec()).map_err(|_| "posters stopped")?;
					}
					sent = Some((view.index, slot));
					continue;
				}
			}
		}
		std::thread::sleep(Duration::from_millis(200));
	}
	report.seconds = started.elapsed().as_secs_f64();
	stop.store(true, Ordering::SeqCst);
	drop(calls);
	for poster in posters {
		let _ = poster.join();
	}
	let (flooding_device, keyless_flooder) = flooders.join();
	report.flooding_device = flooding_device;
	report.keyless_flooder = keyless_flooder;
	if let Ok(honest) = honest.lock() {
		report.queued = honest.0;
		report.refused = honest.1.clone();
	}
	report.generator_cpu_seconds = cpu_seconds() - cpu_at_start;
	report.generator_cores = report.generator_cpu_seconds / report.seconds.max(1e-9);
	report.offered_per_second = report.offered as f64 / report.seconds.max(1e-9);

	// Follow the chain until the node's queue and batches in flight are empty.
	let settle = Instant::now() + Duration::from_secs(90);
	loop {
		let status: Value = client.call("depin_queueStatus", serde_json::json!([]))?;
		let idle = status["queuedChunks"].as_u64() == Some(0)
			&& status["inFlightBatches"].as_u64() == Some(0);
		if idle || Instant::now() > settle {
			break;
		}
		std::thread::sleep(Duration::from_secs(2));
	}
	// Two more blocks: the last batches land in the block after the worker saw them.
	let last_block = client.best_number()? + 2;
	while client.best_number()? < last_block {
		std::thread::sleep(Duration::from_secs(1));
	}
	for number in first_block..=last_block {
		let Some(hash) = client.block_hash(number)? else { continue };
		let records = client.events(hash)?;
		// The extrinsics that processed a batch, and what each was charged.
		let mut batch_phases = std::collections::BTreeSet::new();
		let mut charged: BTreeMap<u32, u64> = BTreeMap::new();
		let mut accepted_here = 0u64;
		for record in &records {
			use pallet_proof_of_coverage::Event as Poc;
			let frame_system::Phase::ApplyExtrinsic(at) = record.phase else { continue };
			match &record.event {
				depin_runtime::RuntimeEvent::ProofOfCoverage(Poc::BatchProcessed {
					accepted,
					..
				}) => {
					batch_phases.insert(at);
					accepted_here += u64::from(*accepted);
				}
				depin_runtime::RuntimeEvent::ProofOfCoverage(Poc::AttestationRejected {
					reason,
					..
				}) => *report.rejected_on_chain.entry(format!("{reason:?}")).or_default() += 1,
				depin_runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess {
					dispatch_info,
				}) => {
					charged.insert(at, dispatch_info.weight.ref_time());
				}
				_ => {}
			}
		}
		let charged_here: u64 = batch_phases.iter().filter_map(|at| charged.get(at)).copied().sum();
		let charged_micros = charged_here as f64 / 1e6;
		report.accepted_on_chain += accepted_here;
		report.charged_micros += charged_micros;
		if accepted_here > 0 {
			let first = report.accepted_blocks.map_or(number, |(f, _)| f);
			report.accepted_blocks = Some((first, number));
			report.blocks.push(BlockLoad { number, accepted: accepted_here, charged_micros });
		}
	}
	if let Some((first, last)) = report.accepted_blocks {
		let block_seconds = depin_runtime::MILLISECS_PER_BLOCK as f64 / 1_000.0;
		report.accepted_per_second =
			report.accepted_on_chain as f64 / (f64::from(last - first + 1) * block_seconds);
		let deadline = Instant::now() + Duration::from_secs(60);
		while Instant::now() < deadline && client.finalized_number()? < last {
			std::thread::sleep(Duration::from_secs(1));
		}
		report.all_finalized = client.finalized_number()? >= last;
	}
	report.honest_accepted = report
		.accepted_on_chain
		.saturating_sub(report.flooding_device.queued)
		.saturating_sub(report.keyless_flooder.queued)
		.min(report.offered);
	report.honest_accepted_share = report.honest_accepted as f64 / (report.offered.max(1) as f64);
	report.charged_micros_per_attestation =
		report.charged_micros / (report.accepted_on_chain.max(1) as f64);
	Ok(report)
}

/// The next slot to sign heartbeats for: the one the next block falls in, once the last one
/// signed is behind it (slots of a new epoch start from the next block's).
fn next_slot_to_sign(view: &EpochView, sent: Option<(u32, SlotIndex)>) -> Option<SlotIndex> {
	let next = view.slot_at(view.best_block + 1)?;
	match sent {
		Some((epoch, slot)) if epoch == view.index && slot >= next => None,
		_ => Some(next),
	}
}

/// The flooders' threads.
struct Flooders {
	device: Option<std::thread::JoinHandle<FloodStats>>,
	/// The forger, then the junk posters.
	keyless: Vec<std::thread::JoinHandle<FloodStats>>,
}

impl Flooders {
	fn join(self) -> (FloodStats, FloodStats) {
		let device = self.device.and_then(|h| h.join().ok()).unwrap_or_default();
		let mut keyless = FloodStats::default();
		for stats in self.keyless.into_iter().filter_map(|h| h.join().ok()) {
			keyless.calls += stats.calls;
			keyless.attestations += stats.attestations;
			keyless.queued += stats.queued;
			for (reason, count) in stats.answers {
				*keyless.answers.entry(reason).or_default() += count;
			}
		}
		(device, keyless)
	}
}

/// Threads of the keyless flooder posting junk the chain's rules refuse (heartbeats of
/// made-up devices), alongside its forger: enough calls at once to hold every checker of a
/// node that let unproven connections take them all.
pub const KEYLESS_JUNK_THREADS: usize = 2;

fn spawn_flooders(
	client: &NodeClient,
	options: &LoadOptions,
	genesis: H256,
	stop: &Arc<AtomicBool>,
) -> Flooders {
	let counter = Arc::new(AtomicU64::new(0));
	let device = options.flood_device.then(|| {
		let (node, stop, counter) = (NodeClient::new(client.url()), stop.clone(), counter.clone());
		let pair = load_pair(options.seed, options.devices);
		std::thread::spawn(move || {
			let id = pair.public().device_id();
			let mut stats = FloodStats::default();
			while !stop.load(Ordering::SeqCst) {
				let epoch =
					node.queue_status().ok().and_then(|s| s.epoch).map_or(0, |view| view.index);
				let junk: Vec<SignedAttestation> = (0..MAX_PER_CALL)
					.map(|i| {
						let n = counter.fetch_add(1, Ordering::Relaxed);
						if i % 2 == 0 {
							let heartbeat = Heartbeat {
								device: id,
								epoch,
								slot: (n % 65_536) as SlotIndex,
								anchor: sp_io::hashing::blake2_256(&n.encode()),
							};
							let signature = pair.sign(
								&HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }
									.signing_bytes(),
							);
							SignedAttestation::Heartbeat { heartbeat, signature }
						} else {
							let report = WitnessReport {
								witness: id,
								beaconer: DeviceId(sp_io::hashing::blake2_256(&n.encode())),
								epoch,
								commitment: [1; 32],
								tag: [2; 32],
								rssi_dbm: -100,
								snr_decibels_x10: 50,
								frequency_khz: 868_100,
							};
							let signature = pair.sign(
								&WitnessPayload { genesis_hash: &genesis, report: &report }
									.signing_bytes(),
							);
							SignedAttestation::Witness { report, signature }
						}
					})
					.collect();
				stats.calls += 1;
				stats.attestations += junk.len() as u64;
				stats.queued +=
					tally(&mut stats.answers, junk.len(), node.submit_attestations(&junk));
			}
			stats
		})
	});
	// Thread 0 forges the victim's signatures; the others name made-up devices.
	let threads = options.keyless_victim.map_or(0, |_| 1 + KEYLESS_JUNK_THREADS);
	let keyless = (0..threads).map(|thread| {
		let victim = options.keyless_victim.unwrap_or_default();
		let (url, stop) = (client.url().to_string(), stop.clone());
		std::thread::spawn(move || {
			let mut stats = FloodStats::default();
			let mut n = (thread as u64) << 48;
			while !stop.load(Ordering::SeqCst) {
				// A new connection per call: the node's failure budget is per connection.
				let node = NodeClient::new(&url);
				let view = node.queue_status().ok().and_then(|s| s.epoch);
				let (epoch, slot) = view
					.as_ref()
					.and_then(|v| v.slot_at(v.best_block + 1).map(|s| (v.index, s)))
					.unwrap_or((0, 0));
				// The slot's real anchor (public): so the forgeries pass every rule but the
				// signature, the dearest place to refuse them.
				let anchor = view
					.as_ref()
					.and_then(|v| v.anchor_block(slot))
					.and_then(|block| node.block_hash(block).ok().flatten())
					.map_or([0u8; 32], |hash| hash.0);
				let forged: Vec<SignedAttestation> = (0..MAX_PER_CALL)
					.map(|_| {
						n += 1;
						let mut signature = [0u8; 64];
						signature[..32].copy_from_slice(&sp_io::hashing::blake2_256(&n.encode()));
						signature[32..]
							.copy_from_slice(&sp_io::hashing::blake2_256(&(n, 1u8).encode()));
						let device = if thread == 0 {
							victim
						} else {
							DeviceId(sp_io::hashing::blake2_256(&(n, 2u8).encode()))
						};
						SignedAttestation::Heartbeat {
							heartbeat: Heartbeat { device, epoch, slot, anchor },
							signature: DeviceSignature::EcdsaP256(signature),
						}
					})
					.collect();
				stats.calls += 1;
				stats.attestations += forged.len() as u64;
				stats.queued +=
					tally(&mut stats.answers, forged.len(), node.submit_attestations(&forged));
			}
			stats
		})
	});
	Flooders { device, keyless: keyless.collect() }
}
