//! A small JSON-RPC client for a depin-node, over WebSocket (`ws://`: one connection kept
//! across calls) or HTTP (`http://`: a request per call). The node tells its callers apart by
//! connection, and an HTTP request is a connection of its own: over WebSocket the attestations
//! of a device or gateway earn the connection the node's credit (it is served first during a
//! flood, docs/proof-of-coverage.md); over HTTP every call is a newcomer's.

use codec::{Decode, Encode};
use depin_primitives::SignedAttestation;
use depin_runtime::{BlockNumber, Runtime, RuntimeEvent};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};
use sp_core::{bytes, crypto::AccountId32, H256};
use std::{
	sync::{
		atomic::{AtomicU64, Ordering},
		Mutex,
	},
	time::Duration,
};

/// What went wrong talking to the node.
pub type RpcError = String;

/// A block's events as the runtime stores them.
pub type EventRecords = Vec<frame_system::EventRecord<RuntimeEvent, H256>>;

/// The node's answer for one submitted attestation (`depin_submitAttestations`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionResult {
	/// Its position in the call.
	pub index: u32,
	/// Queued for the node's oracle batches.
	pub queued: bool,
	/// Why it was refused.
	#[serde(default)]
	pub error: Option<String>,
}

/// The current epoch as `depin_queueStatus` reports it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EpochView {
	/// Epoch index.
	pub index: u32,
	/// First block.
	pub start: BlockNumber,
	/// Length in blocks.
	pub length: BlockNumber,
	/// Uptime slots.
	pub slots: u16,
	/// Randomness, `0x` hex.
	pub randomness: String,
	/// Challenge rate, parts per billion.
	pub challenge_rate: u32,
	/// The epoch's first blocks that still take the previous epoch's beacons and witness
	/// reports; the previous epoch's reveals are accepted from `start + witnessGrace` on.
	#[serde(default)]
	pub witness_grace: BlockNumber,
	/// The best block's number.
	pub best_block: BlockNumber,
}

impl EpochView {
	/// The randomness as bytes.
	pub fn randomness_bytes(&self) -> [u8; 32] {
		bytes::from_hex(&self.randomness).ok().and_then(|b| b.try_into().ok()).unwrap_or([0u8; 32])
	}

	/// The slot that block `number` falls in, if it is in this epoch.
	pub fn slot_at(&self, number: BlockNumber) -> Option<u16> {
		let offset = number.checked_sub(self.start)?;
		if offset >= self.length || self.length == 0 {
			return None;
		}
		Some((u64::from(offset) * u64::from(self.slots) / u64::from(self.length)) as u16)
	}

	/// The first block of `slot`: `start + length·slot/slots`, as the chain bounds slots.
	pub fn slot_start(&self, slot: u16) -> BlockNumber {
		let offset = u64::from(self.length) * u64::from(slot) / u64::from(self.slots.max(1));
		self.start.saturating_add(offset as BlockNumber)
	}

	/// The block whose hash is `slot`'s anchor: the one just before the slot's first block.
	pub fn anchor_block(&self, slot: u16) -> Option<BlockNumber> {
		self.slot_start(slot).checked_sub(1)
	}

	/// The first block at which the previous epoch's reveals are accepted (its witness window
	/// is over): `start + witnessGrace`.
	pub fn reveals_from(&self) -> BlockNumber {
		self.start.saturating_add(self.witness_grace)
	}

	/// Whether beacons and witness reports of `epoch` are still accepted at block `best`: it
	/// is this epoch, or the previous one and this epoch's first `witnessGrace` blocks are
	/// not over.
	pub fn witness_window_open(&self, epoch: u32, best: BlockNumber) -> bool {
		epoch == self.index || (epoch.saturating_add(1) == self.index && best < self.reveals_from())
	}

	/// Whether reveals of `epoch`'s beacons are accepted at block `best`: it is the previous
	/// epoch and its witness window is over.
	pub fn reveals_open(&self, epoch: u32, best: BlockNumber) -> bool {
		epoch.saturating_add(1) == self.index && best >= self.reveals_from()
	}

	/// The same epoch's rules for epoch `index`, assuming epochs keep this one's length (what
	/// a device can predict of a later epoch; governance may change it).
	pub fn predicted(&self, index: u32) -> EpochView {
		let ahead = index.saturating_sub(self.index);
		EpochView {
			index,
			start: self.start.saturating_add(self.length.saturating_mul(ahead)),
			..self.clone()
		}
	}
}

/// `depin_queueStatus`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
	/// Chunks waiting for the off-chain worker.
	pub queued_chunks: u64,
	/// Whether the node holds an oracle key.
	pub has_oracle_key: bool,
	/// The current epoch.
	pub epoch: Option<EpochView>,
}

/// Facts about the chain every signed transaction needs.
#[derive(Clone, Copy, Debug)]
pub struct ChainInfo {
	/// Block 0's hash.
	pub genesis: H256,
	/// The runtime's `spec_version`.
	pub spec_version: u32,
	/// The runtime's `transaction_version`.
	pub tx_version: u32,
}

/// How long a call may wait for the node's answer.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// A WebSocket connection to the node.
type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// How a [`NodeClient`] reaches the node.
enum Transport {
	/// A request per call.
	Http(ureq::Agent),
	/// One connection kept across calls (calls on one client take turns), opened when first
	/// needed and again after it failed.
	WebSocket(Mutex<Option<Socket>>),
}

/// A JSON-RPC client.
pub struct NodeClient {
	url: String,
	transport: Transport,
	/// The next request's id.
	next_id: AtomicU64,
}

impl NodeClient {
	/// A client for `url`: `ws://` keeps one WebSocket connection, `http://` sends a request
	/// per call (TLS, `wss://` or `https://`, is not spoken: put a local proxy in front).
	pub fn new(url: &str) -> Self {
		let transport = if url.starts_with("ws://") || url.starts_with("wss://") {
			Transport::WebSocket(Mutex::new(None))
		} else {
			Transport::Http(
				ureq::AgentBuilder::new()
					.timeout(CALL_TIMEOUT)
					.max_idle_connections_per_host(4)
					.build(),
			)
		};
		Self { url: url.to_string(), transport, next_id: AtomicU64::new(1) }
	}

	/// The node's address.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Whether calls share one connection (`ws://`).
	pub fn keeps_a_connection(&self) -> bool {
		matches!(self.transport, Transport::WebSocket(_))
	}

	/// Calls `method` and decodes its result.
	pub fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, RpcError> {
		let id = self.next_id.fetch_add(1, Ordering::Relaxed);
		let request = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
		let response: Value = match &self.transport {
			Transport::Http(agent) => match agent.post(&self.url).send_json(request) {
				Ok(response) => response.into_json().map_err(|e| format!("{method}: {e}"))?,
				Err(ureq::Error::Status(code, response)) => {
					let body = response.into_string().unwrap_or_default();
					return Err(format!("{method}: HTTP {code}: {body}"));
				}
				Err(e) => return Err(format!("{method}: cannot reach {}: {e}", self.url)),
			},
			Transport::WebSocket(socket) => self
				.exchange(socket, id, &request.to_string())
				.map_err(|e| format!("{method}: {e}"))?,
		};
		if let Some(error) = response.get("error") {
			return Err(format!("{method}: {error}"));
		}
		serde_json::from_value(response.get("result").cloned().unwrap_or(Value::Null))
			.map_err(|e| format!("{method}: unexpected answer: {e}"))
	}

	/// Sends `request` (id `id`) on the kept connection and reads its answer. A connection
	/// kept from an earlier call may have been closed by the node meanwhile: then the call is
	/// sent once more, on a new one.
	fn exchange(
		&self,
		socket: &Mutex<Option<Socket>>,
		id: u64,
		request: &str,
	) -> Result<Value, String> {
		let mut socket = socket.lock().unwrap_or_else(|e| e.into_inner());
		let mut fresh = false;
		loop {
			if socket.is_none() {
				fresh = true;
				*socket = Some(self.open()?);
			}
			let Some(ws) = socket.as_mut() else { continue };
			match round_trip(ws, id, request) {
				Ok(answer) => return Ok(answer),
				Err(e) => {
					*socket = None;
					if fresh {
						return Err(format!("{}: {e}", self.url));
					}
				}
			}
		}
	}

	/// A new WebSocket connection to the node.
	fn open(&self) -> Result<Socket, String> {
		let (mut ws, _) = tungstenite::connect(self.url.as_str())
			.map_err(|e| format!("cannot reach {}: {e}", self.url))?;
		if let tungstenite::stream::MaybeTlsStream::Plain(stream) = ws.get_mut() {
			let _ = stream.set_read_timeout(Some(CALL_TIMEOUT));
			let _ = stream.set_write_timeout(Some(CALL_TIMEOUT));
			let _ = stream.set_nodelay(true);
		}
		Ok(ws)
	}

	/// Waits until the node answers, up to `timeout`.
	pub fn wait_ready(&self, timeout: Duration) -> Result<(), RpcError> {
		let deadline = std::time::Instant::now() + timeout;
		loop {
			match self.call::<Value>("system_health", json!([])) {
				Ok(_) => return Ok(()),
				Err(e) if std::time::Instant::now() > deadline => return Err(e),
				Err(_) => std::thread::sleep(Duration::from_millis(500)),
			}
		}
	}

	/// Genesis hash and runtime version.
	pub fn chain_info(&self) -> Result<ChainInfo, RpcError> {
		let genesis: H256 = self.call("chain_getBlockHash", json!([0]))?;
		let version: Value = self.call("state_getRuntimeVersion", json!([]))?;
		let number = |field: &str| {
			version
				.get(field)
				.and_then(Value::as_u64)
				.map(|v| v as u32)
				.ok_or_else(|| format!("state_getRuntimeVersion: no {field}"))
		};
		Ok(ChainInfo {
			genesis,
			spec_version: number("specVersion")?,
			tx_version: number("transactionVersion")?,
		})
	}

	/// The best block's number.
	pub fn best_number(&self) -> Result<BlockNumber, RpcError> {
		self.header_number(json!([]))
	}

	/// The last finalized block's number.
	pub fn finalized_number(&self) -> Result<BlockNumber, RpcError> {
		let head: H256 = self.call("chain_getFinalizedHead", json!([]))?;
		self.header_number(json!([head]))
	}

	fn header_number(&self, params: Value) -> Result<BlockNumber, RpcError> {
		let header: Value = self.call("chain_getHeader", params)?;
		let number = header.get("number").and_then(Value::as_str).unwrap_or("0x0");
		u32::from_str_radix(number.trim_start_matches("0x"), 16)
			.map_err(|e| format!("chain_getHeader: number {number}: {e}"))
	}

	/// The hash of block `number` on the best chain.
	pub fn block_hash(&self, number: BlockNumber) -> Result<Option<H256>, RpcError> {
		self.call("chain_getBlockHash", json!([number]))
	}

	/// The next nonce of `account` (pending transactions included).
	pub fn next_nonce(&self, account: &AccountId32) -> Result<u32, RpcError> {
		use sp_core::crypto::Ss58Codec;
		self.call("system_accountNextIndex", json!([account.to_ss58check()]))
	}

	/// Submits a signed extrinsic; returns its hash.
	pub fn submit_extrinsic(&self, extrinsic: &[u8]) -> Result<H256, RpcError> {
		self.call("author_submitExtrinsic", json!([bytes::to_hex(extrinsic, false)]))
	}

	/// A storage value at `at` (best block if `None`).
	pub fn storage(&self, key: &[u8], at: Option<H256>) -> Result<Option<Vec<u8>>, RpcError> {
		let value: Option<String> =
			self.call("state_getStorage", json!([bytes::to_hex(key, false), at]))?;
		value.map(|v| bytes::from_hex(&v).map_err(|e| format!("state_getStorage: {e}"))).transpose()
	}

	/// Calls runtime API `method` with SCALE-encoded `args` at `at`.
	pub fn runtime_call(
		&self,
		method: &str,
		args: &[u8],
		at: Option<H256>,
	) -> Result<Vec<u8>, RpcError> {
		let out: String =
			self.call("state_call", json!([method, bytes::to_hex(args, false), at]))?;
		bytes::from_hex(&out).map_err(|e| format!("state_call {method}: {e}"))
	}

	/// `depin_queueStatus`.
	pub fn queue_status(&self) -> Result<QueueStatus, RpcError> {
		self.call("depin_queueStatus", json!([]))
	}

	/// `depin_submitAttestations`.
	pub fn submit_attestations(
		&self,
		attestations: &[SignedAttestation],
	) -> Result<Vec<SubmissionResult>, RpcError> {
		let hex: Vec<String> =
			attestations.iter().map(|a| bytes::to_hex(&a.encode(), false)).collect();
		self.call("depin_submitAttestations", json!([hex]))
	}

	/// [`Self::submit_attestations`], asked again every `pause` up to `retries` times while
	/// the node answers "retry shortly": busy (`4008`), or refusing callers it has not
	/// verified an attestation of yet while a flood spends its budget (`4009`).
	pub fn submit_attestations_retrying(
		&self,
		attestations: &[SignedAttestation],
		retries: u32,
		pause: Duration,
	) -> Result<Vec<SubmissionResult>, RpcError> {
		let mut answer = self.submit_attestations(attestations);
		for _ in 0..retries {
			match &answer {
				Err(e) if e.contains("\"code\":4008") || e.contains("\"code\":4009") => {
					std::thread::sleep(pause);
					answer = self.submit_attestations(attestations);
				}
				_ => break,
			}
		}
		answer
	}

	/// The events of block `at`.
	pub fn events(&self, at: H256) -> Result<EventRecords, RpcError> {
		let key =
			[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
		let Some(raw) = self.storage(&key, Some(at))? else { return Ok(Vec::new()) };
		EventRecords::decode(&mut &raw[..]).map_err(|e| {
			format!("events of {at:?} do not decode ({e}): is this tool built for this runtime?")
		})
	}

	/// `account`'s free balance at the best block.
	pub fn free_balance(&self, account: &AccountId32) -> Result<u128, RpcError> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(account);
		let Some(raw) = self.storage(&key, None)? else { return Ok(0) };
		let info = frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(
			&mut &raw[..],
		)
		.map_err(|e| format!("account info: {e}"))?;
		Ok(info.data.free)
	}

	/// The bond the registry holds per device now (its default if governance never set one).
	pub fn device_bond(&self) -> Result<u128, RpcError> {
		let key = pallet_device_registry::Parameters::<Runtime>::hashed_key();
		match self.storage(&key, None)? {
			Some(raw) => pallet_device_registry::ParametersOf::<Runtime>::decode(&mut &raw[..])
				.map(|p| p.device_bond)
				.map_err(|e| format!("registry parameters: {e}")),
			None => {
				Ok(<Runtime as pallet_device_registry::Config>::DefaultParameters::get()
					.device_bond)
			}
		}
	}

	/// How many times the registry has registered `device`'s key so far, at the best block
	/// (`deviceRegistry.keyRegistrations`; 0 for a key never registered): the counter a new
	/// registration proof must sign.
	pub fn key_registrations(&self, device: &depin_primitives::DeviceId) -> Result<u32, RpcError> {
		let key = pallet_device_registry::KeyRegistrations::<Runtime>::hashed_key_for(device);
		match self.storage(&key, None)? {
			Some(raw) => u32::decode(&mut &raw[..])
				.map_err(|e| format!("registry key registrations of {device:?}: {e}")),
			None => Ok(0),
		}
	}
}

/// Sends `request` on `ws` and reads until the answer with id `id` (the client subscribes
/// to nothing, so other messages are pings or stale answers).
fn round_trip(ws: &mut Socket, id: u64, request: &str) -> Result<Value, String> {
	use tungstenite::Message;
	ws.send(Message::text(request)).map_err(|e| e.to_string())?;
	loop {
		let answer: Value = match ws.read().map_err(|e| e.to_string())? {
			Message::Text(text) => serde_json::from_str(text.as_str()),
			Message::Binary(bytes) => serde_json::from_slice(&bytes),
			Message::Close(_) => return Err("the node closed the connection".into()),
			_ => continue,
		}
		.map_err(|e| format!("unexpected answer: {e}"))?;
		if answer.get("id").and_then(Value::as_u64) == Some(id) {
			return Ok(answer);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn slots_divide_the_epoch_evenly() {
		let view = EpochView {
			index: 3,
			start: 31,
			length: 10,
			slots: 5,
			randomness: format!("0x{}", "11".repeat(32)),
			challenge_rate: 250_000_000,
			witness_grace: 3,
			best_block: 35,
		};
		assert_eq!(view.slot_at(30), None);
		assert_eq!(view.slot_at(31), Some(0));
		assert_eq!(view.slot_at(32), Some(0));
		assert_eq!(view.slot_at(33), Some(1));
		assert_eq!(view.slot_at(40), Some(4));
		assert_eq!(view.slot_at(41), None);
		assert_eq!(view.randomness_bytes(), [0x11; 32]);
		// Slot s starts at start + length·s/slots; its anchor is the block before.
		assert_eq!(view.slot_start(0), 31);
		assert_eq!(view.slot_start(1), 33);
		assert_eq!(view.slot_start(4), 39);
		assert_eq!(view.anchor_block(0), Some(30));
		assert_eq!(view.anchor_block(2), Some(34));
		for slot in 0..5 {
			assert_eq!(view.slot_at(view.slot_start(slot)), Some(slot));
		}
		assert_eq!(view.predicted(5).start, 51);
		assert_eq!(view.predicted(5).anchor_block(0), Some(50));
	}

	#[test]
	fn the_witness_window_ends_where_reveals_begin() {
		let view = EpochView {
			index: 4,
			start: 41,
			length: 10,
			slots: 10,
			randomness: "0x".into(),
			challenge_rate: 0,
			witness_grace: 3,
			best_block: 41,
		};
		assert_eq!(view.reveals_from(), 44);
		assert!(view.witness_window_open(4, 50));
		assert!(view.witness_window_open(3, 43));
		assert!(!view.witness_window_open(3, 44));
		assert!(!view.witness_window_open(2, 41));
		assert!(!view.reveals_open(3, 43));
		assert!(view.reveals_open(3, 44));
		assert!(!view.reveals_open(4, 50));
		// An old node without the field: no grace.
		let json = r#"{"index":1,"start":11,"length":10,"slots":10,"randomness":"0x","challengeRate":0,"bestBlock":12}"#;
		let old: EpochView = serde_json::from_str(json).unwrap();
		assert_eq!(old.witness_grace, 0);
	}

	/// A WebSocket JSON-RPC server on 127.0.0.1 answering every request with its method's
	/// name and the connection's number, closing each connection after `calls_per_connection`
	/// answers. Returns its address and how many connections it accepted.
	fn echo_server(
		calls_per_connection: usize,
	) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("ws://{}", listener.local_addr().unwrap());
		let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
		let count = accepted.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming().flatten() {
				let connection = count.fetch_add(1, Ordering::SeqCst) + 1;
				std::thread::spawn(move || {
					let mut ws = tungstenite::accept(stream).unwrap();
					for _ in 0..calls_per_connection {
						let Ok(tungstenite::Message::Text(text)) = ws.read() else { return };
						let request: Value = serde_json::from_str(text.as_str()).unwrap();
						let answer = json!({
							"jsonrpc": "2.0",
							"id": request["id"],
							"result": format!("{} on {connection}", request["method"].as_str().unwrap()),
						});
						ws.send(tungstenite::Message::text(answer.to_string())).unwrap();
					}
					let _ = ws.close(None);
					let _ = ws.flush();
				});
			}
		});
		(url, accepted)
	}

	#[test]
	fn a_websocket_client_makes_its_calls_on_one_connection() {
		// The node credits what a caller's attestations earn to its connection: a client
		// opening one per call (as over HTTP) is a newcomer at every call.
		let (url, accepted) = echo_server(usize::MAX);
		let client = NodeClient::new(&url);
		assert!(client.keeps_a_connection());
		for method in ["depin_queueStatus", "depin_submitAttestations", "system_health"] {
			assert_eq!(client.call::<String>(method, json!([])), Ok(format!("{method} on 1")));
		}
		assert_eq!(accepted.load(Ordering::SeqCst), 1);
		assert!(!NodeClient::new("http://127.0.0.1:1").keeps_a_connection());
	}

	#[test]
	fn a_connection_the_node_closed_is_opened_again_for_the_next_call() {
		let (url, accepted) = echo_server(1);
		let client = NodeClient::new(&url);
		assert_eq!(client.call::<String>("a", json!([])), Ok("a on 1".into()));
		assert_eq!(client.call::<String>("b", json!([])), Ok("b on 2".into()));
		assert_eq!(accepted.load(Ordering::SeqCst), 2);
		// Nothing listening: a named error, not a hang.
		let gone = NodeClient::new("ws://127.0.0.1:1");
		let error = gone.call::<String>("c", json!([])).unwrap_err();
		assert!(error.starts_with("c: cannot reach ws://127.0.0.1:1"), "{error}");
	}
}
