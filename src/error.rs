//! Every failure of the agent, and the one table that maps it to an OCF code.

use std::net::{IpAddr, Ipv4Addr};

use ra_api::{Failure, ParamError, Status};

use crate::classify::Foreign;
use crate::engine::{ContainerName, EngineError};
use crate::host::HostError;
use crate::net::NetError;

/// A failure of an action, with the context an administrator needs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is malformed (wrong on every node).
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The configured interface does not exist here.
    #[error("nic {nic} does not exist on this node")]
    NicMissing {
        /// The interface name.
        nic: String,
    },
    /// The address, given without a prefix, is the network or broadcast
    /// address of the prefix its connected route gives it on this node.
    #[error("{ip} is {why} (the prefix of its connected route on {nic}): give a host address or its /prefix")]
    NotAHost {
        /// The address.
        ip: IpAddr,
        /// The interface of the route.
        nic: String,
        /// What it is ("the network address of 192.0.2.0/24").
        why: String,
    },
    /// No connected route on this node contains the address: the interface
    /// or the prefix (whichever the parameters leave open) cannot be found.
    #[error("{}", no_route(ip, nic.as_deref(), *prefix_given))]
    NoRoute {
        /// The address.
        ip: IpAddr,
        /// `nic`, when set.
        nic: Option<String>,
        /// Whether `ip` carries a /prefix.
        prefix_given: bool,
    },
    /// The container does not exist on this node.
    #[error("container {container} does not exist on this node")]
    ContainerMissing {
        /// Name or id.
        container: ContainerName,
    },
    /// The container has a restart policy and `fix_restart_policy` is false.
    #[error("container {container} has restart policy {policy}: set it to no or fix_restart_policy=true")]
    RestartPolicy {
        /// Name or id.
        container: ContainerName,
        /// The policy found.
        policy: String,
    },
    /// The container has a restart policy the engine cannot change
    /// (Podman 4 has no container update request).
    #[error("container {container} has restart policy {policy}, which this engine cannot change: recreate it with --restart=no")]
    RestartPolicyUnfixable {
        /// Name or id.
        container: ContainerName,
        /// The policy found.
        policy: String,
    },
    /// The address is bound on this node, but not as this resource's: to
    /// another interface, or to the configured one with another prefix.
    #[error(transparent)]
    Foreign(#[from] Foreign),
    /// IPv6 duplicate address detection failed.
    #[error("{} is already in use on the network (DAD failed); address removed", ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    DadFailed {
        /// The addresses it failed for.
        ips: Vec<IpAddr>,
    },
    /// `conflict_check`: another host answered for the address.
    #[error("{ip} is already in use on the network: {} answered the ARP probe (conflict_check); not bound", crate::net::probe::mac_string(*mac))]
    Conflict {
        /// The address.
        ip: Ipv4Addr,
        /// The MAC that claimed it.
        mac: [u8; 6],
    },
    /// One address of several failed: the failure, named by its address.
    #[error("{ip}: {source}")]
    For {
        /// The address.
        ip: IpAddr,
        /// What went wrong with it.
        source: Box<Error>,
    },
    /// Several failures at once (stop of several addresses).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    All(Vec<Error>),
    /// The container this node started or found under the configured name
    /// runs under another name now (renamed, or the name reused).
    #[error("container {stray}, started here as {container}, still runs under another name: stop the resource first")]
    Stray {
        /// The configured name.
        container: ContainerName,
        /// The other container, as reasons name it.
        stray: String,
    },
    /// The engine did not come back while start waited for it.
    #[error("{source} (waited {} s)", waited.as_secs())]
    EngineAway {
        /// How long start waited.
        waited: std::time::Duration,
        /// The last answer.
        source: EngineError,
    },
    /// The process lacks a capability.
    #[error("missing {cap}: run as root (the cluster does)")]
    Privilege {
        /// The capability name.
        cap: &'static str,
    },
    /// Start could not reach the state monitor accepts.
    #[error("{0}")]
    NotReady(String),
    /// Stop could not reach the state monitor reports as stopped.
    #[error("{0}")]
    StillRunning(String),
    /// The interface has no carrier (announcements would go nowhere).
    #[error("nic {nic} has no carrier")]
    NoCarrier {
        /// The interface.
        nic: String,
    },
    /// The Engine API.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Netlink or the packet socket.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The process table.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The async runtime could not be built.
    #[error("cannot set up the runtime: {0}")]
    Runtime(String),
}

impl Error {
    /// The one table from failures to OCF codes.
    pub fn status(&self) -> Status {
        use EngineError as E;
        use NetError as N;
        match self {
            Error::Param(_) => Status::ErrConfigured,
            Error::NicMissing { .. }
            | Error::NoRoute { .. }
            | Error::NotAHost { .. }
            | Error::ContainerMissing { .. }
            | Error::RestartPolicy { .. }
            | Error::RestartPolicyUnfixable { .. }
            | Error::Foreign(_) => Status::ErrInstalled,
            Error::Privilege { .. } => Status::ErrPerm,
            Error::For { source, .. } => source.status(),
            // the first failure's code (stop reports them all in the text)
            Error::All(all) => all.first().map_or(Status::ErrGeneric, Error::status),
            Error::DadFailed { .. }
            | Error::Conflict { .. }
            | Error::NoCarrier { .. }
            | Error::NotReady(_)
            | Error::StillRunning(_)
            | Error::Stray { .. }
            | Error::EngineAway { .. }
            | Error::Runtime(_) => Status::ErrGeneric,
            Error::Engine(e) => match e {
                // not running now: a restart in progress as likely as a
                // missing engine (start waits for it first)
                E::Absent { .. } => Status::ErrGeneric,
                E::NotFound { .. } | E::Unsupported { .. } | E::NotSocket { .. } => {
                    Status::ErrInstalled
                }
                E::Permission { .. } => Status::ErrPerm,
                E::Timeout { .. } | E::NoAnswer { .. } | E::Api { .. } | E::Protocol { .. } => {
                    Status::ErrGeneric
                }
            },
            Error::Host(HostError::Unreadable { .. }) => Status::ErrPerm,
            Error::Net(e) => match e {
                N::Permission { .. } => Status::ErrPerm,
                N::NoSuchLink { .. } | N::Ipv6Disabled { .. } => Status::ErrInstalled,
                N::Timeout { .. } | N::DadUnfinished { .. } | N::Kernel { .. } | N::Io { .. } => {
                    Status::ErrGeneric
                }
            },
        }
    }
}

/// What is missing when no connected route contains the address: only what
/// the parameters leave open.
fn no_route(ip: &IpAddr, nic: Option<&str>, prefix_given: bool) -> String {
    match (nic, prefix_given) {
        (None, true) => {
            format!("no interface of this node has a connected route containing {ip}: set nic=")
        }
        (None, false) => {
            format!("no connected route contains {ip} on this node: set nic= and a /prefix")
        }
        (Some(nic), _) => {
            format!("no connected route on {nic} contains {ip}: give ip a /prefix")
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(e.status(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_parameters_are_6_and_node_local_gaps_are_5() {
        let p = Error::Param(ParamError::Invalid {
            name: "ip",
            value: "x".into(),
            problem: "bad".into(),
        });
        assert_eq!(p.status(), Status::ErrConfigured);
        assert_eq!(
            Error::NicMissing { nic: "eth9".into() }.status(),
            Status::ErrInstalled
        );
        assert_eq!(
            Error::ContainerMissing {
                container: ContainerName::of("croit")
            }
            .status(),
            Status::ErrInstalled
        );
        let gone = EngineError::Absent {
            endpoint: "e".into(),
            detail: "d".into(),
        };
        // an engine not running is transient (a restart): 1, not a ban
        assert_eq!(Error::Engine(gone).status(), Status::ErrGeneric);
        let not_socket = EngineError::NotSocket {
            endpoint: "e".into(),
            problem: "a regular file".into(),
        };
        assert_eq!(Error::Engine(not_socket).status(), Status::ErrInstalled);
    }

    #[test]
    fn a_restart_policy_the_engine_cannot_change_is_5_and_says_what_to_do() {
        let e = Error::RestartPolicyUnfixable {
            container: ContainerName::of("croit"),
            policy: "always".into(),
        };
        assert_eq!(e.status(), Status::ErrInstalled);
        let reason = e.to_string();
        assert!(reason.contains("--restart=no"), "{reason}");
        assert!(reason.len() <= 128, "{reason}");
        let u = Error::Engine(EngineError::Unsupported {
            endpoint: "unix:///run/podman/podman.sock".into(),
            op: "container update",
            message: "Not Found".into(),
        });
        assert_eq!(u.status(), Status::ErrInstalled);
    }

    #[test]
    fn an_engine_that_does_not_answer_is_generic_not_installed() {
        let t = Error::Engine(EngineError::Timeout {
            endpoint: "unix:///x".into(),
            op: "inspect",
            given: None,
        });
        assert_eq!(t.status(), Status::ErrGeneric);
        let f: Failure = t.into();
        assert_eq!(f.status(), Status::ErrGeneric);
        assert!(!f.reason().is_empty());
    }

    #[test]
    fn no_route_names_only_what_is_missing() {
        let r = |nic: Option<&str>, prefix_given| {
            Error::NoRoute {
                ip: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)),
                nic: nic.map(str::to_string),
                prefix_given,
            }
            .to_string()
        };
        assert!(r(None, false).contains("set nic= and a /prefix"));
        assert!(!r(None, true).contains("prefix"), "{}", r(None, true));
        let with_nic = r(Some("eth0"), false);
        assert!(with_nic.contains("eth0") && with_nic.contains("/prefix"));
        assert!(!with_nic.contains("set nic"));
        for s in [
            r(None, false),
            r(None, true),
            r(Some("abcdefghijklmno"), false),
        ] {
            assert!(s.len() <= 128, "{s}");
        }
    }

    #[test]
    fn dad_and_conflict_failures_name_their_addresses() {
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
        let dad = Error::DadFailed {
            ips: vec![v6("2001:db8::10"), v6("2001:db8::11")],
        };
        assert_eq!(
            dad.to_string(),
            "2001:db8::10 2001:db8::11 is already in use on the network (DAD failed); address removed"
        );
        let conflict = Error::Conflict {
            ip: Ipv4Addr::new(192, 0, 2, 10),
            mac: [2, 0, 0, 0, 0, 0xab],
        };
        assert_eq!(
            conflict.to_string(),
            "192.0.2.10 is already in use on the network: 02:00:00:00:00:ab answered the ARP probe (conflict_check); not bound"
        );
        assert_eq!(conflict.status(), Status::ErrGeneric);
    }

    #[test]
    fn an_address_the_route_makes_no_host_is_5_and_says_why() {
        let e = Error::NotAHost {
            ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 0)),
            nic: "eth0".into(),
            why: "the network address of 192.0.2.0/24".into(),
        };
        assert_eq!(e.status(), Status::ErrInstalled);
        assert_eq!(
            e.to_string(),
            "192.0.2.0 is the network address of 192.0.2.0/24 (the prefix of its connected \
             route on eth0): give a host address or its /prefix"
        );
    }

    #[test]
    fn privileges_are_4() {
        assert_eq!(
            Error::Privilege {
                cap: "CAP_NET_ADMIN"
            }
            .status(),
            Status::ErrPerm
        );
        assert_eq!(
            Error::Net(NetError::Permission { op: "add address" }).status(),
            Status::ErrPerm
        );
        assert_eq!(
            Error::Engine(EngineError::Permission {
                endpoint: "e".into()
            })
            .status(),
            Status::ErrPerm
        );
    }
}
