//! Oracles: nodes that carry devices' attestations on chain in signed batches.
//!
//! An oracle is a node holding a key of type [`KEY_TYPE`] (`dpoc`, sr25519) in its keystore
//! (`depin-node key insert --key-type dpoc --scheme sr25519 ...`), whose public key
//! governance has authorised. Its off-chain worker signs each batch it submits; the
//! transaction pool checks that one signature, the runtime then verifies every device
//! signature inside.
//!
//! Batch bytes an oracle signs:
//! ```text
//! b"depin/oracle-batch/v3" ‖ genesis_hash ‖ oracle (32) ‖ authorisation (u32)
//!   ‖ sequence (u64) ‖ block (u32) ‖ charge (3 × u32) ‖ blake2_256(SCALE(attestations))
//! ```
//!
//! `authorisation` is the number the chain gave the oracle's current authorisation (each
//! `add_oracle` gets a new one, never reused): a batch signed before the oracle was removed
//! and authorised again cannot be replayed under the new authorisation, whose sequence
//! numbers start again from 0.

use crate::payload::SignedPayload;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::crypto::KeyTypeId;

/// Key type of oracle keys in the node keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"dpoc");

/// Domain tag of [`OracleBatchPayload`].
pub const ORACLE_BATCH_DOMAIN: &[u8] = b"depin/oracle-batch/v3";

/// The oracle key scheme: sr25519 under [`KEY_TYPE`].
pub mod crypto {
	use super::KEY_TYPE;
	use sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, KEY_TYPE);
}

/// An oracle's public key, its identity on chain.
pub type OracleId = crypto::Public;
/// An oracle's signature over a batch.
pub type OracleSignature = crypto::Signature;

/// What a batch's heartbeats cost besides their own checks, as the oracle counted it against
/// the chain's state when it built the batch. The chain charges the batch for it (so a dense
/// batch is not charged as if each heartbeat touched pages of its own), refuses a heartbeat
/// that would go past it (`AttestationRejection::OverCharge`), and refunds what was not used.
/// Counts above the batch's worst case are charged as the worst case.
#[derive(
	Clone,
	Copy,
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
pub struct BatchCharge {
	/// Heartbeats that are their device's first attestation of the epoch: the score sink
	/// hears of each (at most one per heartbeat).
	pub activations: u32,
	/// Distinct heartbeat and tally pages the heartbeats touch, each read and written once
	/// (at most two per heartbeat).
	pub pages: u32,
	/// Distinct slots whose anchor (a block hash) the heartbeats are checked against, each
	/// read once (at most one per heartbeat).
	pub anchors: u32,
}

impl BatchCharge {
	/// The worst case of `heartbeats` heartbeats: each its device's first, on pages and in a
	/// slot of its own.
	pub fn worst_case(heartbeats: u32) -> Self {
		Self { activations: heartbeats, pages: heartbeats.saturating_mul(2), anchors: heartbeats }
	}

	/// Each count capped at the worst case of `heartbeats` heartbeats.
	pub fn capped(&self, heartbeats: u32) -> Self {
		let worst = Self::worst_case(heartbeats);
		Self {
			activations: self.activations.min(worst.activations),
			pages: self.pages.min(worst.pages),
			anchors: self.anchors.min(worst.anchors),
		}
	}
}

/// What an oracle signs for a batch.
#[derive(Encode)]
pub struct OracleBatchPayload<'a, Hash: Encode, BlockNumber: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The oracle.
	pub oracle: &'a OracleId,
	/// The number of the oracle's authorisation the batch is signed under.
	pub authorisation: u32,
	/// The batch's sequence number among the oracle's batches.
	pub sequence: u64,
	/// The block the batch is signed for (the oracle's best block when it signed it); it is
	/// valid from that block on, for the chain's `batch_longevity`.
	pub block: BlockNumber,
	/// What the batch's heartbeats are charged for besides their checks.
	pub charge: BatchCharge,
	/// `blake2_256` of the SCALE-encoded attestations.
	pub attestations_hash: [u8; 32],
}

impl<Hash: Encode, BlockNumber: Encode> SignedPayload
	for OracleBatchPayload<'_, Hash, BlockNumber>
{
	const DOMAIN: &'static [u8] = ORACLE_BATCH_DOMAIN;
}

/// The node's attestation queue in its persistent off-chain storage: the RPC appends chunks,
/// the off-chain worker drains them into batches. Values are SCALE-encoded: `HEAD` and `TAIL`
/// are `u64` chunk sequence numbers (chunks `HEAD..TAIL` are queued), a chunk is a
/// `Vec<SignedAttestation>`. Only the RPC writes `TAIL` and new chunks (a chunk is complete
/// before `TAIL` moves past it); only the off-chain worker, under `LOCK`, writes `HEAD`,
/// shortens or removes chunks below `TAIL`, and writes `FRONT` (attestations it put back:
/// taken before the chunks).
///
/// A batch taken from the queue is **in flight** until the chain has landed it and the
/// landing is old enough not to be undone by a fork: `IN_FLIGHT` holds an [`InFlight`], and
/// each batch `first..next` is stored, with its signature, under [`in_flight_key`]. The
/// worker submits again, each block, every batch its view of the chain has not landed yet,
/// signing it anew when it would expire: a batch the pool dropped, lost with the pool when
/// the node was killed, or undone by a fork, lands later. A batch is written before the
/// queue's `HEAD` moves past its attestations, so a crash between the two can only submit
/// them twice (the chain refuses the second copy), never lose them. Sequence numbers are
/// given once per authorisation and never changed; only a new authorisation (or a new key)
/// numbers the batches not landed yet again, under new keys, switched to in one write.
pub mod queue {
	use super::OracleId;
	use alloc::vec::Vec;
	use codec::{Decode, Encode};

	/// Key of the first queued chunk's sequence number.
	pub const HEAD: &[u8] = b"depin/poc/queue/head";
	/// Key of the sequence number the next chunk gets.
	pub const TAIL: &[u8] = b"depin/poc/queue/tail";
	/// Key of the off-chain worker's lock on the queue.
	pub const LOCK: &[u8] = b"depin/poc/queue/lock";
	/// Prefix of chunk keys.
	pub const CHUNK_PREFIX: &[u8] = b"depin/poc/queue/chunk/";
	/// Key of the attestations the worker put back (a `Vec<SignedAttestation>`, taken before
	/// the chunks): those of an in-flight batch that no longer fits the chain's cap, and
	/// those a landed batch had refused with `OverCharge` (its charge counted on another
	/// fork) that the chain would take now.
	pub const FRONT: &[u8] = b"depin/poc/queue/front";

	/// Key of the [`InFlight`] index.
	pub const IN_FLIGHT: &[u8] = b"depin/poc/queue/in-flight-v4";
	/// Key of the index as nodes before [`Landing`] wrote it ([`InFlightV3`]): read once,
	/// converted, and cleared.
	pub const IN_FLIGHT_V3: &[u8] = b"depin/poc/queue/in-flight-v3";
	/// Prefix of in-flight batch keys.
	pub const IN_FLIGHT_PREFIX: &[u8] = b"depin/poc/queue/in-flight-v3/";
	/// The highest block the worker ran for (`u64`): a run for a lower or equal block is a
	/// late run or a shorter fork, a higher one is the chain's new head.
	pub const NEWEST_VIEW: &[u8] = b"depin/poc/queue/newest-view";
	/// The block (`u64`) from which the chain's head has landed fewer batches than the worker
	/// keeps (a reorg deeper than the batches kept), while it waits for the batches the
	/// reorg retracted to land again before it gives up on them.
	pub const WEDGED_SINCE: &[u8] = b"depin/poc/queue/wedged-since";

	/// Key of the finalized block the node last heard of, `(number: u64, hash: H256)`,
	/// written by the node on each finality notification: the worker lets go of a landed
	/// batch only once its landing is final (or [`KEEP_UNFINALIZED`] blocks old), so a reorg
	/// after a network partition finds it still in flight. Absent (a node that does not
	/// write it), landings are let go of `batch_longevity` blocks after they were seen.
	pub const FINALIZED: &[u8] = b"depin/poc/queue/finalized";

	/// Most blocks a landing that finality has not reached is kept for: past it the worker
	/// lets go of it anyway (the off-chain storage of a node whose finality has stalled stays
	/// bounded: at most that many blocks' batches).
	pub const KEEP_UNFINALIZED: u64 = 256;

	/// A count of landed batches the worker saw on chain: the view's block number and hash.
	#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
	pub struct Landing {
		/// Batches the view had landed.
		pub count: u64,
		/// The view's block number.
		pub at: u64,
		/// The view's block hash (zero when unknown: never final by hash).
		pub hash: crate::Hash,
	}

	/// The off-chain worker's index of its batches in flight.
	#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
	pub struct InFlight {
		/// The key and the authorisation number the batches are signed under.
		pub signer: Option<(OracleId, u32)>,
		/// The lowest sequence number kept (landed batches are kept until their landing is
		/// old enough, then forgotten).
		pub first: u64,
		/// The sequence number the next batch gets.
		pub next: u64,
		/// Counts of landed batches the worker saw on chain, with the block it saw each at,
		/// ascending: the highest count whose landing is final lets go of the batches below
		/// it.
		pub landed: Vec<Landing>,
		/// Keys of a set replaced by numbering again (authorisation, first, next), cleared at
		/// the next run.
		pub retired: Option<(u32, u64, u64)>,
	}

	/// [`InFlight`] as nodes before [`Landing`] stored it, under [`IN_FLIGHT_V3`].
	#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode)]
	pub struct InFlightV3 {
		/// See [`InFlight::signer`].
		pub signer: Option<(OracleId, u32)>,
		/// See [`InFlight::first`].
		pub first: u64,
		/// See [`InFlight::next`].
		pub next: u64,
		/// `(count, block)` of each landing seen.
		pub landed: Vec<(u64, u64)>,
		/// See [`InFlight::retired`].
		pub retired: Option<(u32, u64, u64)>,
	}

	impl From<InFlightV3> for InFlight {
		/// Its landings' hashes unknown (zero): never final by hash, they are let go of
		/// [`KEEP_UNFINALIZED`] blocks after they were seen, or by age alone on a node that
		/// does not record finality.
		fn from(old: InFlightV3) -> Self {
			Self {
				signer: old.signer,
				first: old.first,
				next: old.next,
				landed: old
					.landed
					.into_iter()
					.map(|(count, at)| Landing { count, at, hash: Default::default() })
					.collect(),
				retired: old.retired,
			}
		}
	}

	impl InFlight {
		/// The highest count of landed batches seen (`first` if none is recorded).
		pub fn landed_count(&self) -> u64 {
			self.landed.last().map_or(self.first, |landing| landing.count).max(self.first)
		}

		/// Batches submitted and not landed (as the worker last saw the chain).
		pub fn pending(&self) -> u64 {
			self.next.saturating_sub(self.landed_count())
		}
	}

	/// Key of the in-flight batch `sequence` signed under authorisation `authorisation`.
	pub fn in_flight_key(authorisation: u32, sequence: u64) -> Vec<u8> {
		let mut key = IN_FLIGHT_PREFIX.to_vec();
		key.extend_from_slice(&authorisation.to_be_bytes());
		key.extend_from_slice(&sequence.to_be_bytes());
		key
	}

	/// Key of chunk `sequence`.
	pub fn chunk_key(sequence: u64) -> Vec<u8> {
		let mut key = CHUNK_PREFIX.to_vec();
		key.extend_from_slice(&sequence.to_be_bytes());
		key
	}
}
