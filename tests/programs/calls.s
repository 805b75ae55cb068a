! Procedure calls: window shifts, results through the window overlap, deep recursion
! that spills the register file to the procedure stack and fills it back, and the
! predicate file restored on return.
    start
    {
        disp %ctpr1, sum
        addd,0 0, 0x3e8, %r24          ! sum(1000): 1000 nested frames
        cmpedb,1 0, 0, %pred5          ! %pred5 = 1, must survive the calls
    }
    {
        addd,0 0, 0x1234, %r3          ! below the callee window: untouched
        call %ctpr1, wbs = 0xc
    }
    check %r24, 500500, 1
    check %r3, 0x1234, 2
    checkp %pred5, 3
    {
        disp %ctpr1, fib
        addd,0 0, 20, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    check %r24, 6765, 4
    checkp %pred5, 5
    print msg, 9
    exit 0

! sum(n) = n + sum(n - 1), sum(0) = 0
sum:
    {
        setwd wsz = 0x4, nfx = 1
        disp %ctpr1, sum
        cmpedb,0 %r0, 0, %pred0
        cmpedb,1 0, 1, %pred5          ! the callee's predicates are its own
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3 ? %pred0
    }
    {
        subd,0 %r0, 1, %r4
        call %ctpr1, wbs = 2
    }
    {
        addd,0 %r0, %r4, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! fib(n) = fib(n - 1) + fib(n - 2), fib(n) = n for n < 2
fib:
    {
        setwd wsz = 0x4, nfx = 1
        disp %ctpr1, fib
        cmpbdb,0 %r0, 2, %pred0
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3 ? %pred0
    }
    {
        subd,0 %r0, 1, %r4
        call %ctpr1, wbs = 2
    }
    {
        disp %ctpr1, fib
        subd,0 %r0, 2, %r6
        addd,1 %r4, 0, %r5
    }
    {
        call %ctpr1, wbs = 3
    }
    {
        addd,0 %r5, %r6, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "calls ok\n"
