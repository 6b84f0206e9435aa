//! The node handle: everything an action reads or changes on this node
//! (addresses and links through netlink, the container engine, the kernel's
//! process table, the records of the state directory), bounded by one
//! deadline. It sits below the actions and the observation: they take a
//! `&Node`, and nothing here knows about them.
//!
//! The engine and the network are type parameters ([`Engine`], [`Net`]:
//! reads, binds, proofs and announcements) so that every action's
//! decisions run in-process against scripted ones; on a node they are
//! [`Docker`] and [`Netlink`] (the defaults).

use std::time::Duration;

use ra_api::Deadline;
use tokio::time::Instant;

use crate::budget::Budget;
use crate::engine::{Docker, Endpoint, Engine};
use crate::error::Error;
use crate::host::Kernel;
use crate::net::{Net, Netlink};
use crate::params::Config;
use crate::state::State;

/// The handles every node-touching action needs.
pub struct Node<E: Engine = Docker, N: Net = Netlink> {
    /// Addresses and links.
    pub nl: N,
    /// The Engine API.
    pub engine: E,
    /// The process table (when the engine cannot tell).
    pub host: Kernel,
    /// What this node remembers of the resource.
    pub state: State,
    /// The deadline everything is bounded by, and the budget up to it.
    pub budget: Budget,
    /// When the last announcement round may go out; the deadline itself
    /// unless the action keeps a reserve ([`Node::reserve`]).
    pub announce_until: Instant,
}

impl Node {
    /// Opens netlink and prepares the engine client (no connection yet),
    /// both bounded by `budget`. Must run inside the runtime.
    pub fn open(cfg: &Config, budget: Budget) -> Result<Node, Error> {
        Node::connect(&cfg.docker_host, cfg.state(), budget.at(), budget)
    }

    /// [`Node::open`] from the parts: the engine at `endpoint`, whose calls
    /// end by `engine_until` (stop's end early, leaving time for the kernel
    /// and the address), and the records `state`.
    pub fn connect(
        endpoint: &Endpoint,
        state: State,
        engine_until: Instant,
        budget: Budget,
    ) -> Result<Node, Error> {
        Ok(Node {
            nl: Netlink::open(budget.at())?,
            engine: Docker::connect(endpoint, engine_until)?,
            host: Kernel::new(),
            state,
            budget,
            announce_until: budget.at(),
        })
    }
}

impl<E: Engine, N: Net> Node<E, N> {
    /// Keeps `reserve(budget)` of `deadline` for what follows the last
    /// announcement round.
    pub fn reserve(mut self, deadline: &Deadline, reserve: fn(Duration) -> Duration) -> Self {
        self.announce_until = self.budget.at() - reserve(deadline.budget());
        self
    }
}
