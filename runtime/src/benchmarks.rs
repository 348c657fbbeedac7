//! The pallets `depin-node benchmark pallet` measures (built with `--features runtime-benchmarks`).

pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::Pallet as SystemBench;

use crate::Runtime;

impl frame_benchmarking::baseline::Config for Runtime {}
impl frame_system_benchmarking::Config for Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, crate::Balances]
	[pallet_timestamp, crate::Timestamp]
	[pallet_staking, crate::Staking]
	[pallet_bags_list, crate::VoterList]
	[pallet_utility, crate::Utility]
	[pallet_proxy, crate::Proxy]
	[pallet_multisig, crate::Multisig]
	[pallet_sudo, crate::Sudo]
	[pallet_device_registry, crate::DeviceRegistry]
	[pallet_proof_of_coverage, crate::ProofOfCoverage]
	[pallet_rewards, crate::Rewards]
	[pallet_service_payments, crate::ServicePayments]
);
