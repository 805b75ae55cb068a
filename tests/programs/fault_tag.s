! exit: 132
! stderr: SIGILL
! A non-speculative operation consuming a diagnostic (tagged) value: SIGILL.
    start
    {
        ldd,0,sm 0, 0, %r1
    }
    {
        addd,0 %r1, 1, %r2
    }
    exit 0
