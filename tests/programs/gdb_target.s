! The program tests/gdb_stub.rs debugs: known values at known labels. Run on its
! own it prints its message and the loop count, and exits with the count (5).
! exit: 5
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value

    start
    {
        addd,0 0, 0x1111, %r0
        addd,1 0, 0x2222, %r1
        cmpedb,3 0, 0, %pred3          ! %pred3 = 1
    }
    {
        addd,0 %r0, %r1, %r2           ! %r2 = 0x3333
        addd,1 0, 0, %r4               ! loop count
        disp %ctpr2, loop
    }
loop:
    {
        addd,0 %r4, 1, %r4
    }
    {
        cmpedb,0 %r4, 5, %pred0
    }
    {
        ct %ctpr2 ? ~%pred0
    }
after_loop:
    {
        disp %ctpr1, leaf
        addd,0 0, 0x77, %r24
    }
    {
        call %ctpr1, wbs = 0xc
    }
    print message, 6
    {
        addd,0 0, 0x30, %r5
    }
    {
        addd,0 %r5, %r4, %r5
        addd,1 0, digit, %r6
    }
    {
        stb,2 %r6, 0, %r5
    }
    print digit, 2
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, 1, %r24
        addd,1 0, %r4, %r25
        call %ctpr1, wbs = 0xc
    }

! leaf(x): its own window, %r0 = x + 1
leaf:
    {
        setwd wsz = 0x4, nfx = 1
    }
    {
        addd,0 %r0, 1, %r0
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
message:
    .ascii "hello\n"
digit:
    .ascii "?\n"
    .align 8
