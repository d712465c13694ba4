//! `--rlimit NAME=SOFT[:HARD]`: parsed in the parent, applied in the child.

use crate::error::Error;

/// The resource type setrlimit(2) takes differs between glibc and musl.
#[cfg(target_env = "gnu")]
pub type Res = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
pub type Res = libc::c_int;

/// A resource as prlimit(1) names it, and whether its values are bytes.
struct Resource {
    name: &'static str,
    id: Res,
    bytes: bool,
}

const RESOURCES: &[Resource] = &[
    Resource {
        name: "as",
        id: libc::RLIMIT_AS,
        bytes: true,
    },
    Resource {
        name: "core",
        id: libc::RLIMIT_CORE,
        bytes: true,
    },
    Resource {
        name: "cpu",
        id: libc::RLIMIT_CPU,
        bytes: false,
    },
    Resource {
        name: "data",
        id: libc::RLIMIT_DATA,
        bytes: true,
    },
    Resource {
        name: "fsize",
        id: libc::RLIMIT_FSIZE,
        bytes: true,
    },
    Resource {
        name: "locks",
        id: libc::RLIMIT_LOCKS,
        bytes: false,
    },
    Resource {
        name: "memlock",
        id: libc::RLIMIT_MEMLOCK,
        bytes: true,
    },
    Resource {
        name: "msgqueue",
        id: libc::RLIMIT_MSGQUEUE,
        bytes: true,
    },
    Resource {
        name: "nice",
        id: libc::RLIMIT_NICE,
        bytes: false,
    },
    Resource {
        name: "nofile",
        id: libc::RLIMIT_NOFILE,
        bytes: false,
    },
    Resource {
        name: "nproc",
        id: libc::RLIMIT_NPROC,
        bytes: false,
    },
    Resource {
        name: "rss",
        id: libc::RLIMIT_RSS,
        bytes: true,
    },
    Resource {
        name: "rtprio",
        id: libc::RLIMIT_RTPRIO,
        bytes: false,
    },
    Resource {
        name: "rttime",
        id: libc::RLIMIT_RTTIME,
        bytes: false,
    },
    Resource {
        name: "sigpending",
        id: libc::RLIMIT_SIGPENDING,
        bytes: false,
    },
    Resource {
        name: "stack",
        id: libc::RLIMIT_STACK,
        bytes: true,
    },
];

/// One limit, ready for setrlimit(2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: Res,
    pub soft: u64,
    pub hard: u64,
}

pub fn name_of(resource: Res) -> &'static str {
    RESOURCES
        .iter()
        .find(|r| r.id == resource)
        .map(|r| r.name)
        .unwrap_or("?")
}

/// Parse `NAME=SOFT[:HARD]`. `current` gives the limits in force now
/// (soft, hard), used for `SOFT:` and `:HARD` and to refuse raising the hard
/// limit, which an unprivileged process cannot do.
pub fn parse(arg: &str, current: impl Fn(Res) -> (u64, u64)) -> Result<Rlimit, Error> {
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
fn parse_value(s: &str, bytes: bool) -> Result<u64, String> {
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
pub fn current(resource: Res) -> (u64, u64) {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: r is a valid, writable rlimit.
    if unsafe { libc::getrlimit(resource, &mut r) } != 0 {
        return (libc::RLIM_INFINITY, libc::RLIM_INFINITY);
    }
    (r.rlim_cur, r.rlim_max)
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
        assert_eq!(
            (l.resource, l.soft, l.hard),
            (libc::RLIMIT_NOFILE, 100, 100)
        );
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
