! exit: 132
! A 32-bit result into a D register leaves its upper half D (WD.dbl = 0): a 64-bit
! non-speculative read of it is SIGILL.
    start
    {
        puttagd,2 %r1, 5, %r2
    }
    {
        adds,0 0, 1, %r2
    }
    {
        addd,0 %r2, 0, %r3
    }
    exit 0
