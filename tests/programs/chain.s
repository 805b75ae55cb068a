! The chain registers as a procedure reads them (%cr0.hi: where its caller resumes,
! %cr0.lo: the caller's predicates, %cr1.lo: the caller's wbs), the chain-stack index
! one frame deeper inside a call, and the compiler's atomic sequence: a load with
! MAS 0x7 takes the wait lock, a store with MAS 0x2 lands only if the location still
! holds what it read, `ibranch ? %MLOCK` retries when it did not; a check load (MAS 0x3
! in channel 2) always takes the compensation branch.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        rrd,0 %pcsp.hi, %r10
        disp %ctpr1, probe
        cmpedb,1 0, 0, %pred5          ! %pred5 = 1: bit 10 of the caller's %cr0.lo
    }
    {
        call %ctpr1, wbs = 0xc
    }
back:
    {                                  ! out of the way of the check macro
        addd,0 0, %r24, %r14
        addd,1 0, %r25, %r15
        addd,2 0, %r26, %r16
        addd,3 0, %r27, %r17
    }
    check %r14, back, 1                ! the callee's %cr0.hi
    {
        andd,0 %r15, 0x400, %r15
    }
    check %r15, 0x400, 2               ! %cr0.lo holds %pred5
    {
        shrd,0 %r16, 33, %r16
    }
    {
        andd,0 %r16, 0x7f, %r16
    }
    check %r16, 0xc, 3                 ! %cr1.lo: wbs of the call
    {
        andd,0 %r10, 0xffffffff, %r10
        andd,1 %r17, 0xffffffff, %r17
    }
    {
        subd,0 %r17, %r10, %r17
    }
    check %r17, 32, 4                  ! one chain frame more inside the call

    ! Atomic increment: lock, add, conditional store, retry on %MLOCK.
    {
        addd,0 0, counter, %r0
        addd,1 0, 0, %r12              ! retries
    }
retry:
    {
        ldd,3 %r0, 0, %r1, mas = 0x7
    }
    {
        addd,0 %r1, 1, %r2
    }
    {
        std,2 %r0, 0, %r2, mas = 0x2
        ibranch retry ? %MLOCK
    }
    {
        ldd,0 %r0, 0, %r3
    }
    check %r3, 42, 5

    ! A plain store between the lock and the conditional store: the latter must not
    ! land, and %MLOCK must send the program to its compensation code.
    {
        ldd,3 %r0, 0, %r1, mas = 0x7
        addd,0 0, 7, %r4
    }
    {
        std,2 %r0, 0, %r4
    }
    {
        addd,0 0, 99, %r2
    }
    {
        std,2 %r0, 0, %r2, mas = 0x2
        ibranch lost ? %MLOCK
    }
    exit 6                             ! the store claimed success
lost:
    {
        ldd,0 %r0, 0, %r3
    }
    check %r3, 7, 7                    ! the conditional store did not land

    ! A check load always reports a possible conflict (conservative disambiguation).
    {
        ldd,2 %r0, 0, %r5, mas = 0x3
        ibranch compensate ? %MLOCK
    }
    exit 8
compensate:
    check %r5, 7, 9
    ! Cache-line flush stores (MAS 0xf) change nothing.
    {
        std,2 %r0, 0, %r2, mas = 0xf
    }
    {
        ldd,0 %r0, 0, %r3
    }
    check %r3, 7, 10
    print msg, 9
    exit 0

! Returns %cr0.hi, %cr0.lo, %cr1.lo and %pcsp.hi in %r0..%r3.
probe:
    {
        setwd wsz = 0x4, nfx = 1
        rrd,0 %cr0.hi, %r0
    }
    {
        rrd,0 %cr0.lo, %r1
    }
    {
        rrd,0 %cr1.lo, %r2
    }
    {
        rrd,0 %pcsp.hi, %r3
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
counter:
    .quad 41
msg:
    .ascii "chain ok\n"
