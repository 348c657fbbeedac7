//! The origins that referenda on this chain's tracks dispatch with, and the track timing.
//!
//! ## Overview
//!
//! A referendum's proposal is dispatched with the origin of the track it was submitted on.
//! Besides `Root`, this chain has three such origins, each accepted by exactly the calls it
//! exists for:
//!
//! - [`Origin::NetworkParameters`]: the DePIN pallets' governance calls (emission schedule,
//!   reward pool split and expiry, proof-of-coverage parameters and oracle set, registry bond,
//!   fees, device kinds and makers, device suspension and slashing, service credit price and
//!   revenue share).
//! - [`Origin::Treasurer`] and [`Origin::SmallSpender`]: treasury spends, each up to its own
//!   limit ([`TREASURER_MAX_SPEND`], [`SMALL_SPENDER_MAX_SPEND`]).
//!
//! ## Terminology
//!
//! - **Track timing**: whether the tracks use the real network's periods (days) or the fast
//!   ones of a development chain (blocks), see [`TrackTiming`]. It is set once in genesis:
//!   the `development` preset is fast so a referendum passes within minutes; every other
//!   chain, including one whose genesis does not mention it, uses the real periods.

pub use pallet::*;

/// The most a treasurer-track referendum may spend at once: 1,000,000 DPIN.
pub const TREASURER_MAX_SPEND: crate::Balance = 1_000_000 * crate::UNIT;
/// The most a small-spender-track referendum may spend at once: 10,000 DPIN.
pub const SMALL_SPENDER_MAX_SPEND: crate::Balance = 10_000 * crate::UNIT;

#[frame_support::pallet]
pub mod pallet {
	use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
	use frame_support::pallet_prelude::*;
	use scale_info::TypeInfo;

	/// No configuration: the pallet only declares origins and holds the track timing.
	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// The origins that referenda dispatch with, one per non-root track.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// The DePIN pallets' parameters, trust sets (oracles, makers) and device sanctions.
		NetworkParameters,
		/// Treasury spends up to [`super::TREASURER_MAX_SPEND`].
		Treasurer,
		/// Treasury spends up to [`super::SMALL_SPENDER_MAX_SPEND`].
		SmallSpender,
	}

	/// Which periods the referendum tracks use.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
		serde::Serialize,
		serde::Deserialize,
	)]
	pub enum TrackTiming {
		/// A real network's periods: hours to prepare, days to decide and confirm.
		#[default]
		Production,
		/// A development chain's periods: a few blocks each, so a referendum passes in
		/// about a minute.
		Fast,
	}

	/// The track timing of this chain, fixed at genesis.
	#[pallet::storage]
	pub type Timing<T> = StorageValue<_, TrackTiming, ValueQuery>;

	/// Genesis: the track timing (real-network periods unless a preset asks for fast ones).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The timing of the referendum tracks.
		pub timing: TrackTiming,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Timing::<T>::put(self.timing);
		}
	}
}

/// Declares an `EnsureOrigin` that accepts exactly one variant of [`Origin`].
macro_rules! ensure_track_origin {
	($(#[$doc:meta])* $name:ident => $variant:ident, $success:ty = $value:expr) => {
		$(#[$doc])*
		pub struct $name;
		impl<O: Into<Result<Origin, O>> + From<Origin>> frame_support::traits::EnsureOrigin<O>
			for $name
		{
			type Success = $success;
			fn try_origin(o: O) -> Result<Self::Success, O> {
				o.into().and_then(|o| match o {
					Origin::$variant => Ok($value),
					other => Err(O::from(other)),
				})
			}
			#[cfg(feature = "runtime-benchmarks")]
			fn try_successful_origin() -> Result<O, ()> {
				Ok(O::from(Origin::$variant))
			}
		}
	};
}

ensure_track_origin!(
	/// The network-parameters track's origin.
	EnsureNetworkParameters => NetworkParameters, () = ()
);
ensure_track_origin!(
	/// The treasurer track's origin; succeeds with the most it may spend.
	EnsureTreasurer => Treasurer, crate::Balance = TREASURER_MAX_SPEND
);
ensure_track_origin!(
	/// The small-spender track's origin; succeeds with the most it may spend.
	EnsureSmallSpender => SmallSpender, crate::Balance = SMALL_SPENDER_MAX_SPEND
);
