! What the %ctpr and mirrored-channel rules allow (C1, C2, D1 of the exactness
! document; the fault_ctpr_*, fault_mirror* programs die on what they forbid):
! unguarded movtd/movtcd into %ctpr, a store in channel 2 with loads in 0 and 5, a
! store in 5 with loads in 2 and 3, stores in 2 and 5 together; and a system call
! through the old 64-bit entry 4 (rule S6).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, there, %r1
        addd,1 0, cell, %r2
    }
    {
        movtd,0 %r1, %ctpr1
    }
    {
        ct %ctpr1
    }
    exit 1
there:
    {
        addd,0 0, back, %r1
        addd,1 0, 0x1111, %r3
    }
    {
        movtcd,0 %r1, %ctpr2
    }
    {
        ct %ctpr2
    }
    exit 2
back:
    {
        addd,0 0, other, %r11
    }
    {
        std,2 %r2, 0, %r3              ! store 2, loads 0 and 5
        ldd,0 %r11, 0, %r4
        ldd,5 %r11, 8, %r5
    }
    check %r4, 0x2222, 3
    check %r5, 0x3333, 4
    {
        std,5 %r2, 8, %r3              ! store 5, loads 2 and 3
        ldd,2 %r2, 0, %r6
        ldd,3 %r2, 0, %r7
    }
    check %r6, 0x1111, 5
    check %r7, 0x1111, 6
    {
        std,2 %r2, 16, %r3             ! stores 2 and 5
        std,5 %r2, 24, %r3
    }
    {
        ldd,0 %r2, 8, %r8
        ldd,3 %r2, 16, %r9
        ldd,5 %r2, 24, %r10
    }
    check %r8, 0x1111, 7
    check %r9, 0x1111, 8
    check %r10, 0x1111, 9
    {
        sdisp %ctpr1, 0x4              ! the old 64-bit entry: write(1, msg, 7)
    }
    {
        addd,0 0, 4, %r24
        addd,1 0, 1, %r25
        addd,2 0, msg, %r26
        addd,3 0, 7, %r27
        call %ctpr1, wbs = 0xc
    }
    check %r24, 7, 10
    exit 0
    .data
msg:
    .ascii "ctl ok\n"
    .align 8
other:
    .quad 0x2222, 0x3333
    .bss
cell:
    .skip 32
