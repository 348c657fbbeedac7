//! Weights for `pallet_service_payments`: provisional, replaced by `scripts/bench-weights.sh`.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_service_payments`.
pub trait WeightInfo {
	fn buy_credits() -> Weight;
	fn open_channel() -> Weight;
	fn top_up() -> Weight;
	fn settle() -> Weight;
	fn close() -> Weight;
	fn set_parameters() -> Weight;
}

/// Weights for `pallet_service_payments`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn buy_credits() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn open_channel() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(5, 4)) }
	fn top_up() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn settle() -> Weight { Weight::from_parts(200_000_000, 8000).saturating_add(T::DbWeight::get().reads_writes(10, 6)) }
	fn close() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3)) }
	fn set_parameters() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().writes(1)) }
}

impl WeightInfo for () {
	fn buy_credits() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(5, 4)) }
	fn open_channel() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(5, 4)) }
	fn top_up() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(3, 2)) }
	fn settle() -> Weight { Weight::from_parts(200_000_000, 8000).saturating_add(ParityDbWeight::get().reads_writes(10, 6)) }
	fn close() -> Weight { Weight::from_parts(100_000_000, 4000).saturating_add(ParityDbWeight::get().reads_writes(3, 3)) }
	fn set_parameters() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(ParityDbWeight::get().writes(1)) }
}
