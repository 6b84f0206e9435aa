//! "Is this address still bound on this interface?", asked of the kernel
//! with a raw `RTM_GETADDR` dump on a netlink socket opened beforehand.
//!
//! The background announcer (the forked child of start) asks it before every
//! round from a forked child of a process that had threads, where only
//! async-signal-safe calls are sound: after [`BoundCheck::open`] it makes
//! system calls on its own socket and reads into a buffer allocated before
//! the fork, nothing else (no allocation, no lock, no runtime).

use std::net::IpAddr;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

use nix::sys::socket::{
    bind, recv, send, setsockopt, socket, sockopt, AddressFamily, MsgFlags, NetlinkAddr, SockFlag,
    SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

use super::NetError;

const NLMSG_HDR: usize = 16;
const IFADDRMSG: usize = 8;
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_FLAGS: u16 = 8;
const IFA_F_DADFAILED: u32 = 0x08;
const IFA_F_TENTATIVE: u32 = 0x40;
/// How long one answer may take before the check counts as failed.
const ANSWER: Duration = Duration::from_secs(1);

/// A prepared question about the addresses of one interface.
pub struct BoundCheck {
    fd: OwnedFd,
    index: u32,
    /// The address family to dump (0: all, for IPv4 and IPv6 together).
    family: u8,
    /// The addresses as the kernel writes them (4 or 16 bytes each).
    addrs: Vec<([u8; 16], usize)>,
    /// Which of them one dump has shown so far.
    found: Vec<bool>,
    seq: u32,
    buf: Vec<u8>,
}

/// What one datagram of a dump showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    /// The address on the interface was among its messages.
    found: bool,
    /// It ended the dump.
    done: bool,
}

impl BoundCheck {
    /// Opens the socket and allocates everything [`BoundCheck::is_bound`]
    /// will use, for `ips` (at least one) on interface `index`.
    pub fn open(index: u32, ips: &[IpAddr]) -> Result<BoundCheck, NetError> {
        let io = |op: &'static str| {
            move |e: nix::errno::Errno| NetError::Io {
                op,
                message: e.to_string(),
            }
        };
        if ips.is_empty() {
            return Err(NetError::Io {
                op: "prepare address check",
                message: "no address".into(),
            });
        }
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )
        .map_err(io("open netlink socket"))?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(io("bind netlink socket"))?;
        let timeout = TimeVal::new(ANSWER.as_secs() as _, 0);
        setsockopt(&fd, sockopt::ReceiveTimeout, &timeout).map_err(io("netlink timeout"))?;
        let addrs: Vec<([u8; 16], usize)> = ips
            .iter()
            .map(|ip| match ip {
                IpAddr::V4(a) => {
                    let mut b = [0u8; 16];
                    b[..4].copy_from_slice(&a.octets());
                    (b, 4)
                }
                IpAddr::V6(a) => (a.octets(), 16),
            })
            .collect();
        let family = if ips.iter().all(IpAddr::is_ipv4) {
            libc_af(AddressFamily::Inet)
        } else if ips.iter().all(IpAddr::is_ipv6) {
            libc_af(AddressFamily::Inet6)
        } else {
            0
        };
        Ok(BoundCheck {
            fd,
            index,
            family,
            found: vec![false; addrs.len()],
            addrs,
            seq: 0,
            // a dump of all addresses comes in messages of at most a page
            buf: vec![0u8; 32 * 1024],
        })
    }

    /// The socket's descriptor (kept open across the fork).
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Whether every address is bound (and settled) on the interface now.
    /// Errors (a kernel that does not answer within a second) are errors,
    /// not "gone".
    pub fn is_bound(&mut self) -> Result<bool, nix::errno::Errno> {
        self.seq = self.seq.wrapping_add(1);
        let req = request(self.seq, self.family);
        send(self.fd.as_raw_fd(), &req, MsgFlags::empty())?;
        self.found.iter_mut().for_each(|f| *f = false);
        loop {
            let n = recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::empty())?;
            let mut done = false;
            for (i, (addr, len)) in self.addrs.iter().enumerate() {
                let seen = scan(&self.buf[..n], self.seq, self.index, &addr[..*len])?;
                self.found[i] |= seen.found;
                done |= seen.done;
            }
            // read the dump to its end even once found: otherwise the
            // next question reads the rest of this one
            if done {
                return Ok(self.found.iter().all(|f| *f));
            }
        }
    }
}

fn libc_af(f: AddressFamily) -> u8 {
    // AF_INET = 2, AF_INET6 = 10: fit a byte
    (f as i32) as u8
}

/// An `RTM_GETADDR` dump request for one address family.
fn request(seq: u32, family: u8) -> [u8; NLMSG_HDR + IFADDRMSG] {
    let mut r = [0u8; NLMSG_HDR + IFADDRMSG];
    r[0..4].copy_from_slice(&((NLMSG_HDR + IFADDRMSG) as u32).to_ne_bytes());
    r[4..6].copy_from_slice(&RTM_GETADDR.to_ne_bytes());
    r[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    r[8..12].copy_from_slice(&seq.to_ne_bytes());
    r[NLMSG_HDR] = family;
    r
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Reads the messages of one datagram of a dump answering `seq`.
fn scan(b: &[u8], seq: u32, index: u32, addr: &[u8]) -> Result<Seen, nix::errno::Errno> {
    let malformed = nix::errno::Errno::EBADMSG;
    let mut at = 0;
    let mut found = false;
    while at + NLMSG_HDR <= b.len() {
        let len = u32_at(b, at).ok_or(malformed)? as usize;
        let kind = u16_at(b, at + 4).ok_or(malformed)?;
        let mseq = u32_at(b, at + 8).ok_or(malformed)?;
        if len < NLMSG_HDR || at + len > b.len() {
            return Err(malformed);
        }
        let msg = &b[at..at + len];
        at += align4(len);
        if mseq != seq {
            continue; // the tail of an earlier, abandoned question
        }
        match kind {
            NLMSG_DONE => return Ok(Seen { found, done: true }),
            NLMSG_ERROR => {
                let code = u32_at(msg, NLMSG_HDR).ok_or(malformed)? as i32;
                return Err(nix::errno::Errno::from_raw(-code));
            }
            RTM_NEWADDR if holds(msg, index, addr) => found = true,
            _ => {}
        }
    }
    Ok(Seen { found, done: false })
}

/// Whether one `RTM_NEWADDR` message is `addr` on interface `index`,
/// settled: an IPv6 address still in duplicate address detection
/// (tentative, e.g. bound again by hand) or that failed it is not
/// announced, as the monitor's refresh never announces one.
fn holds(msg: &[u8], index: u32, addr: &[u8]) -> bool {
    let Some(ifindex) = u32_at(msg, NLMSG_HDR + 4) else {
        return false;
    };
    if ifindex != index {
        return false;
    }
    let mut flags = msg.get(NLMSG_HDR + 2).map_or(0, |f| u32::from(*f));
    let mut matched = false;
    let mut at = NLMSG_HDR + IFADDRMSG;
    while at + 4 <= msg.len() {
        let (Some(len), Some(kind)) = (u16_at(msg, at), u16_at(msg, at + 2)) else {
            return false;
        };
        let len = len as usize;
        if len < 4 || at + len > msg.len() {
            return false;
        }
        if matches!(kind, IFA_ADDRESS | IFA_LOCAL) && &msg[at + 4..at + len] == addr {
            matched = true;
        }
        if kind == IFA_FLAGS && len >= 8 {
            flags |= u32_at(msg, at + 4).unwrap_or(0);
        }
        at += align4(len);
    }
    matched && flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RTM_NEWADDR message as the kernel writes it.
    fn newaddr(seq: u32, family: u8, index: u32, attrs: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = vec![family, 24, 0, 0];
        body.extend_from_slice(&index.to_ne_bytes());
        for (kind, data) in attrs {
            let len = 4 + data.len();
            body.extend_from_slice(&(len as u16).to_ne_bytes());
            body.extend_from_slice(&kind.to_ne_bytes());
            body.extend_from_slice(data);
            body.resize(align4(body.len()), 0);
        }
        header(RTM_NEWADDR, seq, &body)
    }

    fn header(kind: u16, seq: u32, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&((NLMSG_HDR + body.len()) as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&2u16.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(body);
        m
    }

    const A: [u8; 4] = [192, 0, 2, 10];

    #[test]
    fn finds_the_address_only_on_its_interface() {
        let mut d = newaddr(7, 2, 3, &[(IFA_ADDRESS, &[192, 0, 2, 1]), (IFA_LOCAL, &A)]);
        d.extend(newaddr(7, 2, 4, &[(IFA_LOCAL, &[192, 0, 2, 11])]));
        let (yes, no) = (
            Seen {
                found: true,
                done: false,
            },
            Seen {
                found: false,
                done: false,
            },
        );
        assert_eq!(scan(&d, 7, 3, &A), Ok(yes));
        assert_eq!(scan(&d, 7, 4, &A), Ok(no), "not on index 4");
        assert_eq!(scan(&d, 8, 3, &A), Ok(no), "another question's answer");
        let mut done = d.clone();
        done.extend(header(NLMSG_DONE, 7, &[0; 4]));
        assert_eq!(
            scan(&done, 7, 4, &A),
            Ok(Seen {
                found: false,
                done: true
            })
        );
        assert_eq!(
            scan(&done, 7, 3, &A),
            Ok(Seen {
                found: true,
                done: true
            })
        );
    }

    #[test]
    fn an_error_message_is_an_error_and_garbage_is_not_found() {
        let e = header(NLMSG_ERROR, 1, &(-13i32).to_ne_bytes());
        assert_eq!(scan(&e, 1, 3, &A), Err(nix::errno::Errno::EACCES));
        assert_eq!(
            scan(&[40, 0, 0, 0, 20, 0], 1, 3, &A),
            Ok(Seen {
                found: false,
                done: false
            }),
            "a short tail is no message"
        );
        let mut bad = newaddr(1, 2, 3, &[(IFA_LOCAL, &A)]);
        bad[0] = 200; // longer than the datagram
        assert_eq!(scan(&bad, 1, 3, &A), Err(nix::errno::Errno::EBADMSG));
        // an attribute running past its message is not a match
        let mut cut = newaddr(1, 2, 3, &[(IFA_LOCAL, &A)]);
        cut[NLMSG_HDR + IFADDRMSG] = 60;
        assert!(!holds(&cut, 3, &A));
    }

    #[test]
    fn a_tentative_or_dad_failed_address_is_not_settled() {
        let v6 = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
        let plain = newaddr(1, 10, 3, &[(IFA_ADDRESS, &v6)]);
        assert!(holds(&plain, 3, &v6));
        let mut tentative = plain.clone();
        tentative[NLMSG_HDR + 2] = 0x40;
        assert!(!holds(&tentative, 3, &v6), "header flags");
        let attr = newaddr(
            1,
            10,
            3,
            &[(IFA_ADDRESS, &v6), (IFA_FLAGS, &0x08u32.to_ne_bytes())],
        );
        assert!(!holds(&attr, 3, &v6), "IFA_FLAGS: dadfailed");
        let deprecated = newaddr(
            1,
            10,
            3,
            &[(IFA_ADDRESS, &v6), (IFA_FLAGS, &0x20u32.to_ne_bytes())],
        );
        assert!(holds(&deprecated, 3, &v6), "deprecated is settled");
    }

    #[test]
    fn the_request_is_a_dump_of_one_family() {
        let r = request(9, 10);
        assert_eq!(u32_at(&r, 0), Some(24));
        assert_eq!(u16_at(&r, 4), Some(RTM_GETADDR));
        assert_eq!(u16_at(&r, 6), Some(NLM_F_REQUEST | NLM_F_DUMP));
        assert_eq!(u32_at(&r, 8), Some(9));
        assert_eq!(r[NLMSG_HDR], 10);
    }

    #[test]
    fn asks_the_kernel_of_this_namespace() {
        // loopback's 127.0.0.1 is bound in every namespace with IPv4
        let mut c = match BoundCheck::open(1, &[IpAddr::from([127, 0, 0, 1])]) {
            Ok(c) => c,
            Err(e) => panic!("netlink socket: {e}"),
        };
        assert_eq!(c.is_bound(), Ok(true));
        assert_eq!(
            c.is_bound(),
            Ok(true),
            "a second question on the same socket"
        );
        let mut other = match BoundCheck::open(1, &[IpAddr::from([127, 0, 0, 9])]) {
            Ok(c) => c,
            Err(e) => panic!("netlink socket: {e}"),
        };
        assert_eq!(other.is_bound(), Ok(false));
        // several addresses, both families: bound only when all are
        let v6 = std::net::Ipv6Addr::LOCALHOST.into();
        let has_v6 = std::fs::read_to_string("/proc/net/if_inet6")
            .is_ok_and(|t| t.contains("00000000000000000000000000000001"));
        let mut both = match BoundCheck::open(1, &[IpAddr::from([127, 0, 0, 1]), v6]) {
            Ok(c) => c,
            Err(e) => panic!("netlink socket: {e}"),
        };
        assert_eq!(both.family, 0, "a dump of every family");
        assert_eq!(both.is_bound(), Ok(has_v6));
        let mut one_gone = match BoundCheck::open(
            1,
            &[IpAddr::from([127, 0, 0, 1]), IpAddr::from([127, 0, 0, 9])],
        ) {
            Ok(c) => c,
            Err(e) => panic!("netlink socket: {e}"),
        };
        assert_eq!(one_gone.is_bound(), Ok(false), "one of two gone");
        assert!(BoundCheck::open(1, &[]).is_err());
    }
}
