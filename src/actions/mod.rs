//! One file per action; each decides from the classification in
//! [`crate::classify`].

pub mod addresses;
pub mod bringup;
pub mod monitor;
pub mod start;
pub mod stop;
pub mod timing;
pub mod validate;

use std::future::Future;

use crate::error::Error;

/// Runs one action's future on a single-threaded runtime (one short-lived
/// process per action: a multi-threaded runtime costs ten times more).
pub fn block_on<T>(f: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?
        .block_on(f)
}
