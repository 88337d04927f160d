//! Text from outside (HTTP requests, devices, files) made safe to show: control
//! characters escaped for terminals and plain logs, and URL path and query parts
//! percent-encoded.

use std::borrow::Cow;

/// `text` with every control character (newline, carriage return, escape, DEL, C1)
/// written as a visible escape (`\n`, `\r`, `\t`, `\u{1b}`), so that a value cannot
/// start a forged line or move a terminal's cursor. Text without any is borrowed.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What replaces a secret in text.
pub const REDACTED: &str = "<redacted>";

/// `text` with every one of `secrets` (the configured passwords, communities, client
/// secrets and tokens) replaced, and anything that looks like a credential whatever
/// its value: a bearer token, a `client_secret=` or `password=` form field echoed back,
/// a JSON Web Token. Remote systems echo requests into their error texts; this is the
/// one step those texts pass before a log, the API, metrics or the audit trail.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    // Longest first, so that a secret containing another is removed whole.
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(s, REDACTED);
        // Echoed inside a form or a URL: percent-encoded.
        let encoded = encode(s);
        if encoded != s {
            out = out.replace(&encoded, REDACTED);
        }
    }
    for key in [
        "client_secret=",
        "password=",
        "access_token=",
        "Bearer ",
        "bearer ",
    ] {
        out = redact_after(&out, key);
    }
    redact_jwts(&out)
}

/// The value after each `key` (up to a separator) replaced.
fn redact_after(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | '"' | '\'' | ',' | ';'))
            .unwrap_or(rest.len());
        if end > 0 && &rest[..end] != REDACTED {
            out.push_str(REDACTED);
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Words shaped like a JSON Web Token (three base64url parts, the first "eyJ").
fn redact_jwts(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=');
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let parts: Vec<&str> = word.split('.').collect();
        if word.starts_with("eyJ") && parts.len() == 3 && parts.iter().all(|p| p.len() >= 4) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_b64(c) || c == '.' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `text` percent-encoded for one URL path segment or query value (RFC 3986
/// unreserved characters stay as they are).
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, UNRESERVED_COMPLEMENT).to_string()
}

/// Everything but A-Z a-z 0-9 - . _ ~ is encoded.
const UNRESERVED_COMPLEMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(escape("alice"), "alice");
        assert!(matches!(escape("alice"), Cow::Borrowed(_)));
        assert_eq!(
            escape("eve\n2026-11-25 INFO forged\x1b[2J"),
            "eve\\n2026-11-25 INFO forged\\u{1b}[2J"
        );
        assert_eq!(escape("a\u{85}b\u{7f}"), "a\\u{85}b\\u{7f}");
    }

    #[test]
    fn secrets_and_credential_shapes_are_redacted() {
        let echoed = "AADSTS7000215: Invalid client secret. Request: grant_type=client_credentials&client_id=abc&client_secret=s3cr%2Bt!&scope=x";
        let r = redact(echoed, &["s3cr+t!"]);
        assert!(!r.contains("s3cr"), "{r}");
        assert!(r.contains("client_id=abc"), "{r}");
        let r = redact(
            "401: token Bearer eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl rejected",
            &[],
        );
        assert_eq!(r, "401: token Bearer <redacted> rejected");
        let r = redact("jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl in text", &[]);
        assert_eq!(r, "jwt <redacted> in text");
        assert_eq!(
            redact("nothing to hide", &["", "hunter2"]),
            "nothing to hide"
        );
        assert_eq!(
            redact("pw hunter2 and hunter22", &["hunter2", "hunter22"]),
            "pw <redacted> and <redacted>"
        );
    }

    #[test]
    fn url_parts_are_percent_encoded() {
        assert_eq!(encode("erd-ams_1.x~"), "erd-ams_1.x~");
        assert_eq!(encode("../../-/reload?"), "..%2F..%2F-%2Freload%3F");
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
