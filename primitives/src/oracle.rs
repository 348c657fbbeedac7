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
//! b"depin/oracle-batch/v2" ‖ genesis_hash ‖ oracle (32) ‖ sequence (u64) ‖ block (u32)
//!   ‖ blake2_256(SCALE(attestations))
//! ```

use crate::payload::SignedPayload;
use codec::Encode;
use sp_core::crypto::KeyTypeId;

/// Key type of oracle keys in the node keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"dpoc");

/// Domain tag of [`OracleBatchPayload`].
pub const ORACLE_BATCH_DOMAIN: &[u8] = b"depin/oracle-batch/v2";

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

/// What an oracle signs for a batch.
#[derive(Encode)]
pub struct OracleBatchPayload<'a, Hash: Encode, BlockNumber: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The oracle.
	pub oracle: &'a OracleId,
	/// The batch's sequence number among the oracle's batches.
	pub sequence: u64,
	/// The block the batch is signed for (the oracle's best block + 1 when it signed it).
	pub block: BlockNumber,
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
/// before `TAIL` moves past it); only the off-chain worker, under `LOCK`, writes `HEAD` and
/// shortens or removes chunks below `TAIL`.
///
/// A batch taken from the queue is **in flight** until the chain has landed it: `IN_FLIGHT`
/// holds `(first, next)` (`u64`s: batches with sequence numbers `first..next` are in flight)
/// and each is stored, with its signature, under [`in_flight_key`]. The worker submits every
/// batch in flight again each block until the chain's count of the oracle's batches passes
/// it, signing it anew when it expires: a batch the pool dropped, or lost with the pool when
/// the node was killed, lands later. A batch is written before the queue's `HEAD` moves past
/// its attestations, so a crash between the two can only submit them twice (the chain refuses
/// the second copy), never lose them.
pub mod queue {
	use alloc::vec::Vec;

	/// Key of the first queued chunk's sequence number.
	pub const HEAD: &[u8] = b"depin/poc/queue/head";
	/// Key of the sequence number the next chunk gets.
	pub const TAIL: &[u8] = b"depin/poc/queue/tail";
	/// Key of the off-chain worker's lock on the queue.
	pub const LOCK: &[u8] = b"depin/poc/queue/lock";
	/// Prefix of chunk keys.
	pub const CHUNK_PREFIX: &[u8] = b"depin/poc/queue/chunk/";

	/// Key of the `(first, next)` sequence numbers of the batches in flight.
	pub const IN_FLIGHT: &[u8] = b"depin/poc/queue/in-flight";
	/// Prefix of in-flight batch keys.
	pub const IN_FLIGHT_PREFIX: &[u8] = b"depin/poc/queue/in-flight/";

	/// Key of the in-flight batch with sequence number `sequence`.
	pub fn in_flight_key(sequence: u64) -> Vec<u8> {
		let mut key = IN_FLIGHT_PREFIX.to_vec();
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
