//! `ocf:croit:container`: a Docker container and the virtual IP it serves,
//! as one OCF resource agent.
//!
//! The binary (`src/main.rs`) hands [`agent::ContainerAgent`] to
//! [`ra_api::run`]. Parameters are declared once in [`params`]; what is seen
//! on the node is gathered in [`observe`] and judged by the pure table in
//! [`classify`]; [`actions`] holds one file per action; [`error`] maps every
//! failure to an OCF code. Real I/O lives behind [`engine`] (the Docker
//! Engine API through bollard) and [`net`] (rtnetlink and raw frames).

// No panics in the agent: a panic exits 101, which Pacemaker reads as a
// generic error with no reason. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod actions;
pub mod agent;
pub mod announce;
pub mod budget;
pub mod classify;
pub mod cmdline;
pub mod engine;
pub mod error;
pub mod host;
pub mod meta;
pub mod net;
pub mod node;
pub mod observe;
pub mod params;
pub mod privilege;
pub mod reason;
pub mod state;
pub mod vip;
