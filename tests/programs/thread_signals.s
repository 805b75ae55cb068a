! Signals and threads: a signal sent to one thread (tgkill) runs its handler on that
! thread; a signal sent to the process (kill) while the main thread blocks it runs on
! the thread that does not; a guest real-time signal (33) is carried by a host one;
! and a main thread that ends with exit (not exit_group) leaves the process running
! until its last thread ends, whose output still appears; the process's status is
! the main thread's.
! exit: 9
! A call with no arguments in registers (the callee shares no window).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
.macro callp target
    {
        disp %ctpr2, \target
    }
    {
        call %ctpr2, wbs = 0
    }
.endm
    start
    sys 174, 10, act, 0, 8             ! rt_sigaction(SIGUSR1)
    check %r24, 0, 1
    sys 174, 33, act, 0, 8             ! rt_sigaction(SIGRTMIN + 1)
    check %r24, 0, 2
    sys 175, 0, sigset, 0, 8           ! block both here (the thread inherits it)
    sys 120, 0x3d0f00, stack_top, tid, tid, 0
    {
        cmpedb,0 %r24, 0, %pred1
        addd,1 0, %r24, %r9            ! the thread's id
        disp %ctpr2, thread
    }
    {
        ct %ctpr2 ? %pred1
    }
    sys 20                             ! getpid
    {
        addd,0 0, %r24, %r8
        addd,1 0, ready, %r10
    }
    {
        addd,0 0, 1, %r11
    }
    callp wait_at_least                 ! the thread has unblocked the signals

    sys 308, %r8, %r9, 10              ! tgkill(pid, thread, SIGUSR1)
    check %r24, 0, 3
    {
        addd,0 0, hits, %r10
        addd,1 0, 1, %r11
    }
    callp wait_at_least
    callp handled_by_thread
    check %r12, 10, 4

    sys 37, %r8, 10                    ! kill(pid, SIGUSR1): only the thread accepts it
    check %r24, 0, 5
    {
        addd,0 0, hits, %r10
        addd,1 0, 2, %r11
    }
    callp wait_at_least
    callp handled_by_thread

    sys 308, %r8, %r9, 33              ! a real-time signal to the thread
    check %r24, 0, 6
    {
        addd,0 0, hits, %r10
        addd,1 0, 3, %r11
    }
    callp wait_at_least
    callp handled_by_thread
    check %r12, 33, 7

    print main_msg, 5
    {
        addd,0 0, done, %r10
        addd,1 0, 1, %r1
    }
    {
        stw,2 %r10, 0, %r1
    }
    sys 248, %r10, 1, 1                ! futex(&done, FUTEX_WAKE, 1)
    exit 9                             ! exit: the main thread only

! Waits (futex) until the word at %r10 is at least %r11.
wait_at_least:
    {
        ldw,0 %r10, 0, %r1
        disp %ctpr2, enough
    }
    {
        cmpbsb,0 %r1, %r11, %pred2     ! below
    }
    {
        ct %ctpr2 ? ~%pred2
    }
    sys 248, %r10, 0, %r1, 0           ! futex(word, FUTEX_WAIT, seen, NULL)
    {
        ibranch wait_at_least
    }
enough:
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! The handler ran on the thread: `by` is its id; %r12 = the signal it got.
handled_by_thread:
    {
        addd,0 0, by, %r1
        addd,1 0, lastsig, %r2
    }
    {
        ldw,0 %r1, 0, %r3
        ldw,2 %r2, 0, %r12
    }
    checks %r3, %r9, 8
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

thread:
    sys 175, 1, sigset, 0, 8           ! SIG_UNBLOCK
    {
        addd,0 0, ready, %r10
        addd,1 0, 1, %r1
    }
    {
        stw,2 %r10, 0, %r1
    }
    sys 248, %r10, 1, 1
tloop:
    {
        addd,0 0, done, %r10
        addd,1 0, 1, %r11
    }
    callp wait_at_least                 ! interrupted by each signal (EINTR)
    sys 162, nap, 0                    ! nanosleep: the main thread ends meanwhile
    print thread_msg, 7
    exit 0

handler:
    {
        setwd wsz = 0x10, nfx = 1
        addd,0 0, lastsig, %r1
    }
    {
        stw,2 %r1, 0, %r0
    }
    sys 244                            ! gettid
    {
        addd,0 0, by, %r1
        addd,1 0, hits, %r2
    }
    {
        stw,2 %r1, 0, %r24
        ldw,0 %r2, 0, %r3
    }
    {
        addd,0 %r3, 1, %r3
    }
    {
        stw,2 %r2, 0, %r3
    }
    sys 248, %r2, 1, 1                 ! wake the main thread
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
act:
    .quad handler, 4, 0, 0             ! SA_SIGINFO, no SA_RESTART
sigset:
    .quad 0x100000200                  ! SIGUSR1 and signal 33
nap:
    .quad 0, 30000000
main_msg:
    .ascii "main\n"
thread_msg:
    .ascii "thread\n"
    .bss
    .align 8
tid:
    .skip 8
ready:
    .skip 8
hits:
    .skip 8
by:
    .skip 8
lastsig:
    .skip 8
done:
    .skip 8
stack:
    .skip 0x10000
stack_top:
    .skip 16
