//! An owner's life with a device: moving it, transferring it, retiring it, withdrawing the bond.

use crate::{
	mock::*, CellDeviceCount, DeviceCount, DeviceState, Devices, Error, Event, KeyRegistrations,
	OwnerDeviceCount, OwnerDevices, PendingTransfers,
};
use depin_primitives::{DeviceId, DeviceKind, DeviceSignature, H3Cell, SignatureScheme};
use frame_support::{assert_noop, assert_ok};

fn alice_device() -> DeviceId {
	register(ALICE, &device(SignatureScheme::Ed25519, 1), paris(12, 0))
}

fn density(cell: H3Cell) -> u32 {
	CellDeviceCount::<Test>::get(cell.parent(6).unwrap()).unwrap_or(0)
}

#[test]
fn location_updates_pay_a_fee_and_respect_the_interval() {
	build_and_execute(|| {
		let id = alice_device();
		let (home, away) = (paris(12, 0), H3Cell::from_lat_lng(45.7640, 4.8357, 12).unwrap());
		assert_eq!(density(home), 1);
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, away),
			Error::<Test>::LocationChangeTooSoon
		);
		run_to_block(1 + LOCATION_INTERVAL);
		let treasury = free(TREASURY);
		assert_ok!(DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, away));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::LocationUpdated {
				device: id,
				old: home,
				new: away,
				fee: LOCATION_FEE
			})
		);
		assert_eq!(free(TREASURY), treasury + LOCATION_FEE);
		assert_eq!(free(ALICE), STARTING_BALANCE - BOND - LOCATION_FEE);
		let record = Devices::<Test>::get(id).unwrap();
		assert_eq!((record.location, record.location_updated_at), (away, 1 + LOCATION_INTERVAL));
		// The density counts follow the device from Paris to Lyon.
		assert_eq!(density(home), 0);
		assert_eq!(density(away), 1);
		// And the interval restarts.
		run_to_block(LOCATION_INTERVAL * 2);
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, home),
			Error::<Test>::LocationChangeTooSoon
		);
	});
}

#[test]
fn location_update_errors() {
	build_and_execute(|| {
		let id = alice_device();
		run_to_block(100);
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(BOB), id, paris(12, 1)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::update_location(
				RuntimeOrigin::signed(ALICE),
				DeviceId([9; 32]),
				paris(12, 1)
			),
			Error::<Test>::UnknownDevice
		);
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, H3Cell(42)),
			Error::<Test>::InvalidLocation
		);
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, paris(5, 1)),
			Error::<Test>::LocationResolutionNotAllowed
		);
		// Fee beyond the free balance (keeping the existential deposit).
		let all_but = free(ALICE) - ED - 1;
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
			&ALICE,
			&CHARLIE,
			all_but,
			frame_support::traits::tokens::Preservation::Preserve
		));
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, paris(12, 1)),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), id));
		assert_noop!(
			DeviceRegistry::update_location(RuntimeOrigin::signed(ALICE), id, paris(12, 1)),
			Error::<Test>::DeviceRetired
		);
	});
}

#[test]
fn transfer_is_offered_then_accepted_and_the_bond_moves() {
	build_and_execute(|| {
		let id = alice_device();
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::TransferOffered {
				device: id,
				from: ALICE,
				to: BOB
			})
		);
		// Nothing moved yet: Bob has not consented.
		assert_eq!((held(ALICE), held(BOB)), (BOND, 0));
		assert_eq!(Devices::<Test>::get(id).unwrap().owner, ALICE);
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(CHARLIE), id),
			Error::<Test>::NotTransferRecipient
		);
		let bob_free = free(BOB);
		assert_ok!(DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceTransferred {
				device: id,
				from: ALICE,
				to: BOB,
				bond: BOND
			})
		);
		assert_eq!(Devices::<Test>::get(id).unwrap().owner, BOB);
		// The bond is now held from Bob; Bob's free balance is untouched, Alice's bond is gone.
		assert_eq!((held(ALICE), held(BOB)), (0, BOND));
		assert_eq!(free(BOB), bob_free);
		assert_eq!(free(ALICE), STARTING_BALANCE - BOND);
		assert!(OwnerDevices::<Test>::contains_key(BOB, id));
		assert!(!OwnerDevices::<Test>::contains_key(ALICE, id));
		assert_eq!(OwnerDeviceCount::<Test>::get(ALICE), 0);
		assert_eq!(OwnerDeviceCount::<Test>::get(BOB), 1);
		assert!(!PendingTransfers::<Test>::contains_key(id));
		// Alice can no longer act on it.
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, CHARLIE),
			Error::<Test>::NotOwner
		);
	});
}

#[test]
fn transfer_offers_can_be_cancelled_and_have_rules() {
	build_and_execute(|| {
		let id = alice_device();
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, ALICE),
			Error::<Test>::TransferToSelf
		);
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(BOB), id, BOB),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NoPendingTransfer
		);
		assert_noop!(
			DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::NoPendingTransfer
		);
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_noop!(
			DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotOwner
		);
		assert_ok!(DeviceRegistry::cancel_transfer(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::TransferCancelled { device: id, to: BOB })
		);
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NoPendingTransfer
		);
		// A new offer replaces the previous one.
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, CHARLIE));
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotTransferRecipient
		);
		assert_ok!(DeviceRegistry::accept_transfer(RuntimeOrigin::signed(CHARLIE), id));
	});
}

#[test]
fn recipient_at_the_device_limit_cannot_accept() {
	build_and_execute(|| {
		for n in 0..MAX_PER_OWNER as u8 {
			register(BOB, &device(SignatureScheme::Sr25519, n), paris(12, 0));
		}
		let id = alice_device();
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::TooManyDevices
		);
	});
}

#[test]
fn retire_then_withdraw_after_unbonding() {
	build_and_execute(|| {
		let id = alice_device();
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_noop!(
			DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::NotRetired
		);
		assert_noop!(
			DeviceRegistry::retire_device(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotOwner
		);
		run_to_block(5);
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), id));
		let unbonds_at = 5 + UNBONDING;
		// The open offer is withdrawn and the device stops counting at once.
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::DeviceRegistry(Event::TransferCancelled { device: id, to: BOB })));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceRetired { device: id, unbonds_at })
		);
		assert_eq!(Devices::<Test>::get(id).unwrap().state, DeviceState::Retired { unbonds_at });
		assert_eq!(density(paris(12, 0)), 0);
		assert_noop!(
			DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NoPendingTransfer
		);
		assert_noop!(
			DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::DeviceRetired
		);
		assert_noop!(
			DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB),
			Error::<Test>::DeviceRetired
		);
		run_to_block(unbonds_at - 1);
		assert_noop!(
			DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), id),
			Error::<Test>::StillUnbonding
		);
		run_to_block(unbonds_at);
		assert_noop!(
			DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(BOB), id),
			Error::<Test>::NotOwner
		);
		assert_ok!(DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::BondWithdrawn {
				device: id,
				owner: ALICE,
				amount: BOND
			})
		);
		assert_eq!(held(ALICE), 0);
		assert_eq!(free(ALICE), STARTING_BALANCE);
		assert!(!Devices::<Test>::contains_key(id));
		assert_eq!(DeviceCount::<Test>::get(), 0);
		assert_eq!(OwnerDeviceCount::<Test>::get(ALICE), 0);
		// The key can be registered afresh, with a fresh proof for the key's second
		// registration (`register` signs the counter the chain holds).
		assert_eq!(KeyRegistrations::<Test>::get(id), 1);
		register(BOB, &device(SignatureScheme::Ed25519, 1), paris(12, 0));
		assert_eq!(KeyRegistrations::<Test>::get(id), 2);
	});
}

/// `register_device` for `owner` with the given proof of `pair`'s key.
fn register_with(
	owner: AccountId,
	pair: &depin_primitives::device::pair::DevicePair,
	proof: DeviceSignature,
) -> sp_runtime::DispatchResult {
	DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner),
		pair.public(),
		DeviceKind::Hotspot,
		paris(12, 0),
		metadata(),
		proof,
		None,
	)
}

/// Retires `owner`'s device `id` now and withdraws its bond once the unbonding period has
/// passed: the device's record is removed.
fn retire_and_withdraw(owner: AccountId, id: DeviceId) {
	let now = System::block_number();
	assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(owner), id));
	run_to_block(now + UNBONDING);
	assert_ok!(DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(owner), id));
	assert!(!Devices::<Test>::contains_key(id));
}

#[test]
fn an_old_registration_proof_does_not_replay_after_transfer_and_retirement() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		let id = pair.public().device_id();
		// Alice registers the device; her proof is public from then on, in her extrinsic.
		let alices_proof = proof_with(&pair, ALICE, 0);
		assert_ok!(register_with(ALICE, &pair, alices_proof.clone()));
		assert_eq!(KeyRegistrations::<Test>::get(id), 1);
		// She sells it to Bob, who accepts, later retires it and takes his bond back.
		assert_ok!(DeviceRegistry::transfer_device(RuntimeOrigin::signed(ALICE), id, BOB));
		assert_ok!(DeviceRegistry::accept_transfer(RuntimeOrigin::signed(BOB), id));
		run_to_block(5);
		retire_and_withdraw(BOB, id);
		assert_eq!(held(BOB), 0);
		// THE ATTACK: with the record gone, Alice submits her original proof again to take
		// the identity of the hardware she sold. It verified before the counter; not now.
		assert_noop!(
			register_with(ALICE, &pair, alices_proof.clone()),
			Error::<Test>::InvalidRegistrationProof
		);
		// The counter outlives the device's record.
		assert_eq!(KeyRegistrations::<Test>::get(id), 1);
		assert_eq!(DeviceCount::<Test>::get(), 0);
		assert_eq!(held(ALICE), 0);
		// Only the device key can register it again: a fresh proof for its second
		// registration (counter 1), here for Bob, who holds the hardware.
		assert_ok!(register_with(BOB, &pair, proof_with(&pair, BOB, 1)));
		assert_eq!(KeyRegistrations::<Test>::get(id), 2);
		assert_eq!(Devices::<Test>::get(id).unwrap().owner, BOB);
		assert_eq!(held(BOB), BOND);
		// That proof is spent too: after Bob retires the device again, neither his proof
		// nor Alice's registers it.
		retire_and_withdraw(BOB, id);
		assert_noop!(
			register_with(BOB, &pair, proof_with(&pair, BOB, 1)),
			Error::<Test>::InvalidRegistrationProof
		);
		assert_noop!(
			register_with(ALICE, &pair, alices_proof),
			Error::<Test>::InvalidRegistrationProof
		);
		assert_eq!(KeyRegistrations::<Test>::get(id), 2);
	});
}

#[test]
fn paging_through_an_owners_devices() {
	build_and_execute(|| {
		let mut ids: Vec<DeviceId> = (0..3)
			.map(|n| register(ALICE, &device(SignatureScheme::Ed25519, n), paris(12, 0)))
			.collect();
		register(BOB, &device(SignatureScheme::Ed25519, 9), paris(12, 0));
		let first = DeviceRegistry::devices_of(&ALICE, None, 2);
		assert_eq!(first.len(), 2);
		let rest = DeviceRegistry::devices_of(&ALICE, first.last().copied(), 2);
		assert_eq!(rest.len(), 1);
		let mut all: Vec<DeviceId> = first.into_iter().chain(rest).collect();
		all.sort();
		ids.sort();
		assert_eq!(all, ids);
		assert!(DeviceRegistry::devices_of(&CHARLIE, None, 10).is_empty());
	});
}
