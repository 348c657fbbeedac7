//! Governance as the real runtime wires it: which origin reaches which call, the tracks, and a
//! referendum from preimage to enactment.

use super::{
	origins::{self, TrackTiming, SMALL_SPENDER_MAX_SPEND, TREASURER_MAX_SPEND},
	tracks::{self, DepinTracks},
};
use crate::{
	genesis_config_presets::tests::build, AccountId, Balances, ConvictionVoting, OriginCaller,
	Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Scheduler, System,
	Treasury, UNIT,
};
use depin_primitives::{device::pair::DevicePair, DeviceKind, SignatureScheme};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate},
		schedule::DispatchTime,
		Hooks, StorePreimage,
	},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::{ReferendumInfo, TracksInfo};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError};

fn network_parameters() -> RuntimeOrigin {
	RuntimeOrigin::from(origins::Origin::NetworkParameters)
}

fn treasurer() -> RuntimeOrigin {
	RuntimeOrigin::from(origins::Origin::Treasurer)
}

fn small_spender() -> RuntimeOrigin {
	RuntimeOrigin::from(origins::Origin::SmallSpender)
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

/// Every governance call of the four DePIN pallets, with arguments that are valid now.
fn depin_governance_calls() -> Vec<(&'static str, RuntimeCall)> {
	let oracle: depin_primitives::OracleId = Sr25519Keyring::Ferdie.public().into();
	let maker_key = DevicePair::from_seed(SignatureScheme::Ed25519, [9; 32]).public();
	vec![
		(
			"rewards.set_emission_schedule",
			RuntimeCall::Rewards(pallet_rewards::Call::set_emission_schedule {
				schedule: pallet_rewards::Schedule::<Runtime>::get(),
			}),
		),
		(
			"rewards.set_pool_split",
			RuntimeCall::Rewards(pallet_rewards::Call::set_pool_split {
				split: pallet_rewards::Split::<Runtime>::get(),
			}),
		),
		(
			"rewards.set_expiry_horizon",
			RuntimeCall::Rewards(pallet_rewards::Call::set_expiry_horizon {
				epochs: pallet_rewards::ExpiryHorizon::<Runtime>::get(),
			}),
		),
		(
			"proof_of_coverage.set_parameters",
			RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::set_parameters {
				parameters: pallet_proof_of_coverage::Parameters::<Runtime>::get(),
			}),
		),
		(
			"proof_of_coverage.add_oracle",
			RuntimeCall::ProofOfCoverage(pallet_proof_of_coverage::Call::add_oracle {
				oracle: oracle.clone(),
			}),
		),
		(
			"device_registry.set_parameters",
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::set_parameters {
				parameters: pallet_device_registry::Parameters::<Runtime>::get(),
			}),
		),
		(
			"device_registry.set_kind_policy",
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::set_kind_policy {
				kind: DeviceKind::Sensor,
				requires_maker: false,
			}),
		),
		(
			"device_registry.add_maker",
			RuntimeCall::DeviceRegistry(pallet_device_registry::Call::add_maker {
				name: b"Acme".to_vec().try_into().unwrap(),
				key: maker_key,
				onboarding_fee: UNIT,
			}),
		),
		(
			"service_payments.set_parameters",
			RuntimeCall::ServicePayments(pallet_service_payments::Call::set_parameters {
				parameters: pallet_service_payments::Parameters::<Runtime>::get(),
			}),
		),
	]
}

#[test]
fn depin_governance_calls_need_the_network_parameters_track() {
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		for (name, call) in depin_governance_calls() {
			// A token holder cannot call them, nor a referendum on another track.
			for (who, origin) in [
				("a signed account", RuntimeOrigin::signed(account(Sr25519Keyring::Alice))),
				("the treasurer track", treasurer()),
				("the small-spender track", small_spender()),
			] {
				let result = call.clone().dispatch(origin);
				assert_eq!(
					result.map_err(|e| e.error),
					Err(DispatchError::BadOrigin),
					"{name} from {who}"
				);
			}
			// A network-parameters referendum can.
			let result = call.clone().dispatch(network_parameters());
			assert!(result.is_ok(), "{name} from the network-parameters track: {result:?}");
		}
		// Device sanctions too: past the origin check, the registry answers for the device.
		let suspend = RuntimeCall::DeviceRegistry(pallet_device_registry::Call::suspend_device {
			device: [7; 32].into(),
			reason: b"tampering".to_vec().try_into().unwrap(),
		});
		assert_eq!(
			suspend
				.clone()
				.dispatch(RuntimeOrigin::signed(account(Sr25519Keyring::Bob)))
				.map_err(|e| e.error),
			Err(DispatchError::BadOrigin)
		);
		assert_eq!(
			suspend.dispatch(network_parameters()).map_err(|e| e.error),
			Err(pallet_device_registry::Error::<Runtime>::UnknownDevice.into())
		);
	});
}

#[test]
fn treasury_spends_are_capped_by_the_track_and_refused_to_others() {
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		System::set_block_number(1);
		let eve = account(Sr25519Keyring::Eve);
		let spend = |amount| {
			RuntimeCall::Treasury(pallet_treasury::Call::spend {
				asset_kind: Box::new(()),
				amount,
				beneficiary: Box::new(eve.clone()),
				valid_from: None,
			})
		};
		assert_eq!(
			spend(UNIT).dispatch(RuntimeOrigin::signed(eve.clone())).map_err(|e| e.error),
			Err(DispatchError::BadOrigin)
		);
		assert_eq!(
			spend(UNIT).dispatch(network_parameters()).map_err(|e| e.error),
			Err(DispatchError::BadOrigin)
		);
		let over_limit = pallet_treasury::Error::<Runtime>::InsufficientPermission.into();
		assert_eq!(
			spend(SMALL_SPENDER_MAX_SPEND + 1).dispatch(small_spender()).map_err(|e| e.error),
			Err(over_limit)
		);
		assert_ok!(spend(SMALL_SPENDER_MAX_SPEND).dispatch(small_spender()));
		assert_eq!(
			spend(TREASURER_MAX_SPEND + 1).dispatch(treasurer()).map_err(|e| e.error),
			Err(over_limit)
		);
		assert_ok!(spend(TREASURER_MAX_SPEND).dispatch(treasurer()));

		// An approved spend is paid from the treasury's account once claimed.
		let treasury = crate::configs::TreasuryAccount::get();
		assert_ok!(<Balances as Mutate<AccountId>>::mint_into(&treasury, 20_000 * UNIT));
		let before = Balances::balance(&eve);
		assert_ok!(Treasury::payout(RuntimeOrigin::signed(eve.clone()), 0));
		assert_eq!(Balances::balance(&eve), before + SMALL_SPENDER_MAX_SPEND);
	});
}

#[test]
fn each_origin_has_its_track_and_the_timing_follows_genesis() {
	use frame_system::RawOrigin;
	assert_eq!(DepinTracks::track_for(&OriginCaller::system(RawOrigin::Root)), Ok(tracks::ROOT));
	assert_eq!(
		DepinTracks::track_for(&OriginCaller::Origins(origins::Origin::NetworkParameters)),
		Ok(tracks::NETWORK_PARAMETERS)
	);
	assert_eq!(
		DepinTracks::track_for(&OriginCaller::Origins(origins::Origin::Treasurer)),
		Ok(tracks::TREASURER)
	);
	assert_eq!(
		DepinTracks::track_for(&OriginCaller::Origins(origins::Origin::SmallSpender)),
		Ok(tracks::SMALL_SPENDER)
	);
	// No track dispatches as a plain account.
	assert_eq!(
		DepinTracks::track_for(&OriginCaller::system(RawOrigin::Signed(account(
			Sr25519Keyring::Alice
		)))),
		Err(())
	);

	for timing in [TrackTiming::Production, TrackTiming::Fast] {
		let table = tracks::tracks_in(timing);
		assert!(table.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
		assert_eq!(table.len(), 4);
	}
	let params = |timing| {
		tracks::tracks_in(timing)
			.iter()
			.find(|t| t.id == tracks::NETWORK_PARAMETERS)
			.unwrap()
			.info
			.clone()
	};
	// The dev chain decides in minutes, a real network in days; same deposit and curves.
	let (fast, real) = (params(TrackTiming::Fast), params(TrackTiming::Production));
	assert!(fast.prepare_period + fast.confirm_period + fast.min_enactment_period <= 5);
	assert_eq!(real.decision_period, 7 * crate::DAYS);
	assert_eq!(fast.decision_deposit, real.decision_deposit);
	assert_eq!(fast.min_support, real.min_support);

	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(DepinTracks::info(tracks::NETWORK_PARAMETERS).unwrap().prepare_period, 2);
		assert_ok!(DepinTracks::check_integrity());
	});
	build(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(
			DepinTracks::info(tracks::NETWORK_PARAMETERS).unwrap().prepare_period,
			crate::HOURS
		);
	});
}

/// Starts the next block, running the scheduler (referendum alarms and enactments).
fn next_block() {
	let now = System::block_number() + 1;
	System::set_block_number(now);
	Scheduler::on_initialize(now);
}

/// What the scheduler's dispatch of referendum `index`'s proposal returned, once enacted.
fn enactment_result(index: u32) -> Option<Result<(), DispatchError>> {
	use codec::Encode;
	let name = (*b"assembly", "enactment", index).using_encoded(sp_io::hashing::blake2_256);
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { id, result, .. })
			if id == Some(name) =>
		{
			Some(result)
		}
		_ => None,
	})
}

/// Submits `call` as a referendum with `origin`, places the decision deposit, has Bob,
/// Charlie, Dave and Eve vote aye with conviction (a quarter of the issuance) and Ferdie nay, and runs blocks until it is
/// approved and enacted. Returns what the scheduler's dispatch of the call returned.
fn pass_referendum(origin: OriginCaller, call: RuntimeCall) -> Result<(), DispatchError> {
	let alice = account(Sr25519Keyring::Alice);
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	let proposal = <Preimage as StorePreimage>::bound(call).unwrap();
	assert_ok!(Referenda::submit(
		RuntimeOrigin::signed(alice.clone()),
		Box::new(origin),
		proposal,
		DispatchTime::After(1),
	));
	assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(alice), index));
	for (who, conviction) in [
		(Sr25519Keyring::Bob, Conviction::Locked1x),
		(Sr25519Keyring::Charlie, Conviction::Locked3x),
		(Sr25519Keyring::Dave, Conviction::Locked6x),
		(Sr25519Keyring::Eve, Conviction::Locked2x),
	] {
		let vote =
			AccountVote::Standard { vote: Vote { aye: true, conviction }, balance: 900_000 * UNIT };
		assert_ok!(ConvictionVoting::vote(RuntimeOrigin::signed(account(who)), index, vote));
	}
	let nay = AccountVote::Standard {
		vote: Vote { aye: false, conviction: Conviction::None },
		balance: 500_000 * UNIT,
	};
	assert_ok!(ConvictionVoting::vote(
		RuntimeOrigin::signed(account(Sr25519Keyring::Ferdie)),
		index,
		nay
	));
	for _ in 0..50 {
		next_block();
		if let Some(result) = enactment_result(index) {
			assert!(matches!(
				pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
				Some(ReferendumInfo::Approved(..))
			));
			return result;
		}
	}
	panic!("referendum {index} not enacted within 50 blocks");
}

#[test]
fn a_network_parameters_referendum_changes_the_emission_without_sudo() {
	build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
		next_block();
		// Nobody holds sudo: governance alone must do it.
		assert_ok!(pallet_sudo::Pallet::<Runtime>::remove_key(RuntimeOrigin::signed(account(
			Sr25519Keyring::Alice
		))));
		let mut schedule = pallet_rewards::Schedule::<Runtime>::get();
		schedule.initial_per_epoch = 42 * UNIT;
		let call = RuntimeCall::Rewards(pallet_rewards::Call::set_emission_schedule {
			schedule: schedule.clone(),
		});
		// A plain account cannot make the change.
		assert_noop!(
			call.clone().dispatch(RuntimeOrigin::signed(account(Sr25519Keyring::Bob))),
			DispatchError::BadOrigin
		);
		// Nor a referendum on the treasurer track: it passes, but its dispatch is refused.
		assert_eq!(
			pass_referendum(OriginCaller::Origins(origins::Origin::Treasurer), call.clone()),
			Err(DispatchError::BadOrigin)
		);
		assert_ne!(pallet_rewards::Schedule::<Runtime>::get().initial_per_epoch, 42 * UNIT);
		// On the network-parameters track it is enacted.
		assert_eq!(
			pass_referendum(OriginCaller::Origins(origins::Origin::NetworkParameters), call),
			Ok(())
		);
		assert_eq!(pallet_rewards::Schedule::<Runtime>::get().initial_per_epoch, 42 * UNIT);
	});
}
