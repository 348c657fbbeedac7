//! Governance: suspension, slashing, parameters.

use crate::{mock::*, DeviceState, Devices, Error, Event, Parameters, RegistryParameters};
use depin_primitives::{DeviceId, SignatureScheme};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn reason(text: &str) -> crate::ReasonOf<Test> {
	text.as_bytes().to_vec().try_into().unwrap()
}

fn alice_device() -> DeviceId {
	register(ALICE, &device(SignatureScheme::Ed25519, 1), paris(12, 0))
}

#[test]
fn suspend_and_resume() {
	build_and_execute(|| {
		let id = alice_device();
		let cell = paris(12, 0).parent(6).unwrap();
		assert_noop!(
			DeviceRegistry::suspend_device(RuntimeOrigin::signed(BOB), id, reason("spoofing")),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::resume_device(RuntimeOrigin::root(), id),
			Error::<Test>::NotSuspended
		);
		assert_ok!(DeviceRegistry::suspend_device(RuntimeOrigin::root(), id, reason("spoofing")));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceSuspended {
				device: id,
				reason: reason("spoofing")
			})
		);
		assert_eq!(
			Devices::<Test>::get(id).unwrap().state,
			DeviceState::Suspended { reason: reason("spoofing"), since: 1 }
		);
		assert_eq!(crate::CellDeviceCount::<Test>::get(cell), None);
		assert_noop!(
			DeviceRegistry::suspend_device(RuntimeOrigin::root(), id, reason("again")),
			Error::<Test>::DeviceNotActive
		);
		// A suspended device cannot be retired to escape (its bond stays slashable).
		assert_noop!(
			DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::DeviceSuspended
		);
		assert_noop!(
			DeviceRegistry::resume_device(RuntimeOrigin::signed(ALICE), id),
			DispatchError::BadOrigin
		);
		assert_ok!(DeviceRegistry::resume_device(RuntimeOrigin::root(), id));
		assert_eq!(last_event(), RuntimeEvent::DeviceRegistry(Event::DeviceResumed { device: id }));
		assert_eq!(Devices::<Test>::get(id).unwrap().state, DeviceState::Active);
		assert_eq!(crate::CellDeviceCount::<Test>::get(cell), Some(1));
		assert_noop!(
			DeviceRegistry::suspend_device(RuntimeOrigin::root(), DeviceId([1; 32]), reason("x")),
			Error::<Test>::UnknownDevice
		);
	});
}

#[test]
fn slashing_sends_bond_to_the_treasury_without_changing_issuance() {
	build_and_execute(|| {
		let id = alice_device();
		let issuance = Balances::total_issuance();
		let treasury = free(TREASURY);
		assert_noop!(
			DeviceRegistry::slash_device(RuntimeOrigin::signed(BOB), id, 10),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::slash_device(RuntimeOrigin::root(), id, 0),
			Error::<Test>::NothingToSlash
		);
		assert_ok!(DeviceRegistry::slash_device(RuntimeOrigin::root(), id, 40));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceSlashed {
				device: id,
				owner: ALICE,
				amount: 40,
				remaining_bond: BOND - 40
			})
		);
		assert_eq!(held(ALICE), BOND - 40);
		assert_eq!(free(TREASURY), treasury + 40);
		assert_eq!(Balances::total_issuance(), issuance);
		// More than what is left takes what is left.
		assert_ok!(DeviceRegistry::slash_device(RuntimeOrigin::root(), id, u64::MAX));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Devices::<Test>::get(id).unwrap().bond, 0);
		assert_noop!(
			DeviceRegistry::slash_device(RuntimeOrigin::root(), id, 1),
			Error::<Test>::NothingToSlash
		);
		assert_eq!(free(TREASURY), treasury + BOND);
	});
}

#[test]
fn retired_devices_stay_slashable_until_withdrawn() {
	build_and_execute(|| {
		let id = alice_device();
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), id));
		assert_ok!(DeviceRegistry::slash_device(RuntimeOrigin::root(), id, 30));
		run_to_block(1 + UNBONDING);
		assert_ok!(DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::BondWithdrawn {
				device: id,
				owner: ALICE,
				amount: BOND - 30
			})
		);
		assert_eq!(free(ALICE), STARTING_BALANCE - 30);
	});
}

#[test]
fn parameters_are_set_by_governance_and_apply_to_new_devices() {
	build_and_execute(|| {
		let old = alice_device();
		let new_parameters = RegistryParameters {
			device_bond: 250,
			location_fee: 1,
			location_update_interval: 2,
			unbonding_period: 3,
			max_devices_per_owner: 5,
		};
		assert_noop!(
			DeviceRegistry::set_parameters(RuntimeOrigin::signed(ALICE), new_parameters.clone()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::set_parameters(
				RuntimeOrigin::root(),
				RegistryParameters { max_devices_per_owner: 6, ..new_parameters.clone() }
			),
			Error::<Test>::ParameterOutOfBounds
		);
		assert_ok!(DeviceRegistry::set_parameters(RuntimeOrigin::root(), new_parameters.clone()));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::ParametersSet {
				parameters: new_parameters.clone()
			})
		);
		assert_eq!(Parameters::<Test>::get(), new_parameters);
		let new = register(ALICE, &device(SignatureScheme::Sr25519, 2), paris(12, 0));
		assert_eq!(Devices::<Test>::get(old).unwrap().bond, BOND);
		assert_eq!(Devices::<Test>::get(new).unwrap().bond, 250);
		assert_eq!(held(ALICE), BOND + 250);
		// The shorter unbonding period applies to retirements from now on.
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), new));
		run_to_block(4);
		assert_ok!(DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), new));
	});
}

#[test]
fn proof_of_coverage_slashes_a_share_of_the_bond_left() {
	use depin_primitives::DevicePenalty;
	use sp_runtime::Perbill;
	build_and_execute(|| {
		let id = alice_device();
		let treasury = free(TREASURY);
		// A junk witness tag: a tenth of the bond, then a tenth of what is left.
		DeviceRegistry::slash_bond(&id, Perbill::from_percent(10));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceSlashed {
				device: id,
				owner: ALICE,
				amount: BOND / 10,
				remaining_bond: BOND - BOND / 10
			})
		);
		DeviceRegistry::slash_bond(&id, Perbill::from_percent(10));
		let left = BOND - BOND / 10 - (BOND - BOND / 10) / 10;
		assert_eq!(Devices::<Test>::get(id).unwrap().bond, left);
		assert_eq!(held(ALICE), left);
		assert_eq!(free(TREASURY), treasury + BOND - left);
		// Nothing for an unknown device or an empty share: no event.
		let events = System::events().len();
		DeviceRegistry::slash_bond(&DeviceId([9; 32]), Perbill::from_percent(10));
		DeviceRegistry::slash_bond(&id, Perbill::zero());
		assert_eq!(System::events().len(), events);
	});
}
