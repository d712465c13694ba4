//! The parent writes the child's id maps while the child waits, and explains
//! why user namespaces are refused when they are.

use crate::error::Error;
use crate::spec::Spec;

/// Write setgroups (deny), uid_map and gid_map of `pid`, in that order.
pub fn write_maps(pid: libc::pid_t, spec: &Spec) -> Result<(), Error> {
    write_proc(pid, "setgroups", b"deny")?;
    write_proc(pid, "uid_map", spec.uid_map().as_bytes())?;
    write_proc(pid, "gid_map", spec.gid_map().as_bytes())?;
    Ok(())
}

fn write_proc(pid: libc::pid_t, file: &str, data: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let path = format!("/proc/{pid}/{file}");
    let res = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|mut f| f.write_all(data));
    res.map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(libc::EIO);
        Error::sys(format!("write {path}"), errno).with_hint(Some(userns_hint(errno)))
    })
}

fn read_sysctl(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// A hint for a refused user namespace: the knob that is set, if any, else
/// the knobs to check.
pub fn userns_hint(errno: i32) -> String {
    let max = read_sysctl("/proc/sys/user/max_user_namespaces");
    if max.as_deref() == Some("0") {
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
