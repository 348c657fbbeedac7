//! Genesis presets built into the runtime.
//!
//! - `development` (`--dev`): one validator (Alice), sudo Alice, the well-known dev accounts
//!   endowed, fast referendum tracks (a referendum passes in about a minute).
//! - `local_testnet` (`--chain local`): three validators (Alice, Bob, Charlie), same accounts,
//!   no sudo key and the real network's referendum periods: a rehearsal of a real network, where
//!   every change goes through governance.
//! - `local_testnet_bft` (`--chain local-bft`): four validators (plus Dave), the smallest set
//!   whose GRANDPA finality survives one validator being down (finality needs more than 2/3
//!   of the voters; with three, one missing leaves exactly 2/3).
//!
//! Each validator's stash is the `//<Name>//stash` account, its session keys are the
//! `//<Name>` BABE (sr25519) and GRANDPA (ed25519) keys, which `depin-node --alice` etc. put
//! in the node's keystore. The plain `//<Name>` accounts stay unbonded, free to nominate.
//! A real network does not use these presets: see `docs/chain-spec.md`.

use crate::{
	governance::origins::TrackTiming, AccountId, BabeConfig, Balance, BalancesConfig, BlockNumber,
	DeviceRegistryConfig, OriginsConfig, ProofOfCoverageConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, StakerStatus, StakingConfig, SudoConfig, BABE_GENESIS_EPOCH_CONFIG,
	EXISTENTIAL_DEPOSIT, UNIT,
};
use alloc::{vec, vec::Vec};
use depin_primitives::OracleId;
use frame_support::build_struct_json_patch;
use pallet_device_registry::RegistryParameters;
use pallet_proof_of_coverage::PocParameters;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each endowed dev account starts with: one million tokens.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;
/// What each genesis validator bonds.
pub const VALIDATOR_BOND: Balance = 100_000 * UNIT;
/// Smallest bond that may nominate.
pub const MIN_NOMINATOR_BOND: Balance = 10 * UNIT;
/// Smallest bond that may validate.
pub const MIN_VALIDATOR_BOND: Balance = 1_000 * UNIT;

/// A genesis validator: stash account and its session keys.
pub struct GenesisValidator {
	/// The stash that bonds and is paid.
	pub stash: AccountId,
	/// BABE block-production key.
	pub babe: BabeId,
	/// GRANDPA finality key.
	pub grandpa: GrandpaId,
	/// Proof-of-coverage oracle key (`dpoc`), authorised from genesis.
	pub oracle: OracleId,
}

impl GenesisValidator {
	/// The validator of a well-known dev name: stash `//Name//stash`, keys `//Name`.
	fn dev(stash: Sr25519Keyring, babe: Sr25519Keyring, grandpa: Ed25519Keyring) -> Self {
		Self {
			stash: stash.to_account_id(),
			babe: babe.public().into(),
			grandpa: grandpa.public().into(),
			// `depin-node --alice` (or `--dev`) puts `//Alice` under `dpoc` in the keystore.
			oracle: babe.public().into(),
		}
	}
}

/// The genesis state of a test network: `validators` elected from genesis, every account in
/// `endowed` funded with [`ENDOWMENT`], `sudo` (if any) as the root key, and referendum tracks
/// in `timing`.
pub fn testnet_genesis(
	validators: Vec<GenesisValidator>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
	timing: TrackTiming,
) -> Value {
	let mut balances: Vec<(AccountId, Balance)> =
		endowed.iter().cloned().map(|a| (a, ENDOWMENT)).collect();
	// The treasury exists from genesis, so small fees paid to it are never lost to the
	// existential deposit.
	balances.push((crate::configs::TreasuryAccount::get(), EXISTENTIAL_DEPOSIT));
	for v in &validators {
		if !endowed.contains(&v.stash) {
			balances.push((v.stash.clone(), ENDOWMENT));
		}
	}
	let validator_count = validators.len() as u32;

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		babe: BabeConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					(
						v.stash.clone(),
						v.stash.clone(),
						SessionKeys { babe: v.babe.clone(), grandpa: v.grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		staking: StakingConfig {
			validator_count,
			minimum_validator_count: 1,
			invulnerables: validators.iter().map(|v| v.stash.clone()).collect::<Vec<_>>(),
			slash_reward_fraction: sp_runtime::Perbill::from_percent(10),
			stakers: validators
				.iter()
				.map(|v| {
					(v.stash.clone(), v.stash.clone(), VALIDATOR_BOND, StakerStatus::Validator)
				})
				.collect::<Vec<_>>(),
			min_nominator_bond: MIN_NOMINATOR_BOND,
			min_validator_bond: MIN_VALIDATOR_BOND,
		},
		sudo: SudoConfig { key: sudo },
		origins: OriginsConfig { timing },
		device_registry: DeviceRegistryConfig {
			parameters: Some(test_network_registry_parameters())
		},
		proof_of_coverage: ProofOfCoverageConfig {
			oracles: validators.iter().map(|v| v.oracle.clone()).collect::<Vec<_>>(),
			parameters: Some(test_network_poc_parameters()),
		},
	})
}

/// Proof-of-coverage rules of test networks: one-minute epochs of ten 6-second slots (one
/// block each), so a demo shows epochs turning, a quarter of devices challenged, and a
/// three-block witness grace.
pub fn test_network_poc_parameters() -> PocParameters<BlockNumber> {
	PocParameters {
		epoch_length: 10,
		slots_per_epoch: 10,
		heartbeat_grace: 5,
		// Beacons and witness reports of an epoch land in the next one's first 3 blocks
		// (the oracle queue and inclusion delay); its last 7 blocks take the reveals.
		witness_grace: 3,
		challenge_rate: sp_runtime::Perbill::from_percent(25),
		..crate::configs::ProofOfCoverageDefaults::get()
	}
}

/// Registry parameters of test networks: the real bond and fees, short periods so a demo or a
/// test sees a location change or an unbonding within minutes.
pub fn test_network_registry_parameters() -> RegistryParameters<Balance, BlockNumber> {
	RegistryParameters {
		location_update_interval: 10,
		unbonding_period: 20,
		..crate::configs::DeviceRegistryDefaults::get()
	}
}

/// The well-known dev accounts (Alice..Ferdie and their stashes), all endowed in test presets.
pub fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice validates alone.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![GenesisValidator::dev(
			Sr25519Keyring::AliceStash,
			Sr25519Keyring::Alice,
			Ed25519Keyring::Alice,
		)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		TrackTiming::Fast,
	)
}

/// Name of the throughput benchmark preset.
pub const BENCHMARK_PRESET: &str = "benchmark";

/// Proof-of-coverage rules of the throughput benchmark: 63 one-block slots per epoch (the most
/// an epoch has), heartbeats only (no device challenged), and room for one oracle to fill a
/// block with batches. A heartbeat may land up to 12 blocks (72 s) after its one-block slot:
/// at saturation the oracle's queue lags, most of all at an epoch's start, when every
/// device's first heartbeat also settles its rewards (on the default preset a slot lasts 100
/// blocks, so a heartbeat has the rest of its slot as well).
pub fn benchmark_poc_parameters() -> PocParameters<BlockNumber> {
	PocParameters {
		epoch_length: 63,
		slots_per_epoch: 63,
		heartbeat_grace: 12,
		witness_grace: 3,
		challenge_rate: sp_runtime::Perbill::zero(),
		uptime_needs_coverage: false,
		max_batches_per_block: 32,
		..crate::configs::ProofOfCoverageDefaults::get()
	}
}

/// `benchmark`: `development` with [`benchmark_poc_parameters`]; `depin-device bench-spec`
/// adds the load devices to its genesis.
pub fn benchmark_config_genesis() -> Value {
	let mut patch = development_config_genesis();
	patch["proofOfCoverage"]["parameters"] =
		serde_json::to_value(benchmark_poc_parameters()).expect("parameters serialise");
	patch
}

/// Name of the four-validator local preset.
pub const LOCAL_TESTNET_BFT_PRESET: &str = "local_testnet_bft";

/// The first `count` of Alice, Bob, Charlie and Dave as validators.
fn local_validators(count: usize) -> Vec<GenesisValidator> {
	[
		(Sr25519Keyring::AliceStash, Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::BobStash, Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::CharlieStash, Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::DaveStash, Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	]
	.into_iter()
	.take(count)
	.map(|(stash, babe, grandpa)| GenesisValidator::dev(stash, babe, grandpa))
	.collect()
}

/// `local_testnet`: Alice, Bob and Charlie validate; no sudo, real referendum periods.
pub fn local_config_genesis() -> Value {
	testnet_genesis(local_validators(3), dev_accounts(), None, TrackTiming::Production)
}

/// `local_testnet_bft`: Alice, Bob, Charlie and Dave validate; no sudo, real referendum
/// periods.
pub fn local_bft_config_genesis() -> Value {
	testnet_genesis(local_validators(4), dev_accounts(), None, TrackTiming::Production)
}

/// The JSON of a preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		LOCAL_TESTNET_BFT_PRESET => local_bft_config_genesis(),
		BENCHMARK_PRESET => benchmark_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// Names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_BFT_PRESET),
		PresetId::from(BENCHMARK_PRESET),
	]
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use sp_runtime::BuildStorage;

	/// Test externalities with the genesis state of `preset`.
	pub(crate) fn build(preset: &str) -> sp_io::TestExternalities {
		let json = get_preset(&PresetId::from(preset)).expect("preset exists");
		let patch: Value = serde_json::from_slice(&json).unwrap();
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
		json_merge(&mut config, patch);
		let config: RuntimeGenesisConfig = serde_json::from_value(config).unwrap();
		config.build_storage().expect("genesis builds").into()
	}

	fn json_merge(a: &mut Value, b: Value) {
		match (a, b) {
			(Value::Object(a), Value::Object(b)) => {
				for (k, v) in b {
					json_merge(a.entry(k).or_insert(Value::Null), v);
				}
			}
			(a, b) => *a = b,
		}
	}

	#[test]
	fn presets_are_listed_and_unknown_is_none() {
		assert_eq!(preset_names().len(), 4);
		assert!(get_preset(&PresetId::from("no-such-preset")).is_none());
	}

	#[test]
	fn development_has_one_validator_and_sudo_alice() {
		build(sp_genesis_builder::DEV_RUNTIME_PRESET).execute_with(|| {
			let validators = pallet_session::Validators::<crate::Runtime>::get();
			assert_eq!(validators, vec![Sr25519Keyring::AliceStash.to_account_id()]);
			assert_eq!(
				pallet_sudo::Key::<crate::Runtime>::get(),
				Some(Sr25519Keyring::Alice.to_account_id())
			);
			assert_eq!(pallet_staking::ValidatorCount::<crate::Runtime>::get(), 1);
			let alice_oracle: OracleId = Sr25519Keyring::Alice.public().into();
			assert!(pallet_proof_of_coverage::Oracles::<crate::Runtime>::contains_key(
				alice_oracle
			));
			assert_eq!(
				pallet_proof_of_coverage::Parameters::<crate::Runtime>::get().epoch_length,
				10
			);
			assert_eq!(
				crate::governance::origins::Timing::<crate::Runtime>::get(),
				TrackTiming::Fast
			);
			assert_eq!(
				pallet_balances::Pallet::<crate::Runtime>::free_balance(
					Sr25519Keyring::Alice.to_account_id()
				),
				ENDOWMENT
			);
		});
	}

	#[test]
	fn local_testnet_has_three_bonded_validators() {
		build(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
			let validators = pallet_session::Validators::<crate::Runtime>::get();
			assert_eq!(validators.len(), 3);
			for stash in
				[Sr25519Keyring::AliceStash, Sr25519Keyring::BobStash, Sr25519Keyring::CharlieStash]
			{
				let stash = stash.to_account_id();
				assert!(validators.contains(&stash));
				let ledger = pallet_staking::Ledger::<crate::Runtime>::get(&stash).unwrap();
				assert_eq!(ledger.active, VALIDATOR_BOND);
			}
			// Governance is the only way to change anything: no sudo key, real periods.
			assert_eq!(pallet_sudo::Key::<crate::Runtime>::get(), None);
			assert_eq!(
				crate::governance::origins::Timing::<crate::Runtime>::get(),
				TrackTiming::Production
			);
		});
	}

	#[test]
	fn local_testnet_bft_has_four_validators() {
		build(LOCAL_TESTNET_BFT_PRESET).execute_with(|| {
			assert_eq!(pallet_session::Validators::<crate::Runtime>::get().len(), 4);
			assert_eq!(pallet_staking::ValidatorCount::<crate::Runtime>::get(), 4);
			assert_eq!(pallet_sudo::Key::<crate::Runtime>::get(), None);
		});
	}
}
