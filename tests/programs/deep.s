! Hardware stacks grow on demand: recursion 40,000 calls deep needs a chain stack of
! 1.25 MiB and a procedure stack of 2.5 MiB, far past the initial 256 KiB and 1 MiB;
! %pcsp.hi and %psp.hi report the grown sizes at the deepest point, and every frame
! comes back intact.
    start
    {
        rrd,0 %pcsp.hi, %r10
    }
    {
        rrd,0 %psp.hi, %r11
    }
    {
        shrd,0 %r10, 32, %r10
        shrd,1 %r11, 32, %r11
    }
    {
        cmpbdb,0 %r10, 0x100000, %pred1
        cmpbdb,1 %r11, 0x200000, %pred2
    }
    failif ~%pred1, 4                  ! the chain stack starts small
    failif ~%pred2, 5                  ! so does the procedure stack
    {
        disp %ctpr1, rec
        addd,0 0, 40000, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    check %r24, 40000, 1               ! each level added 1 on the way back
    {
        shrd,0 %dg20, 32, %r10         ! chain-stack size at the deepest point
        shrd,1 %dg21, 32, %r11         ! procedure-stack size
    }
    {
        cmpbedb,0 %r10, 0x100000, %pred1
        cmpbedb,1 %r11, 0x200000, %pred2
    }
    failif %pred1, 2                   ! the chain stack did not grow past 1 MiB
    failif %pred2, 3                   ! the procedure stack did not grow past 2 MiB
    print msg, 8
    exit 0

! rec(n) = n == 0 ? 0 (recording the stack sizes) : rec(n - 1) + 1
rec:
    {
        setwd wsz = 0x4, nfx = 1
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
        subd,0 %r0, 1, %r4
        call %ctpr1, wbs = 2
    }
    {
        addd,0 %r4, 1, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }
bottom:
    {
        rrd,0 %pcsp.hi, %dg20
    }
    {
        rrd,0 %psp.hi, %dg21
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "deep ok\n"
