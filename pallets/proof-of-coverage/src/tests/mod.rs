//! Behaviour devices, oracles and governance see: accepted and refused attestations (with
//! the attack each rule stops), scores, epochs, batch authorization, the off-chain worker.

mod admission;
mod beacons;
mod epochs;
mod governance;
mod heartbeats;
mod located_uptime;
mod oracles;
mod witnesses;
