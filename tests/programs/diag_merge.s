! exit: 132
! stderr: SIGILL
! A non-speculative merge that selects a D operand faults (exactness T4).
    start
    {
        puttagd,2 %r0, 5, %r1
        cmpedb,0 %r0, 0, %pred0
    }
    {
        merged,0 %r0, %r1, %r2, %pred0
    }
    exit 0
