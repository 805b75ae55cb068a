! exit: 132
! stderr: SIGILL
! A non-speculative store of D data faults (exactness T3).
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, buf, %r2
        puttagd,2 %r0, 5, %r1
    }
    {
        std,2 %r2, 0, %r1
    }
    exit 0
    .data
    .align 8
buf:
    .quad 0
