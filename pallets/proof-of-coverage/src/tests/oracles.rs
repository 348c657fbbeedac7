use crate::{
	impl_authorize::{BATCH_TOO_FAR_AHEAD, BATCH_TOO_HEAVY},
	mock::*,
	Oracles, Parameters,
};
use codec::{Decode, Encode};
use depin_primitives::{
	oracle::queue, OracleId, OracleSignature, SignatureScheme, SignedAttestation,
};
use frame_support::{
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::{Authorize, Hooks},
};
use sp_core::offchain::{
	testing::{TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::{offchain::storage::StorageValueRef, RuntimeAppPublic};

fn invalid(e: InvalidTransaction) -> Result<(), TransactionValidityError> {
	Err(TransactionValidityError::Invalid(e))
}

fn authorize(
	batch: crate::BatchOf<Test>,
	signature: depin_primitives::OracleSignature,
) -> Result<(), TransactionValidityError> {
	RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature })
		.authorize(TransactionSource::External)
		.expect("authorizes itself")
		.map(|_| ())
}

fn some_heartbeat() -> SignedAttestation {
	let device = pair(SignatureScheme::Ed25519, 1);
	MockDevices::insert(&device, ALICE, paris());
	heartbeat(&device, current_epoch(), current_slot())
}

#[test]
fn an_unknown_oracle_is_refused_by_the_pool() {
	build_and_execute(|| {
		let stranger = OracleId::generate_pair(Some(b"//Stranger".to_vec()));
		let (mut batch, _) = signed_batch(vec![some_heartbeat()]);
		batch.oracle = stranger.clone();
		let signature = stranger.sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		assert_eq!(authorize(batch, signature), invalid(InvalidTransaction::BadSigner));
	});
}

#[test]
fn a_removed_oracle_is_refused() {
	build_and_execute(|| {
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		let (batch, signature) = signed_batch(vec![some_heartbeat()]);
		assert_eq!(authorize(batch, signature), invalid(InvalidTransaction::BadSigner));
	});
}

#[test]
fn a_batch_not_signed_by_its_oracle_is_refused() {
	build_and_execute(|| {
		let (batch, signature) = signed_batch(vec![some_heartbeat()]);
		// Attestations swapped after signing.
		let mut tampered = batch.clone();
		tampered.attestations.force_push(some_heartbeat());
		assert_eq!(authorize(tampered, signature.clone()), invalid(InvalidTransaction::BadProof));
		// Signed by someone else.
		let other = OracleId::generate_pair(Some(b"//Other".to_vec()));
		let wrong = other.sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		assert_eq!(authorize(batch.clone(), wrong), invalid(InvalidTransaction::BadProof));
		assert_eq!(authorize(batch, signature), Ok(()));
	});
}

#[test]
fn batches_expire_and_cannot_be_made_for_future_blocks() {
	build_and_execute(|| {
		run_to_block(10);
		batch_for(0, 11, invalid(InvalidTransaction::Future));
		// Longevity 5: a batch for block 4 is valid until block 9.
		batch_for(0, 4, invalid(InvalidTransaction::Stale));
		batch_for(0, 5, Ok(()));
	});
}

fn batch_for(sequence: u64, block: u64, expected: Result<(), TransactionValidityError>) {
	let (batch, signature) = batch_with(sequence, block, vec![]);
	assert_eq!(authorize(batch, signature), expected, "batch {sequence} for block {block}");
}

/// The pool's view of a batch: its `(requires, provides)` tags.
fn tags(sequence: u64) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
	let (batch, signature) = batch_with(sequence, System::block_number(), vec![]);
	let (validity, _) =
		RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature })
			.authorize(TransactionSource::External)
			.expect("authorizes itself")
			.expect("valid in the pool");
	(validity.requires, validity.provides)
}

#[test]
fn batches_land_in_sequence_and_a_later_one_waits_for_its_predecessor() {
	build_and_execute(|| {
		run_to_block(5);
		// The attack without the rule: a later batch that lands first makes the one before
		// it stale, and its attestations are lost. Now the pool holds it back behind its
		// predecessor, and a block may not carry it.
		let (first_requires, first_provides) = tags(0);
		let (second_requires, second_provides) = tags(1);
		assert!(first_requires.is_empty());
		assert_eq!(second_requires, first_provides);
		assert_ne!(second_provides, first_provides);
		let (early, signature) = batch_with(1, 5, vec![some_heartbeat()]);
		assert_eq!(submit(early, signature).err(), Some(InvalidTransaction::Future.into()));

		let (first, s1) = batch_with(0, 5, vec![some_heartbeat()]);
		submit(first.clone(), s1.clone()).unwrap().unwrap();
		// The same batch again (a replay by anyone who saw it) is stale.
		assert_eq!(authorize(first, s1), invalid(InvalidTransaction::Stale));
		// The second is the next now: no longer waiting for anything.
		assert!(tags(1).0.is_empty());
		let (second, s2) = batch_with(1, 4, vec![]);
		submit(second, s2).unwrap().unwrap();
		let state = Oracles::<Test>::get(oracle()).unwrap();
		assert_eq!((state.batches, state.landed_in, state.landed_count), (2, 5, 2));
		assert_eq!((state.accepted, state.rejected), (1, 0));
	});
}

#[test]
fn the_rate_limit_leaves_a_batch_in_the_pool_for_the_next_block() {
	build_and_execute(|| {
		run_to_block(5);
		let mut parameters = Parameters::<Test>::get();
		parameters.max_batches_per_block = 1;
		Parameters::<Test>::put(parameters);
		land(vec![]);
		// Not invalid (which would drop it from the pool): the block is full for this oracle.
		let (batch, signature) = signed_batch(vec![some_heartbeat()]);
		assert_eq!(
			submit(batch.clone(), signature.clone()).err(),
			Some(InvalidTransaction::ExhaustsResources.into())
		);
		run_to_block(6);
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (1, 0));
	});
}

/// A batch of `beats` declaring the worst case of each (as an oracle that over-counts does):
/// the heaviest charge those heartbeats can carry.
fn worst_case_batch(beats: &[SignedAttestation]) -> (crate::BatchOf<Test>, OracleSignature) {
	let (mut batch, _) = signed_batch(beats.to_vec());
	batch.charge = crate::BatchCharge::worst_case(beats.len() as u32);
	let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
	(batch, signature)
}

#[test]
fn a_batch_over_the_per_batch_cap_is_refused_by_the_runtime() {
	build_and_execute(|| {
		// The attack without the rule: an oracle's one batch takes the whole normal class,
		// crowding out every other oracle and transaction. P-256 heartbeats, each declared at
		// its worst case, are the dearest heartbeats can be.
		let devices: Vec<_> =
			(0..200).map(|n| alice_device(SignatureScheme::EcdsaP256, n)).collect();
		let beats: Vec<_> =
			devices.iter().map(|d| heartbeat(d, current_epoch(), current_slot())).collect();
		let cap = ProofOfCoverage::max_batch_weight();
		let worst = |n: usize| crate::BatchCharge::worst_case(n as u32);
		let fits = (1..=beats.len())
			.take_while(|n| !ProofOfCoverage::batch_weight(&beats[..*n], &worst(*n)).any_gt(cap))
			.last()
			.unwrap();
		assert!(fits < beats.len(), "200 worst-case P-256 heartbeats are above the cap");
		let (batch, signature) = worst_case_batch(&beats);
		assert_eq!(
			submit(batch.clone(), signature.clone()).err(),
			Some(InvalidTransaction::Custom(BATCH_TOO_HEAVY).into())
		);
		assert_eq!(
			authorize(batch, signature),
			invalid(InvalidTransaction::Custom(BATCH_TOO_HEAVY))
		);
		// Just under the cap: it lands.
		let (batch, signature) = worst_case_batch(&beats[..fits]);
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (fits as u32, 0));
	});
}

#[test]
fn a_bad_attestation_does_not_spoil_the_batch() {
	build_and_execute(|| {
		let good = some_heartbeat();
		let bad = heartbeat(&pair(SignatureScheme::Ed25519, 2), current_epoch(), current_slot());
		land(vec![bad, good.clone()]);
		assert_eq!(last_batch_counts(), (1, 1));
		assert_eq!(rejections(), vec![(0, depin_primitives::AttestationRejection::UnknownDevice)]);
		let report = ProofOfCoverage::device_report(&good.device(), current_epoch()).unwrap();
		assert_eq!(report.heartbeats(), 1);
	});
}

#[test]
fn the_rpc_precheck_reports_signature_and_signer_problems() {
	build_and_execute(|| {
		use depin_primitives::AttestationRejection as R;
		let good = some_heartbeat();
		let unknown = heartbeat(&pair(SignatureScheme::Ed25519, 2), current_epoch(), 0);
		let SignedAttestation::Heartbeat { heartbeat: body, .. } = good.clone() else {
			unreachable!()
		};
		let forged = SignedAttestation::Heartbeat {
			heartbeat: body,
			signature: depin_primitives::DeviceSignature::Ed25519([1u8; 64]),
		};
		let old_epoch = heartbeat(&pair(SignatureScheme::Ed25519, 1), 7, 0);
		assert_eq!(
			ProofOfCoverage::precheck_attestations(&[good, unknown, forged, old_epoch]),
			vec![Ok(()), Err(R::UnknownDevice), Err(R::BadSignature), Err(R::WrongEpoch)]
		);
	});
}

/// Runs `test` with off-chain storage and a transaction pool; `test` gets a function that
/// takes the transactions submitted so far.
fn with_offchain(test: impl FnOnce(&mut dyn FnMut() -> Vec<Vec<u8>>)) {
	let mut ext = new_test_ext();
	let (offchain, _state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		let mut take = || std::mem::take(&mut pool_state.write().transactions);
		test(&mut take);
		crate::Pallet::<Test>::do_try_state().expect("invariants hold");
	});
}

fn enqueue(chunks: &[Vec<SignedAttestation>]) {
	let tail = StorageValueRef::persistent(queue::TAIL).get::<u64>().unwrap().unwrap_or(0);
	for (i, chunk) in chunks.iter().enumerate() {
		StorageValueRef::persistent(&queue::chunk_key(tail + i as u64)).set(chunk);
	}
	StorageValueRef::persistent(queue::TAIL).set(&(tail + chunks.len() as u64));
}

/// The batches among `transactions`, with their signatures.
fn batches(
	transactions: &[Vec<u8>],
) -> Vec<(crate::BatchOf<Test>, depin_primitives::OracleSignature)> {
	transactions
		.iter()
		.map(|raw| {
			let xt = Extrinsic::decode(&mut &raw[..]).unwrap();
			let RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature }) =
				xt.function
			else {
				panic!("not a batch")
			};
			(batch, signature)
		})
		.collect()
}

/// Queues `attestations`, runs the worker and moves to the next block: the batches it sent.
fn sent_to_next_block(
	attestations: Vec<SignedAttestation>,
	take: &mut dyn FnMut() -> Vec<Vec<u8>>,
) -> Vec<(crate::BatchOf<Test>, depin_primitives::OracleSignature)> {
	enqueue(&[attestations]);
	ProofOfCoverage::offchain_worker(System::block_number());
	let sent = batches(&take());
	run_to_block(System::block_number() + 1);
	sent
}

/// `count` registered devices' heartbeats for the current slot.
fn heartbeats(count: u32) -> Vec<SignedAttestation> {
	(0..count)
		.map(|n| {
			heartbeat(&alice_device(SignatureScheme::Ed25519, n), current_epoch(), current_slot())
		})
		.collect()
}

/// Heartbeats stay valid for 20 blocks after their slot: these tests are about batches
/// landing late, not about heartbeats expiring.
fn long_heartbeat_grace() {
	crate::Parameters::<Test>::mutate(|parameters| parameters.heartbeat_grace = 20);
}

/// `(first, next)` of the in-flight batches: those kept, landed or not.
fn in_flight() -> Option<(u64, u64)> {
	in_flight_index().map(|index| (index.first, index.next))
}

/// The worker's in-flight index.
fn in_flight_index() -> Option<queue::InFlight> {
	StorageValueRef::persistent(queue::IN_FLIGHT).get::<queue::InFlight>().unwrap()
}

/// The in-flight batch `sequence` under the oracle's current authorisation.
fn stored_batch(
	sequence: u64,
) -> Option<(crate::BatchOf<Test>, depin_primitives::OracleSignature)> {
	let authorisation = Oracles::<Test>::get(oracle()).unwrap().authorisation;
	StorageValueRef::persistent(&queue::in_flight_key(authorisation, sequence)).get().unwrap()
}

#[test]
fn the_offchain_worker_drains_the_queue_into_signed_batches() {
	with_offchain(|take| {
		let attestations = heartbeats(250);
		enqueue(&[attestations[..150].to_vec(), attestations[150..].to_vec()]);

		ProofOfCoverage::offchain_worker(System::block_number());

		// MaxBatchSize is 200: the 250 attestations make two batches for the next block,
		// numbered on from the oracle's count.
		let signed_at = System::block_number();
		let sent = batches(&take());
		assert_eq!(sent.len(), 2);
		assert_eq!(in_flight(), Some((0, 2)));
		run_to_block(System::block_number() + 1);
		let mut landed = Vec::new();
		for (sequence, (batch, signature)) in sent.into_iter().enumerate() {
			assert_eq!(
				(batch.oracle.clone(), batch.sequence, batch.block),
				(oracle(), sequence as u64, signed_at)
			);
			landed.extend(batch.attestations.iter().cloned());
			submit(batch, signature).unwrap().unwrap();
			assert_eq!(last_batch_counts().1, 0);
		}
		assert_eq!(landed, attestations);
		// The queue is empty and both batches landed: nothing more to send. They are kept
		// until their landing is `batch_longevity` (5) blocks old, then forgotten.
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		assert_eq!(StorageValueRef::persistent(queue::HEAD).get::<u64>().unwrap(), Some(2));
		assert_eq!((in_flight(), in_flight_index().unwrap().pending()), (Some((0, 2)), 0));
		assert!(stored_batch(0).is_some());
		run_to_block(System::block_number() + 5);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		assert_eq!(in_flight(), Some((2, 2)));
		assert_eq!(stored_batch(0), None);
	});
}

#[test]
fn a_batch_left_out_of_its_block_lands_later() {
	with_offchain(|take| {
		// The attack without the rule (or the plain bad luck of a full block): the worker
		// took the attestations out of the queue, the pool dropped the batch, and they were
		// gone. Now the batch stays in flight until the chain has it.
		long_heartbeat_grace();
		let attestations = heartbeats(3);
		enqueue(std::slice::from_ref(&attestations));
		ProofOfCoverage::offchain_worker(System::block_number());
		let first = batches(&take());
		assert_eq!(first.len(), 1);
		// The next block does not carry it; the worker sends the same transaction again.
		run_to_block(System::block_number() + 1);
		ProofOfCoverage::offchain_worker(System::block_number());
		let again = batches(&take());
		assert_eq!(again, first);
		// Still out past its longevity (5 blocks): signed again for a later block.
		run_to_block(System::block_number() + 5);
		ProofOfCoverage::offchain_worker(System::block_number());
		let (batch, signature) = batches(&take()).pop().unwrap();
		assert_eq!((batch.sequence, batch.block), (0, System::block_number()));
		assert_eq!(batch.attestations.to_vec(), attestations);
		run_to_block(System::block_number() + 1);
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (3, 0));
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
	});
}

#[test]
fn a_restarted_oracle_lands_what_it_had_queued_and_in_flight() {
	with_offchain(|take| {
		// A node killed with batches in its (in-memory) pool: its off-chain storage is all
		// that survives. On restart, the worker's first run submits them again.
		long_heartbeat_grace();
		let attestations = heartbeats(450);
		enqueue(std::slice::from_ref(&attestations));
		let mut parameters = Parameters::<Test>::get();
		parameters.max_batches_per_block = 1;
		Parameters::<Test>::put(parameters);
		// Two in flight (twice max_batches_per_block), 50 left in the queue.
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(batches(&take()).len(), 2);
		// Killed: the pool is lost. Restarted two blocks later.
		run_to_block(System::block_number() + 2);
		ProofOfCoverage::offchain_worker(System::block_number());
		let mut landed = Vec::new();
		for _ in 0..3 {
			let sent = batches(&take());
			let (batch, signature) = sent.into_iter().next().expect("the next batch is sent");
			run_to_block(System::block_number() + 1);
			landed.extend(batch.attestations.iter().cloned());
			submit(batch, signature).unwrap().unwrap();
			ProofOfCoverage::offchain_worker(System::block_number());
		}
		assert!(take().is_empty());
		assert_eq!(landed, attestations);
		assert_eq!(Oracles::<Test>::get(oracle()).unwrap().accepted, 450);
	});
}

#[test]
fn in_flight_batches_follow_the_chain_when_the_oracle_is_authorised_again() {
	with_offchain(|take| {
		land(vec![]);
		land(vec![]);
		enqueue(&[heartbeats(2)]);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(batches(&take())[0].0.sequence, 2);
		// Removed and authorised again: the chain counts its batches from 0.
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		frame_support::assert_ok!(ProofOfCoverage::add_oracle(RuntimeOrigin::root(), oracle()));
		ProofOfCoverage::offchain_worker(System::block_number());
		let (batch, signature) = batches(&take()).pop().unwrap();
		assert_eq!(batch.sequence, 0);
		assert_eq!(in_flight(), Some((0, 1)));
		run_to_block(System::block_number() + 1);
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (2, 0));
	});
}

#[test]
fn authorised_again_after_a_reorg_the_worker_sends_what_this_fork_did_not_land() {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	with_offchain(|take| {
		long_heartbeat_grace();
		let sent = sent_to_next_block(heartbeats(250), take);
		let (first, signature) = sent[0].clone();
		submit(first, signature).unwrap().unwrap();
		// On a fork, batch 1 lands too and the worker sees both landed; the chain then
		// moves to the fork where only batch 0 did.
		with_transaction(|| {
			let (second, signature) = sent[1].clone();
			submit(second, signature).unwrap().unwrap();
			ProofOfCoverage::offchain_worker(System::block_number());
			TransactionOutcome::Rollback(Ok::<(), sp_runtime::DispatchError>(()))
		})
		.unwrap();
		assert!(take().is_empty());
		// Authorised again here. Without the rule the worker numbers again only the batches
		// past the landing it saw on the other fork (none): batch 1's attestations are lost.
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		frame_support::assert_ok!(ProofOfCoverage::add_oracle(RuntimeOrigin::root(), oracle()));
		ProofOfCoverage::offchain_worker(System::block_number());
		let again = batches(&take());
		// Batch 0 landed here: nothing of it is sent again.
		assert_eq!(again.len(), 1);
		assert_eq!(
			(again[0].0.sequence, again[0].0.attestations.clone()),
			(0, sent[1].0.attestations.clone())
		);
		run_to_block(System::block_number() + 1);
		let (batch, signature) = again[0].clone();
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (50, 0));
	});
}

#[test]
fn a_batch_signed_under_an_earlier_authorisation_cannot_be_replayed() {
	build_and_execute(|| {
		// The attack without the rule: the oracle is removed and authorised again, its count
		// starts from 0, and anyone replays its old batch 0 (still fresh) from gossip.
		let (old, old_signature) = signed_batch(vec![some_heartbeat()]);
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		frame_support::assert_ok!(ProofOfCoverage::add_oracle(RuntimeOrigin::root(), oracle()));
		assert_eq!(Oracles::<Test>::get(oracle()).unwrap().authorisation, 1);
		assert_eq!(authorize(old.clone(), old_signature), invalid(InvalidTransaction::BadProof));
		// The same batch signed under the new authorisation is the oracle's next.
		let (batch, signature) = signed_batch(old.attestations.to_vec());
		assert_eq!(authorize(batch, signature), Ok(()));
	});
}

#[test]
fn the_pool_refuses_batches_too_far_ahead_of_the_oracle() {
	build_and_execute(|| {
		// The attack without the rule: an oracle (or its stolen key) fills the pool with
		// batches numbered far ahead, which wait for predecessors that never come.
		let ahead = ProofOfCoverage::max_batches_ahead();
		assert_eq!(ahead, 32);
		batch_for(ahead, System::block_number(), Ok(()));
		batch_for(
			ahead + 1,
			System::block_number(),
			invalid(InvalidTransaction::Custom(BATCH_TOO_FAR_AHEAD)),
		);
		batch_for(
			u64::MAX,
			System::block_number(),
			invalid(InvalidTransaction::Custom(BATCH_TOO_FAR_AHEAD)),
		);
	});
}

#[test]
fn a_fork_that_undoes_a_landing_finds_the_batches_still_in_flight() {
	with_offchain(|take| {
		long_heartbeat_grace();
		let attestations = heartbeats(250);
		enqueue(std::slice::from_ref(&attestations));
		ProofOfCoverage::offchain_worker(System::block_number());
		let sent = batches(&take());
		run_to_block(System::block_number() + 1);
		for (batch, signature) in sent.clone() {
			submit(batch, signature).unwrap().unwrap();
		}
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		// The worker now runs on a branch where neither landed (a fork, or a worker for an
		// older block running late). Without the rule it forgot them, or numbered them again
		// from 0 under other contents: lost, or colliding with what landed.
		let landed = Oracles::<Test>::get(oracle()).unwrap();
		Oracles::<Test>::mutate(oracle(), |state| state.as_mut().unwrap().batches = 0);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(batches(&take()), sent);
		assert_eq!(in_flight(), Some((0, 2)));
		// Back on the branch that landed them, and long enough after: forgotten.
		Oracles::<Test>::insert(oracle(), landed.clone());
		run_to_block(System::block_number() + 5);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(in_flight(), Some((2, 2)));
		// A view older than what is kept changes nothing and sends nothing.
		Oracles::<Test>::mutate(oracle(), |state| state.as_mut().unwrap().batches = 1);
		enqueue(&[heartbeats(1)]);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		assert_eq!(in_flight(), Some((2, 2)));
		// The next view numbers the new batch on from the last one.
		Oracles::<Test>::insert(oracle(), landed);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(batches(&take())[0].0.sequence, 2);
	});
}

#[test]
fn a_reorg_deeper_than_the_batches_kept_does_not_stop_the_oracle() {
	with_offchain(|take| {
		long_heartbeat_grace();
		enqueue(&[heartbeats(250)]);
		ProofOfCoverage::offchain_worker(System::block_number());
		let sent = batches(&take());
		run_to_block(System::block_number() + 1);
		for (batch, signature) in sent {
			submit(batch, signature).unwrap().unwrap();
		}
		ProofOfCoverage::offchain_worker(System::block_number());
		// Long after the landing the worker lets go of batches 0 and 1.
		run_to_block(System::block_number() + 5);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert_eq!(in_flight(), Some((2, 2)));
		enqueue(&[heartbeats(3)]);
		ProofOfCoverage::offchain_worker(System::block_number());
		let kept = batches(&take());
		assert_eq!(kept.len(), 1);
		assert_eq!(kept[0].0.sequence, 2);
		// Then the chain's new head (a higher block) is on a fork where neither landed:
		// finality lagged and a reorg went deeper than the batches kept. Without the rule
		// the worker skipped every view from then on as "older than what it keeps", and the
		// chain, waiting for batch 0, never took batch 2 or any later one.
		Oracles::<Test>::mutate(oracle(), |state| state.as_mut().unwrap().batches = 0);
		run_to_block(System::block_number() + 1);
		// First it waits: the pool may land the retracted batches again.
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		run_to_block(System::block_number() + crate::impl_offchain::WEDGE_PATIENCE);
		ProofOfCoverage::offchain_worker(System::block_number());
		let sent = batches(&take());
		let sequences: Vec<u64> = sent.iter().map(|(batch, _)| batch.sequence).collect();
		assert_eq!(sequences, vec![0, 1, 2]);
		// What batches 0 and 1 held is gone: empty ones stand in for them.
		assert!(sent[0].0.attestations.is_empty() && sent[1].0.attestations.is_empty());
		assert_eq!(sent[2].0.attestations, kept[0].0.attestations);
		assert_eq!(in_flight(), Some((0, 3)));
		for (batch, signature) in sent {
			submit(batch, signature).unwrap().unwrap();
		}
		assert_eq!(Oracles::<Test>::get(oracle()).unwrap().batches, 3);
	});
}

#[test]
fn an_unreadable_in_flight_batch_is_replaced_so_the_next_ones_can_land() {
	with_offchain(|take| {
		long_heartbeat_grace();
		enqueue(&[heartbeats(250)]);
		ProofOfCoverage::offchain_worker(System::block_number());
		let sent = batches(&take());
		// A node upgrade can no longer read batch 0 (the attestation encoding changed).
		// Without the rule the chain waits for batch 0 for ever, and batch 1 never lands.
		let authorisation = Oracles::<Test>::get(oracle()).unwrap().authorisation;
		StorageValueRef::persistent(&queue::in_flight_key(authorisation, 0)).set(&[0xffu8; 3]);
		run_to_block(System::block_number() + 1);
		ProofOfCoverage::offchain_worker(System::block_number());
		let again = batches(&take());
		assert_eq!((again[0].0.sequence, again[0].0.attestations.len()), (0, 0));
		assert_eq!(again[1], sent[1]);
		for (batch, signature) in again {
			submit(batch, signature).unwrap().unwrap();
		}
		assert_eq!(Oracles::<Test>::get(oracle()).unwrap().batches, 2);
	});
}

#[test]
fn an_in_flight_batch_over_a_new_cap_lands_what_fits_and_the_rest_later() {
	with_offchain(|take| {
		long_heartbeat_grace();
		// Signed when the weights allowed it; a runtime upgrade then made reveals dearer, so
		// it is over the cap. Without the rule the pool refuses it for ever and every later
		// batch of the oracle waits behind it.
		let reveals: Vec<_> =
			(0..200).map(|n| reveal(&pair(SignatureScheme::Ed25519, n), current_epoch())).collect();
		let (heavy, _) = signed_batch(reveals.clone());
		let cap = ProofOfCoverage::max_batch_weight();
		assert!(ProofOfCoverage::batch_weight(&heavy.attestations, &heavy.charge).any_gt(cap));
		let authorisation = Oracles::<Test>::get(oracle()).unwrap().authorisation;
		let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&heavy)).unwrap();
		StorageValueRef::persistent(&queue::in_flight_key(authorisation, 0))
			.set(&(heavy, signature));
		StorageValueRef::persistent(queue::IN_FLIGHT).set(&queue::InFlight {
			signer: Some((oracle(), authorisation)),
			first: 0,
			next: 1,
			..Default::default()
		});
		ProofOfCoverage::offchain_worker(System::block_number());
		let sent = batches(&take());
		let fits = sent[0].0.attestations.len();
		assert!(fits > 0 && fits < reveals.len());
		// The rest was put back at the front of the queue and makes the next batches, each
		// under the cap.
		assert!(sent.len() >= 2);
		let numbers: Vec<u64> = sent.iter().map(|(batch, _)| batch.sequence).collect();
		assert_eq!(numbers, (0..sent.len() as u64).collect::<Vec<_>>());
		let mut landed = Vec::new();
		run_to_block(System::block_number() + 1);
		for (batch, signature) in sent {
			assert!(!ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge).any_gt(cap));
			landed.extend(batch.attestations.iter().cloned());
			submit(batch, signature).unwrap().unwrap();
		}
		assert_eq!(landed, reveals);
		assert_eq!(
			StorageValueRef::persistent(queue::FRONT).get::<Vec<SignedAttestation>>().unwrap(),
			None
		);
	});
}

#[test]
fn a_node_without_an_authorised_oracle_key_sends_nothing() {
	with_offchain(|take| {
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		enqueue(&[vec![some_heartbeat()]]);
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		// The queue is kept for when the key is authorised.
		assert_eq!(StorageValueRef::persistent(queue::TAIL).get::<u64>().unwrap(), Some(1));
		assert_eq!(StorageValueRef::persistent(queue::HEAD).get::<u64>().unwrap(), None);
	});
}

#[test]
fn batches_encode_compactly() {
	build_and_execute(|| {
		let (batch, _) = signed_batch(vec![some_heartbeat(); 10]);
		// Per heartbeat: 136 bytes (104 and its 32-byte slot anchor); the batch header:
		// oracle, sequence, block, charge, length.
		assert_eq!(batch.encode().len(), 32 + 8 + 8 + 12 + 1 + 10 * 136);
	});
}

#[test]
fn the_same_attestation_from_two_oracles_lands_once() {
	build_and_execute(|| {
		let second = OracleId::generate_pair(Some(b"//Second".to_vec()));
		frame_support::assert_ok!(ProofOfCoverage::add_oracle(
			RuntimeOrigin::root(),
			second.clone()
		));
		let attestation = some_heartbeat();
		land(vec![attestation.clone()]);
		let batch = crate::AttestationBatch {
			oracle: second.clone(),
			sequence: 0,
			block: System::block_number(),
			charge: ProofOfCoverage::charge_of(std::slice::from_ref(&attestation)),
			attestations: frame_support::BoundedVec::truncate_from(vec![attestation.clone()]),
		};
		let signature = second.sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(rejections(), vec![(0, depin_primitives::AttestationRejection::Duplicate)]);
		let report =
			ProofOfCoverage::device_report(&attestation.device(), current_epoch()).unwrap();
		assert_eq!(report.heartbeats(), 1);
		assert_eq!(report.score.uptime, HEARTBEAT_SCORE);
	});
}

#[test]
fn refused_attestations_are_refunded_the_checks_they_skipped() {
	build_and_execute(|| {
		use frame_support::dispatch::PostDispatchInfo;
		let ed25519 = ProofOfCoverage::verify_weight(SignatureScheme::Ed25519);
		let p256 = ProofOfCoverage::verify_weight(SignatureScheme::EcdsaP256);
		let good = some_heartbeat();
		// Refused before any signature check: unknown device (P-256, the costly scheme).
		let unknown =
			heartbeat(&pair(SignatureScheme::EcdsaP256, 9), current_epoch(), current_slot());
		// Refused by the check itself: a forged signature, the check ran.
		let SignedAttestation::Heartbeat { heartbeat: body, .. } = good.clone() else {
			unreachable!()
		};
		let forged = SignedAttestation::Heartbeat {
			heartbeat: body,
			signature: depin_primitives::DeviceSignature::Ed25519([3u8; 64]),
		};
		let (batch, signature) = signed_batch(vec![forged, unknown, good.clone(), good]);
		let charged = ProofOfCoverage::batch_weight(&batch.attestations, &batch.charge);
		let batch_charge = batch.charge;
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (1, 3));
		// Unknown: its P-256 check and its worst-case share of the charge (two pages and an
		// activation: it might have been registered where the batch landed); the duplicate:
		// its Ed25519 check. The rest of the charge (one anchor, the two pages of the known
		// device, its activation) was used exactly.
		assert_eq!(batch_charge, crate::BatchCharge { activations: 2, pages: 4, anchors: 1 });
		let unknown_share = ProofOfCoverage::charge_weight(&crate::BatchCharge {
			activations: 1,
			pages: 2,
			anchors: 0,
		});
		assert_eq!(post.actual_weight, Some(charged - p256 - ed25519 - unknown_share));
	});
}

#[test]
fn a_heartbeat_refused_for_a_charge_counted_on_another_fork_is_queued_again() {
	use depin_primitives::{oracle::crypto::Pair as OraclePair, AttestationRejection as R};
	use frame_support::storage::{with_transaction, TransactionOutcome};
	use sp_core::Pair;
	with_offchain(|take| {
		long_heartbeat_grace();
		// A second oracle, its key outside this node's keystore.
		let other = OraclePair::from_string("//Other", None).unwrap();
		frame_support::assert_ok!(ProofOfCoverage::add_oracle(
			RuntimeOrigin::root(),
			other.public()
		));
		run_to_block(System::block_number() + EPOCH_LENGTH / u64::from(SLOTS));
		let device = alice_device(SignatureScheme::Ed25519, 0);
		let (epoch, slot) = (current_epoch(), current_slot());
		assert!(slot > 0);
		let earlier = heartbeat(&device, epoch, slot - 1);
		let beat = heartbeat(&device, epoch, slot);
		// On a fork, the other oracle's batch activates the device; this node's worker builds
		// its batch there, so it pays for no activation. Then the chain moves to the fork
		// without the other batch (the transaction rolls back; the worker's storage and the
		// pool keep what it did).
		with_transaction(|| {
			let batch = crate::AttestationBatch {
				oracle: other.public(),
				sequence: 0,
				block: System::block_number(),
				charge: ProofOfCoverage::charge_of(std::slice::from_ref(&earlier)),
				attestations: frame_support::BoundedVec::truncate_from(vec![earlier.clone()]),
			};
			let signature = other.sign(&ProofOfCoverage::batch_signing_bytes(&batch));
			submit(batch, signature).unwrap().unwrap();
			enqueue(&[vec![beat.clone()]]);
			ProofOfCoverage::offchain_worker(System::block_number());
			TransactionOutcome::Rollback(Ok::<(), sp_runtime::DispatchError>(()))
		})
		.unwrap();
		let sent = batches(&take());
		assert_eq!(sent[0].0.charge.activations, 0);
		run_to_block(System::block_number() + 1);
		let (batch, signature) = sent[0].clone();
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(rejections(), vec![(0, R::OverCharge)]);
		// Without the rule the queue is empty: the heartbeat, answered `queued`, is lost.
		ProofOfCoverage::offchain_worker(System::block_number());
		let again = batches(&take());
		assert_eq!(again.len(), 1);
		assert_eq!((again[0].0.sequence, again[0].0.attestations.to_vec()), (1, vec![beat]));
		assert_eq!(again[0].0.charge.activations, 1);
		run_to_block(System::block_number() + 1);
		let (batch, signature) = again[0].clone();
		submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (1, 0));
		let report = ProofOfCoverage::device_report(&device.public().device_id(), epoch).unwrap();
		assert_eq!(report.heartbeats(), 1);
		// Once: the worker's next run queues nothing again.
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
	});
}

/// Runs the worker for the current block as the executive does: the block's own hash is
/// recorded first.
fn run_worker() {
	let now = System::block_number();
	frame_system::BlockHash::<Test>::insert(now, block_hash_of(now));
	ProofOfCoverage::offchain_worker(now);
}

/// The node's finality notification: block `number` of this chain is final.
fn finalize(number: u64) {
	StorageValueRef::persistent(queue::FINALIZED).set(&(number, block_hash_of(number)));
}

#[test]
fn after_a_partition_a_landing_finality_never_reached_is_still_in_flight() {
	with_offchain(|take| {
		long_heartbeat_grace();
		enqueue(&[heartbeats(250)]);
		run_worker();
		let sent = batches(&take());
		run_to_block(System::block_number() + 1);
		let landed_in = System::block_number();
		for (batch, signature) in sent.clone() {
			submit(batch, signature).unwrap().unwrap();
		}
		run_worker();
		// A partition: this side of it builds on, finality stays where it was.
		finalize(landed_in - 1);
		run_to_block(landed_in + 8);
		run_worker();
		// Without the rule both batches were let go of `batch_longevity` (5) blocks after
		// their landing was seen.
		assert_eq!(in_flight(), Some((0, 2)));
		// The partition heals and the chain moves to the other side, where neither landed:
		// sent again, as they were (without the rule: empty batches in their place, and
		// their attestations lost).
		let landed = Oracles::<Test>::get(oracle()).unwrap();
		Oracles::<Test>::mutate(oracle(), |state| state.as_mut().unwrap().batches = 0);
		run_to_block(System::block_number() + 1);
		run_worker();
		let again: Vec<_> =
			batches(&take()).into_iter().map(|(b, _)| (b.sequence, b.attestations)).collect();
		let before: Vec<_> = sent.into_iter().map(|(b, _)| (b.sequence, b.attestations)).collect();
		assert_eq!(again, before);
		// Had the landing stood and become final, they would have been let go of then.
		Oracles::<Test>::insert(oracle(), landed);
		run_to_block(System::block_number() + 1);
		run_worker();
		assert_eq!(in_flight(), Some((0, 2)));
		// A finalized block this view does not hold (another chain's, or a stale record)
		// says nothing.
		let now = System::block_number();
		StorageValueRef::persistent(queue::FINALIZED).set(&(now, sp_core::H256::repeat_byte(9)));
		run_worker();
		assert_eq!(in_flight(), Some((0, 2)));
		// Nor does finality of this view when the landing was seen on another fork.
		let mut index = in_flight_index().unwrap();
		let seen_here = index.landed[0].hash;
		index.landed[0].hash = sp_core::H256::repeat_byte(7);
		StorageValueRef::persistent(queue::IN_FLIGHT).set(&index);
		finalize(now);
		run_worker();
		assert_eq!(in_flight(), Some((0, 2)));
		index.landed[0].hash = seen_here;
		StorageValueRef::persistent(queue::IN_FLIGHT).set(&index);
		run_worker();
		assert_eq!(in_flight(), Some((2, 2)));
	});
}

#[test]
fn a_landing_finality_does_not_reach_is_let_go_of_after_keep_unfinalized_blocks() {
	with_offchain(|take| {
		long_heartbeat_grace();
		enqueue(&[heartbeats(10)]);
		run_worker();
		let sent = batches(&take());
		run_to_block(System::block_number() + 1);
		let (batch, signature) = sent[0].clone();
		submit(batch, signature).unwrap().unwrap();
		run_worker();
		// Finality stalled: the worker's storage must stay bounded all the same.
		finalize(1);
		let seen = System::block_number();
		run_to_block(seen + queue::KEEP_UNFINALIZED - 1);
		run_worker();
		assert_eq!(in_flight(), Some((0, 1)));
		run_to_block(seen + queue::KEEP_UNFINALIZED);
		run_worker();
		assert_eq!(in_flight(), Some((1, 1)));
		assert_eq!(stored_batch(0), None);
	});
}

#[test]
fn an_index_written_by_the_previous_node_version_is_read_and_its_batches_land() {
	with_offchain(|take| {
		long_heartbeat_grace();
		let authorisation = Oracles::<Test>::get(oracle()).unwrap().authorisation;
		let (batch, signature) = signed_batch(heartbeats(3));
		StorageValueRef::persistent(&queue::in_flight_key(authorisation, 0))
			.set(&(batch.clone(), signature));
		// Without the rule the new node starts a new index at the chain's count (0), numbers
		// its next batch 0 over the one in flight, and what that held is lost.
		StorageValueRef::persistent(queue::IN_FLIGHT_V3).set(&queue::InFlightV3 {
			signer: Some((oracle(), authorisation)),
			first: 0,
			next: 1,
			landed: Vec::new(),
			retired: None,
		});
		enqueue(&[heartbeats(5)[3..].to_vec()]);
		run_worker();
		let sent = batches(&take());
		assert_eq!(sent[0].0.attestations, batch.attestations);
		assert_eq!(sent[1].0.sequence, 1);
		assert_eq!(in_flight(), Some((0, 2)));
		assert_eq!(
			StorageValueRef::persistent(queue::IN_FLIGHT_V3).get::<queue::InFlightV3>().unwrap(),
			None
		);
	});
}
