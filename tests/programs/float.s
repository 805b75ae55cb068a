! Floating point: IEEE binary64/binary32 arithmetic, the rounding mode and exception
! flags of %pfpfr, compares to predicates and masks, conversions and combined
! operations; exits with the number of the first failing check.
    start
    {
        addd,0 0, 0x3ff8000000000000, %r0      ! 1.5
        addd,1 0, 0x4002000000000000, %r1      ! 2.25
    }
    {
        addd,2 0, 0x3ff0000000000000, %r2      ! 1.0
        addd,3 0, 0x4008000000000000, %r3      ! 3.0
    }
    {
        faddd,0 %r0, %r1, %r4                  ! 3.75
        fdivd,5 %r2, %r3, %r5                  ! 1/3, inexact
    }
    check %r4, 0x400e000000000000, 1
    check %r5, 0x3fd5555555555555, 2
    {
        rrs,0 %pfpfr, %r6
    }
    {
        ands,0 %r6, 0x3f, %r7                  ! the flags alone: only PE (0x20)
    }
    checks %r7, 0x20, 3
    {
        rws,0 0x5f80, %pfpfr                   ! round up, flags cleared
    }
    {
        fdivd,5 %r2, %r3, %r8                  ! 1/3 rounded up: one ulp more
    }
    check %r8, 0x3fd5555555555556, 4
    {
        rws,0 0x1f80, %pfpfr                   ! back to nearest
    }
    {
        fdivd,5 %r2, 0, %r9                    ! 1/0 = +inf, ZE
        fmuld,0 %r3, %r3, %r10                 ! 9.0
    }
    check %r9, 0x7ff0000000000000, 5
    {
        rrs,0 %pfpfr, %r11
    }
    {
        ands,0 %r11, 0x3f, %r11
    }
    checks %r11, 0x4, 6
    {
        fdivd,5 0, 0, %r12                     ! 0/0: the default NaN, negative
    }
    check %r12, 0xfff8000000000000, 7
    {
        fmul_addd,0 %r3, %r3, %r2, %r13        ! 1 + 3*3 = 10
        fmul_rsubd,1 %r3, %r3, %r2, %r14       ! 3*3 - 1 = 8
        fmul_subd,3 %r3, %r3, %r2, %r15        ! 1 - 3*3 = -8
    }
    check %r13, 0x4024000000000000, 8
    check %r14, 0x4020000000000000, 9
    check %r15, 0xc020000000000000, 10
    {
        fcmpltd,0 %r2, %r3, %r16               ! 1 < 3: all ones
        fcmpltd,1 %r3, %r2, %r17               ! 3 < 1: zero
        fcmpltdb,3 %r2, %r3, %pred1
        fcmpeqdb,4 %r2, %r3, %pred2
        addd,2 0, 0, %r18
    }
    check %r16, -1, 11
    check %r17, 0, 12
    {
        addd,0 %r18, 1, %r18 ? %pred1          ! taken
        addd,1 %r18, 0x10, %r19 ? %pred2       ! not taken
    }
    check %r18, 1, 13
    {
        addd,0 0, 0xc004000000000000, %r20     ! -2.5
        adds,1 0, -7, %r21
        adds,2 0, 0x41100000, %r22             ! 9.0f
    }
    {
        fdtoid,0 %r20, %r4                     ! nearest even: -2
        fdtoidtr,1 %r20, %r5                   ! toward zero: -2
        istofd,3 %r21, %r6                     ! -7.0
        fsqrts,5 %r22, %r7                     ! 3.0f
    }
    check %r4, -2, 14
    check %r5, -2, 15
    check %r6, 0xc01c000000000000, 16
    checks %r7, 0x40400000, 17
    {
        fstofd,0 %r7, %r8                      ! 3.0
        fsubs,1 %r7, 0x40800000, %r9           ! 3 - 4 = -1.0f
    }
    check %r8, 0x4008000000000000, 18
    checks %r9, 0xbf800000, 19
    {
        fdtofx,0 %r3, %r10                     ! 3.0 as 80 bits
        fdtofx,1 %r2, %r11                     ! 1.0
    }
    {
        fxdivxx,5 %r11, %r10, %r12             ! 1/3 in 80 bits, inexact
    }
    {
        fxmulxd,0 %r12, %r10, %r13             ! back to 1.0 as f64
        movfi,1 %r12, %r14                     ! sign and exponent of 1/3: 0x3ffd
    }
    {
        rrs,0 %fpsr, %r15
    }
    check %r13, 0x3ff0000000000000, 20
    checks %r14, 0x3ffd, 21
    {
        ands,0 %r15, 0x3f, %r15
    }
    checks %r15, 0x20, 22
    {
        fxtofd,0 %r12, %r16                    ! 1/3 rounded to f64
    }
    check %r16, 0x3fd5555555555555, 23
    print msg, 9
    exit 0

    .data
msg:
    .ascii "float ok\n"
