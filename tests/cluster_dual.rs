//! A dual-stack resource under real Pacemaker (issue 17): one resource with
//! an IPv4 and an IPv6 address on a two-node cluster, fencing on; a power
//! failure of the holder moves both, and the client reaches the service
//! over IPv4 and over IPv6 before and after. Then, in the same run, the
//! stock pair with the IPv6 address (IPaddr2 + heartbeat docker): power
//! failure to the client served over IPv6, next to ours.
//!
//! Privileged (root, namespaces, corosync, pacemaker, dockerd): `#[ignore]`d
//! for the quick loop. Takes the cluster lock like the other cluster tests.
//! The agent under test goes to its own OCF name (ocf:croit:container-dual):
//! the shared ocf:croit:container stays what another test process installed.

use scenario::TOKEN;
use support::{cluster, scenario};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use cluster::network::{in_netns, CLIENT};
use cluster::service::{one_holder, RSC};
use cluster::{fencing, Cluster, VIP};

const VIP6: &str = "fd78::50";
const AGENT: &str = "/usr/lib/ocf/resource.d/croit/container-dual";

/// The binary under test at [`AGENT`] (atomically, 0755).
fn install() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = format!("{AGENT}.{}", std::process::id());
    let copied = std::fs::copy(env!("CARGO_BIN_EXE_container"), &tmp);
    assert!(copied.is_ok(), "copy to {tmp}: {copied:?}");
    let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755));
    let moved = std::fs::rename(&tmp, AGENT);
    assert!(moved.is_ok(), "install {AGENT}: {moved:?}");
}

/// One HTTP GET of `http://[VIP6]:8080/` from the client.
fn client_get6(timeout: Duration) -> Option<String> {
    in_netns(CLIENT, move || {
        let addr: SocketAddr = format!("[{VIP6}]:8080").parse().ok()?;
        let mut s = TcpStream::connect_timeout(&addr, timeout).ok()?;
        s.set_read_timeout(Some(timeout)).ok()?;
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        body.lines().last().map(|l| l.trim().to_string())
    })
}

fn ip(args: &[&str]) -> String {
    let o = std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("ip {args:?}: {e}"));
    assert!(o.status.success(), "ip {args:?}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn has_vip6(c: &Cluster, node: &str) -> bool {
    ip(&[
        "-n",
        &c.node(node).ns(),
        "-o",
        "addr",
        "show",
        "dev",
        "eth0",
    ])
    .contains(&format!(" {VIP6}/64"))
}

#[test]
#[ignore = "needs root, corosync, pacemaker and dockerd: run by tests/run.sh"]
fn dual_stack_resource_fails_over_and_serves_both_families() {
    let mut c = Cluster::new(2, TOKEN);
    install();
    // the LAN speaks IPv6 too: the nodes' and the client's own addresses
    for (ns, addr) in [
        (c.node("n1").ns(), "fd78::1/64"),
        (c.node("n2").ns(), "fd78::2/64"),
        (CLIENT.to_string(), "fd78::100/64"),
    ] {
        ip(&["-n", &ns, "addr", "add", addr, "dev", "eth0", "nodad"]);
    }
    c.create_container("croit");
    c.sh_on(
        "n1",
        &format!(
            "pcs resource create {RSC} ocf:croit:container-dual ip='{VIP}/24 {VIP6}/64' nic=eth0 \
             container=croit op monitor interval=2s timeout=20s meta priority={}",
            fencing::PRIORITY
        ),
    );
    let ok = cluster::wait_until(Duration::from_secs(40), || {
        c.locate(RSC).len() == 1 && c.dc_idle()
    });
    assert!(ok, "{RSC} did not start:\n{}", c.crm_mon());
    let holder = c.holder();
    assert!(has_vip6(&c, &holder), "{VIP6} not on {holder}");
    let served = format!("served by {holder}");
    assert_eq!(c.client_get().as_deref(), Some(served.as_str()), "IPv4");
    assert_eq!(
        client_get6(Duration::from_secs(2)).as_deref(),
        Some(served.as_str()),
        "IPv6"
    );

    // power failure of the holder: both addresses move
    let f = cluster::failover(&mut c, RSC);
    eprintln!("{f:?}");
    assert!(
        f.served.is_some(),
        "IPv4 client not served by {}: {f:?}",
        f.to
    );
    let t0 = Instant::now();
    let want = format!("served by {}", f.to);
    let mut v6 = None;
    while t0.elapsed() < Duration::from_secs(30) {
        if client_get6(Duration::from_millis(500)).as_deref() == Some(want.as_str()) {
            v6 = Some(t0.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let v6 = v6.unwrap_or_else(|| panic!("IPv6 client not served by {} within 30 s", f.to));
    eprintln!(
        "failover {} -> {}: IPv4 served {:.2} s after the start was initiated; IPv6 served \
         {} ms after IPv4 was",
        f.from,
        f.to,
        f.agent_share().unwrap_or(f64::NAN),
        v6.as_millis()
    );
    assert!(has_vip6(&c, &f.to));
    c.power_on(&f.from);
    one_holder(&c, RSC, "croit", &f.to);
    assert!(!has_vip6(&c, &f.from), "{VIP6} left on {}", f.from);
    assert_eq!(
        client_get6(Duration::from_secs(2)).as_deref(),
        Some(want.as_str())
    );

    // the same power failure, timed alike for both: off -> served over IPv6
    let ours = v6_takeover(&mut c, &f.to);
    one_holder(&c, RSC, "croit", &other(&f.to));

    // the stock pair with the IPv6 address, in the same run
    c.on_ok("n1", &["pcs", "resource", "delete", RSC]);
    c.settle();
    scenario::create_stock(&c, "vip6", VIP6, 64, "");
    let ok = cluster::wait_until(Duration::from_secs(60), || {
        c.locate("web").len() == 1 && c.dc_idle()
    });
    assert!(ok, "stock group did not start:\n{}", c.crm_mon());
    let holder = c.locate("web").pop().unwrap_or_default();
    let up = cluster::wait_until(Duration::from_secs(10), || {
        client_get6(Duration::from_secs(1)).is_some()
    });
    assert!(up, "stock pair not served over IPv6 on {holder}");
    let stock = v6_takeover(&mut c, &holder);
    eprintln!(
        "power failure -> client served over IPv6: ocf:croit:container (dual stack) {:.2} s, \
         IPaddr2 + docker {:.2} s",
        ours.as_secs_f64(),
        stock.as_secs_f64()
    );
}

fn other(node: &str) -> String {
    if node == "n1" { "n2" } else { "n1" }.to_string()
}

/// Powers `holder` off and returns how long until the client is served
/// over IPv6 by the other node; powers it on again.
fn v6_takeover(c: &mut Cluster, holder: &str) -> Duration {
    let to = other(holder);
    let want = format!("served by {to}");
    let t0 = Instant::now();
    c.power_off(holder);
    let mut took = None;
    while t0.elapsed() < Duration::from_secs(90) {
        if client_get6(Duration::from_millis(300)).as_deref() == Some(want.as_str()) {
            took = Some(t0.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = took.unwrap_or_else(|| panic!("not served over IPv6 by {to} within 90 s"));
    c.power_on(holder);
    took
}
