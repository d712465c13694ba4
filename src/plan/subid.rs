//! Subordinate id ranges (`--map-auto`, `--map-users`, `--map-groups`):
//! the caller's ranges in /etc/subuid and /etc/subgid, checked in the
//! parent before anything starts, and the setuid helpers newuidmap and
//! newgidmap that write such maps, run by the parent after clone(2) while
//! the child waits. Nothing here runs in the child, and nothing here runs
//! at all unless a map flag was given.

#![forbid(unsafe_code)]

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Which kind of id a map is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Uid,
    Gid,
}

impl IdKind {
    /// "uid" or "gid".
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Uid => "uid",
            IdKind::Gid => "gid",
        }
    }

    pub fn file(self) -> &'static str {
        match self {
            IdKind::Uid => "/etc/subuid",
            IdKind::Gid => "/etc/subgid",
        }
    }

    pub fn helper(self) -> &'static str {
        match self {
            IdKind::Uid => "newuidmap",
            IdKind::Gid => "newgidmap",
        }
    }

    /// The flag that gives explicit ranges of this kind.
    pub fn flag(self) -> &'static str {
        match self {
            IdKind::Uid => "--map-users",
            IdKind::Gid => "--map-groups",
        }
    }

    /// The /etc/login.defs keys bounding the ids useradd gives out as
    /// subordinate ones of this kind.
    fn login_defs_keys(self) -> (&'static str, &'static str) {
        match self {
            IdKind::Uid => ("SUB_UID_MIN", "SUB_UID_MAX"),
            IdKind::Gid => ("SUB_GID_MIN", "SUB_GID_MAX"),
        }
    }

    /// The first and last subordinate id of this kind, as `defs` (the text
    /// of /etc/login.defs) or useradd's defaults give them.
    fn limits(self, defs: &str) -> (u64, u64) {
        let (lo, hi) = self.login_defs_keys();
        (
            login_defs(defs, lo).unwrap_or(100000),
            login_defs(defs, hi).unwrap_or(600100000),
        )
    }

    /// usermod's option that adds a range of this kind.
    pub fn usermod(self) -> &'static str {
        match self {
            IdKind::Uid => "--add-subuids",
            IdKind::Gid => "--add-subgids",
        }
    }
}

/// One line of a uid_map or gid_map: ids `inner..inner+count` inside are
/// `outer..outer+count` outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub inner: u32,
    pub outer: u32,
    pub count: u32,
}

impl Range {
    fn inner_end(&self) -> u64 {
        self.inner as u64 + self.count as u64
    }
    fn outer_end(&self) -> u64 {
        self.outer as u64 + self.count as u64
    }
    pub fn maps_inner(&self, id: u32) -> bool {
        id >= self.inner && (id as u64) < self.inner_end()
    }
}

/// A map the parent writes through newuidmap or newgidmap: the caller's
/// own line first, then the subordinate ranges.
#[derive(Debug)]
pub struct HelperMap {
    pub kind: IdKind,
    pub helper: PathBuf,
    pub lines: Vec<Range>,
    /// The caller's name, for the hint when the helper fails.
    pub user: String,
}

/// The kernel takes at most this many lines in a map (since Linux 4.15).
const MAX_LINES: usize = 340;

/// Parse `IN:OUT:N` as typed after `flag`.
pub fn parse_range(flag: &str, v: &OsStr) -> Result<Range, Error> {
    let bad = |why: &str| {
        Error::usage(format!(
            "{flag}: invalid value '{}': {why}",
            v.to_string_lossy()
        ))
    };
    let s = v
        .to_str()
        .ok_or_else(|| bad("expected IN:OUT:N (three numbers)"))?;
    let nums: Vec<Option<u32>> = s.split(':').map(|p| p.parse::<u32>().ok()).collect();
    let [Some(inner), Some(outer), Some(count)] = nums[..] else {
        return Err(bad("expected IN:OUT:N (three numbers)"));
    };
    if count == 0 {
        return Err(bad("the count N must be at least 1"));
    }
    let r = Range {
        inner,
        outer,
        count,
    };
    // (u32)-1 is no id; a range must end before it.
    if r.inner_end() > u32::MAX as u64 || r.outer_end() > u32::MAX as u64 {
        return Err(bad("the range goes past id 4294967294"));
    }
    Ok(r)
}

/// The `(start, count)` ranges `/etc/subuid`-style `text` gives the user
/// `name` (if known) or `uid`, in file order.
pub fn owned_ranges(text: &str, name: Option<&str>, uid: u32) -> Vec<(u32, u32)> {
    let uid = uid.to_string();
    text.lines()
        .filter_map(|line| {
            let mut f = line.trim().split(':');
            let (owner, start, count) = (f.next()?, f.next()?, f.next()?);
            if f.next().is_some() || (owner != uid && Some(owner) != name) {
                return None;
            }
            let (start, count) = (start.parse::<u32>().ok()?, count.parse::<u32>().ok()?);
            (count > 0 && start as u64 + count as u64 <= u32::MAX as u64).then_some((start, count))
        })
        .collect()
}

/// Where a new 65536-id range would not clash with any in `text`: past
/// the last one, and at 100000 or above (as useradd picks them).
pub fn free_start(text: &str) -> u64 {
    text.lines()
        .filter_map(|line| {
            let mut f = line.trim().split(':').skip(1);
            let start = f.next()?.parse::<u64>().ok()?;
            Some(start + f.next()?.parse::<u64>().ok()?)
        })
        .fold(100000, u64::max)
}

/// The number /etc/login.defs-style `text` gives `key`.
pub fn login_defs(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let mut f = line.split_whitespace();
        if f.next()? != key {
            return None;
        }
        f.next()?.parse().ok()
    })
}

fn read_login_defs() -> String {
    std::fs::read_to_string("/etc/login.defs").unwrap_or_default()
}

/// The owner of the first line of `/etc/subuid`-style `text` that gives
/// someone other than `name`/`uid` ids in `start..start+count`.
pub fn other_owner(
    text: &str,
    name: Option<&str>,
    uid: u32,
    start: u64,
    count: u64,
) -> Option<String> {
    let uid = uid.to_string();
    text.lines().find_map(|line| {
        let mut f = line.trim().split(':');
        let owner = f.next()?;
        let s = f.next()?.parse::<u64>().ok()?;
        let c = f.next()?.parse::<u64>().ok()?;
        let mine = owner == uid || Some(owner) == name;
        (!mine && s < start + count && start < s + c).then(|| owner.to_string())
    })
}

/// Whether `owned` covers `start..start+count` (ranges may join up), as
/// newuidmap checks it.
pub fn covers(owned: &[(u32, u32)], start: u32, count: u32) -> bool {
    let end = start as u64 + count as u64;
    let mut at = start as u64;
    loop {
        let Some(next) = owned
            .iter()
            .filter(|(s, c)| (*s as u64) <= at && at < *s as u64 + *c as u64)
            .map(|(s, c)| *s as u64 + *c as u64)
            .max()
        else {
            return false;
        };
        if next >= end {
            return true;
        }
        at = next;
    }
}

/// The caller's login name (from the password database), if it has one.
pub fn user_name(uid: u32) -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)).ok()??;
    (!user.name.is_empty()).then_some(user.name)
}

/// Find `prog` in the caller's PATH (or the default one), as execvp would.
pub fn find_helper(prog: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| OsString::from(crate::plan::spec::DEFAULT_PATH));
    crate::plan::spec::search_path(path.as_bytes(), prog.as_bytes())
        .into_iter()
        .map(|p| PathBuf::from(OsStr::from_bytes(&p)))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    p.is_file() && rustix::fs::access(p, rustix::fs::Access::EXEC_OK).is_ok()
}

/// The caller, as /etc/subuid names it.
pub struct Caller {
    pub uid: u32,
    pub name: Option<String>,
}

impl Caller {
    pub fn current() -> Caller {
        let uid = rustix::process::getuid().as_raw();
        Caller {
            uid,
            name: user_name(uid),
        }
    }

    /// How messages name the caller: `alice` or `uid 1000`.
    pub fn shown(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("uid {}", self.uid),
        }
    }
}

/// The hint for giving `user` the ids `start..start+count` of `kind`
/// that a map asked for: a usermod line only where they are fit to be
/// subordinate ids, not below SUB_UID_MIN (where 0 and the system's and
/// the users' own ids are), not past SUB_UID_MAX, and in no one else's
/// range in `text` (the file's contents); else what is wrong with them.
pub fn add_hint(
    kind: IdKind,
    (name, uid): (Option<&str>, u32),
    user: &str,
    (text, defs): (&str, &str),
    (start, count): (u64, u64),
) -> String {
    let (min, max) = kind.limits(defs);
    let (min_key, max_key) = kind.login_defs_keys();
    let last = start + count - 1;
    let noun = kind.noun();
    let why = if start < min {
        format!("{noun}s below {min} are not for subordinate ranges ({min_key} in /etc/login.defs)")
    } else if last > max {
        format!("{noun}s above {max} are not for subordinate ranges ({max_key} in /etc/login.defs)")
    } else if let Some(owner) = other_owner(text, name, uid, start, count) {
        format!(
            "{noun}s {start}-{last} are in {owner}'s range in {}",
            kind.file()
        )
    } else {
        return format!(
            "as root, add one: usermod {} {start}-{last} {user}",
            kind.usermod()
        );
    };
    format!(
        "{why}; map from {user}'s own ranges, or as root give {user} a free one: usermod {} \
         FIRST-LAST {user}",
        kind.usermod()
    )
}

/// The hint for a caller without ranges: one 65536-id range, the same in
/// both files, at SUB_UID_MIN and SUB_GID_MIN or above and past every
/// range in `files` (/etc/subuid's and /etc/subgid's contents), if it
/// fits below SUB_UID_MAX and SUB_GID_MAX.
pub fn auto_hint(who: &str, user: &str, files: [&str; 2], defs: &str) -> String {
    let (umin, umax) = IdKind::Uid.limits(defs);
    let (gmin, gmax) = IdKind::Gid.limits(defs);
    let a = files
        .map(free_start)
        .into_iter()
        .fold(umin.max(gmin), u64::max);
    let b = a + 65535;
    if b <= umax.min(gmax) {
        format!(
            "as root, give {who} a range: usermod --add-subuids {a}-{b} --add-subgids {a}-{b} {user}"
        )
    } else {
        format!(
            "as root, give {who} a range no one else has: usermod --add-subuids FIRST-LAST \
             --add-subgids FIRST-LAST {user}"
        )
    }
}

/// The subordinate maps of a jail, and who COMMAND runs as in them.
#[derive(Debug)]
pub struct SubIds {
    /// Written through newuidmap (None: the caller's single line, written
    /// directly).
    pub uid_map: Option<HelperMap>,
    /// Written through newgidmap (None: setgroups deny and the caller's
    /// single line, written directly).
    pub gid_map: Option<HelperMap>,
    /// The ids COMMAND runs as (the caller is 0 inside).
    pub run_uid: u32,
    pub run_gid: u32,
    /// newgidmap allowed setgroups(2): COMMAND's supplementary groups
    /// become just its gid, instead of the caller's unmapped ones.
    pub set_groups: bool,
}

/// Check the typed ranges against the caller's, find the helpers, and
/// check that `--uid`/`--gid` (the ids COMMAND runs as) are mapped.
pub fn build(
    auto: bool,
    users: &[(String, Range)],
    groups: &[(String, Range)],
    uid: Option<u32>,
    gid: Option<u32>,
    outer: (u32, u32),
) -> Result<SubIds, Error> {
    let caller = Caller::current();
    let uid_map = build_map(
        &Wanted {
            kind: IdKind::Uid,
            auto,
            explicit: users,
            own: outer.0,
        },
        &caller,
    )?;
    let gid_map = build_map(
        &Wanted {
            kind: IdKind::Gid,
            auto,
            explicit: groups,
            own: outer.1,
        },
        &caller,
    )?;
    // `--uid N` alone: COMMAND's group is N too, when the group map has it
    // (as a user's primary group usually matches its uid).
    let gid = gid.or(uid.filter(|u| {
        gid_map
            .as_ref()
            .is_some_and(|m| m.lines.iter().any(|r| r.maps_inner(*u)))
    }));
    for (flag, kind, id, map, own) in [
        ("--uid", IdKind::Uid, uid, &uid_map, outer.0),
        ("--gid", IdKind::Gid, gid, &gid_map, outer.1),
    ] {
        let Some(id) = id else { continue };
        let single = [Range {
            inner: 0,
            outer: own,
            count: 1,
        }];
        let lines = map.as_ref().map_or(&single[..], |m| &m.lines[..]);
        if !lines.iter().any(|r| r.maps_inner(id)) {
            return Err(Error::usage(format!(
                "{flag} {id}: not mapped inside (the {} map covers {})",
                kind.noun(),
                describe_inner(lines)
            ))
            .with_hint(Some(format!(
                "with --map-auto, --map-users or --map-groups the caller is 0 inside, and \
                 {flag} picks the mapped id COMMAND runs as"
            ))));
        }
    }
    let set_groups = gid_map.is_some();
    Ok(SubIds {
        uid_map,
        gid_map,
        run_uid: uid.unwrap_or(0),
        run_gid: gid.unwrap_or(0),
        set_groups,
    })
}

/// Why a setuid helper cannot gain privilege here, if it cannot: jail
/// runs under no_new_privs, or in a user namespace other than the
/// initial one (whose uid map is the identity over all ids).
pub fn confined() -> Option<&'static str> {
    if rustix::thread::no_new_privs().unwrap_or(false) {
        return Some("under no_new_privs");
    }
    let map = std::fs::read_to_string("/proc/self/uid_map").ok()?;
    let fields: Vec<&str> = map.split_whitespace().collect();
    (fields != ["0", "0", "4294967295"]).then_some("in a user namespace")
}

/// What the user asked for on one side (uids or gids).
pub struct Wanted<'a> {
    pub kind: IdKind,
    /// `--map-auto` (used only when `explicit` is empty).
    pub auto: bool,
    /// `--map-users`/`--map-groups` ranges, with the text as typed.
    pub explicit: &'a [(String, Range)],
    /// The caller's id outside; it maps to 0 inside.
    pub own: u32,
}

/// Build and check the map of one side: the caller's id at 0, then the
/// ranges, each owned by the caller in /etc/subuid (or subgid). Reads the
/// file and finds the helper; None when the side needs no helper.
pub fn build_map(w: &Wanted, caller: &Caller) -> Result<Option<HelperMap>, Error> {
    if !w.auto && w.explicit.is_empty() {
        return Ok(None);
    }
    let kind = w.kind;
    let (flag, shown_flag) = if w.explicit.is_empty() {
        ("--map-auto", "--map-auto".to_string())
    } else {
        (kind.flag(), format!("{} {}", kind.flag(), w.explicit[0].0))
    };
    let helper = find_helper(kind.helper()).ok_or_else(|| {
        Error::usage(format!("{flag}: {}: not found in PATH", kind.helper())).with_hint(Some(
            "install the setuid helpers newuidmap and newgidmap (Debian and Ubuntu: apt-get \
             install uidmap; Fedora: dnf install shadow-utils)"
                .into(),
        ))
    })?;
    let who = caller.shown();
    let user = caller
        .name
        .clone()
        .unwrap_or_else(|| caller.uid.to_string());
    let text = match std::fs::read_to_string(kind.file()) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Error::sys(
                format!("{shown_flag}: read {}", kind.file()),
                e.raw_os_error().unwrap_or(libc::EIO),
            ));
        }
    };
    let owned = owned_ranges(&text, caller.name.as_deref(), caller.uid);
    let mut lines = vec![Range {
        inner: 0,
        outer: w.own,
        count: 1,
    }];
    if w.explicit.is_empty() {
        let Some(&(start, count)) = owned.first() else {
            return Err(Error::usage(format!(
                "--map-auto: {who} has no subordinate {}s in {}",
                kind.noun(),
                kind.file()
            ))
            .with_hint(Some(match confined() {
                Some(why) => format!(
                    "jail runs {why} (inside another jail?), where the setuid helpers gain \
                     nothing; give --map-auto to the outermost jail instead"
                ),
                None => {
                    let other = match kind {
                        IdKind::Uid => IdKind::Gid,
                        IdKind::Gid => IdKind::Uid,
                    };
                    let other = std::fs::read_to_string(other.file()).unwrap_or_default();
                    auto_hint(&who, &user, [&text, &other], &read_login_defs())
                }
            })));
        };
        let r = Range {
            inner: 1,
            outer: start,
            count: count.min(u32::MAX - 1),
        };
        if overlaps(&lines[0], &r) {
            return Err(Error::usage(format!(
                "--map-auto: {who}'s first range in {} ({start}-{}) holds {who}'s own {} {}",
                kind.file(),
                start as u64 + count as u64 - 1,
                kind.noun(),
                w.own
            )));
        }
        lines.push(r);
    } else {
        for (typed, r) in w.explicit {
            let shown = format!("{} {typed}", kind.flag());
            if r.maps_inner(0) {
                return Err(Error::usage(format!(
                    "{shown}: {} 0 inside is the caller's own (with a subordinate map you \
                     are 0 inside); start the range at 1",
                    kind.noun()
                )));
            }
            if let Some(other) = lines.iter().find(|o| overlaps(o, r)) {
                return Err(Error::usage(format!(
                    "{shown}: overlaps {} (each id inside and outside may be mapped once)",
                    if other.inner == 0 && other.count == 1 && other.outer == w.own {
                        format!("the caller's own {} {}", kind.noun(), w.own)
                    } else {
                        format!("{}:{}:{}", other.inner, other.outer, other.count)
                    }
                )));
            }
            if !covers(&owned, r.outer, r.count) {
                let mine = if owned.is_empty() {
                    format!("{who} has none")
                } else {
                    let list: Vec<String> = owned
                        .iter()
                        .map(|(s, c)| format!("{s}-{}", *s as u64 + *c as u64 - 1))
                        .collect();
                    format!("{who} has {}", list.join(", "))
                };
                let ids = if r.count == 1 {
                    format!("{} {} is", kind.noun(), r.outer)
                } else {
                    format!("{}s {}-{} are", kind.noun(), r.outer, r.outer_end() - 1)
                };
                return Err(Error::usage(format!(
                    "{shown}: {ids} not {who}'s in {} ({mine})",
                    kind.file()
                ))
                .with_hint(Some(add_hint(
                    kind,
                    (caller.name.as_deref(), caller.uid),
                    &user,
                    (&text, &read_login_defs()),
                    (r.outer as u64, r.count as u64),
                ))));
            }
            lines.push(*r);
        }
    }
    if lines.len() > MAX_LINES {
        return Err(Error::usage(format!(
            "{}: too many ranges ({}; the kernel takes {})",
            kind.flag(),
            lines.len() - 1,
            MAX_LINES - 1
        )));
    }
    Ok(Some(HelperMap {
        kind,
        helper,
        lines,
        user,
    }))
}

fn overlaps(a: &Range, b: &Range) -> bool {
    let both = |a0: u64, a1: u64, b0: u64, b1: u64| a0 < b1 && b0 < a1;
    both(a.inner as u64, a.inner_end(), b.inner as u64, b.inner_end())
        || both(a.outer as u64, a.outer_end(), b.outer as u64, b.outer_end())
}

/// The ids inside a map covers, for messages: `0, 1-65536`.
pub fn describe_inner(lines: &[Range]) -> String {
    let parts: Vec<String> = lines
        .iter()
        .map(|r| {
            if r.count == 1 {
                r.inner.to_string()
            } else {
                format!("{}-{}", r.inner, r.inner_end() - 1)
            }
        })
        .collect();
    parts.join(", ")
}

/// The helper's arguments after the pid: `IN OUT N` for every line.
pub fn helper_args(lines: &[Range]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|r| [r.inner, r.outer, r.count])
        .map(|n| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> Result<Range, String> {
        parse_range("--map-users", OsStr::new(s)).map_err(|e| e.to_string())
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(
            range("1:100000:65536").unwrap(),
            Range {
                inner: 1,
                outer: 100000,
                count: 65536
            }
        );
        for bad in [
            "",
            "1:2",
            "1:2:3:4",
            "a:1:1",
            "1:1:0",
            "-1:1:1",
            "4294967295:1:1",
        ] {
            let e = range(bad).unwrap_err();
            assert!(e.starts_with("--map-users: invalid value"), "{bad}: {e}");
        }
        assert!(range("4294967294:1:1").is_ok());
        assert!(range("4294967294:1:2").unwrap_err().contains("past"));
    }

    #[test]
    fn owned_by_name_or_uid_in_order() {
        let text = "alice:100000:65536\n# c\nbob:200000:10\n1000:300000:5\nalice:1:0\nx\n";
        assert_eq!(
            owned_ranges(text, Some("alice"), 1000),
            vec![(100000, 65536), (300000, 5)]
        );
        assert_eq!(owned_ranges(text, None, 1000), vec![(300000, 5)]);
        assert_eq!(owned_ranges(text, Some("carol"), 7), vec![]);
    }

    #[test]
    fn free_range_is_past_every_other() {
        assert_eq!(free_start(""), 100000);
        assert_eq!(free_start("a:100000:65536\nb:5:5\n"), 165536);
    }

    #[test]
    fn login_defs_numbers() {
        let defs = "# SUB_UID_MIN 5\nSUB_UID_MIN\t\t   200000\nSUB_UID_MAX x\n";
        assert_eq!(login_defs(defs, "SUB_UID_MIN"), Some(200000));
        assert_eq!(login_defs(defs, "SUB_UID_MAX"), None);
        assert_eq!(IdKind::Uid.limits(defs), (200000, 600100000));
        assert_eq!(IdKind::Gid.limits(""), (100000, 600100000));
    }

    #[test]
    fn other_users_ranges() {
        let text = "alice:100000:65536\n1000:200000:10\nbob:300000:5\n";
        let mine = |s, c| other_owner(text, Some("alice"), 1000, s, c);
        assert_eq!(mine(100000, 10), None);
        assert_eq!(mine(200005, 1), None);
        assert_eq!(mine(299999, 2).as_deref(), Some("bob"));
        assert_eq!(mine(300005, 2), None);
        assert_eq!(
            other_owner(text, Some("bob"), 7, 165535, 1).as_deref(),
            Some("alice")
        );
    }

    #[test]
    fn hints_propose_only_free_subordinate_ranges() {
        let text = "alice:100000:65536\nbob:165536:65536\n";
        let hint = |start, count| {
            add_hint(
                IdKind::Uid,
                (Some("carol"), 1002),
                "carol",
                (text, ""),
                (start, count),
            )
        };
        let free = hint(300000, 10);
        assert_eq!(
            free,
            "as root, add one: usermod --add-subuids 300000-300009 carol"
        );
        for (start, count, why) in [
            (0, 1, "uids below 100000"),
            (1000, 5, "uids below 100000"),
            (99999, 2, "uids below 100000"),
            (600100000, 2, "uids above 600100000"),
            (165530, 10, "in alice's range"),
            (200000, 1, "in bob's range"),
        ] {
            let h = hint(start, count);
            assert!(h.contains(why), "{start}:{count}: {h}");
            assert!(h.contains("usermod --add-subuids FIRST-LAST carol"), "{h}");
            assert!(!h.contains(&format!("--add-subuids {start}")), "{h}");
        }
        let h = add_hint(
            IdKind::Gid,
            (None, 1002),
            "1002",
            ("", "SUB_GID_MIN 500000\n"),
            (400000, 1),
        );
        assert!(h.starts_with("gids below 500000 are not"), "{h}");
        assert!(h.contains("SUB_GID_MIN in /etc/login.defs"), "{h}");
    }

    #[test]
    fn auto_hint_range_is_free_in_both_files() {
        let hint = |uids, gids, defs| auto_hint("carol", "carol", [uids, gids], defs);
        assert!(
            hint("", "", "").contains("--add-subuids 100000-165535 --add-subgids 100000-165535")
        );
        let h = hint("alice:100000:65536\n", "bob:165536:100\n", "");
        assert!(
            h.contains("--add-subuids 165636-231171 --add-subgids 165636-231171"),
            "{h}"
        );
        let h = hint("", "", "SUB_UID_MIN 300000\n");
        assert!(h.contains("--add-subuids 300000-365535"), "{h}");
        let h = hint("", "", "SUB_GID_MAX 150000\n");
        assert!(h.contains("FIRST-LAST"), "{h}");
    }

    #[test]
    fn coverage_joins_adjacent_ranges() {
        let owned = [(100, 10), (110, 5), (200, 1)];
        assert!(covers(&owned, 100, 10));
        assert!(covers(&owned, 105, 10));
        assert!(!covers(&owned, 105, 11));
        assert!(covers(&owned, 200, 1));
        assert!(!covers(&owned, 99, 2));
        assert!(!covers(&[], 1, 1));
    }

    #[test]
    fn overlap_inside_or_outside() {
        let a = Range {
            inner: 0,
            outer: 1000,
            count: 1,
        };
        let b = Range {
            inner: 1,
            outer: 100000,
            count: 10,
        };
        assert!(!overlaps(&a, &b));
        assert!(overlaps(
            &b,
            &Range {
                inner: 10,
                outer: 5,
                count: 1
            }
        ));
        assert!(overlaps(
            &a,
            &Range {
                inner: 50,
                outer: 1000,
                count: 1
            }
        ));
    }

    #[test]
    fn args_and_descriptions() {
        let lines = [
            Range {
                inner: 0,
                outer: 1000,
                count: 1,
            },
            Range {
                inner: 1,
                outer: 100000,
                count: 65536,
            },
        ];
        assert_eq!(
            helper_args(&lines),
            ["0", "1000", "1", "1", "100000", "65536"]
        );
        assert_eq!(describe_inner(&lines), "0, 1-65536");
    }
}
