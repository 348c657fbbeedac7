//! The runtime API the node uses for proof of coverage: its RPC checks attestations with
//! the chain's own rules before queueing them, and reads the current epoch.

use crate::attestation::{AttestationRejection, EpochIndex, SignedAttestation};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// The current epoch as nodes and devices need it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct EpochSummary<BlockNumber> {
	/// Its index.
	pub index: EpochIndex,
	/// Its first block.
	pub start: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
	/// Its number of uptime slots.
	pub slots: u16,
	/// Its randomness (beacons sign it, challenges derive from it).
	pub randomness: [u8; 32],
	/// Its challenge rate, parts per billion.
	pub challenge_rate: u32,
}

sp_api::decl_runtime_apis! {
	/// Proof-of-coverage queries.
	pub trait ProofOfCoverageApi<BlockNumber: Codec> {
		/// For each attestation, what the chain would say now of its signer, signature and
		/// epoch (not of replays or witness geometry, which depend on the batch it lands in).
		fn precheck_attestations(
			attestations: Vec<SignedAttestation>,
		) -> Vec<Result<(), AttestationRejection>>;

		/// The current epoch, once the first block has started it.
		fn current_epoch() -> Option<EpochSummary<BlockNumber>>;
	}
}
