! Compares of every kind into predicates, merge (select by a predicate), conditional
! execution of ALU operations (RLP), and bit-field insertion.
    start
    {
        addd,0 0, -5, %r0
        addd,1 0, 3, %r1
        addd,2 0, 0xff00, %r2
    }
    {
        cmpldb,0 %r0, %r1, %pred0      ! -5 < 3 signed
        cmpbdb,1 %r0, %r1, %pred1      ! not below, unsigned
        cmpledb,3 %r1, %r1, %pred2     ! 3 <= 3
        cmpbedb,4 %r1, %r0, %pred3     ! 3 <= huge, unsigned
    }
    checkp %pred0, 1
    failif %pred1, 2
    checkp %pred2, 3
    checkp %pred3, 4
    {
        cmpsdb,0 %r0, %r1, %pred4      ! -5 - 3 is negative
        cmpandedb,1 %r2, 0xff, %pred5  ! 0xff00 & 0xff == 0
        cmpandedb,3 %r2, 0x100, %pred6 ! not zero
        cmpesb,4 %r0, 0xfffffffb, %pred7   ! 32-bit compare of the low half
    }
    checkp %pred4, 5
    checkp %pred5, 6
    failif %pred6, 7
    checkp %pred7, 8
    {
        merged,0 %r0, %r1, %r3, %pred0     ! %pred0 holds: the second
        merged,1 %r0, %r1, %r4, ~%pred0    ! the first
        addd,2 0, 1, %r5 ? %pred1          ! not executed
        addd,3 0, 2, %r6 ? ~%pred1         ! executed
    }
    check %r3, 3, 9
    check %r4, -5, 10
    check %r5, 0, 11
    check %r6, 2, 12
    {
        addd,0 0, -1, %r9
    }
    {
        insfd,0 %r9, 0x200, %r2, %r7       ! 8 bits at offset 0 from 0xff00: 0x00
    }
    check %r7, 0xffffffffffffff00, 13
    {
        getfd,0 %r2, 0x208, %r8            ! 8 bits from bit 8: 0xff
    }
    check %r8, 0xff, 14
    print msg, 10
    exit 0

    .data
msg:
    .ascii "select ok\n"
