//! Frames arriving in a network namespace with the kernel's receive time
//! (`SO_TIMESTAMPNS` on an AF_PACKET socket), so that "after this moment"
//! is exact, and our ARP announcements among them.

use std::io::IoSliceMut;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use nix::sys::socket::{
    recvmsg, setsockopt, socket, sockopt, AddressFamily, ControlMessageOwned, MsgFlags, SockFlag,
    SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

/// The virtual address of the tests.
pub const VIP: [u8; 4] = [192, 0, 2, 10];

/// A frame and the kernel's time of its arrival.
pub struct Stamped {
    pub at: SystemTime,
    pub bytes: Vec<u8>,
}

impl Stamped {
    /// Our ARP announcement: Some(op) for a frame with sender 192.0.2.10.
    pub fn arp_op(&self) -> Option<u16> {
        let b = &self.bytes;
        (b.len() >= 42 && b[12..14] == [0x08, 0x06] && b[28..32] == VIP)
            .then(|| u16::from_be_bytes([b[20], b[21]]))
    }
}

/// Every frame arriving in a namespace (an AF_PACKET socket there), with
/// kernel timestamps.
pub struct StampedCapture {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<Stamped>>>,
}

impl StampedCapture {
    pub fn start(ns: &str) -> StampedCapture {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let (ns, flag) = (ns.to_string(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut frames = Vec::new();
            let setup = || -> Result<std::os::fd::OwnedFd, String> {
                let f =
                    std::fs::File::open(format!("/run/netns/{ns}")).map_err(|e| e.to_string())?;
                nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| e.to_string())?;
                let fd = socket(
                    AddressFamily::Packet,
                    SockType::Raw,
                    SockFlag::SOCK_CLOEXEC,
                    SockProtocol::EthAll,
                )
                .map_err(|e| e.to_string())?;
                setsockopt(&fd, sockopt::ReceiveTimestampns, &true).map_err(|e| e.to_string())?;
                setsockopt(&fd, sockopt::ReceiveTimeout, &TimeVal::new(0, 20_000))
                    .map_err(|e| e.to_string())?;
                Ok(fd)
            };
            let fd = match setup() {
                Ok(fd) => {
                    let _ = tx.send(Ok(()));
                    fd
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return frames;
                }
            };
            let mut buf = vec![0u8; 2048];
            while !flag.load(Ordering::Relaxed) {
                let mut space = nix::cmsg_space!(nix::sys::time::TimeSpec);
                let mut iov = [IoSliceMut::new(&mut buf)];
                let Ok(msg) = recvmsg::<()>(
                    fd.as_raw_fd(),
                    &mut iov,
                    Some(&mut space),
                    MsgFlags::empty(),
                ) else {
                    continue;
                };
                let n = msg.bytes;
                let at = msg.cmsgs().ok().and_then(|mut c| {
                    c.find_map(|m| match m {
                        ControlMessageOwned::ScmTimestampns(ts) => Some(
                            SystemTime::UNIX_EPOCH
                                + Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32),
                        ),
                        _ => None,
                    })
                });
                if let Some(at) = at {
                    frames.push(Stamped {
                        at,
                        bytes: buf[..n].to_vec(),
                    });
                }
            }
            frames
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("capture: {e}"),
            Err(e) => panic!("capture did not start: {e}"),
        }
        StampedCapture {
            stop,
            thread: Some(thread),
        }
    }

    pub fn stop(mut self) -> Vec<Stamped> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}
