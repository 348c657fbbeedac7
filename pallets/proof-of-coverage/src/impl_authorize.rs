//! Authorizing oracle batches: what the transaction pool (and block import) checks before an
//! unsigned batch may run.

use crate::{BatchOf, Config, Oracles, Pallet, Parameters};
use codec::Encode;
use depin_primitives::{oracle::OracleBatchPayload, OracleSignature, SignedPayload};
use frame_support::{
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidityWithRefund, ValidTransaction,
	},
	weights::Weight,
};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto},
	RuntimeAppPublic,
};

/// Priority of oracle batches: above ordinary transactions, so attestations are not starved
/// by transfers (each batch's weight is still bounded by the block's).
pub const BATCH_PRIORITY: u64 = u64::MAX / 2;

/// `InvalidTransaction::Custom` code: the batch's charge is above the most one batch may take
/// ([`Pallet::max_batch_weight`]); it can never land.
pub const BATCH_TOO_HEAVY: u8 = 2;

/// `InvalidTransaction::Custom` code: the batch's sequence number is further ahead of the
/// oracle's count than [`Pallet::max_batches_ahead`]; the pool does not hold it.
pub const BATCH_TOO_FAR_AHEAD: u8 = 3;

impl<T: Config> Pallet<T> {
	/// The bytes an oracle signs for `batch` under its current authorisation (the first
	/// authorisation's number if it has none).
	pub fn batch_signing_bytes(batch: &BatchOf<T>) -> alloc::vec::Vec<u8> {
		let authorisation = Oracles::<T>::get(&batch.oracle).map_or(0, |state| state.authorisation);
		Self::batch_signing_bytes_under(batch, authorisation)
	}

	/// The bytes an oracle signs for `batch` under authorisation number `authorisation`.
	pub fn batch_signing_bytes_under(
		batch: &BatchOf<T>,
		authorisation: u32,
	) -> alloc::vec::Vec<u8> {
		let genesis_hash = Self::genesis_hash();
		OracleBatchPayload {
			genesis_hash: &genesis_hash,
			oracle: &batch.oracle,
			authorisation,
			sequence: batch.sequence,
			block: batch.block,
			charge: batch.charge,
			attestations_hash: sp_io::hashing::blake2_256(&batch.attestations.encode()),
		}
		.signing_bytes()
	}

	/// Most batches an oracle's batch may be ahead of the oracle's count in the pool: twice
	/// what its worker keeps in flight, so a pool at an older block than the worker's still
	/// takes them, and an oracle cannot fill the pool with batches that would wait for ever.
	pub fn max_batches_ahead() -> u64 {
		Self::max_batches_in_flight().saturating_mul(2)
	}

	/// Accepts `batch` if its oracle is authorised and signed it under its current
	/// authorisation, the batch is fresh, within the per-batch weight cap and the oracle's
	/// rate, and is the oracle's next (in the pool: or one at most
	/// [`Self::max_batches_ahead`] later, which then waits for its predecessor). Runs in the
	/// pool and again when the batch is applied in a block.
	///
	/// The pool orders an oracle's batches like an account's nonces: batch `s` provides
	/// `(oracle, s)` and requires `(oracle, s - 1)` unless it is the next to land, so the pool
	/// never offers a block a batch whose predecessor is missing, and a batch left out of a
	/// block (full, or the oracle's `max_batches_per_block` reached: `ExhaustsResources`, kept
	/// in the pool) is never made stale by a later one.
	pub(crate) fn authorize_batch(
		source: TransactionSource,
		batch: &BatchOf<T>,
		signature: &OracleSignature,
	) -> TransactionValidityWithRefund {
		let state = Oracles::<T>::get(&batch.oracle).ok_or(InvalidTransaction::BadSigner)?;
		let parameters = Parameters::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		if batch.block > now {
			return Err(InvalidTransaction::Future.into());
		}
		let expires = batch.block.saturating_add(parameters.batch_longevity);
		if expires < now {
			return Err(InvalidTransaction::Stale.into());
		}
		if batch.sequence < state.batches {
			return Err(InvalidTransaction::Stale.into());
		}
		// In a block the predecessor must have landed; the pool holds a later batch back.
		if batch.sequence > state.batches && source == TransactionSource::InBlock {
			return Err(InvalidTransaction::Future.into());
		}
		if batch.sequence.saturating_sub(state.batches) > Self::max_batches_ahead() {
			return Err(InvalidTransaction::Custom(BATCH_TOO_FAR_AHEAD).into());
		}
		if Self::batch_weight(&batch.attestations, &batch.charge).any_gt(Self::max_batch_weight()) {
			return Err(InvalidTransaction::Custom(BATCH_TOO_HEAVY).into());
		}
		if state.landed_in == now && state.landed_count >= parameters.max_batches_per_block {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let signed = Self::batch_signing_bytes_under(batch, state.authorisation);
		if !batch.oracle.verify(&signed, signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let longevity: u64 = expires.saturating_sub(now).unique_saturated_into();
		let mut validity = ValidTransaction::with_tag_prefix("DepinProofOfCoverage")
			.priority(BATCH_PRIORITY)
			.and_provides((batch.oracle.clone(), batch.sequence))
			.longevity(longevity.saturating_add(1))
			.propagate(true);
		if batch.sequence > state.batches {
			validity =
				validity.and_requires((batch.oracle.clone(), batch.sequence.saturating_sub(1)));
		}
		Ok((validity.build()?, Weight::zero()))
	}
}
