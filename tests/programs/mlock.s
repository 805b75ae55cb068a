! Rule M1: a check load (MAS mode 3 in channel 2 or 5) after a lock load (mode 4,
! speculative, channel 0 or 3) and a %MLOCK branch in its wide instruction. A store to
! the address came in between, so the compensation code must run and see the stored
! value (e2k-emu is conservative: it always takes the branch).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, cell, %r1
        addd,1 0, 7, %r4
    }
    {
        ldd,0,sm %r1, 0, %r2, mas = 0x4    ! lock load
    }
    {
        std,2 %r1, 0, %r4                  ! overlapping store
    }
    {
        ldd,2 %r1, 0, %r3, mas = 0x3       ! check load
        ibranch comp ? %MLOCK
    }
    exit 1
comp:
    check %r2, 5, 2                        ! the lock load read the old value
    check %r3, 7, 3                        ! the check load re-read it
    print msg, 9
    exit 0
    .data
cell:
    .quad 5
msg:
    .ascii "mlock ok\n"
