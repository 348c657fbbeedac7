//! A test runtime: System, Balances and the registry, with a treasury account receiving
//! fees and slashes.

use crate::{self as pallet_device_registry, RegistryParameters};
use depin_primitives::{
	device::pair::DevicePair, DeviceKey, DeviceKind, DeviceSignature, H3Cell,
	MakerCertificatePayload, RegistrationPayload, SignatureScheme, SignedPayload,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU8},
};
use frame_system::EnsureRoot;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// Has exactly the existential deposit plus a little: cannot pay a bond.
pub const POOR: AccountId = 4;
pub const TREASURY: AccountId = 99;

pub const ED: Balance = 10;
pub const BOND: Balance = 100;
pub const LOCATION_FEE: Balance = 5;
pub const LOCATION_INTERVAL: u64 = 10;
pub const UNBONDING: u64 = 20;
pub const MAX_PER_OWNER: u32 = 3;
pub const STARTING_BALANCE: Balance = 10_000;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DeviceRegistry: pallet_device_registry,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU64<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

use frame_support::traits::ConstU64;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const DefaultParameters: RegistryParameters<Balance, u64> = RegistryParameters {
		device_bond: BOND,
		location_fee: LOCATION_FEE,
		location_update_interval: LOCATION_INTERVAL,
		unbonding_period: UNBONDING,
		max_devices_per_owner: MAX_PER_OWNER,
	};
}

impl pallet_device_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type Revenue = ResolveTo<TreasuryAccount, Balances>;
	type DefaultParameters = DefaultParameters;
	type MaxDevicesPerOwner = ConstU32<5>;
	type MaxMetadataLen = ConstU32<32>;
	type MaxReasonLen = ConstU32<32>;
	type MaxMakerNameLen = ConstU32<16>;
	type MinLocationResolution = ConstU8<8>;
	type MaxLocationResolution = ConstU8<12>;
	type DensityResolution = ConstU8<6>;
	type WeightInfo = ();
}

/// The test chain's genesis hash (frame-system's genesis puts `[69; 32]` at block 0).
pub fn genesis_hash() -> sp_core::H256 {
	crate::Pallet::<Test>::genesis_hash()
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, STARTING_BALANCE),
			(BOB, STARTING_BALANCE),
			(CHARLIE, STARTING_BALANCE),
			(POOR, ED + 50),
			(TREASURY, ED),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	// Benchmarks sign with keystore host functions.
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` and then checks the registry's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		crate::Pallet::<Test>::do_try_state().expect("registry invariants hold");
	});
}

pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// A cell in Paris at `resolution` (Notre-Dame), or another district for `district` > 0.
pub fn paris(resolution: u8, district: u32) -> H3Cell {
	let lat = 48.8530 + 0.01 * f64::from(district);
	H3Cell::from_lat_lng(lat, 2.3499, resolution).unwrap()
}

/// A device key pair of `scheme` numbered `n`.
pub fn device(scheme: SignatureScheme, n: u8) -> DevicePair {
	let mut seed = [n; 32];
	seed[0] = scheme as u8;
	DevicePair::from_seed(scheme, seed)
}

/// The proof `pair` signs to register itself for `owner` on the test chain now: with the
/// key's current registration counter.
pub fn proof(pair: &DevicePair, owner: AccountId) -> DeviceSignature {
	let registrations = crate::KeyRegistrations::<Test>::get(pair.public().device_id());
	proof_with(pair, owner, registrations)
}

/// The proof `pair` signs to register itself for `owner` on the test chain, for the given
/// value of its registration counter.
pub fn proof_with(pair: &DevicePair, owner: AccountId, registrations: u32) -> DeviceSignature {
	let key = pair.public();
	let genesis = genesis_hash();
	pair.sign(
		&RegistrationPayload { genesis_hash: &genesis, owner: &owner, key: &key, registrations }
			.signing_bytes(),
	)
}

/// A maker certificate signature by `maker_pair` for `key` of `kind`.
pub fn certify(
	maker_pair: &DevicePair,
	maker: u32,
	key: &DeviceKey,
	kind: DeviceKind,
) -> DeviceSignature {
	let genesis = genesis_hash();
	maker_pair
		.sign(&MakerCertificatePayload { genesis_hash: &genesis, maker, key, kind }.signing_bytes())
}

pub fn metadata() -> crate::MetadataOf<Test> {
	crate::DeviceMetadata {
		model: b"RAK7268".to_vec().try_into().unwrap(),
		firmware: b"2.1.4".to_vec().try_into().unwrap(),
		uri: b"ipfs://bafy".to_vec().try_into().unwrap(),
	}
}

/// Registers `pair` for `owner` as a hotspot at `cell`, without a maker certificate.
pub fn register(owner: AccountId, pair: &DevicePair, cell: H3Cell) -> depin_primitives::DeviceId {
	frame_support::assert_ok!(DeviceRegistry::register_device(
		RuntimeOrigin::signed(owner),
		pair.public(),
		DeviceKind::Hotspot,
		cell,
		metadata(),
		proof(pair, owner),
		None,
	));
	pair.public().device_id()
}

pub fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

pub fn held(who: AccountId) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&crate::HoldReason::DeviceBond.into(), &who)
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}
