//! The man page, rendered from the flag table. Included by build.rs, which
//! writes it to $OUT_DIR/jail.1; man/jail.1 is the committed copy. Only
//! build.rs's copy of the table has the `doc` sentences (see `FlagDef::doc`).

#![forbid(unsafe_code)]

use super::defs::{ABOUT, EXIT_STATUS, FLAGS, Section};

/// Escape text for roff: backslashes, hyphens, and a leading dot or quote.
fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            _ => out.push(c),
        }
    }
    if out.starts_with('.') || out.starts_with('\'') {
        out.insert_str(0, "\\&");
    }
    out
}

const DESCRIPTION: &str = "\
.SH DESCRIPTION
{about}
.PP
A user namespace is always created. By default the caller's uid and gid appear \
unchanged inside, and COMMAND runs with no capabilities and with no_new_privs set. \
Namespaces that are not asked for are shared with the caller.
.PP
jail stays as COMMAND's parent for its whole life: it forwards the signals sent to it, \
passes on COMMAND's exit status, and returns only when every process of the jail is gone. \
Between jail and COMMAND runs a small init: PID 1 of the new PID namespace with \
\\fB\\-\\-pid\\fR, otherwise a keeper that reaps orphans. When jail is killed, even \
with SIGKILL, every jailed process dies with it.
";

const SIGNALS: &str = "\
.SH SIGNALS
A signal sent to jail's pid (by kill, a supervisor or make) reaches COMMAND exactly once. \
A signal from the terminal (Ctrl\\-C, Ctrl\\-\\e) already reaches COMMAND's process group, \
so jail does not send it again. Ctrl\\-Z stops COMMAND and jail, and \\fBfg\\fR resumes both.
";

const SECURITY: &str = "\
.SH SECURITY
COMMAND always runs in a new user namespace, with no_new_privs set and, unless
\\fB\\-r\\fR, no capabilities; with \\fB\\-r\\fR its capabilities reach only what the
namespace owns.
A seccomp filter makes \\fBioctl\\fR(TIOCSTI) and \\fBioctl\\fR(TIOCLINUX) fail with
EPERM (comparing the low 32 bits of the request), so COMMAND cannot type into the
caller's terminal; every other terminal ioctl works.
jail's own processes beside COMMAND (the parent and the init) are not dumpable, so
COMMAND cannot read their memory, environment or executable through /proc, and none of
jail's file descriptors reaches COMMAND.
.PP
Where the kernel has Landlock ABI 6 or later, COMMAND cannot signal processes outside
the jail nor connect to abstract unix sockets made outside it
(\\fB\\-\\-share\\-ipc\\-scope\\fR turns this off).
On older kernels both stay open: without \\fB\\-\\-pid\\fR COMMAND can signal the
caller's other processes, and without \\fB\\-\\-net\\fR it can connect to the host's
abstract unix sockets (D\\-Bus, X11); \\fB\\-v\\fR says which applies.
Use \\fB\\-\\-pid \\-\\-net\\fR to close both by other means.
.PP
A read\\-only mount does not stop \\fBconnect\\fR(2). Under \\fB\\-\\-ro\\fR, COMMAND
cannot reach the caller's service sockets either (session bus, ssh\\-agent, tmux,
screen, X11, and every listening socket whose file the caller owns): jail covers them
with mounts (see \\fB\\-\\-ro\\fR), and \\fB\\-\\-rw\\fR \\fISOCKET\\fR lets one through.
Sockets the caller does not own (the system bus, a docker.sock the caller's group may
use) stay reachable; \\fB\\-\\-hide\\fR cuts them.
Landlock ABI 9 can restrict pathname sockets, but a Landlock domain that does so
forbids every mount inside the jail, so jail does not use it; \\fB\\-v\\fR says which
protection is in force.
";

const EXAMPLES: &str = "\
.SH EXAMPLES
Run the tests without network access, in their own PID namespace:
.PP
.RS
.nf
jail \\-\\-net \\-\\-pid \\-\\- make test
.fi
.RE
.PP
Protect the machine from a build script: the whole filesystem read\\-only except the
project directory, a private /tmp, no network:
.PP
.RS
.nf
jail \\-\\-ro \\-\\-rw . \\-\\-tmpfs /tmp \\-\\-net \\-\\- make
.fi
.RE
.PP
Run a shell in a root filesystem made of a static busybox:
.PP
.RS
.nf
jail \\-\\-root rootfs \\-\\-dev \\-\\-pid \\-\\- /bin/busybox sh
.fi
.RE
.PP
Run every recipe of a Makefile jailed:
.PP
.RS
.nf
SHELL := jail
\\&.SHELLFLAGS := \\-\\-net \\-\\- /bin/sh \\-c
.fi
.RE
.PP
Unpack a root filesystem with files of many owners and use it, as root inside with
your subordinate ids (see FILES):
.PP
.RS
.nf
jail \\-\\-map\\-auto \\-\\- tar \\-xpf rootfs.tar \\-C rootfs
jail \\-\\-root rootfs \\-\\-map\\-auto \\-\\-dev \\-\\- /bin/sh
.fi
.RE
.PP
Be root inside, with a hostname of your own:
.PP
.RS
.nf
jail \\-r \\-\\-hostname box \\-\\- sh
.fi
.RE
";

const TAIL: &str = "\
.SH FILES
.TP
.I /etc/subuid\\fR, \\fI/etc/subgid
The subordinate id ranges of each user, one NAME:START:COUNT or UID:START:COUNT a line,
read only with \\fB\\-\\-map\\-auto\\fR, \\fB\\-\\-map\\-users\\fR or
\\fB\\-\\-map\\-groups\\fR. As root, \\fBusermod \\-\\-add\\-subuids\\fR and
\\fB\\-\\-add\\-subgids\\fR add ranges.
.SH SEE ALSO
.BR unshare (1),
.BR bwrap (1),
.BR namespaces (7),
.BR user_namespaces (7),
.BR newuidmap (1),
.BR newgidmap (1),
.BR subuid (5),
.BR prlimit (1)
";

pub fn render() -> String {
    let mut out = String::new();
    out.push_str(&format!(
        ".TH JAIL 1 \"\" \"jail {}\" \"User Commands\"\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str(".SH NAME\njail \\- run a command in new Linux namespaces, rootless\n");
    out.push_str(".SH SYNOPSIS\n.B jail\n[\\fIOPTION\\fR]... [\\fB\\-\\-\\fR] [\\fICOMMAND\\fR [\\fIARG\\fR]...]\n");
    out.push_str(&DESCRIPTION.replace("{about}", &esc(ABOUT)));
    out.push_str(".SH OPTIONS\n");
    for section in Section::ALL {
        out.push_str(&format!(".SS {}\n", esc(section.title())));
        for def in FLAGS.iter().filter(|f| f.section == section) {
            out.push_str(".TP\n");
            let mut head = String::new();
            if let Some(c) = def.short {
                head.push_str(&format!("\\fB\\-{c}\\fR, "));
            }
            head.push_str(&format!("\\fB\\-\\-{}\\fR", esc(def.long)));
            if let Some(v) = def.value.name() {
                head.push_str(&format!(" \\fI{}\\fR", esc(v)));
            }
            out.push_str(&head);
            out.push('\n');
            let mut text = esc(def.help);
            if let Some(first) = text.get(..1) {
                text = first.to_uppercase() + &text[1..];
            }
            out.push_str(&text);
            out.push_str(".\n");
            if !def.doc.is_empty() {
                out.push_str(&esc(def.doc));
                out.push('\n');
            }
        }
    }
    out.push_str(".SH EXIT STATUS\n");
    for (code, what) in EXIT_STATUS {
        out.push_str(&format!(".TP\n.B {}\n{}.\n", esc(code), esc(what)));
    }
    out.push_str(
        ".PP\nA failure prints one line \\fBjail:\\fR \\fIwhat failed\\fR: \\fIreason\\fR \
on standard error, and at most one more line \\fBjail: hint:\\fR when the cause is known.\n",
    );
    out.push_str(SIGNALS);
    out.push_str(SECURITY);
    out.push_str(EXAMPLES);
    out.push_str(TAIL);
    out
}
