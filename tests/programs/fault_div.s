! exit: 136
! stderr: SIGFPE
! Integer division by zero kills the program with SIGFPE.
    start
    {
        sdivd,5 %r0, 0, %r1
    }
    exit 0
