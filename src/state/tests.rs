use super::*;

const ID: &str = "24af5fa908a9c5d8ed325196c9c6d14d3f02f2c8ef549b85999dbc34ba5bb161";
const E: &str = "unix:///var/run/docker.sock";

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("croit-state-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn ours(name: &str) -> Ours {
    Ours {
        id: ID.into(),
        name: name.into(),
    }
}

#[test]
fn remembers_forgets_and_keeps_resources_and_engines_apart() {
    let d = scratch("a");
    let r = State::new(&d, "pxe", Some(&ContainerName::of("croit")), E);
    assert_eq!(r.load(), Known::Nothing);
    r.remember(&ours("croit"));
    assert_eq!(r.load(), Known::Ours(ours("croit")));
    // another resource with the same container, the same resource on
    // another engine: records of their own
    assert_eq!(
        State::new(&d, "pxe2", Some(&ContainerName::of("croit")), E).load(),
        Known::Nothing
    );
    let podman = State::new(
        &d,
        "pxe",
        Some(&ContainerName::of("croit")),
        "unix:///run/podman/podman.sock",
    );
    assert_eq!(podman.load(), Known::Nothing);
    assert_ne!(podman.container_path(), r.container_path());
    // the announcer belongs to the resource, whatever its engine
    assert_eq!(podman.announcer_path(), r.announcer_path());
    assert_ne!(
        State::new(&d, "pxe2", Some(&ContainerName::of("croit")), E).announcer_path(),
        r.announcer_path()
    );
    r.forget();
    assert_eq!(r.load(), Known::Nothing);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn odd_instance_names_stay_in_the_directory_and_apart() {
    let d = scratch("odd");
    let a = State::new(&d, "../../etc/x:0", Some(&ContainerName::of("croit")), E);
    let b = State::new(&d, "../../etc/x:1", Some(&ContainerName::of("croit")), E);
    assert_eq!(a.container_path().parent(), Some(d.as_path()));
    assert_ne!(a.container_path(), b.container_path());
    a.remember(&ours("croit"));
    assert_eq!(b.load(), Known::Nothing);
    assert_eq!(a.load(), Known::Ours(ours("croit")));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_unchanged_record_is_not_written_again_and_a_renamed_one_is() {
    let d = scratch("b");
    let r = State::new(&d, "pxe", Some(&ContainerName::of("croit")), E);
    r.remember(&ours("croit"));
    let p = r.container_path();
    let before = std::fs::metadata(&p).and_then(|m| m.modified());
    std::thread::sleep(std::time::Duration::from_millis(20));
    r.remember(&ours("croit"));
    let after = std::fs::metadata(&p).and_then(|m| m.modified());
    assert_eq!(before.ok(), after.ok());
    r.remember(&ours("croit_old"));
    assert_eq!(r.load(), Known::Ours(ours("croit_old")));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn truncated_garbage_and_foreign_records_are_unknown() {
    let d = scratch("c");
    let r = State::new(&d, "pxe", Some(&ContainerName::of("croit")), E);
    r.remember(&ours("croit"));
    let p = r.container_path();
    let good = std::fs::read_to_string(&p).unwrap_or_default();
    for bad in [
        String::new(),
        good[..20].to_string(),
        "\u{0}\u{1}garbage\n=\n==".to_string(),
        good.replace("instance=pxe", "instance=other"),
        good.replace(E, "unix:///x"),
        good.replace(&ID[..4], "XYZW"),
        good.replace("name=croit", "name="),
    ] {
        std::fs::write(&p, &bad).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(r.load(), Known::Garbled(_)),
            "{bad:?} read as {:?}",
            r.load()
        );
    }
    let _ = std::fs::remove_file(&p);
    std::fs::create_dir_all(&p).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(r.load(), Known::Garbled(_)));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn only_full_ids_are_recorded() {
    let d = scratch("d");
    let r = State::new(&d, "pxe", Some(&ContainerName::of("croit")), E);
    r.remember(&Ours {
        id: "24af5fa908a9".into(),
        name: "croit".into(),
    });
    assert_eq!(r.load(), Known::Nothing);
    assert!(is_full_id(ID));
    assert!(!is_full_id(&ID.to_uppercase()));
}

#[test]
fn the_engine_root_is_kept_per_engine_whatever_the_resource() {
    let d = scratch("e");
    let a = State::new(&d, "pxe", Some(&ContainerName::of("croit")), E);
    assert_eq!(a.engine_root(), None);
    a.remember_engine_root(Path::new("/var/lib/docker/containers"));
    let b = State::new(&d, "other", Some(&ContainerName::of("croit")), E);
    assert_eq!(
        b.engine_root(),
        Some(PathBuf::from("/var/lib/docker/containers"))
    );
    // forgetting the container keeps what is known of the engine
    a.forget();
    assert!(a.engine_root().is_some());
    assert_eq!(
        State::new(&d, "pxe", Some(&ContainerName::of("croit")), "unix:///x").engine_root(),
        None
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn one_instance_name_for_two_containers_keeps_two_records() {
    // crm_resource --force-* calls every resource "test"
    let d = scratch("f");
    let a = State::new(&d, "test", Some(&ContainerName::of("croit")), E);
    let b = State::new(&d, "test", Some(&ContainerName::of("other")), E);
    a.remember(&ours("croit"));
    assert_eq!(b.load(), Known::Nothing);
    assert_ne!(a.announcer_path(), b.announcer_path());
    let _ = std::fs::remove_dir_all(&d);
}
