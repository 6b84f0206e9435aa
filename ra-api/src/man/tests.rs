use super::*;
use crate::metadata::ActionSpec;

const PARAMS: &[ParamSpec] = &[
    ParamSpec::string("ip")
        .required()
        .unique()
        .shortdesc("Virtual address")
        .longdesc("The address, e.g. 192.0.2.10/24.\n.Lines starting with a dot stay text."),
    ParamSpec::integer("count")
        .default("5")
        .reloadable()
        .shortdesc("Rounds")
        .longdesc("How many.\n\nA second paragraph with C:\\path and a-b."),
    ParamSpec::string("cmd")
        .default("sh -c 'exit 0'")
        .shortdesc("Command"),
];
const META: AgentMeta = AgentMeta {
    name: "demo",
    version: "1.2.3",
    shortdesc: "Demo agent",
    longdesc: "Does nothing.\n'quoted' first word, caf\u{e9} and \u{2026}",
    params: PARAMS,
    actions: &[
        ActionSpec::new("start", 20),
        ActionSpec::new("monitor", 30).interval(10).depth(0),
        ActionSpec::new("validate-all", 20),
        ActionSpec::new("meta-data", 5),
    ],
};

const EXPECTED: &str = r#".\" Generated from the agent's meta-data declarations; do not edit.
.TH "OCF_ACME_DEMO" "7" "" "acme\-demo 1.2.3" "OCF resource agents"
.nh
.ad l
.SH "NAME"
ocf_acme_demo \- Demo agent
.SH "SYNOPSIS"
\fBdemo\fR [start | monitor | validate\-all | meta\-data]
.PP
Pacemaker runs \fB/usr/lib/ocf/resource.d/acme/demo\fR with the action as the first argument and each parameter \fIname\fR as \fBOCF_RESKEY_\fR\fIname\fR in the environment; the resource class is \fBocf:acme:demo\fR.
.PP
By hand, each parameter may be given as a flag instead, its name with \- for _ (\fBdemo monitor \-\-ip \fR\fIvalue\fR); a flag overrides its variable. \fB\-\-help\fR lists them, \fB\-\-version\fR prints the version.
.SH "DESCRIPTION"
.PP
Does nothing.
\(aqquoted\(aq first word, caf\[u00E9] and \[u2026]
.SH "SUPPORTED PARAMETERS"
.PP
\fBip\fR \(em Virtual address
.RS 4
The address, e.g. 192.0.2.10/24.
\&.Lines starting with a dot stay text.
.sp
(unique, required, string, no default)
.RE
.PP
\fBcount\fR \(em Rounds
.RS 4
How many.
.sp
A second paragraph with C:\epath and a\-b.
.sp
(optional, integer, default 5)
.sp
Reloadable: a new value takes effect through reload\-agent, without a restart.
.RE
.PP
\fBcmd\fR \(em Command
.RS 4
(optional, string, default "sh \-c \(aqexit 0\(aq")
.RE
.SH "SUPPORTED ACTIONS"
.PP
This resource agent supports the following actions (operations):
.PP
\fBstart\fR
.RS 4
Starts the resource. Suggested minimum timeout: 20s.
.RE
.PP
\fBmonitor\fR
.RS 4
Checks the resource\(aqs state (probes and recurring monitors). Suggested minimum timeout: 30s. Suggested interval: 10s.
.RE
.PP
\fBvalidate\-all\fR
.RS 4
Validates the resource\(aqs configuration. Suggested minimum timeout: 20s.
.RE
.PP
\fBmeta\-data\fR
.RS 4
Prints the resource agent\(aqs meta\-data (internal use only). Suggested minimum timeout: 5s.
.RE
.SH "EXAMPLE USAGE"
.PP
A demo resource with \fBpcs\fR(8) (required parameters in \fIitalics\fR):
.sp
.RS 4
.nf
pcs resource create p_demo ocf:acme:demo \e
  ip=\fIstring\fR \e
  op monitor interval=10s timeout=30s
.fi
.RE
.PP
The same with the \fBcrm\fR(8) shell:
.sp
.RS 4
.nf
crm configure primitive p_demo ocf:acme:demo \e
  params \e
    ip=\fIstring\fR \e
  op monitor interval=10s timeout=30s
.fi
.RE
.SH "SEE ALSO"
.PP
\fBcrm_resource\fR(8), \fBpcs\fR(8), \fBcrm\fR(8), \fBocf\-tester\fR(8)
.PP
/usr/share/doc/acme\-demo/README.md
"#;

fn page() -> String {
    ManPage::new(&META, "acme")
        .source("acme-demo 1.2.3")
        .see_also(&["/usr/share/doc/acme-demo/README.md"])
        .to_roff()
}

#[test]
fn writes_the_documented_shape_byte_for_byte() {
    assert_eq!(page(), EXPECTED);
}

#[test]
fn names_the_page_as_resource_agents_does() {
    let m = ManPage::new(&META, "acme");
    assert_eq!(m.title(), "ocf_acme_demo");
    assert_eq!(m.file_name(), "ocf_acme_demo.7");
    assert!(m.to_roff().contains("\"demo 1.2.3\""), "default source");
}

#[test]
fn escapes_backslashes_hyphens_quotes_and_non_ascii() {
    assert_eq!(escape(r"a\b"), r"a\eb");
    assert_eq!(escape("--x"), r"\-\-x");
    assert_eq!(escape("it's `x`"), r"it\(aqs \(gax\(ga");
    assert_eq!(escape("~/a^b"), r"\(ti/a\(hab");
    assert_eq!(escape("\u{e9}\u{1F600}"), r"\[u00E9]\[u1F600]");
    assert_eq!(escape("a\tb\u{7}"), "a b ");
    assert_eq!(escape(r"\fB"), r"\efB", "no font change sneaks in");
}

#[test]
fn no_text_line_starts_a_request() {
    // Every line that starts with '.' or '\'' must be one of ours: a macro
    // or a comment; text beginning with a dot is protected by \&.
    const TRICKY: &[ParamSpec] = &[ParamSpec::string(".x")
        .shortdesc(".starts with a dot")
        .longdesc(".B bold?\n'quote\n\n..\n.\\\" comment?")];
    let meta = AgentMeta {
        longdesc: ".SH FAKE\n'br",
        params: TRICKY,
        ..META
    };
    let roff = ManPage::new(&meta, "acme").to_roff();
    const MACROS: &[&str] = &[
        ".\\\" Generated",
        ".TH ",
        ".nh",
        ".ad l",
        ".SH \"",
        ".PP",
        ".RS 4",
        ".RE",
        ".sp",
        ".nf",
        ".fi",
    ];
    for l in roff.lines() {
        if l.starts_with(['.', '\'']) {
            assert!(
                MACROS.iter().any(|m| l.starts_with(m)),
                "text read as a request: {l:?}\n{roff}"
            );
        }
    }
    assert!(roff.contains("\\&.SH FAKE\n"));
    assert!(roff.contains("\\&.B bold?\n"));
    assert!(roff.contains("\\(aqbr\n"));
    assert!(roff.contains("\\&..\n"));
    assert!(roff.contains("\\&.\\e\" comment?\n"));
    assert!(roff.contains("\\fB.x\\fR \\(em .starts with a dot\n"));
}

#[test]
fn a_required_parameter_without_default_and_optional_ones_say_so() {
    let roff = page();
    assert!(roff.contains("(unique, required, string, no default)"));
    assert!(roff.contains("(optional, integer, default 5)"));
}

#[test]
fn examples_leave_out_params_when_nothing_is_required_and_show_depth() {
    const OPTIONAL: &[ParamSpec] = &[ParamSpec::integer("n").default("1")];
    const ACTIONS: &[ActionSpec] = &[
        ActionSpec::new("start", 20),
        ActionSpec::new("monitor", 40).interval(20).depth(10),
    ];
    let meta = AgentMeta {
        params: OPTIONAL,
        actions: ACTIONS,
        ..META
    };
    let roff = ManPage::new(&meta, "acme").to_roff();
    assert!(
        roff.contains(
            "pcs resource create p_demo ocf:acme:demo \\e\n  op monitor interval=20s timeout=40s OCF_CHECK_LEVEL=10\n.fi"
        ),
        "{roff}"
    );
    assert!(
        roff.contains(
            "crm configure primitive p_demo ocf:acme:demo \\e\n  op monitor interval=20s timeout=40s depth=10\n.fi"
        ),
        "{roff}"
    );
    assert!(!roff.contains("  params"));
    assert!(roff.contains("Check depth (OCF_CHECK_LEVEL): 10."));
}
