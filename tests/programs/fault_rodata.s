! exit: 139
! stderr: SIGSEGV
! A store to read-only data kills the program with SIGSEGV.
    start
    {
        addd,0 0, ro, %r0
    }
    {
        std,2 %r0, 0, %r0
    }
    exit 0

    .rodata
ro:
    .quad 1
