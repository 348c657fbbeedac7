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

/// `--dev`: one validator (Alice), sudo Alice.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("DePIN Development")
		.with_id("depin_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(chain_properties())
		.build())
}

/// `--chain local`: three validators (Alice, Bob, Charlie) on one machine.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("DePIN Local Testnet")
		.with_id("depin_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(chain_properties())
		.build())
}

/// `--chain local-bft`: four validators (plus Dave), so finality survives one being down.
pub fn local_bft_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("DePIN Local Testnet (4 validators)")
		.with_id("depin_local_testnet_bft")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(
			depin_runtime::genesis_config_presets::LOCAL_TESTNET_BFT_PRESET,
		)
		.with_properties(chain_properties())
		.build())
}
