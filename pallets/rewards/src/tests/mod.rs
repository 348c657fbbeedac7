mod claims;
mod expiry;
mod pools;
mod schedule;
mod settlement;
mod usage;
