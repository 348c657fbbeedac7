//! `depin-device`: device keys, registration proofs, one real device, a simulated fleet and
//! the signature-verification benchmark. `depin-device --help` lists the commands.

use clap::{Args, Parser, Subcommand, ValueEnum};
use depin_device::{
	fleet::{self, Fleet, FleetOptions},
	geo::Position,
	keys::{self, DeviceSecret, KeyReport},
	load,
	rpc::NodeClient,
	run::{self, RunOptions},
	verify_bench,
};
use depin_primitives::SignatureScheme;
use sp_core::{bytes, H256};
use std::{
	net::SocketAddr,
	path::PathBuf,
	process::ExitCode,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::Duration,
};

#[derive(Parser)]
#[command(
	name = "depin-device",
	version,
	about = "The DePIN chain's reference device and device-fleet simulator"
)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Generate or inspect a device key.
	#[command(subcommand)]
	Key(KeyCommand),
	/// Print the registration proof for an owner and a chain: the `proof` argument of
	/// `deviceRegistry.registerDevice`. A proof is good for one registration of the key: it
	/// signs the key's registration counter on the chain.
	RegisterProof {
		#[command(flatten)]
		key: KeyArgs,
		/// The owner account (SS58 or 0x-hex public key).
		#[arg(long)]
		owner: String,
		/// The chain's genesis hash (0x-hex); asked of `--node` if absent. With it and
		/// without `--registrations`, no node is asked anything and the counter is 0.
		#[arg(long)]
		genesis: Option<String>,
		/// The key's registration counter on the chain: how many times it was registered
		/// before (`deviceRegistry.keyRegistrations(deviceId)`, 0 for a new key). Asked of
		/// `--node` if absent, unless `--genesis` is given (then 0).
		#[arg(long)]
		registrations: Option<u32>,
		/// A node to ask the genesis hash and the registration counter of.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
	},
	/// Register a device on-chain, signed by its owner (a secret URI: `//Alice` on a dev
	/// chain, or a mnemonic); the owner pays the bond. Owners with a wallet use polkadot.js
	/// with `register-proof` instead.
	Register {
		#[command(flatten)]
		key: KeyArgs,
		/// The owner's secret URI (sr25519).
		#[arg(long)]
		owner_uri: String,
		/// Where the device stands, `lat,lng` (registered as its H3 cell, resolution 12).
		#[arg(long)]
		location: String,
		/// The node's RPC address.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
	},
	/// Run one device: a heartbeat every slot bound to the slot's anchor; when challenged, a
	/// beacon commitment on chain, its secret over the UDP air and its reveal after the
	/// witness window; witness reports of the secrets heard.
	Run {
		#[command(flatten)]
		key: KeyArgs,
		/// The node's RPC address.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// Where the device stands, `lat,lng` (for beacons over the UDP air).
		#[arg(long)]
		location: Option<String>,
		/// UDP address to hear beacon secrets on.
		#[arg(long)]
		air_listen: Option<SocketAddr>,
		/// UDP address of a peer device to send beacon secrets to (repeatable).
		#[arg(long)]
		air_peer: Vec<SocketAddr>,
	},
	/// Simulate a fleet: register N devices on-chain and run them, with adversaries if asked;
	/// ends with a table of what the chain accepted, rejected and paid per group.
	Fleet(FleetArgs),
	/// Write a benchmark chain spec: `--base` (exported from a preset, e.g.
	/// `depin-node export-chain-spec --chain benchmark`) with `--devices` Ed25519 load
	/// devices registered at genesis and their owners endowed.
	BenchSpec {
		/// The chain spec to extend (JSON with a genesis patch).
		#[arg(long)]
		base: PathBuf,
		/// Where to write the result.
		#[arg(long)]
		out: PathBuf,
		/// Load devices to register (one more than `load --devices` if the flooding device
		/// is to run).
		#[arg(long, default_value_t = 30_000)]
		devices: u32,
		/// Seed the devices' keys derive from (give `load` the same one).
		#[arg(long, default_value_t = 2026)]
		seed: u64,
		/// Devices per owner.
		#[arg(long, default_value_t = 25)]
		per_owner: u32,
	},
	/// Saturate a chain whose genesis holds `bench-spec` devices: a heartbeat per device per
	/// slot, signed as soon as the slot's anchor is known, with optional flooders; prints a
	/// JSON report of what was offered, queued and accepted on chain.
	Load {
		/// The node's RPC address.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// Honest devices (genesis load devices `0..devices`).
		#[arg(long, default_value_t = 30_000)]
		devices: u32,
		/// The `bench-spec` seed.
		#[arg(long, default_value_t = 2026)]
		seed: u64,
		/// Seconds to send for.
		#[arg(long, default_value_t = 120)]
		seconds: u64,
		/// Concurrent connections for the honest load.
		#[arg(long, default_value_t = 4)]
		connections: usize,
		/// Signing threads.
		#[arg(long, default_value_t = 1)]
		signers: usize,
		/// Also run the flooding device (genesis load device number `devices`).
		#[arg(long)]
		flood_device: bool,
		/// Also run the keyless flooder, forging heartbeats of this registered device
		/// (0x-hex device id; a P-256 device is the dearest to check), and posting
		/// heartbeats of made-up devices on two more threads.
		#[arg(long)]
		keyless_victim: Option<String>,
		/// Write the JSON report here too.
		#[arg(long)]
		summary_json: Option<PathBuf>,
	},
	/// Measure signature verifications per second on one core, per scheme.
	BenchVerify {
		/// Seconds per scheme.
		#[arg(long, default_value_t = 3.0)]
		seconds: f64,
		/// Print JSON instead of a table.
		#[arg(long)]
		json: bool,
	},
}

#[derive(Subcommand)]
enum KeyCommand {
	/// A new random key.
	Generate {
		/// Signature scheme.
		#[arg(long, value_enum)]
		scheme: Scheme,
		/// Write the secret to this file (mode 0600) instead of printing it.
		#[arg(long)]
		file: Option<PathBuf>,
		/// Output format.
		#[arg(long, value_enum, default_value_t = Output::Text)]
		output_type: Output,
	},
	/// The public key and device id of a secret.
	Inspect {
		#[command(flatten)]
		key: KeyArgs,
		/// Output format.
		#[arg(long, value_enum, default_value_t = Output::Text)]
		output_type: Output,
	},
}

#[derive(Clone, Copy, ValueEnum)]
enum Scheme {
	Ed25519,
	Sr25519,
	Ecdsa,
	P256,
}

impl From<Scheme> for SignatureScheme {
	fn from(scheme: Scheme) -> Self {
		match scheme {
			Scheme::Ed25519 => SignatureScheme::Ed25519,
			Scheme::Sr25519 => SignatureScheme::Sr25519,
			Scheme::Ecdsa => SignatureScheme::EcdsaSecp256k1,
			Scheme::P256 => SignatureScheme::EcdsaP256,
		}
	}
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
	Text,
	Json,
}

/// Where a device's secret comes from.
#[derive(Args)]
struct KeyArgs {
	/// A key file written by `key generate --file`.
	#[arg(long, conflicts_with_all = ["secret", "scheme"])]
	key_file: Option<PathBuf>,
	/// The secret seed, 0x-hex (with `--scheme`).
	#[arg(long, requires = "scheme")]
	secret: Option<String>,
	/// The scheme of `--secret`.
	#[arg(long, value_enum)]
	scheme: Option<Scheme>,
}

impl KeyArgs {
	fn secret(&self) -> Result<DeviceSecret, String> {
		match (&self.key_file, &self.secret, self.scheme) {
			(Some(path), _, _) => DeviceSecret::load(path),
			(None, Some(seed), Some(scheme)) => {
				DeviceSecret::from_parts(keys::scheme_name(scheme.into()), seed)
			}
			_ => Err("give --key-file, or --secret with --scheme".into()),
		}
	}
}

#[derive(Args)]
struct FleetArgs {
	/// Honest devices.
	#[arg(long, default_value_t = 300)]
	devices: u32,
	/// Where: `paris`, `berlin`, `new-york`, or a box `south,west,north,east` in degrees.
	#[arg(long, default_value = "paris")]
	area: String,
	/// The node's RPC address.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Key scheme of the fleet's devices.
	#[arg(long, value_enum, default_value_t = Scheme::Ed25519)]
	scheme: Scheme,
	/// Location spoofers: registered `--spoof-distance-km` away from where they stand.
	#[arg(long, default_value_t = 0)]
	spoofers: u32,
	/// A collusion ring of this many devices sharing beacon secrets over the internet.
	#[arg(long, default_value_t = 0)]
	colluders: u32,
	/// Devices that replay old attestations.
	#[arg(long, default_value_t = 0)]
	replayers: u32,
	/// Devices that sign other devices' attestations with their own keys.
	#[arg(long, default_value_t = 0)]
	forgers: u32,
	/// Flooders: devices of fresh owners that send, every slot, 64 distinct attestations
	/// signed with their own keys (heartbeats for slot numbers of their choosing, witness
	/// reports with made-up fields) besides their own heartbeat.
	#[arg(long, default_value_t = 0)]
	flooders: u32,
	/// Witness farmers: devices of fresh owners 1-10 km from the clusters that never listen
	/// to the air and claim beacons with commitments and tags copied from other devices'
	/// reports in the pool (and the right tag once the secret is revealed, too late).
	#[arg(long, default_value_t = 0)]
	witness_farmers: u32,
	/// Pre-signers: devices of fresh owners that sign heartbeats for the next epochs' slots
	/// in advance, go off, and post them slot by slot.
	#[arg(long, default_value_t = 0)]
	pre_signers: u32,
	/// How far spoofers claim to be from where they stand, km.
	#[arg(long, default_value_t = 100.0)]
	spoof_distance_km: f64,
	/// Chance per slot that a device goes down (for 1 to 5 slots).
	#[arg(long, default_value_t = 0.01)]
	downtime: f64,
	/// Stop after this many whole epochs are scored (default: run until Ctrl-C).
	#[arg(long)]
	epochs: Option<u32>,
	/// Seed of keys, positions and draws (default: from the clock, a new fleet each run).
	#[arg(long)]
	seed: Option<u64>,
	/// Secret URI of the account that funds the owners.
	#[arg(long, default_value = "//Alice")]
	funder: String,
	/// Honest devices per owner account.
	#[arg(long, default_value_t = 4)]
	devices_per_owner: u32,
	/// Do not read each device's score when an epoch is scored (large fleets).
	#[arg(long)]
	no_scores: bool,
	/// Write the final report as JSON to this file.
	#[arg(long)]
	summary_json: Option<PathBuf>,
}

fn main() -> ExitCode {
	match run_cli(Cli::parse()) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		}
	}
}

fn stop_flag() -> Result<Arc<AtomicBool>, String> {
	let stop = Arc::new(AtomicBool::new(false));
	let flag = stop.clone();
	ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))
		.map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
	Ok(stop)
}

fn print_key(report: &KeyReport, output: Output) {
	match output {
		Output::Text => print!("{}", report.text()),
		Output::Json => {
			println!("{}", serde_json::to_string_pretty(report).expect("a report serialises"))
		}
	}
}

fn run_cli(cli: Cli) -> Result<(), String> {
	match cli.command {
		Command::Key(KeyCommand::Generate { scheme, file, output_type }) => {
			let secret = DeviceSecret::generate(scheme.into()).map_err(|e| e.to_string())?;
			if let Some(path) = &file {
				secret.save(path)?;
				eprintln!("secret written to {} (mode 0600)", path.display());
			}
			print_key(&KeyReport::of(&secret, file.is_none()), output_type);
		}
		Command::Key(KeyCommand::Inspect { key, output_type }) => {
			print_key(&KeyReport::of(&key.secret()?, false), output_type);
		}
		Command::RegisterProof { key, owner, genesis, registrations, node } => {
			let secret = key.secret()?;
			let owner = keys::parse_account(&owner)?;
			let offline = genesis.is_some();
			let genesis = match genesis {
				Some(hex) => H256(parse_hex32(&hex, "genesis")?),
				None => NodeClient::new(&node).chain_info()?.genesis,
			};
			let (registrations, source) = match registrations {
				Some(n) => (n, "from --registrations"),
				None if offline => {
					(0, "assumed: a key never registered; pass --registrations if it was")
				}
				None => {
					let id = secret.pair().public().device_id();
					(NodeClient::new(&node).key_registrations(&id)?, "read from the node")
				}
			};
			let proof = keys::registration_proof(&secret, &genesis, &owner, registrations);
			let report = KeyReport::of(&secret, false);
			println!("Device key (SCALE): {}", report.device_key);
			println!("Device id:          {}", report.device_id);
			println!("Genesis:            {genesis:?}");
			println!("Registrations:      {registrations} ({source})");
			println!("Proof (SCALE):      {}", bytes::to_hex(&proof, false));
		}
		Command::Register { key, owner_uri, location, node } => {
			use sp_core::Pair as _;
			let secret = key.secret()?;
			let owner = sp_core::sr25519::Pair::from_string(&owner_uri, None)
				.map_err(|e| format!("owner: {e:?}"))?;
			let cell = parse_position(&location)?.cell();
			let client = NodeClient::new(&node);
			let block =
				depin_device::extrinsic::register_and_wait(&client, &secret.pair(), cell, &owner)?;
			let report = KeyReport::of(&secret, false);
			println!("Device id:          {}", report.device_id);
			println!("Registered:         block #{block}, cell {cell:?}");
		}
		Command::Run { key, node, location, air_listen, air_peer } => {
			let position = location.map(|l| parse_position(&l)).transpose()?;
			if air_listen.is_some() && position.is_none() {
				return Err("--air-listen needs --location".into());
			}
			let options = RunOptions {
				secret: key.secret()?,
				node,
				position,
				air_listen,
				air_peers: air_peer,
			};
			run::run(options, stop_flag()?)?;
		}
		Command::Fleet(args) => {
			let seed = args.seed.unwrap_or_else(|| {
				std::time::SystemTime::now()
					.duration_since(std::time::UNIX_EPOCH)
					.map_or(1, |d| d.as_nanos() as u64)
			});
			if !(0.0..=1.0).contains(&args.downtime) {
				return Err("--downtime is a probability in [0, 1]".into());
			}
			if args.epochs == Some(0) {
				return Err("--epochs must be at least 1".into());
			}
			let summary = args.summary_json.clone();
			let options = FleetOptions {
				devices: args.devices,
				area: args.area,
				scheme: args.scheme.into(),
				spoofers: args.spoofers,
				colluders: args.colluders,
				replayers: args.replayers,
				forgers: args.forgers,
				witness_farmers: args.witness_farmers,
				pre_signers: args.pre_signers,
				flooders: args.flooders,
				spoof_distance_km: args.spoof_distance_km,
				downtime: args.downtime,
				epochs: args.epochs,
				seed,
				funder: args.funder,
				devices_per_owner: args.devices_per_owner,
				read_scores: !args.no_scores,
				summary_json: args.summary_json,
			};
			let client = NodeClient::new(&args.node);
			let report = fleet::run(Fleet::new(options)?, &client, stop_flag()?)?;
			print!("{}", fleet::table(&report));
			if let Some(path) = summary {
				let text = serde_json::to_string_pretty(&report).expect("a report serialises");
				std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
				eprintln!("report written to {}", path.display());
			}
		}
		Command::BenchSpec { base, out, devices, seed, per_owner } => {
			load::write_bench_spec(&base, &out, seed, devices, per_owner)?;
			eprintln!("{devices} load devices added; chain spec written to {}", out.display());
		}
		Command::Load {
			node,
			devices,
			seed,
			seconds,
			connections,
			signers,
			flood_device,
			keyless_victim,
			summary_json,
		} => {
			let keyless_victim = keyless_victim
				.map(|hex| parse_hex32(&hex, "keyless-victim").map(depin_primitives::DeviceId))
				.transpose()?;
			let options = load::LoadOptions {
				devices,
				seed,
				seconds,
				connections,
				signers,
				flood_device,
				keyless_victim,
			};
			let client = NodeClient::new(&node);
			client.wait_ready(Duration::from_secs(60))?;
			let report = load::run(&client, &options)?;
			let text = serde_json::to_string_pretty(&report).expect("a report serialises");
			println!("{text}");
			if let Some(path) = summary_json {
				std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
			}
		}
		Command::BenchVerify { seconds, json } => {
			let rates: Vec<_> = SignatureScheme::ALL
				.into_iter()
				.map(|scheme| verify_bench::measure(scheme, Duration::from_secs_f64(seconds)))
				.collect();
			if json {
				println!("{}", serde_json::to_string_pretty(&rates).expect("rates serialise"));
			} else {
				println!("{:<8} {:>14} {:>12}", "scheme", "verifications/s", "µs each");
				for rate in &rates {
					println!(
						"{:<8} {:>14.0} {:>12.1}",
						rate.scheme, rate.per_second, rate.micros_each
					);
				}
			}
		}
	}
	Ok(())
}

/// 32 bytes given as `0x`-hex (`what` names the argument in errors).
fn parse_hex32(text: &str, what: &str) -> Result<[u8; 32], String> {
	let raw = bytes::from_hex(text).map_err(|e| format!("{what}: {e}"))?;
	raw.try_into().map_err(|_| format!("{what}: expected 32 bytes"))
}

fn parse_position(text: &str) -> Result<Position, String> {
	let (lat, lng) = text.split_once(',').ok_or("location: expected `lat,lng`")?;
	let lat: f64 = lat.trim().parse().map_err(|_| "location: bad latitude")?;
	let lng: f64 = lng.trim().parse().map_err(|_| "location: bad longitude")?;
	if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
		return Err("location: latitude in [-90, 90], longitude in [-180, 180]".into());
	}
	Ok(Position { lat, lng })
}
