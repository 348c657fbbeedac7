//! The referendum tracks: who may decide what, how fast, and with how much support.
//!
//! | id | track | origin | decides | deposit |
//! |---:|---|---|---|---:|
//! | 0 | `root` | `Root` | anything, e.g. a runtime upgrade | 100,000 DPIN |
//! | 10 | `network_parameters` | `NetworkParameters` | the DePIN pallets' governance calls | 10,000 DPIN |
//! | 20 | `treasurer` | `Treasurer` | treasury spends up to 1,000,000 DPIN | 20,000 DPIN |
//! | 21 | `small_spender` | `SmallSpender` | treasury spends up to 10,000 DPIN | 1,000 DPIN |
//!
//! Each track exists in two timings (see [`TrackTiming`]): the real network's and a
//! development chain's, which keeps the deposits and curves and shortens every period to a
//! few blocks.

use super::origins::{self, TrackTiming};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, UNIT};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::Perbill;

/// A track's identifier, as referenda store it.
pub type TrackId = u16;

/// The root track.
pub const ROOT: TrackId = 0;
/// The network-parameters track.
pub const NETWORK_PARAMETERS: TrackId = 10;
/// The treasurer track.
pub const TREASURER: TrackId = 20;
/// The small-spender track.
pub const SMALL_SPENDER: TrackId = 21;

/// The length of a track name in referenda's metadata (its default).
const TRACK_NAME_LEN: usize = 25;

/// A track name, zero-padded to the fixed length referenda store.
const fn name(text: &str) -> [u8; TRACK_NAME_LEN] {
	let bytes = text.as_bytes();
	let mut out = [0u8; TRACK_NAME_LEN];
	let mut i = 0;
	while i < bytes.len() {
		out[i] = bytes[i];
		i += 1;
	}
	out
}

/// A curve falling in a straight line from `ceil` (at the start of the decision period) to
/// `floor` (at its end).
const fn falling(ceil: u32, floor: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_parts(floor),
		ceil: Perbill::from_parts(ceil),
	}
}

/// Parts per billion of one percent, to write curves as percentages.
const PCT: u32 = 10_000_000;

/// The periods of a track, the part that differs between the two timings.
struct Periods {
	prepare: BlockNumber,
	decision: BlockNumber,
	confirm: BlockNumber,
	min_enactment: BlockNumber,
}

/// A track of `id` with the shared deposit, concurrency and curves and the given periods.
const fn track(
	id: TrackId,
	label: &str,
	max_deciding: u32,
	decision_deposit: Balance,
	periods: Periods,
	min_approval: Curve,
	min_support: Curve,
) -> Track<TrackId, Balance, BlockNumber> {
	Track {
		id,
		info: TrackInfo {
			name: name(label),
			max_deciding,
			decision_deposit,
			prepare_period: periods.prepare,
			decision_period: periods.decision,
			confirm_period: periods.confirm,
			min_enactment_period: periods.min_enactment,
			min_approval,
			min_support,
		},
	}
}

/// The four tracks with the given periods, sorted by id (referenda require it). Deposits,
/// concurrency and curves are the same in both timings.
const fn tracks_table(
	root: Periods,
	network_parameters: Periods,
	treasurer: Periods,
	small_spender: Periods,
) -> [Track<TrackId, Balance, BlockNumber>; 4] {
	[
		// Anything at all, one at a time: approval from unanimity down to a simple majority,
		// support from half the issuance down to 5 %.
		track(
			ROOT,
			"root",
			1,
			100_000 * UNIT,
			root,
			falling(100 * PCT, 50 * PCT),
			falling(50 * PCT, 5 * PCT),
		),
		// The DePIN economics: ten at once; support from 20 % down to 1 %.
		track(
			NETWORK_PARAMETERS,
			"network_parameters",
			10,
			10_000 * UNIT,
			network_parameters,
			falling(100 * PCT, 50 * PCT),
			falling(20 * PCT, PCT),
		),
		// Large spends: more support at first than parameters need.
		track(
			TREASURER,
			"treasurer",
			10,
			20_000 * UNIT,
			treasurer,
			falling(100 * PCT, 50 * PCT),
			falling(30 * PCT, PCT),
		),
		// Small spends: a cheap deposit, less approval and support.
		track(
			SMALL_SPENDER,
			"small_spender",
			20,
			1_000 * UNIT,
			small_spender,
			falling(90 * PCT, 50 * PCT),
			falling(10 * PCT, PCT / 2),
		),
	]
}

/// The real network's tracks.
static PRODUCTION_TRACKS: [Track<TrackId, Balance, BlockNumber>; 4] = tracks_table(
	Periods { prepare: 2 * HOURS, decision: 28 * DAYS, confirm: DAYS, min_enactment: DAYS },
	Periods { prepare: HOURS, decision: 7 * DAYS, confirm: 3 * HOURS, min_enactment: 10 * MINUTES },
	Periods { prepare: 2 * HOURS, decision: 14 * DAYS, confirm: DAYS, min_enactment: DAYS },
	Periods { prepare: 30 * MINUTES, decision: 7 * DAYS, confirm: 6 * HOURS, min_enactment: HOURS },
);

/// A development chain's tracks: the same deposits and curves, periods of a few blocks.
static FAST_TRACKS: [Track<TrackId, Balance, BlockNumber>; 4] = tracks_table(
	Periods { prepare: 2, decision: 10 * MINUTES, confirm: 5, min_enactment: 1 },
	Periods { prepare: 2, decision: 5 * MINUTES, confirm: 2, min_enactment: 1 },
	Periods { prepare: 2, decision: 5 * MINUTES, confirm: 2, min_enactment: 1 },
	Periods { prepare: 2, decision: 5 * MINUTES, confirm: 2, min_enactment: 1 },
);

/// The tracks of this chain in the given timing.
pub fn tracks_in(timing: TrackTiming) -> &'static [Track<TrackId, Balance, BlockNumber>] {
	match timing {
		TrackTiming::Production => &PRODUCTION_TRACKS,
		TrackTiming::Fast => &FAST_TRACKS,
	}
}

/// The runtime's [`pallet_referenda::TracksInfo`].
pub struct DepinTracks;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for DepinTracks {
	type Id = TrackId;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<TrackId, Balance, BlockNumber>>> {
		// One read of a value set at genesis: the timing of this chain.
		tracks_in(origins::Timing::<Runtime>::get()).iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &OriginCaller) -> Result<TrackId, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Origins(origins::Origin::NetworkParameters) => Ok(NETWORK_PARAMETERS),
			OriginCaller::Origins(origins::Origin::Treasurer) => Ok(TREASURER),
			OriginCaller::Origins(origins::Origin::SmallSpender) => Ok(SMALL_SPENDER),
			_ => Err(()),
		}
	}
}
