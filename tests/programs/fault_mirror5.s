! exit: 132
! stderr: SIGILL
! Rule D1: a store in channel 5 with a load in channel 0 in one wide instruction is an
! illegal opcode.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, cell, %r1
    }
    {
        ldw,0 %r1, 8, %r2
        stw,5 %r1, 0, %r1
    }
    exit 0
    .bss
cell:
    .skip 16
