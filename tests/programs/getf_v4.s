! getfd/getfs sign extension on ISA v1-v4: the fill bit is bit
! 8 * byte + ((offset + length - 1) & 7) of src1 as it is (not rotated).
! src2: offset, length << 6, sign-extend 1 << 12, byte << 13 (getfs: bits 14:13).
    start
    {
        addd,0 0, 0x808080, %r1
        addd,1 0, 0x8000, %r2
    }
    {
        getfd,0 %r1, 0x1800, %r3        ! 32 bits at 0, byte 0: bit 7 fills
        getfs,1 %r2, 0x1208, %r4        ! 8 bits at 8, byte 0: bit 7 (clear)
        getfs,2 %r2, 0x3208, %r5        ! byte 1: bit 15 (set)
        getfd,3 %r2, 0x3208, %r6
    }
    check %r3, 0xffffffff00808080, 1
    checks %r4, 0x80, 2
    checks %r5, 0xffffff80, 3
    check %r6, 0xffffffffffffff80, 4
    print msg, 8
    exit 0

    .data
msg:
    .ascii "getf ok\n"
