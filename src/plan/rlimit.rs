//! `--rlimit NAME=SOFT[:HARD]`: parsed in the parent, applied in the child.

#![forbid(unsafe_code)]

use rustix::process::Resource;

use crate::error::Error;

/// A resource as prlimit(1) names it, and whether its values are bytes.
struct Named {
    name: &'static str,
    id: Resource,
    bytes: bool,
}

const RESOURCES: &[Named] = &[
    Named {
        name: "as",
        id: Resource::As,
        bytes: true,
    },
    Named {
        name: "core",
        id: Resource::Core,
        bytes: true,
    },
    Named {
        name: "cpu",
        id: Resource::Cpu,
        bytes: false,
    },
    Named {
        name: "data",
        id: Resource::Data,
        bytes: true,
    },
    Named {
        name: "fsize",
        id: Resource::Fsize,
        bytes: true,
    },
    Named {
        name: "locks",
        id: Resource::Locks,
        bytes: false,
    },
    Named {
        name: "memlock",
        id: Resource::Memlock,
        bytes: true,
    },
    Named {
        name: "msgqueue",
        id: Resource::Msgqueue,
        bytes: true,
    },
    Named {
        name: "nice",
        id: Resource::Nice,
        bytes: false,
    },
    Named {
        name: "nofile",
        id: Resource::Nofile,
        bytes: false,
    },
    Named {
        name: "nproc",
        id: Resource::Nproc,
        bytes: false,
    },
    Named {
        name: "rss",
        id: Resource::Rss,
        bytes: true,
    },
    Named {
        name: "rtprio",
        id: Resource::Rtprio,
        bytes: false,
    },
    Named {
        name: "rttime",
        id: Resource::Rttime,
        bytes: false,
    },
    Named {
        name: "sigpending",
        id: Resource::Sigpending,
        bytes: false,
    },
    Named {
        name: "stack",
        id: Resource::Stack,
        bytes: true,
    },
];

/// One limit, ready for setrlimit(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: Resource,
    pub soft: u64,
    pub hard: u64,
}

pub fn name_of(resource: Resource) -> &'static str {
    RESOURCES
        .iter()
        .find(|r| r.id == resource)
        .map(|r| r.name)
        .unwrap_or("?")
}

/// Parse `NAME=SOFT[:HARD]`. `current` gives the limits in force now
/// (soft, hard), used for `SOFT:` and `:HARD` and to refuse raising the hard
/// limit, which an unprivileged process cannot do.
pub fn parse(arg: &str, current: impl Fn(Resource) -> (u64, u64)) -> Result<Rlimit, Error> {
    let bad = |why: String| Error::usage(format!("--rlimit {arg}: {why}"));
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected NAME=SOFT[:HARD]".into()))?;
    let res = RESOURCES.iter().find(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = RESOURCES.iter().map(|r| r.name).collect();
        bad(format!(
            "unknown limit '{name}' (one of {})",
            names.join(", ")
        ))
    })?;
    let (cur_soft, cur_hard) = current(res.id);
    let one = |s: &str| parse_value(s, res.bytes).map_err(&bad);
    let (soft, hard) = match value.split_once(':') {
        None => {
            let v = one(value)?;
            (v, v)
        }
        Some(("", "")) => return Err(bad("empty value".into())),
        Some((s, "")) => (one(s)?, cur_hard),
        Some(("", h)) => {
            let h = one(h)?;
            (cur_soft.min(h), h)
        }
        Some((s, h)) => (one(s)?, one(h)?),
    };
    if soft > hard {
        return Err(bad("soft limit above hard limit".into()));
    }
    if hard > cur_hard {
        return Err(bad(format!(
            "hard limit above the current hard limit {} (only a privileged process may raise it)",
            show(cur_hard)
        )));
    }
    Ok(Rlimit {
        resource: res.id,
        soft,
        hard,
    })
}

fn show(v: u64) -> String {
    if v == libc::RLIM_INFINITY {
        "unlimited".into()
    } else {
        v.to_string()
    }
}

/// `unlimited`, a whole number, or for byte limits a number with K, M or G.
pub(crate) fn parse_value(s: &str, bytes: bool) -> Result<u64, String> {
    if s == "unlimited" || s == "infinity" {
        return Ok(libc::RLIM_INFINITY);
    }
    let (digits, mult) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1 << 20),
        Some(b'G' | b'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    if mult != 1 && !bytes {
        return Err(format!(
            "invalid value '{s}': K/M/G suffixes are for byte limits"
        ));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "invalid value '{s}': expected a whole number or unlimited"
        ));
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(mult))
        .filter(|v| *v != libc::RLIM_INFINITY)
        .ok_or_else(|| format!("invalid value '{s}': too large"))
}

/// The limits in force for this process.
pub fn current(resource: Resource) -> (u64, u64) {
    let r = rustix::process::getrlimit(resource);
    let or_inf = |v: Option<u64>| v.unwrap_or(libc::RLIM_INFINITY);
    (or_inf(r.current), or_inf(r.maximum))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: u64 = libc::RLIM_INFINITY;

    #[test]
    fn completion_names_match() {
        let names: Vec<&str> = RESOURCES.iter().map(|r| r.name).collect();
        assert_eq!(names, crate::cli::defs::RLIMIT_NAMES);
    }

    fn p(s: &str) -> Result<Rlimit, String> {
        parse(s, |_| (1024, 4096)).map_err(|e| e.to_string())
    }

    #[test]
    fn one_value_sets_both() {
        let l = p("nofile=100").unwrap();
        assert_eq!((l.resource, l.soft, l.hard), (Resource::Nofile, 100, 100));
    }

    #[test]
    fn soft_and_hard() {
        let l = p("nofile=100:200").unwrap();
        assert_eq!((l.soft, l.hard), (100, 200));
        let l = p("nofile=100:").unwrap();
        assert_eq!((l.soft, l.hard), (100, 4096));
        let l = p("nofile=:2000").unwrap();
        assert_eq!((l.soft, l.hard), (1024, 2000));
        let l = p("nofile=:512").unwrap();
        assert_eq!((l.soft, l.hard), (512, 512));
    }

    #[test]
    fn suffixes_only_for_bytes() {
        let big = |s| parse(s, |_| (INF, INF)).map_err(|e| e.to_string());
        assert_eq!(big("fsize=1K").unwrap().soft, 1024);
        assert_eq!(big("as=2M").unwrap().soft, 2 << 20);
        assert_eq!(big("stack=1g").unwrap().soft, 1 << 30);
        assert_eq!(big("core=unlimited").unwrap().hard, INF);
        assert!(big("nofile=1K").unwrap_err().contains("byte limits"));
    }

    #[test]
    fn bad_input_names_the_flag() {
        for bad in [
            "nofile",
            "bogus=1",
            "nofile=x",
            "nofile=-1",
            "nofile=1.5",
            "nofile=",
            "nofile=:",
            "nofile=200:100",
            "nofile=99999999999999999999",
            "nofile=5000",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.starts_with("--rlimit "), "{bad}: {e}");
        }
        assert!(
            p("nofile=200:100")
                .unwrap_err()
                .contains("soft limit above hard")
        );
        assert!(p("nofile=5000").unwrap_err().contains("hard limit above"));
        assert!(p("bogus=1").unwrap_err().contains("unknown limit 'bogus'"));
    }
}
