//! `ocf:croit:container`: a Docker container and the virtual IP it serves,
//! as one OCF resource agent.
//!
//! The binary (`src/main.rs`) hands [`agent::ContainerAgent`] to
//! [`ra_api::run`]. Parameters are declared once in [`params`]; what is seen
//! on the node is gathered in [`observe`] and judged by the pure table in
//! [`classify`]; [`actions`] holds one file per action; [`error`] maps every
//! failure to an OCF code. Real I/O lives behind [`engine`] (the Docker
//! Engine API through bollard) and [`net`] (rtnetlink and raw frames).

pub mod actions;
pub mod agent;
pub mod announcer;
pub mod classify;
pub mod cmdline;
pub mod engine;
pub mod error;
pub mod host;
pub mod net;
pub mod observe;
pub mod params;
pub mod privilege;
pub mod reason;
pub mod record;
pub mod vip;
