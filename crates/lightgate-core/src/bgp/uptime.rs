//! The up/down column of `show bgp summary`, in seconds. The forms: `00:20:06`
//! (Cisco, under a day), `1d08h`, `3w0d`, `1y10w` (Cisco: two largest units only),
//! `626h43m` (Huawei), `9w2d 5:23:37`, `4:05` (minutes and seconds) and `9` (seconds)
//! (Junos), `00h:17m:50s` (AOS-CX: units joined by colons). `never` is no time at all. A year is 365 days, as Cisco counts.

/// Seconds, or None for `never`, an empty column or anything else.
pub fn parse_uptime(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("never") {
        return None;
    }
    let mut total: u64 = 0;
    for token in t.split_whitespace() {
        total = total.checked_add(token_seconds(token)?)?;
    }
    Some(total)
}

fn token_seconds(token: &str) -> Option<u64> {
    if token.contains(':') && token.bytes().any(|b| b.is_ascii_alphabetic()) {
        // AOS-CX: each part carries its unit.
        return token_seconds(&token.replace(':', ""));
    }
    if token.contains(':') {
        let parts: Vec<u64> = token
            .split(':')
            .map(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect::<Option<_>>()?;
        return match parts.as_slice() {
            [m, s] if *s < 60 => Some(m * 60 + s),
            [h, m, s] if *m < 60 && *s < 60 => Some(h * 3600 + m * 60 + s),
            _ => None,
        };
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        return token.parse().ok();
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in token.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'y' => 365 * 86_400,
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        if number.is_empty() {
            return None;
        }
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_in_the_corpus_is_read() {
        let d = 86_400;
        for (text, want) in [
            ("00:20:06", Some(20 * 60 + 6)),
            ("00:00:00", Some(0)),
            ("1d08h", Some(d + 8 * 3600)),
            ("3w0d", Some(21 * d)),
            ("1y10w", Some(365 * d + 70 * d)),
            ("1y00w", Some(365 * d)),
            ("79d05h", Some(79 * d + 5 * 3600)),
            ("626h43m", Some(626 * 3600 + 43 * 60)),
            ("9w2d 5:23:37", Some(65 * d + 5 * 3600 + 23 * 60 + 37)),
            ("4:05", Some(245)),
            ("00h:17m:50s", Some(17 * 60 + 50)),
            ("2d:03h:04m", Some(2 * d + 3 * 3600 + 4 * 60)),
            ("9", Some(9)),
            ("never", None),
            ("", None),
            ("Idle", None),
            ("1:60", None),
            ("5x", None),
            ("d", None),
        ] {
            assert_eq!(parse_uptime(text), want, "{text:?}");
        }
    }
}
