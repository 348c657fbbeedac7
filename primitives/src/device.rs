//! Device identities: keys in the schemes real hardware uses, their signatures, and the
//! [`DeviceId`] derived from a key.
//!
//! | scheme | public key | signature | what is signed |
//! |---|---|---|---|
//! | Ed25519 | 32 bytes | 64 bytes | the message bytes (RFC 8032) |
//! | Sr25519 | 32 bytes | 64 bytes | the message bytes, signing context `b"substrate"` |
//! | ECDSA secp256k1 | 33 bytes, compressed SEC1 | 65 bytes `r ‖ s ‖ v` (recoverable) | `blake2_256(message)` |
//! | ECDSA P-256 | 33 bytes, compressed SEC1 | 64 bytes `r ‖ s` (IEEE P1363) | `sha256(message)` (plain ECDSA-SHA256) |
//!
//! Ed25519, Sr25519 and secp256k1 follow Substrate's conventions, so `@polkadot/util-crypto`
//! and `subkey` sign them as they are. P-256 is standard ECDSA with SHA-256, what secure
//! elements (ATECC608, TPM 2.0, Android/iOS keystores) and `openssl`/WebCrypto produce.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The signature scheme of a device key.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum SignatureScheme {
	/// Ed25519 (RFC 8032).
	Ed25519,
	/// Schnorr over Ristretto25519 (Substrate's sr25519).
	Sr25519,
	/// ECDSA over secp256k1 with a blake2-256 message hash (Substrate's ecdsa).
	EcdsaSecp256k1,
	/// ECDSA over NIST P-256 (secp256r1) with a SHA-256 message hash.
	EcdsaP256,
}

impl SignatureScheme {
	/// Every scheme, in encoding order.
	pub const ALL: [SignatureScheme; 4] =
		[Self::Ed25519, Self::Sr25519, Self::EcdsaSecp256k1, Self::EcdsaP256];
}

/// A device's public key. Its SCALE encoding (one scheme byte, then the key bytes) is what
/// registration proofs sign and what [`DeviceId`] hashes.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum DeviceKey {
	/// An Ed25519 public key.
	Ed25519([u8; 32]),
	/// An sr25519 public key.
	Sr25519([u8; 32]),
	/// A compressed secp256k1 public key.
	EcdsaSecp256k1([u8; 33]),
	/// A compressed P-256 (secp256r1) public key.
	EcdsaP256([u8; 33]),
}

/// A signature by a device key. The variant must match the key's scheme.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum DeviceSignature {
	/// An Ed25519 signature.
	Ed25519([u8; 64]),
	/// An sr25519 signature (context `b"substrate"`).
	Sr25519([u8; 64]),
	/// A recoverable secp256k1 signature `r ‖ s ‖ v` over `blake2_256(message)`.
	EcdsaSecp256k1([u8; 65]),
	/// A P-256 signature `r ‖ s` over `sha256(message)`.
	EcdsaP256([u8; 64]),
}

impl DeviceSignature {
	/// The scheme that made this signature.
	pub fn scheme(&self) -> SignatureScheme {
		match self {
			Self::Ed25519(_) => SignatureScheme::Ed25519,
			Self::Sr25519(_) => SignatureScheme::Sr25519,
			Self::EcdsaSecp256k1(_) => SignatureScheme::EcdsaSecp256k1,
			Self::EcdsaP256(_) => SignatureScheme::EcdsaP256,
		}
	}
}

impl DeviceKey {
	/// The key's scheme.
	pub fn scheme(&self) -> SignatureScheme {
		match self {
			Self::Ed25519(_) => SignatureScheme::Ed25519,
			Self::Sr25519(_) => SignatureScheme::Sr25519,
			Self::EcdsaSecp256k1(_) => SignatureScheme::EcdsaSecp256k1,
			Self::EcdsaP256(_) => SignatureScheme::EcdsaP256,
		}
	}

	/// The device id of this key: `blake2_256(SCALE(key))`.
	pub fn device_id(&self) -> DeviceId {
		DeviceId(sp_io::hashing::blake2_256(&self.encode()))
	}

	/// Whether `signature` is this key's signature over `message`.
	///
	/// A signature of another scheme, a malformed key or a malformed signature is simply
	/// invalid. In the runtime the first three schemes use host functions; P-256 runs in
	/// wasm (see `docs/performance.md` for its cost).
	pub fn verify(&self, message: &[u8], signature: &DeviceSignature) -> bool {
		match (self, signature) {
			(Self::Ed25519(key), DeviceSignature::Ed25519(sig)) => sp_io::crypto::ed25519_verify(
				&sp_core::ed25519::Signature::from_raw(*sig),
				message,
				&sp_core::ed25519::Public::from_raw(*key),
			),
			(Self::Sr25519(key), DeviceSignature::Sr25519(sig)) => sp_io::crypto::sr25519_verify(
				&sp_core::sr25519::Signature::from_raw(*sig),
				message,
				&sp_core::sr25519::Public::from_raw(*key),
			),
			(Self::EcdsaSecp256k1(key), DeviceSignature::EcdsaSecp256k1(sig)) => {
				sp_io::crypto::ecdsa_verify(
					&sp_core::ecdsa::Signature::from_raw(*sig),
					message,
					&sp_core::ecdsa::Public::from_raw(*key),
				)
			}
			(Self::EcdsaP256(key), DeviceSignature::EcdsaP256(sig)) => {
				p256_verify(key, message, sig)
			}
			_ => false,
		}
	}
}

/// Plain ECDSA-SHA256 verification over P-256 in pure Rust (no host function exists upstream).
fn p256_verify(key: &[u8; 33], message: &[u8], signature: &[u8; 64]) -> bool {
	use p256::ecdsa::{signature::Verifier, Signature, VerifyingKey};
	let Ok(key) = VerifyingKey::from_sec1_bytes(key) else { return false };
	let Ok(signature) = Signature::from_slice(signature) else { return false };
	key.verify(message, &signature).is_ok()
}

/// Signs `message` with the P-256 secret scalar `secret` (deterministic, RFC 6979) and
/// returns the compressed public key and the signature; `None` if `secret` is not a valid
/// scalar. `no_std`: runtime benchmarks use it to make P-256 proofs inside wasm.
pub fn p256_sign(secret: &[u8; 32], message: &[u8]) -> Option<(DeviceKey, DeviceSignature)> {
	use p256::ecdsa::{signature::Signer, Signature, SigningKey};
	let key = SigningKey::from_slice(secret).ok()?;
	let signature: Signature = key.sign(message);
	let mut public = [0u8; 33];
	public.copy_from_slice(key.verifying_key().to_encoded_point(true).as_bytes());
	let mut raw = [0u8; 64];
	raw.copy_from_slice(&signature.to_bytes());
	Some((DeviceKey::EcdsaP256(public), DeviceSignature::EcdsaP256(raw)))
}

/// A device's position in registration order (0 for the first device ever registered),
/// fixed for its life and never reused. It packs per-device bits densely: proof of coverage
/// keeps heartbeats in bitmap pages of [`crate::attestation::DEVICES_PER_PAGE`] devices, so
/// a batch writes one page for many devices instead of one record per device.
pub type DeviceIndex = u32;

/// A device's identity on chain: `blake2_256` of its [`DeviceKey`]'s SCALE encoding, so the
/// same key always names the same device and a key can be registered only once.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct DeviceId(pub [u8; 32]);

impl core::fmt::Debug for DeviceId {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "0x")?;
		for byte in &self.0 {
			write!(f, "{byte:02x}")?;
		}
		Ok(())
	}
}

impl From<[u8; 32]> for DeviceId {
	fn from(bytes: [u8; 32]) -> Self {
		Self(bytes)
	}
}

impl AsRef<[u8]> for DeviceId {
	fn as_ref(&self) -> &[u8] {
		&self.0
	}
}

/// What a device does in the network. Governance may require a maker certificate per kind.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum DeviceKind {
	/// A radio hotspot providing wireless coverage (LoRaWAN, 5G, Wi-Fi).
	Hotspot,
	/// A storage box serving data.
	Storage,
	/// An environmental or other sensor.
	Sensor,
	/// A compute node.
	Compute,
	/// An EV charger.
	Charger,
	/// Anything else.
	Other,
}

impl DeviceKind {
	/// Every kind, in encoding order.
	pub const ALL: [DeviceKind; 6] =
		[Self::Hotspot, Self::Storage, Self::Sensor, Self::Compute, Self::Charger, Self::Other];
}

/// A device's standing, as other pallets see it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum DeviceStatus {
	/// Registered and earning.
	Active,
	/// Stopped by governance; earns nothing until resumed.
	Suspended,
	/// Retired by its owner; earns nothing, its bond unbonds.
	Retired,
}

/// Key pairs for device schemes, for tests, benchmarks and the device tool.
#[cfg(feature = "std")]
pub mod pair {
	use super::*;
	use sp_core::Pair as _;

	/// A device key pair in any of the four schemes.
	// Short-lived and never stored in bulk: boxing the larger pairs would buy nothing.
	#[allow(clippy::large_enum_variant)]
	pub enum DevicePair {
		/// Ed25519.
		Ed25519(sp_core::ed25519::Pair),
		/// Sr25519.
		Sr25519(sp_core::sr25519::Pair),
		/// ECDSA secp256k1.
		EcdsaSecp256k1(sp_core::ecdsa::Pair),
		/// ECDSA P-256.
		EcdsaP256(p256::ecdsa::SigningKey),
	}

	impl DevicePair {
		/// A pair of `scheme` derived from a 32-byte seed (deterministic).
		pub fn from_seed(scheme: SignatureScheme, seed: [u8; 32]) -> Self {
			match scheme {
				SignatureScheme::Ed25519 => Self::Ed25519(sp_core::ed25519::Pair::from_seed(&seed)),
				SignatureScheme::Sr25519 => Self::Sr25519(sp_core::sr25519::Pair::from_seed(&seed)),
				SignatureScheme::EcdsaSecp256k1 => {
					Self::EcdsaSecp256k1(sp_core::ecdsa::Pair::from_seed(&seed))
				}
				SignatureScheme::EcdsaP256 => {
					// A seed that is not a valid scalar (probability ~2^-128) is re-hashed.
					let mut bytes = seed;
					loop {
						if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
							return Self::EcdsaP256(key);
						}
						bytes = sp_io::hashing::blake2_256(&bytes);
					}
				}
			}
		}

		/// The public key.
		pub fn public(&self) -> DeviceKey {
			match self {
				Self::Ed25519(p) => DeviceKey::Ed25519(p.public().0),
				Self::Sr25519(p) => DeviceKey::Sr25519(p.public().0),
				Self::EcdsaSecp256k1(p) => DeviceKey::EcdsaSecp256k1(p.public().0),
				Self::EcdsaP256(k) => {
					let point = k.verifying_key().to_encoded_point(true);
					let mut out = [0u8; 33];
					out.copy_from_slice(point.as_bytes());
					DeviceKey::EcdsaP256(out)
				}
			}
		}

		/// Signs `message` the way the chain verifies it for this scheme.
		pub fn sign(&self, message: &[u8]) -> DeviceSignature {
			match self {
				Self::Ed25519(p) => DeviceSignature::Ed25519(p.sign(message).0),
				Self::Sr25519(p) => DeviceSignature::Sr25519(p.sign(message).0),
				Self::EcdsaSecp256k1(p) => DeviceSignature::EcdsaSecp256k1(p.sign(message).0),
				Self::EcdsaP256(k) => {
					use p256::ecdsa::signature::Signer;
					let signature: p256::ecdsa::Signature = k.sign(message);
					let mut out = [0u8; 64];
					out.copy_from_slice(&signature.to_bytes());
					DeviceSignature::EcdsaP256(out)
				}
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{pair::DevicePair, *};

	#[test]
	fn every_scheme_verifies_its_own_signature_and_rejects_others() {
		let message = b"depin test message";
		for scheme in SignatureScheme::ALL {
			let pair = DevicePair::from_seed(scheme, [7u8; 32]);
			let key = pair.public();
			assert_eq!(key.scheme(), scheme);
			let signature = pair.sign(message);
			assert_eq!(signature.scheme(), scheme);
			assert!(key.verify(message, &signature), "{scheme:?} must verify");
			assert!(!key.verify(b"another message", &signature), "{scheme:?} wrong message");
			let other = DevicePair::from_seed(scheme, [8u8; 32]);
			assert!(!other.public().verify(message, &signature), "{scheme:?} wrong key");
		}
	}

	#[test]
	fn mismatched_schemes_and_malformed_bytes_are_invalid() {
		let ed = DevicePair::from_seed(SignatureScheme::Ed25519, [1u8; 32]);
		let sig = ed.sign(b"m");
		let DeviceSignature::Ed25519(raw) = sig else { unreachable!() };
		// Same 64 bytes presented as sr25519 or P-256: invalid.
		assert!(!DeviceKey::Sr25519([0u8; 32]).verify(b"m", &DeviceSignature::Sr25519(raw)));
		assert!(!ed.public().verify(b"m", &DeviceSignature::EcdsaP256(raw)));
		// A P-256 key that is not a curve point.
		let p = DevicePair::from_seed(SignatureScheme::EcdsaP256, [2u8; 32]);
		let psig = p.sign(b"m");
		assert!(!DeviceKey::EcdsaP256([0xffu8; 33]).verify(b"m", &psig));
		// A P-256 signature with r = s = 0.
		assert!(!p.public().verify(b"m", &DeviceSignature::EcdsaP256([0u8; 64])));
	}

	#[test]
	fn device_id_is_the_hash_of_the_encoded_key() {
		let key = DeviceKey::Ed25519([3u8; 32]);
		let mut encoded = vec![0u8];
		encoded.extend_from_slice(&[3u8; 32]);
		assert_eq!(key.encode(), encoded);
		assert_eq!(key.device_id().0, sp_io::hashing::blake2_256(&encoded));
		// Same bytes, other scheme: another device.
		assert_ne!(key.device_id(), DeviceKey::Sr25519([3u8; 32]).device_id());
	}

	#[test]
	fn p256_signature_from_the_standard_library_shape_verifies() {
		// The P-256 path must accept what any ECDSA-SHA256 implementation produces:
		// check against p256's own prehash API (sha256 computed separately).
		use p256::ecdsa::{signature::hazmat::PrehashSigner, Signature, SigningKey};
		let sk = SigningKey::from_slice(&[9u8; 32]).unwrap();
		let message = b"secure element payload";
		let digest = sp_io::hashing::sha2_256(message);
		let sig: Signature = sk.sign_prehash(&digest).unwrap();
		let mut raw = [0u8; 64];
		raw.copy_from_slice(&sig.to_bytes());
		let mut key = [0u8; 33];
		key.copy_from_slice(sk.verifying_key().to_encoded_point(true).as_bytes());
		assert!(DeviceKey::EcdsaP256(key).verify(message, &DeviceSignature::EcdsaP256(raw)));
	}
}
