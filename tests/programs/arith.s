! Integer arithmetic, logic, shifts and bit fields; exits with the number of the
! first failing check.
    start
    {
        addd,0 0, 7, %r0
        addd,1 0, -3, %r1              ! _f16s literal, sign-extended
        addd,2 0, 0x123456789, %r2     ! _f64 literal
    }
    {
        adds,3 0, 0xffffffff, %r3
    }
    check %r0, 7, 1
    check %r1, -3, 2
    check %r2, 0x123456789, 3
    {
        addd,0 %r0, %r1, %r4           ! 4
        subd,1 %r1, %r0, %r5           ! -10
        muld,3 %r0, %r1, %r6           ! -21
        adds,2 %r3, 1, %r7             ! 32-bit wrap: 0
        subs,4 0, 1, %r8               ! 0xffffffff, zero-extended
    }
    check %r4, 4, 4
    check %r5, -10, 5
    check %r6, -21, 6
    check %r7, 0, 7
    check %r8, 0xffffffff, 8
    {
        sdivd,5 %r6, %r0, %r9          ! -3
    }
    {
        udivd,5 %r2, 0x10, %r10
        umulx,0 %r3, %r3, %r11         ! 0xfffffffe00000001
        smulx,1 %r3, %r3, %r12         ! (-1) * (-1) = 1
    }
    check %r9, -3, 9
    check %r10, 0x12345678, 10
    check %r11, 0xfffffffe00000001, 11
    check %r12, 1, 12
    {
        umulhd,0 %r2, %r2, %r13        ! high half of 0x123456789^2 = 1
        smulhd,1 %r1, %r0, %r14        ! sign of -21: all ones
        sdivs,5 %r5, 3, %r15           ! -10 / 3 = -3 (32-bit)
    }
    check %r13, 1, 13
    check %r14, -1, 14
    checks %r15, 0xfffffffd, 15
    {
        andd,0 %r2, 0xff, %r16
        ord,1 %r0, 0x30, %r17
        xord,2 %r2, %r2, %r18
        andnd,3 %r2, 0xf, %r19         ! and not
    }
    check %r16, 0x89, 16
    check %r17, 0x37, 17
    check %r18, 0, 18
    check %r19, 0x123456780, 19
    {
        shld,0 %r0, 4, %r16            ! 0x70
        shrd,1 %r2, 8, %r17            ! 0x1234567
        sard,2 %r1, 1, %r18            ! -2
        scld,3 %r2, 0x20, %r19         ! rotate left 32
        shrs,4 %r3, 0x1c, %r20         ! 0xf
    }
    check %r16, 0x70, 20
    check %r17, 0x1234567, 21
    check %r18, -2, 22
    check %r19, 0x2345678900000001, 23
    check %r20, 0xf, 24
    {
        sxt,0 0, 0x80, %r16            ! sign-extend a byte
        sxt,1 1, 0x8000, %r17          ! halfword
    }
    {
        sxt,2 2, 0xffffffff, %r18      ! word -> -1
    }
    {
        getfd,3 %r2, 0x200, %r19       ! 8 bits from bit 0
        popcntd,4 %r2, %r20
    }
    check %r16, 0xffffffffffffff80, 25
    check %r17, 0xffffffffffff8000, 26
    check %r18, -1, 27
    check %r19, 0x89, 28
    check %r20, 15, 29
    {
        lzcntd,1 %r0, %r16             ! 61
        bitrevd,0 %r0, %r17            ! 0xe000000000000000
    }
    check %r16, 61, 30
    check %r17, 0xe000000000000000, 31
    print msg, 9
    exit 0

    .data
msg:
    .ascii "arith ok\n"
