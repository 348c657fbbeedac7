//! # depin-device
//!
//! ## Overview
//!
//! The reference device of the DePIN chain and a simulator of many. A device holds one key
//! (Ed25519, Sr25519, secp256k1 or P-256), proves possession to register under its owner's
//! account, then signs attestations that any node's `depin_submitAttestations` RPC queues for
//! the chain: heartbeats every uptime slot, a beacon when the epoch's randomness challenges
//! it, witness reports of the beacons it hears.
//!
//! ## Terminology
//!
//! - **Device secret**: a scheme and a 32-byte seed ([`keys::DeviceSecret`]).
//! - **Fleet**: simulated devices with positions in an [`geo::Area`], radio links from a
//!   path-loss model ([`radio::RadioModel`]), owners that register them with signed
//!   transactions, and optional adversaries ([`fleet::Role`]).
//! - **Air**: how beacons reach witnesses: in-process for a fleet, UDP datagrams for `run`.
//!
//! The binary's commands are in `main.rs`; operators read `docs/fleet.md`.

pub mod attest;
pub mod extrinsic;
pub mod fleet;
pub mod geo;
pub mod keys;
pub mod load;
pub mod radio;
pub mod rng;
pub mod rpc;
pub mod run;
pub mod verify_bench;
