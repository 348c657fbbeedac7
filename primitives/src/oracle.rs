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
//! b"depin/oracle-batch/v1" ‖ genesis_hash ‖ oracle (32) ‖ block (u32) ‖ index (u16)
//!   ‖ blake2_256(SCALE(attestations))
//! ```

use crate::payload::SignedPayload;
use codec::Encode;
use sp_core::crypto::KeyTypeId;

/// Key type of oracle keys in the node keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"dpoc");

/// Domain tag of [`OracleBatchPayload`].
pub const ORACLE_BATCH_DOMAIN: &[u8] = b"depin/oracle-batch/v1";

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
	/// The block the batch is for (the oracle's best block + 1 when it made it).
	pub block: BlockNumber,
	/// The batch's index among the oracle's batches for that block.
	pub index: u16,
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

	/// Key of chunk `sequence`.
	pub fn chunk_key(sequence: u64) -> Vec<u8> {
		let mut key = CHUNK_PREFIX.to_vec();
		key.extend_from_slice(&sequence.to_be_bytes());
		key
	}
}
