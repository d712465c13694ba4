//! The duration syntax of `--timeout` and `--kill-after`.

#![forbid(unsafe_code)]

pub const NS_PER_SEC: u64 = 1_000_000_000;

/// `--kill-after` when not given: 5 seconds.
pub const DEFAULT_KILL_AFTER_NS: u64 = 5 * NS_PER_SEC;

/// Parse a duration as timeout(1) does: a number of seconds, maybe with a
/// fraction, and an optional suffix `s`, `m`, `h` or `d`. Returns
/// nanoseconds (0 is "no timeout" for the caller to decide).
pub fn parse_duration(s: &str) -> Result<u64, &'static str> {
    const WHAT: &str = "expected a number of seconds with an optional s, m, h or d suffix";
    let (num, unit) = match s.as_bytes().last() {
        Some(b's') => (&s[..s.len() - 1], 1),
        Some(b'm') => (&s[..s.len() - 1], 60),
        Some(b'h') => (&s[..s.len() - 1], 3600),
        Some(b'd') => (&s[..s.len() - 1], 86400),
        _ => (s, 1),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return Err(WHAT);
    }
    const TOO_LONG: &str = "too long";
    let unit_ns = unit * NS_PER_SEC;
    let mut ns: u64 = 0;
    for b in int.bytes() {
        ns = ns
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(TOO_LONG)?;
    }
    ns = ns.checked_mul(unit_ns).ok_or(TOO_LONG)?;
    // The fraction, to the nanosecond (further digits are dropped).
    let mut scale = unit_ns;
    for b in frac.bytes() {
        scale /= 10;
        ns = ns
            .checked_add(u64::from(b - b'0') * scale)
            .ok_or(TOO_LONG)?;
    }
    // Not zero, but under a nanosecond: 1 ns, never 0 ("no limit").
    if ns == 0 && frac.bytes().any(|b| b != b'0') {
        ns = 1;
    }
    Ok(ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = NS_PER_SEC;

    #[test]
    fn durations_like_timeout() {
        assert_eq!(parse_duration("30"), Ok(30 * S));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1.5s"), Ok(S + S / 2));
        assert_eq!(parse_duration("2m"), Ok(120 * S));
        assert_eq!(parse_duration("1h"), Ok(3600 * S));
        assert_eq!(parse_duration("1d"), Ok(86400 * S));
        assert_eq!(parse_duration(".5"), Ok(S / 2));
        assert_eq!(parse_duration("2."), Ok(2 * S));
        assert_eq!(parse_duration("0.25m"), Ok(15 * S));
        assert_eq!(parse_duration("0.000000001"), Ok(1));
        assert_eq!(parse_duration("0.0000000019"), Ok(1));
        assert_eq!(parse_duration("0.0000000001"), Ok(1));
        assert_eq!(parse_duration("0.0000000000"), Ok(0));
    }

    #[test]
    fn bad_durations() {
        for bad in [
            "", "s", ".", "-1", "1x", "1 s", " 1", "1.2.3", "1e3", "inf", "1ss", "+1", "0x10",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(parse_duration("99999999999999999999"), Err("too long"));
        assert_eq!(parse_duration("999999999999d"), Err("too long"));
    }
}
