//! The oracle's off-chain worker: drains the node's attestation queue into signed batches.

use crate::{AttestationBatch, BatchOf, Call, Config, Oracles, Pallet, Parameters};
use alloc::vec::Vec;
use depin_primitives::{oracle::queue, OracleId, OracleSignature, SignedAttestation};
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

	/// Most batches the worker keeps in flight (submitted, not yet landed): two blocks' worth,
	/// so the next block's batches are already in the pool while this block's land.
	pub fn max_batches_in_flight() -> u64 {
		u64::from(Parameters::<T>::get().max_batches_per_block).saturating_mul(2)
	}

	/// Brings the oracle's batches on chain: forgets those the chain has landed, submits again
	/// (signed anew if they expire before block `now + 1`) those it has not, and fills the
	/// in-flight window from the queue with new batches for block `now + 1`. See
	/// [`depin_primitives::oracle::queue`] for the storage and why nothing queued is lost.
	pub(crate) fn run_oracle(now: BlockNumberFor<T>) {
		let Some(oracle) = Self::local_oracle() else { return };
		let Some(state) = Oracles::<T>::get(&oracle) else { return };
		let mut lock =
			StorageLock::<Time>::with_deadline(queue::LOCK, Duration::from_millis(20_000));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG_TARGET, "queue locked by another worker; skipping block");
			return;
		};
		let block = now.saturating_add(One::one());
		let Some(mut in_flight) = Self::reconcile_in_flight(&oracle, state.batches, block) else {
			return;
		};
		let landed = state.batches;
		let limit = Self::max_batches_in_flight();
		while (in_flight.len() as u64) < limit {
			let (attestations, taken) =
				Self::take_from_queue(T::MaxBatchSize::get(), Self::max_batch_weight());
			if attestations.is_empty() {
				break;
			}
			let Ok(attestations) = BoundedVec::try_from(attestations) else { break };
			let sequence = landed.saturating_add(in_flight.len() as u64);
			let batch = AttestationBatch { oracle: oracle.clone(), sequence, block, attestations };
			let Some(signature) = oracle.sign(&Self::batch_signing_bytes(&batch)) else {
				log::warn!(target: LOG_TARGET, "oracle key vanished from the keystore");
				return;
			};
			// The batch is stored before the queue lets go of its attestations.
			StorageValueRef::persistent(&queue::in_flight_key(sequence))
				.set(&(batch.clone(), signature.clone()));
			StorageValueRef::persistent(queue::IN_FLIGHT)
				.set(&(landed, sequence.saturating_add(1)));
			taken.commit();
			in_flight.push((batch, signature));
		}
		for (batch, signature) in in_flight {
			let (sequence, count) = (batch.sequence, batch.attestations.len());
			let call = Call::<T>::submit_attestations { batch, signature };
			let xt = <T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(
				call.into(),
			);
			match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
				Ok(()) => log::info!(
					target: LOG_TARGET,
					"submitted batch {sequence} for block {block:?} with {count} attestations"
				),
				// Most often: the pool holds it already (submitted at an earlier block).
				Err(()) => log::debug!(
					target: LOG_TARGET,
					"the pool did not take batch {sequence} ({count} attestations) again"
				),
			}
		}
	}

	/// The batches still in flight, in sequence order from `landed` (the chain's count of the
	/// oracle's batches): those below it landed and are forgotten; the others are numbered on
	/// from `landed` and signed again if their number, signer or freshness no longer fits
	/// block `block` (the chain forgot the oracle's count when it was removed and authorised
	/// again, the node's key changed, or the batch would expire). `None` if the key is gone.
	fn reconcile_in_flight(
		oracle: &OracleId,
		landed: u64,
		block: BlockNumberFor<T>,
	) -> Option<Vec<(BatchOf<T>, OracleSignature)>> {
		let index = StorageValueRef::persistent(queue::IN_FLIGHT);
		let (first, next) = index.get::<(u64, u64)>().ok().flatten().unwrap_or((landed, landed));
		let longevity = Parameters::<T>::get().batch_longevity;
		let mut kept = Vec::new();
		for sequence in first.max(landed)..next {
			match StorageValueRef::persistent(&queue::in_flight_key(sequence))
				.get::<(BatchOf<T>, OracleSignature)>()
			{
				Ok(Some(batch)) => kept.push(batch),
				_ => log::warn!(
					target: LOG_TARGET,
					"in-flight batch {sequence} unreadable (written by another node version)"
				),
			}
		}
		let renumbered = landed.saturating_add(kept.len() as u64);
		for (position, (batch, signature)) in kept.iter_mut().enumerate() {
			let sequence = landed.saturating_add(position as u64);
			let fresh = batch.block <= block && batch.block.saturating_add(longevity) > block;
			if batch.sequence != sequence || &batch.oracle != oracle || !fresh {
				batch.sequence = sequence;
				batch.oracle = oracle.clone();
				batch.block = block;
				*signature = oracle.sign(&Self::batch_signing_bytes(batch))?;
				StorageValueRef::persistent(&queue::in_flight_key(sequence))
					.set(&(batch.clone(), signature.clone()));
			}
		}
		// Landed batches, and keys left behind by renumbering.
		for sequence in (first..next).filter(|s| *s < landed || *s >= renumbered) {
			StorageValueRef::persistent(&queue::in_flight_key(sequence)).clear();
		}
		if (first, next) != (landed, renumbered) {
			index.set(&(landed, renumbered));
		}
		Some(kept)
	}

	/// Takes attestations from the head of the queue, at most `max_items` and `max_weight`;
	/// the queue lets go of them only when the returned [`Taken`] is committed.
	fn take_from_queue(max_items: u32, max_weight: Weight) -> (Vec<SignedAttestation>, Taken) {
		let head =
			StorageValueRef::persistent(queue::HEAD).get::<u64>().ok().flatten().unwrap_or(0);
		let tail =
			StorageValueRef::persistent(queue::TAIL).get::<u64>().ok().flatten().unwrap_or(0);
		let mut taken = Vec::new();
		let mut weight = Self::batch_weight(&[]);
		let mut done = Taken { head, new_head: head, rest: None };
		while done.new_head < tail && (taken.len() as u32) < max_items {
			let key = queue::chunk_key(done.new_head);
			let Ok(Some(chunk)) = StorageValueRef::persistent(&key).get::<Vec<SignedAttestation>>()
			else {
				// Unreadable chunk (written by an incompatible node version): dropped.
				done.new_head += 1;
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
				done.new_head += 1;
			} else {
				done.rest = Some((done.new_head, chunk[used..].to_vec()));
				break;
			}
		}
		(taken, done)
	}
}

/// Attestations taken from the queue, not yet let go of.
struct Taken {
	/// The queue's head when they were taken.
	head: u64,
	/// The head once they are let go of: chunks `head..new_head` are used up.
	new_head: u64,
	/// The chunk the last ones came from, if some of it is left, and what is left.
	rest: Option<(u64, Vec<SignedAttestation>)>,
}

impl Taken {
	/// Removes the taken attestations from the queue.
	fn commit(self) {
		for sequence in self.head..self.new_head {
			StorageValueRef::persistent(&queue::chunk_key(sequence)).clear();
		}
		if let Some((sequence, rest)) = self.rest {
			StorageValueRef::persistent(&queue::chunk_key(sequence)).set(&rest);
		}
		if self.new_head != self.head {
			StorageValueRef::persistent(queue::HEAD).set(&self.new_head);
		}
	}
}
