//! The agent's parameters: each one declared once.
//!
//! A [`ParamSpec`] holds the name, type, default and documentation of one
//! `OCF_RESKEY_*` parameter; [`PARAMS`] is the list the meta-data is written
//! from, and [`Config::from_env`] reads every value through the same specs.
//! Parameters that a running resource can take without a restart (read on
//! every call, nothing to move) are declared `.reloadable()`: Pacemaker then
//! calls `reload-agent` instead of stop and start when only they change.
//! `ip`, `nic`, `container` and `docker_host` are not: a new value means
//! another address or another container; nor are `preferred_lft` and
//! `nodad`, which apply when start binds the address.
//! Syntax errors are [`ParamError`]s, which the error table maps to
//! `OCF_ERR_CONFIGURED` (6): they are wrong on every node.

use std::path::PathBuf;
use std::time::Duration;

use ra_api::{Env, ParamError, ParamSpec, Params};

use crate::cmdline;
use crate::engine::{ContainerName, Endpoint};
use crate::vip::Vip;

mod address;
use address::lifetime;
pub use address::{CONFLICT_CHECK, CONFLICT_WINDOW, IP, NODAD, PREFERRED_LFT};
mod container;
pub use container::{
    check_docker_host, CHECK_HEALTH, CONTAINER, DEFAULT_DOCKER_HOST, DOCKER_HOST,
    FIX_RESTART_POLICY, MONITOR_CMD, STOP_TIMEOUT, WAIT_HEALTHY,
};
use container::{container, docker_host};

/// `nic`: the interface to bind to.
pub const NIC: ParamSpec = ParamSpec::string("nic")
    .shortdesc("Network interface to bind the address to")
    .longdesc(
        "Name of the network interface the address is bound to, e.g. eth0 or bond0.100 (at most \
15 bytes; alias labels such as eth0:1 are not supported). When empty, the interface whose \
connected route contains the address is used (the one with the lowest metric), and the \
address is this resource's on whichever interface it is bound (with the configured prefix): \
bound on several at once, monitor fails naming them and stop removes it from all of them. An \
IPv6 link-local address needs it set. The interface is brought up on start. Monitor fails while the interface is administratively down or has no \
carrier and the container runs. A missing interface on a node gives OCF_ERR_INSTALLED (5) there.",
    );

/// `arp_count`: announcement rounds at start.
pub const ARP_COUNT: ParamSpec = ParamSpec::integer("arp_count")
    .reloadable()
    .default("5")
    .shortdesc("Announcement rounds at start")
    .longdesc(
        "How many announcement rounds start sends. IPv4: each round is one gratuitous ARP \
request and one gratuitous ARP reply, because some switches honour only one kind. IPv6: each \
round is one unsolicited neighbour advertisement to ff02::1 with the Override flag. The first \
round goes out as soon as the address is bound and the interface has carrier (start waits for \
carrier, bounded by its timeout), the next ones while the container starts; a round after which \
the interface has no carrier does not count and is sent again. Start returns once the container \
is ready and the first round is out: the rounds still due then go out on schedule from a forked \
copy of the agent (no other program), detached from the cluster's pipes, which checks before \
every round that the address is still bound and ends otherwise; stop and the next start end it \
first, so nothing is announced after stop returned. With arp_count=1 or arp_interval=0 every \
round goes out before start returns. Interfaces without an Ethernet \
address or with NOARP (tun, WireGuard, GRE, InfiniBand) get none: start logs a warning and \
validate-all at OCF_CHECK_LEVEL=10 a notice. 1 to 1000. \
Rounds that would end too late for the start timeout are left out with a warning; validate-all \
refuses (OCF_ERR_CONFIGURED, 6) a value whose (arp_count - 1) x arp_interval does not fit the \
start timeout: the timeout less the agent's margin (a tenth, 0.2 to 2 s) and a quarter of the rest \
(at most 2 s), of the 60 s default start timeout or of the timeout validate-all is given when \
longer. reload-agent only logs a warning for such a value (it cannot know the configured \
timeouts).",
    );

/// `arp_interval`: pause between rounds.
pub const ARP_INTERVAL: ParamSpec = ParamSpec::integer("arp_interval")
    .reloadable()
    .default("200")
    .shortdesc("Milliseconds between announcement rounds")
    .longdesc(
        "Pause between two announcement rounds, in milliseconds (0 to 60000). Start and monitor \
never outlast their timeout for announcements: rounds that would are left out with a warning, \
and validate-all refuses pairs that cannot fit (see arp_count and arp_count_refresh).",
    );

/// `arp_count_refresh`: rounds after each recurring monitor.
pub const ARP_COUNT_REFRESH: ParamSpec = ParamSpec::integer("arp_count_refresh")
    .reloadable()
    .default("0")
    .shortdesc("Announcement rounds after each successful monitor")
    .longdesc(
        "Announcement rounds sent after every successful recurring monitor (not after probes), \
for switches that kept a stale MAC address, for example after a split brain. 0 (the default) \
sends none. An IPv6 address still in duplicate address detection is not announced. 0 to 100. \
Rounds that would end too late for the monitor timeout are left out \
with a warning; validate-all refuses (OCF_ERR_CONFIGURED, 6) a value whose (arp_count_refresh - 1) \
x arp_interval does not fit the monitor timeout: the timeout less the agent's margin and a tenth \
of the rest (at most 0.5 s), of the 30 s default monitor timeout or of the timeout validate-all \
is given when longer. reload-agent only logs a warning for such a value (it cannot know the \
configured timeouts).",
    );

/// Every parameter, in the order of the meta-data.
pub const PARAMS: &[ParamSpec] = &[
    IP,
    NIC,
    CONTAINER,
    DOCKER_HOST,
    PREFERRED_LFT,
    NODAD,
    CONFLICT_CHECK,
    CONFLICT_WINDOW,
    ARP_COUNT,
    ARP_INTERVAL,
    ARP_COUNT_REFRESH,
    STOP_TIMEOUT,
    CHECK_HEALTH,
    WAIT_HEALTHY,
    MONITOR_CMD,
    FIX_RESTART_POLICY,
];

/// The validated configuration of one resource instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The virtual addresses (at least one), each with its prefix when
    /// one was given, in the order of `ip`.
    pub vips: Vec<Vip>,
    /// The interface, or `None` to find it from the routes.
    pub nic: Option<String>,
    /// Name or id of the container.
    pub container: ContainerName,
    /// Engine API endpoint (`unix://` URL or absolute path).
    pub docker_host: Endpoint,
    /// IPv6 preferred lifetime in seconds; `None` is forever.
    pub preferred_lft: Option<u32>,
    /// Bind IPv6 addresses without DAD.
    pub nodad: bool,
    /// Probe IPv4 addresses with ARP before binding.
    pub conflict_check: bool,
    /// How long the probe listens.
    pub conflict_window: Duration,
    /// Announcement rounds at start.
    pub arp_count: u32,
    /// Pause between announcement rounds.
    pub arp_interval: Duration,
    /// Announcement rounds after each successful recurring monitor.
    pub arp_count_refresh: u32,
    /// Explicit grace period in seconds; `None` derives it from the timeout.
    pub stop_timeout: Option<u32>,
    /// Honour the container's health check in monitor.
    pub check_health: bool,
    /// Start waits for `healthy`.
    pub wait_healthy: bool,
    /// The argv of `monitor_cmd`, when set.
    pub monitor_cmd: Option<Vec<String>>,
    /// Switch a restart policy other than `no` to `no` at start.
    pub fix_restart_policy: bool,
    /// Where container ids are remembered (`$HA_RSCTMP`).
    pub state_dir: PathBuf,
    /// The resource instance (`OCF_RESOURCE_INSTANCE`; the container's
    /// name when unset): what the agent's records are kept by.
    pub instance: String,
}

impl Config {
    /// Reads and checks every parameter (syntax only: nothing on this node is looked at).
    pub fn from_env(env: &Env) -> Result<Config, ParamError> {
        let p = Params::new(env);
        let (vips, nic) = addresses(&p)?;
        if let Some(v) = vips.iter().find(|v| v.is_link_local()) {
            if nic.is_none() {
                return Err(ParamError::invalid(
                    &IP,
                    p.raw(&IP).unwrap_or_default(),
                    if vips.len() == 1 {
                        "a link-local address means nothing without its link: set nic".into()
                    } else {
                        format!("{} is link-local: set nic", v.addr)
                    },
                ));
            }
        }
        Ok(Config {
            vips,
            nic,
            preferred_lft: p.parse(&PREFERRED_LFT, lifetime)?.flatten(),
            nodad: p.boolean(&NODAD)?,
            conflict_check: p.boolean(&CONFLICT_CHECK)?,
            conflict_window: Duration::from_millis(u64::from(count(
                &p,
                &CONFLICT_WINDOW,
                10..=10_000,
            )?)),
            instance: instance(env, Some(&container(&p)?)),
            container: container(&p)?,
            docker_host: docker_host(&p, env)?,
            arp_count: count(&p, &ARP_COUNT, 1..=1000)?,
            arp_interval: Duration::from_millis(u64::from(count(&p, &ARP_INTERVAL, 0..=60_000)?)),
            arp_count_refresh: count(&p, &ARP_COUNT_REFRESH, 0..=100)?,
            stop_timeout: p
                .integer(&STOP_TIMEOUT, 1..=86_400)?
                .and_then(|v| u32::try_from(v).ok()),
            check_health: p.boolean(&CHECK_HEALTH)?,
            wait_healthy: p.boolean(&WAIT_HEALTHY)?,
            monitor_cmd: p.parse(&MONITOR_CMD, cmdline::split)?,
            fix_restart_policy: p.boolean(&FIX_RESTART_POLICY)?,
            state_dir: state_dir(env),
        })
    }

    /// The records of this resource on this node.
    pub fn state(&self) -> crate::state::State {
        crate::state::State::new(
            &self.state_dir,
            &self.instance,
            Some(&self.container),
            self.docker_host.as_str(),
        )
    }

    /// The addresses as `ip` gives them (blank-separated).
    pub fn ip_list(&self) -> String {
        crate::vip::list_string(&self.vips)
    }

    /// Whether any address is IPv6.
    pub fn any_v6(&self) -> bool {
        self.vips.iter().any(Vip::is_v6)
    }
}

/// Where the agent remembers container ids: `$HA_RSCTMP` as the shell
/// library sets it, else [`crate::state::DEFAULT_DIR`].
pub fn state_dir(env: &Env) -> PathBuf {
    env.var("HA_RSCTMP")
        .filter(|d| d.starts_with('/'))
        .map_or_else(|| PathBuf::from(crate::state::DEFAULT_DIR), PathBuf::from)
}

/// The resource instance the records are kept by: `OCF_RESOURCE_INSTANCE`,
/// or the container's name where the caller sets none (empty without one).
pub fn instance(env: &Env, container: Option<&ContainerName>) -> String {
    env.instance()
        .filter(|i| !i.is_empty())
        .unwrap_or(container.map_or("", ContainerName::as_str))
        .to_string()
}

/// The engine endpoint on its own, as the normal path reads it
/// (`docker_host`, else `$DOCKER_HOST`, else the default), for a stop with
/// other parameters malformed.
pub fn docker_host_only(env: &Env) -> Result<Endpoint, ParamError> {
    docker_host(&Params::new(env), env)
}

/// The address and interface on their own, for a stop with other
/// parameters malformed: both must be well-formed (an empty `nic` is).
pub fn address_only(env: &Env) -> Result<(Vec<Vip>, Option<String>), ParamError> {
    addresses(&Params::new(env))
}

fn addresses(p: &Params<'_>) -> Result<(Vec<Vip>, Option<String>), ParamError> {
    let vips = p
        .parse(&IP, crate::vip::parse_list)?
        .ok_or(ParamError::Missing { name: IP.name })?;
    Ok((vips, p.parse(&NIC, check_nic)?))
}

/// The container name on its own, for a stop that must act even when other
/// parameters are malformed.
pub fn container_only(env: &Env) -> Result<ContainerName, ParamError> {
    container(&Params::new(env))
}

fn count(
    p: &Params<'_>,
    spec: &ParamSpec,
    range: std::ops::RangeInclusive<i64>,
) -> Result<u32, ParamError> {
    // Every count has a default in its spec and a range within u32.
    p.integer(spec, range)?
        .and_then(|v| u32::try_from(v).ok())
        .ok_or(ParamError::Missing { name: spec.name })
}

/// Interface names as the kernel takes them: 1 to 15 bytes, no '/', ':' or
/// whitespace, not `.` or `..`.
pub fn check_nic(s: &str) -> Result<String, String> {
    if s.len() > 15 {
        return Err(format!(
            "{} bytes, interface names have at most 15",
            s.len()
        ));
    }
    if s == "." || s == ".." {
        return Err("not an interface name".into());
    }
    if s.contains(':') {
        return Err("alias labels are not supported, give the interface (eth0)".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| *c == '/' || c.is_whitespace() || c.is_control())
    {
        return Err(format!("{c:?} is not allowed in an interface name"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests;
