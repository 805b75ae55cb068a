! Recursive Fibonacci, fib(27): call/return and window heavy.
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        disp %ctpr1, fib
        addd,0 0, 27, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        sdisp %ctpr1, 0x3
        andd,1 %r24, 0xff, %r25
        addd,0 0, 1, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
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
