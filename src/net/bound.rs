//! "Is this address still bound on this interface?", asked of the kernel
//! with a raw `RTM_GETADDR` dump on a netlink socket opened beforehand.
//!
//! The background announcer (the forked child of start) asks it before every
//! round from a forked child of a process that had threads, where only
//! async-signal-safe calls are sound: after [`BoundCheck::open`] it makes
//! system calls on its own socket, reads into a buffer and marks the entries
//! of its addresses, all allocated before the fork, nothing else (no
//! allocation, no lock, no runtime).

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
    /// One entry per address asked about.
    wanted: Vec<Wanted>,
    seq: u32,
    buf: Vec<u8>,
}

/// One address asked about, and whether the dump being read showed it.
#[derive(Debug)]
struct Wanted {
    /// The address as the kernel writes it: the first `len` bytes (4 or 16).
    bytes: [u8; 16],
    len: usize,
    /// The dump being read has shown it (settled, on the interface).
    found: bool,
}

impl Wanted {
    fn new(ip: &IpAddr) -> Wanted {
        let (bytes, len) = match ip {
            IpAddr::V4(a) => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&a.octets());
                (b, 4)
            }
            IpAddr::V6(a) => (a.octets(), 16),
        };
        Wanted {
            bytes,
            len,
            found: false,
        }
    }

    /// The address as the kernel writes it.
    fn addr(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
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
            wanted: ips.iter().map(Wanted::new).collect(),
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
        self.wanted.iter_mut().for_each(|w| w.found = false);
        loop {
            let n = recv(self.fd.as_raw_fd(), &mut self.buf, MsgFlags::empty())?;
            // read the dump to its end even once found: otherwise the
            // next question reads the rest of this one
            if tally(&mut self.wanted, &self.buf[..n], self.seq, self.index)? {
                return Ok(self.wanted.iter().all(|w| w.found));
            }
        }
    }
}

/// Marks the addresses one datagram of the dump answering `seq` shows on
/// interface `index`; whether it ended the dump.
fn tally(
    wanted: &mut [Wanted],
    datagram: &[u8],
    seq: u32,
    index: u32,
) -> Result<bool, nix::errno::Errno> {
    let mut done = false;
    for w in wanted.iter_mut() {
        let seen = scan(datagram, seq, index, w.addr())?;
        w.found |= seen.found;
        done |= seen.done;
    }
    Ok(done)
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
mod tests;
