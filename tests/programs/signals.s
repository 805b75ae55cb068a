! Signals delivered to guest handlers: a signal the program sends itself runs its
! SA_SIGINFO handler (%r0 = signal, %r1 = &siginfo, %r2 = &ucontext) when the kill
! returns, and the handler's return resumes the program with its registers,
! predicates and globals intact; a handler may interrupt another; a blocked signal
! waits in rt_sigpending until unblocked; SA_ONSTACK runs on the sigaltstack; a
! SIGSEGV handler gets si_addr and si_code and resumes where it set
! uc_mcontext.cr0_hi; a timer signal reaches a handler while the program spins in a
! loop (which the JIT keeps inside one translation).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 174, 10, act_usr1, 0, 8        ! rt_sigaction(SIGUSR1)
    check %r24, 0, 1
    sys 174, 12, act_usr2, 0, 8        ! rt_sigaction(SIGUSR2), SA_ONSTACK
    sys 174, 11, act_segv, 0, 8        ! rt_sigaction(SIGSEGV)
    sys 186, altstack_desc, 0          ! sigaltstack
    check %r24, 0, 2
    sys 20                             ! getpid
    {
        addd,0 0, %r24, %r8
        addd,1 0, 0x1111, %r5
        cmpedb,3 0, 0, %pred5
    }
    {
        addd,0 0, 0x2222, %dg16
    }

    ! A signal sent to itself runs the handler before kill returns to the program.
    sys 37, %r8, 10                    ! kill(getpid(), SIGUSR1)
    check %r24, 0, 3
    {
        addd,0 0, count, %r9
    }
    {
        ldd,0 %r9, 0, %r10
    }
    check %r10, 1, 4
    check %r5, 0x1111, 5               ! the window survived the handler
    check %dg16, 0x2222, 6             ! so did the globals
    checkp %pred5, 7                   ! and the predicates

    ! Nested: the SIGUSR2 handler (on the alternate stack) sends SIGUSR1.
    sys 37, %r8, 12
    {
        ldd,0 %r9, 0, %r10
        addd,1 0, usr2_ran, %r11
    }
    check %r10, 2, 8
    {
        ldd,0 %r11, 0, %r12
    }
    check %r12, 1, 9

    ! Blocked: pending until unblocked, then delivered at once.
    sys 175, 0, usr1_set, 0, 8         ! SIG_BLOCK
    sys 37, %r8, 10
    {
        ldd,0 %r9, 0, %r10
    }
    check %r10, 2, 10                  ! not yet
    sys 176, pending, 8                ! rt_sigpending
    {
        addd,0 0, pending, %r13
    }
    {
        ldd,0 %r13, 0, %r14
    }
    check %r14, 0x200, 11
    sys 175, 1, usr1_set, 0, 8         ! SIG_UNBLOCK
    {
        ldd,0 %r9, 0, %r10
    }
    check %r10, 3, 12

    ! A fault: the handler moves the resume address past the faulting load.
    {
        addd,0 0, 0x10, %r15
    }
    {
        ldd,0 %r15, 0, %r16
    }
    exit 13                            ! the load must not resume here
recovered:
    {
        addd,0 0, segv_ran, %r11
    }
    {
        ldd,0 %r11, 0, %r12
    }
    check %r12, 1, 14

    ! A host timer: SIGALRM interrupts pause(), which fails with EINTR.
    sys 174, 14, act_alrm, 0, 8
    sys 104, 0, timer, 0               ! setitimer(ITIMER_REAL, 10 ms)
    check %r24, 0, 15
    sys 29                             ! pause
    check %r24, -4, 16
    {
        addd,0 0, count, %r9
    }
    {
        ldd,0 %r9, 0, %r10
    }
    check %r10, 4, 17

    ! A busy loop waits for the handler to run: compiled code must let the signal in.
    sys 104, 0, timer, 0
    {
        addd,0 0, 0x80000000, %r11     ! give up (exit 19) rather than hang
    }
spin:
    {
        ldd,0 %r9, 0, %r10
        subd,1 %r11, 1, %r11
    }
    {
        cmpedb,0 %r10, 4, %pred8
        cmpedb,1 %r11, 0, %pred9
    }
    failif %pred9, 19
    {
        ibranch spin ? %pred8
    }
    check %r10, 5, 18
    print msg, 11
    exit 0

! SIGUSR1: count the deliveries; clobber what the interrupted code must get back.
usr1:
    {
        setwd wsz = 0x10, nfx = 1
        ldw,0 %r1, 0, %r3
        addd,1 0, count, %r4
    }
    {
        cmpedb,0 %r0, 14, %pred7
    }
    {
        addd,0 0, 10, %r0 ? %pred7     ! SIGALRM counts too
        addd,1 0, 10, %r3 ? %pred7
    }
    check %r0, 10, 20
    checks %r3, 10, 21                 ! si_signo
    {
        ldd,0 %r4, 0, %r5
    }
    {
        addd,0 %r5, 1, %r5
        cmpedb,1 0, 1, %pred5
        addd,2 0, 0x9999, %dg16
    }
    {
        std,2 %r4, 0, %r5
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! SIGUSR2: runs on the alternate stack and sends SIGUSR1, which runs inside it.
usr2:
    {
        setwd wsz = 0x10, nfx = 1
        getsp,0 0, %r6
        addd,1 0, altstack, %r7
    }
    {
        subd,0 %r6, %r7, %r6
    }
    {
        cmpbdb,0 %r6, 0x2000, %pred6
    }
    failif ~%pred6, 30                 ! the stack is not the alternate one
    sys 20
    {
        addd,0 0, %r24, %r8
    }
    sys 37, %r8, 10
    {
        addd,0 0, count, %r4
        addd,1 0, usr2_ran, %r9
    }
    {
        ldd,0 %r4, 0, %r5
    }
    check %r5, 2, 31                   ! SIGUSR1 ran inside this handler
    {
        addd,0 0, 1, %r10
    }
    {
        std,2 %r9, 0, %r10
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! SIGSEGV: check the siginfo, resume at `recovered`.
segv:
    {
        setwd wsz = 0x10, nfx = 1
        ldd,0 %r1, 16, %r3
        ldw,2 %r1, 8, %r4
        addd,1 0, recovered, %r5
    }
    check %r3, 0x10, 40                ! si_addr
    checks %r4, 1, 41                  ! SEGV_MAPERR
    {
        addd,0 0, segv_ran, %r9
        std,2 %r2, 48, %r5             ! uc_mcontext.cr0_hi
    }
    {
        addd,0 0, 1, %r10
    }
    {
        std,2 %r9, 0, %r10
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
act_usr1:
    .quad usr1, 4, 0, 0                ! SA_SIGINFO
act_usr2:
    .quad usr2, 0x08000004, 0, 0       ! SA_ONSTACK | SA_SIGINFO
act_segv:
    .quad segv, 4, 0, 0
act_alrm:
    .quad usr1, 0x10000004, 0, 0       ! SA_RESTART | SA_SIGINFO: counts like SIGUSR1
timer:
    .quad 0, 0, 0, 10000
altstack_desc:
    .quad altstack, 0, 0x2000
usr1_set:
    .quad 0x200
msg:
    .ascii "signals ok\n"
    .bss
count:
    .skip 8
usr2_ran:
    .skip 8
segv_ran:
    .skip 8
pending:
    .skip 8
altstack:
    .skip 0x2000
