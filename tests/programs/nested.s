! exit: 139
! stderr: SIGSEGV
! Calls and returns that compiled code makes itself (JIT "nest"): the caller goes on
! after the call with what the callee left in the shared registers, including a
! diagnostic value (its tag survives the return); the same procedure called with
! two window offsets; a call through a register (%ctpr loaded with movtd) beside
! direct ones; recursion past the depth compiled code nests on the host stack; a
! timer signal reaching a loop whose body is a call; a fault three calls deep.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0, %r10                  ! loop counter
        addd,1 0, 0, %r11                  ! sum of leaf(i) = 2i + 1
    }
loop:
    {
        disp %ctpr1, leaf
        addd,0 %r10, 0, %r16
    }
    {
        call %ctpr1, wbs = 0x8
    }
    {
        addd,0 %r11, %r16, %r11
        addd,1 %r10, 1, %r10
    }
    {
        cmpbdb,0 %r10, 1000, %pred0
    }
    {
        ibranch loop ? %pred0
    }
    check %r11, 1000000, 1             ! sum of 2i + 1 for i < 1000

    ! The same leaf with wbs 4 (its window starts at %r8).
    {
        disp %ctpr1, leaf
        addd,0 0, 20, %r8
    }
    {
        call %ctpr1, wbs = 0x4
    }
    check %r8, 41, 2

    ! Through a register: the target is not known when the caller is translated.
    {
        addd,0 0, leaf, %r12
    }
    {
        movtd,0 %r12, %ctpr2
        addd,1 0, 7, %r16
    }
    {
        call %ctpr2, wbs = 0x8
    }
    check %r16, 15, 3

    ! A callee leaving a D value in the caller's register: the tag comes back.
    {
        disp %ctpr1, poison
    }
    {
        call %ctpr1, wbs = 0x8
    }
    {
        gettagd,2 %r16, %r13
    }
    check %r13, 5, 4

    ! Recursion 300 deep (deeper than compiled code nests on the host stack).
    {
        disp %ctpr1, rec
        addd,0 0, 300, %r16
    }
    {
        call %ctpr1, wbs = 0x8
    }
    check %r16, 45150, 5               ! 300 + 299 + ... + 1

    ! A timer signal reaches a loop whose body is a call.
    sys 174, 14, act_alrm, 0, 8        ! rt_sigaction(SIGALRM)
    sys 104, 0, timer, 0               ! setitimer(ITIMER_REAL, 10 ms)
    {
        addd,0 0, count, %r9
        addd,1 0, 0x10000000, %r14     ! give up (exit 6) rather than hang
    }
spin:
    {
        disp %ctpr1, leaf
        addd,0 %r14, 0, %r16
        subd,1 %r14, 1, %r14
    }
    {
        call %ctpr1, wbs = 0x8
    }
    {
        ldd,0 %r9, 0, %r15
    }
    {
        cmpedb,0 %r15, 0, %pred1
        cmpedb,1 %r14, 0, %pred2
    }
    failif %pred2, 6
    {
        ibranch spin ? %pred1
    }
    check %r15, 1, 7
    print msg, 10

    ! A fault in a callee three calls deep: SIGSEGV.
    {
        disp %ctpr1, rec
        addd,0 0, 3, %r16
        addd,1 0, 1, %r17                  ! fault at the bottom
    }
    {
        call %ctpr1, wbs = 0x8
    }
    exit 0

! leaf(x) = 2x + 1
leaf:
    {
        setwd wsz = 0xc, nfx = 1
        return %ctpr3
        shld,0 %r0, 1, %r0
    }
    {
        addd,0 %r0, 1, %r0
    }
    {
        ct %ctpr3
    }

! poison(): %r0 = a D zero
poison:
    {
        setwd wsz = 0x8, nfx = 1
        return %ctpr3
    }
    {
        puttagd,2 0, 5, %r0
    }
    {
        ct %ctpr3
    }

! rec(n, f) = n == 0 ? (f ? *0 : 0) : rec(n - 1, f) + n
rec:
    {
        setwd wsz = 0x8, nfx = 1
        disp %ctpr1, rec
        cmpedb,0 %r0, 0, %pred0
    }
    {
        disp %ctpr2, bottom
    }
    {
        ct %ctpr2 ? %pred0
    }
    {
        subd,0 %r0, 1, %r8
        addd,1 %r1, 0, %r9
        call %ctpr1, wbs = 4
    }
    {
        addd,0 %r8, %r0, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }
bottom:
    {
        cmpedb,0 %r1, 0, %pred1
        return %ctpr3
    }
    {
        ldd,0 0, 0, %r2 ? ~%pred1
    }
    {
        ct %ctpr3
    }

! SIGALRM: count it.
alrm:
    {
        setwd wsz = 0x8, nfx = 1
        addd,0 0, count, %r4
        return %ctpr3
    }
    {
        ldd,0 %r4, 0, %r5
    }
    {
        addd,0 %r5, 1, %r5
    }
    {
        std,2 %r4, 0, %r5
    }
    {
        ct %ctpr3
    }

    .data
act_alrm:
    .quad alrm, 0x10000004, 0, 0       ! SA_RESTART | SA_SIGINFO
timer:
    .quad 0, 0, 0, 10000
msg:
    .ascii "nested ok\n"
    .bss
count:
    .skip 8
