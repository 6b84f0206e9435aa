//! The agent against a real dockerd and real network namespaces: each row of
//! the monitor table produced for real, start/stop idempotency, restart
//! policy handling, announcements captured on the peer, IPv6 DAD.
//!
//! Needs root, network namespaces and a dockerd with the test image
//! (`tests/run.sh` provides them); `#[ignore]`d for the quick unprivileged loop.

use support::{agent, docker, netns, rig};

use std::time::Duration;

use agent::{expect, has_addr};
use rig::{inspect, Rig, SERVE, V4, V6};

mod address;
mod container;
mod engine;
