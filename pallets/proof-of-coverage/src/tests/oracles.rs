use crate::{impl_authorize::RATE_LIMITED, mock::*, Oracles, Parameters};
use codec::{Decode, Encode};
use depin_primitives::{oracle::queue, OracleId, SignatureScheme, SignedAttestation};
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
		let (mut batch, _) = signed_batch(0, vec![some_heartbeat()]);
		batch.oracle = stranger.clone();
		let signature = stranger.sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		assert_eq!(authorize(batch, signature), invalid(InvalidTransaction::BadSigner));
	});
}

#[test]
fn a_removed_oracle_is_refused() {
	build_and_execute(|| {
		frame_support::assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle()));
		let (batch, signature) = signed_batch(0, vec![some_heartbeat()]);
		assert_eq!(authorize(batch, signature), invalid(InvalidTransaction::BadSigner));
	});
}

#[test]
fn a_batch_not_signed_by_its_oracle_is_refused() {
	build_and_execute(|| {
		let (batch, signature) = signed_batch(0, vec![some_heartbeat()]);
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
		let (mut batch, _) = signed_batch(0, vec![]);
		batch.block = 11;
		let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		assert_eq!(authorize(batch, signature), invalid(InvalidTransaction::Future));
		// Longevity 5: a batch for block 4 is valid until block 9.
		batch_for(4, 0, invalid(InvalidTransaction::Stale));
		batch_for(5, 0, Ok(()));
	});
}

fn batch_for(block: u64, index: u16, expected: Result<(), TransactionValidityError>) {
	let (mut batch, _) = signed_batch(index, vec![]);
	batch.block = block;
	let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
	assert_eq!(authorize(batch, signature), expected, "batch ({block}, {index})");
}

#[test]
fn each_oracle_lands_a_bounded_number_of_batches_per_block_in_order() {
	build_and_execute(|| {
		run_to_block(5);
		let mut parameters = Parameters::<Test>::get();
		parameters.max_batches_per_block = 2;
		Parameters::<Test>::put(parameters);
		// max_batches_per_block is 2: index 2 is never valid.
		batch_for(5, 2, invalid(InvalidTransaction::Custom(RATE_LIMITED)));
		let (first, s1) = signed_batch(0, vec![some_heartbeat()]);
		submit(first.clone(), s1.clone()).unwrap().unwrap();
		// The same batch again (a replay by anyone who saw it) is stale.
		assert_eq!(authorize(first, s1), invalid(InvalidTransaction::Stale));
		let (second, s2) = signed_batch(1, vec![]);
		submit(second, s2).unwrap().unwrap();
		// Older than the last landed batch: stale.
		batch_for(4, 1, invalid(InvalidTransaction::Stale));
		run_to_block(6);
		batch_for(6, 0, Ok(()));
		let state = Oracles::<Test>::get(oracle()).unwrap();
		assert_eq!((state.last_batch, state.landed_in, state.landed_count), (Some((5, 1)), 5, 2));
		assert_eq!((state.batches, state.accepted, state.rejected), (2, 1, 0));
	});
}

#[test]
fn the_rate_limit_holds_within_one_block() {
	build_and_execute(|| {
		run_to_block(5);
		let mut parameters = Parameters::<Test>::get();
		parameters.max_batches_per_block = 1;
		Parameters::<Test>::put(parameters);
		// A batch made for block 4 and one for block 5 both land in block 5: only one may.
		let (mut older, _) = signed_batch(0, vec![]);
		older.block = 4;
		let signature = oracle().sign(&ProofOfCoverage::batch_signing_bytes(&older)).unwrap();
		submit(older, signature).unwrap().unwrap();
		batch_for(5, 0, invalid(InvalidTransaction::Custom(RATE_LIMITED)));
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

#[test]
fn the_offchain_worker_drains_the_queue_into_signed_batches() {
	with_offchain(|take| {
		let devices: Vec<_> = (0..250).map(|n| pair(SignatureScheme::Ed25519, n)).collect();
		for d in &devices {
			MockDevices::insert(d, ALICE, paris());
		}
		let attestations: Vec<_> =
			devices.iter().map(|d| heartbeat(d, current_epoch(), current_slot())).collect();
		enqueue(&[attestations[..150].to_vec(), attestations[150..].to_vec()]);

		ProofOfCoverage::offchain_worker(System::block_number());

		// MaxBatchSize is 200: the 250 attestations make two batches for the next block.
		let transactions = take();
		assert_eq!(transactions.len(), 2);
		let mut landed = Vec::new();
		run_to_block(System::block_number() + 1);
		for (index, raw) in transactions.iter().enumerate() {
			let xt = Extrinsic::decode(&mut &raw[..]).unwrap();
			let RuntimeCall::ProofOfCoverage(crate::Call::submit_attestations { batch, signature }) =
				xt.function
			else {
				panic!("not a batch")
			};
			assert_eq!(
				(batch.oracle.clone(), batch.block, batch.index),
				(oracle(), System::block_number(), index as u16)
			);
			landed.extend(batch.attestations.iter().cloned());
			submit(batch, signature).unwrap().unwrap();
			assert_eq!(last_batch_counts().1, 0);
		}
		assert_eq!(landed, attestations);
		// The queue is empty: nothing more to send.
		ProofOfCoverage::offchain_worker(System::block_number());
		assert!(take().is_empty());
		assert_eq!(StorageValueRef::persistent(queue::HEAD).get::<u64>().unwrap(), Some(2));
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
		let (batch, _) = signed_batch(0, vec![some_heartbeat(); 10]);
		// Per heartbeat: 136 bytes (104 and its 32-byte slot anchor); the batch header:
		// oracle, block, index, length.
		assert_eq!(batch.encode().len(), 32 + 8 + 2 + 1 + 10 * 136);
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
			block: System::block_number(),
			index: 0,
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
		let (batch, signature) = signed_batch(0, vec![forged, unknown, good.clone(), good]);
		let charged = ProofOfCoverage::batch_weight(&batch.attestations);
		let post: PostDispatchInfo = submit(batch, signature).unwrap().unwrap();
		assert_eq!(last_batch_counts(), (1, 3));
		// Unknown: its P-256 check; the duplicate: its Ed25519 check. Pages: 4 × 2 charged,
		// 2 read and written (the slot's and the activity page, shared by the batch).
		// The score sink heard of one device: the three others' charge is refunded.
		assert_eq!(post.actual_weight, Some(charged - p256 - ed25519 - page_ops(6, 6) - sink(3)));
	});
}
