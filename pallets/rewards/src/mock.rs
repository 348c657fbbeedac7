//! A test runtime: System, Balances and rewards, with a registry and scores kept in memory
//! (what the registry and proof of coverage would report).

use crate::{self as pallet_rewards, EmissionSchedule, PoolSplit};
use core::cell::RefCell;
use depin_primitives::{
	DeviceId, DeviceIndex, DeviceInfo, DeviceInspect, DeviceKey, DeviceKind, DeviceStatus,
	EpochIndex, EpochScore, EpochScores, H3Cell, ScoreSink,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const TREASURY: AccountId = 99;

pub const ED: Balance = 10;
pub const EMISSION: Balance = 1_000_000;
pub const HALVING: EpochIndex = 10;
pub const HORIZON: EpochIndex = 4;
pub const MAX_CLAIM: u32 = 3;
pub const STARTING_BALANCE: Balance = 1_000;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_rewards,
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
}

thread_local! {
	static DEVICES: RefCell<BTreeMap<DeviceId, DeviceInfo<AccountId>>> = const { RefCell::new(BTreeMap::new()) };
	static SCORES: RefCell<BTreeMap<(DeviceId, EpochIndex), EpochScore>> = const { RefCell::new(BTreeMap::new()) };
}

/// The registry as rewards sees it.
pub struct MockDevices;

impl DeviceInspect<AccountId> for MockDevices {
	fn device(id: &DeviceId) -> Option<DeviceInfo<AccountId>> {
		DEVICES.with(|d| d.borrow().get(id).cloned())
	}
	fn devices_of(owner: &AccountId, after: Option<DeviceId>, limit: u32) -> Vec<DeviceId> {
		DEVICES.with(|d| {
			d.borrow()
				.iter()
				.filter(|(id, info)| info.owner == *owner && after.is_none_or(|a| **id > a))
				.take(limit as usize)
				.map(|(id, _)| *id)
				.collect()
		})
	}
	fn density_resolution() -> u8 {
		7
	}
	fn active_devices_in_cell(_: H3Cell) -> u32 {
		0
	}
}

/// Scores as proof of coverage would report them.
pub struct MockScores;

impl EpochScores for MockScores {
	fn score(device: &DeviceId, _index: DeviceIndex, epoch: EpochIndex) -> Option<EpochScore> {
		Some(SCORES.with(|s| s.borrow().get(&(*device, epoch)).copied().unwrap_or_default()))
	}
	fn score_weight() -> Weight {
		Weight::zero()
	}
}

parameter_types! {
	pub const RewardsPalletId: PalletId = PalletId(*b"dpn/rwds");
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const DefaultSchedule: EmissionSchedule<Balance> = EmissionSchedule {
		initial_per_epoch: EMISSION,
		halving_interval: HALVING,
		start_epoch: 0,
		supply_cap: None,
	};
	pub const DefaultSplit: PoolSplit = PoolSplit {
		coverage: Perbill::from_percent(40),
		uptime: Perbill::from_percent(30),
		data_transfer: Perbill::from_percent(10),
		staking: Perbill::from_percent(10),
		treasury: Perbill::from_percent(10),
	};
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type Devices = MockDevices;
	type Scores = MockScores;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = RewardsPalletId;
	type TreasuryAccount = TreasuryAccount;
	type DefaultSchedule = DefaultSchedule;
	type DefaultSplit = DefaultSplit;
	type DefaultExpiryHorizon = ConstU32<HORIZON>;
	type MaxExpiryHorizon = ConstU32<168>;
	type MaxClaimDevices = ConstU32<MAX_CLAIM>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockDevices;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockDevices {
	fn register_device(owner: &AccountId, seed: u32) -> (DeviceId, DeviceIndex) {
		let id = device_id(seed);
		let index = DEVICES.with(|d| d.borrow().len() as u32);
		insert_device(id, index, *owner);
		(id, index)
	}
	fn set_score(device: &DeviceId, _index: DeviceIndex, epoch: EpochIndex, score: EpochScore) {
		SCORES.with(|s| s.borrow_mut().insert((*device, epoch), score));
	}
	fn add_devices(count: u32) {
		let start = DEVICES.with(|d| d.borrow().len() as u32);
		for n in start..start + count {
			insert_device(device_id(1_000_000 + n), n, 1_000 + AccountId::from(n));
		}
	}
}

fn insert_device(id: DeviceId, index: DeviceIndex, owner: AccountId) {
	DEVICES.with(|d| {
		d.borrow_mut().insert(
			id,
			DeviceInfo {
				index,
				owner,
				key: DeviceKey::Ed25519([0; 32]),
				kind: DeviceKind::Hotspot,
				location: H3Cell(0),
				status: DeviceStatus::Active,
			},
		)
	});
}

/// A device id from a number.
pub fn device_id(n: u32) -> DeviceId {
	let mut id = [0u8; 32];
	id[..4].copy_from_slice(&n.to_be_bytes());
	DeviceId(id)
}

/// Registers device `n` for `owner` (index `n`).
pub fn register(owner: AccountId, n: u32) -> DeviceId {
	let id = device_id(n);
	insert_device(id, n, owner);
	id
}

/// Moves `device` to `owner` (as an accepted transfer would).
pub fn transfer(device: DeviceId, owner: AccountId) {
	DEVICES.with(|d| d.borrow_mut().get_mut(&device).expect("registered").owner = owner);
}

/// Removes `device` from the registry (as a withdrawn bond would).
pub fn deregister(device: DeviceId) {
	DEVICES.with(|d| d.borrow_mut().remove(&device));
}

/// Sets `device`'s score in `epoch`.
pub fn set_score(device: DeviceId, epoch: EpochIndex, uptime: u64, coverage: u64) {
	SCORES.with(|s| s.borrow_mut().insert((device, epoch), EpochScore { uptime, coverage }));
}

/// Proof of coverage reports `device` active in `epoch`.
pub fn touch(device: DeviceId, epoch: EpochIndex) {
	let index = MockDevices::device(&device).map_or(0, |d| d.index);
	<Rewards as ScoreSink>::devices_active(&[(device, index, epoch)]);
}

/// Service payments report that `device` settled `units` credits worth `value` in `epoch`.
pub fn usage(device: DeviceId, epoch: EpochIndex, units: u128, value: Balance) {
	let index = MockDevices::device(&device).map_or(0, |d| d.index);
	<Rewards as depin_primitives::UsageSink<Balance>>::usage_settled(
		&device, index, epoch, units, value,
	);
}

/// Proof of coverage reports `epoch` final with these totals.
pub fn close(epoch: EpochIndex, uptime: u64, coverage: u64) {
	<Rewards as ScoreSink>::epoch_scored(epoch, &EpochScore { uptime, coverage });
}

/// Closes epochs `from..to` with no score.
pub fn close_empty(from: EpochIndex, to: EpochIndex) {
	for epoch in from..to {
		close(epoch, 0, 0);
	}
}

pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

pub fn pot() -> Balance {
	free(Rewards::pot())
}

pub fn events() -> Vec<pallet_rewards::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Rewards(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Runs the `on_idle` sweep with plenty of weight.
pub fn idle() -> Weight {
	<Rewards as Hooks<u64>>::on_idle(System::block_number(), Weight::MAX)
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	DEVICES.with(|d| d.borrow_mut().clear());
	SCORES.with(|s| s.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, STARTING_BALANCE),
			(BOB, STARTING_BALANCE),
			(CHARLIE, STARTING_BALANCE),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_rewards::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the invariants: the pallet's own, and that total issuance moved
/// by exactly what the pallet minted.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		test();
		Rewards::do_try_state().expect("invariants hold");
		let totals = crate::Totals::<Test>::get();
		assert_eq!(
			Balances::total_issuance() - issuance,
			totals.minted_for_devices + totals.minted_for_treasury,
			"issuance moved by exactly what was minted"
		);
	});
}
