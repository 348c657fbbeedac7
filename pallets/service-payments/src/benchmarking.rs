//! Benchmarks of every call in its worst case: the consumer's channel list as full as it may
//! be, a settlement that verifies a real signature, mints revenue and reports usage.

use super::*;
use crate::Pallet as ServicePayments;
use depin_primitives::{payment::UsageReceiptPayload, SignedPayload};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use sp_runtime::{
	traits::{Saturating, Zero},
	FixedU128, Perbill,
};

/// Gives `who` tokens and at least `credits` credits (1,000 tokens' worth, bought the normal
/// way).
fn fund<T: Config>(who: &T::AccountId, credits: Credits) {
	let unit = T::TokenUnit::get();
	let _ = T::Currency::mint_into(who, unit.saturating_mul(2_000u32.into()));
	let amount = unit.saturating_mul(1_000u32.into());
	assert!(ServicePayments::<T>::do_buy_credits(who.clone(), who.clone(), amount).is_ok());
	assert!(CreditBalances::<T>::get(who).credits >= credits, "funded with enough credits");
}

/// A device of a provider, and `consumer`'s channel list filled up to one short of the bound.
fn provider_and_channels<T: Config>(consumer: &T::AccountId) -> DeviceId {
	let provider: T::AccountId = account("provider", 0, 0);
	let device = T::BenchmarkHelper::register_device(&provider, 0);
	let max = T::MaxOpenChannels::get();
	fund::<T>(consumer, 10_000);
	let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
	for _ in 1..max {
		assert!(
			ServicePayments::<T>::do_open_channel(consumer.clone(), device, 1, expires_at).is_ok()
		);
	}
	device
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Burning tokens for a beneficiary's credits.
	#[benchmark]
	fn buy_credits() {
		let buyer: T::AccountId = whitelisted_caller();
		let _ = T::Currency::mint_into(&buyer, T::TokenUnit::get().saturating_mul(1_000u32.into()));
		let beneficiary: T::AccountId = account("beneficiary", 0, 0);
		let lookup = T::Lookup::unlookup(beneficiary.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(buyer), T::TokenUnit::get(), Some(lookup));
		assert!(CreditBalances::<T>::get(&beneficiary).credits > 0);
	}

	/// Opening the consumer's last allowed channel.
	#[benchmark]
	fn open_channel() {
		let consumer: T::AccountId = whitelisted_caller();
		let device = provider_and_channels::<T>(&consumer);
		let expires_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MaxChannelLifetime::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), device, 100, expires_at);
		assert_eq!(ConsumerChannels::<T>::get(&consumer).len() as u32, T::MaxOpenChannels::get());
	}

	/// Adding credits and extending the expiry.
	#[benchmark]
	fn top_up() {
		let consumer: T::AccountId = whitelisted_caller();
		let device = provider_and_channels::<T>(&consumer);
		let now = frame_system::Pallet::<T>::block_number();
		let id = NextChannelId::<T>::get();
		assert!(ServicePayments::<T>::do_open_channel(
			consumer.clone(),
			device,
			100,
			now.saturating_add(1u32.into())
		)
		.is_ok());
		let extend_to = now.saturating_add(T::MaxChannelLifetime::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer), id, 100, Some(extend_to));
		let channel = Channels::<T>::get(id).expect("the channel is open");
		assert_eq!(channel.deposit, 200);
		assert!(channel.backing > Zero::zero(), "the top-up brought backing");
	}

	/// Settling a receipt: its signature verified, credits spent, revenue minted to the
	/// treasury, usage reported to rewards.
	#[benchmark]
	fn settle() {
		T::BenchmarkHelper::start_epoch();
		Parameters::<T>::mutate(|p| p.revenue_share = Perbill::from_percent(50));
		let consumer = T::BenchmarkHelper::consumer();
		let provider: T::AccountId = account("provider", 0, 0);
		let device = T::BenchmarkHelper::register_device(&provider, 0);
		fund::<T>(&consumer, 1_000);
		let id = NextChannelId::<T>::get();
		let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
		assert!(ServicePayments::<T>::do_open_channel(consumer.clone(), device, 1_000, expires_at)
			.is_ok());
		let payload = UsageReceiptPayload {
			genesis_hash: ServicePayments::<T>::genesis_hash(),
			channel: id,
			cumulative: 500,
		};
		let signature = T::BenchmarkHelper::sign(&payload.signing_bytes());
		let receipt = UsageReceipt { payload, signature };
		#[extrinsic_call]
		_(RawOrigin::Signed(provider), id, receipt);
		assert_eq!(Channels::<T>::get(id).map(|c| c.settled), Some(500));
		assert!(Totals::<T>::get().spent_value > Zero::zero(), "valued at its backing");
		assert!(Totals::<T>::get().revenue > Zero::zero());
	}

	/// Closing a channel with credits to refund, from a full channel list.
	#[benchmark]
	fn close() {
		let consumer: T::AccountId = whitelisted_caller();
		let device = provider_and_channels::<T>(&consumer);
		let id = NextChannelId::<T>::get();
		let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
		assert!(ServicePayments::<T>::do_open_channel(consumer.clone(), device, 100, expires_at)
			.is_ok());
		frame_system::Pallet::<T>::set_block_number(
			expires_at.saturating_add(T::SettlementGrace::get()).saturating_add(1u32.into()),
		);
		let before = CreditBalances::<T>::get(&consumer);
		#[extrinsic_call]
		_(RawOrigin::Signed(consumer.clone()), id);
		assert!(Channels::<T>::get(id).is_none());
		let after = CreditBalances::<T>::get(&consumer);
		assert_eq!(after.credits, before.credits.saturating_add(100), "refunded");
		assert!(after.backing > before.backing, "refunded with its backing");
	}

	/// Setting the parameters.
	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let parameters = ServiceParameters {
			credits_per_token: FixedU128::from_u32(1_000),
			revenue_share: Perbill::from_percent(30),
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, parameters);
		assert_eq!(Parameters::<T>::get(), parameters);
		Ok(())
	}

	impl_benchmark_test_suite!(ServicePayments, crate::mock::new_test_ext(), crate::mock::Test);
}
