//! What an exit reason may show of a command's output.
//!
//! Pacemaker keeps exit reasons in the cluster status and shows them
//! (`crm_mon`, `pcs status`, the CIB) to everyone who may read the status,
//! not only to those who may read the container. The output of a health
//! check or of `monitor_cmd` can carry credentials: a URL with a password,
//! a header echoed by `curl -v`, a token in an error message. So a reason
//! shows only [`output_line`] of it: the last non-blank line (the tail ends
//! there, and a command's last words usually say what went wrong), with
//! whatever looks like a credential replaced by `***`, cut to [`SHOWN`]
//! characters. The whole output tail of `monitor_cmd` goes to the log
//! ([`cmd_failed`]); a health check's stays with the engine
//! (`docker inspect --format '{{json .State.Health}}'`).
//!
//! Masked: every `key=value` (the value); after a word that names a
//! credential (`password`, `token`, `secret`, `Authorization`, `Bearer`,
//! `cookie`, `session`, `private`, `apikey`, ...) the rest of the line, and
//! its own `key:value` or `key=value` value; the user and password of a URL
//! (`https://***@host/`); long opaque words of letters and digits (20 or
//! more with upper case letters, 32 or more in lower case), as tokens and
//! keys are.

use tracing::warn;

/// How many characters of the output line a reason shows.
pub const SHOWN: usize = 120;

/// What stands in for a masked value.
const MASK: &str = "***";

/// Parts of words that name a credential (compared in lower case).
const SECRET_WORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "auth",
    "bearer",
    "cred",
    "cookie",
    "session",
    "private",
    "apikey",
    "api_key",
    "api-key",
    "signature",
];

/// The line of `output` an exit reason may show (see the module): the last
/// non-blank one, masked and cut to [`SHOWN`] characters; empty when the
/// output is blank.
pub fn output_line(output: &str) -> String {
    let line = output
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    cut(&mask(line), SHOWN)
}

/// How a failed `monitor_cmd` reads in the exit reason: `{what}: {line}`,
/// `line` being [`output_line`] of `output` (only `what` when that is
/// blank); the whole `output` goes to the log as a warning.
pub fn cmd_failed(what: &str, output: &str) -> String {
    let output = output.trim();
    if output.is_empty() {
        return what.to_string();
    }
    warn!("monitor_cmd {what}; its output ends with: {output}");
    format!("{what}: {}", output_line(output))
}

/// `line` with whatever looks like a credential masked, words joined by
/// single blanks.
fn mask(line: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        let lower = word.to_lowercase();
        if SECRET_WORDS.iter().any(|s| lower.contains(s)) {
            out.push(own_value_masked(word).unwrap_or_else(|| word.to_string()));
            if words.next().is_some() {
                out.push(MASK.to_string());
            }
            break;
        }
        out.push(mask_word(word));
    }
    out.join(" ")
}

/// A word that is no credential's name, with its value, a URL's user and
/// password, or all of it masked when it looks like one.
fn mask_word(word: &str) -> String {
    if let Some(w) = url_user_masked(word) {
        return w;
    }
    if let Some((key, value)) = word.split_once('=') {
        if !value.is_empty() {
            return format!("{key}={MASK}");
        }
    }
    if opaque(word) {
        return MASK.to_string();
    }
    word.to_string()
}

/// `key=value` or `key:value` with the value masked (at the first `=` or
/// `:`), when the word carries a value.
fn own_value_masked(word: &str) -> Option<String> {
    let at = word.find(['=', ':'])?;
    let (key, value) = word.split_at(at + 1);
    (!value.is_empty()).then(|| format!("{key}{MASK}"))
}

/// `scheme://user:password@host/...` as `scheme://***@host/...`.
fn url_user_masked(word: &str) -> Option<String> {
    let (scheme, rest) = word.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest.get(..authority_end)?.rfind('@')?;
    let host = rest.get(at + 1..)?;
    Some(format!("{scheme}://{MASK}@{host}"))
}

/// A word that looks like a token or a key: letters and digits (with
/// `-_.+=~`, no `/`), with a digit and 20 or more of them when some
/// letters are upper case, 32 or more when all are lower case (so that
/// host names and paths stay).
fn opaque(word: &str) -> bool {
    let w = word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';' | '(' | ')'));
    let n = w.chars().count();
    if n < 20
        || w.contains('/')
        || !w
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '=' | '~'))
    {
        return false;
    }
    let digit = w.chars().any(|c| c.is_ascii_digit());
    let upper = w.chars().any(|c| c.is_ascii_uppercase());
    let lower = w.chars().any(|c| c.is_ascii_lowercase());
    digit && (upper || (lower && n >= 32))
}

/// At most `max` characters, the last one `…` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_is_kept_as_it_is() {
        for line in [
            "backend down",
            "probe-output",
            "curl: (7) Failed to connect to 127.0.0.1 port 8080: Connection refused",
            "wget: server returned error: HTTP/1.1 503 Service Unavailable",
        ] {
            assert_eq!(output_line(line), line);
        }
    }

    #[test]
    fn the_last_non_blank_line_is_shown() {
        assert_eq!(
            output_line("starting\nchecking\nbackend down\n\n"),
            "backend down"
        );
        assert_eq!(output_line("  \n\t\n"), "");
        assert_eq!(output_line(""), "");
    }

    #[test]
    fn credentials_are_masked() {
        for (line, secret, shown) in [
            (
                "login with password=hunter2 failed",
                "hunter2",
                "login with password=*** ***",
            ),
            ("user=admin pw=hunter2", "hunter2", "user=*** pw=***"),
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9",
                "eyJ",
                "Authorization: ***",
            ),
            ("token:abc123", "abc123", "token:***"),
            ("\"password\":\"hunter2\"}", "hunter2", "\"password\":***"),
            (
                "GET https://admin:hunter2@db.example/x failed",
                "hunter2",
                "GET https://***@db.example/x failed",
            ),
            (
                "key AKIAIOSFODNN7EXAMPLE refused",
                "AKIAIOSFODNN7EXAMPLE",
                "key *** refused",
            ),
            (
                "id 0123456789abcdef0123456789abcdef unknown",
                "0123456789abcdef",
                "id *** unknown",
            ),
            (
                "Set-Cookie: sid=s3cr3t; Path=/",
                "s3cr3t",
                "Set-Cookie: ***",
            ),
        ] {
            let got = output_line(line);
            assert!(!got.contains(secret), "{line:?} -> {got:?}");
            assert_eq!(got, shown, "{line:?}");
        }
    }

    #[test]
    fn paths_hosts_and_short_words_survive() {
        for line in [
            "open /usr/lib/x86_64-linux-gnu/libfoo.so.1: no such file",
            "dial tcp 10.0.0.1:5432: connection refused",
            "exec: \"/bin/no-such-check\": stat /bin/no-such-check: no such file or directory",
        ] {
            assert_eq!(output_line(line), line);
        }
    }

    #[test]
    fn long_lines_are_cut() {
        let long = "x ".repeat(200);
        let got = output_line(&long);
        assert_eq!(got.chars().count(), SHOWN);
        assert!(got.ends_with('…'));
    }

    #[test]
    fn the_reason_carries_what_and_the_masked_line() {
        assert_eq!(
            cmd_failed("exited 3", "a\ntoken=abc\n"),
            "exited 3: token=***"
        );
        assert_eq!(cmd_failed("exited 3", " \n"), "exited 3");
        // the runtime's answer for a missing program (docs/faults.md, fault 11)
        let oci = "OCI runtime exec failed: exec failed: unable to start container process: \
                   exec: \"/bin/no-such-check\": stat /bin/no-such-check: no such file or \
                   directory: unknown";
        let got = cmd_failed("exited 126", oci);
        assert!(
            got.starts_with("exited 126: OCI runtime exec failed"),
            "{got}"
        );
        assert!(got.chars().count() <= "exited 126: ".len() + SHOWN, "{got}");
    }
}
