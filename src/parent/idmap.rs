//! The parent writes the child's id maps while the child waits, and explains
//! why user namespaces are refused when they are.

#![forbid(unsafe_code)]

use std::os::fd::AsRawFd;

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

use crate::error::Error;
use crate::plan::spec::Spec;

/// Write setgroups (deny), uid_map and gid_map of `pid`, in that order.
/// A subordinate map is written by newuidmap or newgidmap instead (and
/// newgidmap writes setgroups itself: "allow" for a range of /etc/subgid);
/// the two helpers run at the same time.
pub fn write_maps(pid: libc::pid_t, spec: &Spec) -> Result<(), Error> {
    let sub = spec.subids.as_ref();
    let helper_uid = sub.and_then(|s| s.uid_map.as_ref());
    let helper_gid = sub.and_then(|s| s.gid_map.as_ref());
    if helper_uid.is_none() && helper_gid.is_none() {
        return write_single(pid, spec.uid_map().as_bytes(), spec.gid_map().as_bytes())
            .map_err(|(file, errno)| proc_error(pid, file, errno));
    }
    let t = crate::sys::now_ns();
    let helpers: Vec<_> = [helper_uid, helper_gid]
        .into_iter()
        .flatten()
        .map(|m| (m, crate::parent::uidmap::spawn_helper(pid, m)))
        .collect();
    // The single-line side, while the helpers run.
    let mut result = if helper_gid.is_none() {
        write_proc(pid, "setgroups", b"deny")
            .and_then(|_| write_proc(pid, "gid_map", spec.gid_map().as_bytes()))
    } else if helper_uid.is_none() {
        write_proc(pid, "uid_map", spec.uid_map().as_bytes())
    } else {
        Ok(())
    };
    // Wait for every helper that started, then report the first failure.
    for (m, child) in helpers {
        let r = child.and_then(|c| crate::parent::uidmap::finish_helper(c, m));
        if spec.verbose {
            crate::sys::log_step(2, m.kind.helper(), t);
        }
        if result.is_ok() {
            result = r;
        }
    }
    result
}

/// What any unprivileged process may write for its child: setgroups
/// "deny", then a one-line uid map and gid map. Err: the file and errno.
pub fn write_single(
    pid: libc::pid_t,
    uid_map: &[u8],
    gid_map: &[u8],
) -> Result<(), (&'static str, Errno)> {
    for (file, data) in [
        ("setgroups", &b"deny"[..]),
        ("uid_map", uid_map),
        ("gid_map", gid_map),
    ] {
        write_raw(pid, file, data).map_err(|errno| (file, errno))?;
    }
    Ok(())
}

fn write_proc(pid: libc::pid_t, file: &str, data: &[u8]) -> Result<(), Error> {
    write_raw(pid, file, data).map_err(|errno| proc_error(pid, file, errno))
}

fn proc_error(pid: libc::pid_t, file: &str, errno: Errno) -> Error {
    let e = Error::sys(format!("write /proc/{pid}/{file}"), errno.raw_os_error());
    match errno {
        // A /proc mounted read-only (a container's, say) has a cause
        // of its own.
        Errno::ROFS => e.with_hint(Some(
            "/proc is read-only here; a jail needs it writable to set up the id maps".into(),
        )),
        // No /proc at all (a root without one): nothing to do with the
        // kernel's settings.
        Errno::NOENT if !std::path::Path::new("/proc/self").exists() => e.with_hint(Some(
            "/proc is not mounted here; a jail needs it to set up the id maps: mount /proc \
             (an outer jail with --root DIR mounts one with --pid, or with DIR/proc present)"
                .into(),
        )),
        _ => e.with_hint(Some(userns_hint(errno.raw_os_error()))),
    }
}

fn write_raw(pid: libc::pid_t, file: &str, data: &[u8]) -> Result<(), Errno> {
    let path = format!("/proc/{pid}/{file}");
    let fd = rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())?;
    crate::sys::write_all(fd.as_raw_fd(), data).map_err(Errno::from_raw_os_error)
}

/// A sysctl's value under /proc/sys, trimmed.
pub fn read_sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// A hint for a refused user namespace: the knob that is set, if any, else
/// the knobs to check.
pub fn userns_hint(errno: i32) -> String {
    format!(
        "{}; or run without namespaces: --landlock-only keeps the --ro, --rw, --hide and --net \
         rules (Landlock) but shares the PID space, hostname, IPC and UDP",
        userns_cause(errno)
    )
}

/// What refuses user namespaces here, and how to allow them.
fn userns_cause(errno: i32) -> String {
    let max = read_sysctl("/proc/sys/user/max_user_namespaces");
    // Inside a user namespace the limit may be an outer sandbox's, which
    // this process cannot see (jail's or bwrap's --disable-userns sets it
    // in a namespace above COMMAND's).
    let nested = !in_initial_user_namespace();
    if max.as_deref() == Some("0") {
        if nested {
            return "user namespaces are disabled here: user.max_user_namespaces is 0 (an outer \
                    `jail --disable-userns`, or the sysctl of an enclosing container)"
                .into();
        }
        return "user namespaces are disabled: user.max_user_namespaces is 0 \
                (raise it: sysctl -w user.max_user_namespaces=15000)"
            .into();
    }
    if read_sysctl("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return "unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone \
                is 0 (enable them: sysctl -w kernel.unprivileged_userns_clone=1)"
            .into();
    }
    if read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1")
    {
        return "AppArmor restricts unprivileged user namespaces: \
                kernel.apparmor_restrict_unprivileged_userns is 1 (set it to 0, or give jail \
                an AppArmor profile that allows userns)"
            .into();
    }
    if nested && errno == libc::ENOSPC {
        return "user namespaces are disabled here (an outer `jail --disable-userns` or \
                `bwrap --disable-userns`), or the user.max_user_namespaces limit of an \
                enclosing namespace is reached"
            .into();
    }
    if errno == libc::ENOSPC || errno == libc::EUSERS {
        return format!(
            "too many user namespaces: the limit user.max_user_namespaces ({}) is reached, \
             or namespaces are nested more than 32 deep",
            max.unwrap_or_else(|| "?".into())
        );
    }
    "check the sysctls user.max_user_namespaces and kernel.unprivileged_userns_clone and \
     AppArmor's kernel.apparmor_restrict_unprivileged_userns; inside a container, its \
     seccomp profile may refuse new namespaces"
        .into()
}

/// Whether this process is in the initial user namespace (its uid map is
/// the identity over every id). Unreadable: assume it is.
fn in_initial_user_namespace() -> bool {
    match std::fs::read_to_string("/proc/self/uid_map") {
        Ok(map) => map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"],
        Err(_) => true,
    }
}
