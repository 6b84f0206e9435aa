//! Timing what the cluster does: a failover after a power failure
//! (milestones on the survivor, the client and the wire), a graceful move,
//! and the tables of the report.

use std::thread;
use std::time::{Duration, Instant};

use super::network::{client_arp_resolution, client_get, CLIENT};
use super::watch::{first_log, ip_ts, last_log, parse_tcpdump, ArpLine, Watcher};
use super::{now, sh, wait_until, Cluster, VIP};

/// What one failover looked like, in seconds after the failure (T0).
#[derive(Debug, Clone, Default)]
pub struct Failover {
    pub from: String,
    pub to: String,
    pub membership: Option<f64>,
    /// The fence of the dead node answered by the power controller.
    pub fenced: Option<f64>,
    pub start_initiated: Option<f64>,
    /// Pacemaker has the result of the last start (the resource, or the
    /// last of the stock group, is Started: what is ordered after it may go).
    pub start_done: Option<f64>,
    pub bound: Option<f64>,
    pub first_garp: Option<f64>,
    pub neigh_switched: Option<f64>,
    pub served: Option<f64>,
    /// ARP requests for the VIP the client sent before its entry switched.
    pub client_requests_before_switch: usize,
    /// ARP replies for the VIP from the old node after the address was bound on the new one.
    pub old_replies_after: usize,
    /// ARP frames from the survivor that announce the VIP.
    pub garps: usize,
}

impl Failover {
    /// Our own share: start initiated -> client served.
    pub fn agent_share(&self) -> Option<f64> {
        Some(self.served? - self.start_initiated?)
    }
    /// Pacemaker's start duration: start initiated -> result of the last start.
    pub fn start_duration(&self) -> Option<f64> {
        Some(self.start_done? - self.start_initiated?)
    }
    /// Address bound -> client neighbour switched.
    pub fn switch_lag(&self) -> Option<f64> {
        Some(self.neigh_switched? - self.bound?)
    }
}

/// Powers off the node that holds the address and measures the takeover
/// as seen by the survivor and the client. `first_rsc` is the resource whose
/// start Pacemaker initiates first (ours, or IPaddr2 of the stock group).
/// The client sends nothing to the address until its neighbour entry points
/// at the survivor: only an announcement can make it switch.
pub fn failover(c: &mut Cluster, first_rsc: &str) -> Failover {
    let from = c.holder();
    let to = c
        .nodes
        .iter()
        .find(|n| n.name != from)
        .map(|n| n.name.clone())
        .expect("a survivor");
    let to_mac = c.node(&to).mac.clone();
    let from_mac = c.node(&from).mac.clone();
    // The client knows the old MAC from a request it made just now.
    let before = client_get(Duration::from_secs(2));
    assert_eq!(
        before.as_deref(),
        Some(format!("served by {from}").as_str()),
        "before the failure the client must be served by {from}"
    );
    let to_ns = c.node(&to).ns();
    let addr_w = Watcher::start("ip", &["-n", &to_ns, "-ts", "monitor", "address"], None);
    let neigh_w = Watcher::start("ip", &["-n", CLIENT, "-ts", "monitor", "neigh"], None);
    let dump_w = Watcher::start(
        "ip",
        &[
            "netns", "exec", CLIENT, "tcpdump", "-i", "eth0", "-n", "-e", "-tt", "-l", "-U", "arp",
        ],
        Some("listening on"),
    );
    thread::sleep(Duration::from_millis(300));
    // The client's own address resolution is switched off until the switch:
    // its kernel sends no ARP request, so only an announcement can move its
    // entry (the capture below checks that it asked nothing, too).
    client_arp_resolution(false);
    let t0 = now();
    c.power_off(&from);
    // Wait for the switch without sending anything to the address.
    let switched = wait_until(Duration::from_secs(60), || {
        let o = sh("ip", &["-n", CLIENT, "neigh", "show", VIP]);
        String::from_utf8_lossy(&o.stdout).contains(&to_mac)
    });
    client_arp_resolution(true);
    let mut served = None;
    if switched {
        let want = format!("served by {to}");
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if client_get(Duration::from_millis(300)).as_deref() == Some(want.as_str()) {
                served = Some(now() - t0);
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
    thread::sleep(Duration::from_millis(1500));
    let addr_lines = addr_w.stop();
    let neigh_lines = neigh_w.stop();
    let frames = parse_tcpdump(&dump_w.stop());

    let rel = |t: Option<f64>| t.map(|t| t - t0);
    let bound = addr_lines
        .iter()
        .filter(|l| !l.contains("Deleted") && l.contains(&format!("inet {VIP}/")))
        .filter_map(|l| ip_ts(l))
        .find(|t| *t >= t0);
    let neigh = neigh_lines
        .iter()
        .filter(|l| l.contains(&format!("{VIP} dev")) && l.contains(&to_mac))
        .filter_map(|l| ip_ts(l))
        .find(|t| *t >= t0);
    let garps: Vec<&ArpLine> = frames
        .iter()
        .filter(|f| f.t >= t0 && f.src_mac == to_mac && f.is_garp())
        .collect();
    let switch_at = neigh.unwrap_or(f64::MAX);
    let bound_at = bound.unwrap_or(f64::MAX);
    let log = c.pacemaker_log(&to);
    Failover {
        membership: rel(first_log(&c.corosync_log(&to), "A new membership", t0)),
        fenced: rel(c
            .fence_events()
            .iter()
            .find(|e| e.action == "off" && e.target == from && e.at >= t0)
            .map(|e| e.done)),
        start_initiated: rel(first_log(
            &log,
            &format!("Initiating start operation {first_rsc}_start_0"),
            t0,
        )),
        start_done: rel(last_log(&log, "Result of start operation for ", t0)),
        bound: rel(bound),
        first_garp: rel(garps.first().map(|f| f.t)),
        neigh_switched: rel(neigh),
        served,
        client_requests_before_switch: frames
            .iter()
            .filter(|f| f.t >= t0 && f.t < switch_at && f.is_client_request_for_vip())
            .count(),
        old_replies_after: frames
            .iter()
            .filter(|f| f.t > bound_at && f.src_mac == from_mac && f.is_reply_for_vip())
            .count(),
        garps: garps.len(),
        from,
        to,
    }
}

/// Median of the values that are present.
pub fn median(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let mut xs: Vec<f64> = v.flatten().collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    Some(xs[xs.len() / 2])
}

fn cell(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.3} s"),
        None => "not seen".into(),
    }
}

/// The timing table: one column per contender, medians over its failovers.
pub fn timing_table(token: u32, runs: &[(&str, &[Failover])]) -> String {
    let mut out = format!(
        "Failover after a node power-off, fencing on (the survivor fences the dead holder before it starts anything), corosync token {token} ms; medians, seconds after the failure\n\n| milestone |"
    );
    for (name, f) in runs {
        out.push_str(&format!(" {name} (n={}) |", f.len()));
    }
    out.push_str("\n|---|");
    for _ in runs {
        out.push_str("---|");
    }
    out.push('\n');
    type Get = fn(&Failover) -> Option<f64>;
    let rows: [(&str, Get); 12] = [
        ("new membership (corosync)", |f| f.membership),
        ("dead node fenced (power controller)", |f| f.fenced),
        ("start initiated (pacemaker)", |f| f.start_initiated),
        ("address bound on the survivor", |f| f.bound),
        ("first GARP seen by the client", |f| f.first_garp),
        ("client neighbour switched", |f| f.neigh_switched),
        ("client served by the survivor", |f| f.served),
        ("start done (pacemaker: result of the last start)", |f| {
            f.start_done
        }),
        ("pacemaker's start duration: initiated -> done", |f| {
            f.start_duration()
        }),
        ("agents' share: start initiated -> served", |f| {
            f.agent_share()
        }),
        ("bound -> neighbour switched", |f| f.switch_lag()),
        ("worst agents' share", |f| f.agent_share()),
    ];
    for (i, (label, get)) in rows.iter().enumerate() {
        out.push_str(&format!("| {label} |"));
        for (_, f) in runs {
            let v = if i == rows.len() - 1 {
                f.iter().filter_map(get).reduce(f64::max)
            } else {
                median(f.iter().map(get))
            };
            out.push_str(&format!(" {} |", cell(v)));
        }
        out.push('\n');
    }
    out
}

/// What a graceful move looked like on the wire and on the nodes.
#[derive(Debug)]
pub struct Move {
    pub from: String,
    pub to: String,
    /// When the old node deleted the address and the new one added it.
    pub deleted: Option<f64>,
    pub added: Option<f64>,
    /// Frames about the VIP from the old node after the first one from the new node.
    pub old_frames_after_new: usize,
    pub new_frames: usize,
}

/// `pcs resource move` of `rsc` to the node that does not hold the address,
/// watching both nodes' addresses (netlink events) and the client's wire.
pub fn graceful_move(c: &Cluster, rsc: &str) -> Move {
    let from = c.holder();
    let to = c
        .nodes
        .iter()
        .find(|n| n.name != from)
        .map(|n| n.name.clone())
        .expect("a second node");
    let (from_ns, to_ns) = (c.node(&from).ns(), c.node(&to).ns());
    let (from_mac, to_mac) = (c.node(&from).mac.clone(), c.node(&to).mac.clone());
    let old_w = Watcher::start("ip", &["-n", &from_ns, "-ts", "monitor", "address"], None);
    let new_w = Watcher::start("ip", &["-n", &to_ns, "-ts", "monitor", "address"], None);
    let dump_w = Watcher::start(
        "ip",
        &[
            "netns", "exec", CLIENT, "tcpdump", "-i", "eth0", "-n", "-e", "-tt", "-l", "-U", "arp",
        ],
        Some("listening on"),
    );
    c.on_ok(c.any_up(), &["pcs", "resource", "move", rsc, &to]);
    let moved = wait_until(Duration::from_secs(40), || {
        c.locate(rsc) == [to.clone()] && c.dc_idle()
    });
    assert!(moved, "{rsc} did not move to {to}:\n{}", c.crm_mon());
    // pcs 0.11 removes its move constraint itself; clear is harmless then
    let _ = c.on(c.any_up(), &["pcs", "resource", "clear", rsc]);
    thread::sleep(Duration::from_millis(1500));
    let vip_line = format!("inet {VIP}/");
    let deleted = old_w
        .stop()
        .iter()
        .filter(|l| l.contains("Deleted") && l.contains(&vip_line))
        .find_map(|l| ip_ts(l));
    let added = new_w
        .stop()
        .iter()
        .filter(|l| !l.contains("Deleted") && l.contains(&vip_line))
        .find_map(|l| ip_ts(l));
    let frames = parse_tcpdump(&dump_w.stop());
    let about_vip = |f: &&ArpLine| f.text.contains(&format!("{VIP} ")) || f.text.ends_with(VIP);
    let new_frames: Vec<&ArpLine> = frames
        .iter()
        .filter(|f| f.src_mac == to_mac)
        .filter(about_vip)
        .collect();
    let first_new = new_frames.first().map(|f| f.t).unwrap_or(f64::MAX);
    Move {
        old_frames_after_new: frames
            .iter()
            .filter(|f| f.src_mac == from_mac && f.t > first_new)
            .filter(about_vip)
            .count(),
        new_frames: new_frames.len(),
        deleted,
        added,
        from,
        to,
    }
}

/// One row per failover, for the record behind the medians.
pub fn failover_rows(runs: &[(&str, &[Failover])]) -> String {
    let mut out = String::from(
        "| agent | # | from -> to | membership | fenced | start initiated | bound | first GARP | neighbour switched | served | share |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let c = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
    for (name, fs) in runs {
        for (i, f) in fs.iter().enumerate() {
            out.push_str(&format!(
                "| {name} | {} | {} -> {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                f.from,
                f.to,
                c(f.membership),
                c(f.fenced),
                c(f.start_initiated),
                c(f.bound),
                c(f.first_garp),
                c(f.neigh_switched),
                c(f.served),
                c(f.agent_share())
            ));
        }
    }
    out
}
