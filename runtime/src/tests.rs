//! Runtime-level tests: the DePIN pallets as the real runtime wires them (currency, holds,
//! treasury, weights, genesis presets).

use crate::{
	configs::TreasuryAccount, genesis_config_presets::tests::build, Balances, DeviceRegistry,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, UNIT,
};
use depin_primitives::{
	device::pair::DevicePair, DeviceKind, H3Cell, RegistrationPayload, SignatureScheme,
	SignedPayload,
};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::InspectHold,
};
use pallet_device_registry::{DeviceMetadata, Error, Event, HoldReason};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Dispatchable;

fn register_call(pair: &DevicePair, owner: &crate::AccountId, cell: H3Cell) -> RuntimeCall {
	let key = pair.public();
	let genesis = DeviceRegistry::genesis_hash();
	let proof = pair.sign(
		&RegistrationPayload { genesis_hash: &genesis, owner, key: &key, registrations: 0 }
			.signing_bytes(),
	);
	RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_device {
		key,
		kind: DeviceKind::Hotspot,
		location: cell,
		metadata: DeviceMetadata::default(),
		proof,
		certificate: None,
	})
}

fn paris() -> H3Cell {
	H3Cell::from_lat_lng(48.8530, 2.3499, 12).unwrap()
}

#[test]
fn registration_through_the_real_runtime_holds_the_bond_and_feeds_the_treasury() {
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bond = pallet_device_registry::Parameters::<Runtime>::get().device_bond;
		assert_eq!(bond, 100 * UNIT);
		// The dev preset shortens the periods.
		assert_eq!(pallet_device_registry::Parameters::<Runtime>::get().unbonding_period, 20);

		for (n, scheme) in SignatureScheme::ALL.into_iter().enumerate() {
			let pair = DevicePair::from_seed(scheme, [n as u8 + 1; 32]);
			assert_ok!(register_call(&pair, &alice, paris())
				.dispatch(RuntimeOrigin::signed(alice.clone())));
			assert!(System::events().iter().any(|r| matches!(
				&r.event,
				RuntimeEvent::DeviceRegistry(Event::DeviceRegistered { device, .. })
					if *device == pair.public().device_id()
			)));
		}
		assert_eq!(Balances::balance_on_hold(&HoldReason::DeviceBond.into(), &alice), 4 * bond);

		// A location update ten blocks later pays the fee into the treasury.
		let device = DevicePair::from_seed(SignatureScheme::Ed25519, [1; 32]).public().device_id();
		let treasury = Balances::free_balance(TreasuryAccount::get());
		System::set_block_number(11);
		assert_ok!(DeviceRegistry::update_location(
			RuntimeOrigin::signed(alice.clone()),
			device,
			H3Cell::from_lat_lng(48.8630, 2.3499, 12).unwrap()
		));
		assert_eq!(Balances::free_balance(TreasuryAccount::get()), treasury + UNIT);

		pallet_device_registry::Pallet::<Runtime>::do_try_state().expect("invariants hold");
	});
}

#[test]
fn proof_for_another_owner_is_rejected_by_the_real_runtime() {
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let pair = DevicePair::from_seed(SignatureScheme::EcdsaP256, [9; 32]);
		let RuntimeCall::DeviceRegistry(call) = register_call(&pair, &alice, paris()) else {
			unreachable!()
		};
		assert_noop!(
			RuntimeCall::DeviceRegistry(call).dispatch(RuntimeOrigin::signed(bob)),
			Error::<Runtime>::InvalidRegistrationProof
		);
	});
}

#[test]
fn registration_weight_reflects_the_signature_scheme() {
	// With the benchmarked weights, a P-256 registration (verified in wasm) must cost more
	// than an Ed25519 one (host function), and no registration may approach a block's limit.
	let alice = Sr25519Keyring::Alice.to_account_id();
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		let weight = |scheme| {
			register_call(&DevicePair::from_seed(scheme, [3; 32]), &alice, paris())
				.get_dispatch_info()
				.call_weight
		};
		let ed = weight(SignatureScheme::Ed25519);
		let p256 = weight(SignatureScheme::EcdsaP256);
		assert!(p256.ref_time() > ed.ref_time(), "P-256 {p256:?} vs Ed25519 {ed:?}");
		let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		assert!(p256.ref_time() < max.ref_time() / 100);
	});
}

mod proof_of_coverage {
	use super::*;
	use crate::{Executive, ProofOfCoverage, UncheckedExtrinsic};
	use depin_primitives::{
		attestation::HeartbeatPayload, EpochIndex, Heartbeat, OracleId, SignedAttestation,
		SlotIndex,
	};
	use frame_support::{pallet_prelude::TransactionSource, traits::Hooks, BoundedVec};
	use frame_system::offchain::CreateAuthorizedTransaction;
	use pallet_proof_of_coverage::{AttestationBatch, CurrentEpoch};
	use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
	use sp_runtime::{
		transaction_validity::{InvalidTransaction, TransactionValidityError},
		RuntimeAppPublic,
	};

	/// What the transaction pool would say of `xt` now (state changes rolled back:
	/// validation initializes a block of its own).
	fn validate(xt: UncheckedExtrinsic) -> sp_runtime::transaction_validity::TransactionValidity {
		use frame_support::storage::{with_transaction, TransactionOutcome};
		with_transaction(|| {
			TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(
				Executive::validate_transaction(
					TransactionSource::External,
					xt,
					System::parent_hash(),
				),
			))
		})
		.expect("no storage error")
	}

	/// The dev chain, with `//Alice`'s (an authorised oracle) and `//Bob`'s `dpoc` keys in the
	/// keystore.
	fn dev_chain_with_oracle_keys() -> (sp_io::TestExternalities, [OracleId; 2]) {
		let mut ext = build(sp_genesis_builder::DEV_RUNTIME_PRESET);
		let keystore = MemoryKeystore::new();
		let key = |seed| -> OracleId {
			keystore
				.sr25519_generate_new(depin_primitives::oracle::KEY_TYPE, Some(seed))
				.unwrap()
				.into()
		};
		let keys = [key("//Alice"), key("//Bob")];
		ext.register_extension(KeystoreExt::new(keystore));
		// These tests' devices beat with nobody to witness them: let their heartbeats earn,
		// as a network too sparse to witness would (located uptime has its own tests in the
		// pallet and end to end).
		ext.execute_with(|| {
			pallet_proof_of_coverage::Parameters::<Runtime>::mutate(|p| {
				assert!(p.uptime_needs_coverage, "the dev preset pays located uptime only");
				p.uptime_needs_coverage = false;
			})
		});
		(ext, keys)
	}

	/// Starts block 1 and registers an Ed25519 device for Alice and a P-256 one for Bob.
	fn two_registered_devices() -> (DevicePair, DevicePair) {
		next_block();
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let ed = DevicePair::from_seed(SignatureScheme::Ed25519, [1; 32]);
		let p256 = DevicePair::from_seed(SignatureScheme::EcdsaP256, [2; 32]);
		assert_ok!(register_call(&ed, &alice, paris()).dispatch(RuntimeOrigin::signed(alice)));
		assert_ok!(register_call(&p256, &bob, paris()).dispatch(RuntimeOrigin::signed(bob)));
		(ed, p256)
	}

	fn next_block() {
		let now = System::block_number() + 1;
		// The parent's hash, as block initialisation records it (heartbeats anchor to it).
		frame_system::BlockHash::<Runtime>::insert(
			now - 1,
			sp_core::H256(sp_io::hashing::blake2_256(&(now - 1).to_le_bytes())),
		);
		System::set_block_number(now);
		ProofOfCoverage::on_initialize(now);
	}

	fn heartbeat(pair: &DevicePair, epoch: EpochIndex, slot: SlotIndex) -> SignedAttestation {
		let info = ProofOfCoverage::epoch_info(epoch).expect("open epoch");
		let (from, _) = info.slot_bounds(slot);
		let anchor = System::block_hash((from as u32).saturating_sub(1)).0;
		let heartbeat = Heartbeat { device: pair.public().device_id(), epoch, slot, anchor };
		let genesis = ProofOfCoverage::genesis_hash();
		let signature = pair.sign(
			&HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }.signing_bytes(),
		);
		SignedAttestation::Heartbeat { heartbeat, signature }
	}

	/// The oracle's next batch for the current block, as the off-chain worker builds it.
	fn batch_extrinsic(
		oracle: &OracleId,
		attestations: Vec<SignedAttestation>,
	) -> UncheckedExtrinsic {
		let sequence =
			pallet_proof_of_coverage::Oracles::<Runtime>::get(oracle).map_or(0, |s| s.batches);
		let batch = AttestationBatch {
			oracle: oracle.clone(),
			sequence,
			block: System::block_number(),
			charge: ProofOfCoverage::charge_of(&attestations),
			attestations: BoundedVec::truncate_from(attestations),
		};
		let signature = oracle.sign(&ProofOfCoverage::batch_signing_bytes(&batch)).unwrap();
		let call =
			pallet_proof_of_coverage::Call::<Runtime>::submit_attestations { batch, signature };
		<Runtime as CreateAuthorizedTransaction<pallet_proof_of_coverage::Call<Runtime>>>::create_authorized_transaction(call.into())
	}

	#[test]
	fn oracle_batches_go_through_the_real_transaction_pipeline_over_several_epochs() {
		let (mut ext, [alice_oracle, bob_key]) = dev_chain_with_oracle_keys();
		ext.execute_with(|| {
			let (ed, p256) = two_registered_devices();

			// Only Alice's key is an oracle in the dev preset.
			let xt = batch_extrinsic(&bob_key, vec![]);
			assert_eq!(
				validate(xt),
				Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))
			);

			// Three epochs of 10 one-block slots: both devices beat in every slot.
			while System::block_number() < 31 {
				let epoch = CurrentEpoch::<Runtime>::get().unwrap();
				let slot = epoch.slot_at(System::block_number().into()).unwrap();
				let xt = batch_extrinsic(
					&alice_oracle,
					vec![heartbeat(&ed, epoch.index, slot), heartbeat(&p256, epoch.index, slot)],
				);
				assert!(validate(xt.clone()).is_ok());
				assert_ok!(Executive::apply_extrinsic(xt).unwrap());
				assert!(System::events().iter().any(|r| matches!(
					r.event,
					RuntimeEvent::ProofOfCoverage(
						pallet_proof_of_coverage::Event::BatchProcessed {
							accepted: 2,
							rejected: 0,
							..
						}
					)
				)));
				System::reset_events();
				next_block();
			}
			assert_eq!(CurrentEpoch::<Runtime>::get().unwrap().index, 3);
			for epoch in [1, 2] {
				for device in [&ed, &p256] {
					let report =
						ProofOfCoverage::device_report(&device.public().device_id(), epoch)
							.expect("the device beat in the epoch");
					assert_eq!(report.heartbeat_slots, (1 << 10) - 1, "epoch {epoch}");
				}
				assert_eq!(
					pallet_proof_of_coverage::EpochTotals::<Runtime>::get(epoch).uptime,
					20 * depin_primitives::attestation::SCORE_UNIT
				);
			}
			ProofOfCoverage::do_try_state().expect("invariants hold");
		});
	}

	/// Total issuance minus what rewards minted: must not move while rewards run.
	fn issuance_not_from_rewards() -> crate::Balance {
		let totals = pallet_rewards::Totals::<Runtime>::get();
		crate::Balances::total_issuance() - totals.minted_for_devices - totals.minted_for_treasury
	}

	#[test]
	fn rewards_are_paid_from_real_scores_over_many_epochs_with_the_books_balanced_every_block() {
		use crate::Rewards;
		let (mut ext, [oracle, _]) = dev_chain_with_oracle_keys();
		ext.execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			let (ed, p256) = two_registered_devices();
			let untouched = issuance_not_from_rewards();

			// Twelve epochs of ten one-block slots: the Ed25519 device beats in every slot, the
			// P-256 one only in even epochs.
			while System::block_number() < 121 {
				let epoch = CurrentEpoch::<Runtime>::get().unwrap();
				let slot = epoch.slot_at(System::block_number().into()).unwrap();
				let mut beats = vec![heartbeat(&ed, epoch.index, slot)];
				if epoch.index.is_multiple_of(2) {
					beats.push(heartbeat(&p256, epoch.index, slot));
				}
				assert_ok!(Executive::apply_extrinsic(batch_extrinsic(&oracle, beats)).unwrap());
				next_block();
				Rewards::do_try_state().expect("rewards invariants hold");
				ProofOfCoverage::do_try_state().expect("proof-of-coverage invariants hold");
				assert_eq!(issuance_not_from_rewards(), untouched, "only rewards mint");
			}
			// Block 121 started epoch 12, which closed epoch 10 (an epoch closes when the one
			// after next starts).
			assert_eq!(pallet_rewards::LastClosedEpoch::<Runtime>::get(), Some(10));
			let closed = System::events()
				.iter()
				.filter(|r| {
					matches!(
						r.event,
						RuntimeEvent::Rewards(pallet_rewards::Event::EpochClosed { .. })
					)
				})
				.count();
			assert_eq!(closed, 11);

			// Each closed epoch pays its uptime pool by heartbeats: the P-256 device had half
			// of them in even epochs and none in odd ones.
			let ed_due = Rewards::claimable(&ed.public().device_id());
			let p256_due = Rewards::claimable(&p256.public().device_id());
			assert!(ed_due > 0 && p256_due > 0);
			assert!(ed_due > 2 * p256_due);

			let before = crate::Balances::free_balance(&alice);
			System::reset_events();
			let claim = RuntimeCall::Rewards(pallet_rewards::Call::claim_rewards {
				devices: BoundedVec::truncate_from(vec![ed.public().device_id()]),
			});
			assert_ok!(claim.dispatch(RuntimeOrigin::signed(alice.clone())));
			let paid = System::events()
				.into_iter()
				.find_map(|r| match r.event {
					RuntimeEvent::Rewards(pallet_rewards::Event::RewardsClaimed {
						amount, ..
					}) => Some(amount),
					_ => None,
				})
				.expect("claimed");
			assert_eq!(paid, ed_due);
			assert_eq!(crate::Balances::free_balance(&alice) - before, paid);
			Rewards::do_try_state().expect("rewards invariants hold");
			assert_eq!(issuance_not_from_rewards(), untouched);
		});
	}

	#[test]
	fn service_usage_is_paid_from_the_data_transfer_pool_through_the_real_runtime() {
		use crate::{Rewards, ServicePayments};
		use depin_primitives::{UsageReceipt, UsageReceiptPayload};
		let (mut ext, _) = dev_chain_with_oracle_keys();
		ext.execute_with(|| {
			let alice = Sr25519Keyring::Alice.to_account_id();
			let charlie = Sr25519Keyring::Charlie.to_account_id();
			let (ed, _) = two_registered_devices();
			let device = ed.public().device_id();
			let issuance = crate::Balances::total_issuance();

			// Charlie burns 2 tokens for 200,000 credits and opens a channel to Alice's device.
			assert_ok!(RuntimeCall::ServicePayments(pallet_service_payments::Call::buy_credits {
				amount: 2 * UNIT,
				beneficiary: None,
			})
			.dispatch(RuntimeOrigin::signed(charlie.clone())));
			assert_eq!(crate::Balances::total_issuance(), issuance - 2 * UNIT);
			assert_ok!(RuntimeCall::ServicePayments(pallet_service_payments::Call::open_channel {
				device,
				deposit: 200_000,
				expires_at: 1_000,
			})
			.dispatch(RuntimeOrigin::signed(charlie.clone())));

			// Charlie signs a receipt for half of it with his account key; Alice settles it.
			let payload = UsageReceiptPayload {
				genesis_hash: ServicePayments::genesis_hash(),
				channel: 0,
				cumulative: 100_000,
			};
			let signature = Sr25519Keyring::Charlie.sign(&payload.signing_bytes()).into();
			let settle = RuntimeCall::ServicePayments(pallet_service_payments::Call::settle {
				channel: 0,
				receipt: UsageReceipt { payload, signature },
			});
			assert_ok!(settle.dispatch(RuntimeOrigin::signed(alice.clone())));
			let epoch = CurrentEpoch::<Runtime>::get().unwrap().index;
			assert_eq!(pallet_rewards::DeviceUsage::<Runtime>::get(epoch, device).value, UNIT);

			// Two epochs later the epoch closes and the device is owed the usage's value.
			while pallet_rewards::LastClosedEpoch::<Runtime>::get() < Some(epoch) {
				next_block();
			}
			let pools = pallet_rewards::EpochRewards::<Runtime>::get(epoch).unwrap();
			assert_eq!((pools.data_transfer, pools.usage_value), (UNIT, UNIT));
			assert_eq!(Rewards::claimable(&device), UNIT);
			ServicePayments::do_try_state().expect("service-payments invariants hold");
			Rewards::do_try_state().expect("rewards invariants hold");
			// Issuance: minus the burn, plus rewards' mints and the treasury's 20 % revenue.
			let minted = pallet_rewards::Totals::<Runtime>::get();
			let payments = pallet_service_payments::Totals::<Runtime>::get();
			assert_eq!(payments.revenue, UNIT / 5);
			assert_eq!(
				crate::Balances::total_issuance(),
				issuance - 2 * UNIT
					+ payments.revenue
					+ minted.minted_for_devices
					+ minted.minted_for_treasury
			);
		});
	}

	#[test]
	fn a_p256_heartbeat_weighs_more_than_an_ed25519_one() {
		let ed = DevicePair::from_seed(SignatureScheme::Ed25519, [1; 32]);
		let p256 = DevicePair::from_seed(SignatureScheme::EcdsaP256, [2; 32]);
		let weight =
			|pair: &DevicePair| ProofOfCoverage::attestation_weight(&heartbeat_unsigned(pair));
		assert!(weight(&p256).ref_time() > weight(&ed).ref_time());
	}

	fn heartbeat_unsigned(pair: &DevicePair) -> SignedAttestation {
		SignedAttestation::Heartbeat {
			heartbeat: Heartbeat {
				device: pair.public().device_id(),
				epoch: 0,
				slot: 0,
				anchor: [0; 32],
			},
			signature: pair.sign(b"any"),
		}
	}
}

/// polkadot.js refuses to build an API from metadata holding a fixed array longer than 2048
/// (`Only support for [Type; <length>], where length <= 2048`): no storage type may use one.
#[test]
fn metadata_has_no_array_polkadot_js_cannot_decode() {
	use frame_support::__private::metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
	// Metadata is built against a chain's state (referenda's track constants follow the
	// genesis timing), as the node's `Metadata_metadata` call does.
	let RuntimeMetadataPrefixed(_, metadata) =
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(Runtime::metadata);
	let RuntimeMetadata::V14(metadata) = metadata else { panic!("metadata v14 by default") };
	for ty in metadata.types.types {
		if let scale_info::TypeDef::Array(array) = &ty.ty.type_def {
			assert!(array.len <= 2048, "type {} is an array of {}", ty.id, array.len);
		}
	}
}

/// `DepinApi` answered by the real runtime, as the node's `depin_*` RPC asks it.
mod depin_api {
	use super::*;
	use crate::{AccountId, Balance, Block, BlockNumber};
	use depin_primitives::api::runtime_decl_for_depin_api::DepinApiV1;

	fn api_device(
		id: depin_primitives::DeviceId,
	) -> Option<depin_primitives::DeviceInfo<AccountId>> {
		<Runtime as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::device(id)
	}

	#[test]
	fn devices_epochs_rewards_coverage_credits_channels_and_economics() {
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			use frame_support::traits::Hooks;
			System::set_block_number(1);
			crate::ProofOfCoverage::on_initialize(1);
			type R = Runtime;
			let alice = Sr25519Keyring::Alice.to_account_id();
			let dave = Sr25519Keyring::Dave.to_account_id();
			let pair = DevicePair::from_seed(SignatureScheme::Ed25519, [7; 32]);
			let id = pair.public().device_id();
			assert_eq!(api_device(id), None);
			assert_ok!(register_call(&pair, &alice, paris())
				.dispatch(RuntimeOrigin::signed(alice.clone())));

			let device = api_device(id).expect("registered");
			assert_eq!((device.owner.clone(), device.location), (alice.clone(), paris()));
			let page = <R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::devices_of(
				alice.clone(),
				None,
				10,
			);
			assert_eq!(page, vec![id]);

			let epoch = <R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::current_epoch()
				.expect("started at block 1");
			assert_eq!((epoch.epoch.index, epoch.block), (0, 1));
			assert!(<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::is_challenged(
				id, 0
			)
			.is_some());
			assert_eq!(
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::is_challenged(id, 9),
				None
			);
			assert_eq!(
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::device_score(id, 0),
				None
			);

			let rewards =
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::device_rewards(id)
					.expect("registered");
			assert_eq!((rewards.pending, rewards.claimable), (0, 0));
			let owner = <R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::owner_rewards(
				alice.clone(),
				None,
				10,
			);
			assert_eq!((owner.devices, owner.next), (1, None));
			assert_eq!(
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::closed_epoch(0),
				None
			);

			let coverage =
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::cell_coverage(paris())
					.expect("a res-12 cell is finer than the density resolution");
			assert_eq!(coverage.active_devices, 1);
			assert_eq!(coverage.parent_active_devices, 1);
			assert_eq!(coverage.cell, paris().parent(coverage.resolution).unwrap());
			let listed = <R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::cell_devices(
				paris(),
				0,
				None,
				10,
			)
			.expect("a valid cell");
			assert_eq!(listed.len(), 1);
			assert_eq!((listed[0].device, listed[0].score), (id, None));
			// A cell coarser than the density resolution has no answer.
			assert_eq!(
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::cell_coverage(
					paris().parent(0).unwrap()
				),
				None
			);

			assert_ok!(RuntimeCall::ServicePayments(pallet_service_payments::Call::buy_credits {
				amount: UNIT,
				beneficiary: None,
			})
			.dispatch(RuntimeOrigin::signed(dave.clone())));
			assert_ok!(RuntimeCall::ServicePayments(pallet_service_payments::Call::open_channel {
				device: id,
				deposit: 40_000,
				expires_at: 5_000,
			})
			.dispatch(RuntimeOrigin::signed(dave.clone())));
			assert_eq!(
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::credits(dave.clone()),
				60_000
			);
			let channel = <R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::channel(0)
				.expect("opened");
			assert_eq!((channel.consumer, channel.device, channel.deposit), (dave, id, 40_000));
			assert_eq!(<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::channel(1), None);

			let economics =
				<R as DepinApiV1<Block, AccountId, Balance, BlockNumber>>::economic_parameters();
			assert_eq!(economics.device_bond, 100 * UNIT);
			assert_eq!(economics.emission_per_epoch, economics.initial_emission_per_epoch);
			assert_eq!(economics.credits_per_token, sp_runtime::FixedU128::from_u32(100_000));
		});
	}
}
