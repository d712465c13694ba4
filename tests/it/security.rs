//! Attack tests for the security floor. Each test replays a known attack on
//! sandboxes and fails if the protection against it is removed; where it can,
//! it first shows (a positive control) that the same attack works without
//! jail's protection, so a pass means something.
//!
//! | test | attack | source |
//! |---|---|---|
//! | `tiocsti_cannot_push_input_into_the_terminal` | a jailed process pushes characters into the caller's terminal with `ioctl(TIOCSTI)`; they run once the jail exits | CVE-2017-5226 (bubblewrap) |
//! | `tiocsti_with_high_request_bits_is_refused` | the same ioctl with bit 32 set in the request, which the kernel truncates away but a 64-bit seccomp compare misses | CVE-2019-10063 (flatpak) |
//! | `tioclinux_is_refused_and_other_tty_ioctls_work` | `ioctl(TIOCLINUX)` (console paste); the filter must not break ordinary terminal use | DESIGN "Security floor"; issue 4 |
//! | `seccomp_filter_is_on_under_every_combination` | some option combination starting COMMAND without the filter | issue 4 |
//! | `landlock_scope_blocks_signals_to_the_callers_processes` | without `--pid`, a jailed process kills the caller's other processes (same uid) | issue 4; Landlock `LANDLOCK_SCOPE_SIGNAL` |
//! | `landlock_scope_blocks_host_abstract_unix_sockets` | without `--net`, a jailed process connects to the host's abstract unix sockets (D-Bus, X11...) | issue 4; Landlock `LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET` |
//! | `parent_and_init_are_not_dumpable` | reading or overwriting the runtime through `/proc/PID/{exe,environ,mem,fd}` of the jail processes beside COMMAND | CVE-2019-5736 (runc) |
//! | `no_jail_fd_reaches_command` | a leaked internal or inherited fd reaching COMMAND, under many option combinations | CVE-2024-21626 (runc) class; issue 4 |
//! | `inherited_dir_fd_does_not_reach_a_root_jail` | an inherited directory fd on the host `/` reachable inside a `--root` jail through `/proc/self/fd/N` | CVE-2024-21626 (runc) |
//! | `chdir_through_an_inherited_fd_does_not_escape_the_root` | the working directory set through `/proc/self/fd/N` of a leaked fd, landing outside the new root (runc's exact bug) | CVE-2024-21626 (runc) |
//! | `setuid_binaries_gain_nothing` | a setuid-root binary run inside gaining euid 0 on the host | issue 4; no_new_privs |
//! | `map_root_capabilities_stay_inside` | `-r` capabilities used on host objects: hostname, mounts, sysctls | issue 4 |
//! | `map_root_cannot_load_kernel_modules` | `-r` capabilities used to load a kernel module | issue 4 |
//! | `parent_killed_before_pdeathsig_is_armed_runs_nothing` | the jail parent dies before the child arms PDEATHSIG, leaving an unsupervised jail running COMMAND | issue 4 (contract: JAIL_TEST_PAUSE_CHILD_MS) |
//! | `bad_values_cannot_forge_error_lines` | a value echoed raw in an error message forges extra `jail: ` lines or sends terminal escape sequences to the caller's terminal | contract ("stderr is exactly one line") |
//! | `planted_proc_children_cannot_aim_the_keeper` | without `--pid`, a `-r` COMMAND mounts a tmpfs over `/proc` and plants a `children` list naming an outside process, which the keeper, outside Landlock, then SIGKILLs when COMMAND exits | review of the keeper's /proc walk |
//! | `root_inside_cannot_undo_the_view` | with `-r` or `--map-auto` COMMAND holds CAP_SYS_ADMIN over the mount namespace jail built: it remounts `/` read-write (`mount -o remount,rw,bind`), clears the read-only flag with `mount_setattr`, unmounts or moves a `--hide`, `--tmpfs` or the fresh `/proc`, and remounts a `--ro-bind` writable; the same for a `--ro-file` and a read-only `--empty-root` | issue 11 (locked mounts); issue 14 |
//! | `root_inside_still_mounts_its_own_and_nests` | the locking breaks what `-r` is for: its own tmpfs on a fresh path, and a jail inside the jail | issue 11 |
//! | `ro_cuts_the_callers_service_sockets` | under `--ro`, COMMAND connects to the caller's service sockets (a session bus in the runtime dir, an ssh-agent and a session bus served from another network namespace and named only by the environment, a gpg-agent-like socket elsewhere): a read-only mount does not stop connect(2) | issue 6 |
//! | `ro_stops_the_tmux_attack` | from the hermetic recipe, `tmux -S $XDG_RUNTIME_DIR/tmux new-window -d CMD` runs CMD outside the jail | issue 6 |
//! | `random_command_lines_never_panic` | malformed command lines crash the parser or the spec builder | issue 4 (fuzzing; see also fuzz/) |
//! | `stdin_directory_cannot_write_outside_the_view` | `--stdin DIR` hands COMMAND a host directory fd; `echo > /proc/self/fd/0/x` writes outside `--ro` and `--root` | issue 11, item 4 |
//! | `stdout_and_stderr_cannot_be_directories_and_nothing_is_created` | `--stdout`/`--stderr` naming a directory; a refused jail leaving a `--stdout` file it created behind | issue 11, item 4 |
//! | `inherited_directory_stdio_is_refused` | `jail --ro -- sh < DIR`: the caller's own fd 0 (or 1) is a directory, written through `/proc/self/fd/0/` | issue 11, item 4 |
//! | `keep_fd_of_a_directory_is_refused` | `--keep-fd N` of a directory fd (plain or O_PATH), written through around `--ro` and `--hide` | issue 11, item 4; CVE-2024-21626 (runc) class |
//! | `stdin_file_cannot_be_reopened_for_writing` | `--stdin FILE` of a file the caller may write: `echo pwned > /proc/self/fd/0` reopens it for writing on the caller's mount, around `--ro` and outside `--root`; root inside clears the read-only flag on the mount under fd 0 (or a clone of it) | issue 11 (bwrap is the same) |
//! | `stdin_file_replaced_while_jail_starts_is_refused` | FILE renamed over between the parent's open of `--stdin FILE` and the child's read-only reopen: COMMAND would get another file (and one the caller never opened) | issue 11 (contract: JAIL_TEST_PAUSE_CHILD_MS) |
//! | `command_cannot_reach_the_callers_session_keyring` | COMMAND reads and overwrites the caller's keys through the session keyring it inherited (`keyctl print ID`, `keyctl update ID`, `add_key` into `@s`); also with `--map-auto` in subids.rs | issue 11, item 5 (bwrap is the same; runc gives each container a new session keyring) |
//! | `keyctl_refused_around_jail` | a filter refusing only the session-keyring join must stop jail, not leave COMMAND the caller's keyring (while one refusing all of keyctl must not stop it) | issue 11, item 5 |
//! | `hermetic_recipe_cannot_touch_the_callers_sysv_ipc` | under `--ro --rw . --tmpfs /tmp --net --pid`, COMMAND finds and removes (`ipcrm`) the caller's SysV shared memory, message queues and semaphores | issue 11, item 8 |
//! | `hermetic_recipe_cannot_touch_the_callers_posix_mqueues` | the same recipe opens and unlinks the caller's POSIX message queue | issue 11, item 8 |
//! | `ipc_keeps_posix_shared_memory_in_the_jail` | under `--ipc` (`--all`, `-r --ipc`, the hermetic recipe), COMMAND reads the caller's POSIX shared memory in `/dev/shm`, and a shm object it creates (`shm_open`, never unlinked, as by a killed program) shows on the host while it runs and stays there after the jail | issue 17, items 1 and 2 |
//! | `init_and_keeper_keep_no_capabilities` | COMMAND (or whoever gets into jail's PID 1 or keeper) uses the full capability set those processes kept after starting COMMAND | issue 11, item 7; DESIGN "Threat model" |
//! | `init_without_capabilities_still_supervises` | a COMMAND tree (under another mapped uid too) that the capability-less init can no longer time out, clean up or signal | issue 11, item 7 |
//! | `nothing_outlives_jail_when_the_keeper_is_killed` | without `--pid`, COMMAND (or anyone) SIGKILLs the keeper, so that what COMMAND started (`setsid`, double fork, a subreaper COMMAND without a parent-death signal) is orphaned to the system's init and outlives jail; the cleanup must spare the caller's own children | issue 11, item 9; DESIGN "Threat model" |
//! | `root_image_symlinks_cannot_aim_mount_points_outside_the_root` | a `--root` image whose `etc` (or `dev`) is an absolute symlink to the caller's files, or a relative one climbing out (`up -> ..`), makes `--bind`, `--ro-bind`, `--tmpfs` or `--dev` create a mount point on the host | issue 11, item 2 |
//! | `symlinks_left_in_a_rw_dir_cannot_aim_later_mount_points` | symlinks an earlier jailed run left in its `--rw` directory make a later run create files or directories outside it, despite `--ro` | issue 11, item 2 |
//! | `another_users_symlink_in_tmp_cannot_aim_a_mount_point` | another user's symlink in a sticky world-writable directory makes `--tmpfs /tmp/x/d` (or a bind) create a directory in the victim's home | issue 11, item 2 |
//! | `symlink_planted_after_the_parent_checked_is_refused_by_the_child` | the same symlinks planted after jail checked the destination, while its child waits (TOCTOU) | issue 11, item 2 (contract: JAIL_TEST_PAUSE_CHILD_MS) |
//! | `mounts_onto_existing_symlinks_land_on_their_targets_inside_the_root` | a bind onto an existing symlink (to a directory, to a file) in a `--root` fails, or covers the link instead of its target | bubblewrap's tests; issue 11, item 2 |
//! | `hide_and_rw_through_a_symlink_stay_inside_the_root` | `--hide /s` or `--rw /s` with `/s` an absolute symlink in a `--root` image acts on the host's path: the image's directory stays visible, or read-only | issue 11, item 2 |
//! | `hide_tmpfs_and_binds_win_over_rw_in_every_order` | `--ro --hide W --rw W` shows W and lets COMMAND write to the host (likewise `--tmpfs W` or `--bind X:W` before `--rw W`): a `--hide`, `--tmpfs` or `--bind` at or beneath W must win over `--rw W` in every order | issue 11, item 3 |
//! | `command_cannot_reach_the_callers_user_keyring_by_id` | key ids are global and COMMAND runs as the caller's uid: it links the caller's `@u`/`@us` (every user permission) into its own session keyring by id, then reads and updates the caller's keys and plants one in `@u`; also with `--map-auto` in subids.rs | issue 11 (Docker, podman and flatpak refuse keyctl, add_key and request_key) |
//! | `symlinks_in_a_bound_dir_cannot_aim_what_empty_root_or_a_tmpfs_makes` | a directory bound into an `--empty-root` (or a `--tmpfs`) holds an absolute symlink to the caller's files and a relative one climbing out (`up -> ..`); a `--tmpfs`, `--bind`, `--dir`, `--file` or `--symlink` destination through them (or through a symlink jail itself made) creates on the host | issue 14, items 1 and 2 |
//! | `empty_root_leaves_nothing_on_the_host` | `--empty-root` destinations named like the caller's writable paths (binds, tmpfs, `--dev`, `--dir`, `--file`, `--ro-file`, `--symlink`), and COMMAND's writes to `/`, show on the host during or after the jail | issue 14, item 1 |
//! | `symlinks_planted_in_a_kept_layer_cannot_aim_its_writes` | an earlier jailed run that could write DIR replaces DIR/upper (or DIR/work) of `--overlay PATH:DIR` with a symlink to the caller's files (absolute, or climbing out with `..`); the next run's writes to PATH land there | issue 14, item 3; DESIGN "Threat model" |
//! | `root_inside_cannot_undo_disable_userns` | with `--disable-userns`, root inside (`-r`, `--map-auto`) raises `user.max_user_namespaces` again (`echo 10 > /proc/sys/user/max_user_namespaces`), then creates a user namespace (`unshare -U`, a jail or bwrap inside) and with it a full capability set | issue 14, item 5 (bwrap tests/test-run.sh:157-158, 165-166) |
//! | `seccomp_fd_program_cannot_lift_jails_filter` | a `--seccomp FD` program that allows (or only logs) every call, given in the hope that it replaces jail's filter: TIOCSTI into the terminal, keyctl to the caller's keyrings | issue 14, item 6 (bwrap installs its own filter and the user's the same way) |
//! | `tcp_port_rules_cannot_be_bypassed` | under `--landlock-only --net`, `--connect-tcp P` or `--bind-tcp P`, COMMAND reaches a TCP port the rules deny (a dev database on 127.0.0.1) over an MPTCP socket (which falls back to plain TCP), with `sendto(MSG_FASTOPEN)` (TCP Fast Open connects without connect(2)), or through io_uring (whose socket and send operations pass seccomp); Landlock checks only bind(2) and connect(2) on TCP sockets | review of issue 15, items 1 and 4 |
//! | `landlock_only_keeps_ptrace_of_the_callers_processes_out` | `--landlock-only --share-ipc-scope` (no other rule) creates no Landlock domain, and without a user namespace nothing else stops COMMAND from `ptrace`-attaching the caller's other processes or writing their `/proc/PID/mem` (code run outside the jail) | review of issue 15, item 1 |

use crate::common::*;
use crate::{need, skip};

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Helpers.

/// A name no other test (or test run) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `jail ARGS -- sh -c SCRIPT`, run to completion.
fn jail_sh(args: &[&str], script: &str) -> std::process::Output {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--", "sh", "-c", script]);
    jail_run(&a)
}

/// A command for a program run outside any jail as the suite's test user
/// (uid 65534 when the suite runs as root).
fn as_user(prog: &str) -> Command {
    let mut c = Command::new(prog);
    c.current_dir("/tmp");
    c.env_clear();
    c.env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    c.env("LC_ALL", "C");
    if is_root() {
        c.uid(NOBODY).gid(NOBODY);
    }
    c
}

/// The kernel's Landlock ABI version (0: none).
fn landlock_abi() -> i64 {
    // SAFETY: the version query (flags = 1) takes no memory.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            1u32,
        )
    };
    v.max(0)
}

/// A child process killed and reaped when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Make `fd` (opened close-on-exec by the test) appear as `target` without
/// close-on-exec in the spawned process, as an fd the caller leaked.
fn inherit_fd(cmd: &mut Command, fd: i32, target: i32) {
    // SAFETY: dup2 is async-signal-safe; fd stays open in the parent until
    // the spawn returns.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto itself keeps close-on-exec: clear it instead.
            let r = if fd == target {
                libc::fcntl(fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, target)
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Open `path` with `flags | O_CLOEXEC` (so that parallel tests' children do
/// not inherit it).
fn open_cloexec(path: &str, flags: i32) -> OwnedFd {
    let c = std::ffi::CString::new(path).unwrap();
    // SAFETY: c is NUL-terminated.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC) };
    assert!(fd >= 0, "open {path}: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh fd we own.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// The numbers `ls /proc/$$/fd` printed, sorted.
fn fd_list(text: &str) -> Vec<i32> {
    let mut v: Vec<i32> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    v.sort_unstable();
    v
}

/// A busybox root filesystem: DIR/bin/busybox, empty DIR/proc and DIR/dev.
fn busybox_root(tmp: &TempDir) -> std::path::PathBuf {
    let root = tmp.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("proc")).unwrap();
    std::fs::create_dir_all(root.join("dev")).unwrap();
    let bb = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("busybox"))
        .find(|p| p.is_file())
        .expect("busybox");
    std::fs::copy(&bb, root.join("bin/busybox")).unwrap();
    std::fs::set_permissions(
        root.join("bin/busybox"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    for d in [
        &root,
        &root.join("bin"),
        &root.join("proc"),
        &root.join("dev"),
    ] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    root
}

/// Option combinations the fd and seccomp checks run under.
const COMBOS: &[&[&str]] = &[
    &[],
    &["--pid"],
    &["--as-pid-1"],
    &["--net"],
    &["-r"],
    &["--uid", "1000", "--gid", "1000"],
    &["--ro"],
    &["--dev"],
    &["--tmpfs", "/tmp"],
    &["--mount", "--uts", "--ipc", "--cgroup"],
    &["--all"],
    &["--new-session"],
    &["--share-ipc-scope"],
    &["-r", "--pid", "--net", "--ro", "--dev", "--tmpfs", "/tmp"],
];

// ---------------------------------------------------------------------------
// A real pseudo-terminal, kept open across several processes, so that what
// one process pushes into its input queue can be read by the next.

struct Pty {
    master: File,
    /// Held open by the test so the terminal (and its input queue) outlives
    /// every process that uses it.
    slave: OwnedFd,
}

const ROWS: u16 = 24;
const COLS: u16 = 200;

impl Pty {
    fn open() -> Pty {
        // The test user must be able to use the terminal (open_pty sees to it).
        let (master, slave) = open_pty(ROWS, COLS);
        Pty {
            master: File::from(master),
            slave,
        }
    }

    /// Type `bytes` on the terminal's keyboard.
    fn type_in(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
    }

    /// Run `cmd` with the terminal as stdin, stdout and stderr (and, with
    /// `ctty`, as its controlling terminal in a new session) to the end;
    /// returns its status and everything the terminal showed meanwhile.
    fn run(&mut self, mut cmd: Command, ctty: bool) -> (ExitStatus, String) {
        for fd in 0..3 {
            let s = Stdio::from(self.slave.try_clone().unwrap());
            match fd {
                0 => cmd.stdin(s),
                1 => cmd.stdout(s),
                _ => cmd.stderr(s),
            };
        }
        if ctty {
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = Reaped(cmd.spawn().expect("spawn on the pty"));
        let start = Instant::now();
        let mut out = Vec::new();
        let mut exited: Option<ExitStatus> = None;
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out; terminal showed {:?}",
                String::from_utf8_lossy(&out)
            );
            let mut pfd = libc::pollfd {
                fd: self.master.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, 100) };
            if n > 0 {
                let mut buf = [0u8; 4096];
                if let Ok(k) = self.master.read(&mut buf) {
                    out.extend_from_slice(&buf[..k]);
                    continue;
                }
            }
            // Nothing to read for 100 ms: done once the process has exited.
            if let Some(st) = exited {
                return (st, String::from_utf8_lossy(&out).into_owned());
            }
            exited = child.0.try_wait().unwrap();
        }
    }
}

/// Python run on the terminal: mode `sti` pushes each character of MARK with
/// `ioctl(0, TIOCSTI)`, mode `sti64` does the same with bit 32 of the
/// request set (raw syscall, as in CVE-2019-10063), mode `other` tries
/// TIOCLINUX and ordinary terminal ioctls. Prints errno names, never MARK.
const TTY_PY: &str = r#"
import sys, os, errno, fcntl, termios, struct, ctypes
mode, mark = sys.argv[1], sys.argv[2]
def en(e): return errno.errorcode.get(e, str(e))
try:
    os.close(os.open('/dev/tty', os.O_RDWR)); print('CTTY yes')
except OSError as e:
    print('CTTY', en(e.errno))
libc = ctypes.CDLL(None, use_errno=True)
def raw_ioctl(req, arg):
    buf = ctypes.create_string_buffer(arg)
    r = libc.syscall(ctypes.c_long(16), ctypes.c_long(0), ctypes.c_ulong(req), buf)
    return 'OK' if r == 0 else en(ctypes.get_errno())
if mode == 'sti':
    res = 'OK'
    for ch in mark:
        try:
            fcntl.ioctl(0, termios.TIOCSTI, ch.encode())
        except OSError as e:
            res = en(e.errno)
    print('STI', res)
elif mode == 'sti64':
    res = 'OK'
    for ch in mark:
        r = raw_ioctl(termios.TIOCSTI | (1 << 32), ch.encode())
        if r != 'OK':
            res = r
    print('STI64', res)
else:
    try:
        fcntl.ioctl(0, 0x541C, b'\x07')
        print('LINUX OK')
    except OSError as e:
        print('LINUX', en(e.errno))
    print('LINUX64', raw_ioctl(0x541C | (1 << 32), b'\x07'))
    ws = struct.unpack('HHHH', fcntl.ioctl(0, termios.TIOCGWINSZ, b'\0' * 8))
    print('WINSZ %dx%d' % (ws[0], ws[1]))
    a = termios.tcgetattr(0)
    termios.tcsetattr(0, termios.TCSANOW, a)
    print('TCSETATTR ok')
"#;

/// Python that reads whatever sits in the terminal's input queue (switching
/// to non-canonical mode so a partial line counts) and prints it as hex.
const READBACK_PY: &str = r#"
import os, termios, select
a = termios.tcgetattr(0)
a[3] &= ~(termios.ICANON | termios.ECHO)
a[6][termios.VMIN] = 0
a[6][termios.VTIME] = 0
termios.tcsetattr(0, termios.TCSANOW, a)
got = b''
while select.select([0], [], [], 0.5)[0]:
    d = os.read(0, 4096)
    if not d:
        break
    got += d
print('READBACK', got.hex())
"#;

/// What READBACK_PY found in the input queue.
fn read_back(pty: &mut Pty) -> String {
    let mut c = as_user("python3");
    c.args(["-c", READBACK_PY]);
    let (st, out) = pty.run(c, false);
    assert!(st.success(), "readback failed: {out}");
    let hex = out
        .split("READBACK ")
        .nth(1)
        .map(|s| s.split_whitespace().next().unwrap_or(""))
        .unwrap_or_else(|| panic!("no readback line in {out:?}"))
        .to_string();
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether the kernel lets an unprivileged process push input into its own
/// controlling terminal (false with dev.tty.legacy_tiocsti = 0).
fn legacy_tiocsti() -> bool {
    std::fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti")
        .map(|s| s.trim() == "1")
        .unwrap_or(true)
}

/// Run TTY_PY in MODE with MARK: once without jail (the control), once in
/// `jail ARGS`, each on its own terminal; after each, read back the input
/// queue. Returns (control output, control readback, jail output, jail
/// readback).
fn tty_attack(mode: &str, mark: &str, args: &[&str]) -> (String, String, String, String) {
    let mut ctl_pty = Pty::open();
    let mut c = as_user("python3");
    c.args(["-c", TTY_PY, mode, mark]);
    let (st, ctl_out) = ctl_pty.run(c, true);
    assert!(st.success(), "control run failed: {ctl_out}");
    let ctl_back = read_back(&mut ctl_pty);

    let mut pty = Pty::open();
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--", "python3", "-c", TTY_PY, mode, mark]);
    let (st, out) = pty.run(jail(&a), true);
    assert!(st.success(), "jail {a:?} failed: {out}");
    // Something typed after the jail exited, to prove the read-back works
    // on this very terminal.
    pty.type_in(b"typed");
    let back = read_back(&mut pty);
    (ctl_out, ctl_back, out, back)
}

// ---------------------------------------------------------------------------
// 1. TIOCSTI (CVE-2017-5226).

#[test]
fn tiocsti_cannot_push_input_into_the_terminal() {
    need!("python3");
    for args in [&[][..], &["-r"], &["--pid"]] {
        let mark = unique("injected").replace('-', "q");
        let (ctl_out, ctl_back, out, back) = tty_attack("sti", &mark, args);
        assert!(ctl_out.contains("CTTY yes"), "control: {ctl_out}");
        if legacy_tiocsti() {
            // Without jail the attack works: the marker lands in the queue.
            assert!(ctl_out.contains("STI OK"), "control: {ctl_out}");
            assert!(ctl_back.contains(&mark), "control readback {ctl_back:?}");
        }
        // The terminal is COMMAND's controlling terminal, so EPERM comes
        // from the filter, not from the kernel's own ctty check.
        assert!(out.contains("CTTY yes"), "jail {args:?}: {out}");
        assert!(out.contains("STI EPERM"), "jail {args:?}: {out}");
        assert!(!out.contains(&mark), "marker echoed: {out}");
        assert!(back.contains("typed"), "readback broken: {back:?}");
        assert!(!back.contains(&mark), "marker injected: {back:?}");
        assert!(
            !mark
                .chars()
                .any(|c| back.contains(c) && !"typed".contains(c)),
            "some injected characters reached the terminal: {back:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// 2. TIOCSTI with high bits set (CVE-2019-10063).

#[test]
fn tiocsti_with_high_request_bits_is_refused() {
    need!("python3");
    let mark = unique("highbits").replace('-', "q");
    let (ctl_out, ctl_back, out, back) = tty_attack("sti64", &mark, &[]);
    if legacy_tiocsti() {
        // The kernel truncates the request: without jail this is TIOCSTI.
        assert!(ctl_out.contains("STI64 OK"), "control: {ctl_out}");
        assert!(ctl_back.contains(&mark), "control readback {ctl_back:?}");
    }
    assert!(out.contains("CTTY yes"), "{out}");
    assert!(out.contains("STI64 EPERM"), "{out}");
    assert!(back.contains("typed"), "readback broken: {back:?}");
    assert!(!back.contains(&mark), "marker injected: {back:?}");
}

// ---------------------------------------------------------------------------
// TIOCLINUX refused; the filter does not break terminal programs.

#[test]
fn tioclinux_is_refused_and_other_tty_ioctls_work() {
    need!("python3");
    let (ctl_out, _, out, _) = tty_attack("other", "x", &[]);
    // On a pty the kernel itself answers TIOCLINUX with ENOTTY/EINVAL; only
    // the filter answers EPERM to the terminal's own session.
    assert!(!ctl_out.contains("LINUX EPERM"), "control: {ctl_out}");
    assert!(out.contains("LINUX EPERM"), "{out}");
    assert!(out.contains("LINUX64 EPERM"), "{out}");
    assert!(out.contains(&format!("WINSZ {ROWS}x{COLS}")), "{out}");
    assert!(out.contains("TCSETATTR ok"), "{out}");
}

// ---------------------------------------------------------------------------
// 3. The filter is always on.

#[test]
fn seccomp_filter_is_on_under_every_combination() {
    for args in COMBOS {
        let out = ok(&jail_sh(
            args,
            "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status",
        ));
        let mode = out
            .lines()
            .find_map(|l| l.strip_prefix("Seccomp:"))
            .map(str::trim);
        assert_eq!(mode, Some("2"), "jail {args:?}: {out}");
        let nnp = out
            .lines()
            .find_map(|l| l.strip_prefix("NoNewPrivs:"))
            .map(str::trim);
        assert_eq!(nnp, Some("1"), "jail {args:?}: {out}");
    }
    // The test process itself is not filtered: the check can tell.
    let me = std::fs::read_to_string("/proc/self/status").unwrap();
    assert!(!me.contains("Seccomp:\t2"), "the test runs under seccomp");
}

// ---------------------------------------------------------------------------
// 4. Landlock signal scope.

#[test]
fn landlock_scope_blocks_signals_to_the_callers_processes() {
    let abi = landlock_abi();
    if abi < 6 {
        skip!("Landlock ABI {abi} < 6: no signal scope on this kernel");
    }
    // A process of the caller's, same uid as the jail.
    let mut c = as_user("sleep");
    c.arg("60").stdin(Stdio::null());
    let mut target = Reaped(c.spawn().unwrap());
    let pid = target.0.id();
    let script = format!(
        "kill -0 {pid} && echo PROBE-SENT || echo PROBE-DENIED; \
         kill -TERM {pid} && echo TERM-SENT || echo TERM-DENIED; \
         sleep 30 & kill $! && echo OWN-SENT"
    );
    for args in [&[][..], &["-r"], &["--net"], &["--uid", "0"]] {
        let out = ok(&jail_sh(args, &script));
        assert!(out.contains("PROBE-DENIED"), "jail {args:?}: {out}");
        assert!(out.contains("TERM-DENIED"), "jail {args:?}: {out}");
        // Signals inside the jail still work.
        assert!(out.contains("OWN-SENT"), "jail {args:?}: {out}");
        assert!(
            target.0.try_wait().unwrap().is_none(),
            "jail {args:?} killed the caller's process"
        );
    }
    // The opt-out: the same probe reaches the process.
    let out = ok(&jail_sh(
        &["--share-ipc-scope"],
        &format!("kill -0 {pid} && echo PROBE-SENT || echo PROBE-DENIED"),
    ));
    assert!(out.contains("PROBE-SENT"), "--share-ipc-scope: {out}");
}

// ---------------------------------------------------------------------------
// 5. Landlock abstract unix socket scope.

#[test]
fn landlock_scope_blocks_host_abstract_unix_sockets() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixListener};
    need!("python3");
    let abi = landlock_abi();
    if abi < 6 {
        skip!("Landlock ABI {abi} < 6: no abstract socket scope on this kernel");
    }
    // Abstract sockets have no owner or permission bits: the listener's uid
    // does not matter, only which Landlock domain created it (none here).
    let name = unique("jail-test");
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _listener = UnixListener::bind_addr(&addr).unwrap();
    let inner = unique("jail-inner");
    let py = format!(
        r#"
import socket, errno
def en(e): return errno.errorcode.get(e, str(e))
s = socket.socket(socket.AF_UNIX)
try:
    s.connect('\0{name}'); print('HOST CONNECTED')
except OSError as e:
    print('HOST', en(e.errno))
l = socket.socket(socket.AF_UNIX); l.bind('\0{inner}'); l.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect('\0{inner}'); print('INNER CONNECTED')
"#
    );
    for args in [&[][..], &["-r"], &["--pid"], &["--uid", "0"]] {
        let mut a = args.to_vec();
        a.extend(["--", "python3", "-c", &py]);
        let out = ok(&jail_run(&a));
        assert!(out.contains("HOST EPERM"), "jail {args:?}: {out}");
        // Sockets made inside the jail keep working.
        assert!(out.contains("INNER CONNECTED"), "jail {args:?}: {out}");
    }
    let out = ok(&jail_run(&[
        "--share-ipc-scope",
        "--",
        "python3",
        "-c",
        &py,
    ]));
    assert!(out.contains("HOST CONNECTED"), "--share-ipc-scope: {out}");
}

// ---------------------------------------------------------------------------
// 6. The parent and the init are not dumpable (runc CVE-2019-5736 and other
// /proc attacks on the runtime).

/// Shell that probes /proc/P of each pid in $TARGETS and prints what worked.
const PROBE_SH: &str = r#"
probe() {
  readlink /proc/$1/exe >/dev/null 2>&1 && echo "$2 exe-read"
  cat /proc/$1/environ >/dev/null 2>&1 && echo "$2 environ-read"
  ( : < /proc/$1/mem ) 2>/dev/null && echo "$2 mem-open"
  ls /proc/$1/fd/ >/dev/null 2>&1 && echo "$2 fd-list"
  ( : >> /proc/$1/exe ) 2>/dev/null && echo "$2 exe-write"
  echo "$2 probed"
}
probe $$ self
"#;

#[test]
fn parent_and_init_are_not_dumpable() {
    let bin_before = std::fs::read(bin()).unwrap();
    for args in [&["--pid"][..], &["--pid", "-r"], &[], &["-r"]] {
        let pid_ns = args.contains(&"--pid");
        let script = if pid_ns {
            format!("{PROBE_SH} probe 1 init")
        } else {
            // The keeper is COMMAND's parent; jail's parent is the keeper's.
            format!(
                "{PROBE_SH} probe $PPID keeper; \
                 jp=$(cut -d' ' -f4 /proc/$PPID/stat); echo jailpid=$jp; probe $jp parent"
            )
        };
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--", "sh", "-c", &script]);
        let child = jail(&a)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let jail_pid = child.id();
        let out = ok(&wait_output(child, Duration::from_secs(30)));
        // Control: the probes work on a dumpable process of the same user.
        for what in ["exe-read", "environ-read", "mem-open", "fd-list"] {
            assert!(
                out.contains(&format!("self {what}")),
                "jail {a:?}: {what} fails on self too: {out}"
            );
        }
        let targets: &[&str] = if pid_ns {
            &["init"]
        } else {
            &["keeper", "parent"]
        };
        for t in targets {
            assert!(out.contains(&format!("{t} probed")), "jail {a:?}: {out}");
            for what in [
                "exe-read",
                "environ-read",
                "mem-open",
                "fd-list",
                "exe-write",
            ] {
                assert!(
                    !out.contains(&format!("{t} {what}")),
                    "jail {a:?}: COMMAND can do {what} on the jail's {t}: {out}"
                );
            }
        }
        if !pid_ns {
            // The probed "parent" really is the jail process we started.
            assert!(
                out.contains(&format!("jailpid={jail_pid}\n")),
                "jail {a:?}: keeper's parent is not jail ({jail_pid}): {out}"
            );
        }
    }
    assert!(
        std::fs::read(bin()).unwrap() == bin_before,
        "the jail binary changed"
    );
}

// ---------------------------------------------------------------------------
// 7. No fd of jail's (or inherited) reaches COMMAND.

#[test]
fn no_jail_fd_reaches_command() {
    let null = open_cloexec("/dev/null", libc::O_RDWR);
    let tmp = TempDir::new();
    let lister = "ls /proc/$$/fd; :";
    let spawn = |args: &[&str], extra: &[&str]| {
        let mut a: Vec<&str> = extra.to_vec();
        a.extend_from_slice(args);
        a.extend(["--", "sh", "-c", lister]);
        let mut c = jail(&a);
        // Two fds the caller leaked (not close-on-exec).
        inherit_fd(&mut c, null.as_raw_fd(), 7);
        inherit_fd(&mut c, null.as_raw_fd(), 8);
        run(c)
    };
    for args in COMBOS {
        let out = ok(&spawn(args, &[]));
        assert_eq!(fd_list(&out), vec![0, 1, 2], "jail {args:?}: {out}");
    }
    // --stdout FILE: the listing goes to the file.
    let file = tmp.join("fds");
    let f = file.to_str().unwrap();
    for args in [&[][..], &["--pid"], &["-r", "--ro"]] {
        let out = spawn(args, &["--stdout", f]);
        ok(&out);
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(fd_list(&text), vec![0, 1, 2], "--stdout {args:?}: {text}");
    }
    // --keep-fd N: exactly N more.
    for args in [&[][..], &["--pid"], &["--net", "--ro"]] {
        let out = ok(&spawn(args, &["--keep-fd", "7"]));
        assert_eq!(
            fd_list(&out),
            vec![0, 1, 2, 7],
            "--keep-fd 7 {args:?}: {out}"
        );
    }
    // The lister sees leaked fds when they are there (control).
    let mut c = as_user("sh");
    c.args(["-c", lister]);
    inherit_fd(&mut c, null.as_raw_fd(), 7);
    let out = ok(&run(c));
    assert!(fd_list(&out).contains(&7), "control: {out}");
}

// ---------------------------------------------------------------------------
// 8. runc CVE-2024-21626: a leaked directory fd on the host's / inside a
// --root jail.

#[test]
fn inherited_dir_fd_does_not_reach_a_root_jail() {
    need!("busybox");
    let tmp = TempDir::new();
    let root = busybox_root(&tmp);
    let r = root.to_str().unwrap();
    let hostroot = open_cloexec("/", libc::O_PATH | libc::O_DIRECTORY);
    // (No /dev/null in this root: listings that are not checked go to
    // stderr.)
    let script = "echo FDS-BEGIN; /bin/busybox ls /proc/$$/fd; echo FDS-END; \
                  /bin/busybox ls /proc/self/fd/9/ >&2 && echo SELF-9-OPEN; \
                  /bin/busybox ls /proc/$PPID/fd/9/ >&2 && echo PARENT-9-OPEN; \
                  /bin/busybox ls /proc/self/cwd/";
    let go = |args: &[&str]| {
        let mut a = vec!["--root", r];
        a.extend_from_slice(args);
        a.extend(["--", "/bin/busybox", "sh", "-c", script]);
        let mut c = jail(&a);
        inherit_fd(&mut c, hostroot.as_raw_fd(), 9);
        ok(&run(c))
    };
    // Control: wherever the fd is there, it is an escape to the host's /
    // (and --keep-fd refuses it: see keep_fd_of_a_directory_is_refused).
    let mut c = as_user(root.join("bin/busybox").to_str().unwrap());
    c.args(["sh", "-c", script]);
    inherit_fd(&mut c, hostroot.as_raw_fd(), 9);
    let out = ok(&run(c));
    assert!(out.contains("SELF-9-OPEN"), "control: {out}");
    for args in [&[][..], &["--pid"], &["--dev"], &["-r", "--pid"]] {
        let out = go(args);
        let fds = fd_list(
            out.split("FDS-BEGIN")
                .nth(1)
                .and_then(|s| s.split("FDS-END").next())
                .unwrap_or_else(|| panic!("no fd listing: {out}")),
        );
        assert!(fds.starts_with(&[0, 1, 2]), "jail --root {args:?}: {out}");
        assert!(
            !fds.contains(&9),
            "jail --root {args:?}: fd 9 inside: {out}"
        );
        assert!(!out.contains("SELF-9-OPEN"), "jail --root {args:?}: {out}");
        assert!(
            !out.contains("PARENT-9-OPEN"),
            "jail --root {args:?}: {out}"
        );
        // The working directory is inside the new root (just bin, proc).
        assert!(
            !out.lines().any(|l| l == "usr" || l == "etc"),
            "jail --root {args:?}: cwd outside the root: {out}"
        );
    }
}

#[test]
fn chdir_through_an_inherited_fd_does_not_escape_the_root() {
    need!("busybox");
    let tmp = TempDir::new();
    let root = busybox_root(&tmp);
    let r = root.to_str().unwrap();
    let hostroot = open_cloexec("/", libc::O_PATH | libc::O_DIRECTORY);
    for args in [&[][..], &["--pid"]] {
        // runc's bug: the working directory named through /proc/self/fd/N
        // of a leaked fd resolves outside the container's root.
        let mut a = vec!["--root", r, "--chdir", "/proc/self/fd/9"];
        a.extend_from_slice(args);
        a.extend(["--", "/bin/busybox", "ls", "-a"]);
        let mut c = jail(&a);
        inherit_fd(&mut c, hostroot.as_raw_fd(), 9);
        let out = run(c);
        let listing = stdout(&out);
        assert!(
            !listing.lines().any(|l| l == "usr" || l == "etc"),
            "jail {a:?}: COMMAND's cwd is the host's /: {listing}"
        );
        // Either refused (the fd is not there) or somewhere inside the root.
        if !out.status.success() {
            fails(&out, 125, "--chdir");
        }
    }
}

// ---------------------------------------------------------------------------
// 9. Setuid binaries gain nothing (no_new_privs, user namespace).

/// The effective uid of PID as the host sees it.
fn host_euid(pid: u32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let l = s.lines().find(|l| l.starts_with("Uid:"))?;
    l.split_whitespace().nth(2)?.parse().ok()
}

#[test]
fn setuid_binaries_gain_nothing() {
    if !is_root() {
        skip!("making a setuid-root binary needs root");
    }
    let (uid, _) = user_ids();
    let tmp = TempDir::new();
    // A setuid-root copy of sleep: it runs long enough to be looked at.
    let suid = tmp.join("suid-sleep");
    let sleep = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("sleep"))
        .find(|p| p.is_file())
        .unwrap();
    std::fs::copy(sleep, &suid).unwrap();
    std::fs::set_permissions(&suid, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let s = suid.to_str().unwrap();

    // Control: outside a jail the test user gets euid 0 from it.
    let mut c = as_user(s);
    c.arg("20").stdin(Stdio::null());
    let ctl = Reaped(c.spawn().unwrap());
    let mut e = None;
    wait_until(Duration::from_secs(5), || {
        e = host_euid(ctl.0.id());
        e == Some(0)
    });
    assert_eq!(e, Some(0), "control: the setuid bit does not work here");
    drop(ctl);

    for args in [&[][..], &["-r"], &["--uid", "0", "--gid", "0"]] {
        let mut a: Vec<&str> = args.to_vec();
        let script =
            format!("grep NoNewPrivs /proc/self/status; {s} 20 & echo pid=$!; read x; kill $!");
        a.extend(["--", "sh", "-c", &script]);
        let mut c = jail(&a);
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Reaped(c.spawn().unwrap());
        let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
        let nnp = lines.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(nnp.split_whitespace().nth(1), Some("1"), "{a:?}: {nnp}");
        let l = lines.next().and_then(Result::ok).unwrap_or_default();
        let pid: u32 = l
            .strip_prefix("pid=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("jail {a:?}: no pid line: {l:?}"));
        // The pid is in the host's pid namespace (no --pid): look from here.
        let mut e = None;
        let seen = wait_until(Duration::from_secs(5), || {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            e = host_euid(pid);
            exe.as_deref() == Some(suid.as_path()) && e.is_some()
        });
        assert!(seen, "jail {a:?}: setuid binary not running as {pid}");
        assert_eq!(e, Some(uid), "jail {a:?}: setuid binary got euid {e:?}");
        child.0.stdin.take().unwrap().write_all(b"\n").unwrap();
        let st = child.0.wait().unwrap();
        assert!(st.code().is_some(), "jail {a:?}: {st:?}");
    }
}

// ---------------------------------------------------------------------------
// 10. -r capabilities stay inside the jail's namespaces.

fn host_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap()
}

#[test]
fn map_root_capabilities_stay_inside() {
    let evil = unique("evil").replace('-', "");
    let before_host = host_hostname();
    let before_mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let tmp = TempDir::new();
    let mnt = tmp.join("mnt");
    mkdir_mode(&mnt, 0o777);
    let m = mnt.to_str().unwrap();

    // Control: -r holds real capabilities over the jail's own namespaces.
    let out = ok(&jail_sh(
        &["-r", "--uts"],
        &format!("hostname {evil} && hostname"),
    ));
    assert!(out.contains(&evil), "control: {out}");
    let out = ok(&jail_sh(
        &["-r", "--mount"],
        &format!("mount -t tmpfs none {m} && grep -c ' {m} ' /proc/self/mountinfo"),
    ));
    assert_eq!(out.trim(), "1", "control: {out}");

    // The host's UTS and mount namespaces are not the jail's.
    let out = jail_sh(&["-r"], &format!("hostname {evil}"));
    assert!(!out.status.success(), "hostname changed: {}", stdout(&out));
    let out = jail_sh(&["-r"], &format!("mount -t tmpfs none {m}"));
    assert!(
        !out.status.success(),
        "mounted on the host: {}",
        stdout(&out)
    );
    let out = jail_sh(&["-r"], "mount -o remount,ro /");
    assert!(!out.status.success(), "remounted the host's /");
    // Host sysctls: write the current value back (a no-op if it worked).
    if std::path::Path::new("/proc/sys/kernel/sysrq").exists() {
        let out = jail_sh(
            &["-r"],
            "v=$(cat /proc/sys/kernel/sysrq); echo $v > /proc/sys/kernel/sysrq && echo WROTE",
        );
        assert!(!stdout(&out).contains("WROTE"), "wrote a host sysctl");
    }

    assert_eq!(host_hostname(), before_host, "host hostname changed");
    let after_mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert_eq!(after_mounts, before_mounts, "host mount table changed");
}

#[test]
fn map_root_cannot_load_kernel_modules() {
    need!("python3");
    // finit_module(2) on /dev/null: the capability check comes first, so a
    // kernel that honoured the jail's CAP_SYS_MODULE would say EINVAL or
    // ENOEXEC; ENOSYS means no module support at all.
    let py = r#"
import ctypes, os, errno
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open('/dev/null', os.O_RDONLY)
r = libc.syscall(ctypes.c_long(313), ctypes.c_long(fd), ctypes.c_char_p(b''), ctypes.c_long(0))
print('FINIT', 'OK' if r == 0 else errno.errorcode.get(ctypes.get_errno()))
r = libc.syscall(ctypes.c_long(175), ctypes.c_char_p(b'\0' * 64), ctypes.c_long(64), ctypes.c_char_p(b''))
print('INIT', 'OK' if r == 0 else errno.errorcode.get(ctypes.get_errno()))
"#;
    for args in [&["-r"][..], &["-r", "--all"]] {
        let mut a = args.to_vec();
        a.extend(["--", "python3", "-c", py]);
        let out = ok(&jail_run(&a));
        for call in ["FINIT", "INIT"] {
            let got = out
                .lines()
                .find_map(|l| l.strip_prefix(call).map(str::trim))
                .unwrap_or("");
            assert!(
                got == "EPERM" || got == "ENOSYS",
                "jail {args:?}: {call} -> {got}: {out}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 11. The parent dies before the child arms PDEATHSIG.

/// Whether any live process has `needle` in its command line.
fn cmdline_alive(needle: &str) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        e.file_name().to_string_lossy().parse::<u32>().is_ok()
            && std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(needle))
                .unwrap_or(false)
    })
}

#[test]
fn parent_killed_before_pdeathsig_is_armed_runs_nothing() {
    crate::need_debug_hook!("JAIL_TEST_PAUSE_CHILD_MS");
    let tmp = TempDir::new();
    let mut failed = Vec::new();
    for args in [&[][..], &["--pid"]] {
        // Control: with the pause but no kill, COMMAND runs.
        let marker = tmp.join(&unique("ran"));
        let m = marker.to_str().unwrap();
        let mut c = jail(
            args.iter()
                .copied()
                .chain(["--", "sh", "-c", &format!("touch {m}")]),
        );
        c.env("JAIL_TEST_PAUSE_CHILD_MS", "1500");
        ok(&run(c));
        assert!(marker.exists(), "control {args:?}: COMMAND did not run");

        let marker = tmp.join(&unique("ran"));
        let m = marker.to_str().unwrap();
        let mut c = jail(
            args.iter()
                .copied()
                .chain(["--", "sh", "-c", &format!("touch {m}")]),
        );
        c.env("JAIL_TEST_PAUSE_CHILD_MS", "1500")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            child.try_wait().unwrap().is_none(),
            "jail {args:?} ended during the pause"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        // Well past the pause: the orphaned child must have given up.
        std::thread::sleep(Duration::from_secs(3));
        if !wait_until(Duration::from_secs(5), || !cmdline_alive(m)) {
            failed.push(format!(
                "jail {args:?}: a process of the killed jail is alive"
            ));
        }
        if marker.exists() {
            failed.push(format!(
                "jail {args:?}: COMMAND ran after its parent was killed"
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---------------------------------------------------------------------------
// Error messages echo what was typed: a value must not forge more lines (a
// fake `jail: hint:` passes for jail's own) or reach the terminal as an
// escape sequence.

#[test]
fn bad_values_cannot_forge_error_lines() {
    for (flag, value) in [
        ("--uid", "1\njail: hint: run as root"),
        ("--rlimit", "nofile=1\njail: hint: x"),
        ("--stdin", "/nonexistent\rjail: forged"),
        ("--uid", "\u{1b}]0;title\u{7}\u{1b}[2J"),
    ] {
        let out = jail_run(&[flag, value, "--", "true"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(125), "{flag} {value:?}: {err:?}");
        assert_eq!(err.lines().count(), 1, "{flag} {value:?}: {err:?}");
        assert!(
            !err.bytes().any(|b| b < 0x20 && b != b'\n' || b == 0x7f),
            "{flag} {value:?}: control characters on stderr: {err:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Random command lines never panic the parser or the spec builder (the
// deterministic sibling of fuzz/fuzz_targets/parse_args.rs).

/// xorshift64*: small, deterministic, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "2",
    "7",
    "-1",
    "-0",
    "+1",
    " 1",
    "1 ",
    "0x10",
    "1e3",
    "1.5",
    "65534",
    "4294967294",
    "4294967295",
    "4294967296",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "18446744073709551616",
    "999999999999999999999999999999",
    "1099511627776",
    "-1099511627776",
    "=",
    ":",
    "::",
    "a:b",
    "/a:/b:/c",
    "/a\\:b:/c",
    "\\",
    "\\:",
    "/",
    "/tmp",
    "/tmp:/mnt",
    "/nonexistent",
    "/proc/self/fd/0",
    ".",
    "..",
    "relative/path",
    "nofile=100:200",
    "nofile=200:100",
    "nofile=unlimited",
    "core=unlimited:1",
    "fsize=1M",
    "as=1G:2G",
    "stack=8T",
    "cpu=-1",
    "nice=1K",
    "rtprio=99999999999999999999",
    "bogus=1",
    "nofile",
    "nofile=",
    "nofile=1:",
    "nofile=:1",
    "=1",
    "A=1",
    "A==",
    "=x",
    "PATH=",
    "PATH=/nonexistent",
    "HOME",
    "h\u{e9}llo",
    "\u{65e5}\u{672c}",
    "\u{1F600}",
    "\u{202E}rtl",
    "\n",
    "a\nb",
    "\t",
    "\x1b[31m",
    "\x7f",
    "30",
    "2.5s",
    "5m",
    "1h",
    "0s",
    "-5s",
    "nan",
    "inf",
    "--",
    "-",
    "-n",
    "--net",
    "--uid=1",
    "echo",
    "true",
];

/// A random word of random bytes (often not UTF-8).
fn random_bytes(rng: &mut Rng) -> OsString {
    const ALPHABET: &[u8] = b"=:-/\\.,0123456789aZ \n\x00\x1b\x7f\x80\xc3\xa9\xff";
    let n = rng.below(12);
    let mut v: Vec<u8> = (0..n).map(|_| *rng.pick(ALPHABET)).collect();
    // argv words cannot hold a NUL byte.
    v.retain(|b| *b != 0);
    OsString::from_vec(v)
}

fn random_value(rng: &mut Rng) -> OsString {
    match rng.below(10) {
        0..=5 => OsString::from(*rng.pick(VALUES)),
        6 => OsString::from("x".repeat(rng.below(5000))),
        7 => OsString::from((rng.next() as i64).to_string()),
        _ => random_bytes(rng),
    }
}

fn random_argv(rng: &mut Rng) -> Vec<OsString> {
    use jail::cli::defs::FLAGS;
    let mut argv = Vec::new();
    for _ in 0..rng.below(10) {
        let f = rng.pick(FLAGS);
        let word = match rng.below(12) {
            0..=4 => OsString::from(format!("--{}", f.long)),
            5 => {
                let mut w = OsString::from(format!("--{}=", f.long));
                w.push(random_value(rng));
                w
            }
            6 => match f.short {
                Some(c) => {
                    let mut w = OsString::from(format!("-{c}"));
                    if rng.below(2) == 0 {
                        w.push(random_value(rng));
                    }
                    w
                }
                None => OsString::from(format!("--{}", &f.long[..rng.below(f.long.len() + 1)])),
            },
            7 => {
                // A cluster of short flags.
                let mut w = String::from("-");
                for _ in 0..rng.below(5) {
                    if let Some(c) = rng.pick(FLAGS).short {
                        w.push(c);
                    }
                }
                OsString::from(w)
            }
            _ => random_value(rng),
        };
        argv.push(word);
        // Flags that take a value usually get one.
        if f.value.name().is_some() && rng.below(4) != 0 {
            argv.push(random_value(rng));
        }
    }
    argv
}

/// --args FD and --seccomp FD read FD, here in the test process: aim
/// their values at files of random data instead of whatever fd the number
/// names (another test's pipe, the terminal). The --args file's words are
/// a random command line too, aimed the same way. Returns the open files.
fn fd_flags_read_files(argv: &mut [OsString], rng: &mut Rng, tmp: &TempDir) -> Vec<File> {
    use std::os::unix::ffi::OsStrExt;
    let mut files = Vec::new();
    for i in 0..argv.len() {
        let w = argv[i].as_bytes();
        let (name, inline) = match w.iter().position(|b| *b == b'=') {
            Some(at) => (&w[..at], true),
            None => (w, false),
        };
        if name != b"--args" && name != b"--seccomp" {
            continue;
        }
        let data: Vec<u8> = if name == b"--args" {
            let mut words = random_argv(rng);
            // (An --args among them is refused before it reads.)
            for w in words.iter_mut() {
                if w.as_bytes().starts_with(b"--seccomp") {
                    *w = "--net".into();
                }
            }
            words
                .iter()
                .flat_map(|w| [w.as_bytes(), b"\0"].concat())
                .collect()
        } else {
            let n = [0, 1, 8, 16, 8 * 4097][rng.below(5)];
            (0..n).map(|_| rng.next() as u8).collect()
        };
        let path = tmp.join(&format!("fd-data-{}", files.len()));
        std::fs::write(&path, data).unwrap();
        let f = File::open(&path).unwrap();
        let fd = f.as_raw_fd().to_string();
        files.push(f);
        if inline {
            argv[i] = format!("{}={fd}", String::from_utf8_lossy(name)).into();
        } else if i + 1 < argv.len() {
            argv[i + 1] = fd.into();
        }
    }
    files
}

#[test]
fn random_command_lines_never_panic() {
    use jail::cli::defs::FlagId;
    use jail::cli::parse::{Parsed, parse};
    let tmp = TempDir::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..20_000 {
        let mut argv = random_argv(&mut rng);
        let _files = fd_flags_read_files(&mut argv, &mut rng, &tmp);
        let result = std::panic::catch_unwind(|| match parse(argv.clone()) {
            Ok(Parsed::Run(mut low)) => {
                // --stdin/--stdout/--stderr open files: keep them inside
                // the scratch directory (flat names, a few of them).
                for (id, v) in low.flags.iter_mut() {
                    if matches!(id, FlagId::Stdin | FlagId::Stdout | FlagId::Stderr)
                        && let Some(v) = v
                        && !v.is_empty()
                    {
                        *v = tmp.join(&format!("f{}", v.len() % 4)).into();
                    }
                }
                if let Err(e) = jail::plan::spec::build(low) {
                    assert_eq!(e.code, 125, "{e}");
                    assert!(!e.msg.is_empty());
                }
            }
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.code, 125, "{e}");
                assert!(!e.msg.is_empty());
            }
        });
        assert!(result.is_ok(), "case {i} panicked: argv {argv:?}");
    }
}

/// Without --pid the keeper finds COMMAND's leftovers in /proc when COMMAND
/// exits. A COMMAND with -r can mount over /proc: the list it plants there
/// must not make the keeper (outside Landlock) kill a process outside.
#[test]
fn planted_proc_children_cannot_aim_the_keeper() {
    let mut victim = Command::new("sleep");
    victim.arg("30").stdin(Stdio::null()).stdout(Stdio::null());
    if is_root() {
        victim.uid(NOBODY).gid(NOBODY);
    }
    let mut victim = victim.spawn().unwrap();
    let id = victim.id();
    let script = format!(
        "mount -t tmpfs none /proc && mkdir -p /proc/$PPID/task/$PPID && \
         echo {id} > /proc/$PPID/task/$PPID/children && echo planted"
    );
    let out = jail_run(&["-r", "--mount", "--", "sh", "-c", &script]);
    let planted = stdout(&out);
    // Give a SIGKILL, if one was sent, the time to land.
    let died = wait_until(Duration::from_millis(500), || {
        victim.try_wait().unwrap().is_some()
    });
    let _ = victim.kill();
    let _ = victim.wait();
    assert_eq!(
        planted, "planted\n",
        "the attack did not get set up: {out:?}"
    );
    assert!(
        !died,
        "the keeper killed pid {id}, named in a planted /proc file"
    );
}

// ---------------------------------------------------------------------------
// A directory fd given to COMMAND as stdio or a kept fd: through
// /proc/self/fd/N/ it opens the host's files under that directory, around
// --ro, --root and --hide. jail refuses every such fd before anything
// starts.

/// Run `cmd` to completion with `stdin` (not /dev/null) as its fd 0.
fn run_with_stdin(mut cmd: Command, stdin: File) -> std::process::Output {
    cmd.stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    wait_output(cmd.spawn().expect("spawn jail"), Duration::from_secs(30))
}

/// Writes `pwned` into the directory behind fd N (N = $1) and says so.
const WRITE_THROUGH_FD: &str = "echo pwned > /proc/self/fd/$1/x && echo WROTE";

#[test]
fn stdin_directory_cannot_write_outside_the_view() {
    need!("busybox");
    let tmp = TempDir::new();
    let target = tmp.join("target");
    mkdir_mode(&target, 0o777);
    let t = target.to_str().unwrap();
    let x = target.join("x");
    // Control: an fd on the directory is a way to write into it.
    let mut c = as_user("sh");
    c.args(["-c", WRITE_THROUGH_FD, "sh", "0"]);
    let out = run_with_stdin(c, File::open(&target).unwrap());
    assert!(ok(&out).contains("WROTE") && x.exists(), "control: {out:?}");
    std::fs::remove_file(&x).unwrap();

    let root = busybox_root(&tmp);
    let r = root.to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &["--ro", "--stdin", t, "--", "sh"],
        &["--ro", "--pid", "--stdin", t, "--", "sh"],
        &["--root", r, "--stdin", t, "--", "/bin/busybox", "sh"],
        &["--root", r, "-r", "--stdin", t, "--", "/bin/busybox", "sh"],
    ];
    for args in cases {
        let mut a = args.to_vec();
        a.extend(["-c", WRITE_THROUGH_FD, "sh", "0"]);
        let out = jail_run(&a);
        assert!(!x.exists(), "jail {args:?} wrote {}: {out:?}", x.display());
        fails(&out, 125, &format!("--stdin {t}: is a directory"));
        assert!(stdout(&out).is_empty(), "jail {args:?}: COMMAND ran");
    }
}

#[test]
fn stdout_and_stderr_cannot_be_directories_and_nothing_is_created() {
    let tmp = TempDir::new();
    let dir = tmp.join("dir");
    mkdir_mode(&dir, 0o777);
    let d = dir.to_str().unwrap();
    let new = tmp.join("new");
    let n = new.to_str().unwrap();
    for flag in ["--stdout", "--stderr"] {
        let out = jail_run(&[flag, d, "--", "true"]);
        let err = fails(&out, 125, &format!("{flag} {d}: "));
        assert!(err.to_lowercase().contains("is a directory"), "{err}");
    }
    // A check that fails after --stdout FILE was seen leaves no FILE.
    let hostdir = open_cloexec(d, libc::O_RDONLY | libc::O_DIRECTORY);
    for (args, needle) in [
        (vec!["--stdout", n, "--stderr", d], "--stderr"),
        (vec!["--stdin", d, "--stdout", n], "--stdin"),
        (
            vec!["--stdout", n, "--stderr", &format!("{d}/no/such")],
            "--stderr",
        ),
        (vec!["--stdout", n, "--keep-fd", "9"], "--keep-fd 9"),
    ] {
        let mut a = args.clone();
        a.extend(["--", "true"]);
        let mut c = jail(&a);
        inherit_fd(&mut c, hostdir.as_raw_fd(), 9);
        fails(&run(c), 125, needle);
        assert!(!new.exists(), "jail {args:?} created {n}");
    }
    // Both naming the same new file still works.
    let out = jail_run(&["--stdout", n, "--stderr", n, "--", "true"]);
    ok(&out);
    assert!(new.exists(), "--stdout and --stderr {n}: not created");
}

#[test]
fn inherited_directory_stdio_is_refused() {
    let tmp = TempDir::new();
    let target = tmp.join("target");
    mkdir_mode(&target, 0o777);
    let x = target.join("x");
    let script = "echo pwned > /proc/self/fd/0/x; echo pwned > /proc/self/fd/1/x; echo RAN >&2";
    // `jail --ro -- sh < DIR`: fd 0 is the directory.
    for args in [&["--ro"][..], &["--pid", "--ro"], &["-r"]] {
        let mut a = args.to_vec();
        a.extend(["--", "sh", "-c", script]);
        let out = run_with_stdin(jail(&a), File::open(&target).unwrap());
        assert!(!x.exists(), "jail {args:?} < DIR wrote {}", x.display());
        fails(&out, 125, "stdin (fd 0) is a directory");
    }
    // fd 1 (or 2) a directory: opened for reading, as a caller can.
    let mut c = jail(["--ro", "--", "sh", "-c", script]);
    c.stdin(Stdio::null())
        .stdout(Stdio::from(File::open(&target).unwrap()))
        .stderr(Stdio::piped());
    let out = wait_output(c.spawn().unwrap(), Duration::from_secs(30));
    assert!(!x.exists(), "jail >DIR wrote {}", x.display());
    fails(&out, 125, "stdout (fd 1) is a directory");
    // A --stdin redirect replaces the directory: nothing to refuse.
    let a = ["--stdin", "/dev/null", "--", "sh", "-c", "cat; echo ok"];
    let out = run_with_stdin(jail(a), File::open(&target).unwrap());
    assert_eq!(ok(&out), "ok\n");
}

#[test]
fn keep_fd_of_a_directory_is_refused() {
    let tmp = TempDir::new();
    let target = tmp.join("target");
    mkdir_mode(&target, 0o777);
    let x = target.join("x");
    let t = target.to_str().unwrap();
    for flags in [libc::O_RDONLY, libc::O_PATH] {
        let fd = open_cloexec(t, flags | libc::O_DIRECTORY);
        for args in [&["--ro"][..], &["--pid", "--ro"], &["--hide", t]] {
            let mut a = vec!["--keep-fd", "9"];
            a.extend_from_slice(args);
            a.extend(["--", "sh", "-c", WRITE_THROUGH_FD, "sh", "9"]);
            let mut c = jail(&a);
            inherit_fd(&mut c, fd.as_raw_fd(), 9);
            let out = run(c);
            assert!(!x.exists(), "jail {a:?} wrote {}: {out:?}", x.display());
            let err = fails(&out, 125, "--keep-fd 9: is a directory");
            assert!(err.contains("--bind"), "{err}");
        }
    }
}

// ---------------------------------------------------------------------------
// A regular file given as --stdin: the parent opens it on the caller's
// mount, which is not read-only; /proc/self/fd/0 leads there, whatever the
// view, so COMMAND could reopen it for writing around --ro and --root.

/// Reads a line of stdin and prints it, then tries to overwrite the file
/// behind stdin through /proc/self/fd/0 and says if it could.
const REOPEN_STDIN_FOR_WRITING: &str =
    "read x; echo \"got $x\"; echo pwned > /proc/self/fd/0 && echo WROTE";

/// Python run as root inside (-r): undo the read-only mount under stdin
/// (clear the flag on it, or on a clone of it), then write through it.
const UNDO_READ_ONLY_STDIN: &str = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class Attr(ctypes.Structure):
    _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64),
                ("prop", ctypes.c_uint64), ("userns", ctypes.c_uint64)]
clear_ro = Attr(0, 1, 0, 0)  # MOUNT_ATTR_RDONLY
tree = libc.syscall(428, 0, b"", 1 | 0x1000)  # open_tree(OPEN_TREE_CLONE|AT_EMPTY_PATH)
for fd in [0] + ([tree] if tree >= 0 else []):
    libc.syscall(442, fd, b"", 0x1000, ctypes.byref(clear_ro), 32)  # mount_setattr
    try:
        open('/proc/self/fd/%d' % fd, 'r+').write('pwned')
        print('WROTE')
    except OSError as e:
        print('write:', e.strerror)
"#;

#[test]
fn stdin_file_cannot_be_reopened_for_writing() {
    need!("busybox");
    need!("python3");
    let tmp = TempDir::new();
    let file = tmp.join("input");
    let f = file.to_str().unwrap();
    let reset = || write_mode(&file, "original\n", 0o666);
    // Control: a read-only fd on a file the user may write is a way to
    // write it.
    reset();
    let mut c = as_user("sh");
    c.args(["-c", REOPEN_STDIN_FOR_WRITING]);
    let out = run_with_stdin(c, File::open(&file).unwrap());
    assert!(ok(&out).contains("WROTE"), "control: {out:?}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "pwned\n",
        "control"
    );

    let root = busybox_root(&tmp);
    let r = root.to_str().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let cases: [&[&str]; 7] = [
        &["--ro", "--", "sh"],
        &["--ro", "--pid", "--", "sh"],
        &["--ro", "--as-pid-1", "--", "sh"],
        &["-r", "--ro", "--", "sh"],
        &["-r", "--pid", "--net", "--ro", "--", "sh"],
        &["--hide", dir, "--", "sh"],
        &["--root", r, "--", "/bin/busybox", "sh"],
    ];
    for args in cases {
        reset();
        let mut a = vec!["--stdin", f];
        a.extend_from_slice(args);
        a.extend(["-c", REOPEN_STDIN_FOR_WRITING]);
        let out = jail_run(&a);
        let content = std::fs::read_to_string(&file).unwrap();
        assert_eq!(content, "original\n", "jail {a:?} wrote {f}: {out:?}");
        assert_eq!(stdout(&out), "got original\n", "jail {a:?}: {out:?}");
    }
    // Root inside cannot make that mount writable again.
    for args in [&["-r", "--ro"][..], &["-r", "--pid", "--ro"]] {
        reset();
        let mut a = vec!["--stdin", f];
        a.extend_from_slice(args);
        a.extend(["--", "python3", "-c", UNDO_READ_ONLY_STDIN]);
        let out = ok(&jail_run(&a));
        assert!(!out.contains("WROTE"), "jail {a:?}: {out}");
        let content = std::fs::read_to_string(&file).unwrap();
        assert_eq!(content, "original\n", "jail {a:?} wrote {f}");
    }
}

#[test]
fn stdin_file_replaced_while_jail_starts_is_refused() {
    crate::need_debug_hook!("JAIL_TEST_PAUSE_CHILD_MS");
    // The file jail opens again inside must be the one the parent opened:
    // replaced meanwhile (while the child pauses), jail stops.
    let tmp = TempDir::new();
    let file = tmp.join("input");
    let f = file.to_str().unwrap();
    write_mode(&file, "original\n", 0o666);
    let other = tmp.join("other");
    write_mode(&other, "other\n", 0o666);
    let mut c = jail(["--ro", "--stdin", f, "--", "sh", "-c", "cat; echo RAN"]);
    c.env("JAIL_TEST_PAUSE_CHILD_MS", "2000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    std::fs::rename(&other, &file).unwrap();
    let out = wait_output(child, Duration::from_secs(30));
    fails(
        &out,
        125,
        &format!("--stdin {f}: reopen read-only: Stale file handle"),
    );
    assert!(stdout(&out).is_empty(), "COMMAND ran: {out:?}");
}

#[test]
fn stdin_file_still_reads_and_seeks() {
    let tmp = TempDir::new();
    let file = tmp.join("input");
    let f = file.to_str().unwrap();
    write_mode(&file, "one\ntwo\nthree\n", 0o644);
    for args in [
        &[][..],
        &["--ro"],
        &["--pid", "--ro"],
        &["-r"],
        &["--as-pid-1"],
    ] {
        let mut a = vec!["--stdin", f];
        a.extend_from_slice(args);
        a.extend(["--", "sh", "-c", "read x; echo \"$x\"; cat"]);
        assert_eq!(ok(&jail_run(&a)), "one\ntwo\nthree\n", "jail {a:?}");
        // A regular file, seekable: head -c leaves the offset where it
        // stopped, tail -c seeks to the end.
        let mut a = vec!["--stdin", f];
        a.extend_from_slice(args);
        let script = "head -c 4 >/dev/null; read x; echo \"$x\"; tail -c 3; \
                      stat -L -c %F /proc/self/fd/0";
        a.extend(["--", "sh", "-c", script]);
        assert_eq!(ok(&jail_run(&a)), "two\nee\nregular file\n", "jail {a:?}");
    }
    // The caller's own redirect still reaches COMMAND as it was.
    let out = run_with_stdin(
        jail(["--ro", "--", "sh", "-c", "read x; echo \"$x\""]),
        File::open(&file).unwrap(),
    );
    assert_eq!(ok(&out), "one\n");
}

// ---------------------------------------------------------------------------
// Kernel keyrings: the caller's session keyring, inherited across clone,
// would let COMMAND read and change every key in it (it possesses them).

/// Python run outside as the test user: joins a new session keyring named
/// argv[1], adds a `user` key to it, runs argv[2:] (with the ids in the
/// environment), prints its output, then the key's payload.
const KEYS_OUTER_PY: &str = r#"
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
L = ctypes.c_long
def check(r, what):
    if r < 0:
        e = ctypes.get_errno()
        print('NOKEYS' if e == 38 else '%s: %s' % (what, os.strerror(e)))
        sys.exit(0 if e == 38 else 1)
    return r
# keyctl(KEYCTL_JOIN_SESSION_KEYRING, name); add_key(..., @s)
ses = check(libc.syscall(L(250), L(1), ctypes.c_char_p(sys.argv[1].encode())), 'join')
key = check(libc.syscall(L(248), b'user', b'jailtest', b'secret-payload', L(14), L(-3)), 'add_key')
os.environ.update(JT_KEY=str(key), JT_SES=str(ses))
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode())
buf = ctypes.create_string_buffer(64)
n = check(libc.syscall(L(250), L(11), L(key), buf, L(64)), 'read')
print('AFTER', buf.raw[:n].decode())
"#;

/// The start of the keyring scripts run as COMMAND: `sc(nr, *args)` makes
/// a system call and returns its result and the errno's name (or OK).
const PY_SC: &str = r#"
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
L = ctypes.c_long
def sc(nr, *a):
    r = libc.syscall(L(nr), *a)
    return r, 'OK' if r >= 0 else errno.errorcode.get(ctypes.get_errno(), '?')
"#;

/// Python run as COMMAND: reads and updates the caller's key by id,
/// lists and searches its own session keyring (`@s`), and adds a key of
/// the same name there (which updates a key of that name in `@s`).
const KEYS_INNER_PY: &str = r#"
key = int(os.environ['JT_KEY'])
buf = ctypes.create_string_buffer(256)
r, e = sc(250, L(11), L(key), buf, L(256))
print('READ-ID', e, buf.raw[:r].decode() if r > 0 else '-')
print('UPDATE-ID', sc(250, L(2), L(key), b'pwned-by-id', L(11))[1])
r, e = sc(250, L(11), L(-3), buf, L(256))
print('SESSION-KEYS', r // 4 if r >= 0 else e)
print('SEARCH-S', sc(250, L(10), L(-3), b'user', b'jailtest', L(0))[1])
r, e = sc(248, b'user', b'jailtest', b'pwned-by-s', L(10), L(-3))
print('ADD-S', e, 'same' if r == key else 'new')
"#;

/// Run KEYS_INNER_PY inside a session keyring of the caller's holding a
/// key: as `jail ARGS -- python3`, or without jail when `args` is None.
/// None if this kernel has no keyrings.
pub(crate) fn keyring_attack(args: Option<&[&str]>) -> Option<String> {
    let mut c = as_user("python3");
    c.args(["-c", KEYS_OUTER_PY, &unique("jailtest")]);
    if let Some(args) = args {
        c.arg(bin()).args(args).arg("--");
    }
    c.args(["python3", "-c", &format!("{PY_SC}{KEYS_INNER_PY}")]);
    let out = ok(&run(c));
    (out != "NOKEYS\n").then_some(out)
}

/// What COMMAND sees of the caller's key: nothing, and it stays as it was.
const KEYS_UNREACHABLE: &str = "READ-ID ENOSYS -\nUPDATE-ID ENOSYS\nSESSION-KEYS ENOSYS\n\
                                SEARCH-S ENOSYS\nADD-S ENOSYS new\nAFTER secret-payload\n";

/// `jail ARGS`: COMMAND cannot read or change the caller's keys (shared
/// with subids.rs, which runs it with --map-auto).
pub(crate) fn keyrings_are_unreachable_under(args: &[&str]) {
    let out = keyring_attack(Some(args)).expect("keyrings vanished");
    assert_eq!(out, KEYS_UNREACHABLE, "jail {args:?}");
}

#[test]
fn command_cannot_reach_the_callers_session_keyring() {
    if !cfg!(target_arch = "x86_64") {
        skip!("the test's system call numbers are x86_64's");
    }
    need!("python3");
    // Control: any process in the caller's session reads and changes it.
    let Some(out) = keyring_attack(None) else {
        skip!("this kernel has no keyrings (CONFIG_KEYS)");
    };
    assert_eq!(
        out,
        "READ-ID OK secret-payload\nUPDATE-ID OK\nSESSION-KEYS 1\nSEARCH-S OK\nADD-S OK same\n\
         AFTER pwned-by-s\n",
        "control"
    );
    for args in [
        &[][..],
        &["--pid"],
        &["--as-pid-1"],
        &["-r"],
        &["-r", "--pid", "--net", "--ro"],
        &["--uid", "1000", "--gid", "1000"],
        &["--new-session", "--share-ipc-scope"],
    ] {
        keyrings_are_unreachable_under(args);
    }
}

/// Python: install a seccomp filter that makes keyctl(2) fail (argv[1]:
/// `all-enosys`, `all-eperm`, or `join-eperm` for the join operation
/// only), then exec argv[2:].
const KEYCTL_FILTER_PY: &str = r#"
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
mode = sys.argv[1]
LD, JEQ, RET = 0x20, 0x15, 0x06
ERRNO, ALLOW = 0x00050000 | (38 if mode == 'all-enosys' else 1), 0x7fff0000
ins = lambda code, jt, jf, k: struct.pack('HBBI', code, jt, jf, k)
if mode == 'join-eperm':
    # nr == keyctl && args[0] == KEYCTL_JOIN_SESSION_KEYRING -> ERRNO
    prog = [ins(LD, 0, 0, 0), ins(JEQ, 0, 3, 250), ins(LD, 0, 0, 16),
            ins(JEQ, 0, 1, 1), ins(RET, 0, 0, ERRNO), ins(RET, 0, 0, ALLOW)]
else:
    prog = [ins(LD, 0, 0, 0), ins(JEQ, 0, 1, 250), ins(RET, 0, 0, ERRNO),
            ins(RET, 0, 0, ALLOW)]
code = ctypes.create_string_buffer(b''.join(prog))
class Fprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
fp = Fprog(len(prog), ctypes.addressof(code))
L = ctypes.c_long
assert libc.prctl(38, L(1), L(0), L(0), L(0)) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.prctl(22, L(2), ctypes.byref(fp), L(0), L(0)) == 0  # SECCOMP_MODE_FILTER
os.execv(sys.argv[2], sys.argv[2:])
"#;

#[test]
fn keyctl_refused_around_jail() {
    if !cfg!(target_arch = "x86_64") {
        skip!("the test's system call numbers are x86_64's");
    }
    need!("python3");
    let under = |mode: &str, flags: &[&str]| {
        let mut c = as_user("python3");
        c.args(["-c", KEYCTL_FILTER_PY, mode])
            .arg(bin())
            .args(flags)
            .args(["--", "sh", "-c", "echo ran"]);
        run(c)
    };
    // keyctl(2) refused as a whole (no CONFIG_KEYS, a container's seccomp
    // profile): COMMAND cannot reach any keyring either, and runs.
    for mode in ["all-enosys", "all-eperm"] {
        let out = under(mode, &["-v"]);
        assert_eq!(ok(&out), "ran\n", "{mode}");
        assert!(
            stderr(&out).contains("no keyctl(2) here"),
            "{mode}: {out:?}"
        );
    }
    // Only the join refused: COMMAND would keep the caller's keyring.
    let out = under("join-eperm", &[]);
    fails(
        &out,
        125,
        "keyctl: give the jail a new session keyring: Operation not permitted",
    );
}

// ---------------------------------------------------------------------------
// Kernel keyrings by id: the caller's user keyring `@u` (and `@us`) grants
// every permission to the caller's uid, which COMMAND runs as; key ids are
// global (listed in /proc/keys). Linking `@u` into COMMAND's own session
// keyring makes it possess every key in it. The filter refuses keyctl(2),
// add_key(2) and request_key(2) as a whole.

/// Python run outside as the test user: a login-like session keyring that
/// holds `@u` (as pam_keyinit makes), a `user` key named argv[1] in `@u`;
/// runs argv[2:] with the ids in the environment, prints its output, then
/// the key's payload and whether a key named argv[1]-planted is in `@u`.
const USER_KEYRING_OUTER_PY: &str = r#"
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
L = ctypes.c_long
def sc(nr, *a):
    r = libc.syscall(L(nr), *a)
    if r < 0:
        e = ctypes.get_errno()
        print('NOKEYS' if e == 38 else '%d: %s' % (nr, os.strerror(e)))
        sys.exit(0 if e == 38 else 1)
    return r
desc = sys.argv[1].encode()
sc(250, L(1), None)  # KEYCTL_JOIN_SESSION_KEYRING, anonymous
sc(250, L(8), L(-4), L(-3))  # KEYCTL_LINK(@u, @s)
key = sc(248, b'user', desc, b'secret-payload', L(14), L(-4))  # add_key(.., @u)
u, us = (sc(250, L(0), L(k), L(1)) for k in (-4, -5))  # KEYCTL_GET_KEYRING_ID
os.environ.update(JT_KEY=str(key), JT_U=str(u), JT_US=str(us), JT_DESC=sys.argv[1])
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode())
buf = ctypes.create_string_buffer(64)
n = sc(250, L(11), L(key), buf, L(64))  # KEYCTL_READ
print('AFTER', buf.raw[:n].decode())
planted = libc.syscall(L(250), L(10), L(u), b'user', desc + b'-planted', L(0))
print('PLANTED', 'yes' if planted >= 0 else 'no')
for k in (key, planted):
    if k >= 0:
        libc.syscall(L(250), L(9), L(k), L(u))  # KEYCTL_UNLINK
"#;

/// Python run as COMMAND: reaches the caller's `@u` and `@us` by id (from
/// a new session keyring of its own with argv[1] `join`, as jail gives
/// COMMAND), then reads and updates the caller's key and plants one.
const USER_KEYRING_INNER_PY: &str = r#"
if sys.argv[1:] == ['join']:
    sc(250, L(1), None)
key, u, us = (int(os.environ[k]) for k in ('JT_KEY', 'JT_U', 'JT_US'))
print('LINK-U', sc(250, L(8), L(u), L(-3))[1])
print('LINK-US', sc(250, L(8), L(us), L(-3))[1])
buf = ctypes.create_string_buffer(64)
r, e = sc(250, L(11), L(key), buf, L(64))
print('READ', e, buf.raw[:r].decode() if r > 0 else '-')
print('UPDATE', sc(250, L(2), L(key), b'pwned', L(5))[1])
planted = (os.environ['JT_DESC'] + '-planted').encode()
print('ADD-U', sc(248, b'user', planted, b'x', L(1), L(u))[1])
"#;

/// Run USER_KEYRING_INNER_PY as `jail ARGS -- python3`, or without jail
/// in a new session keyring when `args` is None. None: no keyrings here.
fn user_keyring_attack(args: Option<&[&str]>) -> Option<String> {
    let mut c = as_user("python3");
    c.args(["-c", USER_KEYRING_OUTER_PY, &unique("jailtest-u")]);
    if let Some(args) = args {
        c.arg(bin()).args(args).arg("--");
    }
    c.args(["python3", "-c", &format!("{PY_SC}{USER_KEYRING_INNER_PY}")]);
    if args.is_none() {
        c.arg("join");
    }
    let out = ok(&run(c));
    (out != "NOKEYS\n").then_some(out)
}

/// `jail ARGS`: COMMAND cannot reach the caller's user keyrings by id (shared
/// with subids.rs, which runs it with --map-auto).
pub(crate) fn user_keyrings_are_unreachable_under(args: &[&str]) {
    let out = user_keyring_attack(Some(args)).expect("keyrings vanished");
    assert_eq!(
        out,
        "LINK-U ENOSYS\nLINK-US ENOSYS\nREAD ENOSYS -\nUPDATE ENOSYS\nADD-U ENOSYS\n\
         AFTER secret-payload\nPLANTED no\n",
        "jail {args:?}"
    );
}

#[test]
fn command_cannot_reach_the_callers_user_keyring_by_id() {
    if !cfg!(target_arch = "x86_64") {
        skip!("the test's system call numbers are x86_64's");
    }
    need!("python3");
    // Control: a new session keyring of its own (what jail gave COMMAND
    // before the filter) does not stop a process of the caller's uid.
    let Some(out) = user_keyring_attack(None) else {
        skip!("this kernel has no keyrings (CONFIG_KEYS)");
    };
    assert_eq!(
        out,
        "LINK-U OK\nLINK-US OK\nREAD OK secret-payload\nUPDATE OK\nADD-U OK\n\
         AFTER pwned\nPLANTED yes\n",
        "control"
    );
    for args in [
        &[][..],
        &["--pid"],
        &["-r"],
        &["--ro"],
        &["--as-pid-1", "--net"],
        &["-r", "--pid", "--ro"],
    ] {
        user_keyrings_are_unreachable_under(args);
    }
    // A jail inside the jail finds keyctl(2) refused, skips its own
    // session keyring and says so.
    let inner = bin().to_str().unwrap();
    for outer in [&["--pid"][..], &["-r"]] {
        let mut a = outer.to_vec();
        a.extend(["--", inner, "-v", "--pid", "--", "echo", "inner ran"]);
        let out = jail_run(&a);
        assert_eq!(ok(&out), "inner ran\n", "jail {a:?}");
        let err = stderr(&out);
        assert!(err.contains("jail: no keyctl(2) here"), "jail {a:?}: {err}");
    }
}

// ---------------------------------------------------------------------------
// Root inside cannot undo the view jail built (locked mounts).

/// Every way to undo a mount that root in the mount namespace's owner has:
/// remount each mount read-write (bind remount, which keeps the rest),
/// clear the read-only flag recursively with mount_setattr(2), move each
/// mount away, and unmount each but `/` (lazily), last mounted first. Then try to
/// write ARGV[1] and read ARGV[2]; prints WROTE / READ: and what it got.
const UNDO_VIEW: &str = r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND, MS_MOVE, MNT_DETACH = 32, 4096, 8192, 2
class Attr(ctypes.Structure):
    _fields_ = [("set", ctypes.c_uint64), ("clr", ctypes.c_uint64),
                ("prop", ctypes.c_uint64), ("userns", ctypes.c_uint64)]
def mounts():
    return [l.split()[4] for l in open('/proc/self/mountinfo')]
for m in mounts():
    libc.mount(b"none", m.encode(), None, MS_REMOUNT | MS_BIND, None)
    attr = Attr(0, 1, 0, 0)
    libc.syscall(442, -100, m.encode(), 0x8000, ctypes.byref(attr), 32)
os.makedirs('/tmp/jail-undo-target', exist_ok=True) if os.access('/tmp', os.W_OK) else None
for m in reversed(mounts()):
    if m != '/':
        libc.mount(m.encode(), b'/tmp/jail-undo-target', None, MS_MOVE, None)
for _ in range(3):
    for m in reversed(mounts()):
        if m != '/':
            libc.umount2(m.encode(), MNT_DETACH)
try:
    open(sys.argv[1], 'w').write('x')
    print('WROTE')
except OSError as e:
    print('write:', e)
try:
    print('READ:' + open(sys.argv[2]).read())
except OSError as e:
    print('read:', e)
"#;

#[test]
fn root_inside_cannot_undo_the_view() {
    need!("python3");
    let tmp = TempDir::new();
    let d = tmp.path().to_str().unwrap().to_string();
    // Secrets under --hide (a directory and a file) and under a --tmpfs.
    for dir in ["hidden", "covered", "src"] {
        mkdir_mode(&tmp.join(dir), 0o777);
    }
    write_mode(&tmp.join("hidden/secret"), "SECRET-DIR", 0o644);
    write_mode(&tmp.join("hidden.txt"), "SECRET-FILE", 0o644);
    write_mode(&tmp.join("covered/secret"), "SECRET-TMPFS", 0o644);
    mkdir_mode(&tmp.join("dst"), 0o777);

    let map_auto = crate::subids::ready();
    let mut roots: Vec<&str> = vec!["-r"];
    match &map_auto {
        Ok(()) => roots.push("--map-auto"),
        Err(why) => eprintln!("SKIP part of root_inside_cannot_undo_the_view: --map-auto: {why}"),
    }
    if map_auto.is_err() && std::env::var_os("JAIL_TEST_REQUIRE_ALL").is_some() {
        panic!("required --map-auto case skipped: {map_auto:?}");
    }
    for root in roots {
        // (options, file COMMAND must not be able to write, file it must
        // not be able to read)
        let hide_dir = format!("{d}/hidden");
        let hide_file = format!("{d}/hidden.txt");
        let tmpfs = format!("{d}/covered");
        let ro_bind = format!("{d}/src:{d}/dst");
        let ro_file = format!("0:{d}/covered/conf");
        let mut empty_root = EMPTY_ROOT_USR.to_vec();
        empty_root.push("--ro");
        let cases: Vec<(Vec<&str>, String, String)> = vec![
            (
                vec!["--tmpfs", &tmpfs, "--ro-file", &ro_file],
                format!("{d}/covered/conf"),
                format!("{d}/covered/secret"),
            ),
            (empty_root, "/owned".to_string(), format!("{d}/none")),
            (vec!["--ro"], format!("{d}/owned"), format!("{d}/none")),
            (
                vec!["--ro", "--pid", "--hide", &hide_dir],
                format!("{d}/owned"),
                format!("{d}/hidden/secret"),
            ),
            (
                vec!["--hide", &hide_file, "--ro"],
                format!("{d}/owned"),
                hide_file.clone(),
            ),
            (
                vec!["--tmpfs", &tmpfs],
                format!("{d}/none/x"),
                format!("{d}/covered/secret"),
            ),
            (
                vec!["--ro-bind", &ro_bind],
                format!("{d}/dst/owned"),
                format!("{d}/none"),
            ),
        ];
        for (opts, target, secret) in cases {
            let mut args = vec![root];
            args.extend(&opts);
            args.extend(["--", "python3", "-c", UNDO_VIEW, &target, &secret]);
            let out = jail_run(&args);
            let text = stdout(&out);
            assert!(
                text.starts_with("write: "),
                "jail {root} {opts:?}: the attack did not run: {text}{}",
                stderr(&out)
            );
            assert!(
                !text.contains("WROTE") && !text.contains("READ:SECRET"),
                "jail {root} {opts:?}: the view was undone: {text}{}",
                stderr(&out)
            );
            assert!(
                !std::path::Path::new(&target).exists() && !tmp.join("src/owned").exists(),
                "jail {root} {opts:?}: wrote to the host"
            );
        }
    }
}

#[test]
fn root_inside_still_mounts_its_own_and_nests() {
    let tmp = TempDir::new();
    let m = tmp.join("m");
    mkdir_mode(&m, 0o777);
    let m = m.to_str().unwrap();
    let jail_bin = bin().to_str().unwrap();
    // Its own tmpfs on a path of the view: mounted, written, made
    // read-only, unmounted again.
    let own = format!(
        "mount -t tmpfs own {m} && echo hi > {m}/f && mount -o remount,ro,bind {m} && \
         ! touch {m}/g 2>/dev/null && umount {m} && [ ! -e {m}/f ] && echo OWN-OK"
    );
    for opts in [&["-r", "--ro"][..], &["-r", "--pid", "--dev"]] {
        let out = jail_sh(opts, &own);
        assert!(
            stdout(&out).contains("OWN-OK"),
            "{opts:?}: {}",
            stderr(&out)
        );
    }
    // A jail inside the locked jail, with every namespace and a view.
    let nested = format!(
        "{jail_bin} --all --ro --tmpfs /tmp -- sh -c 'echo in > /tmp/f && cat /tmp/f && hostname'"
    );
    for opts in [&["-r", "--ro", "--pid"][..], &["-r", "--all", "--dev"]] {
        let out = jail_sh(opts, &nested);
        assert_eq!(
            stdout(&out).lines().next(),
            Some("in"),
            "{opts:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        std::fs::read_dir(m).unwrap().next().is_none(),
        "wrote to the host"
    );
}

// ---------------------------------------------------------------------------
// Mount points: jail never creates one through a symlink nor outside
// --root, and an existing one that is a symlink is followed inside the
// jail's view (bubblewrap's behaviour).

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `jail ARGS -- ECHO 'COMMAND ran'`, which must be refused before COMMAND runs, for a
/// destination that goes through a symlink; `made` lists what it made
/// where it must not (checked first).
#[track_caller]
fn refused_through_symlink(args: &[&str], echo: &str, made: impl Fn() -> Vec<String>) {
    let mut a = args.to_vec();
    a.extend(["--", echo, "COMMAND ran"]);
    let out = jail_run(&a);
    assert_eq!(made(), Vec::<String>::new(), "jail {args:?} made these");
    let err = fails(&out, 125, "goes through a symlink");
    assert!(err.contains(args[args.len() - 1]), "jail {args:?}: {err}");
    assert_eq!(stdout(&out), "", "jail {args:?}");
}

#[test]
fn root_image_symlinks_cannot_aim_mount_points_outside_the_root() {
    need!("busybox");
    let tmp = TempDir::new();
    let root = busybox_root(&tmp);
    let r = s(&root);
    let planted = user_dir(&tmp.join("planted"));
    let srcdir = user_dir(&tmp.join("srcdir"));
    let srcfile = user_file(&tmp.join("srcfile"), "src\n");
    // The image's /etc is an absolute symlink to a directory of the
    // caller's, and /up a relative one that climbs out of the image (into
    // the test's directory, which everyone may write).
    std::os::unix::fs::symlink(&planted, root.join("etc")).unwrap();
    std::os::unix::fs::symlink("..", root.join("up")).unwrap();
    let made = || {
        let mut v = entries(&planted);
        for name in ["t", "f", "d"] {
            if tmp.join(name).exists() {
                v.push(format!("../{name}"));
            }
        }
        v
    };
    let cases: Vec<Vec<String>> = vec![
        vec!["--bind".into(), format!("{}:/etc/hostname", s(&srcfile))],
        vec!["--ro-bind".into(), format!("{}:/etc/passwd", s(&srcfile))],
        vec!["--bind".into(), format!("{}:/etc/d", s(&srcdir))],
        vec!["--tmpfs".into(), "/etc/t".into()],
        vec!["--tmpfs".into(), "/up/t".into()],
        vec!["--bind".into(), format!("{}:/up/f", s(&srcfile))],
        vec!["--ro-bind".into(), format!("{}:/up/d/e", s(&srcdir))],
    ];
    for case in &cases {
        let mut args = vec!["--root", r];
        args.extend(case.iter().map(String::as_str));
        refused_through_symlink(&args, "/bin/busybox", made);
    }
    // --dev in an image whose /dev is such a symlink.
    std::fs::remove_dir(root.join("dev")).unwrap();
    std::os::unix::fs::symlink(&planted, root.join("dev")).unwrap();
    refused_through_symlink(&["--root", r, "--dev"], "/bin/busybox", made);
}

#[test]
fn symlinks_left_in_a_rw_dir_cannot_aim_later_mount_points() {
    let tmp = TempDir::new();
    let w = user_dir(&tmp.join("project"));
    let out = user_dir(&tmp.join("outside"));
    let src = user_file(&tmp.join("src"), "src\n");
    let srcdir = user_dir(&tmp.join("srcdir"));
    // An earlier jailed run leaves symlinks in its --rw directory.
    let plant = format!(
        "ln -s {o}/f {w}/f && ln -s {o} {w}/sub && echo planted",
        o = s(&out),
        w = s(&w)
    );
    assert_eq!(ok(&jail_sh(&["--ro", "--rw", s(&w)], &plant)), "planted\n");
    for (opt, arg) in [
        ("--ro-bind", format!("{}:{}/f", s(&src), s(&w))),
        ("--bind", format!("{}:{}/sub/g", s(&src), s(&w))),
        ("--bind", format!("{}:{}/sub/d", s(&srcdir), s(&w))),
        ("--tmpfs", format!("{}/sub/t", s(&w))),
    ] {
        refused_through_symlink(&["--ro", "--rw", s(&w), opt, &arg], "echo", || {
            entries(&out)
        });
    }
}

#[test]
fn another_users_symlink_in_tmp_cannot_aim_a_mount_point() {
    // A world-writable sticky directory, like /tmp, where another user
    // (root here, which also owns the directory, so that
    // fs.protected_symlinks lets the link be followed) left a symlink to
    // the victim's home.
    let shared = TempDir::new();
    let homes = TempDir::new();
    let victim = user_dir(&homes.join("victim"));
    let link = shared.join("x");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let src = user_file(&homes.join("src"), "src\n");
    for (opt, arg) in [
        ("--tmpfs", format!("{}/d", s(&link))),
        ("--bind", format!("{}:{}/f", s(&src), s(&link))),
    ] {
        refused_through_symlink(&[opt, &arg], "echo", || entries(&victim));
    }
}

/// The pid of a child of `pid`, if it has one yet.
fn child_of(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .is_ok_and(|s| !s.trim().is_empty())
}

#[test]
fn symlink_planted_after_the_parent_checked_is_refused_by_the_child() {
    crate::need_debug_hook!("JAIL_TEST_PAUSE_CHILD_MS");
    let tmp = TempDir::new();
    let w = user_dir(&tmp.join("project"));
    let out = user_dir(&tmp.join("outside"));
    let src = user_file(&tmp.join("src"), "src\n");
    let mark = w.join("ran");
    // A jailed process of an earlier run plants the link once jail checked
    // the destination, while its child waits (a directory on the way, or
    // the file itself, dangling).
    for (opt, arg, link, target) in [
        (
            "--tmpfs",
            format!("{}/new/d", s(&w)),
            w.join("new"),
            out.clone(),
        ),
        (
            "--ro-bind",
            format!("{}:{}/f", s(&src), s(&w)),
            w.join("f"),
            out.join("f"),
        ),
    ] {
        let mut c = jail([opt, arg.as_str(), "--", "touch", s(&mark)]);
        c.env("JAIL_TEST_PAUSE_CHILD_MS", "1000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = c.spawn().unwrap();
        let pid = child.id();
        assert!(
            wait_until(Duration::from_secs(5), || child_of(pid)),
            "jail {opt} {arg}: no child"
        );
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let o = wait_output(child, Duration::from_secs(30));
        fails(&o, 125, "goes through a symlink");
        assert!(stderr(&o).contains(opt), "{}", stderr(&o));
        assert!(!mark.exists(), "jail {opt} {arg}: COMMAND ran");
        assert_eq!(
            entries(&out),
            Vec::<String>::new(),
            "jail {opt} {arg}: made through a symlink planted after the check"
        );
    }
}

#[test]
fn mounts_onto_existing_symlinks_land_on_their_targets_inside_the_root() {
    need!("busybox");
    let tmp = TempDir::new();
    // An image of the caller's own (as an unpacked one is).
    let root = user_dir(&busybox_root(&tmp));
    let r = s(&root);
    user_dir(&root.join("realdir"));
    user_file(&root.join("realfile"), "image\n");
    // Absolute links name places of the image, not of the host.
    std::os::unix::fs::symlink("/realdir", root.join("linkdir")).unwrap();
    std::os::unix::fs::symlink("/realfile", root.join("linkfile")).unwrap();
    std::os::unix::fs::symlink("realdir", root.join("reldir")).unwrap();
    let srcdir = user_dir(&tmp.join("srcdir"));
    user_file(&srcdir.join("from-host"), "");
    let srcfile = user_file(&tmp.join("srcfile"), "host\n");
    let mut failed = Vec::new();
    // bubblewrap's own cases: a bind onto a symlink to a directory, and to
    // a file; the target shows the source, through either name.
    for (opt, src, dst, cmd, want) in [
        ("--bind", &srcdir, "/linkdir", "ls /realdir", "from-host\n"),
        (
            "--ro-bind",
            &srcdir,
            "/reldir",
            "ls /realdir",
            "from-host\n",
        ),
        (
            "--bind",
            &srcfile,
            "/linkfile",
            "cat /realfile /linkfile",
            "host\nhost\n",
        ),
    ] {
        let bind = format!("{}:{dst}", s(src));
        let out = jail_run(&[
            "--root",
            r,
            opt,
            &bind,
            "--",
            "/bin/busybox",
            "sh",
            "-c",
            cmd,
        ]);
        if !out.status.success() || stdout(&out) != want {
            failed.push(format!("jail {opt} {bind}: {cmd}: {out:?}"));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(
        std::fs::read_to_string(root.join("realfile")).unwrap(),
        "image\n"
    );
    assert!(!Path::new("/realdir").exists() && !Path::new("/realfile").exists());
}

#[test]
fn hide_and_rw_through_a_symlink_stay_inside_the_root() {
    need!("busybox");
    let tmp = TempDir::new();
    let root = busybox_root(&tmp);
    let r = s(&root);
    // A directory of the host, and the image's own at the same path.
    let host = user_dir(&tmp.join("data"));
    user_file(&host.join("host-file"), "host\n");
    let image = user_dir(&root.join(host.strip_prefix("/").unwrap()));
    user_file(&image.join("secret"), "image secret\n");
    std::os::unix::fs::symlink(&host, root.join("s")).unwrap();
    // --hide /s hides what /s is in the jail: the image's directory.
    let out = jail_run(&[
        "--root",
        r,
        "--hide",
        "/s",
        "--",
        "/bin/busybox",
        "ls",
        "-A",
        "/s/",
    ]);
    assert_eq!(ok(&out), "", "--root --hide /s (a symlink): still shows");
    // --rw /s under --ro: writes land in the image's directory.
    let out = jail_run(&[
        "--root",
        r,
        "--ro",
        "--rw",
        "/s",
        "--",
        "/bin/busybox",
        "touch",
        "/s/new",
    ]);
    ok(&out);
    assert!(
        image.join("new").exists(),
        "--rw /s: not in the image's dir"
    );
    assert!(
        !host.join("new").exists(),
        "--rw /s: written on the host's dir"
    );
}

// ---------------------------------------------------------------------------
// `--rw PATH` never undoes a --hide, --tmpfs or --bind at or beneath
// PATH, whatever the order on the command line.

/// One option against `--rw W`, and what the jail must show.
struct Against<'a> {
    opt: &'a str,
    arg: String,
    /// The directory listed inside, and what it shows.
    list: String,
    shows: &'a str,
    /// A file written inside, whether that works, and the host path that
    /// write must not reach.
    file: String,
    writes: bool,
    not_on_host: PathBuf,
    /// Whether W/y can be written inside, and whether that lands in the
    /// host's W.
    w_writes: bool,
    w_on_host: bool,
}

#[test]
fn hide_tmpfs_and_binds_win_over_rw_in_every_order() {
    let tmp = TempDir::new();
    let w = user_dir(&tmp.join("w"));
    let sub = user_dir(&w.join("sub"));
    user_file(&sub.join("key"), "secret\n");
    user_file(&w.join("file"), "f\n");
    let x = user_dir(&tmp.join("x"));
    user_file(&x.join("fromx"), "x\n");
    let ws = s(&w).to_string();
    let subs = s(&sub).to_string();
    let case =
        |opt, arg: &str, list: &str, shows, writes, not_on_host: PathBuf, w_writes, w_on_host| {
            Against {
                opt,
                arg: arg.to_string(),
                list: list.to_string(),
                shows,
                file: format!("{list}/x"),
                writes,
                not_on_host,
                w_writes,
                w_on_host,
            }
        };
    let on_w = format!("{}:{ws}", s(&x));
    let on_sub = format!("{}:{subs}", s(&x));
    let cases = [
        case("--hide", &ws, &ws, "", false, w.join("x"), false, false),
        case("--hide", &subs, &subs, "", false, sub.join("x"), true, true),
        case(
            "--ro-bind",
            &on_sub,
            &subs,
            "fromx",
            false,
            x.join("x"),
            true,
            true,
        ),
        case(
            "--ro-bind",
            &on_w,
            &ws,
            "fromx",
            false,
            x.join("x"),
            false,
            false,
        ),
        case("--tmpfs", &ws, &ws, "", true, w.join("x"), true, false),
        case("--tmpfs", &subs, &subs, "", true, sub.join("x"), true, true),
        case(
            "--bind",
            &on_w,
            &ws,
            "fromx",
            true,
            w.join("x"),
            true,
            false,
        ),
    ];
    let script = r#"echo "[$(ls -A "$1" | tr '\n' ' ')]"
if (echo x > "$2") 2>/dev/null; then echo written; else echo refused; fi
if (echo y > "$3/y") 2>/dev/null; then echo rw; else echo ro; fi"#;
    let mut failed = Vec::new();
    for c in &cases {
        for rw_first in [false, true] {
            for ro in [false, true] {
                let mut args: Vec<&str> = Vec::new();
                if ro {
                    args.push("--ro");
                }
                if rw_first {
                    args.extend(["--rw", &ws]);
                }
                args.extend([c.opt, &c.arg]);
                if !rw_first {
                    args.extend(["--rw", &ws]);
                }
                let mut cmd = jail(&args);
                cmd.args(["--", "sh", "-c", script, "sh", &c.list, &c.file, &ws]);
                let out = ok(&run(cmd));
                let shown = if c.shows.is_empty() {
                    "[]".to_string()
                } else {
                    format!("[{} ]", c.shows)
                };
                let want = format!(
                    "{shown}\n{}\n{}\n",
                    if c.writes { "written" } else { "refused" },
                    if c.w_writes { "rw" } else { "ro" }
                );
                if out != want {
                    failed.push(format!("jail {args:?}: got {out:?}, want {want:?}"));
                }
                if c.not_on_host.exists() {
                    failed.push(format!(
                        "jail {args:?}: wrote {:?} on the host",
                        c.not_on_host
                    ));
                    let _ = std::fs::remove_file(&c.not_on_host);
                }
                if c.opt == "--bind" && !x.join("x").exists() {
                    failed.push(format!("jail {args:?}: the write missed the bind source"));
                }
                if c.w_writes && w.join("y").exists() != c.w_on_host {
                    failed.push(format!("jail {args:?}: W/y on the host: {}", !c.w_on_host));
                }
                for f in [x.join("x"), x.join("y"), w.join("y")] {
                    let _ = std::fs::remove_file(f);
                }
            }
        }
    }
    assert_eq!(
        entries(&sub),
        ["key"],
        "the hidden directory changed on the host"
    );
    assert_eq!(
        entries(&w),
        ["file", "sub"],
        "the --rw directory changed on the host"
    );
    assert_eq!(
        entries(&x),
        ["fromx"],
        "the bind source changed on the host"
    );
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---------------------------------------------------------------------------
// The caller's service sockets under --ro (issue 6).

/// A directory outside /tmp (the recipe's `--tmpfs /tmp` would hide one
/// there on any jail) owned by the test user, mode 0700, removed on drop.
struct UserDir(std::path::PathBuf);

impl UserDir {
    fn new(prefix: &str) -> UserDir {
        let p = std::path::Path::new("/var/tmp").join(unique(prefix));
        mkdir_mode(&p, 0o700);
        if is_root() {
            std::os::unix::fs::chown(&p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        UserDir(p)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
    fn join(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for UserDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Answers "hello" on every connection to the unix socket argv[1].
const SERVE_PY: &str = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b'hello\n')
    c.close()
"#;

/// Connects to each socket in argv and prints what it got, or the errno.
const CONNECT_PY: &str = r#"
import socket, sys, errno
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(p)
        print(s.recv(16).decode().strip())
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
"#;

/// Start a SERVE_PY server at `path` with `cmd` (python3 or a jail), once
/// it listens.
fn serve(mut cmd: Command, path: &str) -> Reaped {
    cmd.args(["python3", "-c", SERVE_PY, path])
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let child = Reaped(child);
    assert_eq!(line, "ready\n", "server at {path} did not start");
    child
}

/// The harness's environment plus the caller's service variables.
fn with_env(mut c: Command, env: &[(&str, &str)]) -> Command {
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// What connecting to each of `socks` from `jail ARGS` gives: "hello" or
/// an errno name.
fn reach(env: &[(&str, &str)], args: &[&str], socks: &[&str]) -> Vec<String> {
    let mut a = args.to_vec();
    a.extend(["--", "python3", "-c", CONNECT_PY]);
    a.extend(socks);
    let out = ok(&run(with_env(jail(&a), env)));
    out.lines().map(str::to_string).collect()
}

#[test]
fn ro_cuts_the_callers_service_sockets() {
    need!("python3");
    let rt = UserDir::new("jail-rt");
    let agent_dir = UserDir::new("jail-ssh");
    let bus_dir = UserDir::new("jail-dbus");
    let gpg_dir = UserDir::new("jail-gnupg");
    let (bus, pulse) = (rt.join("bus"), rt.join("pulse"));
    let agent = agent_dir.join("agent.1");
    let dbus = bus_dir.join("system_bus_like");
    let gpg = gpg_dir.join("S.gpg-agent");
    let _servers = [
        serve(as_user("env"), &bus),
        serve(as_user("env"), &pulse),
        serve(as_user("env"), &gpg),
        // Served from another network namespace: sock_diag does not list
        // them, only the environment names them.
        serve(jail(["--net", "--", "env"]), &agent),
        serve(jail(["--net", "--", "env"]), &dbus),
    ];
    let dbus_addr = format!("unix:path={dbus},guid=0123");
    let env = [
        ("XDG_RUNTIME_DIR", rt.path().to_string()),
        ("SSH_AUTH_SOCK", agent.clone()),
        ("DBUS_SESSION_BUS_ADDRESS", dbus_addr),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let socks = [&*bus, &*pulse, &*agent, &*dbus, &*gpg];
    let hello = |v: &[String]| v.iter().map(|s| s == "hello").collect::<Vec<_>>();
    let recipe = ["--ro", "--rw", ".", "--tmpfs", "/tmp", "--net", "--pid"];

    // Without --ro (with or without other filesystem options) every
    // socket answers: the attack works and nothing changed.
    for args in [&[][..], &["--tmpfs", "/tmp"], &["--net", "--pid"]] {
        let got = reach(&env, args, &socks);
        assert_eq!(hello(&got), [true; 5], "jail {args:?}: {got:?}");
    }
    // Under --ro (and the hermetic recipe) none does.
    for args in [&["--ro"][..], &recipe] {
        let got = reach(&env, args, &socks);
        assert_eq!(hello(&got), [false; 5], "jail {args:?}: {got:?}");
    }
    // What the user names is let through, and only that.
    let cases: [(&str, [bool; 5]); 5] = [
        (&agent, [false, false, true, false, false]),
        (&gpg, [false, false, false, false, true]),
        (&bus, [true, false, false, false, false]),
        (rt.path(), [true, true, false, false, false]),
        (&dbus, [false, false, false, true, false]),
    ];
    for (path, want) in cases {
        let mut args = recipe.to_vec();
        args.extend(["--rw", path]);
        let got = reach(&env, &args, &socks);
        assert_eq!(hello(&got), want, "jail {args:?}: {got:?}");
    }

    // The runtime dir is private and writable; -v says what covers it.
    let script = format!("touch {rt}/made && ls {rt}", rt = rt.path());
    let out = run(with_env(
        jail(["-v", "--ro", "--", "sh", "-c", &script]),
        &env,
    ));
    assert_eq!(ok(&out).trim(), "made", "{out:?}");
    assert!(!rt.0.join("made").exists(), "the runtime dir is the host's");
    assert!(
        stderr(&out).contains("pathname unix sockets: covered by mounts"),
        "{}",
        stderr(&out)
    );
}

/// Kills the tmux server at the socket when dropped.
struct TmuxServer(String);

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = as_user("tmux")
            .args(["-S", &self.0, "kill-server"])
            .stderr(Stdio::null())
            .status();
    }
}

#[test]
fn ro_stops_the_tmux_attack() {
    need!("tmux");
    let rt = UserDir::new("jail-rt");
    let marks = UserDir::new("jail-marks");
    let sock = rt.join("tmux");
    let started = as_user("tmux")
        .env("SHELL", "/bin/sh")
        .args(["-S", &sock, "new-session", "-d", "-s", "jail", "sleep 600"])
        .status()
        .unwrap();
    let _server = TmuxServer(sock.clone());
    assert!(started.success(), "tmux server did not start");
    let env = [("XDG_RUNTIME_DIR", rt.path())];
    let attack = |args: &[&str], mark: &str| {
        let mut a = args.to_vec();
        let cmd = format!("touch {}", marks.join(mark));
        a.extend(["--", "tmux", "-S", &sock, "new-window", "-d", &cmd]);
        let out = run(with_env(jail(&a), &env));
        // tmux runs the window's command after the client returns; when
        // the client failed no window was made, and a short wait is enough.
        let limit = Duration::from_millis(if out.status.success() { 3000 } else { 300 });
        let made = wait_until(limit, || marks.0.join(mark).exists());
        (out, made)
    };
    // Without --ro the command runs outside the jail: the attack works.
    let (out, made) = attack(&["--net", "--pid"], "control");
    assert!(made, "the attack did not work without --ro: {out:?}");
    // From the hermetic recipe it cannot reach the server.
    let recipe = ["--ro", "--rw", ".", "--tmpfs", "/tmp", "--net", "--pid"];
    for (args, mark) in [(&recipe[..], "recipe"), (&["--ro"], "ro")] {
        let (out, made) = attack(args, mark);
        assert!(!made, "jail {args:?} ran a command outside: {out:?}");
        assert!(!out.status.success(), "jail {args:?}: {out:?}");
    }
    // Unless the user lets it through.
    let mut args = recipe.to_vec();
    args.extend(["--rw", &sock]);
    let (out, made) = attack(&args, "let-through");
    assert!(made, "--rw {sock} did not let tmux through: {out:?}");
}

// ---------------------------------------------------------------------------
// The hermetic recipe keeps COMMAND off the caller's IPC objects: --ro
// implies --ipc.

/// The hermetic recipe, run from `project` with `scratch` as its tmpfs
/// (the suite's TMPDIR is /tmp, which `--rw .` must not sit under).
fn hermetic(project: &TempDir, scratch: &str, argv: &[&str]) -> std::process::Output {
    let mut a = vec![
        "--ro", "--rw", ".", "--tmpfs", scratch, "--net", "--pid", "--",
    ];
    a.extend_from_slice(argv);
    let mut c = jail(&a);
    c.current_dir(project.path());
    run(c)
}

/// SysV IPC objects the test user made outside any jail, removed on drop.
struct SysvObjects(Vec<(&'static str, String)>);

impl SysvObjects {
    /// One shared memory segment (`m`), message queue (`q`) and semaphore
    /// set (`s`), each with the id `ipcmk` printed.
    fn create() -> SysvObjects {
        let mut v = Vec::new();
        for (kind, args) in [
            ("m", &["-M", "4096"][..]),
            ("q", &["-Q"]),
            ("s", &["-S", "1"]),
        ] {
            let mut c = as_user("ipcmk");
            c.args(args);
            let out = ok(&run(c));
            let id = out
                .trim()
                .rsplit(' ')
                .next()
                .filter(|id| id.parse::<u32>().is_ok())
                .unwrap_or_else(|| panic!("ipcmk {args:?}: {out:?}"))
                .to_string();
            v.push((kind, id));
        }
        SysvObjects(v)
    }

    /// Whether the test user, outside, still sees object `kind` `id`.
    fn exists(kind: &str, id: &str) -> bool {
        // ipcs -i exits 0 either way: a found object prints a header line
        // ending in shmid=ID, msqid=ID or semid=ID.
        let mut c = as_user("ipcs");
        c.args([&format!("-{kind}"), "-i", id]);
        let out = stdout(&run(c));
        let ends = ["shmid", "msqid", "semid"].map(|w| format!(" {w}={id}"));
        out.lines()
            .any(|l| ends.iter().any(|e| l.ends_with(e.as_str())))
    }

    /// Shell that prints `SEE-K` for each object it can stat and, with
    /// `remove`, `RM-K` for each it removed.
    fn probe(&self, remove: bool) -> String {
        let mut s = String::new();
        for (k, id) in &self.0 {
            s.push_str(&format!(
                "ipcs -{k} -i {id} 2>/dev/null | grep -Eq ' (shm|msq|sem)id={id}$' && echo SEE-{k}; "
            ));
            if remove {
                s.push_str(&format!("ipcrm -{k} {id} 2>/dev/null && echo RM-{k}; "));
            }
        }
        s
    }
}

impl Drop for SysvObjects {
    fn drop(&mut self) {
        for (k, id) in &self.0 {
            let mut c = as_user("ipcrm");
            c.args([&format!("-{k}"), id]);
            let _ = run(c);
        }
    }
}

#[test]
fn hermetic_recipe_cannot_touch_the_callers_sysv_ipc() {
    need!("ipcmk");
    need!("ipcs");
    need!("ipcrm");
    let objs = SysvObjects::create();
    let project = TempDir::new();
    let scratch = TempDir::new();
    let scratch = scratch.path().to_str().unwrap();
    // Control: sharing the caller's IPC namespace, COMMAND sees them all.
    let out = ok(&jail_sh(&["--net", "--pid"], &objs.probe(false)));
    for (k, _) in &objs.0 {
        assert!(out.contains(&format!("SEE-{k}")), "control: {out}");
    }
    // The recipe: nothing to see, nothing to remove; SysV IPC still works
    // inside (its own namespace), after the probes, whose ids a new object
    // could take. (Removed again: without the namespace it would be the
    // caller's.)
    let script = format!(
        "{} m=$(ipcmk -M 4096) && ipcrm -m \"${{m##* }}\" && echo INNER-OK",
        objs.probe(true)
    );
    let out = ok(&hermetic(&project, scratch, &["sh", "-c", &script]));
    assert!(out.contains("INNER-OK"), "SysV IPC broken inside: {out}");
    for (k, id) in &objs.0 {
        assert!(!out.contains(&format!("SEE-{k}")), "saw -{k} {id}: {out}");
        assert!(
            !out.contains(&format!("RM-{k}")),
            "removed -{k} {id}: {out}"
        );
        assert!(SysvObjects::exists(k, id), "-{k} {id} is gone: {out}");
    }
}

/// Python: `create NAME` makes a POSIX message queue, `unlink NAME`
/// removes it, `open NAME` prints whether it can open it, `probe NAME`
/// whether it can open and unlink it, `inner NAME` makes and unlinks one.
const MQ_PY: &str = r#"
import ctypes, os, sys, errno
libc = ctypes.CDLL(None, use_errno=True)
mode, name = sys.argv[1], sys.argv[2].encode()
def en(): return errno.errorcode.get(ctypes.get_errno(), '?')
def mq_open(flags):
    fd = libc.mq_open(name, ctypes.c_int(flags), ctypes.c_uint(0o600), None)
    return 'OK' if fd >= 0 else en()
def unlink(): return 'OK' if libc.mq_unlink(name) == 0 else en()
if mode == 'create':
    print('CREATE', mq_open(os.O_CREAT | os.O_EXCL | os.O_RDWR))
elif mode == 'unlink':
    print('UNLINK', unlink())
elif mode == 'open':
    print('OPEN', mq_open(os.O_RDWR))
elif mode == 'probe':
    print('OPEN', mq_open(os.O_RDWR))
    print('UNLINK', unlink())
else:
    print('INNER', mq_open(os.O_CREAT | os.O_EXCL | os.O_RDWR), unlink())
"#;

/// Python: create POSIX shared memory object NAME with shm_open (no
/// resource tracker, never unlinked), print CREATED, wait for a line on
/// stdin, exit.
const SHM_PY: &str = r#"
import os, sys, _posixshmem
fd = _posixshmem.shm_open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
os.write(fd, b"inner")
print("CREATED", flush=True)
sys.stdin.readline()
"#;

#[test]
fn ipc_keeps_posix_shared_memory_in_the_jail() {
    need!("python3");
    // The caller's own object, readable by its uid.
    let caller = Path::new("/dev/shm").join(unique("jail-shm-caller"));
    write_mode(&caller, "SECRET-SHM", 0o600);
    let (u, g) = user_ids();
    std::os::unix::fs::chown(&caller, Some(u), Some(g)).unwrap();
    struct Remove(PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _caller = Remove(caller.clone());
    let project = TempDir::new();
    let scratch = TempDir::new();
    let recipe = [
        "--ro",
        "--rw",
        project.path().to_str().unwrap(),
        "--tmpfs",
        scratch.path().to_str().unwrap(),
        "--net",
        "--pid",
    ];
    // Runs COMMAND's shm_open of a new object in `jail ARGS`, looks at
    // the host's /dev/shm while it runs and after: (saw the caller's
    // object, inner object on the host during, after).
    let attack = |args: &[&str]| -> (bool, bool, bool) {
        let name = unique("jail-shm-inner");
        let inner = Path::new("/dev/shm").join(&name);
        let _inner = Remove(inner.clone());
        let script = format!(
            "cat {} 2>/dev/null; echo; python3 -c '{}' /{name}",
            caller.display(),
            SHM_PY.replace('\'', "'\\''")
        );
        let mut a = args.to_vec();
        a.extend(["--", "sh", "-c", &script]);
        let mut c = jail(&a);
        c.current_dir(project.path());
        c.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut seen = String::new();
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 {
            seen.push_str(&line);
            if line.contains("CREATED") {
                break;
            }
            line.clear();
        }
        assert!(seen.contains("CREATED"), "jail {args:?}: {seen}");
        let during = inner.exists();
        drop(child.stdin.take());
        let status = child.wait().unwrap();
        assert!(status.success(), "jail {args:?}: {status:?}");
        (seen.contains("SECRET-SHM"), during, inner.exists())
    };
    // Without --ipc, /dev/shm is the caller's (documented): the attack
    // works, and the object stays behind.
    let (saw, during, after) = attack(&["--net", "--pid"]);
    assert!(saw && during && after, "control: {saw} {during} {after}");
    for args in [&["--ipc"][..], &["--all"], &["-r", "--ipc"], &recipe] {
        let (saw, during, after) = attack(args);
        assert!(!saw, "jail {args:?} read the caller's shared memory");
        assert!(
            !during,
            "jail {args:?}: COMMAND's shm object shows on the host"
        );
        assert!(
            !after,
            "jail {args:?}: COMMAND's shm object outlived the jail"
        );
    }
}

#[test]
fn hermetic_recipe_cannot_touch_the_callers_posix_mqueues() {
    need!("python3");
    let name = format!("/{}", unique("jail-mq"));
    let py = |mode: &str| {
        let mut c = as_user("python3");
        c.args(["-c", MQ_PY, mode, &name]);
        ok(&run(c))
    };
    let created = py("create");
    if created.contains("ENOSYS") {
        skip!("no POSIX message queues in this kernel: {created}");
    }
    assert_eq!(created.trim(), "CREATE OK");
    struct Unlink<'a>(&'a dyn Fn(&str) -> String);
    impl Drop for Unlink<'_> {
        fn drop(&mut self) {
            (self.0)("unlink");
        }
    }
    let _cleanup = Unlink(&py);
    let project = TempDir::new();
    let scratch = TempDir::new();
    let scratch = scratch.path().to_str().unwrap();
    // Control: the caller's IPC namespace (opening is harmless).
    let out = ok(&jail_run(&["--", "python3", "-c", MQ_PY, "open", &name]));
    assert!(out.contains("OPEN OK"), "control: {out}");
    let out = ok(&hermetic(
        &project,
        scratch,
        &["python3", "-c", MQ_PY, "probe", &name],
    ));
    assert!(out.contains("OPEN ENOENT"), "{out}");
    assert!(out.contains("UNLINK ENOENT"), "{out}");
    let out = ok(&hermetic(
        &project,
        scratch,
        &["python3", "-c", MQ_PY, "inner", &name],
    ));
    assert!(out.contains("INNER OK OK"), "mqueues broken inside: {out}");
    // Still there: creating it again fails.
    let again = py("create");
    assert!(again.contains("EEXIST"), "the queue is gone: {again}");
}

// ---------------------------------------------------------------------------
// jail's init and keeper hold no capabilities they do not use.

/// A copy of sleep(1) at a path holding a unique marker, so that
/// `cmdline_alive(&m.marker)` finds every process that runs it.
struct MarkedSleep {
    _dir: TempDir,
    path: String,
    marker: String,
}

impl Drop for MarkedSleep {
    /// Whatever a failed check left running goes too.
    fn drop(&mut self) {
        for pid in pids_with(&self.marker) {
            // SAFETY: kill takes no pointers.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// The live processes with `needle` in their command line.
fn pids_with(needle: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().parse::<i32>().ok()?;
            let c = std::fs::read(e.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&c).contains(needle).then_some(pid)
        })
        .collect()
}

fn marked_sleep() -> MarkedSleep {
    let dir = TempDir::new();
    let marker = unique("jail-orphan");
    let sleep = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join("sleep"))
        .find(|p| p.is_file())
        .expect("sleep");
    let path = dir.join(&marker);
    std::fs::copy(&sleep, &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    MarkedSleep {
        path: path.to_str().unwrap().to_string(),
        _dir: dir,
        marker,
    }
}

/// The value of `Name:` in /proc/PID/status text (hex for the capability
/// sets, decimal for NoNewPrivs: both parse the same for 0 and 1).
fn status_field(status: &str, name: &str) -> Option<u64> {
    let v = status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))?;
    u64::from_str_radix(v.trim(), 16).ok()
}

/// The --map-auto modes run when the jail user has subordinate ranges.
fn with_subid_modes<'a>(modes: &mut Vec<&'a [&'a str]>, extra: &[&'a [&'a str]]) -> Option<String> {
    match crate::subids::ready() {
        Ok(()) => {
            modes.extend_from_slice(extra);
            None
        }
        Err(why) => Some(why),
    }
}

#[test]
fn init_and_keeper_keep_no_capabilities() {
    const CAP_KILL: u64 = 1 << 5;
    let mut modes: Vec<&[&str]> = vec![&["--pid"], &["--pid", "-r"], &[], &["-r"]];
    let skipped = with_subid_modes(
        &mut modes,
        &[
            &["--map-auto"],
            &["--map-auto", "--uid", "1000"],
            &["--map-auto", "--uid", "1000", "--pid"],
        ],
    );
    for args in modes {
        // PID 1 with --pid; else the keeper, COMMAND's parent.
        let who = if args.contains(&"--pid") {
            "1"
        } else {
            "$PPID"
        };
        // CAP_KILL stays only where COMMAND's tree may run as another uid.
        let kill = if args.contains(&"--map-auto") {
            CAP_KILL
        } else {
            0
        };
        // COMMAND execs only once the init has dropped everything: the
        // first look finds nothing.
        let script = "grep -E '^(Cap|NoNewPrivs)' /proc/WHO/status; echo --; \
                      grep -E '^Cap' /proc/self/status"
            .replace("WHO", who);
        let out = ok(&jail_sh(args, &script));
        let (init, command) = out.split_once("--\n").unwrap();
        for (name, want) in [
            ("CapEff", kill),
            ("CapPrm", kill),
            ("CapInh", 0),
            ("CapAmb", 0),
            ("CapBnd", 0),
            ("NoNewPrivs", 1),
        ] {
            assert_eq!(
                status_field(init, name),
                Some(want),
                "jail {args:?}: {name} of jail's process {who}: {out}"
            );
        }
        // COMMAND keeps what it was given: the full set as root inside.
        let root = args == ["-r"] || args == ["--pid", "-r"] || args == ["--map-auto"];
        let eff = status_field(command, "CapEff");
        if root {
            assert_eq!(eff, status_field(command, "CapBnd"), "jail {args:?}: {out}");
            assert_ne!(eff, Some(0), "jail {args:?}: {out}");
        } else {
            assert_eq!(eff, Some(0), "jail {args:?}: {out}");
        }
    }
    if let Some(why) = skipped {
        skip!("--map-auto modes not run: {why}");
    }
}

/// Whether `cmd` (jail, COMMAND printing `ready` first) exits with `code`
/// when sent SIGTERM once it is ready; returns its stdout.
fn term_once_ready(mut cmd: Command, code: i32) -> String {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Reaped(cmd.spawn().unwrap());
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(first, "ready", "COMMAND did not start");
    // SAFETY: kill takes no pointers.
    unsafe { libc::kill(child.0.id() as i32, libc::SIGTERM) };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let st = child.0.wait().unwrap();
    assert_eq!(st.code(), Some(code), "{st:?}: {rest:?}");
    rest.join("\n")
}

#[test]
fn init_without_capabilities_still_supervises() {
    let mut modes: Vec<&[&str]> = vec![&[], &["--pid"], &["-r"], &["--pid", "-r"]];
    let skipped = with_subid_modes(
        &mut modes,
        &[
            &["--map-auto"],
            &["--map-auto", "--uid", "1000"],
            &["--map-auto", "--uid", "1000", "--pid"],
        ],
    );
    for args in modes {
        let s = marked_sleep();
        // A root COMMAND (--map-auto) starts one under another mapped uid.
        let other_uid = if args == ["--map-auto"] {
            need!("setpriv");
            format!(
                "setpriv --reuid 1000 --regid 1000 --clear-groups {} 30 & ",
                s.path
            )
        } else {
            String::new()
        };
        let tree = format!("{other_uid}{p} 30 & (setsid {p} 30 &); ", p = s.path);

        // --timeout: the whole tree ignores SIGTERM; SIGKILL ends it.
        let started = Instant::now();
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--timeout", "0.5", "--kill-after", "0.5"]);
        let script = format!("trap '' TERM; {tree} {} 30", s.path);
        let out = jail_sh(&a, &script);
        assert_eq!(out.status.code(), Some(124), "jail {a:?}: {out:?}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "jail {a:?}: took {:?}",
            started.elapsed()
        );
        assert!(!cmdline_alive(&s.marker), "jail {a:?}: the tree survived");

        // Leftovers: killed when COMMAND exits.
        let started = Instant::now();
        ok(&jail_sh(args, &format!("{tree} echo started")));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "jail {args:?}: took {:?}",
            started.elapsed()
        );
        assert!(
            !cmdline_alive(&s.marker),
            "jail {args:?}: leftovers survived"
        );

        // A signal sent to jail reaches COMMAND.
        let mut a: Vec<&str> = args.to_vec();
        let script = format!("trap 'echo got-term; exit 3' TERM; echo ready; {tree} wait");
        a.extend(["--", "sh", "-c", &script]);
        let rest = term_once_ready(jail(&a), 3);
        assert!(rest.contains("got-term"), "jail {args:?}: {rest}");
        assert!(
            !cmdline_alive(&s.marker),
            "jail {args:?}: leftovers survived"
        );
    }
    if let Some(why) = skipped {
        skip!("--map-auto modes not run: {why}");
    }
}

// ---------------------------------------------------------------------------
// Nothing COMMAND started outlives jail, even when the keeper is killed.

/// Python COMMAND: makes itself a subreaper, clears its parent-death
/// signal, starts argv[1] (a marked sleep, also in its own command line),
/// then SIGKILLs the keeper and sleeps on, all off jail's stdout.
const SUBREAPER_PY: &str = r#"
import ctypes, os, sys, time
null = os.open('/dev/null', os.O_RDWR)
for fd in (1, 2):
    os.dup2(null, fd)
libc = ctypes.CDLL(None)
libc.prctl(36, 1, 0, 0, 0)
libc.prctl(1, 0, 0, 0, 0)
if os.fork() == 0:
    os.execv(sys.argv[1], [sys.argv[1], '30'])
time.sleep(.2)
os.kill(os.getppid(), 9)
time.sleep(30)
"#;

#[test]
fn nothing_outlives_jail_when_the_keeper_is_killed() {
    use std::os::unix::process::ExitStatusExt;
    // COMMAND SIGKILLs the keeper: only with the Landlock scope off (or on
    // a kernel without it) can it signal a process outside the jail.
    let share = "--share-ipc-scope";
    let cases: &[(&[&str], &str)] = &[
        (&[share], "setsid {M} & sleep .2; kill -9 $PPID"),
        // Double fork and a session of its own.
        (&[share], "(setsid {M} &); sleep .2; kill -9 $PPID"),
        // The keeper is stopped first (jail continues it).
        (&[share], "{M} & kill -STOP $PPID; sleep .2; kill -9 $PPID"),
        (
            &[share, "--timeout", "30"],
            "setsid {M} & sleep .2; kill -9 $PPID",
        ),
        (
            &[share, "--new-session"],
            "setsid {M} & sleep .2; kill -9 $PPID",
        ),
    ];
    for (args, script) in cases {
        let s = marked_sleep();
        // The marked sleep does not hold jail's stdout: jail_sh returns
        // when jail does, whatever survived it.
        let script = script.replace("{M}", &format!("{} 30 >/dev/null 2>&1", s.path));
        let out = jail_sh(args, &script);
        assert_eq!(
            out.status.signal(),
            Some(9),
            "jail {args:?} {script}: {out:?}"
        );
        assert!(
            !cmdline_alive(&s.marker),
            "jail {args:?} {script}: a process outlived jail"
        );
    }

    // COMMAND is a subreaper that survives the keeper's death.
    if have("python3") {
        let s = marked_sleep();
        let out = jail_run(&[share, "--", "python3", "-c", SUBREAPER_PY, &s.path]);
        assert_eq!(out.status.signal(), Some(9), "subreaper COMMAND: {out:?}");
        assert!(
            !cmdline_alive(&s.marker),
            "subreaper COMMAND: a process outlived jail"
        );
    }

    // Somebody else kills the keeper (no opt-out needed), also when the
    // tree runs as another uid; and with --pid, the init: there the kernel
    // ends the namespace.
    let mut modes: Vec<&[&str]> = vec![&[], &["--pid"]];
    let skipped = with_subid_modes(&mut modes, &[&["--map-auto", "--uid", "1000"]]);
    for args in modes {
        let s = marked_sleep();
        let script = format!(
            "setsid {p} 30 >/dev/null 2>&1 & echo ready; {p} 30",
            p = s.path
        );
        let mut a = args.to_vec();
        a.extend(["--", "sh", "-c", &script]);
        let mut c = jail(&a);
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = Reaped(c.spawn().unwrap());
        let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
        let ready = lines.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(ready, "ready", "jail {args:?}");
        let jail_pid = child.0.id();
        let keeper: i32 =
            std::fs::read_to_string(format!("/proc/{jail_pid}/task/{jail_pid}/children"))
                .unwrap()
                .split_whitespace()
                .next()
                .and_then(|p| p.parse().ok())
                .expect("the keeper");
        // SAFETY: kill takes no pointers.
        unsafe { libc::kill(keeper, libc::SIGKILL) };
        let st = child.0.wait().unwrap();
        assert_eq!(st.signal(), Some(9), "jail {args:?}: {st:?}");
        assert!(
            !cmdline_alive(&s.marker),
            "jail {args:?}: a process outlived jail"
        );
    }

    // Only the jail's: jail exec'd by a shell with a background job has
    // that child too, and leaves it alone.
    let s = marked_sleep();
    let script = format!(
        "{p} 30 >/dev/null 2>&1 & exec {jail} {share} -- sh -c 'sleep .2; kill -9 $PPID'",
        p = s.path,
        jail = bin().display()
    );
    let mut c = as_user("sh");
    c.args(["-c", &script]);
    let out = run(c);
    assert_eq!(out.status.signal(), Some(9), "{out:?}");
    assert!(
        cmdline_alive(&s.marker),
        "jail killed a process it did not start"
    );
    if let Some(why) = skipped {
        skip!("--map-auto mode not run: {why}");
    }
}

#[test]
fn symlinks_in_a_bound_dir_cannot_aim_what_empty_root_or_a_tmpfs_makes() {
    let tmp = TempDir::new();
    let w = user_dir(&tmp.join("w"));
    let planted = user_dir(&tmp.join("planted"));
    let src = user_file(&tmp.join("src"), "src\n");
    // What COMMAND of an earlier jail could leave in its writable directory.
    std::os::unix::fs::symlink(&planted, w.join("out")).unwrap();
    std::os::unix::fs::symlink("..", w.join("up")).unwrap();
    let made = || {
        let mut v = entries(&planted);
        v.extend(
            entries(tmp.path())
                .into_iter()
                .filter(|n| !["w", "planted", "src"].contains(&n.as_str())),
        );
        v.extend(
            entries(&w)
                .into_iter()
                .filter(|n| !["out", "up"].contains(&n.as_str())),
        );
        v
    };
    let bind_w = format!("{}:/w", s(&w));
    let bind_src = |dst: &str| format!("{}:{dst}", s(&src));
    // Mount destinations in the empty root through the planted symlinks:
    // the child refuses them (resolved in the root, made with no symlink).
    for case in [
        vec!["--tmpfs".to_string(), "/w/out/t".into()],
        vec!["--tmpfs".into(), "/w/up/t".into()],
        vec!["--bind".into(), bind_src("/w/out/f")],
        vec!["--ro-bind".into(), bind_src("/w/up/planted/g")],
        vec!["--dev".into()],
    ] {
        let mut args = vec!["--empty-root", "--bind", &bind_w];
        if case[0] == "--dev" {
            // /dev as a symlink into the bound directory.
            args.extend(["--symlink", "/w/out:/dev"]);
        }
        args.extend(case.iter().map(String::as_str));
        refused_through_symlink(&args, "/usr/bin/echo", made);
    }
    // Entries in a tmpfs through a symlink jail made to the caller's files.
    let to_planted = format!("{}:/mnt/l", s(&planted));
    for last in [
        ["--dir", "/mnt/l/d"],
        ["--file", "0:/mnt/l/f"],
        ["--symlink", "x:/mnt/l/s"],
    ] {
        let mut args = vec!["--tmpfs", "/mnt", "--symlink", &to_planted];
        args.extend(last);
        refused_through_symlink(&args, "/usr/bin/echo", made);
    }
    // Entries inside the bound directory itself, or through it: refused
    // before anything starts, whatever the path looks like.
    let bind_mnt_w = format!("{}:/mnt/w", s(&w));
    for (base, at) in [
        (["--empty-root", "--tmpfs", "/mnt", "--bind", &bind_w], "/w"),
        (
            ["--tmpfs", "/mnt", "--bind", &bind_mnt_w, "--dev"],
            "/mnt/w",
        ),
    ] {
        for name in ["d", "out/d", "up/d"] {
            let dst = format!("{at}/{name}");
            let mut args = base.to_vec();
            args.extend(["--dir", &dst, "--", "/usr/bin/echo", "ran"]);
            let out = jail_run(&args);
            assert_eq!(made(), Vec::<String>::new(), "{args:?}");
            fails(&out, 125, "is not in a --tmpfs or --empty-root");
        }
    }
    // The positive control: the same symlinks are followed where COMMAND
    // reads (and writes to its own bound directory).
    let mut args = EMPTY_ROOT_USR.to_vec();
    args.extend([
        "--bind",
        &bind_w,
        "--",
        "sh",
        "-c",
        "test -L /w/out && echo followed",
    ]);
    assert_eq!(ok(&jail_run(&args)), "followed\n");
}

#[test]
fn empty_root_leaves_nothing_on_the_host() {
    let tmp = TempDir::new();
    let t = user_dir(&tmp.join("t"));
    let src = user_dir(&tmp.join("src"));
    let before = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let p = |n: &str| format!("{}/{n}", s(&t));
    let bind = format!("{}:{}", s(&src), p("b"));
    let (tmpfs, dir) = (p("tmpfs"), p("d/e"));
    let (file, ro_file, link) = (
        format!("0:{}", p("f")),
        format!("0:{}", p("g")),
        format!("x:{}", p("l")),
    );
    let script = format!(
        "set -e; echo a > /root-file; echo b > {t}/d/e/new; echo c > {t}/tmpfs/new; \
         echo d >> {t}/f; touch {t}/new; mkdir -p /var/x; ls {t} | tr '\\n' ' '",
        t = s(&t)
    );
    let mut args = EMPTY_ROOT_USR.to_vec();
    args.extend([
        "--dev",
        "--pid",
        "--bind",
        &bind,
        "--tmpfs",
        &tmpfs,
        "--dir",
        &dir,
        "--file",
        &file,
        "--ro-file",
        &ro_file,
        "--symlink",
        &link,
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let mut c = jail(&args);
    c.stdin(Stdio::null());
    let out = run(c);
    assert_eq!(ok(&out), "b d f g l new tmpfs ");
    assert!(
        entries(&t).is_empty(),
        "made on the host: {:?}",
        entries(&t)
    );
    assert!(
        entries(&src).is_empty(),
        "made in the bind source: {:?}",
        entries(&src)
    );
    for p in ["/root-file", "/var/x"] {
        assert!(!Path::new(p).exists(), "{p} on the host");
    }
    assert_eq!(
        std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
        before,
        "the host's mount table changed"
    );
}

#[test]
fn symlinks_planted_in_a_kept_layer_cannot_aim_its_writes() {
    let tmp = TempDir::new();
    let p = user_dir(&tmp.join("project"));
    user_file(&p.join("a"), "a\n");
    let victim = user_dir(&tmp.join("victim"));
    let w = user_dir(&tmp.join("w"));
    let layer = w.join("layer");
    let layer_arg = format!("{}:{}", s(&p), s(&layer));
    for (name, target) in [
        ("upper", s(&victim).to_string()),
        ("upper", "../../victim".to_string()),
        ("work", s(&victim).to_string()),
    ] {
        // The earlier run: COMMAND may write w (--rw), and plants the link.
        let plant = format!(
            "rm -rf {l} && mkdir -p {l}/upper {l}/work && rm -r {l}/{name} && \
             ln -s {target} {l}/{name} && echo planted",
            l = s(&layer)
        );
        assert_eq!(ok(&jail_sh(&["--ro", "--rw", s(&w)], &plant)), "planted\n");
        // The next run writes to PATH, which must never reach the victim.
        let o = jail_sh(
            &["--ro", "--overlay", &layer_arg],
            &format!("echo pwned > {}/x; echo COMMAND ran", s(&p)),
        );
        fails(&o, 125, "is a symlink; jail does not follow it");
        assert!(
            !stdout(&o).contains("ran"),
            "{name} -> {target}: COMMAND ran"
        );
        assert_eq!(entries(&victim), Vec::<String>::new(), "{name} -> {target}");
        assert_eq!(entries(&p), ["a"], "{name} -> {target}");
    }
}

#[test]
fn root_inside_cannot_undo_disable_userns() {
    // bwrap tests/test-run.sh:157-158 and 165-166: the limit is raised
    // (to 2, 100, 10), then a user namespace is made.
    let raise = |n: u32| {
        format!(
            "echo {n} > /proc/sys/user/max_user_namespaces && echo RAISED; \
             unshare -U true && echo USERNS; exit 0"
        )
    };
    // Control: root in the jail's user namespace may write its limit, and
    // then make a user namespace: what --disable-userns has to prevent.
    let out = ok(&jail_sh(&["-r"], &raise(10)));
    assert_eq!(out, "RAISED\nUSERNS\n", "control");
    let out = ok(&jail_sh(
        &["-r"],
        "echo 0 > /proc/sys/user/max_user_namespaces; unshare -U true || echo REFUSED; \
         echo 10 > /proc/sys/user/max_user_namespaces; unshare -U true && echo USERNS",
    ));
    assert_eq!(out, "REFUSED\nUSERNS\n", "control: a limit root can raise");

    let mut opt_sets: Vec<Vec<&str>> = vec![
        vec!["-r"],
        vec!["-r", "--ro", "--pid", "--net"],
        vec!["-r", "--as-pid-1", "--uts"],
        vec!["-r", "--cap-drop", "ALL", "--cap-add", "SYS_RESOURCE"],
        vec![],
    ];
    let map_auto = crate::subids::ready();
    if map_auto.is_ok() {
        opt_sets.push(vec!["--map-auto", "--pid"]);
        opt_sets.push(vec!["--map-auto", "--uid", "1000"]);
    }
    for opts in &opt_sets {
        let mut with = opts.clone();
        with.push("--disable-userns");
        for n in [2, 100, 10] {
            let out = jail_sh(&with, &raise(n));
            let text = ok(&out);
            assert!(
                !text.contains("USERNS"),
                "{with:?}: made a user namespace: {out:?}"
            );
        }
        // Nor does a jail inside, after the raise.
        let script = format!(
            "echo 100 > /proc/sys/user/max_user_namespaces; {} -r -- true && echo NESTED; exit 0",
            bin().display()
        );
        let text = ok(&jail_sh(&with, &script));
        assert!(!text.contains("NESTED"), "{with:?}: a jail ran inside");
        if have("bwrap") {
            let script = "echo 100 > /proc/sys/user/max_user_namespaces; \
                          bwrap --unshare-user --dev-bind / / true && echo BWRAP; exit 0";
            let text = ok(&jail_sh(&with, script));
            assert!(!text.contains("BWRAP"), "{with:?}: bwrap ran inside");
        }
    }
    if let Err(why) = map_auto {
        skip!("--map-auto not run: {why}");
    }
}

// ---------------------------------------------------------------------------
// A --seccomp FD program cannot lift jail's filter (issue 14, item 6).

#[test]
fn seccomp_fd_program_cannot_lift_jails_filter() {
    use crate::bwrap_fds::{allow_all, bpf, data_fd, jail_fds, probe};
    need!("python3");
    const RET_LOG: u32 = 0x7ffc_0000;
    let log_all = bpf(0x06, 0, 0, RET_LOG).to_vec();
    for program in [allow_all(), log_all] {
        // TIOCSTI on the terminal that is COMMAND's controlling terminal.
        let mark = unique("lifted").replace('-', "q");
        let mut pty = Pty::open();
        let a = [
            "--seccomp",
            "3",
            "--",
            "python3",
            "-c",
            TTY_PY,
            "sti",
            &mark,
        ];
        let c = jail_fds(&a, vec![(3, data_fd(&program))]);
        let (st, out) = pty.run(c, true);
        assert!(st.success(), "{out}");
        assert!(out.contains("CTTY yes"), "{out}");
        assert!(out.contains("STI EPERM"), "{out}");
        pty.type_in(b"typed");
        let back = read_back(&mut pty);
        assert!(back.contains("typed"), "readback broken: {back:?}");
        assert!(!back.contains(&mark), "marker injected: {back:?}");
        // keyctl still fails as if the kernel had no keyrings.
        let out = ok(&probe(&[], &[program.clone(), program]));
        assert!(out.contains("keyctl ENOSYS\n"), "{out}");
        assert!(out.contains("ioctl EPERM\n"), "{out}");
        assert!(out.contains("filters 3\n"), "{out}");
    }
}

// ---------------------------------------------------------------------------
// TCP port rules: no way around them (issue 15, items 1 and 4).

/// Each way to a TCP port that Landlock's bind/connect checks miss, and
/// whether it worked: "open" or "refused ERRNO".
const TCP_AROUND_PY: &str = r#"
import ctypes, socket, sys
port = int(sys.argv[1])
def mptcp():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    s.connect(("127.0.0.1", port))
def mptcp_bind():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 262)
    s.bind(("::1", 0))
def fastopen():
    s = socket.socket()
    s.sendto(b"x", 0x20000000, ("127.0.0.1", port))
def fastopen6():
    s = socket.socket(socket.AF_INET6)
    s.sendmsg([b"x"], [], 0x20000000, ("::ffff:127.0.0.1", port))
def io_uring():
    libc = ctypes.CDLL(None, use_errno=True)
    params = ctypes.create_string_buffer(120)
    if libc.syscall(425, 4, params) < 0:
        raise OSError(ctypes.get_errno(), "io_uring_setup")
for f in (mptcp, mptcp_bind, fastopen, fastopen6, io_uring):
    try:
        f()
        print(f.__name__, "open")
    except OSError as e:
        print(f.__name__, "refused", e.errno)
"#;

#[test]
fn tcp_port_rules_cannot_be_bypassed() {
    need!("python3");
    if landlock_abi() < 6 {
        skip!("needs Landlock ABI 6 (--landlock-only with its scopes)");
    }
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port().to_string();
    let other = if port == "1" { "2" } else { "1" };
    let probe = |args: &[&str]| -> String {
        let mut a = args.to_vec();
        a.extend(["--", "python3", "-c", TCP_AROUND_PY, &port]);
        ok(&jail_run(&a))
    };
    // The control: without port rules each way is open.
    let control = probe(&["--landlock-only"]);
    for way in ["mptcp", "mptcp_bind", "fastopen", "fastopen6", "io_uring"] {
        if !control.contains(&format!("{way} open\n")) {
            skip!("{way} does not work here without jail's rules: {control}");
        }
    }
    for args in [
        &["--landlock-only", "--net"][..],
        &["--landlock-only", "--connect-tcp", other],
        &["--landlock-only", "--bind-tcp", other],
        &["--connect-tcp", other],
        &["--bind-tcp", other],
    ] {
        let out = probe(args);
        let want = format!(
            "mptcp refused {}\nmptcp_bind refused {}\nfastopen refused {}\n\
             fastopen6 refused {}\nio_uring refused {}\n",
            libc::EPROTONOSUPPORT,
            libc::EPROTONOSUPPORT,
            libc::EOPNOTSUPP,
            libc::EOPNOTSUPP,
            libc::ENOSYS
        );
        assert_eq!(out, want, "{args:?}");
    }
    drop(server);
}

// ---------------------------------------------------------------------------
// --landlock-only: the caller's processes stay out of ptrace's reach, also
// with --share-ipc-scope (issue 15, item 1).

/// PTRACE_ATTACH to the process argv[1], and open its environ and mem.
const PTRACE_PY: &str = r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
if libc.ptrace(16, pid, 0, 0) == 0:
    os.waitpid(pid, 0x40000000)
    libc.ptrace(17, pid, 0, 0)
    print("attach open")
else:
    print("attach refused", ctypes.get_errno())
for name, mode in (("environ", "rb"), ("mem", "r+b")):
    try:
        open("/proc/%d/%s" % (pid, name), mode).close()
        print(name, "open")
    except OSError as e:
        print(name, "refused", e.errno)
"#;

#[test]
fn landlock_only_keeps_ptrace_of_the_callers_processes_out() {
    need!("python3");
    if landlock_abi() < 6 {
        skip!("needs Landlock ABI 6 (--landlock-only with its scopes)");
    }
    let mut victim = as_user("sleep");
    victim.arg("60").stdin(Stdio::null());
    let victim = Reaped(victim.spawn().unwrap());
    let pid = victim.0.id().to_string();
    // The control: the same user, outside any jail, gets in.
    let mut c = as_user("python3");
    c.args(["-c", PTRACE_PY, &pid]);
    let control = ok(&run(c));
    if control != "attach open\nenviron open\nmem open\n" {
        skip!("ptrace between the test user's processes is refused here (Yama?): {control}");
    }
    for args in [
        &["--landlock-only", "--share-ipc-scope"][..],
        &["--landlock-only"],
        &["--landlock-only", "--ro", "--share-ipc-scope"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--", "python3", "-c", PTRACE_PY, &pid]);
        let out = ok(&jail_run(&a));
        let want = format!(
            "attach refused {}\nenviron refused {}\nmem refused {}\n",
            libc::EPERM,
            libc::EACCES,
            libc::EACCES
        );
        assert_eq!(out, want, "{args:?}");
    }
}
