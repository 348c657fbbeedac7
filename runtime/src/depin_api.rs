//! The answers of the `DepinApi` runtime API, composed from the DePIN pallets: each pallet
//! answers for its own state, the runtime only puts the answers together.

use crate::{Balance, BlockNumber, DeviceRegistry, ProofOfCoverage, Runtime};
use depin_primitives::{
	api::{CellCoverage, CellDevice, EconomicParameters, EpochStatus},
	DeviceInspect, H3Cell,
};

/// The epoch in progress and the block asked about.
pub fn current_epoch() -> Option<EpochStatus<BlockNumber>> {
	ProofOfCoverage::current_epoch_summary()
		.map(|epoch| EpochStatus { epoch, block: frame_system::Pallet::<Runtime>::block_number() })
}

/// Active devices in `cell`'s density-resolution ancestor and in its parent's cells.
pub fn cell_coverage(cell: H3Cell) -> Option<CellCoverage> {
	let resolution = DeviceRegistry::density_resolution();
	let at_density = cell.parent(resolution)?;
	let parent = resolution.checked_sub(1).and_then(|coarser| at_density.parent(coarser));
	let parent_active_devices = parent.map_or(0, |parent| {
		parent
			.children()
			.into_iter()
			.map(DeviceRegistry::active_devices_in_cell)
			.fold(0u32, u32::saturating_add)
	});
	Some(CellCoverage {
		cell: at_density,
		resolution,
		active_devices: DeviceRegistry::active_devices_in_cell(at_density),
		parent,
		parent_active_devices,
	})
}

/// Active devices in `cell`'s density-resolution ancestor, with their scores in `epoch`.
pub fn cell_devices(
	cell: H3Cell,
	epoch: depin_primitives::EpochIndex,
	after: Option<depin_primitives::DeviceId>,
	limit: u32,
) -> Option<alloc::vec::Vec<CellDevice>> {
	let at_density = cell.parent(DeviceRegistry::density_resolution())?;
	Some(
		DeviceRegistry::devices_in_cell(at_density, after, limit)
			.into_iter()
			.map(|device| CellDevice {
				device,
				score: ProofOfCoverage::device_report(&device, epoch).map(|report| report.score),
			})
			.collect(),
	)
}

/// The economic parameters in force across the DePIN pallets.
pub fn economic_parameters() -> EconomicParameters<Balance, BlockNumber> {
	let schedule = pallet_rewards::Schedule::<Runtime>::get();
	let next_to_close = pallet_rewards::LastClosedEpoch::<Runtime>::get().map_or(0, |e| e + 1);
	let split = pallet_rewards::Split::<Runtime>::get();
	let registry = pallet_device_registry::Parameters::<Runtime>::get();
	let poc = pallet_proof_of_coverage::Parameters::<Runtime>::get();
	let service = pallet_service_payments::Parameters::<Runtime>::get();
	EconomicParameters {
		emission_per_epoch: schedule.emission(next_to_close),
		initial_emission_per_epoch: schedule.initial_per_epoch,
		halving_interval: schedule.halving_interval,
		halving_start_epoch: schedule.start_epoch,
		supply_cap: schedule.supply_cap,
		coverage_share: split.coverage,
		uptime_share: split.uptime,
		data_transfer_share: split.data_transfer,
		staking_share: split.staking,
		treasury_share: split.treasury,
		expiry_horizon: pallet_rewards::ExpiryHorizon::<Runtime>::get(),
		device_bond: registry.device_bond,
		epoch_length: poc.epoch_length,
		slots_per_epoch: poc.slots_per_epoch,
		challenge_rate: poc.challenge_rate,
		max_witnesses_per_beacon: poc.max_witnesses_per_beacon,
		credits_per_token: service.credits_per_token,
		revenue_share: service.revenue_share,
	}
}
