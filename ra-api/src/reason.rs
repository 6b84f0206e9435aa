//! Exit reasons: the one line Pacemaker shows under "Failed Resource Actions".

/// Pacemaker keeps at most this many characters of an exit reason.
pub const EXIT_REASON_MAX: usize = 128;

/// The prefix Pacemaker looks for on stderr.
pub const EXIT_REASON_PREFIX: &str = "ocf-exit-reason:";

/// `ocf-exit-reason:<text>` with line breaks and control characters made
/// blanks and the text cut to [`EXIT_REASON_MAX`] characters.
pub fn exit_reason_line(text: &str) -> String {
    let clean: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(EXIT_REASON_MAX)
        .collect();
    format!("{EXIT_REASON_PREFIX}{clean}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_at_most_128_characters() {
        assert_eq!(
            exit_reason_line("nic eth9 missing"),
            "ocf-exit-reason:nic eth9 missing"
        );
        assert_eq!(exit_reason_line(" a\nb\r\tc \n"), "ocf-exit-reason:a b  c");
        let long = "ü".repeat(300);
        let line = exit_reason_line(&long);
        assert_eq!(
            line.chars().count(),
            EXIT_REASON_PREFIX.len() + EXIT_REASON_MAX
        );
        assert!(line.ends_with('ü'));
    }
}
