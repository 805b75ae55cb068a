! exit: 132
! stderr: SIGILL
! Rule D1: a store in channel 2 with a load in channel 3 in one wide instruction is an
! illegal opcode (nothing of it runs). tests/programs/ctl.s runs the allowed pairs.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, cell, %r1
    }
    {
        std,2 %r1, 0, %r1
        ldd,3 %r1, 0, %r2
    }
    exit 0
    .bss
cell:
    .skip 16
