//! # Device registry
//!
//! ## Overview
//!
//! The registry records which hardware exists on the network, who owns it, where it says it
//! is and what bond stands behind it. Every later pallet (proof of coverage, rewards,
//! service payments) trusts what it records, through the [`depin_primitives::DeviceInspect`] trait.
//!
//! A hardware owner registers a device by presenting the device key's signature over a
//! registration payload bound to the chain's genesis hash, to the owner's account and to the
//! key's registration counter ([`depin_primitives::RegistrationPayload`]); only the holder of
//! the device key can make it, it registers the device for that owner only, it is useless on
//! another chain, and it is good for one registration only: the chain counts every
//! registration of each key ([`KeyRegistrations`]) and never forgets, so a proof made public
//! by its extrinsic never registers the key again, even after the device was transferred,
//! retired and its record removed. A bond ([`RegistryParameters::device_bond`]) is held from
//! the owner with fungible holds ([`HoldReason::DeviceBond`]).
//!
//! Governance may admit makers (manufacturers) and require, per [`DeviceKind`], a maker
//! certificate: the maker key's signature over the device key
//! ([`depin_primitives::MakerCertificatePayload`]), so that only keys burnt into real
//! hardware can register, as Helium requires for its hotspots.
//!
//! ## Terminology
//!
//! - **Device key / device id**: the key a device signs with (Ed25519, Sr25519, ECDSA
//!   secp256k1 or P-256) and its hash, the device's identity.
//! - **Bond**: an amount held from the owner for each device; it moves with the device on
//!   transfer, can be slashed by governance, and is released after an unbonding period once
//!   the device is retired.
//! - **Location**: an H3 cell at a resolution between `MinLocationResolution` and
//!   `MaxLocationResolution`; devices are also counted per parent cell at
//!   `DensityResolution` (to scale rewards down where devices crowd).
//! - **Maker**: a manufacturer admitted by governance with its own key and onboarding fee.
//!
//! ## Life of a device
//!
//! ```text
//! register_device ─► Active ─retire_device─► Retired ─(unbonding period)─ withdraw_bond ─► gone
//!                      │ ▲
//!       suspend_device │ │ resume_device          (governance; slash_device in any state)
//!                      ▼ │
//!                   Suspended
//! ```
//! Transfers are two-step: the owner offers (`transfer_device`), the recipient accepts
//! (`accept_transfer`) and only then receives the device and its held bond; nobody is made to
//! hold a bond without signing for it. The owner may `cancel_transfer` before acceptance.
//!
//! Fees (location updates, maker onboarding) and slashed bonds go to `Config::Revenue`
//! (the treasury in the runtime).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod impl_inspect;
mod impl_penalty;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use depin_primitives::{
	DeviceId, DeviceIndex, DeviceKey, DeviceKind, DeviceSignature, H3Cell, MakerCertificatePayload,
	RegistrationPayload, SignatureScheme, SignedPayload,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{self, Balanced, Credit, Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
		OnUnbalanced,
	},
	weights::Weight,
};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{Saturating, Zero};

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Negative imbalance (fees, slashes) handed to `Config::Revenue`.
pub type CreditOf<T> = Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// Device metadata with the runtime's bound.
pub type MetadataOf<T> = DeviceMetadata<<T as Config>::MaxMetadataLen>;
/// A suspension reason with the runtime's bound.
pub type ReasonOf<T> = BoundedVec<u8, <T as Config>::MaxReasonLen>;
/// A device record with the runtime's types.
pub type DeviceRecordOf<T> = DeviceRecord<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	MetadataOf<T>,
	ReasonOf<T>,
>;
/// Registry parameters with the runtime's types.
pub type ParametersOf<T> = RegistryParameters<BalanceOf<T>, BlockNumberFor<T>>;
/// A maker with the runtime's types.
pub type MakerOf<T> = Maker<BalanceOf<T>, BoundedVec<u8, <T as Config>::MaxMakerNameLen>>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the registry.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native currency: bonds are held, fees and slashes withdrawn from it.
		type Currency: fungible::Inspect<Self::AccountId>
			+ fungible::Mutate<Self::AccountId>
			+ fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>
			+ fungible::Balanced<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Origin that suspends, resumes and slashes devices, admits makers and sets
		/// parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives fees and slashed bonds (the treasury).
		type Revenue: OnUnbalanced<CreditOf<Self>>;

		/// Parameters in force until governance first sets them.
		type DefaultParameters: Get<ParametersOf<Self>>;

		/// Hard upper bound on devices per owner; `max_devices_per_owner` may not exceed it.
		#[pallet::constant]
		type MaxDevicesPerOwner: Get<u32>;

		/// Maximum length in bytes of each metadata field.
		#[pallet::constant]
		type MaxMetadataLen: Get<u32>;

		/// Maximum length in bytes of a suspension reason.
		#[pallet::constant]
		type MaxReasonLen: Get<u32>;

		/// Maximum length in bytes of a maker's name.
		#[pallet::constant]
		type MaxMakerNameLen: Get<u32>;

		/// Coarsest H3 resolution a device may assert.
		#[pallet::constant]
		type MinLocationResolution: Get<u8>;

		/// Finest H3 resolution a device may assert.
		#[pallet::constant]
		type MaxLocationResolution: Get<u8>;

		/// Resolution of the parent cells in which active devices are counted (at most
		/// `MinLocationResolution`).
		#[pallet::constant]
		type DensityResolution: Get<u8>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Why the registry holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The bond behind a registered device.
		#[codec(index = 0)]
		DeviceBond,
	}

	/// Every registered device (active, suspended, or retired and still bonded), by id.
	#[pallet::storage]
	pub type Devices<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, DeviceRecordOf<T>, OptionQuery>;

	/// The devices of each owner, for paging through them by owner.
	#[pallet::storage]
	pub type OwnerDevices<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		DeviceId,
		(),
		OptionQuery,
	>;

	/// How many devices each owner has (at most `max_devices_per_owner`).
	#[pallet::storage]
	pub type OwnerDeviceCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Number of entries in [`Devices`].
	#[pallet::storage]
	pub type DeviceCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The index the next registered device gets ([`DeviceRecord::index`]): the number of
	/// devices ever registered.
	#[pallet::storage]
	pub type NextDeviceIndex<T: Config> = StorageValue<_, DeviceIndex, ValueQuery>;

	/// Active devices per H3 parent cell at `DensityResolution`. Cells with none are absent.
	#[pallet::storage]
	pub type CellDeviceCount<T: Config> = StorageMap<_, Blake2_128Concat, H3Cell, u32, OptionQuery>;

	/// The active devices in each cell at `DensityResolution` (for coverage queries: which
	/// devices serve an area).
	#[pallet::storage]
	pub type CellDevices<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, H3Cell, Blake2_128Concat, DeviceId, (), OptionQuery>;

	/// How many times each device key has ever been registered on this chain. Registration
	/// proofs sign the current count and each registration increments it; entries are never
	/// removed (not even when a retired device's record is), so a proof verifies for one
	/// registration only and an old, public proof never verifies again. Read it before
	/// signing a proof (0, the default, for a key never registered). Bounded by the number
	/// of registrations, each of which held a bond.
	#[pallet::storage]
	pub type KeyRegistrations<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, u32, ValueQuery>;

	/// Open transfer offers: device → the account invited to accept it.
	#[pallet::storage]
	pub type PendingTransfers<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceId, T::AccountId, OptionQuery>;

	/// Admitted makers, by id.
	#[pallet::storage]
	pub type Makers<T: Config> = StorageMap<_, Blake2_128Concat, MakerId, MakerOf<T>, OptionQuery>;

	/// The id the next admitted maker gets.
	#[pallet::storage]
	pub type NextMakerId<T: Config> = StorageValue<_, MakerId, ValueQuery>;

	/// Device kinds that can only be registered with a maker certificate.
	#[pallet::storage]
	pub type KindRequiresMaker<T: Config> =
		StorageMap<_, Blake2_128Concat, DeviceKind, bool, ValueQuery>;

	#[pallet::type_value]
	pub fn DefaultParametersValue<T: Config>() -> ParametersOf<T> {
		T::DefaultParameters::get()
	}

	/// Bond, fees and limits in force.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ParametersOf<T>, ValueQuery, DefaultParametersValue<T>>;

	/// Genesis state: parameters and the kinds that need a maker certificate.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters; `None` keeps `Config::DefaultParameters`.
		pub parameters: Option<ParametersOf<T>>,
		/// Kinds that require a maker certificate (makers are admitted by governance).
		pub kinds_requiring_maker: Vec<DeviceKind>,
		/// Ed25519 devices registered from the start, for test and benchmark networks:
		/// `(owner, public key, H3 cell)`, each a hotspot with the bond held from its owner
		/// (who must be endowed). Registered in order, so the n-th gets device index n.
		pub devices: Vec<(T::AccountId, [u8; 32], u64)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = &self.parameters {
				assert!(
					parameters.max_devices_per_owner <= T::MaxDevicesPerOwner::get(),
					"max_devices_per_owner above MaxDevicesPerOwner"
				);
				Parameters::<T>::put(parameters);
			}
			for kind in &self.kinds_requiring_maker {
				KindRequiresMaker::<T>::insert(kind, true);
			}
			let parameters = Parameters::<T>::get();
			for (owner, key, cell) in &self.devices {
				let (key, location) = (DeviceKey::Ed25519(*key), H3Cell(*cell));
				assert!(
					Pallet::<T>::ensure_location_allowed(location).is_ok(),
					"genesis device at a cell of a resolution not allowed"
				);
				assert!(
					!Devices::<T>::contains_key(key.device_id()),
					"genesis device listed twice"
				);
				assert!(
					OwnerDeviceCount::<T>::get(owner) < parameters.max_devices_per_owner,
					"genesis owner over max_devices_per_owner"
				);
				assert!(
					T::Currency::hold(
						&HoldReason::DeviceBond.into(),
						owner,
						parameters.device_bond
					)
					.is_ok(),
					"genesis device owner cannot pay the bond"
				);
				Pallet::<T>::insert_device(
					owner,
					key,
					DeviceKind::Hotspot,
					location,
					Default::default(),
					None,
					parameters.device_bond,
				);
			}
		}
	}

	/// What happened in the registry.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A device was registered and its bond held.
		DeviceRegistered {
			/// The new device.
			device: DeviceId,
			/// Its owner.
			owner: T::AccountId,
			/// Its kind.
			kind: DeviceKind,
			/// Its asserted location.
			location: H3Cell,
			/// The certifying maker, if any.
			maker: Option<MakerId>,
			/// The bond held.
			bond: BalanceOf<T>,
			/// The maker's onboarding fee paid.
			onboarding_fee: BalanceOf<T>,
		},
		/// A device asserted a new location.
		LocationUpdated {
			/// The device.
			device: DeviceId,
			/// The previous cell.
			old: H3Cell,
			/// The new cell.
			new: H3Cell,
			/// The fee paid.
			fee: BalanceOf<T>,
		},
		/// An owner offered a device to another account.
		TransferOffered {
			/// The device.
			device: DeviceId,
			/// Its current owner.
			from: T::AccountId,
			/// The account that may accept.
			to: T::AccountId,
		},
		/// An owner withdrew a transfer offer (or retired the device, which withdraws it).
		TransferCancelled {
			/// The device.
			device: DeviceId,
			/// The account that was invited.
			to: T::AccountId,
		},
		/// A device and its held bond passed to a new owner.
		DeviceTransferred {
			/// The device.
			device: DeviceId,
			/// The previous owner.
			from: T::AccountId,
			/// The new owner.
			to: T::AccountId,
			/// The bond that moved with it.
			bond: BalanceOf<T>,
		},
		/// An owner retired a device; it no longer earns.
		DeviceRetired {
			/// The device.
			device: DeviceId,
			/// Block from which the bond can be withdrawn.
			unbonds_at: BlockNumberFor<T>,
		},
		/// A retired device's bond was released and its record removed.
		BondWithdrawn {
			/// The device.
			device: DeviceId,
			/// The owner whose funds were released.
			owner: T::AccountId,
			/// The amount released.
			amount: BalanceOf<T>,
		},
		/// Governance suspended a device.
		DeviceSuspended {
			/// The device.
			device: DeviceId,
			/// Why.
			reason: ReasonOf<T>,
		},
		/// Governance lifted a suspension.
		DeviceResumed {
			/// The device.
			device: DeviceId,
		},
		/// Governance slashed part or all of a device's bond to the treasury.
		DeviceSlashed {
			/// The device.
			device: DeviceId,
			/// Its owner.
			owner: T::AccountId,
			/// The amount taken.
			amount: BalanceOf<T>,
			/// The bond left.
			remaining_bond: BalanceOf<T>,
		},
		/// Governance set the registry's parameters.
		ParametersSet {
			/// The new parameters.
			parameters: ParametersOf<T>,
		},
		/// Governance changed whether a kind needs a maker certificate.
		KindPolicySet {
			/// The kind.
			kind: DeviceKind,
			/// Whether registrations of this kind need a maker certificate.
			requires_maker: bool,
		},
		/// Governance admitted a maker.
		MakerAdded {
			/// Its id.
			maker: MakerId,
			/// Its certificate key.
			key: DeviceKey,
			/// Its per-device onboarding fee.
			onboarding_fee: BalanceOf<T>,
		},
		/// Governance removed a maker; its certificates no longer register devices.
		MakerRemoved {
			/// Its id.
			maker: MakerId,
		},
	}

	/// Why a registry call failed.
	#[pallet::error]
	pub enum Error<T> {
		/// No device with this id is registered.
		UnknownDevice,
		/// Only the device's owner may do this.
		NotOwner,
		/// The registration proof is not the device key's signature over this chain's
		/// registration payload for the calling account and the key's current registration
		/// counter (wrong key, wrong owner, other chain, a signature of another scheme, or a
		/// stale counter: a proof is good for one registration only, so a key registered
		/// before needs a fresh proof signed with the counter the chain holds now, storage
		/// `deviceRegistry.keyRegistrations(deviceId)`, 0 for a new key).
		InvalidRegistrationProof,
		/// This key is already registered (a device can be registered once).
		DeviceAlreadyRegistered,
		/// Devices of this kind need a maker certificate.
		MakerCertificateRequired,
		/// The maker certificate is not the maker key's signature over this device key and
		/// kind.
		InvalidMakerCertificate,
		/// No maker with this id (never admitted or removed).
		UnknownMaker,
		/// The location is not a valid H3 cell.
		InvalidLocation,
		/// The cell's resolution is outside `MinLocationResolution..=MaxLocationResolution`.
		LocationResolutionNotAllowed,
		/// The location was changed too recently; wait `location_update_interval` blocks.
		LocationChangeTooSoon,
		/// Not enough free balance for the bond or fee (the account must also keep its
		/// existential deposit).
		InsufficientBalance,
		/// The owner already has `max_devices_per_owner` devices.
		TooManyDevices,
		/// All `u32::MAX` device indexes have been handed out; no device can register.
		DeviceIndexesExhausted,
		/// The device is retired.
		DeviceRetired,
		/// The device is suspended; only governance can resume it.
		DeviceSuspended,
		/// The device is not active.
		DeviceNotActive,
		/// The device is not suspended.
		NotSuspended,
		/// The device is not retired.
		NotRetired,
		/// The unbonding period has not passed yet.
		StillUnbonding,
		/// There is no transfer offer for this device.
		NoPendingTransfer,
		/// The transfer was offered to another account.
		NotTransferRecipient,
		/// The device already belongs to that account.
		TransferToSelf,
		/// The device has no bond left to slash, or the amount is zero.
		NothingToSlash,
		/// A parameter is out of its allowed range.
		ParameterOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinLocationResolution::get() <= T::MaxLocationResolution::get());
			assert!(T::MaxLocationResolution::get() <= depin_primitives::location::MAX_RESOLUTION);
			assert!(T::DensityResolution::get() <= T::MinLocationResolution::get());
			assert!(
				T::DefaultParameters::get().max_devices_per_owner <= T::MaxDevicesPerOwner::get()
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a device for the caller and hold its bond.
		///
		/// - `key`: the device's public key; its hash becomes the device id.
		/// - `kind`, `location` (an H3 cell at an allowed resolution), `metadata`.
		/// - `proof`: the device key's signature over `b"depin/register/v2" ‖ genesis_hash ‖
		///   caller ‖ SCALE(key) ‖ registrations` (see `docs/devices.md`), where
		///   `registrations` (u32, little-endian) is the key's current count in
		///   [`KeyRegistrations`] (0 for a new key); the count then increments, so the proof
		///   never registers the key again.
		/// - `certificate`: a maker's signature over the key and kind; required for kinds
		///   governance marked, optional otherwise (its onboarding fee is paid either way).
		///
		/// Emits `DeviceRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::register_weight(key, certificate.as_ref()))]
		pub fn register_device(
			origin: OriginFor<T>,
			key: DeviceKey,
			kind: DeviceKind,
			location: H3Cell,
			metadata: MetadataOf<T>,
			proof: DeviceSignature,
			certificate: Option<MakerCertificate>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::ensure_location_allowed(location)?;
			let device = key.device_id();
			ensure!(!Devices::<T>::contains_key(device), Error::<T>::DeviceAlreadyRegistered);

			let genesis_hash = Self::genesis_hash();
			let registrations = KeyRegistrations::<T>::get(device);
			let payload = RegistrationPayload {
				genesis_hash: &genesis_hash,
				owner: &owner,
				key: &key,
				registrations,
			};
			ensure!(
				key.verify(&payload.signing_bytes(), &proof),
				Error::<T>::InvalidRegistrationProof
			);

			let maker = match certificate {
				Some(certificate) => {
					let mut maker =
						Makers::<T>::get(certificate.maker).ok_or(Error::<T>::UnknownMaker)?;
					let payload = MakerCertificatePayload {
						genesis_hash: &genesis_hash,
						maker: certificate.maker,
						key: &key,
						kind,
					};
					ensure!(
						maker.key.verify(&payload.signing_bytes(), &certificate.signature),
						Error::<T>::InvalidMakerCertificate
					);
					maker.devices_onboarded = maker.devices_onboarded.saturating_add(1);
					Some((certificate.maker, maker))
				}
				None => {
					ensure!(
						!KindRequiresMaker::<T>::get(kind),
						Error::<T>::MakerCertificateRequired
					);
					None
				}
			};

			let parameters = Parameters::<T>::get();
			let owned = OwnerDeviceCount::<T>::get(&owner);
			ensure!(owned < parameters.max_devices_per_owner, Error::<T>::TooManyDevices);
			ensure!(
				NextDeviceIndex::<T>::get().checked_add(1).is_some(),
				Error::<T>::DeviceIndexesExhausted
			);

			let onboarding_fee = match &maker {
				Some((_, maker)) => maker.onboarding_fee,
				None => Zero::zero(),
			};
			Self::charge_fee(&owner, onboarding_fee)?;
			T::Currency::hold(&HoldReason::DeviceBond.into(), &owner, parameters.device_bond)
				.map_err(|_| Error::<T>::InsufficientBalance)?;

			let maker_id = maker.map(|(id, maker)| {
				Makers::<T>::insert(id, maker);
				id
			});
			Self::insert_device(
				&owner,
				key,
				kind,
				location,
				metadata,
				maker_id,
				parameters.device_bond,
			);

			Self::deposit_event(Event::DeviceRegistered {
				device,
				owner,
				kind,
				location,
				maker: maker_id,
				bond: parameters.device_bond,
				onboarding_fee,
			});
			Ok(())
		}

		/// Assert a new location for a device (owner only), paying `location_fee`; allowed
		/// once every `location_update_interval` blocks. Emits `LocationUpdated`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_location())]
		pub fn update_location(
			origin: OriginFor<T>,
			device: DeviceId,
			location: H3Cell,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_location_allowed(location)?;
			let mut record = Self::owned_device(&who, &device)?;
			ensure!(
				!matches!(record.state, DeviceState::Retired { .. }),
				Error::<T>::DeviceRetired
			);
			let parameters = Parameters::<T>::get();
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= record
					.location_updated_at
					.saturating_add(parameters.location_update_interval),
				Error::<T>::LocationChangeTooSoon
			);
			Self::charge_fee(&who, parameters.location_fee)?;

			let old = record.location;
			if record.state == DeviceState::Active {
				Self::count_in_cell(&device, old, false);
				Self::count_in_cell(&device, location, true);
			}
			record.location = location;
			record.location_updated_at = now;
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::LocationUpdated {
				device,
				old,
				new: location,
				fee: parameters.location_fee,
			});
			Ok(())
		}

		/// Offer a device to `to` (owner only). Nothing moves until `to` calls
		/// `accept_transfer`; a new offer replaces an older one. Emits `TransferOffered`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::transfer_device())]
		pub fn transfer_device(
			origin: OriginFor<T>,
			device: DeviceId,
			to: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Self::owned_device(&who, &device)?;
			ensure!(
				!matches!(record.state, DeviceState::Retired { .. }),
				Error::<T>::DeviceRetired
			);
			ensure!(to != who, Error::<T>::TransferToSelf);
			PendingTransfers::<T>::insert(device, &to);
			Self::deposit_event(Event::TransferOffered { device, from: who, to });
			Ok(())
		}

		/// Accept a device offered to the caller: the device and its held bond become the
		/// caller's. The caller thereby agrees to stand behind the bond (it may be slashed).
		/// Emits `DeviceTransferred`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::accept_transfer())]
		pub fn accept_transfer(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let to = PendingTransfers::<T>::get(device).ok_or(Error::<T>::NoPendingTransfer)?;
			ensure!(to == who, Error::<T>::NotTransferRecipient);
			let mut record = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
			let owned = OwnerDeviceCount::<T>::get(&who);
			ensure!(
				owned < Parameters::<T>::get().max_devices_per_owner,
				Error::<T>::TooManyDevices
			);
			let from = record.owner.clone();
			// The bond is moved as a hold: it stays held, now from the new owner.
			T::Currency::transfer_on_hold(
				&HoldReason::DeviceBond.into(),
				&from,
				&who,
				record.bond,
				Precision::Exact,
				Restriction::OnHold,
				Fortitude::Force,
			)?;
			OwnerDevices::<T>::remove(&from, device);
			Self::decrement_owner(&from);
			OwnerDevices::<T>::insert(&who, device, ());
			OwnerDeviceCount::<T>::insert(&who, owned.saturating_add(1));
			PendingTransfers::<T>::remove(device);
			record.owner = who.clone();
			let bond = record.bond;
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::DeviceTransferred { device, from, to: who, bond });
			Ok(())
		}

		/// Withdraw a transfer offer (owner only). Emits `TransferCancelled`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_transfer())]
		pub fn cancel_transfer(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::owned_device(&who, &device)?;
			let to = PendingTransfers::<T>::take(device).ok_or(Error::<T>::NoPendingTransfer)?;
			Self::deposit_event(Event::TransferCancelled { device, to });
			Ok(())
		}

		/// Retire an active device (owner only): it stops earning at once and its bond can be
		/// withdrawn after `unbonding_period` blocks. An open transfer offer is withdrawn.
		/// Emits `DeviceRetired`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::retire_device())]
		pub fn retire_device(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Self::owned_device(&who, &device)?;
			match record.state {
				DeviceState::Active => {}
				DeviceState::Suspended { .. } => return Err(Error::<T>::DeviceSuspended.into()),
				DeviceState::Retired { .. } => return Err(Error::<T>::DeviceRetired.into()),
			}
			let unbonds_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(Parameters::<T>::get().unbonding_period);
			Self::count_in_cell(&device, record.location, false);
			record.state = DeviceState::Retired { unbonds_at };
			Devices::<T>::insert(device, record);
			if let Some(to) = PendingTransfers::<T>::take(device) {
				Self::deposit_event(Event::TransferCancelled { device, to });
			}
			Self::deposit_event(Event::DeviceRetired { device, unbonds_at });
			Ok(())
		}

		/// Release a retired device's bond once its unbonding period has passed, and remove
		/// the device (owner only). The key may then be registered again. Emits
		/// `BondWithdrawn`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Self::owned_device(&who, &device)?;
			let DeviceState::Retired { unbonds_at } = record.state else {
				return Err(Error::<T>::NotRetired.into());
			};
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unbonds_at,
				Error::<T>::StillUnbonding
			);
			let amount = T::Currency::release(
				&HoldReason::DeviceBond.into(),
				&who,
				record.bond,
				Precision::BestEffort,
			)?;
			Devices::<T>::remove(device);
			OwnerDevices::<T>::remove(&who, device);
			Self::decrement_owner(&who);
			DeviceCount::<T>::mutate(|n| *n = n.saturating_sub(1));
			Self::deposit_event(Event::BondWithdrawn { device, owner: who, amount });
			Ok(())
		}

		/// Suspend an active device (governance): it stops earning until resumed. Emits
		/// `DeviceSuspended`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::suspend_device())]
		pub fn suspend_device(
			origin: OriginFor<T>,
			device: DeviceId,
			reason: ReasonOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut record = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
			ensure!(record.state == DeviceState::Active, Error::<T>::DeviceNotActive);
			Self::count_in_cell(&device, record.location, false);
			record.state = DeviceState::Suspended {
				reason: reason.clone(),
				since: frame_system::Pallet::<T>::block_number(),
			};
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::DeviceSuspended { device, reason });
			Ok(())
		}

		/// Lift a suspension (governance). Emits `DeviceResumed`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::resume_device())]
		pub fn resume_device(origin: OriginFor<T>, device: DeviceId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut record = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
			ensure!(
				matches!(record.state, DeviceState::Suspended { .. }),
				Error::<T>::NotSuspended
			);
			Self::count_in_cell(&device, record.location, true);
			record.state = DeviceState::Active;
			Devices::<T>::insert(device, record);
			Self::deposit_event(Event::DeviceResumed { device });
			Ok(())
		}

		/// Slash up to `amount` of a device's bond to the treasury (governance), in any state
		/// (a retired device stays slashable until its bond is withdrawn). Emits
		/// `DeviceSlashed`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::slash_device())]
		pub fn slash_device(
			origin: OriginFor<T>,
			device: DeviceId,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let record = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
			let amount = amount.min(record.bond);
			ensure!(!amount.is_zero(), Error::<T>::NothingToSlash);
			Self::do_slash(&device, record, amount);
			Ok(())
		}

		/// Set the bond, fees, intervals and limits (governance). Existing devices keep the
		/// bond they were registered with. Emits `ParametersSet`.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, parameters: ParametersOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				parameters.max_devices_per_owner <= T::MaxDevicesPerOwner::get(),
				Error::<T>::ParameterOutOfBounds
			);
			Parameters::<T>::put(&parameters);
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}

		/// Require (or stop requiring) a maker certificate to register devices of `kind`
		/// (governance). Already registered devices are not affected. Emits `KindPolicySet`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::set_kind_policy())]
		pub fn set_kind_policy(
			origin: OriginFor<T>,
			kind: DeviceKind,
			requires_maker: bool,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			if requires_maker {
				KindRequiresMaker::<T>::insert(kind, true);
			} else {
				KindRequiresMaker::<T>::remove(kind);
			}
			Self::deposit_event(Event::KindPolicySet { kind, requires_maker });
			Ok(())
		}

		/// Admit a maker with its certificate key and per-device onboarding fee (governance).
		/// Emits `MakerAdded` with the new maker's id.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::add_maker())]
		pub fn add_maker(
			origin: OriginFor<T>,
			name: BoundedVec<u8, T::MaxMakerNameLen>,
			key: DeviceKey,
			#[pallet::compact] onboarding_fee: BalanceOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::insert_maker(name, key, onboarding_fee);
			Ok(())
		}

		/// Remove a maker (governance): its certificates no longer register devices; devices
		/// it onboarded stay. Emits `MakerRemoved`.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::remove_maker())]
		pub fn remove_maker(origin: OriginFor<T>, maker: MakerId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Makers::<T>::take(maker).ok_or(Error::<T>::UnknownMaker)?;
			Self::deposit_event(Event::MakerRemoved { maker });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which every signed payload is bound to. `frame_system` keeps
	/// block 0's hash forever.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
	}

	/// Weight of `register_device`: the measured base (with Ed25519 signatures) plus, for each
	/// signature of a costlier scheme, the measured difference in verification cost.
	/// A proof of another scheme than the key fails before any verification, so the key's
	/// scheme is what is charged for.
	pub fn register_weight(key: &DeviceKey, certificate: Option<&MakerCertificate>) -> Weight {
		let extra = |scheme: SignatureScheme| {
			Self::verify_weight(scheme).saturating_sub(T::WeightInfo::verify_ed25519())
		};
		match certificate {
			None => T::WeightInfo::register_device().saturating_add(extra(key.scheme())),
			Some(certificate) => T::WeightInfo::register_device_certified()
				.saturating_add(extra(key.scheme()))
				.saturating_add(extra(certificate.signature.scheme())),
		}
	}

	/// Measured weight of one signature verification in `scheme`.
	pub fn verify_weight(scheme: SignatureScheme) -> Weight {
		match scheme {
			SignatureScheme::Ed25519 => T::WeightInfo::verify_ed25519(),
			SignatureScheme::Sr25519 => T::WeightInfo::verify_sr25519(),
			SignatureScheme::EcdsaSecp256k1 => T::WeightInfo::verify_ecdsa_secp256k1(),
			SignatureScheme::EcdsaP256 => T::WeightInfo::verify_ecdsa_p256(),
		}
	}

	/// Up to `limit` active devices in `cell` (a cell at `DensityResolution`), in storage
	/// order, after `start_after` when given.
	pub fn devices_in_cell(
		cell: H3Cell,
		start_after: Option<DeviceId>,
		limit: u32,
	) -> Vec<DeviceId> {
		let limit = limit as usize;
		match start_after {
			Some(after) => CellDevices::<T>::iter_key_prefix_from(
				cell,
				CellDevices::<T>::hashed_key_for(cell, after),
			)
			.take(limit)
			.collect(),
			None => CellDevices::<T>::iter_key_prefix(cell).take(limit).collect(),
		}
	}

	/// Up to `limit` devices of `owner`, in storage order, starting after `start_after`
	/// (exclusive) when given: the registry's paging for RPCs and dashboards.
	pub fn devices_of(
		owner: &T::AccountId,
		start_after: Option<DeviceId>,
		limit: u32,
	) -> Vec<DeviceId> {
		let limit = limit as usize;
		match start_after {
			Some(after) => OwnerDevices::<T>::iter_key_prefix_from(
				owner,
				OwnerDevices::<T>::hashed_key_for(owner, after),
			)
			.take(limit)
			.collect(),
			None => OwnerDevices::<T>::iter_key_prefix(owner).take(limit).collect(),
		}
	}

	fn ensure_location_allowed(location: H3Cell) -> DispatchResult {
		let resolution = location.resolution().ok_or(Error::<T>::InvalidLocation)?;
		ensure!(
			(T::MinLocationResolution::get()..=T::MaxLocationResolution::get())
				.contains(&resolution),
			Error::<T>::LocationResolutionNotAllowed
		);
		Ok(())
	}

	fn owned_device(
		who: &T::AccountId,
		device: &DeviceId,
	) -> Result<DeviceRecordOf<T>, DispatchError> {
		let record = Devices::<T>::get(device).ok_or(Error::<T>::UnknownDevice)?;
		ensure!(&record.owner == who, Error::<T>::NotOwner);
		Ok(record)
	}

	/// Takes `fee` from `who` (keeping the existential deposit) for the treasury.
	fn charge_fee(who: &T::AccountId, fee: BalanceOf<T>) -> DispatchResult {
		if fee.is_zero() {
			return Ok(());
		}
		let credit = T::Currency::withdraw(
			who,
			fee,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Revenue::on_unbalanced(credit);
		Ok(())
	}

	fn decrement_owner(who: &T::AccountId) {
		OwnerDeviceCount::<T>::mutate_exists(who, |n| {
			let left = n.unwrap_or(0).saturating_sub(1);
			*n = if left == 0 { None } else { Some(left) };
		});
	}

	/// Adds (`add`) or removes `device`, active, in the density cell containing `location`.
	/// Records a new device of `owner` (its bond already held) under the next device index,
	/// and spends its key's registration proof.
	fn insert_device(
		owner: &T::AccountId,
		key: DeviceKey,
		kind: DeviceKind,
		location: H3Cell,
		metadata: MetadataOf<T>,
		maker: Option<MakerId>,
		bond: BalanceOf<T>,
	) {
		let device = key.device_id();
		let index = NextDeviceIndex::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		Devices::<T>::insert(
			device,
			DeviceRecord {
				index,
				owner: owner.clone(),
				key,
				kind,
				location,
				metadata,
				maker,
				bond,
				state: DeviceState::Active,
				registered_at: now,
				location_updated_at: now,
			},
		);
		NextDeviceIndex::<T>::put(index.saturating_add(1));
		// Spends the proof: the next registration of this key must sign the new count.
		// (Never saturates: a key's count is at most the registrations ever made, which
		// `NextDeviceIndex` caps at `u32::MAX`, so no registration signs `u32::MAX`.)
		KeyRegistrations::<T>::mutate(device, |count| *count = count.saturating_add(1));
		OwnerDevices::<T>::insert(owner, device, ());
		OwnerDeviceCount::<T>::mutate(owner, |count| *count = count.saturating_add(1));
		DeviceCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::count_in_cell(&device, location, true);
	}

	fn count_in_cell(device: &DeviceId, location: H3Cell, add: bool) {
		let Some(cell) = location.parent(T::DensityResolution::get()) else { return };
		if add {
			CellDevices::<T>::insert(cell, device, ());
		} else {
			CellDevices::<T>::remove(cell, device);
		}
		CellDeviceCount::<T>::mutate_exists(cell, |n| {
			let current = n.unwrap_or(0);
			let next = if add { current.saturating_add(1) } else { current.saturating_sub(1) };
			*n = if next == 0 { None } else { Some(next) };
		});
	}

	fn insert_maker(
		name: BoundedVec<u8, T::MaxMakerNameLen>,
		key: DeviceKey,
		onboarding_fee: BalanceOf<T>,
	) -> MakerId {
		let maker = NextMakerId::<T>::mutate(|next| {
			let id = *next;
			*next = next.saturating_add(1);
			id
		});
		Makers::<T>::insert(
			maker,
			Maker { name, key: key.clone(), onboarding_fee, devices_onboarded: 0 },
		);
		Self::deposit_event(Event::MakerAdded { maker, key, onboarding_fee });
		maker
	}

	/// The registry's invariants: counts match records, every device is indexed under its
	/// owner, every device's key has been counted as registered, density counts match active
	/// devices, and each owner's held bonds equal the sum of their devices' bonds.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::fungible::InspectHold;
		let mut devices = 0u32;
		let mut per_owner: BTreeMap<T::AccountId, (u32, BalanceOf<T>)> = BTreeMap::new();
		let mut per_cell: BTreeMap<H3Cell, u32> = BTreeMap::new();
		for (id, record) in Devices::<T>::iter() {
			devices += 1;
			ensure!(record.key.device_id() == id, "device id is not the hash of its key");
			ensure!(
				KeyRegistrations::<T>::get(id) >= 1,
				"registered device whose key has no registration counted"
			);
			ensure!(
				OwnerDevices::<T>::contains_key(&record.owner, id),
				"device missing from its owner's index"
			);
			let entry = per_owner.entry(record.owner.clone()).or_insert((0, Zero::zero()));
			entry.0 += 1;
			entry.1 = entry.1.saturating_add(record.bond);
			if record.state == DeviceState::Active {
				if let Some(cell) = record.location.parent(T::DensityResolution::get()) {
					*per_cell.entry(cell).or_default() += 1;
				}
			}
		}
		ensure!(DeviceCount::<T>::get() == devices, "DeviceCount differs from Devices");
		let next_index = NextDeviceIndex::<T>::get();
		let mut indexes = alloc::collections::BTreeSet::new();
		for (_, record) in Devices::<T>::iter() {
			ensure!(record.index < next_index, "device index not below NextDeviceIndex");
			ensure!(indexes.insert(record.index), "two devices share an index");
		}
		ensure!(
			OwnerDevices::<T>::iter_keys().count() as u32 == devices,
			"OwnerDevices has entries without a device"
		);
		ensure!(
			OwnerDeviceCount::<T>::iter().count() == per_owner.len(),
			"OwnerDeviceCount has owners without devices"
		);
		for (owner, (count, bonds)) in per_owner {
			ensure!(OwnerDeviceCount::<T>::get(&owner) == count, "OwnerDeviceCount is wrong");
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::DeviceBond.into(), &owner) == bonds,
				"held bonds differ from the sum of device bonds"
			);
		}
		ensure!(
			CellDeviceCount::<T>::iter().collect::<BTreeMap<_, _>>() == per_cell,
			"CellDeviceCount differs from active devices per cell"
		);
		let mut listed = BTreeMap::<H3Cell, u32>::new();
		for (cell, device, ()) in CellDevices::<T>::iter() {
			let record = Devices::<T>::get(device).ok_or("a cell lists an unknown device")?;
			ensure!(record.state == DeviceState::Active, "a cell lists an inactive device");
			ensure!(
				record.location.parent(T::DensityResolution::get()) == Some(cell),
				"a cell lists a device located elsewhere"
			);
			*listed.entry(cell).or_default() += 1;
		}
		ensure!(listed == per_cell, "CellDevices differs from active devices per cell");
		for (device, _) in PendingTransfers::<T>::iter() {
			let record = Devices::<T>::get(device).ok_or("transfer offer for an unknown device")?;
			ensure!(
				!matches!(record.state, DeviceState::Retired { .. }),
				"transfer offer for a retired device"
			);
		}
		Ok(())
	}
}
