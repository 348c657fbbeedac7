//! On-chain governance: who may change what, through which referendum track.
//!
//! Token holders decide by referenda (`pallet_referenda`) with conviction voting
//! (`pallet_conviction_voting`); an approved proposal is stored as a preimage
//! (`pallet_preimage`) and dispatched by the scheduler (`pallet_scheduler`) with its track's
//! origin. [`origins`] declares those origins and [`tracks`] the tracks; the pallets'
//! configuration is in [`crate::configs::governance`]. Operators and token holders: see
//! `docs/governance.md`.

pub mod origins;
pub mod tracks;

use frame_support::traits::EitherOf;
use frame_system::EnsureRoot;

use crate::AccountId;

/// The origin of the DePIN pallets' governance calls: a network-parameters referendum, or
/// `Root` (a root-track referendum, or sudo on a chain that has a sudo key).
pub type NetworkParametersOrigin =
	EitherOf<EnsureRoot<AccountId>, origins::EnsureNetworkParameters>;

#[cfg(test)]
mod tests;
