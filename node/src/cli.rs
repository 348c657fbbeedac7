//! Command-line interface: the standard Substrate node flags plus the operator subcommands.

/// The `depin-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A maintenance subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Flags of a running node (`--dev`, `--chain`, `--validator`, `--rpc-port`, ...).
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// How the node takes attestations in (`depin_submitAttestations`).
	#[clap(flatten)]
	pub ingest: IngestParams,
}

/// Attestation intake flags (see `docs/performance.md`, "Admission control"). Connection-level
/// limits are the standard `--rpc-rate-limit` (per WebSocket connection: every HTTP request
/// is a connection of its own), `--rpc-max-connections` and `--rpc-max-request-size`.
#[derive(Debug, Clone, clap::Args)]
pub struct IngestParams {
	/// Most attestations one device may have queued on this node per uptime slot (all kinds
	/// together); more are answered `QuotaExceeded` before any signature check.
	#[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
	pub attestation_quota: u16,

	/// `depin_submitAttestations` calls checked at once, each on its own blocking thread;
	/// further calls wait their turn. Calls of connections this node has not verified
	/// attestations of (new ones, keyless callers) hold at most one fewer, so one checker
	/// always stays for proven connections (with 1, they share it).
	#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
	pub attestation_checkers: u16,

	/// `depin_submitAttestations` calls that may wait for a checker; more are answered
	/// `4008` (node busy) at once, so a flood cannot pile up waiting calls. Calls of
	/// unproven connections may fill half of it, and wait besides it for their checkers.
	#[arg(long, default_value_t = 32)]
	pub attestation_backlog: u16,

	/// Signature checks that may fail per RPC connection and uptime slot; past it the
	/// connection's calls are answered `4009` without any check, so a caller without device
	/// keys cannot keep the checkers busy with forgeries.
	#[arg(long, default_value_t = 64)]
	pub attestation_failure_budget: u32,

	/// Signature checks per second, all connections together, this node pays from its
	/// bucket (in Ed25519 checks: a P-256 check counts 8); a verified check is paid back, so
	/// in effect it bounds failed checks. A check the bucket cannot pay is paid from the credit
	/// the connection's queued attestations earned; when neither can, the call is answered
	/// `4009` without any check (retry shortly). Bounds what keyless callers opening a new
	/// connection per call can make the node verify.
	#[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
	pub attestation_unproven_failures: u32,
}

/// Maintenance subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys and node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (kept for tools such as zombienet).
	#[deprecated(note = "use `export-chain-spec`")]
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification (`--chain dev|local|<file>`), optionally `--raw`.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Runtime and machine benchmarks (built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}
