! iset: v5
! getfd/getfs sign extension from ISA v5: the byte field is ignored, the fill bit is
! the top bit of the extracted field (ordinary sign extension of the field).
    start
    {
        addd,0 0, 0x808080, %r1
        addd,1 0, 0x8000, %r2
    }
    {
        getfd,0 %r1, 0x1800, %r3        ! 32 bits at 0: bit 31 (clear)
        getfs,1 %r2, 0x1208, %r4        ! 8 bits at 8: bit 15 (set), byte 0 ignored
        getfs,2 %r2, 0x3208, %r5        ! byte 1 ignored too
        getfd,3 %r1, 0x3200, %r6        ! 8 bits at 0: bit 7 (set)
    }
    check %r3, 0x808080, 1
    checks %r4, 0xffffff80, 2
    checks %r5, 0xffffff80, 3
    check %r6, 0xffffffffffffff80, 4
    print msg, 8
    exit 0

    .data
msg:
    .ascii "getf ok\n"
