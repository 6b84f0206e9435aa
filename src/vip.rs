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

/// At most this many addresses in one `ip`.
pub const MAX_ADDRESSES: usize = 100;

/// The `ip` parameter: one or more addresses separated by blanks and/or
/// commas. An empty item (two commas, a leading or trailing comma), more
/// than [`MAX_ADDRESSES`], or one address twice (with any prefix) is refused
/// with a reason that names the item.
pub fn parse_list(s: &str) -> Result<Vec<Vip>, String> {
    let mut vips: Vec<Vip> = Vec::new();
    // Blanks around a comma belong to it; a run of blanks alone separates.
    for (n, group) in s.split(',').enumerate() {
        let words: Vec<&str> = group.split_whitespace().collect();
        if words.is_empty() {
            return Err(match (n, s.trim().is_empty()) {
                (_, true) => "no address given".into(),
                (0, _) => "empty item before the first comma".into(),
                _ => format!("empty item after comma {n}"),
            });
        }
        for w in words {
            let vip: Vip = w.parse().map_err(|e: String| {
                if let Some((v6, v4)) =
                    mapped(w).filter(|(_, v4)| vips.iter().any(|v| v.addr == *v4))
                {
                    format!("{v4} is given twice (once as {v6})")
                } else if vips.is_empty()
                    && !s.trim().contains(|c: char| c == ',' || c.is_whitespace())
                {
                    e
                } else {
                    format!("{}: {e}", short(w))
                }
            })?;
            if let Some(first) = vips.iter().find(|v| v.addr == vip.addr) {
                let p = |v: &Vip| v.prefix.map_or("no prefix".into(), |p| format!("/{p}"));
                return Err(if first.prefix == vip.prefix {
                    format!("{} is given twice", vip.addr)
                } else {
                    format!("{} is given twice ({} and {})", vip.addr, p(first), p(&vip))
                });
            }
            if vips.len() == MAX_ADDRESSES {
                return Err(format!("more than {MAX_ADDRESSES} addresses"));
            }
            vips.push(vip);
        }
    }
    Ok(vips)
}

/// An IPv4-mapped item (`::ffff:192.0.2.10/64`) and the IPv4 address it
/// stands for.
fn mapped(w: &str) -> Option<(std::net::Ipv6Addr, IpAddr)> {
    let a: std::net::Ipv6Addr = w.split('/').next()?.parse().ok()?;
    a.to_ipv4_mapped().map(|v4| (a, IpAddr::V4(v4)))
}

/// An item as a reason quotes it: printable, at most 16 characters once
/// escaped, then `…`.
fn short(w: &str) -> String {
    let mut out = String::new();
    for c in w.chars() {
        let e: String = c.escape_debug().collect();
        if out.chars().count() + e.chars().count() > 16 {
            out.push('…');
            break;
        }
        out.push_str(&e);
    }
    out
}

/// The list as `ip` would give it: the addresses separated by a blank.
pub fn list_string(vips: &[Vip]) -> String {
    vips.iter()
        .map(Vip::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Vip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix {
            Some(p) => write!(f, "{}/{}", self.addr, p),
            None => write!(f, "{}", self.addr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Vip {
        match s.parse::<Vip>() {
            Ok(v) => v,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn parses_v4_and_v6_with_and_without_prefix() {
        assert_eq!(ok("192.0.2.10/24").prefix, Some(24));
        assert_eq!(ok("192.0.2.10").prefix, None);
        assert_eq!(ok("2001:db8::10/64").prefix, Some(64));
        assert!(ok("2001:db8::10/128").is_v6());
        assert_eq!(ok("192.0.2.10/32").to_string(), "192.0.2.10/32");
        assert_eq!(ok("2001:db8::10").to_string(), "2001:db8::10");
    }

    #[test]
    fn refuses_malformed_values() {
        for bad in [
            "",
            "192.0.2.10/",
            "192.0.2.10/33",
            "192.0.2.10/0",
            "192.0.2.10/+24",
            "192.0.2.10/024x",
            "2001:db8::10/129",
            "fe80::1%eth0/64",
            "192.0.2.256/24",
            "192.0.2.10 /24",
            " 192.0.2.10/24",
            "host.example/24",
            "0.0.0.0/8",
            "224.0.0.1/4",
            "255.255.255.255/32",
            "::/64",
            "ff02::1/64",
            "127.0.0.3/8",
            "127.255.255.254",
            "::1/128",
            "::1",
            "192.0.2.10/24/24",
            "192.0.2.10/99999999999999999999",
        ] {
            assert!(bad.parse::<Vip>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn link_local_is_fe80_slash_10() {
        assert!(ok("fe80::2").is_link_local());
        assert!(ok("febf::2/64").is_link_local());
        assert!(!ok("fec0::2/64").is_link_local());
        assert!(!ok("2001:db8::2/64").is_link_local());
        assert!(!ok("169.254.1.1/16").is_link_local());
    }

    #[test]
    fn loopback_is_refused_by_name() {
        for bad in ["127.0.0.3/8", "::1"] {
            let e = bad.parse::<Vip>().err().unwrap_or_default();
            assert!(e.contains("loopback"), "{bad}: {e}");
        }
    }

    #[test]
    fn lists_take_blanks_and_commas() {
        let l = parse_list("192.0.2.10/24 2001:db8::10/64").unwrap_or_default();
        assert_eq!(list_string(&l), "192.0.2.10/24 2001:db8::10/64");
        let l = parse_list(" 192.0.2.10/24 ,\t2001:db8::10/64,192.0.2.11  198.51.100.1 ")
            .unwrap_or_default();
        assert_eq!(l.len(), 4);
        assert_eq!(parse_list("192.0.2.10/24"), Ok(vec![ok("192.0.2.10/24")]));
    }

    #[test]
    fn lists_refuse_empty_items_duplicates_and_bad_items() {
        for (bad, why) in [
            ("", "no address given"),
            (" , ", "empty item before the first comma"),
            (",192.0.2.1", "empty item before the first comma"),
            ("192.0.2.1,", "empty item after comma 1"),
            ("192.0.2.1,,192.0.2.2", "empty item after comma 1"),
            ("192.0.2.1 192.0.2.1", "192.0.2.1 is given twice"),
            (
                "192.0.2.1/24,192.0.2.1/25",
                "192.0.2.1 is given twice (/24 and /25)",
            ),
            (
                "192.0.2.1 fe80::1%eth0/64",
                "fe80::1%eth0/64: zone ids are not supported: name the interface in nic",
            ),
            (
                "192.0.2.1 2001:db8::1/64 2001:db8:0:0:0:0:0:1",
                "2001:db8::1 is given twice (/64 and no prefix)",
            ),
            ("192.0.2.1/33", "prefix must be 1 to 32"),
        ] {
            assert_eq!(parse_list(bad), Err(why.to_string()), "{bad:?}");
        }
        let many: Vec<String> = (1..=101)
            .map(|i| format!("10.0.{}.{}", i / 200, i % 200 + 1))
            .collect();
        assert_eq!(parse_list(&many[..100].join(" ")).map(|l| l.len()), Ok(100));
        assert_eq!(
            parse_list(&many.join(",")),
            Err("more than 100 addresses".to_string())
        );
    }

    #[test]
    fn addresses_no_host_can_use_are_refused_with_their_reason() {
        for (bad, why) in [
            (
                "::ffff:192.0.2.10/64",
                "IPv4-mapped, never on the wire: give 192.0.2.10",
            ),
            (
                "::ffff:127.0.0.1",
                "IPv4-mapped, never on the wire: give 127.0.0.1",
            ),
            ("192.0.2.0/24", "the network address of 192.0.2.0/24"),
            ("192.0.2.255/24", "the broadcast address of 192.0.2.0/24"),
            ("10.0.0.4/30", "the network address of 10.0.0.4/30"),
            ("10.0.0.7/30", "the broadcast address of 10.0.0.4/30"),
            ("10.255.255.255/8", "the broadcast address of 10.0.0.0/8"),
            ("224.0.0.5/24", "a multicast address"),
            ("239.1.2.3", "a multicast address"),
            ("ff05::2/64", "a multicast address"),
            (
                "0.1.2.3/8",
                "in 0.0.0.0/8 (this network): not a host address",
            ),
            (
                "240.0.0.1/4",
                "in 240.0.0.0/4 (reserved): not a host address",
            ),
            (
                "254.1.2.3/24",
                "in 240.0.0.0/4 (reserved): not a host address",
            ),
            ("255.255.255.255", "the limited broadcast address"),
            ("0.0.0.0", "the unspecified address"),
            ("::", "the unspecified address"),
        ] {
            assert_eq!(bad.parse::<Vip>(), Err(why.to_string()), "{bad}");
        }
        // /31 and /32 have no network or broadcast address; without a
        // prefix it is not known here
        for good in [
            "192.0.2.0/31",
            "192.0.2.1/31",
            "192.0.2.255/32",
            "192.0.2.0/32",
            "192.0.2.0",
            "10.0.0.5/30",
            "223.255.255.254/8",
            "2001:db8::/64",
        ] {
            assert!(good.parse::<Vip>().is_ok(), "{good}");
        }
    }

    #[test]
    fn an_ipv4_mapped_duplicate_names_both_forms() {
        assert_eq!(
            parse_list("192.0.2.10/24 ::ffff:192.0.2.10"),
            Err("192.0.2.10 is given twice (once as ::ffff:192.0.2.10)".into())
        );
        // alone or first: refused as mapped, named
        assert_eq!(
            parse_list("2001:db8::1/64 ::ffff:192.0.2.10/96 192.0.2.10"),
            Err("::ffff:192.0.2.1…: IPv4-mapped, never on the wire: give 192.0.2.10".into())
        );
    }

    #[test]
    fn prefix_errors_name_the_range() {
        assert_eq!(
            "192.0.2.1/40".parse::<Vip>(),
            Err("prefix must be 1 to 32".into())
        );
        assert_eq!(
            "2001:db8::1/200".parse::<Vip>(),
            Err("prefix must be 1 to 128".into())
        );
    }
}
