//! `--info-fd`: the one JSON line that tells a script which process to
//! attach to and which namespaces the jail has.

#![forbid(unsafe_code)]

use std::os::unix::fs::MetadataExt;

use crate::error::Error;
use crate::parent::supervise::Outcome;

/// What the line says.
#[derive(Debug, PartialEq, Eq)]
pub struct Info {
    /// The clone child: jail's init, or COMMAND with --as-pid-1.
    pub child_pid: libc::pid_t,
    /// COMMAND, if it still runs.
    pub command_pid: Option<libc::pid_t>,
    /// (name, inode) of each namespace jail created.
    pub namespaces: Vec<(&'static str, u64)>,
}

fn ns_inode(pid: libc::pid_t, name: &str) -> Result<u64, Error> {
    let path = format!("/proc/{pid}/ns/{name}");
    std::fs::metadata(&path).map(|m| m.ino()).map_err(|e| {
        Error::sys(
            format!("--info-fd: stat {path}"),
            e.raw_os_error().unwrap_or(0),
        )
    })
}

impl Info {
    /// Right after clone, before the "go" byte: the child is still
    /// dumpable, so its namespace links can be read. (The init makes
    /// itself non-dumpable later.)
    pub fn after_clone(pid: libc::pid_t, clone_flags: libc::c_int) -> Result<Info, Error> {
        let mut namespaces = vec![("user", ns_inode(pid, "user")?)];
        for (flag, name, _) in crate::plan::spec::NAMESPACES {
            if clone_flags & flag != 0 {
                namespaces.push((name, ns_inode(pid, name)?));
            }
        }
        Ok(Info {
            child_pid: pid,
            command_pid: None,
            namespaces,
        })
    }

    /// Once COMMAND runs: find its pid (the init's only child, or the clone
    /// child itself) and, with a time namespace, its `time` link (the init
    /// only made one for its children). `nested`: the namespaces the child
    /// made after clone (`spec::Lock`), as it reported them.
    pub fn after_exec(&mut self, has_init: bool, time_ns: bool, nested: &[(&'static str, u64)]) {
        let stored = crate::child::init::COMMAND_PID.load(std::sync::atomic::Ordering::SeqCst);
        self.command_pid = if has_init && crate::sys::SHARED_MEMORY && stored > 0 {
            Some(stored)
        } else if has_init {
            let pid = self.child_pid;
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
        } else {
            Some(self.child_pid)
        };
        for &(name, ino) in nested {
            match self.namespaces.iter_mut().find(|n| n.0 == name) {
                Some(n) => n.1 = ino,
                None => self.namespaces.push((name, ino)),
            }
        }
        if time_ns {
            // If COMMAND is already gone, the time namespace is too.
            if let Some(ino) = self.command_pid.and_then(|p| ns_inode(p, "time").ok()) {
                self.namespaces.push(("time", ino));
            }
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = format!("{{\"child-pid\": {}", self.child_pid);
        if let Some(p) = self.command_pid {
            s.push_str(&format!(", \"command-pid\": {p}"));
        }
        s.push_str(", \"namespaces\": {");
        for (i, (name, ino)) in self.namespaces.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&format!("\"{name}\": {ino}"));
        }
        s.push_str("}}\n");
        s
    }

    /// Write the line to `fd` and close it.
    pub fn write(&self, fd: i32) -> Result<(), Error> {
        let r = self.send(fd, "--info-fd");
        // The fd was given to us for this line; nothing else uses it.
        crate::sys::close(fd);
        r
    }

    /// Write the line to `fd`, the one `flag` named, and keep it open.
    pub fn send(&self, fd: i32, flag: &str) -> Result<(), Error> {
        crate::sys::write_all(fd, self.to_json().as_bytes())
            .map_err(|e| Error::sys(format!("{flag} {fd}: write"), e))
    }
}

/// `--json-status-fd`'s last line: how COMMAND ended, with bwrap's key for
/// the status a shell would show (128+N for signal N), then what bwrap
/// lacks.
pub fn exit_json(o: Outcome) -> String {
    match o {
        Outcome::Exited(code) => format!("{{\"exit-code\": {code}}}\n"),
        Outcome::Signaled(sig) => {
            format!("{{\"exit-code\": {}, \"signal\": {sig}}}\n", 128 + sig)
        }
        Outcome::TimedOut => format!(
            "{{\"exit-code\": {}, \"timed-out\": true}}\n",
            crate::error::EXIT_TIMEOUT
        ),
    }
}

/// Write the last line to `fd` and close it. COMMAND has run, so a reader
/// gone meanwhile changes nothing: jail still ends like COMMAND.
pub fn write_exit(fd: i32, o: Outcome) {
    let _ = crate::sys::write_all(fd, exit_json(o).as_bytes());
    crate::sys::close(fd);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line() {
        let mut i = Info {
            child_pid: 10,
            command_pid: Some(11),
            namespaces: vec![("user", 4026532001), ("net", 4026532002)],
        };
        assert_eq!(
            i.to_json(),
            "{\"child-pid\": 10, \"command-pid\": 11, \"namespaces\": \
             {\"user\": 4026532001, \"net\": 4026532002}}\n"
        );
        i.command_pid = None;
        i.namespaces.clear();
        assert_eq!(i.to_json(), "{\"child-pid\": 10, \"namespaces\": {}}\n");
    }

    #[test]
    fn exit_lines() {
        assert_eq!(exit_json(Outcome::Exited(3)), "{\"exit-code\": 3}\n");
        assert_eq!(
            exit_json(Outcome::Signaled(9)),
            "{\"exit-code\": 137, \"signal\": 9}\n"
        );
        assert_eq!(
            exit_json(Outcome::TimedOut),
            "{\"exit-code\": 124, \"timed-out\": true}\n"
        );
    }

    #[test]
    fn own_namespaces_are_found() {
        let me = rustix::process::getpid().as_raw_pid();
        let i = Info::after_clone(me, libc::CLONE_NEWNET).unwrap();
        let names: Vec<&str> = i.namespaces.iter().map(|n| n.0).collect();
        assert_eq!(names, ["user", "net"]);
        assert!(i.namespaces.iter().all(|n| n.1 > 0));
    }
}
