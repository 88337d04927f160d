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
        // Every encoding a remote system may echo it in: percent-encoded (a form, a
        // URL), with '+' for spaces (a form), JSON-escaped (a secret with `"` or `\`
        // quoted back in an error body), and as a log line escapes it.
        let encoded = encode(s);
        let json = json_escaped(s);
        for form in [
            encoded.replace("%20", "+"),
            encoded,
            json.replace('/', "\\/"),
            json,
            escape(s).into_owned(),
        ] {
            if form != s && !form.is_empty() {
                out = out.replace(&form, REDACTED);
            }
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

/// `s` as it appears inside a JSON string (without the quotes).
fn json_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `text` with every run that looks like an opaque token (32 or more characters of the
/// base64 and base64url alphabets, with both letters and digits) replaced: for the
/// output of an external tool (the Azure CLI), whose tokens lightgate cannot know.
/// Not for texts that carry resource ids, which such a run would eat.
pub fn redact_token_like(text: &str) -> String {
    let token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.' | '~');
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let looks = run.len() >= 32
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic());
        out.push_str(if looks { REDACTED } else { run.as_str() });
        run.clear();
    };
    for c in text.chars() {
        if token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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
    #[test]
    fn a_secret_is_redacted_in_every_encoding_it_is_echoed_in() {
        let secret = "pa\"ss\\wo rd/1";
        for echoed in [
            r#"{"error": "bad password pa\"ss\\wo rd/1"}"#.to_string(),
            r#"{"error": "bad password pa\"ss\\wo rd\/1"}"#.to_string(),
            "password%3Dpa%22ss%5Cwo%20rd%2F1".to_string(),
            "form pa%22ss%5Cwo+rd%2F1".to_string(),
            format!("raw {secret}"),
        ] {
            let out = redact(&echoed, &[secret]);
            assert!(out.contains(REDACTED), "{echoed} -> {out}");
            assert!(
                !out.contains("wo rd") && !out.contains("wo+rd") && !out.contains("wo%20rd"),
                "{echoed} -> {out}"
            );
        }
    }

    #[test]
    fn token_like_runs_are_redacted_in_tool_output() {
        let out = redact_token_like(
            "ERROR: AADSTS70043: refresh token 0.AXoAq1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz-_abc expired.",
        );
        assert!(
            out.contains("AADSTS70043") && out.contains(REDACTED),
            "{out}"
        );
        assert!(!out.contains("AXoAq1b2"), "{out}");
        assert_eq!(
            redact_token_like("Please run 'az login'"),
            "Please run 'az login'"
        );
    }

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
