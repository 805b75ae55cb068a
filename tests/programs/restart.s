! System calls a signal interrupts. A read that blocks on an empty pipe while a
! 20 ms interval timer ticks: with SA_RESTART the SIGALRM handler runs during the
! read (many times, not once after it) and the read goes on until the forked child
! writes a byte 300 ms later; without SA_RESTART the first tick ends the read with
! EINTR. A sleep is not restarted even with SA_RESTART (EINTR), as on Linux. The
! handler's siginfo is the host kernel's: si_code SI_KERNEL for the timer's SIGALRM.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    sys 174, 14, act_restart, 0, 8     ! rt_sigaction(SIGALRM, SA_RESTART)
    sys 42, fds                        ! pipe(fds)
    {
        addd,0 0, fds, %r1
    }
    {
        ldw,0 %r1, 0, %r2              ! read end
        ldw,2 %r1, 4, %r3              ! write end
    }
    sys 2                              ! fork
    {
        cmpedb,0 %r24, 0, %pred1
        disp %ctpr2, child
    }
    {
        ct %ctpr2 ? %pred1
    }
    sys 104, 0, every20ms, 0           ! setitimer(ITIMER_REAL, 20 ms, every 20 ms)
    sys 3, %r2, buf, 1                 ! read(fds[0], buf, 1): blocks until the child writes
    check %r24, 1, 1
    {
        addd,0 0, ticks, %r4
    }
    {
        ldd,0 %r4, 0, %r5
    }
    {
        cmpbdb,0 %r5, 3, %pred2        ! the handler ran during the read
    }
    failif %pred2, 2
    {
        addd,0 0, buf, %r6
    }
    {
        ldb,0 %r6, 0, %r7
    }
    check %r7, 0x78, 3                 ! 'x'
    {
        addd,0 0, code, %r8
    }
    {
        ldw,0 %r8, 0, %r9
    }
    checks %r9, 0x80, 7                ! SI_KERNEL

    sys 174, 14, act_plain, 0, 8       ! the same handler without SA_RESTART
    sys 3, %r2, buf, 1                 ! nobody writes: the next tick ends it
    check %r24, -4, 4                  ! EINTR

    sys 174, 14, act_restart, 0, 8
    sys 162, one_second, 0             ! nanosleep: EINTR even with SA_RESTART
    check %r24, -4, 5

    sys 104, 0, never, 0               ! timer off
    sys 114, -1, 0, 0, 0               ! wait4(-1): the child
    {
        cmpldb,0 %r24, 1, %pred3
    }
    failif %pred3, 6
    print msg, 11
    exit 0

child:
    sys 162, wait300ms, 0
    sys 4, %r3, x, 1                   ! write(fds[1], "x", 1)
    exit 0

! The SIGALRM handler counts.
tick:
    {
        setwd wsz = 0x8, nfx = 1
        addd,0 0, ticks, %r4
    }
    {
        ldd,0 %r4, 0, %r5
        ldw,2 %r1, 8, %r7              ! si_code
        addd,1 0, code, %r6
    }
    {
        stw,2 %r6, 0, %r7
    }
    {
        addd,0 %r5, 1, %r5
    }
    {
        std,2 %r4, 0, %r5
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
    .align 8
act_restart:
    .quad tick, 0x10000004, 0, 0       ! SA_RESTART | SA_SIGINFO
act_plain:
    .quad tick, 4, 0, 0                ! SA_SIGINFO
every20ms:
    .quad 0, 20000, 0, 20000           ! struct itimerval
never:
    .quad 0, 0, 0, 0
wait300ms:
    .quad 0, 300000000                 ! struct timespec
one_second:
    .quad 1, 0
x:
    .ascii "x"
msg:
    .ascii "restart ok\n"
    .bss
    .align 8
fds:
    .skip 8
ticks:
    .skip 8
code:
    .skip 8
buf:
    .skip 8
