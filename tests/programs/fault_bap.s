! exit: 132
! stderr: SIGILL
! bap loads the prefetch program only from a %ctpr2 that ldisp prepared (exactness
! A3): after a plain disp it is an illegal instruction.
    start
    {
        disp %ctpr2, prog
    }
    {
        bap
    }
    exit 0
    .align 16
prog:
    .quad 0x0000000088000000
    .quad 0
