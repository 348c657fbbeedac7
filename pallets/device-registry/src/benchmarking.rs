//! Benchmarks of every call, and of one signature verification per scheme (so that
//! `register_device` is charged for the schemes actually used).

use super::*;
use crate::Pallet as DeviceRegistry;
use depin_primitives::device::p256_sign;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use sp_core::crypto::KeyTypeId;

/// Key type of the throwaway keys benchmarks create in the keystore.
const BENCH_KEY: KeyTypeId = KeyTypeId(*b"dbnc");
/// Notre-Dame de Paris and a cell 1 km north, at resolution 12.
const PARIS: u64 = 0x8c1fb46624125ff;
const PARIS_NORTH: u64 = 0x8c1fb4662c745ff;

fn cell<T: Config>(raw: u64) -> H3Cell {
	let cell = H3Cell(raw);
	cell.parent(T::MaxLocationResolution::get()).unwrap_or(cell)
}

fn fund<T: Config>(who: &T::AccountId) {
	let parameters = Parameters::<T>::get();
	let amount = T::Currency::minimum_balance()
		.saturating_add(parameters.device_bond.saturating_mul(4u32.into()))
		.saturating_add(parameters.location_fee.saturating_mul(4u32.into()))
		.saturating_add(1_000_000_000u32.into());
	T::Currency::set_balance(who, amount);
}

/// A keystore seed phrase (the keystore wants UTF-8 seeds).
fn seed(n: u32) -> Vec<u8> {
	alloc::format!("//depin-bench-{n}").into_bytes()
}

/// A fresh Ed25519 device key (in the keystore) and its registration proof for `owner`
/// (signed with the key's current registration counter).
fn ed25519_device<T: Config>(owner: &T::AccountId, n: u32) -> (DeviceKey, DeviceSignature) {
	let public = sp_io::crypto::ed25519_generate(BENCH_KEY, Some(seed(n)));
	let key = DeviceKey::Ed25519(public.0);
	let genesis = DeviceRegistry::<T>::genesis_hash();
	let registrations = KeyRegistrations::<T>::get(key.device_id());
	let message = RegistrationPayload { genesis_hash: &genesis, owner, key: &key, registrations }
		.signing_bytes();
	let signature = sp_io::crypto::ed25519_sign(BENCH_KEY, &public, &message).expect("key exists");
	(key, DeviceSignature::Ed25519(signature.0))
}

fn max_metadata<T: Config>() -> MetadataOf<T> {
	let field = || BoundedVec::truncate_from(alloc::vec![b'x'; T::MaxMetadataLen::get() as usize]);
	DeviceMetadata { model: field(), firmware: field(), uri: field() }
}

/// Registers an Ed25519 device for `owner` with maximal metadata.
fn registered<T: Config>(owner: &T::AccountId, n: u32) -> DeviceId {
	fund::<T>(owner);
	let (key, proof) = ed25519_device::<T>(owner, n);
	let device = key.device_id();
	DeviceRegistry::<T>::register_device(
		RawOrigin::Signed(owner.clone()).into(),
		key,
		DeviceKind::Hotspot,
		cell::<T>(PARIS),
		max_metadata::<T>(),
		proof,
		None,
	)
	.expect("registration succeeds");
	device
}

/// A registration-sized message (118 bytes, like the payload for a 32-byte account and an
/// Ed25519 key).
fn message() -> Vec<u8> {
	alloc::vec![0x5a; 118]
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Registration with an Ed25519 proof, no maker certificate.
	#[benchmark]
	fn register_device() {
		let owner: T::AccountId = whitelisted_caller();
		fund::<T>(&owner);
		// Another device in the same density cell, so the count is updated, not created.
		registered::<T>(&account("neighbour", 0, 0), 1);
		let (key, proof) = ed25519_device::<T>(&owner, 2);
		let device = key.device_id();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			key,
			DeviceKind::Hotspot,
			cell::<T>(PARIS),
			max_metadata::<T>(),
			proof,
			None,
		);

		assert_eq!(Devices::<T>::get(device).map(|d| d.owner), Some(owner));
	}

	/// Registration with an Ed25519 proof and an Ed25519 maker certificate, fee paid.
	#[benchmark]
	fn register_device_certified() {
		let owner: T::AccountId = whitelisted_caller();
		fund::<T>(&owner);
		let maker_public = sp_io::crypto::ed25519_generate(BENCH_KEY, Some(seed(100)));
		let maker = DeviceRegistry::<T>::insert_maker(
			BoundedVec::truncate_from(alloc::vec![b'm'; T::MaxMakerNameLen::get() as usize]),
			DeviceKey::Ed25519(maker_public.0),
			T::Currency::minimum_balance(),
		);
		KindRequiresMaker::<T>::insert(DeviceKind::Hotspot, true);
		let (key, proof) = ed25519_device::<T>(&owner, 3);
		let genesis = DeviceRegistry::<T>::genesis_hash();
		let message = MakerCertificatePayload {
			genesis_hash: &genesis,
			maker,
			key: &key,
			kind: DeviceKind::Hotspot,
		}
		.signing_bytes();
		let signature =
			sp_io::crypto::ed25519_sign(BENCH_KEY, &maker_public, &message).expect("key exists");
		let certificate =
			MakerCertificate { maker, signature: DeviceSignature::Ed25519(signature.0) };
		let device = key.device_id();

		#[extrinsic_call]
		register_device(
			RawOrigin::Signed(owner),
			key,
			DeviceKind::Hotspot,
			cell::<T>(PARIS),
			max_metadata::<T>(),
			proof,
			Some(certificate),
		);

		assert_eq!(Devices::<T>::get(device).and_then(|d| d.maker), Some(maker));
	}

	#[benchmark]
	fn verify_ed25519() {
		let public = sp_io::crypto::ed25519_generate(BENCH_KEY, Some(seed(200)));
		let message = message();
		let signature = sp_io::crypto::ed25519_sign(BENCH_KEY, &public, &message).unwrap();
		let (key, signature) =
			(DeviceKey::Ed25519(public.0), DeviceSignature::Ed25519(signature.0));
		let valid;
		#[block]
		{
			valid = key.verify(&message, &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn verify_sr25519() {
		let public = sp_io::crypto::sr25519_generate(BENCH_KEY, Some(seed(201)));
		let message = message();
		let signature = sp_io::crypto::sr25519_sign(BENCH_KEY, &public, &message).unwrap();
		let (key, signature) =
			(DeviceKey::Sr25519(public.0), DeviceSignature::Sr25519(signature.0));
		let valid;
		#[block]
		{
			valid = key.verify(&message, &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn verify_ecdsa_secp256k1() {
		let public = sp_io::crypto::ecdsa_generate(BENCH_KEY, Some(seed(202)));
		let message = message();
		let signature = sp_io::crypto::ecdsa_sign(BENCH_KEY, &public, &message).unwrap();
		let (key, signature) =
			(DeviceKey::EcdsaSecp256k1(public.0), DeviceSignature::EcdsaSecp256k1(signature.0));
		let valid;
		#[block]
		{
			valid = key.verify(&message, &signature);
		}
		assert!(valid);
	}

	/// P-256 runs in wasm: no host function exists for it.
	#[benchmark]
	fn verify_ecdsa_p256() {
		let message = message();
		let (key, signature) = p256_sign(&[0x42; 32], &message).expect("valid scalar");
		let valid;
		#[block]
		{
			valid = key.verify(&message, &signature);
		}
		assert!(valid);
	}

	#[benchmark]
	fn update_location() {
		let owner: T::AccountId = whitelisted_caller();
		let device = registered::<T>(&owner, 4);
		registered::<T>(&account("neighbour", 0, 0), 5);
		let interval = Parameters::<T>::get().location_update_interval;
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(interval),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, cell::<T>(PARIS_NORTH));

		assert_eq!(Devices::<T>::get(device).map(|d| d.location), Some(cell::<T>(PARIS_NORTH)));
	}

	#[benchmark]
	fn transfer_device() {
		let owner: T::AccountId = whitelisted_caller();
		let device = registered::<T>(&owner, 6);
		let to: T::AccountId = account("recipient", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device, to.clone());

		assert_eq!(PendingTransfers::<T>::get(device), Some(to));
	}

	#[benchmark]
	fn accept_transfer() {
		let owner: T::AccountId = account("seller", 0, 0);
		let device = registered::<T>(&owner, 7);
		let to: T::AccountId = whitelisted_caller();
		fund::<T>(&to);
		DeviceRegistry::<T>::transfer_device(RawOrigin::Signed(owner).into(), device, to.clone())
			.expect("offer succeeds");

		#[extrinsic_call]
		_(RawOrigin::Signed(to.clone()), device);

		assert_eq!(Devices::<T>::get(device).map(|d| d.owner), Some(to));
	}

	#[benchmark]
	fn cancel_transfer() {
		let owner: T::AccountId = whitelisted_caller();
		let device = registered::<T>(&owner, 8);
		DeviceRegistry::<T>::transfer_device(
			RawOrigin::Signed(owner.clone()).into(),
			device,
			account("recipient", 0, 0),
		)
		.expect("offer succeeds");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);

		assert!(!PendingTransfers::<T>::contains_key(device));
	}

	/// Worst case: an open transfer offer is withdrawn too.
	#[benchmark]
	fn retire_device() {
		let owner: T::AccountId = whitelisted_caller();
		let device = registered::<T>(&owner, 9);
		DeviceRegistry::<T>::transfer_device(
			RawOrigin::Signed(owner.clone()).into(),
			device,
			account("recipient", 0, 0),
		)
		.expect("offer succeeds");

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);

		assert!(matches!(
			Devices::<T>::get(device).map(|d| d.state),
			Some(DeviceState::Retired { .. })
		));
	}

	#[benchmark]
	fn withdraw_bond() {
		let owner: T::AccountId = whitelisted_caller();
		let device = registered::<T>(&owner, 10);
		// A second device keeps the owner's count entry alive (the costlier path).
		registered::<T>(&owner, 11);
		DeviceRegistry::<T>::retire_device(RawOrigin::Signed(owner.clone()).into(), device)
			.expect("retire succeeds");
		let period = Parameters::<T>::get().unbonding_period;
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(period),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device);

		assert!(!Devices::<T>::contains_key(device));
	}

	#[benchmark]
	fn suspend_device() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let device = registered::<T>(&account("owner", 0, 0), 12);
		let reason: ReasonOf<T> =
			BoundedVec::truncate_from(alloc::vec![b'r'; T::MaxReasonLen::get() as usize]);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, device, reason);

		assert!(matches!(
			Devices::<T>::get(device).map(|d| d.state),
			Some(DeviceState::Suspended { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn resume_device() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let device = registered::<T>(&account("owner", 0, 0), 13);
		DeviceRegistry::<T>::suspend_device(
			governance::<T>()?,
			device,
			BoundedVec::truncate_from(alloc::vec![b'r'; T::MaxReasonLen::get() as usize]),
		)
		.map_err(|_| BenchmarkError::Stop("suspend failed"))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, device);

		assert_eq!(Devices::<T>::get(device).map(|d| d.state), Some(DeviceState::Active));
		Ok(())
	}

	#[benchmark]
	fn slash_device() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let device = registered::<T>(&account("owner", 0, 0), 14);
		let bond = Devices::<T>::get(device).map(|d| d.bond).unwrap_or_default();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, device, bond);

		assert_eq!(Devices::<T>::get(device).map(|d| d.bond), Some(Zero::zero()));
		Ok(())
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let parameters = T::DefaultParameters::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, parameters.clone());

		assert_eq!(Parameters::<T>::get(), parameters);
		Ok(())
	}

	#[benchmark]
	fn set_kind_policy() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, DeviceKind::Charger, true);

		assert!(KindRequiresMaker::<T>::get(DeviceKind::Charger));
		Ok(())
	}

	#[benchmark]
	fn add_maker() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let name = BoundedVec::truncate_from(alloc::vec![b'm'; T::MaxMakerNameLen::get() as usize]);
		let (key, _) = p256_sign(&[0x43; 32], b"").expect("valid scalar");
		let id = NextMakerId::<T>::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name, key, T::Currency::minimum_balance());

		assert!(Makers::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn remove_maker() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (key, _) = p256_sign(&[0x44; 32], b"").expect("valid scalar");
		let id = DeviceRegistry::<T>::insert_maker(BoundedVec::new(), key, Zero::zero());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert!(!Makers::<T>::contains_key(id));
		Ok(())
	}

	impl_benchmark_test_suite!(DeviceRegistry, crate::mock::new_test_ext(), crate::mock::Test);
}
