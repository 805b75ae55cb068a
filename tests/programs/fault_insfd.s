! exit: 132
! insfd without control bit 13 counts the whole tag of src1: a src1 whose upper half
! is D (a 32-bit result into a D register, WD.dbl = 0) makes it SIGILL.
    start
    {
        puttagd,2 %r1, 5, %r2
    }
    {
        adds,0 0, 1, %r2
    }
    {
        insfd,0 %r2, 0x200, %r3, %r4
    }
    exit 0
