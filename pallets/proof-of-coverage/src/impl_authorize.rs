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

/// `InvalidTransaction::Custom` code: the oracle has landed `max_batches_per_block` batches in
/// this block, or the batch index is not below it.
pub const RATE_LIMITED: u8 = 1;

impl<T: Config> Pallet<T> {
	/// The bytes an oracle signs for `batch`.
	pub fn batch_signing_bytes(batch: &BatchOf<T>) -> alloc::vec::Vec<u8> {
		let genesis_hash = Self::genesis_hash();
		OracleBatchPayload {
			genesis_hash: &genesis_hash,
			oracle: &batch.oracle,
			block: batch.block,
			index: batch.index,
			attestations_hash: sp_io::hashing::blake2_256(&batch.attestations.encode()),
		}
		.signing_bytes()
	}

	/// Accepts `batch` if its oracle is authorised, signed it, is within its rate, and the
	/// batch is newer than the oracle's last and still fresh. Runs in the pool and again
	/// when the batch is applied in a block.
	pub(crate) fn authorize_batch(
		_source: TransactionSource,
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
		if state.last_batch.is_some_and(|last| (batch.block, batch.index) <= last) {
			return Err(InvalidTransaction::Stale.into());
		}
		if batch.index >= parameters.max_batches_per_block
			|| (state.landed_in == now && state.landed_count >= parameters.max_batches_per_block)
		{
			return Err(InvalidTransaction::Custom(RATE_LIMITED).into());
		}
		if !batch.oracle.verify(&Self::batch_signing_bytes(batch), signature) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let longevity: u64 = expires.saturating_sub(now).unique_saturated_into();
		let validity = ValidTransaction::with_tag_prefix("DepinProofOfCoverage")
			.priority(BATCH_PRIORITY.saturating_sub(u64::from(batch.index)))
			.and_provides((batch.oracle.clone(), batch.block, batch.index))
			.longevity(longevity.saturating_add(1))
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}
}
