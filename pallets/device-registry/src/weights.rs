//! Placeholder weights, replaced by the output of `scripts/bench-weights.sh`.
#![allow(unused_parens, unused_imports, missing_docs)]
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_device_registry`.
pub trait WeightInfo {
	fn register_device() -> Weight;
	fn register_device_certified() -> Weight;
	fn verify_ed25519() -> Weight;
	fn verify_sr25519() -> Weight;
	fn verify_ecdsa_secp256k1() -> Weight;
	fn verify_ecdsa_p256() -> Weight;
	fn update_location() -> Weight;
	fn transfer_device() -> Weight;
	fn accept_transfer() -> Weight;
	fn cancel_transfer() -> Weight;
	fn retire_device() -> Weight;
	fn withdraw_bond() -> Weight;
	fn suspend_device() -> Weight;
	fn resume_device() -> Weight;
	fn slash_device() -> Weight;
	fn set_parameters() -> Weight;
	fn set_kind_policy() -> Weight;
	fn add_maker() -> Weight;
	fn remove_maker() -> Weight;
}

/// Weights for `pallet_device_registry` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn register_device_certified() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn verify_ed25519() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn verify_sr25519() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn verify_ecdsa_secp256k1() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn verify_ecdsa_p256() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn update_location() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn transfer_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn accept_transfer() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn cancel_transfer() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn retire_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn suspend_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn resume_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn slash_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn set_kind_policy() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn add_maker() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn remove_maker() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
}

impl WeightInfo for () {
	fn register_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn register_device_certified() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn verify_ed25519() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn verify_sr25519() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn verify_ecdsa_secp256k1() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn verify_ecdsa_p256() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn update_location() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn transfer_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn accept_transfer() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn cancel_transfer() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn retire_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn suspend_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn resume_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn slash_device() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn set_kind_policy() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn add_maker() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
	fn remove_maker() -> Weight {
		Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(5, 5))
	}
}
