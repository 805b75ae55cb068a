! 80-bit values (exactness rules X1, X2): movif builds a value from a significand and the
! low 16 bits of a sign/exponent word, movfi reads the extension back, a 64-bit read sees
! the significand; fxaddxx/fxsubxx/fxmulxx give the exact x87 results for small cases;
! the extension survives calls deep enough to spill the register file.
    start
    {
        addd,0 0, 0x8000000000000000, %r1      ! significand of 2.0 and 4.0
        addd,1 0, 0x7fff4000, %r2              ! only the low 16 bits count: 0x4000
        addd,3 0, 0x4001, %r3
    }
    {
        movif,0 %r1, %r2, %r4                  ! 2.0
        movif,1 %r1, %r3, %r5                  ! 4.0
    }
    {
        movfi,1 %r4, %r6
        movfi,4 %r5, %r7
        addd,0 %r4, 0, %r8                     ! 64-bit read: the significand
    }
    checks %r6, 0x4000, 1
    checks %r7, 0x4001, 2
    check %r8, 0x8000000000000000, 3
    {
        fxaddxx,0 %r4, %r5, %r10               ! 2 + 4 = 6
        fxsubxx,1 %r4, %r5, %r11               ! 2 - 4 = -2
        fxmulxx,3 %r4, %r5, %r12               ! 2 * 4 = 8
    }
    {
        movfi,1 %r10, %r13
        movfi,4 %r11, %r14
    }
    {
        movfi,1 %r12, %r15
    }
    check %r10, 0xc000000000000000, 4
    checks %r13, 0x4001, 5
    check %r11, 0x8000000000000000, 6
    checks %r14, 0xc000, 7
    check %r12, 0x8000000000000000, 8
    checks %r15, 0x4002, 9
    {
        rrs,0 %fpsr, %r16
    }
    {
        ands,0 %r16, 0x3f, %r16
    }
    checks %r16, 0, 10                         ! exact: no flags
    {
        disp %ctpr1, deep
        addd,0 0, 300, %r24                    ! 300 frames spill the register file
    }
    {
        call %ctpr1, wbs = 0xc
    }
    {
        movfi,1 %r10, %r13
        movfi,4 %r11, %r14
    }
    check %r10, 0xc000000000000000, 11
    checks %r13, 0x4001, 12
    checks %r14, 0xc000, 13
    print msg, 7
    exit 0

! deep(n): n nested frames, each holding an 80-bit value of its own
deep:
    {
        setwd wsz = 0x4, nfx = 0
        disp %ctpr1, deep
        cmpedb,0 %r0, 0, %pred0
    }
    {
        movif,0 %r0, %r0, %r5                  ! clobber: a different extension per frame
        return %ctpr3
    }
    {
        ct %ctpr3 ? %pred0
    }
    {
        subd,0 %r0, 1, %r4
        call %ctpr1, wbs = 2
    }
    {
        return %ctpr3
    }
    {
        ct %ctpr3
    }

    .data
msg:
    .ascii "f80 ok\n"
