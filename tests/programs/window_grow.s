! A setwd that grows the window past the register file's end adds zeroed registers:
! those a returned callee left above its caller's window are gone, those inside the
! caller's window (below the end) keep their values.
    start
    {
        disp %ctpr1, dirty
        addd,0 0, 0x55, %r28           ! the callees' %r4
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        disp %ctpr1, fresh
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        addd,0 %r24, 0, %r0
        addd,1 %r25, 0, %r1
    }
    check %r0, 0, 1
    check %r1, 0x55, 2
    print msg, 6
    exit 0

! Writes its registers above its caller's window.
dirty:
    {
        setwd wsz = 0x8, nfx = 1
        addd,0 0, 77, %r8
        addd,1 0, 78, %r15
        addd,2 0, 79, %r12
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

! %r0 = %r8 + %r12 + %r15 (fresh registers), %r1 = %r4 (the caller's %r28).
fresh:
    {
        setwd wsz = 0x8, nfx = 1
    }
    {
        addd,0 %r8, %r15, %r0
        addd,1 %r4, 0, %r1
    }
    {
        addd,0 %r0, %r12, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "fresh\n"
