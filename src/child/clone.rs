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

pub struct Stack {
    base: *mut libc::c_void,
    len: usize,
}

impl Stack {
    pub fn new() -> Result<Stack, i32> {
        let len = 2 * (STACK_SIZE + GUARD);
        // SAFETY: an anonymous private mapping; checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(crate::sys::errno());
        }
        for half in [0, STACK_SIZE + GUARD] {
            // SAFETY: the lowest page of each half of our own mapping
            // becomes its guard.
            if unsafe { libc::mprotect(base.cast::<u8>().add(half).cast(), GUARD, libc::PROT_NONE) }
                != 0
            {
                return Err(crate::sys::errno());
            }
        }
        Ok(Stack { base, len })
    }

    /// Top of the init's stack (the upper half).
    pub fn top(&self) -> *mut libc::c_void {
        // SAFETY: one past the end of our mapping; stacks grow down.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }

    /// Top of COMMAND's stack (the lower half).
    pub fn command_top(&self) -> *mut libc::c_void {
        // SAFETY: the end of the lower half, inside our mapping.
        unsafe { self.base.cast::<u8>().add(STACK_SIZE + GUARD).cast() }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; dropped only when no child
        // runs on it (spawn::start forgets the stack once the jail runs).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// clone(2) with CLONE_VM|CLONE_VFORK (plus `flags`) onto `stack`, the
/// child running `f(arg)` there and exiting with its return value; the
/// caller sleeps until the child execs or exits. Returns the child's pid.
///
/// # Safety
/// `stack` must be the top of a stack only the child uses; `f` must be
/// async-signal-safe and must not return into shared state.
unsafe fn clone_vfork(
    flags: libc::c_int,
    stack: *mut libc::c_void,
    f: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> Result<libc::pid_t, i32> {
    // SAFETY: forwarded from the caller.
    unsafe { clone_on(flags | libc::CLONE_VM | libc::CLONE_VFORK, stack, f, arg) }
}

/// clone(2) with exactly `flags` onto `stack`, the child running `f(arg)`
/// there and exiting with its return value. Returns the child's pid.
///
/// # Safety
/// As for `clone_vfork`; without CLONE_VFORK both run at once, so with
/// CLONE_VM the caller must leave alone what the child uses until it ends.
#[cfg(target_arch = "x86_64")]
unsafe fn clone_on(
    flags: libc::c_int,
    stack: *mut libc::c_void,
    f: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> Result<libc::pid_t, i32> {
    let flags = flags as usize;
    // The ABI wants a 16-byte aligned stack at the call.
    let top = stack as usize & !15;
    let r: isize;
    // SAFETY: clone(flags, stack, NULL, NULL, 0). The child starts on
    // `top` with the registers it inherited: r12 and r13 carry arg and f
    // (the kernel keeps all but rax, rcx and r11). It calls f(arg) and
    // exits; it never reaches the code after the asm block.
    unsafe {
        core::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r12",
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
            in("r12") arg, in("r13") f,
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
    stack: *mut libc::c_void,
    f: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    arg: *mut libc::c_void,
) -> Result<libc::pid_t, i32> {
    // SAFETY: forwarded from the caller.
    let pid = unsafe { libc::clone(f, stack, flags, arg) };
    if pid < 0 { Err(errno()) } else { Ok(pid) }
}

/// Start the jail's first process, running `child::main(ctx)` on `stack`
/// with `flags` (the namespaces, SIGCHLD, and CLONE_VM where memory is
/// shared). The caller keeps `stack` mapped for as long as the jail runs.
pub fn start_jail(
    flags: libc::c_int,
    stack: &Stack,
    ctx: &'static Ctx,
) -> Result<libc::pid_t, i32> {
    extern "C" fn entry(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the 'static Ctx passed below.
        crate::child::main(unsafe { &*(arg as *const Ctx) })
    }
    // SAFETY: child::main runs only async-signal-safe code, never touches
    // errno, reads ctx (which lives forever) and leaves through execve or
    // _exit; the stack is ours and stays mapped.
    unsafe {
        clone_on(
            flags,
            stack.top(),
            entry,
            ctx as *const Ctx as *mut libc::c_void,
        )
    }
}

/// From the init: COMMAND's process, vfork-style on the stack the parent
/// reserved for it (`ctx.command_stack`), running `init::command_main`;
/// returns once it has exec'd or exited.
pub fn start_command(ctx: &Ctx) -> Result<libc::pid_t, i32> {
    extern "C" fn entry(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the init's Ctx, alive while we run (the init
        // sleeps until we exec or exit).
        crate::child::init::command_main(unsafe { &*(arg as *const Ctx) })
    }
    // SAFETY: as for start_jail; CLONE_VFORK keeps the init asleep, so
    // nothing else runs on the shared memory meanwhile.
    unsafe {
        clone_vfork(
            libc::SIGCHLD,
            ctx.command_stack,
            entry,
            ctx as *const Ctx as *mut libc::c_void,
        )
    }
}

/// From the child, before it enters the nested user namespace: the helper
/// that writes that namespace's maps from outside (`child::map_helper`), on
/// COMMAND's stack (unused until then). `h` must stay in place until the
/// helper is reaped: the caller waits for it, or exits.
pub fn start_map_helper(ctx: &Ctx, h: &crate::child::MapHelper) -> Result<libc::pid_t, i32> {
    extern "C" fn entry(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the caller's MapHelper, which outlives us.
        crate::child::map_helper(unsafe { &*(arg as *const crate::child::MapHelper) })
    }
    let shared = if crate::sys::SHARED_MEMORY {
        libc::CLONE_VM
    } else {
        0
    };
    // SAFETY: map_helper runs only async-signal-safe code on a stack
    // nobody else uses until it is reaped; see above for `h`.
    unsafe {
        clone_on(
            shared | libc::SIGCHLD,
            ctx.command_stack,
            entry,
            h as *const crate::child::MapHelper as *mut libc::c_void,
        )
    }
}

/// A throwaway child with `flags` (plus SIGCHLD) and a copy of our memory
/// (no CLONE_VM), running `f(arg)` on `stack` and exiting with its result:
/// how `--check` and the clone error path try namespaces one by one.
pub fn probe<T>(
    flags: libc::c_int,
    stack: &Stack,
    f: fn(&T) -> i32,
    arg: &T,
) -> Result<libc::pid_t, i32> {
    struct Call<'a, T> {
        f: fn(&T) -> i32,
        arg: &'a T,
    }
    extern "C" fn entry<T>(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the Call below, in our copy of the memory.
        let call = unsafe { &*(arg as *const Call<T>) };
        (call.f)(call.arg)
    }
    let call = Call { f, arg };
    // SAFETY: without CLONE_VM the child runs on its own copy of our
    // memory (as after fork, from a single thread), on a stack of its own.
    unsafe {
        clone_on(
            flags | libc::SIGCHLD,
            stack.top(),
            entry::<T>,
            &call as *const Call<T> as *mut libc::c_void,
        )
    }
}
