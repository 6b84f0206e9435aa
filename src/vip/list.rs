//! The `ip` parameter as a list of addresses, and back.

use std::fmt;
use std::net::IpAddr;

use super::Vip;

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
    Vips(vips.to_vec()).to_string()
}

/// Addresses as a reason names them: blank-separated
/// (`192.0.2.10/24 2001:db8::10/64`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vips(pub Vec<Vip>);

impl Vips {
    /// None of them.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Vips {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}
