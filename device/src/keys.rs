//! Device keys: generated from the OS's randomness, kept as a scheme and a 32-byte seed (the
//! way `subkey` keeps a secret seed), and turned into the pair that signs attestations.

use depin_primitives::{
	device::pair::DevicePair, DeviceKey, RegistrationPayload, SignatureScheme, SignedPayload,
};
use serde::{Deserialize, Serialize};
use sp_core::{bytes, crypto::AccountId32, H256};
use std::{io::Read, path::Path};

/// A device's secret: its scheme and seed. Every scheme derives its key from the seed
/// (Ed25519 and Sr25519 as mini secrets, secp256k1 and P-256 as the scalar).
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceSecret {
	/// The signature scheme.
	pub scheme: SignatureScheme,
	/// The 32-byte seed.
	pub seed: [u8; 32],
}

impl core::fmt::Debug for DeviceSecret {
	// Never prints the seed.
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "DeviceSecret({}, <secret>)", scheme_name(self.scheme))
	}
}

/// The key file `key generate --file` writes and `run` reads (JSON, mode 0600).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
	scheme: String,
	secret_seed: String,
}

impl DeviceSecret {
	/// A fresh secret from `/dev/urandom`.
	pub fn generate(scheme: SignatureScheme) -> std::io::Result<Self> {
		let mut seed = [0u8; 32];
		std::fs::File::open("/dev/urandom")?.read_exact(&mut seed)?;
		Ok(Self { scheme, seed })
	}

	/// From a scheme name and a `0x`-hex seed.
	pub fn from_parts(scheme: &str, seed_hex: &str) -> Result<Self, String> {
		let scheme = parse_scheme(scheme)?;
		let bytes = bytes::from_hex(seed_hex).map_err(|e| format!("secret seed: {e}"))?;
		let seed: [u8; 32] =
			bytes.try_into().map_err(|_| "secret seed: expected 32 bytes".to_string())?;
		Ok(Self { scheme, seed })
	}

	/// Reads a key file.
	pub fn load(path: &Path) -> Result<Self, String> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
		let file: KeyFile =
			serde_json::from_str(&text).map_err(|e| format!("key file {}: {e}", path.display()))?;
		Self::from_parts(&file.scheme, &file.secret_seed)
	}

	/// Writes a key file readable by its owner only; refuses to overwrite one.
	pub fn save(&self, path: &Path) -> Result<(), String> {
		use std::{fs::OpenOptions, io::Write, os::unix::fs::OpenOptionsExt};
		let file = KeyFile {
			scheme: scheme_name(self.scheme).into(),
			secret_seed: bytes::to_hex(&self.seed, false),
		};
		let mut out = OpenOptions::new()
			.write(true)
			.create_new(true)
			.mode(0o600)
			.open(path)
			.map_err(|e| format!("cannot create key file {}: {e}", path.display()))?;
		let text = serde_json::to_string_pretty(&file).expect("a key file serialises");
		out.write_all(text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
	}

	/// The signing pair.
	pub fn pair(&self) -> DevicePair {
		DevicePair::from_seed(self.scheme, self.seed)
	}
}

/// The public facts of a key, as `key generate` and `key inspect` print them.
#[derive(Serialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyReport {
	/// Scheme name.
	pub scheme: String,
	/// The raw public key, hex.
	pub public_key: String,
	/// `SCALE(DeviceKey)`: scheme index then the public key, what `registerDevice` takes.
	pub device_key: String,
	/// `blake2_256(SCALE(DeviceKey))`: the id the chain knows the device by.
	pub device_id: String,
	/// The secret seed, hex, unless it went to a file.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub secret_seed: Option<String>,
}

impl KeyReport {
	/// The report of `secret`'s key, with the secret when `show_secret`.
	pub fn of(secret: &DeviceSecret, show_secret: bool) -> Self {
		let key = secret.pair().public();
		Self {
			scheme: scheme_name(secret.scheme).into(),
			public_key: bytes::to_hex(raw_public(&key), false),
			device_key: bytes::to_hex(&codec::Encode::encode(&key), false),
			device_id: bytes::to_hex(&key.device_id().0, false),
			secret_seed: show_secret.then(|| bytes::to_hex(&secret.seed, false)),
		}
	}

	/// The human-readable form (like `subkey inspect`).
	pub fn text(&self) -> String {
		let mut out = format!(
			"Scheme:             {}\nPublic key (hex):   {}\nDevice key (SCALE): {}\nDevice id:          {}\n",
			self.scheme, self.public_key, self.device_key, self.device_id
		);
		if let Some(seed) = &self.secret_seed {
			out.push_str(&format!("Secret seed:        {seed}\n"));
		}
		out
	}
}

fn raw_public(key: &DeviceKey) -> &[u8] {
	match key {
		DeviceKey::Ed25519(k) | DeviceKey::Sr25519(k) => &k[..],
		DeviceKey::EcdsaSecp256k1(k) | DeviceKey::EcdsaP256(k) => &k[..],
	}
}

/// The registration proof: the device key's signature over
/// `b"depin/register/v2" ‖ genesis ‖ owner ‖ SCALE(key) ‖ registrations (u32 LE)`,
/// SCALE-encoded as the `DeviceSignature` `registerDevice` takes. `registrations` is the
/// key's registration counter on that chain (`deviceRegistry.keyRegistrations` of the
/// device id, 0 for a key never registered): the proof is good for that one registration.
pub fn registration_proof(
	secret: &DeviceSecret,
	genesis: &H256,
	owner: &AccountId32,
	registrations: u32,
) -> Vec<u8> {
	let pair = secret.pair();
	let key = pair.public();
	let payload = RegistrationPayload { genesis_hash: genesis, owner, key: &key, registrations };
	codec::Encode::encode(&pair.sign(&payload.signing_bytes()))
}

/// `ed25519`, `sr25519`, `ecdsa` (secp256k1) or `p256`, as the chain's enum.
pub fn parse_scheme(name: &str) -> Result<SignatureScheme, String> {
	match name.to_ascii_lowercase().as_str() {
		"ed25519" => Ok(SignatureScheme::Ed25519),
		"sr25519" => Ok(SignatureScheme::Sr25519),
		"ecdsa" | "secp256k1" | "ecdsa-secp256k1" => Ok(SignatureScheme::EcdsaSecp256k1),
		"p256" | "p-256" | "ecdsa-p256" | "secp256r1" => Ok(SignatureScheme::EcdsaP256),
		other => Err(format!("unknown scheme `{other}`: ed25519, sr25519, ecdsa or p256")),
	}
}

/// The scheme's command-line name.
pub fn scheme_name(scheme: SignatureScheme) -> &'static str {
	match scheme {
		SignatureScheme::Ed25519 => "ed25519",
		SignatureScheme::Sr25519 => "sr25519",
		SignatureScheme::EcdsaSecp256k1 => "ecdsa",
		SignatureScheme::EcdsaP256 => "p256",
	}
}

/// An account from SS58 text or `0x` + 32 bytes hex.
pub fn parse_account(text: &str) -> Result<AccountId32, String> {
	use sp_core::crypto::Ss58Codec;
	if text.starts_with("0x") {
		let raw = bytes::from_hex(text).map_err(|e| format!("account: {e}"))?;
		let raw: [u8; 32] = raw.try_into().map_err(|_| "account: expected 32 bytes".to_string())?;
		return Ok(AccountId32::new(raw));
	}
	AccountId32::from_ss58check(text).map_err(|e| format!("account `{text}`: {e:?}"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use depin_primitives::DeviceSignature;

	#[test]
	fn every_scheme_generates_and_reloads_the_same_key() {
		let dir = std::env::temp_dir().join(format!("depin-keys-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		for scheme in SignatureScheme::ALL {
			let secret = DeviceSecret::generate(scheme).unwrap();
			let path = dir.join(scheme_name(scheme));
			secret.save(&path).unwrap();
			use std::os::unix::fs::PermissionsExt;
			assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
			let loaded = DeviceSecret::load(&path).unwrap();
			assert!(loaded == secret);
			assert_eq!(KeyReport::of(&loaded, false), KeyReport::of(&secret, false));
			// A second save does not overwrite the key.
			assert!(secret.save(&path).unwrap_err().contains("cannot create"));
		}
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn the_report_shows_the_scale_key_and_its_hash() {
		let secret = DeviceSecret { scheme: SignatureScheme::Ed25519, seed: [1u8; 32] };
		let report = KeyReport::of(&secret, true);
		assert!(report.device_key.starts_with("0x00"));
		assert_eq!(report.device_key.len(), 2 + 2 * 33);
		let key = secret.pair().public();
		assert_eq!(report.device_id, bytes::to_hex(&key.device_id().0, false));
		assert!(report.text().contains("Secret seed"));
		assert!(!KeyReport::of(&secret, false).text().contains("Secret seed"));
	}

	#[test]
	fn the_registration_proof_verifies_for_that_owner_chain_and_counter_only() {
		let owner = AccountId32::new([5u8; 32]);
		let genesis = H256::repeat_byte(9);
		for scheme in SignatureScheme::ALL {
			let secret = DeviceSecret { scheme, seed: [3u8; 32] };
			let proof: DeviceSignature =
				codec::Decode::decode(&mut &registration_proof(&secret, &genesis, &owner, 1)[..])
					.unwrap();
			let key = secret.pair().public();
			let bytes = |genesis: &H256, owner: &AccountId32, registrations: u32| {
				RegistrationPayload { genesis_hash: genesis, owner, key: &key, registrations }
					.signing_bytes()
			};
			assert!(key.verify(&bytes(&genesis, &owner, 1), &proof));
			assert!(!key.verify(&bytes(&H256::repeat_byte(8), &owner, 1), &proof));
			assert!(!key.verify(&bytes(&genesis, &AccountId32::new([6u8; 32]), 1), &proof));
			assert!(!key.verify(&bytes(&genesis, &owner, 0), &proof));
			assert!(!key.verify(&bytes(&genesis, &owner, 2), &proof));
		}
	}

	#[test]
	fn bad_inputs_are_named() {
		assert!(parse_scheme("rsa").unwrap_err().contains("unknown scheme"));
		assert!(DeviceSecret::from_parts("ed25519", "0x1234").unwrap_err().contains("32 bytes"));
		assert!(parse_account("0x12").unwrap_err().contains("32 bytes"));
		assert!(parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").is_ok());
		assert!(parse_account("not-an-address").is_err());
	}
}
