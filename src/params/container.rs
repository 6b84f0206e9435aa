//! The declarations of the container parameters: which container on which
//! engine (`container`, `docker_host`), how stop ends it (`stop_timeout`),
//! how monitor judges it (`check_health`, `wait_healthy`, `monitor_cmd`)
//! and its restart policy (`fix_restart_policy`), with their own checks.

use crate::engine::{ContainerName, Endpoint};
use ra_api::{Env, ParamError, ParamSpec, Params};

/// Where the Engine API is when neither `docker_host` nor `$DOCKER_HOST` says.
pub const DEFAULT_DOCKER_HOST: &str = crate::engine::DEFAULT_ENDPOINT;

/// `container`: the pre-deployed container.
pub const CONTAINER: ParamSpec = ParamSpec::string("container")
    .default("croit")
    .shortdesc("Name or full id of the container")
    .longdesc(
        "Name or full (64 hex digit) id of the container this resource starts and stops. Only \
the container with exactly that name or id counts: a shorter id prefix is not accepted, because \
on a node without the container it could name another one. The container must \
already exist on every node that may run the resource (croit's model: each node has its own \
copy, created with the same name); the agent never creates, pulls or removes containers. A node \
without it gives OCF_ERR_INSTALLED (5) there, so the resource moves to another node. Use the \
container's host network (--network host) so that it serves the virtual address.",
    );

/// `docker_host`: the Engine API endpoint.
pub const DOCKER_HOST: ParamSpec = ParamSpec::string("docker_host")
    .default(DEFAULT_DOCKER_HOST)
    .shortdesc("Docker Engine API socket")
    .longdesc(
        "The Engine API endpoint as unix:///path or /path. When unset, $DOCKER_HOST from the \
environment of the cluster daemons is used if it names a unix socket, else \
unix:///var/run/docker.sock. Podman's Docker-compatible socket \
(unix:///run/podman/podman.sock) works as well. TCP endpoints are not supported, nor are blanks \
or control characters anywhere in the value (OCF_ERR_CONFIGURED, 6). Every call is \
bounded by the operation's timeout.",
    );

/// `stop_timeout`: grace period for the container.
pub const STOP_TIMEOUT: ParamSpec = ParamSpec::integer("stop_timeout")
    .reloadable()
    .shortdesc("Seconds between SIGTERM and SIGKILL for the container")
    .longdesc(
        "Grace period, in seconds, that stop gives the container between SIGTERM and SIGKILL. \
When unset, it is derived from the stop operation's timeout: the timeout minus a safety margin \
that leaves time for the kill and for removing the address (at least one second). A value that does \
not fit into the stop timeout is shortened to fit, with a warning: a stop that outlives its \
timeout gets the node fenced. 1 to 86400.",
    );

/// `check_health`: honour the container's HEALTHCHECK.
pub const CHECK_HEALTH: ParamSpec = ParamSpec::boolean("check_health")
    .reloadable()
    .default("true")
    .shortdesc("Fail monitor when the container's health check says unhealthy")
    .longdesc(
        "When true, monitor honours the container's HEALTHCHECK: unhealthy fails the monitor \
(Pacemaker then recovers the resource), starting (within the start period) and healthy pass. \
The exit reason shows the last line of the check's output, masked as for monitor_cmd (docker \
inspect shows all of it). A container without a health check is judged by its state alone.",
    );

/// `wait_healthy`: start waits for `healthy`.
pub const WAIT_HEALTHY: ParamSpec = ParamSpec::boolean("wait_healthy")
    .reloadable()
    .default("false")
    .shortdesc("Start waits until the health check reports healthy")
    .longdesc(
        "When true, start returns only once the container's health check reports healthy, \
bounded by the start timeout (raise it to cover the health check's start period). A container \
without a health check is treated as healthy once it runs. An unhealthy container fails start at \
once when check_health is true (monitor would fail it too); with check_health false start waits, \
as the check may pass again, and its reason says unhealthy when the timeout ends the wait.",
    );

/// `monitor_cmd`: a command run inside the container on recurring monitors.
pub const MONITOR_CMD: ParamSpec = ParamSpec::string("monitor_cmd")
    .reloadable()
    .sensitive()
    .shortdesc("Command run inside the container on each recurring monitor")
    .longdesc(
        "A command run inside the container through the Engine API's exec on every recurring \
monitor (not on probes); exit status 0 means healthy, anything else fails the monitor. The exit \
reason, which everyone who may read the cluster status sees, gives the exit status and the last \
line of the output with whatever looks like a credential (key=value values, what follows \
password, token, secret, Authorization, ..., a URL's user and password, long tokens) masked as \
***, at most 120 characters of it (the exit reason ends at 128 in all); the whole output tail \
is logged as a warning. An error about the value itself never quotes it. It is bounded by the monitor timeout: a command \
still running shortly before the deadline is killed (its processes in the container), never left \
behind. It is NOT \
run by a shell: the value is split into words at spaces and tabs; single quotes keep \
everything up to the next single quote as is; double quotes group words, and inside them a \
backslash escapes a double quote or a backslash; outside quotes a backslash escapes the next \
character. For shell features run the container's own shell, e.g. \
monitor_cmd=\"sh -c 'wget -q -O /dev/null http://127.0.0.1:8080/'\".",
    );

/// `fix_restart_policy`: switch the container's restart policy to `no`.
pub const FIX_RESTART_POLICY: ParamSpec = ParamSpec::boolean("fix_restart_policy")
    .reloadable()
    .default("true")
    .shortdesc("Set the container's restart policy to no (start and monitor)")
    .longdesc(
        "Pacemaker must be the only one that restarts the container: a restart policy such as \
always or unless-stopped lets dockerd restart it behind the cluster's back, and start it at boot \
on a standby node where start never ran. When true, start and every monitor (probes included) \
switch a policy other than no to no through the Engine API and log a warning. When false, start \
and validate-all (check level 10) refuse such a container with OCF_ERR_INSTALLED (5) and say \
why, and monitors log a warning. An engine that cannot \
change the policy (Podman 4 has no container update) gets the same refusal even when true: \
create the container with --restart=no there.",
    );

pub(super) fn container(p: &Params<'_>) -> Result<ContainerName, ParamError> {
    p.parse(&CONTAINER, ContainerName::parse)?
        .ok_or(ParamError::Missing {
            name: CONTAINER.name,
        })
}

pub(super) fn docker_host(p: &Params<'_>, env: &Env) -> Result<Endpoint, ParamError> {
    // An explicit parameter wins; then $DOCKER_HOST when it is a unix socket;
    // then the spec's default.
    if p.raw(&DOCKER_HOST).is_none() {
        if let Some(from_env) = env.var("DOCKER_HOST").and_then(|v| Endpoint::parse(v).ok()) {
            return Ok(from_env);
        }
    }
    p.parse(&DOCKER_HOST, Endpoint::parse)?
        .ok_or(ParamError::Missing {
            name: DOCKER_HOST.name,
        })
}

/// `unix:///absolute/path` or `/absolute/path`, without blanks or control
/// characters anywhere: a trailing blank pasted with the value names a
/// socket no node has, which would read as "engine missing" (5) on every
/// node and a probe's 7 instead of the definition's error.
pub fn check_docker_host(s: &str) -> Result<(), String> {
    Endpoint::parse(s).map(|_| ())
}
