//! Payment channels: opening, topping up, settling receipts, closing. A channel carries the
//! backing of its unsettled credits: they bring their share of the consumer's backing in,
//! settlements value credits at their share of it, closing takes what is left back out.

use crate::{
	backing_share, Channels, Config, ConsumerChannels, Error, Event, NextChannelId, Pallet,
	PaymentChannel, UsageReceiptOf,
};
use depin_primitives::{
	ChannelId, Credits, DeviceId, DeviceInfo, DeviceInspect, DeviceStatus, EpochClock,
	SignedPayload, UsageSink,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Verify};

impl<T: Config> Pallet<T> {
	/// The device, if it is registered and active.
	fn active_device(device: &DeviceId) -> Result<DeviceInfo<T::AccountId>, DispatchError> {
		let info = T::Devices::device(device).ok_or(Error::<T>::UnknownDevice)?;
		ensure!(info.status == DeviceStatus::Active, Error::<T>::DeviceNotActive);
		Ok(info)
	}

	/// Checks that `expires_at` is in the future and within the longest lifetime.
	fn check_expiry(expires_at: BlockNumberFor<T>) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(expires_at > now, Error::<T>::ExpiryNotInFuture);
		ensure!(
			expires_at <= now.saturating_add(T::MaxChannelLifetime::get()),
			Error::<T>::ExpiryTooFar
		);
		Ok(())
	}

	/// The last block in which `channel` can be settled.
	fn settlement_deadline(channel: &crate::PaymentChannelOf<T>) -> BlockNumberFor<T> {
		channel.expires_at.saturating_add(T::SettlementGrace::get())
	}

	pub(crate) fn do_open_channel(
		consumer: T::AccountId,
		device: DeviceId,
		deposit: Credits,
		expires_at: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(deposit > 0, Error::<T>::ZeroDeposit);
		Self::active_device(&device)?;
		Self::check_expiry(expires_at)?;
		let id = NextChannelId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		ConsumerChannels::<T>::try_mutate(&consumer, |open| {
			open.try_push(id).map_err(|_| Error::<T>::TooManyChannels)
		})?;
		let backing = Self::take_credits(&consumer, deposit)?;
		NextChannelId::<T>::put(next);
		Channels::<T>::insert(
			id,
			PaymentChannel {
				consumer: consumer.clone(),
				device,
				deposit,
				settled: 0,
				backing,
				opened_at: frame_system::Pallet::<T>::block_number(),
				expires_at,
			},
		);
		Self::deposit_event(Event::ChannelOpened {
			channel: id,
			consumer,
			device,
			deposit,
			backing,
			expires_at,
		});
		Ok(())
	}

	pub(crate) fn do_top_up(
		consumer: T::AccountId,
		id: ChannelId,
		credits: Credits,
		extend_to: Option<BlockNumberFor<T>>,
	) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(channel.consumer == consumer, Error::<T>::NotConsumer);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= channel.expires_at,
			Error::<T>::ChannelExpired
		);
		if let Some(expires_at) = extend_to {
			ensure!(expires_at >= channel.expires_at, Error::<T>::ExpiryEarlier);
			Self::check_expiry(expires_at)?;
			channel.expires_at = expires_at;
		}
		ensure!(credits > 0 || extend_to.is_some(), Error::<T>::ZeroDeposit);
		channel.deposit = channel.deposit.checked_add(credits).ok_or(Error::<T>::Overflow)?;
		let added = Self::take_credits(&consumer, credits)?;
		channel.backing = channel.backing.saturating_add(added);
		Self::deposit_event(Event::ChannelToppedUp {
			channel: id,
			added: credits,
			deposit: channel.deposit,
			backing: channel.backing,
			expires_at: channel.expires_at,
		});
		Channels::<T>::insert(id, channel);
		Ok(())
	}

	pub(crate) fn do_settle(
		provider: T::AccountId,
		id: ChannelId,
		receipt: UsageReceiptOf<T>,
	) -> DispatchResult {
		let mut channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		let device = Self::active_device(&channel.device)?;
		ensure!(device.owner == provider, Error::<T>::NotProvider);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= Self::settlement_deadline(&channel),
			Error::<T>::SettlementClosed
		);
		let payload = &receipt.payload;
		ensure!(payload.genesis_hash == Self::genesis_hash(), Error::<T>::WrongChain);
		ensure!(payload.channel == id, Error::<T>::WrongChannel);
		ensure!(
			receipt.signature.verify(&payload.signing_bytes()[..], &channel.consumer),
			Error::<T>::BadReceiptSignature
		);
		ensure!(payload.cumulative > channel.settled, Error::<T>::StaleReceipt);
		ensure!(payload.cumulative <= channel.deposit, Error::<T>::ReceiptExceedsDeposit);
		let epoch = T::Epochs::current_epoch().ok_or(Error::<T>::EpochNotStarted)?;

		let credits = payload.cumulative.saturating_sub(channel.settled);
		// The credits' share of what the consumer burned for the channel's credits: never
		// more, whatever the price or others' purchases; the last ones take the rest.
		let value = backing_share(channel.backing, channel.remaining(), credits);
		channel.backing = channel.backing.saturating_sub(value);
		channel.settled = payload.cumulative;
		let revenue = Self::spend_credits(credits, value);
		T::Usage::usage_settled(&channel.device, device.index, epoch, credits, value);
		Self::deposit_event(Event::ChannelSettled {
			channel: id,
			device: channel.device,
			provider,
			credits,
			cumulative: payload.cumulative,
			value,
			revenue,
			epoch,
		});
		Channels::<T>::insert(id, channel);
		Ok(())
	}

	pub(crate) fn do_close(id: ChannelId) -> DispatchResult {
		let channel = Channels::<T>::get(id).ok_or(Error::<T>::UnknownChannel)?;
		ensure!(
			frame_system::Pallet::<T>::block_number() > Self::settlement_deadline(&channel),
			Error::<T>::ChannelStillOpen
		);
		let refunded = channel.remaining();
		let backing = channel.backing;
		Self::return_credits(&channel.consumer, refunded, backing);
		ConsumerChannels::<T>::mutate_exists(&channel.consumer, |open| {
			if let Some(list) = open {
				list.retain(|c| *c != id);
				if list.is_empty() {
					*open = None;
				}
			}
		});
		Channels::<T>::remove(id);
		Self::deposit_event(Event::ChannelClosed {
			channel: id,
			consumer: channel.consumer,
			refunded,
			backing,
		});
		Ok(())
	}
}
