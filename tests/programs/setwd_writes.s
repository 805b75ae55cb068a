! Results of the wide instruction holding a procedure's setwd land in the window it
! opens: registers beyond the parameters the caller passed.
    start
    {
        disp %ctpr1, f
        addd,0 0, 0x30, %r28               ! f's %r0
    }
    {
        call %ctpr1, wbs = 0xe
    }
    {
        addd,0 %r28, 0, %r0
    }
    check %r0, 0x3c, 1
    print msg, 3
    exit 0

! %r0 = %r0 + %r10 + %r11 with %r10, %r11 set by the setwd's own instruction.
f:
    {
        setwd wsz = 0x8, nfx = 1
        addd,0 0, 5, %r10
        addd,1 0, 7, %r11
    }
    {
        addd,0 %r10, %r11, %r12
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
    .ascii "ok\n"
