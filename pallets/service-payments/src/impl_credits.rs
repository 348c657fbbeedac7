//! Credits: bought by burning tokens, held by accounts, spent at their average backing.

use crate::{BalanceOf, Config, CreditBalances, Error, Event, Pallet, Parameters, Supply, Totals};
use depin_primitives::Credits;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_runtime::traits::{Saturating, UniqueSaturatedInto, Zero};

impl<T: Config> Pallet<T> {
	/// Burns `amount` of `buyer`'s tokens and credits `beneficiary` with what they buy.
	pub(crate) fn do_buy_credits(
		buyer: T::AccountId,
		beneficiary: T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let unit: u128 = T::TokenUnit::get().unique_saturated_into();
		let credits = Parameters::<T>::get()
			.credits_for(amount.unique_saturated_into(), unit)
			.ok_or(Error::<T>::Overflow)?;
		ensure!(credits > 0, Error::<T>::AmountTooSmall);
		let mut supply = Supply::<T>::get();
		supply.outstanding = supply.outstanding.checked_add(credits).ok_or(Error::<T>::Overflow)?;
		supply.backing = supply.backing.saturating_add(amount);
		T::Currency::burn_from(
			&buyer,
			amount,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		Supply::<T>::put(supply);
		CreditBalances::<T>::mutate(&beneficiary, |balance| {
			*balance = balance.saturating_add(credits)
		});
		Totals::<T>::mutate(|totals| {
			totals.burned = totals.burned.saturating_add(amount);
			totals.credits_bought = totals.credits_bought.saturating_add(credits);
		});
		Self::deposit_event(Event::CreditsBought { buyer, beneficiary, burned: amount, credits });
		Ok(())
	}

	/// Takes `credits` from `who`'s balance (into a channel).
	pub(crate) fn take_credits(who: &T::AccountId, credits: Credits) -> DispatchResult {
		CreditBalances::<T>::try_mutate_exists(who, |balance| {
			let left =
				balance.unwrap_or(0).checked_sub(credits).ok_or(Error::<T>::InsufficientCredits)?;
			*balance = (left > 0).then_some(left);
			Ok(())
		})
	}

	/// Gives `credits` back to `who`'s balance (from a channel).
	pub(crate) fn return_credits(who: &T::AccountId, credits: Credits) {
		if credits > 0 {
			CreditBalances::<T>::mutate(who, |balance| *balance = balance.saturating_add(credits));
		}
	}

	/// Spends `credits` (leaving the supply): returns their value, of which the revenue
	/// share, also returned, is minted to the treasury.
	pub(crate) fn spend_credits(credits: Credits) -> (BalanceOf<T>, BalanceOf<T>) {
		let mut supply = Supply::<T>::get();
		let value = supply.value_of(credits);
		supply.outstanding = supply.outstanding.saturating_sub(credits);
		supply.backing = supply.backing.saturating_sub(value);
		Supply::<T>::put(supply);
		let share = Parameters::<T>::get().revenue_share.mul_floor(value);
		// The treasury exists (rewards' genesis), so any amount can be minted into it; if
		// minting fails the share simply stays burned.
		let revenue = if share.is_zero() {
			share
		} else {
			T::Currency::mint_into(&T::TreasuryAccount::get(), share)
				.map_or_else(|_| Zero::zero(), |_| share)
		};
		Totals::<T>::mutate(|totals| {
			totals.credits_spent = totals.credits_spent.saturating_add(credits);
			totals.spent_value = totals.spent_value.saturating_add(value);
			totals.revenue = totals.revenue.saturating_add(revenue);
		});
		(value, revenue)
	}

	/// An account's credits not locked in a channel.
	pub fn credits_of(who: &T::AccountId) -> Credits {
		CreditBalances::<T>::get(who)
	}
}
