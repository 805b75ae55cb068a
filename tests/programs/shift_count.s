! Scalar shift counts are taken modulo the width (src2 & 31, src2 & 63): shls 1, 32
! is 1, shrd 8, 64 is 8, sars 0x80000000, 32 stays 0x80000000; the combined
! shift-and operations shift the same way.
    start
    {
        shls,0 1, 32, %r1
        shls,1 1, 33, %r2
        shrd,2 8, 64, %r3
    }
    {
        addd,3 0, 0x80000000, %r4
        addd,4 0, -16, %r5
        shld,5 1, 63, %r6
    }
    {
        sars,0 %r4, 32, %r7
        sard,1 %r5, 65, %r8
        shrs,2 %r4, 63, %r9
    }
    {
        shld,3 3, 128, %r10
        addd,4 0, -1, %r11
    }
    {
        shl_andd,1 1, 66, %r11, %r12
        shr_ands,4 %r4, 35, %r11, %r13
    }
    checks %r1, 1, 1
    checks %r2, 2, 2
    check %r3, 8, 3
    check %r6, 0x8000000000000000, 4
    checks %r7, 0x80000000, 5
    check %r8, -8, 6
    checks %r9, 1, 7
    check %r10, 3, 8
    check %r12, 4, 9
    checks %r13, 0x10000000, 10
    print msg, 9
    exit 0

    .data
msg:
    .ascii "shift ok\n"
