//! The node's JSON-RPC extensions, on top of the standard `system`, `state`, `author` and
//! `chain` methods that sc-service registers itself.

use std::sync::Arc;

use depin_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use sc_consensus_babe::BabeWorkerHandle;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus::SelectChain;
use sp_keystore::KeystorePtr;

/// What BABE's RPC needs.
pub struct BabeDeps {
	/// Handle to the BABE worker, which knows the epoch data.
	pub babe_worker_handle: BabeWorkerHandle<Block>,
	/// The node's keystore, to find which slots its keys can claim.
	pub keystore: KeystorePtr,
}

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P, SC, S> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
	/// The chain selection rule (longest chain).
	pub select_chain: SC,
	/// BABE specifics.
	pub babe: BabeDeps,
	/// The attestation queue in the node's off-chain storage (absent if the node has none).
	pub attestations: Option<Arc<crate::attestations::AttestationQueue<S>>>,
}

/// All RPC extensions of a full node: `system_accountNextIndex`, `system_dryRun`, the
/// `payment_*` fee queries, `babe_epochAuthorship` (unsafe: the slots this node's keys
/// can claim), `depin_submitAttestations` / `depin_queueStatus`, and the `depin_*` queries
/// of `docs/rpc.md`.
pub fn create_full<C, P, SC, S>(
	deps: FullDeps<C, P, SC, S>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: sp_consensus_babe::BabeApi<Block>,
	C::Api: BlockBuilder<Block>,
	C::Api: depin_primitives::api::ProofOfCoverageApi<Block, depin_runtime::BlockNumber>,
	C::Api: depin_primitives::api::DepinApi<Block, AccountId, Balance, depin_runtime::BlockNumber>,
	C: sc_client_api::BlockchainEvents<Block>,
	P: TransactionPool + 'static,
	SC: SelectChain<Block> + Clone + 'static,
	S: sp_core::offchain::OffchainStorage + 'static,
{
	use crate::{
		attestations::{AttestationApiServer, Attestations},
		depin_rpc::{DepinQueries, DepinQueryApiServer},
	};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use sc_consensus_babe_rpc::{Babe, BabeApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool, select_chain, babe, attestations } = deps;

	module.merge(DepinQueries::new(client.clone()).into_rpc())?;
	if let Some(queue) = attestations {
		module.merge(Attestations::new(client.clone(), queue).into_rpc())?;
	}
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(
		Babe::new(client, babe.babe_worker_handle, babe.keystore, select_chain).into_rpc(),
	)?;

	Ok(module)
}
