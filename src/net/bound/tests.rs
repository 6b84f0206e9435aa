//! Tests of [`super`]: messages built as the kernel writes them, and the
//! kernel of this namespace asked about loopback.

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
fn every_address_keeps_its_own_result_across_datagrams() {
    let v6 = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];
    let mut wanted: Vec<Wanted> = [IpAddr::from(A), IpAddr::from(v6)]
        .iter()
        .map(Wanted::new)
        .collect();
    assert_eq!((wanted[0].addr(), wanted[1].addr()), (&A[..], &v6[..]));
    let first = newaddr(5, 2, 3, &[(IFA_LOCAL, &A)]);
    assert_eq!(tally(&mut wanted, &first, 5, 3), Ok(false));
    let mut last = newaddr(5, 10, 3, &[(IFA_ADDRESS, &v6)]);
    last.extend(header(NLMSG_DONE, 5, &[0; 4]));
    assert_eq!(tally(&mut wanted, &last, 5, 3), Ok(true));
    assert!(wanted.iter().all(|w| w.found), "each in its own datagram");
    // the second address gone: only the first is found
    wanted.iter_mut().for_each(|w| w.found = false);
    let mut one = newaddr(6, 2, 3, &[(IFA_LOCAL, &A)]);
    one.extend(header(NLMSG_DONE, 6, &[0; 4]));
    assert_eq!(tally(&mut wanted, &one, 6, 3), Ok(true));
    let found: Vec<bool> = wanted.iter().map(|w| w.found).collect();
    assert_eq!(found, [true, false], "one of two gone");
    let e = header(NLMSG_ERROR, 7, &(-13i32).to_ne_bytes());
    assert_eq!(tally(&mut wanted, &e, 7, 3), Err(nix::errno::Errno::EACCES));
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
