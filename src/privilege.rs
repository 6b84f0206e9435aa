//! The capabilities the agent needs: CAP_NET_ADMIN for addresses and links,
//! CAP_NET_RAW for the announcement socket.

use crate::error::Error;

const CAP_NET_ADMIN: u32 = 12;
const CAP_NET_RAW: u32 = 13;

/// Fails with [`Error::Privilege`] when the effective set lacks either
/// capability. When `/proc/self/status` cannot be read, the kernel's own
/// EPERM will tell later.
pub fn require_net_admin_and_raw() -> Result<(), Error> {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return Ok(());
    };
    match effective_caps(&status) {
        Some(caps) => check(caps),
        None => Ok(()),
    }
}

fn check(caps: u64) -> Result<(), Error> {
    for (bit, cap) in [
        (CAP_NET_ADMIN, "CAP_NET_ADMIN"),
        (CAP_NET_RAW, "CAP_NET_RAW"),
    ] {
        if caps & (1u64 << bit) == 0 {
            return Err(Error::Privilege { cap });
        }
    }
    Ok(())
}

fn effective_caps(status: &str) -> Option<u64> {
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))?
        .trim();
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_effective_set() {
        let s = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\n";
        assert_eq!(effective_caps(s), Some(0x3000));
        assert!(check(0x3000).is_ok());
        assert!(matches!(
            check(0x1000),
            Err(Error::Privilege { cap: "CAP_NET_RAW" })
        ));
        assert!(matches!(
            check(0x2000),
            Err(Error::Privilege {
                cap: "CAP_NET_ADMIN"
            })
        ));
        assert_eq!(effective_caps("CapEff:\tzz\n"), None);
    }
}
