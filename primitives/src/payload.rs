//! Payloads that device and maker keys sign.
//!
//! The bytes signed are always `domain ‖ SCALE(payload)`: a fixed ASCII domain tag (no
//! length prefix) followed by the payload's SCALE encoding. Every payload starts with the
//! chain's genesis hash, so a signature made for one chain is worthless on another, and the
//! domain tag keeps a signature for one purpose from being replayed for another.
//!
//! Registration bytes for an account `owner` (32 bytes), an Ed25519 key `k` (32 bytes) and
//! the key's registration counter `n` (how many times this key has been registered on this
//! chain before: 0 for a new key):
//! ```text
//! b"depin/register/v2" ‖ genesis_hash (32) ‖ owner (32) ‖ 0x00 ‖ k (32) ‖ n (u32 LE, 4)
//!                                                                           = 118 bytes
//! ```
//! (`0x00` is the key's scheme index: 0 Ed25519, 1 Sr25519, 2 ECDSA secp256k1, 3 P-256.)
//! The counter is what keeps an old proof from replaying: the chain counts every
//! registration of a key and never forgets, so a proof made for registration `n` verifies
//! only while the count is `n`.

use crate::device::{DeviceKey, DeviceKind};
use alloc::vec::Vec;
use codec::Encode;

/// Domain tag of [`RegistrationPayload`].
pub const REGISTER_DOMAIN: &[u8] = b"depin/register/v2";
/// Domain tag of [`MakerCertificatePayload`].
pub const MAKER_CERTIFICATE_DOMAIN: &[u8] = b"depin/maker-cert/v1";

/// A payload with a domain tag: what is signed is `DOMAIN ‖ SCALE(self)`.
pub trait SignedPayload: Encode {
	/// The payload's domain tag.
	const DOMAIN: &'static [u8];

	/// The exact bytes a key signs.
	fn signing_bytes(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(Self::DOMAIN.len() + self.size_hint());
		out.extend_from_slice(Self::DOMAIN);
		self.encode_to(&mut out);
		out
	}
}

/// What a device key signs to let `owner` register it: proof that the registrant holds the
/// key, for this owner only, on this chain only, for this one registration only.
#[derive(Encode)]
pub struct RegistrationPayload<'a, Hash: Encode, AccountId: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The account that will own the device.
	pub owner: &'a AccountId,
	/// The device key being registered.
	pub key: &'a DeviceKey,
	/// How many times this key has been registered on this chain before (0 for a new key):
	/// the chain's per-key registration counter, which each registration increments, so a
	/// proof is good for one registration and never replays after the device is retired.
	pub registrations: u32,
}

impl<Hash: Encode, AccountId: Encode> SignedPayload for RegistrationPayload<'_, Hash, AccountId> {
	const DOMAIN: &'static [u8] = REGISTER_DOMAIN;
}

/// What a maker's key signs to certify that a device key is in hardware it built, of the
/// given kind. Not tied to an owner, so a certificate can be flashed at the factory.
#[derive(Encode)]
pub struct MakerCertificatePayload<'a, Hash: Encode> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a Hash,
	/// The maker's id in the registry.
	pub maker: u32,
	/// The certified device key.
	pub key: &'a DeviceKey,
	/// The kind of device the maker built.
	pub kind: DeviceKind,
}

impl<Hash: Encode> SignedPayload for MakerCertificatePayload<'_, Hash> {
	const DOMAIN: &'static [u8] = MAKER_CERTIFICATE_DOMAIN;
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn registration_bytes_are_domain_genesis_owner_key_counter() {
		let genesis = [1u8; 32];
		let owner = [2u8; 32];
		let key = DeviceKey::Ed25519([3u8; 32]);
		let bytes = RegistrationPayload {
			genesis_hash: &genesis,
			owner: &owner,
			key: &key,
			registrations: 0x0403_0201,
		}
		.signing_bytes();
		assert_eq!(bytes.len(), 17 + 32 + 32 + 1 + 32 + 4);
		assert_eq!(bytes.len(), 118);
		assert_eq!(&bytes[..17], b"depin/register/v2");
		assert_eq!(&bytes[17..49], &genesis);
		assert_eq!(&bytes[49..81], &owner);
		assert_eq!(bytes[81], 0);
		assert_eq!(&bytes[82..114], &[3u8; 32]);
		assert_eq!(&bytes[114..], &[1, 2, 3, 4]);
	}

	#[test]
	fn registration_bytes_differ_by_counter() {
		let genesis = [1u8; 32];
		let owner = [2u8; 32];
		let key = DeviceKey::Ed25519([3u8; 32]);
		let payload = |registrations| {
			RegistrationPayload { genesis_hash: &genesis, owner: &owner, key: &key, registrations }
				.signing_bytes()
		};
		let first = payload(0);
		let second = payload(1);
		assert_eq!(&first[114..], &[0, 0, 0, 0]);
		assert_eq!(&second[114..], &[1, 0, 0, 0]);
		assert_ne!(first, second);
	}

	#[test]
	fn maker_certificate_bytes() {
		let genesis = [1u8; 32];
		let key = DeviceKey::EcdsaP256([4u8; 33]);
		let bytes = MakerCertificatePayload {
			genesis_hash: &genesis,
			maker: 5,
			key: &key,
			kind: DeviceKind::Sensor,
		}
		.signing_bytes();
		assert_eq!(&bytes[..19], b"depin/maker-cert/v1");
		assert_eq!(&bytes[19..51], &genesis);
		assert_eq!(&bytes[51..55], &5u32.to_le_bytes());
		assert_eq!(bytes[55], 3);
		assert_eq!(&bytes[56..89], &[4u8; 33]);
		assert_eq!(bytes[89], 2);
		assert_eq!(bytes.len(), 90);
	}
}
