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
