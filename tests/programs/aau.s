! Array stores through the AAU: an %aad base written with MAS 0x3f, stores at
! %aad0 + %aasti0 + literal, read back with plain loads; exits with the first failing
! check. Array loads (ldaa*) read the same places, and with MAS 0x3f an AAU register.
    start
    {
        addd,0 0, buf, %r0
        addd,1 0, 0x1122334455667788, %r1
    }
    {
        adds,0 0, 0x99aabbcc, %r2
    }
    {
        staad,2 %dr0, %aad0 [ %aasti0 ], mas = 0x3f     ! %aad0 = buf
    }
    {
        staad,2 %dr1, %aad0 [ %aasti0 + _f32s,_lts0 0x8 ]
        staaw,5 %r2, %aad0 [ %aasti0 + _f32s,_lts1 0x14 ]
    }
    {
        ldd,0 %dr0, 0x8, %dr3
        ldw,3 %dr0, 0x14, %r4
        ldd,2 %dr0, 0x0, %dr5
    }
    check %r3, 0x1122334455667788, 1
    checks %r4, 0x99aabbcc, 2
    check %r5, 0, 3
    {
        staab,2 %r2, %aad0 [ %aasti0 ]                  ! one byte at buf
    }
    {
        ldd,0 %dr0, 0x0, %dr6
    }
    check %r6, 0xcc, 4
    {
        ldaad,2 %aad0 [ %aasti0 + _f32s,_lts0 0x8 ], %dr7
        ldaaw,5 %aad0 [ %aasti0 + _f32s,_lts1 0x14 ], %r8
    }
    check %r7, 0x1122334455667788, 5
    checks %r8, 0x99aabbcc, 6
    {
        ldaad,2 %aad0 [ %aasti0 ], %dr10, mas = 0x3f     ! aaurr: %aad0's base
    }
    {
        subd,0 %dr10, %dr0, %dr11
    }
    check %r11, 0, 7
! The increment (`incr`, ALS bit 10) happens only where the channel's AM conditions
! (CDS mask bit 3) hold.
    {
        cmpedb,0 %dr0, %dr0, %pred1                       ! true
        addd,1 0, 0x55, %r12
    }
    {
        staad,2 %dr0, %aad0 [ %aasti0 ]
        incr,2 %aaincr0 ? ~%pred1
    }
    {
        staad,2 %dr0, %aad0 [ %aasti0 ]
        incr,2 %aaincr0 ? %pred1
    }
    {
        staad,2 %dr12, %aad0 [ %aasti0 ]                  ! %aasti0 = 8: buf + 8
    }
    {
        ldd,0 %dr0, 0x8, %dr13
        ldd,2 %dr0, 0, %dr14
    }
    check %r13, 0x55, 8
    {
        subd,0 %dr14, %dr0, %dr15                         ! buf + 0 holds buf
    }
    check %r15, 0, 9
    exit 0

    .data
buf:
    .skip 64
