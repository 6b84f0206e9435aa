//! The virtual address as the `ip` parameter gives it.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An address with an optional prefix length (`192.0.2.10/24`, `2001:db8::10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vip {
    /// The address itself.
    pub addr: IpAddr,
    /// The prefix length when the parameter gave one.
    pub prefix: Option<u8>,
}

impl Vip {
    /// The longest prefix of this address family (32 or 128).
    pub fn max_prefix(&self) -> u8 {
        match self.addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        }
    }

    /// `true` for IPv6.
    pub fn is_v6(&self) -> bool {
        self.addr.is_ipv6()
    }

    /// IPv6 link-local (fe80::/10): meaningless without its link.
    pub fn is_link_local(&self) -> bool {
        match self.addr {
            IpAddr::V6(a) => a.segments()[0] & 0xffc0 == 0xfe80,
            IpAddr::V4(_) => false,
        }
    }
}

impl FromStr for Vip {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr_s, prefix_s) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        if addr_s.contains('%') {
            return Err("zone ids are not supported: name the interface in nic".into());
        }
        let addr: IpAddr = addr_s
            .parse()
            .map_err(|_| "not an IPv4 or IPv6 address in CIDR notation".to_string())?;
        let mut vip = Vip { addr, prefix: None };
        if let Some(p) = prefix_s {
            let max = vip.max_prefix();
            let ok = !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
            match p.parse::<u8>() {
                Ok(n) if ok && (1..=max).contains(&n) => vip.prefix = Some(n),
                _ => return Err(format!("prefix must be 1 to {max}")),
            }
        }
        if let Some(why) = unusable(addr, vip.prefix) {
            return Err(why);
        }
        Ok(vip)
    }
}

/// Why `addr` (with `prefix`, when given) can never be a virtual address of
/// a host, or `None`: what the kernel would bind but nobody could reach.
pub fn unusable(addr: IpAddr, prefix: Option<u8>) -> Option<String> {
    match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            let why = if a.is_unspecified() {
                "the unspecified address"
            } else if a.is_broadcast() {
                "the limited broadcast address"
            } else if o[0] == 0 {
                "in 0.0.0.0/8 (this network): not a host address"
            } else if a.is_loopback() {
                "a loopback address"
            } else if a.is_multicast() {
                "a multicast address"
            } else if o[0] >= 240 {
                "in 240.0.0.0/4 (reserved): not a host address"
            } else {
                return host_part(a, prefix);
            };
            Some(why.into())
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return Some(format!("IPv4-mapped, never on the wire: give {v4}"));
            }
            let why = if a.is_unspecified() {
                "the unspecified address"
            } else if a.is_loopback() {
                "a loopback address"
            } else if a.is_multicast() {
                "a multicast address"
            } else {
                return None;
            };
            Some(why.into())
        }
    }
}

/// The network and the broadcast address of a prefix up to /30 (a /31 and
/// a /32 have neither, RFC 3021).
fn host_part(a: std::net::Ipv4Addr, prefix: Option<u8>) -> Option<String> {
    let p = prefix.filter(|p| *p <= 30)?;
    let mask = u32::MAX << (32 - u32::from(p));
    let bits = u32::from(a);
    let net = std::net::Ipv4Addr::from(bits & mask);
    if bits & !mask == 0 {
        Some(format!("the network address of {net}/{p}"))
    } else if bits & !mask == !mask {
        Some(format!("the broadcast address of {net}/{p}"))
    } else {
        None
    }
}

impl fmt::Display for Vip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(p) => write!(f, "{}/{}", self.addr, p),
            None => write!(f, "{}", self.addr),
        }
    }
}

mod list;
pub use list::{list_string, parse_list, Vips, MAX_ADDRESSES};

#[cfg(test)]
mod tests;
