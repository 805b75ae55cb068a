! iset: v5
! Rule Q1 on v5 128-bit registers: qppackdl (src1 the high half, src2 the low),
! qpswitchd (the halves swapped), ldqp, and stmqp writing only the bytes its mask
! (bits 15:0 of src2) selects, at the address src1, leaving the others untouched.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, 0x1111222233334444, %dr1
        addd,1 0, 0x5555666677778888, %dr2
    }
    {
        addd,0 0, buf, %dr3
    }
    {
        qppackdl,0 %dr1, %dr2, %qpr4
    }
    {
        stqp,2 %dr3, 0, %qpr4
    }
    {
        ldd,0 %dr3, 0, %dr5
        ldd,3 %dr3, 8, %dr6
    }
    check %r5, 0x5555666677778888, 1
    check %r6, 0x1111222233334444, 2
    {
        qpswitchd,0 %qpr4, %qpr8
    }
    {
        stqp,2 %dr3, 16, %qpr8
    }
    {
        ldd,0 %dr3, 16, %dr5
        ldd,3 %dr3, 24, %dr6
    }
    check %r5, 0x1111222233334444, 3
    check %r6, 0x5555666677778888, 4
    {
        ldqp,0 %dr3, 16, %qpr10
    }
    {
        stqp,2 %dr3, 32, %qpr10
    }
    {
        ldd,0 %dr3, 32, %dr5
        ldd,3 %dr3, 40, %dr6
    }
    check %r5, 0x1111222233334444, 5
    check %r6, 0x5555666677778888, 6
    {
        addd,0 0, 0xf0f0, %dr7         ! bytes 4-7 and 12-15
        addd,1 %dr3, 48, %dr12
        addd,3 0, -1, %dr13
    }
    {
        std,2 %dr12, 0, %dr13
        std,5 %dr12, 8, %dr13
    }
    {
        stmqp,2 %dr12, %dr7, %qpr4
    }
    {
        ldd,0 %dr3, 48, %dr5
        ldd,3 %dr3, 56, %dr6
    }
    check %r5, 0x55556666ffffffff, 7
    check %r6, 0x11112222ffffffff, 8
    {
        stmqp,2 %dr12, 0, %qpr8        ! mask 0: nothing
    }
    {
        ldd,0 %dr3, 48, %dr5
    }
    check %r5, 0x55556666ffffffff, 9
    print msg, 8
    exit 0
    .data
msg:
    .ascii "quad ok\n"
    .bss
    .align 16
buf:
    .skip 64
