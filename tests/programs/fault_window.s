! exit: 139
! stderr: outside the 32-register window
! A register beyond the window (WD.size) is a window-bounds fault: SIGSEGV.
    start
    {
        addd,0 0, 1, %r40
    }
    exit 0
