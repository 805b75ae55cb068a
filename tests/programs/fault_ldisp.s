! exit: 132
! stderr: SIGILL
! ldisp exists only with %ctpr2 (exactness A3): the same CS0 operation naming %ctpr1,
! written as its bytes (e2k-as knows no such ldisp), is an illegal instruction.
    start
    .align 8
    .word 0x00004001, 0x50000000        ! { ldisp %ctpr1, . }: HS with CS0, CS0
    exit 0
