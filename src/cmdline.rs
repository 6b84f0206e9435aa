//! How `monitor_cmd` becomes an argv: a small, documented rule, not a shell.
//!
//! Words are separated by spaces and tabs. `'...'` keeps everything up to the
//! next single quote as is. `"..."` groups words; inside it a backslash
//! escapes `"` or `\` (any other backslash stays). Outside quotes a backslash
//! escapes the next character. Nothing else is special: no variables, globs,
//! pipes or redirections.

/// Splits `s` into an argv by the rule above. An empty or blank value is
/// refused (leave the parameter unset instead), as is an unclosed quote or a
/// trailing backslash.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    let mut argv = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    argv.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => word.push(x),
                        None => return Err("unclosed single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\')) => word.push(x),
                            Some(x) => {
                                word.push('\\');
                                word.push(x);
                            }
                            None => return Err("unclosed double quote".into()),
                        },
                        Some(x) => word.push(x),
                        None => return Err("unclosed double quote".into()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(x) => {
                    in_word = true;
                    word.push(x);
                }
                None => return Err("trailing backslash".into()),
            },
            c if c.is_control() => return Err("control characters are not allowed".into()),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        argv.push(word);
    }
    if argv.is_empty() {
        return Err("no command given".into());
    }
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::split;

    fn v(words: &[&str]) -> Result<Vec<String>, String> {
        Ok(words.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn splits_words_at_blanks() {
        assert_eq!(split("test -f /tmp/ok"), v(&["test", "-f", "/tmp/ok"]));
        assert_eq!(split("  a\t\tb  "), v(&["a", "b"]));
    }

    #[test]
    fn quotes_group_and_keep() {
        assert_eq!(
            split("sh -c 'wget -q -O- http://x/ | grep \"ok\"'"),
            v(&["sh", "-c", "wget -q -O- http://x/ | grep \"ok\""])
        );
        assert_eq!(
            split(r#"echo "a \"b\" \\ \n""#),
            v(&["echo", r#"a "b" \ \n"#])
        );
        assert_eq!(split("a''b \"\""), v(&["ab", ""]));
        assert_eq!(split(r"a\ b \$HOME"), v(&["a b", "$HOME"]));
    }

    #[test]
    fn shell_syntax_is_not_special() {
        assert_eq!(split("a|b;c>d $X *"), v(&["a|b;c>d", "$X", "*"]));
    }

    #[test]
    fn refuses_what_cannot_be_meant() {
        for bad in ["", "   ", "'open", "\"open", "a\\", "\"a\\", "a\nb"] {
            assert!(split(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
