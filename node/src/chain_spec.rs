//! Chain specifications: `dev` and `local` come from the runtime's genesis presets;
//! anything else is read from a JSON file (see docs/chain-spec.md for a real network).

use depin_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use sc_service::ChainType;

/// The chain specification of this node: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm_binary() -> Result<&'static [u8], String> {
	depin_runtime::WASM_BINARY.ok_or_else(|| {
		"The runtime wasm was not built (was SKIP_WASM_BUILD set?); rebuild without it".into()
	})
}

/// Token symbol, decimals and address format that wallets (polkadot.js) display.
pub fn chain_properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

/// A chain spec whose genesis is one of the runtime's presets.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(chain_properties())
		.build())
}

/// `--dev`: one validator (Alice), sudo Alice.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"DePIN Development",
		"depin_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: three validators (Alice, Bob, Charlie) on one machine; no sudo.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"DePIN Local Testnet",
		"depin_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// `--chain benchmark`: `--dev`'s validator and accounts with the throughput benchmark's
/// proof-of-coverage rules (`scripts/bench.sh` adds the load devices with
/// `depin-device bench-spec`).
pub fn benchmark_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"DePIN Benchmark",
		"depin_benchmark",
		ChainType::Development,
		depin_runtime::genesis_config_presets::BENCHMARK_PRESET,
	)
}

/// `--chain local-bft`: four validators (plus Dave), so finality survives one being down.
pub fn local_bft_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"DePIN Local Testnet (4 validators)",
		"depin_local_testnet_bft",
		ChainType::Local,
		depin_runtime::genesis_config_presets::LOCAL_TESTNET_BFT_PRESET,
	)
}
