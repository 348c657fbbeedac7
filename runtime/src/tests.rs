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
	let proof = pair
		.sign(&RegistrationPayload { genesis_hash: &genesis, owner, key: &key }.signing_bytes());
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
