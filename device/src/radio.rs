//! The simulated air: log-distance path loss with log-normal shadowing, the model radio
//! planners use for sub-GHz links in cities (`PL(d) = FSPL(1 m) + 10·n·log10(d) + X_σ`).
//!
//! The chain only checks that a reported signal is not *stronger* than free space allows
//! (`n = 2`, no obstacles); real links lose more (`n` of 2.7 to 3.5 in towns; 3.2 here, a LoRa range of about 5 km), so honest
//! reports stay below the chain's bound, while a made-up strong signal at a long claimed
//! distance does not.

use crate::rng::SimRng;

/// A radio link budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RadioModel {
	/// Carrier frequency, kHz (EU868's first channel by default).
	pub frequency_khz: u32,
	/// Transmit power with antenna gain, dBm.
	pub eirp_dbm: f64,
	/// Path-loss exponent (2 = free space; ~3.2 in a built-up town).
	pub exponent: f64,
	/// Standard deviation of shadowing (walls, terrain), dB.
	pub shadowing_db: f64,
	/// Weakest signal a receiver decodes, dBm (LoRa SF12 at 125 kHz: about -137).
	pub sensitivity_dbm: f64,
	/// Noise floor at the receiver, dBm (for the reported SNR).
	pub noise_floor_dbm: f64,
}

impl Default for RadioModel {
	fn default() -> Self {
		Self {
			frequency_khz: 868_100,
			eirp_dbm: 16.0,
			exponent: 3.2,
			shadowing_db: 4.0,
			sensitivity_dbm: -134.0,
			noise_floor_dbm: -117.0,
		}
	}
}

impl RadioModel {
	/// Free-space loss over the first metre at the carrier, dB
	/// (`20·log10(f / Hz) − 147.55`).
	pub fn reference_loss_db(&self) -> f64 {
		20.0 * (f64::from(self.frequency_khz) * 1_000.0).log10() - 147.55
	}

	/// Median path loss over `distance_m` (at least 1 m), dB.
	pub fn path_loss_db(&self, distance_m: f64) -> f64 {
		self.reference_loss_db() + 10.0 * self.exponent * distance_m.max(1.0).log10()
	}

	/// The free-space loss (exponent 2), dB: the least any real link loses.
	pub fn free_space_loss_db(&self, distance_m: f64) -> f64 {
		self.reference_loss_db() + 20.0 * distance_m.max(1.0).log10()
	}

	/// The median received strength at `distance_m`, dBm.
	pub fn median_rssi_dbm(&self, distance_m: f64) -> f64 {
		self.eirp_dbm - self.path_loss_db(distance_m)
	}

	/// One reception at `distance_m`: the strength with shadowing, or `None` if too weak to
	/// decode.
	pub fn receive(&self, distance_m: f64, rng: &mut SimRng) -> Option<Reception> {
		let rssi = self.median_rssi_dbm(distance_m) + self.shadowing_db * rng.gaussian();
		(rssi >= self.sensitivity_dbm).then(|| self.reception(rssi))
	}

	/// What a receiver reports for a signal of `rssi_dbm`.
	pub fn reception(&self, rssi_dbm: f64) -> Reception {
		Reception {
			rssi_dbm: rssi_dbm.round().clamp(f64::from(i16::MIN), 0.0) as i16,
			// LoRa decodes below the noise floor: SNR is negative for weak links.
			snr_decibels_x10: ((rssi_dbm - self.noise_floor_dbm) * 10.0)
				.round()
				.clamp(-300.0, 300.0) as i16,
			frequency_khz: self.frequency_khz,
		}
	}

	/// Distance at which the median signal falls to the sensitivity: the typical range.
	pub fn median_range_m(&self) -> f64 {
		let budget = self.eirp_dbm - self.sensitivity_dbm - self.reference_loss_db();
		10f64.powf(budget / (10.0 * self.exponent))
	}
}

/// A received beacon as a witness reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reception {
	/// Strength, dBm.
	pub rssi_dbm: i16,
	/// Signal-to-noise ratio, tenths of a dB.
	pub snr_decibels_x10: i16,
	/// Carrier, kHz.
	pub frequency_khz: u32,
}

#[cfg(test)]
mod tests {
	use super::*;
	use depin_primitives::radio::max_plausible_rssi_centi_dbm;

	#[test]
	fn free_space_loss_matches_the_textbook_and_the_chain() {
		let radio = RadioModel::default();
		// 1 km at 868.1 MHz: 91.2 dB.
		let fspl = radio.free_space_loss_db(1_000.0);
		assert!((fspl - 91.22).abs() < 0.05, "{fspl}");
		// The chain's integer formula agrees within a few hundredths of a dB.
		let chain = depin_primitives::radio::free_space_path_loss_centi_db(1_000, 868_100);
		assert!((fspl * 100.0 - chain as f64).abs() < 5.0, "{chain}");
	}

	#[test]
	fn loss_grows_with_distance_by_the_exponent() {
		let radio = RadioModel::default();
		let tenfold = radio.path_loss_db(5_000.0) - radio.path_loss_db(500.0);
		assert!((tenfold - 32.0).abs() < 1e-9);
		assert!(radio.path_loss_db(0.0) == radio.path_loss_db(1.0));
	}

	#[test]
	fn range_is_a_few_kilometres_in_town() {
		let radio = RadioModel::default();
		let range = radio.median_range_m();
		assert!((3_000.0..8_000.0).contains(&range), "{range}");
		// Half the receptions at the median range decode; almost none at three times it.
		let mut rng = SimRng::new(3);
		let heard = |d: f64, rng: &mut SimRng| {
			(0..2_000).filter(|_| radio.receive(d, rng).is_some()).count()
		};
		let at_range = heard(range, &mut rng);
		assert!((850..1_150).contains(&at_range), "{at_range}");
		assert!(heard(range * 3.0, &mut rng) < 10);
		assert!(heard(range / 3.0, &mut rng) > 1_990);
	}

	#[test]
	fn honest_receptions_stay_below_the_chains_free_space_bound() {
		// The runtime's bound: 36 dBm EIRP, 6 dB margin, free space.
		let radio = RadioModel::default();
		let mut rng = SimRng::new(9);
		for distance in [300u64, 1_000, 3_000, 8_000] {
			let bound = max_plausible_rssi_centi_dbm(distance, radio.frequency_khz, 36, 6);
			for _ in 0..500 {
				if let Some(r) = radio.receive(distance as f64, &mut rng) {
					assert!(i64::from(r.rssi_dbm) * 100 <= bound, "{distance} m: {r:?}");
				}
			}
		}
	}

	#[test]
	fn snr_is_reported_in_tenths_of_a_db() {
		let radio = RadioModel::default();
		let r = radio.reception(-120.4);
		assert_eq!(r.rssi_dbm, -120);
		assert_eq!(r.snr_decibels_x10, -34);
		assert_eq!(r.frequency_khz, 868_100);
	}
}
