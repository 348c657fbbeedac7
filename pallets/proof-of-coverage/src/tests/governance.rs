use crate::{mock::*, Error, Event, OracleCount, Oracles, Parameters};
use depin_primitives::OracleId;
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn another_oracle(n: u8) -> OracleId {
	OracleId::from(sp_core::sr25519::Public::from_raw([n; 32]))
}

#[test]
fn governance_adds_and_removes_oracles() {
	build_and_execute(|| {
		let oracle = another_oracle(1);
		assert_noop!(
			ProofOfCoverage::add_oracle(RuntimeOrigin::signed(ALICE), oracle.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(ProofOfCoverage::add_oracle(RuntimeOrigin::root(), oracle.clone()));
		System::assert_last_event(Event::OracleAdded { oracle: oracle.clone() }.into());
		assert_eq!(OracleCount::<Test>::get(), 2);
		assert_noop!(
			ProofOfCoverage::add_oracle(RuntimeOrigin::root(), oracle.clone()),
			Error::<Test>::OracleAlreadyAuthorised
		);
		assert_ok!(ProofOfCoverage::add_oracle(RuntimeOrigin::root(), another_oracle(2)));
		assert_noop!(
			ProofOfCoverage::add_oracle(RuntimeOrigin::root(), another_oracle(3)),
			Error::<Test>::TooManyOracles
		);
		assert_ok!(ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle.clone()));
		System::assert_last_event(Event::OracleRemoved { oracle: oracle.clone() }.into());
		assert!(!Oracles::<Test>::contains_key(&oracle));
		assert_noop!(
			ProofOfCoverage::remove_oracle(RuntimeOrigin::root(), oracle),
			Error::<Test>::UnknownOracle
		);
		assert_eq!(OracleCount::<Test>::get(), 2);
	});
}

#[test]
fn parameters_are_checked_and_set_by_governance_only() {
	build_and_execute(|| {
		let good = Parameters::<Test>::get();
		assert_noop!(
			ProofOfCoverage::set_parameters(RuntimeOrigin::signed(ALICE), good.clone()),
			DispatchError::BadOrigin
		);
		type Edit = Box<dyn Fn(&mut crate::ParametersOf<Test>)>;
		let bad: Vec<Edit> = vec![
			Box::new(|p| p.epoch_length = 0),
			Box::new(|p| p.slots_per_epoch = 0),
			Box::new(|p| p.slots_per_epoch = 129),
			Box::new(|p| p.slots_per_epoch = (p.epoch_length + 1) as u16),
			Box::new(|p| p.max_witnesses_per_beacon = 6),
			// Slots so long that a heartbeat's anchor is forgotten before it lands.
			Box::new(|p| {
				p.epoch_length = 100_000;
				p.slots_per_epoch = 1
			}),
			Box::new(|p| p.witness_grace = p.epoch_length),
			Box::new(|p| p.min_witness_distance_m = p.max_witness_distance_m + 1),
			Box::new(|p| p.min_frequency_khz = 0),
			Box::new(|p| p.min_frequency_khz = p.max_frequency_khz + 1),
			Box::new(|p| p.max_batches_per_block = 0),
			Box::new(|p| p.target_density = 0),
		];
		for edit in bad {
			let mut parameters = good.clone();
			edit(&mut parameters);
			assert_noop!(
				ProofOfCoverage::set_parameters(RuntimeOrigin::root(), parameters),
				Error::<Test>::InvalidParameters
			);
		}
		let mut parameters = good;
		parameters.witness_score = 42;
		assert_ok!(ProofOfCoverage::set_parameters(RuntimeOrigin::root(), parameters.clone()));
		assert_eq!(Parameters::<Test>::get(), parameters);
		System::assert_last_event(Event::ParametersSet { parameters }.into());
	});
}
