//! What other pallets see through `DeviceInspect`.

use crate::mock::*;
use depin_primitives::{DeviceId, DeviceInspect, DeviceKind, DeviceStatus, SignatureScheme};
use frame_support::assert_ok;

#[test]
fn device_inspect_reports_owner_status_and_density() {
	build_and_execute(|| {
		let pair = device(SignatureScheme::EcdsaP256, 1);
		let id = register(ALICE, &pair, paris(12, 0));
		register(BOB, &device(SignatureScheme::Ed25519, 1), paris(12, 0));
		let info = <DeviceRegistry as DeviceInspect<AccountId>>::device(&id).unwrap();
		assert_eq!(info.owner, ALICE);
		assert_eq!(info.key, pair.public());
		assert_eq!(info.kind, DeviceKind::Hotspot);
		assert_eq!(info.location, paris(12, 0));
		assert_eq!(info.status, DeviceStatus::Active);
		assert!(DeviceRegistry::is_active(&id));
		assert_eq!(DeviceRegistry::owner(&id), Some(ALICE));
		assert_eq!(DeviceRegistry::density_resolution(), 6);
		let cell = paris(12, 0).parent(6).unwrap();
		assert_eq!(DeviceRegistry::active_devices_in_cell(cell), 2);
		assert_eq!(DeviceRegistry::active_devices_in_cell(paris(12, 0)), 0);

		assert_ok!(DeviceRegistry::suspend_device(
			RuntimeOrigin::root(),
			id,
			b"audit".to_vec().try_into().unwrap()
		));
		assert_eq!(DeviceRegistry::device(&id).unwrap().status, DeviceStatus::Suspended);
		assert!(!DeviceRegistry::is_active(&id));
		assert_eq!(DeviceRegistry::active_devices_in_cell(cell), 1);

		assert!(DeviceRegistry::device(&DeviceId([0; 32])).is_none());
		assert!(!DeviceRegistry::is_active(&DeviceId([0; 32])));
	});
}

#[test]
fn a_cell_lists_its_active_devices_in_pages() {
	build_and_execute(|| {
		let a = register(ALICE, &device(SignatureScheme::Ed25519, 1), paris(12, 0));
		let b = register(BOB, &device(SignatureScheme::EcdsaP256, 2), paris(12, 1));
		let c = register(BOB, &device(SignatureScheme::Sr25519, 3), paris(12, 2));
		let cell = paris(12, 0).parent(6).unwrap();
		let mut all = DeviceRegistry::devices_in_cell(cell, None, 10);
		all.sort();
		let mut expected = vec![a, b, c];
		expected.sort();
		assert_eq!(all, expected);
		// Pages follow storage order and never repeat a device.
		let first = DeviceRegistry::devices_in_cell(cell, None, 2);
		let rest = DeviceRegistry::devices_in_cell(cell, first.last().copied(), 2);
		assert_eq!((first.len(), rest.len()), (2, 1));
		assert!(!first.contains(&rest[0]));
		// Suspended and retired devices leave the list; a resumed one comes back.
		assert_ok!(DeviceRegistry::suspend_device(
			RuntimeOrigin::root(),
			a,
			b"audit".to_vec().try_into().unwrap()
		));
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(BOB), b));
		assert_eq!(DeviceRegistry::devices_in_cell(cell, None, 10), vec![c]);
		assert_ok!(DeviceRegistry::resume_device(RuntimeOrigin::root(), a));
		assert_eq!(DeviceRegistry::devices_in_cell(cell, None, 10).len(), 2);
		assert!(DeviceRegistry::devices_in_cell(paris(12, 0), None, 10).is_empty());
	});
}

#[test]
fn devices_get_dense_indexes_that_are_never_reused() {
	build_and_execute(|| {
		let first = register(ALICE, &device(SignatureScheme::Ed25519, 1), paris(12, 0));
		let second = register(BOB, &device(SignatureScheme::EcdsaP256, 2), paris(12, 1));
		let index = |id| DeviceRegistry::device(&id).unwrap().index;
		assert_eq!((index(first), index(second)), (0, 1));
		assert_eq!(crate::NextDeviceIndex::<Test>::get(), 2);

		// A retired, withdrawn device's index is not handed out again.
		assert_ok!(DeviceRegistry::retire_device(RuntimeOrigin::signed(ALICE), first));
		run_to_block(1 + UNBONDING);
		assert_ok!(DeviceRegistry::withdraw_bond(RuntimeOrigin::signed(ALICE), first));
		assert!(DeviceRegistry::device(&first).is_none());
		let third = register(ALICE, &device(SignatureScheme::Sr25519, 3), paris(12, 2));
		assert_eq!(index(third), 2);
	});
}

#[test]
fn registration_fails_cleanly_when_indexes_run_out() {
	build_and_execute(|| {
		crate::NextDeviceIndex::<Test>::put(u32::MAX);
		let pair = device(SignatureScheme::Ed25519, 1);
		frame_support::assert_noop!(
			DeviceRegistry::register_device(
				RuntimeOrigin::signed(ALICE),
				pair.public(),
				DeviceKind::Hotspot,
				paris(12, 0),
				metadata(),
				proof(&pair, ALICE),
				None,
			),
			crate::Error::<Test>::DeviceIndexesExhausted
		);
	});
}

#[test]
fn an_owners_devices_can_be_paged_through() {
	build_and_execute(|| {
		let mine: Vec<DeviceId> = (1..=3)
			.map(|n| register(ALICE, &device(SignatureScheme::Ed25519, n), paris(12, 0)))
			.collect();
		register(BOB, &device(SignatureScheme::Ed25519, 9), paris(12, 0));
		let first = DeviceRegistry::devices_of(&ALICE, None, 2);
		assert_eq!(first.len(), 2);
		let rest = DeviceRegistry::devices_of(&ALICE, Some(first[1]), 2);
		assert_eq!(rest.len(), 1);
		let mut all: Vec<DeviceId> = first.into_iter().chain(rest).collect();
		all.sort();
		let mut expected = mine.clone();
		expected.sort();
		assert_eq!(all, expected);
		assert!(DeviceRegistry::devices_of(&CHARLIE, None, 10).is_empty());
	});
}
