! iset: v5
! exit: 132
! stderr: SIGILL
! mova on v5 (exactness A5, A6): an unused area (fmt 0), an access wider than the
! area's elements and an address the program may not read give the diagnostic value
! 0xeaed0f70eaed0f70 with tag 5 and no fault; a misaligned address is allowed from v5
! and gives the data. Each failing check exits with its number; at the end a
! non-speculative use of a D value raises SIGILL.
    start

! exit(code) unless the register holds the mova diagnostic value (tag 5)
.macro checkbad reg, code
    {
        gettagd,2 \reg, %r20
        puttagd,5 \reg, 0, %r21
    }
    check %r20, 5, \code
    check %r21, 0xeaed0f70eaed0f70, \code
.endm

! exit(code) unless the register holds the value with tag 0
.macro checkgood reg, val, code
    {
        gettagd,2 \reg, %r20
    }
    check %r20, 0, \code
    check \reg, \val, \code
.endm

    {
        addd,0 0, buf, %r0
    }
    {
        staad,2 %dr0, %aad0 [ %aasti0 ], mas = 0x3f     ! %aad0 = buf; %aad2 stays 0
        ldisp %ctpr2, prog
    }
    {
        bap
    }
    {
        movad,0 area = 2, ind = 0, am = 0, be = 0, %dr1  ! left area 2: never loaded
        movad,2 area = 1, ind = 0, am = 0, be = 0, %dr2  ! right area 1: fmt 0
    }
    checkbad %dr1, 1
    checkbad %dr2, 2
    {
        movad,2 area = 0, ind = 0, am = 0, be = 0, %dr3  ! 8 bytes from 4-byte elements
        movaw,3 area = 0, ind = 4, am = 0, be = 0, %dr4  ! 4 bytes: fine
    }
    checkbad %dr3, 3
    checkgood %dr4, 0x11111111, 4
    {
        movad,0 area = 1, ind = 0, am = 0, be = 0, %dr5  ! %aad2 + 0: address 0
        movad,1 area = 0, ind = 4, am = 0, be = 0, %dr6  ! buf + 4: misaligned, fine on v5
    }
    checkbad %dr5, 5
    checkgood %dr6, 0x4444444411111111, 6
    {
        movah,0 area = 0, ind = 1, am = 0, be = 0, %dr7  ! misaligned, fine on v5
        movab,1 area = 0, ind = 3, am = 0, be = 0, %dr8  ! a byte: fine
    }
    checkgood %dr7, 0x2222, 7
    checkgood %dr8, 0x22, 8
    {
        addd,0 %dr3, 1, %dr9                             ! a D value used: SIGILL
    }
    exit 0

! slot 0: left fmt 4 (8-byte elements) on %aad0, right fmt 3 (4-byte elements) on
! %aad0; slot 1: left fmt 4 on %aad2 with ct, right unused.
    .align 16
prog:
    {
        fapb ct=0, fmt=4
        fapb dpl=0, fmt=3
    }
    {
        fapb ct=1, fmt=4, d=2
    }

    .data
    .align 16
buf:
    .quad 0x1111111122222222, 0x3333333344444444
