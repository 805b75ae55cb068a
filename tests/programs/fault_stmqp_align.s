! iset: v5
! exit: 135
! stderr: SIGBUS
! Rule Q2: on ISA v5 stmqp needs a 16-byte aligned address, whatever its mask.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, buf, %dr1
        addd,1 0, 1, %dr2              ! one byte
    }
    {
        addd,0 %dr1, 8, %dr1
    }
    {
        stmqp,2 %dr1, %dr2, %qpr4
    }
    exit 0
    .bss
    .align 16
buf:
    .skip 64
