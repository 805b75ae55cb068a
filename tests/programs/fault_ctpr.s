! exit: 132
! stderr: SIGILL
! A transfer through an empty %ctpr kills the program with SIGILL.
    start
    {
        ct %ctpr2
    }
    exit 0
