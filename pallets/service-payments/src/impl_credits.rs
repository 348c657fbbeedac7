//! Credits: bought by burning tokens, held by accounts with their own backing, spent at the
//! backing their consumer burned for them.

use crate::{
	BalanceOf, Config, CreditAccountOf, CreditBalances, Error, Event, Pallet, Parameters, Supply,
	Totals,
};
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
	/// Burns `amount` of `buyer`'s tokens and credits `beneficiary` with what they buy, backed
	/// by the `amount` burned.
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
		let mut account = CreditBalances::<T>::get(&beneficiary);
		account.deposit(credits, amount).ok_or(Error::<T>::Overflow)?;
		T::Currency::burn_from(
			&buyer,
			amount,
			Preservation::Preserve,
			Precision::Exact,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		Supply::<T>::put(supply);
		CreditBalances::<T>::insert(&beneficiary, account);
		Totals::<T>::mutate(|totals| {
			totals.burned = totals.burned.saturating_add(amount);
			totals.credits_bought = totals.credits_bought.saturating_add(credits);
		});
		Self::deposit_event(Event::CreditsBought { buyer, beneficiary, burned: amount, credits });
		Ok(())
	}

	/// Takes `credits` from `who`'s balance (into a channel) with their share of `who`'s
	/// backing (rounded down; all of it with the last credit), which it returns.
	pub(crate) fn take_credits(
		who: &T::AccountId,
		credits: Credits,
	) -> Result<BalanceOf<T>, DispatchError> {
		CreditBalances::<T>::try_mutate_exists(who, |stored| {
			let mut account = stored.take().unwrap_or_default();
			let backing = account.withdraw(credits).ok_or(Error::<T>::InsufficientCredits)?;
			*stored = (account.credits > 0).then_some(account);
			Ok(backing)
		})
	}

	/// Gives `credits` and their `backing` back to `who`'s balance (from a channel).
	pub(crate) fn return_credits(who: &T::AccountId, credits: Credits, backing: BalanceOf<T>) {
		if credits > 0 {
			// Both were taken from the credit supply, whose totals bound them: neither can
			// overflow.
			CreditBalances::<T>::mutate(who, |account| {
				account.credits = account.credits.saturating_add(credits);
				account.backing = account.backing.saturating_add(backing);
			});
		}
	}

	/// Spends `credits` worth `value` (their share of their channel's backing), which leave
	/// the supply; the revenue share of `value` is minted to the treasury and returned.
	pub(crate) fn spend_credits(credits: Credits, value: BalanceOf<T>) -> BalanceOf<T> {
		Supply::<T>::mutate(|supply| {
			supply.outstanding = supply.outstanding.saturating_sub(credits);
			supply.backing = supply.backing.saturating_sub(value);
		});
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
		revenue
	}

	/// An account's credits not locked in a channel.
	pub fn credits_of(who: &T::AccountId) -> Credits {
		CreditBalances::<T>::get(who).credits
	}

	/// An account's credits not locked in a channel and the tokens burned for them.
	pub fn credit_account(who: &T::AccountId) -> CreditAccountOf<T> {
		CreditBalances::<T>::get(who)
	}
}
