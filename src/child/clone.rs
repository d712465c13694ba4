//! clone(2) on a small stack of our own: the stacks (each with a guard
//! page), a trampoline that starts a function on one without going through
//! libc (whose wrapper would touch errno, which a CLONE_VM child shares with
//! its parent), and the few processes jail starts this way, each behind a
//! safe entry point: the jail's first process (`start_jail`), COMMAND's
//! process (`start_command`), the nested map writer (`start_map_helper`)
//! and throwaway probes (`probe`). This module and `sys` are where the
//! child side's unsafe code lives.

#![allow(unsafe_code)] // kernel-facing: see `child`'s deny(unsafe_code)

use crate::child::Ctx;

/// Stacks for the clone child (the init lives on it) and for COMMAND's
/// process until it execs: small, each with a guard page below it so an
/// overflow faults instead of corrupting memory.
const STACK_SIZE: usize = 64 * 1024;
const GUARD: usize = 4096;

/// Two stacks in one mapping: the upper half for the jail's first process
/// (the init lives on it), the lower half for COMMAND's process until it
/// execs (and, before that, the nested map writer). Each has a guard page
/// below it, so an overflow faults instead of corrupting memory.
pub struct Stack {
    base: *mut libc::c_void,
    len: usize,
}

impl Stack {
    pub fn new() -> Result<Stack, i32> {
        let len = 2 * (STACK_SIZE + GUARD);
        // SAFETY: a new anonymous private mapping (checked), and then the
        // lowest page of each half of it made inaccessible.
        let base = unsafe {
            let base = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK | libc::MAP_NORESERVE,
                -1,
                0,
            );
            if base == libc::MAP_FAILED {
                return Err(crate::sys::errno());
            }
            for half in [0, STACK_SIZE + GUARD] {
                if libc::mprotect(base.cast::<u8>().add(half).cast(), GUARD, libc::PROT_NONE) != 0 {
                    let e = crate::sys::errno();
                    libc::munmap(base, len);
                    return Err(e);
                }
            }
            base
        };
        Ok(Stack { base, len })
    }

    /// Top of the upper half (stacks grow down).
    fn top(&self) -> usize {
        self.base as usize + self.len
    }

    /// Top of the lower half.
    pub fn command_top(&self) -> usize {
        self.base as usize + STACK_SIZE + GUARD
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our own mapping; a Stack is dropped only when no child
        // runs on it (spawn::start forgets the stack once the jail runs).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// Start the jail's first process, running `child::main(ctx)` on `stack`
/// with `flags` (the namespaces, SIGCHLD, and CLONE_VM where memory is
/// shared). The caller keeps `stack` mapped for as long as the jail runs.
pub fn start_jail(
    flags: libc::c_int,
    stack: &Stack,
    ctx: &'static Ctx,
) -> Result<libc::pid_t, i32> {
    run_on(flags, stack.top(), |c: &Ctx| crate::child::main(c), ctx)
}

/// From the init: COMMAND's process, sharing our memory where
/// `SHARED_MEMORY` holds (no page tables copied), on the stack the parent
/// reserved for it, running `init::command_main`. Not vfork-style: it
/// waits for the init to drop its capabilities before it execs.
pub fn start_command(ctx: &Ctx) -> Result<libc::pid_t, i32> {
    let shared = if crate::sys::SHARED_MEMORY {
        libc::CLONE_VM
    } else {
        0
    };
    let flags = shared | libc::SIGCHLD;
    run_on(
        flags,
        ctx.command_stack,
        |c: &Ctx| crate::child::init::command_main(c),
        ctx,
    )
}

/// From the child, before it enters the nested user namespace: the helper
/// that writes that namespace's maps from outside (`child::map_helper`), on
/// COMMAND's stack (unused until then). The caller waits for it (or exits)
/// before `h` goes away.
pub fn start_map_helper(ctx: &Ctx, h: &crate::child::MapHelper) -> Result<libc::pid_t, i32> {
    let shared = if crate::sys::SHARED_MEMORY {
        libc::CLONE_VM
    } else {
        0
    };
    run_on(
        shared | libc::SIGCHLD,
        ctx.command_stack,
        |h| crate::child::map_helper(h),
        h,
    )
}

/// A throwaway child with `flags` (plus SIGCHLD) and a copy of our memory
/// (no CLONE_VM, as after fork from one thread), running `f(arg)` on
/// `stack` and exiting with its result: how `--check` and the clone error
/// path try namespaces one by one.
pub fn probe<T>(
    flags: libc::c_int,
    stack: &Stack,
    f: fn(&T) -> i32,
    arg: &T,
) -> Result<libc::pid_t, i32> {
    run_on(flags & !libc::CLONE_VM | libc::SIGCHLD, stack.top(), f, arg)
}

/// clone(2) with `flags` onto the stack whose top is `top`, the child
/// running `f(arg)` there and exiting with its return value. Returns the
/// child's pid.
///
/// Not `unsafe` only because every caller is above, in this module, and
/// keeps its promises: `top` is the top of a stack of ours that only the
/// child uses; with CLONE_VM, `f` runs only async-signal-safe code that
/// never touches errno or thread-locals (it shares them), and `arg` stays
/// in place until the child execs or exits.
fn run_on<T>(
    flags: libc::c_int,
    top: usize,
    f: fn(&T) -> i32,
    arg: &T,
) -> Result<libc::pid_t, i32> {
    extern "C" fn entry<T>(arg: *mut libc::c_void, f: usize) -> libc::c_int {
        // SAFETY: `f` is the `fn(&T) -> i32` and `arg` the `&T` given to
        // run_on, passed in registers (nothing is read from the caller's
        // stack, which may be gone by now); `arg` is alive (see run_on).
        let (f, arg) = unsafe {
            (
                std::mem::transmute::<usize, fn(&T) -> i32>(f),
                &*(arg as *const T),
            )
        };
        f(arg)
    }
    // SAFETY: see above.
    unsafe {
        clone_on(
            flags,
            top,
            entry::<T>,
            arg as *const T as *mut libc::c_void,
            f as usize,
        )
    }
}

/// The raw clone: see `run_on`.
///
/// # Safety
/// As for `run_on`.
#[cfg(target_arch = "x86_64")]
unsafe fn clone_on(
    flags: libc::c_int,
    top: usize,
    f: extern "C" fn(*mut libc::c_void, usize) -> libc::c_int,
    arg: *mut libc::c_void,
    extra: usize,
) -> Result<libc::pid_t, i32> {
    let flags = flags as usize;
    // The ABI wants a 16-byte aligned stack at the call.
    let top = top & !15;
    let r: isize;
    // SAFETY: clone(flags, stack, NULL, NULL, 0). The child starts on
    // `top` with the registers it inherited: r12, r14 and r13 carry arg,
    // extra and f (the kernel keeps all but rax, rcx and r11). It calls
    // f(arg, extra) and exits; it never reaches the code after the asm
    // block.
    unsafe {
        core::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r12",
            "mov rsi, r14",
            "call r13",
            "mov edi, eax",
            "mov eax, {exit}",
            "syscall",
            "ud2",
            "2:",
            exit = const libc::SYS_exit,
            inlateout("rax") libc::SYS_clone as isize => r,
            in("rdi") flags, in("rsi") top, in("rdx") 0usize,
            in("r10") 0usize, in("r8") 0usize,
            in("r12") arg, in("r13") f, in("r14") extra,
            lateout("rcx") _, lateout("r11") _,
        );
    }
    if r < 0 {
        Err(-r as i32)
    } else {
        Ok(r as libc::pid_t)
    }
}

/// See the x86_64 `clone_on`. Elsewhere the caller's memory is its own
/// copy (SHARED_MEMORY is false), so libc's clone and errno do.
///
/// # Safety
/// As for the x86_64 `clone_on`.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn clone_on(
    flags: libc::c_int,
    top: usize,
    f: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> Result<libc::pid_t, i32> {
    // SAFETY: forwarded from the caller.
    let pid = unsafe { libc::clone(f, top as *mut libc::c_void, flags, arg) };
    if pid < 0 {
        Err(crate::sys::errno())
    } else {
        Ok(pid)
    }
}
