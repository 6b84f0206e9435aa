use super::*;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::string("ip")
        .required()
        .unique()
        .shortdesc("Address")
        .longdesc("The <address> & more"),
    ParamSpec::integer("count")
        .default("5")
        .reloadable()
        .shortdesc("Count")
        .longdesc("How \"many\""),
];
const META: AgentMeta = AgentMeta {
    name: "demo",
    version: "1.2.3",
    shortdesc: "Demo agent",
    longdesc: "Does nothing.",
    params: PARAMS,
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("monitor", 30).interval(10).depth(0),
        ActionSpec::new("reload-agent", 10),
        ActionSpec::new("meta-data", 5),
    ],
};

const EXPECTED: &str = r#"<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="demo" version="1.2.3">
  <version>1.1</version>
  <longdesc lang="en">Does nothing.</longdesc>
  <shortdesc lang="en">Demo agent</shortdesc>
  <parameters>
    <parameter name="ip" unique="1" required="1">
      <longdesc lang="en">The &lt;address&gt; &amp; more</longdesc>
      <shortdesc lang="en">Address</shortdesc>
      <content type="string"/>
    </parameter>
    <parameter name="count" unique="0" required="0">
      <longdesc lang="en">How &quot;many&quot;</longdesc>
      <shortdesc lang="en">Count</shortdesc>
      <content type="integer" default="5"/>
    </parameter>
  </parameters>
  <actions>
    <action name="start" timeout="20s"/>
    <action name="monitor" timeout="30s" interval="10s" depth="0"/>
    <action name="meta-data" timeout="5s"/>
  </actions>
</resource-agent>
"#;

#[test]
fn writes_the_documented_shape_byte_for_byte() {
    assert_eq!(META.to_xml(), EXPECTED);
}

#[test]
fn the_ocf_1_1_form_adds_reloadable_and_reload_agent_only() {
    let xml = META.to_xml_in(MetaForm::Ocf11);
    let want = EXPECTED
        .replace(
            r#"name="count" unique="0" required="0">"#,
            r#"name="count" unique="0" required="0" reloadable="1">"#,
        )
        .replace(
            "    <action name=\"meta-data\"",
            "    <action name=\"reload-agent\" timeout=\"10s\"/>\n    <action name=\"meta-data\"",
        );
    assert_eq!(xml, want);
    assert_eq!(META.to_xml_in(MetaForm::Ocf10), META.to_xml());
    assert!(META.supports(&Action::ReloadAgent));
    let form = |pairs: &[(&str, &str)]| MetaForm::for_env(&Env::from_pairs(pairs.iter().copied()));
    assert_eq!(form(&[]), MetaForm::Ocf10);
    let v = |ma: &'static str, mi: &'static str| {
        form(&[("OCF_RA_VERSION_MAJOR", ma), ("OCF_RA_VERSION_MINOR", mi)])
    };
    assert_eq!(v("1", "0"), MetaForm::Ocf10);
    assert_eq!(v("1", "1"), MetaForm::Ocf11);
    assert_eq!(v("1", "2"), MetaForm::Ocf11);
    assert_eq!(v("2", "0"), MetaForm::Ocf11);
    assert_eq!(v("0", "9"), MetaForm::Ocf10);
}

#[test]
fn supports_listed_actions_and_meta_data_usage() {
    assert!(META.supports(&Action::Start));
    assert!(META.supports(&Action::Monitor));
    assert!(META.supports(&Action::MetaData));
    assert!(META.supports(&Action::Usage));
    assert!(!META.supports(&Action::Stop));
    assert!(!META.supports(&Action::Promote));
    assert!(!META.supports(&Action::Missing));
    assert!(!META.supports(&Action::Other("start ".into())));
}

#[test]
fn is_valid_against_the_ocf_dtd() {
    let dtd = "/usr/share/resource-agents/ra-api-1.dtd";
    assert!(
        std::path::Path::new(dtd).exists(),
        "{dtd} missing: install Debian's resource-agents (tests/env/packages.sh)"
    );
    let path = std::env::temp_dir().join(format!("ra-api-meta-{}.xml", std::process::id()));
    std::fs::write(&path, META.to_xml()).unwrap_or_default();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--dtdvalid", dtd])
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("xmllint not runnable ({e}): install libxml2-utils"),
    }
}
