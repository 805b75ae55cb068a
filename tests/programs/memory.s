! Loads and stores of every size, zero extension, little-endian order, misaligned
! addresses, and the address forms: register + immediate, register + register,
! register + literal, GNU as brackets.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, buf, %r0
        addd,1 0, 0x1122334455667788, %r1
    }
    {
        addd,0 0, 8, %r2
        addd,1 0, words, %r3
    }
    {
        std,2 %r0, 0, %r1
    }
    {
        ldb,0 %r0, 0, %r4
        ldb,2 %r0, 7, %r5
        ldh,3 %r0, 2, %r6
        ldw,5 %r0, 4, %r7
    }
    check %r4, 0x88, 1
    check %r5, 0x11, 2
    check %r6, 0x5566, 3
    check %r7, 0x11223344, 4
    {
        ldd,0 %r0, 1, %r8              ! misaligned
        ldd,2 %r3, %r2, %r9            ! register + register
        ldd,3 %r3, 0x10, %r10          ! register + literal
    }
    check %r8, 0x11223344556677, 5
    check %r9, 0xfedcba9876543210, 6
    check %r10, 0x0f0e0d0c0b0a0908, 7
    {
        stb,2 %r0, 8, %r1              ! low byte 0x88
        addd,0 0, 0x7f, %r16
    }
    {
        stb,5 %r0, 9, %r16
    }
    {
        sth,2 %r0, 10, %r1             ! 0x7788
        stw,5 %r0, 12, %r1             ! 0x55667788
    }
    {
        ldd,0 %r0, 8, %r11
    }
    check %r11, 0x5566778877887f88, 8
    {
        std,2 [ %r0 + %r2 ], %r1       ! brackets: address first in the encoding
    }
    {
        ldd,0 [ %r0 + 8 ], %r12
        ldw,2 [ %r3 ], %r13
    }
    check %r12, 0x1122334455667788, 9
    check %r13, 0x01234567, 10
    {
        ldb,0 %r3, 0x17, %r14          ! sign is not extended
    }
    check %r14, 0x0f, 11
    {
        ldw,0 %r3, 4, %r15
    }
    check %r15, 0x89abcdef, 12
    print msg, 10
    exit 0

    .data
words:
    .word 0x01234567, 0x89abcdef
    .quad 0xfedcba9876543210
    .quad 0x0f0e0d0c0b0a0908
msg:
    .ascii "memory ok\n"
    .bss
buf:
    .skip 64
