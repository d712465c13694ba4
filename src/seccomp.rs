//! The seccomp filter every COMMAND runs under: `ioctl(fd, TIOCSTI, ...)`
//! and `ioctl(fd, TIOCLINUX, ...)` fail with EPERM, so a jailed process
//! cannot push characters into the caller's terminal (CVE-2017-5226 in
//! bubblewrap) or use the console's selection paste. Only the low 32 bits
//! of the request are compared, as the kernel does: a request with high
//! bits set is the same ioctl (CVE-2019-10063 in flatpak). Every other
//! ioctl and system call is allowed, so terminal programs keep working.
//!
//! The program is 13 classic BPF instructions, written out by hand and
//! checked instruction by instruction by the tests below (a small BPF
//! interpreter runs it on synthetic system calls); a filter library would
//! cost more binary than the whole filter.

const TIOCSTI: u32 = 0x5412;
const TIOCLINUX: u32 = 0x541C;

#[allow(dead_code)]
const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
#[allow(dead_code)]
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
#[allow(dead_code)]
const AUDIT_ARCH_AARCH64: u32 = 0xC000_00B7;
#[allow(dead_code)]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// ioctl's number for each ABI a kernel of our architecture runs.
#[allow(dead_code)]
const NR_IOCTL_X86_64: u32 = 16;
#[allow(dead_code)]
const NR_IOCTL_X32: u32 = 514 | X32_SYSCALL_BIT;
#[allow(dead_code)]
const NR_IOCTL_I386: u32 = 54;
#[allow(dead_code)]
const NR_IOCTL_AARCH64: u32 = 29;

// Offsets in struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; }
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
/// The low 32 bits of args[1] (the ioctl request), little-endian.
const OFF_ARG1_LO: u32 = 24;

const BPF_LD_W_ABS: u16 = 0x20; // BPF_LD (0) | BPF_W (0) | BPF_ABS (0x20)
const BPF_JEQ_K: u16 = 0x15; // BPF_JMP (5) | BPF_JEQ (0x10) | BPF_K (0)
const BPF_RET_K: u16 = 0x06; // BPF_RET | BPF_K

const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;

const fn ld(k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k,
    }
}

const fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_JEQ_K,
        jt,
        jf,
        k,
    }
}

const fn ret(k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k,
    }
}

/// The filter for x86_64 kernels (native, x32 and i386 system calls).
#[cfg(not(target_arch = "aarch64"))]
pub static PROGRAM: [libc::sock_filter; 13] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_X86_64, 0, 3), // -> 2 | 5
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_IOCTL_X86_64, 4, 0), // -> 8 | 4
    /* 4 */ jeq(NR_IOCTL_X32, 3, 7), // -> 8 | 12
    /* 5 */ jeq(AUDIT_ARCH_I386, 0, 6), // -> 6 | 12
    /* 6 */ ld(OFF_NR),
    /* 7 */ jeq(NR_IOCTL_I386, 0, 4), // -> 8 | 12
    /* 8 */ ld(OFF_ARG1_LO),
    /* 9 */ jeq(TIOCSTI, 1, 0), // -> 11 | 10
    /* 10 */ jeq(TIOCLINUX, 0, 1), // -> 11 | 12
    /* 11 */ ret(SECCOMP_RET_ERRNO | libc::EPERM as u32),
    /* 12 */ ret(SECCOMP_RET_ALLOW),
];

/// The filter for aarch64 kernels.
#[cfg(target_arch = "aarch64")]
pub static PROGRAM: [libc::sock_filter; 9] = [
    /* 0 */ ld(OFF_ARCH),
    /* 1 */ jeq(AUDIT_ARCH_AARCH64, 0, 6), // -> 2 | 8
    /* 2 */ ld(OFF_NR),
    /* 3 */ jeq(NR_IOCTL_AARCH64, 0, 4), // -> 4 | 8
    /* 4 */ ld(OFF_ARG1_LO),
    /* 5 */ jeq(TIOCSTI, 1, 0), // -> 7 | 6
    /* 6 */ jeq(TIOCLINUX, 0, 1), // -> 7 | 8
    /* 7 */ ret(SECCOMP_RET_ERRNO | libc::EPERM as u32),
    /* 8 */ ret(SECCOMP_RET_ALLOW),
];

/// Install the filter on the calling thread. Needs no_new_privs (or
/// CAP_SYS_ADMIN). Async-signal-safe; returns the errno on failure.
pub fn install() -> Result<(), i32> {
    let prog = libc::sock_fprog {
        len: PROGRAM.len() as u16,
        filter: PROGRAM.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prog points to a valid, 'static BPF program.
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

#[cfg(all(test, not(target_arch = "aarch64")))]
mod tests {
    use super::*;

    /// A classic-BPF interpreter for the three instructions the filter
    /// uses, over a seccomp_data laid out as the kernel does.
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
            match ins.code {
                BPF_LD_W_ABS => {
                    let k = ins.k as usize;
                    acc = u32::from_le_bytes(data[k..k + 4].try_into().unwrap());
                }
                BPF_JEQ_K => {
                    pc += if acc == ins.k { ins.jt } else { ins.jf } as usize;
                }
                BPF_RET_K => return ins.k,
                c => panic!("unexpected opcode {c:#x}"),
            }
        }
    }

    const EPERM: u32 = SECCOMP_RET_ERRNO | libc::EPERM as u32;

    fn ioctl(nr: u32, arch: u32, req: u64) -> u32 {
        run(&PROGRAM, nr, arch, [1, req, 0, 0, 0, 0])
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
    }

    #[test]
    fn blocks_compat_abis() {
        assert_eq!(ioctl(54, AUDIT_ARCH_I386, TIOCSTI as u64), EPERM);
        assert_eq!(
            ioctl(514 | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, TIOCSTI as u64),
            EPERM
        );
    }

    #[test]
    fn allows_other_ioctls_and_calls() {
        let allow = SECCOMP_RET_ALLOW;
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TIOCGWINSZ), allow);
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TCSETS), allow);
        assert_eq!(ioctl(16, AUDIT_ARCH_X86_64, libc::TIOCSWINSZ), allow);
        // write(2) whose second argument happens to equal TIOCSTI.
        assert_eq!(ioctl(1, AUDIT_ARCH_X86_64, TIOCSTI as u64), allow);
        // i386's 16 is lchown, not ioctl.
        assert_eq!(ioctl(16, AUDIT_ARCH_I386, TIOCSTI as u64), allow);
        assert_eq!(ioctl(54, 0x1234, TIOCSTI as u64), allow);
    }

    #[test]
    fn every_jump_lands_inside_the_program() {
        for (i, ins) in PROGRAM.iter().enumerate() {
            if ins.code == BPF_JEQ_K {
                assert!(i + 1 + (ins.jt as usize) < PROGRAM.len());
                assert!(i + 1 + (ins.jf as usize) < PROGRAM.len());
            }
        }
        assert_eq!(PROGRAM.last().unwrap().code, BPF_RET_K);
    }
}
