//! Radio propagation bounds in integer arithmetic (no floating point runs in the runtime).
//!
//! Free-space path loss is the least a signal can lose between two antennas:
//! `FSPL(dB) = 20·log10(d / m) + 20·log10(f / Hz) − 147.55`. Real paths (walls, terrain)
//! lose more, never less, so a received strength above `EIRP − FSPL + margin` means the two
//! devices were closer than they claim (or the report is made up).
//! Units here: centi-dB (hundredths of a dB) and centi-dBm.

/// `log2(x)` in Q16.16 fixed point, for `x ≥ 1` (`x = 0` gives 0). Exact integer part, 16
/// fractional bits by repeated squaring.
pub fn log2_q16(x: u64) -> u64 {
	if x == 0 {
		return 0;
	}
	let integer = 63 - u64::from(x.leading_zeros());
	// Normalise to y in [1, 2) as a Q32 number.
	let mut y: u128 = (u128::from(x) << 32) >> integer;
	let mut fraction = 0u64;
	for bit in (0..16).rev() {
		y = (y * y) >> 32;
		if y >= (2u128 << 32) {
			y >>= 1;
			fraction |= 1 << bit;
		}
	}
	(integer << 16) | fraction
}

/// `20·log10(x)` in centi-dB (`2000·log10(x)`), rounded down; `x = 0` is treated as 1.
pub fn twenty_log10_centi(x: u64) -> i64 {
	// 20·log10(x) = log2(x) · 20·log10(2) = log2(x) · 6.0205999
	let q16 = u128::from(log2_q16(x.max(1)));
	(q16 * 6_020_600 / (65_536 * 10_000)) as i64
}

/// Free-space path loss in centi-dB over `distance_m` metres at `frequency_khz` kHz
/// (`20·log10(d) + 20·log10(f_kHz) + 60 − 147.55`); distance 0 is treated as 1 m.
pub fn free_space_path_loss_centi_db(distance_m: u64, frequency_khz: u32) -> i64 {
	twenty_log10_centi(distance_m) + twenty_log10_centi(u64::from(frequency_khz)) - 8_755
}

/// The strongest plausible received signal in centi-dBm at `distance_m` for a transmitter
/// of at most `max_eirp_dbm` and a tolerance of `margin_db` (antenna gain at the receiver,
/// calibration error).
pub fn max_plausible_rssi_centi_dbm(
	distance_m: u64,
	frequency_khz: u32,
	max_eirp_dbm: i16,
	margin_db: i16,
) -> i64 {
	i64::from(max_eirp_dbm) * 100 - free_space_path_loss_centi_db(distance_m, frequency_khz)
		+ i64::from(margin_db) * 100
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn log2_is_exact_on_powers_of_two_and_close_elsewhere() {
		for k in 0..63u32 {
			assert_eq!(log2_q16(1u64 << k), u64::from(k) << 16);
		}
		for x in [3u64, 10, 1000, 868_100, 123_456_789, u64::MAX] {
			let exact = (x as f64).log2();
			let got = log2_q16(x) as f64 / 65_536.0;
			assert!((exact - got).abs() < 0.0001, "{x}: {exact} vs {got}");
		}
	}

	#[test]
	fn twenty_log10_matches_floating_point_within_a_hundredth_of_a_db() {
		for x in [1u64, 2, 10, 100, 1000, 5_000, 868_100, 2_400_000] {
			let exact = 2000.0 * (x as f64).log10();
			let got = twenty_log10_centi(x) as f64;
			assert!((exact - got).abs() <= 1.5, "{x}: {exact} vs {got}");
		}
	}

	#[test]
	fn fspl_matches_the_textbook_formula() {
		// 1 km at 868 MHz: 20·log10(1) + 20·log10(868) + 32.45 = 91.22 dB.
		let fspl = free_space_path_loss_centi_db(1_000, 868_000);
		assert!((9_118..=9_126).contains(&fspl), "{fspl}");
		// Doubling the distance adds 6.02 dB.
		let doubled = free_space_path_loss_centi_db(2_000, 868_000);
		assert!((600..=604).contains(&(doubled - fspl)));
	}

	#[test]
	fn max_rssi_falls_with_distance() {
		// 27 dBm EIRP, 5 dB margin, 1 km at 915 MHz: 27 - 91.7 + 5 ≈ -59.7 dBm.
		let near = max_plausible_rssi_centi_dbm(1_000, 915_000, 27, 5);
		assert!((-6_000..=-5_940).contains(&near), "{near}");
		let far = max_plausible_rssi_centi_dbm(10_000, 915_000, 27, 5);
		assert_eq!((near - far) / 100, 20);
	}
}
