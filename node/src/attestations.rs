//! `depin_submitAttestations`: devices hand their signed attestations to any node; the node
//! checks them with the chain's own rules and queues them in its persistent off-chain
//! storage, where its off-chain worker (if the node holds an authorised oracle key) drains
//! them into signed batches. The queue survives restarts.

use std::{
	collections::{HashSet, VecDeque},
	sync::{Arc, Mutex},
};

use codec::{Decode, DecodeAll, Encode};
use depin_primitives::{
	api::{EpochSummary, ProofOfCoverageApi},
	oracle::{queue, KEY_TYPE},
	AttestationRejection, SignedAttestation,
};
use depin_runtime::{opaque::Block, BlockNumber};
use jsonrpsee::{
	core::RpcResult,
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
/// How many recently queued attestations the node remembers, to refuse resubmissions.
const RECENT_CAPACITY: usize = 200_000;

/// Error codes of the `depin_*` methods.
pub mod error {
	/// More than [`super::MAX_ATTESTATIONS_PER_CALL`] attestations in one call.
	pub const TOO_MANY: i32 = 4001;
	/// The node holds no oracle key, so nothing it queues would ever be submitted.
	pub const NOT_AN_ORACLE: i32 = 4002;
	/// The queue is full: the node's oracle is not keeping up or not authorised.
	pub const QUEUE_FULL: i32 = 4003;
	/// The runtime could not be asked (node still starting, or state pruned).
	pub const RUNTIME: i32 = 4004;
}

/// What happened to one submitted attestation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResult {
	/// Its position in the call.
	pub index: u32,
	/// `true`: queued for this node's next batches.
	pub queued: bool,
	/// Why it was refused: `Malformed: …`, `AlreadyQueued`, or a chain rejection such as
	/// `BadSignature`, `UnknownDevice`, `DeviceNotActive`, `WrongEpoch`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub error: Option<String>,
}

/// The node's queue and whether it can drain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
	/// Chunks (accepted calls) waiting for the off-chain worker.
	pub queued_chunks: u64,
	/// Whether the keystore holds an oracle (`dpoc`) key.
	pub has_oracle_key: bool,
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
	/// Checks and queues attestations: each a hex string of a SCALE-encoded
	/// `SignedAttestation`. Answers one result per item, in order.
	#[method(name = "depin_submitAttestations")]
	fn submit_attestations(&self, attestations: Vec<Bytes>) -> RpcResult<Vec<SubmissionResult>>;

	/// The node's attestation queue, oracle key and the current epoch.
	#[method(name = "depin_queueStatus")]
	fn queue_status(&self) -> RpcResult<QueueStatus>;
}

/// Hashes of recently queued attestations, oldest first out.
#[derive(Default)]
struct Recent {
	set: HashSet<[u8; 32]>,
	order: VecDeque<[u8; 32]>,
}

impl Recent {
	fn insert(&mut self, hash: [u8; 32]) -> bool {
		if !self.set.insert(hash) {
			return false;
		}
		self.order.push_back(hash);
		if self.order.len() > RECENT_CAPACITY {
			if let Some(old) = self.order.pop_front() {
				self.set.remove(&old);
			}
		}
		true
	}
}

/// The queue writer, shared by every RPC connection of the node.
pub struct AttestationQueue<S> {
	storage: Mutex<(S, Recent)>,
	keystore: KeystorePtr,
}

impl<S: OffchainStorage> AttestationQueue<S> {
	/// A writer over the node's persistent off-chain storage.
	pub fn new(storage: S, keystore: KeystorePtr) -> Arc<Self> {
		Arc::new(Self { storage: Mutex::new((storage, Recent::default())), keystore })
	}

	fn read_u64(storage: &S, key: &[u8]) -> u64 {
		storage
			.get(STORAGE_PREFIX, key)
			.and_then(|raw| u64::decode(&mut &raw[..]).ok())
			.unwrap_or(0)
	}

	/// Chunks waiting.
	pub fn queued_chunks(&self) -> u64 {
		let guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
		let (storage, _) = &*guard;
		Self::read_u64(storage, queue::TAIL).saturating_sub(Self::read_u64(storage, queue::HEAD))
	}

	/// Appends `attestations` (minus those queued recently) as one chunk; returns which were
	/// new. Each comes with the bytes it was decoded from (its SCALE encoding), which are hashed
	/// to recognise resubmissions.
	fn push(
		&self,
		attestations: Vec<(SignedAttestation, &[u8])>,
	) -> Result<Vec<bool>, ErrorObjectOwned> {
		let mut guard = self.storage.lock().unwrap_or_else(|e| e.into_inner());
		let (storage, recent) = &mut *guard;
		let head = Self::read_u64(storage, queue::HEAD);
		let tail = Self::read_u64(storage, queue::TAIL);
		if tail.saturating_sub(head) >= MAX_QUEUED_CHUNKS {
			return Err(ErrorObject::owned(
				error::QUEUE_FULL,
				"attestation queue full: this node's oracle is not submitting (is its dpoc key authorised?)",
				None::<()>,
			));
		}
		let fresh: Vec<bool> = attestations
			.iter()
			.map(|(_, raw)| recent.insert(sp_io::hashing::blake2_256(raw)))
			.collect();
		let chunk: Vec<SignedAttestation> = attestations
			.into_iter()
			.zip(&fresh)
			.filter_map(|((a, _), new)| new.then_some(a))
			.collect();
		if !chunk.is_empty() {
			// The chunk is complete before the tail moves past it: the worker never sees a
			// half-written chunk.
			storage.set(STORAGE_PREFIX, &queue::chunk_key(tail), &chunk.encode());
			storage.set(STORAGE_PREFIX, queue::TAIL, &(tail + 1).encode());
		}
		Ok(fresh)
	}
}

/// The RPC handler.
pub struct Attestations<C, S> {
	client: Arc<C>,
	queue: Arc<AttestationQueue<S>>,
}

impl<C, S> Attestations<C, S> {
	/// A handler answering from `client`'s best block and writing to `queue`.
	pub fn new(client: Arc<C>, queue: Arc<AttestationQueue<S>>) -> Self {
		Self { client, queue }
	}
}

impl<C, S> Attestations<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProofOfCoverageApi<Block, BlockNumber>,
{
	/// Refuses, as `RevealTooEarly`, the reveals that pass at the best block but not at the
	/// finalized one (for whatever reason: the finalized block still in the witness window,
	/// in an earlier epoch, before the beacon's commitment). A reveal makes its secret public
	/// (the pool gossips it); queued while only the best block is past the witness window, a
	/// fork that drops those last blocks would give the secret's readers window blocks to
	/// land tags made from it. If the finalized state cannot answer, the reveals wait too.
	fn hold_back_unfinalized_reveals(
		&self,
		finalized: depin_primitives::Hash,
		decoded: &[SignedAttestation],
		checks: &mut [Result<(), AttestationRejection>],
	) {
		let reveals: Vec<usize> = decoded
			.iter()
			.zip(checks.iter())
			.enumerate()
			.filter(|(_, (a, check))| matches!(a, SignedAttestation::Reveal(_)) && check.is_ok())
			.map(|(i, _)| i)
			.collect();
		if reveals.is_empty() {
			return;
		}
		let at_finalized = self
			.client
			.runtime_api()
			.precheck_attestations(finalized, reveals.iter().map(|i| decoded[*i].clone()).collect())
			.unwrap_or_default();
		for (n, i) in reveals.into_iter().enumerate() {
			if at_finalized.get(n) != Some(&Ok(())) {
				checks[i] = Err(AttestationRejection::RevealTooEarly);
			}
		}
	}
}

fn runtime_error(e: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(error::RUNTIME, format!("runtime call failed: {e}"), None::<()>)
}

impl<C, S> AttestationApiServer for Attestations<C, S>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ProofOfCoverageApi<Block, BlockNumber>,
	S: OffchainStorage + 'static,
{
	fn submit_attestations(&self, attestations: Vec<Bytes>) -> RpcResult<Vec<SubmissionResult>> {
		if attestations.len() > MAX_ATTESTATIONS_PER_CALL {
			return Err(ErrorObject::owned(
				error::TOO_MANY,
				format!("at most {MAX_ATTESTATIONS_PER_CALL} attestations per call"),
				None::<()>,
			));
		}
		if self.queue.keystore.sr25519_public_keys(KEY_TYPE).is_empty() {
			return Err(ErrorObject::owned(
				error::NOT_AN_ORACLE,
				"this node holds no oracle key (key type dpoc): send attestations to an oracle node",
				None::<()>,
			));
		}
		let mut results: Vec<SubmissionResult> = (0..attestations.len())
			.map(|i| SubmissionResult { index: i as u32, queued: false, error: None })
			.collect();
		let mut decoded = Vec::new();
		let mut positions = Vec::new();
		for (i, raw) in attestations.iter().enumerate() {
			match SignedAttestation::decode_all(&mut &raw[..]) {
				Ok(a) => {
					decoded.push(a);
					positions.push(i);
				}
				Err(e) => results[i].error = Some(format!("Malformed: {e}")),
			}
		}
		if decoded.is_empty() {
			return Ok(results);
		}
		let info = self.client.info();
		let mut checks = self
			.client
			.runtime_api()
			.precheck_attestations(info.best_hash, decoded.clone())
			.map_err(runtime_error)?;
		self.hold_back_unfinalized_reveals(info.finalized_hash, &decoded, &mut checks);
		let mut accepted = Vec::new();
		let mut accepted_positions = Vec::new();
		for ((attestation, position), check) in decoded.into_iter().zip(positions).zip(checks) {
			match check {
				Ok(()) => {
					accepted.push((attestation, &attestations[position][..]));
					accepted_positions.push(position);
				}
				Err(reason) => results[position].error = Some(format!("{reason:?}")),
			}
		}
		let fresh = self.queue.push(accepted)?;
		for (position, new) in accepted_positions.into_iter().zip(fresh) {
			if new {
				results[position].queued = true;
			} else {
				results[position].error = Some("AlreadyQueued".into());
			}
		}
		Ok(results)
	}

	fn queue_status(&self) -> RpcResult<QueueStatus> {
		let info = self.client.info();
		let epoch: Option<EpochSummary<BlockNumber>> =
			self.client.runtime_api().current_epoch(info.best_hash).map_err(runtime_error)?;
		Ok(QueueStatus {
			queued_chunks: self.queue.queued_chunks(),
			has_oracle_key: !self.queue.keystore.sr25519_public_keys(KEY_TYPE).is_empty(),
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
