! longjmp as glibc does it on E2K: setjmp saves what it reads of its own frame
! (%cr0.hi, %cr1.lo, %pcsp, %br, %usd.lo, %wd); longjmp, two calls deeper, passes
! that to e2k_longjmp2, which cuts the chain stack back so that longjmp's return
! lands after the setjmp call with the value, in the caller's intact window.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0x5555, %r5
        addd,1 0, jbuf, %r24
        disp %ctpr1, setjmp
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 0, %r24, %r20           ! setjmp's result, out of the check macros' way
        addd,1 0, count, %r6
    }
    {
        ldd,0 %r6, 0, %r7
    }
    {
        addd,0 %r7, 1, %r7
        cmpedb,1 %r20, 0, %pred1
    }
    {
        std,2 %r6, 0, %r7
        disp %ctpr2, again
    }
    {
        ct %ctpr2 ? ~%pred1
    }
    ! First return: go two calls deep and jump back.
    {
        disp %ctpr1, f1
    }
    {
        call %ctpr1, wbs = 0xc
    }
    exit 50                            ! f1 never returns
again:
    check %r20, 7, 51                  ! longjmp's value
    check %r7, 2, 52                   ! setjmp returned twice
    check %r5, 0x5555, 53              ! the caller's window is intact
    print msg, 11
    exit 0

f1:
    {
        setwd wsz = 0x8, nfx = 1
        disp %ctpr1, f2
    }
    {
        call %ctpr1, wbs = 0x2
    }
    exit 54

f2:
    {
        setwd wsz = 0x8, nfx = 1
        disp %ctpr1, longjmp
        addd,0 0, jbuf, %r6
        addd,1 0, 7, %r7
    }
    {
        call %ctpr1, wbs = 0x3
    }
    exit 55

! setjmp(buf): jmp_info = {sigmask, cr0.hi, cr1.lo, pcsp.lo, pcsp.hi, pcshtp | br << 32,
! usd.lo, wd}; returns 0.
setjmp:
    {
        setwd wsz = 0x8, nfx = 1
        rrd,0 %cr0.hi, %r1
    }
    {
        rrd,0 %cr1.lo, %r2
    }
    {
        rrd,0 %pcsp.lo, %r3
    }
    {
        rrd,0 %pcsp.hi, %r4
    }
    {
        rrd,0 %br, %r5
    }
    {
        rrd,0 %usd.lo, %r6
    }
    {
        rrd,0 %wd, %r7
    }
    {
        std,2 %r0, 8, %r1
        std,5 %r0, 16, %r2
    }
    {
        std,2 %r0, 24, %r3
        std,5 %r0, 32, %r4
        shld,0 %r5, 32, %r5
    }
    {
        std,2 %r0, 40, %r5
        std,5 %r0, 48, %r6
    }
    {
        std,2 %r0, 56, %r7
        addd,0 0, 0, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! longjmp(buf, value)
longjmp:
    {
        setwd wsz = 0x8, nfx = 1
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 230, %r2
        addd,1 0, %r0, %r3
    }
    {
        addd,0 0, %r1, %r4
        call %ctpr1, wbs = 0x1
    }
    {
        addd,0 0, %r2, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "longjmp ok\n"
    .bss
jbuf:
    .skip 80
count:
    .skip 8
