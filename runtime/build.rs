fn main() {
	// The metadata-hash feature embeds the metadata hash so `CheckMetadataHash` can be
	// verified by hardware wallets; it builds the wasm twice, so it is opt-in.
	// Symbol and decimals must match `depin_primitives::{TOKEN_SYMBOL, TOKEN_DECIMALS}`.
	#[cfg(all(feature = "std", feature = "metadata-hash"))]
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("DPIN", 12)
		.build();

	#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
