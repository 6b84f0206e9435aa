//! What the integration tests of ocf:croit:container share (each file in
//! `tests/` is a test binary of the root package and uses this crate as
//! `support`).
//!
//! - [`agent`]: the real agent binary run the way Pacemaker runs it;
//!   [`paths`]: where it and the repository are.
//! - [`netns`], [`nettest`], [`v6wire`], [`stamped`]: network namespaces,
//!   frames on the wire, timestamps.
//! - [`docker`], [`podman`], [`engine`], [`procs`]: the engines (the shared
//!   test dockerd, the test podman, private dockerds) and the container's
//!   processes as the kernel sees them.
//! - [`rig`], [`matrix`], [`gone`]: the rigs the agent, fault and
//!   engine-gone tests share, and the README tables they check.
//! - [`cluster`], [`scenario`], [`install`], [`copies`], [`fenced`], [`chaos`]: the
//!   Pacemaker cluster harness, its scenarios' shared checks and the fault
//!   campaign; [`engine_away`] and [`failed_stop`]: the fenced cluster's
//!   engine-away and failed-stop scenarios.
//! - [`privileged`]: why a test is `#[ignore]`d in the quick loop, and the
//!   check that fails it (never skips it) where it cannot run.

pub mod agent;
pub mod chaos;
pub mod cluster;
pub mod copies;
pub mod docker;
pub mod engine;
pub mod engine_away;
pub mod failed_stop;
pub mod fenced;
pub mod gone;
pub mod install;
pub mod matrix;
pub mod netns;
pub mod nettest;
pub mod paths;
pub mod podman;
pub mod privileged;
pub mod procs;
pub mod rig;
pub mod scenario;
pub mod stamped;
pub mod v6wire;
