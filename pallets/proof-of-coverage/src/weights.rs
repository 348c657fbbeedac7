//! Weights for `pallet_proof_of_coverage`.
//!
//! PROVISIONAL: estimates from the device registry's measured signature costs, to be
//! replaced by `scripts/bench-weights.sh proof-of-coverage` output.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_proof_of_coverage`.
pub trait WeightInfo {
	fn heartbeats(n: u32, ) -> Weight;
	fn beacons(n: u32, ) -> Weight;
	fn witnesses(n: u32, ) -> Weight;
	fn authorize_batch(n: u32, ) -> Weight;
	fn verify_ed25519() -> Weight;
	fn verify_sr25519() -> Weight;
	fn verify_ecdsa_secp256k1() -> Weight;
	fn verify_ecdsa_p256() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn on_initialize_epoch_turn() -> Weight;
	fn add_oracle() -> Weight;
	fn remove_oracle() -> Weight;
	fn set_parameters() -> Weight;
}

/// Weights for `pallet_proof_of_coverage`, measured with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn heartbeats(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn beacons(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn witnesses(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(100_000_000, 6000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn authorize_batch(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 3000)
			.saturating_add(Weight::from_parts(300_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
	}
	fn verify_ed25519() -> Weight {
		Weight::from_parts(41_000_000, 0)
	}
	fn verify_sr25519() -> Weight {
		Weight::from_parts(43_000_000, 0)
	}
	fn verify_ecdsa_secp256k1() -> Weight {
		Weight::from_parts(41_000_000, 0)
	}
	fn verify_ecdsa_p256() -> Weight {
		Weight::from_parts(1_565_000_000, 0)
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(3_000_000, 600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
	}
	fn on_initialize_epoch_turn() -> Weight {
		Weight::from_parts(25_000_000, 3000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn add_oracle() -> Weight {
		Weight::from_parts(15_000_000, 2500)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn remove_oracle() -> Weight {
		Weight::from_parts(15_000_000, 2500)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn heartbeats(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn beacons(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(50_000_000, 3000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().reads((3_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn witnesses(n: u32, ) -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(Weight::from_parts(100_000_000, 6000).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(5_u64))
			.saturating_add(ParityDbWeight::get().reads((5_u64).saturating_mul(n.into())))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
			.saturating_add(ParityDbWeight::get().writes((2_u64).saturating_mul(n.into())))
	}
	fn authorize_batch(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 3000)
			.saturating_add(Weight::from_parts(300_000, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(3_u64))
	}
	fn verify_ed25519() -> Weight {
		Weight::from_parts(41_000_000, 0)
	}
	fn verify_sr25519() -> Weight {
		Weight::from_parts(43_000_000, 0)
	}
	fn verify_ecdsa_secp256k1() -> Weight {
		Weight::from_parts(41_000_000, 0)
	}
	fn verify_ecdsa_p256() -> Weight {
		Weight::from_parts(1_565_000_000, 0)
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(3_000_000, 600)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
	}
	fn on_initialize_epoch_turn() -> Weight {
		Weight::from_parts(25_000_000, 3000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn add_oracle() -> Weight {
		Weight::from_parts(15_000_000, 2500)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn remove_oracle() -> Weight {
		Weight::from_parts(15_000_000, 2500)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(8_000_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
