//! Makers: admission, certificates, per-kind requirement, onboarding fees.

use crate::{mock::*, Error, Event, KindRequiresMaker, Makers};
use depin_primitives::{DeviceKind, DeviceSignature, SignatureScheme};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

const FEE: Balance = 30;

/// Admits a maker with a P-256 key (a secure-element vendor) and returns its pair and id.
fn admit_maker() -> (depin_primitives::device::pair::DevicePair, u32) {
	let maker = device(SignatureScheme::EcdsaP256, 200);
	assert_ok!(DeviceRegistry::add_maker(
		RuntimeOrigin::root(),
		b"Acme Radios".to_vec().try_into().unwrap(),
		maker.public(),
		FEE,
	));
	let id = crate::NextMakerId::<Test>::get() - 1;
	assert_eq!(
		last_event(),
		RuntimeEvent::DeviceRegistry(Event::MakerAdded {
			maker: id,
			key: maker.public(),
			onboarding_fee: FEE
		})
	);
	(maker, id)
}

fn register_certified(
	owner: AccountId,
	pair: &depin_primitives::device::pair::DevicePair,
	kind: DeviceKind,
	certificate: Option<crate::MakerCertificate>,
) -> sp_runtime::DispatchResult {
	DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner),
		pair.public(),
		kind,
		paris(12, 0),
		metadata(),
		proof(pair, owner),
		certificate,
	)
}

#[test]
fn only_governance_manages_makers_and_policies() {
	build_and_execute(|| {
		let maker = device(SignatureScheme::Ed25519, 200);
		assert_noop!(
			DeviceRegistry::add_maker(
				RuntimeOrigin::signed(ALICE),
				b"x".to_vec().try_into().unwrap(),
				maker.public(),
				0
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::set_kind_policy(
				RuntimeOrigin::signed(ALICE),
				DeviceKind::Hotspot,
				true
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::remove_maker(RuntimeOrigin::signed(ALICE), 0),
			DispatchError::BadOrigin
		);
		assert_noop!(
			DeviceRegistry::remove_maker(RuntimeOrigin::root(), 0),
			Error::<Test>::UnknownMaker
		);
	});
}

#[test]
fn kind_requiring_a_maker_refuses_uncertified_devices() {
	build_and_execute(|| {
		assert_ok!(DeviceRegistry::set_kind_policy(
			RuntimeOrigin::root(),
			DeviceKind::Hotspot,
			true
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::KindPolicySet {
				kind: DeviceKind::Hotspot,
				requires_maker: true
			})
		);
		assert!(KindRequiresMaker::<Test>::get(DeviceKind::Hotspot));
		let pair = device(SignatureScheme::Ed25519, 1);
		assert_noop!(
			register_certified(ALICE, &pair, DeviceKind::Hotspot, None),
			Error::<Test>::MakerCertificateRequired
		);
		// Other kinds are not affected.
		assert_ok!(register_certified(ALICE, &pair, DeviceKind::Sensor, None));
		// Lifting the policy.
		assert_ok!(DeviceRegistry::set_kind_policy(
			RuntimeOrigin::root(),
			DeviceKind::Hotspot,
			false
		));
		assert!(!KindRequiresMaker::<Test>::contains_key(DeviceKind::Hotspot));
		assert_ok!(register_certified(
			ALICE,
			&device(SignatureScheme::Ed25519, 2),
			DeviceKind::Hotspot,
			None
		));
	});
}

#[test]
fn certified_registration_pays_the_onboarding_fee_to_the_treasury() {
	build_and_execute(|| {
		let (maker, id) = admit_maker();
		assert_ok!(DeviceRegistry::set_kind_policy(
			RuntimeOrigin::root(),
			DeviceKind::Hotspot,
			true
		));
		let pair = device(SignatureScheme::Ed25519, 1);
		let signature = certify(&maker, id, &pair.public(), DeviceKind::Hotspot);
		let treasury_before = free(TREASURY);
		assert_ok!(register_certified(
			ALICE,
			&pair,
			DeviceKind::Hotspot,
			Some(crate::MakerCertificate { maker: id, signature })
		));
		assert_eq!(free(ALICE), STARTING_BALANCE - BOND - FEE);
		assert_eq!(free(TREASURY), treasury_before + FEE);
		let record = crate::Devices::<Test>::get(pair.public().device_id()).unwrap();
		assert_eq!(record.maker, Some(id));
		assert_eq!(Makers::<Test>::get(id).unwrap().devices_onboarded, 1);
		assert!(matches!(
			last_event(),
			RuntimeEvent::DeviceRegistry(Event::DeviceRegistered { maker: Some(m), onboarding_fee: FEE, .. }) if m == id
		));
	});
}

#[test]
fn bad_certificates_are_refused() {
	build_and_execute(|| {
		let (maker, id) = admit_maker();
		let pair = device(SignatureScheme::Ed25519, 1);
		let other = device(SignatureScheme::Ed25519, 2);
		let cases = [
			// Certificate for another device key.
			(
				id,
				certify(&maker, id, &other.public(), DeviceKind::Hotspot),
				Error::<Test>::InvalidMakerCertificate,
			),
			// Certificate for another kind.
			(
				id,
				certify(&maker, id, &pair.public(), DeviceKind::Charger),
				Error::<Test>::InvalidMakerCertificate,
			),
			// Signed by someone who is not the maker.
			(
				id,
				certify(&other, id, &pair.public(), DeviceKind::Hotspot),
				Error::<Test>::InvalidMakerCertificate,
			),
			// Garbage.
			(id, DeviceSignature::EcdsaP256([1; 64]), Error::<Test>::InvalidMakerCertificate),
			// Unknown maker id.
			(
				id + 7,
				certify(&maker, id + 7, &pair.public(), DeviceKind::Hotspot),
				Error::<Test>::UnknownMaker,
			),
		];
		for (maker_id, signature, error) in cases {
			assert_noop!(
				register_certified(
					ALICE,
					&pair,
					DeviceKind::Hotspot,
					Some(crate::MakerCertificate { maker: maker_id, signature })
				),
				error
			);
		}
	});
}

#[test]
fn removed_maker_no_longer_onboards() {
	build_and_execute(|| {
		let (maker, id) = admit_maker();
		let first = device(SignatureScheme::Ed25519, 1);
		let cert = |pair: &depin_primitives::device::pair::DevicePair| crate::MakerCertificate {
			maker: id,
			signature: certify(&maker, id, &pair.public(), DeviceKind::Hotspot),
		};
		assert_ok!(register_certified(ALICE, &first, DeviceKind::Hotspot, Some(cert(&first))));
		assert_ok!(DeviceRegistry::remove_maker(RuntimeOrigin::root(), id));
		assert_eq!(last_event(), RuntimeEvent::DeviceRegistry(Event::MakerRemoved { maker: id }));
		let second = device(SignatureScheme::Ed25519, 2);
		assert_noop!(
			register_certified(ALICE, &second, DeviceKind::Hotspot, Some(cert(&second))),
			Error::<Test>::UnknownMaker
		);
		// The onboarded device stays.
		assert!(crate::Devices::<Test>::contains_key(first.public().device_id()));
	});
}

#[test]
fn onboarding_fee_needs_funds() {
	build_and_execute(|| {
		let (maker, id) = admit_maker();
		let pair = device(SignatureScheme::Ed25519, 1);
		// POOR has ED + 50: the 30 fee leaves 20 < 100 bond.
		assert_noop!(
			register_certified(
				POOR,
				&pair,
				DeviceKind::Hotspot,
				Some(crate::MakerCertificate {
					maker: id,
					signature: certify(&maker, id, &pair.public(), DeviceKind::Hotspot)
				})
			),
			Error::<Test>::InsufficientBalance
		);
		assert_eq!(free(POOR), ED + 50);
	});
}
