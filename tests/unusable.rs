//! Addresses no host can use (issue 22): validate-all of the real binary
//! answers 6 with a reason naming the item and why. Needs nothing
//! privileged: validate-all at level 0 checks syntax only.

use std::process::Command;

fn validate_all(ip: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_container"))
        .arg("validate-all")
        .env_clear()
        .env("OCF_ROOT", "/usr/lib/ocf")
        .env("OCF_RESKEY_ip", ip)
        .env("OCF_RESKEY_container", "web")
        .output()
        .unwrap_or_else(|e| panic!("the agent: {e}"));
    let reason = String::from_utf8_lossy(&out.stderr)
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("ocf-exit-reason:"))
        .unwrap_or_default()
        .to_string();
    (out.status.code().unwrap_or(-1), reason)
}

#[test]
fn validate_all_names_each_unusable_address() {
    for (ip, reason) in [
        (
            "::ffff:192.0.2.10/64",
            "ip=\"::ffff:192.0.2.10/64\": IPv4-mapped, never on the wire: give 192.0.2.10",
        ),
        (
            "192.0.2.10/24 ::ffff:192.0.2.10",
            "192.0.2.10 is given twice (once as ::ffff:192.0.2.10)",
        ),
        (
            "::ffff:127.0.0.1",
            "IPv4-mapped, never on the wire: give 127.0.0.1",
        ),
        (
            "192.0.2.0/24",
            "ip=\"192.0.2.0/24\": the network address of 192.0.2.0/24",
        ),
        (
            "192.0.2.255/24",
            "ip=\"192.0.2.255/24\": the broadcast address of 192.0.2.0/24",
        ),
        (
            "2001:db8::10/64, 192.0.2.255/24",
            "192.0.2.255/24: the broadcast address of 192.0.2.0/24",
        ),
        ("224.0.0.5/24", "a multicast address"),
        (
            "2001:db8::10/64 ff05::2/64",
            "ff05::2/64: a multicast address",
        ),
        (
            "0.1.2.3/8",
            "ip=\"0.1.2.3/8\": in 0.0.0.0/8 (this network): not a host address",
        ),
        (
            "240.0.0.1/24",
            "ip=\"240.0.0.1/24\": in 240.0.0.0/4 (reserved): not a host address",
        ),
    ] {
        let (code, got) = validate_all(ip);
        assert_eq!(code, 6, "{ip}: {got}");
        assert!(got.contains(reason), "{ip}: {got:?} lacks {reason:?}");
    }
    // /31 and /32 have neither a network nor a broadcast address
    for ip in [
        "192.0.2.0/31",
        "192.0.2.1/31",
        "192.0.2.255/32",
        "10.0.0.5/30",
    ] {
        let (code, got) = validate_all(ip);
        assert_eq!(code, 0, "{ip}: {got}");
    }
}
