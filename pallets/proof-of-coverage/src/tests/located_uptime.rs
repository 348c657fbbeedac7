//! Located uptime (`uptime_needs_coverage`): heartbeats earn only for a device that a reveal
//! credited with coverage in the epoch or the one before. The attack it stops: a device that
//! is on but not where it claims (a location spoofer), or has no radio at all, earns uptime
//! for being on, paid from the same pool as the devices that really cover their cells.

use crate::{mock::*, CurrentEpoch, EpochTotals, Parameters};
use depin_primitives::{EpochIndex, SignedAttestation};

/// Turns the rule on (or off) from now on, in the parameters and in the current epoch (as
/// if the epoch had started with it).
fn require_coverage(on: bool) {
	Parameters::<Test>::mutate(|p| p.uptime_needs_coverage = on);
	CurrentEpoch::<Test>::mutate(|e| {
		if let Some(e) = e.as_mut() {
			e.uptime_needs_coverage = on;
		}
	});
}

fn start_of(epoch: EpochIndex) -> u64 {
	1 + u64::from(epoch) * EPOCH_LENGTH
}

fn uptime(epoch: EpochIndex) -> u64 {
	EpochTotals::<Test>::get(epoch).uptime
}

/// A heartbeat of `pair` in the current slot of the current epoch.
fn beat(pair: &depin_primitives::device::pair::DevicePair) -> SignedAttestation {
	heartbeat(pair, current_epoch(), current_slot())
}

#[test]
fn a_device_nobody_hears_earns_no_uptime() {
	build_and_execute(|| {
		require_coverage(true);
		let epoch = current_epoch();
		// Up all epoch, every heartbeat signed over its slot's anchor: really on, but no
		// witness ever hears it (it stands elsewhere than its registered cell).
		let spoofer = device_challenged(false, epoch, ALICE, paris(), 0);
		for _ in 0..SLOTS {
			land(vec![beat(&spoofer)]);
			run_to_block(System::block_number() + 1);
		}
		assert_eq!(rejections(), vec![]);
		let report = report(&spoofer, epoch).unwrap();
		assert_eq!(report.heartbeats(), u32::from(SLOTS));
		assert!(!report.located);
		assert_eq!(report.score.uptime, 0);
		assert_eq!(uptime(epoch), 0);

		// Without the rule (from the next epoch on) the same heartbeats earn: the attack.
		require_coverage(false);
		assert!(CurrentEpoch::<Test>::get().unwrap().index > epoch);
		let later = current_epoch();
		land(vec![beat(&spoofer)]);
		let report = self::report(&spoofer, later).unwrap();
		assert!(report.located);
		assert_eq!(report.score.uptime, HEARTBEAT_SCORE);
		assert_eq!(uptime(later), HEARTBEAT_SCORE);

		// The epoch is scored with the uptime that earns.
		run_to_block(start_of(epoch + 2));
		assert_eq!(scored_epochs()[0].1.uptime, 0);
	});
}

#[test]
fn a_reveal_locates_both_devices_in_the_epoch_and_the_next() {
	build_and_execute(|| {
		require_coverage(true);
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		land(vec![
			beat(&beaconer),
			beat(&heard_by),
			beacon(&beaconer, epoch),
			witness(&heard_by, &beaconer, epoch),
		]);
		assert_eq!(last_batch_counts(), (4, 0));
		// Heartbeats are counted, not yet earning: coverage is proven only by the reveal.
		assert_eq!(uptime(epoch), 0);
		assert!(!report(&beaconer, epoch).unwrap().located);

		run_to_block(start_of(epoch + 1));
		let next = current_epoch();
		land(vec![beat(&beaconer)]);
		assert_eq!(uptime(next), 0);

		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		assert_eq!(last_batch_counts(), (1, 0));
		// Both are located in the beacon's epoch and the next: the heartbeats they had sent
		// join the totals.
		assert_eq!(uptime(epoch), 2 * HEARTBEAT_SCORE);
		assert_eq!(uptime(next), HEARTBEAT_SCORE);
		for pair in [&beaconer, &heard_by] {
			let report = report(pair, epoch).unwrap();
			assert!(report.located);
			assert_eq!(report.score.uptime, HEARTBEAT_SCORE);
		}
		assert!(report(&beaconer, next).unwrap().located);
		// A heartbeat of a located device earns at once.
		land(vec![beat(&heard_by)]);
		assert_eq!(uptime(next), 2 * HEARTBEAT_SCORE);
		assert_eq!(report(&heard_by, next).unwrap().score.uptime, HEARTBEAT_SCORE);

		// Two epochs on, the old proof no longer locates them.
		run_to_block(start_of(next + 1));
		let third = current_epoch();
		land(vec![beat(&beaconer)]);
		assert!(!report(&beaconer, third).unwrap().located);
		assert_eq!(uptime(third), 0);
		// The scored totals are what the located devices earn.
		assert_eq!(scored_epochs()[0], (epoch, EpochTotals::<Test>::get(epoch)));
		assert_eq!(scored_epochs()[0].1.uptime, 2 * HEARTBEAT_SCORE);
	});
}

#[test]
fn a_witness_whose_tag_fails_is_not_located() {
	build_and_execute(|| {
		require_coverage(true);
		let epoch = current_epoch();
		let beaconer = device_challenged(true, epoch, ALICE, paris(), 0);
		let heard_by = device_challenged(false, epoch, BOB, paris_north(), 1_000);
		// A witness farmer: on, heartbeating, reporting a tag it could not make (it never
		// heard the secret).
		let farmer = device_challenged(false, epoch, CHARLIE, paris_north(), 2_000);
		land(vec![
			beat(&farmer),
			beacon(&beaconer, epoch),
			witness(&heard_by, &beaconer, epoch),
			witness_with(&farmer, &beaconer, epoch, |report| report.tag = [7; 32]),
		]);
		assert_eq!(last_batch_counts(), (4, 0));
		run_to_reveals(epoch);
		land(vec![reveal(&beaconer, epoch)]);
		let report = report(&farmer, epoch).unwrap();
		assert!(!report.located);
		assert_eq!(report.score.uptime, 0);
		assert_eq!(report.score.coverage, 0);
		assert_eq!(uptime(epoch), 0);
	});
}

#[test]
fn the_rule_is_fixed_for_an_epoch_at_its_start() {
	build_and_execute(|| {
		let epoch = current_epoch();
		let device = device_challenged(false, epoch, ALICE, paris(), 0);
		// Governance turns it on mid-epoch: the epoch keeps the rule it started with.
		Parameters::<Test>::mutate(|p| p.uptime_needs_coverage = true);
		land(vec![beat(&device)]);
		assert_eq!(uptime(epoch), HEARTBEAT_SCORE);
		assert!(report(&device, epoch).unwrap().located);
		// The next epoch starts with it.
		run_to_block(start_of(epoch + 1));
		land(vec![beat(&device)]);
		assert_eq!(uptime(epoch + 1), 0);
		assert!(!report(&device, epoch + 1).unwrap().located);
	});
}
