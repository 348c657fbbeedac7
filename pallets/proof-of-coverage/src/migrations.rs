//! Storage migrations.

/// Version 0 → 1: oracles' batches are numbered per authorisation.
///
/// [`OracleState`](crate::OracleState) loses `last_batch` (the `(block, index)` order of
/// runtime 101: batches are now ordered by `batches`, their sequence number) and gains
/// `authorisation`; each oracle authorised before the upgrade gets its own number, and
/// [`OracleAuthorisations`](crate::OracleAuthorisations) counts them.
pub mod v1 {
	use crate::{Config, OracleAuthorisations, OracleStateOf, Oracles, Pallet};
	use codec::Decode;
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// [`crate::OracleState`] as runtime 101 stored it.
	#[derive(Decode)]
	pub struct OracleStateV0<BlockNumber> {
		/// `(block, index)` of its last landed batch.
		pub last_batch: Option<(BlockNumber, u16)>,
		/// The block its last batch landed in.
		pub landed_in: BlockNumber,
		/// Batches landed in `landed_in`.
		pub landed_count: u16,
		/// Batches landed since it was authorised.
		pub batches: u64,
		/// Attestations accepted from its batches.
		pub accepted: u64,
		/// Attestations rejected from its batches.
		pub rejected: u64,
	}

	/// [`crate::OracleState`] as nodes built between runtime 101 and 102 stored it (without
	/// `last_batch`, before `authorisation`).
	#[derive(Decode, codec::Encode, Default)]
	pub struct OracleStateUnversioned<BlockNumber> {
		/// The block its last batch landed in.
		pub landed_in: BlockNumber,
		/// Batches landed in `landed_in`.
		pub landed_count: u16,
		/// Batches landed since it was authorised.
		pub batches: u64,
		/// Attestations accepted from its batches.
		pub accepted: u64,
		/// Attestations rejected from its batches.
		pub rejected: u64,
	}

	/// Either stored layout, told apart by length.
	enum Legacy<BlockNumber> {
		V0(OracleStateV0<BlockNumber>),
		Unversioned(OracleStateUnversioned<BlockNumber>),
	}

	impl<BlockNumber: Decode + codec::Encode + Default> Decode for Legacy<BlockNumber> {
		fn decode<I: codec::Input>(input: &mut I) -> Result<Self, codec::Error> {
			let unversioned =
				codec::Encode::encode(&OracleStateUnversioned::<BlockNumber>::default()).len();
			if input.remaining_len()? == Some(unversioned) {
				OracleStateUnversioned::decode(input).map(Legacy::Unversioned)
			} else {
				OracleStateV0::decode(input).map(Legacy::V0)
			}
		}
	}

	/// The migration without its version check; use [`MigrateV0ToV1`].
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut next = 0u32;
			Oracles::<T>::translate::<Legacy<BlockNumberFor<T>>, _>(|_, old| {
				let authorisation = next;
				next = next.saturating_add(1);
				let (landed_in, landed_count, batches, accepted, rejected) = match old {
					Legacy::V0(o) => {
						(o.landed_in, o.landed_count, o.batches, o.accepted, o.rejected)
					}
					Legacy::Unversioned(o) => {
						(o.landed_in, o.landed_count, o.batches, o.accepted, o.rejected)
					}
				};
				Some(OracleStateOf::<T> {
					authorisation,
					landed_in,
					landed_count,
					batches,
					accepted,
					rejected,
				})
			});
			OracleAuthorisations::<T>::put(next);
			let oracles = u64::from(next);
			T::DbWeight::get().reads_writes(oracles.saturating_add(1), oracles.saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			use codec::Encode;
			Ok(crate::OracleCount::<T>::get().encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let count = u32::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
			frame_support::ensure!(
				Oracles::<T>::iter().count() as u32 == count,
				"an oracle was lost"
			);
			frame_support::ensure!(
				OracleAuthorisations::<T>::get() == count,
				"authorisations not counted"
			);
			Ok(())
		}
	}

	/// Runs [`InnerMigrateV0ToV1`] once, when the pallet's storage version is 0.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::mock::*;
		use codec::Encode;
		use depin_primitives::OracleId;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		use sp_runtime::RuntimeAppPublic;

		#[test]
		fn oracles_of_runtime_101_get_an_authorisation_each() {
			build_and_execute(|| {
				let second = OracleId::generate_pair(Some(b"//Second".to_vec()));
				Oracles::<Test>::remove(oracle());
				for (oracle, batches) in [(oracle(), 7u64), (second.clone(), 2)] {
					// `(last_batch, landed_in, landed_count, batches, accepted, rejected)`.
					let old = (Some((3u64, 1u16)), 3u64, 1u16, batches, 100u64, 5u64);
					frame_support::storage::unhashed::put_raw(
						&Oracles::<Test>::hashed_key_for(&oracle),
						&old.encode(),
					);
				}
				// A node built between 101 and 102 stored it without `last_batch`.
				let fourth = OracleId::generate_pair(Some(b"//Fourth".to_vec()));
				frame_support::storage::unhashed::put_raw(
					&Oracles::<Test>::hashed_key_for(&fourth),
					&(4u64, 2u16, 9u64, 50u64, 1u64).encode(),
				);
				crate::OracleCount::<Test>::put(3);
				StorageVersion::new(0).put::<Pallet<Test>>();
				MigrateV0ToV1::<Test>::on_runtime_upgrade();
				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
				let first = Oracles::<Test>::get(oracle()).unwrap();
				let other = Oracles::<Test>::get(&second).unwrap();
				assert_eq!((first.batches, first.accepted, first.rejected), (7, 100, 5));
				assert_eq!((other.batches, other.landed_in, other.landed_count), (2, 3, 1));
				let unversioned = Oracles::<Test>::get(&fourth).unwrap();
				assert_eq!(
					(unversioned.landed_in, unversioned.landed_count, unversioned.batches),
					(4, 2, 9)
				);
				let mut numbers =
					[first.authorisation, other.authorisation, unversioned.authorisation];
				numbers.sort();
				assert_eq!(numbers, [0, 1, 2]);
				assert_eq!(OracleAuthorisations::<Test>::get(), 3);
				// Run again (version 1 now): nothing changes.
				MigrateV0ToV1::<Test>::on_runtime_upgrade();
				assert_eq!(Oracles::<Test>::get(oracle()).unwrap(), first);
				// The next authorisation gets a number of its own (room made under
				// `MaxOracles` first).
				frame_support::assert_ok!(crate::Pallet::<Test>::remove_oracle(
					RuntimeOrigin::root(),
					second.clone()
				));
				let third = OracleId::generate_pair(Some(b"//Third".to_vec()));
				frame_support::assert_ok!(crate::Pallet::<Test>::add_oracle(
					RuntimeOrigin::root(),
					third.clone()
				));
				assert_eq!(Oracles::<Test>::get(&third).unwrap().authorisation, 3);
			});
		}
	}
}
