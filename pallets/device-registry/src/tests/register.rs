//! `register_device`: proofs in every scheme, forged and replayed proofs, the registration
//! counter, bonds, limits.

use crate::{mock::*, DeviceCount, Devices, Error, Event, KeyRegistrations, OwnerDeviceCount};
use depin_primitives::{
	DeviceKind, DeviceSignature, DeviceStatus, H3Cell, RegistrationPayload, SignatureScheme,
	SignedPayload,
};
use frame_support::{assert_noop, assert_ok};

#[test]
fn registers_a_device_in_each_scheme_and_holds_the_bond() {
	build_and_execute(|| {
		for (i, scheme) in SignatureScheme::ALL.into_iter().enumerate() {
			let pair = device(scheme, 1);
			let id = register(ALICE, &pair, paris(12, i as u32));
			let record = Devices::<Test>::get(id).expect("registered");
			assert_eq!(record.owner, ALICE);
			assert_eq!(record.key, pair.public());
			assert_eq!(record.bond, BOND);
			assert_eq!(record.state.status(), DeviceStatus::Active);
			assert_eq!(record.metadata, metadata());
			assert_eq!(
				last_event(),
				RuntimeEvent::DeviceRegistry(Event::DeviceRegistered {
					device: id,
					owner: ALICE,
					kind: DeviceKind::Hotspot,
					location: paris(12, i as u32),
					maker: None,
					bond: BOND,
					onboarding_fee: 0,
				})
			);
			if i == 2 {
				// Default limit is 3 per owner; the fourth goes to Bob.
				break;
			}
		}
		let p256 = device(SignatureScheme::EcdsaP256, 1);
		register(BOB, &p256, paris(10, 0));
		assert_eq!(held(ALICE), 3 * BOND);
		assert_eq!(free(ALICE), STARTING_BALANCE - 3 * BOND);
		assert_eq!(held(BOB), BOND);
		assert_eq!(DeviceCount::<Test>::get(), 4);
		assert_eq!(OwnerDeviceCount::<Test>::get(ALICE), 3);
	});
}

#[test]
fn forged_proof_fails_and_changes_nothing() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		let impostor = device(SignatureScheme::Ed25519, 2);
		// Signed by another key.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&impostor, ALICE),
				None,
			),
			Error::<Test>::InvalidRegistrationProof
		);
		// Random bytes.
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				DeviceSignature::Ed25519([7u8; 64]),
				None,
			),
			Error::<Test>::InvalidRegistrationProof
		);
		// A valid signature of the wrong scheme for the key.
		let sr = device(SignatureScheme::Sr25519, 1);
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&sr, ALICE),
				None,
			),
			Error::<Test>::InvalidRegistrationProof
		);
		assert_eq!(held(ALICE), 0);
		assert_eq!(DeviceCount::<Test>::get(), 0);
	});
}

#[test]
fn forged_p256_proof_fails() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::EcdsaP256, 1);
		let DeviceSignature::EcdsaP256(mut raw) = proof(&pair, ALICE) else { unreachable!() };
		raw[10] ^= 1;
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Sensor,
				paris(12, 0),
				metadata(),
				DeviceSignature::EcdsaP256(raw),
				None,
			),
			Error::<Test>::InvalidRegistrationProof
		);
	});
}

#[test]
fn proof_for_another_owner_cannot_be_used() {
	build_and_execute(|| {
		// Bob sees Alice's registration proof in the mempool and submits it himself.
		let pair = device(SignatureScheme::Sr25519, 1);
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(BOB),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&pair, ALICE),
				None,
			),
			Error::<Test>::InvalidRegistrationProof
		);
	});
}

#[test]
fn proof_from_another_chain_is_rejected() {
	build_and_execute(|| {
		for scheme in SignatureScheme::ALL {
			let pair = device(scheme, 1);
			let key = pair.public();
			let other_genesis = sp_core::H256::repeat_byte(1);
			assert_ne!(other_genesis, genesis_hash());
			let replayed = pair.sign(
				&RegistrationPayload {
					genesis_hash: &other_genesis,
					owner: &ALICE,
					key: &key,
					registrations: 0,
				}
				.signing_bytes(),
			);
			assert_noop!(
				DeviceRegistry::register_device(
					RuntimeOrigin::signed(ALICE),
					key,
					DeviceKind::Hotspot,
					paris(12, 0),
					metadata(),
					replayed,
					None,
				),
				Error::<Test>::InvalidRegistrationProof
			);
		}
	});
}

#[test]
fn the_registration_counter_starts_at_zero_and_counts_registrations() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		let id = pair.public().device_id();
		assert_eq!(KeyRegistrations::<Test>::get(id), 0);
		// A new key's proof signs counter 0.
		assert_ok!(DeviceRegistry::register_device(
			RuntimeOrigin::signed(ALICE),
			pair.public(),
			DeviceKind::Hotspot,
			paris(12, 0),
			metadata(),
			proof_with(&pair, ALICE, 0),
			None,
		));
		assert_eq!(KeyRegistrations::<Test>::get(id), 1);
		// Other keys are not counted.
		let other = device(SignatureScheme::Ed25519, 2).public().device_id();
		assert_eq!(KeyRegistrations::<Test>::get(other), 0);
	});
}

#[test]
fn proof_with_the_wrong_counter_fails() {
	build_and_execute(|| {
		for scheme in SignatureScheme::ALL {
			let pair = device(scheme, 1);
			let id = pair.public().device_id();
			assert_eq!(KeyRegistrations::<Test>::get(id), 0);
			// Signed for a later registration than the chain counts, or for an earlier one.
			for wrong in [1, 2, u32::MAX] {
				assert_noop!(
					DeviceRegistry::register_device(
						RuntimeOrigin::signed(ALICE),
						pair.public(),
						DeviceKind::Hotspot,
						paris(12, 0),
						metadata(),
						proof_with(&pair, ALICE, wrong),
						None,
					),
					Error::<Test>::InvalidRegistrationProof
				);
			}
			// A failed attempt does not move the counter.
			assert_eq!(KeyRegistrations::<Test>::get(id), 0);
		}
		assert_eq!(DeviceCount::<Test>::get(), 0);
		assert_eq!(held(ALICE), 0);
	});
}

#[test]
fn a_key_registers_once() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		register(ALICE, &pair, paris(12, 0));
		// Again by the same owner, or by someone else with a fresh proof.
		for owner in [ALICE, BOB] {
			assert_noop!(
				DeviceRegistry::register_device(
					RuntimeOrigin::signed(owner),
					pair.public(),
					DeviceKind::Hotspot,
					paris(12, 0),
					metadata(),
					proof(&pair, owner),
					None,
				),
				Error::<Test>::DeviceAlreadyRegistered
			);
		}
	});
}

#[test]
fn invalid_or_disallowed_locations_are_refused() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		let attempt = |cell: H3Cell| {
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Hotspot,
				cell,
				metadata(),
				proof(&pair, ALICE),
				None,
			)
		};
		assert_noop!(attempt(H3Cell(0)), Error::<Test>::InvalidLocation);
		assert_noop!(attempt(H3Cell(u64::MAX)), Error::<Test>::InvalidLocation);
		// Resolutions 8..=12 only in the mock.
		assert_noop!(attempt(paris(7, 0)), Error::<Test>::LocationResolutionNotAllowed);
		assert_noop!(attempt(paris(13, 0)), Error::<Test>::LocationResolutionNotAllowed);
		assert_ok!(attempt(paris(8, 0)));
	});
}

#[test]
fn bond_needs_free_balance() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(POOR),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&pair, POOR),
				None,
			),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn owners_are_limited_to_max_devices() {
	build_and_execute(|| {
		for n in 0..MAX_PER_OWNER as u8 {
			register(ALICE, &device(SignatureScheme::Ed25519, n), paris(12, 0));
		}
		let extra = device(SignatureScheme::Ed25519, 50);
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				extra.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&extra, ALICE),
				None,
			),
			Error::<Test>::TooManyDevices
		);
	});
}

#[test]
fn unsigned_origin_is_refused() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::Ed25519, 1);
		assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::none(),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&pair, ALICE),
				None,
			),
			sp_runtime::DispatchError::BadOrigin
		);
	});
}

#[test]
fn registration_weight_charges_the_schemes_used() {
	use crate::{MakerCertificate, Pallet};
	// The mock uses `()` weights (all equal); check the formula's shape with the real
	// runtime weights in the runtime tests. Here: certified ≥ uncertified.
	let key = device(SignatureScheme::EcdsaP256, 1).public();
	let plain = Pallet::<Test>::register_weight(&key, None);
	let certified = Pallet::<Test>::register_weight(
		&key,
		Some(&MakerCertificate { maker: 0, signature: DeviceSignature::Ed25519([0; 64]) }),
	);
	assert!(certified.ref_time() >= plain.ref_time());
}

#[test]
fn genesis_devices_are_registered_with_their_bonds_held() {
	use frame_support::traits::{fungible::InspectHold, BuildGenesisConfig};
	new_test_ext().execute_with(|| {
		let keys: Vec<_> = (0..3u8)
			.map(|n| match device(SignatureScheme::Ed25519, n).public() {
				depin_primitives::DeviceKey::Ed25519(key) => key,
				_ => unreachable!(),
			})
			.collect();
		let owners = [ALICE, ALICE, BOB];
		crate::GenesisConfig::<Test> {
			devices: keys
				.iter()
				.zip(owners)
				.enumerate()
				.map(|(i, (key, owner))| (owner, *key, paris(12, i as u32).0))
				.collect(),
			..Default::default()
		}
		.build();
		for (index, (key, owner)) in keys.iter().zip(owners).enumerate() {
			let id = depin_primitives::DeviceKey::Ed25519(*key).device_id();
			let record = Devices::<Test>::get(id).expect("registered at genesis");
			assert_eq!((record.index, record.owner, record.bond), (index as u32, owner, BOND));
			assert_eq!(KeyRegistrations::<Test>::get(id), 1);
		}
		assert_eq!(DeviceCount::<Test>::get(), 3);
		assert_eq!(OwnerDeviceCount::<Test>::get(ALICE), 2);
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::DeviceBond.into(), &ALICE),
			2 * BOND
		);
		crate::Pallet::<Test>::do_try_state().expect("registry invariants hold");
	});
}
