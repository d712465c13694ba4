//! The seccomp filter every COMMAND runs under:
//! - `ioctl(fd, TIOCSTI, ...)` and `ioctl(fd, TIOCLINUX, ...)` fail with
//!   EPERM, so a jailed process cannot push characters into the caller's
//!   terminal (CVE-2017-5226 in bubblewrap) or use the console's selection
//!   paste. Only the low 32 bits of the request are compared, as the kernel
//!   does: a request with high bits set is the same ioctl (CVE-2019-10063
//!   in flatpak).
//! - `add_key`, `request_key` and `keyctl` fail with ENOSYS, as if the
//!   kernel had no keyrings (Docker, podman and flatpak do the same). Key
//!   ids are global and COMMAND runs as the caller's uid: the caller's user
//!   keyrings (`@u`, `@us`, made with every user permission) stay reachable
//!   by id, and `keyctl link` of one into COMMAND's own session keyring
//!   would hand it every key in them.
//!
//! Every other ioctl and system call is allowed, so terminal programs keep
//! working. A jail with TCP port rules gets a second filter (`install_tcp`)
//! that closes the ways around them.
//!
//! The program is 20 classic BPF instructions (12 on aarch64), written out
//! by hand and checked instruction by instruction by the tests below (a
//! small BPF interpreter runs it on synthetic system calls); a filter
//! library would cost more binary than the whole filter.

#![allow(unsafe_code)] // kernel-facing: see `child`'s deny(unsafe_code)

const TIOCSTI: u32 = 0x5412;
const TIOCLINUX: u32 = 0x541C;

const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const AUDIT_ARCH_AARCH64: u32 = 0xC000_00B7;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// ioctl's number for each ABI a kernel of our architecture runs.
const NR_IOCTL_X86_64: u32 = 16;
const NR_IOCTL_X32: u32 = 514 | X32_SYSCALL_BIT;
const NR_IOCTL_I386: u32 = 54;
const NR_IOCTL_AARCH64: u32 = 29;

/// add_key, request_key and keyctl follow each other in every ABI: the
/// filter refuses the range from add_key to keyctl.
const NR_ADD_KEY_X86_64: u32 = 248;
const NR_KEYCTL_X86_64: u32 = 250;
const NR_ADD_KEY_X32: u32 = 248 | X32_SYSCALL_BIT;
const NR_KEYCTL_X32: u32 = 250 | X32_SYSCALL_BIT;
const NR_ADD_KEY_I386: u32 = 286;
const NR_KEYCTL_I386: u32 = 288;
const NR_ADD_KEY_AARCH64: u32 = 217;
const NR_KEYCTL_AARCH64: u32 = 219;

// Offsets in struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; }
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
/// The low 32 bits of args[1] (the ioctl request), little-endian.
const OFF_ARG1_LO: u32 = 24;

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD (0) | BPF_W (0) | BPF_ABS (0x20)
const BPF_JEQ_K: u16 = 0x15; // BPF_JMP (5) | BPF_JEQ (0x10) | BPF_K (0)
const BPF_JGT_K: u16 = 0x25; // BPF_JMP (5) | BPF_JGT (0x20) | BPF_K (0)
const BPF_JGE_K: u16 = 0x35; // BPF_JMP (5) | BPF_JGE (0x30) | BPF_K (0)
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K

const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const EPERM: u32 = SECCOMP_RET_ERRNO | libc::EPERM as u32;
const ENOSYS: u32 = SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

const fn ld(k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k,
    }
}

/// Jump if the accumulator equals k, > k, >= k (unsigned).
const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

const fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    jump(BPF_JEQ_K, k, jt, jf)
}

const fn jgt(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    jump(BPF_JGT_K, k, jt, jf)
}

const fn jge(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    jump(BPF_JGE_K, k, jt, jf)
}

const fn ret(k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k,
    }
}

/// The filter for x86_64 kernels (native, x32 and i386 system calls). An
/// x32 call is a native number with X32_SYSCALL_BIT set, so its keyring
/// range lies above every native one.
#[cfg_attr(target_arch = "aarch64", allow(dead_code))]
static X86_64: [libc::sock_filter; 20] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_X86_64, 0, 7), // -> 2 | 9
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_IOCTL_X86_64, 10, 0), // -> 14 | 4
    /* 4 */ jeq(NR_IOCTL_X32, 9, 0), // -> 14 | 5
    /* 5 */ jgt(NR_KEYCTL_X32, 13, 0), // above x32 keyctl -> 19 | 6
    /* 6 */ jge(NR_ADD_KEY_X32, 11, 0), // x32 keyrings -> 18 | 7
    /* 7 */ jgt(NR_KEYCTL_X86_64, 11, 0), // -> 19 | 8
    /* 8 */ jge(NR_ADD_KEY_X86_64, 9, 10), // keyrings -> 18 | 19
    /* 9 */ jeq(AUDIT_ARCH_I386, 0, 9), // -> 10 | 19
    /* 10 */ ld(OFF_NR),
    /* 11 */ jeq(NR_IOCTL_I386, 2, 0), // -> 14 | 12
    /* 12 */ jgt(NR_KEYCTL_I386, 6, 0), // -> 19 | 13
    /* 13 */ jge(NR_ADD_KEY_I386, 4, 5), // keyrings -> 18 | 19
    /* 14 */ ld(OFF_ARG1_LO),
    /* 15 */ jeq(TIOCSTI, 1, 0), // -> 17 | 16
    /* 16 */ jeq(TIOCLINUX, 0, 2), // -> 17 | 19
    /* 17 */ ret(EPERM),
    /* 18 */ ret(ENOSYS),
    /* 19 */ ret(SECCOMP_RET_ALLOW),
];

/// The filter for aarch64 kernels.
#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
static AARCH64: [libc::sock_filter; 12] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_AARCH64, 0, 9), // -> 2 | 11
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_IOCTL_AARCH64, 2, 0), // -> 6 | 4
    /* 4 */ jgt(NR_KEYCTL_AARCH64, 6, 0), // -> 11 | 5
    /* 5 */ jge(NR_ADD_KEY_AARCH64, 4, 5), // keyrings -> 10 | 11
    /* 6 */ ld(OFF_ARG1_LO),
    /* 7 */ jeq(TIOCSTI, 1, 0), // -> 9 | 8
    /* 8 */ jeq(TIOCLINUX, 0, 2), // -> 9 | 11
    /* 9 */ ret(EPERM),
    /* 10 */ ret(ENOSYS),
    /* 11 */ ret(SECCOMP_RET_ALLOW),
];

/// The second filter, for a jail with TCP port rules (`--connect-tcp`,
/// `--bind-tcp`, `--landlock-only --net`). Landlock checks bind(2) and
/// connect(2) on TCP sockets only, which leaves two ways to open a TCP
/// connection around the rules: an MPTCP socket (IPPROTO_MPTCP, which
/// falls back to plain TCP with any server), and sendto/sendmsg with
/// MSG_FASTOPEN, which connects without connect(2). So: socket(2) with
/// IPPROTO_MPTCP fails with EPROTONOSUPPORT (as on a kernel without
/// MPTCP, so programs fall back to TCP), a send with MSG_FASTOPEN with
/// EOPNOTSUPP (as with TCP Fast Open off), io_uring_setup with ENOSYS
/// (its operations would do both past seccomp), and i386's socketcall(2)
/// for socket, sendto, sendmsg and sendmmsg with ENOSYS (its arguments
/// are in memory, out of a filter's reach).
const NR_SOCKET_X86_64: u32 = 41;
const NR_SENDTO_X86_64: u32 = 44;
const NR_SENDMSG_X86_64: u32 = 46;
const NR_SENDMMSG_X86_64: u32 = 307;
const NR_SENDMSG_X32: u32 = 518 | X32_SYSCALL_BIT;
const NR_SENDMMSG_X32: u32 = 538 | X32_SYSCALL_BIT;
const NR_IO_URING_SETUP: u32 = 425;
const NR_SOCKET_I386: u32 = 359;
const NR_SENDTO_I386: u32 = 369;
const NR_SENDMSG_I386: u32 = 370;
const NR_SENDMMSG_I386: u32 = 345;
const NR_SOCKETCALL_I386: u32 = 102;
/// socketcall(2)'s call numbers: SYS_SOCKET, SYS_SENDTO, SYS_SENDMSG,
/// SYS_SENDMMSG.
const SOCKETCALL_SOCKET: u32 = 1;
const SOCKETCALL_SENDTO: u32 = 11;
const SOCKETCALL_SENDMSG: u32 = 16;
const SOCKETCALL_SENDMMSG: u32 = 20;
const NR_SOCKET_AARCH64: u32 = 198;
const NR_SENDTO_AARCH64: u32 = 206;
const NR_SENDMSG_AARCH64: u32 = 211;
const NR_SENDMMSG_AARCH64: u32 = 269;
const IPPROTO_MPTCP: u32 = 262;
const MSG_FASTOPEN: u32 = 0x2000_0000;
/// The low 32 bits of args[0], args[2] (socket's protocol, sendmsg's
/// flags) and args[3] (sendto's and sendmmsg's flags).
const OFF_ARG0_LO: u32 = 16;
const OFF_ARG2_LO: u32 = 32;
const OFF_ARG3_LO: u32 = 40;
const BPF_JSET_K: u16 = 0x45; // BPF_JMP (5) | BPF_JSET (0x40) | BPF_K (0)
const EPROTONOSUPPORT: u32 = SECCOMP_RET_ERRNO | libc::EPROTONOSUPPORT as u32;
const EOPNOTSUPP: u32 = SECCOMP_RET_ERRNO | libc::EOPNOTSUPP as u32;

const fn jset(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    jump(BPF_JSET_K, k, jt, jf)
}

#[cfg_attr(target_arch = "aarch64", allow(dead_code))]
static TCP_X86_64: [libc::sock_filter; 37] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_X86_64, 0, 12), // -> 2 | 14
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_SOCKET_X86_64, 23, 0), // -> 27
    /* 4 */ jeq(NR_SOCKET_X86_64 | X32_SYSCALL_BIT, 22, 0), // -> 27
    /* 5 */ jeq(NR_SENDTO_X86_64, 24, 0), // -> 30
    /* 6 */ jeq(NR_SENDTO_X86_64 | X32_SYSCALL_BIT, 23, 0), // -> 30
    /* 7 */ jeq(NR_SENDMMSG_X86_64, 22, 0), // -> 30
    /* 8 */ jeq(NR_SENDMMSG_X32, 21, 0), // -> 30
    /* 9 */ jeq(NR_SENDMSG_X86_64, 22, 0), // -> 32
    /* 10 */ jeq(NR_SENDMSG_X32, 21, 0), // -> 32
    /* 11 */ jeq(NR_IO_URING_SETUP, 24, 0), // -> 36
    /* 12 */ jeq(NR_IO_URING_SETUP | X32_SYSCALL_BIT, 23, 0), // -> 36
    /* 13 */ ret(SECCOMP_RET_ALLOW),
    /* 14 */ jeq(AUDIT_ARCH_I386, 0, 19), // -> 15 | 34
    /* 15 */ ld(OFF_NR),
    /* 16 */ jeq(NR_SOCKET_I386, 10, 0), // -> 27
    /* 17 */ jeq(NR_SENDTO_I386, 12, 0), // -> 30
    /* 18 */ jeq(NR_SENDMMSG_I386, 11, 0), // -> 30
    /* 19 */ jeq(NR_SENDMSG_I386, 12, 0), // -> 32
    /* 20 */ jeq(NR_IO_URING_SETUP, 15, 0), // -> 36
    /* 21 */ jeq(NR_SOCKETCALL_I386, 0, 12), // -> 22 | 34
    /* 22 */ ld(OFF_ARG0_LO),
    /* 23 */ jeq(SOCKETCALL_SOCKET, 12, 0), // -> 36
    /* 24 */ jeq(SOCKETCALL_SENDTO, 11, 0), // -> 36
    /* 25 */ jeq(SOCKETCALL_SENDMSG, 10, 0), // -> 36
    /* 26 */ jeq(SOCKETCALL_SENDMMSG, 9, 7), // -> 36 | 34
    /* 27 */ ld(OFF_ARG2_LO), // socket's protocol
    /* 28 */ jeq(IPPROTO_MPTCP, 0, 5), // -> 29 | 34
    /* 29 */ ret(EPROTONOSUPPORT),
    /* 30 */ ld(OFF_ARG3_LO), // sendto's and sendmmsg's flags
    /* 31 */ jset(MSG_FASTOPEN, 3, 2), // -> 35 | 34
    /* 32 */ ld(OFF_ARG2_LO), // sendmsg's flags
    /* 33 */ jset(MSG_FASTOPEN, 1, 0), // -> 35 | 34
    /* 34 */ ret(SECCOMP_RET_ALLOW),
    /* 35 */ ret(EOPNOTSUPP),
    /* 36 */ ret(ENOSYS),
];

#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
static TCP_AARCH64: [libc::sock_filter; 18] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_AARCH64, 0, 13), // -> 2 | 15
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_SOCKET_AARCH64, 4, 0), // -> 8
    /* 4 */ jeq(NR_SENDTO_AARCH64, 6, 0), // -> 11
    /* 5 */ jeq(NR_SENDMMSG_AARCH64, 5, 0), // -> 11
    /* 6 */ jeq(NR_SENDMSG_AARCH64, 6, 0), // -> 13
    /* 7 */ jeq(NR_IO_URING_SETUP, 9, 7), // -> 17 | 15
    /* 8 */ ld(OFF_ARG2_LO),
    /* 9 */ jeq(IPPROTO_MPTCP, 0, 5), // -> 10 | 15
    /* 10 */ ret(EPROTONOSUPPORT),
    /* 11 */ ld(OFF_ARG3_LO),
    /* 12 */ jset(MSG_FASTOPEN, 3, 2), // -> 16 | 15
    /* 13 */ ld(OFF_ARG2_LO),
    /* 14 */ jset(MSG_FASTOPEN, 1, 0), // -> 16 | 15
    /* 15 */ ret(SECCOMP_RET_ALLOW),
    /* 16 */ ret(EOPNOTSUPP),
    /* 17 */ ret(ENOSYS),
];

#[cfg(not(target_arch = "aarch64"))]
static TCP_PROGRAM: &[libc::sock_filter] = &TCP_X86_64;
#[cfg(target_arch = "aarch64")]
static TCP_PROGRAM: &[libc::sock_filter] = &TCP_AARCH64;

/// Install the TCP filter (above) on the calling thread, after `install`.
/// Async-signal-safe; returns the errno on failure.
pub fn install_tcp() -> Result<(), i32> {
    install_program(TCP_PROGRAM)
}

/// The filter for the architecture jail runs on.
#[cfg(not(target_arch = "aarch64"))]
static PROGRAM: &[libc::sock_filter] = &X86_64;
#[cfg(target_arch = "aarch64")]
static PROGRAM: &[libc::sock_filter] = &AARCH64;

/// Install the filter on the calling thread. Needs no_new_privs (or
/// CAP_SYS_ADMIN). Async-signal-safe; returns the errno on failure.
pub fn install() -> Result<(), i32> {
    install_program(PROGRAM)
}

/// Install `program` (a `--seccomp` one, at most 4096 instructions, which
/// the kernel checks) on the calling thread, on top of those installed
/// before. Async-signal-safe; returns the errno on failure.
pub fn install_program(program: &[libc::sock_filter]) -> Result<(), i32> {
    let prog = libc::sock_fprog {
        len: u16::try_from(program.len()).map_err(|_| libc::EINVAL)?,
        filter: program.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prog points to `program`, which outlives the call; the
    // kernel copies it and never writes through the pointer.
    let r = unsafe {
        sc!(
            libc::SYS_prctl,
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &prog as *const libc::sock_fprog,
            0,
            0
        )
    };
    r.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A classic-BPF interpreter for the instructions the filters use,
    /// over a seccomp_data laid out as the kernel does.
    fn run(prog: &[libc::sock_filter], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_le_bytes());
        data[4..8].copy_from_slice(&arch.to_le_bytes());
        for (i, a) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
        }
        let mut acc = 0u32;
        let mut pc = 0usize;
        loop {
            let ins = prog[pc];
            pc += 1;
            let taken = match ins.code {
                BPF_LD_W_ABS => {
                    let k = ins.k as usize;
                    acc = u32::from_le_bytes(data[k..k + 4].try_into().unwrap());
                    continue;
                }
                BPF_JEQ_K => acc == ins.k,
                BPF_JGT_K => acc > ins.k,
                BPF_JGE_K => acc >= ins.k,
                BPF_JSET_K => acc & ins.k != 0,
                BPF_RET_K => return ins.k,
                c => panic!("unexpected opcode {c:#x}"),
            };
            pc += if taken { ins.jt } else { ins.jf } as usize;
        }
    }

    const ALLOW: u32 = SECCOMP_RET_ALLOW;

    fn ioctl(nr: u32, arch: u32, req: u64) -> u32 {
        run(&X86_64, nr, arch, [1, req, 0, 0, 0, 0])
    }

    #[test]
    fn blocks_tiocsti_and_tioclinux_natively() {
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, TIOCSTI as u64), EPERM);
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, TIOCLINUX as u64), EPERM);
    }

    #[test]
    fn compares_only_the_low_32_bits() {
        // CVE-2019-10063: the kernel truncates the request to 32 bits.
        assert_eq!(
            ioctl(16, AUDIT_ARCH_X86_64, TIOCSTI as u64 | 1 << 32),
            EPERM
        );
        assert_eq!(
            ioctl(16, AUDIT_ARCH_X86_64, TIOCLINUX as u64 | 0xffff << 48),
            EPERM
        );
        assert_eq!(ioctl(54, AUDIT_ARCH_I386, TIOCSTI as u64 | 1 << 32), EPERM);
        let x32 = 514 | X32_SYSCALL_BIT;
        assert_eq!(
            ioctl(x32, AUDIT_ARCH_X86_64, TIOCLINUX as u64 | 1 << 63),
            EPERM
        );
    }

    #[test]
    fn blocks_compat_abis() {
        assert_eq!(ioctl(54, AUDIT_ARCH_I386, TIOCSTI as u64), EPERM);
        assert_eq!(ioctl(54, AUDIT_ARCH_I386, TIOCLINUX as u64), EPERM);
        assert_eq!(
            ioctl(514 | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, TIOCSTI as u64),
            EPERM
        );
    }

    #[test]
    fn allows_other_ioctls_and_calls() {
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TIOCGWINSZ), ALLOW);
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TCSETS), ALLOW);
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TIOCSWINSZ), ALLOW);
        assert_eq!(ioctl(54, AUDIT_ARCH_I386, libc::TIOCGWINSZ), ALLOW);
        let x32 = 514 | X32_SYSCALL_BIT;
        assert_eq!(ioctl(x32, AUDIT_ARCH_X86_64, libc::TIOCGWINSZ), ALLOW);
        // write(2) whose second argument happens to equal TIOCSTI.
        assert_eq!(ioctl(1, AUDIT_ARCH_X86_64, TIOCSTI as u64), ALLOW);
        // i386's 16 is lchown, not ioctl.
        assert_eq!(ioctl(16, AUDIT_ARCH_I386, TIOCSTI as u64), ALLOW);
        assert_eq!(ioctl(54, 0x1234, TIOCSTI as u64), ALLOW);
    }

    /// The system call numbers add_key, request_key, keyctl per ABI.
    const KEYRINGS: [(u32, [u32; 3]); 3] = [
        (AUDIT_ARCH_X86_64, [248, 249, 250]),
        (
            AUDIT_ARCH_X86_64,
            [
                248 | X32_SYSCALL_BIT,
                249 | X32_SYSCALL_BIT,
                250 | X32_SYSCALL_BIT,
            ],
        ),
        (AUDIT_ARCH_I386, [286, 287, 288]),
    ];

    #[test]
    fn keyring_calls_fail_with_enosys_in_every_abi() {
        for (arch, nrs) in KEYRINGS {
            for nr in nrs {
                for args in [[0; 6], [u64::MAX; 6], [8, 1, 2, 0, 0, 0]] {
                    assert_eq!(run(&X86_64, nr, arch, args), ENOSYS, "{arch:#x} {nr:#x}");
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            [libc::SYS_add_key, libc::SYS_request_key, libc::SYS_keyctl],
            [248, 249, 250]
        );
    }

    #[test]
    fn keyring_neighbours_are_allowed() {
        // The calls just outside each range, in each ABI, and the keyring
        // numbers of one ABI called through another.
        let x = X32_SYSCALL_BIT;
        for (arch, nr) in [
            (AUDIT_ARCH_X86_64, 247),
            (AUDIT_ARCH_X86_64, 251),
            (AUDIT_ARCH_X86_64, 247 | x),
            (AUDIT_ARCH_X86_64, 251 | x),
            (AUDIT_ARCH_X86_64, 286),
            (AUDIT_ARCH_X86_64, 288 | x),
            (AUDIT_ARCH_X86_64, u32::MAX),
            (AUDIT_ARCH_I386, 285),
            (AUDIT_ARCH_I386, 289),
            (AUDIT_ARCH_I386, 250),
            (AUDIT_ARCH_I386, 248 | x),
            (0x1234, 250),
        ] {
            assert_eq!(run(&X86_64, nr, arch, [0; 6]), ALLOW, "{arch:#x} {nr:#x}");
        }
    }

    #[test]
    fn aarch64_filter() {
        let a = AUDIT_ARCH_AARCH64;
        let ioctl = |req: u64| run(&AARCH64, 29, a, [1, req, 0, 0, 0, 0]);
        assert_eq!(ioctl(TIOCSTI as u64), EPERM);
        assert_eq!(ioctl(TIOCLINUX as u64 | 1 << 32), EPERM);
        assert_eq!(ioctl(libc::TIOCGWINSZ), ALLOW);
        for nr in [217, 218, 219] {
            assert_eq!(run(&AARCH64, nr, a, [0; 6]), ENOSYS, "{nr}");
        }
        for nr in [216, 220, 250, 64] {
            let args = [1, TIOCSTI as u64, 0, 0, 0, 0];
            assert_eq!(run(&AARCH64, nr, a, args), ALLOW, "{nr}");
        }
        assert_eq!(run(&AARCH64, 219, AUDIT_ARCH_X86_64, [0; 6]), ALLOW);
    }

    #[test]
    fn tcp_filter_refuses_mptcp_fast_open_and_io_uring() {
        let x = X32_SYSCALL_BIT;
        let (x64, i386) = (AUDIT_ARCH_X86_64, AUDIT_ARCH_I386);
        let fo = MSG_FASTOPEN as u64;
        let mptcp = IPPROTO_MPTCP as u64;
        let cases: &[(u32, u32, [u64; 6], u32)] = &[
            // socket(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP), and TCP.
            (x64, 41, [10, 1, mptcp, 0, 0, 0], EPROTONOSUPPORT),
            (x64, 41 | x, [2, 1, mptcp, 0, 0, 0], EPROTONOSUPPORT),
            (x64, 41, [10, 1, mptcp | 1 << 32, 0, 0, 0], EPROTONOSUPPORT),
            (x64, 41, [2, 1, 0, 0, 0, 0], ALLOW),
            (x64, 41, [2, 1, 6, 0, 0, 0], ALLOW),
            (x64, 41, [2, 2, 17, mptcp, 0, 0], ALLOW),
            (i386, 359, [2, 1, mptcp, 0, 0, 0], EPROTONOSUPPORT),
            (i386, 359, [2, 1, 0, 0, 0, 0], ALLOW),
            // sendto(fd, buf, len, flags, addr, len): flags is args[3].
            (x64, 44, [3, 0, 2, fo, 0, 16], EOPNOTSUPP),
            (x64, 44, [3, 0, 2, fo | 0x40, 0, 16], EOPNOTSUPP),
            (x64, 44 | x, [3, 0, 2, fo, 0, 16], EOPNOTSUPP),
            (x64, 44, [3, 0, fo, 0x40, 0, 16], ALLOW),
            (x64, 307, [3, 0, 2, fo, 0, 0], EOPNOTSUPP),
            (x64, 538 | x, [3, 0, 2, fo, 0, 0], EOPNOTSUPP),
            (x64, 307, [3, 0, 2, 0, 0, 0], ALLOW),
            (i386, 369, [3, 0, 2, fo, 0, 16], EOPNOTSUPP),
            (i386, 345, [3, 0, 2, fo, 0, 0], EOPNOTSUPP),
            (i386, 369, [3, 0, 2, 0, 0, 16], ALLOW),
            // sendmsg(fd, msg, flags): flags is args[2].
            (x64, 46, [3, 0, fo, 0, 0, 0], EOPNOTSUPP),
            (x64, 518 | x, [3, 0, fo, 0, 0, 0], EOPNOTSUPP),
            (i386, 370, [3, 0, fo, 0, 0, 0], EOPNOTSUPP),
            (x64, 46, [3, 0, 0x4000, fo, 0, 0], ALLOW),
            // io_uring_setup in each ABI.
            (x64, 425, [8, 0, 0, 0, 0, 0], ENOSYS),
            (x64, 425 | x, [8, 0, 0, 0, 0, 0], ENOSYS),
            (i386, 425, [8, 0, 0, 0, 0, 0], ENOSYS),
            // i386's socketcall: the calls that could do either.
            (i386, 102, [1, 0, 0, 0, 0, 0], ENOSYS),
            (i386, 102, [11, 0, 0, 0, 0, 0], ENOSYS),
            (i386, 102, [16, 0, 0, 0, 0, 0], ENOSYS),
            (i386, 102, [20, 0, 0, 0, 0, 0], ENOSYS),
            (i386, 102, [3, 0, 0, 0, 0, 0], ALLOW),
            (i386, 102, [9, 0, 0, 0, 0, 0], ALLOW),
            // Neighbours, and numbers of one ABI in another.
            (x64, 42, [2, 1, mptcp, fo, 0, 0], ALLOW),
            (x64, 102, [1, 0, mptcp, fo, 0, 0], ALLOW),
            (x64, 359, [2, 1, mptcp, 0, 0, 0], ALLOW),
            (i386, 41, [2, 1, mptcp, fo, 0, 0], ALLOW),
            (i386, 44, [2, 1, fo, fo, 0, 0], ALLOW),
            (x64, 16, [1, 0x5412, 0, 0, 0, 0], ALLOW),
            (0x1234, 41, [2, 1, mptcp, 0, 0, 0], ALLOW),
        ];
        for &(arch, nr, args, want) in cases {
            assert_eq!(
                run(&TCP_X86_64, nr, arch, args),
                want,
                "{arch:#x} {nr:#x} {args:?}"
            );
        }
        #[cfg(target_arch = "x86_64")]
        assert_eq!(
            [
                libc::SYS_socket,
                libc::SYS_sendto,
                libc::SYS_sendmsg,
                libc::SYS_sendmmsg,
                libc::SYS_io_uring_setup
            ],
            [41, 44, 46, 307, 425]
        );
    }

    #[test]
    fn aarch64_tcp_filter() {
        let a = AUDIT_ARCH_AARCH64;
        let fo = MSG_FASTOPEN as u64;
        let mptcp = IPPROTO_MPTCP as u64;
        let cases: &[(u32, [u64; 6], u32)] = &[
            (198, [10, 1, mptcp, 0, 0, 0], EPROTONOSUPPORT),
            (198, [10, 1, 6, 0, 0, 0], ALLOW),
            (206, [3, 0, 2, fo, 0, 16], EOPNOTSUPP),
            (206, [3, 0, 2, 0, 0, 16], ALLOW),
            (269, [3, 0, 2, fo, 0, 0], EOPNOTSUPP),
            (211, [3, 0, fo, 0, 0, 0], EOPNOTSUPP),
            (211, [3, 0, 0, fo, 0, 0], ALLOW),
            (425, [8, 0, 0, 0, 0, 0], ENOSYS),
            (29, [1, 0x5412, mptcp, fo, 0, 0], ALLOW),
        ];
        for &(nr, args, want) in cases {
            assert_eq!(run(&TCP_AARCH64, nr, a, args), want, "{nr} {args:?}");
        }
        assert_eq!(
            run(
                &TCP_AARCH64,
                198,
                AUDIT_ARCH_X86_64,
                [10, 1, mptcp, 0, 0, 0]
            ),
            ALLOW
        );
    }

    #[test]
    fn every_jump_lands_inside_the_program() {
        for prog in [&X86_64[..], &AARCH64[..], &TCP_X86_64[..], &TCP_AARCH64[..]] {
            for (i, ins) in prog.iter().enumerate() {
                if matches!(ins.code, BPF_JEQ_K | BPF_JGT_K | BPF_JGE_K | BPF_JSET_K) {
                    assert!(i + 1 + (ins.jt as usize) < prog.len());
                    assert!(i + 1 + (ins.jf as usize) < prog.len());
                }
            }
            assert_eq!(prog.last().unwrap().code, BPF_RET_K);
        }
    }
}
