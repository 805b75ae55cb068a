! Array prefetch and mova (exactness rules A3, A4): ldisp %ctpr2 names the prefetch
! program, bap loads it, mova reads the elements of an area at
! %aad[d] + cdi + disp + ind, and `am` advances the area's cdi by one element after the
! wide instruction (once for both channels of a side naming the same area). A loop of
! 8 movads over the elements 0..7 sums to 28. Exits with the first failing check.
    start
    {
        addd,0 0, buf, %r0
    }
    {
        staad,2 %dr0, %aad0 [ %aasti0 ], mas = 0x3f     ! %aad0 = buf
        ldisp %ctpr2, prog
    }
    {
        bap
    }
    {
        addd,0 0, 0, %r4                                 ! sum
        addd,1 0, 8, %r5                                 ! elements left
    }
loop:
    {
        movad,0 area = 0, ind = 0, am = 1, be = 0, %dr3
    }
    {
        addd,0 %dr4, %dr3, %dr4
        subd,1 %dr5, 1, %dr5
    }
    {
        cmpedb,0 %dr5, 0, %pred0
    }
    {
        ibranch loop ? ~%pred0
    }
    check %r4, 28, 1
    check %r3, 7, 2
    {
        bap                                              ! reload: cdi = %aaind0 = 0
    }
    {
        movad,0 area = 0, ind = 0, am = 1, be = 0, %dr6
        movad,1 area = 0, ind = 8, am = 1, be = 0, %dr7
    }
    {
        movad,0 area = 0, ind = 0, am = 0, be = 0, %dr8
        movaw,1 area = 0, ind = 0, am = 0, be = 1, %dr9
        movah,2 area = 0, ind = 4, am = 1, be = 0, %dr10
        movab,3 area = 1, ind = 1, am = 0, be = 0, %dr11
    }
    check %r6, 0, 3
    check %r7, 1, 4
    check %r8, 1, 5                                      ! advanced once, not twice
    check %r9, 0x01000000, 6                             ! big-endian 32 bits of 1
    check %r10, 1, 7                                     ! right area 0: buf + 4 + 4
    check %r11, 0x12, 8                                  ! right area 1: the byte at buf2 + 1
    {
        movah,2 area = 0, ind = 2, am = 0, be = 0, %dr12 ! right area 0 advanced by 2 bytes
        movab,3 area = 1, ind = 0, am = 0, be = 0, %empty.hi
    }
    check %r12, 1, 9
    {
        movad,0 area = 0, ind = 0, am = 0, be = 0, %dr13
    }
    {
        gettagd,2 %dr13, %r14
    }
    check %r14, 0, 10
    {
        eap
    }
    exit 0

! The program, a 16-byte slot per wide instruction: slot 0 left: fmt 4 (8-byte
! elements) on %aad0 with %aaincr0 and %aaind0; slot 0 right: fmt 2 (2-byte elements)
! on %aad0, disp 4; slot 1 left: unused (fmt 0), with ct ending the program; slot 1
! right: fmt 1 (bytes) on %aad0, disp 64 (buf2).
    .align 16
prog:
    {
        fapb ct=0, fmt=4, disp=0
        fapb dpl=0, fmt=2, disp=4
    }
    {
        fapb ct=1, fmt=0
        fapb dpl=0, fmt=1, disp=0x40
    }

    .data
    .align 16
buf:
    .quad 0, 1, 2, 3, 4, 5, 6, 7
buf2:
    .byte 0x11, 0x12, 0x13, 0x14
