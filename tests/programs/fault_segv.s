! exit: 139
! stderr: SIGSEGV
! A load from an unmapped address kills the program with SIGSEGV.
    start
    {
        ldd,0 0, 0x10, %r1
    }
    exit 0
