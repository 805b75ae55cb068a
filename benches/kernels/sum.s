! Integer sum loop over 1..=20000001 (the transfer reads the previous compare), one
! wide instruction per iteration.
    .text
    .global _start
_start:
    {
        setwd wsz = 0x10, nfx = 1
        disp %ctpr1, loop
        addd,0 0, 0, %r1
        addd,1 0, 1, %r2
        cmpedb,3 0, 0, %pred0
    }
loop:
    {
        addd,0 %r1, %r2, %r1
        addd,1 %r2, 1, %r2
        cmpbdb,3 %r2, 20000000, %pred0
        ct %ctpr1 ? %pred0
    }
    {
        sdisp %ctpr1, 0x3
        addd,0 0, 1, %r24
        andd,1 %r1, 0xff, %r25
    }
    {
        call %ctpr1, wbs = 0xc
    }
