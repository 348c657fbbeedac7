//! # Service payments
//!
//! ## Overview
//!
//! The demand side of the network: consumers pay for the service devices deliver, and what
//! they pay closes the token economy's loop. Consumers burn tokens for **service credits**,
//! lock credits in a **payment channel** to a device, and sign cumulative **usage receipts**
//! off-chain as they are served; the device's owner settles the newest receipt on chain.
//! Settled usage is reported to rewards ([`depin_primitives::UsageSink`]), whose
//! data-transfer pool pays devices by it: tokens burned by consumers, tokens minted to
//! providers.
//!
//! ## Terminology
//!
//! - **Credits**: non-transferable units of service ([`depin_primitives::Credits`]), bought
//!   with [`Pallet::buy_credits`] by burning tokens at the governance-set price
//!   ([`ServiceParameters::credits_per_token`]), for oneself or a beneficiary (e.g. a dApp's
//!   service account). Like Helium's data credits, they only buy service.
//! - **Backing**: the tokens a consumer burned for the credits it still holds. Each
//!   account's credits carry their own backing ([`CreditAccount`]) and a channel carries the
//!   backing of the credits deposited in it; [`CreditSupply`] is only the sum over all of
//!   them. Credits that leave an account or a channel take `backing · moved / credits` of it
//!   (their holder's own average price, rounded down; the last credit takes what is left).
//!   Spent credits' share of their channel's backing is their **value**: what they were
//!   bought for by that consumer, whatever others paid or the price is now.
//! - **Channel**: credits locked by a consumer for one device until an expiry block, with
//!   their backing ([`PaymentChannel`]); at most `MaxOpenChannels` per consumer.
//! - **Receipt**: the consumer's signature over `(genesis hash, channel, cumulative credits)`
//!   ([`depin_primitives::UsageReceipt`], bytes in [`depin_primitives::payment`]). Receipts
//!   are cumulative, so only the newest matters and an older one can never be replayed.
//! - **Settlement**: the device's owner presents a receipt; the credits owed since the last
//!   settlement are spent: `revenue_share` of their value is minted to the treasury, the rest
//!   stays burned, and the device's usage (credits and value) counts for the epoch in
//!   rewards' data-transfer pool.
//! - **Closing**: after expiry and a settlement grace period anyone may close a channel; what
//!   was not settled returns to the consumer's credits with its remaining backing.
//!
//! ## Burn and mint
//!
//! A consumer burns `B` tokens for credits; when they are spent the treasury is minted
//! `revenue_share · B` and devices share at most `B` from the epoch's data-transfer pool (see
//! `pallet-rewards`). Paying oneself for service therefore never profits: it burns `B`, gets
//! back at most `B`, and leaves the revenue share to the treasury plus the fees.
//!
//! That holds because credits are valued at their own consumer's backing. Were they valued
//! at the average backing of all outstanding credits, a consumer who bought cheap credits
//! before a price change could spend them on its own device at the average that includes
//! others' expensive ones, and be paid more than it burned. Every share is rounded down and
//! the last credit of an account or channel takes the rest, so a consumer's credits are never
//! valued above what it burned for them and no backing is ever left without credits.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod impl_channels;
mod impl_credits;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use depin_primitives::{
	ChannelId, Credits, DeviceId, DeviceInspect, EpochClock, UsageReceipt, UsageSink,
};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
};
use frame_system::pallet_prelude::*;
use sp_runtime::traits::{IdentifyAccount, StaticLookup, Verify};

/// The runtime's balance type.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A channel with the runtime's types.
pub type PaymentChannelOf<T> =
	PaymentChannel<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, BalanceOf<T>>;
/// An account's credits and backing with the runtime's balance.
pub type CreditAccountOf<T> = CreditAccount<BalanceOf<T>>;
/// A usage receipt with the runtime's types.
pub type UsageReceiptOf<T> =
	UsageReceipt<<T as frame_system::Config>::Hash, <T as Config>::Signature>;
/// The credit supply with the runtime's balance.
pub type CreditSupplyOf<T> = CreditSupply<BalanceOf<T>>;
/// The totals with the runtime's balance.
pub type PaymentTotalsOf<T> = PaymentTotals<BalanceOf<T>>;
type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

/// How benchmarks set up devices, epochs and signed receipts (only with `runtime-benchmarks`).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// Registers an active device owned by `owner` (funding them as needed).
	fn register_device(owner: &AccountId, seed: u32) -> DeviceId;

	/// Makes sure an epoch is in progress.
	fn start_epoch();

	/// An account whose key the helper holds, to sign receipts with.
	fn consumer() -> AccountId;

	/// `message` signed by [`BenchmarkHelper::consumer`]'s key.
	fn sign(message: &[u8]) -> Signature;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of service payments.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The native token: burned for credits, minted to the treasury as revenue.
		type Currency: Mutate<Self::AccountId>;

		/// Signatures of consumers' receipts: by the consumer's account key.
		type Signature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter
			+ MaxEncodedLen;

		/// The device registry, read through its trait.
		type Devices: DeviceInspect<Self::AccountId>;

		/// The epoch clock (proof of coverage): usage counts in the epoch it is settled in.
		type Epochs: EpochClock;

		/// Where settled usage is reported (rewards' data-transfer pool).
		type Usage: UsageSink<BalanceOf<Self>>;

		/// The treasury's account: receives the revenue share of spent credits.
		type TreasuryAccount: Get<Self::AccountId>;

		/// Origin that sets the credit price and the revenue share.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Plancks in one whole token: the price is in credits per token.
		#[pallet::constant]
		type TokenUnit: Get<BalanceOf<Self>>;

		/// Parameters until governance sets some.
		type DefaultParameters: Get<ServiceParameters>;

		/// Most channels a consumer may have open at once.
		#[pallet::constant]
		type MaxOpenChannels: Get<u32>;

		/// Longest a channel may run: `expires_at` at most this many blocks ahead.
		#[pallet::constant]
		type MaxChannelLifetime: Get<BlockNumberFor<Self>>;

		/// Blocks after a channel's expiry in which its last receipt can still be settled;
		/// the channel can be closed after them.
		#[pallet::constant]
		type SettlementGrace: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet.
		type WeightInfo: WeightInfo;

		/// Sets up devices, epochs and signatures for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::Signature>;
	}

	#[pallet::type_value]
	pub fn DefaultParametersValue<T: Config>() -> ServiceParameters {
		T::DefaultParameters::get()
	}

	/// The credit price and revenue share in force.
	#[pallet::storage]
	pub type Parameters<T: Config> =
		StorageValue<_, ServiceParameters, ValueQuery, DefaultParametersValue<T>>;

	/// Each account's credits not locked in a channel, and the tokens burned for them (the
	/// account's own backing, which its credits take with them wherever they go). Absent:
	/// none.
	#[pallet::storage]
	pub type CreditBalances<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CreditAccountOf<T>, ValueQuery>;

	/// All outstanding credits and the tokens burned for them: the sums over every account
	/// and channel (spent credits are valued at their own channel's backing, not at this
	/// average).
	#[pallet::storage]
	pub type Supply<T: Config> = StorageValue<_, CreditSupplyOf<T>, ValueQuery>;

	/// Open channels (and expired ones not closed yet), each with the backing of its
	/// unsettled credits.
	#[pallet::storage]
	pub type Channels<T: Config> =
		StorageMap<_, Twox64Concat, ChannelId, PaymentChannelOf<T>, OptionQuery>;

	/// The id the next channel gets.
	#[pallet::storage]
	pub type NextChannelId<T: Config> = StorageValue<_, ChannelId, ValueQuery>;

	/// The channels each consumer has open (not closed yet).
	#[pallet::storage]
	pub type ConsumerChannels<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<ChannelId, T::MaxOpenChannels>,
		ValueQuery,
	>;

	/// What was burned, spent and minted as revenue.
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, PaymentTotalsOf<T>, ValueQuery>;

	/// Genesis: the parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters; `None` keeps `Config::DefaultParameters`.
		pub parameters: Option<ServiceParameters>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(parameters) = self.parameters {
				assert!(!parameters.credits_per_token.is_zero(), "credit price is zero");
				Parameters::<T>::put(parameters);
			}
		}
	}

	/// What happened in service payments.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Tokens were burned for credits.
		CreditsBought {
			/// Who paid (and burned).
			buyer: T::AccountId,
			/// Who received the credits.
			beneficiary: T::AccountId,
			/// Tokens burned.
			burned: BalanceOf<T>,
			/// Credits received.
			credits: Credits,
		},
		/// A consumer opened a channel to a device.
		ChannelOpened {
			/// The channel's id: receipts name it.
			channel: ChannelId,
			/// Who pays.
			consumer: T::AccountId,
			/// The device that serves.
			device: DeviceId,
			/// Credits locked.
			deposit: Credits,
			/// Their share of the consumer's backing, moved into the channel with them: the
			/// most the credits can be valued at when settled.
			backing: BalanceOf<T>,
			/// The last block of service paid through it.
			expires_at: BlockNumberFor<T>,
		},
		/// A consumer added credits to a channel or extended it.
		ChannelToppedUp {
			/// The channel.
			channel: ChannelId,
			/// Credits added.
			added: Credits,
			/// Credits deposited in all.
			deposit: Credits,
			/// The backing of the channel's unsettled credits now (the added credits' share
			/// of the consumer's backing included).
			backing: BalanceOf<T>,
			/// The channel's expiry now.
			expires_at: BlockNumberFor<T>,
		},
		/// A provider settled a receipt: credits spent, revenue minted, usage reported.
		ChannelSettled {
			/// The channel.
			channel: ChannelId,
			/// The device that served.
			device: DeviceId,
			/// The device's owner, who settled.
			provider: T::AccountId,
			/// Credits spent by this settlement (the receipt's amount minus the last one's).
			credits: Credits,
			/// The receipt's cumulative amount.
			cumulative: Credits,
			/// The tokens the consumer burned for those credits (their share of the channel's
			/// backing, rounded down): the usage's value in rewards.
			value: BalanceOf<T>,
			/// Minted to the treasury (the revenue share of `value`).
			revenue: BalanceOf<T>,
			/// The epoch the usage counts in.
			epoch: depin_primitives::EpochIndex,
		},
		/// A channel was closed: what was not settled went back to the consumer.
		ChannelClosed {
			/// The channel.
			channel: ChannelId,
			/// Its consumer.
			consumer: T::AccountId,
			/// Credits returned to the consumer.
			refunded: Credits,
			/// Their backing, returned with them to the consumer's account.
			backing: BalanceOf<T>,
		},
		/// Governance set the credit price and revenue share.
		ParametersSet {
			/// The parameters now in force.
			parameters: ServiceParameters,
		},
	}

	/// Why a service-payments call failed.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount buys no credit at the current price: burn more.
		AmountTooSmall,
		/// The caller cannot burn that much (balance below the amount plus what keeps the
		/// account alive).
		InsufficientBalance,
		/// The account has fewer credits than the call needs.
		InsufficientCredits,
		/// A channel needs a positive deposit.
		ZeroDeposit,
		/// The device is not registered.
		UnknownDevice,
		/// The device is suspended or retired: it can neither be opened to nor settle.
		DeviceNotActive,
		/// The consumer already has `MaxOpenChannels` channels open: close one first.
		TooManyChannels,
		/// The expiry must be a future block.
		ExpiryNotInFuture,
		/// The expiry is further than `MaxChannelLifetime` blocks ahead.
		ExpiryTooFar,
		/// A top-up cannot move the expiry earlier.
		ExpiryEarlier,
		/// No channel has this id (it may have been closed).
		UnknownChannel,
		/// Only the channel's consumer can do this.
		NotConsumer,
		/// Only the owner of the channel's device can settle.
		NotProvider,
		/// The channel has expired: it can no longer be topped up.
		ChannelExpired,
		/// The channel's settlement grace period is over: it can only be closed.
		SettlementClosed,
		/// The receipt was made for another chain (its genesis hash is not this chain's).
		WrongChain,
		/// The receipt was made for another channel.
		WrongChannel,
		/// The receipt's signature is not the consumer's over its payload.
		BadReceiptSignature,
		/// The receipt is not newer than the last one settled (a replay or an old receipt):
		/// only a larger cumulative amount can be settled.
		StaleReceipt,
		/// The receipt asks for more credits than the channel holds.
		ReceiptExceedsDeposit,
		/// The channel's settlement grace period is not over: it cannot be closed yet.
		ChannelStillOpen,
		/// No epoch has started yet, so usage has nowhere to count.
		EpochNotStarted,
		/// The credit price must be positive.
		ZeroPrice,
		/// An amount overflowed.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				!T::DefaultParameters::get().credits_per_token.is_zero(),
				"DefaultParameters' credit price is zero"
			);
			assert!(T::MaxOpenChannels::get() > 0, "MaxOpenChannels must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Burns `amount` of the caller's tokens for service credits at the current price,
		/// credited to `beneficiary` (the caller when `None`) and backed there by the `amount`
		/// burned: what they are worth when spent. The caller's account must stay alive.
		///
		/// Emits `CreditsBought`. Fails with `AmountTooSmall` if `amount` buys no credit,
		/// `InsufficientBalance` if the caller cannot burn it.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::buy_credits())]
		pub fn buy_credits(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
			beneficiary: Option<AccountIdLookupOf<T>>,
		) -> DispatchResult {
			let buyer = ensure_signed(origin)?;
			let beneficiary = match beneficiary {
				Some(target) => T::Lookup::lookup(target)?,
				None => buyer.clone(),
			};
			Self::do_buy_credits(buyer, beneficiary, amount)
		}

		/// Opens a channel from the caller to `device`, locking `deposit` of the caller's
		/// credits until block `expires_at` (future, at most `MaxChannelLifetime` ahead). The
		/// credits take their share of the caller's backing into the channel (the caller's own
		/// average price, rounded down; all of it with the last credit).
		///
		/// Emits `ChannelOpened` with the channel's id, which receipts name.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::open_channel())]
		pub fn open_channel(
			origin: OriginFor<T>,
			device: DeviceId,
			deposit: Credits,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			Self::do_open_channel(consumer, device, deposit, expires_at)
		}

		/// Adds `credits` of the caller's credits to its channel and, with `extend_to`, moves
		/// the channel's expiry later (at most `MaxChannelLifetime` ahead). Only before expiry.
		/// The added credits bring their share of the caller's backing, so the channel's
		/// credits are then worth the caller's blended price.
		///
		/// Emits `ChannelToppedUp`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			credits: Credits,
			extend_to: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let consumer = ensure_signed(origin)?;
			Self::do_top_up(consumer, channel, credits, extend_to)
		}

		/// Settles `receipt` on `channel`: the caller must own the channel's device, which
		/// must be active; the receipt must be for this chain and this channel, signed by the
		/// consumer, and newer (larger) than the last one settled, within the deposit. Allowed
		/// until `SettlementGrace` blocks after expiry.
		///
		/// The credits owed since the last settlement are spent. Their value is their share of
		/// the channel's backing (rounded down; the channel's last credits take all that is
		/// left): never more than the consumer burned for them. The revenue share of the value
		/// is minted to the treasury and the device's usage (credits and value) is reported to
		/// rewards for the current epoch. Emits `ChannelSettled`.
		#[pallet::call_index(3)]
		// The benchmark reports usage for a device with an empty rewards ledger; the sink's
		// worst case (settling the device's oldest epoch on the way) is charged on top.
		#[pallet::weight(T::WeightInfo::settle().saturating_add(T::Usage::usage_settled_weight()))]
		pub fn settle(
			origin: OriginFor<T>,
			channel: ChannelId,
			receipt: UsageReceiptOf<T>,
		) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			Self::do_settle(provider, channel, receipt)
		}

		/// Closes `channel` once its settlement grace period is over (anyone may: the refund
		/// always goes to the consumer). What was not settled returns to the consumer's
		/// credits with the channel's remaining backing.
		///
		/// Emits `ChannelClosed`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::close())]
		pub fn close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close(channel)
		}

		/// Sets the credit price and the revenue share (governance). Credits already bought
		/// keep their backing: the price applies to new purchases, and a consumer's credits
		/// are always valued at what that consumer burned for them.
		///
		/// Emits `ParametersSet`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(
			origin: OriginFor<T>,
			parameters: ServiceParameters,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!parameters.credits_per_token.is_zero(), Error::<T>::ZeroPrice);
			Parameters::<T>::put(parameters);
			Self::deposit_event(Event::ParametersSet { parameters });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's genesis hash, which receipts must name.
	pub fn genesis_hash() -> T::Hash {
		frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::default())
	}

	/// The pallet's invariants: no empty account is stored; every account and channel has
	/// backing only while it has credits; the outstanding credits and their backing are
	/// exactly the sums of those in accounts and in channels; every token burned is either
	/// still backing credits or was spent; revenue never exceeds what was spent; every channel
	/// is listed under its consumer.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::traits::{Saturating, Zero};
		let mut credits: Credits = 0;
		let mut backing = BalanceOf::<T>::zero();
		for account in CreditBalances::<T>::iter_values() {
			ensure!(account.credits > 0, "an account without credits is stored");
			credits = credits.saturating_add(account.credits);
			backing = backing.saturating_add(account.backing);
		}
		for (id, channel) in Channels::<T>::iter() {
			ensure!(channel.settled <= channel.deposit, "a channel settled beyond its deposit");
			ensure!(
				channel.remaining() > 0 || channel.backing.is_zero(),
				"a channel has backing but no credits"
			);
			ensure!(
				ConsumerChannels::<T>::get(&channel.consumer).contains(&id),
				"a channel missing from its consumer's list"
			);
			credits = credits.saturating_add(channel.remaining());
			backing = backing.saturating_add(channel.backing);
		}
		let supply = Supply::<T>::get();
		ensure!(
			supply.outstanding == credits,
			"outstanding credits != credits in accounts + in channels"
		);
		ensure!(
			supply.backing == backing,
			"outstanding backing != backing of accounts + of channels"
		);
		let totals = Totals::<T>::get();
		ensure!(
			totals.burned == supply.backing.saturating_add(totals.spent_value),
			"burned != backing + spent value"
		);
		ensure!(totals.revenue <= totals.spent_value, "revenue above the spent value");
		Ok(())
	}
}
