//! `--cpus LIST`: taskset's list syntax, checked against the caller's own
//! affinity; the parent sets it on the child before "go".

#![forbid(unsafe_code)]

use rustix::thread::CpuSet;

use crate::error::Error;

/// The CPUs of a list such as `0-3,6` or `0-7:2` (every second one), in
/// the order given, each once. Pure: no system call.
pub fn parse_list(s: &str) -> Result<Vec<usize>, String> {
    if s.is_empty() {
        return Err("expected CPU numbers such as 0-3,6".into());
    }
    let mut cpus = Vec::new();
    for item in s.split(',') {
        let (range, stride) = match item.split_once(':') {
            Some((r, st)) => (r, number(st)?),
            None => (item, 1),
        };
        if stride == 0 {
            return Err("a stride must be at least 1".into());
        }
        let (first, last) = match range.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None if item.contains(':') => {
                return Err(format!("'{item}': a stride needs a range (0-7:2)"));
            }
            None => {
                let n = number(range)?;
                (n, n)
            }
        };
        if first > last {
            return Err(format!("the range {range} runs backwards"));
        }
        let mut cpu = first;
        while cpu <= last {
            if !cpus.contains(&cpu) {
                cpus.push(cpu);
            }
            match cpu.checked_add(stride) {
                Some(n) => cpu = n,
                None => break,
            }
        }
    }
    Ok(cpus)
}

/// A CPU number: decimal digits only.
fn number(s: &str) -> Result<usize, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{s}' is not a CPU number"));
    }
    s.parse::<usize>()
        .map_err(|_| format!("'{s}' is too large a CPU number"))
}

/// The set for `--cpus TEXT`, every CPU of it one the caller may run on.
pub fn build(text: &str, cpus: &[usize]) -> Result<CpuSet, Error> {
    let own = rustix::thread::sched_getaffinity(None)
        .map_err(|e| Error::sys("--cpus: read jail's own CPU affinity", e.raw_os_error()))?;
    let mut set = CpuSet::new();
    for &cpu in cpus {
        if cpu >= CpuSet::MAX_CPU || !own.is_set(cpu) {
            return Err(Error::usage(format!(
                "--cpus {text}: CPU {cpu} is not one jail may run on (it may use {})",
                describe(&own)
            )));
        }
        set.set(cpu);
    }
    Ok(set)
}

/// A set in list syntax: `0-3,6`.
pub fn describe(set: &CpuSet) -> String {
    let mut out = String::new();
    let mut cpu = 0;
    while cpu < CpuSet::MAX_CPU {
        if !set.is_set(cpu) {
            cpu += 1;
            continue;
        }
        let first = cpu;
        while cpu + 1 < CpuSet::MAX_CPU && set.is_set(cpu + 1) {
            cpu += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if first == cpu {
            out.push_str(&first.to_string());
        } else {
            out.push_str(&format!("{first}-{cpu}"));
        }
        cpu += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(parse_list("0"), Ok(vec![0]));
        assert_eq!(parse_list("0-3,6"), Ok(vec![0, 1, 2, 3, 6]));
        assert_eq!(parse_list("6,0-2,1"), Ok(vec![6, 0, 1, 2]));
        assert_eq!(parse_list("0-7:2"), Ok(vec![0, 2, 4, 6]));
        assert_eq!(parse_list("1-8:3,0"), Ok(vec![1, 4, 7, 0]));
        assert_eq!(parse_list("2-2"), Ok(vec![2]));
    }

    #[test]
    fn bad_lists() {
        for bad in [
            "",
            "x",
            "3-1",
            "-1",
            "1-",
            "0,",
            ",0",
            "0,,1",
            "1 ",
            " 1",
            "+1",
            "0-3:0",
            "4:2",
            "0-3:",
            "0-3:x",
            "0x1",
            "1-2-3",
            "99999999999999999999999",
        ] {
            assert!(parse_list(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn describes() {
        let mut s = CpuSet::new();
        assert_eq!(describe(&s), "");
        for c in [0, 1, 2, 3, 6, 8, 9] {
            s.set(c);
        }
        assert_eq!(describe(&s), "0-3,6,8-9");
    }

    #[test]
    fn outside_is_refused() {
        let own = rustix::thread::sched_getaffinity(None).unwrap();
        let first = (0..CpuSet::MAX_CPU).find(|c| own.is_set(*c)).unwrap();
        assert!(build("x", &[first]).unwrap().is_set(first));
        assert!(build("x", &[CpuSet::MAX_CPU]).is_err());
        assert!(build("x", &[usize::MAX]).is_err());
        assert!(build("x", &[first, 4095]).is_err());
    }
}
