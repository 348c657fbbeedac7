//! The oracle's off-chain worker: drains the node's attestation queue into signed batches.

use crate::{
	charge::ChargeCounter, AttestationBatch, BatchCharge, BatchOf, Call, Config, Event, Oracles,
	Pallet, Parameters,
};
use alloc::vec::Vec;
use depin_primitives::{
	oracle::queue::{self, InFlight, Landing},
	AttestationRejection, OracleId, OracleSignature, SignedAttestation,
};
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
	traits::{One, SaturatedConversion, Saturating},
	Perbill, RuntimeAppPublic,
};

const LOG_TARGET: &str = "runtime::proof-of-coverage";

/// Blocks the worker waits, after a reorg undid landings it let go of, for the retracted
/// batches to land again before it sends empty ones in their place.
pub const WEDGE_PATIENCE: u64 = 3;

/// Batches in flight that this view has not landed, with their signatures, in order.
type Pending<T> = Vec<(BatchOf<T>, OracleSignature)>;

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

	/// Brings the oracle's batches on chain: forgets those the chain landed long enough ago,
	/// submits again (signed anew if they would expire) those this view of the chain has not
	/// landed, and fills the in-flight window from the queue with new batches signed for
	/// block `now`. See [`depin_primitives::oracle::queue`] for the storage and why nothing
	/// queued is lost.
	pub(crate) fn run_oracle(now: BlockNumberFor<T>) {
		let Some(oracle) = Self::local_oracle() else { return };
		let Some(state) = Oracles::<T>::get(&oracle) else { return };
		let mut lock =
			StorageLock::<Time>::with_deadline(queue::LOCK, Duration::from_millis(20_000));
		let Ok(_guard) = lock.try_lock() else {
			log::debug!(target: LOG_TARGET, "queue locked by another worker; skipping block");
			return;
		};
		let authorisation = state.authorisation;
		let Some((mut index, mut pending)) =
			Self::reconcile_in_flight(&oracle, authorisation, state.batches, now)
		else {
			return;
		};
		if state.landed_in == now {
			Self::requeue_overcharged(&oracle, authorisation, state.batches, state.landed_count);
		}
		let limit = Self::max_batches_in_flight();
		while (pending.len() as u64) < limit {
			let (attestations, charge, taken) =
				Self::take_from_queue(T::MaxBatchSize::get(), Self::max_batch_weight());
			if attestations.is_empty() {
				break;
			}
			let Ok(attestations) = BoundedVec::try_from(attestations) else { break };
			let sequence = index.next;
			let batch = AttestationBatch {
				oracle: oracle.clone(),
				sequence,
				block: now,
				charge,
				attestations,
			};
			let Some(signature) =
				oracle.sign(&Self::batch_signing_bytes_under(&batch, authorisation))
			else {
				log::warn!(target: LOG_TARGET, "oracle key vanished from the keystore");
				return;
			};
			// The batch is stored before the queue lets go of its attestations.
			StorageValueRef::persistent(&queue::in_flight_key(authorisation, sequence))
				.set(&(batch.clone(), signature.clone()));
			index.next = sequence.saturating_add(1);
			StorageValueRef::persistent(queue::IN_FLIGHT).set(&index);
			taken.commit();
			pending.push((batch, signature));
		}
		for (batch, signature) in pending {
			let (sequence, count) = (batch.sequence, batch.attestations.len());
			let call = Call::<T>::submit_attestations { batch, signature };
			let xt = <T as CreateAuthorizedTransaction<Call<T>>>::create_authorized_transaction(
				call.into(),
			);
			match SubmitTransaction::<T, Call<T>>::submit_transaction(xt) {
				Ok(()) => log::info!(
					target: LOG_TARGET,
					"submitted batch {sequence} at block {now:?} with {count} attestations"
				),
				// Most often: the pool holds it already (submitted at an earlier block).
				Err(()) => log::debug!(
					target: LOG_TARGET,
					"the pool did not take batch {sequence} ({count} attestations) again"
				),
			}
		}
	}

	/// Reads the in-flight index and brings it up to date with this view of the chain, where
	/// `oracle`'s authorisation `authorisation` has landed `landed` batches; returns it and
	/// the batches this view has not landed, ready to submit at block `now`. `None` if this
	/// view is older than what the worker keeps (an out-of-order run, or a deep fork): it
	/// then does nothing.
	///
	/// - Landed batches are kept until a count covering them was seen `batch_longevity`
	///   blocks ago and that view's block is final (the node writes its finalized block to
	///   [`queue::FINALIZED`]), or [`queue::KEEP_UNFINALIZED`] blocks ago: a fork that undoes
	///   their landing, after a network partition say, finds them still here.
	/// - Sequence numbers never change under one authorisation: a new authorisation (or a new
	///   key) numbers the batches not landed again from the chain's count, under new keys
	///   written before the index switches to them.
	/// - A batch that would expire is signed again for `now`; one that no longer decodes is
	///   replaced by an empty one (its number must land for the next to); one over the
	///   chain's cap (a runtime upgrade changed the weights) keeps what fits and puts the rest
	///   back at the front of the queue.
	fn reconcile_in_flight(
		oracle: &OracleId,
		authorisation: u32,
		landed: u64,
		now: BlockNumberFor<T>,
	) -> Option<(InFlight, Pending<T>)> {
		let store = StorageValueRef::persistent(queue::IN_FLIGHT);
		let mut index = match store.get::<InFlight>() {
			Ok(Some(index)) => index,
			Ok(None) => Self::upgrade_index().unwrap_or_default(),
			Err(_) => {
				log::warn!(target: LOG_TARGET, "in-flight index unreadable; starting a new one");
				InFlight::default()
			}
		};
		if let Some((retired, first, next)) = index.retired.take() {
			(first..next).for_each(|s| {
				StorageValueRef::persistent(&queue::in_flight_key(retired, s)).clear()
			});
			store.set(&index);
		}
		let at: u64 = now.saturated_into();
		let signer = (oracle.clone(), authorisation);
		if index.signer.as_ref() != Some(&signer) {
			return Self::number_again(index, signer, landed, now);
		}
		let newest = StorageValueRef::persistent(queue::NEWEST_VIEW);
		let newest_view = newest.get::<u64>().ok().flatten().is_none_or(|seen| at > seen);
		if newest_view {
			newest.set(&at);
		}
		if landed < index.first {
			if !newest_view {
				log::debug!(
					target: LOG_TARGET,
					"this view has landed {landed} batches, older than the {} kept; skipping",
					index.first
				);
				return None;
			}
			// The chain's new head has not landed batches this worker saw landed more than
			// `batch_longevity` blocks ago and let go of: a reorg deeper than that (finality
			// lagging). The pool puts the retracted batches back, so they may land again:
			// the worker waits `WEDGE_PATIENCE` blocks for that. Then their attestations are
			// gone; their numbers must still land for the kept batches to, so empty batches
			// take their place.
			let mut wedged = StorageValueRef::persistent(queue::WEDGED_SINCE);
			let since = wedged.get::<u64>().ok().flatten().unwrap_or_else(|| {
				wedged.set(&at);
				at
			});
			if at < since.saturating_add(WEDGE_PATIENCE) {
				log::warn!(
					target: LOG_TARGET,
					"the chain's head has landed {landed} batches, fewer than the {} this worker \
					 let go of; waiting for the retracted batches to land again",
					index.first
				);
				return None;
			}
			wedged.clear();
			log::error!(
				target: LOG_TARGET,
				"a reorg undid the landing of batches {landed}..{} more than batch_longevity \
				 blocks old; their attestations are lost; sending empty batches in their place",
				index.first
			);
			for sequence in landed..index.first {
				Self::store_empty_batch(oracle, authorisation, sequence, now)?;
			}
			index.first = landed;
			// Landings seen on the dead fork say nothing about this one.
			index.landed.clear();
			store.set(&index);
		}
		if newest_view {
			StorageValueRef::persistent(queue::WEDGED_SINCE).clear();
		}
		if landed > index.next {
			log::warn!(
				target: LOG_TARGET,
				"the chain landed batches up to {landed}, this node only numbered up to {}",
				index.next
			);
			(index.first..index.next).for_each(|s| {
				StorageValueRef::persistent(&queue::in_flight_key(authorisation, s)).clear()
			});
			index = InFlight {
				signer: Some(signer),
				first: landed,
				next: landed,
				..Default::default()
			};
			store.set(&index);
			return Some((index, Vec::new()));
		}
		let mut changed = false;
		if landed > index.landed_count() {
			index.landed.push(Landing { count: landed, at, hash: Self::hash_in_view(at) });
			changed = true;
		}
		let retention: u64 = Parameters::<T>::get().batch_longevity.saturated_into();
		let finalized = Self::finalized_in_view(at);
		let settled = index
			.landed
			.iter()
			.filter(|landing| landing.at.saturating_add(retention) <= at)
			.filter(|landing| match finalized {
				// The node does not say what is final: by age alone.
				None => true,
				Some(finalized) => {
					let is_final = finalized.is_some_and(|finalized| {
						landing.at <= finalized && Self::hash_in_view(landing.at) == landing.hash
					});
					is_final || landing.at.saturating_add(queue::KEEP_UNFINALIZED) <= at
				}
			})
			.map(|landing| landing.count)
			.max()
			// Never past what this view has landed: a count seen on another fork does not
			// let go of batches this one still needs.
			.map(|settled| settled.min(landed));
		if let Some(settled) = settled.filter(|settled| *settled > index.first) {
			(index.first..settled).for_each(|s| {
				StorageValueRef::persistent(&queue::in_flight_key(authorisation, s)).clear()
			});
			index.first = settled;
			changed = true;
		}
		let before = index.landed.len();
		let first = index.first;
		index.landed.retain(|landing| landing.count > first);
		changed |= index.landed.len() != before;
		if changed {
			store.set(&index);
		}
		let mut pending = Vec::new();
		for sequence in landed..index.next {
			let key = queue::in_flight_key(authorisation, sequence);
			let stored = StorageValueRef::persistent(&key).get::<(BatchOf<T>, OracleSignature)>();
			let (mut batch, signature) = match stored {
				Ok(Some(batch)) => batch,
				_ => {
					log::warn!(
						target: LOG_TARGET,
						"in-flight batch {sequence} unreadable (written by another node version); \
						 sending an empty one in its place"
					);
					Self::store_empty_batch(oracle, authorisation, sequence, now)?
				}
			};
			if batch.block > now {
				// Signed at a later view than this one: its view submits it.
				continue;
			}
			let mut resign = Self::trim_to_cap(&mut batch);
			let longevity = Parameters::<T>::get().batch_longevity;
			if batch.block.saturating_add(longevity) <= now.saturating_add(One::one()) {
				batch.block = now;
				resign = true;
			}
			let signature = if resign {
				let signature =
					oracle.sign(&Self::batch_signing_bytes_under(&batch, authorisation))?;
				StorageValueRef::persistent(&key).set(&(batch.clone(), signature.clone()));
				signature
			} else {
				signature
			};
			pending.push((batch, signature));
		}
		Some((index, pending))
	}

	/// Puts back at the front of the queue the attestations of this oracle's batches landed in
	/// this block that the chain refused with `OverCharge` and would take now.
	///
	/// The worker counts a batch's [`BatchCharge`] on its view of the chain; a batch landing
	/// on another fork (a reorg) can find a device not active yet that the view showed active
	/// (another oracle's batch activated it there), and its heartbeat is refused for the
	/// activation it did not pay for. Counted again on this view, a later batch carries it.
	/// The batches landed here are the last ones of `landed`, in the order of their
	/// `BatchProcessed` events, each after its `AttestationRejected` events.
	///
	/// `landed_here` is the number of batches the oracle landed in this block: if its
	/// `BatchProcessed` events do not number as many (re-authorised within the block), the
	/// mapping is not sure and nothing is queued again.
	fn requeue_overcharged(oracle: &OracleId, authorisation: u32, landed: u64, landed_here: u16) {
		let mut refused_by_batch: Vec<Vec<u32>> = Vec::new();
		let mut refused = Vec::new();
		for record in frame_system::Pallet::<T>::read_events_no_consensus() {
			let Ok(event): Result<Event<T>, _> = record.event.try_into() else { continue };
			match event {
				Event::<T>::AttestationRejected {
					oracle: by,
					index,
					reason: AttestationRejection::OverCharge,
					..
				} if by == *oracle => refused.push(index),
				Event::<T>::BatchProcessed { oracle: by, .. } if by == *oracle => {
					refused_by_batch.push(core::mem::take(&mut refused))
				}
				_ => {}
			}
		}
		if refused_by_batch.len() != usize::from(landed_here) {
			return;
		}
		let first = landed.saturating_sub(refused_by_batch.len() as u64);
		let mut again = Vec::new();
		for (sequence, refused) in (first..).zip(refused_by_batch) {
			if refused.is_empty() {
				continue;
			}
			let key = queue::in_flight_key(authorisation, sequence);
			let Ok(Some((batch, _))) =
				StorageValueRef::persistent(&key).get::<(BatchOf<T>, OracleSignature)>()
			else {
				continue;
			};
			if batch.sequence != sequence {
				continue;
			}
			again.extend(
				refused.iter().filter_map(|index| batch.attestations.get(*index as usize)).cloned(),
			);
		}
		if again.is_empty() {
			return;
		}
		// Only what the chain would take now: not counted since, its window still open.
		let admitted = Self::admit_landing_within(&again, 1);
		let front = StorageValueRef::persistent(queue::FRONT);
		let mut queued = front.get::<Vec<SignedAttestation>>().ok().flatten().unwrap_or_default();
		let again: Vec<SignedAttestation> = again
			.into_iter()
			.zip(admitted)
			.filter(|(attestation, admission)| admission.is_ok() && !queued.contains(attestation))
			.map(|(attestation, _)| attestation)
			.collect();
		if again.is_empty() {
			return;
		}
		log::info!(
			target: LOG_TARGET,
			"{} attestations refused for a charge counted on another fork are queued again",
			again.len()
		);
		queued.splice(0..0, again);
		front.set(&queued);
	}

	/// The index as a node before [`Landing`] stored it, converted (and stored under the new
	/// key, the old one cleared), if there is one.
	fn upgrade_index() -> Option<InFlight> {
		let mut old = StorageValueRef::persistent(queue::IN_FLIGHT_V3);
		let index: InFlight = old.get::<queue::InFlightV3>().ok().flatten()?.into();
		StorageValueRef::persistent(queue::IN_FLIGHT).set(&index);
		old.clear();
		log::info!(target: LOG_TARGET, "in-flight index read from the v3 layout");
		Some(index)
	}

	/// The hash of block `number` of this view (the worker's own block included: the
	/// executive records it before the worker runs); zero if this view does not hold it.
	fn hash_in_view(number: u64) -> depin_primitives::Hash {
		let hash =
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::saturated_from(number));
		let bytes: &[u8] = hash.as_ref();
		if bytes.len() == 32 && bytes.iter().any(|b| *b != 0) {
			depin_primitives::Hash::from_slice(bytes)
		} else {
			Default::default()
		}
	}

	/// What the node says is final, seen from the view at block `at`: `None` if the node does
	/// not say ([`queue::FINALIZED`] absent); `Some(Some(f))` if this view holds the
	/// finalized block `f`, so its blocks up to `f` are final; `Some(None)` if it does not
	/// (a fork, or a view too far behind or ahead to tell).
	fn finalized_in_view(at: u64) -> Option<Option<u64>> {
		let (number, hash) = StorageValueRef::persistent(queue::FINALIZED)
			.get::<(u64, depin_primitives::Hash)>()
			.ok()
			.flatten()?;
		let held = number <= at && hash != Default::default() && Self::hash_in_view(number) == hash;
		Some(held.then_some(number))
	}

	/// Signs an empty batch `sequence` for block `now` and stores it in flight in place of one
	/// that is lost or unreadable (its number must land for the next ones to); returns it.
	fn store_empty_batch(
		oracle: &OracleId,
		authorisation: u32,
		sequence: u64,
		now: BlockNumberFor<T>,
	) -> Option<(BatchOf<T>, OracleSignature)> {
		let empty = AttestationBatch {
			oracle: oracle.clone(),
			sequence,
			block: now,
			charge: Default::default(),
			attestations: BoundedVec::new(),
		};
		let signature = oracle.sign(&Self::batch_signing_bytes_under(&empty, authorisation))?;
		StorageValueRef::persistent(&queue::in_flight_key(authorisation, sequence))
			.set(&(empty.clone(), signature.clone()));
		Some((empty, signature))
	}

	/// Numbers again, from `landed`, for `signer` (a new authorisation or key), what the
	/// batches `index` keeps hold that this view has not counted, signed for block `now`
	/// under new keys; the index switches to them in one write, then the old keys are
	/// cleared.
	fn number_again(
		mut index: InFlight,
		signer: (OracleId, u32),
		landed: u64,
		now: BlockNumberFor<T>,
	) -> Option<(InFlight, Pending<T>)> {
		let (oracle, authorisation) = signer.clone();
		let mut pending = Vec::new();
		if let Some((_, old)) = &index.signer {
			// From the first batch kept, not the last landing seen: that count may have been
			// seen on a fork this view is not on. Of a batch seen landed, only what this view
			// does not count (and would take) is sent again.
			let seen_landed = index.landed_count();
			// Batches below a landing seen on this view's own chain landed here: skipped
			// without a look.
			let landed_here = index
				.landed
				.iter()
				.filter(|landing| {
					landing.hash != Default::default()
						&& Self::hash_in_view(landing.at) == landing.hash
				})
				.map(|landing| landing.count)
				.max()
				.unwrap_or(index.first)
				.max(index.first);
			for sequence in landed_here..index.next {
				let Ok(Some((mut batch, _))) =
					StorageValueRef::persistent(&queue::in_flight_key(*old, sequence))
						.get::<(BatchOf<T>, OracleSignature)>()
				else {
					continue;
				};
				if sequence < seen_landed {
					let admitted = Self::admit_landing_within(&batch.attestations, 1);
					let mut admitted = admitted.into_iter();
					batch.attestations.retain(|_| admitted.next().is_some_and(|a| a.is_ok()));
					if batch.attestations.is_empty() {
						continue;
					}
					batch.charge = Self::charge_of(&batch.attestations);
				}
				Self::trim_to_cap(&mut batch);
				batch.oracle = oracle.clone();
				batch.sequence = landed.saturating_add(pending.len() as u64);
				batch.block = now;
				let signature =
					oracle.sign(&Self::batch_signing_bytes_under(&batch, authorisation))?;
				StorageValueRef::persistent(&queue::in_flight_key(authorisation, batch.sequence))
					.set(&(batch.clone(), signature.clone()));
				pending.push((batch, signature));
			}
		}
		let retired = index.signer.as_ref().map(|(_, old)| (*old, index.first, index.next));
		index = InFlight {
			signer: Some(signer),
			first: landed,
			next: landed.saturating_add(pending.len() as u64),
			landed: Vec::new(),
			retired,
		};
		let store = StorageValueRef::persistent(queue::IN_FLIGHT);
		store.set(&index);
		// A wait for retracted batches under the old numbers is over.
		StorageValueRef::persistent(queue::WEDGED_SINCE).clear();
		if let Some((old, first, next)) = index.retired.take() {
			(first..next)
				.for_each(|s| StorageValueRef::persistent(&queue::in_flight_key(old, s)).clear());
			store.set(&index);
		}
		Some((index, pending))
	}

	/// Cuts `batch` to the most the chain's cap takes (its charge counted again), putting
	/// the rest back at the front of the queue; `true` if it cut anything.
	fn trim_to_cap(batch: &mut BatchOf<T>) -> bool {
		let cap = Self::max_batch_weight();
		if !Self::batch_weight(&batch.attestations, &batch.charge).any_gt(cap) {
			return false;
		}
		let mut counter = ChargeCounter::<T>::new();
		let mut weight = Self::batch_weight(&[], &Default::default());
		let fits = batch
			.attestations
			.iter()
			.take_while(|attestation| {
				weight.saturating_accrue(counter.add(attestation));
				!weight.any_gt(cap)
			})
			.count();
		let rest: Vec<SignedAttestation> = batch.attestations.iter().skip(fits).cloned().collect();
		batch.attestations.truncate(fits);
		batch.charge = Self::charge_of(&batch.attestations);
		log::warn!(
			target: LOG_TARGET,
			"in-flight batch {} is over the chain's cap: {} attestations put back",
			batch.sequence,
			rest.len()
		);
		let front = StorageValueRef::persistent(queue::FRONT);
		let mut queued = front.get::<Vec<SignedAttestation>>().ok().flatten().unwrap_or_default();
		queued.splice(0..0, rest);
		front.set(&queued);
		true
	}

	/// Takes attestations from the front of the queue (those put back first, then the
	/// chunks), at most `max_items` and `max_weight`; the queue lets go of them only when the
	/// returned [`Taken`] is committed.
	fn take_from_queue(
		max_items: u32,
		max_weight: Weight,
	) -> (Vec<SignedAttestation>, BatchCharge, Taken) {
		let head =
			StorageValueRef::persistent(queue::HEAD).get::<u64>().ok().flatten().unwrap_or(0);
		let tail =
			StorageValueRef::persistent(queue::TAIL).get::<u64>().ok().flatten().unwrap_or(0);
		let front = StorageValueRef::persistent(queue::FRONT)
			.get::<Vec<SignedAttestation>>()
			.ok()
			.flatten()
			.unwrap_or_default();
		let mut taken = Vec::new();
		let mut weight = Self::batch_weight(&[], &Default::default());
		let mut done = Taken { front: None, head, new_head: head, rest: None };
		let mut counter = ChargeCounter::<T>::new();
		let mut fits = |attestation: &SignedAttestation, taken: &Vec<SignedAttestation>| {
			if taken.len() as u32 >= max_items {
				return false;
			}
			let added = counter.added(attestation);
			let cost =
				Self::attestation_weight(attestation).saturating_add(Self::charge_weight(&added));
			if weight.saturating_add(cost).any_gt(max_weight) {
				return false;
			}
			weight.saturating_accrue(counter.add_counted(attestation, added));
			true
		};
		if !front.is_empty() {
			for attestation in &front {
				if !fits(attestation, &taken) {
					break;
				}
				taken.push(attestation.clone());
			}
			done.front = Some(front[taken.len()..].to_vec());
			if taken.len() < front.len() {
				return (taken, counter.charge(), done);
			}
		}
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
				if !fits(attestation, &taken) {
					break;
				}
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
		(taken, counter.charge(), done)
	}
}

/// Attestations taken from the queue, not yet let go of.
struct Taken {
	/// What is left of the put-back attestations, if some were taken.
	front: Option<Vec<SignedAttestation>>,
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
		match self.front {
			Some(front) if front.is_empty() => StorageValueRef::persistent(queue::FRONT).clear(),
			Some(front) => StorageValueRef::persistent(queue::FRONT).set(&front),
			None => {}
		}
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
