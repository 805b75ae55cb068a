! exit: 139
! stderr: SIGSEGV
! A store to read-only data kills the program with SIGSEGV.
    .ignore ld_st_style             ! stores as objdump lists them: address, offset, value
    start
    {
        addd,0 0, ro, %r0
    }
    {
        std,2 %r0, 0, %r0
    }
    exit 0

    .section .rodata
ro:
    .quad 1
