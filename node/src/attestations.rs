//! `depin_submitAttestations`: devices hand their signed attestations to any oracle node; the
//! node admits them with the chain's own rules and queues them in its persistent off-chain
//! storage, where its off-chain worker drains them into signed batches (and keeps each batch
//! in flight until the chain has landed it). The queue survives restarts.
//!
//! Admission, cheapest first, so that a flood costs its sender more than the node:
//! 1. the call itself: at most [`MAX_ATTESTATIONS_PER_CALL`]; the node must be able to submit
//!    (an authorised oracle key, off-chain workers on), else a named error;
//! 2. per attestation, before any signature: already queued here (the same heartbeat slot,
//!    beacon, witness report or reveal; any bytes), and the signer's quota of queued
//!    attestations per uptime slot ([`IngestSettings::quota_per_slot`]);
//! 3. every rule the chain's state decides, in one runtime call at the best block
//!    (`admit_attestations`: slot window, already counted, challenged, witness geometry,
//!    window and bar, beacon state), which checks no signature;
//! 4. the device signature, natively in the node (a P-256 check costs about a millisecond
//!    in wasm, a tenth of that natively); reveals once the finalized chain is past their
//!    witness window.
//!
//! Only verified attestations take a slot of the quota or a place in the queue: an attacker
//! without a device key fills nothing; a device fills at most its own quota. The checks run
//! on blocking threads, at most [`IngestSettings::checkers`] calls at once, calls of
//! connections the node has not verified attestations of at most one fewer; other calls wait
//! their turn (and `--rpc-rate-limit` bounds each connection's calls).
//!
//! A connection is a WebSocket connection: the RPC server builds a service per HTTP request,
//! so each HTTP request arrives with a connection id of its own, and an HTTP caller is a
//! newcomer at every call (no failure budget or credit carries over).

use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex},
};

use codec::{Decode, DecodeAll, Encode};
use depin_primitives::{
	api::{Admission, EpochSummary, ProofOfCoverageApi},
	oracle::{queue, KEY_TYPE},
	AttestationRejection, EpochIndex, OracleId, SignedAttestation, SlotIndex,
};
use depin_runtime::{opaque::Block, BlockNumber};
use jsonrpsee::{
	core::{async_trait, RpcResult},
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{
	offchain::{OffchainStorage, STORAGE_PREFIX},
	Bytes,
};
use sp_keystore::KeystorePtr;

/// Most attestations in one `depin_submitAttestations` call.
pub const MAX_ATTESTATIONS_PER_CALL: usize = 1024;
/// Most chunks (calls' worth of attestations) the queue holds before refusing more.
pub const MAX_QUEUED_CHUNKS: u64 = 4096;
/// Most attestations the node remembers as queued (to refuse a second copy): heartbeats of
/// the last three slots and the other attestations of two epochs, for over a million
/// devices.
const MAX_REMEMBERED: usize = 8_000_000;

/// Error codes of the `depin_*` methods.
pub mod error {
	/// More than [`super::MAX_ATTESTATIONS_PER_CALL`] attestations in one call.
	pub const TOO_MANY: i32 = 4001;
	/// The node holds no oracle key, so nothing it queues would ever be submitted.
	pub const NOT_AN_ORACLE: i32 = 4002;
	/// The queue is full: the node's oracle is not keeping up.
	pub const QUEUE_FULL: i32 = 4003;
	/// The runtime could not be asked (node still starting, or state pruned).
	pub const RUNTIME: i32 = 4004;
	/// The node's oracle key is not authorised on chain: its batches would be refused.
	pub const ORACLE_NOT_AUTHORISED: i32 = 4006;
	/// The node runs without off-chain workers (`--offchain-worker never`): nothing it
	/// queued would be submitted.
	pub const OFFCHAIN_WORKERS_DISABLED: i32 = 4007;
	/// Every checker is busy and [`super::IngestSettings::backlog`] calls wait already, or
	/// the connection's other calls in progress hold its budget of failed checks: try again
	/// shortly (or another node).
	pub const BUSY: i32 = 4008;
	/// This connection's signature checks failed
	/// [`super::IngestSettings::failure_budget`] times in this uptime slot: its calls are
	/// refused until the next slot. Or neither the node's bucket
	/// ([`super::IngestSettings::unproven_failures_per_second`]) nor the credit the
	/// connection's verified attestations earned can pay a check: retry shortly.
	pub const TOO_MANY_BAD_SIGNATURES: i32 = 4009;
}

/// How a node takes attestations in (`depin-node --attestation-quota`, `--attestation-checkers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IngestSettings {
	/// Most attestations one device may have queued on this node per uptime slot, all kinds
	/// together; more are answered `QuotaExceeded` (before any signature check).
	pub quota_per_slot: u16,
	/// Calls checked at once, each on a blocking thread; later calls wait their turn.
	pub checkers: usize,
	/// Calls that may wait for a checker; more are refused with [`error::BUSY`].
	pub backlog: usize,
	/// Failed signature checks allowed per RPC connection and quota window; past it, the
	/// connection's attestations are refused unchecked ([`error::TOO_MANY_BAD_SIGNATURES`]).
	pub failure_budget: u32,
	/// Signature checks per second, all connections together, the node pays from its
	/// bucket, in Ed25519 checks (a P-256 check counts [`P256_CHECK_COST`]); up to a second's
	/// worth at once. A check verified is paid back, so in effect this bounds failed checks.
	/// When the bucket cannot pay, a check is paid from the connection's credit (each
	/// verified attestation earns its cost, up to [`MAX_CREDIT`]); when neither can, the call
	/// is refused with [`error::TOO_MANY_BAD_SIGNATURES`] (retry shortly). Bounds what
	/// keyless callers opening a new connection per call can make the node verify, whatever
	/// valid attestations they copy from the pool: one failed check per one verified.
	pub unproven_failures_per_second: u32,
	/// Whether the node runs its off-chain workers (which submit the queue).
	pub offchain_workers: bool,
}

impl Default for IngestSettings {
	fn default() -> Self {
		Self {
			quota_per_slot: 16,
			checkers: 2,
			backlog: 32,
			failure_budget: 64,
			unproven_failures_per_second: 256,
			offchain_workers: true,
		}
	}
}

/// What happened to one submitted attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResult {
	/// Its position in the call.
	pub index: u32,
	/// `true`: queued for this node's next batches.
	pub queued: bool,
	/// Why it was refused: `Malformed: …`, `AlreadyQueued` (this node queued the same
	/// heartbeat slot, beacon, witness report or reveal already), `QuotaExceeded` (the device
	/// has `--attestation-quota` attestations queued in this slot), or a chain rejection such
	/// as `BadSignature`, `UnknownDevice`, `SlotNotStarted`, `Duplicate`, `WrongEpoch`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// The node's queue and whether it can drain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
	/// Chunks (accepted calls) waiting for the off-chain worker.
	pub queued_chunks: u64,
	/// Batches the off-chain worker submitted that the chain has not landed yet.
	pub in_flight_batches: u64,
	/// Whether the keystore holds an oracle (`dpoc`) key.
	pub has_oracle_key: bool,
	/// Whether that key is authorised on chain (at the best block).
	pub oracle_authorised: bool,
	/// Whether the node runs off-chain workers.
	pub offchain_workers: bool,
	/// The current epoch at the best block, if started.
	pub epoch: Option<EpochView>,
}

/// The current epoch, for devices (which slot to beat in, what randomness to sign).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochView {
	/// Epoch index.
	pub index: u32,
	/// First block.
	pub start: BlockNumber,
	/// Length in blocks.
	pub length: BlockNumber,
	/// Uptime slots.
	pub slots: u16,
	/// Randomness, hex.
	pub randomness: Bytes,
	/// Challenge rate, parts per billion.
	pub challenge_rate: u32,
	/// The epoch's first blocks that still take the previous epoch's beacons and witness
	/// reports; the previous epoch's reveals are accepted from `start + witnessGrace` on.
	pub witness_grace: BlockNumber,
	/// The best block's number.
	pub best_block: BlockNumber,
	/// The finalized block's number: this node queues a reveal only once the finalized
	/// chain is past the witness window (`finalizedBlock ≥ start + witnessGrace`).
	pub finalized_block: BlockNumber,
}

/// The `depin_*` attestation methods.
#[rpc(server)]
pub trait AttestationApi {
	/// Admits and queues attestations: each a hex string of a SCALE-encoded
	/// `SignedAttestation`. Answers one result per item, in order.
	#[method(name = "depin_submitAttestations", with_extensions)]
	async fn submit_attestations(
		&self,
		attestations: Vec<Bytes>,
	) -> RpcResult<Vec<SubmissionResult>>;

	/// The node's attestation queue, batches in flight, oracle key and the current epoch.
	#[method(name = "depin_queueStatus")]
	fn queue_status(&self) -> RpcResult<QueueStatus>;
}

/// What makes two attestations the same for the chain (it counts at most one of them): a
/// device's heartbeat in a slot, its beacon or reveal of an epoch, a witness's report of a
/// beacon.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Subject {
	Heartbeat(DeviceBytes, SlotIndex),
	Beacon(DeviceBytes),
	Witness(DeviceBytes, DeviceBytes),
	Reveal(DeviceBytes),
}

/// A device id's bytes (hashable).
type DeviceBytes = [u8; 32];

impl Subject {
	fn of(attestation: &SignedAttestation) -> (EpochIndex, Self) {
		let subject = match attestation {
			SignedAttestation::Heartbeat { heartbeat, .. } => {
				Self::Heartbeat(heartbeat.device.0, heartbeat.slot)
			}
			SignedAttestation::Beacon { beacon, .. } => Self::Beacon(beacon.device.0),
			SignedAttestation::Witness { report, .. } => {
				Self::Witness(report.witness.0, report.beaconer.0)
			}
			SignedAttestation::Reveal(reveal) => Self::Reveal(reveal.device.0),
		};
		(attestation.epoch(), subject)
	}
}

/// The uptime slot a call arrives in (the one the next block falls in), over which quotas
/// are counted.
pub type QuotaWindow = (EpochIndex, SlotIndex);

/// Blocks after it was queued from which the node takes a remembered attestation again, if
/// it has left the queue and the chain still does not count it: it was refused on chain, or
/// lost, and its device sends it again. Its batch lands two blocks after it leaves the
/// queue when nothing goes wrong; a copy taken while the first is still in flight is refused
/// by the chain as `Duplicate`, which only costs the chain one check.
pub const RETRY_AFTER_BLOCKS: BlockNumber = 6;

/// Where and when a remembered attestation was queued.
#[derive(Clone, Copy)]
struct Remembered {
	/// The chunk it was written in: still queued while the queue's head has not passed it.
	chunk: u64,
	/// The best block when it was queued.
	best: BlockNumber,
}

/// Blocks a slot's heartbeats are remembered for at least after the last one joined, however
/// short the slots: longer than any preset's `heartbeat_grace` plus the runtime's
/// `ADMISSION_LEAD` (a copy of a heartbeat the chain may still take is refused here, not
/// queued again).
pub const HEARTBEAT_MEMORY_BLOCKS: BlockNumber = 32;

/// What the node has queued: each attestation's subject, and each device's count in the
/// current quota window. Holds only verified attestations.
///
/// Heartbeats are kept per slot, for the slots of the last three quota windows the node saw
/// and at least [`HEARTBEAT_MEMORY_BLOCKS`] after the slot's last one (a heartbeat of an
/// older slot is refused by the chain as expired, or a copy lands as `Duplicate`): a few
/// slots' worth of the fleet. Other subjects are kept for the current and the previous epoch.
#[derive(Default)]
struct Queued {
	subjects: BTreeMap<SubjectBucket, Bucket>,
	remembered: usize,
	/// The last three quota windows entered, oldest first (windows only move forward).
	recent: std::collections::VecDeque<QuotaWindow>,
	per_device: HashMap<DeviceBytes, u16>,
}

/// Where a subject is kept: heartbeats by their epoch and slot, the others by their epoch.
type SubjectBucket = (EpochIndex, Option<SlotIndex>);

/// The subjects of one [`SubjectBucket`].
#[derive(Default)]
struct Bucket {
	/// The best block when the last one joined.
	last_best: BlockNumber,
	subjects: HashMap<Subject, Remembered>,
}

fn bucket_of((epoch, subject): &(EpochIndex, Subject)) -> SubjectBucket {
	match subject {
		Subject::Heartbeat(_, slot) => (*epoch, Some(*slot)),
		_ => (*epoch, None),
	}
}

impl Queued {
	/// Moves to `window` (at best block `best`) if it is newer than the current one: quotas
	/// start again; heartbeats of slots before the last three windows and older than
	/// [`HEARTBEAT_MEMORY_BLOCKS`], and subjects of epochs the chain no longer takes (before
	/// the previous one), are forgotten. An older window (a call that read an older best
	/// block) changes nothing.
	fn enter(&mut self, window: QuotaWindow, best: BlockNumber) {
		if self.recent.back().is_some_and(|last| *last >= window) {
			return;
		}
		self.recent.push_back(window);
		if self.recent.len() > 3 {
			self.recent.pop_front();
		}
		self.per_device.clear();
		let oldest_slot = self.recent.front().copied().unwrap_or(window);
		let keep_from = window.0.saturating_sub(1);
		let mut forgotten = 0;
		self.subjects.retain(|(epoch, slot), bucket| {
			let recent = slot.is_none_or(|slot| {
				(*epoch, slot) >= oldest_slot
					|| best < bucket.last_best.saturating_add(HEARTBEAT_MEMORY_BLOCKS)
			});
			let keep = *epoch >= keep_from && recent;
			if !keep {
				forgotten += bucket.subjects.len();
			}
			keep
		});
		self.remembered = self.remembered.saturating_sub(forgotten);
	}

	/// Whether the node holds `subject` still: in its queue (`head` is the queue's head), or
	/// queued fewer than [`RETRY_AFTER_BLOCKS`] before `best` (most likely in flight).
	fn holds(&self, subject: &(EpochIndex, Subject), head: u64, best: BlockNumber) -> bool {
		let bucket = self.subjects.get(&bucket_of(subject));
		bucket
			.and_then(|bucket| bucket.subjects.get(&subject.1))
			.is_some_and(|at| at.chunk >= head || best < at.best.saturating_add(RETRY_AFTER_BLOCKS))
	}

	fn used(&self, device: &DeviceBytes) -> u16 {
		self.per_device.get(device).copied().unwrap_or(0)
	}

	fn insert(&mut self, subject: (EpochIndex, Subject), device: DeviceBytes, at: Remembered) {
		let bucket = self.subjects.entry(bucket_of(&subject)).or_default();
		bucket.last_best = bucket.last_best.max(at.best);
		if bucket.subjects.insert(subject.1, at).is_none() {
			self.remembered += 1;
		}
		*self.per_device.entry(device).or_default() += 1;
	}
}

/// The queue writer, shared by every RPC connection of the node.
pub struct AttestationQueue<S> {
	storage: Mutex<(S, Queued)>,
	keystore: KeystorePtr,
	settings: IngestSettings,
	checkers: Arc<tokio::sync::Semaphore>,
	/// Calls waiting for a checker.
	waiting: std::sync::atomic::AtomicUsize,
	/// The places among the checkers that calls of unproven connections may hold at once
	/// ([`unproven_lane`]).
	unproven: Arc<tokio::sync::Semaphore>,
	/// Calls of unproven connections waiting for a place in their lane.
	waiting_unproven: std::sync::atomic::AtomicUsize,
	/// Failed signature checks per RPC connection in the current quota window.
	failures: Mutex<FailureLedger>,
}

/// Most connections whose failed checks are remembered at once (the node's
/// `--rpc-max-connections` is far below it); past it the ledger starts again.
const MAX_LEDGER_CONNECTIONS: usize = 65_536;

/// What a P-256 check costs against [`IngestSettings::unproven_failures_per_second`], in
/// Ed25519 checks (natively 288 µs against 37.5 µs, `docs/performance.md`).
pub const P256_CHECK_COST: u32 = 8;

/// Most credit a connection's verified attestations earn it, in Ed25519 checks.
const MAX_CREDIT: f64 = 512.0;

/// What asking the chain's rules costs when they refuse, in Ed25519 checks, paid from the
/// connection's credit after the runtime call: one for a call whose every item they refuse,
/// and [`REFUSED_ITEM_COST`] for each item they refuse (each read state to be refused, and
/// nothing queued pays for it). An item the rules take is paid for by its signature check.
/// So credit earned by verified attestations buys failed checks or refused items, not both.
///
/// Not from the node's bucket: paid from it (with debt), a flooding device's refused junk
/// kept the bucket empty and honest connections without credit yet were never checked
/// (`scripts/bench.sh` flooded run: 86 % of honest heartbeats accepted). A keyless caller's
/// refused items are bounded by the unproven connections' lane of checkers instead
/// ([`AttestationQueue::checker`]).
const ADMISSION_CALL_COST: f64 = 1.0;
/// See [`ADMISSION_CALL_COST`].
const REFUSED_ITEM_COST: f64 = 0.25;

/// The cost of checking a `scheme` signature, in Ed25519 checks.
fn check_cost(scheme: depin_primitives::SignatureScheme) -> f64 {
	match scheme {
		depin_primitives::SignatureScheme::EcdsaP256 => f64::from(P256_CHECK_COST),
		_ => 1.0,
	}
}

/// Per RPC connection, in one quota window: checks failed and checks reserved by its calls in
/// progress. Across windows: the credit its verified attestations earned. For the node: the
/// bucket every check is paid from when the connection's credit cannot pay it.
#[derive(Default)]
struct FailureLedger {
	window: Option<QuotaWindow>,
	/// `(failed, reserved)`; an entry back at `(0, 0)` is removed.
	per_connection: HashMap<usize, (u32, u32)>,
	/// Ed25519 checks each connection may have paid from its credit.
	credit: HashMap<usize, f64>,
	/// Tokens (Ed25519 checks) of the node's bucket, and when last refilled.
	bucket: Option<(f64, std::time::Instant)>,
}

impl FailureLedger {
	/// Budgets start again in a new window; credit stays (until the map is full: then every
	/// connection earns it again).
	fn enter(&mut self, window: QuotaWindow) {
		let newer = self.window.is_none_or(|current| window > current);
		if newer {
			self.window = Some(window);
		}
		if newer || self.per_connection.len() >= MAX_LEDGER_CONNECTIONS {
			self.per_connection.clear();
		}
		if self.credit.len() >= MAX_LEDGER_CONNECTIONS {
			self.credit.clear();
		}
	}

	/// The bucket at `now`: refilled at `rate` per second, at most `rate` (a clock read
	/// earlier by another call never takes it back).
	fn bucket(&mut self, rate: u32, now: std::time::Instant) -> &mut f64 {
		let rate = f64::from(rate);
		let (tokens, last) = self.bucket.get_or_insert((rate, now));
		if now > *last {
			*tokens = (*tokens + (now - *last).as_secs_f64() * rate).min(rate);
			*last = now;
		}
		tokens
	}
}

/// Who paid for a check.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Payer {
	/// A call from inside the node: not limited.
	Free,
	/// The node's bucket.
	Bucket,
	/// The connection's credit.
	Credit,
}

/// [`error::TOO_MANY_BAD_SIGNATURES`] for a connection whose check neither the node's bucket
/// nor its own credit can pay.
fn unproven_refused() -> ErrorObjectOwned {
	ErrorObject::owned(
		error::TOO_MANY_BAD_SIGNATURES,
		"this node is spending all it allows on signature checks of callers it has not \
		 verified enough attestations of: retry shortly",
		None::<()>,
	)
}

/// The places among `checkers` that calls of unproven connections may hold at once: all but
/// one, so one always stays for connections the node has verified attestations of (with a
/// single checker, that one).
fn unproven_lane(checkers: usize) -> usize {
	checkers.saturating_sub(1).max(1)
}

/// A checker held for one call (and, for an unproven connection, its place in the lane),
/// given back when dropped.
#[derive(Debug)]
struct Checker {
	_checker: tokio::sync::OwnedSemaphorePermit,
	_lane: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// A permit of `semaphore`: free now, or after waiting behind at most `backlog` other
/// callers counted in `waiting`; else [`error::BUSY`].
async fn wait_for(
	semaphore: &Arc<tokio::sync::Semaphore>,
	waiting: &std::sync::atomic::AtomicUsize,
	backlog: usize,
) -> Result<tokio::sync::OwnedSemaphorePermit, ErrorObjectOwned> {
	use std::sync::atomic::Ordering;
	if let Ok(permit) = semaphore.clone().try_acquire_owned() {
		return Ok(permit);
	}
	/// A place in the backlog, given back however the wait ends (a caller that hangs up
	/// drops the waiting call).
	struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
	impl Drop for Waiting<'_> {
		fn drop(&mut self) {
			self.0.fetch_sub(1, Ordering::SeqCst);
		}
	}
	let place = Waiting(waiting);
	if waiting.fetch_add(1, Ordering::SeqCst) >= backlog {
		return Err(ErrorObject::owned(
			error::BUSY,
			"every attestation checker is busy and the backlog is full: try again shortly",
			None::<()>,
		));
	}
	let permit = semaphore.clone().acquire_owned().await;
	drop(place);
	permit.map_err(runtime_error)
}

/// What one call may fail: part of its connection's budget left in the window, reserved
/// for the call (so calls in progress together on one connection share the budget).
struct FailureAllowance {
	connection: Option<usize>,
	reserved: u32,
}

impl<S: OffchainStorage> AttestationQueue<S> {
	/// A writer over the node's persistent off-chain storage.
	pub fn new(storage: S, keystore: KeystorePtr, settings: IngestSettings) -> Arc<Self> {
		Arc::new(Self {
			storage: Mutex::new((storage, Queued::default())),
			keystore,
			checkers: Arc::new(tokio::sync::Semaphore::new(settings.checkers.max(1))),
			waiting: Default::default(),
			unproven: Arc::new(tokio::sync::Semaphore::new(unproven_lane(settings.checkers))),
			waiting_unproven: Default::default(),
			failures: Default::default(),
			settings,
		})
	}

	fn read<V: Decode + Default>(storage: &S, key: &[u8]) -> V {
		storage
			.get(STORAGE_PREFIX, key)
			.and_then(|raw| V::decode(&mut &raw[..]).ok())
			.unwrap_or_default()
	}

	/// Chunks waiting.
	pub fn queued_chunks(&self) -> u64 {
		let guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
		let (storage, _) = &*guard;
		Self::read::<u64>(storage, queue::TAIL)
			.saturating_sub(Self::read::<u64>(storage, queue::HEAD))
	}

	/// Batches submitted and not landed yet (as the off-chain worker last saw the chain).
	pub fn in_flight_batches(&self) -> u64 {
		let guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
		Self::read::<queue::InFlight>(&guard.0, queue::IN_FLIGHT).pending()
	}

	/// This node's oracle keys.
	pub fn oracle_keys(&self) -> Vec<OracleId> {
		self.keystore.sr25519_public_keys(KEY_TYPE).into_iter().map(OracleId::from).collect()
	}

	/// Reserves up to `items` of what `connection` may still fail in `window` for one call
	/// (`None`: a call from inside the node, unlimited). Refused with
	/// [`error::TOO_MANY_BAD_SIGNATURES`] if the connection failed its budget, or if neither
	/// the node's bucket nor the connection's credit holds a check; with [`error::BUSY`] if
	/// its other calls in progress hold what is left.
	fn reserve_failures(
		&self,
		connection: Option<usize>,
		window: QuotaWindow,
		now: std::time::Instant,
		items: usize,
	) -> Result<FailureAllowance, ErrorObjectOwned> {
		let Some(id) = connection else {
			return Ok(FailureAllowance { connection, reserved: u32::MAX });
		};
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		ledger.enter(window);
		let budget = self.settings.failure_budget;
		let (failed, reserved) = ledger.per_connection.get(&id).copied().unwrap_or((0, 0));
		if failed >= budget {
			return Err(ErrorObject::owned(
				error::TOO_MANY_BAD_SIGNATURES,
				format!(
					"{budget} signature checks of this connection failed in this uptime slot: \
					 its attestations are refused until the next slot"
				),
				None::<()>,
			));
		}
		let left = budget.saturating_sub(failed).saturating_sub(reserved);
		if left == 0 {
			return Err(ErrorObject::owned(
				error::BUSY,
				"this connection's calls in progress hold its budget of failed checks: retry \
				 shortly",
				None::<()>,
			));
		}
		let credit = ledger.credit.get(&id).copied().unwrap_or(0.0);
		if credit < 1.0 && *ledger.bucket(self.settings.unproven_failures_per_second, now) < 1.0 {
			return Err(unproven_refused());
		}
		let take = left.min(u32::try_from(items).unwrap_or(u32::MAX)).max(1);
		ledger.per_connection.insert(id, (failed, reserved.saturating_add(take)));
		Ok(FailureAllowance { connection, reserved: take })
	}

	/// Before a check of `cost` on `connection`: the node's bucket pays it, or else the
	/// connection's credit; `None` if neither can.
	fn pay_check(
		&self,
		connection: Option<usize>,
		cost: f64,
		now: std::time::Instant,
	) -> Option<Payer> {
		let Some(id) = connection else { return Some(Payer::Free) };
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		let rate = self.settings.unproven_failures_per_second;
		let bucket = ledger.bucket(rate, now);
		if *bucket >= cost.min(f64::from(rate)) {
			*bucket -= cost;
			return Some(Payer::Bucket);
		}
		match ledger.credit.get_mut(&id) {
			Some(credit) if *credit >= cost => {
				*credit -= cost;
				Some(Payer::Credit)
			}
			_ => None,
		}
	}

	/// After asking the chain's rules for `connection` at a `cost`: its credit pays what it
	/// can (see [`ADMISSION_CALL_COST`]).
	fn pay_admission(&self, connection: Option<usize>, cost: f64) {
		let Some(id) = connection else { return };
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		if let Some(credit) = ledger.credit.get_mut(&id) {
			*credit = (*credit - cost).max(0.0);
		}
	}

	/// After a check of `cost` verified: the payer gets it back. (What the connection earns
	/// for it is credited once the attestation is queued: [`Self::earn`].) A failed check
	/// is not paid back.
	fn verified(
		&self,
		connection: Option<usize>,
		payer: Payer,
		cost: f64,
		now: std::time::Instant,
	) {
		let Some(id) = connection else { return };
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		let rate = self.settings.unproven_failures_per_second;
		match payer {
			Payer::Bucket => {
				let bucket = ledger.bucket(rate, now);
				*bucket = (*bucket + cost).min(f64::from(rate));
			}
			Payer::Credit => *ledger.credit.entry(id).or_default() += cost,
			Payer::Free => {}
		}
	}

	/// `connection` had attestations worth `earned` (their checks' cost) queued: its credit
	/// grows by that, up to [`MAX_CREDIT`]. Only what is queued earns: a copy of an
	/// attestation queued already, or a second copy in the call, earns nothing.
	fn earn(&self, connection: Option<usize>, earned: f64) {
		let (Some(id), true) = (connection, earned > 0.0) else { return };
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		let credit = ledger.credit.entry(id).or_default();
		*credit = (*credit + earned).min(MAX_CREDIT);
	}

	/// Gives back what the call reserved and records what it failed.
	fn settle_failures(&self, allowance: FailureAllowance, window: QuotaWindow, failed: u32) {
		let Some(id) = allowance.connection else { return };
		let mut ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		if ledger.window != Some(window) {
			return;
		}
		if let Some((was_failed, reserved)) = ledger.per_connection.get(&id).copied() {
			let entry =
				(was_failed.saturating_add(failed), reserved.saturating_sub(allowance.reserved));
			if entry == (0, 0) {
				ledger.per_connection.remove(&id);
			} else {
				ledger.per_connection.insert(id, entry);
			}
		}
	}

	/// Whether `connection` is proven for a call of `items`: a call from inside the node, or a
	/// connection whose verified attestations left it credit for the call's dearest refusal
	/// by the rules (every item refused: [`ADMISSION_CALL_COST`] + [`REFUSED_ITEM_COST`] per
	/// item). So one attestation copied from the pool does not make a call of junk proven.
	fn proven(&self, connection: Option<usize>, items: usize) -> bool {
		let Some(id) = connection else { return true };
		let dearest = ADMISSION_CALL_COST + REFUSED_ITEM_COST * items as f64;
		let ledger = self.failures.lock().unwrap_or_else(|e| e.into_inner());
		ledger.credit.get(&id).is_some_and(|credit| *credit >= dearest)
	}

	/// A checker for one call of `items` from `connection`: free now, or after waiting behind at most
	/// [`IngestSettings::backlog`] other calls; else [`error::BUSY`].
	///
	/// A connection that is not [proven](Self::proven) (a new one, or one whose credit
	/// refused items spent) first takes a place in the unproven lane: such calls hold at
	/// most [`unproven_lane`] checkers at once and at most half the backlog waits for the
	/// lane, so however many keyless callers post junk the chain's rules refuse (which no
	/// signature check, and so no bucket, pays for), a proven connection waits behind at
	/// most that many calls, never behind the flood.
	async fn checker(
		&self,
		connection: Option<usize>,
		items: usize,
	) -> Result<Checker, ErrorObjectOwned> {
		let lane = if self.proven(connection, items) {
			None
		} else {
			let backlog = (self.settings.backlog / 2).max(1);
			Some(wait_for(&self.unproven, &self.waiting_unproven, backlog).await?)
		};
		let checker = wait_for(&self.checkers, &self.waiting, self.settings.backlog).await?;
		Ok(Checker { _checker: checker, _lane: lane })
	}

	/// Admits `attestations` (step 2 to 4 of the module's list) and queues those admitted as
	/// one chunk. `admit` asks the chain's rules at the best block, `admit_finalized` at the
	/// finalized one (for reveals); `window` is the current quota window, `now` the time
	/// the unproven callers' budget refills by.
	#[allow(clippy::too_many_arguments)]
	fn submit(
		&self,
		attestations: Vec<Bytes>,
		window: QuotaWindow,
		best: BlockNumber,
		connection: Option<usize>,
		now: std::time::Instant,
		admit: impl FnOnce(Vec<SignedAttestation>) -> Result<Vec<Admission>, ErrorObjectOwned>,
		admit_finalized: impl FnOnce(Vec<SignedAttestation>) -> Vec<Admission>,
	) -> Result<Vec<SubmissionResult>, ErrorObjectOwned> {
		let allowance = self.reserve_failures(connection, window, now, attestations.len())?;
		let mut failed = 0u32;
		let answer = self.submit_within(
			attestations,
			(window, best),
			now,
			&allowance,
			&mut failed,
			admit,
			admit_finalized,
		);
		// Whatever the outcome, what was reserved and not failed goes back.
		self.settle_failures(allowance, window, failed);
		answer
	}

	/// [`Self::submit`] within `allowance`, counting its failed checks in `failed`.
	#[allow(clippy::too_many_arguments)]
	fn submit_within(
		&self,
		attestations: Vec<Bytes>,
		(window, best): (QuotaWindow, BlockNumber),
		now: std::time::Instant,
		allowance: &FailureAllowance,
		failed: &mut u32,
		admit: impl FnOnce(Vec<SignedAttestation>) -> Result<Vec<Admission>, ErrorObjectOwned>,
		admit_finalized: impl FnOnce(Vec<SignedAttestation>) -> Vec<Admission>,
	) -> Result<Vec<SubmissionResult>, ErrorObjectOwned> {
		let mut results: Vec<SubmissionResult> = (0..attestations.len())
			.map(|i| SubmissionResult { index: i as u32, queued: false, error: None })
			.collect();
		let refuse = |results: &mut Vec<SubmissionResult>, i: usize, reason: String| {
			results[i].error = Some(reason);
		};
		// Decoded, and not already queued or over quota (before any signature).
		let mut candidates = Vec::new();
		{
			let mut guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
			let (storage, queued) = &mut *guard;
			// A full queue refuses the call before any work is spent on it.
			Self::ensure_room(storage, queued)?;
			queued.enter(window, best);
			let head = Self::read::<u64>(storage, queue::HEAD);
			let mut in_call_per_device = HashMap::<DeviceBytes, u16>::new();
			// Byte-identical copies within the call are checked once: the same bytes get the
			// same verdict, and a copied valid attestation must not buy more than one check.
			let mut in_call_bytes = std::collections::HashSet::<&[u8]>::new();
			for (i, raw) in attestations.iter().enumerate() {
				let attestation = match SignedAttestation::decode_all(&mut &raw[..]) {
					Ok(a) => a,
					Err(e) => {
						refuse(&mut results, i, format!("Malformed: {e}"));
						continue;
					}
				};
				if !in_call_bytes.insert(&raw[..]) {
					refuse(&mut results, i, "AlreadyQueued".into());
					continue;
				}
				let subject = Subject::of(&attestation);
				// Copies within the call are told apart after their signatures (in `push`):
				// a forged copy must not make the genuine one look queued.
				if queued.holds(&subject, head, best) {
					refuse(&mut results, i, "AlreadyQueued".into());
					continue;
				}
				let device = attestation.device().0;
				let in_call_count = in_call_per_device.entry(device).or_default();
				if queued.used(&device).saturating_add(*in_call_count)
					>= self.settings.quota_per_slot
				{
					refuse(&mut results, i, "QuotaExceeded".into());
					continue;
				}
				*in_call_count += 1;
				candidates.push((i, attestation));
			}
		}
		if candidates.is_empty() {
			return Ok(results);
		}
		let admissions = admit(candidates.iter().map(|(_, a)| a.clone()).collect())?;
		if admissions.len() != candidates.len() {
			return Err(runtime_error(format!(
				"admit_attestations answered {} of {} attestations",
				admissions.len(),
				candidates.len()
			)));
		}
		let refused_by_rules = admissions.iter().filter(|admission| admission.is_err()).count();
		if refused_by_rules > 0 {
			let call = if refused_by_rules == admissions.len() { ADMISSION_CALL_COST } else { 0.0 };
			let cost = call + REFUSED_ITEM_COST * refused_by_rules as f64;
			self.pay_admission(allowance.connection, cost);
		}
		let reveals: Vec<SignedAttestation> = candidates
			.iter()
			.zip(&admissions)
			.filter(|((_, a), admission)| {
				matches!(a, SignedAttestation::Reveal(_)) && admission.is_ok()
			})
			.map(|((_, a), _)| a.clone())
			.collect();
		let mut at_finalized =
			if reveals.is_empty() { Vec::new() } else { admit_finalized(reveals) }.into_iter();
		let mut admitted = Vec::new();
		let mut checked_any = false;
		// What each verified item's check cost: queued, it earns the connection that credit.
		let mut costs = HashMap::<usize, f64>::new();
		for ((i, attestation), admission) in candidates.into_iter().zip(admissions) {
			let verdict = match admission {
				Err(reason) => Err(reason),
				// The connection has spent its budget: the rest of the call is not checked.
				Ok(Some(_)) if *failed >= allowance.reserved => {
					refuse(&mut results, i, "TooManyBadSignatures".into());
					continue;
				}
				Ok(Some(check)) => {
					// Every check is paid before it is made: from the node's bucket, or else
					// from what the connection's verified attestations earned it.
					let cost = check_cost(check.signature.scheme());
					let Some(payer) = self.pay_check(allowance.connection, cost, now) else {
						// Nothing checked yet: the whole call is refused, to be retried.
						if !checked_any {
							return Err(unproven_refused());
						}
						refuse(&mut results, i, "TooManyBadSignatures".into());
						continue;
					};
					checked_any = true;
					if check.verify() {
						self.verified(allowance.connection, payer, cost, now);
						costs.insert(i, cost);
						Ok(())
					} else {
						*failed += 1;
						Err(AttestationRejection::BadSignature)
					}
				}
				// A reveal: its secret becomes public once queued (the pool gossips it). Queued
				// while only the best block is past the witness window, a fork that drops those
				// last blocks would give the secret's readers window blocks to land tags made
				// from it: it waits until the finalized chain is past the window too.
				Ok(None) => match at_finalized.next() {
					Some(Ok(_)) => Ok(()),
					_ => Err(AttestationRejection::RevealTooEarly),
				},
			};
			match verdict {
				Ok(()) => admitted.push((i, attestation)),
				Err(reason) => refuse(&mut results, i, format!("{reason:?}")),
			}
		}
		self.push(admitted, (window, best), &mut results)?;
		let earned = costs.iter().filter(|(i, _)| results[**i].queued).map(|(_, cost)| cost).sum();
		self.earn(allowance.connection, earned);
		Ok(results)
	}

	/// [`error::QUEUE_FULL`] if the queue holds [`MAX_QUEUED_CHUNKS`] chunks (or the node
	/// remembers [`MAX_REMEMBERED`] subjects).
	fn ensure_room(storage: &S, queued: &Queued) -> Result<(), ErrorObjectOwned> {
		let head = Self::read::<u64>(storage, queue::HEAD);
		let tail = Self::read::<u64>(storage, queue::TAIL);
		if tail.saturating_sub(head) >= MAX_QUEUED_CHUNKS || queued.remembered >= MAX_REMEMBERED {
			return Err(ErrorObject::owned(
				error::QUEUE_FULL,
				"attestation queue full: this node's oracle is not keeping up; try another node",
				None::<()>,
			));
		}
		Ok(())
	}

	/// Appends `admitted` as one chunk, minus what another call queued meanwhile.
	fn push(
		&self,
		admitted: Vec<(usize, SignedAttestation)>,
		(window, best): (QuotaWindow, BlockNumber),
		results: &mut [SubmissionResult],
	) -> Result<(), ErrorObjectOwned> {
		if admitted.is_empty() {
			return Ok(());
		}
		let mut guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
		let (storage, queued) = &mut *guard;
		Self::ensure_room(storage, queued)?;
		let (head, tail) =
			(Self::read::<u64>(storage, queue::HEAD), Self::read::<u64>(storage, queue::TAIL));
		queued.enter(window, best);
		let mut chunk = Vec::with_capacity(admitted.len());
		for (i, attestation) in admitted {
			let subject = Subject::of(&attestation);
			let device = attestation.device().0;
			if queued.holds(&subject, head, best) {
				results[i].error = Some("AlreadyQueued".into());
			} else if queued.used(&device) >= self.settings.quota_per_slot {
				results[i].error = Some("QuotaExceeded".into());
			} else {
				queued.insert(subject, device, Remembered { chunk: tail, best });
				results[i].queued = true;
				chunk.push(attestation);
			}
		}
		if !chunk.is_empty() {
			// The chunk is complete before the tail moves past it: the worker never sees a
			// half-written chunk.
			storage.set(STORAGE_PREFIX, &queue::chunk_key(tail), &chunk.encode());
			storage.set(STORAGE_PREFIX, queue::TAIL, &(tail + 1).encode());
		}
		Ok(())
	}
}

/// Writes each block the node finalizes to [`queue::FINALIZED`] in its off-chain storage,
/// for as long as the node runs: the oracle's worker keeps a landed batch until its landing
/// is final, so a reorg (after a network partition, say) cannot undo a landing it has let go
/// of.
pub async fn record_finality<C, S>(client: Arc<C>, mut storage: S)
where
	C: sc_client_api::BlockchainEvents<Block>,
	S: OffchainStorage,
{
	use futures::StreamExt;
	let mut finalized = client.finality_notification_stream();
	while let Some(notification) = finalized.next().await {
		let number = u64::from(*sp_runtime::traits::Header::number(&notification.header));
		storage.set(STORAGE_PREFIX, queue::FINALIZED, &(number, notification.hash).encode());
	}
}

/// The RPC handler.
pub struct Attestations<C, S> {
	client: Arc<C>,
	queue: Arc<AttestationQueue<S>>,
}

impl<C, S> Clone for Attestations<C, S> {
	fn clone(&self) -> Self {
		Self { client: self.client.clone(), queue: self.queue.clone() }
	}
}

impl<C, S> Attestations<C, S> {
	/// A handler answering from `client`'s best block and writing to `queue`.
	pub fn new(client: Arc<C>, queue: Arc<AttestationQueue<S>>) -> Self {
		Self { client, queue }
	}
}

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(error::RUNTIME, format!("runtime call failed: {e}"), None::<()>)
}

/// The quota window of a call arriving while `best` is the best block: the slot block
/// `best + 1` falls in (slot 0 of the epoch when it is outside, e.g. before the first epoch).
fn quota_window(epoch: Option<&EpochSummary<BlockNumber>>, best: BlockNumber) -> QuotaWindow {
	let Some(epoch) = epoch else { return (0, 0) };
	let into = u64::from(best.saturating_add(1).saturating_sub(epoch.start));
	let slot = into.saturating_mul(u64::from(epoch.slots)) / u64::from(epoch.length.max(1));
	(epoch.index, SlotIndex::try_from(slot).unwrap_or(SlotIndex::MAX))
}

impl<C, S> Attestations<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProofOfCoverageApi<Block, BlockNumber>,
	S: OffchainStorage + 'static,
{
	/// Whether this node can submit what it queues: off-chain workers on, an oracle key in
	/// the keystore, and that key authorised at `at`.
	fn ensure_submitting(&self, at: depin_primitives::Hash) -> Result<(), ErrorObjectOwned> {
		if !self.queue.settings.offchain_workers {
			return Err(ErrorObject::owned(
				error::OFFCHAIN_WORKERS_DISABLED,
				"this node runs without off-chain workers: nothing it queued would be submitted; \
				 send attestations to an oracle node",
				None::<()>,
			));
		}
		let keys = self.queue.oracle_keys();
		if keys.is_empty() {
			return Err(ErrorObject::owned(
				error::NOT_AN_ORACLE,
				"this node holds no oracle key (key type dpoc): send attestations to an oracle node",
				None::<()>,
			));
		}
		let api = self.client.runtime_api();
		for key in keys {
			if api.is_oracle(at, key).map_err(runtime_error)? {
				return Ok(());
			}
		}
		Err(ErrorObject::owned(
			error::ORACLE_NOT_AUTHORISED,
			"this node's oracle key (dpoc) is not authorised on chain: governance must add it \
			 (proofOfCoverage.addOracle) before it can submit batches",
			None::<()>,
		))
	}

	/// The whole call, on a blocking thread.
	fn submit_blocking(
		&self,
		connection: Option<usize>,
		attestations: Vec<Bytes>,
	) -> RpcResult<Vec<SubmissionResult>> {
		let info = self.client.info();
		self.ensure_submitting(info.best_hash)?;
		let epoch =
			self.client.runtime_api().current_epoch(info.best_hash).map_err(runtime_error)?;
		let window = quota_window(epoch.as_ref(), info.best_number);
		let api = self.client.runtime_api();
		self.queue.submit(
			attestations,
			window,
			info.best_number,
			connection,
			std::time::Instant::now(),
			|decoded| api.admit_attestations(info.best_hash, decoded).map_err(runtime_error),
			// If the finalized state cannot answer, the reveals wait.
			|reveals| {
				self.client
					.runtime_api()
					.admit_attestations(info.finalized_hash, reveals)
					.unwrap_or_default()
			},
		)
	}
}

#[async_trait]
impl<C, S> AttestationApiServer for Attestations<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProofOfCoverageApi<Block, BlockNumber>,
	S: OffchainStorage + 'static,
{
	async fn submit_attestations(
		&self,
		extensions: &jsonrpsee::Extensions,
		attestations: Vec<Bytes>,
	) -> RpcResult<Vec<SubmissionResult>> {
		// Cheapest first: the call's size, then a checker (or a bounded wait for one).
		if attestations.len() > MAX_ATTESTATIONS_PER_CALL {
			return Err(ErrorObject::owned(
				error::TOO_MANY,
				format!("at most {MAX_ATTESTATIONS_PER_CALL} attestations per call"),
				None::<()>,
			));
		}
		let connection = extensions.get::<jsonrpsee::ConnectionId>().map(|id| id.0);
		let permit = self.queue.checker(connection, attestations.len()).await?;
		let handler = self.clone();
		tokio::task::spawn_blocking(move || {
			let _permit = permit;
			handler.submit_blocking(connection, attestations)
		})
		.await
		.map_err(runtime_error)?
	}

	fn queue_status(&self) -> RpcResult<QueueStatus> {
		let info = self.client.info();
		let api = self.client.runtime_api();
		let epoch: Option<EpochSummary<BlockNumber>> =
			api.current_epoch(info.best_hash).map_err(runtime_error)?;
		let keys = self.queue.oracle_keys();
		let mut oracle_authorised = false;
		for key in &keys {
			oracle_authorised |=
				api.is_oracle(info.best_hash, key.clone()).map_err(runtime_error)?;
		}
		Ok(QueueStatus {
			queued_chunks: self.queue.queued_chunks(),
			in_flight_batches: self.queue.in_flight_batches(),
			has_oracle_key: !keys.is_empty(),
			oracle_authorised,
			offchain_workers: self.queue.settings.offchain_workers,
			epoch: epoch.map(|e| EpochView {
				index: e.index,
				start: e.start,
				length: e.length,
				slots: e.slots,
				randomness: Bytes(e.randomness.to_vec()),
				challenge_rate: e.challenge_rate,
				witness_grace: e.witness_grace,
				best_block: info.best_number,
				finalized_block: info.finalized_number,
			}),
		})
	}
}

#[cfg(test)]
mod tests {
	//! The queue and its admission, with the chain's rules stood in for by a closure that
	//! answers as the runtime's `admit_attestations` does (every state rule passes; the
	//! signature check comes back unverified).

	use super::*;
	use depin_primitives::{
		api::SignatureCheck,
		attestation::{Heartbeat, HeartbeatPayload, WitnessPayload, WitnessReport},
		device::pair::DevicePair,
		SignatureScheme, SignedPayload,
	};
	use sp_core::{offchain::storage::InMemOffchainStorage, H256};
	use sp_keystore::{testing::MemoryKeystore, Keystore};
	use std::cell::Cell;

	const GENESIS: H256 = H256::zero();

	thread_local! {
		/// The test's clock: fixed, so the unproven bucket refills only when a test says so.
		static NOW: std::time::Instant = std::time::Instant::now();
	}

	fn now() -> std::time::Instant {
		NOW.with(|now| *now)
	}
	const WINDOW: QuotaWindow = (3, 1);
	/// The best block the tests' calls arrive at.
	const BEST: BlockNumber = 100;

	fn node(quota: u16) -> Arc<AttestationQueue<InMemOffchainStorage>> {
		node_with(IngestSettings { quota_per_slot: quota, ..Default::default() })
	}

	/// A node with an oracle key and `settings`.
	fn node_with(settings: IngestSettings) -> Arc<AttestationQueue<InMemOffchainStorage>> {
		let keystore = MemoryKeystore::new();
		keystore.sr25519_generate_new(KEY_TYPE, Some("//Oracle")).unwrap();
		AttestationQueue::new(InMemOffchainStorage::default(), Arc::new(keystore), settings)
	}

	fn device(scheme: SignatureScheme, n: u8) -> DevicePair {
		DevicePair::from_seed(scheme, [n; 32])
	}

	fn heartbeat(device: &DevicePair, slot: SlotIndex) -> SignedAttestation {
		let heartbeat =
			Heartbeat { device: device.public().device_id(), epoch: 3, slot, anchor: [1; 32] };
		let signature = device.sign(
			&HeartbeatPayload { genesis_hash: &GENESIS, heartbeat: &heartbeat }.signing_bytes(),
		);
		SignedAttestation::Heartbeat { heartbeat, signature }
	}

	/// `device`'s heartbeat for `slot` with a made-up P-256 signature (what a caller without
	/// the key can send).
	fn forged(device: &DevicePair, slot: SlotIndex) -> SignedAttestation {
		match heartbeat(device, slot) {
			SignedAttestation::Heartbeat { heartbeat, .. } => SignedAttestation::Heartbeat {
				heartbeat,
				signature: depin_primitives::DeviceSignature::EcdsaP256([7; 64]),
			},
			_ => unreachable!(),
		}
	}

	/// A witness report of `beaconer` with made-up fields (`n` makes each one distinct).
	fn report(witness: &DevicePair, n: u32) -> SignedAttestation {
		let report = WitnessReport {
			witness: witness.public().device_id(),
			beaconer: {
				let mut id = [0u8; 32];
				id[..4].copy_from_slice(&n.to_le_bytes());
				DeviceId(id)
			},
			epoch: 3,
			commitment: [2; 32],
			tag: [3; 32],
			rssi_dbm: -100,
			snr_decibels_x10: 50,
			frequency_khz: 868_100,
		};
		let signature = witness
			.sign(&WitnessPayload { genesis_hash: &GENESIS, report: &report }.signing_bytes());
		SignedAttestation::Witness { report, signature }
	}

	use depin_primitives::DeviceId;

	/// What the runtime answers for `attestation` when every rule its state decides passes.
	fn admissible(attestation: &SignedAttestation, key: &DevicePair) -> Admission {
		let (message, signature) = match attestation {
			SignedAttestation::Heartbeat { heartbeat, signature } => (
				HeartbeatPayload { genesis_hash: &GENESIS, heartbeat }.signing_bytes(),
				signature.clone(),
			),
			SignedAttestation::Witness { report, signature } => (
				WitnessPayload { genesis_hash: &GENESIS, report }.signing_bytes(),
				signature.clone(),
			),
			_ => return Ok(None),
		};
		Ok(Some(SignatureCheck { key: key.public(), message, signature }))
	}

	/// Submits `attestations` (all signed by `key`'s device or claiming it); counts the items
	/// the chain was asked about in `asked`.
	fn submit(
		queue: &AttestationQueue<InMemOffchainStorage>,
		key: &DevicePair,
		attestations: &[SignedAttestation],
		asked: &Cell<usize>,
	) -> Vec<Option<String>> {
		submit_while(queue, key, attestations, BEST, asked)
	}

	/// [`submit`] while `best` is the best block.
	fn submit_while(
		queue: &AttestationQueue<InMemOffchainStorage>,
		key: &DevicePair,
		attestations: &[SignedAttestation],
		best: BlockNumber,
		asked: &Cell<usize>,
	) -> Vec<Option<String>> {
		let raw = attestations.iter().map(|a| Bytes(a.encode())).collect();
		queue
			.submit(
				raw,
				WINDOW,
				best,
				None,
				now(),
				|decoded| {
					asked.set(asked.get() + decoded.len());
					Ok(decoded.iter().map(|a| admissible(a, key)).collect())
				},
				|reveals| reveals.iter().map(|_| Ok(None)).collect(),
			)
			.unwrap()
			.into_iter()
			.map(|r| if r.queued { None } else { r.error })
			.collect()
	}

	fn queued_attestations(
		queue: &AttestationQueue<InMemOffchainStorage>,
	) -> Vec<SignedAttestation> {
		let guard = queue.storage.lock().unwrap();
		let storage = &guard.0;
		let tail = AttestationQueue::<InMemOffchainStorage>::read::<u64>(storage, queue::TAIL);
		(0..tail)
			.flat_map(|n| {
				let raw = storage.get(STORAGE_PREFIX, &queue::chunk_key(n)).unwrap();
				Vec::<SignedAttestation>::decode(&mut &raw[..]).unwrap()
			})
			.collect()
	}

	#[test]
	fn a_flooding_device_queues_no_more_than_its_quota() {
		// The attack without the quota: one device signs endless distinct witness reports
		// (random fields) and fills the queue for hours; honest devices get `4003`.
		let queue = node(16);
		let flooder = device(SignatureScheme::Ed25519, 1);
		let flood: Vec<_> = (0..1000).map(|n| report(&flooder, n)).collect();
		let asked = Cell::new(0);
		let answers = submit(&queue, &flooder, &flood, &asked);
		assert_eq!(answers.iter().filter(|a| a.is_none()).count(), 16);
		assert!(answers[16..].iter().all(|a| a.as_deref() == Some("QuotaExceeded")));
		// Refused before the chain was asked or a signature checked.
		assert_eq!(asked.get(), 16);
		// A second call in the same slot: nothing more.
		let more: Vec<_> = (1000..1100).map(|n| report(&flooder, n)).collect();
		assert!(submit(&queue, &flooder, &more, &asked)
			.iter()
			.all(|a| a.as_deref() == Some("QuotaExceeded")));
		// An honest device is not held back by it.
		let honest = device(SignatureScheme::Ed25519, 2);
		assert_eq!(submit(&queue, &honest, &[heartbeat(&honest, 1)], &asked), vec![None]);
		assert_eq!(queued_attestations(&queue).len(), 17);
	}

	#[test]
	fn forged_signatures_are_refused_natively_and_take_nothing_from_the_victim() {
		// The attack: no key at all, calls full of heartbeats naming a registered P-256 device
		// with random signatures. The runtime passes them unverified (no wasm P-256); the node
		// checks them natively, and only verified attestations count against a quota.
		let queue = node(4);
		let victim = device(SignatureScheme::EcdsaP256, 3);
		let forged: Vec<_> = (0..64u16).map(|slot| forged(&victim, slot)).collect();
		let asked = Cell::new(0);
		for chunk in forged.chunks(4) {
			assert!(submit(&queue, &victim, chunk, &asked)
				.iter()
				.all(|a| a.as_deref() == Some("BadSignature")));
		}
		assert!(queued_attestations(&queue).is_empty());
		// The victim's own heartbeat for a slot the forger named is still queued.
		assert_eq!(submit(&queue, &victim, &[heartbeat(&victim, 1)], &asked), vec![None]);
	}

	#[test]
	fn a_second_copy_is_refused_before_the_chain_is_asked() {
		let queue = node(16);
		let honest = device(SignatureScheme::Ed25519, 4);
		let beat = heartbeat(&honest, 2);
		let asked = Cell::new(0);
		assert_eq!(submit(&queue, &honest, std::slice::from_ref(&beat), &asked), vec![None]);
		// The same bytes, and another heartbeat for the same slot (the chain counts one).
		let SignedAttestation::Heartbeat { mut heartbeat, .. } = beat.clone() else {
			unreachable!()
		};
		heartbeat.anchor = [9; 32];
		let signature = honest.sign(
			&HeartbeatPayload { genesis_hash: &GENESIS, heartbeat: &heartbeat }.signing_bytes(),
		);
		let other = SignedAttestation::Heartbeat { heartbeat, signature };
		assert_eq!(
			submit(&queue, &honest, &[beat, other], &asked),
			vec![Some("AlreadyQueued".into()), Some("AlreadyQueued".into())]
		);
		assert_eq!(asked.get(), 1);
		assert_eq!(queued_attestations(&queue).len(), 1);
	}

	#[test]
	fn a_heartbeat_the_chain_did_not_count_is_taken_again_once_it_left_the_queue() {
		// The chain refused (or a deep reorg lost) a heartbeat this node queued; its device
		// sends it again. Without the rule the node answers `AlreadyQueued` for as long as
		// the slot is open, and the heartbeat is never counted.
		let queue = node(16);
		let honest = device(SignatureScheme::Ed25519, 7);
		let beat = heartbeat(&honest, 2);
		assert_eq!(
			submit_while(&queue, &honest, std::slice::from_ref(&beat), BEST, &Cell::new(0)),
			vec![None]
		);
		// Still in the queue: a copy is refused however long it waits there.
		let much_later = BEST + 10 * RETRY_AFTER_BLOCKS;
		assert_eq!(
			submit_while(&queue, &honest, std::slice::from_ref(&beat), much_later, &Cell::new(0)),
			vec![Some("AlreadyQueued".into())]
		);
		// The worker takes the chunk into a batch: most likely in flight for a while yet.
		{
			let mut guard = queue.storage.lock().unwrap();
			guard.0.set(STORAGE_PREFIX, queue::HEAD, &1u64.encode());
		}
		let in_flight = BEST + RETRY_AFTER_BLOCKS - 1;
		assert_eq!(
			submit_while(&queue, &honest, std::slice::from_ref(&beat), in_flight, &Cell::new(0)),
			vec![Some("AlreadyQueued".into())]
		);
		// Long enough after, and the chain's rules still take it: queued again, once.
		let retry = BEST + RETRY_AFTER_BLOCKS;
		assert_eq!(
			submit_while(&queue, &honest, std::slice::from_ref(&beat), retry, &Cell::new(0)),
			vec![None]
		);
		assert_eq!(
			submit_while(&queue, &honest, std::slice::from_ref(&beat), retry, &Cell::new(0)),
			vec![Some("AlreadyQueued".into())]
		);
		assert_eq!(queued_attestations(&queue), vec![beat.clone(), beat]);
	}

	#[test]
	fn the_node_remembers_heartbeats_of_the_last_three_slots_and_the_rest_for_two_epochs() {
		// Without the rule every heartbeat of the epoch and the one before was remembered:
		// with a million devices and six slots an epoch, 8 million subjects fill up a third
		// into the epoch, and the node refuses every call (`4003`) until the next one.
		let mut queued = Queued::default();
		let report = (3, Subject::Witness([7; 32], [8; 32]));
		// Slots 100 blocks long.
		for slot in 0..6 {
			let best = BlockNumber::from(slot) * 100;
			let at = Remembered { chunk: 0, best };
			queued.enter((3, slot), best);
			if slot == 0 {
				queued.insert(report, [7; 32], at);
			}
			for n in 0..100u8 {
				queued.insert((3, Subject::Heartbeat([n; 32], slot)), [n; 32], at);
			}
		}
		assert_eq!(queued.remembered, 3 * 100 + 1);
		assert!(queued.holds(&(3, Subject::Heartbeat([1; 32], 3)), 0, 0));
		assert!(!queued.holds(&(3, Subject::Heartbeat([1; 32], 2)), 0, 0));
		assert!(queued.holds(&report, 0, 0));
		// The next epoch keeps the report (the chain still takes the previous epoch's), the
		// epoch after forgets it.
		queued.enter((4, 0), 600);
		assert!(queued.holds(&report, 0, 0));
		queued.enter((5, 0), 700);
		assert!(!queued.holds(&report, 0, 0));
		// A call that read an older best block moves nothing back.
		queued.enter((3, 1), 150);
		assert_eq!(queued.recent.back(), Some(&(5, 0)));
	}

	#[test]
	fn with_slots_of_one_block_heartbeats_are_remembered_as_long_as_the_chain_takes_them() {
		// The attack without the rule, on a chain with one-block slots (heartbeat grace 5 to
		// 12 blocks): copies of genuine heartbeats four slots old, still in the pool, are
		// forgotten here and queued again, window after window, each earning its sender
		// credit and taking the victim's quota.
		let mut queued = Queued::default();
		for slot in 0..10u16 {
			let best = BlockNumber::from(slot);
			queued.enter((3, slot), best);
			queued.insert(
				(3, Subject::Heartbeat([slot as u8; 32], slot)),
				[slot as u8; 32],
				Remembered { chunk: 0, best },
			);
		}
		assert!(queued.holds(&(3, Subject::Heartbeat([0; 32], 0)), 0, 9));
		// Forgotten once both three windows and the memory's blocks have passed.
		queued.enter((3, 40), 40);
		assert!(!queued.holds(&(3, Subject::Heartbeat([0; 32], 0)), 0, 40));
		assert!(queued.holds(&(3, Subject::Heartbeat([9; 32], 9)), 0, 40));
	}

	#[test]
	fn malformed_items_are_named_and_the_rest_of_the_call_stands() {
		let queue = node(16);
		let honest = device(SignatureScheme::Sr25519, 5);
		let asked = Cell::new(0);
		let raw = vec![Bytes(vec![0xff, 1, 2]), Bytes(heartbeat(&honest, 0).encode())];
		let results = queue
			.submit(
				raw,
				WINDOW,
				BEST,
				None,
				now(),
				|decoded| {
					asked.set(decoded.len());
					Ok(decoded.iter().map(|a| admissible(a, &honest)).collect())
				},
				|_| Vec::new(),
			)
			.unwrap();
		assert!(results[0].error.as_deref().unwrap().starts_with("Malformed"));
		assert!(results[1].queued);
		assert_eq!(queue.queued_chunks(), 1);
	}

	#[test]
	fn quotas_start_again_in_the_next_slot() {
		let queue = node(2);
		let device = device(SignatureScheme::Ed25519, 6);
		let asked = Cell::new(0);
		let flood: Vec<_> = (0..3).map(|n| report(&device, n)).collect();
		assert_eq!(submit(&queue, &device, &flood, &asked)[2].as_deref(), Some("QuotaExceeded"));
		let raw = vec![Bytes(flood[2].encode())];
		let results = queue
			.submit(
				raw,
				(WINDOW.0, WINDOW.1 + 1),
				BEST,
				None,
				now(),
				|decoded| Ok(decoded.iter().map(|a| admissible(a, &device)).collect()),
				|_| Vec::new(),
			)
			.unwrap();
		assert!(results[0].queued);
	}

	/// `attestations` from RPC connection `connection` in `window`: the answers, or the
	/// call's error code.
	fn submit_from(
		queue: &AttestationQueue<InMemOffchainStorage>,
		key: &DevicePair,
		attestations: &[SignedAttestation],
		connection: usize,
		window: QuotaWindow,
	) -> Result<Vec<Option<String>>, i32> {
		submit_at(queue, key, attestations, connection, window, now())
	}

	/// [`submit_from`] at time `at`.
	fn submit_at(
		queue: &AttestationQueue<InMemOffchainStorage>,
		key: &DevicePair,
		attestations: &[SignedAttestation],
		connection: usize,
		window: QuotaWindow,
		at: std::time::Instant,
	) -> Result<Vec<Option<String>>, i32> {
		let raw = attestations.iter().map(|a| Bytes(a.encode())).collect();
		queue
			.submit(
				raw,
				window,
				BEST,
				Some(connection),
				at,
				|decoded| Ok(decoded.iter().map(|a| admissible(a, key)).collect()),
				|_| Vec::new(),
			)
			.map(|results| {
				results.into_iter().map(|r| if r.queued { None } else { r.error }).collect()
			})
			.map_err(|e| e.code())
	}

	#[test]
	fn a_caller_without_keys_spends_its_failure_budget_then_is_refused_unchecked() {
		// The attack without the budget: no key at all, call after call of forged P-256
		// heartbeats naming registered devices (a new slot each, so nothing is queued to
		// dedup against): each forgery costs the node a native check, and the checkers are
		// never free for honest calls. Now a connection may fail `failure_budget` checks per
		// slot; then its calls are refused before any check.
		let queue = node_with(IngestSettings { failure_budget: 8, ..Default::default() });
		let victims: Vec<_> = (0..64u8).map(|n| device(SignatureScheme::EcdsaP256, n)).collect();
		let forged: Vec<_> = victims.iter().map(|victim| forged(victim, 1)).collect();
		// Each claims its own victim (the check uses the victim's key).
		let bad = Some("BadSignature".to_string());
		for (victim, beat) in victims.iter().zip(&forged).take(8) {
			assert_eq!(
				submit_from(&queue, victim, std::slice::from_ref(beat), 7, WINDOW),
				Ok(vec![bad.clone()])
			);
		}
		// The budget is spent: the next call is refused whole, before any check.
		assert_eq!(
			submit_from(&queue, &victims[20], &forged[20..21], 7, WINDOW),
			Err(error::TOO_MANY_BAD_SIGNATURES)
		);
		// Other connections and genuine devices are not held back.
		let honest = device(SignatureScheme::EcdsaP256, 200);
		assert_eq!(
			submit_from(&queue, &honest, &[heartbeat(&honest, 1)], 8, WINDOW),
			Ok(vec![None])
		);
		// The next slot gives the connection its budget again.
		let next = (WINDOW.0, WINDOW.1 + 1);
		assert_eq!(submit_from(&queue, &victims[30], &forged[30..31], 7, next), Ok(vec![bad]));
	}

	#[test]
	fn keyless_callers_on_new_connections_share_one_bucket_of_failures() {
		// The attack without the bucket: the failure budget is per connection, and every
		// HTTP call may come on a new one, so a keyless caller gets `failure_budget` native
		// P-256 checks per call, as many calls as it can open. Now every check is paid from
		// one bucket per node (or from credit the connection earned): 32 Ed25519 checks a
		// second here, four P-256 ones.
		let settings = IngestSettings { unproven_failures_per_second: 32, ..Default::default() };
		let queue = node_with(settings);
		let victim = device(SignatureScheme::EcdsaP256, 9);
		let mut checked = 0;
		let mut refused_whole = 0;
		for connection in 0..20usize {
			let beat = forged(&victim, connection as SlotIndex);
			match submit_from(&queue, &victim, &[beat], 100 + connection, WINDOW) {
				Ok(answers) if answers == vec![Some("BadSignature".to_string())] => checked += 1,
				Ok(answers) => panic!("unexpected answers {answers:?}"),
				Err(code) => {
					assert_eq!(code, error::TOO_MANY_BAD_SIGNATURES);
					refused_whole += 1
				}
			}
		}
		assert_eq!(checked, 4);
		assert_eq!(refused_whole, 16);
		// A second later the bucket holds a second's worth again.
		let later = now() + std::time::Duration::from_secs(1);
		let answers: Vec<_> = (0..8usize)
			.map(|n| {
				let beat = forged(&victim, 100 + n as SlotIndex);
				submit_at(&queue, &victim, &[beat], 200 + n, WINDOW, later)
			})
			.collect();
		let bad = Ok(vec![Some("BadSignature".to_string())]);
		assert_eq!(answers.iter().filter(|a| **a == bad).count(), 4);
	}

	/// `attestations` from `connection` at `at`, which the chain's rules all refuse
	/// (`UnknownDevice`); counts the items the chain was asked about in `asked`.
	fn submit_refused(
		queue: &AttestationQueue<InMemOffchainStorage>,
		attestations: &[SignedAttestation],
		connection: usize,
		at: std::time::Instant,
		asked: &Cell<usize>,
	) -> Result<(), i32> {
		let raw = attestations.iter().map(|a| Bytes(a.encode())).collect();
		queue
			.submit(
				raw,
				WINDOW,
				BEST,
				Some(connection),
				at,
				|decoded| {
					asked.set(asked.get() + decoded.len());
					Ok(decoded.iter().map(|_| Err(AttestationRejection::UnknownDevice)).collect())
				},
				|_| Vec::new(),
			)
			.map(|results| assert!(results.iter().all(|r| !r.queued)))
			.map_err(|e| e.code())
	}

	#[test]
	fn items_the_chain_refuses_spend_the_credit_that_would_buy_failed_checks() {
		// The attack without the rule: a device queues attestations to earn credit, then
		// sends junk the chain's rules refuse (made-up devices, copies of landed heartbeats),
		// which reads state and costs nothing, and still has all its credit to spend on
		// forged P-256 checks while the node's bucket is empty.
		let settings = IngestSettings { unproven_failures_per_second: 8, ..Default::default() };
		let queue = node_with(settings);
		let device_key = device(SignatureScheme::Ed25519, 3);
		let beats: Vec<_> = (1..=8).map(|slot| heartbeat(&device_key, slot)).collect();
		assert_eq!(submit_from(&queue, &device_key, &beats, 1, WINDOW), Ok(vec![None; 8]));
		// Someone spends the node's bucket (one P-256 failure).
		let victim = device(SignatureScheme::EcdsaP256, 9);
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 1)], 2, WINDOW),
			Ok(vec![Some("BadSignature".into())])
		);
		// Four items the rules refuse cost two checks of the eight earned...
		let asked = Cell::new(0);
		let junk: Vec<_> = (20..24).map(|slot| heartbeat(&device_key, slot)).collect();
		assert_eq!(submit_refused(&queue, &junk, 1, now(), &asked), Ok(()));
		assert_eq!(asked.get(), 4);
		// ...so a forged P-256 check (eight) is no longer paid for.
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 2)], 1, WINDOW),
			Err(error::TOO_MANY_BAD_SIGNATURES)
		);
	}

	#[test]
	fn one_verified_attestation_pays_for_one_failed_check_not_for_a_call_of_them() {
		// The attack without the rule: a keyless caller puts one valid heartbeat it copied
		// (e.g. from another oracle's batch in the pool, not queued here yet) in front of
		// forgeries; once it verifies, the connection would be trusted and the forgeries
		// checked for free, up to the connection's budget, on a new connection each call.
		// Now each check is paid: a verified one earns its own cost back as credit, no more.
		let settings = IngestSettings { unproven_failures_per_second: 8, ..Default::default() };
		let queue = node_with(settings);
		let copied = device(SignatureScheme::Ed25519, 1);
		let victim = device(SignatureScheme::EcdsaP256, 9);
		let mut call = vec![heartbeat(&copied, 1)];
		call.extend((0..5).map(|slot| forged(&victim, slot)));
		let answers = submit_from(&queue, &copied, &call[..1], 7, WINDOW).unwrap();
		assert_eq!(answers, vec![None]);
		let answers = submit_from(&queue, &victim, &call[1..], 7, WINDOW).unwrap();
		// The bucket (8) pays one P-256 check; the credit (1) none.
		assert_eq!(answers[0].as_deref(), Some("BadSignature"));
		assert!(answers[1..].iter().all(|a| a.as_deref() == Some("TooManyBadSignatures")));
	}

	#[test]
	fn copies_of_a_valid_attestation_in_one_call_are_checked_once_and_earn_once() {
		// The attack without the rule: a keyless caller copies one valid P-256 attestation
		// (from the pool) 16 times into a call ahead of forgeries; each copy was checked,
		// paid back and credited, so the call bought 16 P-256 failures (and 15 useless
		// verified checks) instead of one. Now byte-identical copies are answered at once,
		// and only what is queued earns credit, after the call.
		let settings = IngestSettings { unproven_failures_per_second: 8, ..Default::default() };
		let queue = node_with(settings);
		let copied = device(SignatureScheme::EcdsaP256, 1);
		let victim = device(SignatureScheme::EcdsaP256, 9);
		let mut call = vec![heartbeat(&copied, 1); 16];
		call.extend((0..8).map(|slot| forged(&victim, slot)));
		let answers = submit_from(&queue, &copied, &call, 5, WINDOW).unwrap();
		assert_eq!(answers[0], None);
		assert!(answers[1..16].iter().all(|a| a.as_deref() == Some("AlreadyQueued")));
		let failed = answers[16..].iter().filter(|a| a.as_deref() == Some("BadSignature")).count();
		assert_eq!(failed, 1, "{answers:?}");
		// The queued copy earned one P-256 check of credit: one more failure, no more.
		let answers =
			submit_from(&queue, &victim, &[forged(&victim, 20), forged(&victim, 21)], 5, WINDOW)
				.unwrap();
		assert_eq!(answers[0].as_deref(), Some("BadSignature"));
		assert_eq!(answers[1].as_deref(), Some("TooManyBadSignatures"));
	}

	#[test]
	fn a_connection_with_verified_attestations_keeps_being_checked_while_the_bucket_is_spent() {
		let settings = IngestSettings { unproven_failures_per_second: 8, ..Default::default() };
		let queue = node_with(settings);
		let honest = device(SignatureScheme::EcdsaP256, 1);
		// A verified attestation costs the bucket nothing and earns the connection credit.
		assert_eq!(
			submit_from(&queue, &honest, &[heartbeat(&honest, 1)], 1, WINDOW),
			Ok(vec![None])
		);
		// A keyless caller spends the bucket (one P-256 failure)...
		let victim = device(SignatureScheme::EcdsaP256, 9);
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 1)], 2, WINDOW),
			Ok(vec![Some("BadSignature".into())])
		);
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 2)], 3, WINDOW),
			Err(error::TOO_MANY_BAD_SIGNATURES)
		);
		// ...the honest connection is still served, from its credit, again and again; a new
		// one is told to retry, and is served once the bucket refilled.
		for slot in 2..6 {
			assert_eq!(
				submit_from(&queue, &honest, &[heartbeat(&honest, slot)], 1, WINDOW),
				Ok(vec![None])
			);
		}
		let newcomer = device(SignatureScheme::Ed25519, 2);
		assert_eq!(
			submit_from(&queue, &newcomer, &[heartbeat(&newcomer, 1)], 4, WINDOW),
			Err(error::TOO_MANY_BAD_SIGNATURES)
		);
		let later = now() + std::time::Duration::from_secs(1);
		assert_eq!(
			submit_at(&queue, &newcomer, &[heartbeat(&newcomer, 1)], 4, WINDOW, later),
			Ok(vec![None])
		);
	}

	#[test]
	fn a_newcomer_is_served_from_what_a_p256_forgery_cannot_use() {
		let settings = IngestSettings { unproven_failures_per_second: 12, ..Default::default() };
		let queue = node_with(settings);
		let victim = device(SignatureScheme::EcdsaP256, 9);
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 1)], 1, WINDOW),
			Ok(vec![Some("BadSignature".into())])
		);
		// Four tokens left: not enough for a P-256 check, so the whole call is refused (to be
		// retried), nothing checked...
		assert_eq!(
			submit_from(&queue, &victim, &[forged(&victim, 2), forged(&victim, 3)], 2, WINDOW),
			Err(error::TOO_MANY_BAD_SIGNATURES)
		);
		// ...while an Ed25519 newcomer needs one token, and gets it back.
		let newcomer = device(SignatureScheme::Ed25519, 2);
		for slot in 1..3 {
			assert_eq!(
				submit_from(&queue, &newcomer, &[heartbeat(&newcomer, slot)], 3, WINDOW),
				Ok(vec![None])
			);
		}
	}

	#[test]
	fn calls_in_flight_on_one_connection_share_its_failure_budget() {
		// The attack without the reservation: several calls in flight on one WebSocket
		// connection each read the whole budget left before any of them is charged, so the
		// connection fails `checkers` times its budget. Now a call reserves what it may use
		// (at most its size); a call finding the rest reserved is asked to retry (4008).
		let queue = node_with(IngestSettings::default());
		let budget = IngestSettings::default().failure_budget;
		let first = queue.reserve_failures(Some(1), WINDOW, now(), 1024).unwrap();
		assert_eq!(first.reserved, budget);
		let second = queue.reserve_failures(Some(1), WINDOW, now(), 1);
		assert_eq!(second.err().map(|e| e.code()), Some(error::BUSY));
		// What the first call did not fail goes back when it ends; a small call reserves
		// only what it may use.
		queue.settle_failures(first, WINDOW, 10);
		let small = queue.reserve_failures(Some(1), WINDOW, now(), 3).unwrap();
		assert_eq!(small.reserved, 3);
		let rest = queue.reserve_failures(Some(1), WINDOW, now(), 1024).unwrap();
		assert_eq!(rest.reserved, budget - 10 - 3);
	}

	#[test]
	fn connections_that_fail_nothing_leave_no_trace_in_the_ledger() {
		// Without it, every call's connection stayed in the ledger and a busy node's honest
		// traffic filled it, and a full ledger starts every budget again, attackers' too.
		let queue = node_with(IngestSettings::default());
		let honest = device(SignatureScheme::Ed25519, 1);
		for connection in 0..10 {
			assert_eq!(
				submit_from(
					&queue,
					&honest,
					&[heartbeat(&honest, connection as SlotIndex)],
					connection,
					WINDOW
				),
				Ok(vec![None])
			);
		}
		assert!(queue.failures.lock().unwrap().per_connection.is_empty());
	}

	#[test]
	fn within_one_call_checks_stop_once_the_budget_is_spent() {
		let queue = node_with(IngestSettings { failure_budget: 3, ..Default::default() });
		let victim = device(SignatureScheme::EcdsaP256, 9);
		let forged: Vec<_> = (0..10u16).map(|slot| forged(&victim, slot)).collect();
		let answers = submit_from(&queue, &victim, &forged, 1, WINDOW).unwrap();
		assert!(answers[..3].iter().all(|a| a.as_deref() == Some("BadSignature")));
		assert!(answers[3..].iter().all(|a| a.as_deref() == Some("TooManyBadSignatures")));
	}

	#[test]
	fn keyless_calls_of_junk_the_rules_refuse_leave_a_checker_to_proven_connections() {
		// The attack without the lane: keyless callers, a new connection per call, post
		// calls of junk the chain's rules refuse (made-up devices, say). No signature is
		// checked, so neither the node's bucket nor any credit pays for them: they pass
		// every budget, and enough of them in parallel hold every checker and the whole
		// backlog, so a device's proven connection waits behind the flood or is answered
		// `4008`. Now unproven calls hold at most one checker fewer than there are, and at
		// most half the backlog waits for them.
		let settings = IngestSettings { checkers: 2, backlog: 4, ..Default::default() };
		let queue = node_with(settings);
		let honest = device(SignatureScheme::Ed25519, 1);
		// Connection 1 is proven for small calls: its two verified heartbeats earned it the
		// credit of two checks.
		assert_eq!(
			submit_from(
				&queue,
				&honest,
				&[heartbeat(&honest, 1), heartbeat(&honest, 2)],
				1,
				WINDOW
			),
			Ok(vec![None, None])
		);
		// What the rules refuse is still refused on a junk caller's connection.
		let junk = heartbeat(&device(SignatureScheme::Ed25519, 7), 1);
		let refused = queue
			.submit(
				vec![Bytes(junk.encode())],
				WINDOW,
				BEST,
				Some(100),
				now(),
				|decoded| {
					Ok(decoded.iter().map(|_| Err(AttestationRejection::UnknownDevice)).collect())
				},
				|_| Vec::new(),
			)
			.unwrap();
		assert_eq!(refused[0].error.as_deref(), Some("UnknownDevice"));
		futures::executor::block_on(async {
			// One junk call holds a checker; the next two wait for the lane; the fourth is
			// answered `4008` at once.
			let flood = queue.checker(Some(100), 1).await.unwrap();
			let mut waiting: Vec<_> =
				(101..103).map(|id| Box::pin(queue.checker(Some(id), 1))).collect();
			for call in &mut waiting {
				assert!(futures::poll!(call).is_pending());
			}
			assert_eq!(queue.checker(Some(103), 1).await.unwrap_err().code(), error::BUSY);
			// Credit that could not pay for a call refused whole does not make it proven: a
			// copied attestation or two buy no call of 1,024 junk items in the proven lane.
			assert_eq!(queue.checker(Some(1), 1024).await.unwrap_err().code(), error::BUSY);
			// The proven connection gets the checker the flood cannot take, at once...
			let proven = queue.checker(Some(1), 1).await.unwrap();
			// ...and its next calls wait in the backlog the flood cannot fill.
			let mut next = Box::pin(queue.checker(Some(1), 1));
			assert!(futures::poll!(&mut next).is_pending());
			drop(proven);
			let next = next.await.unwrap();
			// The flood's next call runs only once its lane's place is free.
			assert!(futures::poll!(&mut waiting[0]).is_pending());
			drop(flood);
			let flood = waiting.remove(0).await.unwrap();
			drop((flood, next));
		});
	}

	#[test]
	fn calls_wait_for_a_checker_behind_a_bounded_backlog() {
		// The attack without the bound: a flood of calls all wait for the checkers, holding
		// memory and making every honest call wait behind them. Now a call past the backlog
		// is answered `4008` at once.
		let keystore = MemoryKeystore::new();
		let settings = IngestSettings { checkers: 1, backlog: 1, ..Default::default() };
		let queue =
			AttestationQueue::new(InMemOffchainStorage::default(), Arc::new(keystore), settings);
		futures::executor::block_on(async {
			let first = queue.checker(None, 1).await.unwrap();
			let mut second = Box::pin(queue.checker(None, 1));
			assert!(futures::poll!(&mut second).is_pending());
			assert_eq!(queue.checker(None, 1).await.unwrap_err().code(), error::BUSY);
			drop(first);
			let second = second.await.unwrap();
			// A waiting caller that hangs up gives its place back.
			{
				let mut gone = Box::pin(queue.checker(None, 1));
				assert!(futures::poll!(&mut gone).is_pending());
			}
			let mut third = Box::pin(queue.checker(None, 1));
			assert!(futures::poll!(&mut third).is_pending());
			drop(second);
			drop(third.await.unwrap());
		});
	}
}
