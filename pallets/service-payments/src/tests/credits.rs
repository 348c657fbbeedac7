//! Buying credits: the burn, the price arithmetic, beneficiaries, governance of the price.

use super::buy;
use crate::{
	mock::*, CreditAccount, CreditBalances, Error, Event, Parameters, ServiceParameters, Supply,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{traits::Zero, DispatchError, FixedU128, Perbill};

#[test]
fn buying_credits_burns_exactly_the_amount() {
	build_and_execute(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), 5 * UNIT, None));
		System::assert_last_event(
			Event::CreditsBought {
				buyer: alice(),
				beneficiary: alice(),
				burned: 5 * UNIT,
				credits: 500,
			}
			.into(),
		);
		assert_eq!(Balances::total_issuance(), issuance - 5 * UNIT);
		assert_eq!(free(&alice()), STARTING_BALANCE - 5 * UNIT);
		assert_eq!(ServicePayments::credits_of(&alice()), 500);
		// Alice's credits carry what she burned for them.
		assert_eq!(
			ServicePayments::credit_account(&alice()),
			CreditAccount { credits: 500, backing: 5 * UNIT }
		);
		let supply = Supply::<Test>::get();
		assert_eq!((supply.outstanding, supply.backing), (500, 5 * UNIT));
	});
}

#[test]
fn credits_can_go_to_a_beneficiary() {
	build_and_execute(|| {
		let dapp = who(9);
		assert_ok!(ServicePayments::buy_credits(
			RuntimeOrigin::signed(alice()),
			2 * UNIT,
			Some(dapp.clone())
		));
		assert_eq!(ServicePayments::credits_of(&dapp), 200);
		// Backed by the tokens Alice burned for them.
		assert_eq!(
			ServicePayments::credit_account(&dapp),
			CreditAccount { credits: 200, backing: 2 * UNIT }
		);
		assert_eq!(ServicePayments::credits_of(&alice()), 0);
		// The beneficiary needs no tokens to hold credits.
		assert_eq!(free(&dapp), 0);
		System::assert_last_event(
			Event::CreditsBought {
				buyer: alice(),
				beneficiary: dapp,
				burned: 2 * UNIT,
				credits: 200,
			}
			.into(),
		);
	});
}

#[test]
fn credits_round_down_and_a_purchase_must_buy_one() {
	build_and_execute(|| {
		// One credit is 10,000 plancks.
		assert_noop!(
			ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), 9_999, None),
			Error::<Test>::AmountTooSmall
		);
		assert_ok!(ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), 19_999, None));
		assert_eq!(ServicePayments::credits_of(&alice()), 1);
		// All 19,999 plancks were burned and back the one credit.
		assert_eq!(Supply::<Test>::get().backing, 19_999);
		assert_eq!(ServicePayments::credit_account(&alice()).backing, 19_999);
	});
}

#[test]
fn a_fractional_price_is_exact() {
	build_and_execute(|| {
		let parameters = ServiceParameters {
			credits_per_token: FixedU128::from_rational(5, 2),
			revenue_share: Perbill::zero(),
		};
		assert_ok!(ServicePayments::set_parameters(RuntimeOrigin::root(), parameters));
		buy(&alice(), 3);
		assert_eq!(ServicePayments::credits_of(&alice()), 7, "2.5 × 3 = 7.5, rounded down");
	});
}

#[test]
fn a_purchase_cannot_burn_more_than_the_spendable_balance() {
	build_and_execute(|| {
		assert_noop!(
			ServicePayments::buy_credits(
				RuntimeOrigin::signed(alice()),
				STARTING_BALANCE + 1,
				None
			),
			Error::<Test>::InsufficientBalance
		);
		// The account stays alive: its whole balance cannot be burned.
		assert_noop!(
			ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), STARTING_BALANCE, None),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			ServicePayments::buy_credits(RuntimeOrigin::signed(who(7)), UNIT, None),
			Error::<Test>::InsufficientBalance
		);
		assert!(!CreditBalances::<Test>::contains_key(alice()));
	});
}

#[test]
fn a_huge_amount_does_not_overflow() {
	build_and_execute(|| {
		let parameters = ServiceParameters {
			credits_per_token: FixedU128::from_u32(u32::MAX),
			revenue_share: Perbill::zero(),
		};
		assert_ok!(ServicePayments::set_parameters(RuntimeOrigin::root(), parameters));
		// Far more than anyone holds: fails on the balance, never panics.
		assert_noop!(
			ServicePayments::buy_credits(RuntimeOrigin::signed(alice()), u128::MAX / 2, None),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn only_governance_sets_the_price_and_never_to_zero() {
	build_and_execute(|| {
		let parameters = ServiceParameters {
			credits_per_token: FixedU128::from_u32(1_000),
			revenue_share: Perbill::from_percent(50),
		};
		assert_noop!(
			ServicePayments::set_parameters(RuntimeOrigin::signed(alice()), parameters),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ServicePayments::set_parameters(
				RuntimeOrigin::root(),
				ServiceParameters { credits_per_token: FixedU128::zero(), ..parameters }
			),
			Error::<Test>::ZeroPrice
		);
		assert_ok!(ServicePayments::set_parameters(RuntimeOrigin::root(), parameters));
		System::assert_last_event(Event::ParametersSet { parameters }.into());
		assert_eq!(Parameters::<Test>::get(), parameters);
		buy(&alice(), 1);
		assert_eq!(ServicePayments::credits_of(&alice()), 1_000);
	});
}
