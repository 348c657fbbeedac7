//! Signed transactions built with the runtime's own types, the way a wallet builds them:
//! the call, the transaction extensions in the runtime's order, and an Sr25519 signature
//! over the signed payload.

use crate::rpc::ChainInfo;
use codec::Encode;
use depin_primitives::{
	device::pair::DevicePair, DeviceKind, H3Cell, RegistrationPayload, SignedPayload as _,
};
use depin_runtime::{Runtime, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic};
use sp_core::crypto::AccountId32;
use sp_core::{sr25519, Pair};
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};

/// An immortal transaction from `signer` with `nonce`, encoded for `author_submitExtrinsic`.
pub fn signed_extrinsic(
	call: RuntimeCall,
	signer: &sr25519::Pair,
	nonce: u32,
	chain: &ChainInfo,
) -> Vec<u8> {
	let extensions: TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	// What the extensions add to the signed payload without sending it: versions, genesis
	// (twice: the era of an immortal transaction is checked against block 0), no metadata hash.
	let implicit = (
		(),
		(),
		chain.spec_version,
		chain.tx_version,
		chain.genesis,
		chain.genesis,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), extensions.clone(), implicit);
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(signer.public().into()),
		MultiSignature::Sr25519(signature),
		extensions,
	)
	.encode()
}

/// `deviceRegistry.registerDevice` for `device` at `cell` under `owner`, with the proof the
/// device key signs for that owner on this chain and the key's registration counter
/// `registrations` (`deviceRegistry.keyRegistrations` of the device id: 0 for a key never
/// registered), and `model` as the metadata's model.
pub fn register_call(
	device: &DevicePair,
	cell: H3Cell,
	owner: &AccountId32,
	chain: &ChainInfo,
	registrations: u32,
	model: &str,
) -> RuntimeCall {
	let key = device.public();
	let payload =
		RegistrationPayload { genesis_hash: &chain.genesis, owner, key: &key, registrations };
	let proof = device.sign(&payload.signing_bytes());
	let text = |s: &str| s.as_bytes().to_vec().try_into().unwrap_or_default();
	RuntimeCall::DeviceRegistry(pallet_device_registry::Call::register_device {
		key,
		kind: DeviceKind::Hotspot,
		location: cell,
		metadata: pallet_device_registry::DeviceMetadata {
			model: text(model),
			firmware: text(env!("CARGO_PKG_VERSION")),
			uri: text(""),
		},
		proof,
		certificate: None,
	})
}

/// Registers `device` at `cell` for the owner `owner` (a signed transaction) and waits until
/// the registry holds it; returns the block it was seen in.
pub fn register_and_wait(
	client: &crate::rpc::NodeClient,
	device: &DevicePair,
	cell: H3Cell,
	owner: &sr25519::Pair,
) -> Result<depin_runtime::BlockNumber, String> {
	let chain = client.chain_info()?;
	let account: AccountId32 = owner.public().into();
	let id = device.public().device_id();
	let key = pallet_device_registry::Devices::<Runtime>::hashed_key_for(id);
	if client.storage(&key, None)?.is_some() {
		return Err(format!("device {id:?} is already registered (DeviceAlreadyRegistered)"));
	}
	// A key registered before (then retired and withdrawn) needs a proof for its next count.
	let registrations = client.key_registrations(&id)?;
	let nonce = client.next_nonce(&account)?;
	let call = register_call(device, cell, &account, &chain, registrations, "depin-device");
	let from = client.best_number()?;
	client.submit_extrinsic(&signed_extrinsic(call, owner, nonce, &chain))?;
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
	let mut next = from + 1;
	while std::time::Instant::now() < deadline {
		let best = client.best_number()?;
		while next <= best {
			let hash = client.block_hash(next)?.ok_or("block vanished")?;
			for record in client.events(hash)? {
				if let depin_runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
					dispatch_error,
					..
				}) = record.event
				{
					if client.storage(&key, Some(hash))?.is_none() {
						return Err(format!(
							"a transaction failed in block #{next}: {dispatch_error:?}"
						));
					}
				}
			}
			if client.storage(&key, Some(hash))?.is_some() {
				return Ok(next);
			}
			next += 1;
		}
		std::thread::sleep(std::time::Duration::from_millis(500));
	}
	Err("not registered after 90 s: is the owner funded (bond plus fees)?".into())
}
