//! The physical limit of proof verification: how many attestation signatures one core of
//! this machine verifies per second, per scheme, with the same verification code the node
//! runs natively (`DeviceKey::verify`, the host functions behind the runtime's checks).

use depin_primitives::{
	attestation::HeartbeatPayload, device::pair::DevicePair, DeviceSignature, Heartbeat,
	SignatureScheme, SignedPayload,
};
use serde::Serialize;
use std::time::{Duration, Instant};

/// One scheme's rate.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyRate {
	/// The scheme.
	pub scheme: String,
	/// Verifications done.
	pub verifications: u64,
	/// Per second, one thread.
	pub per_second: f64,
	/// Microseconds per verification.
	pub micros_each: f64,
}

/// Verifies distinct heartbeats of `scheme` for about `time`; panics if one fails (they
/// are all valid, so a failure is a bug).
pub fn measure(scheme: SignatureScheme, time: Duration) -> VerifyRate {
	// 256 distinct signed heartbeats, so nothing is cached between verifications.
	let genesis = [7u8; 32];
	let pair = DevicePair::from_seed(scheme, [9u8; 32]);
	let key = pair.public();
	let signed: Vec<(Vec<u8>, DeviceSignature)> = (0..256u16)
		.map(|slot| {
			let heartbeat =
				Heartbeat { device: key.device_id(), epoch: 1, slot, anchor: [3u8; 32] };
			let bytes =
				HeartbeatPayload { genesis_hash: &genesis, heartbeat: &heartbeat }.signing_bytes();
			let signature = pair.sign(&bytes);
			(bytes, signature)
		})
		.collect();
	let started = Instant::now();
	let mut done = 0u64;
	while started.elapsed() < time {
		for (bytes, signature) in &signed {
			assert!(key.verify(bytes, signature), "a valid signature must verify");
		}
		done += signed.len() as u64;
	}
	let seconds = started.elapsed().as_secs_f64();
	VerifyRate {
		scheme: crate::keys::scheme_name(scheme).into(),
		verifications: done,
		per_second: done as f64 / seconds,
		micros_each: seconds * 1e6 / done as f64,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_scheme_is_measured() {
		for scheme in SignatureScheme::ALL {
			let rate = measure(scheme, Duration::from_millis(1));
			assert!(rate.verifications >= 256);
			assert!(rate.per_second > 0.0);
		}
	}
}
