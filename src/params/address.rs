//! The declarations of the address parameters: `ip` (one or several
//! addresses), the IPv6 options `preferred_lft` and `nodad`, and the IPv4
//! collision check `conflict_check` with its `conflict_window`.

use ra_api::ParamSpec;

/// `ip`: the virtual addresses.
pub const IP: ParamSpec = ParamSpec::string("ip")
    .required()
    .unique()
    .shortdesc("Virtual IPv4 and/or IPv6 addresses in CIDR notation")
    .longdesc(
        "The virtual address or addresses this resource binds, in CIDR notation: 192.0.2.10/24 or \
2001:db8::10/64, or several (at most 100), IPv4 and IPv6 mixed, separated by blanks and/or \
commas: \"192.0.2.10/24 2001:db8::10/64\". One address twice (with the same or another \
prefix), an empty item (two commas in a row, a leading or trailing comma) or a malformed item \
is refused with OCF_ERR_CONFIGURED (6) naming it. \
Without a /prefix the prefix is taken from the connected route on the \
interface that contains the address (as IPaddr2 does); when no such route exists on a node, \
start and validate-all fail there with OCF_ERR_INSTALLED (5) and Pacemaker tries another node. \
On start every address is added to its interface and announced with gratuitous ARP (IPv4: a \
request and a reply per round, at once) or unsolicited neighbour advertisements (IPv6, once \
duplicate address detection has passed); the container is started only once every address is \
known free (DAD passed, the conflict_check probe unanswered). An address that another host \
already holds fails the start: every address this start bound is removed and the container \
has not run. The addresses of one family on one link share their rounds. \
When one address cannot be bound, start removes the ones it bound and fails naming it. \
Monitor: every address bound and the container running is success, no address bound and the \
container stopped is OCF_NOT_RUNNING (7), any mix is OCF_ERR_GENERIC (1) naming the addresses \
that are missing (or left over). Stop removes every address, goes on past a failure on one and \
reports all of them. \
Zone ids (fe80::1%eth0), multicast, broadcast, loopback and \
unspecified addresses, IPv4-mapped IPv6 addresses (::ffff:192.0.2.10), 0.0.0.0/8, \
240.0.0.0/4 and the network and broadcast address of the given prefix (192.0.2.0/24, \
192.0.2.255/24; a /31 or /32 has neither) are refused, each with its reason; given without \
a prefix, an address its connected route makes the network or broadcast address of the subnet \
fails the start with OCF_ERR_INSTALLED (5); an IPv6 \
link-local address (fe80::/10) needs nic. The same \
address already bound on this node in another way (another prefix, another interface) fails \
the start with OCF_ERR_INSTALLED (5) before anything changes, and monitor reports it (never \
OCF_NOT_RUNNING while it is bound here).",
    );

/// `preferred_lft`: IPv6 preferred lifetime.
pub const PREFERRED_LFT: ParamSpec = ParamSpec::string("preferred_lft")
    .default("forever")
    .shortdesc("Preferred lifetime of the IPv6 addresses (0: deprecated)")
    .longdesc(
        "The preferred lifetime, in seconds, the IPv6 addresses get when start binds them \
(the valid lifetime stays forever): forever (the default) or 0 to 4294967294. 0 binds them \
deprecated: they are served (they accept connections and answer neighbour solicitations) but \
the kernel never picks them as the source address of connections this node opens, so outgoing \
traffic keeps using the node's own address (IPaddr2's preferred_lft=0). A number of seconds \
deprecates them that long after start. IPv4 addresses are not affected. Monitor counts a \
deprecated address as bound. Applied at start: a change takes a restart.",
    );

/// `nodad`: IPv6 without duplicate address detection.
pub const NODAD: ParamSpec = ParamSpec::boolean("nodad")
    .default("false")
    .shortdesc("Bind the IPv6 addresses without duplicate address detection")
    .longdesc(
        "When true, the IPv6 addresses are bound with IFA_F_NODAD: the kernel skips duplicate \
address detection (one to two seconds, more with a higher dad_transmits; about one second \
where net.ipv6.conf.<nic>.optimistic_dad=1, with which start binds them optimistic, RFC 4429), \
so they are usable and announced at once and the container starts without waiting for it. The risk: an address that another host on the \
link still holds (a node that was not fenced, a misconfiguration) is taken over without any \
check, both hosts answer for it and connections break in ways that are hard to trace; start \
cannot fail with 'already in use' any more. Use it only where fencing guarantees the old \
holder is gone. IPv4 addresses are not affected (see conflict_check). Applied at start: a \
change takes a restart.",
    );

/// `conflict_check`: RFC 5227 probes before binding IPv4 addresses.
pub const CONFLICT_CHECK: ParamSpec = ParamSpec::boolean("conflict_check")
    .reloadable()
    .default("false")
    .shortdesc("Probe the IPv4 addresses with ARP before binding them")
    .longdesc(
        "When true, start sends ARP probes for each IPv4 address before binding it (sender \
address 0.0.0.0, as RFC 5227 says, so no neighbour cache learns anything from them) and \
listens for conflict_window milliseconds: an ARP reply or request from another Ethernet \
address that claims the address fails the start with OCF_ERR_GENERIC (1) and a reason naming \
that MAC, no address stays bound and the container is not started (IPv6 addresses are \
bound and in DAD meanwhile: both proofs run at once). Like IPaddr2's run_arping, it adds conflict_window to every \
start and catches only hosts that answer within it. Interfaces without ARP are not probed. \
The default false binds at once (as IPaddr2).",
    );

/// `conflict_window`: how long `conflict_check` listens.
pub const CONFLICT_WINDOW: ParamSpec = ParamSpec::integer("conflict_window")
    .reloadable()
    .default("200")
    .shortdesc("Milliseconds conflict_check listens for an answer")
    .longdesc(
        "How long, in milliseconds, conflict_check listens for another host claiming an IPv4 \
address (10 to 10000). Two probes go out, at the start and in the middle of the window. \
Without conflict_check it has no effect.",
    );

/// `preferred_lft`: `forever` (`None`) or seconds.
pub(super) fn lifetime(s: &str) -> Result<Option<u32>, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("forever") {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(n) if n < u32::MAX && t.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err("must be forever or 0 to 4294967294 (seconds)".into()),
    }
}
