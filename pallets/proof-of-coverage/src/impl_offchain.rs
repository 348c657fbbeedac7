//! The oracle's off-chain worker: drains the node's attestation queue into signed batches.

use crate::{AttestationBatch, Call, Config, Oracles, Pallet, Parameters};
use alloc::vec::Vec;
use depin_primitives::{oracle::queue, OracleId, SignedAttestation};
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight, BoundedVec};
use frame_system::{
	offchain::{CreateAuthorizedTransaction, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{
	offchain::{
		storage::StorageValueRef,
		storage_lock::{StorageLock, Time},
		Duration,
	},
	traits::{One, Saturating},
	Perbill, RuntimeAppPublic,
};

const LOG_TARGET: &str = "runtime::proof-of-coverage";

impl<T: Config> Pallet<T> {
	/// This node's authorised oracle key, if its keystore holds one.
	pub fn local_oracle() -> Option<OracleId> {
		OracleId::all().into_iter().find(|key| Oracles::<T>::contains_key(key))
	}

	/// Most weight one batch may take: a quarter of a block's normal-class budget, so several
	/// oracles' batches and ordinary transactions fit one block.
	pub fn max_batch_weight() -> Weight {
		let weights = T::BlockWeights::get();
		weights
			.get(DispatchClass::Normal)
			.max_extrinsic
			.unwrap_or(weights.max_block)
			.min(Perbill::from_percent(25) * weights.max_block)
	}

	/// Submits up to `max_batches_per_block` batches from the queue for block `now + 1`.
	pub(crate) fn run_oracle(now: BlockNumberFor<T>) {
		let Some(oracle) = Self::local_oracle() else { return };
		let mut lock =
			StorageLock::<Time>::with_deadline(queue::LOCK, Duration::from_millis(20_000));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG_TARGET, "queue locked by another worker; skipping block");
			return;
		};
		let parameters = Parameters::<T>::get();
		let block = now.saturating_add(One::one());
		for index in 0..parameters.max_batches_per_block {
			let attestations =
				Self::take_from_queue(T::MaxBatchSize::get(), Self::max_batch_weight());
			if attestations.is_empty() {
				break;
			}
			let count = attestations.len();
			let Ok(attestations) = BoundedVec::try_from(attestations) else { break };
			let batch = AttestationBatch { oracle: oracle.clone(), block, index, attestations };
			let Some(signature) = oracle.sign(&Self::batch_signing_bytes(&batch)) else {
				log::warn!(target: LOG_TARGET, "oracle key vanished from the keystore");
				return;
			};
			let call = Call::<T>::submit_attestations { batch, signature };
			let xt = <T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(
				call.into(),
			);
			match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
				Ok(()) => log::info!(
					target: LOG_TARGET,
					"submitted batch {index} for block {block:?} with {count} attestations"
				),
				Err(()) => log::warn!(
					target: LOG_TARGET,
					"the pool refused batch {index} for block {block:?} ({count} attestations)"
				),
			}
		}
	}

	/// Takes attestations from the head of the queue, at most `max_items` and `max_weight`.
	fn take_from_queue(max_items: u32, max_weight: Weight) -> Vec<SignedAttestation> {
		let head_ref = StorageValueRef::persistent(queue::HEAD);
		let head = head_ref.get::<u64>().ok().flatten().unwrap_or(0);
		let tail =
			StorageValueRef::persistent(queue::TAIL).get::<u64>().ok().flatten().unwrap_or(0);
		let mut taken = Vec::new();
		let mut weight = Self::batch_weight(&[]);
		let mut sequence = head;
		while sequence < tail && (taken.len() as u32) < max_items {
			let key = queue::chunk_key(sequence);
			let mut chunk_ref = StorageValueRef::persistent(&key);
			let Ok(Some(chunk)) = chunk_ref.get::<Vec<SignedAttestation>>() else {
				// Unreadable chunk (written by an incompatible node version): drop it.
				chunk_ref.clear();
				sequence += 1;
				continue;
			};
			let mut used = 0;
			for attestation in &chunk {
				let cost = Self::attestation_weight(attestation);
				if taken.len() as u32 >= max_items || weight.saturating_add(cost).any_gt(max_weight)
				{
					break;
				}
				weight.saturating_accrue(cost);
				taken.push(attestation.clone());
				used += 1;
			}
			if used == chunk.len() {
				chunk_ref.clear();
				sequence += 1;
			} else {
				chunk_ref.set(&chunk[used..].to_vec());
				break;
			}
		}
		if sequence != head {
			head_ref.set(&sequence);
		}
		taken
	}
}
