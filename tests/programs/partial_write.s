! A 32-bit result replaces only the low half of its register (value and low-half tag)
! while the effective WD.dbl is 0; with dbl = 1 it is zero-extended. A setwd in the
! same wide instruction gives the dbl of that instruction's results. movts writes
! only the low half whatever dbl. insfd control bit 13 (15): only the low half's tag
! of src1 (src3) counts.
    start
    {
        addd,0 0, -1, %r1
        addd,1 0, -1, %g1
        addd,2 0, -1, %r2
        addd,3 0, -1, %r3
        addd,4 0, -1, %r9
        setbn rbs = 0x8, rsz = 0x1, rcur = 0x0
    }
    {
        adds,0 0, 5, %r1                ! dbl = 0: bits 63:32 stay
        adds,1 0, 6, %g1
        adds,2 0, 7, %b[1]              ! %r17
        addd,3 0, -1, %r18
    }
    check %r1, 0xffffffff00000005, 1
    check %g1, 0xffffffff00000006, 2
    check %r17, 7, 3                    ! its upper half was 0
    {
        shls,0 1, 4, %b[2]              ! %r18
    }
    check %r18, 0xffffffff00000010, 4
    {
        setwd wsz = 0x10, nfx = 1, dbl = 1
        adds,0 0, 8, %r2                ! this instruction's setwd gives dbl = 1
    }
    check %r2, 8, 5
    {
        adds,0 0, 9, %r1                ! dbl = 1 from now on
        adds,1 0, 3, %g1
    }
    check %r1, 9, 6
    check %g1, 3, 7
    {
        adds,1 0, 4, %r10
    }
    {
        movts,0 %r10, %r9               ! only the low half, dbl or not
    }
    check %r9, 0xffffffff00000004, 8
    {
        setwd wsz = 0x10, nfx = 1, dbl = 0
        adds,0 0, 10, %r3               ! this instruction's setwd gives dbl = 0
    }
    check %r3, 0xffffffff0000000a, 9
    ! After a register becomes D, a 32-bit result into it leaves the upper half D:
    ! 32-bit reads are fine, its tags read 0x4, insfd with bit 13 ignores it.
    {
        addd,0 0, 0x1234567800000000, %r12
    }
    {
        puttagd,2 %r12, 5, %r4          ! %r4 is D (tags 0x5)
    }
    {
        adds,0 0, 1, %r4
    }
    {
        gettagd,2 %r4, %r5
        adds,1 %r4, 2, %r6
        addd,4 0, 0xab, %r11
    }
    checks %r5, 4, 10
    checks %r6, 3, 11
    {
        insfd,0 %r4, 0x2200, %r11, %r8
    }
    check %r8, 0x12345678000000ab, 12
    print msg, 17
    exit 0

    .data
msg:
    .ascii "partial write ok\n"
