//! Behaviour a hardware owner and governance see: calls, events, balances, errors.

mod governance;
mod inspect;
mod lifecycle;
mod makers;
mod register;
