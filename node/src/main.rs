//! depin-node: the DePIN appchain node.

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are large; their size is polkadot-sdk's choice and
// the node's functions return them as the sc-cli runner requires.
#![allow(clippy::result_large_err)]

mod attestations;
mod chain_spec;
mod cli;
mod command;
mod depin_rpc;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
